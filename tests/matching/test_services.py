"""Runs against the database: fetch -> compute -> persist, the swap, idempotency, locking, failures."""

from __future__ import annotations

import datetime as dt
import socket
from decimal import Decimal

import pytest

from gaps.matching import services
from gaps.matching.flags import FlagKind
from gaps.matching.scheduling import quarters_affected_by_graduation, schedule_cohort_rematch
from gaps.matching.selectors import current_run, flags_current, gaps_current, recommendations_current
from gaps.matching.types import MatchInputError
from gaps.models import Flag, Gap, LineOutcome, MatchRun, MatchRunStatus, QuarterResults, Recommendation

from . import seed

pytestmark = pytest.mark.django_db


def run_inline(**kw):
    return services.match_quarter_inline(quarter="2026Q3", trigger="command", **kw)


def flag_objects(quarter="2026Q3"):
    return sorted((f.as_json() for f in flags_current(quarter=quarter)), key=lambda f: sorted((k, str(v)) for k, v in f.items()))


def test_a_run_writes_flags_recommendations_and_gaps_and_becomes_current():
    seed.seed_quarter()
    run = run_inline()
    assert run.status == MatchRunStatus.SUCCEEDED and run.chunks_done == run.chunks_total >= 1
    assert current_run("2026Q3") == run
    kinds = {f.kind for f in flags_current(quarter="2026Q3")}
    assert kinds == {
        FlagKind.UNMET_DEMAND, FlagKind.OVERSUPPLY, FlagKind.MISDIRECTED_SUPPLY, FlagKind.TIMING_MISMATCH,
        FlagKind.UNCODED_OCCUPATION,
    }
    misdirected = flags_current(quarter="2026Q3").get(kind=FlagKind.MISDIRECTED_SUPPLY).as_json()
    assert misdirected["occupation_code"] == "7515" and misdirected["target_occupation_code"] == "8341"
    assert misdirected["count"] == 40 and misdirected["college_code"] == "GANSU-VC"
    retool = recommendations_current(quarter="2026Q3").get(kind="RETOOL")
    # 350,000-450,000 KZT at 0.0145 = 5,075-6,525 CNY; midpoint 5,800 x 40 x 0.5.
    assert retool.salary_min_cny == Decimal("5075.00") and retool.currency == "KZT"
    assert retool.score == Decimal("116000.00")
    gaps = {(g.region.code, g.occupation_id): g for g in gaps_current(quarter="2026Q3")}
    assert set(gaps) == {("EKZ", "8341"), ("HORGOS", "7126")}
    assert gaps[("EKZ", "8341")].shortfall == 40 and gaps[("EKZ", "8341")].new_on_list
    assert run.counts["flags"][FlagKind.MISDIRECTED_SUPPLY] == 1


def test_a_line_whose_season_starts_after_its_quarter_sees_cohorts_graduating_before_its_need_date():
    """SPEC.md revision 2 (issue 17, point 5): E is never before N, and the fetch reads every cohort
    from min(N) - window to max(E), so the cohort graduating between the quarter's end and N counts."""
    seed.occupations()
    ekz = seed.region("EKZ")
    seed.report(ekz, lines=[{"occupation": "8341", "headcount": 10, "season_start": dt.date(2026, 11, 1)}])
    harvest = seed.program("EKZ-AGRO", "HARVEST", ["8341"], serves=[ekz])
    seed.cohort(harvest, 10, dt.date(2026, 10, 15))  # after 2026Q3's end, before N
    run = run_inline()
    (outcome,) = LineOutcome.objects.filter(run=run)
    assert (outcome.need_date, outcome.covered, outcome.shortfall) == (dt.date(2026, 11, 1), 10, 0)
    assert not flags_current(quarter="2026Q3").exists()


def test_the_late_drip_class_gets_a_reschedule_with_the_latest_intake_date():
    rows = seed.seed_quarter()
    run_inline()
    rec = recommendations_current(quarter="2026Q3").get(kind="RESCHEDULE")
    assert rec.college_code == "XJ-SOLAR" and rec.need_date == dt.date(2026, 7, 1)
    duration = dt.date(2026, 7, 20) - dt.date(2026, 3, 1)
    assert rec.latest_intake_date == dt.date(2026, 7, 1) - duration
    assert rec.program_id == rows["solar"].pk


def test_running_twice_gives_the_same_results_and_keeps_gap_rows(settings):
    settings.MATCH_SKIP_UNCHANGED = False  # a re-run that computes (the shortcut: test_unchanged.py)
    seed.seed_quarter()
    first = run_inline()
    before, gap_ids = flag_objects(), set(Gap.objects.values_list("id", flat=True))
    second = run_inline()
    assert flag_objects() == before
    assert set(Gap.objects.values_list("id", flat=True)) == gap_ids
    # The superseded run's result rows are cleaned up; the run record stays as history.
    assert not Flag.objects.filter(run=first).exists() and not LineOutcome.objects.filter(run=first).exists()
    assert MatchRun.objects.filter(pk=first.pk).exists() and current_run("2026Q3") == second


