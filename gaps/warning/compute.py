"""The early warning of SPEC.md "Looking ahead" as pure functions: WarningInput in, WarningResult out.

No ORM here: gaps.warning.fetch builds the input from the database, gaps.warning.services persists
the result. Tests build inputs by hand (tests/warning/builders.py).

Steps, each readable beside SPEC.md:

1. History: (region, quarter) -> the lines of the region's submitted report (file order).
2. For each target quarter (the four after today's): the reported lines where the region has
   submitted that quarter, else one projected line per series with a forecast above 0.
3. The projected match: those lines, as one quarter, through the matching engine's
   phases of `match_quarter` (gaps.matching.engine) that decide them: `match_components` (the same
   eligibility, allocation and tie-breaks, not a copy) for covered and shortfall per line and the
   EXPAND / RESCHEDULE recommendations, and `finalize_recommendations` for OPEN. The flags of the
   finalize phase (MISDIRECTED_SUPPLY, ...) are not computed, nor (`forward_only`) the pair flags,
   OVERSUPPLY, ALIGN_CERTIFICATION and ADD_LANGUAGE: no entry reads them.
   tests/warning/test_projected_match.py checks the figures against `match_quarter` itself.
4. Per (region, unit group, target quarter) with shortfall > 0: an entry with lead time, act-by
   dates, status, the rating's indicators and the rating; the engine's OPEN, EXPAND and RESCHEDULE
   recommendations of its lines become the forward recommendations.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.quarters import Quarter
from gaps.matching import rules
from gaps.matching.engine import finalize_recommendations, match_components, open_pairs
from gaps.matching.recommendations import Recommendation, RecommendationKind
from gaps.matching.types import Cohort, Line, MatchInput, MatchInputError, Program, RateTable, Settings

from . import forecast as fc

# Projected lines get ids from here up: never a database id of a report line.
PROJECTED_ID_BASE = 10**15
FORWARD_KINDS = (RecommendationKind.OPEN, RecommendationKind.EXPAND, RecommendationKind.RESCHEDULE)


class Status:
    PLAN = "plan"
    ACT_NOW = "act_now"
    SHORT_COURSE_ONLY = "short_course_only"
    MISSED = "missed"
    ORDER = ("act_now", "short_course_only", "plan", "missed")  # urgency, for listings


class Rating:
    CRITICAL = "critical"
    ELEVATED = "elevated"
    WATCH = "watch"
    ORDER = ("critical", "elevated", "watch")


@dataclass(frozen=True)
class WarningSettings:
    """The thresholds (config/settings/base.py, docs/operations.md) with their documented defaults."""

    default_lead_days: int = 180
    act_window_days: int = 90
    persistence_high: int = 4
    wage_pressure_high: Decimal = Decimal("0.05")
    shortfall_share_high: Decimal = Decimal("0.5")
    critical_points: int = 3
    elevated_points: int = 2
    min_errors: int = fc.MIN_ERRORS
    recommendations_per_entry: int = 10


@dataclass(frozen=True)
class Report:
    """A region's submitted report of one quarter: its lines in file order."""

    region_id: int
    region_code: str
    quarter: Quarter
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class WarningInput:
    today: dt.date
    reports: tuple[Report, ...]  # every submitted report the warning may read (history and target quarters)
    programs: tuple[Program, ...]  # every program (OPEN looks for colleges by sector)
    cohorts: tuple[Cohort, ...]  # at least every cohort graduating where a target quarter can reach
    rates: RateTable
    # Program id -> its duration in days (lower median of its cohorts'); None: computed from `cohorts`.
    program_durations: Mapping[int, int] | None = None
    # Past quarter -> (region id, occupation) pairs with an active gap, for the quarters among the 8
    # before the current one that have matching results; a quarter absent here counts no gap.
    matched_gaps: Mapping[str, frozenset[tuple[int, str]]] = field(default_factory=dict)
    match_settings: Settings = Settings()
    settings: WarningSettings = WarningSettings()


