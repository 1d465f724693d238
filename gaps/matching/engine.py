"""One quarter's matching as pure functions: MatchInput in, MatchResult out (no database).

The work splits in two phases so that several workers can share a quarter:

1. `match_components(input)` over a set of *occupation components* -- occupations linked by
   programs that train several of them. Eligibility joins only same-occupation pairs, so lines
   and cohorts of different components never compete for a seat and each component is matched on
   its own: allocation, covered/shortfall per line, UNMET_DEMAND, UNDER_SUPPLY, TIMING_MISMATCH,
   CERTIFICATION_GAP, LANGUAGE_GAP, OVERSUPPLY, and the EXPAND / RESCHEDULE / ALIGN_CERTIFICATION /
   ADD_LANGUAGE recommendations.
2. `finalize(...)` across components: MISDIRECTED_SUPPLY (an oversupplied program of one
   occupation vs a shortfall line of an adjacent one), RETOOL and OPEN, UNCODED_OCCUPATION, gaps.

Revision 2 of SPEC.md: the pair flags (TIMING_MISMATCH, CERTIFICATION_GAP, LANGUAGE_GAP),
OVERSUPPLY and MISDIRECTED_SUPPLY name a program, not each of its cohorts (gaps.matching.flags).

`match_quarter` runs both in-process (tests, the inline command).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from core.quarters import Quarter

from . import pairs, rules
from .allocation import allocate_rows
from .flags import Flag, FlagKind, new_flag
from .misdirected import MisdirectedPairs, OpenPairs
from .recommendations import Recommendation, RecommendationKind, make_recommendation
from .types import Cohort, Line, MatchInput, MatchInputError, Program, RateTable, Settings, cohort_order_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LineOutcome:
    line_id: int
    need_date: dt.date
    end_date: dt.date
    covered: int
    shortfall: int
    salary_min_cny: Decimal
    salary_max_cny: Decimal


@dataclass(frozen=True)
class GapFigures:
    region_id: int
    region_code: str
    occupation_code: str
    headcount: int
    covered: int
    shortfall: int
    salary_min_cny: Decimal
    salary_max_cny: Decimal
    need_date: dt.date
    new_on_list: bool
    line_ids: tuple[int, ...]


@dataclass(frozen=True)
class LineFault:
    """A line left out of the matching because something about it alone cannot be computed or
    stored (issue 17: one line must never stop a quarter). The run records it, naming the line."""

    line_id: int
    region_code: str
    line_no: int
    reason: str  # a code: "salary_out_of_range", "unexpected"
    message: str

    def as_json(self) -> dict:
        return {"line_id": self.line_id, "region_code": self.region_code, "line_no": self.line_no,
                "reason": self.reason, "message": self.message}


# The largest salary in CNY a result row stores (DecimalField(max_digits=14, decimal_places=2)).
MAX_STORED_CNY = Decimal("999999999999.99")


@dataclass
class PartialResult:
    """What one chunk of components produces."""

    outcomes: dict[int, LineOutcome] = field(default_factory=dict)
    allocations: list[tuple[int, int, int]] = field(default_factory=list)  # (line id, cohort id, seats)
    flags: list[Flag] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    faults: list[LineFault] = field(default_factory=list)  # lines left out, in line order


@dataclass
class MatchResult(PartialResult):
    gaps: list[GapFigures] = field(default_factory=list)

    def flags_of(self, kind: str) -> list[Flag]:
        return [f for f in self.flags if f.kind == kind]

    def recommendations_of(self, kind: str) -> list[Recommendation]:
        return [r for r in self.recommendations if r.kind == kind]


# --- components --------------------------------------------------------------------------------


def plan_components(line_occupations, program_occupations) -> list[frozenset[str]]:
    """Occupation codes grouped into components: codes trained by one program belong together.

    `line_occupations`: codes of coded lines; `program_occupations`: an iterable of code tuples.
    Returned in a deterministic order (by smallest code).
    """
    parent: dict[str, str] = {}

    def find(code: str) -> str:
        parent.setdefault(code, code)
        while parent[code] != code:
            parent[code] = parent[parent[code]]
            code = parent[code]
        return code

    for code in line_occupations:
        find(code)
    for codes in program_occupations:
        codes = list(codes)
        for code in codes:
            find(code)
        for other in codes[1:]:
            a, b = find(codes[0]), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, set[str]] = defaultdict(set)
    for code in list(parent):
        groups[find(code)].add(code)
    return sorted((frozenset(g) for g in groups.values()), key=min)


# --- phase 1: components -------------------------------------------------------------------------


@dataclass
class _Candidates:
    eligible: list[int] = field(default_factory=list)  # cohort ids
    late: list[int] = field(default_factory=list)
    cert_only: list[int] = field(default_factory=list)
    language_only: list[int] = field(default_factory=list)


_FEN = Decimal("0.01")


def _line_figures(line: Line, quarter: Quarter, rates: RateTable) -> tuple:
    """(N, E, salary_min in CNY, salary_max in CNY, allocation priority) of one line, with the rate
    in force on N looked up once. The salaries are RateTable.to_cny's arithmetic, to the last fen.
    The priority is SPEC.md's line order for the allocation (revision 2): the higher salary midpoint
    in CNY at the rate in force on N first, then the earlier N, then region code and line number.
    The midpoint is exact (min + max, times the rate, unrounded: two lines a fraction of a fen apart
    are not a tie); halving it would not change the order."""
    n = rules.need_date(line, quarter)
    e = rules.end_date(line, quarter)
    rate = rates.rate(line.currency, n)
    low = (Decimal(line.salary_min) * rate).quantize(_FEN)
    high = (Decimal(line.salary_max) * rate).quantize(_FEN)
    return n, e, low, high, (-(line.salary_min + line.salary_max) * rate, n, *line.order_key())


def _program_key(program: Program) -> tuple:
    return (program.college_code, program.code, program.id)


def _graduation_key(cohort: Cohort) -> tuple:
    """A program's cohorts by graduation, then intake (unique per program)."""
    return (cohort.graduation_date, cohort.intake_date, cohort.id)


