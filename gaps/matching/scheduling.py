"""When to re-match, and getting runs to the workers: the hooks the report and cohort services
call, the send after commit, and the sweep that re-sends what the broker never got or lost.

Delivery is at least once, by construction rather than by trusting the broker:

- the queued MatchRun row is written in the same transaction as the change that needs it (the
  outbox), so an accepted submission always has a run waiting for it;
- after commit its message is sent with a short, bounded retry (CELERY_TASK_PUBLISH_RETRY_POLICY
  and the broker's socket timeouts); a broker that is down costs the request well under a second
  and never an error, and for MATCH_DISPATCH_BACKOFF_SECONDS afterwards this process does not
  even try (the sweep sends instead);
- every MATCH_SWEEP_SECONDS beat runs `match_dispatch_sweep`: it sends the newest queued run of
  each quarter that was never sent or not heard of for MATCH_REDISPATCH_AFTER_SECONDS, and resumes
  running runs whose messages the broker lost (it restarted empty) or that made no progress for
  longer than a task may live. Planning, chunks and finalising are idempotent
  (gaps.matching.services), so a message sent twice costs a little work and changes nothing.

A swapped run's announcement (its mails: services.match_run_announce) is a message of its own,
sent when the swap commits. The same beat task runs `announcement_sweep`: it sends again the
announcement of each quarter's current run that is still not announced ANNOUNCE_SWEEP_AFTER_SECONDS
after the swap (the broker lost the message, or never got it), from what the swap stored on the
run (`announce_gap_ids`); and it gives up, with a warning, on a run still not announced after
ANNOUNCE_PENDING_FOR ("mails not sent" in the admin).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from core.backoff import Backoff
from core.quarters import Quarter
from gaps.models import MatchRun, MatchRunStatus, QuarterResults

logger = logging.getLogger(__name__)

# How a run's message reaches the workers: registered by gaps.tasks when it is imported (every
# process imports it: GapsConfig.ready), so that this module -- below the tasks and the services in
# the import order tasks -> services -> scheduling -- never imports them. Called as
# send(run_id, **apply_async_options).
_run_sender: Callable[..., None] | None = None


def register_run_sender(send: Callable[..., None]) -> None:
    global _run_sender
    _run_sender = send


def _send(run_id: int, **options) -> None:
    if _run_sender is None:
        raise RuntimeError("no match run sender registered (gaps.tasks was never imported)")
    _run_sender(run_id, **options)


# How a swapped run's announcement (services.match_run_announce: the mails, then the clean-up)
# reaches a worker: registered by gaps.tasks likewise. Called as send(run_id, new_gap_ids).
_announcement_sender: Callable[[int, list[int]], None] | None = None


def register_announcement_sender(send: Callable[[int, list[int]], None]) -> None:
    global _announcement_sender
    _announcement_sender = send


def send_announcement(run_id: int, new_gap_ids: list[int]) -> None:
    """Hand the run's announcement to the workers (in-process, eager mode: run it now)."""
    if _announcement_sender is None:
        raise RuntimeError("no announcement sender registered (gaps.tasks was never imported)")
    _announcement_sender(run_id, new_gap_ids)


def mark_announcement_sent(run_id: int) -> None:
    """Record that the run's announcement message went to the broker (gaps.tasks)."""
    MatchRun.objects.filter(pk=run_id).update(announce_sent_at=timezone.now())


# A succeeded run whose announcement (services.match_run_announce) has not run keeps its rows and
# those of the run it is compared with, so that its mails can tell what is new -- for this long at
# most: a message the broker lost for good must not keep rows for ever. The announcement sweep
# sends it again meanwhile, and gives up after this long (its mails could no longer tell what is new).
ANNOUNCE_PENDING_FOR = timedelta(days=1)


def announcement_state(run: MatchRun) -> str:
    """"sent", "pending" or "missed" (never sent and given up: ANNOUNCE_PENDING_FOR passed); ""
    for a run that has nothing to announce (not succeeded, or nothing changed since another run)."""
    if run.status != MatchRunStatus.SUCCEEDED or run.unchanged_since_id or run.finished_at is None:
        return ""
    if "finalize_notify" in (run.timings or {}):
        return "sent"
    if run.announce_missed_at or run.finished_at < timezone.now() - ANNOUNCE_PENDING_FOR:
        return "missed"
    return "pending"


