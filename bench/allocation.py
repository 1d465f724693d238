#!/usr/bin/env python
"""Time the allocation alone on a generated quarter: the compiled greedy (allocate_rows, numba)
next to the pure-Python reference (allocate_rows_reference), on the engine's own rows, and check
that both give the same pairs.

    .venv/bin/python bench/generate_quarter.py --reset [--lines 50000] [--cohorts 500000]
    .venv/bin/python bench/allocation.py [--quarter 2026Q3] [--no-reference]

Reads the quarter's whole input (gaps.matching.fetch.fetch_quarter_input), builds the eligible
pairs as match_components does (gaps.matching.pairs.line_pairs) and times each allocation, its
first call in the process included for the compiled one (numba's cached load or compile) and
then a second call. Writes nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/talentgap_bench"


def engine_arguments(quarter_code: str) -> tuple:
    """allocate_rows' arguments for the quarter, built as gaps.matching.engine.match_components does."""
    from gaps.matching import engine, pairs
    from gaps.matching.fetch import fetch_quarter_input
    from gaps.matching.types import Line, cohort_order_key

    started = time.perf_counter()
    inp = fetch_quarter_input(quarter_code)
    print(f"fetch: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    program_list = sorted(inp.programs, key=engine._program_key)
    programs = {p.id: p for p in program_list}
    cohort_list = sorted(inp.cohorts, key=lambda c: cohort_order_key(c, programs[c.program_id]))
    _faults, figures = engine._faults_and_figures(inp)  # N, E, salaries, priority of each line matched
    lines = sorted((l for l in inp.lines if l.id in figures), key=Line.order_key)
    dates = {line.id: figures[line.id][:2] for line in lines}
    found = pairs.line_pairs(lines, dates, program_list, cohort_list, inp.settings)
    arguments = (
        [line.headcount for line in lines],
        [figures[l.id][4] for l in lines],
        [c.seats for c in cohort_list],
        [found[line.id].eligible for line in lines],
    )
    n_pairs = sum(len(row) for row in arguments[3])
    print(f"pairs: {time.perf_counter() - started:.1f} s; {len(lines):,} lines, {len(cohort_list):,} cohorts, "
          f"{n_pairs:,} eligible pairs")
    return arguments


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quarter", default="2026Q3")
    parser.add_argument("--no-reference", action="store_true", help="time the compiled allocation only")
    parser.add_argument("--profile", action="store_true", help="cProfile the second compiled call")
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from gaps.matching.allocation import allocate_rows, allocate_rows_reference

    arguments = engine_arguments(args.quarter)
    compiled = None
    for label in ("compiled, first call in the process", "compiled, second call"):
        profiler = cProfile.Profile() if args.profile and label.endswith("second call") else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        compiled = allocate_rows(*arguments)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
        print(f"{label}: {time.perf_counter() - started:.2f} s ({len(compiled):,} pairs with seats)")
    if not args.no_reference:
        started = time.perf_counter()
        reference = allocate_rows_reference(*arguments)
        print(f"reference (pure Python): {time.perf_counter() - started:.2f} s; "
              f"same pairs: {reference == compiled}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