def line_faults(inp: MatchInput) -> list[LineFault]:
    """The coded lines of the input that match_components leaves out, and why (in line order).

    A line's own figures are computed here once: N, E, its salary in CNY at N. Dates never fault:
    every date Python holds (years 1-9999) is matched exactly (the timely window is clamped to the
    calendar's first day, where no cohort graduates earlier; a latest intake date outside the
    calendar is left empty). A missing exchange rate is no fault of the line: MatchInputError fails
    the run naming the currency (SPEC.md). What remains: a salary whose CNY value the results cannot
    hold, and anything unforeseen -- logged and recorded rather than stopping every region's run.
    """
    return _faults_and_figures(inp)[0]


def _faults_and_figures(inp: MatchInput) -> tuple[list[LineFault], dict[int, tuple]]:
    """line_faults, and the figures (_line_figures) of every line it does not leave out, by line id:
    match_components reads them instead of computing them a second time."""
    quarter = Quarter.parse(inp.quarter, bounded=False)
    faults, figures = [], {}
    for line in sorted((l for l in inp.lines if l.occupation_code), key=Line.order_key):
        try:
            found = _line_figures(line, quarter, inp.rates)
        except MatchInputError:
            raise
        except Exception as exc:  # noqa: BLE001 - one line must never stop the quarter
            logger.exception("matching %s: line %s (%s #%s) left out", inp.quarter, line.id, line.region_code,
                             line.line_no)
            faults.append(LineFault(line.id, line.region_code, line.line_no, "unexpected", f"{type(exc).__name__}: {exc}"))
            continue
        n, _e, low, high, _priority = found
        if max(abs(low), abs(high)) > MAX_STORED_CNY:
            faults.append(LineFault(
                line.id, line.region_code, line.line_no, "salary_out_of_range",
                f"salary {line.salary_min}-{line.salary_max} {line.currency} is {low}-{high} CNY at {n.isoformat()}, "
                f"more than the results can hold ({MAX_STORED_CNY} CNY)",
            ))
            continue
        figures[line.id] = found
    return faults, figures


