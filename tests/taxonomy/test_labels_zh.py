"""The Chinese side of the taxonomy data: titles, alternative labels and the CN-2022 crosswalk.

Most of these read the data files (no database), so a bad row fails here with its file and row
named, before the loader or the search ever see it; the last one searches the loaded taxonomy.
"""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from gaps.taxonomy import loader
from gaps.taxonomy.loader import read_taxonomy
from gaps.taxonomy.text import normalize

# A normalized Chinese label may name two unit groups only where one CN-2022 occupation really
# spans both; each exception says why. Everything else that is ambiguous gets a qualifier instead.
SHARED_LABELS = {
    # 客运车辆驾驶员 drives cars/taxis (8322) as well as buses and coaches (8331); the crosswalk maps
    # it to both, each row dropping the other's aliases, so only the official name is shared.
    "客运车辆驾驶员": {"8322", "8331"},
}


def _read(name: str) -> list[tuple[int, dict]]:
    with (loader.DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(enumerate(csv.DictReader(fh), start=2))


def _unit_groups() -> set[str]:
    return {row["code"] for _line, row in _read("isco08.csv") if row["level"] == "4"}


# Everyday titles from the brief and issue 15 (officials type them as job ads write them), with
# the unit group each must reach: an exact label there, and the search ranks it first.
EVERYDAY_TITLES = [
    ("小学教师", "2341"),
    ("药剂师", "2262"),
    ("厨师", "5120"),
    ("面点师", "7512"),
    ("服务员", "5131"),
    ("收银员", "5230"),
    ("导购", "5223"),
    ("营业员", "5223"),
    ("护士", "2221"),
    ("客服", "4222"),
    ("话务员", "4222"),
    ("程序员", "2514"),  # a programmer writes code to a specification (ILO 2514), as программист in ru/kk
    ("会计", "2411"),
    ("出纳", "4311"),
    ("保安", "5414"),
    ("保洁员", "9112"),
    ("快递员", "9621"),
    ("焊工", "7212"),
    ("电工", "7411"),
    ("木工", "7115"),
    ("拖拉机手", "8341"),
]


@pytest.fixture(scope="module")
def data():
    return read_taxonomy()


def test_every_unit_group_has_a_chinese_title(data):
    units = _unit_groups()
    assert {code for code in units if not data.occupations[code]["title_zh"]} == set()
    assert len(units) == 436


@pytest.mark.parametrize(("title", "code"), EVERYDAY_TITLES)
def test_everyday_titles_are_labels_of_their_group(data, title, code):
    assert (code, "zh", normalize(title)) in data.labels


@pytest.mark.django_db
@pytest.mark.parametrize(("title", "code"), [*EVERYDAY_TITLES, ("收割机", "8341")])
def test_everyday_titles_rank_their_group_first(taxonomy, title, code):
    from gaps.search import search_occupations

    assert search_occupations(title)[0].code == code
    assert search_occupations(title, language="zh")[0].code == code


def test_every_row_of_the_chinese_files_names_a_unit_group():
    units = _unit_groups()
    bad = [
        f"{name} row {line}: {row[column]!r}"
        for name, column in (
            ("titles_zh.csv", "code"),
            ("labels_zh.csv", "isco08"),
            ("cn2022_isco08_crosswalk.csv", "isco08"),
        )
        for line, row in _read(name)
        if row[column] not in units
    ]
    assert not bad, "not ISCO-08 unit groups:\n" + "\n".join(bad)


def test_rows_are_written_here_and_wait_for_a_second_reviewer():
    """One person wrote these files; none may claim a review that has not happened."""
    for name in ("titles_zh.csv", "labels_zh.csv", "cn2022_isco08_crosswalk.csv"):
        for line, row in _read(name):
            assert row["review"] == "needs_second_reviewer", f"{name} row {line}"
            if name != "cn2022_isco08_crosswalk.csv":
                assert row["source"] == "TALENTGAP", f"{name} row {line}"
                assert normalize(row["title" if name == "titles_zh.csv" else "label"]), f"{name} row {line}"


def test_each_unit_group_has_one_chinese_title_at_most_and_labels_are_not_repeated():
    codes = [row["code"] for _line, row in _read("titles_zh.csv")]
    assert len(codes) == len(set(codes))
    seen: dict[tuple[str, str], int] = {}
    for line, row in _read("labels_zh.csv"):
        key = (row["isco08"], normalize(row["label"]))
        assert key not in seen, f"labels_zh.csv row {line} repeats row {seen[key]}"
        seen[key] = line


def test_crosswalk_rows_drop_only_aliases_the_occupation_has_and_say_how_sure_they_are():
    aliases = {row["cn_code"]: set(loader._split(row["aliases_zh"])) for _line, row in _read("cn2022.csv")}
    stale, pairs = [], defaultdict(list)
    for line, row in _read("cn2022_isco08_crosswalk.csv"):
        assert row["confidence"] in ("high", "medium", "low"), f"row {line}"
        pairs[(row["cn_code"], row["isco08"])].append(line)
        stale += [f"row {line}: {alias!r}" for alias in loader._split(row["drop_aliases"]) if alias not in aliases[row["cn_code"]]]
    assert not stale, "drop_aliases that are no alias of the row's occupation:\n" + "\n".join(stale)
    assert all(len(lines) == 1 for lines in pairs.values()), {k: v for k, v in pairs.items() if len(v) > 1}


def test_no_chinese_label_names_two_unit_groups(data):
    groups: dict[str, set[str]] = defaultdict(set)
    for (code, language, norm), _value in data.labels.items():
        if language == "zh":
            groups[norm].add(code)
    shared = {norm: codes for norm, codes in groups.items() if len(codes) > 1}

    assert shared == SHARED_LABELS, "\n".join(f"{norm}: {sorted(codes)}" for norm, codes in sorted(shared.items()))
