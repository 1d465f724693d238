#!/usr/bin/env python
"""Time the early warning over a generated history (SPEC.md: twelve quarters of 50,000 lines and
500,000 cohorts, under 60 s), and print the forecast's backtest on that history.

    .venv/bin/python bench/generate_quarter.py --reset --history 12 [--lines 50000] [--cohorts 500000]
    .venv/bin/python bench/early_warning.py [--today D] [--match-history] [--runs 1]

On the database of DATABASE_URL (default: talentgap_bench, filled by generate_quarter.py --history):

1. `--match-history`: first match the eight quarters before the current one (inline, as the
   service would have matched them when they were submitted), so that the early warning reads
   their gaps for `persistence`; without it those quarters have no matching results and count no
   gap (the early warning never matches a past quarter itself; its time is the same either way);
2. the early warning as the service computes it (gaps.warning.services.early_warning_compute:
   fetch, compute, persist in one transaction), `--runs` times, with the run's own step timings;
3. `forecast_backtest` on the same history (the method next to seasonal naive).

`--today` defaults to the 15th day of the second month of the quarter after the latest submitted
one (so the generated quarters are the history and the four after today's are the targets).
Writes runs and entries into the bench database; never point it at a database with real data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/talentgap_bench"


def _setup() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # The bench measures the computation, not the queue: no run is queued after the matching below.
    os.environ.setdefault("EARLY_WARNING_AFTER_MATCH", "0")
    import django

    django.setup()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--today", help="YYYY-MM-DD (default: see above)")
    parser.add_argument("--match-history", action="store_true", help="match the 8 quarters before today's first")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    _setup()
    from django.db.models import Count

    from core.quarters import Quarter
    from gaps.matching.services import match_quarter_inline
    from gaps.models import GapReport, GapReportLine, ReportStatus
    from gaps.warning import forecast as fc
    from gaps.warning.compute import History, persistence_quarters
    from gaps.warning.fetch import fetch_reports
    from gaps.warning.services import early_warning_compute
    from training.models import Cohort

    submitted = GapReport.objects.filter(status=ReportStatus.SUBMITTED)
    quarters = sorted(set(submitted.values_list("quarter", flat=True)))
    if not quarters:
        raise SystemExit("No submitted report: run bench/generate_quarter.py --reset --history 12 first.")
    if args.today:
        today = dt.date.fromisoformat(args.today)
    else:
        start = Quarter.parse(quarters[-1]).next().start
        today = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=15)
    lines = GapReportLine.objects.filter(report__status=ReportStatus.SUBMITTED).count()
    per_quarter = dict(submitted.values_list("quarter").annotate(n=Count("lines")).order_by())
    print(f"history: {len(quarters)} quarters ({quarters[0]}..{quarters[-1]}), {lines:,d} submitted lines "
          f"({min(per_quarter.values()):,d}-{max(per_quarter.values()):,d} a quarter), {Cohort.objects.count():,d} cohorts; "
          f"today {today} (current quarter {Quarter.containing(today)})")

    if args.match_history:
        for q in reversed(persistence_quarters(Quarter.containing(today))):
            if str(q) in per_quarter:
                started = time.perf_counter()
                run = match_quarter_inline(quarter=str(q), trigger="command")
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(f"  matched {q}: {run.status} in {time.perf_counter() - started:.1f} s (peak RSS so far "
                      f"{rss:,.0f} MB; load {os.getloadavg()[0]:.1f}); steps (s): "
                      + ", ".join(f"{k} {v:.1f}" for k, v in run.timings.items()), flush=True)

    for i in range(args.runs):
        started, cpu = time.perf_counter(), time.process_time()
        run = early_warning_compute(today, "command")
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        # CPU seconds of this process (PostgreSQL's own work not included): on a shared machine the
        # wall time depends on everyone else's load, this much less.
        print(f"early warning run {run.pk}: {run.status} in {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"(load {os.getloadavg()[0]:.1f}) {run.error or ''}")
        print("  steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in run.timings.items()))
        print("  counts: " + json.dumps(run.counts))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:,.0f} MB")

    started = time.perf_counter()
    current = Quarter.containing(today)
    history = History(fetch_reports(current.previous()))
    cases = fc.backtest_cases(history.totals, current)
    result = fc.backtest(cases, fc.learn_ratios(cases))
    print(f"backtest ({time.perf_counter() - started:.1f} s): {result['compared']:,d} forecasts compared of "
          f"{result['cases']:,d}")
    for group, figures in result["groups"].items():
        m, s = figures["method"], figures["seasonal_naive"]
        if m["n"]:
            print(f"  {group:8s} n {m['n']:>7,d}  MAE {m['mae']:7.2f} vs naive {s['mae']:7.2f}  "
                  f"WAPE {m['wape']:.3f} vs {s['wape']:.3f}  bias {m['bias']:+.2f} vs {s['bias']:+.2f}  "
                  f"in 80 % interval {figures['interval_coverage']:.3f}")
    print("  ratios: " + json.dumps(result["ratios"]))


if __name__ == "__main__":
    main()
