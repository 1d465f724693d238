"""Celery tasks of the gaps app: thin shells around gaps.matching.services.

Each takes JSON arguments (ids, quarter strings), loads by id, returns quietly if the row is gone,
and calls a service. Retries and time limits live here, never inside the services. Any other error
fails the run (recorded on the MatchRun row); the previous results stay current.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import F
from django.utils import timezone

from gaps.matching import scheduling, services
from gaps.models import MatchChunk, MatchRun, MatchRunStatus

logger = logging.getLogger(__name__)

# Transient database trouble: worth another try. Anything else is a real failure of the run.
TRANSIENT = (OperationalError, InterfaceError)
# A busy quarter (another run in flight) is re-tried this often, for up to an hour.
BUSY_RETRY_SECONDS = 10
BUSY_MAX_RETRIES = 360


@shared_task(
    name="gaps.match_run", bind=True, max_retries=BUSY_MAX_RETRIES, acks_late=True, ignore_result=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT, time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def match_run_task(self, run_id: int) -> str:
    """Plan a queued run and hand its chunks to the workers; for a running run (a redelivery, or the
    sweep after the broker lost its messages) send its unfinished chunks again, or finalise it.

    Results are kept in the database (MatchRun), not in Celery's result backend (ignore_result):
    sending then touches nothing but the broker.
    """
    run = MatchRun.objects.filter(pk=run_id).first()
    if run is None:
        return "gone"
    if run.status == MatchRunStatus.RUNNING:
        return _resume(run)
    if run.status != MatchRunStatus.QUEUED:
        return "gone"  # superseded, finished, or failed meanwhile
    # Heard of: the sweep leaves a queued run alone while its message goes round (busy retries too).
    MatchRun.objects.filter(pk=run_id, status=MatchRunStatus.QUEUED).update(dispatched_at=timezone.now())
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
    _send_chunks(run_id, [chunk.pk for chunk in chunks])
    return f"{len(chunks)} chunks"


def _resume(run) -> str:
    MatchRun.objects.filter(pk=run.pk).update(dispatched_at=timezone.now())
    undone = list(MatchChunk.objects.filter(run_id=run.pk, done=False).values_list("pk", flat=True))
    if not undone:
        _finalize(run.pk)  # once only: a no-op when another process finalised it
        return "finalised"
    _send_chunks(run.pk, undone)
    return f"resent {len(undone)} chunks"


def _send_chunks(run_id: int, chunk_ids: list[int]) -> None:
    """Send chunk messages; if the broker fails half-way, the sweep resumes the run later."""
    try:
        for chunk_id in chunk_ids:
            match_chunk_task.apply_async(args=[chunk_id], retry=True, retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY)
    except Exception:  # noqa: BLE001 - broker trouble: logged, the sweep resumes the run
        logger.exception("match run %s: chunk messages not sent; the sweep will resume the run", run_id)


@shared_task(
    name="gaps.match_chunk", bind=True, max_retries=3, acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT, time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def match_chunk_task(self, chunk_id: int) -> str:
    """Match one chunk; the worker that completes the last chunk finalises the run.

    A delivery that finds its chunk already written (a redelivery, a duplicate) still finalises a
    run whose chunks are all done and that nobody finalised: the worker that wrote the last chunk
    may have died before finalising.
    """
    chunk = MatchChunk.objects.filter(pk=chunk_id).values("run_id").first()
    if chunk is None:
        return "gone"
    if settings.MATCH_TEST_CHUNK_DELAY_SECONDS:  # test-only: a chunk long enough to kill a worker in
        time.sleep(settings.MATCH_TEST_CHUNK_DELAY_SECONDS)
    try:
        last = services.match_chunk_execute(chunk_id=chunk_id, worker=self.request.hostname or "")
    except TRANSIENT as exc:
        raise self.retry(countdown=5, exc=exc)
    except Exception as exc:  # noqa: BLE001
        logger.exception("match chunk %s failed", chunk_id)
        services.match_run_fail(run_id=chunk["run_id"], error=str(exc))
        return "failed"
    if last or MatchRun.objects.filter(
        pk=chunk["run_id"], status=MatchRunStatus.RUNNING, finalized_at__isnull=True, chunks_done=F("chunks_total")
    ).exists():
        _finalize(chunk["run_id"])
    return "done"


def _finalize(run_id: int) -> None:
    try:
        services.match_run_finalize(run_id=run_id)
    except Exception as exc:  # noqa: BLE001
        logger.exception("match run %s failed while finalising", run_id)
        services.match_run_fail(run_id=run_id, error=str(exc))


@shared_task(
    name="gaps.match_run_announce", bind=True, max_retries=3, acks_late=True, ignore_result=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT, time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def match_run_announce_task(self, run_id: int, new_gap_ids: list[int]) -> str:
    """After a run's swap committed: its mails, then the clean-up of the quarter's superseded rows
    (services.match_run_announce). The run is current already; nothing here can undo it."""
    try:
        return "announced" if services.match_run_announce(run_id=run_id, new_gap_ids=new_gap_ids) else "gone"
    except TRANSIENT as exc:
        raise self.retry(countdown=5, exc=exc)


def _send_announcement(run_id: int, new_gap_ids: list[int]) -> None:
    """Send the announcement; if the broker fails (or loses it), the announcement sweep sends it
    again (scheduling.announcement_sweep), and the run's rows and its predecessor's are kept for
    services.ANNOUNCE_PENDING_FOR meanwhile."""
    try:
        match_run_announce_task.apply_async(args=[run_id, list(new_gap_ids)], retry=True,
                                            retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY)
    except Exception:  # noqa: BLE001 - broker trouble: logged, never fails the swapped run
        logger.exception("match run %s: announcement not sent; the announcement sweep will send it", run_id)
        return
    try:
        scheduling.mark_announcement_sent(run_id)
    except DatabaseError:  # sent all the same; at worst the sweep sends it once more, which is harmless
        logger.warning("match run %s: announcement sent, but announce_sent_at could not be recorded", run_id, exc_info=True)


@shared_task(name="gaps.match_dispatch_sweep", ignore_result=True)
def match_dispatch_sweep_task() -> dict[str, list[int]]:
    """Beat, every MATCH_SWEEP_SECONDS: send the runs the broker never got or lost (the outbox sweep,
    gaps.matching.scheduling.match_dispatch_sweep), then the announcements it never got or lost
    (scheduling.announcement_sweep)."""
    sent = scheduling.match_dispatch_sweep(broker_reset=broker_restarted_empty())
    return {**sent, **scheduling.announcement_sweep()}


# A key the sweep keeps in the broker's Redis database. Redis loses it only with everything else
# (a restart without persistence, a failover to an empty replica): then every message queued at
# the time -- chunks of running runs included -- is gone too, and the sweep resends them all.
BROKER_MARK_KEY = "talentgap:broker-mark"


def broker_restarted_empty() -> bool:
    """True when the broker's mark is missing: the first sweep ever, or the broker lost its data."""
    import redis

    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return False
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        try:
            return bool(client.set(BROKER_MARK_KEY, timezone.now().isoformat(), nx=True))
        finally:
            client.close()
    except redis.RedisError:
        logger.warning("match dispatch sweep: the broker's mark could not be read", exc_info=True)
        return False


