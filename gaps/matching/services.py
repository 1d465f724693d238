"""Matching runs: create, claim, plan into chunks, execute chunks, finalise and swap (fetch -> compute -> persist).

The life of a run (a MatchRun row; every step is a service here, tasks in gaps/tasks.py only call them):

1. `match_run_create` -- a queued run (a queued run of the quarter that has not started is reused,
   so a burst of report submissions causes one run, not one per submission).
2. `match_run_plan` -- claims the quarter (a conditional update on its QuarterResults row: one
   running run per quarter, on PostgreSQL and SQLite alike), marks older queued runs superseded,
   reads the input's signature (gaps.matching.inputs) and, when it equals the current run's, ends
   the run at once as "nothing changed since run N" (the current results stay); otherwise splits
   the quarter's occupations into components and the components into chunks.
3. `match_chunk_execute` -- per chunk, possibly on several workers at once: fetch, compute, then in
   one transaction mark the chunk done (a conditional update, so a redelivered or duplicated chunk
   writes nothing twice), write its rows and add one to the run's `chunks_done`.
4. `match_run_finalize` -- once `chunks_done == chunks_total`, exactly one process (a conditional
   update on `finalized_at`) computes what spans components (MISDIRECTED_SUPPLY, RETOOL, OPEN,
   UNCODED_OCCUPATION, gaps), upserts the gaps and moves the quarter's pointer to this run -- all in
   one transaction, so readers switch from the previous complete results to these at once. A crash
   anywhere before that commit leaves the previous results in place.
5. `match_run_announce` -- a task of its own, sent once the swap committed: the mails of the run
   (match_run_finished; projects subscribes), then `match_results_cleanup`, which deletes result
   rows of the quarter's superseded runs (never those an announcement still to come compares with).

Coordination is through the database only (no Celery chord): the last chunk to finish finds
`chunks_done == chunks_total` and finalises.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
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

from . import engine, fetch, inputs, persist, reuse, scheduling, signals
from . import lead_times as leads
from .scheduling import _create_or_reuse, _stale_after, match_run_enqueue  # noqa: F401 - match_run_enqueue: part of this API
from .flags import FlagKind
from .recommendations import Recommendation as RecommendationData
from .types import MatchInput

logger = logging.getLogger(__name__)


class RunBusy(Exception):
    """Another run of the quarter holds the claim; try again when it finishes."""


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while a run builds its millions of short-lived tuples and
    dataclasses (none of them in cycles): the collector's full passes over them cost a third of
    the matching time. Reference counting still frees everything; collection resumes after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def match_run_create(*, quarter: str, trigger: str, user=None, reuse_queued: bool = True) -> MatchRun:
    """A queued run of the quarter (an existing queued one is reused). Validates the quarter."""
    return _create_or_reuse(quarter=quarter, trigger=trigger, user=user, reuse_queued=reuse_queued)[0]


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
    inputs.compact()
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().get(pk=run.pk)
        if run.status != MatchRunStatus.QUEUED:
            return list(run.chunks.filter(done=False)) if run.status == MatchRunStatus.RUNNING else []
        # Runs queued before this one started read nothing this one will not read.
        MatchRun.objects.filter(
            quarter=run.quarter, status=MatchRunStatus.QUEUED, created_at__lte=timezone.now()
        ).exclude(pk=run.pk).update(status=MatchRunStatus.SUPERSEDED, finished_at=timezone.now())
        # Before anything of the input is read (gaps.matching.inputs: why that is exact).
        signature = inputs.input_signature(run.quarter)
        if _finish_unchanged(run, signature, started):
            return []
        run.input_signature = signature
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
        run.save(update_fields=["status", "started_at", "chunks_total", "timings", "counts", "input_signature"])
    return rows


def _finish_unchanged(run: MatchRun, signature: dict, started: float) -> bool:
    """When the quarter's current run read an input with the same signature: end this run as
    "nothing changed since run N" -- no chunks, no rows, no swap, no notifications; the current
    results stay (the claim is released here). False when the input changed (or
    settings.MATCH_SKIP_UNCHANGED is off)."""
    if not settings.MATCH_SKIP_UNCHANGED:
        return False
    current = (
        QuarterResults.objects.filter(quarter=run.quarter, current_run__status=MatchRunStatus.SUCCEEDED)
        .values_list("current_run_id", "current_run__input_signature").first()
    )
    if current is None or current[0] == run.pk or not current[1] or current[1] != signature:
        return False
    now = timezone.now()
    run.status = MatchRunStatus.SUCCEEDED
    run.unchanged_since_id = current[0]
    run.input_signature = signature
    run.started_at = run.finished_at = run.finalized_at = now
    seconds = round(time.monotonic() - started, 3)
    run.timings = {"check": seconds, "total": seconds}
    run.counts = {"unchanged_since": current[0]}
    run.save(update_fields=["status", "unchanged_since", "input_signature", "started_at", "finished_at",
                            "finalized_at", "timings", "counts"])
    QuarterResults.objects.filter(quarter=run.quarter, running_run=run).update(running_run=None, claimed_at=None)
    logger.info("match run %s of %s: nothing changed since run %s", run.pk, run.quarter, current[0])
    return True


# (run id, input, partial result) of the chunk this process matched last: when it was the run's
# only chunk, finalize (called next in the same process) reuses it instead of reading it all again.
_last_chunk: tuple | None = None


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
    with _gc_paused():
        inp = fetch.fetch_chunk_input(run.quarter, chunk.occupation_codes)
        t1 = time.monotonic()
        digests, reused, previous_run_id, todo = _reusable_components(run, inp)
        partial = engine.match_components(todo)
        ahead = _finalize_ahead(run, inp, partial) if run.chunks_total == 1 and not reused else None
    t2 = time.monotonic()
    try:
        with transaction.atomic(), _gc_paused():
            if not MatchChunk.objects.filter(pk=chunk.pk, done=False).update(
                done=True, finished_at=timezone.now(), worker=worker[:200]
            ):
                raise _Abandon
            if not MatchRun.objects.filter(pk=run.pk, status=MatchRunStatus.RUNNING).update(
                chunks_done=F("chunks_done") + 1
            ):
                raise _Abandon
            persist.write_partial(run, partial)
            for key, part in reused.items():
                reuse.copy_component_rows(
                    from_run_id=previous_run_id, to_run_id=run.pk, codes=key.split(","),
                    line_ids=[line.id for line in part.lines],
                )
            MatchChunk.objects.filter(pk=chunk.pk).update(
                seconds=round(time.monotonic() - t0, 3), component_digests=digests, reused=sorted(reused)
            )
            faults = list(partial.faults)
            for part in reused.values():  # their lines were not computed again: their faults neither
                faults.extend(engine.line_faults(part))
            _add_timings(run.pk, fetch=t1 - t0, compute=t2 - t1, write=time.monotonic() - t2,
                         cohorts=len(inp.cohorts), programs=len(inp.programs), faults=faults)
            done, total = MatchRun.objects.filter(pk=run.pk).values_list("chunks_done", "chunks_total").get()
    except _Abandon:
        return False
    global _last_chunk
    _last_chunk = (run.pk, ahead) if total == 1 and ahead is not None else None
    return done == total


def _finalize_ahead(run: MatchRun, inp, partial) -> tuple:
    """For a run's only chunk: finalize's input from the chunk in memory, and its flags (mostly
    MISDIRECTED_SUPPLY, which follow from this chunk alone) started in a thread while the
    chunk's rows are written. finalize, next in this process, picks them up (`_last_chunk`).
    (The flags themselves are built as they are written: engine.misdirected_pairs.)"""
    short_lines, oversupplied, programs = _finalize_input_from_chunk(inp, partial)
    uncoded = fetch.fetch_lines(fetch.submitted_lines(run.quarter).filter(occupation__isnull=True))
    pool = ThreadPoolExecutor(max_workers=1)
    pairs = pool.submit(engine.misdirected_pairs, short_lines=short_lines, oversupplied=oversupplied)
    pool.shutdown(wait=False)
    return short_lines, oversupplied, programs, uncoded, pairs


def _reusable_components(run: MatchRun, inp):
    """(digest per component, the components whose rows the current run's can stand for -- by
    key, with their input --, that run's id, the input still to compute).

    A component is reused when the quarter's current run matched the same occupations from an
    input with the same digest (gaps.matching.reuse). PostgreSQL only (rows copied in SQL). With
    settings.MATCH_REUSE_RESULTS off, every component is computed (the digests are still kept)."""
    if connection.vendor != "postgresql":
        return {}, {}, None, inp
    components = engine.plan_components(
        (line.occupation_code for line in inp.lines if line.occupation_code), (p.occupation_codes for p in inp.programs)
    )
    parts = reuse.split_input(inp, components)
    digests = {key: reuse.component_digest(part) for key, part in parts.items()}
    if not settings.MATCH_REUSE_RESULTS:
        return digests, {}, None, inp
    previous = (
        QuarterResults.objects.filter(quarter=run.quarter, current_run__status=MatchRunStatus.SUCCEEDED)
        .values_list("current_run_id", flat=True).first()
    )
    if previous is None or previous == run.pk:
        return digests, {}, None, inp
    before: dict[str, str] = {}
    for row in MatchChunk.objects.filter(run_id=previous).values_list("component_digests", flat=True):
        before.update(row or {})
    reused = {key: parts[key] for key, digest in digests.items() if before.get(key) == digest}
    if not reused:
        return digests, {}, previous, inp
    todo_keys = [key for key in parts if key not in reused]
    todo = MatchInput(
        quarter=inp.quarter,
        lines=tuple(line for key in todo_keys for line in parts[key].lines),
        programs=tuple(p for key in todo_keys for p in parts[key].programs),
        cohorts=tuple(c for key in todo_keys for c in parts[key].cohorts),
        rates=inp.rates, reported_region_ids=inp.reported_region_ids, settings=inp.settings,
    )
    return digests, reused, previous, todo


def _add_timings(run_id: int, *, cohorts: int = 0, programs: int = 0, faults=(), **seconds: float) -> None:
    """Add a chunk's seconds, input sizes and left-out lines to the run's (the run row is locked by now)."""
    run = MatchRun.objects.select_for_update().only("timings", "counts", "line_faults").get(pk=run_id)
    for key, value in seconds.items():
        run.timings[key] = round(run.timings.get(key, 0) + value, 3)
    run.counts["cohorts"] = run.counts.get("cohorts", 0) + cohorts
    run.counts["programs_read"] = run.counts.get("programs_read", 0) + programs
    line_faults = sorted(run.line_faults + [f.as_json() for f in faults], key=lambda f: (f["region_code"], f["line_no"]))
    if faults:
        logger.warning("match run %s left out %d line(s): %s", run_id, len(faults),
                       "; ".join(f"{f.region_code} #{f.line_no}: {f.message}" for f in faults))
    MatchRun.objects.filter(pk=run_id).update(timings=run.timings, counts=run.counts, line_faults=line_faults)


def match_run_finalize(*, run_id: int, announce_here: bool = False) -> bool:
    """Cross-component results, gaps, and the swap -- once, in one transaction. True if it swapped.

    Once the swap commits, the run's announcement (match_run_announce: the mails, then the
    clean-up) goes to the workers as a task of its own; `announce_here`: run it in this process
    instead (match_quarter_inline: the `match` command, bin/run)."""
    global _last_chunk
    kept, _last_chunk = _last_chunk, None  # never held past this call, whatever happens below
    t0 = time.monotonic()
    with transaction.atomic(), _gc_paused():
        now = timezone.now()
        if not MatchRun.objects.filter(
            pk=run_id, status=MatchRunStatus.RUNNING, finalized_at__isnull=True, chunks_done=F("chunks_total")
        ).update(finalized_at=now):
            return False
        run = MatchRun.objects.get(pk=run_id)
        steps: dict[str, float] = {}
        final = _finalize_compute_and_write(run, steps, kept)
        fresh_gap_ids = persist.upsert_gaps(run, final.gaps)
        # The review queue's act-by reads these instead of aggregating every cohort per request.
        t_leads = time.monotonic()
        lead_times = leads.stored_form(g.occupation_code for g in final.gaps)
        steps["finalize_lead_times"] = time.monotonic() - t_leads
        # The swap: only while this run still holds the quarter's claim.
        if not QuarterResults.objects.filter(quarter=run.quarter, running_run=run).update(
            current_run=run, running_run=None, claimed_at=None
        ):
            raise RuntimeError(f"run {run.pk} lost the claim on {run.quarter} to another run")
        t_hooks = time.monotonic()
        counts = dict(run.counts)
        # The review side stores its evidence previews here (projects subscribes): in the swap.
        for _receiver, answer in signals.match_run_swapped.send(sender=MatchRun, run=run):
            counts.update(answer or {})
        steps["swap_hooks"] = time.monotonic() - t_hooks
        counts["flags"] = dict(
            Flag.objects.filter(run=run).values_list("kind").annotate(n=Count("id")).order_by()
        )
        counts["recommendations"] = Recommendation.objects.filter(run=run).count()
        counts["gaps"] = len(final.gaps)
        counts["new_gaps"] = sum(1 for g in final.gaps if g.new_on_list)
        timings = dict(run.timings)
        timings.update({key: round(value, 3) for key, value in steps.items()})
        timings["finalize"] = round(time.monotonic() - t0, 3)
        if run.started_at:
            timings["total"] = round((timezone.now() - run.started_at).total_seconds(), 3)
        # The new gaps are stored for the announcement sweep: what was active before is gone now.
        run_id, new_gap_ids = run.pk, list(fresh_gap_ids)
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRunStatus.SUCCEEDED, finished_at=timezone.now(), counts=counts, timings=timings,
            announce_gap_ids=new_gap_ids, lead_times=lead_times,
        )
        # The mails and the clean-up are a task of their own, sent once the swap has committed: the
        # results are visible now, and nobody waits for the mails (in-process, eager, it runs at once).
        # A message the broker loses is sent again by scheduling.announcement_sweep.
        if not announce_here:
            transaction.on_commit(lambda: scheduling.send_announcement(run_id, new_gap_ids))
    if announce_here:  # the mails themselves go out when the caller's transaction (if any) commits
        match_run_announce(run_id=run_id, new_gap_ids=new_gap_ids)
    return True


# How long a succeeded run's announcement may be pending (scheduling.ANNOUNCE_PENDING_FOR).
ANNOUNCE_PENDING_FOR = scheduling.ANNOUNCE_PENDING_FOR


def match_run_announce(*, run_id: int, new_gap_ids: list[int]) -> bool:
    """After the swap, in a task of its own (gaps.tasks.match_run_announce_task): match_run_finished
    to whoever subscribed (the mails: projects), its seconds recorded as the run's `finalize_notify`
    timing, which also marks the run announced; then the clean-up of the quarter's superseded runs'
    rows and ANALYZE. Once per run: False when it was already announced or another delivery is
    sending its mails (a redelivery, the sweep's copy: a conditional update claims the run), or it
    waited longer than ANNOUNCE_PENDING_FOR (the rows it compares with may be gone)."""
    now = timezone.now()
    if not MatchRun.objects.filter(
        Q(announce_claimed_at__isnull=True) | Q(announce_claimed_at__lt=now - _stale_after()),
        pk=run_id, status=MatchRunStatus.SUCCEEDED, finished_at__gte=now - ANNOUNCE_PENDING_FOR,
    ).exclude(timings__has_key="finalize_notify").update(announce_claimed_at=now):
        return False
    run = MatchRun.objects.get(pk=run_id)
    started = time.monotonic()
    _announce_finished(run, new_gap_ids)
    seconds = round(time.monotonic() - started, 3)
    with transaction.atomic():
        row = MatchRun.objects.select_for_update().only("timings").get(pk=run_id)
        MatchRun.objects.filter(pk=run_id).update(timings={**row.timings, "finalize_notify": seconds})
    match_results_cleanup(quarter=run.quarter)
    _analyze_results()
    return True


def _analyze_results() -> None:
    """Refresh PostgreSQL's statistics of the result tables once a run is current and the previous
    one deleted. Until autovacuum gets to them the planner knows nothing of the new run's rows and
    picks full scans of the run for the list and review-queue pages (bench/load_test.py). A few
    hundred milliseconds, after the swap, so nobody waits for it."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Flag, Recommendation, LineOutcome))
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
    except DatabaseError:  # statistics are an optimisation: never fail a run that already swapped
        logger.warning("ANALYZE of the matching result tables failed", exc_info=True)


def _finalize_compute_and_write(run: MatchRun, steps: dict[str, float], kept=None) -> engine.MatchResult:
    """engine.finalize's steps, and their rows written, with memory bounded by the pairs, not the
    rows: MISDIRECTED_SUPPLY and RETOOL are held as arrays of pairs (engine.misdirected_pairs) and
    each flag and recommendation object is built only as the COPY writes it, in storage order
    (a past quarter can have tens of millions: bench/README.md); OPEN likewise (OpenPairs), its
    pairs computed in a thread while the flags stream into PostgreSQL (the COPY mostly waits on the server, with the
    GIL released). Gaps are left to the caller; the result's flags and recommendations are empty."""
    t0 = time.monotonic()
    previous = fetch.previous_gap_keys(run.quarter)
    if kept is not None and kept[0] == run.pk and run.chunks_total == 1:
        # Started by the run's only chunk in this process (_finalize_ahead).
        short_lines, oversupplied, programs, uncoded, started = kept[1]
        t1 = time.monotonic()
        pairs = started.result()
    else:
        short_lines, oversupplied, programs = _finalize_input(run)
        uncoded = fetch.fetch_lines(fetch.submitted_lines(run.quarter).filter(occupation__isnull=True))
        t1 = time.monotonic()
        pairs = engine.misdirected_pairs(short_lines=short_lines, oversupplied=oversupplied)
    t2 = time.monotonic()
    with ThreadPoolExecutor(max_workers=1) as pool:
        later = pool.submit(engine.open_pairs, short_lines=short_lines, programs=programs)
        gaps = engine.aggregate_gaps(short_lines, previous)
        # Flag.sort_key: every MISDIRECTED_SUPPLY before every UNCODED_OCCUPATION (the kinds' order).
        persist.write_ordered_flags(
            run, itertools.chain(pairs.flags(run.quarter), engine.uncoded_flags(quarter=run.quarter, uncoded_lines=uncoded))
        )
        t3 = time.monotonic()
        opened = later.result()
    t4 = time.monotonic()
    persist.write_ordered_recommendations(
        run, heapq.merge(pairs.retool(run.quarter), opened.recommendations(run.quarter), key=RecommendationData.sort_key)
    )
    steps["finalize_fetch"] = t1 - t0
    steps["finalize_compute"] = t2 - t1  # the pairs (or waiting for them); OPEN's pairs overlap the flags' write
    steps["finalize_write_flags"] = t3 - t2
    steps["finalize_wait_recommendations"] = t4 - t3
    steps["finalize_write"] = time.monotonic() - t2
    result = engine.MatchResult()
    result.gaps = gaps
    return result


def _finalize_input(run: MatchRun):
    """What finalize reads from the database: the shortfall lines with their outcomes, the
    OVERSUPPLY cohorts, and every program (the run's only chunk hands them over in memory
    instead: _finalize_input_from_chunk)."""
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
    return short_lines, oversupplied, list(programs.values())


def _finalize_input_from_chunk(inp, partial: engine.PartialResult):
    from training.models import Program as ProgramRow

    lines = {line.id: line for line in inp.lines}
    short_lines = [(lines[i], o) for i, o in sorted(partial.outcomes.items()) if o.shortfall > 0]
    programs = {p.id: p for p in inp.programs}
    cohorts = {c.id: c for c in inp.cohorts}
    oversupplied = [
        engine.Oversupplied(cohorts[f.cohort_id], programs[f.program_id], f.surplus)
        for f in partial.flags if f.kind == FlagKind.OVERSUPPLY
    ]
    # The chunk read the programs that train an occupation; OPEN also looks at any others.
    untrained = fetch.fetch_programs(ProgramRow.objects.filter(occupations__isnull=True).values("id"))
    return short_lines, oversupplied, list(inp.programs) + [p for p in untrained if p.id not in programs]


def _announce_finished(run: MatchRun, new_gap_ids: list[int]) -> None:
    """match_run_finished to whoever subscribed: a failure is logged, never a failed run."""
    for receiver, answer in signals.match_run_finished.send_robust(sender=MatchRun, run=run, new_gap_ids=new_gap_ids):
        if isinstance(answer, Exception):
            logger.error("match run %s: %s failed after the swap", run.pk, getattr(receiver, "__qualname__", receiver),
                         exc_info=(type(answer), answer, answer.__traceback__))


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
    """Delete the result rows of the quarter's runs that are neither current nor running, nor
    needed by an announcement still to come (match_run_announce compares a run with the quarter's
    previous succeeded run that computed rows: both are kept until it ran)."""
    row = QuarterResults.objects.filter(quarter=quarter).values("current_run_id", "running_run_id").first() or {}
    keep = {i for i in (row.get("current_run_id"), row.get("running_run_id")) if i}
    computed = MatchRun.objects.filter(quarter=quarter, status=MatchRunStatus.SUCCEEDED, unchanged_since__isnull=True)
    pending = computed.filter(finished_at__gte=timezone.now() - ANNOUNCE_PENDING_FOR).exclude(timings__has_key="finalize_notify")
    for pending_id in pending.values_list("id", flat=True):
        keep.add(pending_id)
        previous = computed.filter(pk__lt=pending_id).order_by("-pk").values_list("id", flat=True).first()
        if previous:
            keep.add(previous)
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
        match_run_finalize(run_id=run.pk, announce_here=True)
    except Exception as exc:
        match_run_fail(run_id=run.pk, error=str(exc))
        raise
    run.refresh_from_db()
    return run


def open_quarters(today) -> list[str]:
    """Quarters the nightly re-match covers: the current one, and later ones with a submitted report."""
    from gaps.models import GapReport, ReportStatus

    current = Quarter.containing(today)
    later = {
        q for q in GapReport.objects.filter(status=ReportStatus.SUBMITTED).values_list("quarter", flat=True).distinct()
        if Quarter.parse(q, bounded=False) > current
    }
    return sorted({str(current)} | later)
