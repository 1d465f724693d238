"""Bad input never makes a 500: arbitrary JSON values in every field of the write endpoints."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .factories import line_json

pytestmark = pytest.mark.django_db

# Hostile values a person could type (issue 17): dates and quarters at the calendar's ends, codes
# with markup, formulas, line breaks, quotes, slashes and NUL bytes.
HOSTILE = st.sampled_from([
    "0001-01-01", "0001-01-02", "1899-12-31", "2201-01-01", "9999-12-31", "0001Q1", "0000Q1", "9999Q4",
    '"><svg onload=alert(1)>', '=HYPERLINK("http://x","y")', "KZ\r\nVOS", "KZ'VOS", "KZ/VOS", "KZ\x00VOS",
])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**20), max_value=10**20) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20) | HOSTILE,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)

LINE_FIELDS = list(line_json()) + ["sector", "certification", "note", "report"]
HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYPOTHESIS
@given(field=st.sampled_from(LINE_FIELDS), value=json_values)
def test_report_line_fields(world, field, value):
    payload = {"report": world.reports["A_draft"].pk, **line_json(), field: value}
    response = world.client("official_a").post(reverse("report-line-list"), payload, format="json")
    assert response.status_code in (201, 400), (payload, response.status_code)


@HYPOTHESIS
@given(field=st.sampled_from(["region", "quarter", "lines"]), value=json_values)
def test_report_fields(world, field, value):
    payload = {"region": "KZ-VOS", "quarter": "2027Q1", "lines": [line_json()], field: value}
    response = world.client("official_a").post(reverse("report-list"), payload, format="json")
    assert response.status_code in (200, 201, 400, 403, 409), (payload, response.status_code)


@HYPOTHESIS
@given(
    field=st.sampled_from(["college", "code", "title", "occupations", "sector", "languages", "certifications", "serves_regions"]),
    value=json_values,
)
def test_program_fields(world, field, value):
    payload = {"college": "LUBAN-KZ", "code": "FUZZ", "title": "T", "occupations": ["8341"], "languages": ["ru"], field: value}
    response = world.client("staff_x").post(reverse("program-list"), payload, format="json")
    assert response.status_code in (201, 400, 403), (payload, response.status_code)


@HYPOTHESIS
@given(field=st.sampled_from(["program", "seats", "intake_date", "graduation_date"]), value=json_values)
def test_cohort_fields(world, field, value):
    payload = {"program": world.programs["X"].pk, "seats": 5, "intake_date": "2027-01-01", "graduation_date": "2027-06-01", field: value}
    response = world.client("staff_x").post(reverse("cohort-list"), payload, format="json")
    assert response.status_code in (201, 400, 403), (payload, response.status_code)


@HYPOTHESIS
@given(value=json_values)
def test_coding_a_line(world, value):
    response = world.client("official_a").post(
        reverse("report-line-code", args=[world.lines["A_uncoded"].pk]), {"occupation": value}, format="json"
    )
    assert response.status_code in (200, 400, 409)


NESTED = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize("name", ["report-list", "report-line-list", "program-list", "cohort-list", "region-list", "api-token"])
@pytest.mark.parametrize("role", ["anonymous", "official_a", "admin"])
def test_deeply_nested_bodies_are_a_400(world, name, role):
    response = world.client(role).post(reverse(name), NESTED, content_type="application/json")
    assert response.status_code in (400, 403), (name, role, response.status_code)
    if role == "admin" or name == "api-token":  # allowed to write: the body is read, and refused
        assert response.status_code == 400
