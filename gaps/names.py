"""Names of regions and occupations for core.text (registered in GapsConfig.ready)."""

from __future__ import annotations

LANGUAGES = ("en", "ru", "zh", "kk")


def region_names(codes=None) -> dict:
    from gaps.models import Region

    rows = Region.objects.all() if codes is None else Region.objects.filter(code__in=list(codes))
    fields = [f"name_{lang}" for lang in LANGUAGES]
    return {row["code"]: {lang: row[f"name_{lang}"] for lang in LANGUAGES} for row in rows.values("code", *fields)}


def occupation_names(codes=None) -> dict:
    from gaps.models import Occupation

    rows = Occupation.objects.all() if codes is None else Occupation.objects.filter(code__in=list(codes))
    fields = [f"title_{lang}" for lang in LANGUAGES]
    return {row["code"]: {lang: row[f"title_{lang}"] for lang in LANGUAGES} for row in rows.values("code", *fields)}


def register() -> None:
    from core.text import register_names
    from gaps.models import Occupation, Region

    register_names("region", region_names, models=[Region])
    register_names("occupation", occupation_names, models=[Occupation])