def test_a_gap_no_longer_short_is_deactivated_not_deleted():
    rows = seed.seed_quarter()
    run_inline()
    gap = Gap.objects.get(region=rows["ekz"], occupation_id="8341")
    operators = seed.program("EKZ-AGRO", "HARVEST", ["8341"], sector="A", serves=[rows["ekz"]])
    seed.cohort(operators, 40, dt.date(2026, 7, 15))
    run_inline()
    gap.refresh_from_db()
    assert gap.is_active is False
    assert not gaps_current(quarter="2026Q3").filter(pk=gap.pk).exists()


def test_new_on_list_looks_back_four_quarters():
    rows = seed.seed_quarter()
    Gap.objects.create(region=rows["ekz"], quarter="2025Q3", occupation_id="8341", is_active=True)  # 4 back
    Gap.objects.create(region=rows["horgos"], quarter="2025Q2", occupation_id="7126", is_active=True)  # 5 back
    run_inline()
    assert Gap.objects.get(quarter="2026Q3", occupation_id="8341").new_on_list is False
    assert Gap.objects.get(quarter="2026Q3", occupation_id="7126").new_on_list is True


def test_a_failed_run_leaves_the_previous_results_current():
    rows = seed.seed_quarter()
    good = run_inline()
    before = flag_objects()
    seed.report(seed.region("ILI", "CN"), lines=[{"occupation": "8341", "headcount": 3, "currency": "USD"}])
    with pytest.raises(MatchInputError, match="USD"):
        run_inline()
    failed = MatchRun.objects.exclude(pk=good.pk).get()
    assert failed.status == MatchRunStatus.FAILED and "USD" in failed.error and "2026-07-01" in failed.error
    assert current_run("2026Q3") == good and flag_objects() == before
    assert QuarterResults.objects.get(quarter="2026Q3").running_run is None  # the quarter is free again
    assert rows  # seed used


def test_a_run_stopped_between_chunks_is_invisible_until_it_completes(settings):
    settings.MATCH_SKIP_UNCHANGED = False  # a re-run that computes (the shortcut: test_unchanged.py)
    seed.seed_quarter()
    good = run_inline()
    before = flag_objects()
    run = services.match_run_create(quarter="2026Q3", trigger="manual")
    chunks = services.match_run_plan(run=run, chunks=2)
    assert len(chunks) == 2
    assert services.match_chunk_execute(chunk_id=chunks[0].pk) is False  # not the last chunk
    # Half-written: readers still see the previous complete run.
    assert current_run("2026Q3") == good and flag_objects() == before
    assert services.match_chunk_execute(chunk_id=chunks[1].pk) is True
    assert services.match_run_finalize(run_id=run.pk) is True
    assert current_run("2026Q3").pk == run.pk and flag_objects() == before


def test_two_runs_of_a_quarter_never_interleave():
    seed.seed_quarter()
    first = services.match_run_create(quarter="2026Q3", trigger="manual")
    second = services.match_run_create(quarter="2026Q3", trigger="manual", reuse_queued=False)
    chunks = services.match_run_plan(run=first)
    with pytest.raises(services.RunBusy):
        services.match_run_plan(run=second)
    with pytest.raises(services.RunBusy):
        run_inline()
    for chunk in chunks:
        services.match_chunk_execute(chunk_id=chunk.pk)
    services.match_run_finalize(run_id=first.pk)
    # Planning `first` superseded `second`, which was queued before it started.
    second.refresh_from_db()
    assert second.status == MatchRunStatus.SUPERSEDED
    assert run_inline().status == MatchRunStatus.SUCCEEDED


def test_a_chunk_executed_twice_writes_once_and_finalize_runs_once():
    seed.seed_quarter()
    run = services.match_run_create(quarter="2026Q3", trigger="manual")
    (chunk,) = services.match_run_plan(run=run, chunks=1)
    assert services.match_chunk_execute(chunk_id=chunk.pk) is True
    assert services.match_chunk_execute(chunk_id=chunk.pk) is False
    assert services.match_run_finalize(run_id=run.pk) is True
    assert services.match_run_finalize(run_id=run.pk) is False
    assert LineOutcome.objects.filter(run=run).count() == 3  # the coded lines of submitted reports
    assert Flag.objects.filter(run=run, kind=FlagKind.MISDIRECTED_SUPPLY).count() == 1


