"""The training plan on the demo (issue 13, point 5): at least one county class and one mobile stop."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from projects.choices import PlanStatus
from projects.plan import services
from training.models import Program

from .conftest import DAY

pytestmark = pytest.mark.django_db


def test_the_demo_plan_has_a_county_class_and_a_mobile_stop(demo_world):
    plan = services.training_plan_compute(DAY, None)
    assert plan.status == PlanStatus.SUCCEEDED, plan.error
    data = services.plan_json(plan)
    assert plan.solver["gap"] == 0 and plan.solver["status"] == "optimal"
    codes = {p["program_code"] for p in data["proposals"]}
    assert "HARV-ZAY" in codes  # the county class, for Zaysan's harvest
    county = next(p for p in data["proposals"] if p["program_code"] == "HARV-ZAY")
    assert county["region_codes"] == ["KZ-VOS-ZAY"] and county["seats"] >= 10
    assert data["spent_cny"] == sum(p["cost_cny"] for p in data["proposals"])
    mobile = [p for p in data["proposals"] if p["mobile"]]
    assert all(len(p["region_codes"]) == 1 for p in mobile)