def match_components(inp: MatchInput, *, forward_only: bool = False) -> PartialResult:
    """Allocation and the per-component flags and recommendations for the input's coded lines.

    The input must be closed under components: every program training an occupation of a line,
    and its cohorts, are in it (gaps.matching.fetch guarantees this).

    `forward_only` (the early warning's projected match, which reads only the outcomes and the
    EXPAND / RESCHEDULE recommendations): leave out what nobody reads there -- the pair flags
    (TIMING_MISMATCH, CERTIFICATION_GAP, LANGUAGE_GAP), OVERSUPPLY, ALIGN_CERTIFICATION and
    ADD_LANGUAGE. Everything else is the same, to the last field.
    """
    quarter = Quarter.parse(inp.quarter, bounded=False)
    settings = inp.settings
    # Everything below reads lines, programs and cohorts in orders of their contents (SPEC.md's
    # keys), never of their ids: the same input gives the same results whatever order its rows
    # were inserted in (tests/matching/test_engine.py permutes the ids).
    program_list = sorted(inp.programs, key=_program_key)
    programs = {p.id: p for p in program_list}
    # Cohort positions follow the allocation's cohort order (latest graduation first, then college,
    # program and intake): allocation.allocate_rows uses the seats of lower positions first.
    cohort_list = sorted(inp.cohorts, key=lambda c: cohort_order_key(c, programs[c.program_id]))
    cohorts_by_program: dict[int, list[Cohort]] = defaultdict(list)
    for c in sorted(cohort_list, key=_graduation_key):
        cohorts_by_program[c.program_id].append(c)
    programs_by_occupation: dict[str, list[Program]] = defaultdict(list)
    for p in program_list:
        for code in p.occupation_codes:
            programs_by_occupation[code].append(p)
    cohort_by_id = {c.id: c for c in cohort_list}

    faults, figures = _faults_and_figures(inp)
    result = PartialResult(faults=faults)
    lines = sorted((l for l in inp.lines if l.id in figures), key=Line.order_key)
    dates = {line.id: figures[line.id][:2] for line in lines}
    money = {line.id: figures[line.id][2:4] for line in lines}
    cohort_ids = [c.id for c in cohort_list]  # position -> id, in the allocation's cohort order
    found = pairs.line_pairs(lines, dates, program_list, cohort_list, settings)

    # Allocation over all eligible pairs of the input: one row of eligible cohort positions per
    # line (lines of one group with the same dates and requirements share the row).
    cohort_id_of = np.array(cohort_ids, dtype=np.int64)
    allocated = allocate_rows(
        [line.headcount for line in lines],
        [figures[l.id][4] for l in lines],
        [c.seats for c in cohort_list],
        [found[line.id].eligible for line in lines],
    )
    covered_of = [0] * len(lines)
    used_of = [0] * len(cohort_list)
    for li, ci, amount in allocated:
        covered_of[li] += amount
        used_of[ci] += amount
        result.allocations.append((lines[li].id, cohort_ids[ci], amount))
    covered = {line.id: covered_of[i] for i, line in enumerate(lines)}
    used = {cid: used_of[i] for i, cid in enumerate(cohort_ids)}

    def candidates_of(line_id: int) -> _Candidates:
        p = found[line_id]
        if forward_only:  # RESCHEDULE reads the late cohorts only
            return _Candidates(late=cohort_id_of[p.late].tolist())
        return _Candidates(
            eligible=cohort_id_of[p.eligible].tolist(), late=cohort_id_of[p.late].tolist(),
            cert_only=cohort_id_of[p.cert_only].tolist(), language_only=cohort_id_of[p.language_only].tolist(),
        )

    q = inp.quarter
    for line in lines:
        n, e = dates[line.id]
        short = line.headcount - covered[line.id]
        outcome = LineOutcome(line.id, n, e, covered[line.id], short, *money[line.id])
        result.outcomes[line.id] = outcome
        if short <= 0:
            continue
        base = dict(
            quarter=q, region_code=line.region_code, occupation_code=line.occupation_code,
            headcount=line.headcount, covered=outcome.covered, shortfall=short,
            region_id=line.region_id, line_id=line.id,
        )
        kind = FlagKind.UNMET_DEMAND if outcome.covered == 0 else FlagKind.UNDER_SUPPLY
        result.flags.append(Flag(kind=kind.value, count=short, context={"need_date": n.isoformat()}, **base))
        cand = candidates_of(line.id)
        # Revision 2: one flag per (line, program), not per cohort. `ids` come by graduation date
        # (then college, program, intake): a program's first is its earliest such cohort.
        for flag_kind, ids in () if forward_only else (
            (FlagKind.TIMING_MISMATCH, cand.late),
            (FlagKind.CERTIFICATION_GAP, cand.cert_only),
            (FlagKind.LANGUAGE_GAP, cand.language_only),
        ):
            for p, members in _by_program(ids, cohort_by_id, programs):
                first = members[0]
                latest_intake = rules.latest_intake(n, first.duration)
                seats = sum(c.seats for c in members)
                result.flags.append(Flag(
                    kind=flag_kind.value, college_code=p.college_code, program_code=p.code,
                    cohort_graduation_date=first.graduation_date,
                    surplus=sum(c.seats - used[c.id] for c in members), count=min(short, seats),
                    college_id=p.college_id, program_id=p.id, cohort_id=first.id,
                    context={
                        "need_date": n.isoformat(),
                        "latest_intake_date": latest_intake.isoformat() if latest_intake else "",
                        "certification": line.certification, "languages": list(line.languages),
                        "cohorts": len(members), "seats": seats,
                    },
                    **base,
                ))
        result.recommendations.extend(_line_recommendations(q, line, outcome, cand, cohort_by_id, programs,
                                                            programs_by_occupation, cohorts_by_program,
                                                            settings.supply_window_days))

    # OVERSUPPLY, per program (revision 2): its assessed cohorts with at least OVERSUPPLY_RATIO of
    # their seats unallocated; surplus = their unallocated seats, the date = the earliest of them.
    oversupplied: dict[int, list[Cohort]] = defaultdict(list)
    if not forward_only and cohort_list:
        # A cohort is assessed when it graduates within rules.assessment_window and its program serves a
        # region that reported (any region, for a program that lists none). That test and the surplus
        # test run as array operations over every cohort (~220,000 at full scale, where a call per
        # cohort cost ~0.5 s), meeting the cohorts in cohort order. Seats are far below 2**53, so comparing them as floats is exact.
        start, end = rules.assessment_window(quarter, settings)
        reported = inp.reported_region_ids
        serves_reported = {p.id: (not p.serves_region_ids.isdisjoint(reported)) if p.serves_region_ids
                           else bool(reported) for p in program_list}
        count = len(cohort_list)
        day = np.fromiter((c.graduation_date.toordinal() for c in cohort_list), dtype=np.int64, count=count)
        seats = np.fromiter((c.seats for c in cohort_list), dtype=np.int64, count=count)
        assessed = np.fromiter((serves_reported[c.program_id] for c in cohort_list), dtype=bool, count=count)
        surplus = seats - np.asarray(used_of, dtype=np.int64)
        assessed &= (day >= start.toordinal()) & (day <= end.toordinal())
        for i in np.flatnonzero(assessed & (surplus > 0) & (surplus >= settings.oversupply_ratio * seats)).tolist():
            c = cohort_list[i]
            oversupplied[c.program_id].append(c)
    for pid, members in oversupplied.items():
        p = programs[pid]
        members.sort(key=_graduation_key)
        surplus = sum(c.seats - used[c.id] for c in members)
        result.flags.append(new_flag(
            kind=FlagKind.OVERSUPPLY.value, quarter=q, occupation_code=min(p.occupation_codes),
            college_code=p.college_code, program_code=p.code, cohort_graduation_date=members[0].graduation_date,
            surplus=surplus, count=surplus, college_id=p.college_id, program_id=p.id, cohort_id=members[0].id,
            context={"seats": sum(c.seats for c in members), "cohorts": len(members)},
        ))
    return result


