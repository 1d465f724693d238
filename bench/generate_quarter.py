#!/usr/bin/env python
"""Generate a synthetic quarter at SPEC.md's scale into PostgreSQL, for the matching benchmark.

    .venv/bin/python bench/generate_quarter.py [--quarter 2026Q3] [--lines 50000] [--cohorts 500000]
                                              [--seed 42] [--reset]

Writes, into the database of DATABASE_URL (default: a dedicated `talentgap_bench` database on
127.0.0.1, created and migrated if absent, with the ISCO-08 taxonomy loaded):

- ~60 regions (Kazakh oblasts, Chinese border cities and prefectures, a few in UZ/KG) and
  exchange rates to CNY for their currencies;
- one submitted report per region for the quarter, holding `--lines` lines in all, skewed over
  regions (Zipf) and over ~300 ISCO unit groups (Zipf), ~1% of them UNCODED;
- colleges and programs (1-3 occupations, mostly from one minor group; languages from
  ru/kk/zh/en; some prepare for `KZ` or `CN-VSL`; most serve a few nearby regions, some every
  region) with `--cohorts` cohorts whose graduation dates centre on the quarter (a few programs'
  cohorts run years either side), so every timing class of SPEC.md occurs.

Deterministic: the same seed and arguments give byte-identical rows (ids included, on an empty
database). Rows go in with COPY (psycopg `cursor.copy`), not ORM saves, and no audit history is
written for them. Refuses to write into a database that already holds reports, programs or
cohorts unless `--reset` is given, which TRUNCATEs regions, rates, reports, colleges and matching
runs (and, CASCADE, everything that refers to them: matching results included).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/talentgap_bench"
# One fixed timestamp for created_at/updated_at/submitted_at, so reruns give identical rows.
STAMP = "2026-06-30 12:00:00+00"

# Zipf exponents: the few largest regions and occupations carry most lines, like job-site data.
REGION_ZIPF = 1.0
OCCUPATION_ZIPF = 1.05
# Share of the ~436 unit groups that appear at all (armed forces and a long tail never do).
OCCUPATION_COUNT = 300
REGION_COUNTRIES = [("KZ", 28), ("CN", 24), ("UZ", 5), ("KG", 3)]
CURRENCY_OF = {"KZ": "KZT", "CN": "CNY", "UZ": "UZS", "KG": "KGS"}
# Monthly salary range (min of salary_min, max of salary_max) in local currency.
SALARY_RANGE = {"KZT": (150_000, 900_000), "CNY": (3_500, 16_000), "UZS": (3_000_000, 12_000_000),
                "KGS": (20_000, 90_000), "USD": (400, 2_000)}
RATE_TO_CNY = {"KZT": 0.0145, "USD": 7.10, "UZS": 0.00056, "KGS": 0.081, "RUB": 0.088, "EUR": 8.25}
COHORTS_PER_PROGRAM = (1, 8)
# The most demanded unit groups in border-region job postings (agriculture, construction,
# transport and logistics, energy, mining, manufacturing, food processing), most demanded first.
HEAD_OCCUPATIONS = ["8332", "7212", "8341", "9333", "7411", "7115", "7112", "8344", "7233", "9312", "8342",
                    "7231", "6111", "7126", "5120", "8343", "9211", "8111", "7515", "4321", "3115", "7127"]
COLLEGE_PROGRAMS = (5, 60)

# ISIC section most plausible for an ISCO sub-major group (first two digits); None: left blank.
SECTOR_BY_SUBMAJOR = {
    "61": "A", "62": "A", "63": "A", "92": "A", "71": "F", "72": "C", "73": "C", "74": "F", "75": "C",
    "81": "C", "82": "C", "83": "H", "93": "F", "31": "C", "32": "Q", "22": "Q", "21": "M", "23": "P",
    "25": "J", "35": "J", "51": "I", "52": "G", "53": "Q", "54": "N", "41": "N", "43": "H", "44": "N",
    "91": "N", "94": "I", "95": "S", "96": "E", "33": "K", "34": "R", "42": "G", "24": "K", "26": "R",
}
SECTOR_BY_UNIT = {"8341": "A", "8342": "F", "8343": "F", "8344": "H", "8111": "B", "8112": "B", "8113": "B",
                  "9311": "B", "9312": "F", "9313": "F", "9321": "C", "9329": "C", "9333": "H", "9331": "H",
                  "7411": "F", "7412": "D", "7413": "D", "3131": "D", "2151": "D"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quarter", default="2026Q3")
    parser.add_argument("--lines", type=int, default=50_000, help="report lines in all (default 50000)")
    parser.add_argument("--cohorts", type=int, default=500_000, help="cohorts in all (default 500000)")
    parser.add_argument("--regions", type=int, default=60)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--serves-all", type=float, default=0.10, metavar="SHARE",
                        help="share of programs that serve every region (empty serves_regions); default 0.10")
    parser.add_argument("--reset", action="store_true", help="wipe regions, rates, reports and colleges first")
    parser.add_argument("--history", type=int, default=0, metavar="N",
                        help="write N quarters of submitted reports ending with --quarter, --lines lines each "
                             "(seasons, trends, dropped lines; for the early warning); default 0: the quarter alone")
    args = parser.parse_args(argv)
    if args.history < 0:
        parser.error("--history must be 0 or more")
    for name in ("lines", "cohorts", "regions"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if not 0 <= args.serves_all <= 1:
        parser.error("--serves-all must be between 0 and 1")
    if args.regions > sum(n for _c, n in REGION_COUNTRIES):
        parser.error(f"--regions can be at most {sum(n for _c, n in REGION_COUNTRIES)}")
    return args


# --- database setup ---------------------------------------------------------------------------------
def ensure_database(url: str) -> None:
    """Create the database named in url if it does not exist (connecting to `postgres`)."""
    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    from gaps.models import Occupation

    call_command("migrate", verbosity=0, interactive=False)
    if not Occupation.objects.filter(level=4).exists():
        call_command("load_taxonomy", verbosity=0)


# --- synthetic data -----------------------------------------------------------------------------------
class Zipf:
    """Draw items with probability proportional to 1 / rank^s (rank 1 = first item)."""

    def __init__(self, items, s: float, rng: random.Random):
        self.items = list(items)
        self.cum = list(itertools.accumulate(1.0 / (k ** s) for k in range(1, len(self.items) + 1)))
        self.rng = rng

    def draw(self):
        return self.items[bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])]


def sector_for(code: str) -> str:
    return SECTOR_BY_UNIT.get(code) or SECTOR_BY_SUBMAJOR.get(code[:2]) or ""


def build_regions(n: int, rng: random.Random) -> list[dict]:
    regions = []
    kinds = {"KZ": "oblast", "CN": "city", "UZ": "oblast", "KG": "oblast"}
    for country, count in REGION_COUNTRIES:
        for i in range(1, count + 1):
            kind = kinds[country] if not (country == "CN" and i % 3 == 0) else "prefecture"
            regions.append({"code": f"B-{country}-{i:02d}", "country": country, "kind": kind,
                            "name_en": f"Bench {country} region {i}"})
    # Interleave countries, then keep n: a region's neighbours are the ones next to it in this order.
    rng.shuffle(regions)
    regions = sorted(regions[:n], key=lambda r: r["code"])
    for i, region in enumerate(regions, start=1):
        region["id"] = i
    return regions


def languages_for(country: str, rng: random.Random, *, program: bool) -> list[str]:
    r = rng.random()
    if program:
        if country == "CN":
            return ["zh"] if r < 0.5 else (["zh", "ru"] if r < 0.9 else ["zh", "en"])
        return ["ru", "kk"] if r < 0.55 else (["ru"] if r < 0.8 else (["kk"] if r < 0.9 else ["ru", "en"]))
    if country == "CN":
        return ["zh"] if r < 0.6 else (["zh", "ru"] if r < 0.75 else (["ru"] if r < 0.85 else []))
    if country == "KZ":
        return ["ru"] if r < 0.6 else (["kk"] if r < 0.75 else (["ru", "kk"] if r < 0.85 else []))
    return ["ru"] if r < 0.7 else []


def generate(args, unit_groups: list[str]) -> dict[str, list[tuple]]:
    """All rows to COPY, by table. Pure function of (args, unit_groups): deterministic."""
    from core.quarters import Quarter

    rng = random.Random(args.seed)
    quarter = Quarter.parse(args.quarter)
    q_start, q_end = quarter.start, quarter.end
    rows: dict[str, list[tuple]] = {}

    regions = build_regions(args.regions, rng)
    rows["gaps_region"] = [
        (r["id"], r["code"], r["country"], r["name_en"], "", "", "", r["kind"], None) for r in regions
    ]
    # Zipf over a seeded ranking, so the largest regions are a mix of countries.
    ranked_regions = regions[:]
    rng.shuffle(ranked_regions)
    region_draw = Zipf(ranked_regions, REGION_ZIPF, rng)

    # Exchange rates: monthly fixings for the year before the quarter end, with a little drift.
    rate_rows = []
    rate_id = itertools.count(1)
    for currency, base in sorted(RATE_TO_CNY.items()):
        for month in range(15 + 3 * max(0, args.history)):
            day = (q_end.replace(day=1) - dt.timedelta(days=30 * month)).replace(day=1)
            rate = base * (1 + rng.uniform(-0.03, 0.03))
            rate_rows.append((next(rate_id), currency, day.isoformat(), f"{rate:.8f}"))
    rows["gaps_exchangerate"] = rate_rows

    # Occupations: OCCUPATION_COUNT unit groups ranked by demand: the cross-border trades first
    # (as regional job sites show them), then a seeded shuffle of the rest (armed forces excluded).
    head = [c for c in HEAD_OCCUPATIONS if c in unit_groups]
    candidates = [c for c in unit_groups if not c.startswith("0") and c not in head]
    rng.shuffle(candidates)
    occupations = (head + candidates)[:OCCUPATION_COUNT]
    demand_draw = Zipf(occupations, OCCUPATION_ZIPF, rng)
    by_minor: dict[str, list[str]] = {}
    for code in occupations:
        by_minor.setdefault(code[:3], []).append(code)

    # Reports: one submitted report per region; lines spread over regions by Zipf.
    per_region: dict[int, int] = {}
    line_regions = [region_draw.draw() for _ in range(args.lines)]
    for region in line_regions:
        per_region[region["id"]] = per_region.get(region["id"], 0) + 1
    report_of: dict[int, int] = {}
    report_rows = []
    for report_id, region in enumerate((r for r in regions if r["id"] in per_region), start=1):
        report_of[region["id"]] = report_id
        report_rows.append((report_id, args.quarter, "submitted", STAMP, STAMP, STAMP, region["id"]))
    rows["gaps_gapreport"] = report_rows

    line_rows = []
    line_no: dict[int, int] = {}
    line_regions.sort(key=lambda r: r["id"])
    for line_id, region in enumerate(line_regions, start=1):
        report_id = report_of[region["id"]]
        line_no[report_id] = line_no.get(report_id, 0) + 1
        country = region["country"]
        currency = "USD" if rng.random() < 0.05 else CURRENCY_OF[country]
        lo, hi = SALARY_RANGE[currency]
        salary_min = round(rng.uniform(lo, hi * 0.7), -1 if currency in ("CNY", "USD") else -3)
        salary_max = round(salary_min * rng.uniform(1.0, 1.5), -1 if currency in ("CNY", "USD") else -3)
        if rng.random() < 0.01:
            occupation, title, confidence = None, f"bench uncoded title {line_id}", 0.2
            sector = ""
        else:
            occupation = demand_draw.draw()
            title, confidence = f"bench {occupation}", 1.0
            sector = sector_for(occupation) if rng.random() < 0.8 else ""
        if rng.random() < 0.55:
            season_start = q_start + dt.timedelta(days=rng.randint(-20, 80))
            season_end = season_start + dt.timedelta(days=rng.randint(20, 120))
            season = (season_start.isoformat(), season_end.isoformat())
        else:
            season = (None, None)
        certification = ""
        if country == "KZ" and rng.random() < 0.12:
            certification = "KZ"
        elif country == "CN" and rng.random() < 0.05:
            certification = "CN-VSL"
        headcount = max(1, min(2000, int(rng.lognormvariate(2.3, 1.0))))
        line_rows.append((
            line_id, line_no[report_id], title, confidence, sector, headcount, f"{salary_min:.2f}",
            f"{salary_max:.2f}", currency, season[0], season[1], certification,
            json.dumps(languages_for(country, rng, program=False)), "", report_id, occupation,
        ))
    rows["gaps_gapreportline"] = line_rows

    # Supply: colleges with programs until the cohort budget is spent.
    college_rows, program_rows, occ_rows, serves_rows, cohort_rows = [], [], [], [], []
    # Supply follows demand loosely: the same ranking with noise, so some occupations are over-
    # and some under-supplied, as the product expects.
    supply_weights = [(1.0 / (k ** OCCUPATION_ZIPF)) * rng.lognormvariate(0, 0.8) for k in range(1, len(occupations) + 1)]
    supply_cum = list(itertools.accumulate(supply_weights))

    def supply_occupation() -> str:
        return occupations[bisect.bisect_left(supply_cum, rng.random() * supply_cum[-1])]

    program_id = occ_id = serves_id = cohort_id = 0
    college_id = 0
    remaining = args.cohorts
    while remaining > 0:
        college_id += 1
        home = region_draw.draw()
        country = home["country"] if rng.random() < 0.85 else rng.choice(["KZ", "CN"])
        college_rows.append((college_id, f"BC{college_id:05d}", f"Bench college {college_id}", country, "{}"))
        for _ in range(rng.randint(*COLLEGE_PROGRAMS)):
            if remaining <= 0:
                break
            program_id += 1
            first = supply_occupation()
            trained = [first]
            for _extra in range(rng.choice((0, 0, 0, 1, 1, 2))):
                siblings = by_minor[first[:3]]
                other = rng.choice(siblings) if rng.random() < 0.7 else supply_occupation()
                if other not in trained:
                    trained.append(other)
            sector = sector_for(first) if rng.random() < 0.8 else ""
            certs = []
            r = rng.random()
            if country == "KZ":
                certs = ["KZ"] if r < 0.4 else (["KZ", "WorldSkills"] if r < 0.45 else [])
            elif country == "CN":
                certs = ["CN-VSL"] if r < 0.3 else (["CN-VSL", "KZ"] if r < 0.4 else [])
            program_rows.append((
                program_id, f"P{program_id:06d}", f"Bench program {program_id} ({first})", sector,
                json.dumps(languages_for(country, rng, program=True)), json.dumps(certs), STAMP, STAMP, college_id, False, "{}",
            ))
            for code in trained:
                occ_id += 1
                occ_rows.append((occ_id, program_id, code))
            if rng.random() >= args.serves_all:  # the others serve every region (empty list)
                pos = home["id"] - 1
                served = {regions[pos]["id"]}
                for _extra in range(rng.choice((0, 1, 1, 2, 3, 4))):
                    served.add(regions[(pos + rng.randint(-3, 3)) % len(regions)]["id"])
                for region_id in sorted(served):
                    serves_id += 1
                    serves_rows.append((serves_id, program_id, region_id))
            n = min(remaining, rng.randint(*COHORTS_PER_PROGRAM))
            duration = rng.choice((91, 182, 273, 365, 730))
            spacing = rng.choice((91, 122, 182, 365))
            # With --history the cohorts centre on the early warning's target quarters (half a year on).
            centre = q_start + dt.timedelta(days=180 if args.history else 0)
            first_graduation = centre + dt.timedelta(days=rng.randint(-300, 180) - spacing * (n // 2))
            for i in range(n):
                cohort_id += 1
                graduation = first_graduation + dt.timedelta(days=spacing * i)
                intake = graduation - dt.timedelta(days=duration)
                seats = max(1, min(200, int(rng.lognormvariate(3.0, 0.6))))
                cohort_rows.append((cohort_id, seats, intake.isoformat(), graduation.isoformat(), STAMP, STAMP, program_id))
            remaining -= n
    if args.history:
        rows["gaps_gapreport"], rows["gaps_gapreportline"] = history_rows(
            args, quarter, rows["gaps_gapreport"], rows["gaps_gapreportline"]
        )
    rows["training_college"] = college_rows
    rows["training_program"] = program_rows
    rows["training_program_occupations"] = occ_rows
    rows["training_program_serves_regions"] = serves_rows
    rows["training_cohort"] = cohort_rows
    return rows


# History (--history): each line of the generated quarter recurs in the earlier quarters with its
# occupation's seasonal factor (peak in Q3 for agriculture, Q2 for construction, a seeded quarter
# otherwise), a yearly trend of -5..+15 %, noise (log-normal, sigma 0.2) and salaries growing 0..8 %
# a year; 10 % of the lines are left out of each earlier quarter (reported without the occupation).
SEASON_PEAK = {"A": 3, "F": 2}


def history_rows(args, quarter, report_rows, line_rows):
    """Reports and lines of the --history quarters ending with the generated quarter (its own rows
    last). A separate random stream: the generated quarter's rows are the same as without history."""
    rng = random.Random(args.seed + 1)
    quarters = [quarter]
    while len(quarters) < args.history:
        quarters.insert(0, quarters[0].previous())
    occupations = sorted({row[15] for row in line_rows if row[15]})
    peak = {c: SEASON_PEAK.get(sector_for(c)) or rng.randint(1, 4) for c in occupations}
    trend = {c: rng.uniform(-0.05, 0.15) for c in occupations}
    wage = {c: rng.uniform(0.0, 0.08) for c in occupations}
    region_of_report = {r[0]: r[6] for r in report_rows}
    reports, lines = [], []
    report_id = line_id = 0
    for q in quarters:
        last = q == quarter
        years_back = (quarter.year * 4 + quarter.number - q.year * 4 - q.number) / 4
        ids: dict[int, int] = {}
        numbers: dict[int, int] = {}
        for row in line_rows:
            (_id, _no, title, confidence, sector, headcount, smin, smax, currency, start, end, cert, langs, note,
             base_report, occupation) = row
            if not last and rng.random() < 0.10:
                continue
            if base_report not in ids:
                report_id += 1
                ids[base_report] = report_id
                reports.append((report_id, str(q), "submitted", STAMP, STAMP, STAMP, region_of_report[base_report]))
            rid = ids[base_report]
            numbers[rid] = numbers.get(rid, 0) + 1
            line_id += 1
            if not last:
                factor = 1.0
                if occupation:
                    factor = (1.6 if q.number == peak[occupation] else 0.8) / (1.6 if quarter.number == peak[occupation] else 0.8)
                    factor *= (1 + trend[occupation]) ** (-years_back) * rng.lognormvariate(0, 0.2)
                headcount = max(1, min(2000, round(headcount * factor)))
                shrink = (1 + wage[occupation]) ** (-years_back) if occupation else 1.0
                smin, smax = f"{float(smin) * shrink:.2f}", f"{float(smax) * shrink:.2f}"
                shift = q.start - quarter.start
                if start:
                    start = (dt.date.fromisoformat(start) + shift).isoformat()
                    end = (dt.date.fromisoformat(end) + shift).isoformat()
            lines.append((line_id, numbers[rid], title, confidence, sector, headcount, smin, smax, currency, start, end,
                          cert, langs, note, rid, occupation))
    return reports, lines


