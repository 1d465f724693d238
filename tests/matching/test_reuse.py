"""Re-matches that copy unchanged components' rows from the previous run (gaps.matching.reuse)
give exactly what a full run gives: random small quarters, random changes, both ways compared."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from django.db import transaction

from gaps.matching import services
from gaps.models import Flag, Gap, GapReport, GapReportLine, LineOutcome, MatchChunk, QuarterResults, Recommendation, ReportStatus
from training.models import Cohort

from . import seed

pytestmark = pytest.mark.django_db

D = dt.date
CODES = ["8341", "8342", "7515", "7126"]
REGIONS = ["EKZ", "HORGOS", "ILI"]
GRADUATIONS = [D(2026, 1, 20), D(2026, 4, 15), D(2026, 6, 30), D(2026, 7, 20), D(2026, 8, 25), D(2026, 10, 1)]


def snapshot(quarter="2026Q3"):
    """Every column of the current run's rows but ids and the run, sorted; and the active gaps."""
    run_id = QuarterResults.objects.get(quarter=quarter).current_run_id

    def rows(model):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "run_id")]
        return sorted(model.objects.filter(run_id=run_id).values_list(*names), key=repr)

    gaps = sorted(
        Gap.objects.filter(quarter=quarter, is_active=True).values_list(
            "region_id", "occupation_id", "headcount", "covered", "shortfall", "salary_min_cny", "salary_max_cny",
            "need_date", "new_on_list", "line_count", "flag_count", "recommendation_count", "priority",
        )
    )
    return {"flags": rows(Flag), "recommendations": rows(Recommendation), "outcomes": rows(LineOutcome), "gaps": gaps}


def assert_evidence_counts_match_the_rows(quarter="2026Q3"):
    """Each active gap's stored flag and recommendation counts are its rows in the current run,
    counted here by brute force: flags by region and occupation, or by target occupation when that
    is another one; recommendations by region and occupation."""
    run_id = QuarterResults.objects.get(quarter=quarter).current_run_id
    flags = list(Flag.objects.filter(run_id=run_id).values_list("region_id", "occupation_code", "target_occupation_code"))
    recommendations = list(Recommendation.objects.filter(run_id=run_id).values_list("region_id", "occupation_code"))
    gaps = Gap.objects.filter(quarter=quarter, is_active=True)
    # Flags about lines (they name a region) come with gaps; OVERSUPPLY names no region and may stand
    # alone when every line is covered.
    assert gaps.exists() or not any(region for region, _occupation, _target in flags)
    for gap in gaps:
        key = (gap.region_id, gap.occupation_id)
        expected = sum(1 for r, o, t in flags if (r, o) == key or (o != t and (r, t) == key))
        assert (gap.flag_count, gap.recommendation_count) == (expected, recommendations.count(key)), gap


def run(chunks, *, reuse=True, django_settings=None):
    """A run that computes (the "nothing changed" shortcut, gaps.matching.inputs, is off: these
    tests are about what a computing run copies); reuse=False: a full match from scratch."""
    django_settings.MATCH_REUSE_RESULTS = reuse
    django_settings.MATCH_SKIP_UNCHANGED = False
    result = services.match_quarter_inline(quarter="2026Q3", trigger="command", chunks=chunks)
    assert result.status == "succeeded", result.error
    return result


def reused_components(run_row) -> int:
    return sum(len(c) for c in MatchChunk.objects.filter(run=run_row).values_list("reused", flat=True))


@st.composite
def quarters(draw):
    programs = []
    for i in range(draw(st.integers(2, 6))):
        programs.append({
            "code": f"P{i}",
            "college": draw(st.sampled_from(["GANSU", "XJ", "ALMATY"])),
            "occupations": draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=2, unique=True)),
            "serves": draw(st.lists(st.sampled_from(REGIONS), max_size=2, unique=True)),
            "languages": draw(st.lists(st.sampled_from(["ru", "zh", "kk"]), min_size=1, max_size=2, unique=True)),
            "certifications": draw(st.sampled_from([[], ["KZ"]])),
            "sector": draw(st.sampled_from(["", "A", "C"])),
            "cohorts": draw(st.lists(st.tuples(st.integers(1, 40), st.sampled_from(GRADUATIONS)), min_size=1, max_size=3,
                                     unique_by=lambda c: c[1])),
        })
    lines = {
        region: draw(st.lists(st.fixed_dictionaries({
            "occupation": st.sampled_from(CODES),
            "headcount": st.integers(1, 60),
            "season_start": st.sampled_from([None, D(2026, 7, 1), D(2026, 8, 10)]),
            "certification": st.sampled_from(["", "", "KZ"]),
            "languages": st.sampled_from([[], ["kk"], ["zh", "ru"]]),
            "sector": st.sampled_from(["", "A"]),
            "salary_max": st.sampled_from([Decimal(8000), Decimal(9000)]),
        }), max_size=4))
        for region in REGIONS
    }
    changes = draw(st.lists(st.sampled_from(["headcount", "add_line", "seats", "add_cohort", "withdraw", "nothing"]),
                            min_size=1, max_size=3))
    return programs, lines, changes, draw(st.integers(1, 3)), draw(st.randoms(use_true_random=False))


