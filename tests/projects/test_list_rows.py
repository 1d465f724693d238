"""The list endpoints shape plain rows themselves (serializers.project_list_rows, review_gap_rows): the
JSON must be exactly what the serializers give, in every language, and the queries must not grow
with the page."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from projects import selectors, services
from projects.api.serializers import ProjectSerializer, ReviewGapSerializer

LANGUAGES = ["en", "ru", "zh-hans", "kk"]


def client_for(world, role="reviewer"):
    client = APIClient()
    client.force_authenticate(world[role])
    return client


def as_json(data):
    return json.loads(JSONRenderer().render(data))


@pytest.fixture
def repository(world, make_gap, rates):
    """Projects with and without a lead, partners, programs, budget, results and an overdue condition."""
    east, horgos = world["east"], world["horgos"]
    east.name_ru, east.name_zh, east.name_kk = "Восточно-Казахстанская", "东哈萨克斯坦州", "Шығыс Қазақстан"
    east.save()
    world["harvester"].title_ru = "Операторы сельхозтехники"
    world["harvester"].save()
    # Colleges' names and programs' titles in other languages (one of them since edited: shown as written).
    ust, gansu, operators = world["ust"], world["gansu"], world["operators"]
    ust.name_translations = {"kk": "Өскемен шеберханасы", "zh-hans": "乌斯季卡缅诺戈尔斯克工坊", "_as_written": ust.name}
    ust.save()
    gansu.name_translations = {"kk": "Ганьсу колледжі", "_as_written": "an older name"}
    gansu.save()
    operators.title_translations = {"ru": "Операторы комбайнов", "kk": "Комбайн операторлары",
                                    "_as_written": operators.title}
    operators.save()
    reviewer = world["reviewer"]
    bare = services.gap_approve(gap=make_gap(), user=reviewer)
    full = services.gap_approve(gap=make_gap(region=horgos, occupation=world["grader"]), user=reviewer)
    services.project_update(
        project=full, user=reviewer, lead_college=world["ust"], partner_colleges=[world["gansu"]],
        programs=[world["operators"], world["graders"], world["everywhere"]], planned_trainees=40,
        planned_intake_date=dt.date(2026, 9, 1), budget_amount=Decimal("1234567.5"), budget_currency="KZT",
        funding_source="enterprise_order",
    )
    services.outcome_create(project=full, user=reviewer, cohort=world["cohort"], enrolled=20, completed=18,
                            passed_assessment=12, employed_6m=15, income_before=Decimal(300000),
                            income_after=Decimal(390000), income_currency="KZT")
    overdue = services.gap_approve(gap=make_gap(quarter="2026Q2"), user=reviewer)
    condition = overdue.conditions.get()
    condition.due_date = dt.date.today() - dt.timedelta(days=3)
    condition.save()
    return [bare, full, overdue]


@pytest.mark.parametrize("language", LANGUAGES)
def test_project_rows_are_what_the_serializer_gives(world, repository, language):
    with translation.override(language):
        results = client_for(world).get("/api/v1/projects/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        projects = selectors.project_list(user=world["reviewer"]).filter(pk__in=[p.pk for p in repository])
        expected = {p["id"]: p for p in as_json(ProjectSerializer(projects, many=True).data)}
    assert len(results) == len(expected) == 3
    for item in results:
        assert list(item) == list(expected[item["id"]])  # same keys in the same order
        assert item == expected[item["id"]]
    full = next(item for item in results if item["lead_college"])
    assert full["budget_amount"] == "1234567.50" and [p["code"] for p in full["programs"]] == ["GRD", "OPS2", "OPS"]
    assert full["results"] and full["pass_rate"] is not None
    assert sum(item["overdue"] for item in results) == 1
    ust, gansu, operators = world["ust"], world["gansu"], world["operators"]
    assert full["lead_college"]["display_name"] == ust.name_translations.get(language, ust.name)
    assert [c["display_name"] for c in full["partner_colleges"]] == [gansu.name]
    shown = {p["code"]: p["display_title"] for p in full["programs"]}
    assert shown[operators.code] == operators.title_translations.get(language, operators.title)


def test_project_rows_format_datetimes_in_the_active_time_zone(world, repository):
    # The shaper looks the time zone up once per page (core.api.with_fixed_timezone): still the active one.
    with timezone.override("Asia/Shanghai"):
        results = client_for(world).get("/api/v1/projects/").json()["results"]
        projects = selectors.project_list(user=world["reviewer"]).filter(pk__in=[p.pk for p in repository])
        expected = {p["id"]: p for p in as_json(ProjectSerializer(projects, many=True).data)}
    for item in results:
        assert item == expected[item["id"]]
    assert all(item["approved_at"].endswith("+08:00") for item in results)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_queue_rows_are_what_the_serializer_gives(world, make_gap, submitted_report, language):
    world["east"].name_ru = "Восточно-Казахстанская"
    world["east"].save()
    gaps = [make_gap(), make_gap(occupation=world["grader"], new_on_list=True, salary_min_cny=None)]
    with translation.override(language):
        results = client_for(world).get("/api/v1/review-queue/?quarter=2026Q3").json()["results"]
        queue = {g.pk: g for g in selectors.review_queue(user=world["reviewer"], quarter="2026Q3")}
        evidence = selectors.gap_evidence(list(queue.values()))
        expected = {pk: as_json(ReviewGapSerializer(g, context={"evidence": evidence}).data) for pk, g in queue.items()}
    assert [item["id"] for item in results] == [gaps[1].pk, gaps[0].pk]
    for item in results:
        preview = item.pop("evidence")
        full = expected[item["id"]].pop("evidence")
        assert item == expected[item["id"]]
        assert preview.pop("totals") == {kind: len(rows) for kind, rows in full.items()}
        assert preview == full  # no more than the preview's few of each: the preview is all of it
    assert results[1]["priority"] == "180000.00"


def _flags(gap_region, occupation, n, run):
    from gaps.models import Flag

    Flag.objects.bulk_create(
        Flag(run=run, quarter="2026Q3", kind="TIMING_MISMATCH", region_code=gap_region, occupation_code=occupation,
             college_code="KZ-UK", program_code=f"P{i}", cohort_graduation_date=dt.date(2026, 8, 1), shortfall=5)
        for i in range(n)
    )


@pytest.fixture
def current_run(db):
    from gaps.models import MatchRun, QuarterResults

    run = MatchRun.objects.create(quarter="2026Q3", status="succeeded")
    QuarterResults.objects.create(quarter="2026Q3", current_run=run)
    return run


def test_the_queue_shows_the_first_few_of_each_kind_and_the_gap_shows_all(world, make_gap, submitted_report,
                                                                          current_run):
    from gaps.matching.persist import store_gap_evidence_counts
    from gaps.models import Flag, MatchRun
    from training.models import Program

    gap = make_gap()
    _flags("KZ-VOS", "8341", 12, current_run)
    # MISDIRECTED_SUPPLY counts through its target occupation; once when it retargets to its own.
    Flag.objects.create(run=current_run, quarter="2026Q3", kind="MISDIRECTED_SUPPLY", region_code="KZ-VOS",
                        occupation_code="7515", target_occupation_code="8341", count=3)
    Flag.objects.create(run=current_run, quarter="2026Q3", kind="MISDIRECTED_SUPPLY", region_code="KZ-VOS",
                        occupation_code="8341", target_occupation_code="8341", count=1)
    # Not this gap's: another region, another occupation, another run.
    _flags("KZ-ALM", "8341", 2, current_run)
    _flags("KZ-VOS", "7515", 2, current_run)
    _flags("KZ-VOS", "8341", 2, MatchRun.objects.create(quarter="2026Q3", status="failed"))
    store_gap_evidence_counts(current_run.pk, "2026Q3")
    for i in range(11):
        program = Program.objects.create(college=world["gansu"], code=f"EXTRA{i:02d}", title="x", languages=["ru"])
        program.occupations.add(world["harvester"])
    client = client_for(world)
    (item,) = client.get("/api/v1/review-queue/?quarter=2026Q3").json()["results"]
    evidence = item["evidence"]
    full = client.get(f"/api/v1/review/gaps/{gap.pk}/").json()["evidence"]
    assert "totals" not in full
    assert evidence["totals"] == {"report_lines": 1, "flags": 14, "recommendations": 0, "candidate_colleges": 12}
    assert len(full["flags"]) == 14 and len(full["candidate_colleges"]) == 12
    first = selectors.QUEUE_EVIDENCE_PREVIEW
    assert len(evidence["flags"]) == first
    assert evidence["flags"] == full["flags"][:first]
    assert evidence["candidate_colleges"] == full["candidate_colleges"][:first]
    assert evidence["report_lines"] == full["report_lines"]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def test_queue_queries_do_not_grow_with_the_page(world, make_gap, submitted_report, current_run,
                                                 django_assert_max_num_queries):
    from gaps.models import Occupation, Region

    from gaps.matching.lead_times import stored_form
    from gaps.models import Gap, MatchRun

    def store_lead_times():  # as the run that made the gaps does (hand-made here)
        codes = Gap.objects.filter(quarter="2026Q3").values_list("occupation_id", flat=True)
        MatchRun.objects.filter(pk=current_run.pk).update(lead_times=stored_form(codes))

    client = client_for(world)
    make_gap()
    store_lead_times()
    _count(client, "/api/v1/review-queue/?quarter=2026Q3")  # warm-up: roles, content types
    few = _count(client, "/api/v1/review-queue/?quarter=2026Q3")
    for i in range(12):
        region = Region.objects.create(code=f"KZ-Q{i}", country="KZ", name_en=f"Region {i}", kind="oblast")
        occupation = Occupation.objects.create(code=f"93{i:02d}", level=4, title_en=f"Occupation {i}")
        make_gap(region=region, occupation=occupation)
        _flags(region.code, occupation.code, 3, current_run)
    store_lead_times()
    # New regions and occupations: the names of the evidence's sentences (core.text, cached whole
    # per process) are read again once, whatever the page size; then a page reads as few as before.
    _count(client, "/api/v1/review-queue/?quarter=2026Q3")
    with django_assert_max_num_queries(few):
        response = client.get("/api/v1/review-queue/?quarter=2026Q3")
    assert len(response.json()["results"]) == 13
    # count, page, lines, rates, flags, recommendations, candidates; and, for act_by, the quarter's
    # occupations and the training durations its current run stored (read once, whatever the page
    # size; without them, one aggregate more over the cohorts: tests/matching/test_lead_times.py).
    assert few <= 9


@pytest.mark.parametrize("url", ["/api/v1/mismatches/", "/api/v1/recommendations/"])
def test_matching_lists_do_not_grow_with_the_page(world, current_run, url, django_assert_max_num_queries):
    from gaps.models import Recommendation

    def add(n):
        _flags("KZ-VOS", "8341", n, current_run)
        Recommendation.objects.bulk_create(
            Recommendation(run=current_run, quarter="2026Q3", kind="EXPAND", college_code="KZ-UK",
                           region_code="KZ-VOS", occupation_code="8341", headcount=10, shortfall=5,
                           salary_min=1, salary_max=2, currency="KZT", salary_min_cny=1, salary_max_cny=2,
                           need_date=dt.date(2026, 7, 1), feasibility=1, score=i)
            for i in range(n)
        )

    from django.core.cache import cache

    from core.text import forget_names

    client = client_for(world)
    add(2)
    _count(client, url)
    # The lists cache their count per current run, whose rows never change outside tests; this
    # test adds rows to a current run, so it drops the cached counts before each measured request.
    cache.clear()
    # The sentences' names (core.text) are cached per process; both requests read them cold, so a
    # page's program titles must come in one query (prime_flag_names), not one per row.
    forget_names()
    few = _count(client, url)
    add(30)
    cache.clear()
    forget_names()
    with django_assert_max_num_queries(few):
        assert len(client.get(url).json()["results"]) == 32
