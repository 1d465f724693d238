"""The English alternative labels (labels_en.csv) cover every ISCO-08 unit group, cleanly.

Most of these read the data files as the loader does (`read_taxonomy`), so they need no database:
a unit group without written English titles, a label under a code that is not a unit group, or one
typed title that would lead to two unit groups fails here with the rows named. ESCO's 31,868
synonyms are left out of the uniqueness check (they stray into neighbouring groups; the search
counts them less); the ILO's titles and examples and the labels written here are not.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict

import pytest

from gaps.models.taxonomy import LabelSource
from gaps.taxonomy import loader
from gaps.taxonomy.loader import read_taxonomy
from gaps.taxonomy.text import normalize

# At least this many written English labels for every unit group (the ILO title not counted).
MIN_LABELS = 3
# A normalized ILO or written English label that stands for two unit groups, with the reason.
SHARED_LABELS = {
    # The ILO lists "Illustrator" under both 2166 graphic designers and 2651 visual artists.
    "illustrator": {"2166", "2651"},
}
# Everyday English titles (issue 15 and the job ads officials copy from), with the unit group the
# ILO definition puts them in: each is a written or ILO label of that group.
EVERYDAY_TITLES = [
    ("shop assistant", "5223"),
    ("salesperson", "5223"),
    ("sales assistant", "5223"),
    ("cashier", "5230"),
    ("cook", "5120"),
    ("chef", "3434"),
    ("waiter", "5131"),
    ("waitress", "5131"),
    ("nurse", "2221"),
    ("teacher", "2330"),
    ("primary school teacher", "2341"),
    ("kindergarten teacher", "2342"),
    ("driver", "8322"),
    ("taxi driver", "8322"),
    ("truck driver", "8332"),
    ("lorry driver", "8332"),
    ("HGV driver", "8332"),
    ("bus driver", "8331"),
    ("welder", "7212"),
    ("electrician", "7411"),
    ("plumber", "7126"),
    ("carpenter", "7115"),
    ("joiner", "7115"),
    ("bricklayer", "7112"),
    ("tractor driver", "8341"),
    ("combine operator", "8341"),
    ("harvester operator", "8341"),
    ("receptionist", "4226"),
    ("hotel receptionist", "4224"),
    ("call centre operator", "4222"),
    ("call center operator", "4222"),
    ("telemarketer", "5244"),
    ("programmer", "2514"),
    ("software developer", "2512"),
    ("web developer", "2513"),
    ("IT support", "3512"),
    ("QA", "2519"),
    ("pharmacist", "2262"),
    ("pharmacy technician", "3213"),
    ("social worker", "2635"),
    ("cleaner", "9112"),
    ("security guard", "5414"),
    ("accountant", "2411"),
    ("bookkeeper", "3313"),
    ("baker", "7512"),
    ("butcher", "7511"),
    ("hairdresser", "5141"),
    ("car mechanic", "7231"),
    ("forklift driver", "8344"),
    ("excavator operator", "8342"),
    ("crane operator", "8343"),
    ("sewing machine operator", "8153"),
    ("tailor", "7531"),
    ("postman", "4412"),
    ("courier", "9621"),
    ("storekeeper", "4321"),
    ("loader", "9333"),
    ("construction labourer", "9313"),
    ("kitchen helper", "9412"),
    ("farmer", "6130"),
    ("shepherd", "6121"),
    ("beekeeper", "6123"),
    ("fruit sorter", "7515"),
]


@pytest.fixture(scope="module")
def data():
    return read_taxonomy()


@pytest.fixture(scope="module")
def units(data):
    return {code for code, values in data.occupations.items() if values["level"] == 4}


def _rows():
    with (loader.DATA_DIR / "labels_en.csv").open(encoding="utf-8", newline="") as fh:
        return list(enumerate(csv.DictReader(fh), start=2))


def _ilo_and_written() -> dict[str, set[str]]:
    """Normalized ILO titles and examples and written English labels -> the unit groups they name."""
    groups: dict[str, set[str]] = defaultdict(set)
    with (loader.DATA_DIR / "isco08.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["level"] == "4":
                for title in [row["title_en"], *row["examples_en"].split("|")]:
                    if title.strip():
                        groups[normalize(title)].add(row["code"])
    for _line, row in _rows():
        groups[normalize(row["label"])].add(row["isco08"])
    return groups


def test_every_unit_group_has_several_written_english_labels(units):
    counts = defaultdict(int)
    for _line, row in _rows():
        counts[row["isco08"]] += 1
    assert len(units) == 436
    thin = sorted(code for code in units if counts[code] < MIN_LABELS)
    assert not thin, f"unit groups with fewer than {MIN_LABELS} written English labels: {thin}"


def test_every_row_names_a_unit_group_is_written_here_and_waits_for_a_second_reviewer(units):
    wrong = [
        f"row {line}: {row['isco08']} {row['label']!r}"
        for line, row in _rows()
        if row["isco08"] not in units or row["source"] != "TALENTGAP" or row["review"] != "needs_second_reviewer"
    ]
    assert not wrong, wrong


def test_a_row_appears_once_per_unit_group():
    seen, repeated = {}, []
    for line, row in _rows():
        key = (row["isco08"], normalize(row["label"]))
        if key in seen:
            repeated.append(f"rows {seen[key]} and {line}: {row['isco08']} {row['label']!r}")
        seen.setdefault(key, line)
    assert not repeated, repeated


def test_no_english_label_leads_to_two_unit_groups():
    shared = {norm: codes for norm, codes in _ilo_and_written().items() if len(codes) > 1}
    assert shared == SHARED_LABELS


def test_a_qualifier_in_brackets_never_hides_another_groups_title():
    """The search also reads "chemist (pharmacy)" as "chemist": that must not be another group's label."""
    groups = _ilo_and_written()
    hidden = []
    for line, row in _rows():
        if "(" in row["label"]:
            base = normalize(re.sub(r"\([^()]*\)", " ", row["label"]))
            others = groups.get(base, set()) - {row["isco08"]}
            if others:
                hidden.append(f"row {line}: {row['label']!r} ({row['isco08']}) reads as a label of {sorted(others)}")
    assert not hidden, hidden


