"""College staff see only the proposals addressed to their own colleges, on the page and through the API.

A report said `college.xinjiang` saw an Ili class on the demo. The demo makes that user staff of two
colleges, Altay Vocational and Technical College and Ili Vocational and Technical College
(demo/world.py), so the Ili college's classes are theirs to see; a member of neither college sees none
of them. Checked here against the memberships in the database, not against the demo's wording."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from projects.plan import services
from training.models import College

from .conftest import DAY

pytestmark = pytest.mark.django_db


def _user(username):
    return get_user_model().objects.get(username=username)


def _own_codes(user) -> set[str]:
    return set(College.objects.filter(staff=user).values_list("code", flat=True))


@pytest.mark.parametrize("username", ["college.xinjiang", "college.luban", "college.gansu"])
def test_a_college_sees_the_proposals_of_its_own_colleges_and_no_other(demo_world, client, username):
    plan = services.training_plan_compute(DAY, None)
    user = _user(username)
    own = _own_codes(user)
    everything = list(plan.proposals.select_related("college", "program"))
    theirs = {p.pk for p in everything if p.college.code in own}
    others = [p for p in everything if p.college.code not in own]
    assert others, "the demo plan must propose classes to other colleges too, or this test proves nothing"

    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/training-plans/{plan.pk}/")
    if theirs:
        body = response.json()
        assert response.status_code == 200
        assert {p["id"] for p in body["proposals"]} == theirs
        assert {p["college_code"] for p in body["proposals"]} <= own
    else:
        assert response.status_code == 404  # a plan with nothing for them is not theirs to read
    listed = api.get("/api/v1/training-plans/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == ([plan.pk] if theirs else [])
    assert all(p["college_code"] in own for r in rows for p in r["proposals"])

    client.force_login(user)
    html = client.get(reverse("web:training-plans")).content.decode()
    for p in everything:  # a program shows as "Name (COLLEGE/PROGRAM)"
        assert (f"({p.college.code}/{p.program.code})" in html) == (p.pk in theirs), p.program.code


def test_the_ili_classes_are_the_ili_colleges_and_xinjiang_staff_belong_to_it(demo_world):
    """The report's case: the Ili classes are proposed to Ili Vocational and Technical College, which
    `college.xinjiang` is staff of; a college user outside it does not see them."""
    plan = services.training_plan_compute(DAY, None)
    ili = [p for p in plan.proposals.select_related("college") if "CN-XJ-ILI" in p.region_codes]
    assert ili and all(p.college.code in _own_codes(_user("college.xinjiang")) for p in ili)
    api = APIClient()
    api.force_authenticate(_user("college.luban"))
    seen = api.get(f"/api/v1/training-plans/{plan.pk}/")
    ids = {p["id"] for p in seen.json().get("proposals", [])} if seen.status_code == 200 else set()
    assert not ids & {p.pk for p in ili}
