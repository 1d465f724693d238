"""Recommendations that know the date: act_by, feasible, next year's date; feasible ones ranked first in
the API, the command and the pages; the early warning's forward recommendations alongside."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from gaps import recommendation_dates as rd
from gaps.models import MatchRun, QuarterResults, Recommendation, WarningStatus

from ..api import factories as af
from . import factories as f

D = dt.date


def test_act_by_is_the_latest_intake_else_need_minus_the_default_lead_time():
    assert rd.act_by(D(2027, 2, 5), D(2027, 7, 1)) == D(2027, 2, 5)
    assert rd.act_by(None, D(2027, 7, 1)) == D(2027, 7, 1) - dt.timedelta(days=180) == D(2027, 1, 2)
    assert rd.act_by(None, None) is None


def test_feasible_until_the_day_itself_then_next_years_date():
    assert rd.dates(D(2027, 2, 5), D(2027, 7, 1), today=D(2027, 2, 5)) == {
        "act_by": D(2027, 2, 5), "feasible": True, "next_act_by": None}
    assert rd.dates(D(2027, 2, 5), D(2027, 7, 1), today=D(2027, 2, 6)) == {
        "act_by": D(2027, 2, 5), "feasible": False, "next_act_by": D(2028, 2, 5)}
    assert rd.next_year(D(2028, 2, 29)) == D(2029, 2, 28)


@pytest.fixture
def recs(db, make_user):
    af.occupations()
    east = af.region("KZ-VOS")
    college = af.college("GS-01")
    program = af.program(college, "OPS", trains=("8341",), serves=[east])
    today = timezone.localdate()
    quarter = "2027Q3"
    run = MatchRun.objects.create(quarter=quarter, status="succeeded")
    QuarterResults.objects.create(quarter=quarter, current_run=run)
    common = dict(run=run, quarter=quarter, region=east, region_code="KZ-VOS", college=college, college_code="GS-01",
                  occupation_code="8341", headcount=40, shortfall=40, salary_min=250000, salary_max=320000,
                  currency="KZT", salary_min_cny=3500, salary_max_cny=4480, feasibility=1)
    made = {
        # The best score, but its intake date has passed: ranked after the feasible ones.
        "late": Recommendation.objects.create(kind="RETOOL", program=program, program_code="OPS", score=9000,
                                              need_date=today + dt.timedelta(days=100),
                                              latest_intake_date=today - dt.timedelta(days=1), **common),
        "ok": Recommendation.objects.create(kind="EXPAND", program=program, program_code="OPS", score=500,
                                            need_date=today + dt.timedelta(days=200),
                                            latest_intake_date=today + dt.timedelta(days=20), **common),
        # OPEN: no program, N - 180 days.
        "open": Recommendation.objects.create(kind="OPEN", score=100, need_date=today + dt.timedelta(days=190),
                                              **common),
    }
    staff = make_user(Role.COLLEGE_STAFF, colleges=[college])
    return {"today": today, "east": east, "college": college, "program": program, "staff": staff, **made}


def test_the_api_ranks_feasible_first_and_says_by_when(recs):
    client = APIClient()
    client.force_authenticate(recs["staff"])
    rows = client.get("/api/v1/recommendations/").json()["results"]
    assert [r["kind"] for r in rows] == ["EXPAND", "OPEN", "RETOOL"]
    expand, open_, retool = rows
    today = recs["today"]
    assert expand["act_by"] == (today + dt.timedelta(days=20)).isoformat() and expand["feasible"] is True
    assert expand["next_act_by"] is None and expand["source"] == "matching"
    assert open_["act_by"] == (today + dt.timedelta(days=10)).isoformat() and open_["feasible"] is True
    assert retool["feasible"] is False and retool["next_act_by"] == rd.next_year(today - dt.timedelta(days=1)).isoformat()
    one = client.get(f"/api/v1/recommendations/{recs['late'].pk}/").json()
    assert one["feasible"] is False and one["act_by"] == retool["act_by"] and one["source"] == "matching"


def test_the_command_ranks_feasible_first_and_adds_the_forward_recommendations(recs):
    warning = f.warning(recs["east"], "8341", "2027Q3", status=WarningStatus.ACT_NOW, today=recs["today"])
    f.recommendation(warning, recs["college"], kind="OPEN", seats=30)
    out = io.StringIO()
    call_command("recommendations", "--college", "GS-01", "--quarter", "2027Q3", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["kind"], r["source"], r["feasible"]) for r in rows] == [
        ("EXPAND", "matching", True), ("OPEN", "matching", True), ("OPEN", "early_warning", True),
        ("RETOOL", "matching", False),
    ]
    assert rows[2]["act_by"] == warning.act_by.isoformat() and rows[2]["headcount"] == 30
    table = io.StringIO()
    call_command("recommendations", "--college", "GS-01", "--quarter", "2027Q3", stdout=table)
    assert "act_by" in table.getvalue() and "feasible" in table.getvalue()
    # Judged on another day: everything is too late.
    late = io.StringIO()
    call_command("recommendations", "--college", "GS-01", "--quarter", "2027Q3", "--format", "json",
                 "--today", "2030-01-01", stdout=late)
    assert not any(r["feasible"] for r in json.loads(late.getvalue()))


def test_the_command_answers_a_target_quarter_that_only_the_early_warning_has(recs):
    warning = f.warning(recs["east"], "8341", "2027Q4", status=WarningStatus.PLAN, today=recs["today"])
    f.recommendation(warning, recs["college"], kind="EXPAND", program=recs["program"])
    out = io.StringIO()
    call_command("recommendations", "--college", "GS-01", "--quarter", "2027Q4", "--format", "json", stdout=out)
    assert [r["source"] for r in json.loads(out.getvalue())] == ["early_warning"]


def test_the_college_home_shows_feasible_first_and_the_others_as_too_late(recs):
    warning = f.warning(recs["east"], "8341", "2027Q3", status=WarningStatus.ACT_NOW, today=recs["today"])
    f.recommendation(warning, recs["college"], kind="OPEN", seats=30)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(recs["staff"])
    response = client.get("/")
    assert [r.kind for r in response.context["recommendations"]] == ["EXPAND", "OPEN", "RETOOL"]
    html = response.content.decode()
    table = html.split('<table class="recommendations', 1)[1].split("</table>", 1)[0]
    assert "20 days left" in table and "Too late" in table and "next year:" in table
    assert table.index("20 days left") < table.index("Too late")
    assert "Seasons ahead" in html and "15 days left" in html  # the forward recommendation, alongside
