"""Recommendations that know the date (SPEC.md "Looking ahead": what recommendations gain).

Every recommendation carries `act_by`, the latest intake date of its program that still graduates
by the line's need date N: the matching's `latest_intake_date`; where the matching has no program
duration to count back from (OPEN, or an EXPAND whose program has no recent cohort), N minus the
default lead time of 180 days [DEFAULT_LEAD_DAYS], as the early warning counts an occupation no
program trains. It is `feasible` while today <= act_by. Lists rank the feasible ones first; the
others are shown as too late, with next year's date (`next_act_by`: the same day a year later,
29 February becoming 28).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When


def lead_days() -> int:
    return int(getattr(settings, "DEFAULT_LEAD_DAYS", 180))


def act_by(latest_intake_date: dt.date | None, need_date: dt.date | None) -> dt.date | None:
    if latest_intake_date is not None:
        return latest_intake_date
    if need_date is None:
        return None
    return need_date - dt.timedelta(days=lead_days())


def next_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def dates(latest_intake_date, need_date, *, today: dt.date) -> dict:
    """{"act_by", "feasible", "next_act_by"} of one recommendation (next_act_by only when too late)."""
    when = act_by(latest_intake_date, need_date)
    feasible = when is not None and when >= today
    return {"act_by": when, "feasible": feasible, "next_act_by": None if feasible or when is None else next_year(when)}


def feasible_condition(today: dt.date) -> Q:
    """The same rule as a database condition, for ranking querysets."""
    return Q(latest_intake_date__gte=today) | Q(
        latest_intake_date__isnull=True, need_date__gte=today + dt.timedelta(days=lead_days())
    )


def rank_feasible_first(qs: QuerySet, *, today: dt.date, then=("-score", "id")) -> QuerySet:
    # Case rather than the bare condition: a NULL latest_intake_date would make the condition NULL,
    # which sorts first in a descending order on PostgreSQL.
    feasible = Case(When(feasible_condition(today), then=Value(True)), default=Value(False), output_field=BooleanField())
    return qs.annotate(feasible=feasible).order_by("-feasible", *then)