def _line_recommendations(q, line, outcome, cand, cohort_by_id, programs, programs_by_occupation,
                          cohorts_by_program, window_days: int) -> list[Recommendation]:
    """RESCHEDULE / ALIGN_CERTIFICATION / ADD_LANGUAGE per (college, program) from the line's
    cohort flags, and EXPAND per college for an UNDER_SUPPLY line.

    EXPAND's latest intake date takes the program's duration from its most recent cohort graduating
    between N - SUPPLY_WINDOW_DAYS and the line's end date: cohorts every chunk of every run reads
    (gaps.matching.fetch), so the date does not depend on how the quarter was split into chunks.
    """
    recs: list[Recommendation] = []
    n = outcome.need_date
    for kind, ids in (
        (RecommendationKind.RESCHEDULE, cand.late),
        (RecommendationKind.ALIGN_CERTIFICATION, cand.cert_only),
        (RecommendationKind.ADD_LANGUAGE, cand.language_only),
    ):
        seats_by_program: dict[int, int] = defaultdict(int)
        first_cohort: dict[int, Cohort] = {}
        for cid in ids:  # sorted by graduation date: the first is the one closest to N
            c = cohort_by_id[cid]
            seats_by_program[c.program_id] += c.seats
            first_cohort.setdefault(c.program_id, c)
        for pid in sorted(seats_by_program):
            p, c = programs[pid], first_cohort[pid]
            recs.append(make_recommendation(
                kind=kind, quarter=q, college_id=p.college_id, college_code=p.college_code, line=line,
                outcome=outcome, headcount=min(outcome.shortfall, seats_by_program[pid]), program=p,
                latest_intake_date=rules.latest_intake(n, c.duration), cohort_id=c.id,
            ))
    if outcome.covered > 0:  # UNDER_SUPPLY: colleges that already train the occupation for the region
        by_college: dict[int, Program] = {}
        for p in programs_by_occupation.get(line.occupation_code, ()):
            if p.serves(line.region_id) and p.college_id not in by_college:
                by_college[p.college_id] = p
        for college_id in sorted(by_college):
            p = by_college[college_id]
            duration = _recent_duration(cohorts_by_program.get(p.id) or (), rules.days_before(n, window_days),
                                        outcome.end_date)
            recs.append(make_recommendation(
                kind=RecommendationKind.EXPAND, quarter=q, college_id=college_id, college_code=p.college_code,
                line=line, outcome=outcome, headcount=outcome.shortfall, program=p,
                latest_intake_date=rules.latest_intake(n, duration) if duration is not None else None,
            ))
    return recs


