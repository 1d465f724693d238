"""Accepting training-plan proposals into one fast-tracked project (projects.plan.services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from projects.choices import PlanStatus, ProjectStatus
from projects.models import CooperationProject, ProjectCondition, TrainingPlan, TrainingProposal
from projects.plan import services

from .test_race import _race


def make_plan(world, n=2):
    plan = TrainingPlan.objects.create(today=dt.date(2026, 12, 3), budget_cny=Decimal("500000"),
                                       status=PlanStatus.SUCCEEDED, spent_cny=Decimal("270000"), value=Decimal("1"))
    proposals = [
        TrainingProposal.objects.create(
            plan=plan, college=world["ust"], program=world["operators"], region_codes=["KZ-VOS"],
            occupation=world["harvester"], seats=15, intake_date=dt.date(2027, 3, 1) + dt.timedelta(days=30 * i),
            graduation_date=dt.date(2027, 8, 10), cost_cny=Decimal("135000"),
            covers=[{"region_code": "KZ-VOS", "occupation_code": "8341", "quarter": "2027Q3", "count": 15}],
            value=Decimal("75600"),
        )
        for i in range(n)
    ]
    return plan, proposals


@pytest.mark.django_db
def test_accepting_makes_one_fast_tracked_project_with_the_proposals_as_its_plan(world):
    _, proposals = make_plan(world)
    project = services.training_plan_accept(proposals=[p.pk for p in proposals], user=world["reviewer"])
    assert project.status == ProjectStatus.FAST_TRACKED and project.origin_gap is None
    assert project.planned_trainees == 30 and project.planned_intake_date == dt.date(2027, 3, 1)
    assert (project.budget_amount, project.budget_currency) == (Decimal("270000"), "CNY")
    assert list(project.programs.all()) == [world["operators"]] and project.lead_college == world["ust"]
    [condition] = ProjectCondition.objects.filter(project=project)
    assert condition.due_date == project.default_condition_due_date()
    assert set(TrainingProposal.objects.values_list("project_id", flat=True)) == {project.pk}
    assert project.region == world["east"]


@pytest.mark.django_db
def test_the_colleges_named_hear_of_it_after_the_commit(world, mailoutbox, django_capture_on_commit_callbacks):
    _, proposals = make_plan(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.training_plan_accept(proposals=[proposals[0].pk], user=world["reviewer"])
    assert [m.to for m in mailoutbox] == [["ust@example.org"]]
    assert "Ust-Kamenogorsk College" in mailoutbox[0].subject


@pytest.mark.django_db
def test_accepting_twice_gives_the_same_project(world):
    _, proposals = make_plan(world)
    ids = [p.pk for p in proposals]
    first = services.training_plan_accept(proposals=ids, user=world["reviewer"])
    again = services.training_plan_accept(proposals=ids, user=world["reviewer2"])
    assert first.pk == again.pk and CooperationProject.objects.count() == 1


@pytest.mark.django_db
def test_accepting_a_mix_of_accepted_and_new_proposals_is_a_conflict(world):
    _, proposals = make_plan(world)
    services.training_plan_accept(proposals=[proposals[0].pk], user=world["reviewer"])
    with pytest.raises(services.AcceptConflict):
        services.training_plan_accept(proposals=[p.pk for p in proposals], user=world["reviewer"])
    assert CooperationProject.objects.count() == 1


@pytest.mark.django_db
def test_only_reviewers_accept_and_bad_ids_are_named(world):
    _, proposals = make_plan(world)
    with pytest.raises(PermissionDenied):
        services.training_plan_accept(proposals=[proposals[0].pk], user=world["college"])
    with pytest.raises(ValidationError) as info:
        services.training_plan_accept(proposals=[proposals[0].pk, 999999], user=world["reviewer"])
    assert "999999" in str(info.value)
    with pytest.raises(ValidationError):
        services.training_plan_accept(proposals=[], user=world["reviewer"])
    assert CooperationProject.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_acceptances_create_exactly_one_project(world, make_user):
    assert connection.vendor == "postgresql"
    _, proposals = make_plan(world)
    ids = [p.pk for p in proposals]
    reviewers = [make_user("reviewer") for _ in range(8)]
    outcomes = _race(lambda i: services.training_plan_accept(proposals=ids, user=reviewers[i]), n=8)
    assert all(isinstance(o, CooperationProject) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1 and CooperationProject.objects.count() == 1


@pytest.mark.django_db
def test_a_project_from_the_plan_shows_in_the_repository_without_a_gap(world, client):
    from django.urls import reverse
    from rest_framework.test import APIClient

    _, proposals = make_plan(world)
    project = services.training_plan_accept(proposals=[proposals[0].pk], user=world["reviewer"])
    api = APIClient()
    api.force_authenticate(world["reviewer"])
    listed = api.get("/api/v1/projects/")
    assert listed.status_code == 200
    rows = listed.json()["results"] if isinstance(listed.json(), dict) else listed.json()
    assert [r["origin_gap"] for r in rows if r["id"] == project.pk] == [None]
    detail = api.get(f"/api/v1/projects/{project.pk}/")
    assert detail.status_code == 200 and detail.json()["origin_gap"] is None
    export = api.get("/api/v1/projects/export/?format=csv")
    assert export.status_code == 200 and "KZ-VOS" in export.content.decode()
    client.force_login(world["reviewer"])
    for url in (reverse("web:projects"), reverse("web:project", args=[project.pk])):
        page = client.get(url)
        assert page.status_code == 200 and "Accepted from the training plan" in page.content.decode()
