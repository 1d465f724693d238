"""The review and repository API: permission matrix, queue order and evidence, filters, ordering, export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from projects import services
from projects.models import CooperationProject, GapDecision

ROLES = ["reviewer", "official", "other_official", "college", "other_college", "nobody", "anonymous"]


def client_for(world, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world[role])
    return client


@pytest.fixture
def project(gap, world):
    """East Kazakhstan's harvester project, Ust-Kamenogorsk College leading."""
    project = services.gap_approve(gap=gap, user=world["reviewer"])
    return services.project_update(project=project, user=world["reviewer"], lead_college=world["ust"])


# --- Permission matrix ---------------------------------------------------------------------------

QUEUE_STATUS = {"reviewer": 200, "official": 200, "other_official": 200, "college": 403, "other_college": 403,
                "nobody": 403, "anonymous": 403}


@pytest.mark.parametrize("role", ROLES)
def test_review_queue_access(world, gap, role):
    response = client_for(world, role).get("/api/v1/review-queue/?quarter=2026Q3")
    assert response.status_code in ({401, 403} if QUEUE_STATUS[role] == 403 else {200})
    if response.status_code == 200:
        ids = [g["id"] for g in response.json()["results"]]
        # Officials see only their regions' gaps.
        assert ids == ([] if role == "other_official" else [gap.pk])


@pytest.mark.parametrize("role", ROLES)
def test_only_reviewers_decide(world, gap, role):
    client = client_for(world, role)
    approve = client.post(f"/api/v1/review/gaps/{gap.pk}/approve/", {}, format="json")
    reject = client.post(f"/api/v1/review/gaps/{gap.pk}/reject/", {"comment": "no"}, format="json")
    if role == "reviewer":
        assert approve.status_code == 201, approve.json()
        assert reject.status_code == 409
    else:
        assert approve.status_code in (401, 403) and reject.status_code in (401, 403)
        assert not GapDecision.objects.exists()


# Which roles see the East Kazakhstan project led by Ust-Kamenogorsk College.
SEES_PROJECT = {"reviewer": True, "official": True, "other_official": False, "college": True,
                "other_college": False, "nobody": False, "anonymous": False}


@pytest.mark.parametrize("role", ROLES)
def test_project_read_scoping(world, project, role):
    client = client_for(world, role)
    listing = client.get("/api/v1/projects/")
    detail = client.get(f"/api/v1/projects/{project.pk}/")
    if role in ("nobody", "anonymous"):
        assert listing.status_code in (401, 403) and detail.status_code in (401, 403)
        return
    assert listing.status_code == 200
    assert [p["id"] for p in listing.json()["results"]] == ([project.pk] if SEES_PROJECT[role] else [])
    assert detail.status_code == (200 if SEES_PROJECT[role] else 404)
    conditions = client.get(f"/api/v1/project-conditions/?project={project.pk}").json()["results"]
    assert len(conditions) == (1 if SEES_PROJECT[role] else 0)


def test_partner_college_staff_see_the_project(world, project):
    services.project_update(project=project, user=world["reviewer"], partner_colleges=[world["gansu"]])
    response = client_for(world, "other_college").get(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["official", "college", "other_college", "nobody", "anonymous"])
def test_only_reviewers_write_projects(world, project, role):
    client = client_for(world, role)
    pk = project.pk
    condition = project.conditions.get()
    attempts = [
        client.patch(f"/api/v1/projects/{pk}/", {"planned_trainees": 5}, format="json"),
        client.post(f"/api/v1/projects/{pk}/cancel/", {"reason": "x"}, format="json"),
        client.post("/api/v1/project-conditions/", {"project": pk, "text": "x"}, format="json"),
        client.post(f"/api/v1/project-conditions/{condition.pk}/supplement/", {}, format="json"),
        client.delete(f"/api/v1/project-conditions/{condition.pk}/"),
        client.post("/api/v1/project-outcomes/", {"project": pk, "cohort": world["cohort"].pk, "enrolled": 1,
                                                  "completed": 1, "passed_assessment": 1, "employed_6m": 1},
                    format="json"),
    ]
    assert all(r.status_code in (401, 403) for r in attempts), [r.status_code for r in attempts]
    project.refresh_from_db()
    assert project.status == "fast_tracked" and project.planned_trainees is None
    assert project.conditions.get().supplemented_at is None and not project.outcomes.exists()


# --- Review queue --------------------------------------------------------------------------------


