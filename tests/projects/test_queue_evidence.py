"""The review queue's evidence reads (projects.selectors): the first rows of each gap picked off the
indexes (a LATERAL subquery on PostgreSQL, a window elsewhere) are exactly the first rows by id a
brute force picks, and the totals a run stores on its gaps are exactly the rows the gap page lists.
Random flags over a few regions, occupations and runs, with the awkward cases on purpose: a flag that
belongs to two gaps of one page (its occupation is one gap's, its target another's), a flag that
retargets to its own occupation, flags with no occupation."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models.expressions import RawSQL

from gaps.matching.persist import gap_evidence_counts, store_gap_evidence_counts
from gaps.models import Flag, Gap, MatchRun, Occupation, QuarterResults, Recommendation, Region
from projects import selectors

pytestmark = pytest.mark.django_db

REGIONS = ["KZ-VOS", "KZ-ALM", "CN-HRG"]
CODES = ["8341", "7515", "7126", "7543"]
FLAG_BRANCHES = [("run_id", "region_code", "occupation_code"), ("run_id", "region_code", "target_occupation_code")]


@pytest.fixture
def quarter(world, make_gap):
    """Two runs of 2026Q3 (the second current), random flags and recommendations in both, and a gap
    for most (region, occupation) pairs."""
    rng = random.Random(20261123)
    regions = {code: Region.objects.get_or_create(code=code, defaults={"country": code[:2], "name_en": code})[0]
               for code in REGIONS}
    for code in CODES:
        Occupation.objects.get_or_create(code=code, defaults={"level": 4, "title_en": f"Occupation {code}"})
    old = MatchRun.objects.create(quarter="2026Q3", status="succeeded")
    run = MatchRun.objects.create(quarter="2026Q3", status="succeeded")
    QuarterResults.objects.update_or_create(quarter="2026Q3", defaults={"current_run": run})
    flags, recommendations = [], []
    for r in (old, run):
        for i in range(400):
            region = rng.choice(REGIONS)
            occupation = rng.choice([*CODES, None])
            target = rng.choice([None, None, occupation, *CODES])
            flags.append(Flag(run=r, quarter="2026Q3", kind="MISDIRECTED_SUPPLY" if target else "OVERSUPPLY",
                              region_code=region, region=regions[region], occupation_code=occupation,
                              target_occupation_code=target, count=i))
        for i in range(150):
            region = rng.choice(REGIONS)
            recommendations.append(Recommendation(run=r, quarter="2026Q3", kind="EXPAND", region_code=region,
                                                  region=regions[region], occupation_code=rng.choice(CODES),
                                                  college_code="C", program_code=f"P{i}", headcount=1, shortfall=1,
                                                  salary_min=1, salary_max=2, currency="CNY", salary_min_cny=1,
                                                  salary_max_cny=2, need_date=dt.date(2026, 7, 1), feasibility=1,
                                                  score=i))
    rng.shuffle(flags)  # ids not in key order
    Flag.objects.bulk_create(flags)
    Recommendation.objects.bulk_create(recommendations)
    gaps = [make_gap(region=regions[r], occupation=Occupation.objects.get(code=o))
            for r in REGIONS for o in CODES if (r, o) != ("CN-HRG", "7543")]
    store_gap_evidence_counts(run.pk, "2026Q3")
    return {"run": run, "gaps": list(Gap.objects.filter(pk__in=[g.pk for g in gaps]).select_related("region").order_by("pk"))}


def brute_force_flags(run_id, region_code, occupation_code) -> list[int]:
    return sorted(
        pk for pk, o, t in Flag.objects.filter(run_id=run_id, region_code=region_code).values_list(
            "pk", "occupation_code", "target_occupation_code")
        if o == occupation_code or (t == occupation_code and o != t)
    )


def keys_of(gaps):
    return selectors._run_keys_sql([(g.pk, g.quarter, g.region.code, g.occupation_id) for g in gaps])


@pytest.mark.parametrize("lateral", [True, False], ids=["lateral", "window"])
@pytest.mark.parametrize("limit", [1, 3, 25, None])
def test_first_ids_are_the_first_rows_by_id_of_every_gap(quarter, lateral, limit):
    run_id = quarter["run"].pk
    gaps = quarter["gaps"]
    sql, params = selectors._first_ids_sql(Flag, keys_of(gaps), FLAG_BRANCHES, limit, lateral=lateral)
    picked = set(Flag.objects.filter(pk__in=RawSQL(sql, params)).values_list("pk", flat=True))
    every = [brute_force_flags(run_id, g.region.code, g.occupation_id) for g in gaps]
    assert picked == {pk for rows in every for pk in rows[:limit]}
    assert any(len(rows) > (limit or 1) for rows in every)  # the limit cuts (or there are lists to cut)


@pytest.mark.parametrize("limit", [2, None])
def test_each_gap_gets_its_own_first_rows_even_when_rows_belong_to_two_gaps(quarter, limit):
    run_id = quarter["run"].pk
    keys = selectors._gap_keys(quarter["gaps"])
    rows, totals = selectors._matching_rows("Flag", keys, limit)
    shared = 0
    for g in quarter["gaps"]:
        expected = brute_force_flags(run_id, g.region.code, g.occupation_id)
        got = [(f["occupation_code"], f["target_occupation_code"], f["count"]) for f in rows.get(g.pk, [])]
        by_id = dict(Flag.objects.filter(pk__in=expected).values_list("pk", "count"))
        assert [c for _o, _t, c in got] == [by_id[pk] for pk in expected[:limit]]
        shared += sum(1 for o, t, _c in got if t and o and o != t)
        if limit is not None:
            assert totals[g.pk] == len(expected) == g.flag_count
    assert shared  # some rows were picked through their target occupation


def test_stored_counts_are_the_rows_of_the_run_and_no_other(quarter):
    run = quarter["run"]
    counts = gap_evidence_counts(run.pk)
    for g in quarter["gaps"]:
        flags = len(brute_force_flags(run.pk, g.region.code, g.occupation_id))
        recommendations = Recommendation.objects.filter(run=run, region_code=g.region.code,
                                                        occupation_code=g.occupation_id).count()
        assert (g.flag_count, g.recommendation_count) == (flags, recommendations)
        assert counts.get((g.region_id, g.occupation_id), (0, 0)) == (flags, recommendations)
    assert sum(f for f, _r in counts.values()) > 0


def test_the_queue_page_matches_the_gap_pages(world, quarter):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world["reviewer"])
    page = client.get("/api/v1/review-queue/?quarter=2026Q3&page_size=50").json()
    assert page["count"] == len(quarter["gaps"]) and len(page["results"]) == len(quarter["gaps"])
    first = selectors.QUEUE_EVIDENCE_PREVIEW
    for item in page["results"]:
        full = client.get(f"/api/v1/review/gaps/{item['id']}/").json()["evidence"]
        preview = item["evidence"]
        assert preview["totals"]["flags"] == len(full["flags"])
        assert preview["totals"]["recommendations"] == len(full["recommendations"])
        for kind in selectors.EVIDENCE_KINDS:
            assert preview[kind] == full[kind][:first], kind