@pytest.mark.parametrize(("title", "code"), EVERYDAY_TITLES)
def test_everyday_titles_are_labels_of_their_group(data, title, code):
    assert (code, "en", normalize(title)) in data.labels, f"{title!r} is no English label of {code}"


def test_a_written_label_keeps_its_source_where_esco_has_the_same_wording(data):
    # ESCO's preferred label of 2263.3 is "health and safety officer" too; the written row is read first.
    assert data.labels[("2263", "en", "health and safety officer")][1] == LabelSource.TALENTGAP
    written = {(row["isco08"], normalize(row["label"])) for _line, row in _rows()}
    ilo = {(code, norm) for (code, lang, norm), (_l, source, _p) in data.labels.items() if lang == "en" and source == "ILO"}
    sources = {data.labels[(code, "en", norm)][1] for code, norm in written - ilo}
    assert sources == {LabelSource.TALENTGAP}


@pytest.mark.django_db
@pytest.mark.parametrize(("title", "code"), EVERYDAY_TITLES)
def test_everyday_titles_rank_their_group_first(taxonomy, title, code):
    from gaps.search import code_title, search_occupations

    assert search_occupations(title)[0].code == code
    assert search_occupations(title.upper(), language="en")[0].code == code
    # Coded at the default threshold (0.97): a one-word title that a neighbouring group labels in a
    # qualified form ("nurse" 2221, "junior nurse" 3221) is an exact written label of one group, which
    # gets gaps.search.EXACT_UNIQUE_CONFIDENCE.
    assert code_title(title)[0] == code
