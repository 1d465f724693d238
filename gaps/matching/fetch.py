"""Load matching inputs from the database into the plain dataclasses of gaps.matching.types.

Reads use values_list() tuples, never model instances: a quarter at SPEC.md's scale is hundreds
of thousands of rows, and building model objects for them would cost more than the matching.
Only submitted reports count.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict

from django.conf import settings as django_settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count

from core.quarters import Quarter
from gaps.models import ExchangeRate, Gap, GapReport, GapReportLine, ReportStatus
from training.models import Cohort as CohortRow
from training.models import Program as ProgramRow

from . import rules
from .types import Cohort, Line, MatchInput, Program, RateTable, Settings

LINE_FIELDS = (
    "id", "report__region_id", "report__region__code", "occupation_id", "headcount", "salary_min", "salary_max",
    "currency", "season_start", "season_end", "sector", "certification", "languages", "occupation_title", "line_no",
)


def rows(queryset, *fields):
    """values_list() rows; on PostgreSQL straight from the cursor, skipping Django's per-value
    converters (psycopg already returns dates, decimals and decoded jsonb), which at SPEC.md's
    scale cost several times the read itself."""
    qs = queryset.values_list(*fields)
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        return list(qs)
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # e.g. `__in=[]`: Django answers without asking the database
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _list(value) -> tuple:
    """A JSON list column: Django's psycopg setup hands jsonb over as text to its own converter."""
    if isinstance(value, str):
        return _parsed_list(value)
    return tuple(value or ())


@functools.lru_cache(maxsize=4096)
def _parsed_list(text: str) -> tuple:
    """A JSON list's text as a tuple, parsed once per distinct text: a few dozen language and
    certification lists recur over hundreds of thousands of lines and programs (json.loads per row
    was a third of the early warning's fetch). Tuples are immutable, so rows may share them."""
    return tuple(json.loads(text) or ())


def matching_settings() -> Settings:
    return Settings(
        supply_window_days=django_settings.SUPPLY_WINDOW_DAYS, oversupply_ratio=django_settings.OVERSUPPLY_RATIO
    )


def submitted_lines(quarter: str):
    return GapReportLine.objects.filter(report__quarter=quarter, report__status=ReportStatus.SUBMITTED)


def _line(row) -> Line:
    (id_, region_id, region_code, occ, headcount, smin, smax, currency, start, end, sector, cert, langs, title,
     line_no) = row
    return Line(
        id=id_, region_id=region_id, region_code=region_code, occupation_code=occ, headcount=headcount,
        salary_min=smin, salary_max=smax, currency=currency, season_start=start, season_end=end,
        sector=sector or "", certification=cert or "", languages=_list(langs), occupation_title=title or "",
        line_no=line_no,
    )


def fetch_lines(queryset) -> list[Line]:
    return [_line(row) for row in rows(queryset.order_by("id"), *LINE_FIELDS)]


def fetch_rates() -> RateTable:
    return RateTable.from_rows(ExchangeRate.objects.values_list("currency", "date", "rate_to_cny"))


def reported_region_ids(quarter: str) -> frozenset[int]:
    return frozenset(
        GapReport.objects.filter(quarter=quarter, status=ReportStatus.SUBMITTED).values_list("region_id", flat=True)
    )


def line_counts_by_occupation(quarter: str) -> dict[str, int]:
    rows = (
        submitted_lines(quarter).filter(occupation__isnull=False).values_list("occupation_id")
        .annotate(n=Count("id")).order_by()
    )
    return dict(rows)


def program_occupation_sets() -> list[tuple[str, ...]]:
    """The occupation codes of every program (one tuple per program), for planning components."""
    by_program: dict[int, list[str]] = defaultdict(list)
    for program_id, code in ProgramRow.occupations.through.objects.values_list("program_id", "occupation_id"):
        by_program[program_id].append(code)
    return [tuple(codes) for codes in by_program.values()]


