#!/usr/bin/env python
"""p95 of the project repository list (sorted by results) against a bare DRF list of the same rows.

    .venv/bin/python bench/projects_list.py [--projects 5000] [--outcomes 3] [--requests 60] [--json]

SPEC.md: "API list endpoints at p95 within 2x of a bare DRF endpoint on the same server". Uses
the database of DATABASE_URL, by default a dedicated `talentgap_projectsbench` database on
127.0.0.1 that it creates and migrates; it deletes and rewrites its own rows (regions `PB-*`,
colleges `PB-*` and everything hanging off them) on every run. Requests go through Django's test
client in-process (authentication forced, no network), so both endpoints pay the same overhead:

- bare: a ListAPIView over CooperationProject with a three-field ModelSerializer, ordered by id;
- repository: GET /api/v1/projects/ as a reviewer — default ordering by certification pass
  rate, employment rate and income change computed in SQL, overdue flag, nested colleges and
  programs, and the full results chain (currency conversion included) of the page's projects;
- review queue: GET /api/v1/review-queue/?quarter=2026Q3, a page of 20 gaps with the first 3 of each
  kind of evidence (report lines, flags, recommendations, candidate colleges) and their totals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/talentgap_projectsbench"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--outcomes", type=int, default=3, help="cohort outcomes per project")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reset", action="store_true", help="rewrite the bench rows even if they are there")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


def ensure_database(url: str) -> None:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    exists = subprocess.run(
        ["psql", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres",
         "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(
            ["psql", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U",
             parts.username or "postgres", "-d", "postgres", "-qc", f"CREATE DATABASE {name}"],
            check=True,
        )


def populate(args) -> dict:
    from django.contrib.auth.models import Group

    from accounts.models import Role, User
    from gaps.models import ExchangeRate, Gap, Occupation, Region
    from projects.models import CohortOutcome, CooperationProject, GapDecision, ProjectCondition
    from training.models import Cohort, College, Program

    rng = random.Random(args.seed)
    reviewer = User.objects.filter(username="bench-reviewer").first()
    existing = CooperationProject.objects.filter(origin_gap__region__code__startswith="PB-")
    if reviewer and existing.count() == args.projects and not args.reset:
        # Same scale as last time: reuse the rows (deleting them goes through Django's cascade).
        from projects.services import project_results_refresh

        project_results_refresh(project_ids=existing.values_list("pk", flat=True))
        return {"reviewer": reviewer, "projects": args.projects,
                "outcomes": CohortOutcome.objects.filter(project__in=existing).count(),
                "queue": Gap.objects.filter(region__code__startswith="PB-", decision__isnull=True).count()}
    CohortOutcome.objects.filter(project__origin_gap__region__code__startswith="PB-").delete()
    ProjectCondition.objects.filter(project__origin_gap__region__code__startswith="PB-").delete()
    CooperationProject.objects.filter(origin_gap__region__code__startswith="PB-").delete()
    GapDecision.objects.filter(gap__region__code__startswith="PB-").delete()
    Gap.objects.filter(region__code__startswith="PB-").delete()
    Cohort.objects.filter(program__college__code__startswith="PB-").delete()
    Program.objects.filter(college__code__startswith="PB-").delete()
    College.objects.filter(code__startswith="PB-").delete()
    Region.objects.filter(code__startswith="PB-").delete()

    regions = Region.objects.bulk_create(
        Region(code=f"PB-{i:02d}", country="KZ" if i % 2 else "CN", name_en=f"Bench region {i}",
               avg_wage_growth_pct=Decimal(rng.randint(2, 12)))
        for i in range(40)
    )
    occupations = []
    for i in range(120):
        code = f"{9000 + i}"[:4]
        occupations.append(Occupation(code=code, level=4, title_en=f"Bench occupation {code}"))
    Occupation.objects.bulk_create(occupations, ignore_conflicts=True)
    colleges = College.objects.bulk_create(
        College(code=f"PB-C{i:03d}", name=f"Bench college {i}", country="KZ") for i in range(200)
    )
    programs = Program.objects.bulk_create(
        Program(college=colleges[i % len(colleges)], code=f"P{i}", title=f"Program {i}", languages=["ru"])
        for i in range(400)
    )
    through = Program.occupations.through
    through.objects.bulk_create(
        through(program_id=p.pk, occupation_id=occupations[i % len(occupations)].code) for i, p in enumerate(programs)
    )
    cohorts = Cohort.objects.bulk_create(
        Cohort(program=programs[i % len(programs)], seats=20, intake_date=dt.date(2025, 1, 1) + dt.timedelta(days=i),
               graduation_date=dt.date(2025, 12, 1) + dt.timedelta(days=i))
        for i in range(args.outcomes * 40)
    )
    for currency, base in (("KZT", Decimal("0.0140")), ("USD", Decimal("7.1"))):
        for month in range(24):
            day = dt.date(2024 + month // 12, month % 12 + 1, 1)
            ExchangeRate.objects.update_or_create(
                currency=currency, date=day, defaults={"rate_to_cny": base * (1 + Decimal(month) / 200)}
            )
    reviewer, _ = User.objects.get_or_create(username="bench-reviewer")
    reviewer.groups.add(Group.objects.get(name=Role.REVIEWER))

    quarters = ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    gaps = []
    seen = set()
    while len(gaps) < args.projects + 500:
        key = (rng.randrange(len(regions)), rng.choice(quarters), rng.randrange(len(occupations)))
        if key in seen:
            continue
        seen.add(key)
        gaps.append(Gap(region=regions[key[0]], quarter=key[1], occupation=occupations[key[2]],
                        headcount=50, covered=10, shortfall=rng.randint(1, 300), new_on_list=rng.random() < 0.2,
                        salary_min_cny=Decimal(rng.randint(3000, 6000)), salary_max_cny=Decimal(rng.randint(6000, 12000)),
                        need_date=dt.date(2026, 7, 1)))
    gaps = Gap.objects.bulk_create(gaps)
    decided, queue = gaps[: args.projects], gaps[args.projects:]
    decisions = GapDecision.objects.bulk_create(
        GapDecision(gap=g, decision="approved", decided_by=reviewer) for g in decided
    )
    now = dt.datetime.now(dt.timezone.utc)
    projects = CooperationProject.objects.bulk_create(
        CooperationProject(title=f"Bench project {i}", origin_gap=g, decision=d, owner=reviewer, approved_at=now,
                           lead_college=colleges[i % len(colleges)], planned_trainees=rng.randint(5, 500))
        for i, (g, d) in enumerate(zip(decided, decisions))
    )
    gap_through = CooperationProject.gaps.through
    gap_through.objects.bulk_create(gap_through(cooperationproject_id=p.pk, gap_id=p.origin_gap_id) for p in projects)
    partner_through = CooperationProject.partner_colleges.through
    partner_through.objects.bulk_create(
        partner_through(cooperationproject_id=p.pk, college_id=colleges[(i + 7) % len(colleges)].pk)
        for i, p in enumerate(projects)
    )
    ProjectCondition.objects.bulk_create(
        ProjectCondition(project=p, text="Supplement", due_date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 400))
        for i, p in enumerate(projects)
    )
    outcomes = []
    for i, p in enumerate(projects):
        for j in range(args.outcomes):
            enrolled = rng.randint(0, 40)
            completed = rng.randint(0, enrolled)
            currency = rng.choice(["KZT", "KZT", "CNY", "USD"])
            scale = {"KZT": 300000, "CNY": 4500, "USD": 600}[currency]
            outcomes.append(CohortOutcome(
                project=p, cohort=cohorts[(i * args.outcomes + j) % len(cohorts)], enrolled=enrolled,
                completed=completed, passed_assessment=rng.randint(0, completed), employed_6m=rng.randint(0, completed),
                income_before=Decimal(scale), income_after=Decimal(int(scale * rng.uniform(0.9, 1.6))),
                income_currency=currency,
            ))
    CohortOutcome.objects.bulk_create(outcomes, batch_size=5000, ignore_conflicts=True)
    from projects.services import project_results_refresh

    project_results_refresh(project_ids=[p.pk for p in projects])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"reviewer": reviewer, "projects": len(projects), "outcomes": len(outcomes), "queue": len(queue)}


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def measure(client, path: str, n: int) -> dict:
    client.get(path)  # warm caches and connections
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - t0)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return {"p50_ms": round(statistics.median(samples) * 1000, 1), "p95_ms": round(p95(samples) * 1000, 1)}


def main(argv=None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    ensure_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.urls import path
    from rest_framework import generics, serializers
    from rest_framework.test import APIClient

    from projects.models import CooperationProject

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    world = populate(args)
    setup_s = time.perf_counter() - t0

    class Bare(serializers.ModelSerializer):
        class Meta:
            model = CooperationProject
            fields = ["id", "title", "status"]

    class BareList(generics.ListAPIView):
        queryset = CooperationProject.objects.order_by("-id")
        serializer_class = Bare
        filter_backends: list = []

    import config.urls

    config.urls.urlpatterns.append(path("bench/bare-projects/", BareList.as_view()))
    client = APIClient()
    client.force_authenticate(world["reviewer"])
    figures = {
        "projects": world["projects"],
        "outcomes": world["outcomes"],
        "queue_gaps": world["queue"],
        "setup_s": round(setup_s, 1),
        "bare": measure(client, "/bench/bare-projects/", args.requests),
        "repository": measure(client, "/api/v1/projects/", args.requests),
        "repository_by_income": measure(client, "/api/v1/projects/?ordering=-income_change_pct", args.requests),
        "review_queue": measure(client, "/api/v1/review-queue/?quarter=2026Q3", args.requests),
    }
    figures["ratio_repository_p95"] = round(figures["repository"]["p95_ms"] / figures["bare"]["p95_ms"], 2)
    figures["ratio_queue_p95"] = round(figures["review_queue"]["p95_ms"] / figures["bare"]["p95_ms"], 2)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
