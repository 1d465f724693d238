"""Build the training plan's input (projects.plan.optimiser.PlanInput) from the early warning and the
programs in the database.

The early warning (gaps.warning) gives the entries and their status; the plan needs the lines behind
each entry (their need dates, salaries, languages and certification: a new cohort covers the lines
it is eligible for under the matching rules), so the target quarters' lines are rebuilt here with
the warning's own functions (gaps.warning.compute.quarter_lines, the same ids) and matched with the
engine, as the warning does, for each line's projected shortfall.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Max

from gaps.matching.types import MatchInput
from gaps.warning import compute as ew
from gaps.warning import fetch as ew_fetch
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


def plan_lines(inp: ew.WarningInput, result: ew.WarningResult) -> list[PlanLine]:
    """The lines of the entries whose status still allows an intake, each with its own shortfall."""
    plannable = {e.key: e for e in result.entries if e.status in PLANNABLE}
    if not plannable:
        return []
    history = ew.History(inp.reports)
    counter = iter(range(ew.PROJECTED_ID_BASE, ew.PROJECTED_ID_BASE * 2))  # the warning's ids, in its order
    by_graduation = sorted(inp.cohorts, key=lambda c: c.graduation_date)
    graduations = [c.graduation_date for c in by_graduation]
    out = []
    for target in result.targets:
        lines, _ = ew.quarter_lines(history, target, result.ratios, lambda: next(counter))
        if not lines or not any((l.region_id, l.occupation_code, str(target)) in plannable for l in lines):
            continue
        # The warning's own projected match (the engine's allocation on the cohorts in reach).
        matched = ew.projected_match(MatchInput(
            quarter=str(target), lines=tuple(lines), programs=inp.programs,
            cohorts=ew.cohorts_in_reach(target, lines, by_graduation, graduations, inp.match_settings),
            rates=inp.rates, reported_region_ids=frozenset(l.region_id for l in lines), settings=inp.match_settings,
        ))
        for line in lines:
            outcome = matched.outcomes.get(line.id)
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


def plan_programs(inp: ew.WarningInput, lines: list[PlanLine]) -> list[PlanProgram]:
    """The programs that train an occupation of the lines, with country, mobility, duration, capacity,
    cost, and a mobile workshop's existing cohorts (its route is busy then)."""
    wanted = {l.occupation_code for l in lines}
    programs = [p for p in inp.programs if wanted & set(p.occupation_codes)]
    ids = [p.id for p in programs]
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
    durations = inp.program_durations if inp.program_durations is not None else ew.program_durations(inp.cohorts)
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


def plan_input(today: dt.date, budget: Decimal | None, *, progress=None) -> tuple[PlanInput, ew.WarningResult]:
    """The plan's input for `today`, with the early warning it rests on. No budget: no limit."""
    step = progress or (lambda name: None)
    warning_in = ew_fetch.warning_input(today)
    step("fetch")
    result = ew.compute(warning_in)
    step("early_warning")
    lines = plan_lines(warning_in, result)
    programs = plan_programs(warning_in, lines)
    step("lines")
    inp = PlanInput(today=today, budget=budget, lines=tuple(lines), programs=tuple(programs),
                    settings=plan_settings())
    return inp, result
