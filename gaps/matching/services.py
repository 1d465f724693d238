"""Matching runs: create, claim, plan into chunks, execute chunks, finalise and swap (fetch -> compute -> persist).

The life of a run (a MatchRun row; every step is a service here, tasks in gaps/tasks.py only call them):

1. `match_run_create` -- a queued run (a queued run of the quarter that has not started is reused,
   so a burst of report submissions causes one run, not one per submission).
2. `match_run_plan` -- claims the quarter (a conditional update on its QuarterResults row: one
   running run per quarter, on PostgreSQL and SQLite alike), marks older queued runs superseded,
   splits the quarter's occupations into components and the components into chunks.
3. `match_chunk_execute` -- per chunk, possibly on several workers at once: fetch, compute, then in
   one transaction mark the chunk done (a conditional update, so a redelivered or duplicated chunk
   writes nothing twice), write its rows and add one to the run's `chunks_done`.
4. `match_run_finalize` -- once `chunks_done == chunks_total`, exactly one process (a conditional
   update on `finalized_at`) computes what spans components (MISDIRECTED_SUPPLY, RETOOL, OPEN,
   UNCODED_OCCUPATION, gaps), upserts the gaps and moves the quarter's pointer to this run -- all in
   one transaction, so readers switch from the previous complete results to these at once. A crash
   anywhere before that commit leaves the previous results in place.
5. `match_results_cleanup` -- deletes result rows of the quarter's superseded runs.

Coordination is through the database only (no Celery chord): the last chunk to finish finds
`chunks_done == chunks_total` and finalises.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from core.quarters import Quarter
from gaps.models import (
    Flag,
    GapReportLine,
    LineOutcome,
    MatchChunk,
    MatchRun,
    MatchRunStatus,
    QuarterResults,
    Recommendation,
)

from . import engine, fetch, persist
from .flags import FlagKind

logger = logging.getLogger(__name__)


class RunBusy(Exception):
    """Another run of the quarter holds the claim; try again when it finishes."""


def _stale_after() -> timedelta:
    # A claim older than the longest a task may live belongs to a run whose worker died.
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def match_run_create(*, quarter: str, trigger: str, user=None, reuse_queued: bool = True) -> MatchRun:
    """A queued run of the quarter (an existing queued one is reused). Validates the quarter."""
    return _create_or_reuse(quarter=quarter, trigger=trigger, user=user, reuse_queued=reuse_queued)[0]


def _create_or_reuse(*, quarter: str, trigger: str, user=None, reuse_queued: bool = True) -> tuple[MatchRun, bool]:
    """A queued run of the quarter, in the caller's transaction when there is one.

    A reused run is locked until the caller commits: a worker planning it waits for that commit
    (match_run_plan locks the run first), so it reads what the caller wrote. A queued run that
    another open transaction holds is skipped, not waited for: a new one is made instead (a burst
    of submissions never queues behind each other; the first run to start supersedes the rest).
    """
    quarter = str(Quarter.parse(quarter))
    with transaction.atomic():
        if reuse_queued:
            # A queued run older than a task may live lost its message; it is not reused.
            queued = (
                MatchRun.objects.select_for_update(skip_locked=True)
                .filter(quarter=quarter, status=MatchRunStatus.QUEUED, created_at__gte=timezone.now() - _stale_after())
                .order_by("-created_at")
                .first()
            )
            if queued is not None:
                return queued, False
        return MatchRun.objects.create(quarter=quarter, trigger=trigger, requested_by=user), True


def _quarter_row(quarter: str) -> QuarterResults:
    try:
        with transaction.atomic():
            row, _ = QuarterResults.objects.get_or_create(quarter=quarter)
    except IntegrityError:  # created concurrently by another run
        row = QuarterResults.objects.get(quarter=quarter)
    return row


def match_run_claim(*, run: MatchRun) -> bool:
    """Take the quarter's lock for this run; False while another live run holds it."""
    _quarter_row(run.quarter)
    now = timezone.now()
    claimed = (
        QuarterResults.objects.filter(quarter=run.quarter)
        .filter(Q(running_run__isnull=True) | Q(running_run=run) | Q(claimed_at__lt=now - _stale_after()))
        .update(running_run=run, claimed_at=now)
    )
    return bool(claimed)


