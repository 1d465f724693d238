"""The early warning's service: compute, persist, keep fresh (docs/contract.md, section 9).

- `early_warning_compute(today, trigger, user)`: one run -- fetch (gaps.warning.fetch), compute
  (gaps.warning.compute, pure), persist in one transaction -- with its run record
  (EarlyWarningRun: status, progress, timings, counts, error). A failing computation leaves the
  previous entries as they were and the run FAILED with the error.
- `early_warning_preview(today)`: the same computation in memory, writing nothing (the command's
  `--today`).
- `early_warning_enqueue(trigger)`: a queued run for the Celery task gaps.early_warning, at most
  one queued at a time (a finished matching run, the nightly beat).
- `ensure_fresh(today)`: recompute when the latest succeeded run is not for today (embedded mode
  has no beat; matching runs queue their own recomputation); one indexed read when fresh.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zlib

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gaps.models import EarlyWarning, EarlyWarningRecommendation, EarlyWarningRun
from gaps.models.warning import WarningRunStatus, WarningTrigger

from . import compute, fetch

logger = logging.getLogger(__name__)

# One early-warning persist at a time, whatever the process (PostgreSQL; SQLite serialises writes).
LOCK_KEY = zlib.crc32(b"talentgap.early_warning")

FIGURES = (
    "source", "forecast", "forecast_low", "forecast_high", "headcount", "covered", "shortfall", "need_date",
    "end_date", "lead_days", "shortest_days", "act_by", "short_course_by", "status", "rating", "persistence",
    "wage_pressure", "salary_min_cny", "salary_max_cny", "context", "plan_lines",
)


def service_today() -> dt.date:
    """Today in the project's time zone (TIME_ZONE), as the other services count it."""
    return timezone.localdate()


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def early_warning_preview(today: dt.date, *, progress=None) -> compute.WarningResult:
    """What the early warning says on `today`, computed in memory; nothing is written."""
    return compute.compute(fetch.warning_input(today), progress=progress)


def early_warning_compute(today: dt.date | None = None, trigger: str = WarningTrigger.MANUAL, user=None, *,
                          run: EarlyWarningRun | None = None, progress=None) -> EarlyWarningRun:
    """Compute and persist the early warning of `today` (default: the service's today) as a run."""
    today = today or service_today()
    if run is None:
        run = EarlyWarningRun.objects.create(today=today, trigger=trigger, requested_by=user)
    steps_total = compute.STEPS + 2  # fetch, the computation's steps, persist
    EarlyWarningRun.objects.filter(pk=run.pk).update(
        today=today, status=WarningRunStatus.RUNNING, started_at=timezone.now(), steps_total=steps_total,
        steps_done=0, error="",
    )
    timings: dict[str, float] = {}
    done = 0

    def advance(name: str, started: float) -> float:
        nonlocal done
        done += 1
        now = time.perf_counter()
        timings[name] = round(now - started, 3)
        EarlyWarningRun.objects.filter(pk=run.pk).update(steps_done=done, timings=timings)
        if progress:
            progress(done, steps_total, name)
        return now

    try:
        t = time.perf_counter()
        state = fetch.input_state()  # before the input is read: a change racing the fetch makes it differ
        inp = fetch.warning_input(today)
        t = advance("fetch", t)
        marks = {"t": t}

        def step(name: str) -> None:
            marks["t"] = advance(name, marks["t"])

        result = compute.compute(inp, progress=step)
        t = marks["t"]
        with transaction.atomic():
            _lock()
            counts = persist(run, result)
            timings["persist"] = round(time.perf_counter() - t, 3)
            EarlyWarningRun.objects.filter(pk=run.pk).update(
                status=WarningRunStatus.SUCCEEDED, finished_at=timezone.now(), steps_done=steps_total,
                timings=timings, counts={**result.counts, **counts}, inputs=state,
            )
    except Exception as exc:  # noqa: BLE001 - recorded on the run; the previous entries stay current
        logger.exception("early warning run %s failed", run.pk)
        EarlyWarningRun.objects.filter(pk=run.pk).update(
            status=WarningRunStatus.FAILED, finished_at=timezone.now(), error=str(exc) or type(exc).__name__,
            timings=timings,
        )
    run.refresh_from_db()
    return run


