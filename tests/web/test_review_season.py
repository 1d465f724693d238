"""The review queue puts first what can still be acted on: gaps training can still finish by (their
need date is at least the training time ahead). The others follow, marked too late with the reason; past quarters are listed apart in the
quarter choice, and a past quarter's page says its season is over."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from core import text
from core.quarters import Quarter
from gaps.models import Gap

from .test_lists import reviewer_client  # noqa: F401 - a fixture


@pytest.fixture
def season(regions, occupations):
    today = timezone.localdate()
    quarter = str(Quarter.containing(today))
    late = Gap.objects.create(region=regions["east"], quarter=quarter, occupation=occupations["8341"], headcount=900,
                              shortfall=900, salary_min_cny=9000, salary_max_cny=9000, new_on_list=True,
                              need_date=today - dt.timedelta(days=3))
    ahead = Gap.objects.create(region=regions["horgos"], quarter=quarter, occupation=occupations["8341"],
                               headcount=10, shortfall=10, need_date=today + dt.timedelta(days=200))
    # 200 days: no program trains 8341 here, so training takes DEFAULT_LEAD_DAYS (180); a need date
    # 90 days ahead, in time under the old rule (need date after today), is too late now.
    old = Gap.objects.create(region=regions["east"], quarter="2023Q4", occupation=occupations["8341"], headcount=5,
                             shortfall=5, need_date=dt.date(2023, 10, 1))
    return {"quarter": quarter, "late": late, "ahead": ahead, "old": old, "today": today}


def test_what_can_still_be_acted_on_comes_first_and_the_rest_is_marked_too_late(reviewer_client, season):  # noqa: F811
    response = reviewer_client.get(reverse("web:gaps"), {"quarter": season["quarter"]}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    # The late gap is new on the list with the larger shortfall, which used to put it first.
    assert [g.pk for g in response.context["gaps"]] == [season["ahead"].pk, season["late"].pk]
    html = response.content.decode()
    with translation.override("ru"):
        since = text.format_date(season["late"].need_date)
    assert f"для полной программы слишком поздно: она занимает 6 месяцев, дата потребности — {since}" in html
    assert html.count("для полной программы слишком поздно") == 1  # the gap ahead is not marked
    # The quarter choice: quarters under way or ahead, then the past ones apart and labelled.
    select = re.search(r'<select id="quarter-select".*?</select>', html, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert [label for label, _ in groups] == ["Идут или впереди", "Прошли: готовить уже поздно"]
    assert f'value="{season["quarter"]}"' in groups[0][1] and 'value="2023Q4"' in groups[1][1]
    assert 'value="2023Q4"' not in groups[0][1]


def test_a_past_quarter_says_its_season_is_over(reviewer_client, season):  # noqa: F811
    html = reviewer_client.get(reverse("web:gaps"), {"quarter": "2023Q4"}).content.decode()
    assert "Q4 2023 ended on 31 Dec 2023: it is too late to train for its season." in html
    assert "too late for a full program: it needs 6 months, the need date is 1 Oct 2023" in html
    current = reviewer_client.get(reverse("web:gaps"), {"quarter": season["quarter"]}).content.decode()
    assert "it is too late to train for its season" not in current


def test_the_api_queue_has_the_same_order(client, make_user, season):
    client.force_login(make_user(Role.REVIEWER))
    response = client.get("/api/v1/review-queue/", {"quarter": season["quarter"]})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [season["ahead"].pk, season["late"].pk]


def test_the_page_opens_on_the_first_quarter_that_can_still_be_acted_on(reviewer_client, season, regions,  # noqa: F811
                                                                        occupations):
    assert reviewer_client.get(reverse("web:gaps")).context["quarter"] == season["quarter"]  # it has one ahead
    season["ahead"].delete()  # the current quarter now holds only a gap too late for its season
    following = Quarter.containing(season["today"]).next()
    Gap.objects.create(region=regions["east"], quarter=str(following), occupation=occupations["8341"], headcount=7,
                       shortfall=7)  # no need date: from the quarter's first day, at most 92 days ahead
    # Ahead, but within the 180 days training takes (no program trains 8341 here): not in time either,
    # so the page stays on the current quarter (the old rule, need date after today, opened this one).
    assert reviewer_client.get(reverse("web:gaps")).context["quarter"] == season["quarter"]
    later = following.next().next()  # its first day is at least 183 days ahead
    Gap.objects.create(region=regions["east"], quarter=str(later), occupation=occupations["8341"], headcount=7,
                       shortfall=7)
    assert reviewer_client.get(reverse("web:gaps")).context["quarter"] == str(later)


def test_the_opening_quarter_reads_the_training_times_once_whatever_the_quarters_ahead(season, regions, occupations):
    """default_gap_quarter looks at each quarter ahead until one has a gap in time; the occupations'
    training times (an aggregate over every cohort: 0.4 s at full scale) are read once for all of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from web.selectors import default_gap_quarter

    season["ahead"].delete()
    quarter = Quarter.containing(season["today"])
    for _ in range(3):  # three quarters ahead, each within the 180 days training takes: none in time
        quarter = quarter.next()
        if (quarter.start - season["today"]).days >= 180:
            break
        Gap.objects.create(region=regions["east"], quarter=str(quarter), occupation=occupations["8341"],
                           headcount=7, shortfall=7, need_date=season["today"] + dt.timedelta(days=30))
    with CaptureQueriesContext(connection) as queries:
        assert default_gap_quarter(season["today"]) == season["quarter"]
    cohort_reads = [q["sql"] for q in queries.captured_queries if "training_cohort" in q["sql"]]
    assert len(cohort_reads) == 1
