"""Read the taxonomy data files (gaps/taxonomy/data/) and bring the database in line with them.

`read_taxonomy()` is pure: files in, the wanted rows out. `sync_taxonomy()` compares them with what
the database holds and writes only the difference, in bulk, in one transaction, so a re-run on
unchanged data reads two tables and writes nothing (it runs on every `bin/run`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from gaps.models import Occupation, OccupationLabel
from gaps.models.taxonomy import LabelSource

from .text import normalize

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("en", "ru", "zh", "kk")
LABEL_MAX = OccupationLabel._meta.get_field("label").max_length
# Rows per INSERT/UPDATE: 2,000 labels x 6 columns stays far below PostgreSQL's 65,535
# parameters; on SQLite Django lowers it further to the engine's own variable limit.
BATCH_SIZE = 2000
# Key of the PostgreSQL advisory lock held while loading (any constant unique to this job).
ADVISORY_LOCK_KEY = 0x7A1E_0CC0
# Every row written for the project says whether a second person has checked it.
REVIEW_STATUSES = ("reviewed", "needs_second_reviewer")
OCCUPATION_FIELDS = ("level", "parent_id", "title_en", "title_ru", "title_zh", "title_kk", "definition_en")


class TaxonomyDataError(ValueError):
    """A data file is malformed; the message names the file, row and column."""


@dataclass
class TaxonomyData:
    occupations: dict[str, dict] = field(default_factory=dict)
    # (code, language, normalized) -> (label, source, is_preferred); the first writer of a key wins,
    # and sources are read in order of authority (preferred titles first).
    labels: dict[tuple[str, str, str], tuple[str, str, bool]] = field(default_factory=dict)
    crosswalk_rows: int = 0

    def add_label(self, code: str, language: str, label: str, source: str, *, preferred: bool = False) -> None:
        label = " ".join((label or "").split())
        norm = normalize(label)
        if not norm:
            return
        key = (code, language, norm[:LABEL_MAX])
        if key not in self.labels:
            self.labels[key] = (label[:LABEL_MAX], source, preferred)


def _rows(name: str, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    path = DATA_DIR / name
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise TaxonomyDataError(f"{name}: missing column(s) {', '.join(missing)}")
        return [(i, row) for i, row in enumerate(reader, start=2)]


def _split(cell: str) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def read_taxonomy() -> TaxonomyData:
    data = TaxonomyData()
    occ = data.occupations

    for line, row in _rows("isco08.csv", ("code", "level", "parent_code", "title_en", "definition_en", "examples_en")):
        code = row["code"].strip()
        if not code.isdigit() or len(code) != int(row["level"]):
            raise TaxonomyDataError(f"isco08.csv row {line}: code {code!r} does not match level {row['level']!r}")
        occ[code] = {
            "level": int(row["level"]),
            "parent_id": row["parent_code"].strip() or None,
            "title_en": row["title_en"].strip(),
            "title_ru": "",
            "title_zh": "",
            "title_kk": "",
            "definition_en": row["definition_en"].strip(),
            "_examples": _split(row["examples_en"]),
        }
    for code, values in occ.items():
        if values["parent_id"] and values["parent_id"] not in occ:
            raise TaxonomyDataError(f"isco08.csv: parent {values['parent_id']} of {code} does not exist")
    units = {code for code, v in occ.items() if v["level"] == 4}

    def unit(code: str, name: str, line: int, column: str) -> str:
        code = (code or "").strip()
        if code not in units:
            raise TaxonomyDataError(f"{name} row {line}, column {column}: {code!r} is not an ISCO-08 unit group")
        return code

    # Russian titles: the OKZ extract under the same code, replaced by the reviewed repair where one exists.
    repairs = {}
    for line, row in _rows("okz_title_repairs.csv", ("code", "title_ru")):
        repairs[unit(row["code"], "okz_title_repairs.csv", line, "code")] = row["title_ru"].strip()
    okz_titles = {}
    for _line, row in _rows("okz2014_ru.csv", ("okz_code", "title_ru_extracted")):
        if row["okz_code"] in units:
            okz_titles[row["okz_code"]] = row["title_ru_extracted"].strip()
    # Chinese and Kazakh titles of the unit groups (there is no public ISCO-08 translation in either).
    title_sources: dict[tuple[str, str], str] = {}
    for lang in ("zh", "kk"):
        name = f"titles_{lang}.csv"
        for line, row in _rows(name, ("code", "title", "source", "review")):
            code = unit(row["code"], name, line, "code")
            if occ[code][f"title_{lang}"]:
                raise TaxonomyDataError(f"{name} row {line}, column code: {code} has a title already")
            occ[code][f"title_{lang}"] = row["title"].strip()
            title_sources[(code, lang)] = _source(row, name, line)
            _review(row, name, line)

    # Preferred titles first, so they win the (occupation, language, normalized) key.
    for code in sorted(units):
        v = occ[code]
        data.add_label(code, "en", v["title_en"], LabelSource.ILO, preferred=True)
        if code in repairs:
            v["title_ru"] = repairs[code]
            data.add_label(code, "ru", repairs[code], LabelSource.TALENTGAP, preferred=True)
        elif code in okz_titles:
            v["title_ru"] = okz_titles[code]
            data.add_label(code, "ru", okz_titles[code], LabelSource.OKZ, preferred=True)
        for lang in ("zh", "kk"):
            if v[f"title_{lang}"]:
                data.add_label(code, lang, v[f"title_{lang}"], title_sources[(code, lang)], preferred=True)
    for code in sorted(units):
        for example in occ[code].pop("_examples"):
            data.add_label(code, "en", example, LabelSource.ILO)
    for code in occ:
        occ[code].pop("_examples", None)

    # The English labels written here before ESCO's: where both have a wording under one group, the
    # label keeps the written source (ESCO's synonyms count less in the search).
    _read_label_file(data, "en", unit)
    for line, row in _rows("esco_en.csv", ("isco08", "preferred_label_en", "alt_labels_en", "hidden_labels_en")):
        code = unit(row["isco08"], "esco_en.csv", line, "isco08")
        for label in [row["preferred_label_en"], *_split(row["alt_labels_en"]), *_split(row["hidden_labels_en"])]:
            data.add_label(code, "en", label, LabelSource.ESCO)

    cn = {}
    for _line, row in _rows("cn2022.csv", ("cn_code", "name_zh", "aliases_zh")):
        cn[row["cn_code"]] = (row["name_zh"].strip(), _split(row["aliases_zh"]))
    for line, row in _rows(
        "cn2022_isco08_crosswalk.csv", ("cn_code", "name_zh", "isco08", "confidence", "review", "drop_aliases")
    ):
        name = "cn2022_isco08_crosswalk.csv"
        _review(row, name, line)
        if row["cn_code"] not in cn:
            raise TaxonomyDataError(f"{name} row {line}, column cn_code: {row['cn_code']!r} is not a CN-2022 occupation")
        if row["name_zh"].strip() != cn[row["cn_code"]][0]:
            raise TaxonomyDataError(f"{name} row {line}, column name_zh: {row['name_zh']!r} is not the name of {row['cn_code']}")
        if row["confidence"] not in ("high", "medium", "low"):
            raise TaxonomyDataError(f"{name} row {line}, column confidence: expected high, medium or low")
        code = unit(row["isco08"], name, line, "isco08")
        data.crosswalk_rows += 1
        cn_name, aliases = cn[row["cn_code"]]
        dropped = set(_split(row["drop_aliases"]))
        for label in [cn_name, *aliases]:
            if label not in dropped:
                data.add_label(code, "zh", label, LabelSource.CN2022)

    # Alternative labels as people type them, one file a language (English above).
    for lang in LANGUAGES:
        if lang != "en":
            _read_label_file(data, lang, unit)
    return data


def _read_label_file(data: TaxonomyData, lang: str, unit) -> None:
    name = f"labels_{lang}.csv"
    for line, row in _rows(name, ("isco08", "label", "source", "review")):
        code = unit(row["isco08"], name, line, "isco08")
        if not row["label"].strip():
            raise TaxonomyDataError(f"{name} row {line}, column label: empty")
        _review(row, name, line)
        data.add_label(code, lang, row["label"], _source(row, name, line))


def _source(row: dict, name: str, line: int) -> str:
    source = (row.get("source") or "").strip()
    if source not in LabelSource.values:
        raise TaxonomyDataError(
            f"{name} row {line}, column source: {source!r} is not one of {', '.join(LabelSource.values)}"
        )
    return source


def _review(row: dict, name: str, line: int) -> str:
    review = (row.get("review") or "").strip()
    if review not in REVIEW_STATUSES:
        raise TaxonomyDataError(
            f"{name} row {line}, column review: {review!r} is not one of {', '.join(REVIEW_STATUSES)}"
        )
    return review


@dataclass
class SyncResult:
    occupations_created: int = 0
    occupations_updated: int = 0
    labels_created: int = 0
    labels_deleted: int = 0

    @property
    def changed(self) -> bool:
        return any((self.occupations_created, self.occupations_updated, self.labels_created, self.labels_deleted))


def sync_taxonomy(data: TaxonomyData | None = None) -> SyncResult:
    """Make Occupation and OccupationLabel equal to the data files; idempotent.

    Occupations are created or updated in place, never deleted (reports point at them). Labels are
    the files' to own: a label whose text, source or preferred flag changed is replaced by a new row,
    and labels no longer in the files are removed, so the search index's fingerprint (row count and
    highest id, see gaps/search.py) changes whenever the labels do.
    """
    data = data or read_taxonomy()
    result = SyncResult()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two processes loading at once (web and worker starting together) take turns; the
            # second then finds everything in place and writes nothing.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        existing = {o["code"]: o for o in Occupation.objects.values("code", *OCCUPATION_FIELDS)}
        create, update = [], []
        for code, wanted in sorted(data.occupations.items(), key=lambda kv: (kv[1]["level"], kv[0])):
            have = existing.get(code)
            if have is None:
                create.append(Occupation(code=code, **wanted))
            elif any(have[f] != wanted[f] for f in OCCUPATION_FIELDS):
                update.append(Occupation(code=code, **wanted))
        Occupation.objects.bulk_create(create, batch_size=BATCH_SIZE)
        Occupation.objects.bulk_update(update, OCCUPATION_FIELDS, batch_size=BATCH_SIZE)
        result.occupations_created, result.occupations_updated = len(create), len(update)

        have_labels = {
            (occ, lang, norm): (pk, label, source, pref)
            for pk, occ, lang, norm, label, source, pref in OccupationLabel.objects.values_list(
                "pk", "occupation_id", "language", "normalized", "label", "source", "is_preferred"
            )
        }
        stale = [
            pk for key, (pk, *values) in have_labels.items() if tuple(values) != data.labels.get(key)
        ]
        kept = {key for key, (pk, *values) in have_labels.items() if tuple(values) == data.labels.get(key)}
        for start in range(0, len(stale), BATCH_SIZE):
            OccupationLabel.objects.filter(pk__in=stale[start : start + BATCH_SIZE]).delete()
        new = [
            OccupationLabel(occupation_id=code, language=lang, normalized=norm, label=label, source=source, is_preferred=pref)
            for (code, lang, norm), (label, source, pref) in data.labels.items()
            if (code, lang, norm) not in kept
        ]
        OccupationLabel.objects.bulk_create(new, batch_size=BATCH_SIZE)
        result.labels_created, result.labels_deleted = len(new), len(stale)
    if result.changed:
        from gaps.search import invalidate_index

        invalidate_index()
    return result
