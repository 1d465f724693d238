"""The seventh round's Chinese tuning file (issue 15) and the rule that round changed for Chinese.

sample_tuning7_zh.csv was written blind (from the ILO definitions, before reading the labels or the
search code) before the round changed anything; these tests keep it what it claims to be.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

import pytest

from gaps.taxonomy.text import QUALIFIER_WEIGHT, analyze, normalize

ROOT = Path(__file__).resolve().parents[2]
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _bench():
    spec = importlib.util.spec_from_file_location("search_accuracy", ROOT / "bench" / "search_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_seventh_chinese_tuning_file_covers_every_major_group_and_is_fresh():
    """At least 150 Chinese titles, all ten major groups, more than 60 % in major groups 5-9, none
    twice and none normalizing like a title of any other sample file (the hold-outs included)."""
    bench = _bench()
    rows = bench.read_sample("tuning7_zh")
    path = bench.PARTS["tuning7_zh"][0]
    assert len(rows) >= 150
    assert {r["language"] for r in rows} == {"zh"}
    assert all(_CJK.search(r["title"]) for r in rows)
    assert all(re.fullmatch(r"\d{4}", r["expected_isco"]) for r in rows)
    assert {r["expected_isco"][0] for r in rows} == set("0123456789")
    assert sum(r["expected_isco"][0] in "56789" for r in rows) > 0.6 * len(rows)
    titles = [normalize(r["title"]) for r in rows]
    assert len(set(titles)) == len(titles)
    other_files = {p for paths in bench.PARTS.values() for p in paths if p != path}
    assert len(other_files) >= 12  # the tuning files, the other seventh-round files and the hold-outs
    others = set()
    for other in other_files:
        with other.open(encoding="utf-8", newline="") as fh:
            others |= {normalize(r["title"]) for r in csv.DictReader(fh)}
    assert not others & set(titles)
    assert path in bench.PARTS["tuning"]


def test_a_chinese_place_before_a_head_word_is_not_a_qualifier():
    """宾馆总经理: the hotel is what is managed, so its characters weigh in full; in 小区保洁 the
    housing estate is where the cleaner works and weighs QUALIFIER_WEIGHT."""
    managed = analyze(normalize("宾馆总经理")).char_features
    assert managed["宾"] == managed["馆"] == 1.0
    assert analyze(normalize("酒店副总经理")).char_features["酒"] == 1.0
    cleaner = analyze(normalize("小区保洁")).char_features
    assert cleaner["小"] == cleaner["区"] == QUALIFIER_WEIGHT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("宾馆总经理", "1411"),  # hotel manager, not a managing director (1120, 总经理)
        ("餐厅总经理", "1412"),  # restaurant manager
        ("仓库总经理", "1324"),  # supply and distribution manager
    ],
)
def test_a_place_with_a_general_manager_ranks_the_places_manager_first(taxonomy, title, code):
    from gaps.search import search_occupations

    assert search_occupations(title, language="zh")[0].code == code
