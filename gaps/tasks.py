"""Celery tasks of the gaps app: thin shells around gaps.matching.services.

Each takes JSON arguments (ids, quarter strings), loads by id, returns quietly if the row is gone,
and calls a service. Retries and time limits live here, never inside the services. Any other error
fails the run (recorded on the MatchRun row); the previous results stay current.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

# Transient database trouble: worth another try. Anything else is a real failure of the run.
TRANSIENT = (OperationalError, InterfaceError)
# A busy quarter (another run in flight) is re-tried this often, for up to an hour.
BUSY_RETRY_SECONDS = 10
BUSY_MAX_RETRIES = 360


@shared_task(
    name="gaps.match_run", bind=True, max_retries=BUSY_MAX_RETRIES, acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT, time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def match_run_task(self, run_id: int) -> str:
    """Plan a queued run and hand its chunks to the workers."""
    from gaps.matching import services
    from gaps.models import MatchRun, MatchRunStatus

    run = MatchRun.objects.filter(pk=run_id).first()
    if run is None or run.status != MatchRunStatus.QUEUED:
        return "gone"  # deleted, superseded, or already planned by an earlier delivery
    try:
        chunks = services.match_run_plan(run=run)
    except services.RunBusy as exc:
        if self.request.retries >= self.max_retries:
            services.match_run_fail(run_id=run_id, error="the quarter stayed busy with another run for an hour")
            return "busy"
        raise self.retry(countdown=BUSY_RETRY_SECONDS, exc=exc)
    except TRANSIENT as exc:
        raise self.retry(countdown=5, max_retries=3, exc=exc)
    except Exception as exc:  # noqa: BLE001 - recorded on the run, the task itself succeeds
        logger.exception("match run %s failed while planning", run_id)
        services.match_run_fail(run_id=run_id, error=str(exc))
        return "failed"
    if not chunks:
        _finalize(run_id)
    for chunk in chunks:
        match_chunk_task.delay(chunk.pk)
    return f"{len(chunks)} chunks"


@shared_task(
    name="gaps.match_chunk", bind=True, max_retries=3, acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT, time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def match_chunk_task(self, chunk_id: int) -> str:
    """Match one chunk; the worker that completes the last chunk finalises the run."""
    from gaps.matching import services
    from gaps.models import MatchChunk

    chunk = MatchChunk.objects.filter(pk=chunk_id).values("run_id").first()
    if chunk is None:
        return "gone"
    try:
        last = services.match_chunk_execute(chunk_id=chunk_id, worker=self.request.hostname or "")
    except TRANSIENT as exc:
        raise self.retry(countdown=5, exc=exc)
    except Exception as exc:  # noqa: BLE001
        logger.exception("match chunk %s failed", chunk_id)
        services.match_run_fail(run_id=chunk["run_id"], error=str(exc))
        return "failed"
    if last:
        _finalize(chunk["run_id"])
    return "done"


def _finalize(run_id: int) -> None:
    from gaps.matching import services

    try:
        services.match_run_finalize(run_id=run_id)
    except Exception as exc:  # noqa: BLE001
        logger.exception("match run %s failed while finalising", run_id)
        services.match_run_fail(run_id=run_id, error=str(exc))


@shared_task(name="gaps.nightly_rematch")
def nightly_rematch_task() -> list[str]:
    """Beat: re-match the open quarters (the current one and later ones with submitted reports)."""
    from gaps.matching.services import match_run_enqueue, open_quarters

    quarters = open_quarters(dt.date.today())
    for quarter in quarters:
        match_run_enqueue(quarter=quarter, trigger="nightly")
    return quarters


@shared_task(name="gaps.remind_missing_reports")
def remind_missing_reports_task() -> int:
    """Beat: e-mail the officials of regions without a submitted report for the current quarter."""
    from gaps.matching.reminders import remind_missing_reports

    return remind_missing_reports(today=dt.date.today())
