"""The `detail` sentences of flags and recommendations name things people know, in their language:
occupations, regions, programs and colleges by name before the code, dates in the reader's one
style, money with its currency and the CNY equivalent once, languages and certifications by name,
counts with their plurals (issue 14, point 1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from gaps.matching.flags import FlagKind, new_flag, prime_flag_names
from gaps.matching.recommendations import RecommendationKind, recommendation_detail
from gaps.models import Occupation, Region
from training.models import College, Program

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def names():
    Occupation.objects.create(code="8", level=1, title_en="8")
    Occupation.objects.create(code="83", level=2, title_en="83", parent_id="8")
    Occupation.objects.create(code="834", level=3, title_en="834", parent_id="83")
    Occupation.objects.create(
        code="8341", level=4, parent_id="834", title_en="Mobile farm and forestry plant operators",
        title_ru="Операторы сельскохозяйственных и лесохозяйственных машин", title_zh="农林移动机械操作员",
    )
    Region.objects.create(code="KZ-VOS", country="KZ", name_en="East Kazakhstan Region",
                          name_ru="Восточно-Казахстанская область", name_kk="Шығыс Қазақстан облысы", name_zh="东哈萨克斯坦州")
    college = College.objects.create(code="CN-GS-AVTC", name="Gansu Agricultural Vocational College", country="CN")
    Program.objects.create(college=college, code="FV-GRADE", title="Fruit and vegetable grading")


def timing(**extra):
    values = dict(
        kind=FlagKind.TIMING_MISMATCH.value, quarter="2026Q3", region_code="KZ-VOS", occupation_code="8341",
        college_code="CN-GS-AVTC", program_code="FV-GRADE", cohort_graduation_date=D(2026, 8, 15),
        headcount=40, covered=0, shortfall=40, count=1, surplus=30,
        context={"need_date": "2026-07-01", "latest_intake_date": "2026-02-10", "cohorts": 2, "seats": 30},
    )
    values.update(extra)
    return new_flag(**values)


def test_a_flag_names_the_occupation_region_and_program_before_their_codes(names):
    detail = timing().detail
    assert "Mobile farm and forestry plant operators (8341)" in detail
    assert "East Kazakhstan Region (KZ-VOS)" in detail
    assert "Fruit and vegetable grading (FV-GRADE) at Gansu Agricultural Vocational College" in detail
    assert "15 Aug 2026" in detail and "10 Feb 2026" in detail and "1 Jul 2026" in detail
    assert "2026-" not in detail
    assert "2 cohorts" in detail and "up to 1 worker " in detail  # plurals


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", ("Операторы сельскохозяйственных и лесохозяйственных машин (8341)", "Восточно-Казахстанская область (KZ-VOS)", "15 августа 2026")),
        ("zh-hans", ("农林移动机械操作员 (8341)", "东哈萨克斯坦州 (KZ-VOS)", "2026年8月15日")),
        # No Kazakh title: the Russian one (Kazakh readers read Russian before English).
        ("kk", ("Операторы сельскохозяйственных и лесохозяйственных машин (8341)", "Шығыс Қазақстан облысы (KZ-VOS)", "2026 ж.")),
    ],
)
def test_a_flag_reads_in_the_readers_language(names, language, expected):
    with translation.override(language):
        detail = timing().detail
    for part in expected:
        assert part in detail
    assert "graduates too late" not in detail  # translated, not the English sentence


def test_russian_plurals_of_workers(names):
    with translation.override("ru"):
        texts = {n: new_flag(kind=FlagKind.UNMET_DEMAND.value, quarter="2026Q3", region_code="KZ-VOS",
                             occupation_code="8341", headcount=n, covered=0, shortfall=n, count=n,
                             context={"need_date": "2026-07-01"}).detail for n in (1, 3, 5)}
    assert "1 работник " in texts[1] and "3 работника " in texts[3] and "5 работников " in texts[5]


def test_language_and_certification_gaps_name_them(names):
    lang = timing(kind=FlagKind.LANGUAGE_GAP.value, context={"languages": ["ru", "kk"]}).detail
    assert "Russian or Kazakh" in lang and "languages ru" not in lang
    cert = timing(kind=FlagKind.CERTIFICATION_GAP.value, context={"certification": "KZ"}).detail
    assert "Kazakhstan's national skill assessment (KZ)" in cert


def test_oversupply_and_misdirected_supply_count_seats(names):
    over = timing(kind=FlagKind.OVERSUPPLY.value, surplus=1, context={"seats": 1}).detail
    assert over.startswith("1 of the 1 seat of Fruit and vegetable grading (FV-GRADE)")
    mis = timing(kind=FlagKind.MISDIRECTED_SUPPLY.value, occupation_code="8341", target_occupation_code="8341",
                 surplus=12, count=1).detail
    assert "leaves 12 seats unused" in mis and "retool up to 1 seat " in mis


def recommendation(**extra):
    values = dict(
        kind=RecommendationKind.RESCHEDULE.value, college_code="CN-GS-AVTC", program_code="FV-GRADE",
        region_code="KZ-VOS", occupation_code="8341", from_occupation_code=None, headcount=25,
        need_date=D(2026, 7, 1), latest_intake_date=D(2026, 2, 10), salary_min=Decimal("350000.00"),
        salary_max=Decimal("500000.00"), currency="KZT", salary_min_cny=Decimal("4900.00"),
        salary_max_cny=Decimal("7000.00"),
    )
    values.update(extra)
    return values


def test_a_recommendation_formats_its_money_once_with_the_cny_equivalent(names):
    detail = recommendation_detail(recommendation(), today=D(2026, 1, 20))
    assert "350,000–500,000\u00a0KZT a month (≈ 4,900–7,000\u00a0CNY)" in detail
    assert "350000.00" not in detail and detail.count("CNY") == 1
    assert "Take the intake by 10 Feb 2026." in detail and "25 workers" in detail
    with translation.override("ru"):
        ru = recommendation_detail(recommendation(), today=D(2026, 1, 20))
    assert "350\u00a0000–500\u00a0000\u00a0KZT" in ru and "10 февраля 2026" in ru
    cny = recommendation_detail(recommendation(kind=RecommendationKind.OPEN.value, program_code=None, currency="CNY",
                                               salary_min=Decimal(6000), salary_max=Decimal(8000), latest_intake_date=None))
    assert "6,000–8,000\u00a0CNY a month." in cny and "≈" not in cny and "intake" not in cny


def test_a_recommendation_read_after_its_intake_closed_says_so_instead_of_asking_for_it(names):
    """The detail is rendered when it is read; a college reading it after the last intake day must
    not be told to take the intake by a day that has passed."""
    on_the_day = recommendation_detail(recommendation(), today=D(2026, 2, 10))
    assert "Take the intake by 10 Feb 2026." in on_the_day and "closed" not in on_the_day
    after = recommendation_detail(recommendation(), today=D(2026, 2, 11))
    assert "The intake closed on 10 Feb 2026." in after and "Take the intake" not in after
    stored = recommendation_detail(recommendation(latest_intake_date="2026-02-10"), today=D(2026, 12, 4))
    assert "The intake closed on 10 Feb 2026." in stored
    with translation.override("zh-hans"):
        zh = recommendation_detail(recommendation(), today=D(2026, 2, 11))
    assert "招生已于 2026年2月10日 截止。" in zh
    with translation.override("ru"):
        ru = recommendation_detail(recommendation(), today=D(2026, 2, 11))
    assert "Набор закрылся 10 февраля 2026" in ru and "Проведите набор" not in ru


def test_a_page_of_flags_reads_its_program_titles_in_one_query(names):
    college = College.objects.get()
    for i in range(30):
        Program.objects.create(college=college, code=f"P{i}", title=f"Program {i}")
    flags = [timing(program_code=f"P{i}") for i in range(30)]
    timing().detail  # regions, occupations and colleges are loaded whole, once
    with CaptureQueriesContext(connection) as queries:
        prime_flag_names(flags)
        details = [f.detail for f in flags]
    assert len(queries) == 1
    assert all(f"Program {i} (P{i})" in details[i] for i in range(30))


@pytest.mark.parametrize(("language", "stop"), [("ru", "г."), ("kk", "ж.")])
def test_a_date_that_ends_a_sentence_ends_it_with_one_full_stop(names, language, stop):
    """The ru and kk date styles end in an abbreviation ("1 июля 2026 г.", "1 шіл. 2026 ж."): a sentence
    ending in one read "… 2026 г.. Проведите набор до 10 февраля 2026 г.. Зарплата …"."""
    with translation.override(language):
        rec = recommendation_detail(recommendation(kind=RecommendationKind.OPEN.value, program_code=None))
        flag = timing().detail
    for sentence in (rec, flag):
        assert f"2026 {stop}" in sentence
        assert f"{stop}." not in sentence.replace("...", "")


def test_tidy_sentence_keeps_an_ellipsis_and_single_stops():
    from core.text import tidy_sentence

    assert tidy_sentence("до 1 июля 2026 г.. Зарплата.") == "до 1 июля 2026 г. Зарплата."
    assert tidy_sentence("и ещё... три.") == "и ещё... три."
    assert tidy_sentence("Done.") == "Done."
    # Chinese sentences joined with a space: the full-width stop carries its own.
    assert tidy_sentence("需要 80 名工人。 招生已于 2026年1月9日 截止。 工资：每月 5,000 CNY。") == (
        "需要 80 名工人。招生已于 2026年1月9日 截止。工资：每月 5,000 CNY。")
    assert tidy_sentence("Needs 80 workers. Salary: 5,000 CNY.") == "Needs 80 workers. Salary: 5,000 CNY."
