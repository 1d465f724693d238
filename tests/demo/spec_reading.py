"""A small, independent reading of SPEC.md's early warning, for checking the demo's data.

Nothing here imports the service's early warning or matching: it reads SPEC.md's words
("Looking ahead: the early warning", "How matching decides") on plain rows. It does not allocate
seats; instead it bounds `covered` by the seats of every cohort eligible for a projected line, so
an entry whose headcount exceeds that bound certainly has shortfall > 0 -- and its status then
depends only on its need date, the lead times and today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from math import floor

from core.quarters import Quarter

SUPPLY_WINDOW_DAYS = 180
ACT_WINDOW_DAYS = 90
DEFAULT_LEAD_DAYS = 180


@dataclass(frozen=True)
class Line:
    """A line of a submitted report (in file order within its report)."""

    region: str
    quarter: Quarter
    occupation: str | None
    headcount: int
    season_start: dt.date | None
    season_end: dt.date | None
    languages: tuple[str, ...]
    certification: str


@dataclass(frozen=True)
class ProgramRow:
    occupations: frozenset[str]
    serves: frozenset[str]  # empty: every region
    languages: frozenset[str]
    certifications: frozenset[str]
    cohorts: tuple[tuple[int, dt.date, dt.date], ...]  # (seats, intake, graduation)


@dataclass(frozen=True)
class Entry:
    region: str
    occupation: str
    quarter: Quarter
    source: str  # "forecast" or "reported"
    headcount: int
    need: dt.date
    seats_bound: int  # covered <= this, however seats are allocated
    lead_days: int
    shortest_days: int

    @property
    def certainly_short(self) -> bool:
        return self.headcount > self.seats_bound

    def status(self, today: dt.date) -> str:
        act_by = self.need - dt.timedelta(days=self.lead_days)
        short_course_by = self.need - dt.timedelta(days=self.shortest_days)
        if act_by > today + dt.timedelta(days=ACT_WINDOW_DAYS):
            return "plan"
        if today <= act_by:
            return "act_now"
        if today <= short_course_by:
            return "short_course_only"
        return "missed"


def lower_median(values: list[int]) -> int:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def lead_times(programs: list[ProgramRow], occupation: str) -> tuple[int, int]:
    durations = [
        lower_median([(graduation - intake).days for _seats, intake, graduation in p.cohorts])
        for p in programs if occupation in p.occupations and p.cohorts
    ]
    if not durations:
        return DEFAULT_LEAD_DAYS, DEFAULT_LEAD_DAYS
    return lower_median(durations), min(durations)


def round_half_up(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


def forecast(values: dict[int, int]) -> int | None:
    """Years -> observed values (missing years absent)."""
    if not values:
        return None
    years = sorted(values)
    first, last = years[0], years[-1]
    if first == last:
        return values[last]
    slope = Fraction(values[last] - values[first], last - first)
    return max(0, round_half_up(values[last] + slope))


def moved(day: dt.date, year: int) -> dt.date:
    return dt.date(year, 2, 28) if (day.month, day.day) == (2, 29) else day.replace(year=year)


def _need(line: Line) -> dt.date:
    return line.season_start or line.quarter.start


def _eligible_seats(programs: list[ProgramRow], region: str, occupation: str, need: dt.date,
                    languages: tuple[str, ...], certification: str) -> set[tuple[int, int]]:
    """(program index, cohort index) of every cohort eligible for such a line."""
    found = set()
    for i, p in enumerate(programs):
        if occupation not in p.occupations or (p.serves and region not in p.serves):
            continue
        if languages and not set(languages) & p.languages:
            continue
        if certification and certification not in p.certifications:
            continue
        for j, (_seats, _intake, graduation) in enumerate(p.cohorts):
            if need - dt.timedelta(days=SUPPLY_WINDOW_DAYS) <= graduation <= need:
                found.add((i, j))
    return found


def early_warning(today: dt.date, lines: list[Line], reported: set[tuple[str, Quarter]],
                  programs: list[ProgramRow]) -> list[Entry]:
    """Every (region, unit group, target quarter) with a positive headcount, SPEC.md's way."""
    current = Quarter.containing(today)
    targets = []
    q = current
    for _ in range(4):
        q = q.next()
        targets.append(q)
    by_report: dict[tuple[str, Quarter], list[Line]] = defaultdict(list)
    for line in lines:
        by_report[(line.region, line.quarter)].append(line)
    regions = {region for region, _q in reported}
    entries = []
    for target in targets:
        for region in sorted(regions):
            if (region, target) in reported:
                groups: dict[str, list[Line]] = defaultdict(list)
                for line in by_report[(region, target)]:
                    if line.occupation:
                        groups[line.occupation].append(line)
                for occupation, group in sorted(groups.items()):
                    need = min(_need(line) for line in group)
                    cohorts = set()
                    for line in group:
                        cohorts |= _eligible_seats(programs, region, occupation, _need(line), line.languages,
                                                   line.certification)
                    bound = sum(programs[i].cohorts[j][0] for i, j in cohorts)
                    entries.append(Entry(region, occupation, target, "reported", sum(x.headcount for x in group),
                                         need, bound, *lead_times(programs, occupation)))
                continue
            years = {target.year - n: Quarter(target.year - n, target.number) for n in (1, 2, 3)}
            observed = {year: q for year, q in years.items() if (region, q) in reported}
            occupations = {x.occupation for q in observed.values() for x in by_report[(region, q)] if x.occupation}
            for occupation in sorted(occupations):
                values = {
                    year: sum(x.headcount for x in by_report[(region, q)] if x.occupation == occupation)
                    for year, q in observed.items()
                }
                headcount = forecast(values)
                if not headcount:
                    continue
                latest = observed[max(observed)]
                series = [x for x in by_report[(region, latest)] if x.occupation == occupation]
                starts = [x.season_start for x in series if x.season_start]
                need = moved(min(starts), target.year) if starts else target.start
                largest = max(series, key=lambda x: x.headcount)  # max() keeps the first of equals
                bound = sum(
                    programs[i].cohorts[j][0]
                    for i, j in _eligible_seats(programs, region, occupation, need, largest.languages,
                                                largest.certification)
                )
                entries.append(Entry(region, occupation, target, "forecast", headcount, need, bound,
                                     *lead_times(programs, occupation)))
    return entries


