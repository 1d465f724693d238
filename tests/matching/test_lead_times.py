"""The review queue's act-by counts the occupations' training times the matching run that made the
quarter's gaps stored (MatchRun.lead_times, gaps.matching.lead_times), not an aggregate over every
cohort per request: exactly the live aggregate's figures for the run's input, kept by a run that
finds nothing changed, renewed by one that finds the cohorts changed; computed live where the
quarter has no current run, the run stored none, or a gap is not the run's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from gaps import recommendation_dates
from gaps.matching import services
from gaps.matching.lead_times import lead_times_from_dates, occupation_lead_times, stored_form
from gaps.models import Gap, MatchRun, QuarterResults
from projects import selectors

from . import seed

pytestmark = pytest.mark.django_db

D = dt.date
DAY = dt.timedelta(days=1)
TODAY = D(2026, 4, 10)


def _past_program(code, occupations, *durations):
    """A program whose cohorts (of the given lengths in days) graduated years ago: they set the
    occupation's training time and supply nothing to the quarter."""
    prog = seed.program("OLD-" + code, code, occupations)
    for n, days in enumerate(durations):
        intake = D(2019, 9, 1) + n * DAY
        seed.cohort(prog, 10, intake + days * DAY, intake=intake)
    return prog


@pytest.fixture
def quarter():
    """2026Q3's seed (gaps.matching seed cases) and two more lines in Ili. Training times:
    8341: programs of 100/140/120/300 days (lower median 120), 200/210/90 (200) and 150/60 (60):
    lead 120, shortest 60 -- an even and an odd count of cohorts, an odd count of programs. 7126:
    the seed's DRIP (141 days) and 380/400 (380) and the 8341 program of 200 that also trains it:
    lead 200, shortest 141 -- an even count of programs. 8342: no program (the default)."""
    rows = seed.seed_quarter()
    seed.report(seed.region("ILI"), lines=[{"occupation": "8342", "headcount": 12, "season_start": D(2026, 9, 1)},
                                           {"occupation": "7126", "headcount": 50}])
    _past_program("A", ["8341"], 100, 140, 120, 300)
    _past_program("B", ["8341", "7126"], 200, 210, 90)
    _past_program("C", ["8341"], 150, 60)
    _past_program("D", ["7126"], 400, 380)
    return rows


def _match(settings) -> MatchRun:
    settings.MATCH_SKIP_UNCHANGED = True
    run = services.match_quarter_inline(quarter="2026Q3", trigger="command")
    assert run.status == "succeeded", run.error
    return MatchRun.objects.get(pk=run.pk)


def _live(codes) -> dict[str, tuple[int, int] | None]:
    found = occupation_lead_times(codes)
    return {code: found.get(code) for code in codes}


def _queue(make_user, today=TODAY):
    return list(selectors.review_queue(user=make_user(Role.REVIEWER), quarter="2026Q3", today=today))


def _cohort_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "training_cohort" in q["sql"]]


def test_the_run_stores_exactly_what_the_live_aggregate_gives(settings, quarter):
    run = _match(settings)
    codes = set(Gap.objects.filter(quarter="2026Q3", is_active=True).values_list("occupation_id", flat=True))
    assert {"8341", "7126", "8342"} <= codes
    assert set(run.lead_times) == codes  # every gap's occupation is covered, trained or not
    stored = {code: tuple(value) if value else None for code, value in run.lead_times.items()}
    assert stored == _live(codes)  # PostgreSQL's percentile_disc
    from_dates = lead_times_from_dates(codes)  # the embedded SQLite's path
    assert stored == {code: from_dates.get(code) for code in codes}
    # The hand-counted figures: lower medians (even counts take the lower middle), least of them.
    assert stored["8341"] == (120, 60) and stored["7126"] == (200, 141) and stored["8342"] is None
    assert "finalize_lead_times" in run.timings
    assert stored_form(codes) == run.lead_times


