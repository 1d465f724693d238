"""The ninth round of issue 15, Chinese: one tuning file written blind (from isco08.csv and the ILO
definitions, before its writer read the labels, the search code or any other sample file's titles), aimed at
Chinese compounds as officials and job ads write them (a place, employer, workshop, product or grade before
the head), and committed before the round's changes. The rules its misses changed are tested below."""

from __future__ import annotations

import pytest

from gaps.taxonomy.text import analyze, normalize


# The rules the file's misses changed (gaps/taxonomy/text.py): the head of a Chinese compound carries the
# unit group; traditional characters, variant spellings, certificate notes, border-region place names and
# the workplace before a trade's own title do not.


def words(title: str) -> list[str]:
    return analyze(normalize(title)).words


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("廚師", ["厨师"]),  # traditional characters are read as simplified
        ("貨車司機", ["货车司机"]),
        ("電工（持证上岗）", ["电工"]),  # a certificate note in brackets is dropped
        ("持证电工", ["电工"]),  # and before the title, like a grade
        ("保安 男", ["保安"]),
        ("砼工（工地）", ["混凝土工"]),  # 砼 is 混凝土; a bare place after the title is dropped
        ("收营员", ["收银员"]),  # the cashier typed by sound
        ("装缷工", ["装卸工"]),  # 缷, a variant of 卸
        ("霍城县钢筋工", ["钢筋工"]),  # a place of the border region with its 县
        ("阿拉山口厨师", ["厨师"]),
        ("棉纺厂电工", ["电工"]),  # a workplace before a trade's own title
        ("钢结构厂电焊工", ["电焊工"]),
        ("煤矿井下电工", ["电工"]),
        ("加油站收银员", ["收银员"]),
    ],
)
def test_a_chinese_compound_is_read_by_its_head(title, expected):
    assert words(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("公交公司司机", ["公交公司司机"]),  # the employer says which driver (a bus driver)
        ("化工厂操作工", ["化工厂操作工"]),  # the plant says which operator
        ("家具厂木工", ["家具厂木工"]),  # a furniture maker (7522), not a carpenter
        ("加油站服务员", ["加油站服务员"]),  # a service station attendant (5245)
        ("银行营业员", ["银行营业员"]),
        ("汽车电工", ["汽车电工"]),  # no workplace: an automotive electrician (7412)
        ("县医院护工", ["县医院护工"]),  # the hospital stays a weighted place (eighth round)
        ("喀什", ["喀什"]),  # a place name alone stays
        ("持证", ["持证"]),  # a note alone stays
        ("英语老师 男", ["英语老师"]),
    ],
)
def test_what_the_compound_rules_leave_alone(title, expected):
    assert words(title) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("廚師", "5120"),
        ("貨車司機", "8332"),
        ("電工（持证上岗）", "7411"),
        ("收銀員", "5230"),
        ("阿拉山口厨师", "5120"),
        ("霍尔果斯装卸工", "9333"),
        ("棉纺厂电工", "7411"),
        ("钢结构厂电焊工", "7212"),
        ("煤矿井下电工", "7411"),
        ("伊宁市挖掘机司机", "8342"),
        ("砼工", "7114"),
        ("收营员", "5230"),
    ],
)
def test_the_compound_rules_find_the_head_s_unit_group(taxonomy, title, code):
    from gaps.search import search_occupations

    assert search_occupations(title, language="zh")[0].code == code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("化工厂操作工", "8131"),
        ("家具厂木工", "7522"),
        ("加油站服务员", "5245"),
        ("农机驾驶员", "8341"),  # the qualifier that decides the group still does
    ],
)
def test_where_the_qualifier_decides_the_unit_group_it_still_does(taxonomy, title, code):
    from gaps.search import search_occupations

    assert search_occupations(title, language="zh")[0].code == code