COLUMNS = {
    "gaps_region": ("id", "code", "country", "name_en", "name_ru", "name_zh", "name_kk", "kind", "avg_wage_growth_pct"),
    "gaps_exchangerate": ("id", "currency", "date", "rate_to_cny"),
    "gaps_gapreport": ("id", "quarter", "status", "created_at", "updated_at", "submitted_at", "region_id"),
    "gaps_gapreportline": (
        "id", "line_no", "occupation_title", "coding_confidence", "sector", "headcount", "salary_min", "salary_max",
        "currency", "season_start", "season_end", "certification", "languages", "note", "report_id", "occupation_id",
    ),
    "training_college": ("id", "code", "name", "country", "name_translations"),
    "training_program": ("id", "code", "title", "sector", "languages", "certifications", "created_at", "updated_at",
                         "college_id", "mobile", "title_translations"),
    "training_program_occupations": ("id", "program_id", "occupation_id"),
    "training_program_serves_regions": ("id", "program_id", "region_id"),
    "training_cohort": ("id", "seats", "intake_date", "graduation_date", "created_at", "updated_at", "program_id"),
}
# Columns written with one value on every row, after the generated ones (NOT NULL, no database default).
CONSTANT_COLUMNS = {
    "gaps_gapreportline": {"note_translations": "{}"},  # since gaps 0016
}
WIPE = ["gaps_region", "gaps_exchangerate", "gaps_gapreport", "training_college"]
# Matching runs describe data --reset removes; a run left "running" by a killed benchmark would
# also hold the quarter's lock. Wiped when the table exists (CASCADE takes their results).
WIPE_IF_PRESENT = ["gaps_matchrun"]