def _partition(components: list[frozenset[str]], weights: dict[str, int], chunks: int) -> list[list[str]]:
    """Components into at most `chunks` groups of similar weight (largest first into the lightest)."""
    chunks = max(1, min(chunks, len(components)))
    bins: list[tuple[int, int, list[str]]] = [(0, i, []) for i in range(chunks)]
    ranked = sorted(components, key=lambda c: (-sum(weights.get(code, 0) + 1 for code in c), min(c)))
    for component in ranked:
        bins.sort()
        weight, i, codes = bins[0]
        codes.extend(sorted(component))
        bins[0] = (weight + sum(weights.get(code, 0) + 1 for code in component), i, codes)
    return [sorted(codes) for _, _, codes in sorted(bins, key=lambda b: b[1]) if codes]


def match_run_plan(*, run: MatchRun, chunks: int | None = None) -> list[MatchChunk]:
    """Claim the quarter and split the run into chunks. Raises RunBusy when another run holds it.

    Returns the chunks to execute (none when the run is no longer queued).
    """
    if not match_run_claim(run=run):
        raise RunBusy(run.quarter)
    started = time.monotonic()
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().get(pk=run.pk)
        if run.status != MatchRunStatus.QUEUED:
            return list(run.chunks.filter(done=False)) if run.status == MatchRunStatus.RUNNING else []
        # Runs queued before this one started read nothing this one will not read.
        MatchRun.objects.filter(
            quarter=run.quarter, status=MatchRunStatus.QUEUED, created_at__lte=timezone.now()
        ).exclude(pk=run.pk).update(status=MatchRunStatus.SUPERSEDED, finished_at=timezone.now())
        weights = fetch.line_counts_by_occupation(run.quarter)
        components = engine.plan_components(weights, fetch.program_occupation_sets())
        groups = _partition(components, weights, chunks or settings.MATCH_CHUNKS)
        rows = MatchChunk.objects.bulk_create(
            MatchChunk(run=run, number=i, occupation_codes=codes, line_count=sum(weights.get(c, 0) for c in codes))
            for i, codes in enumerate(groups)
        )
        run.status = MatchRunStatus.RUNNING
        run.started_at = timezone.now()
        run.chunks_total = len(rows)
        run.timings = {"plan": round(time.monotonic() - started, 3)}
        run.counts = {"components": len(components), "lines": sum(weights.values())}
        run.save(update_fields=["status", "started_at", "chunks_total", "timings", "counts"])
    return rows


class _Abandon(Exception):
    """Roll the chunk's transaction back: the run failed or the chunk was already written."""


def match_chunk_execute(*, chunk_id: int, worker: str = "") -> bool:
    """Match one chunk and write its rows. True when this chunk was the run's last one.

    Safe to run twice or on two workers at once: only the first to mark the chunk done writes.
    Raises on bad input (MatchInputError) -- the caller fails the run.
    """
    chunk = MatchChunk.objects.select_related("run").filter(pk=chunk_id).first()
    if chunk is None or chunk.done or chunk.run.status != MatchRunStatus.RUNNING:
        return False
    run = chunk.run
    t0 = time.monotonic()
    inp = fetch.fetch_chunk_input(run.quarter, chunk.occupation_codes)
    t1 = time.monotonic()
    partial = engine.match_components(inp)
    t2 = time.monotonic()
    try:
        with transaction.atomic():
            if not MatchChunk.objects.filter(pk=chunk.pk, done=False).update(
                done=True, finished_at=timezone.now(), worker=worker[:200]
            ):
                raise _Abandon
            if not MatchRun.objects.filter(pk=run.pk, status=MatchRunStatus.RUNNING).update(
                chunks_done=F("chunks_done") + 1
            ):
                raise _Abandon
            persist.write_partial(run, partial)
            MatchChunk.objects.filter(pk=chunk.pk).update(seconds=round(time.monotonic() - t0, 3))
            _add_timings(run.pk, fetch=t1 - t0, compute=t2 - t1, write=time.monotonic() - t2,
                         cohorts=len(inp.cohorts), programs=len(inp.programs))
            done, total = MatchRun.objects.filter(pk=run.pk).values_list("chunks_done", "chunks_total").get()
    except _Abandon:
        return False
    return done == total


