"""The rules the eighth round's Chinese tuning file (sample_tuning8_zh.csv, issue 15) changed.

The head of a Chinese title is at its end: a title that does the work must not be pulled to the
manager of the place it names (公交公司驾驶员 is no 公交公司经理), and a place named after a word that
says which one (县医院, 百货商场, 学校食堂) is a qualifier as it is at the start (小区保洁).
"""

from __future__ import annotations

import pytest

from gaps.taxonomy.text import QUALIFIER_WEIGHT, analyze, cjk_heads_something, normalize


@pytest.mark.parametrize(
    ("title", "heads"),
    [
        ("公交公司经理", True),
        ("养老院院长", True),
        ("面粉厂生产厂长", True),
        ("食品厂生产线领班", True),
        ("酒店总经理（四星级）", True),  # the qualifier in brackets says which one, not who
        ("公交公司驾驶员", False),
        ("养老院厨师", False),
        ("县医院护工（男）", False),
        ("船长", False),  # a rank, not the head of an establishment
        ("装甲连上士班长", False),  # a squad leader is a non-commissioned officer
        ("厨师长", False),
    ],
)
def test_a_chinese_title_heads_something_by_its_last_characters(title, heads):
    assert cjk_heads_something(analyze(normalize(title))) is heads


def test_a_title_in_another_script_has_no_chinese_head():
    assert cjk_heads_something(analyze(normalize("bus company manager"))) is None


def test_a_place_after_the_word_that_says_which_one_is_a_qualifier():
    """县医院护工: the county hospital is where the care assistant works; 化工厂工艺工程师 names the
    trade (化工) and keeps it whole, though 工厂 is in it; before a head word the place is what is
    managed (县医院院长)."""
    assistant = analyze(normalize("县医院护工")).char_features
    assert assistant["医"] == assistant["院"] == QUALIFIER_WEIGHT
    assert assistant["护"] == 1.0
    assert analyze(normalize("化工厂工艺工程师")).char_features["化"] == 1.0
    assert analyze(normalize("县医院院长")).char_features["医"] == 1.0
    canteen = analyze(normalize("学校食堂大厨")).char_features
    assert canteen["食"] == canteen["堂"] == QUALIFIER_WEIGHT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("福利院厨师", "5120"),  # a cook at a welfare home, not its director (1344)
        ("托儿所厨师", "5120"),  # not the nursery's head (1341) or its child care worker
        ("快递公司叉车司机", "8344"),  # not the courier company's manager (1324)
        ("百货商场收银员", "5230"),  # not the department store's manager (1420)
        ("幼儿园保安", "5414"),  # not the kindergarten's teacher or head
        ("养老院院长", "1343"),  # the head of the home stays its manager
    ],
)
def test_a_worker_at_a_named_place_ranks_the_work_first(taxonomy, title, code):
    from gaps.search import search_occupations

    assert search_occupations(title, language="zh")[0].code == code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("种甜菜的", "6111"),
        ("辣椒种植户", "6111"),
        ("香梨种植户", "6112"),
        ("养鹌鹑的", "6122"),
        ("水貂养殖户", "6129"),
        ("卖凉皮的", "5212"),
        ("食堂炊事员", "5120"),
        ("口岸查验员", "3351"),
        ("婚庆策划师", "3332"),  # ILO: wedding planner is a conference and event planner
    ],
)
def test_the_eighth_round_label_families(taxonomy, title, code):
    from gaps.search import search_occupations

    assert search_occupations(title, language="zh")[0].code == code
