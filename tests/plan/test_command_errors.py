"""plan_training when the plan cannot be computed: exit status 1 with the reason, the record FAILED."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from core.quarters import Quarter
from projects.choices import PlanStatus
from projects.models import TrainingPlan
from tests.matching import seed

pytestmark = pytest.mark.django_db


def test_a_salary_without_an_exchange_rate_fails_the_plan_with_its_reason():
    seed.occupations()
    ekz = seed.region("EKZ")
    target = Quarter.containing(seed.D(2026, 12, 3)).next()
    seed.report(ekz, quarter=str(target), lines=[{"occupation": "8341", "headcount": 30, "currency": "KZT"}])
    with pytest.raises(CommandError) as info:
        call_command("plan_training", "--today", "2026-12-03", stdout=io.StringIO(), stderr=io.StringIO())
    assert "failed" in str(info.value) and "KZT" in str(info.value)
    plan = TrainingPlan.objects.get()
    assert plan.status == PlanStatus.FAILED and "KZT" in plan.error and plan.proposals.count() == 0
