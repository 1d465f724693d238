"""The training-plan API: who may ask and read, the queued plan, accepting proposals (201, 200, 409, 400)."""

from __future__ import annotations

import pytest

from projects.choices import PlanStatus
from projects.models import CooperationProject, TrainingPlan
from projects.plan import services

from .test_api import ROLES, client_for
from .test_plan_accept import make_plan

pytestmark = pytest.mark.django_db
URL = "/api/v1/training-plans/"

POST_STATUS = {"reviewer": 202, "official": 403, "other_official": 403, "college": 403, "other_college": 403,
               "nobody": 403, "anonymous": 403}
READ_STATUS = {"reviewer": 200, "official": 403, "other_official": 403, "college": 200, "other_college": 200,
               "nobody": 403, "anonymous": 403}


@pytest.mark.parametrize("role", ROLES)
def test_only_reviewers_ask_for_a_plan(world, role, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(world, role).post(URL, {"budget": "300000", "today": "2026-12-03"}, format="json")
    assert response.status_code == POST_STATUS[role], response.content
    if role == "reviewer":
        body = response.json()
        assert body["status"] == PlanStatus.QUEUED and body["budget_cny"] == 300000 and body["today"] == "2026-12-03"
        assert TrainingPlan.objects.get(pk=body["id"]).requested_by == world["reviewer"]
        assert len(callbacks) == 1  # the task is sent after the commit
    else:
        assert TrainingPlan.objects.count() == 0


@pytest.mark.parametrize("body", [{"budget": "-1"}, {"budget": "lots"}, {"today": "2026-13-01"}])
def test_bad_input_names_the_field(world, body):
    response = client_for(world, "reviewer").post(URL, body, format="json")
    assert response.status_code == 400 and set(response.json()) & set(body), response.json()


def test_no_budget_means_no_limit_and_the_worker_computes_it(world):
    response = client_for(world, "reviewer").post(URL, {}, format="json")
    plan_id = response.json()["id"]
    assert response.json()["budget_cny"] is None
    assert services.run_queued(plan_id) == PlanStatus.SUCCEEDED  # what the task does (no early warning: empty)
    assert services.run_queued(plan_id) == "gone"  # computed once
    body = client_for(world, "reviewer").get(f"{URL}{plan_id}/").json()
    assert body["status"] == "succeeded" and body["proposals"] == [] and body["solver"]["gap"] == 0


@pytest.mark.parametrize("role", ROLES)
def test_colleges_read_only_the_proposals_addressed_to_them(world, role):
    plan, proposals = make_plan(world)
    response = client_for(world, role).get(f"{URL}{plan.pk}/")
    expected = READ_STATUS[role] if role != "other_college" else 404
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert [p["id"] for p in body["proposals"]] == [p.pk for p in proposals]
        assert ("uncovered" in body) == (role == "reviewer")
    listed = client_for(world, role).get(URL)
    if READ_STATUS[role] == 200:
        rows = listed.json()["results"] if isinstance(listed.json(), dict) else listed.json()
        assert [r["id"] for r in rows] == ([] if role == "other_college" else [plan.pk])


def test_accepting_through_the_api_once_twice_and_in_conflict(world):
    plan, proposals = make_plan(world)
    reviewer = client_for(world, "reviewer")
    url = f"{URL}{plan.pk}/proposals/accept/"
    first = reviewer.post(url, {"proposals": [proposals[0].pk]}, format="json")
    assert first.status_code == 201 and first.json()["status"] == "fast_tracked"
    again = reviewer.post(url, {"proposals": [proposals[0].pk]}, format="json")
    assert again.status_code == 200 and again.json()["project"] == first.json()["project"]
    mixed = reviewer.post(url, {"proposals": [p.pk for p in proposals]}, format="json")
    assert mixed.status_code == 409
    assert reviewer.post(url, {"proposals": [999999]}, format="json").status_code == 400
    assert reviewer.post(url, {"proposals": []}, format="json").status_code == 400
    assert client_for(world, "college").post(url, {"proposals": [proposals[1].pk]}, format="json").status_code == 403
    assert CooperationProject.objects.count() == 1