def _unannounced():
    """Succeeded runs that computed results and whose mails have not gone out."""
    return MatchRun.objects.filter(status=MatchRunStatus.SUCCEEDED, unchanged_since__isnull=True).exclude(
        timings__has_key="finalize_notify"
    )


def announcements_due(now: dt.datetime) -> list[tuple[int, dt.datetime | None, list[int]]]:
    """The runs whose announcement the sweep sends again: each quarter's current run, swapped
    more than ANNOUNCE_SWEEP_AFTER_SECONDS and less than ANNOUNCE_PENDING_FOR ago, not announced,
    its message not sent within ANNOUNCE_SWEEP_AFTER_SECONDS, and no worker busy with its mails.
    A superseded run is never announced late: its successor's mails already tell its news as theirs
    or not at all. (id, announce_sent_at as read, new gap ids) each, oldest first."""
    after = now - timedelta(seconds=settings.ANNOUNCE_SWEEP_AFTER_SECONDS)
    return list(
        _unannounced().filter(
            pk__in=QuarterResults.objects.filter(current_run__isnull=False).values("current_run_id"),
            finished_at__lt=after, finished_at__gte=now - ANNOUNCE_PENDING_FOR,
        )
        .filter(Q(announce_sent_at__isnull=True) | Q(announce_sent_at__lt=after))
        .filter(Q(announce_claimed_at__isnull=True) | Q(announce_claimed_at__lt=now - _stale_after()))
        .order_by("finished_at", "id")
        .values_list("id", "announce_sent_at", "announce_gap_ids")
    )


def claim_announcement_resend(run_id: int, sent_at: dt.datetime | None, now: dt.datetime) -> bool:
    """The sweep's right to send the run's announcement again: a conditional update of
    announce_sent_at from the value the sweep read, so of two sweeps racing one sends."""
    still = Q(announce_sent_at__isnull=True) if sent_at is None else Q(announce_sent_at=sent_at)
    return bool(_unannounced().filter(still, pk=run_id).update(announce_sent_at=now))


