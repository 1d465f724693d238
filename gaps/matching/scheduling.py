"""When to re-match: hooks the report and cohort services call (after their transaction commits)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from core.quarters import Quarter


def _enqueue(quarter: str, trigger: str) -> None:
    from .services import match_run_enqueue

    match_run_enqueue(quarter=quarter, trigger=trigger)


def schedule_quarter_rematch(*, quarter: str, trigger: str) -> None:
    """Queue a re-match of the quarter once the current transaction commits (nothing if it rolls back).

    Called once per changed row (an import of thousands of cohorts calls it thousands of times):
    one callback per quarter and transaction is enough, and a queued run is reused after commit.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(func, "rematch_quarter", None) == quarter for _sids, func, _robust in connection.run_on_commit
    ):
        return
    callback = functools.partial(_enqueue, quarter, trigger)
    callback.rematch_quarter = quarter
    transaction.on_commit(callback)


def quarters_affected_by_graduation(day: dt.date) -> list[str]:
    """Quarters whose matching a cohort graduating on `day` can affect: from the quarter containing
    it through the quarter containing it + SUPPLY_WINDOW_DAYS (it is assessed, and timely for need
    dates, up to the window after its graduation)."""
    first = Quarter.containing(day)
    last = Quarter.containing(day + dt.timedelta(days=settings.SUPPLY_WINDOW_DAYS))
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