def _by_program(ids, cohort_by_id, programs) -> list[tuple[Program, list[Cohort]]]:
    """Cohort ids grouped by program (programs by college and program code; cohorts in the given order)."""
    groups: dict[int, list[Cohort]] = defaultdict(list)
    for cid in ids:
        c = cohort_by_id[cid]
        groups[c.program_id].append(c)
    return sorted(((programs[pid], members) for pid, members in groups.items()), key=lambda g: _program_key(g[0]))


def _recent_duration(cohorts, first: dt.date, last: dt.date) -> dt.timedelta | None:
    """The duration of the last cohort (in graduation order) graduating within [first, last]."""
    for c in reversed(cohorts):
        if first <= c.graduation_date <= last:
            return c.duration
    return None


# --- phase 2: across components ------------------------------------------------------------------


@dataclass(frozen=True)
class Oversupplied:
    """An OVERSUPPLY program: its earliest oversupplied cohort (whose date the flags name and whose
    duration RETOOL's latest intake date takes) and the unallocated seats of all of them."""

    cohort: Cohort
    program: Program
    surplus: int


def finalize(
    *,
    quarter: str,
    short_lines: list[tuple[Line, LineOutcome]],
    oversupplied: list[Oversupplied],
    programs: list[Program],
    uncoded_lines: list[Line],
    previous_gap_keys: frozenset[tuple[int, str]] = frozenset(),
) -> MatchResult:
    """MISDIRECTED_SUPPLY + RETOOL, OPEN, UNCODED_OCCUPATION and the gaps.

    `short_lines`: every coded line with shortfall > 0 and its outcome; `oversupplied`: every
    OVERSUPPLY program; `programs`: all programs (OPEN looks for colleges that train in the sector);
    `previous_gap_keys`: (region id, occupation) pairs with a gap in the previous four quarters.
    Two steps (the flags, then what follows from them) so a caller can write the flags while the
    rest is computed.
    """
    result = MatchResult()
    result.flags, retool = finalize_flags(
        quarter=quarter, short_lines=short_lines, oversupplied=oversupplied, uncoded_lines=uncoded_lines
    )
    result.recommendations, result.gaps = finalize_recommendations(
        quarter=quarter, short_lines=short_lines, programs=programs, retool=retool,
        previous_gap_keys=previous_gap_keys,
    )
    return result


def finalize_flags(*, quarter, short_lines, oversupplied, uncoded_lines) -> tuple[list[Flag], MisdirectedPairs]:
    """MISDIRECTED_SUPPLY and UNCODED_OCCUPATION flags (in a list, in Flag.sort_key order), and the
    pairs RETOOL follows from. A caller writing a large quarter takes `misdirected_pairs` and
    `uncoded_flags` instead and streams the flags (gaps.matching.services)."""
    pairs = misdirected_pairs(short_lines=short_lines, oversupplied=oversupplied)
    return list(pairs.flags(quarter)) + uncoded_flags(quarter=quarter, uncoded_lines=uncoded_lines), pairs


def misdirected_pairs(*, short_lines, oversupplied) -> MisdirectedPairs:
    """MISDIRECTED_SUPPLY: every OVERSUPPLY program against the shortfall lines of an adjacent
    occupation in the regions it serves (every region with a shortfall line when it serves all),
    as arrays (gaps.matching.misdirected): one flag and one RETOOL per pair, built when written."""
    return MisdirectedPairs(short_lines, oversupplied)


