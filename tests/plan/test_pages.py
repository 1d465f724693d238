"""The training plan's pages on the demo: a reviewer sets a budget, sees the plan with its reasons and
accepts a class into a project; college staff see the classes proposed to them; four languages."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import CooperationProject, TrainingPlan
from projects.plan import services

from .conftest import DAY

pytestmark = pytest.mark.django_db

TITLES = {"en": "Training plan", "zh-hans": "培训计划", "ru": "План обучения", "kk": "Оқыту жоспары"}


def _login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_a_reviewer_plans_sees_the_reasons_and_accepts_a_class(demo_world, client, django_capture_on_commit_callbacks):
    _login(client, "reviewer")
    assert client.get(reverse("web:training-plans")).status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("web:training-plans"), {"budget": "600000"})
    plan = TrainingPlan.objects.latest("id")
    assert response.status_code == 302 and response.url == reverse("web:training-plan", args=[plan.pk])
    running = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in running  # queued: the page refreshes itself
    TrainingPlan.objects.filter(pk=plan.pk).update(today=DAY)  # the demo's day, whatever the clock says
    services.run_queued(plan.pk)  # what the worker does
    html = client.get(response.url).content.decode()
    assert "600,000\u00a0CNY" in html and "Proven the best possible plan for this budget." in html
    assert "MIP" not in html
    assert "What stays uncovered, and why" in html and "not within the budget" in html
    assert "Shortfall covered per region and season" in html and 'id="plan-seasons-data"' in html
    first = plan.proposals.order_by("id").first()
    accepted = client.post(reverse("web:training-plan-accept", args=[plan.pk]), {"proposal": [first.pk]})
    project = CooperationProject.objects.get(plan_proposals=first)
    assert accepted.status_code == 302 and accepted.url == reverse("web:project", args=[project.pk])
    assert project.status == "fast_tracked"
    again = client.post(reverse("web:training-plan-accept", args=[plan.pk]), {"proposal": [first.pk]})
    assert again.url == reverse("web:project", args=[project.pk]) and CooperationProject.objects.filter(
        plan_proposals__plan=plan).distinct().count() == 1


def test_bad_budget_is_named_and_nothing_is_queued(demo_world, client):
    _login(client, "reviewer")
    response = client.post(reverse("web:training-plans"), {"budget": "-3"})
    assert response.status_code == 422 and TrainingPlan.objects.count() == 0


def test_college_staff_see_only_their_classes_and_cannot_plan(demo_world, client):
    plan = services.training_plan_compute(DAY, None)
    _login(client, "college.luban")
    html = client.get(reverse("web:training-plans")).content.decode()
    assert "Classes proposed to your college" in html and "HARV-ZAY" in html and "SOLAR-DRIP" not in html
    assert "What stays uncovered" not in html
    assert client.post(reverse("web:training-plans"), {"budget": "1"}).status_code == 403
    first = plan.proposals.first()
    assert client.post(reverse("web:training-plan-accept", args=[plan.pk]), {"proposal": [first.pk]}).status_code == 403
    _login(client, "official.vko")
    assert client.get(reverse("web:training-plans")).status_code == 403


@pytest.mark.parametrize("language", sorted(TITLES))
def test_the_page_in_four_languages(demo_world, client, language):
    services.training_plan_compute(DAY, None)
    _login(client, "reviewer")
    html = client.get(reverse("web:training-plans"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<h1>{TITLES[language]}</h1>" in html


def test_what_stays_uncovered_is_paginated_like_the_other_lists(demo_world, client):
    """Issue 14: every list paginates; this one with its own parameter, keeping the proposals' page."""
    from web.lists import PAGE_SIZE

    plan = services.training_plan_compute(DAY, None)
    rows = [{"region_code": "KZ-VOS", "occupation_code": "8341", "quarter": f"{2027 + n // 4}Q{n % 4 + 1}",
             "remaining": n + 1, "reason": "budget"} for n in range(PAGE_SIZE + 5)]
    TrainingPlan.objects.filter(pk=plan.pk).update(uncovered=rows)
    _login(client, "reviewer")
    url = reverse("web:training-plan", args=[plan.pk])
    first = client.get(url)
    assert [u["workers"] for u in first.context["uncovered"]][:2] == ["1 worker", "2 workers"]
    assert len(first.context["uncovered"]) == PAGE_SIZE
    html = first.content.decode()
    assert 'aria-label="Pages of what stays uncovered"' in html and "?uncovered_page=2#uncovered-title" in html
    second = client.get(url, {"uncovered_page": "2"})
    assert [u["workers"] for u in second.context["uncovered"]] == [f"{n + 1} workers" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert second.context["proposals_page"].number == 1
    bad = client.get(url, {"uncovered_page": "x"})
    assert bad.status_code == 400 and "uncovered_page" in bad.content.decode()


@pytest.mark.parametrize(("limit", "says", "never"), [
    (50, "The solver looks for the exact optimum for up to 50 s", "It is an exact optimum."),
    (0, "It is an exact optimum.", "The solver looks for the exact optimum"),
])
def test_the_page_promises_an_exact_optimum_only_without_a_time_limit(demo_world, client, settings, limit, says, never):
    """With PLAN_TIME_LIMIT_SECONDS the solver may stop before proving the optimum: the page says how
    long it looks and what it shows then, instead of promising the exact optimum."""
    settings.PLAN_TIME_LIMIT_SECONDS = limit
    _login(client, "reviewer")
    html = client.get(reverse("web:training-plans")).content.decode()
    assert says in html and never not in html


def test_college_staff_with_nothing_proposed_read_why_the_page_is_empty(demo_world, client, make_user):
    """No plan yet, or a plan that leaves the college out: the page says which, instead of a bare
    "nothing proposed" that reads like a fault."""
    from accounts.models import Role

    from ..api import factories as af

    staff = make_user(Role.COLLEGE_STAFF, colleges=[af.college("EMPTY")])
    client.force_login(staff)
    html = client.get(reverse("web:training-plans")).content.decode()
    assert "The ministry has not made a training plan yet." in html
    plan = services.training_plan_compute(DAY, None)
    assert plan.proposals.exists() and not plan.proposals.filter(college__code="EMPTY").exists()
    html = client.get(reverse("web:training-plans")).content.decode()
    day = f"{DAY.day} {DAY.strftime('%b %Y')}"
    assert f"The latest training plan, for {day}, proposes no class to your college." in html
    ru = client.get(reverse("web:training-plans"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "не предлагает вашему колледжу ни одной группы" in ru