def announcement_sweep(*, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Announcements the broker never got or lost (beat, with the dispatch sweep): send again those
    announcements_due; give up on runs not announced after ANNOUNCE_PENDING_FOR (a WARNING with the
    run and quarter, once each; the admin shows "mails not sent"). Returns the ids, by kind."""
    now = now or timezone.now()
    done: dict[str, list[int]] = {"resent": [], "given_up": []}
    for run_id, sent_at, new_gap_ids in announcements_due(now):
        if claim_announcement_resend(run_id, sent_at, now):
            logger.warning("match run %s: its announcement was not done %ss after the swap; sent again",
                           run_id, settings.ANNOUNCE_SWEEP_AFTER_SECONDS)
            send_announcement(run_id, list(new_gap_ids or []))
            done["resent"].append(run_id)
    late = _unannounced().filter(finished_at__lt=now - ANNOUNCE_PENDING_FOR, announce_missed_at__isnull=True)
    for run_id, quarter in late.order_by("id").values_list("id", "quarter"):
        if MatchRun.objects.filter(pk=run_id, announce_missed_at__isnull=True).update(announce_missed_at=now):
            logger.warning("match run %s of %s: announcement still pending %s h after the swap; mails not sent",
                           run_id, quarter, round(ANNOUNCE_PENDING_FOR.total_seconds() / 3600))
            done["given_up"].append(run_id)
    return done


def _stale_after() -> timedelta:
    # A claim older than the longest a task may live belongs to a run whose worker died.
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def _create_or_reuse(*, quarter: str, trigger: str, user=None, reuse_queued: bool = True) -> tuple[MatchRun, bool]:
    """A queued run of the quarter, in the caller's transaction when there is one.

    A reused run is locked until the caller commits: a worker planning it waits for that commit
    (gaps.matching.services.match_run_plan locks the run first), so it reads what the caller wrote.
    A queued run that another open transaction holds is skipped, not waited for: a new one is made
    instead (a burst of submissions never queues behind each other; the first run to start
    supersedes the rest).
    """
    quarter = str(Quarter.parse(quarter, bounded=False))
    with transaction.atomic():
        if reuse_queued:
            # A queued run older than a task may live lost its message; it is not reused.
            queued = (
                MatchRun.objects.select_for_update(skip_locked=True)
                .filter(quarter=quarter, status=MatchRunStatus.QUEUED, created_at__gte=timezone.now() - _stale_after())
                .order_by("-created_at")
                .first()
            )
            if queued is not None:
                return queued, False
        return MatchRun.objects.create(quarter=quarter, trigger=trigger, requested_by=user), True


def match_run_enqueue(*, quarter: str, trigger: str, user=None) -> MatchRun:
    """A queued run of the quarter written in the caller's transaction, and its message sent to
    Celery once that commits.

    The queued row is the outbox: it commits or rolls back with the change that needs the re-match,
    so an accepted change always has a run waiting for it, even when the broker is down at commit
    time. Sending never raises into the caller and never waits long (match_run_dispatch); a run
    whose message could not be sent is sent by the sweep (gaps.tasks.match_dispatch_sweep_task,
    every MATCH_SWEEP_SECONDS). A reused run that was already sent is not sent again.
    """
    run, created = _create_or_reuse(quarter=quarter, trigger=trigger, user=user)
    # Registered even when there is nothing to send: schedule_quarter_rematch looks for it to
    # do all this once per quarter and transaction.
    callback = functools.partial(dispatch_after_commit, run.pk, send=created or run.dispatched_at is None)
    callback.rematch_quarter = run.quarter
    transaction.on_commit(callback)
    return run

# After a failed send, this process leaves sending to the sweep for a while: a request must not
# pay a connection attempt to a broker that has just refused one.
_broker_backoff = Backoff(lambda: settings.MATCH_DISPATCH_BACKOFF_SECONDS)


def match_run_dispatch(run_id: int, *, force: bool = False) -> bool:
    """Send the run's message to the workers; True if the broker took it.

    Never raises: a failure is logged and left to the sweep. `force` tries even while this
    process rests after a recent failure (the sweep runs in a worker, which is connected).
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:  # no broker: the task runs here and now
        _send(run_id)
        return True
    if not force and _broker_backoff.resting():
        logger.info("match run %s not sent: the broker failed less than %ss ago; the sweep will send it",
                    run_id, settings.MATCH_DISPATCH_BACKOFF_SECONDS)
        return False
    try:
        _send(run_id, retry=True, retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY)
    except Exception as exc:  # noqa: BLE001 - any broker trouble; the row stays queued for the sweep
        _broker_backoff.failed()
        logger.warning("match run %s not sent (%s: %s); the sweep will send it", run_id, type(exc).__name__, exc)
        return False
    try:
        MatchRun.objects.filter(pk=run_id).update(dispatched_at=timezone.now())
    except DatabaseError:  # sent all the same; the sweep may send it once more, which is harmless
        logger.warning("match run %s sent, but its dispatched_at could not be recorded", run_id, exc_info=True)
    return True


def dispatch_after_commit(run_id: int, *, send: bool) -> None:
    """transaction.on_commit callback of match_run_enqueue (registered even when `send` is False,
    as the once-per-transaction mark)."""
    if send:
        match_run_dispatch(run_id)


def schedule_quarter_rematch(*, quarter: str, trigger: str) -> None:
    """Queue a re-match of the quarter: a queued run in the current transaction (nothing if it rolls
    back), sent to the workers once it commits.

    Called once per changed row (an import of thousands of cohorts calls it thousands of times):
    once per quarter and transaction is enough, and a queued run is reused.
    """
    quarter = str(Quarter.parse(quarter, bounded=False))
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(func, "rematch_quarter", None) == quarter for _sids, func, _robust in connection.run_on_commit
    ):
        return
    match_run_enqueue(quarter=quarter, trigger=trigger)


