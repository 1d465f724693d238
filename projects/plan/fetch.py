"""Build the training plan's input (projects.plan.optimiser.PlanInput) from the early warning and the
programs in the database.

The early warning (gaps.warning) gives the entries and their status; the plan needs the lines behind
each entry (their need dates, salaries, languages and certification: a new cohort covers the lines
it is eligible for under the matching rules): stored with the entries by the run, or rebuilt here
with the warning's own functions (gaps.warning.compute.quarter_lines, the same ids).

Three routes, the same plan (tests/plan/test_stored_warning.py):

- **Stored lines** (the usual one): the current succeeded early-warning run was computed for the
  plan's `today` (gaps.warning.services.is_fresh's rule), it stored each entry's lines
  (EarlyWarning.plan_lines) and its input state (EarlyWarningRun.inputs, read before its input) is
  still the current one (gaps.warning.fetch.input_state: no report, region, rate, college, program
  or cohort written since, the same settings and code). The plannable entries' stored lines ARE the
  lines the rebuild below would give (tests/plan/test_stored_warning.py): no history is read, no line
  rebuilt, nothing matched; only the programs of the lines' occupations are read.
- **Stored** (a run older than plan_lines, or an input changed since the run): its stored entries
  give which entries are plannable and, for an entry of ONE line (every projected entry: one projected line per series),
  that line's shortfall, need and end dates and CNY salary range (the entry's figures are its one
  line's). Only a target quarter with a plannable entry of several lines (reported lines) is matched
  again, with the engine, as the warning does (so is a quarter whose rebuilt line no longer has its
  entry's headcount, salary terms or dates: a report changed since the run); the cohorts are read
  only then. No persistence, wage pressure, interval or recommendation work. Like the warning's
  board, the stored figures are as of the run (a matching run that finishes queues a new one).
- **Recomputed**: no run for `today` (another day, or none yet): the early warning is computed in
  memory (nothing is written) and each target quarter with a plannable entry is matched for its
  lines' shortfalls.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Max

from gaps.matching import rules
from gaps.matching.fetch import fetch_programs, fetch_rates, matching_settings
from gaps.matching.types import MatchInput
from gaps.models import EarlyWarning, EarlyWarningRun
from gaps.warning import compute as ew
from gaps.warning import fetch as ew_fetch
from gaps.warning.services import latest_run
from training.models import Cohort, Program

from .optimiser import PlanInput, PlanLine, PlanProgram, PlanSettings

PLANNABLE = (ew.Status.PLAN, ew.Status.ACT_NOW, ew.Status.SHORT_COURSE_ONLY)
CENT = Decimal("0.01")


def plan_settings() -> PlanSettings:
    limit = settings.PLAN_TIME_LIMIT_SECONDS
    return PlanSettings(
        min_cohort_seats=settings.MIN_COHORT_SEATS, mobile_transfer_days=settings.MOBILE_TRANSFER_DAYS,
        supply_window_days=settings.SUPPLY_WINDOW_DAYS, time_limit_seconds=limit if limit > 0 else None,
    )


def trainee_cost(country: str) -> int:
    costs = settings.TRAINEE_COST_CNY
    return costs.get(country.upper(), costs["default"])


@dataclass(frozen=True)
class LineFigures:
    """What the plan reads of a line's projected match (the engine's LineOutcome has these fields)."""

    shortfall: int
    need_date: dt.date
    end_date: dt.date
    salary_min_cny: Decimal
    salary_max_cny: Decimal


@dataclass(frozen=True)
class StoredEntry:
    """A stored early-warning entry of the run, as the plan reads it."""

    status: str
    lines: int | None  # how many lines it sums (its context's "lines")
    figures: LineFigures | None
    headcount: int
    terms: tuple  # the salary terms of its (largest) line: min, max, currency


def _build_lines(reports, targets, plannable: dict, outcomes_of) -> list[PlanLine]:
    """The lines of the plannable entries with a shortfall, in the warning's order (target quarters,
    then its line order). `outcomes_of(target, lines)` gives line id -> the line's figures."""
    if not plannable:
        return []
    history = ew.History(reports)
    counter = iter(range(ew.PROJECTED_ID_BASE, ew.PROJECTED_ID_BASE * 2))  # the warning's ids, in its order
    out = []
    for target in targets:
        lines, _ = ew.quarter_lines(history, target, None, lambda: next(counter))
        if not lines or not any((l.region_id, l.occupation_code, str(target)) in plannable for l in lines):
            continue
        outcomes = outcomes_of(target, lines)
        for line in lines:
            outcome = outcomes.get(line.id)
            if outcome is None or outcome.shortfall <= 0:
                continue
            if (line.region_id, line.occupation_code, str(target)) not in plannable:
                continue
            out.append(PlanLine(
                id=line.id, region_id=line.region_id, region_code=line.region_code,
                occupation_code=line.occupation_code, quarter=str(target), shortfall=outcome.shortfall,
                need_date=outcome.need_date, end_date=outcome.end_date,
                weight=((outcome.salary_min_cny + outcome.salary_max_cny) / 2).quantize(CENT),
                languages=tuple(line.languages), certification=line.certification,
            ))
    return out


