"""GET /api/v1/early-warnings/: who sees which entries, the filters, the entry's fields, bad filters."""

from __future__ import annotations


import pytest
from django.utils import timezone

from gaps.models import WarningRating, WarningStatus

from ..api.conftest import world  # noqa: F401 (fixture)
from ..api.factories import college, program
from . import factories as f

URL = "/api/v1/early-warnings/"

SPEC_FIELDS = {
    "region_code", "occupation_code", "quarter", "source", "forecast", "forecast_low", "forecast_high", "headcount",
    "covered", "shortfall", "need_date", "end_date", "lead_days", "shortest_days", "act_by", "short_course_by",
    "status", "rating", "persistence", "wage_pressure", "detail",
}


@pytest.fixture
def entries(world):  # noqa: F811
    today = timezone.localdate()
    made = {
        "A_now": f.warning(world.regions["A"], "8341", "2027Q3", status=WarningStatus.ACT_NOW, today=today,
                           rating=WarningRating.CRITICAL),
        "A_plan": f.warning(world.regions["A"], "8344", "2027Q3", status=WarningStatus.PLAN, today=today),
        "B_plan": f.warning(world.regions["B"], "7515", "2027Q2", status=WarningStatus.PLAN, today=today,
                            rating=WarningRating.WATCH),
        "C_missed": f.warning(world.regions["C"], "8341", "2027Q1", status=WarningStatus.MISSED, today=today),
        "A_old": f.warning(world.regions["A"], "8341", "2027Q2", status=WarningStatus.ACT_NOW, today=today,
                           is_active=False),
    }
    return made


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# Program X serves region A only; program Y serves every region (no region listed).
VISIBLE = {
    "official_a": {"A_now", "A_plan"},
    "official_b": {"B_plan"},
    "staff_x": {"A_now", "A_plan"},
    "staff_y": {"A_now", "A_plan", "B_plan", "C_missed"},
    "reviewer": {"A_now", "A_plan", "B_plan", "C_missed"},
    "admin": {"A_now", "A_plan", "B_plan", "C_missed"},
}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_each_role_sees_its_entries_and_never_an_inactive_one(world, entries, role):  # noqa: F811
    client = world.client(role)
    assert _ids(client.get(URL)) == {entries[key].pk for key in VISIBLE[role]}
    for key, entry in entries.items():
        expected = 200 if key in VISIBLE[role] else 404
        assert client.get(f"{URL}{entry.pk}/").status_code == expected, (role, key)


def test_anonymous_is_refused(world, entries):  # noqa: F811
    assert world.client("anonymous").get(URL).status_code == 403


def test_a_college_without_programs_sees_entries_it_was_recommended_for(world, entries, make_user):  # noqa: F811
    from accounts.models import Role

    staff_z = make_user(Role.COLLEGE_STAFF, colleges=[world.colleges["Z"]])
    world.users["staff_z"] = staff_z
    assert _ids(world.client("staff_z").get(URL)) == set()
    f.recommendation(entries["B_plan"], world.colleges["Z"])
    assert _ids(world.client("staff_z").get(URL)) == {entries["B_plan"].pk}


def test_a_program_serving_a_region_opens_that_region_only(world, entries, make_user):  # noqa: F811
    from accounts.models import Role

    other = college("REGION-B-ONLY")
    program(other, "B1", serves=[world.regions["B"]])
    world.users["staff_b"] = make_user(Role.COLLEGE_STAFF, colleges=[other])
    assert _ids(world.client("staff_b").get(URL)) == {entries["B_plan"].pk}


def test_the_entry_has_spec_fields_and_days_left(world, entries):  # noqa: F811
    row = world.client("reviewer").get(f"{URL}{entries['A_now'].pk}/").json()
    assert SPEC_FIELDS <= set(row)
    entry = entries["A_now"]
    assert row["region_code"] == "KZ-VOS" and row["occupation_code"] == "8341" and row["quarter"] == "2027Q3"
    assert row["act_by"] == entry.act_by.isoformat()
    assert row["days_left"] == (entry.act_by - timezone.localdate()).days == 15
    assert row["status"] == "act_now" and row["rating"] == "critical" and row["source"] == "forecast"
    assert row["forecast_low"] == 100 and row["forecast_high"] == 140 and row["shortfall"] == 40
    # The sentence names the region and the date to act by, never a bare ISO date.
    assert "Region KZ-VOS" in row["detail"] and "act by" in row["detail"] and "15 days left" in row["detail"]
    assert entry.act_by.isoformat() not in row["detail"]


def test_the_detail_follows_the_language_asked_for(world, entries):  # noqa: F811
    row = world.client("reviewer").get(f"{URL}{entries['A_now'].pk}/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert "act by" not in row["detail"] and "15" in row["detail"]


def test_most_urgent_first(world, entries):  # noqa: F811
    rows = world.client("reviewer").get(URL).json()["results"]
    assert [r["status"] for r in rows] == ["act_now", "plan", "plan", "missed"]
    # Same status: the critical/elevated one before the watch one.
    assert [r["rating"] for r in rows[1:3]] == ["elevated", "watch"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quarter=2027Q3", {"A_now", "A_plan"}),
        ("region=kz-vos", {"A_now", "A_plan"}),
        ("occupation=8341", {"A_now", "C_missed"}),
        ("status=plan", {"A_plan", "B_plan"}),
        ("status=plan&status=missed", {"A_plan", "B_plan", "C_missed"}),
        ("rating=critical", {"A_now"}),
        ("quarter=2027Q3&status=act_now", {"A_now"}),
    ],
)
def test_filters(world, entries, query, expected):  # noqa: F811
    assert _ids(world.client("reviewer").get(f"{URL}?{query}")) == {entries[k].pk for k in expected}


@pytest.mark.parametrize(
    ("query", "param"),
    [("quarter=2027Q5", "quarter"), ("quarter=next", "quarter"), ("status=urgent", "status"),
     ("rating=high", "rating"), ("occupation=83", "occupation"), ("occupation=abcd", "occupation")],
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(world, entries, query, param):  # noqa: F811
    response = world.client("reviewer").get(f"{URL}?{query}")
    assert response.status_code == 400, response.content
    assert param in response.json()


def test_the_endpoint_is_in_the_schema(world):  # noqa: F811
    schema = world.client("reviewer").get("/api/schema/?format=json").content.decode()
    assert "/api/v1/early-warnings/" in schema and "days_left" in schema and "early-warnings" in schema
