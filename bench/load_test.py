#!/usr/bin/env python
"""Loopback load test: gunicorn + PostgreSQL + Redis + a Celery worker, report submissions and list
reads while matching runs; requests, errors and p50/p95/p99 per endpoint, and each list endpoint's
p95 against a bare DRF list served by the same gunicorn.

    .venv/bin/python bench/load_test.py [--duration 60] [--workers 3] [--readers 6] [--json]

SPEC.md: "API list endpoints at p95 within 2x of a bare DRF endpoint on the same server"; issue 6:
"report submissions and list endpoints while a match runs ... error rate (target 0)".

What it does, all on 127.0.0.1 and bounded by --duration (or --requests):

1. Seeds the database of DATABASE_URL (default: a dedicated `talentgap_load` database it creates
   and migrates): the ISCO-08 taxonomy, `load_demo`, a heavier quarter to match (--lines report lines
   in `LT-*` regions and --cohorts cohorts in `LT-*` colleges, so a match takes seconds, not
   milliseconds), and the project repository of bench/projects_list.py (--projects projects, their
   outcomes, and a review queue). Reseeding is skipped when the rows are there.
2. Starts a Celery worker and gunicorn (--workers sync workers) with the production settings
   (DEBUG off, a random SECRET_KEY, Redis as broker and cache, throttles raised out of the way,
   BENCH_ENDPOINTS=1 for the bare list at /api/v1/_bench/bare/, no HTTPS redirect on loopback).
3. Queues a match of the quarter, then runs for --duration:
   - one submitter thread per demo official (own region, so no two share a draft): create a draft,
     add two lines, submit -- each submission queues a re-match of the quarter;
   - --readers threads cycling through the list endpoints (bare included, evenly), each as a role
     that may read it, with DRF token authentication.
4. Waits (bounded by --drain) until every queued match has finished, and fails if one failed.

A request counts as an error when its status is not the expected one (200 for reads, 201/200 for
the submission steps) or it raised. The exit status is 1 when there was any error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/talentgap_load"
QUARTER = "2026Q3"

# (name, role, path): the list endpoints read during the test. "bare" is the reference.
READS = [
    ("bare", "reviewer", "/api/v1/_bench/bare/"),
    ("projects", "reviewer", "/api/v1/projects/"),
    ("review-queue", "reviewer", f"/api/v1/review-queue/?quarter={QUARTER}"),
    ("mismatches", "reviewer", "/api/v1/mismatches/"),
    ("recommendations", "college", "/api/v1/recommendations/"),
    ("gaps", "official", "/api/v1/gaps/"),
    ("reports", "official", "/api/v1/reports/"),
    ("programs", "college", "/api/v1/programs/"),
    ("cohorts", "reviewer", "/api/v1/cohorts/"),
    ("match-runs", "reviewer", "/api/v1/match-runs/"),
]
OFFICIALS = ["official.vko", "official.almaty", "official.horgos", "official.alashankou", "official.ili"]
COLLEGE_STAFF = ["college.luban", "college.gansu", "college.xinjiang", "college.almaty"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--requests", type=int, default=0, help="stop after this many requests instead (0: duration)")
    parser.add_argument("--min-rounds", type=int, default=0,
                        help="keep going after --duration until every reader has read every list this many times "
                             "(at most 300 s more): a short run on a busy machine still reads each list")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--readers", type=int, default=6, help="threads reading list endpoints")
    parser.add_argument("--submitters", type=int, default=len(OFFICIALS), help=f"submitting officials (<= {len(OFFICIALS)})")
    parser.add_argument("--projects", type=int, default=2000, help="projects in the repository")
    parser.add_argument("--lines", type=int, default=3000, help="extra submitted report lines in the quarter")
    parser.add_argument("--cohorts", type=int, default=20000, help="extra cohorts to match them against")
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_TEST_REDIS_URL", "redis://127.0.0.1:6379/9"),
                        help="Redis for broker and cache; the run uses a queue and a key prefix of its own")
    parser.add_argument("--drain", type=float, default=300.0, help="seconds to wait for queued matches afterwards")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


# --- Seeding (in this process, local settings) ------------------------------------------------------


def ensure_database(url: str) -> None:
    from bench.projects_list import ensure_database as create

    create(url)


def seed(args) -> dict:
    """Idempotent: the taxonomy, the demo, the heavier quarter and the projects once; tokens each time."""
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from gaps.models import Occupation

    call_command("migrate", verbosity=0)
    if not Occupation.objects.filter(level=4).exists():
        call_command("load_taxonomy", verbosity=0)
    from demo.services import demo_load

    demo_load()
    seed_matching_load(args)
    from bench.projects_list import populate

    populate(argparse.Namespace(projects=args.projects, outcomes=3, seed=args.seed, reset=False))
    tokens = {}
    for username in ["reviewer", "admin", *OFFICIALS, *COLLEGE_STAFF]:
        user = User.objects.get(username=username)
        tokens[username] = Token.objects.get_or_create(user=user)[0].key
    return tokens


def seed_matching_load(args) -> None:
    """--lines submitted lines in 30 `LT-*` regions and --cohorts cohorts in `LT-*` colleges for QUARTER."""
    from gaps.models import GapReport, GapReportLine, Occupation, Region, ReportStatus
    from training.models import Cohort, College, Program

    if args.lines <= 0 or Region.objects.filter(code__startswith="LT-").exists():
        return
    rng = random.Random(args.seed)
    occupations = list(Occupation.objects.filter(level=4).order_by("code").values_list("code", flat=True))[:60]
    regions = Region.objects.bulk_create(
        Region(code=f"LT-{i:02d}", country="KZ" if i % 3 else "CN", name_en=f"Load region {i}", kind="oblast")
        for i in range(30)
    )
    now = dt.datetime.now(dt.timezone.utc)
    reports = GapReport.objects.bulk_create(
        GapReport(region=r, quarter=QUARTER, status=ReportStatus.SUBMITTED, submitted_at=now) for r in regions
    )
    GapReportLine.objects.bulk_create(
        (
            GapReportLine(
                report=reports[i % len(reports)], line_no=i // len(reports) + 1, occupation_id=rng.choice(occupations),
                headcount=rng.randint(5, 200), salary_min=300000, salary_max=450000, currency="KZT",
                languages=rng.choice([[], ["ru"], ["kk"]]),
            )
            for i in range(args.lines)
        ),
        batch_size=2000,
    )
    colleges = College.objects.bulk_create(
        College(code=f"LT-C{i:03d}", name=f"Load college {i}", country="KZ") for i in range(100)
    )
    programs = Program.objects.bulk_create(
        Program(college=colleges[i % len(colleges)], code=f"LP{i}", title=f"Load program {i}", languages=["ru", "kk"])
        for i in range(1000)
    )
    Program.occupations.through.objects.bulk_create(
        Program.occupations.through(program_id=p.pk, occupation_id=occupations[i % len(occupations)])
        for i, p in enumerate(programs)
    )
    Program.serves_regions.through.objects.bulk_create(
        Program.serves_regions.through(program_id=p.pk, region_id=regions[i % len(regions)].pk)
        for i, p in enumerate(programs) if i % 10
    )
    start = dt.date(2025, 9, 1)
    Cohort.objects.bulk_create(
        (
            Cohort(program=programs[i % len(programs)], seats=rng.randint(5, 60),
                   intake_date=start + dt.timedelta(days=i // len(programs)),
                   graduation_date=start + dt.timedelta(days=i // len(programs) + rng.randint(200, 420)))
            for i in range(args.cohorts)
        ),
        batch_size=5000,
    )


# --- Services (subprocesses, production settings) ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, redis_url: str, run_id: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback; production sits behind a TLS proxy
        TRUSTED_PROXY_COUNT="0",  # the clients connect straight to gunicorn: no proxy's X-Forwarded-For
        CELERY_BROKER_URL=redis_url,
        CELERY_RESULT_BACKEND=redis_url,
        CACHE_URL=redis_url,
        CACHE_KEY_PREFIX=f"loadtest-{run_id}",
        # A queue of its own: no task of another database's run on a shared Redis reaches this worker.
        CELERY_TASK_DEFAULT_QUEUE=f"loadtest-{run_id}",
        # The test sends far more than a person would: the throttles stay on, out of reach.
        API_THROTTLE_USER="1000000/min",
        API_THROTTLE_ANON="1000000/min",
        BENCH_ENDPOINTS="1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def start_services(args, database_url: str, redis_url: str, logdir: Path) -> tuple[list[subprocess.Popen], int, str]:
    run_id = secrets.token_hex(4)
    env = server_env(database_url, redis_url, run_id)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING", "--concurrency=1",
         "--pool=prefork", f"--hostname=loadtest-{run_id}@%h", "-Q", env["CELERY_TASK_DEFAULT_QUEUE"]],
        cwd=ROOT, env=env, stdout=open(logdir / "worker.log", "wb"), stderr=subprocess.STDOUT,
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--worker-class", "sync", "--timeout", "60", "--backlog", "256",
         "--error-logfile", str(logdir / "gunicorn.log")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    procs = [worker, server]
    deadline = time.monotonic() + 60
    while True:
        try:
            status, _ = request(port, "GET", "/healthz")
            if status == 200:
                break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            stop_services(procs)
            raise SystemExit(f"gunicorn did not start; see {logdir / 'gunicorn.log'}")
        time.sleep(0.3)
    return procs, port, env["CELERY_TASK_DEFAULT_QUEUE"]


def stop_services(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- Clients ------------------------------------------------------------------------------------------


def request(port: int, method: str, path: str, token: str | None = None, body: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, data
    finally:
        conn.close()


class Recorder:
    def __init__(self, stop_after: int):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_examples: list[str] = []
        self.total = 0
        self.stop_after = stop_after
        self.stop = threading.Event()
        self.rounds: dict[int, int] = defaultdict(int)  # reader offset -> full rounds over READS

    def timed(self, name: str, expected: tuple[int, ...], port: int, method: str, path: str, token: str,
              body: dict | None = None):
        t0 = time.perf_counter()
        try:
            status, data = request(port, method, path, token, body)
        except Exception as exc:  # noqa: BLE001 - every failure is counted and shown, never raised
            status, data = None, repr(exc).encode()
        elapsed = time.perf_counter() - t0
        with self.lock:
            self.total += 1
            self.samples[name].append(elapsed)
            if status not in expected:
                self.errors[name] += 1
                if len(self.error_examples) < 10:
                    self.error_examples.append(f"{method} {path}: {status} {data[:200]!r}")
            if self.stop_after and self.total >= self.stop_after:
                self.stop.set()
        return status, data


def reader(recorder: Recorder, port: int, tokens: dict, offset: int) -> None:
    roles = {
        "reviewer": ["reviewer"],
        "official": OFFICIALS,
        "college": COLLEGE_STAFF,
    }
    i = offset
    while not recorder.stop.is_set():
        name, role, path = READS[i % len(READS)]
        user = roles[role][i // len(READS) % len(roles[role])]
        recorder.timed(name, (200,), port, "GET", path, tokens[user])
        i += 1
        if (i - offset) % len(READS) == 0:
            with recorder.lock:
                recorder.rounds[offset] += 1


def submitter(recorder: Recorder, port: int, token: str, region: str, occupations: list[str], seed: int) -> None:
    rng = random.Random(seed)
    while not recorder.stop.is_set():
        status, data = recorder.timed("POST reports/", (200, 201), port, "POST", "/api/v1/reports/", token,
                                      {"region": region, "quarter": QUARTER})
        if status not in (200, 201):
            time.sleep(0.5)
            continue
        report = json.loads(data)
        if report.get("lines"):  # a draft left by an earlier run: replace its lines
            recorder.timed("PUT reports/{id}/", (200,), port, "PUT", f"/api/v1/reports/{report['id']}/", token,
                           {"lines": []})
        for _ in range(2):
            recorder.timed("POST report-lines/", (201,), port, "POST", "/api/v1/report-lines/", token, {
                "report": report["id"], "occupation": rng.choice(occupations), "headcount": rng.randint(5, 80),
                "salary_min": "300000", "salary_max": "420000", "currency": "KZT", "languages": ["ru"],
            })
        recorder.timed("POST reports/{id}/submit/", (200,), port, "POST", f"/api/v1/reports/{report['id']}/submit/",
                       token)


def percentile(ordered: list[float], q: float) -> float:
    return ordered[max(0, min(len(ordered) - 1, int(round(q * len(ordered))) - 1))]


def summarise(recorder: Recorder, seconds: float) -> dict:
    endpoints = {}
    for name, samples in sorted(recorder.samples.items()):
        ordered = sorted(samples)
        endpoints[name] = {
            "requests": len(samples),
            "errors": recorder.errors.get(name, 0),
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(percentile(ordered, 0.95) * 1000, 1),
            "p99_ms": round(percentile(ordered, 0.99) * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1),
        }
    bare = endpoints.get("bare", {}).get("p95_ms")
    for name, _role, _path in READS:
        if bare and name in endpoints and name != "bare":
            endpoints[name]["p95_ratio_to_bare"] = round(endpoints[name]["p95_ms"] / bare, 2)
    total = recorder.total
    errors = sum(recorder.errors.values())
    return {
        "seconds": round(seconds, 1),
        "requests": total,
        "requests_per_s": round(total / seconds, 1) if seconds else None,
        "errors": errors,
        "error_rate": round(errors / total, 5) if total else None,
        "error_examples": recorder.error_examples,
        "endpoints": endpoints,
    }


def match_runs(since: dt.datetime) -> dict:
    from django.db.models import Count

    from gaps.models import MatchRun

    counts = dict(
        MatchRun.objects.filter(quarter=QUARTER, created_at__gte=since).values_list("status").annotate(n=Count("id"))
    )
    return counts


def wait_for_matches(since: dt.datetime, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        counts = match_runs(since)
        if not counts.get("queued") and not counts.get("running"):
            return counts
        if time.monotonic() > deadline:
            return counts
        time.sleep(1)


def run(args) -> dict:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.pop("CELERY_BROKER_URL", None)  # seeding runs in-process (the initial match included)
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    ensure_database(url)
    import django

    django.setup()
    from django.db import connection

    t0 = time.perf_counter()
    tokens = seed(args)
    seed_s = time.perf_counter() - t0
    from gaps.models import GapReportLine, Occupation

    occupations = list(Occupation.objects.filter(level=4).order_by("code").values_list("code", flat=True)[:40])
    lines = GapReportLine.objects.filter(report__quarter=QUARTER, report__status="submitted").count()
    from training.models import Cohort

    cohorts = Cohort.objects.count()
    connection.close()

    redis_url = args.redis_url
    logdir = Path(tempfile.mkdtemp(prefix="talentgap-load-"))
    procs, port, queue = start_services(args, url, redis_url, logdir)
    try:
        since = dt.datetime.now(dt.timezone.utc)
        status, data = request(port, "POST", "/api/v1/match-runs/", tokens["reviewer"], {"quarter": QUARTER})
        if status != 202:
            raise SystemExit(f"could not queue a match: {status} {data[:300]!r}")
        recorder = Recorder(args.requests)
        threads = [threading.Thread(target=reader, args=(recorder, port, tokens, i * 3), daemon=True)
                   for i in range(args.readers)]
        regions = {"official.vko": "KZ-VOS", "official.almaty": "KZ-ALM", "official.horgos": "CN-XJ-HRG",
                   "official.alashankou": "CN-XJ-ALS", "official.ili": "CN-XJ-ILI"}
        for i, official in enumerate(OFFICIALS[: args.submitters]):
            threads.append(threading.Thread(
                target=submitter, args=(recorder, port, tokens[official], regions[official], occupations, args.seed + i),
                daemon=True,
            ))
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        if args.requests:
            recorder.stop.wait(timeout=max(args.duration, 600))
        else:
            recorder.stop.wait(timeout=args.duration)
        if args.min_rounds:
            offsets = [i * 3 for i in range(args.readers)]
            rounds_deadline = time.monotonic() + 300
            while time.monotonic() < rounds_deadline and not recorder.stop.is_set():
                with recorder.lock:
                    if all(recorder.rounds[o] >= args.min_rounds for o in offsets):
                        break
                time.sleep(0.1)
        recorder.stop.set()
        for thread in threads:
            thread.join(timeout=120)
        seconds = time.perf_counter() - started
        drain_t0 = time.perf_counter()
        runs = wait_for_matches(since, args.drain)
        drain_s = time.perf_counter() - drain_t0
    finally:
        stop_services(procs)
        connection.close()
        import redis

        redis.Redis.from_url(redis_url).delete(queue)  # tasks left by an unfinished drain
    figures = summarise(recorder, seconds)
    figures.update(
        {
            "setup": {"seed_s": round(seed_s, 1), "gunicorn_workers": args.workers, "readers": args.readers,
                      "submitters": min(args.submitters, len(OFFICIALS)), "quarter_lines": lines,
                      "cohorts": cohorts, "projects": args.projects, "logs": str(logdir)},
            "match_runs": runs,
            "drain_s": round(drain_s, 1),
            "load_average": os.getloadavg(),
        }
    )
    unfinished = runs.get("queued", 0) + runs.get("running", 0)
    figures["ok"] = figures["errors"] == 0 and not runs.get("failed") and not unfinished
    return figures


def print_table(figures: dict) -> None:
    print(f"{'endpoint':28} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'p95/bare':>8}")
    for name, e in figures["endpoints"].items():
        ratio = e.get("p95_ratio_to_bare", "")
        print(f"{name:28} {e['requests']:8} {e['errors']:6} {e['p50_ms']:8} {e['p95_ms']:8} {e['p99_ms']:8} "
              f"{e['max_ms']:8} {ratio!s:>8}")
    print(f"total {figures['requests']} requests in {figures['seconds']} s ({figures['requests_per_s']}/s), "
          f"{figures['errors']} errors (rate {figures['error_rate']})")
    print(f"match runs of {QUARTER} during the test: {figures['match_runs']} (drained in {figures['drain_s']} s)")
    print(f"setup: {figures['setup']}; load average at the end: {figures['load_average']}")
    for example in figures["error_examples"]:
        print("  error:", example)


def main(argv=None) -> int:
    args = parse_args(argv)
    figures = run(args)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_table(figures)
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