def _matcher(programs, rates, conf, cohorts):
    """outcomes_of for _build_lines: the warning's own projected match of a target quarter's lines
    (the engine's allocation on the cohorts in reach). `cohorts()` gives the cohorts, read once."""
    state = {}

    def outcomes_of(target, lines):
        if "sorted" not in state:
            by_graduation = sorted(cohorts(), key=lambda c: c.graduation_date)
            state["sorted"] = (by_graduation, [c.graduation_date for c in by_graduation])
        by_graduation, graduations = state["sorted"]
        return ew.projected_match(MatchInput(
            quarter=str(target), lines=tuple(lines), programs=tuple(programs),
            cohorts=ew.cohorts_in_reach(target, lines, by_graduation, graduations, conf),
            rates=rates, reported_region_ids=frozenset(l.region_id for l in lines), settings=conf,
        ), open_per_entry=0).outcomes

    return outcomes_of


def plan_lines(inp: ew.WarningInput, result: ew.WarningResult) -> list[PlanLine]:
    """The lines of the entries whose status still allows an intake, each with its own shortfall
    (the recomputed route: the early warning computed in memory)."""
    plannable = {e.key for e in result.entries if e.status in PLANNABLE}
    outcomes_of = _matcher(inp.programs, inp.rates, inp.match_settings, lambda: inp.cohorts)
    return _build_lines(inp.reports, result.targets, plannable, outcomes_of)


def current_run(today: dt.date) -> EarlyWarningRun | None:
    """The latest succeeded early-warning run when it was computed for `today` (the warning's
    freshness rule, gaps.warning.services.is_fresh), else None."""
    run = latest_run()
    return run if run is not None and run.today == today else None


def stored_entries(run: EarlyWarningRun) -> dict[tuple[int, str, str], StoredEntry]:
    """The run's plannable entries by (region id, occupation, quarter)."""
    out = {}
    for region_id, occupation, quarter, status, context, headcount, shortfall, need, end, smin, smax in (
        EarlyWarning.objects.filter(last_run=run, is_active=True, status__in=PLANNABLE).values_list(
            "region_id", "occupation_id", "quarter", "status", "context", "headcount", "shortfall", "need_date",
            "end_date", "salary_min_cny", "salary_max_cny",
        )
    ):
        context = context or {}
        figures = LineFigures(shortfall, need, end, smin, smax) if smin is not None and smax is not None else None
        terms = (context.get("salary_min"), context.get("salary_max"), context.get("currency"))
        out[(region_id, occupation, quarter)] = StoredEntry(
            status, context.get("lines") if figures else None, figures, headcount, terms)
    return out