@dataclass
class Entry:
    """One early-warning entry (SPEC.md's JSON fields, plus what persistence and sentences need)."""

    region_id: int
    region_code: str
    occupation_code: str
    quarter: str
    source: str  # "forecast" or "reported"
    forecast: int | None
    forecast_low: int | None
    forecast_high: int | None
    headcount: int
    covered: int
    shortfall: int
    need_date: dt.date
    end_date: dt.date
    lead_days: int
    shortest_days: int
    act_by: dt.date
    short_course_by: dt.date
    status: str
    rating: str
    persistence: int
    wage_pressure: Decimal | None
    salary_min_cny: Decimal | None = None
    salary_max_cny: Decimal | None = None
    context: dict = field(default_factory=dict)
    line_ids: tuple[int, ...] = ()
    # The training plan's lines of the entry (plan_line_rows: its lines with a shortfall, each with its
    # position in the target quarter's lines), stored so the plan need not rebuild them.
    plan_lines: list = field(default_factory=list)

    JSON_FIELDS = (
        "region_code", "occupation_code", "quarter", "source", "forecast", "forecast_low", "forecast_high",
        "headcount", "covered", "shortfall", "need_date", "end_date", "lead_days", "shortest_days", "act_by",
        "short_course_by", "status", "rating", "persistence", "wage_pressure",
    )

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.region_id, self.occupation_code, self.quarter)

    def urgency_key(self) -> tuple:
        return (Status.ORDER.index(self.status), Rating.ORDER.index(self.rating), self.act_by, self.quarter,
                self.region_code, self.occupation_code)

    def as_json(self, *, detail: str) -> dict:
        out = {}
        for name in self.JSON_FIELDS:
            value = getattr(self, name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = float(value)
            out[name] = value
        out["detail"] = detail
        return out


@dataclass(frozen=True)
class ForwardRecommendation:
    """An OPEN, EXPAND or RESCHEDULE of the projected match, addressed to a college, with its act-by."""

    entry_key: tuple[int, str, str]
    recommendation: Recommendation
    act_by: dt.date

    def feasible(self, today: dt.date) -> bool:
        return self.act_by >= today


@dataclass
class WarningResult:
    today: dt.date
    current: Quarter
    targets: tuple[Quarter, ...]
    entries: list[Entry]
    recommendations: list[ForwardRecommendation]
    ratios: fc.Ratios
    counts: dict = field(default_factory=dict)


# --- Small rules -----------------------------------------------------------------------------------------


def target_quarters(today: dt.date) -> tuple[Quarter, tuple[Quarter, ...]]:
    current = Quarter.containing(today)
    targets, q = [], current
    for _ in range(4):
        q = q.next()
        targets.append(q)
    return current, tuple(targets)


def moved(day: dt.date, year: int) -> dt.date:
    """The same month and day in `year`; 29 February becomes 28 February (SPEC.md, projected line)."""
    if (day.month, day.day) == (2, 29):
        return dt.date(year, 2, 28)
    return day.replace(year=year)


def lower_median(values) -> int:
    """The median; for an even count the lower of the two middle values."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def program_durations(cohorts) -> dict[int, int]:
    """Program id -> the lower median of its cohorts' graduation - intake, in days."""
    by_program: dict[int, list[int]] = defaultdict(list)
    for c in cohorts:
        by_program[c.program_id].append((c.graduation_date - c.intake_date).days)
    return {pid: lower_median(days) for pid, days in by_program.items()}


def lead_times(programs, durations: Mapping[int, int], default_days: int) -> dict[str, tuple[int, int]]:
    """Occupation -> (lead_days, shortest_days) over the programs that train it and have cohorts.
    An occupation absent here has (default, default)."""
    by_occupation: dict[str, list[int]] = defaultdict(list)
    for p in programs:
        if p.id in durations:
            for code in p.occupation_codes:
                by_occupation[code].append(durations[p.id])
    return {code: (lower_median(days), min(days)) for code, days in by_occupation.items()}


def days_before(day: dt.date, days: int) -> dt.date:
    return dt.date.fromordinal(max(1, day.toordinal() - days))


def status_of(act_by: dt.date, short_course_by: dt.date, today: dt.date, act_window_days: int) -> str:
    if act_by.toordinal() > today.toordinal() + act_window_days:
        return Status.PLAN
    if today <= act_by:
        return Status.ACT_NOW
    if today <= short_course_by:
        return Status.SHORT_COURSE_ONLY
    return Status.MISSED


def rating_of(*, persistence: int, wage_pressure: Decimal | None, shortfall: int, headcount: int, status: str,
              conf: WarningSettings) -> tuple[str, list[str]]:
    """The rating and the indicators that scored a point (docs/contract.md, section 9, "Rating")."""
    points = []
    if persistence >= conf.persistence_high:
        points.append("persistence")
    if wage_pressure is not None and wage_pressure >= conf.wage_pressure_high:
        points.append("wage_pressure")
    if headcount and Decimal(shortfall) / Decimal(headcount) >= conf.shortfall_share_high:
        points.append("shortfall_share")
    if status in (Status.ACT_NOW, Status.SHORT_COURSE_ONLY):
        points.append("status")
    if len(points) >= conf.critical_points:
        return Rating.CRITICAL, points
    if len(points) >= conf.elevated_points:
        return Rating.ELEVATED, points
    return Rating.WATCH, points


# --- History -------------------------------------------------------------------------------------------


class History:
    """The submitted reports indexed by (region id, quarter), with the series' values."""

    def __init__(self, reports):
        self.reports: dict[tuple[int, Quarter], Report] = {(r.region_id, r.quarter): r for r in reports}
        self.region_codes = {r.region_id: r.region_code for r in reports}
        self.totals: dict[tuple[int, Quarter], dict[str, int]] = {}
        self.by_occupation: dict[tuple[int, Quarter, str], list[Line]] = defaultdict(list)
        for (region_id, quarter), report in self.reports.items():
            totals: dict[str, int] = defaultdict(int)
            for line in report.lines:
                if line.occupation_code:
                    totals[line.occupation_code] += line.headcount
                    self.by_occupation[(region_id, quarter, line.occupation_code)].append(line)
            self.totals[(region_id, quarter)] = dict(totals)
        self._changes: dict[tuple, Decimal | None] = {}
        self._averages: dict[tuple, Decimal] = {}

    def observed(self, region_id: int, target: Quarter) -> dict[int, dict[str, int]]:
        """{year: {occupation: headcount}} of the years target-1..target-3 the region reported."""
        return fc.series_values(self.totals, region_id, target.number, (target.year - k for k in fc.LOOKBACK_YEARS))

    def lines_of(self, region_id: int, quarter: Quarter, occupation: str) -> list[Line]:
        return self.by_occupation.get((region_id, quarter, occupation), [])


def _midpoint_cny(lines: list[Line], quarter: Quarter, rates: RateTable) -> Decimal | None:
    """Headcount-weighted CNY salary midpoint of the lines, each at the rate of its need date."""
    total, weight = Decimal(0), 0
    for line in lines:
        n = rules.need_date(line, quarter)
        try:
            low, high = rates.to_cny(line.salary_min, line.currency, n), rates.to_cny(line.salary_max, line.currency, n)
        except MatchInputError:
            return None
        total += (low + high) / 2 * line.headcount
        weight += line.headcount
    return total / weight if weight else None


def _change(history: History, region_id: int, occupation: str, number: int, year: int, rates) -> Decimal | None:
    """The series' midpoint change from year-1 to year, as a fraction; None without both years' lines."""
    key = (region_id, occupation, number, year)
    if key not in history._changes:
        history._changes[key] = _compute_change(history, region_id, occupation, number, year, rates)
    return history._changes[key]


def _region_average(history: History, region_id: int, number: int, year: int, rates) -> Decimal:
    key = (region_id, number, year)
    if key not in history._averages:
        codes = set(history.totals.get((region_id, Quarter(year, number)), {})) & set(
            history.totals.get((region_id, Quarter(year - 1, number)), {})
        )
        changes = [c for c in (_change(history, region_id, code, number, year, rates) for code in sorted(codes))
                   if c is not None]
        history._averages[key] = sum(changes, Decimal(0)) / len(changes) if changes else Decimal(0)
    return history._averages[key]


def _compute_change(history: History, region_id: int, occupation: str, number: int, year: int, rates) -> Decimal | None:
    now = _midpoint_cny(history.lines_of(region_id, Quarter(year, number), occupation), Quarter(year, number), rates)
    before = _midpoint_cny(history.lines_of(region_id, Quarter(year - 1, number), occupation),
                           Quarter(year - 1, number), rates)
    if now is None or not before:
        return None
    return now / before - 1


def wage_pressure(history: History, region_id: int, occupation: str, target: Quarter, rates) -> tuple[Decimal | None, dict]:
    """The series' CNY midpoint change over its last observed year (the latest of target-1..target-3
    with lines of the occupation, against the year before it), minus the mean change of the region's
    series of that quarter observed in both years. Rounded half up to 0.01 (whole points)."""
    year = next(
        (target.year - k for k in fc.LOOKBACK_YEARS
         if history.lines_of(region_id, Quarter(target.year - k, target.number), occupation)),
        None,
    )
    if year is None:
        return None, {}
    own = _change(history, region_id, occupation, target.number, year, rates)
    if own is None:
        return None, {}
    average = _region_average(history, region_id, target.number, year, rates)
    value = (own - average).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return value, {"year": year, "own_change": float(round(own, 4)), "region_change": float(round(average, 4))}


# --- Projected lines -----------------------------------------------------------------------------------


def projected_line(series: list[Line], *, line_id: int, line_no: int, target: Quarter, headcount: int) -> Line:
    """One line of the target quarter from the series' lines of its latest observed year."""
    starts = [l.season_start for l in series if l.season_start]
    ends = [l.season_end for l in series if l.season_end]
    largest = series[0]
    for l in series[1:]:  # the largest headcount; on a tie the first in file order
        if l.headcount > largest.headcount:
            largest = l
    return Line(
        id=line_id, region_id=largest.region_id, region_code=largest.region_code,
        occupation_code=largest.occupation_code, headcount=headcount, salary_min=largest.salary_min,
        salary_max=largest.salary_max, currency=largest.currency,
        season_start=moved(min(starts), target.year) if starts else None,
        season_end=moved(max(ends), target.year) if ends else None,
        sector=largest.sector, certification=largest.certification, languages=largest.languages,
        line_no=line_no,
    )


@dataclass
class _Projection:
    line: Line
    forecast: int
    low: int
    high: int
    years_observed: int
    history: dict  # year -> value


def quarter_lines(history: History, target: Quarter, ratios: fc.Ratios | None, next_id) -> tuple[list[Line], dict[int, _Projection]]:
    """The reported lines and the projected lines of one target quarter, regions by code. Without
    `ratios` (a reader of the lines alone, e.g. the training plan) the projections have no interval."""
    lines: list[Line] = []
    projections: dict[int, _Projection] = {}
    for region_id in sorted(history.region_codes, key=lambda r: (history.region_codes[r], r)):
        report = history.reports.get((region_id, target))
        if report is not None:
            lines.extend(report.lines)
            continue
        observed = history.observed(region_id, target)
        if not observed:
            continue
        occupations = sorted({code for values in observed.values() for code in values})
        line_no = 0
        for occupation in occupations:
            values = {year: totals.get(occupation, 0) for year, totals in observed.items()}
            value = fc.forecast(values)
            if not value:  # None or 0: no projected line
                continue
            latest = max(year for year, v in values.items() if v > 0)
            series = history.lines_of(region_id, Quarter(latest, target.number), occupation)
            line_no += 1
            line = projected_line(series, line_id=next_id(), line_no=line_no, target=target, headcount=value)
            low, high = ratios.interval(value, len(values)) if ratios is not None else (None, None)
            projections[line.id] = _Projection(line, value, low, high, len(values), dict(sorted(values.items())))
            lines.append(line)
    return lines, projections


# --- Persistence -----------------------------------------------------------------------------------------


def persistence_quarters(current: Quarter) -> list[Quarter]:
    out, q = [], current
    for _ in range(8):
        q = q.previous()
        out.append(q)
    return out


def gap_sets(inp: WarningInput, current: Quarter) -> dict[str, frozenset]:
    """For each of the 8 quarters before the current one: the (region id, occupation) pairs with an
    active gap in that quarter's current matching results. A quarter without matching results
    counts as one without gaps (nothing is matched here: the service matches every submitted
    quarter, and matching a past quarter at request time would cost a whole quarter's match)."""
    return {str(q): frozenset(inp.matched_gaps.get(str(q), ())) for q in persistence_quarters(current)}


def matched_quarters(inp: WarningInput, current: Quarter) -> int:
    """How many of the 8 persistence quarters have matching results (what persistence counted)."""
    return sum(str(q) in inp.matched_gaps for q in persistence_quarters(current))


# --- The whole computation -------------------------------------------------------------------------------


def cohorts_in_reach(quarter: Quarter, lines, cohorts: list[Cohort], graduations: list, conf: Settings) -> tuple:
    """The cohorts (sorted by graduation, with `graduations` their dates) that can matter to the
    matching of these lines as a quarter: graduating within [min(N, quarter start) - window,
    max(E, quarter end)], as gaps.matching.fetch.graduation_bounds reads them. The others are neither timely nor late
    for any line, nor assessed, so the engine's result is the same without them."""
    earliest = rules.window_start(min([quarter.start, *(rules.need_date(l, quarter) for l in lines)]), conf)
    latest = max([quarter.end, *(rules.end_date(l, quarter) for l in lines)])
    return tuple(cohorts[bisect.bisect_left(graduations, earliest):bisect.bisect_right(graduations, latest)])


def projected_match(inp: MatchInput, *, open_per_entry: int | None = None):
    """The engine's allocation and recommendations for the lines of one target quarter (what
    match_quarter computes for them, without the finalize phase's flags, and -- `forward_only` --
    without the flags and recommendations an entry never reads).

    `open_per_entry`: make only the best that many OPEN recommendations of each (region,
    occupation) -- an entry keeps its best `recommendations_per_entry` of all kinds in
    Recommendation.sort_key order, and OPEN's own order is that order, so the OPEN ones it keeps are
    always among them (at a quarter of SPEC.md's scale the four targets made 171,352 OPEN for 19,961
    forward recommendations of all kinds kept); 0 makes
    none (the training plan reads the outcomes only). None: all of them, as match_quarter."""
    partial = match_components(inp, forward_only=True)
    if open_per_entry == 0:
        return partial
    lines = {l.id: l for l in inp.lines}
    short = [(lines[i], o) for i, o in sorted(partial.outcomes.items()) if o.shortfall > 0]
    if open_per_entry is None:
        opened, _gaps = finalize_recommendations(quarter=inp.quarter, short_lines=short, programs=list(inp.programs),
                                                 retool={}, previous_gap_keys=frozenset())
    else:
        opened = list(open_pairs(short_lines=short, programs=list(inp.programs)).recommendations(
            inp.quarter, per_key=open_per_entry))
    partial.recommendations = partial.recommendations + opened
    return partial


def compute(inp: WarningInput, *, progress=None) -> WarningResult:
    """The early warning of `inp.today`. `progress(step_name)` is called after each of its steps."""
    conf = inp.settings
    step = progress or (lambda name: None)
    current, targets = target_quarters(inp.today)
    history = History(inp.reports)
    cases = fc.backtest_cases(history.totals, current)
    ratios = fc.learn_ratios(cases, min_errors=conf.min_errors)
    durations = inp.program_durations if inp.program_durations is not None else program_durations(inp.cohorts)
    leads = lead_times(inp.programs, durations, conf.default_lead_days)
    step("history")
    by_graduation = sorted(inp.cohorts, key=lambda c: c.graduation_date)
    sorted_cohorts = (by_graduation, [c.graduation_date for c in by_graduation])
    gaps_by_quarter = gap_sets(inp, current)
    persistence_of = matched_quarters(inp, current)
    step("persistence")

    counter = iter(range(PROJECTED_ID_BASE, PROJECTED_ID_BASE * 2))
    entries: list[Entry] = []
    forward: list[ForwardRecommendation] = []
    counts = {"projected_lines": 0, "reported_lines": 0}
    for target in targets:
        lines, projections = quarter_lines(history, target, ratios, lambda: next(counter))
        counts["projected_lines"] += len(projections)
        counts["reported_lines"] += len(lines) - len(projections)
        if not lines:
            step(str(target))
            continue
        result = projected_match(MatchInput(
            quarter=str(target), lines=tuple(lines), programs=inp.programs,
            cohorts=cohorts_in_reach(target, lines, *sorted_cohorts, inp.match_settings), rates=inp.rates,
            reported_region_ids=frozenset(l.region_id for l in lines), settings=inp.match_settings,
        ), open_per_entry=conf.recommendations_per_entry)
        position = {line.id: i for i, line in enumerate(lines)}
        groups: dict[tuple[int, str], list[Line]] = defaultdict(list)
        for line in lines:
            if line.occupation_code and line.id in result.outcomes:
                groups[(line.region_id, line.occupation_code)].append(line)
        made: dict[tuple[int, str], Entry] = {}
        for (region_id, occupation), members in sorted(groups.items(), key=lambda kv: (kv[1][0].region_code, kv[0][1])):
            outcomes = [result.outcomes[l.id] for l in members]
            shortfall = sum(o.shortfall for o in outcomes)
            if shortfall <= 0:
                continue
            entry = _entry(inp, history, target, members, outcomes, projections, leads, gaps_by_quarter,
                           persistence_of)
            entry.plan_lines = plan_line_rows(members, outcomes, position)
            made[(region_id, occupation)] = entry
            entries.append(entry)
        kept: dict[tuple[int, str], int] = defaultdict(int)
        for rec in sorted(result.recommendations, key=Recommendation.sort_key):  # best score first
            entry = made.get((rec.region_id, rec.occupation_code))
            if rec.kind not in FORWARD_KINDS or entry is None:
                continue
            if kept[(rec.region_id, rec.occupation_code)] >= conf.recommendations_per_entry:
                continue
            kept[(rec.region_id, rec.occupation_code)] += 1
            if rec.kind == RecommendationKind.OPEN or rec.latest_intake_date is None:
                act_by = days_before(rec.need_date, entry.lead_days)
            else:
                act_by = rec.latest_intake_date
            forward.append(ForwardRecommendation(entry.key, rec, act_by))
        step(str(target))
    entries.sort(key=Entry.urgency_key)
    counts.update(entries=len(entries), recommendations=len(forward), backtest_cases=len(cases),
                  persistence_matched_quarters=persistence_of)
    for status in Status.ORDER:
        counts[status] = sum(e.status == status for e in entries)
    return WarningResult(inp.today, current, targets, entries, forward, ratios, counts)


STEPS = 2 + 4  # history, persistence, four target quarters


def plan_line_rows(members: list[Line], outcomes, position: Mapping[int, int]) -> list[list]:
    """What the training plan reads of an entry's lines with a shortfall (projects.plan.fetch,
    PlanLine), as plain JSON: [position in the target quarter's lines, line id, region code,
    shortfall, need date, end date, CNY salary min, CNY salary max, languages, certification]."""
    return [
        [position[line.id], line.id, line.region_code, o.shortfall, o.need_date.isoformat(), o.end_date.isoformat(),
         str(o.salary_min_cny), str(o.salary_max_cny), list(line.languages), line.certification]
        for line, o in zip(members, outcomes) if o.shortfall > 0
    ]


def _entry(inp, history, target, members, outcomes, projections, leads, gaps_by_quarter, persistence_of=8) -> Entry:
    conf = inp.settings
    first = members[0]
    region_id, occupation = first.region_id, first.occupation_code
    lead_days, shortest_days = leads.get(occupation, (conf.default_lead_days, conf.default_lead_days))
    need = min(o.need_date for o in outcomes)
    end = max(o.end_date for o in outcomes)
    act_by = days_before(need, lead_days)
    short_course_by = days_before(need, shortest_days)
    status = status_of(act_by, short_course_by, inp.today, conf.act_window_days)
    headcount = sum(l.headcount for l in members)
    covered = sum(o.covered for o in outcomes)
    shortfall = sum(o.shortfall for o in outcomes)
    current = Quarter.containing(inp.today)
    persistence = sum((region_id, occupation) in gaps_by_quarter.get(str(q), ()) for q in persistence_quarters(current))
    pressure, pressure_context = wage_pressure(history, region_id, occupation, target, inp.rates)
    rating, points = rating_of(persistence=persistence, wage_pressure=pressure, shortfall=shortfall,
                               headcount=headcount, status=status, conf=conf)
    projection = projections.get(first.id)
    # Terms of the largest line (first on a tie): the salary the board orders by.
    largest = max(zip(members, outcomes), key=lambda mo: (mo[0].headcount, -members.index(mo[0])))
    next_need = moved(need, need.year + 1)
    context = {
        "points": points,
        "shortfall_share": round(shortfall / headcount, 4) if headcount else None,
        "wage": pressure_context,
        "lines": len(members),
        "next_need_date": next_need.isoformat(),
        "next_act_by": days_before(next_need, lead_days).isoformat(),
        "salary_min": str(largest[0].salary_min), "salary_max": str(largest[0].salary_max),
        "currency": largest[0].currency,
        "trained": occupation in leads,
        # Of the 8 quarters persistence looks at, those with matching results (the others count no gap).
        "persistence_of": persistence_of,
    }
    if projection is not None:
        context["history"] = {str(y): v for y, v in projection.history.items()}
        context["years_observed"] = projection.years_observed
    return Entry(
        region_id=region_id, region_code=first.region_code, occupation_code=occupation, quarter=str(target),
        source="forecast" if projection else "reported",
        forecast=projection.forecast if projection else None,
        forecast_low=projection.low if projection else None,
        forecast_high=projection.high if projection else None,
        headcount=headcount, covered=covered, shortfall=shortfall, need_date=need, end_date=end,
        lead_days=lead_days, shortest_days=shortest_days, act_by=act_by, short_course_by=short_course_by,
        status=status, rating=rating, persistence=persistence, wage_pressure=pressure,
        salary_min_cny=largest[1].salary_min_cny, salary_max_cny=largest[1].salary_max_cny,
        context=context, line_ids=tuple(l.id for l in members),
    )