def uncoded_flags(*, quarter, uncoded_lines) -> list[Flag]:
    """UNCODED_OCCUPATION per line without a unit group, in Flag.sort_key order."""
    flags = [
        Flag(
            kind=FlagKind.UNCODED_OCCUPATION.value, quarter=quarter, region_code=line.region_code,
            headcount=line.headcount, count=line.headcount, region_id=line.region_id, line_id=line.id,
            context={"title": line.occupation_title},
        )
        for line in sorted(uncoded_lines, key=lambda l: l.id)
    ]
    return sorted(flags, key=Flag.sort_key)


def finalize_recommendations(*, quarter, short_lines, programs, retool, previous_gap_keys):
    """RETOOL (from finalize_flags' pairs; `retool` may be empty), OPEN, and the gaps:
    (recommendations, gaps)."""
    recommendations: list[Recommendation] = list(retool.retool(quarter)) if retool else []
    recommendations.extend(open_recommendations(quarter=quarter, short_lines=short_lines, programs=programs))
    return recommendations, aggregate_gaps(short_lines, previous_gap_keys)


def open_recommendations(*, quarter, short_lines, programs) -> list[Recommendation]:
    """OPEN: an UNMET_DEMAND line in a region the college serves, in a sector it trains for, and
    the college does not already train the occupation there (then EXPAND/RESCHEDULE/... apply).
    In Recommendation.sort_key order; a caller writing a large quarter streams `open_pairs` instead."""
    return list(open_pairs(short_lines=short_lines, programs=programs).recommendations(quarter))


def open_pairs(*, short_lines, programs) -> OpenPairs:
    """OPEN's (line, college) pairs as arrays (gaps.matching.misdirected.OpenPairs)."""
    return OpenPairs(short_lines, programs)


def aggregate_gaps(short_lines, previous_gap_keys) -> list[GapFigures]:
    """Lines with shortfall aggregated by (region, occupation); new_on_list when the pair had no
    gap in the previous four quarters."""
    groups: dict[tuple[int, str], list[tuple[Line, LineOutcome]]] = defaultdict(list)
    for line, outcome in short_lines:
        if outcome.shortfall > 0 and line.occupation_code:
            groups[(line.region_id, line.occupation_code)].append((line, outcome))
    gaps = []
    for (region_id, code), items in sorted(groups.items()):
        gaps.append(GapFigures(
            region_id=region_id, region_code=items[0][0].region_code, occupation_code=code,
            headcount=sum(l.headcount for l, _ in items), covered=sum(o.covered for _, o in items),
            shortfall=sum(o.shortfall for _, o in items),
            salary_min_cny=min(o.salary_min_cny for _, o in items), salary_max_cny=max(o.salary_max_cny for _, o in items),
            need_date=min(o.need_date for _, o in items), new_on_list=(region_id, code) not in previous_gap_keys,
            line_ids=tuple(sorted(l.id for l, _ in items)),
        ))
    return gaps


def match_quarter(inp: MatchInput, *, previous_gap_keys: frozenset = frozenset()) -> MatchResult:
    """Both phases in-process, flags and recommendations in a stable order."""
    partial = match_components(inp)
    lines = {l.id: l for l in inp.lines}
    short = [(lines[i], o) for i, o in sorted(partial.outcomes.items()) if o.shortfall > 0]
    programs = {p.id: p for p in inp.programs}
    cohorts = {c.id: c for c in inp.cohorts}
    oversupplied = [
        Oversupplied(cohorts[f.cohort_id], programs[f.program_id], f.surplus)
        for f in partial.flags if f.kind == FlagKind.OVERSUPPLY
    ]
    final = finalize(
        quarter=inp.quarter, short_lines=short, oversupplied=oversupplied, programs=list(inp.programs),
        uncoded_lines=[l for l in inp.lines if not l.occupation_code], previous_gap_keys=previous_gap_keys,
    )
    final.outcomes = partial.outcomes
    final.allocations = partial.allocations
    final.faults = partial.faults
    final.flags = sorted(partial.flags + final.flags, key=Flag.sort_key)
    final.recommendations = sorted(partial.recommendations + final.recommendations, key=Recommendation.sort_key)
    return final


__all__ = [
    "GapFigures", "LineFault", "LineOutcome", "MatchResult", "Oversupplied", "PartialResult", "Settings",
    "aggregate_gaps", "finalize", "finalize_flags", "finalize_recommendations", "line_faults", "match_components",
    "match_quarter", "misdirected_pairs", "open_pairs", "open_recommendations", "plan_components", "uncoded_flags",
]
