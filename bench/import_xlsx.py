#!/usr/bin/env python
"""Time `import_gaps` on a generated 10,000-line XLSX gap report (target: under 10 s).

    .venv/bin/python bench/import_xlsx.py [--lines 10000] [--regions 1] [--title-share 0.1]
                                          [--submit] [--repeat 2] [--json]

Uses the database of DATABASE_URL, by default a dedicated `talentgap_importbench` database on
127.0.0.1 that it creates, migrates and loads the ISCO-08 taxonomy into. It creates its own
regions (codes `BENCH-01`, ...) and, before each run, deletes the reports of those regions, so
reruns start alike; nothing else in the database is touched.

The workbook (bench/out/gaps_<lines>.xlsx, written by openpyxl as Excel would) holds
`--lines` rows for quarter 2026Q3 spread over `--regions` regions; the occupation is a unit-group
code on most rows and a free-text title only (en/ru/zh, coded by the multilingual search) on
`--title-share` of them. Each repeat runs the management command end to end (read, validate,
code titles, write through gaps.services with audit history) and prints the wall time; the
first repeat creates the draft(s), later ones replace their lines (the re-import path). The
first repeat also builds the title-search index (~2 s), as every new process does once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/talentgap_importbench"
OUT = ROOT / "bench" / "out"
HEADER = [
    "region_code", "quarter", "occupation_code", "occupation_title", "sector", "headcount", "salary_min",
    "salary_max", "currency", "season_start", "season_end", "certification", "languages", "note",
]
# Codes and titles of the cross-border trades; titles as officials type them.
CODES = ["8341", "8332", "7212", "9333", "7411", "7126", "7112", "8111", "7515", "7233", "8322", "3115"]
TITLES = [
    "combine harvester operator", "оператор зерноуборочного комбайна", "联合收割机驾驶员", "truck driver",
    "водитель грузовика", "сварщик", "焊工", "electrician", "электромонтажник", "plumber", "каменщик",
    "forklift driver", "грузчик", "crane operator", "miner", "горнорабочий", "fruit grader", "tractor driver",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--regions", type=int, default=1)
    parser.add_argument("--title-share", type=float, default=0.1)
    parser.add_argument("--submit", action="store_true")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", file=sys.stderr)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    from gaps.models import Occupation

    call_command("migrate", verbosity=0, interactive=False)
    if not Occupation.objects.filter(level=4).exists():
        call_command("load_taxonomy", verbosity=0)


def write_workbook(path: Path, *, lines: int, regions: list[str], title_share: float, seed: int) -> None:
    import openpyxl

    rng = random.Random(seed)
    # A normal (not write-only) workbook, so the sheet starts with its <dimension> like Excel's do;
    # without it openpyxl's read-only mode parses the whole sheet once just to find its size.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "lines"
    sheet.append(HEADER)
    for i in range(lines):
        title_only = rng.random() < title_share
        salary_min = rng.randrange(150_000, 500_000, 1000)
        start_month = rng.randint(7, 9)
        sheet.append([
            regions[i % len(regions)], "2026Q3",
            None if title_only else rng.choice(CODES),
            rng.choice(TITLES),
            rng.choice(["A", "F", "H", "C", ""]),
            rng.randint(1, 300),
            salary_min, salary_min + rng.randrange(0, 300_000, 1000), "KZT",
            f"2026-{start_month:02d}-01", f"2026-{start_month + rng.randint(0, 3):02d}-28",
            "KZ" if rng.random() < 0.12 else None,
            rng.choice(["kk;ru", "ru", "zh;ru", ""]),
            "=HYPERLINK(\"x\")" if i == 7 else f"line {i}",
        ])
    workbook.save(path)


def main(argv=None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if urlparse(url).scheme.startswith("postgres"):
        ensure_database(url)
    setup_django(url)

    from io import StringIO

    from django.core.management import call_command

    from gaps.models import ExchangeRate, GapReport, GapReportLine, Region

    codes = [f"BENCH-{n:02d}" for n in range(1, args.regions + 1)]
    for code in codes:
        Region.objects.get_or_create(code=code, defaults={"country": "KZ", "name_en": f"Bench {code}", "kind": "oblast"})
    # With --submit the quarter's re-match runs after commit (in-process under the default
    # settings); it needs a rate for the lines' currency.
    ExchangeRate.objects.get_or_create(currency="KZT", date=dt.date(2026, 1, 1), defaults={"rate_to_cny": "0.0145"})
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"gaps_{args.lines}.xlsx"
    started = time.perf_counter()
    write_workbook(path, lines=args.lines, regions=codes, title_share=args.title_share, seed=args.seed)
    generated = time.perf_counter() - started

    GapReport.objects.filter(region__code__in=codes).delete()
    runs, cpu = [], []
    for _ in range(args.repeat):
        out, err = StringIO(), StringIO()
        started, started_cpu = time.perf_counter(), time.process_time()
        call_command("import_gaps", str(path), *(["--submit"] if args.submit else []), stdout=out, stderr=err)
        runs.append(round(time.perf_counter() - started, 2))
        # This process's CPU (PostgreSQL's is not included): a figure that a busy machine moves less.
        cpu.append(round(time.process_time() - started_cpu, 2))
        summary = out.getvalue().strip()
    lines = GapReportLine.objects.filter(report__region__code__in=codes, report__status="draft" if not args.submit else "submitted").count()
    figures = {
        "lines": args.lines,
        "regions": args.regions,
        "title_share": args.title_share,
        "file_bytes": path.stat().st_size,
        "generate_s": round(generated, 2),
        "import_s": runs,
        "import_cpu_s": cpu,
        "lines_in_db": lines,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "summary": summary,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>12}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