def test_a_queued_run_is_reused_by_a_burst_of_triggers():
    a = services.match_run_create(quarter="2026Q3", trigger="report_submitted")
    b = services.match_run_create(quarter="2026Q3", trigger="report_submitted")
    assert a.pk == b.pk


def test_a_bad_quarter_is_refused():
    with pytest.raises(ValueError, match="2026Q9"):
        services.match_run_create(quarter="2026Q9", trigger="manual")


def test_a_quarter_with_nothing_to_match_succeeds_empty():
    run = services.match_quarter_inline(quarter="2030Q1", trigger="command")
    assert run.status == MatchRunStatus.SUCCEEDED and not flags_current(quarter="2030Q1").exists()


def test_cohort_changes_affect_the_quarters_up_to_the_supply_window_after_graduation():
    assert quarters_affected_by_graduation(dt.date(2026, 6, 30)) == ["2026Q2", "2026Q3", "2026Q4"]
    assert quarters_affected_by_graduation(dt.date(2026, 1, 1)) == ["2026Q1", "2026Q2"]  # + 180 d = 30 June


def test_scheduling_queues_runs_in_the_transaction_and_sends_them_after_commit_only(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        quarters = schedule_cohort_rematch([dt.date(2026, 6, 30), None])
        schedule_cohort_rematch([dt.date(2026, 6, 30)])  # once per quarter and transaction
    assert quarters == ["2026Q2", "2026Q3", "2026Q4"]
    assert len(callbacks) == 3
    # The queued runs are the outbox, written with the change; nothing is sent before the commit.
    runs = MatchRun.objects.order_by("quarter")
    assert [(r.quarter, r.status, r.dispatched_at) for r in runs] == [
        (q, MatchRunStatus.QUEUED, None) for q in quarters
    ]


def test_report_submission_queues_a_run_of_its_quarter(django_capture_on_commit_callbacks, settings):
    from gaps.services import report_create, report_line_add, report_submit

    seed.occupations()
    region = seed.region("EKZ")
    report = report_create(region=region, quarter="2026Q3")
    report_line_add(report=report, occupation_id="8341", headcount=3, salary_min=Decimal(1), salary_max=Decimal(2), currency="CNY")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_submit(report=report)
    assert len(callbacks) == 1
    run = MatchRun.objects.get()  # queued with the submission, not sent yet
    assert run.quarter == "2026Q3" and run.trigger == "report_submitted" and run.status == MatchRunStatus.QUEUED
    assert run.dispatched_at is None
    callbacks[0]()  # the commit happened: its task is handed to Celery
    run.refresh_from_db()
    assert run.dispatched_at is not None and run.status == MatchRunStatus.QUEUED


def test_open_quarters_are_the_current_and_later_reported_ones():
    seed.seed_quarter()  # 2026Q3 reports
    assert services.open_quarters(dt.date(2026, 5, 1)) == ["2026Q2", "2026Q3"]
    assert services.open_quarters(dt.date(2026, 10, 1)) == ["2026Q4"]


def test_officials_of_regions_without_a_report_get_a_reminder(make_user, mailoutbox):
    from gaps.matching.reminders import remind_missing_reports

    rows = seed.seed_quarter()
    ili = seed.region("ILI", "CN")
    ili.name_en, ili.name_ru = "Ili Prefecture", "Илийский округ"
    ili.save()
    make_user("official", regions=[ili], email="ili@example.org")
    make_user("official", regions=[rows["ekz"]], email="ekz@example.org")  # EKZ reported
    make_user("official", regions=[ili])  # no address
    assert remind_missing_reports(today=dt.date(2026, 8, 1)) == 1
    (mail,) = mailoutbox
    assert mail.to == ["ili@example.org"]
    # The quarter and the region as people say them, and the day to submit by.
    assert mail.subject == "talentgap: the Q3 2026 report of Ili Prefecture (ILI) is missing"
    assert "Submit it by the quarter's last day, 30 Sep 2026 (60 days left)." in mail.body


def test_the_missing_report_reminder_is_in_the_officials_language(make_user, mailoutbox):
    from gaps.matching.reminders import remind_missing_reports

    seed.seed_quarter()
    ili = seed.region("ILI", "CN")
    ili.name_en, ili.name_ru = "Ili Prefecture", "Илийский округ"
    ili.save()
    make_user("official", regions=[ili], email="ili@example.org", preferred_language="ru")
    assert remind_missing_reports(today=dt.date(2026, 9, 30)) == 1
    (mail,) = mailoutbox
    assert mail.subject == "talentgap: нет отчёта за 3-й квартал 2026 г. — Илийский округ (ILI)"
    assert "30 сентября 2026 г. (сегодня)" in mail.body and "Submit" not in mail.body


def test_cohort_changes_queue_one_rematch_per_affected_quarter(django_capture_on_commit_callbacks):
    from django.db import transaction

    from training.services import cohort_create, cohort_update

    seed.occupations()
    prog = seed.program("GANSU-VC", "GRADERS", ["7515"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            cohort = cohort_create(program=prog, seats=10, intake_date=dt.date(2025, 9, 1), graduation_date=dt.date(2026, 6, 30))
            cohort_create(program=prog, seats=10, intake_date=dt.date(2025, 9, 2), graduation_date=dt.date(2026, 6, 29))
    # Two cohorts, three quarters each, one callback per quarter; each queued one run.
    assert len([c for c in callbacks if getattr(c, "rematch_quarter", None)]) == 3
    assert sorted(MatchRun.objects.values_list("quarter", flat=True)) == ["2026Q2", "2026Q3", "2026Q4"]
    with django_capture_on_commit_callbacks(execute=True):
        cohort_update(cohort=cohort, graduation_date=dt.date(2026, 12, 1))  # moves into 2026Q4..2027Q2
    # Queued runs are reused; the new quarters get theirs.
    assert sorted(MatchRun.objects.values_list("quarter", flat=True)) == [
        "2026Q2", "2026Q3", "2026Q4", "2027Q1", "2027Q2",
    ]


def test_reviewers_hear_of_new_gaps_once_when_a_run_swaps_in(make_user, mailoutbox, django_capture_on_commit_callbacks):
    seed.seed_quarter()
    make_user("reviewer", email="reviewer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        run_inline()
    (mail,) = mailoutbox
    assert mail.subject == "2 new gaps await review" and "EKZ" in mail.body
    with django_capture_on_commit_callbacks(execute=True):
        run_inline()  # the same gaps again: nothing new to announce
    assert len(mailoutbox) == 1


def test_colleges_hear_of_their_new_recommendations_once_across_swaps(make_user, mailoutbox, django_capture_on_commit_callbacks):
    """The second run makes the same recommendations; the previous run's rows are cleaned up after
    the swap, so what is new has to be decided before that."""
    from training.models import College

    seed.seed_quarter()
    make_user("college_staff", colleges=[College.objects.get(code="GANSU-VC")], email="gansu@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        run_inline()
    gansu = [m for m in mailoutbox if m.to == ["gansu@example.org"]]
    assert len(gansu) == 1 and "- Retool GRADERS" in gansu[0].body and "GANSU-VC" not in gansu[0].to
    with django_capture_on_commit_callbacks(execute=True):
        run_inline()
    assert len([m for m in mailoutbox if m.to == ["gansu@example.org"]]) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real commits, as in production
def test_a_mail_server_that_refuses_does_not_undo_a_swapped_run(make_user, settings, caplog):
    """The recommendation mails are composed and sent after the swap: with the SMTP server refusing
    connections the run is still current, the previous run's rows are still cleaned up, and the
    failure is logged."""
    from training.models import College

    seed.seed_quarter()
    make_user("college_staff", colleges=[College.objects.get(code="GANSU-VC")], email="gansu@example.org")
    first = run_inline()
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    Recommendation.objects.filter(run=first).delete()  # so that the second run's advice is new
    settings.MATCH_SKIP_UNCHANGED = False  # a re-run that computes (the shortcut: test_unchanged.py)
    second = run_inline()
    assert second.status == MatchRunStatus.SUCCEEDED and current_run("2026Q3") == second
    assert not Flag.objects.filter(run=first).exists()  # cleaned up after the mails failed
    assert "finalize_notify" in MatchRun.objects.get(pk=second.pk).timings
    assert any("recommendation mails" in r.getMessage() and r.exc_info for r in caplog.records)


def test_the_flag_revision_queues_a_rematch_of_the_open_quarters_only():
    """gaps/0011: results of the current and later quarters were computed under revision 1; a queued
    run of each re-matches them (the sweep sends it), and no run reuses revision-1 rows."""
    from django.apps import apps

    from gaps.matching.scheduling import queue_open_quarters_rematch

    seed.seed_quarter()
    for quarter in ("2026Q2", "2026Q3", "2027Q1"):
        services.match_quarter_inline(quarter=quarter, trigger="command")
    queued = queue_open_quarters_rematch(apps, today=dt.date(2026, 8, 1))
    assert queued == ["2026Q3", "2027Q1"]
    runs = MatchRun.objects.filter(status=MatchRunStatus.QUEUED).order_by("quarter")
    assert [(r.quarter, r.trigger, r.dispatched_at) for r in runs] == [
        ("2026Q3", "rules_changed", None), ("2027Q1", "rules_changed", None)]
    assert queue_open_quarters_rematch(apps, today=dt.date(2026, 8, 1)) == queued  # once
    assert MatchRun.objects.filter(status=MatchRunStatus.QUEUED).count() == 2
