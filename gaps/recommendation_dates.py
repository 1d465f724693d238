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


def _durations_sql() -> tuple[str, str]:
    """(per-program durations subquery, occupation column): program id, occupation code and the
    lower median of the program's cohorts' durations (percentile_disc(0.5) is the lower median)."""
    from training.models import Cohort, Program

    through = Program.occupations.through._meta
    cohort = Cohort._meta.db_table
    sql = (
        f'SELECT po.program_id, po.occupation_id, percentile_disc(0.5) WITHIN GROUP'
        f' (ORDER BY c.graduation_date - c.intake_date) AS days'
        f' FROM "{through.db_table}" po INNER JOIN "{cohort}" c ON c.program_id = po.program_id'
    )
    return sql, "po.occupation_id"


def shortest_days_sql(occupation_column: str) -> str:
    """A correlated subquery: the shortest_days of the occupation in `occupation_column` (NULL when
    no program with cohorts trains it)."""
    sql, column = _durations_sql()
    return (f"(SELECT MIN(d.days) FROM ({sql} WHERE {column} = {occupation_column}"
            " GROUP BY po.program_id, po.occupation_id) d)")


def gap_act_by_sql(need_date_sql: str, occupation_column: str) -> str:
    """gap_act_by() as a database expression: a date."""
    return f"(({need_date_sql}) - COALESCE({shortest_days_sql(occupation_column)}, {lead_days():d}))"


def occupation_lead_times(codes) -> dict[str, tuple[int, int]]:
    """Occupation code -> (lead_days, shortest_days) for those of `codes` some program with cohorts
    trains (gaps.warning.compute.lead_times over the database); the others are absent."""
    from django.db import connection

    codes = sorted({c for c in codes if c})
    if not codes:
        return {}
    sql, column = _durations_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.occupation_id, percentile_disc(0.5) WITHIN GROUP (ORDER BY d.days), MIN(d.days)"
            f" FROM ({sql} WHERE {column} = ANY(%s) GROUP BY po.program_id, po.occupation_id) d"
            f" GROUP BY d.occupation_id", [codes])
        return {code: (int(lead), int(shortest)) for code, lead, shortest in cursor.fetchall()}
