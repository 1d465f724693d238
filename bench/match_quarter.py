#!/usr/bin/env python
"""Time the matching of a quarter against PostgreSQL's plain read of the same input (SPEC.md bars).

    .venv/bin/python bench/match_quarter.py [--quarter 2026Q3] [--workers 2] [--chunks 4]
                                            [--region CODE] [--skip-rematch] [--nightly-only]
                                            [--change-share 0.10] [--add-lines 2] [--digest] [--no-reuse]

On the database of DATABASE_URL (default: talentgap_bench, filled by bench/generate_quarter.py):

1. the plain read (bench/read_baseline.py's `read_baseline()`, best of 3);
2. a full match: one MatchRun planned into chunks (`--chunks`), the chunks executed by
   `--workers` processes in parallel exactly as Celery workers run them
   (gaps.matching.services.match_chunk_execute), then the finalize/swap step, then the run's
   announcement (gaps.matching.services.match_run_announce: the mails, the clean-up of the
   previous run's rows), a task of its own after the swap, run here in this process;
3. re-matches: with nothing changed (the nightly re-match: it ends as "nothing changed since run
   N" when the input signature is unchanged, gaps/matching/inputs.py), after one region (`--region`,
   default: the median region by line count) resubmitted an identical report, and after it
   resubmitted with `--change-share` of its lines' headcounts changed and `--add-lines` added.

Prints for each run the seconds until the swap (results current), until the run is finished
(finalize returned: what the ratio match / read uses) and until the mails are sent (the
announcement done), the run's own phase timings (`finalize_notify`: the mails) and counts.
Writes results into the bench database (runs, flags, recommendations, gaps); never point it at
a database with real data.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/talentgap_bench"


def _setup() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def _execute_chunk(chunk_id: int) -> tuple[int, float]:
    from django.db import connections

    from gaps.matching.services import match_chunk_execute

    started = time.perf_counter()
    match_chunk_execute(chunk_id=chunk_id, worker=f"bench-{os.getpid()}")
    connections.close_all()
    return chunk_id, time.perf_counter() - started


def timed_match(quarter: str, *, workers: int, chunks: int):
    """A full run: plan, chunks in `workers` processes, finalize; then its announcement (the mails
    and the clean-up of the previous run's rows, a task of its own after the swap), run here as a
    worker would. Returns ({"finished": s, "mails": s}, run): seconds from the start until
    finalize returned, and until the announcement was done."""
    from django.db import connections

    from gaps.matching import scheduling, services
    from gaps.models import MatchRun

    # A run of an interrupted benchmark still holds the quarter: fail it (bench database only).
    for stuck in MatchRun.objects.filter(quarter=quarter, status__in=["queued", "running"]).values_list("id", flat=True):
        services.match_run_fail(run_id=stuck, error="abandoned: the benchmark was interrupted")
    announcements: list[tuple[int, list[int]]] = []
    scheduling.register_announcement_sender(lambda run_id, new_gap_ids: announcements.append((run_id, new_gap_ids)))
    started = time.perf_counter()
    run = services.match_run_create(quarter=quarter, trigger="manual", reuse_queued=False)
    planned = services.match_run_plan(run=run, chunks=chunks)
    connections.close_all()  # forked processes must not share the parent's connection
    try:
        if workers > 1 and len(planned) > 1:
            with multiprocessing.get_context("fork").Pool(min(workers, len(planned))) as pool:
                pool.map(_execute_chunk, [c.pk for c in planned], chunksize=1)
        else:
            for chunk in planned:
                _execute_chunk(chunk.pk)
        services.match_run_finalize(run_id=run.pk)
    except Exception as exc:
        services.match_run_fail(run_id=run.pk, error=str(exc))
        raise
    finished = time.perf_counter() - started
    for run_id, new_gap_ids in announcements:
        services.match_run_announce(run_id=run_id, new_gap_ids=new_gap_ids)
    return {"finished": finished, "mails": time.perf_counter() - started}, MatchRun.objects.get(pk=run.pk)


def until_swap(run) -> float:
    """Seconds from the run's start (planning) to its results becoming current (the swap)."""
    return (run.finished_at - run.started_at).total_seconds()


def phases(seconds: dict, run, read_s: float | None = None) -> str:
    """The three moments of a run: its results current (the swap), the run finished (finalize
    returned), its mails sent and the previous run's rows deleted (the announcement task)."""
    ratio = f" (match / read = {seconds['finished'] / read_s:.1f}x)" if read_s else ""
    return (f"until the swap {until_swap(run):.2f} s; until the run is finished {seconds['finished']:.2f} s{ratio}; "
            f"until the mails are sent {seconds['mails']:.2f} s")


def resubmit(region_code: str, quarter: str, *, change_share: float = 0.0, add_lines: int = 0, seed: int = 7) -> int:
    """Supersede the region's submitted report by a new one (as a resubmission does), without the
    services' on-commit re-match (the benchmark times that match itself): identical, or with the
    headcount of `change_share` of its lines changed and `add_lines` copies of lines added."""
    import random
    from django.db import transaction
    from django.utils import timezone

    from gaps.models import GapReport, GapReportLine, ReportStatus

    with transaction.atomic():
        old = GapReport.objects.select_for_update().get(region__code=region_code, quarter=quarter, status=ReportStatus.SUBMITTED)
        old.status = ReportStatus.SUPERSEDED
        old.save(update_fields=["status"])
        new = GapReport.objects.create(region=old.region, quarter=quarter, status=ReportStatus.SUBMITTED, submitted_at=timezone.now())
        old.superseded_by = new
        old.save(update_fields=["superseded_by"])
        lines = list(GapReportLine.objects.filter(report=old).order_by("line_no", "id"))
        rng = random.Random(seed)
        for line in rng.sample(lines, round(len(lines) * change_share)):
            line.headcount = max(1, min(100_000, line.headcount + rng.choice([-1, 1]) * rng.randint(1, max(1, line.headcount // 2))))
        extra = []
        last = max((line.line_no for line in lines), default=0)
        for number, line in enumerate(rng.sample(lines, min(add_lines, len(lines))), start=last + 1):
            copy = GapReportLine.objects.get(pk=line.pk)
            copy.line_no, copy.headcount = number, rng.randint(1, 50)
            extra.append(copy)
        lines += extra
        for line in lines:
            line.pk = None
            line.report = new
        GapReportLine.objects.bulk_create(lines, batch_size=5000)
    return len(lines)


def median_region(quarter: str) -> str:
    from django.db.models import Count

    from gaps.models import GapReport, ReportStatus

    counts = list(
        GapReport.objects.filter(quarter=quarter, status=ReportStatus.SUBMITTED)
        .annotate(n=Count("lines")).order_by("n").values_list("region__code", "n")
    )
    return counts[len(counts) // 2][0]


SHOW_DIGEST = False


def describe(run) -> str:
    from results_digest import digest

    if run.unchanged_since_id:
        return (f"    status {run.status}: nothing changed since run {run.unchanged_since_id} (its results stay "
                f"current); timings {run.timings}")
    counts = run.counts or {}
    flags = counts.get("flags", {})
    return (
        f"    status {run.status}; lines {counts.get('lines')}, cohorts read {counts.get('cohorts')}, "
        f"components {counts.get('components')}, chunks {run.chunks_total}\n"
        f"    flags {sum(flags.values()) if flags else 0} ({', '.join(f'{k} {v}' for k, v in sorted(flags.items()))})\n"
        f"    recommendations {counts.get('recommendations')}, gaps {counts.get('gaps')}\n"
        f"    phases (s, summed over chunks): {run.timings}\n"
        f"    components reused from the previous run: {sum(len(c.reused or []) for c in run.chunks.all())}"
    ) + (f"\n    results digest {digest(run.quarter, run.pk)['all'][0]}" if SHOW_DIGEST else "")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quarter", default="2026Q3")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunks", type=int, default=4)
    parser.add_argument("--region", help="the region that resubmits (default: the median one)")
    parser.add_argument("--skip-rematch", action="store_true")
    parser.add_argument("--change-share", type=float, default=0.10,
                        help="share of the resubmitted report's lines whose headcount changes (default 0.10)")
    parser.add_argument("--add-lines", type=int, default=2, help="lines the resubmission adds (default 2)")
    parser.add_argument("--digest", action="store_true",
                        help="print the results digest (bench/results_digest.py) after each run")
    parser.add_argument("--nightly-only", action="store_true",
                        help="stop after the re-match with nothing changed (no resubmissions)")
    parser.add_argument("--no-reuse", action="store_true",
                        help="recompute every component (settings.MATCH_REUSE_RESULTS = False)")
    args = parser.parse_args(argv)
    _setup()
    from django.conf import settings

    from read_baseline import read_baseline

    global SHOW_DIGEST
    SHOW_DIGEST = args.digest
    if args.no_reuse:
        settings.MATCH_REUSE_RESULTS = False

    print(f"database {settings.DATABASES['default']['NAME']}, quarter {args.quarter}, {args.workers} worker processes")
    read = read_baseline(url=os.environ["DATABASE_URL"], quarter=args.quarter)
    print(f"plain read of the input (best of {read['repeat']}): {read['total_s']:.2f} s")

    # The full match computes everything, whatever the current run already has.
    reuse = getattr(settings, "MATCH_REUSE_RESULTS", True) and not args.no_reuse
    skip = getattr(settings, "MATCH_SKIP_UNCHANGED", True)
    settings.MATCH_REUSE_RESULTS = settings.MATCH_SKIP_UNCHANGED = False
    seconds, run = timed_match(args.quarter, workers=args.workers, chunks=args.chunks)
    settings.MATCH_REUSE_RESULTS, settings.MATCH_SKIP_UNCHANGED = reuse, skip
    print(f"full match: {phases(seconds, run, read['total_s'])}")
    print(describe(run))
    if run.status != "succeeded":
        print(f"    error: {run.error}")
        return
    if args.skip_rematch:
        return
    seconds, run = timed_match(args.quarter, workers=args.workers, chunks=args.chunks)
    print(f"re-match, nothing changed (nightly): {phases(seconds, run)}")
    print(describe(run))
    if args.nightly_only:
        return
    region = args.region or median_region(args.quarter)
    n = resubmit(region, args.quarter)
    seconds, run = timed_match(args.quarter, workers=args.workers, chunks=args.chunks)
    print(f"re-match after {region} resubmitted an identical report ({n} lines): {phases(seconds, run)}")
    print(describe(run))
    n = resubmit(region, args.quarter, change_share=args.change_share, add_lines=args.add_lines)
    seconds, run = timed_match(args.quarter, workers=args.workers, chunks=args.chunks)
    print(f"re-match after {region} resubmitted {n} lines, {args.change_share:.0%} with a changed headcount and "
          f"{args.add_lines} added: {phases(seconds, run)}")
    print(describe(run))


if __name__ == "__main__":
    main()
