"""The plan reads the stored early warning of its day (projects.plan.fetch, the stored route) and gets
exactly the plan a recomputation of the early warning gives (issue 13; the full-scale plan spent its
time recomputing the warning). The demo on a few days, each loaded once for this module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from django.db.models import F

from gaps.models import EarlyWarning, GapReportLine
from gaps.models.warning import WarningRunStatus
from gaps.warning.services import early_warning_compute
from projects.choices import PlanStatus
from projects.plan import fetch, optimiser, services
from tests.demo.conftest import demo_loaded_on

pytestmark = pytest.mark.django_db

DAYS = [dt.date(2026, 12, 3), dt.date(2027, 3, 31), dt.date(2027, 8, 1)]


@pytest.fixture(scope="module", params=DAYS, ids=str)
def dated(request, django_db_setup, django_db_blocker):
    with demo_loaded_on(request.param, django_db_blocker):
        with django_db_blocker.unblock():
            run = early_warning_compute(request.param)
        assert run.status == WarningRunStatus.SUCCEEDED, run.error
        yield request.param, run


def _plans(day, budget):
    stored_in, run = fetch.plan_input(day, budget)
    again_in, none = fetch.plan_input(day, budget, stored=False)
    return stored_in, run, again_in, none


def test_the_stored_route_gives_the_recomputed_input_and_plan(dated):
    day, run = dated
    stored_in, used, again_in, none = _plans(day, None)
    assert used == run and none is None
    assert stored_in.lines, "the demo's warning has plannable lines"
    assert stored_in == again_in
    stored, again = optimiser.solve(stored_in), optimiser.solve(again_in)
    assert stored.proposals and stored.proposals == again.proposals
    assert (stored.value, stored.spent, stored.uncovered) == (again.value, again.spent, again.uncovered)


def test_with_a_budget_that_binds_the_plans_are_the_same(dated):
    day, _run = dated
    unlimited = optimiser.solve(fetch.plan_input(day, None)[0])
    budget = Decimal(unlimited.spent) / 2
    stored_in, _, again_in, _ = _plans(day, budget)
    stored, again = optimiser.solve(stored_in), optimiser.solve(again_in)
    assert Decimal(stored.spent) <= budget < Decimal(unlimited.spent)
    assert stored.proposals == again.proposals and stored.value == again.value


def _before_plan_lines(run):
    """The run as one stored before the entries kept their plan lines: the plan rebuilds the lines."""
    EarlyWarning.objects.filter(last_run=run).update(plan_lines=None)


def test_the_stored_lines_are_the_recomputed_lines(dated):
    """The run stored each plannable entry's lines; nothing changed since, so the plan reads them
    (no history read, no rebuild) and they are the recomputation's lines, in its order."""
    day, run = dated
    assert run.inputs["versions"] and run.inputs == fetch.ew_fetch.input_state()
    again_in = fetch.plan_input(day, None, stored=False)[0]
    assert fetch.stored_lines(run) == list(again_in.lines)
    _before_plan_lines(run)
    assert fetch.stored_lines(run) is None
    assert fetch.plan_input(day, None)[0] == again_in


def test_the_plan_reads_the_stored_lines(dated):
    """The stored route takes a line's figures from the entry's stored plan lines (changed here)."""
    day, run = dated
    stored_in, used = fetch.plan_input(day, None)
    line = stored_in.lines[0]
    row = EarlyWarning.objects.get(last_run=run, is_active=True, region_id=line.region_id,
                                   occupation_id=line.occupation_code, quarter=line.quarter)
    changed = [[*r[:3], r[3] + 7, *r[4:]] if r[1] == line.id else r for r in row.plan_lines]
    EarlyWarning.objects.filter(pk=row.pk).update(plan_lines=changed)
    read = fetch.plan_input(day, None)[0].lines[0]
    assert (read.id, read.shortfall) == (line.id, line.shortfall + 7)


def test_a_report_changed_after_the_run_falls_back_to_the_rebuilt_lines(dated):
    """A report line written after the run (any write: the table's version moves) makes the stored lines
    inexact: the plan rebuilds them and gets the recomputation's plan, not the stored lines."""
    day, run = dated
    before = fetch.stored_lines(run)
    line = before[0]
    touched = GapReportLine.objects.filter(report__region_id=line.region_id, occupation_id=line.occupation_code).update(
        headcount=F("headcount") * 3 + 5)
    assert touched
    assert fetch.stored_lines(run) is None
    stored_in, used = fetch.plan_input(day, None)
    again_in = fetch.plan_input(day, None, stored=False)[0]
    assert used == run and stored_in == again_in
    assert list(again_in.lines) != before, "the change moved the plan's lines"
    stored, again = optimiser.solve(stored_in), optimiser.solve(again_in)
    assert stored.proposals == again.proposals and stored.value == again.value