def test_queue_puts_the_express_lane_first_then_shortfall_times_salary(world, make_gap):
    small_new = make_gap(occupation=world["grader"], new_on_list=True, shortfall=1)
    big = make_gap(shortfall=30, salary_min_cny=Decimal(5000), salary_max_cny=Decimal(7000))  # 30 x 6000
    rich = make_gap(region=world["horgos"], shortfall=20, salary_min_cny=Decimal(9000),
                    salary_max_cny=Decimal(11000))  # 20 x 10000
    decided = make_gap(region=world["horgos"], occupation=world["grader"])
    services.gap_reject(gap=decided, user=world["reviewer"], comment="seasonal")
    make_gap(quarter="2026Q4", new_on_list=True)
    make_gap(region=world["east"], occupation=world["harvester"], quarter="2026Q2", is_active=False)
    response = client_for(world, "reviewer").get("/api/v1/review-queue/?quarter=2026Q3")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [g["id"] for g in results] == [small_new.pk, rich.pk, big.pk]
    assert results[0]["express_lane"] is True
    assert Decimal(results[1]["priority"]) == Decimal(200000)


def test_queue_pages_hold_20_gaps_and_page_size_takes_up_to_50(world, make_gap):
    from gaps.models import Occupation

    for i in range(55):
        occupation = Occupation.objects.create(code=f"95{i:02d}", level=4, title_en=f"Occupation {i}")
        make_gap(occupation=occupation, shortfall=100 - i)
    client = client_for(world, "reviewer")
    first = client.get("/api/v1/review-queue/?quarter=2026Q3").json()
    assert first["count"] == 55 and len(first["results"]) == 20
    assert [g["shortfall"] for g in first["results"]] == list(range(100, 80, -1))  # priority order
    assert len(client.get("/api/v1/review-queue/?quarter=2026Q3&page=3").json()["results"]) == 15
    assert len(client.get("/api/v1/review-queue/?quarter=2026Q3&page_size=30").json()["results"]) == 30
    assert len(client.get("/api/v1/review-queue/?quarter=2026Q3&page_size=500").json()["results"]) == 50


@pytest.mark.parametrize("query", ["", "?quarter=", "?quarter=2026Q5", "?quarter=Q3-2026"])
def test_queue_needs_a_valid_quarter(world, query):
    response = client_for(world, "reviewer").get(f"/api/v1/review-queue/{query}")
    assert response.status_code == 400 and "quarter" in response.json()


def test_queue_evidence(world, gap, submitted_report):
    response = client_for(world, "reviewer").get("/api/v1/review-queue/?quarter=2026Q3")
    (item,) = response.json()["results"]
    evidence = item["evidence"]
    (line,) = evidence["report_lines"]
    # 300,000 KZT on the season start 2026-07-15, when 0.015 CNY/KZT is in force.
    assert line["salary_min"] == "300000.00" and line["currency"] == "KZT"
    assert line["salary_min_cny"] == "4500.00" and line["salary_max_cny"] == "6000.00"
    assert line["rate_date"] == "2026-07-15" and line["error"] is None
    # Candidates train the occupation and serve the region: not the Horgos-only program.
    assert [(c["college_code"], c["program_code"]) for c in evidence["candidate_colleges"]] == [("KZ-UK", "OPS")]
    assert evidence["flags"] == [] and evidence["recommendations"] == []


def test_evidence_shows_a_missing_rate_as_an_error(world, gap, submitted_report):
    from gaps.models import ExchangeRate

    ExchangeRate.objects.filter(currency="KZT").delete()
    (item,) = client_for(world, "reviewer").get("/api/v1/review-queue/?quarter=2026Q3").json()["results"]
    (line,) = item["evidence"]["report_lines"]
    assert line["salary_min_cny"] is None and "KZT" in line["error"]


def test_gap_detail_shows_the_decision(world, gap):
    client = client_for(world, "reviewer")
    client.post(f"/api/v1/review/gaps/{gap.pk}/reject/", {"comment": "covered elsewhere"}, format="json")
    body = client.get(f"/api/v1/review/gaps/{gap.pk}/").json()
    assert body["decision"]["decision"] == "rejected" and body["decision"]["comment"] == "covered elsewhere"
    assert body["decision"]["decided_by"] == world["reviewer"].username


