"""core.text: what people read, in the four languages of the pages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from core import text
from gaps.models import Occupation, Region
from training.models import College, Program

LANGUAGES = ["en", "zh-hans", "ru", "kk"]
AUG_15 = dt.date(2026, 8, 15)


# --- Dates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "15 Aug 2026"), ("ru", "15 августа 2026 г."), ("kk", "15 там. 2026 ж."), ("zh-hans", "2026年8月15日")],
)
def test_a_date_has_one_unambiguous_style_per_language(language, expected):
    assert text.format_date(AUG_15, language=language) == expected


def test_kazakh_january_is_abbreviated_as_kazakh_writes_it():
    # Django's own catalogue says "қан" (another word); the project's catalogue fixes it.
    assert text.format_date(dt.date(2027, 1, 5), language="kk") == "5 қаң. 2027 ж."


@settings(max_examples=60, deadline=None)
@given(day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)), language=st.sampled_from(LANGUAGES))
def test_format_date_prints_what_the_date_filter_prints(day, language):
    template = Template('{{ d|date }}|{{ d|date:"SHORT_DATE_FORMAT" }}|{{ d|date:"DATE_FORMAT" }}')
    with translation.override(language):
        rendered = template.render(Context({"d": day}))
    assert rendered.split("|") == [text.format_date(day, language=language)] * 3
    # Never a bare ISO date nor a US month/day.
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}", rendered)


@pytest.mark.parametrize("language", LANGUAGES)
def test_datetimes_carry_a_24_hour_time_and_the_time_zone(language):
    moment = timezone.make_aware(dt.datetime(2026, 8, 15, 17, 5), dt.timezone.utc)
    shown = text.format_datetime(moment, language=language)
    assert shown.startswith(text.format_date(AUG_15, language=language))
    assert shown.endswith("17:05 UTC")
    with translation.override(language):
        assert Template("{{ m|date:'SHORT_DATETIME_FORMAT' }}").render(Context({"m": moment})) == shown


@pytest.mark.parametrize(
    ("language", "late", "today", "left"),
    [
        ("en", "2 days late", "today", ["1 day left", "2 days left", "5 days left", "21 days left"]),
        ("ru", "опоздание на 2 дня", "сегодня", ["остался 1 день", "осталось 2 дня", "осталось 5 дней", "остался 21 день"]),
        ("kk", "2 күн кешікті", "бүгін", ["1 күн қалды", "2 күн қалды", "5 күн қалды", "21 күн қалды"]),
        ("zh-hans", "已晚 2 天", "今天", ["还剩 1 天", "还剩 2 天", "还剩 5 天", "还剩 21 天"]),
    ],
)
def test_days_left_with_the_plurals_of_each_language(language, late, today, left):
    now = dt.date(2026, 12, 3)
    assert text.format_days_left(dt.date(2026, 12, 1), today=now, language=language) == late
    assert text.format_days_left(now, today=now, language=language) == today
    shown = [text.format_days_left(now + dt.timedelta(days=n), today=now, language=language) for n in (1, 2, 5, 21)]
    assert shown == left


@pytest.mark.parametrize(
    ("language", "ahead", "missed"),
    [
        ("en", "act by 18 Dec 2026 (15 days left)", "too late: the last day was 2 Dec 2026"),
        ("ru", "действовать до 18 декабря 2026 г. (осталось 15 дней)", "слишком поздно: последний день был 2 декабря 2026 г."),
        ("kk", "18 жел. 2026 ж. дейін әрекет ету керек (15 күн қалды)", "тым кеш: соңғы күн 2 жел. 2026 ж. болды"),
        ("zh-hans", "请在2026年12月18日前行动（还剩 15 天）", "为时已晚：最后期限是2026年12月2日"),
    ],
)
def test_act_by_names_the_date_and_says_plainly_when_it_is_too_late(language, ahead, missed):
    today = dt.date(2026, 12, 3)
    assert text.format_act_by(dt.date(2026, 12, 18), today=today, language=language) == ahead
    assert text.format_act_by(dt.date(2026, 12, 2), today=today, language=language) == missed


def test_date_ranges_and_quarters():
    assert text.format_date_range(AUG_15, dt.date(2026, 10, 15), language="en") == "15 Aug 2026 – 15 Oct 2026"
    assert text.format_date_range(AUG_15, None, language="ru") == "с 15 августа 2026 г."
    assert text.format_date_range(None, None) == ""
    assert text.quarter_name("2026Q3", language="en") == "Q3 2026"
    assert text.quarter_name("2026Q3", language="ru") == "3-й квартал 2026 г."
    assert text.quarter_name("2026Q3", language="zh-hans") == "2026年第3季度"
    assert text.quarter_name("2026Q3", language="kk") == "2026 ж. 3-тоқсан"
    assert text.format_month(dt.date(2026, 5, 1), language="ru") == "май 2026"
    assert text.format_month(dt.date(2026, 8, 1), language="kk") == "там. 2026"


# --- Money, numbers, percentages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "whole", "cents"),
    [
        ("en", "350,000 KZT", "1,234.50 USD"),
        ("zh-hans", "350,000 KZT", "1,234.50 USD"),
        ("ru", "350 000 KZT", "1 234,50 USD"),
        ("kk", "350 000 KZT", "1 234,50 USD"),
    ],
)
def test_money_is_grouped_as_the_reader_groups_and_names_its_currency(language, whole, cents):
    nbsp = lambda s: s.replace(" ", "\u00a0")  # noqa: E731
    assert text.format_money(Decimal("350000.00"), "KZT", language=language) == nbsp(whole)
    assert text.format_money(Decimal("1234.5"), "USD", language=language) == nbsp(cents)
    assert text.format_money(None, "KZT") == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "350,000–500,000 KZT a month (≈ 4,900–7,000 CNY)"),
        ("ru", "350 000–500 000 KZT в месяц (≈ 4 900–7 000 CNY)"),
        ("kk", "айына 350 000–500 000 KZT (≈ 4 900–7 000 CNY)"),
        ("zh-hans", "每月 350,000–500,000 KZT（约 4,900–7,000 CNY）"),
    ],
)
def test_a_salary_range_gives_its_cny_equivalent_once(language, expected):
    shown = text.format_salary_range(
        Decimal("350000.00"), Decimal("500000.00"), "KZT", cny_min=Decimal("4900.00"), cny_max=Decimal("7000.00"),
        language=language,
    )
    assert shown.replace("\u00a0", " ") == expected


def test_a_cny_salary_is_not_converted_to_itself():
    shown = text.format_salary_range(Decimal("7000"), Decimal("9500"), "CNY", cny_min=Decimal("7000"),
                                     cny_max=Decimal("9500"), language="en")
    assert shown.replace("\u00a0", " ") == "7,000–9,500 CNY a month"
    assert shown.count("CNY") == 1
    assert text.format_salary_range(Decimal("5000"), Decimal("5000"), "CNY", language="en") == "5,000\u00a0CNY a month"


@pytest.mark.parametrize(("fraction", "expected"), [(0.125, "13%"), (0.135, "14%"), (0.8125, "81%"), (1, "100%"), (0, "0%")])
def test_percentages_round_half_up(fraction, expected):
    # One rule (half up, never banker's rounding to even: 12.5 -> 13, 13.5 -> 14).
    assert text.format_percent(fraction, language="en") == expected


def test_percent_styles_and_signs():
    assert text.format_percent(Decimal("0.8125"), language="ru") == "81\u00a0%"
    assert text.format_percent_value(Decimal("12.25"), digits=1, signed=True, language="en") == "+12.3%"
    assert text.format_percent_value(Decimal("-3.05"), digits=1, signed=True, language="kk") == "\u22123,1\u00a0%"
    assert text.format_percent(None) == ""


@settings(max_examples=200, deadline=None)
@given(value=st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False), digits=st.integers(0, 2),
       language=st.sampled_from(LANGUAGES))
def test_a_formatted_number_reads_back_as_the_rounded_value(value, digits, language):
    shown = text.format_number(value, digits, language=language)
    decimal_mark = "," if language in ("ru", "kk") else "."
    digits_only = shown.replace("\u00a0", "").replace(",", "") if decimal_mark == "," else shown.replace(",", "")
    if decimal_mark == ",":
        digits_only = shown.replace("\u00a0", "").replace(",", ".")
    assert Decimal(digits_only) == text.round_half_up(value, digits)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["1 day left", "1,000 days left"]),
        ("ru", ["остался 1 день", "осталось 1\u00a0000 дней"]),
        ("kk", ["1 күн қалды", "1\u00a0000 күн қалды"]),
        ("zh-hans", ["还剩 1 天", "还剩 1,000 天"]),
    ],
)
def test_format_count_groups_the_number_and_picks_the_plural(language, expected):
    shown = [text.format_count(n, "%(n)s day left", "%(n)s days left", language=language) for n in (1, 1000)]
    assert shown == expected


# --- Languages and certifications -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "phrase", "three", "both", "kz"),
    [
        ("en", "Russian or Kazakh", "Russian, Kazakh or Chinese", "Chinese and Russian", "Kazakhstan's national skill assessment"),
        ("ru", "русский или казахский", "русский, казахский или китайский", "китайский и русский", "национальная оценка квалификации Казахстана"),
        ("kk", "орыс тілі немесе қазақ тілі", "орыс тілі, қазақ тілі немесе қытай тілі", "қытай тілі және орыс тілі", "Қазақстанның ұлттық біліктілікті бағалауы"),
        ("zh-hans", "俄语或哈萨克语", "俄语、哈萨克语或汉语", "汉语和俄语", "哈萨克斯坦国家职业技能评定"),
    ],
)
def test_languages_and_certifications_by_name(language, phrase, three, both, kz):
    assert text.languages_phrase(["ru", "kk"], language=language) == phrase
    assert text.languages_phrase(["ru", "kk", "zh", "ru"], language=language) == three
    assert text.languages_phrase(["zh", "ru"], conjunction="and", language=language) == both
    assert text.certification_name("KZ", language=language) == kz
    assert text.certification_name("XX-UNKNOWN", language=language) == "XX-UNKNOWN"
    assert text.language_name("xx", language=language) == "xx"


# --- Names before codes --------------------------------------------------------------------------------


@pytest.fixture
def named(db):
    Occupation.objects.create(code="8", level=1, title_en="Plant and machine operators")
    Occupation.objects.create(
        code="8341", level=4, parent_id="8", title_en="Mobile farm and forestry plant operators",
        title_ru="Операторы сельскохозяйственных машин", title_zh="农业和林业移动设备操作员",
        title_kk="Ауыл шаруашылығы машиналарының операторлары",
    )
    Occupation.objects.create(code="5113", level=4, parent_id="8", title_en="Travel guides", title_ru="Гиды")
    Occupation.objects.create(code="9999", level=4, parent_id="8", title_en="Only English")
    Region.objects.create(code="KZ-VOS", country="KZ", name_en="East Kazakhstan Region", name_ru="Восточно-Казахстанская область",
                          name_zh="东哈萨克斯坦州", name_kk="Шығыс Қазақстан облысы")
    college = College.objects.create(code="CN-GS-AVTC", name="Gansu Agricultural Vocational Training Centre", country="CN")
    Program.objects.create(college=college, code="FV-GRADE", title="Fruit and vegetable grading", languages=["zh"])


@pytest.mark.parametrize(
    ("language", "operators", "guides", "region"),
    [
        ("en", "Mobile farm and forestry plant operators", "Travel guides", "East Kazakhstan Region"),
        ("ru", "Операторы сельскохозяйственных машин", "Гиды", "Восточно-Казахстанская область"),
        ("kk", "Ауыл шаруашылығы машиналарының операторлары", "Гиды", "Шығыс Қазақстан облысы"),
        ("zh-hans", "农业和林业移动设备操作员", "Travel guides", "东哈萨克斯坦州"),
    ],
)
def test_names_in_the_readers_language_with_the_fallback(named, language, operators, guides, region):
    assert text.occupation_name("8341", language=language) == operators
    assert text.occupation_label("8341", language=language) == f"{operators} (8341)"
    # No Kazakh title: Russian (which Kazakh readers read), else English; marked as a fallback.
    assert text.occupation_name("5113", language=language) == guides
    fallback = text.occupation("5113", language=language).fallback_language
    assert fallback == {"en": None, "ru": None, "kk": "ru", "zh-hans": "en"}[language]
    assert text.region_name("KZ-VOS", language=language) == region
    assert text.region_label("KZ-VOS", language=language) == f"{region} (KZ-VOS)"


def test_unknown_codes_show_the_code(named):
    assert text.occupation_name("0000") == "0000"
    assert text.occupation_label("0000") == "0000"
    assert text.region_label("XX") == "XX"
    assert text.program_title("CN-GS-AVTC", "NOPE") == "CN-GS-AVTC/NOPE"
    assert text.occupation_name(None) == ""


def test_colleges_and_programs_by_name(named):
    assert text.college_label("CN-GS-AVTC") == "Gansu Agricultural Vocational Training Centre (CN-GS-AVTC)"
    assert text.program_label("CN-GS-AVTC", "FV-GRADE") == "Fruit and vegetable grading (CN-GS-AVTC/FV-GRADE)"


def test_a_page_of_names_costs_one_query_per_kind(named):
    codes = ["8341", "5113", "9999"] * 1000
    with CaptureQueriesContext(connection) as queries:
        names = [text.occupation_label(code) for code in codes]
        text.prime_names("program", [("CN-GS-AVTC", "FV-GRADE"), ("CN-GS-AVTC", "OTHER")])
        titles = [text.program_title("CN-GS-AVTC", "FV-GRADE") for _ in range(100)]
        titles += [text.program_title("CN-GS-AVTC", "OTHER") for _ in range(100)]  # remembered as missing
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert names[0] == "Mobile farm and forestry plant operators (8341)"
    assert titles[0] == "Fruit and vegetable grading" and titles[-1] == "CN-GS-AVTC/OTHER"


def test_a_saved_name_is_seen_at_once(named):
    assert text.region_name("KZ-VOS", language="en") == "East Kazakhstan Region"
    assert text.program_title("CN-GS-AVTC", "FV-GRADE") == "Fruit and vegetable grading"
    Program.objects.filter(code="FV-GRADE").update(title="Changed by a bulk update")  # no signal
    assert text.program_title("CN-GS-AVTC", "FV-GRADE") == "Fruit and vegetable grading"  # cached...
    region = Region.objects.get(code="KZ-VOS")
    region.name_en = "East Kazakhstan"
    region.save()  # ...until a save says that names changed
    assert text.region_name("KZ-VOS", language="en") == "East Kazakhstan"
    assert text.program_title("CN-GS-AVTC", "FV-GRADE") == "Changed by a bulk update"
    Program.objects.filter(code="FV-GRADE").update(title="Again")
    text.names_changed()  # what a bulk writer calls
    assert text.program_title("CN-GS-AVTC", "FV-GRADE") == "Again"


# --- Template filters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_template_filters_print_what_core_text_prints(named, language):
    template = Template(
        "{% load tg_text %}{{ d|fdate }}|{{ a|money:'KZT' }}|{{ r|percent }}|{{ langs|languages }}|"
        "{{ 'KZ'|certification }}|{{ '8341'|occupation_label }}|{% salary_range lo hi 'KZT' clo chi %}|{{ d|act_by:today }}"
    )
    context = {"d": AUG_15, "a": Decimal("350000.00"), "r": 0.5, "langs": ["ru", "kk"], "lo": 1, "hi": 2, "clo": 3,
               "chi": 4, "today": dt.date(2026, 8, 1)}
    with translation.override(language):
        rendered = template.render(Context(context)).split("|")
        assert rendered == [escape(t) for t in [
            text.format_date(AUG_15), text.format_money(Decimal("350000"), "KZT"), text.format_percent(0.5),
            text.languages_phrase(["ru", "kk"]), text.certification_name("KZ"), text.occupation_label("8341"),
            text.format_salary_range(1, 2, "KZT", cny_min=3, cny_max=4),
            text.format_act_by(AUG_15, today=dt.date(2026, 8, 1)),
        ]]


def test_the_occupation_filter_puts_the_name_first_and_marks_a_fallback(named):
    with translation.override("kk"):
        html = Template("{% load tg_text %}{{ '5113'|occupation }}").render(Context())
    assert html.startswith('<span lang="ru">Гиды</span>')
    assert '<span class="code">5113</span>' in html and "RU" in html
    with translation.override("en"):
        assert Template("{% load tg_text %}{{ '8341'|occupation }}").render(Context()) == (
            'Mobile farm and forestry plant operators <span class="code">8341</span>'
        )
        html = Template("{% load tg_text %}{{ code|occupation }}").render(Context({"code": "<b>"}))
        assert html == '<span class="code">&lt;b&gt;</span>'
