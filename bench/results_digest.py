#!/usr/bin/env python
"""A digest of a quarter's current matching results, to check that an optimisation changed none.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tg_bench_h4 .venv/bin/python bench/results_digest.py [--quarter 2026Q3] [--run ID]

Prints, for the quarter's current run (or `--run`), an md5 and the row count of:

- flags: every column but `id` and `run_id` (the SPEC.md flag object's fields, the ids it is
  about, and the `context` its `detail` sentence is rendered from);
- recommendations: every column but `id` and `run_id`;
- line outcomes: every column but `id` and `run_id`;
- gaps: the quarter's active Gap rows (region, occupation, figures, new_on_list, line_count);
- all: one md5 over the four.

Rows are rendered by PostgreSQL (`row::text`) and sorted, so the digest does not depend on
insertion order or on the run's id. Read-only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/talentgap_bench"


def _columns(cursor, table: str, skip: set[str]) -> str:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position", [table]
    )
    return ", ".join(f'"{name}"' for (name,) in cursor.fetchall() if name not in skip)


def digest(quarter: str, run_id: int | None = None) -> dict[str, tuple[str, int]]:
    from django.db import connection

    out: dict[str, tuple[str, int]] = {}
    with connection.cursor() as cursor:
        if run_id is None:
            cursor.execute("SELECT current_run_id FROM gaps_quarterresults WHERE quarter = %s", [quarter])
            row = cursor.fetchone()
            if not row or row[0] is None:
                raise SystemExit(f"{quarter} has no current run")
            run_id = row[0]
        for name, table in (("flags", "gaps_flag"), ("recommendations", "gaps_recommendation"),
                            ("line_outcomes", "gaps_lineoutcome")):
            cols = _columns(cursor, table, {"id", "run_id"})
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t, E'\\n' ORDER BY t), '')), count(*) "
                f"FROM (SELECT ROW({cols})::text AS t FROM {table} WHERE run_id = %s) s",
                [run_id],
            )
            out[name] = cursor.fetchone()
        cursor.execute(
            "SELECT md5(coalesce(string_agg(t, E'\\n' ORDER BY t), '')), count(*) FROM ("
            " SELECT ROW(region_id, occupation_id, headcount, covered, shortfall, salary_min_cny, salary_max_cny,"
            " need_date, new_on_list, line_count)::text AS t FROM gaps_gap WHERE quarter = %s AND is_active) s",
            [quarter],
        )
        out["gaps"] = cursor.fetchone()
    out["all"] = (hashlib.md5("".join(h for h, _ in out.values()).encode()).hexdigest(), sum(n for _, n in out.values()))
    out["run"] = (str(run_id), 0)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quarter", default="2026Q3")
    parser.add_argument("--run", type=int)
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    result = digest(args.quarter, args.run)
    run = result.pop("run")[0]
    print(f"quarter {args.quarter}, run {run}")
    for name, (md5, n) in result.items():
        print(f"  {name:16} {md5}  {n:>9,}")


if __name__ == "__main__":
    main()
