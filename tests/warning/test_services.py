"""The early warning's service on PostgreSQL: runs, persistence, deactivation, failures, freshness."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gaps.matching.signals import match_run_finished
from gaps.models import EarlyWarning, EarlyWarningRecommendation, EarlyWarningRun, GapReportLine, MatchRun
from gaps.models.warning import WarningRunStatus
from gaps.warning import services
from gaps.warning.selectors import current_entries, entry_json
from tests.matching import seed as matching_seed

from . import seed

pytestmark = pytest.mark.django_db

T = dt.date(2026, 12, 3)


def active():
    return {(w.region.code, w.occupation_id, w.quarter): w for w in current_entries()}


def test_a_run_persists_the_entries_with_its_record():
    world = seed.history(T)
    run = services.early_warning_compute(T, "command")
    assert run.status == WarningRunStatus.SUCCEEDED and run.today == T
    assert run.steps_done == run.steps_total > 0 and run.started_at and run.finished_at
    assert set(run.timings) >= {"fetch", "history", "persistence", "persist"}
    entries = active()
    target, second = str(world["target"]), str(world["second"])
    assert set(entries) == {("EKZ", "8341", target), ("EKZ", "7126", target), ("HORGOS", "7126", second)}
    harv = entries[("EKZ", "8341", target)]
    assert (harv.source, harv.forecast, harv.headcount, harv.covered, harv.shortfall) == ("forecast", 155, 155, 40, 115)
    assert harv.last_run_id == run.pk and harv.is_active
    assert entries[("HORGOS", "7126", second)].source == "reported"
    assert run.counts["entries"] == 3
    # EXPAND for the program that already trains 8341 for EKZ (covered > 0), with an act-by date.
    recs = list(EarlyWarningRecommendation.objects.filter(run=run))
    assert [(r.kind, r.program_id, r.warning_id) for r in recs] == [("EXPAND", world["harv"].pk, harv.pk)]
    assert recs[0].act_by == harv.need_date - dt.timedelta(days=164) and recs[0].context["source"] == "early_warning"
    as_json = entry_json(harv, today=T, language="en")
    assert as_json["detail"].startswith("EKZ will need 155 workers of Mobile farm and forestry plant operators (8341)")
    assert as_json["forecast_low"] is not None and as_json["need_date"] == harv.need_date.isoformat()


def test_a_new_run_updates_in_place_and_deactivates_what_is_no_longer_short():
    world = seed.history(T)
    services.early_warning_compute(T)
    before = active()
    # Enough seats for the whole forecast: the 8341 entry disappears from the latest warning.
    matching_seed.cohort(world["harv"], 200, world["target"].start - dt.timedelta(days=5))
    run = services.early_warning_compute(T)
    after = active()
    key = ("EKZ", "8341", str(world["target"]))
    assert key in before and key not in after
    assert EarlyWarning.objects.get(pk=before[key].pk).is_active is False  # kept, for projects and notices
    for other in after:
        assert after[other].pk == before[other].pk and after[other].last_run_id == run.pk
    assert not EarlyWarningRecommendation.objects.exclude(run=run).exists()


def test_a_failing_run_keeps_the_previous_entries():
    world = seed.history(T)
    first = services.early_warning_compute(T)
    before = {k: (w.pk, w.shortfall, w.last_run_id) for k, w in active().items()}
    # A KZT salary without any exchange rate: the projected match cannot compare salaries.
    GapReportLine.objects.filter(report__region=world["horgos"]).update(currency="KZT")
    run = services.early_warning_compute(T)
    assert run.status == WarningRunStatus.FAILED and "KZT" in run.error
    assert {k: (w.pk, w.shortfall, w.last_run_id) for k, w in active().items()} == before
    assert services.latest_run().pk == first.pk


def test_ensure_fresh_computes_only_when_the_day_or_the_matching_changed():
    seed.history(T)
    first = services.ensure_fresh(T)
    assert first is not None and first.status == WarningRunStatus.SUCCEEDED and first.trigger == "stale"
    assert services.ensure_fresh(T) is None  # fresh: nothing computed
    assert EarlyWarningRun.objects.count() == 1
    MatchRun.objects.create(quarter="2026Q4", status="succeeded", finished_at=timezone.now() + dt.timedelta(seconds=1))
    assert services.ensure_fresh(T) is not None  # a matching run finished after it
    assert services.ensure_fresh(T + dt.timedelta(days=1)).today == T + dt.timedelta(days=1)


def test_a_finished_matching_run_queues_one_run_at_a_time(settings):
    settings.EARLY_WARNING_AFTER_MATCH = True
    match = MatchRun.objects.create(quarter="2026Q4", status="succeeded", finished_at=timezone.now())
    match_run_finished.send(sender=MatchRun, run=match, new_gap_ids=[])
    match_run_finished.send(sender=MatchRun, run=match, new_gap_ids=[])
    queued = EarlyWarningRun.objects.filter(status=WarningRunStatus.QUEUED)
    assert queued.count() == 1 and queued.get().trigger == "match_finished"
    # A queued run nobody took for too long is failed and replaced.
    queued.update(created_at=timezone.now() - dt.timedelta(hours=1))
    fresh = services.early_warning_enqueue()
    assert EarlyWarningRun.objects.filter(status=WarningRunStatus.QUEUED).get().pk == fresh.pk
    assert EarlyWarningRun.objects.filter(status=WarningRunStatus.FAILED).count() == 1


def test_the_queued_run_is_computed_once():
    seed.history(timezone.localdate())
    run = services.early_warning_enqueue("manual")
    assert services.run_queued(run.pk) == WarningRunStatus.SUCCEEDED
    assert services.run_queued(run.pk) == "gone"
    assert EarlyWarning.objects.filter(is_active=True, last_run=run).exists()


def test_current_entries_filters_and_orders_by_urgency():
    world = seed.history(T)
    services.early_warning_compute(T)
    assert [w.region.code for w in current_entries(region="HORGOS")] == ["HORGOS"]
    assert {w.occupation_id for w in current_entries(occupation="7126")} == {"7126"}
    assert current_entries(quarter=str(world["second"])).count() == 1
    assert current_entries(region_ids=[world["ekz"].pk]).count() == 2
    ranks = [(w.status_rank, w.rating_rank, w.act_by) for w in current_entries()]
    assert ranks == sorted(ranks)
    assert all(Decimal(0) <= (w.wage_pressure or 0) + 1 for w in current_entries())
