"""Build the early warning's input (gaps.warning.compute.WarningInput) from the database.

Plain tuples through gaps.matching.fetch.rows() (straight from the cursor on PostgreSQL), never
model instances: twelve quarters of 50,000 lines and 500,000 cohorts is SPEC.md's scale.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.conf import settings as django_settings

from core.quarters import Quarter
from gaps.matching import inputs, rules
from gaps.matching.fetch import LINE_FIELDS, _line, fetch_programs, fetch_rates, matching_settings, rows
from gaps.models import Gap, GapReport, GapReportLine, QuarterResults, ReportStatus
from training.models import Cohort as CohortRow
from training.models import Program as ProgramRow

from .compute import Report, WarningInput, WarningSettings, lower_median, moved, persistence_quarters, target_quarters


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    h = hashlib.md5()
    here = Path(__file__).resolve().parent
    for name in ("compute.py", "fetch.py", "forecast.py"):
        h.update(name.encode())
        h.update((here / name).read_bytes())
    return h.hexdigest()


def input_state() -> dict:
    """What an entry's lines and their projected match derive from: the versions of the tables
    matching reads (gaps.matching.inputs: reports, lines, regions, rates, colleges, programs,
    cohorts; kept by database triggers), the matching settings and code, and this package's code.
    Read BEFORE the run reads its input, so a change committed after that read makes the state differ
    (gaps.matching.inputs explains why that is exact). The persistence quarters' gaps are not in it:
    they decide ratings, never lines."""
    return {"versions": inputs.table_versions(), "settings": inputs.settings_digest(), "code": _code_digest(),
            "warning_settings": hashlib.md5(repr(warning_settings()).encode()).hexdigest()}


def warning_settings() -> WarningSettings:
    s = django_settings
    return WarningSettings(
        default_lead_days=s.DEFAULT_LEAD_DAYS, act_window_days=s.ACT_WINDOW_DAYS,
        persistence_high=s.EW_PERSISTENCE_HIGH, wage_pressure_high=Decimal(str(s.EW_WAGE_PRESSURE_HIGH)),
        shortfall_share_high=Decimal(str(s.EW_SHORTFALL_SHARE_HIGH)), critical_points=s.EW_CRITICAL_POINTS,
        elevated_points=s.EW_ELEVATED_POINTS, min_errors=s.EW_INTERVAL_MIN_ERRORS,
        recommendations_per_entry=s.EW_RECOMMENDATIONS_PER_ENTRY,
    )


def fetch_reports(last_quarter: Quarter) -> list[Report]:
    """Every submitted report up to `last_quarter`, with its lines in file order (reports without
    lines included: the region reported and needed nobody)."""
    reports = rows(
        GapReport.objects.filter(status=ReportStatus.SUBMITTED, quarter__lte=str(last_quarter)),
        "id", "region_id", "region__code", "quarter",
    )
    lines_by_report = defaultdict(list)
    for row in rows(
        GapReportLine.objects.filter(report__status=ReportStatus.SUBMITTED, report__quarter__lte=str(last_quarter))
        .order_by("report_id", "line_no", "id"),
        "report_id", *LINE_FIELDS,
    ):
        lines_by_report[row[0]].append(_line(row[1:]))
    return [
        Report(region_id, region_code, Quarter.parse(quarter), tuple(lines_by_report.get(report_id, ())))
        for report_id, region_id, region_code, quarter in sorted(reports, key=lambda r: (r[2], r[3]))
    ]


def program_durations(program_ids_query=None) -> dict[int, int]:
    """Program id -> lower median of its cohorts' durations in days, over every cohort (of the
    programs whose ids `program_ids_query` yields; default: every program)."""
    cohorts = CohortRow.objects.all() if program_ids_query is None else CohortRow.objects.filter(
        program_id__in=program_ids_query)
    days = defaultdict(list)
    for program_id, intake, graduation in rows(cohorts, "program_id", "intake_date", "graduation_date"):
        days[program_id].append((graduation - intake).days)
    return {pid: lower_median(values) for pid, values in days.items()}


def matched_gaps(quarters: list[Quarter]) -> dict[str, frozenset]:
    """Quarter -> (region id, occupation) of its active gaps, for the quarters with matching results."""
    names = [str(q) for q in quarters]
    matched = set(
        QuarterResults.objects.filter(quarter__in=names, current_run__isnull=False).values_list("quarter", flat=True)
    )
    out: dict[str, set] = {q: set() for q in matched}
    for quarter, region_id, occupation in Gap.objects.filter(quarter__in=matched, is_active=True).values_list(
        "quarter", "region_id", "occupation_id"
    ):
        out[quarter].add((region_id, occupation))
    return {q: frozenset(v) for q, v in out.items()}


def _cohort_bounds(reports: list[Report], targets, window_days: int):
    """[earliest N - window, latest E] over every line the computation matches: the target
    quarters' reported lines and their projected lines (history lines' seasons moved to the target
    year, or the target quarter's bounds). Past quarters are never matched here (persistence reads
    their stored gaps)."""
    starts, ends = [], []
    wanted = set(targets)
    for q in wanted:
        starts.append(q.start)
        ends.append(q.end)
    target_years = defaultdict(list)
    for t in targets:
        target_years[t.number].append(t.year)
    for report in reports:
        q = report.quarter
        if q in wanted:
            for line in report.lines:
                starts.append(rules.need_date(line, q))
                ends.append(rules.end_date(line, q))
        for year in target_years.get(q.number, ()):
            if 1 <= year - q.year <= 3:
                for line in report.lines:
                    if line.season_start:
                        starts.append(moved(line.season_start, year))
                        ends.append(moved(line.season_start, year))
                    if line.season_end:
                        ends.append(moved(line.season_end, year))
    earliest = dt.date.fromordinal(max(1, min(starts).toordinal() - window_days))
    return earliest, max(ends)


def warning_input(today: dt.date) -> WarningInput:
    current, targets = target_quarters(today)
    conf = matching_settings()
    reports = fetch_reports(targets[-1])
    persistence = persistence_quarters(current)
    gaps = matched_gaps(persistence)
    programs = fetch_programs(ProgramRow.objects.values("id"))
    cohorts = cohorts_in_reach(reports, targets, conf)  # only the graduations the matches can reach
    return WarningInput(
        today=today, reports=tuple(reports), programs=tuple(programs), cohorts=tuple(cohorts), rates=fetch_rates(),
        program_durations=program_durations(), matched_gaps=gaps, match_settings=conf, settings=warning_settings(),
    )


def cohorts_in_reach(reports: list[Report], targets, conf) -> list:
    """The cohorts graduating where the target quarters' matches can reach (`reports` as fetch_reports
    gives them up to the last target quarter; `conf` the matching settings)."""
    earliest, latest = _cohort_bounds(reports, targets, conf.supply_window_days)
    return _cohorts(earliest, latest)


def _cohorts(earliest: dt.date, latest: dt.date):
    from gaps.matching.fetch import fetch_cohorts

    return fetch_cohorts(CohortRow.objects.filter(graduation_date__gte=earliest, graduation_date__lte=latest))