def stored_lines(run: EarlyWarningRun) -> list[PlanLine] | None:
    """The run's stored plan lines of its plannable entries, in the warning's order (target quarters,
    then the quarter's line order), when they are exact: the run recorded its input state and that
    state is still the current one (gaps.warning.fetch.input_state: no report, region, rate, college,
    program or cohort changed since the run read its input; the same settings and code), and every
    plannable entry stored its lines. Else None: the lines are rebuilt (stored_plan_lines)."""
    if not run.inputs or run.inputs != ew_fetch.input_state():
        return None
    rows = []
    for region_id, occupation, quarter, stored in EarlyWarning.objects.filter(
        last_run=run, is_active=True, status__in=PLANNABLE
    ).values_list("region_id", "occupation_id", "quarter", "plan_lines"):
        if stored is None:
            return None
        for position, line_id, region_code, shortfall, need, end, smin, smax, languages, certification in stored:
            rows.append(((quarter, position), PlanLine(
                id=line_id, region_id=region_id, region_code=region_code, occupation_code=occupation,
                quarter=quarter, shortfall=shortfall, need_date=dt.date.fromisoformat(need),
                end_date=dt.date.fromisoformat(end), weight=((Decimal(smin) + Decimal(smax)) / 2).quantize(CENT),
                languages=tuple(languages), certification=certification,
            )))
    _still_current(run)
    rows.sort(key=lambda r: r[0])
    return [line for _, line in rows]


def _same_line(entry: StoredEntry, line, target) -> bool:
    """The rebuilt line is the one the run's entry was computed from (headcount, salary terms, need and
    end dates), so a report changed since the run sends its quarter to the match instead."""
    return (entry.headcount == line.headcount and entry.terms == (str(line.salary_min), str(line.salary_max), line.currency)
            and entry.figures.need_date == rules.need_date(line, target)
            and entry.figures.end_date == rules.end_date(line, target))


def stored_plan_lines(entries: dict, reports, targets, programs, rates, conf, cohorts) -> list[PlanLine]:
    """The stored route's lines: a target quarter whose plannable entries are each of one line takes
    the figures from the entries; a quarter with an entry of several lines (or whose stored line count
    does not match the rebuilt lines) is matched again, exactly as the warning matched it."""
    matched = _matcher(programs, rates, conf, cohorts)

    def outcomes_of(target, lines):
        quarter = str(target)
        members = defaultdict(list)
        for line in lines:
            if line.occupation_code:
                members[(line.region_id, line.occupation_code, quarter)].append(line)
        out = {}
        for key, entry in entries.items():
            if key[2] != quarter:
                continue
            group = members.get(key, [])
            if entry.lines != 1 or len(group) != 1 or not _same_line(entry, group[0], target):
                return matched(target, lines)
            out[group[0].id] = entry.figures
        return out

    return _build_lines(reports, targets, set(entries), outcomes_of)


def training(occupation_codes):
    """The ids of the programs that train one of these occupations, as a subquery."""
    return Program.occupations.through.objects.filter(occupation_id__in=sorted(occupation_codes)).values("program_id")


def plan_programs(all_programs, durations, lines: list[PlanLine]) -> list[PlanProgram]:
    """The programs that train an occupation of the lines, with country, mobility, duration (`durations`:
    program id -> days), capacity, cost, and a mobile workshop's existing cohorts (its route is busy then)."""
    wanted = {l.occupation_code for l in lines}
    programs = [p for p in all_programs if wanted & set(p.occupation_codes)]
    ids = training(wanted)  # a subquery: tens of thousands of ids as parameters cost seconds to send
    facts = {
        pid: (country, mobile)
        for pid, country, mobile in Program.objects.filter(pk__in=ids).values_list("id", "college__country", "mobile")
    }
    largest = dict(Cohort.objects.filter(program_id__in=ids).values("program_id").annotate(m=Max("seats"))
                   .values_list("program_id", "m"))
    busy = defaultdict(list)
    mobile_ids = [pid for pid, (_, mobile) in facts.items() if mobile]
    for pid, intake, graduation in Cohort.objects.filter(program_id__in=mobile_ids).values_list(
        "program_id", "intake_date", "graduation_date"
    ):
        busy[pid].append((intake, graduation))
    factor = settings.CAPACITY_FACTOR
    out = []
    for p in programs:
        country, mobile = facts.get(p.id, ("", False))
        out.append(PlanProgram(
            id=p.id, code=p.code, college_id=p.college_id, college_code=p.college_code, country=country,
            occupation_codes=tuple(p.occupation_codes), duration_days=durations.get(p.id),
            max_seats=math.floor(factor * largest.get(p.id, 0) + 1e-9), cost_per_seat=trainee_cost(country),
            languages=tuple(p.languages), certifications=tuple(p.certifications),
            serves_region_ids=frozenset(p.serves_region_ids), mobile=mobile, busy=tuple(sorted(busy.get(p.id, ()))),
        ))
    return out


