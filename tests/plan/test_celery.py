"""A training plan asked for through the API is computed by a real Celery worker on Redis.

Transactional: the worker is another process and must see the committed rows.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.utils import timezone

from projects.choices import PlanStatus
from projects.models import TrainingPlan
from projects.plan import services
from tests.warning import seed

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_queued_plan_is_computed_once_by_a_worker(celery_worker):
    seed.history(timezone.localdate())
    plan = services.training_plan_enqueue(None, Decimal("100000"))  # autocommit: sent at once
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        plan.refresh_from_db()
        if plan.status in (PlanStatus.SUCCEEDED, PlanStatus.FAILED):
            break
        time.sleep(0.2)
    assert plan.status == PlanStatus.SUCCEEDED, (plan.status, plan.error)
    assert plan.steps_done == plan.steps_total == len(services.STEPS)
    assert set(plan.timings) >= {"fetch", "early_warning", "solve", "persist"}
    assert plan.solver["gap"] == 0 and plan.spent_cny == 0
    assert services.run_queued(plan.pk) == "gone"  # no second computation
    assert TrainingPlan.objects.count() == 1
