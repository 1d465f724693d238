"""A re-match with nothing changed ends at once as "nothing changed since run N" (gaps.matching.inputs):
the database's triggers log every write to what matching reads, however it is written; the
shortcut is taken exactly when nothing was written; and the results users see always equal a
full match from scratch."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gaps.matching import inputs, services
from gaps.models import (
    ExchangeRate,
    Flag,
    Gap,
    GapReport,
    GapReportLine,
    LineOutcome,
    MatchRun,
    QuarterResults,
    Recommendation,
    Region,
    ReportStatus,
)
from training.models import College, Cohort, Program

from . import seed
from .test_reuse import build, quarters, snapshot

pytestmark = pytest.mark.django_db

D = dt.date


def rematch(settings, *, skip=True, reuse=True, chunks=1) -> MatchRun:
    settings.MATCH_SKIP_UNCHANGED = skip
    settings.MATCH_REUSE_RESULTS = reuse
    run = services.match_quarter_inline(quarter="2026Q3", trigger="nightly", chunks=chunks)
    assert run.status == "succeeded", run.error
    return run


def current_id(quarter="2026Q3"):
    return QuarterResults.objects.get(quarter=quarter).current_run_id


# --- what is versioned --------------------------------------------------------------------------

RESULT_TABLES = {
    "gaps_matchrun", "gaps_matchchunk", "gaps_quarterresults", "gaps_flag", "gaps_recommendation",
    "gaps_lineoutcome", "gaps_inputchange",
    # Read by finalize: the previous quarters' gaps are part of the signature by digest
    # (inputs.previous_gaps_digest), the quarter's own are what the run writes.
    "gaps_gap",
}


def test_every_table_a_match_reads_is_versioned(settings):
    """The tables named in the SQL of a real run (plan, chunks, finalize and the swap's hooks) are all
    versioned, or results, or the gaps table whose part that matters is digested. The mails sent
    after the swap (match_run_finished: whom to tell, the occupations' titles) are left out: they
    tell what is new, and a run with nothing changed has nothing new."""
    from unittest import mock

    from gaps.matching import signals

    seed.seed_quarter()
    settings.MATCH_SKIP_UNCHANGED = False
    with CaptureQueriesContext(connection) as queries, mock.patch.object(signals.match_run_finished, "receivers", []):
        services.match_quarter_inline(quarter="2026Q3", trigger="command", chunks=2)
    read = set()
    for query in queries.captured_queries:
        read.update(re.findall(r'(?:FROM|JOIN)\s+"((?:gaps|training)_\w+)"', query["sql"]))
    assert read - RESULT_TABLES, "the capture saw no input at all"
    assert read - RESULT_TABLES <= set(inputs.INPUT_TABLES), sorted(read - RESULT_TABLES - set(inputs.INPUT_TABLES))


def test_input_tables_are_the_models_tables():
    from django.apps import apps

    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    assert set(inputs.INPUT_TABLES) <= tables


def _versions():
    return inputs.table_versions()


WRITES = {
    "orm save": lambda: GapReportLine.objects.order_by("id").first().save(),
    "queryset update": lambda: Cohort.objects.update(seats=7),
    "bulk_create": lambda: ExchangeRate.objects.bulk_create(
        [ExchangeRate(currency="USD", date=D(2026, 1, 1), rate_to_cny=Decimal("7.1"))]),
    "delete": lambda: Cohort.objects.filter(program__code="DRIP").delete(),
    "m2m add": lambda: Program.objects.get(code="DRIP").serves_regions.add(Region.objects.get(code="EKZ")),
    "raw sql": lambda: connection.cursor().execute("UPDATE training_college SET name = name || 'x'"),
    "region rename": lambda: Region.objects.filter(code="EKZ").update(name_en="East"),
    "report status": lambda: GapReport.objects.filter(region__code="HORGOS").update(status=ReportStatus.WITHDRAWN),
}
WRITTEN = {
    "orm save": "gaps_gapreportline", "queryset update": "training_cohort", "bulk_create": "gaps_exchangerate",
    "delete": "training_cohort", "m2m add": "training_program_serves_regions", "raw sql": "training_college",
    "region rename": "gaps_region", "report status": "gaps_gapreport",
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_each_kind_of_write_moves_its_tables_version(write):
    seed.seed_quarter()
    before = _versions()
    WRITES[write]()
    after = _versions()
    assert after[WRITTEN[write]] > before[WRITTEN[write]]
    assert {t for t in after if after[t] != before[t]} <= {WRITTEN[write], "training_cohort"}  # delete cascades none here


def test_truncate_moves_the_version_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    ExchangeRate.objects.create(currency="USD", date=D(2026, 1, 1), rate_to_cny=Decimal("7.1"))
    before = _versions()["gaps_exchangerate"]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE gaps_exchangerate")
    assert _versions()["gaps_exchangerate"] > before


def test_compaction_keeps_every_total():
    seed.seed_quarter()
    for _ in range(inputs.COMPACT_ABOVE + 3):
        Cohort.objects.update(seats=5)
    before = _versions()
    assert inputs.compact() > 0
    assert _versions() == before
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {inputs.LOG_TABLE}")
        assert cursor.fetchone()[0] <= len(inputs.INPUT_TABLES)
    Cohort.objects.update(seats=6)
    assert _versions()["training_cohort"] == before["training_cohort"] + 1


# --- the shortcut ---------------------------------------------------------------------------------


def test_a_rematch_with_nothing_changed_keeps_the_current_run(settings):
    seed.seed_quarter()
    first = rematch(settings)
    assert first.unchanged_since is None and first.input_signature["versions"]
    before = snapshot()
    second = rematch(settings)
    assert second.unchanged_since_id == first.pk
    assert second.chunks_total == 0 and not second.chunks.exists()
    assert current_id() == first.pk and snapshot() == before
    assert not Flag.objects.filter(run=second).exists() and not LineOutcome.objects.filter(run=second).exists()
    assert "run %d" % first.pk in second.outcome
    assert QuarterResults.objects.get(quarter="2026Q3").running_run_id is None
    # A third: still against the run whose results are current, not against the unchanged one.
    third = rematch(settings)
    assert third.unchanged_since_id == first.pk and current_id() == first.pk


def test_a_change_after_an_unchanged_run_is_matched_and_its_old_rows_cleaned(settings):
    seed.seed_quarter()
    first = rematch(settings)
    unchanged = rematch(settings)
    assert unchanged.unchanged_since_id == first.pk
    Cohort.objects.filter(program__code="DRIP").update(seats=10)
    changed = rematch(settings)
    assert changed.unchanged_since is None and current_id() == changed.pk
    assert not Flag.objects.filter(run=first).exists()  # the previous run's rows are cleaned up
    with_shortcuts = snapshot()
    rematch(settings, skip=False, reuse=False)
    assert snapshot() == with_shortcuts


def test_a_failed_run_between_leaves_the_shortcut_against_the_current_run(settings):
    seed.seed_quarter()
    first = rematch(settings)
    stale = services.match_run_create(quarter="2026Q3", trigger="manual", reuse_queued=False)
    services.match_run_fail(run_id=stale.pk, error="worker died")
    assert rematch(settings).unchanged_since_id == first.pk
    assert current_id() == first.pk and Flag.objects.filter(run=first).exists()


def test_settings_and_previous_gaps_are_part_of_the_signature(settings):
    seed.seed_quarter()
    rematch(settings)
    settings.SUPPLY_WINDOW_DAYS = 120
    assert rematch(settings).unchanged_since is None
    assert rematch(settings).unchanged_since is not None
    Gap.objects.create(region=Region.objects.get(code="EKZ"), quarter="2026Q2", occupation_id="8341", headcount=3,
                       covered=0, shortfall=3, salary_min_cny=1, salary_max_cny=2, need_date=D(2026, 4, 1),
                       is_active=True)
    assert rematch(settings).unchanged_since is None


def test_switched_off_every_run_computes(settings):
    seed.seed_quarter()
    rematch(settings)
    run = rematch(settings, skip=False)
    assert run.unchanged_since is None and current_id() == run.pk


def test_the_match_command_says_nothing_changed(settings, capsys):
    seed.seed_quarter()
    first = rematch(settings)
    call_command("match", quarter="2026Q3")
    out = capsys.readouterr().out
    assert f"Nothing changed since run {first.pk}; its results stay current." in out


def test_the_api_tells_an_unchanged_run(settings, make_user):
    from rest_framework.test import APIClient

    seed.seed_quarter()
    first = rematch(settings)
    second = rematch(settings)
    client = APIClient()
    client.force_authenticate(make_user("reviewer"))
    body = client.get(f"/api/v1/match-runs/{second.pk}/").json()
    assert body["unchanged_since"] == first.pk and body["is_current"] is False and body["progress"] == 1.0
    assert str(first.pk) in body["outcome"]
    earlier = client.get(f"/api/v1/match-runs/{first.pk}/").json()
    assert earlier["unchanged_since"] is None and earlier["is_current"] is True


def test_new_recommendation_mails_compare_with_the_run_that_has_rows(settings, make_user):
    """projects.notifications: the run before a changed one is the current run, not an unchanged one."""
    from projects.notifications import _college_recommendation_messages

    seed.seed_quarter()
    make_user("college_staff", colleges=list(College.objects.all()), email="staff@example.org")
    first = rematch(settings)
    assert Recommendation.objects.filter(run=first).exists()
    rematch(settings)  # unchanged: no rows of its own
    Cohort.objects.filter(program__code="DRIP").update(seats=29)  # nothing new to recommend
    settings.MATCH_SKIP_UNCHANGED = True
    run = services.match_run_create(quarter="2026Q3", trigger="manual", reuse_queued=False)
    for chunk in services.match_run_plan(run=run, chunks=1):
        services.match_chunk_execute(chunk_id=chunk.pk)
    # Before finalize's clean-up the previous run's rows exist; the mails compare with them.
    services._last_chunk = None
    with transaction.atomic():
        MatchRun.objects.filter(pk=run.pk).update(status="succeeded")
        assert _college_recommendation_messages(run.pk) == []
        transaction.set_rollback(True)
    # Against no run at all, the same recommendations are all new (the check above can fail).
    with transaction.atomic():
        MatchRun.objects.filter(pk=run.pk).update(status="succeeded")
        MatchRun.objects.exclude(pk=run.pk).update(status="failed")
        assert _college_recommendation_messages(run.pk) != []
        transaction.set_rollback(True)


# --- random changes, by every means, interleaved with re-matches with nothing changed ----------------

CHANNELS = ["orm", "update", "bulk_create", "delete", "raw", "m2m", "report", "rate", "previous_gap", "nothing",
            "nothing"]


def _change(channel, rng) -> bool:
    """One small change through `channel`; True when something was written."""
    cohorts = list(Cohort.objects.order_by("id"))
    lines = list(GapReportLine.objects.filter(report__status=ReportStatus.SUBMITTED).order_by("id"))
    programs = list(Program.objects.order_by("id"))
    if channel == "orm" and lines:
        line = rng.choice(lines)
        line.headcount = rng.randint(1, 60)
        line.save()
    elif channel == "update" and cohorts:
        Cohort.objects.filter(pk=rng.choice(cohorts).pk).update(seats=rng.randint(1, 40))
    elif channel == "bulk_create" and programs:
        graduation = rng.choice([D(2026, 6, 30), D(2026, 7, 20), D(2026, 8, 25)])
        Cohort.objects.bulk_create([Cohort(program=rng.choice(programs), seats=rng.randint(1, 40),
                                           graduation_date=graduation,
                                           intake_date=graduation - dt.timedelta(days=rng.randint(30, 4000)))],
                                   ignore_conflicts=True)
    elif channel == "delete" and cohorts:
        Cohort.objects.filter(pk=rng.choice(cohorts).pk).delete()
    elif channel == "raw" and programs:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE training_program SET sector = %s WHERE id = %s",
                           [rng.choice(["", "A", "C"]), rng.choice(programs).pk])
    elif channel == "m2m" and programs:
        program = rng.choice(programs)
        region = rng.choice(list(Region.objects.order_by("id")))
        if program.serves_regions.filter(pk=region.pk).exists():
            program.serves_regions.remove(region)
        else:
            program.serves_regions.add(region)
    elif channel == "report":
        report = GapReport.objects.order_by("?").first()
        if report is None:
            return False
        GapReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.WITHDRAWN if report.status == ReportStatus.SUBMITTED else ReportStatus.SUBMITTED)
    elif channel == "rate":
        ExchangeRate.objects.update_or_create(currency="KZT", date=D(2026, 1, 1),
                                              defaults={"rate_to_cny": Decimal(rng.choice(["0.0145", "0.02"]))})
    elif channel == "previous_gap" and lines:
        line = rng.choice([ln for ln in lines if ln.occupation_id] or lines)
        if not line.occupation_id:
            return False
        gap, created = Gap.objects.get_or_create(
            region=line.report.region, quarter="2026Q2", occupation_id=line.occupation_id,
            defaults={"headcount": 1, "covered": 0, "shortfall": 1, "salary_min_cny": 1, "salary_max_cny": 1,
                      "need_date": D(2026, 4, 1), "is_active": True})
        if not created:
            gap.delete()
    else:
        return False
    return True


@hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(quarters(), st.lists(st.sampled_from(CHANNELS), min_size=2, max_size=6))
def test_random_changes_and_noop_rematches_always_equal_a_full_match(settings, case, channels):
    programs, lines, _changes, chunks, rng = case
    with transaction.atomic():
        build(programs, lines)
        College.objects.get_or_create(code="SPARE", defaults={"name": "spare", "country": "CN"})
        rematch(settings, chunks=chunks)
        for channel in channels:
            written = _change(channel, rng)
            run = rematch(settings, chunks=chunks)
            # The shortcut exactly when nothing was written since the last run.
            assert (run.unchanged_since_id is not None) == (not written), (channel, run.input_signature)
            seen = snapshot()
            full = rematch(settings, skip=False, reuse=False, chunks=chunks)
            assert full.unchanged_since is None
            assert snapshot() == seen, channel
            # Nothing written since the full match: the next re-match takes the shortcut.
            assert rematch(settings, chunks=chunks).unchanged_since_id == full.pk
        transaction.set_rollback(True)


def test_the_region_page_says_when_the_results_were_checked_again(settings):
    from django.template.loader import render_to_string

    from web.selectors import region_results

    rows = seed.seed_quarter()
    first = rematch(settings)
    results = region_results(rows["ekz"], "2026Q3")
    assert results.run == first and results.checked_at is None
    second = rematch(settings)
    results = region_results(rows["ekz"], "2026Q3")
    assert results.run == first and results.checked_at == second.finished_at and not results.in_progress
    html = render_to_string("web/partials/results.html", {"results": results, "region": rows["ekz"], "quarter": "2026Q3"})
    assert "nothing had changed" in html