def write(conn, rows: dict[str, list[tuple]], *, reset: bool) -> dict[str, float]:
    from psycopg import sql

    timings = {}
    with conn.transaction():
        if reset:
            present = [t for t in WIPE_IF_PRESENT if conn.execute("SELECT to_regclass(%s)", [t]).fetchone()[0]]
            conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in WIPE + present)))
        else:
            busy = [t for t in ("gaps_region", "gaps_gapreport", "training_program", "training_cohort")
                    if conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(t))).fetchone()[0]]
            if busy:
                raise SystemExit(
                    f"The database already holds rows in {', '.join(busy)}; pass --reset to wipe regions, rates, "
                    f"reports and colleges (and what refers to them) first. Never point this at a database with real data."
                )
        for table, columns in COLUMNS.items():
            started = time.perf_counter()
            constant = CONSTANT_COLUMNS.get(table, {})
            columns, tail = (*columns, *constant), tuple(constant.values())
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns))
            with conn.cursor().copy(statement) as copy:
                for row in rows[table]:
                    copy.write_row(row + tail)
            # Ids were given explicitly: move each identity past them so later inserts don't collide.
            conn.execute(sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), (SELECT max(id) FROM {}))").format(
                sql.Literal(table), sql.Identifier(table)))
            timings[table] = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute("ANALYZE")
    timings["ANALYZE"] = time.perf_counter() - started
    return timings