# How often the plan reads its day's current early-warning run again when a newer run of that day committed
# while it read (a newer run moves every entry to itself: the entries read would be none or another run's);
# after that it computes the warning in memory.
READ_ATTEMPTS = 3


class Superseded(Exception):
    """A newer early-warning run committed while the plan read this run's entries."""


def _still_current(run: EarlyWarningRun) -> None:
    """Raise Superseded unless `run` is still the latest succeeded run. Called after a read of the run's
    entries: a newer run's persist and its SUCCEEDED status commit together (gaps.warning.services), so
    when `run` is still the latest after the read, no newer run had moved the entries before it."""
    latest = latest_run()
    if latest is None or latest.pk != run.pk:
        raise Superseded(run.pk)


def plan_input(today: dt.date, budget: Decimal | None, *, progress=None,
               stored: bool = True) -> tuple[PlanInput, EarlyWarningRun | None]:
    """The plan's input for `today`, with the stored early-warning run it rests on (None: the warning
    was computed in memory). `stored=False` always recomputes. No budget: no limit. A run that a newer
    one replaces while the plan reads it is read again as the newer one (READ_ATTEMPTS times at most)."""
    step = progress or (lambda name: None)
    for _attempt in range(READ_ATTEMPTS if stored else 0):
        run = current_run(today)
        if run is None:
            break
        try:
            return _plan_input(today, budget, run, step), run
        except Superseded:
            continue
    return _plan_input(today, budget, None, step), None


def _plan_input(today: dt.date, budget: Decimal | None, run: EarlyWarningRun | None, step) -> PlanInput:
    """The input from `run`'s stored entries (their stored lines while its input state is current, else
    rebuilt), or computed in memory when `run` is None; Superseded when a newer run replaced `run`."""
    if run is None:
        warning_in = ew_fetch.warning_input(today)
        step("fetch")
        result = ew.compute(warning_in)
        step("early_warning")
        lines = plan_lines(warning_in, result)
        durations = (warning_in.program_durations if warning_in.program_durations is not None
                     else ew.program_durations(warning_in.cohorts))
        programs = plan_programs(warning_in.programs, durations, lines)
    elif (lines := stored_lines(run)) is not None:
        # Only the programs (and their cohorts' durations) that train an occupation of the lines:
        # plan_programs keeps no other.
        ids = training({l.occupation_code for l in lines})
        wanted = fetch_programs(ids)
        step("fetch")
        step("early_warning")
        programs = plan_programs(wanted, ew_fetch.program_durations(ids), lines)
    else:
        _current, targets = ew.target_quarters(today)
        reports = ew_fetch.fetch_reports(targets[-1])
        conf = matching_settings()
        all_programs = fetch_programs(Program.objects.values("id"))
        rates = fetch_rates()
        entries = stored_entries(run)
        _still_current(run)
        step("fetch")
        step("early_warning")
        lines = stored_plan_lines(entries, reports, targets, all_programs, rates, conf,
                                  lambda: ew_fetch.cohorts_in_reach(reports, targets, conf))
        programs = plan_programs(all_programs, ew_fetch.program_durations(), lines)
    step("lines")
    inp = PlanInput(today=today, budget=budget, lines=tuple(lines), programs=tuple(programs),
                    settings=plan_settings())
    return inp
