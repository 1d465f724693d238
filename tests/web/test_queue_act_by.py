"""The review queue calls a gap in time while training can still finish by its need date: the
shortest training the service knows for the occupation (else DEFAULT_LEAD_DAYS, 180 days), as the
recommendations count (gaps.recommendation_dates). Each row carries `act_by`, the last day to start;
the page says by when to act, or why it is too late; the API and its schema carry both fields."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from core import text
from core.quarters import Quarter
from gaps import recommendation_dates
from gaps.models import Gap
from projects import selectors
from training.models import Cohort, College, Program

from .test_lists import reviewer_client  # noqa: F401 - a fixture

DAY = dt.timedelta(days=1)


def _program(college, code, occupation, *durations):
    program = Program.objects.create(college=college, code=code, title=f"Program {code}", languages=["ru"])
    program.occupations.set([occupation])
    for n, days in enumerate(durations):
        intake = dt.date(2024, 1, 1) + dt.timedelta(days=n)
        Cohort.objects.create(program=program, seats=20, intake_date=intake, graduation_date=intake + days * DAY)
    return program


@pytest.fixture
def trained(occupations):
    """8341 is trained by three programs of 80 (its cohorts: 75, 80, 90 days), 164 and 300 days:
    lead_days 164 (the lower median), shortest_days 80. 7411 is trained by none."""
    college = College.objects.create(code="CN-GS-AVTC", name="Gansu Agricultural Vocational Training Centre",
                                     country="CN")
    _program(college, "SHORT", "8341", 75, 80, 90, 300)  # lower median of 75, 80, 90, 300: 80
    _program(college, "TYPICAL", "8341", 164)
    _program(college, "LONG", "8341", 300, 320)  # lower median 300
    return college


@pytest.fixture
def queue(regions, occupations, trained):
    from gaps.models import Region

    regions = {**regions, "almaty": Region.objects.create(code="KZ-ALA", country="KZ", name_en="Almaty",
                                                          name_ru="Алматы", name_zh="阿拉木图", name_kk="Алматы",
                                                          kind="city")}
    today = timezone.localdate()
    quarter = str(Quarter.containing(today))

    def gap(occupation, days_ahead, region="east", **kw):
        return Gap.objects.create(region=regions[region], quarter=quarter, occupation=occupations[occupation],
                                  headcount=10, shortfall=10, need_date=today + days_ahead * DAY, **kw)

    return {
        "today": today, "quarter": quarter,
        # 8341: full program (164 days) fits; short course (80) too.
        "full": gap("8341", 200),
        # 8341: a full program is too late, the short course still fits: act by today + 20.
        "short": gap("8341", 100, region="horgos"),
        # 8341: need date 50 days ahead -- after today, but within even the shortest training.
        "late": gap("8341", 50, region="almaty", new_on_list=True),
        # 7411: no program: 180 days. 179 days ahead is too late; 181 days ahead is in time.
        "untrained_late": gap("7411", 179, region="horgos", new_on_list=True),
        "untrained_in_time": gap("7411", 181),
    }


def test_the_durations_are_the_early_warnings(trained):
    from gaps.matching.fetch import fetch_programs
    from gaps.warning import compute, fetch

    expected = compute.lead_times(fetch_programs(Program.objects.values("id")), fetch.program_durations(), 180)
    assert recommendation_dates.occupation_lead_times(["8341", "7411"]) == {"8341": (164, 80)} == expected
    # The embedded default (SQLite) has no percentile_disc: the same figures from the cohorts' dates.
    assert recommendation_dates.lead_times_from_dates(["8341", "7411"]) == expected


def test_the_rule_on_hand_made_cases(make_user, queue):
    today = queue["today"]
    rows = {g.pk: g for g in selectors.review_queue(user=make_user(Role.REVIEWER), quarter=queue["quarter"],
                                                    today=today)}
    got = {name: (rows[g.pk].act_by, rows[g.pk].in_time) for name, g in queue.items() if isinstance(g, Gap)}
    assert got == {
        "full": (today + 120 * DAY, True),
        "short": (today + 20 * DAY, True),
        "late": (today - 30 * DAY, False),  # the old rule (need date after today) called it in time
        "untrained_late": (today - DAY, False),
        "untrained_in_time": (today + DAY, True),
    }
    # The same dates as the recommendations' act_by (gaps.recommendation_dates), gap by gap.
    for name, g in queue.items():
        if isinstance(g, Gap):
            shortest = 80 if g.occupation_id == "8341" else None
            assert rows[g.pk].act_by == recommendation_dates.gap_act_by(g.need_date, shortest)
    # The last day itself is still in time; the day after it is not.
    untrained = queue["untrained_in_time"]
    for day, in_time in ((today + DAY, True), (today + 2 * DAY, False)):
        row = selectors.review_queue(user=make_user(Role.REVIEWER, username=f"r{day:%d}"), quarter=queue["quarter"],
                                     today=day).get(pk=untrained.pk)
        assert row.in_time is in_time
        assert recommendation_dates.dates(None, untrained.need_date, today=day)["feasible"] is in_time


def test_in_time_first_then_express_lane(make_user, queue):
    order = [g.pk for g in selectors.review_queue(user=make_user(Role.REVIEWER), quarter=queue["quarter"],
                                                  today=queue["today"])]
    in_time = {queue[n].pk for n in ("full", "short", "untrained_in_time")}
    assert set(order[:3]) == in_time
    assert order[3:] == sorted([queue["late"].pk, queue["untrained_late"].pk])  # both new on the list


def _rows(html: str, gaps) -> dict[int, str]:
    table = html.split('<table class="gaps', 1)[1]
    return {g.pk: table.split(reverse("web:gap", args=[g.pk]), 1)[1].split("</tr>", 1)[0] for g in gaps}


EXPECTED = {
    # language: (full program too late, its short course, a gap too late for both, the in-time act-by)
    "en": ("too late for a full program: it needs 5 months, the need date is {short_need}",
           "short course (3 months): act by {short_act} (20 days left)",
           "a short course (3 months) no longer fits either: the last day was {late_act}",
           "act by {full_act} (120 days left)"),
    "ru": ("для полной программы слишком поздно: она занимает 5 месяцев, дата потребности — {short_need}",
           "краткий курс (3 месяца): действовать до {short_act} (осталось 20 дней)",
           "краткий курс (3 месяца) тоже уже не успевает: последний день был {late_act}",
           "действовать до {full_act} (осталось 120 дней)"),
    "zh-hans": ("完整课程已来不及：需要5 个月，需求日期为{short_need}",
                "短期课程（3 个月）：请在{short_act}前行动（还剩 20 天）",
                "短期课程（3 个月）也已来不及：最后期限是{late_act}",
                "请在{full_act}前行动（还剩 120 天）"),
    "kk": ("толық бағдарлама үшін тым кеш: ол 5 ай алады, қажеттілік күні — {short_need}",
           "қысқа курс (3 ай): {short_act} дейін әрекет ету керек (20 күн қалды)",
           "қысқа курс (3 ай) та енді үлгермейді: соңғы күн {late_act} болды",
           "{full_act} дейін әрекет ету керек (120 күн қалды)"),
}


@pytest.mark.parametrize("language", list(EXPECTED))
def test_the_page_says_by_when_to_act_or_why_it_is_too_late(reviewer_client, queue, language):  # noqa: F811
    today = queue["today"]
    response = reviewer_client.get(reverse("web:gaps"), {"quarter": queue["quarter"]}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override(language):
        dates = {"short_need": text.format_date(queue["short"].need_date),
                 "short_act": text.format_date(today + 20 * DAY), "late_act": text.format_date(today - 30 * DAY),
                 "full_act": text.format_date(today + 120 * DAY), "today": today}
        left = text.format_days_left(today + 20 * DAY, today=today)
    full_late, short_course, both_late, act = (e.format(**dates) for e in EXPECTED[language])
    assert left in short_course  # the expected texts use the page's own days-left wording
    rows = _rows(html, [queue[n] for n in ("full", "short", "late", "untrained_late")])
    assert full_late in rows[queue["short"].pk] and short_course in rows[queue["short"].pk]
    assert both_late in rows[queue["late"].pk]
    assert act in rows[queue["full"].pk]
    assert "too-late" not in rows[queue["full"].pk]
    assert "too-late" in rows[queue["late"].pk] and "too-late" in rows[queue["untrained_late"].pk]


def test_an_untrained_occupation_counts_the_usual_lead_time(reviewer_client, queue):  # noqa: F811
    html = reviewer_client.get(reverse("web:gaps"), {"quarter": queue["quarter"]}).content.decode()
    row = _rows(html, [queue["untrained_late"]])[queue["untrained_late"].pk]
    need = text.format_date(queue["untrained_late"].need_date)
    last = text.format_date(queue["today"] - DAY)
    assert f"too late for a full program: it needs 6 months, the need date is {need}" in row
    assert f"too late: the last day was {last}" in row


def test_the_api_carries_in_time_and_act_by(client, make_user, queue):
    client.force_login(make_user(Role.REVIEWER))
    response = client.get("/api/v1/review-queue/", {"quarter": queue["quarter"]})
    assert response.status_code == 200
    rows = {r["id"]: r for r in response.json()["results"]}
    today = queue["today"]
    assert {(r["act_by"], r["in_time"]) for r in rows.values()} == {
        ((today + n * DAY).isoformat(), in_time) for n, in_time in ((120, True), (20, True), (-30, False), (-1, False),
                                                                    (1, True))}
    short = rows[queue["short"].pk]
    assert short["needed_by"] == queue["short"].need_date.isoformat()
    assert [r["in_time"] for r in response.json()["results"]] == [True, True, True, False, False]
    # The gap read alone says the same.
    alone = client.get(f"/api/v1/review/gaps/{queue['short'].pk}/").json()
    assert (alone["needed_by"], alone["act_by"], alone["in_time"]) == (short["needed_by"], short["act_by"], True)


def test_the_schema_types_the_fields(client, make_user):
    client.force_login(make_user(Role.REVIEWER))
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]["ReviewGap"]
    properties = schema["properties"]
    assert properties["act_by"]["type"] == "string" and properties["act_by"]["format"] == "date"
    assert properties["needed_by"]["format"] == "date"
    assert properties["in_time"]["type"] == "boolean"
    assert "shortest training" in properties["act_by"]["description"]
    assert {"act_by", "in_time"} <= set(schema["required"])