def test_the_queue_reads_the_stored_mapping_not_the_cohorts(settings, quarter, make_user, client):
    _match(settings)
    with CaptureQueriesContext(connection) as queries:
        rows = _queue(make_user)
    assert rows and not _cohort_reads(queries)
    live = _live({g.occupation_id for g in rows})
    for gap in rows:
        shortest = live[gap.occupation_id][1] if live[gap.occupation_id] else None
        assert gap.act_by == recommendation_dates.gap_act_by(gap.needed_by, shortest)
        assert gap.in_time is (gap.act_by >= TODAY)
    assert {g.act_by - g.needed_by for g in rows if g.occupation_id == "8341"} == {-60 * DAY}
    assert {g.act_by - g.needed_by for g in rows if g.occupation_id == "8342"} == {-180 * DAY}
    # The API and the reviewers' page (its opening quarter and its by-when texts) alike.
    client.force_login(make_user(Role.REVIEWER, username="api-reviewer"))
    page = reverse("web:gaps")
    for url, params in (("/api/v1/review-queue/", {"quarter": "2026Q3"}), (page, {"quarter": "2026Q3"}), (page, {})):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        assert not _cohort_reads(queries), url
    alone = next(g for g in rows if g.occupation_id == "8341")
    with CaptureQueriesContext(connection) as queries:
        timed = selectors.with_timing(Gap.objects.get(pk=alone.pk), today=TODAY)
    assert timed.act_by == alone.act_by and not _cohort_reads(queries)


def test_nothing_changed_keeps_the_mapping_and_changed_cohorts_renew_it(settings, quarter, make_user):
    first = _match(settings)
    again = _match(settings)
    assert again.unchanged_since_id == first.pk and again.lead_times is None
    assert QuarterResults.objects.get(quarter="2026Q3").current_run_id == first.pk
    # A shorter program for 8341: the current run's figures hold until the quarter is matched again.
    _past_program("E", ["8341"], 45)
    need = {g.pk: g.needed_by for g in _queue(make_user) if g.occupation_id == "8341"}
    assert need and all(g.act_by == g.needed_by - 60 * DAY for g in _queue(make_user) if g.pk in need)
    renewed = _match(settings)
    assert renewed.unchanged_since is None and renewed.lead_times["8341"] == [60, 45]  # 45, 60, 120, 200: lower median 60
    assert {c: tuple(v) if v else None for c, v in renewed.lead_times.items()} == _live(set(renewed.lead_times))
    assert all(g.act_by == g.needed_by - 45 * DAY for g in _queue(make_user) if g.pk in need)


def test_without_a_stored_mapping_the_queue_computes_it_live(settings, quarter, make_user):
    run = _match(settings)
    expected = {g.pk: (g.act_by, g.in_time) for g in _queue(make_user)}
    # A run stored before the mapping existed.
    MatchRun.objects.filter(pk=run.pk).update(lead_times=None)
    with CaptureQueriesContext(connection) as queries:
        rows = _queue(make_user)
    assert len(_cohort_reads(queries)) == 1
    assert {g.pk: (g.act_by, g.in_time) for g in rows} == expected
    # A gap the run did not make (its occupation is not in the mapping): that one code, live.
    MatchRun.objects.filter(pk=run.pk).update(lead_times=stored_form({"8342", "7126"}))
    assert {g.pk: (g.act_by, g.in_time) for g in _queue(make_user)} == expected
    assert recommendation_dates.lead_times_of("2026Q3", ["8341", "8342"]) == {"8341": (120, 60)}
    # A quarter with no current run at all.
    QuarterResults.objects.filter(quarter="2026Q3").update(current_run=None)
    assert {g.pk: (g.act_by, g.in_time) for g in _queue(make_user)} == expected
    # The stored mapping is what the queue reads: a stored figure shows.
    QuarterResults.objects.filter(quarter="2026Q3").update(current_run=run)
    MatchRun.objects.filter(pk=run.pk).update(lead_times={**stored_form({"8342", "7126"}), "8341": [120, 30]})
    assert {g.act_by - g.needed_by for g in _queue(make_user) if g.occupation_id == "8341"} == {-30 * DAY}
