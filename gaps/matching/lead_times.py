"""The occupations' training times, as the review queue's act-by counts them (SPEC.md "Lead time").

Per program, the lower median of its cohorts' durations (graduation minus intake); per occupation,
`lead_days` the lower median of those of the programs that train it and `shortest_days` the least.
`occupation_lead_times` takes them over every cohort in the database (PostgreSQL: percentile_disc,
one query; elsewhere -- the embedded SQLite -- `lead_times_from_dates`, from the cohorts' dates).

At full scale that aggregate reads every cohort (0.40-0.45 s at 500,000), too slow for each request
of the queue. So the matching run that makes a quarter's gaps takes it once, in its finalize, for
the occupations of those gaps, and stores it on the run (MatchRun.lead_times, `stored_form`); the
queue reads the mapping of its quarter's current run (gaps.recommendation_dates.quarter_lead_times).
The aggregate reads only training_program_occupations and training_cohort, both input tables of the
run's signature (gaps.matching.inputs), and this module is one of the modules whose code is in the
signature's settings digest: a run that finds "nothing changed" keeps a mapping that is still exact.
"""

from __future__ import annotations

from collections.abc import Iterable


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


def _lower_median(values: list[int]) -> int:
    """percentile_disc(0.5): the lower median."""
    values = sorted(values)
    return values[(len(values) - 1) // 2]


def occupation_lead_times(codes: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Occupation code -> (lead_days, shortest_days) for those of `codes` some program with cohorts
    trains (gaps.warning.compute.lead_times over the database); the others are absent. On
    PostgreSQL the medians are taken there (percentile_disc, one query); elsewhere (the embedded
    SQLite) from the cohorts' dates, which are few there."""
    from django.db import connection

    codes = sorted({c for c in codes if c})
    if not codes:
        return {}
    if connection.vendor == "postgresql":
        sql, column = _durations_sql()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.occupation_id, percentile_disc(0.5) WITHIN GROUP (ORDER BY d.days), MIN(d.days)"
                f" FROM ({sql} WHERE {column} = ANY(%s) GROUP BY po.program_id, po.occupation_id) d"
                f" GROUP BY d.occupation_id", [codes])
            return {code: (int(lead), int(shortest)) for code, lead, shortest in cursor.fetchall()}
    return lead_times_from_dates(codes)


def lead_times_from_dates(codes: Iterable[str]) -> dict[str, tuple[int, int]]:
    """occupation_lead_times() from the cohorts' dates, on any database."""
    from training.models import Cohort, Program

    codes = sorted({c for c in codes if c})
    through = Program.occupations.through
    trained: dict[int, list[str]] = {}
    for program_id, code in through.objects.filter(occupation_id__in=codes).values_list("program_id", "occupation_id"):
        trained.setdefault(program_id, []).append(code)
    durations: dict[int, list[int]] = {}
    for program_id, intake, graduation in Cohort.objects.filter(program_id__in=trained).values_list(
            "program_id", "intake_date", "graduation_date"):
        durations.setdefault(program_id, []).append((graduation - intake).days)
    per_occupation: dict[str, list[int]] = {}
    for program_id, days in durations.items():
        for code in trained[program_id]:
            per_occupation.setdefault(code, []).append(_lower_median(days))
    return {code: (_lower_median(medians), min(medians)) for code, medians in per_occupation.items()}


# --- The run's stored mapping -------------------------------------------------------------------
# {code: [lead_days, shortest_days]} for each occupation of the run's gaps that some program
# trains, {code: null} for one none trains: every code the run covers is a key, so a reader tells
# "not trained" (the default lead time) from "not covered" (a gap the run did not make: computed
# live). A run stored before the mapping existed has null: nothing covered.


def stored_form(codes: Iterable[str]) -> dict[str, list[int] | None]:
    """What finalize stores on the run for the occupations `codes` of its gaps."""
    codes = sorted({c for c in codes if c})
    found = occupation_lead_times(codes)
    return {code: list(found[code]) if code in found else None for code in codes}


def from_stored(stored: dict | None, codes: Iterable[str]) -> tuple[dict[str, tuple[int, int]], set[str]]:
    """(occupation_lead_times' answer for the covered ones of `codes`, the codes not covered)."""
    stored = stored or {}
    found: dict[str, tuple[int, int]] = {}
    missing: set[str] = set()
    for code in codes:
        if not code:
            continue
        if code not in stored:
            missing.add(code)
        elif stored[code] is not None:
            lead, shortest = stored[code]
            found[code] = (int(lead), int(shortest))
    return found, missing