def _add_timings(run_id: int, *, cohorts: int = 0, programs: int = 0, **seconds: float) -> None:
    """Add a chunk's seconds and input sizes to the run's totals (the run row is locked by now)."""
    run = MatchRun.objects.select_for_update().only("timings", "counts").get(pk=run_id)
    for key, value in seconds.items():
        run.timings[key] = round(run.timings.get(key, 0) + value, 3)
    run.counts["cohorts"] = run.counts.get("cohorts", 0) + cohorts
    run.counts["programs_read"] = run.counts.get("programs_read", 0) + programs
    MatchRun.objects.filter(pk=run_id).update(timings=run.timings, counts=run.counts)


def match_run_finalize(*, run_id: int) -> bool:
    """Cross-component results, gaps, and the swap -- once, in one transaction. True if it swapped."""
    t0 = time.monotonic()
    with transaction.atomic():
        now = timezone.now()
        if not MatchRun.objects.filter(
            pk=run_id, status=MatchRunStatus.RUNNING, finalized_at__isnull=True, chunks_done=F("chunks_total")
        ).update(finalized_at=now):
            return False
        run = MatchRun.objects.get(pk=run_id)
        final = _finalize_compute(run)
        persist.write_flags_and_recommendations(run, final.flags, final.recommendations)
        fresh_gap_ids = persist.upsert_gaps(run, final.gaps)
        # The swap: only while this run still holds the quarter's claim.
        if not QuarterResults.objects.filter(quarter=run.quarter, running_run=run).update(
            current_run=run, running_run=None, claimed_at=None
        ):
            raise RuntimeError(f"run {run.pk} lost the claim on {run.quarter} to another run")
        counts = dict(run.counts)
        counts["flags"] = dict(
            Flag.objects.filter(run=run).values_list("kind").annotate(n=Count("id")).order_by()
        )
        counts["recommendations"] = Recommendation.objects.filter(run=run).count()
        counts["gaps"] = len(final.gaps)
        counts["new_gaps"] = sum(1 for g in final.gaps if g.new_on_list)
        timings = dict(run.timings)
        timings["finalize"] = round(time.monotonic() - t0, 3)
        if run.started_at:
            timings["total"] = round((timezone.now() - run.started_at).total_seconds(), 3)
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRunStatus.SUCCEEDED, finished_at=timezone.now(), counts=counts, timings=timings
        )
        if fresh_gap_ids:
            transaction.on_commit(lambda: _notify_new_gaps(fresh_gap_ids))
        _notify_college_recommendations(run.pk)
    match_results_cleanup(quarter=run.quarter)
    return True


def _finalize_compute(run: MatchRun) -> engine.MatchResult:
    short_rows = LineOutcome.objects.filter(run=run, shortfall__gt=0)
    # The end date is not stored: nothing after the chunks reads it.
    outcomes = {
        line_id: engine.LineOutcome(line_id, need, need, covered, short, smin, smax)
        for line_id, covered, short, need, smin, smax in short_rows.values_list(
            "line_id", "covered", "shortfall", "need_date", "salary_min_cny", "salary_max_cny"
        )
    }
    lines = fetch.fetch_lines(GapReportLine.objects.filter(id__in=short_rows.values("line_id")))
    short_lines = [(line, outcomes[line.id]) for line in lines]
    surplus = dict(
        Flag.objects.filter(run=run, kind=FlagKind.OVERSUPPLY).values_list("cohort_id", "surplus")
    )
    from training.models import Cohort as CohortRow
    from training.models import Program as ProgramRow

    cohorts = fetch.fetch_cohorts(CohortRow.objects.filter(id__in=list(surplus)))
    programs = {p.id: p for p in fetch.fetch_programs(ProgramRow.objects.values("id"))}
    oversupplied = [engine.Oversupplied(c, programs[c.program_id], surplus[c.id]) for c in cohorts if c.program_id in programs]
    uncoded = fetch.fetch_lines(fetch.submitted_lines(run.quarter).filter(occupation__isnull=True))
    return engine.finalize(
        quarter=run.quarter, short_lines=short_lines, oversupplied=oversupplied, programs=list(programs.values()),
        uncoded_lines=uncoded, previous_gap_keys=fetch.previous_gap_keys(run.quarter),
    )


def _notify_new_gaps(gap_ids: list[int]) -> None:
    try:
        from projects.notifications import notify_new_gaps
    except ImportError:  # gap review (projects) not installed
        return
    notify_new_gaps(gap_ids)