@shared_task(name="gaps.nightly_rematch")
def nightly_rematch_task() -> list[str]:
    """Beat: re-match the open quarters (the current one and later ones with submitted reports)."""
    quarters = services.open_quarters(timezone.localdate())
    for quarter in quarters:
        services.match_run_enqueue(quarter=quarter, trigger="nightly")
    return quarters


@shared_task(name="gaps.remind_missing_reports")
def remind_missing_reports_task() -> int:
    """Beat: e-mail the officials of regions without a submitted report for the current quarter."""
    from gaps.matching.reminders import remind_missing_reports

    return remind_missing_reports(today=timezone.localdate())


def _send_match_run(run_id: int, **options) -> None:
    match_run_task.apply_async(args=[run_id], **options)


# The services send runs through this (gaps.matching.scheduling never imports the tasks).
scheduling.register_run_sender(_send_match_run)
scheduling.register_announcement_sender(_send_announcement)



# --- The early warning (gaps/warning/) -------------------------------------------------------------


@shared_task(
    name="gaps.early_warning", bind=True, max_retries=3, acks_late=True, ignore_result=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT, time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def early_warning_task(self, run_id: int | None = None, trigger: str = "nightly") -> str:
    """Compute the early warning for the service's today: the queued run `run_id` (a finished
    matching run asked for it), or a new run (beat's nightly schedule). The run record holds the
    outcome; a failure leaves the previous entries current."""
    from gaps.warning import services as warning

    try:
        if run_id is None:
            return warning.early_warning_compute(warning.service_today(), trigger).status
        return warning.run_queued(run_id)
    except TRANSIENT as exc:
        raise self.retry(countdown=5, exc=exc)


def send_early_warning(run_id: int) -> None:
    """Send the queued run to the workers; if the broker is down the run stays queued and the next
    enqueue after EARLY_WARNING_QUEUED_STALE_SECONDS replaces it."""
    try:
        early_warning_task.apply_async(kwargs={"run_id": run_id}, retry=True,
                                       retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY)
    except Exception:  # noqa: BLE001 - broker trouble: logged, never fails the caller
        logger.exception("early warning run %s not sent", run_id)
