"""The early warning in a real Celery worker on Redis: a queued run, and the run a finished matching run queues.

Transactional: the worker is another process and must see the committed rows.
"""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from gaps.matching import services as matching
from gaps.models import EarlyWarning, EarlyWarningRun
from gaps.models.warning import WarningRunStatus
from gaps.warning import services

from . import seed

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def wait_for(predicate, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"not done after {timeout} s: {list(EarlyWarningRun.objects.values('id', 'status', 'trigger', 'error'))}")


def finished(run_id: int):
    run = EarlyWarningRun.objects.get(pk=run_id)
    return run if run.status in (WarningRunStatus.SUCCEEDED, WarningRunStatus.FAILED) else None


def test_a_queued_run_is_computed_by_a_worker(celery_worker):
    world = seed.history(timezone.localdate())
    run = services.early_warning_enqueue("manual")  # autocommit: sent at once
    done = wait_for(lambda: finished(run.pk))
    assert done.status == WarningRunStatus.SUCCEEDED, done.error
    assert done.today == timezone.localdate()
    assert EarlyWarning.objects.filter(is_active=True, last_run=done, occupation_id="8341",
                                      quarter=str(world["target"])).exists()


def test_a_finished_matching_run_queues_the_early_warning(celery_worker, settings):
    """The run is matched in this process (the session's worker runs with the test settings, which
    queue no early warning after matching: config/settings/test.py); the early warning it queues
    is computed by the worker."""
    settings.EARLY_WARNING_AFTER_MATCH = True
    world = seed.history(timezone.localdate())
    match = matching.match_quarter_inline(quarter=str(world["second"]), trigger="command")
    run = wait_for(lambda: EarlyWarningRun.objects.filter(trigger="match_finished").first())
    done = wait_for(lambda: finished(run.pk))
    assert done.status == WarningRunStatus.SUCCEEDED, done.error
    assert EarlyWarning.objects.filter(is_active=True, region=world["horgos"], source="reported").exists()
    assert match.pk