def fetch_programs(program_ids_query) -> list[Program]:
    """Programs (with occupations and regions served) whose ids the given subquery yields."""
    occupations: dict[int, list[str]] = defaultdict(list)
    for pid, code in rows(
        ProgramRow.occupations.through.objects.filter(program_id__in=program_ids_query), "program_id", "occupation_id"
    ):
        occupations[pid].append(code)
    serves: dict[int, set[int]] = defaultdict(set)
    for pid, region_id in rows(
        ProgramRow.serves_regions.through.objects.filter(program_id__in=program_ids_query), "program_id", "region_id"
    ):
        serves[pid].add(region_id)
    program_rows = rows(
        ProgramRow.objects.filter(id__in=program_ids_query),
        "id", "code", "college_id", "college__code", "sector", "languages", "certifications",
    )
    return [
        Program(
            id=pid, code=code, college_id=college_id, college_code=college_code,
            occupation_codes=tuple(sorted(occupations.get(pid, ()))), sector=sector or "",
            languages=_list(languages), certifications=_list(certs),
            serves_region_ids=frozenset(serves.get(pid, ())),
        )
        for pid, code, college_id, college_code, sector, languages, certs in program_rows
    ]


def fetch_cohorts(queryset) -> list[Cohort]:
    return [
        Cohort(id=i, program_id=p, seats=s, intake_date=a, graduation_date=g)
        for i, p, s, a, g in rows(queryset, "id", "program_id", "seats", "intake_date", "graduation_date")
    ]


def graduation_bounds(quarter: Quarter, lines, conf: Settings) -> tuple[dt.date, dt.date]:
    """[min(N, quarter start) - window, max(E, quarter end)]: every graduation date a line's timely
    or late window, EXPAND's recent cohort, or the assessment window can reach."""
    needs = [rules.need_date(line, quarter) for line in lines]
    ends = [rules.end_date(line, quarter) for line in lines]
    return rules.window_start(min([quarter.start, *needs]), conf), max([quarter.end, *ends])


def fetch_chunk_input(quarter: str, occupation_codes) -> MatchInput:
    """Everything the matching of these occupation components reads.

    Cohorts are limited to graduation dates that can matter: from the earliest need date N (or
    the quarter's start, for the assessment window) minus the supply window, to the latest end
    date E (or the quarter's end). E is never before N (rules.end_date), so a line whose season
    starts after its quarter sees the cohorts graduating between the quarter's end and N.
    """
    q = Quarter.parse(quarter, bounded=False)
    conf = matching_settings()
    codes = sorted(occupation_codes)
    lines = fetch_lines(submitted_lines(quarter).filter(occupation_id__in=codes))
    earliest, latest = graduation_bounds(q, lines, conf)
    program_ids = (
        ProgramRow.occupations.through.objects.filter(occupation_id__in=codes).values("program_id").distinct()
    )
    programs = fetch_programs(program_ids)
    cohorts = fetch_cohorts(
        CohortRow.objects.filter(program_id__in=program_ids, graduation_date__gte=earliest, graduation_date__lte=latest)
    )
    return MatchInput(
        quarter=quarter, lines=tuple(lines), programs=tuple(programs), cohorts=tuple(cohorts),
        rates=fetch_rates(), reported_region_ids=reported_region_ids(quarter), settings=conf,
    )


def fetch_quarter_input(quarter: str) -> MatchInput:
    """The whole quarter in one input (tests, small quarters): every occupation of a line or a program."""
    codes = set(line_counts_by_occupation(quarter))
    for program_codes in program_occupation_sets():
        codes.update(program_codes)
    inp = fetch_chunk_input(quarter, codes)
    uncoded = fetch_lines(submitted_lines(quarter).filter(occupation__isnull=True))
    return MatchInput(
        quarter=inp.quarter, lines=inp.lines + tuple(uncoded), programs=inp.programs, cohorts=inp.cohorts,
        rates=inp.rates, reported_region_ids=inp.reported_region_ids, settings=inp.settings,
    )


def previous_gap_keys(quarter: str) -> frozenset[tuple[int, str]]:
    """(region id, occupation) pairs with an active gap in any of the previous four quarters."""
    q = Quarter.parse(quarter, bounded=False)
    previous = []
    for _ in range(4):
        if (q.year, q.number) == (dt.MINYEAR, 1):
            break  # the calendar's first quarter has none before it
        q = q.previous()
        previous.append(str(q))
    return frozenset(
        Gap.objects.filter(quarter__in=previous, is_active=True).values_list("region_id", "occupation_id")
    )