def test_reject_needs_a_reason_and_approve_returns_the_project(world, gap):
    client = client_for(world, "reviewer")
    response = client.post(f"/api/v1/review/gaps/{gap.pk}/reject/", {}, format="json")
    assert response.status_code == 400 and "comment" in response.json()
    response = client.post(f"/api/v1/review/gaps/{gap.pk}/approve/", {"comment": "go"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "fast_tracked" and body["origin_gap"]["id"] == gap.pk
    assert body["overdue"] is False and len(body["conditions"]) == 1
    again = client.post(f"/api/v1/review/gaps/{gap.pk}/approve/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    assert "already approved" in again.json()["detail"]


def test_unknown_gap_is_404(world):
    assert client_for(world, "reviewer").post("/api/v1/review/gaps/999999/approve/", {}).status_code == 404


# --- Projects: transitions, conditions, outcomes over HTTP ------------------------------------------


def test_transition_actions(world, project):
    client = client_for(world, "reviewer")
    response = client.post(f"/api/v1/projects/{project.pk}/complete/", {}, format="json")
    assert response.status_code == 409 and "cannot become completed" in response.json()["detail"]
    assert response.json()["code"] == "invalid_transition"
    response = client.post(f"/api/v1/projects/{project.pk}/activate/", {}, format="json")
    assert response.status_code == 409 and "supplement every condition" in response.json()["detail"]
    condition = project.conditions.get()
    response = client.post(f"/api/v1/project-conditions/{condition.pk}/supplement/", {"supplement": "ok"}, format="json")
    assert response.status_code == 200 and response.json()["supplemented_by"] == world["reviewer"].username
    assert client.post(f"/api/v1/project-conditions/{condition.pk}/supplement/", {}).status_code == 409
    for action, expected in [("activate", "active"), ("suspend", None), ("resume", "active"), ("complete", "completed")]:
        body = {"reason": "flood"} if action == "suspend" else {}
        response = client.post(f"/api/v1/projects/{project.pk}/{action}/", body, format="json")
        if expected is None:
            assert response.status_code == 200 and response.json()["status"] == "suspended"
        else:
            assert response.status_code == 200 and response.json()["status"] == expected, response.json()
    response = client.post(f"/api/v1/projects/{project.pk}/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 409


def test_suspend_without_reason_is_400(world, project):
    response = client_for(world, "reviewer").post(f"/api/v1/projects/{project.pk}/suspend/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_patch_project_plan(world, project):
    client = client_for(world, "reviewer")
    response = client.patch(
        f"/api/v1/projects/{project.pk}/",
        {"planned_trainees": 25, "budget_amount": "1500000.00", "budget_currency": "KZT",
         "funding_source": "enterprise_order", "partner_colleges": [world["gansu"].pk]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["planned_trainees"] == 25 and body["funding_source"] == "enterprise_order"
    assert [c["code"] for c in body["partner_colleges"]] == ["GS-VC"]
    bad = client.patch(f"/api/v1/projects/{project.pk}/", {"budget_amount": "5", "budget_currency": ""}, format="json")
    assert bad.status_code == 400 and "budget_currency" in bad.json()
    bad = client.patch(f"/api/v1/projects/{project.pk}/", {"funding_source": "lottery"}, format="json")
    assert bad.status_code == 400 and "funding_source" in bad.json()
    assert client.put(f"/api/v1/projects/{project.pk}/", {}, format="json").status_code == 405
    assert client.delete(f"/api/v1/projects/{project.pk}/").status_code == 405


def test_conditions_crud_and_overdue(world, project):
    client = client_for(world, "reviewer")
    response = client.post("/api/v1/project-conditions/", {"project": project.pk, "text": "Employer letters"},
                           format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["due_date"] == project.default_condition_due_date().isoformat()
    late = client.post("/api/v1/project-conditions/",
                       {"project": project.pk, "text": "Budget", "due_date": "2020-01-01"}, format="json").json()
    assert late["overdue"] is True
    assert client.get(f"/api/v1/projects/{project.pk}/").json()["overdue"] is True
    assert [p["id"] for p in client.get("/api/v1/projects/?overdue=true").json()["results"]] == [project.pk]
    assert client.get("/api/v1/projects/?overdue=false").json()["results"] == []
    response = client.patch(f"/api/v1/project-conditions/{late['id']}/", {"due_date": "2099-01-01"}, format="json")
    assert response.status_code == 200 and response.json()["overdue"] is False
    assert client.delete(f"/api/v1/project-conditions/{late['id']}/").status_code == 204
    assert client.post("/api/v1/project-conditions/", {"project": project.pk, "text": ""}, format="json").status_code == 400


def test_outcomes_crud_with_field_errors(world, project):
    client = client_for(world, "reviewer")
    base = {"project": project.pk, "cohort": world["cohort"].pk, "enrolled": 20, "completed": 15,
            "passed_assessment": 12, "employed_6m": 10, "income_before": "300000", "income_after": "420000",
            "income_currency": "KZT"}
    bad = client.post("/api/v1/project-outcomes/", base | {"passed_assessment": 16}, format="json")
    assert bad.status_code == 400 and "passed_assessment" in bad.json()
    bad = client.post("/api/v1/project-outcomes/", base | {"income_currency": "tenge"}, format="json")
    assert bad.status_code == 400 and "income_currency" in bad.json()
    created = client.post("/api/v1/project-outcomes/", base, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["pass_rate"] == 0.8
    dup = client.post("/api/v1/project-outcomes/", base, format="json")
    assert dup.status_code == 400 and "cohort" in dup.json()
    pk = created.json()["id"]
    response = client.patch(f"/api/v1/project-outcomes/{pk}/", {"completed": 0, "passed_assessment": 0,
                                                               "employed_6m": 0}, format="json")
    assert response.status_code == 200 and response.json()["pass_rate"] is None
    assert client.delete(f"/api/v1/project-outcomes/{pk}/").status_code == 204


def test_history_shows_who_changed_what(world, project):
    client = client_for(world, "reviewer")
    client.post(f"/api/v1/projects/{project.pk}/suspend/", {"reason": "flood"}, format="json")
    history = client.get(f"/api/v1/projects/{project.pk}/history/").json()
    suspension = next(e for e in history if e["object"] == "project" and any(c["field"] == "status" for c in e["changes"]))
    assert suspension["by"] == world["reviewer"].username
    assert {"field": "status", "old": "fast_tracked", "new": "suspended"} in suspension["changes"]
    assert any(e["object"] == "decision" and e["action"] == "created" for e in history)


# --- Repository: filters, ordering by results, export -----------------------------------------------


@pytest.fixture
def repository(world, make_gap, rates):
    """Three projects with different results: ordering must follow results, not trainee counts."""
    reviewer = world["reviewer"]

    def make(region, occupation, quarter, completed, passed, employed, trainees, before=None, after=None):
        p = services.gap_approve(gap=make_gap(region=region, occupation=occupation, quarter=quarter), user=reviewer)
        services.project_update(project=p, user=reviewer, planned_trainees=trainees)
        services.outcome_create(project=p, user=reviewer, cohort=world["cohort"], enrolled=completed or 1,
                                completed=completed, passed_assessment=passed, employed_6m=employed,
                                income_before=before, income_after=after, income_currency="CNY" if before else "")
        return p

    return {
        "big_failing": make(world["east"], world["harvester"], "2026Q3", 100, 20, 30, 500, Decimal(4000), Decimal(4100)),
        "small_good": make(world["horgos"], world["harvester"], "2026Q3", 10, 9, 8, 10, Decimal(4000), Decimal(6000)),
        "empty": make(world["east"], world["grader"], "2026Q2", 0, 0, 0, 50),
    }


def ids(response):
    assert response.status_code == 200, response.json()
    return [p["id"] for p in response.json()["results"]]


def test_default_order_is_by_results_not_trainees(world, repository):
    r = repository
    listed = client_for(world, "reviewer").get("/api/v1/projects/")
    assert ids(listed) == [r["small_good"].pk, r["big_failing"].pk, r["empty"].pk]
    first = listed.json()["results"][0]
    assert first["pass_rate"] == pytest.approx(0.9) and first["results"]["income_change_pct"] == 50.0


@pytest.mark.parametrize(
    "ordering,expected",
    [
        ("-pass_rate", ["small_good", "big_failing", "empty"]),
        ("pass_rate", ["big_failing", "small_good", "empty"]),  # no figure sorts last either way
        ("-employment_rate", ["small_good", "big_failing", "empty"]),
        ("-income_change_pct", ["small_good", "big_failing", "empty"]),
        ("income_change_pct", ["big_failing", "small_good", "empty"]),
    ],
)
def test_ordering_by_results(world, repository, ordering, expected):
    response = client_for(world, "reviewer").get(f"/api/v1/projects/?ordering={ordering}")
    assert ids(response) == [repository[name].pk for name in expected]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("country=KZ", ["big_failing", "empty"]),
        ("country=cn", ["small_good"]),
        ("region=CN-HRG", ["small_good"]),
        ("occupation=7515", ["empty"]),
        ("occupation=83", ["small_good", "big_failing"]),
        ("quarter=2026Q2", ["empty"]),
        ("status=fast_tracked", ["small_good", "big_failing", "empty"]),
        ("status=active", []),
        ("college=KZ-UK", ["big_failing"]),
        ("q=horgos", ["small_good"]),
    ],
)
def test_filters(world, repository, query, expected):
    services.project_update(project=repository["big_failing"], user=world["reviewer"], lead_college=world["ust"])
    response = client_for(world, "reviewer").get(f"/api/v1/projects/?{query}")
    assert ids(response) == [repository[name].pk for name in expected]


def test_aggregate_results(world, repository):
    body = client_for(world, "reviewer").get("/api/v1/projects/results/?country=KZ").json()
    assert body["projects"] == 2 and body["completed"] == 100 and body["pass_rate"] == 0.2
    body = client_for(world, "reviewer").get("/api/v1/projects/results/").json()
    assert body["completed"] == 110 and body["pass_rate"] == pytest.approx(29 / 110, abs=1e-4)


def test_export_csv_is_formula_safe(world, repository):
    project = repository["small_good"]
    CooperationProject.objects.filter(pk=project.pk).update(title='=HYPERLINK("http://evil","x")')
    CooperationProject.objects.filter(pk=repository["empty"].pk).update(title="+cmd|' /C calc'!A0")
    response = client_for(world, "reviewer").get("/api/v1/projects/export/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    titles = {int(r["id"]): r["title"] for r in rows}
    assert titles[project.pk] == '\'=HYPERLINK("http://evil","x")'
    assert titles[repository["empty"].pk].startswith("'+")
    assert {r["pass_rate"] for r in rows if int(r["id"]) == project.pk} == {"0.9"}
    assert not any(value.startswith(("=", "+", "@")) for r in rows for value in r.values() if value)


def test_export_xlsx_is_formula_safe_and_scoped(world, repository):
    CooperationProject.objects.filter(pk=repository["small_good"].pk).update(title="@SUM(A1:A2)")
    response = client_for(world, "official").get("/api/v1/projects/export/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header[0] == "id" and "pass_rate" in header
    # The East Kazakhstan official sees only their region's projects; Horgos' title is not there.
    assert sorted(r[0] for r in data) == sorted([repository["big_failing"].pk, repository["empty"].pk])
    all_rows = client_for(world, "reviewer").get("/api/v1/projects/export/?format=xlsx")
    sheet = load_workbook(io.BytesIO(all_rows.content)).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'@SUM(A1:A2)" in titles
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_rejects_unknown_format(world, repository):
    response = client_for(world, "reviewer").get("/api/v1/projects/export/?format=pdf")
    assert response.status_code in (400, 404)


def test_today_matters_for_overdue(world, project):
    condition = project.conditions.get()
    condition.due_date = dt.date.today() - dt.timedelta(days=1)
    condition.save()
    assert client_for(world, "college").get(f"/api/v1/projects/{project.pk}/").json()["overdue"] is True


def test_list_queries_do_not_grow_with_projects(world, make_gap, rates):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world, "reviewer")

    def add(n, quarter):
        for i in range(n):
            p = services.gap_approve(gap=make_gap(quarter=f"2026Q{quarter}", occupation=world["grader"] if i % 2 else
                                                  world["harvester"], region=world["east"] if i < 2 else world["horgos"]),
                                     user=world["reviewer"])
            services.project_update(project=p, user=world["reviewer"], lead_college=world["ust"],
                                    partner_colleges=[world["gansu"]], programs=[world["operators"]])
            services.outcome_create(project=p, user=world["reviewer"], cohort=world["cohort"], enrolled=5, completed=5,
                                    passed_assessment=5, employed_6m=5, income_before=1, income_after=2,
                                    income_currency="KZT")

    add(2, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/projects/").status_code == 200
    add(4, 2)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/projects/").json()["results"]) == 6
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_evidence_includes_current_flags_and_recommendations(world, gap, submitted_report):
    import gaps.models as gap_models

    if not all(hasattr(gap_models, name) for name in ("Flag", "Recommendation", "MatchRun", "QuarterResults")):
        pytest.skip("matching results are not stored yet (issue 3)")
    old = gap_models.MatchRun.objects.create(quarter="2026Q3")
    run = gap_models.MatchRun.objects.create(quarter="2026Q3")
    gap_models.QuarterResults.objects.create(quarter="2026Q3", current_run=run)
    common = {"quarter": "2026Q3", "region_code": "KZ-VOS"}
    gap_models.Flag.objects.create(run=old, kind="UNMET_DEMAND", occupation_code="8341", **common)  # stale run
    gap_models.Flag.objects.create(run=run, kind="UNDER_SUPPLY", occupation_code="8341", headcount=40, covered=10,
                                   shortfall=30, **common)
    gap_models.Flag.objects.create(run=run, kind="MISDIRECTED_SUPPLY", occupation_code="7515",
                                   target_occupation_code="8341", college_code="GS-VC", program_code="GRD", count=5,
                                   **common)
    gap_models.Flag.objects.create(run=run, kind="UNDER_SUPPLY", occupation_code="7515", **common)  # other gap
    gap_models.Recommendation.objects.create(
        run=run, kind="EXPAND", college_code="KZ-UK", occupation_code="8341", headcount=40, shortfall=30,
        salary_min=300000, salary_max=400000, currency="KZT", salary_min_cny=4500, salary_max_cny=6000,
        need_date=dt.date(2026, 7, 15), feasibility=1, score=100, **common,
    )
    (item,) = client_for(world, "reviewer").get("/api/v1/review-queue/?quarter=2026Q3").json()["results"]
    flags = item["evidence"]["flags"]
    assert sorted(f["kind"] for f in flags) == ["MISDIRECTED_SUPPLY", "UNDER_SUPPLY"]
    assert all(f["detail"] for f in flags)
    (rec,) = item["evidence"]["recommendations"]
    assert rec["kind"] == "EXPAND" and rec["college_code"] == "KZ-UK" and rec["salary_min_cny"] == "4500.00"


@pytest.mark.parametrize("role,expected", [("reviewer", 2), ("official", 1), ("other_official", 1), ("college", None),
                                           ("nobody", None)])
def test_decisions_list_is_scoped(world, make_gap, role, expected):
    services.gap_reject(gap=make_gap(), user=world["reviewer"], comment="seasonal")
    services.gap_approve(gap=make_gap(region=world["horgos"]), user=world["reviewer"])
    response = client_for(world, role).get("/api/v1/review/decisions/")
    if expected is None:
        assert response.status_code == 403
        return
    results = response.json()["results"]
    assert len(results) == expected
    if role == "official":
        assert results[0]["comment"] == "seasonal" and results[0]["gap"]["region_code"] == "KZ-VOS"
        assert results[0]["project"] is None
    rejected = client_for(world, "reviewer").get("/api/v1/review/decisions/?decision=rejected").json()["results"]
    assert [d["decision"] for d in rejected] == ["rejected"]
    assert client_for(world, "reviewer").post("/api/v1/review/decisions/", {}).status_code == 405


def test_unknown_fields_are_named(world, project):
    client = client_for(world, "reviewer")
    response = client.patch(f"/api/v1/projects/{project.pk}/", {"status": "completed"}, format="json")
    assert response.status_code == 400 and "transition actions" in response.json()["status"][0]
    response = client.patch(f"/api/v1/projects/{project.pk}/", {"trainees": 5}, format="json")
    assert response.status_code == 400 and "trainees" in response.json()
    condition = project.conditions.get()
    response = client.patch(f"/api/v1/project-conditions/{condition.pk}/", {"supplemented_at": "2026-01-01T00:00Z"},
                            format="json")
    assert response.status_code == 400 and "supplemented_at" in response.json()
    assert CooperationProject.objects.get(pk=project.pk).status == "fast_tracked"


@pytest.mark.parametrize("role,expected", [("reviewer", 200), ("official", 200), ("other_official", 404),
                                           ("college", 403), ("other_college", 403), ("nobody", 403)])
def test_gap_under_review_detail_access(world, gap, role, expected):
    response = client_for(world, role).get(f"/api/v1/review/gaps/{gap.pk}/")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["id"] == gap.pk and "evidence" in response.json()


def test_admin_refresh_action(world, gap, client):
    from django.contrib.auth import get_user_model

    project = services.gap_approve(gap=gap, user=world["reviewer"])
    services.outcome_create(project=project, user=world["reviewer"], cohort=world["cohort"], enrolled=4, completed=4,
                            passed_assessment=1, employed_6m=2)
    CooperationProject.objects.update(pass_rate=None)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-Secret-123")
    client.force_login(admin)
    response = client.post("/admin/projects/cooperationproject/",
                           {"action": "refresh_results", "_selected_action": [project.pk]}, follow=True)
    assert response.status_code == 200
    assert CooperationProject.objects.get(pk=project.pk).pass_rate == Decimal("0.25")
