"""The Russian and Kazakh titles and alternative labels cover every ISCO-08 unit group, cleanly.

These read the data files as the loader does (`read_taxonomy`), so they need no database: a missing
title, a label under a code that is not a unit group, or one typed title that would lead to two
unit groups fails here with the rows named, before the search ever sees it.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict

import pytest

from gaps.taxonomy import loader
from gaps.taxonomy.loader import read_taxonomy
from gaps.taxonomy.text import normalize

# A normalized label that deliberately stands for two unit groups within one language, with the reason.
# Empty: every label says which group it means (a qualifier is added where a bare title is shared).
SHARED_LABELS: dict[tuple[str, str], tuple[set[str], str]] = {}

# The examples from issue 15: each must be a label (or title) of the unit group named.
ISSUE_EXAMPLES = [
    ("kk", "сатушы", "5223"),
    ("ru", "оператор колл-центра", "4222"),
    ("kk", "аспазшы", "5120"),
    ("kk", "нан пісіруші", "7512"),
    ("ru", "комбайнер", "8341"),
    ("kk", "комбайнер", "8341"),
    ("ru", "учитель начальных классов", "2341"),
    ("kk", "бастауыш сынып мұғалімі", "2341"),
    ("ru", "провизор", "2262"),
    ("ru", "плотник", "7115"),
    ("ru", "повар", "5120"),
]
# At least this many alternative labels (not counting the title) in each language, for every unit group.
MIN_LABELS = 3
# Words a title cannot end with unless it was cut at a PDF line break.
DANGLING = {"в", "во", "и", "не", "на", "по", "с", "со", "из", "для", "за", "к", "от", "при", "или", "а", "другие", "других", "другой", "проведением", "входящие", "входящий"}
LABEL_FILES = ["labels_en.csv", "labels_ru.csv", "labels_zh.csv", "labels_kk.csv"]
TITLE_FILES = ["titles_zh.csv", "titles_kk.csv", "okz_title_repairs.csv"]


@pytest.fixture(scope="module")
def data():
    return read_taxonomy()


@pytest.fixture(scope="module")
def units(data):
    return {code for code, values in data.occupations.items() if values["level"] == 4}


def _rows(name):
    with (loader.DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(enumerate(csv.DictReader(fh), start=2))


def test_every_unit_group_has_a_russian_and_a_kazakh_title(data, units):
    assert len(units) == 436
    for language in ("ru", "kk"):
        missing = sorted(code for code in units if not data.occupations[code][f"title_{language}"].strip())
        assert not missing, f"unit groups without a {language} title: {missing}"
        preferred = {code for (code, lang, _norm), (_l, _s, pref) in data.labels.items() if lang == language and pref}
        assert preferred == units


def test_every_unit_group_has_several_alternative_labels_in_russian_and_kazakh(data, units):
    counts = defaultdict(int)
    for (code, language, _norm), (_label, _source, preferred) in data.labels.items():
        if not preferred:
            counts[(code, language)] += 1
    for language in ("ru", "kk"):
        thin = sorted(code for code in units if counts[(code, language)] < MIN_LABELS)
        assert not thin, f"unit groups with fewer than {MIN_LABELS} {language} labels: {thin}"


@pytest.mark.parametrize("name", LABEL_FILES + TITLE_FILES)
def test_every_row_names_an_existing_unit_group(units, name):
    column = "isco08" if name.startswith("labels_") else "code"
    wrong = [f"row {line}: {row[column]!r}" for line, row in _rows(name) if row[column] not in units]
    assert not wrong, f"{name}: not ISCO-08 unit groups: {wrong}"


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_no_label_leads_to_two_unit_groups_within_a_language(data, language):
    groups = defaultdict(set)
    for code, lang, norm in data.labels:
        if lang == language:
            groups[norm].add(code)
    shared = {norm: sorted(codes) for norm, codes in groups.items() if len(codes) > 1}
    allowed = {norm: sorted(codes) for (lang, norm), (codes, _why) in SHARED_LABELS.items() if lang == language}
    assert shared == allowed


@pytest.mark.parametrize("name", ["labels_ru.csv", "labels_kk.csv", "titles_kk.csv", "okz_title_repairs.csv"])
def test_a_row_appears_once_per_unit_group(name):
    column = "isco08" if name.startswith("labels_") else "code"
    text = "label" if name.startswith("labels_") else ("title_ru" if name == "okz_title_repairs.csv" else "title")
    seen, repeated = {}, []
    for line, row in _rows(name):
        key = (row[column], normalize(row[text]))
        if key in seen:
            repeated.append(f"rows {seen[key]} and {line}: {row[column]} {row[text]!r}")
        seen.setdefault(key, line)
    assert not repeated, f"{name}: {repeated}"


@pytest.mark.parametrize("name", ["labels_ru.csv", "labels_kk.csv", "titles_kk.csv", "okz_title_repairs.csv"])
def test_no_word_mixes_latin_and_cyrillic_letters(name):
    """A Latin 'c', 'o' or 'p' inside a Cyrillic word looks right and never matches what people type."""
    mixed = []
    for line, row in _rows(name):
        for cell in (row.get("label"), row.get("title"), row.get("title_ru")):
            for word in re.split(r"[\s\-/(),.«»\"]+", cell or ""):
                if re.search(r"[A-Za-z]", word) and re.search(r"[\u0400-\u04ff]", word):
                    mixed.append(f"row {line}: {word!r}")
    assert not mixed, f"{name}: {mixed}"


def test_russian_titles_are_whole(data, units):
    """No title is cut at a PDF line break or keeps a word split by the extract."""
    broken = []
    for code in sorted(units):
        title = data.occupations[code]["title_ru"]
        last = re.split(r"\s+", title.rstrip(" ,"))[-1].lower()
        if title.rstrip().endswith(",") or last in DANGLING or " -" in title or title.count("(") != title.count(")"):
            broken.append(f"{code}: {title}")
    assert not broken, broken


@pytest.mark.parametrize(("language", "label", "code"), ISSUE_EXAMPLES)
def test_the_issues_examples_are_labels_of_the_right_group(data, language, label, code):
    holders = sorted(c for c, lang, norm in data.labels if lang == language and norm == normalize(label))
    assert holders == [code]