def _notify_college_recommendations(run_id: int) -> None:
    """Mail colleges the recommendations this run newly addresses to them (sent after commit)."""
    try:
        from projects.notifications import notify_college_recommendations
    except ImportError:  # notifications (projects) not installed
        return
    notify_college_recommendations(run_id)


def match_run_fail(*, run_id: int, error: str) -> None:
    """Mark the run failed and release the quarter; the previous results stay current."""
    with transaction.atomic():
        MatchRun.objects.filter(pk=run_id, status__in=[MatchRunStatus.QUEUED, MatchRunStatus.RUNNING]).update(
            status=MatchRunStatus.FAILED, error=error[:10_000], finished_at=timezone.now()
        )
        QuarterResults.objects.filter(running_run_id=run_id).update(running_run=None, claimed_at=None)
    run = MatchRun.objects.filter(pk=run_id).only("quarter").first()
    if run is not None:
        match_results_cleanup(quarter=run.quarter)


def match_results_cleanup(*, quarter: str) -> None:
    """Delete the result rows of the quarter's runs that are neither current nor running."""
    row = QuarterResults.objects.filter(quarter=quarter).values("current_run_id", "running_run_id").first() or {}
    keep = [i for i in (row.get("current_run_id"), row.get("running_run_id")) if i]
    stale_runs = MatchRun.objects.filter(quarter=quarter).exclude(pk__in=keep).exclude(status=MatchRunStatus.QUEUED)
    stale_ids = list(stale_runs.values_list("id", flat=True))
    if not stale_ids:
        return
    for model in (Flag, Recommendation, LineOutcome):
        model.objects.filter(run_id__in=stale_ids).delete()


def match_quarter_inline(
    *, quarter: str, trigger: str, user=None, progress: Callable[[MatchRun], None] | None = None,
    chunks: int | None = None,
) -> MatchRun:
    """Run a quarter's matching in this process (the `match` command, bin/run). Raises RunBusy."""
    run = match_run_create(quarter=quarter, trigger=trigger, user=user, reuse_queued=False)
    try:
        pending = match_run_plan(run=run, chunks=chunks)
    except RunBusy:
        match_run_fail(run_id=run.pk, error=f"another run of {run.quarter} is in progress")
        raise
    except Exception as exc:
        match_run_fail(run_id=run.pk, error=str(exc))
        raise
    try:
        for chunk in pending:
            match_chunk_execute(chunk_id=chunk.pk, worker="inline")
            if progress:
                progress(MatchRun.objects.get(pk=run.pk))
        match_run_finalize(run_id=run.pk)
    except Exception as exc:
        match_run_fail(run_id=run.pk, error=str(exc))
        raise
    run.refresh_from_db()
    return run


def match_run_enqueue(*, quarter: str, trigger: str, user=None) -> MatchRun:
    """A queued run of the quarter written in the caller's transaction, and its message sent to
    Celery once that commits.

    The queued row is the outbox: it commits or rolls back with the change that needs the re-match,
    so an accepted change always has a run waiting for it, even when the broker is down at commit
    time. Sending never raises into the caller and never waits long (gaps.matching.scheduling.
    match_run_dispatch); a run whose message could not be sent is sent by the sweep
    (gaps.tasks.match_dispatch_sweep_task, every MATCH_SWEEP_SECONDS). A reused run that was
    already sent is not sent again.
    """
    from .scheduling import dispatch_after_commit

    run, created = _create_or_reuse(quarter=quarter, trigger=trigger, user=user)
    # Registered even when there is nothing to send: schedule_quarter_rematch looks for it to
    # do all this once per quarter and transaction.
    callback = functools.partial(dispatch_after_commit, run.pk, send=created or run.dispatched_at is None)
    callback.rematch_quarter = run.quarter
    transaction.on_commit(callback)
    return run


def open_quarters(today) -> list[str]:
    """Quarters the nightly re-match covers: the current one, and later ones with a submitted report."""
    from gaps.models import GapReport, ReportStatus

    current = Quarter.containing(today)
    later = {
        q for q in GapReport.objects.filter(status=ReportStatus.SUBMITTED).values_list("quarter", flat=True).distinct()
        if Quarter.parse(q) > current
    }
    return sorted({str(current)} | later)