def main(argv=None) -> None:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"DATABASE_URL must be a PostgreSQL URL (got {url!r})")
    t0 = time.perf_counter()
    ensure_database(url)
    setup_django(url)
    from gaps.models import Occupation

    unit_groups = list(Occupation.objects.filter(level=4).order_by("code").values_list("code", flat=True))
    t1 = time.perf_counter()
    print(f"database ready (migrated, taxonomy loaded): {t1 - t0:.1f} s")
    rows = generate(args, unit_groups)
    t2 = time.perf_counter()
    print(f"generated in Python: {t2 - t1:.1f} s")
    import psycopg

    with psycopg.connect(url) as conn:
        timings = write(conn, rows, reset=args.reset)
    t3 = time.perf_counter()
    for table, rows_ in rows.items():
        print(f"  {table:34s} {len(rows_):>9,d} rows  COPY {timings[table]:6.1f} s")
    print(f"  ANALYZE {timings['ANALYZE']:.1f} s")
    print(f"written with COPY: {t3 - t2:.1f} s; total {t3 - t0:.1f} s")
    print(f"quarter {args.quarter}: {len(rows['gaps_gapreportline']):,d} lines in {len(rows['gaps_gapreport'])} submitted "
          f"reports, {len(rows['training_cohort']):,d} cohorts of {len(rows['training_program']):,d} programs "
          f"in {len(rows['training_college']):,d} colleges (seed {args.seed}) -> {urlparse(url).path.lstrip('/')}")


if __name__ == "__main__":
    main()