def persist(run: EarlyWarningRun, result: compute.WarningResult) -> dict:
    """Upsert the entries by (region, occupation, quarter), deactivate the others, replace the
    forward recommendations. Inside the caller's transaction."""
    rows = [
        EarlyWarning(
            region_id=e.region_id, occupation_id=e.occupation_code, quarter=e.quarter, is_active=True, last_run=run,
            **{name: getattr(e, name) for name in FIGURES},
        )
        for e in result.entries
    ]
    EarlyWarning.objects.bulk_create(
        rows, batch_size=2000, update_conflicts=True, unique_fields=["region", "occupation", "quarter"],
        update_fields=[*FIGURES, "is_active", "last_run", "updated_at"],
    )
    deactivated = EarlyWarning.objects.filter(is_active=True).exclude(last_run=run).update(is_active=False)
    ids = {
        (region_id, occupation, quarter): pk
        for pk, region_id, occupation, quarter in EarlyWarning.objects.filter(last_run=run).values_list(
            "id", "region_id", "occupation_id", "quarter"
        )
    }
    EarlyWarningRecommendation.objects.exclude(run=run).delete()
    recs = []
    for fr in result.recommendations:
        r = fr.recommendation
        recs.append(EarlyWarningRecommendation(
            warning_id=ids[fr.entry_key], run=run, kind=r.kind, college_id=r.college_id, program_id=r.program_id,
            seats=r.headcount, act_by=fr.act_by, score=r.score,
            context=recommendation_context(fr),
        ))
    EarlyWarningRecommendation.objects.bulk_create(recs, batch_size=2000)
    return {"deactivated": deactivated}


def recommendation_context(fr: compute.ForwardRecommendation) -> dict:
    """The recommendation's fields in the form of docs/formats.md "recommendation" (plain JSON)."""
    r = fr.recommendation
    return {
        "kind": r.kind, "quarter": r.quarter, "college_code": r.college_code, "program_code": r.program_code,
        "region_code": r.region_code, "occupation_code": r.occupation_code, "headcount": r.headcount,
        "shortfall": r.shortfall, "salary_min": str(r.salary_min), "salary_max": str(r.salary_max),
        "currency": r.currency, "salary_min_cny": str(r.salary_min_cny), "salary_max_cny": str(r.salary_max_cny),
        "need_date": r.need_date.isoformat(),
        "latest_intake_date": r.latest_intake_date.isoformat() if r.latest_intake_date else None,
        "feasibility": str(r.feasibility), "score": str(r.score), "act_by": fr.act_by.isoformat(),
        "source": "early_warning",
    }


# --- Runs in the background ------------------------------------------------------------------------------


def latest_run() -> EarlyWarningRun | None:
    return EarlyWarningRun.objects.filter(status=WarningRunStatus.SUCCEEDED).order_by("-finished_at", "-id").first()


def early_warning_enqueue(trigger: str = WarningTrigger.MATCH_FINISHED, user=None) -> EarlyWarningRun:
    """A queued run for the worker, or the one already queued (one queued run at a time: runs
    asked for while one waits would compute the same thing). The task is sent after the commit."""
    with transaction.atomic():
        _lock()
        stale = timezone.now() - dt.timedelta(seconds=settings.EARLY_WARNING_QUEUED_STALE_SECONDS)
        EarlyWarningRun.objects.filter(status=WarningRunStatus.QUEUED, created_at__lt=stale).update(
            status=WarningRunStatus.FAILED, finished_at=timezone.now(),
            error="never picked up by a worker; a newer run replaces it",
        )
        queued = EarlyWarningRun.objects.filter(status=WarningRunStatus.QUEUED).order_by("id").first()
        if queued is not None:
            return queued
        run = EarlyWarningRun.objects.create(today=service_today(), trigger=trigger, requested_by=user)
    from gaps import tasks

    transaction.on_commit(lambda: tasks.send_early_warning(run.pk))
    return run


def run_queued(run_id: int) -> str:
    """What the task does with its run: compute it if still queued (for the service's today)."""
    claimed = EarlyWarningRun.objects.filter(pk=run_id, status=WarningRunStatus.QUEUED).update(
        status=WarningRunStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "gone"
    run = EarlyWarningRun.objects.get(pk=run_id)
    run = early_warning_compute(service_today(), run.trigger, run=run)
    return run.status


def is_fresh(today: dt.date) -> bool:
    """The latest succeeded run was computed for `today` (one indexed read). A finished matching run
    queues its own recomputation (gaps.warning.receivers; in-process in embedded mode)."""
    latest = EarlyWarningRun.objects.filter(status=WarningRunStatus.SUCCEEDED).order_by("-finished_at", "-id").values(
        "today"
    ).first()
    return latest is not None and latest["today"] == today


def ensure_fresh(today: dt.date | None = None) -> EarlyWarningRun | None:
    """Recompute (in this process) when the latest succeeded run is not for today; None when fresh.
    For embedded mode (no beat) and pages."""
    today = today or service_today()
    if is_fresh(today):
        return None
    return early_warning_compute(today, WarningTrigger.STALE)
