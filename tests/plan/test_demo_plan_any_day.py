"""The training plan on the demo loaded on other days (issue 13, point 5: "the demo's early warning
gives a plan with at least one county class and one mobile workshop stop", whatever day it is dated
from). Each day is loaded once for this module (rolled back afterwards)."""

from __future__ import annotations

import datetime as dt

import pytest

from demo.world import MOBILE_STOP_DAYS
from projects.choices import PlanStatus
from projects.plan import services
from tests.demo.conftest import demo_loaded_on

pytestmark = pytest.mark.django_db

# The first day of a quarter, the last, 29 February, harvest time, and late June (the county class
# of this year's harvest would have to start before today: the plan takes next spring's instead).
DAYS = [dt.date(2027, 1, 1), dt.date(2027, 3, 31), dt.date(2027, 6, 20), dt.date(2027, 8, 1), dt.date(2028, 2, 29)]


@pytest.fixture(scope="module", params=DAYS, ids=str)
def dated(request, django_db_setup, django_db_blocker):
    with demo_loaded_on(request.param, django_db_blocker):
        yield request.param


def test_the_plan_has_a_county_class_and_a_mobile_stop(dated):
    plan = services.training_plan_compute(dated, None)
    assert plan.status == PlanStatus.SUCCEEDED, plan.error
    data = services.plan_json(plan)
    by_program = {}
    for p in data["proposals"]:
        by_program.setdefault(p["program_code"], []).append(p)
    county = by_program.get("HARV-ZAY", [])
    assert county and all(p["region_codes"] == ["KZ-VOS-ZAY"] and p["seats"] >= 10 for p in county), data
    stops = by_program.get("MOBILE-WELD", [])
    # Abai's welders at today + 340; on S0 + 30 alone, those at today + 150 get a stop too.
    assert stops and all(p["region_codes"] == ["KZ-ABY"] and p["intake_date"] > dated.isoformat() for p in stops)
    assert (dated + dt.timedelta(days=MOBILE_STOP_DAYS)).isoformat() in {p["graduation_date"] for p in stops}
