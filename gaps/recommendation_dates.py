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

# The aggregate over the cohorts lives with the matching (gaps.matching.lead_times), which stores its
# answer on the run that makes a quarter's gaps; the names stay here for their callers.
from gaps.matching.lead_times import from_stored, lead_times_from_dates, occupation_lead_times  # noqa: F401


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


# --- Gaps: by when training must start -------------------------------------------------------------
# A gap has no program of its own: the last day to start is its need date minus the shortest
# training the service knows for its occupation (`shortest_days`: the least of the lower-median
# durations of the programs that train it, SPEC.md "Lead time"), else minus lead_days() -- act_by()
# above with that latest intake. It is in time while today <= that day.


def gap_act_by(need_date: dt.date | None, shortest_days: int | None) -> dt.date | None:
    """The last day training can start and still finish by `need_date`."""
    from gaps.matching.rules import latest_intake

    latest = None if shortest_days is None or need_date is None else latest_intake(
        need_date, dt.timedelta(days=shortest_days))
    return act_by(latest, need_date)


def quarter_lead_times(codes_by_quarter) -> dict[str, dict[str, tuple[int, int]]]:
    """Per quarter, occupation_lead_times' answer for its occupations `codes_by_quarter[quarter]`,
    read from the mapping the quarter's current run stored (MatchRun.lead_times: one small query
    for all the quarters) instead of aggregating every cohort. The occupations that mapping does
    not cover (a quarter with no current run, a run stored before the mapping existed, a gap the
    run did not make) are computed live, in one aggregate for all of them."""
    from gaps.models import QuarterResults

    wanted = {quarter: {c for c in codes if c} for quarter, codes in codes_by_quarter.items()}
    stored = dict(
        QuarterResults.objects.filter(quarter__in=[q for q, codes in wanted.items() if codes],
                                      current_run__isnull=False)
        .values_list("quarter", "current_run__lead_times")
    )
    answer: dict[str, dict[str, tuple[int, int]]] = {}
    missing: dict[str, set[str]] = {}
    for quarter, codes in wanted.items():
        answer[quarter], missing[quarter] = from_stored(stored.get(quarter), codes)
    live_codes = set().union(*missing.values()) if missing else set()
    if live_codes:
        live = occupation_lead_times(live_codes)
        for quarter, codes in missing.items():
            answer[quarter].update({code: live[code] for code in codes if code in live})
    return answer


def gaps_lead_times(gaps) -> dict[str, dict[str, tuple[int, int]]]:
    """quarter_lead_times for these gaps' quarters and occupations (objects with `quarter` and
    `occupation_id`)."""
    codes: dict[str, set[str]] = {}
    for gap in gaps:
        codes.setdefault(gap.quarter, set()).add(gap.occupation_id)
    return quarter_lead_times(codes)


def lead_times_of(quarter: str, codes) -> dict[str, tuple[int, int]]:
    """quarter_lead_times for one quarter."""
    return quarter_lead_times({quarter: set(codes)})[quarter]


def with_gap_act_by(gaps: QuerySet, season_start: dt.date, *, today: dt.date,
                    lead_times: dict[str, tuple[int, int]] | None = None, quarter: str | None = None) -> QuerySet:
    """Gaps of one quarter (whose first day is `season_start`) annotated with `needed_by` (the need
    date, else `season_start`), `act_by` (gap_act_by over the occupation's shortest_days) and
    `in_time` (today <= act_by), in the database so that lists sort and page on them. The
    occupations' durations are read once (occupation_lead_times), then written into the query
    grouped by length: no per-row subquery, and the same on every database. Given the gaps'
    `quarter`, the durations are those its current run stored (quarter_lead_times), not an
    aggregate over every cohort."""
    from django.db.models import DateField, F
    from django.db.models.functions import Cast, Coalesce

    if lead_times is None:  # a caller looking at several quarters reads them once and passes them
        codes = gaps.order_by().values_list("occupation_id", flat=True).distinct()
        lead_times = lead_times_of(quarter, codes) if quarter else occupation_lead_times(codes)
    by_days: dict[int, list[str]] = {}
    for code, (_lead, shortest) in lead_times.items():
        by_days.setdefault(shortest, []).append(code)

    def minus(days: int):
        # A date minus an interval is a timestamp on PostgreSQL: back to a date.
        return Cast(F("needed_by") - dt.timedelta(days=days), output_field=DateField())

    whens = [When(occupation_id__in=sorted(group), then=minus(days)) for days, group in sorted(by_days.items())]
    act = Case(*whens, default=minus(lead_days()), output_field=DateField()) if whens else minus(lead_days())
    return (
        gaps.annotate(needed_by=Coalesce("need_date", Value(season_start), output_field=DateField()))
        .annotate(act_by=act)
        .annotate(in_time=Case(When(act_by__gte=today, then=Value(True)), default=Value(False),
                               output_field=BooleanField()))
    )
