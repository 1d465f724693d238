"""EarlyWarning rows made directly (the computation, gaps.warning, is tested on its own): one entry with
figures consistent with SPEC.md's rules for a given status and today."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gaps.models import EarlyWarning, EarlyWarningRecommendation, EarlyWarningRun, WarningRating, WarningSource, WarningStatus

TODAY = dt.date(2026, 12, 3)


def run(today: dt.date = TODAY) -> EarlyWarningRun:
    """A finished computation for `today`: with it the early warning is fresh for that day, so a page
    that asks the computation to bring it up to date (gaps.warning.services.ensure_fresh) keeps these
    hand-made entries instead of recomputing them from the (empty) history."""
    now = timezone.now()
    return EarlyWarningRun.objects.create(today=today, status="succeeded", started_at=now, finished_at=now)


def fresh_run(today: dt.date = TODAY) -> EarlyWarningRun:
    existing = EarlyWarningRun.objects.filter(today=today, status="succeeded").order_by("-id").first()
    return existing or run(today)


def warning(region, occupation="8341", quarter="2027Q3", *, status=WarningStatus.ACT_NOW, today: dt.date = TODAY,
            rating=WarningRating.ELEVATED, shortfall=40, headcount=120, lead_days=180, shortest_days=60,
            act_in_days: int | None = None, **fields) -> EarlyWarning:
    """An entry whose act_by lies where its status says: plan 120 days out, act_now 15, short course only
    -10 (short course in 50), missed -130 (short course 10 days ago); `act_in_days` overrides."""
    offset = act_in_days if act_in_days is not None else {
        WarningStatus.PLAN: 120, WarningStatus.ACT_NOW: 15, WarningStatus.SHORT_COURSE_ONLY: -10,
        WarningStatus.MISSED: -130,
    }[status]
    act_by = today + dt.timedelta(days=offset)
    need = act_by + dt.timedelta(days=lead_days)
    values = dict(
        region=region, occupation_id=occupation, quarter=quarter, source=WarningSource.FORECAST, forecast=headcount,
        forecast_low=headcount - 20, forecast_high=headcount + 20, headcount=headcount, covered=headcount - shortfall,
        shortfall=shortfall, need_date=need, end_date=need + dt.timedelta(days=60), lead_days=lead_days,
        shortest_days=shortest_days, act_by=act_by, short_course_by=need - dt.timedelta(days=shortest_days),
        status=status, rating=rating, persistence=3, context={"history": {"2024": 90, "2025": 100, "2026": 110}},
    )
    values.setdefault("last_run", fresh_run(today))
    values.update(fields)
    return EarlyWarning.objects.create(**values)


def recommendation(warning_: EarlyWarning, college, *, kind="OPEN", program=None, seats=20, run_=None, act_by=None):
    return EarlyWarningRecommendation.objects.create(
        warning=warning_, run=run_ or warning_.last_run or fresh_run(), kind=kind, college=college, program=program, seats=seats,
        act_by=act_by or warning_.act_by,
    )