def test_the_stored_route_reads_the_stored_figures(dated):
    """A one-line entry's figures come from its stored row (changed here), not from a match."""
    day, run = dated
    _before_plan_lines(run)
    stored_in, _ = fetch.plan_input(day, None)
    line = stored_in.lines[0]
    row = EarlyWarning.objects.get(last_run=run, is_active=True, region_id=line.region_id,
                                   occupation_id=line.occupation_code, quarter=line.quarter)
    assert row.context["lines"] == 1 and row.shortfall == line.shortfall
    EarlyWarning.objects.filter(pk=row.pk).update(shortfall=line.shortfall + 7)
    changed = fetch.plan_input(day, None)[0].lines[0]
    assert (changed.id, changed.shortfall) == (line.id, line.shortfall + 7)
    assert fetch.plan_input(day, None, stored=False)[0].lines[0].shortfall == line.shortfall


def test_an_entry_of_several_lines_is_matched_again(dated):
    """When the stored line count is not one (reported lines of a target quarter), that quarter is
    matched again: the same lines as the recomputation (here the count is changed to force it)."""
    day, run = dated
    _before_plan_lines(run)
    again_in = fetch.plan_input(day, None, stored=False)[0]
    line = again_in.lines[0]
    row = EarlyWarning.objects.get(last_run=run, is_active=True, region_id=line.region_id,
                                   occupation_id=line.occupation_code, quarter=line.quarter)
    EarlyWarning.objects.filter(pk=row.pk).update(context={**row.context, "lines": 2}, shortfall=line.shortfall + 7)
    stored_in, used = fetch.plan_input(day, None)
    assert used == run
    assert stored_in == again_in


def test_a_run_for_another_day_is_not_read(dated):
    day, _run = dated
    later = day + dt.timedelta(days=1)
    inp, used = fetch.plan_input(later, None)
    assert used is None
    assert inp == fetch.plan_input(later, None, stored=False)[0]


def test_the_service_plans_from_the_stored_run(dated):
    day, _run = dated
    plan = services.training_plan_compute(day, None)
    assert plan.status == PlanStatus.SUCCEEDED, plan.error
    assert plan.proposals.exists()


def test_a_line_changed_since_the_run_is_matched_again(dated):
    """A stored one-line entry whose rebuilt line no longer has its headcount (a report changed since
    the run) is not read: its quarter is matched again, as the recomputation does."""
    day, run = dated
    _before_plan_lines(run)
    again_in = fetch.plan_input(day, None, stored=False)[0]
    line = again_in.lines[-1]
    row = EarlyWarning.objects.get(last_run=run, is_active=True, region_id=line.region_id,
                                   occupation_id=line.occupation_code, quarter=line.quarter)
    EarlyWarning.objects.filter(pk=row.pk).update(headcount=row.headcount + 1, shortfall=line.shortfall + 7)
    assert fetch.plan_input(day, None)[0] == again_in


def _newer_run_of(day, run):
    """Another run of the same day, committed after `run`: its persist moves every entry to itself."""
    newer = early_warning_compute(day)
    assert newer.status == WarningRunStatus.SUCCEEDED and newer.pk != run.pk
    assert not EarlyWarning.objects.filter(last_run=run).exists()
    return newer


def test_a_run_replaced_while_the_plan_reads_it_is_read_again_as_the_newer_one(dated, monkeypatch):
    """The plan took `run` as its day's current run, and a newer run of the day committed before it read
    the entries (they then belong to the newer run: reading `run`'s would give none). The plan reads the
    newer run instead, and gets the recomputation's input, not an empty plan."""
    day, run = dated
    newer = _newer_run_of(day, run)
    with pytest.raises(fetch.Superseded):
        fetch.stored_lines(run)
    real, calls = fetch.current_run, []

    def read_just_before_the_newer_run_committed(today):
        calls.append(today)
        return run if len(calls) == 1 else real(today)

    monkeypatch.setattr(fetch, "current_run", read_just_before_the_newer_run_committed)
    got, used = fetch.plan_input(day, None)
    assert used == newer and len(calls) == 2
    assert got.lines and got == fetch.plan_input(day, None, stored=False)[0]


def test_when_a_newer_run_commits_at_every_read_the_plan_computes_the_warning(dated, monkeypatch):
    """Also on the route that rebuilds the lines (no stored lines): after READ_ATTEMPTS superseded reads the
    warning is computed in memory (no run), the same input."""
    day, run = dated
    _newer_run_of(day, run)
    EarlyWarning.objects.update(plan_lines=None)
    steps = []
    monkeypatch.setattr(fetch, "current_run", lambda today: run)
    got, used = fetch.plan_input(day, None, progress=steps.append)
    assert used is None
    assert steps == ["fetch", "early_warning", "lines"]
    assert got.lines and got == fetch.plan_input(day, None, stored=False)[0]