def build(programs, lines):
    seed.occupations()
    regions = {code: seed.region(code) for code in REGIONS}
    for p in programs:
        row = seed.program(p["college"], p["code"], p["occupations"], sector=p["sector"], languages=p["languages"],
                           certifications=p["certifications"], serves=[regions[r] for r in p["serves"]])
        for seats, graduation in p["cohorts"]:
            seed.cohort(row, seats, graduation)
    for region, region_lines in lines.items():
        if region_lines:
            seed.report(regions[region], lines=[{k: v for k, v in l.items() if v is not None} for l in region_lines])
    return regions


def resubmit(region_row, rng, *, add_line: bool):
    old = GapReport.objects.get(region=region_row, quarter="2026Q3", status=ReportStatus.SUBMITTED)
    old.status = ReportStatus.SUPERSEDED
    old.save(update_fields=["status"])
    new = GapReport.objects.create(region=region_row, quarter="2026Q3", status=ReportStatus.SUBMITTED)
    rows = list(GapReportLine.objects.filter(report=old).order_by("line_no"))
    for line in rows:
        line.pk, line.report = None, new
        if rng.random() < 0.5:
            line.headcount = rng.randint(1, 60)
    if add_line:
        extra = GapReportLine.objects.get(pk=GapReportLine.objects.filter(report=old).order_by("line_no").first().pk)
        extra.pk, extra.report, extra.line_no, extra.headcount = None, new, len(rows) + 1, rng.randint(1, 60)
        rows.append(extra)
    GapReportLine.objects.bulk_create(rows)


def apply(change, regions, rng):
    submitted = list(GapReport.objects.filter(quarter="2026Q3", status=ReportStatus.SUBMITTED).order_by("id"))
    cohorts = list(Cohort.objects.order_by("id"))
    if change in ("headcount", "add_line") and submitted:
        resubmit(rng.choice(submitted).region, rng, add_line=change == "add_line")
    elif change == "seats" and cohorts:
        Cohort.objects.filter(pk=rng.choice(cohorts).pk).update(seats=rng.randint(1, 40))
    elif change == "add_cohort" and cohorts:
        program = rng.choice(cohorts).program
        graduation = rng.choice(GRADUATIONS)
        intake = graduation - dt.timedelta(days=rng.randint(30, 700))
        if not Cohort.objects.filter(program=program, intake_date=intake).exists():
            seed.cohort(program, rng.randint(1, 40), graduation, intake)
    elif change == "withdraw" and submitted:
        GapReport.objects.filter(pk=rng.choice(submitted).pk).update(status=ReportStatus.WITHDRAWN)


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(quarters())
def test_a_rematch_reusing_unchanged_components_equals_a_full_run(settings, case):
    programs, lines, changes, chunks, rng = case
    with transaction.atomic():
        regions = build(programs, lines)
        run(chunks, django_settings=settings)
        for change in changes:
            apply(change, regions, rng)
        run(chunks, django_settings=settings)
        with_reuse = snapshot()
        run(chunks, reuse=False, django_settings=settings)
        assert snapshot() == with_reuse
        assert_evidence_counts_match_the_rows()
        transaction.set_rollback(True)


def test_only_the_changed_component_is_recomputed(settings):
    seed.seed_quarter()  # 8341/7515 (EKZ) and 7126 (HORGOS): separate components
    first = run(1, django_settings=settings)
    assert reused_components(first) == 0
    before = snapshot()
    unchanged = run(1, django_settings=settings)
    assert reused_components(unchanged) == 3 and snapshot() == before
    cohort = Cohort.objects.get(program__code="DRIP")
    Cohort.objects.filter(pk=cohort.pk).update(seats=10)  # 7126 changes, the others do not
    changed = run(1, django_settings=settings)
    chunk = MatchChunk.objects.get(run=changed)
    assert sorted(chunk.reused) == ["7515", "8341"]
    with_reuse = snapshot()
    run(1, reuse=False, django_settings=settings)
    assert snapshot() == with_reuse


def test_finalize_from_the_chunk_in_memory_equals_finalize_from_the_database(settings):
    seed.seed_quarter()
    in_memory = run(1, reuse=False, django_settings=settings)  # computed, finalised from memory
    assert in_memory.timings["finalize_fetch"] >= 0
    expected = snapshot()
    rerun = services.match_run_create(quarter="2026Q3", trigger="command", reuse_queued=False)
    (chunk,) = services.match_run_plan(run=rerun, chunks=1)
    assert services.match_chunk_execute(chunk_id=chunk.pk, worker="test")
    assert services._last_chunk is not None
    services._last_chunk = None  # as if another process finalised: read everything back
    assert services.match_run_finalize(run_id=rerun.pk)
    assert QuarterResults.objects.get(quarter="2026Q3").current_run_id == rerun.pk
    assert snapshot() == expected


def test_the_rules_revision_is_part_of_every_digest(monkeypatch):
    """A re-match never copies rows an earlier revision of the rules computed (gaps/0011)."""
    from gaps.matching import reuse

    from .builders import cohort, line, match_input, program

    p = program()
    part = match_input([line()], [p], [cohort(p)])
    now = reuse.component_digest(part)
    monkeypatch.setattr(reuse, "RULES_REVISION", reuse.RULES_REVISION - 1)
    assert reuse.component_digest(part) != now
