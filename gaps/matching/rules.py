"""The definitions of SPEC.md "How matching decides", one function each, readable beside it."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from core.quarters import Quarter

from .types import Line, Program, Settings


def need_date(line: Line, quarter: Quarter) -> dt.date:
    """N: the line's season_start, else the first day of the quarter."""
    return line.season_start or quarter.start


def end_date(line: Line, quarter: Quarter) -> dt.date:
    """E: the line's season_end, else the last day of the quarter, but never before N (SPEC.md
    revision 2: a season that starts after its quarter and names no end ends on N)."""
    return max(line.season_end or quarter.end, need_date(line, quarter))


class Timing(Enum):
    TIMELY = "timely"  # N - window <= graduation <= N
    LATE = "late"  # N < graduation <= E
    OUT = "out"  # too early or after E


def timing(graduation: dt.date, n: dt.date, e: dt.date, settings: Settings) -> Timing:
    # Day numbers, not dates: N - window may lie before 1 January of year 1 (a date Python cannot
    # hold), and the comparison is the same.
    g, n_day = graduation.toordinal(), n.toordinal()
    if n_day - settings.supply_window_days <= g <= n_day:
        return Timing.TIMELY
    if n < graduation <= e:
        return Timing.LATE
    return Timing.OUT


def window_start(n: dt.date, settings: Settings) -> dt.date:
    """N - SUPPLY_WINDOW_DAYS, or the first day of the calendar when that lies before it (no
    cohort graduates earlier, so the timely window is the same)."""
    return days_before(n, settings.supply_window_days)


def days_before(day: dt.date, days: int) -> dt.date:
    """`day` minus `days` days, never before 0001-01-01 (Python's first date)."""
    return dt.date.fromordinal(max(1, day.toordinal() - days))


def latest_intake(n: dt.date, duration: dt.timedelta) -> dt.date | None:
    """The latest intake date from which a cohort lasting `duration` graduates by N; None when that
    day lies outside Python's calendar (years 1-9999: only dates no one can have meant lead there)."""
    day = n.toordinal() - duration.days
    return dt.date.fromordinal(day) if 1 <= day <= dt.date.max.toordinal() else None


def speaks(line: Line, program: Program) -> bool:
    """Teaches in at least one of the line's languages (if any are required)."""
    return not line.languages or bool(set(line.languages) & set(program.languages))


def certifies(line: Line, program: Program) -> bool:
    """Prepares for the line's certification (if one is required); compared case-insensitively."""
    if not line.certification:
        return True
    wanted = line.certification.strip().upper()
    return any(c.strip().upper() == wanted for c in program.certifications)


def assessment_window(quarter: Quarter, settings: Settings) -> tuple[dt.date, dt.date]:
    """A cohort is assessed in the quarter when it graduates within this window (both ends included)."""
    return days_before(quarter.start, settings.supply_window_days), quarter.end


def is_adjacent(line: Line, program: Program) -> bool:
    """The line's occupation is adjacent to what the program trains (MISDIRECTED_SUPPLY).

    A different unit group, in the same sector when both the program and the line have one,
    otherwise in the same ISCO minor group (first three digits).
    """
    code = line.occupation_code
    if code is None or code in program.occupation_codes:
        return False
    if program.sector and line.sector:
        return program.sector == line.sector
    return any(own[:3] == code[:3] for own in program.occupation_codes)


def adjacent_trained_occupation(line: Line, program: Program) -> str:
    """The trained occupation a MISDIRECTED flag names: one in the line's minor group if any."""
    for own in sorted(program.occupation_codes):
        if line.occupation_code and own[:3] == line.occupation_code[:3]:
            return own
    return sorted(program.occupation_codes)[0]
