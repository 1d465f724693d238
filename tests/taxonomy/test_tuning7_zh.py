"""The seventh round's Chinese tuning file (issue 15) and the rule that round changed for Chinese.

sample_tuning7_zh.csv was written blind (from the ILO definitions, before reading the labels or the
search code) before the round changed anything; these tests keep it what it claims to be.
"""

from __future__ import annotations

import pytest

from gaps.taxonomy.text import QUALIFIER_WEIGHT, analyze, normalize


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
