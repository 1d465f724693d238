"""The seventh round of issue 15, Russian: the blind tuning file and the rule its misses changed."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from gaps.search import search_occupations
from gaps.taxonomy.text import analyze, normalize

ROOT = Path(__file__).resolve().parents[2]


def _accuracy_module():
    spec = importlib.util.spec_from_file_location("search_accuracy", ROOT / "bench" / "search_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _unit_groups() -> set[str]:
    with (ROOT / "gaps" / "taxonomy" / "data" / "isco08.csv").open(encoding="utf-8") as fh:
        return {row["code"] for row in csv.DictReader(fh) if row["level"] == "4"}


def test_the_seventh_russian_tuning_file_covers_every_major_group_and_is_fresh():
    """sample_tuning7_ru.csv: written blind before the round's changes, at least 150 Russian titles
    with all ten major groups, most in major groups 5-9; none twice and none normalizing like a
    title of another sample file (the hold-outs included)."""
    bench = _accuracy_module()
    rows = bench.read_sample("tuning7_ru")
    assert len(rows) >= 150
    assert {r["language"] for r in rows} == {"ru"}
    assert all(r["expected_isco"] in _unit_groups() for r in rows)
    assert {r["expected_isco"][0] for r in rows} == set("0123456789")
    assert sum(r["expected_isco"][0] in "56789" for r in rows) > 0.6 * len(rows)
    titles = [normalize(r["title"]) for r in rows]
    assert len(set(titles)) == len(titles)
    other_parts = (
        *bench.HOLDOUTS,
        *bench.TUNING_FILES_ALONE,
        *(f"tuning7_{lang}" for lang in ("en", "zh", "kk")),
    )
    others = {normalize(r["title"]) for part in other_parts for r in bench.read_sample(part)}
    others |= {normalize(r["title"]) for r in bench.read_sample("tuning")[:782]}  # sample_tuning.csv
    assert not others & set(titles)
    assert bench.PARTS["tuning7_ru"][0] in bench.PARTS["tuning"]


def test_pom_is_read_as_pomoshchnik():
    # "пом. повара" is how a kitchen assistant (9412) is typed; read as "пом" it only found "повар".
    assert analyze(normalize("пом. повара")).near_key == analyze(normalize("помощник повара")).near_key
    assert analyze(normalize("пом. машиниста")).near_key == analyze(normalize("помощник машиниста")).near_key


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("пом. повара", "9412"),  # without the rule: 5120 (повар) first
        ("пом повара столовой", "9412"),
    ],
)
def test_abbreviated_assistant_titles_rank_the_assistant_group_first(taxonomy, typed, expected):
    assert search_occupations(typed)[0].code == expected
    assert search_occupations(typed, language="ru")[0].code == expected