def certain_statuses(today: dt.date, entries: list[Entry]) -> dict[str, list[Entry]]:
    found: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.certainly_short:
            found[entry.status(today)].append(entry)
    return found


STATUSES = {"plan", "act_now", "short_course_only", "missed"}


def assert_every_status(today: dt.date, world, lines, reported, programs) -> None:
    """Every status among the entries certainly short, and each of the world's anchor series
    (demo.world.Anchor) with its own status: need date today + d (29 February -> 28)."""
    entries = early_warning(today, lines, reported, programs)
    found = certain_statuses(today, entries)
    assert set(found) == STATUSES, (today, {k: len(v) for k, v in found.items()})
    for anchor in world.anchors:
        need = today + dt.timedelta(days=anchor.days_ahead)
        need = moved(moved(need, need.year - 1), need.year)
        entry = next(
            (e for e in entries if (e.region, e.occupation, e.need) == (anchor.region, anchor.occupation, need)), None
        )
        assert entry is not None and entry.certainly_short, (today, anchor)
        assert entry.status(today) == anchor.status, (today, anchor, entry)


# --- Readers: the demo's plain world, and the database's rows ---------------------------------------------


def from_world(world) -> tuple[list[Line], set[tuple[str, Quarter]], list[ProgramRow]]:
    lines, reported = [], set()
    for report in world.reports:
        if not report.submit:
            continue
        quarter = Quarter.parse(report.quarter)
        reported.add((report.region, quarter))
        for x in report.lines:
            lines.append(Line(report.region, quarter, x.occupation, x.headcount, x.season[0] if x.season else None,
                              x.season[1] if x.season else None, tuple(x.languages), x.certification))
    programs = [
        ProgramRow(frozenset(p.occupations), frozenset(p.serves), frozenset(p.languages), frozenset(p.certifications),
                   tuple((c.seats, c.intake, c.graduation) for c in p.cohorts))
        for p in world.programs
    ]
    return lines, reported, programs


def from_database() -> tuple[list[Line], set[tuple[str, Quarter]], list[ProgramRow]]:
    from gaps.models import GapReport, GapReportLine, ReportStatus
    from training.models import Program

    reported = {
        (region, Quarter.parse(quarter))
        for region, quarter in GapReport.objects.filter(status=ReportStatus.SUBMITTED).values_list(
            "region__code", "quarter"
        )
    }
    lines = [
        Line(x.report.region.code, Quarter.parse(x.report.quarter), x.occupation_id, x.headcount, x.season_start,
             x.season_end, tuple(x.languages or ()), x.certification)
        for x in GapReportLine.objects.filter(report__status=ReportStatus.SUBMITTED)
        .select_related("report__region").order_by("report_id", "line_no")
    ]
    programs = [
        ProgramRow(
            frozenset(p.occupations.values_list("code", flat=True)),
            frozenset(p.serves_regions.values_list("code", flat=True)),
            frozenset(p.languages or ()), frozenset(p.certifications or ()),
            tuple(p.cohorts.order_by("intake_date").values_list("seats", "intake_date", "graduation_date")),
        )
        for p in Program.objects.order_by("id")
    ]
    return lines, reported, programs