def match_dispatch_sweep(*, broker_reset: bool = False) -> dict[str, list[int]]:
    """Send what the broker never got or may have lost (beat, every MATCH_SWEEP_SECONDS).

    - The newest queued run of each quarter, when it was never sent or nothing was heard of it for
      MATCH_REDISPATCH_AFTER_SECONDS (each delivery to a worker, busy retries included, marks it
      heard of). Older queued runs need nothing: the newest one supersedes them when it starts.
    - Running runs, when the broker restarted empty (`broker_reset`: their chunk messages went with
      it) or they made no progress for longer than a task may live: their run message again, which
      re-sends their unfinished chunks or finalises them (gaps.tasks.match_run_task).

    Returns the ids sent, by kind.
    """
    now = timezone.now()
    quiet_since = now - timedelta(seconds=settings.MATCH_REDISPATCH_AFTER_SECONDS)
    stuck_since = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    sent: dict[str, list[int]] = {"queued": [], "running": []}

    newest: dict[str, tuple[int, dt.datetime | None]] = {}
    for run_id, quarter, dispatched_at in (
        MatchRun.objects.filter(status=MatchRunStatus.QUEUED).order_by("-created_at", "-id")
        .values_list("id", "quarter", "dispatched_at")
    ):
        newest.setdefault(quarter, (run_id, dispatched_at))
    for run_id, dispatched_at in newest.values():
        if broker_reset or dispatched_at is None or dispatched_at < quiet_since:
            if match_run_dispatch(run_id, force=True):
                sent["queued"].append(run_id)

    running = MatchRun.objects.filter(status=MatchRunStatus.RUNNING).annotate(last_chunk=Max("chunks__finished_at"))
    for run in running.only("id", "started_at", "dispatched_at"):
        heard = max((t for t in (run.started_at, run.dispatched_at, run.last_chunk) if t), default=None)
        if broker_reset or heard is None or heard < stuck_since:
            if match_run_dispatch(run.pk, force=True):
                sent["running"].append(run.pk)
    if sent["queued"] or sent["running"]:
        logger.info("match dispatch sweep sent queued runs %s, resumed running runs %s%s",
                    sent["queued"], sent["running"], " (the broker restarted empty)" if broker_reset else "")
    return sent


def quarters_affected_by_graduation(day: dt.date) -> list[str]:
    """Quarters whose matching a cohort graduating on `day` can affect: from the quarter containing
    it through the quarter containing it + SUPPLY_WINDOW_DAYS (it is assessed, and timely for need
    dates, up to the window after its graduation)."""
    first = Quarter.containing(day)
    # Day numbers: `day` + the window may lie past 31 December 9999 (the last quarter then).
    last = Quarter.containing(dt.date.fromordinal(min(day.toordinal() + settings.SUPPLY_WINDOW_DAYS,
                                                      dt.date.max.toordinal())))
    quarters = [first]
    while quarters[-1] < last:
        quarters.append(quarters[-1].next())
    return [str(q) for q in quarters]


def schedule_cohort_rematch(graduation_dates: Iterable[dt.date | None], *, trigger: str = "cohorts_changed") -> list[str]:
    """Queue a re-match of every quarter the given graduation dates can affect (pass old and new
    dates when a cohort moves). Returns the quarters, sorted."""
    quarters = sorted({q for day in graduation_dates if day for q in quarters_affected_by_graduation(day)})
    for quarter in quarters:
        schedule_quarter_rematch(quarter=quarter, trigger=trigger)
    return quarters


def queue_open_quarters_rematch(apps, *, today: dt.date, trigger: str = "rules_changed") -> list[str]:
    """Queue a run of every open quarter that has results -- the current quarter and later ones --
    when the rules that computed them change (a data migration calls it with its historical models:
    gaps/0011). The queued runs are the outbox: the dispatch sweep sends them once the workers run
    (never sent: dispatched_at empty), and until they finish the pages say a run is queued while
    showing the previous results. Earlier quarters keep the results of the rules they were matched
    under. Returns the quarters queued."""
    MatchRun = apps.get_model("gaps", "MatchRun")
    QuarterResults = apps.get_model("gaps", "QuarterResults")
    current = Quarter.containing(today)
    quarters = sorted(
        q for q in QuarterResults.objects.filter(current_run__isnull=False).values_list("quarter", flat=True)
        if Quarter.parse(q, bounded=False) >= current
    )
    for quarter in quarters:
        if not MatchRun.objects.filter(quarter=quarter, status="queued").exists():
            MatchRun.objects.create(quarter=quarter, trigger=trigger, status="queued")
    return quarters

