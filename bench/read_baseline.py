#!/usr/bin/env python
"""Time PostgreSQL's plain read of the rows one quarter's matching reads (the "read" in match / read).

    .venv/bin/python bench/read_baseline.py [--quarter 2026Q3] [--repeat 3] [--json]

Reads, with plain SQL through psycopg into Python tuples, exactly the row sets
`gaps.matching.fetch.fetch_quarter_input` loads for a whole-quarter match:

- `lines`: the quarter's lines in submitted reports, joined to their report and region;
- `programs`: every program that trains an occupation, joined to its college;
- `program_occupations`, `served_regions`: the programs' unit groups and regions served;
- `cohorts`: their cohorts graduating between the earliest need date minus SUPPLY_WINDOW_DAYS
  and the latest end date of the quarter's lines (the window fetch uses);
- `rates`, `reported_regions`: exchange rates and the regions with a submitted report.

It also times `cohorts_joined`: the same cohorts in one query, each joined to its program,
college, and the program's occupations and regions (as arrays) — the denormalised way to read
the supply side. Each figure is the best of `--repeat` runs on a warm cache; the first (cold)
run is printed too. DATABASE_URL as for generate_quarter.py (default: talentgap_bench).

`bench` scripts that time the match can import `read_baseline()` and divide by `total_s`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.quarters import Quarter  # noqa: E402  (plain module, no Django needed)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/talentgap_bench"
SUPPLY_WINDOW_DAYS = int(os.environ.get("SUPPLY_WINDOW_DAYS", "180"))

LINES_SQL = """
SELECT l.id, rep.region_id, r.code, l.occupation_id, l.headcount, l.salary_min, l.salary_max, l.currency,
       l.season_start, l.season_end, l.sector, l.certification, l.languages, l.occupation_title, l.line_no
FROM gaps_gapreportline l
JOIN gaps_gapreport rep ON rep.id = l.report_id
JOIN gaps_region r ON r.id = rep.region_id
WHERE rep.quarter = %(quarter)s AND rep.status = 'submitted'
ORDER BY l.id
"""
PROGRAMS_SQL = """
SELECT p.id, p.code, p.college_id, c.code, p.sector, p.languages, p.certifications
FROM training_program p
JOIN training_college c ON c.id = p.college_id
WHERE p.id IN (SELECT program_id FROM training_program_occupations)
"""
PROGRAM_OCCUPATIONS_SQL = "SELECT program_id, occupation_id FROM training_program_occupations"
SERVED_REGIONS_SQL = "SELECT program_id, region_id FROM training_program_serves_regions"
COHORTS_SQL = """
SELECT id, program_id, seats, intake_date, graduation_date
FROM training_cohort
WHERE program_id IN (SELECT program_id FROM training_program_occupations)
  AND graduation_date BETWEEN %(earliest)s AND %(latest)s
"""
RATES_SQL = "SELECT currency, date, rate_to_cny FROM gaps_exchangerate"
REPORTED_REGIONS_SQL = (
    "SELECT region_id FROM gaps_gapreport WHERE quarter = %(quarter)s AND status = 'submitted'"
)
COHORTS_JOINED_SQL = """
SELECT co.id, co.program_id, co.seats, co.intake_date, co.graduation_date,
       p.code, p.college_id, c.code, p.sector, p.languages, p.certifications, po.codes, ps.region_ids
FROM training_cohort co
JOIN training_program p ON p.id = co.program_id
JOIN training_college c ON c.id = p.college_id
JOIN (SELECT program_id, array_agg(occupation_id) AS codes
      FROM training_program_occupations GROUP BY program_id) po ON po.program_id = p.id
LEFT JOIN (SELECT program_id, array_agg(region_id) AS region_ids
           FROM training_program_serves_regions GROUP BY program_id) ps ON ps.program_id = p.id
WHERE co.graduation_date BETWEEN %(earliest)s AND %(latest)s
"""


def _timed(conn, sql: str, params: dict) -> tuple[float, list]:
    started = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return time.perf_counter() - started, rows


def read_once(conn, quarter: str) -> dict:
    q = Quarter.parse(quarter)
    params = {"quarter": quarter}
    result: dict[str, dict] = {}
    seconds, lines = _timed(conn, LINES_SQL, params)
    result["lines"] = {"s": seconds, "rows": len(lines)}
    # The cohort window fetch_chunk_input uses, from the lines just read.
    window = dt.timedelta(days=SUPPLY_WINDOW_DAYS)
    params["earliest"] = min([q.start] + [row[8] for row in lines if row[8]]) - window
    # E is never before N (SPEC.md revision 2): a season starting after its quarter ends on N.
    params["latest"] = max([q.end] + [row[9] for row in lines if row[9]] + [row[8] for row in lines if row[8]])
    for name, sql in (
        ("programs", PROGRAMS_SQL),
        ("program_occupations", PROGRAM_OCCUPATIONS_SQL),
        ("served_regions", SERVED_REGIONS_SQL),
        ("cohorts", COHORTS_SQL),
        ("rates", RATES_SQL),
        ("reported_regions", REPORTED_REGIONS_SQL),
    ):
        seconds, rows = _timed(conn, sql, params)
        result[name] = {"s": seconds, "rows": len(rows)}
    total = sum(part["s"] for part in result.values())
    seconds, rows = _timed(conn, COHORTS_JOINED_SQL, params)
    joined = {"s": seconds, "rows": len(rows)}
    return {"parts": result, "total_s": total, "cohorts_joined": joined,
            "cohort_window": [params["earliest"].isoformat(), params["latest"].isoformat()]}


def read_baseline(url: str | None = None, quarter: str = "2026Q3", repeat: int = 3) -> dict:
    """Best-of-`repeat` timings of the plain read; `cold_total_s` is the first run's total."""
    import psycopg

    url = url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    runs = []
    with psycopg.connect(url) as conn:
        for _ in range(max(1, repeat)):
            runs.append(read_once(conn, quarter))
    best = min(runs, key=lambda run: run["total_s"])
    best_joined = min(run["cohorts_joined"]["s"] for run in runs)
    return {
        "quarter": quarter,
        "repeat": len(runs),
        "cold_total_s": runs[0]["total_s"],
        "total_s": best["total_s"],
        "parts": best["parts"],
        "cohorts_joined": {"s": best_joined, "rows": best["cohorts_joined"]["rows"]},
        "cohort_window": best["cohort_window"],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quarter", default="2026Q3")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    try:
        Quarter.parse(args.quarter)
    except ValueError as exc:
        parser.error(str(exc))
    result = read_baseline(quarter=args.quarter, repeat=args.repeat)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"plain read of quarter {result['quarter']}'s matching input (best of {result['repeat']}):")
    for name, part in result["parts"].items():
        print(f"  {name:22s} {part['rows']:>9,d} rows  {part['s']:7.3f} s")
    print(f"  {'total':22s} {'':>9s}       {result['total_s']:7.3f} s   (first, cold: {result['cold_total_s']:.3f} s)")
    joined = result["cohorts_joined"]
    print(f"  cohorts joined to program, college, occupations, regions: {joined['rows']:,d} rows  {joined['s']:.3f} s")
    print(f"  cohort graduation window: {result['cohort_window'][0]} .. {result['cohort_window'][1]}")


if __name__ == "__main__":
    main()
