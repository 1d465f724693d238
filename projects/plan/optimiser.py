"""The training plan of SPEC.md "Training plan: county classes and mobile workshops" as a pure
function: PlanInput in, PlanResult out. No ORM here (projects.plan.fetch builds the input from the
early warning and the programs; projects.plan.services persists the result).

The integer program, one candidate k = a new cohort of a program with one intake date (and, for a
mobile workshop, one region of its route):

    y_k in {0, 1}                 the cohort opens
    x_k integer                   its seats:  MIN_COHORT_SEATS * y_k <= x_k <= max_seats_k * y_k
    z_kj integer >= 0             its seats counted against line j (only where the cohort is eligible)
    sum_j z_kj <= x_k             no seat counts twice
    sum_k z_kj <= shortfall_j     no line is covered beyond its projected shortfall
    sum_k cost_k * x_k <= budget  cost = seats x the trainee cost of the college's country, in CNY
    sum_{k in C} y_k <= 1         for each clique C of a mobile workshop's cohorts that would overlap
                                  (intake .. graduation + MOBILE_TRANSFER_DAYS)

Lexicographic objective, two solves: (1) maximise sum_j w_j * z_kj (w_j: the line's CNY salary
midpoint); (2) with that value fixed, minimise sum_k x_k (ties favour fewer seats). Both solved
exactly by HiGHS (scipy.optimize.milp, mip_rel_gap=0); the solver's reported gap is kept.

Why a shortfall stays uncovered, per line: `no_candidate` (no program trains the occupation, serves
the region and meets the language and certification), `too_late` (such programs exist, but each
would have to start before today), `capacity` (every cohort that could cover it is opened at its
largest size, or a mobile workshop's route is taken), `budget` (a cohort could still cover it, but
the money is spent better elsewhere or has run out).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

NO_CANDIDATE = "no_candidate"
TOO_LATE = "too_late"
CAPACITY = "capacity"
BUDGET = "budget"
REASONS = (NO_CANDIDATE, TOO_LATE, CAPACITY, BUDGET)

# The first solve's value is fixed in the second up to this much: weights are CNY with cents, so two
# different plan values differ by at least 0.01.
VALUE_TOLERANCE = 0.004


class PlanError(ValueError):
    """The plan cannot be computed (the solver failed); the message says why."""


@dataclass(frozen=True)
class PlanLine:
    """One projected or reported line of a target quarter with shortfall, from an early-warning entry
    whose status still allows an intake (plan, act_now, short_course_only)."""

    id: int
    region_id: int
    region_code: str
    occupation_code: str
    quarter: str
    shortfall: int
    need_date: dt.date
    end_date: dt.date
    weight: Decimal  # the line's CNY salary midpoint
    languages: tuple[str, ...] = ()
    certification: str = ""


@dataclass(frozen=True)
class PlanProgram:
    id: int
    code: str
    college_id: int
    college_code: str
    country: str
    occupation_codes: tuple[str, ...]
    duration_days: int | None  # None: no past cohort, so no duration and no capacity
    max_seats: int  # CAPACITY_FACTOR x its largest past cohort, rounded down
    cost_per_seat: int  # CNY, TRAINEE_COST_CNY of the college's country
    languages: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    serves_region_ids: frozenset[int] = frozenset()  # empty: every region
    mobile: bool = False
    # A mobile workshop's existing cohorts (intake, graduation): the route is taken then.
    busy: tuple[tuple[dt.date, dt.date], ...] = ()

    def serves(self, region_id: int) -> bool:
        return not self.serves_region_ids or region_id in self.serves_region_ids


@dataclass(frozen=True)
class PlanSettings:
    min_cohort_seats: int = 10
    mobile_transfer_days: int = 14
    supply_window_days: int = 180
    time_limit_seconds: float | None = None


@dataclass(frozen=True)
class PlanInput:
    today: dt.date
    budget: Decimal | None  # None: no budget limit
    lines: tuple[PlanLine, ...]
    programs: tuple[PlanProgram, ...]
    settings: PlanSettings = PlanSettings()


@dataclass(frozen=True)
class Candidate:
    program: PlanProgram
    intake_date: dt.date
    graduation_date: dt.date
    region_id: int | None  # the region of a mobile workshop's stop; None for a fixed program
    line_ids: tuple[int, ...]  # the lines it is eligible for


@dataclass
class Proposal:
    program: PlanProgram
    intake_date: dt.date
    graduation_date: dt.date
    region_id: int | None
    seats: int
    cost_cny: int
    covers: list[tuple[PlanLine, int]]  # (line, count)
    value: Decimal

    @property
    def region_codes(self) -> list[str]:
        return sorted({line.region_code for line, _ in self.covers})

    @property
    def occupation_code(self) -> str:
        by_occupation: dict[str, int] = defaultdict(int)
        for line, count in self.covers:
            by_occupation[line.occupation_code] += count
        return min(by_occupation, key=lambda code: (-by_occupation[code], code))


@dataclass
class Uncovered:
    line: PlanLine
    remaining: int
    reason: str


@dataclass
class PlanResult:
    today: dt.date
    budget: Decimal | None
    spent: int
    value: Decimal
    proposals: list[Proposal]
    uncovered: list[Uncovered]
    solver: dict = field(default_factory=dict)


# --- Eligibility (the matching rules of SPEC.md "How matching decides", on plain data) -------------------


def speaks(line: PlanLine, program: PlanProgram) -> bool:
    return not line.languages or bool(set(line.languages) & set(program.languages))


def certifies(line: PlanLine, program: PlanProgram) -> bool:
    if not line.certification:
        return True
    wanted = line.certification.strip().upper()
    return any(c.strip().upper() == wanted for c in program.certifications)


def qualifies(line: PlanLine, program: PlanProgram) -> bool:
    """Trains the occupation, serves the region, meets the language and the certification."""
    return (line.occupation_code in program.occupation_codes and program.serves(line.region_id)
            and speaks(line, program) and certifies(line, program))


def timely(graduation: dt.date, line: PlanLine, settings: PlanSettings) -> bool:
    n = line.need_date.toordinal()
    return n - settings.supply_window_days <= graduation.toordinal() <= n


def _overlaps(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date, transfer: int) -> bool:
    """Two stops of one workshop conflict unless one starts at least `transfer` days after the other ends."""
    return a_start.toordinal() < b_end.toordinal() + transfer and b_start.toordinal() < a_end.toordinal() + transfer


# --- Candidates ------------------------------------------------------------------------------------------


def candidates(inp: PlanInput) -> tuple[list[Candidate], dict[int, set[str]]]:
    """The candidate cohorts, and per line the reasons it may have none (no_candidate / too_late /
    capacity when every qualifying program is too small to open a class)."""
    conf = inp.settings
    by_occupation: dict[str, list[PlanProgram]] = defaultdict(list)
    for p in sorted(inp.programs, key=lambda p: (p.college_code, p.code, p.id)):
        for code in p.occupation_codes:
            by_occupation[code].append(p)
    lines = sorted(inp.lines, key=lambda l: (l.quarter, l.region_code, l.occupation_code, l.id))
    hints: dict[int, set[str]] = {l.id: set() for l in lines}
    seen: dict[tuple, None] = {}
    for line in lines:
        qualifying = [p for p in by_occupation.get(line.occupation_code, ()) if qualifies(line, p)]
        if not qualifying:
            hints[line.id].add(NO_CANDIDATE)
            continue
        for p in qualifying:
            if p.duration_days is None or p.max_seats < conf.min_cohort_seats:
                hints[line.id].add(CAPACITY)
                continue
            intake = dt.date.fromordinal(line.need_date.toordinal() - p.duration_days)
            if intake < inp.today:
                hints[line.id].add(TOO_LATE)
                continue
            graduation = line.need_date
            region = line.region_id if p.mobile else None
            if p.mobile and any(_overlaps(intake, graduation, s, e, conf.mobile_transfer_days) for s, e in p.busy):
                hints[line.id].add(CAPACITY)
                continue
            seen.setdefault((p.id, intake, region, p), None)
    # A candidate covers only lines of an occupation its program trains: look there, not at every line
    # (every line for every candidate was the slowest step at 20,000 lines).
    by_code: dict[str, list[PlanLine]] = defaultdict(list)
    for line in lines:
        by_code[line.occupation_code].append(line)
    order = {line.id: i for i, line in enumerate(lines)}
    out = []
    for (_, intake, region, p) in seen:
        graduation = dt.date.fromordinal(intake.toordinal() + p.duration_days)
        pool = {l.id: l for code in p.occupation_codes for l in by_code.get(code, ())}
        eligible = tuple(
            l.id for l in sorted(pool.values(), key=lambda l: order[l.id])
            if qualifies(l, p) and timely(graduation, l, conf) and (region is None or l.region_id == region)
        )
        out.append(Candidate(p, intake, graduation, region, eligible))
    return out, hints


def mobile_cliques(cands: list[Candidate], transfer_days: int) -> list[list[int]]:
    """For each mobile workshop, the maximal sets of its candidates that pairwise overlap (an interval
    graph: every maximal clique is the set of intervals containing some interval's start)."""
    by_program: dict[int, list[int]] = defaultdict(list)
    for k, c in enumerate(cands):
        if c.program.mobile:
            by_program[c.program.id].append(k)
    cliques: list[list[int]] = []
    for ks in by_program.values():
        found: set[tuple[int, ...]] = set()
        for k in ks:
            start = cands[k].intake_date.toordinal()
            clique = tuple(sorted(
                i for i in ks
                if cands[i].intake_date.toordinal() <= start < cands[i].graduation_date.toordinal() + transfer_days
            ))
            if len(clique) > 1:
                found.add(clique)
        cliques.extend(list(c) for c in sorted(found))
    return cliques


# --- The integer program ---------------------------------------------------------------------------------


def solve(inp: PlanInput) -> PlanResult:
    """The exact plan. When the problem falls apart into independent parts (no candidate or mobile
    route shared) and the budget cannot bind, each part's optimum is found apart (two solves over all
    of them, each part's value kept by its own row): together they are the optimum of the whole.
    Otherwise the whole is solved at once."""
    started = time.perf_counter()
    conf = inp.settings
    lines = {l.id: l for l in inp.lines}
    cands, hints = candidates(inp)
    pairs = [(k, lid) for k, c in enumerate(cands) for lid in c.line_ids if lines[lid].shortfall > 0]
    n_k, n_z = len(cands), len(pairs)
    x = np.zeros(2 * n_k + n_z, dtype=int)
    solver = {"candidates": n_k, "variables": 2 * n_k + n_z, "constraints": 0, "mobile_cliques": 0, "gap": 0.0,
              "status": "optimal", "solves": 0, "components": 0, "decomposed": False}
    if n_k and n_z:
        parts = components(cands, pairs, conf.mobile_transfer_days)
        solver["components"] = len(parts)
        done = False
        # Apart only where the budget cannot bind (no budget, or every candidate at its largest size fits):
        # a binding budget couples the parts (see bench/README.md, "Training plan", for what was tried).
        most = sum(c.program.max_seats * c.program.cost_per_seat for c in cands)
        if len(parts) > 1 and (inp.budget is None or most <= inp.budget):
            x, info = _solve_parts_together(parts, cands, pairs, lines, conf)
            solver.update(info, decomposed=True, method="parts")
            done = True
        if not done:
            x, info = _milp(cands, pairs, lines, inp.budget, conf)
            solver.update(info, decomposed=False, method="whole")
    solver["seconds"] = round(time.perf_counter() - started, 3)
    return _result(inp, lines, cands, pairs, x, hints, solver)


def components(cands: list[Candidate], pairs: list[tuple[int, int]], transfer_days: int) -> list[tuple[list, list]]:
    """The independent parts: (candidate indices, pair indices) joined through a line they may both cover
    or a mobile workshop's route they share."""
    parent: dict = {}

    def find(a):
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    for k in range(len(cands)):
        find(("k", k))
    for k, lid in pairs:
        union(("k", k), ("l", lid))
    for clique in mobile_cliques(cands, transfer_days):
        for k in clique[1:]:
            union(("k", clique[0]), ("k", k))
    groups: dict = defaultdict(lambda: ([], []))
    for k in range(len(cands)):
        groups[find(("k", k))][0].append(k)
    for p, (k, _lid) in enumerate(pairs):
        groups[find(("k", k))][1].append(p)
    return [groups[key] for key in sorted(groups, key=lambda g: min(groups[g][0]))]


def _solve_parts_together(parts, cands, pairs, lines, conf):
    """The parts apart, in two solves of all of them at once: (1) the best value (no budget: the parts
    share no row, so the optimum of the whole is each part's optimum, exact to the cent since values
    differ by at least 0.01); (2) the fewest seats with each part's value kept by a row of its own (not
    one row over everything, which couples the parts and made the second solve the slow one). Same
    answer as solving each part on its own, without a solver call per part."""
    m = _build(cands, pairs, lines, conf)
    info = {"constraints": m.matrix.shape[0], "mobile_cliques": m.cliques, "gap": 0.0, "status": "optimal",
            "solves": 0}
    if not (m.n_k and m.n_z):
        return np.zeros(m.n, dtype=int), info
    n_k = m.n_k
    block = np.zeros(m.n, dtype=int)
    for b, (ks, ps) in enumerate(parts):
        block[ks] = b
        block[[n_k + k for k in ks]] = b
        block[[2 * n_k + p for p in ps]] = b
    first = _best_value(m, None, conf)
    best = np.bincount(block, weights=m.weights * np.round(first.x), minlength=len(parts))
    value_rows = sparse.csr_array((m.weights, (block, np.arange(m.n))), shape=(len(parts), m.n))
    seats = np.zeros(m.n)
    seats[n_k:2 * n_k] = 1
    second = milp(seats, integrality=np.ones(m.n), bounds=Bounds(np.zeros(m.n), m.upper), options=_options(conf),
                  constraints=[LinearConstraint(m.matrix, m.lo, m.hi),
                               LinearConstraint(value_rows, best - VALUE_TOLERANCE, np.inf)])
    _check(second, "fewest seats at that value")
    info.update(
        gap=float(max(first.mip_gap or 0.0, second.mip_gap or 0.0)), solves=2,
        status="optimal" if first.status == 0 and second.status == 0 else "time_limit",
    )
    return np.round(second.x).astype(int), info


@dataclass
class _Model:
    """The integer program on some candidates and pairs: x laid out as y (one per candidate), seats (one
    per candidate), then one count per pair."""

    n_k: int
    n_z: int
    weights: np.ndarray  # value per variable (CNY salary midpoint on the counts, 0 elsewhere)
    costs: np.ndarray  # CNY per variable (the trainee cost on the seats, 0 elsewhere)
    upper: np.ndarray
    matrix: sparse.csr_array  # every row but the budget's
    lo: np.ndarray
    hi: np.ndarray
    cliques: int

    @property
    def n(self) -> int:
        return 2 * self.n_k + self.n_z


def _build(cands: list[Candidate], pairs: list[tuple[int, int]], lines: dict, conf: PlanSettings) -> _Model:
    n_k, n_z = len(cands), len(pairs)
    n = 2 * n_k + n_z  # y_0..y_{K-1}, x_0..x_{K-1}, z_0..z_{P-1}

    weights = np.zeros(n)
    for p, (k, lid) in enumerate(pairs):
        weights[2 * n_k + p] = float(lines[lid].weight)
    costs = np.zeros(n)
    upper = np.zeros(n)
    upper[:n_k] = 1
    for k, c in enumerate(cands):
        upper[n_k + k] = c.program.max_seats
        costs[n_k + k] = c.program.cost_per_seat
    for p, (k, lid) in enumerate(pairs):
        upper[2 * n_k + p] = min(lines[lid].shortfall, cands[k].program.max_seats)

    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0

    def row(entries, low, high):
        nonlocal r
        for col, val in entries:
            rows.append(r)
            cols.append(col)
            vals.append(val)
        lo.append(low)
        hi.append(high)
        r += 1

    for k, c in enumerate(cands):
        row([(n_k + k, 1.0), (k, -float(conf.min_cohort_seats))], 0.0, np.inf)  # x >= MIN * y
        row([(n_k + k, 1.0), (k, -float(c.program.max_seats))], -np.inf, 0.0)  # x <= cap * y
    by_k: dict[int, list[int]] = defaultdict(list)
    by_line: dict[int, list[int]] = defaultdict(list)
    for p, (k, lid) in enumerate(pairs):
        by_k[k].append(p)
        by_line[lid].append(p)
    for k in range(n_k):
        row([(2 * n_k + p, 1.0) for p in by_k[k]] + [(n_k + k, -1.0)], -np.inf, 0.0)
    for lid, ps in sorted(by_line.items()):
        row([(2 * n_k + p, 1.0) for p in ps], -np.inf, float(lines[lid].shortfall))
    cliques = mobile_cliques(cands, conf.mobile_transfer_days)
    for clique in cliques:
        row([(k, 1.0) for k in clique], -np.inf, 1.0)
    matrix = sparse.csr_array((vals, (rows, cols)), shape=(r, n))
    return _Model(n_k, n_z, weights, costs, upper, matrix, np.array(lo, dtype=float), np.array(hi, dtype=float),
                  len(cliques))


def _options(conf: PlanSettings) -> dict:
    options = {"mip_rel_gap": 0.0, "presolve": True}
    if conf.time_limit_seconds:
        options["time_limit"] = conf.time_limit_seconds
    return options


def _milp(cands: list[Candidate], pairs: list[tuple[int, int]], lines: dict, budget, conf: PlanSettings):
    """The two solves on these candidates and pairs (see _Model for the layout of x)."""
    m = _build(cands, pairs, lines, conf)
    return _lexicographic(m, budget, conf)


def _lexicographic(m: _Model, budget, conf: PlanSettings):
    """(1) the best value within the budget; (2) the fewest seats at that value."""
    info = {"constraints": m.matrix.shape[0] + (budget is not None), "mobile_cliques": m.cliques, "gap": 0.0,
            "status": "optimal", "solves": 0}
    if not (m.n_k and m.n_z):
        return np.zeros(m.n, dtype=int), info
    return _fewest_seats(m, budget, conf, _best_value(m, budget, conf), info)


def _constraints(m: _Model, budget) -> list:
    constraints = [LinearConstraint(m.matrix, m.lo, m.hi)]
    if budget is not None:
        constraints.append(LinearConstraint(m.costs.reshape(1, -1), [-np.inf], [float(budget)]))
    return constraints


def _best_value(m: _Model, budget, conf: PlanSettings):
    first = milp(-m.weights, integrality=np.ones(m.n), bounds=Bounds(np.zeros(m.n), m.upper),
                 constraints=_constraints(m, budget), options=_options(conf))
    _check(first, "maximising the covered shortfall")
    return first


def _fewest_seats(m: _Model, budget, conf: PlanSettings, first, info: dict):
    seats = np.zeros(m.n)
    seats[m.n_k:2 * m.n_k] = 1
    second = milp(seats, integrality=np.ones(m.n), bounds=Bounds(np.zeros(m.n), m.upper), options=_options(conf),
                  constraints=[*_constraints(m, budget),
                               LinearConstraint(m.weights.reshape(1, -1), [-first.fun - VALUE_TOLERANCE], [np.inf])])
    if second.status == 1 and second.x is None:
        # PLAN_TIME_LIMIT_SECONDS stopped the second solve before it found a plan: the first solve's plan
        # stands (its value as found; its seats not proven the fewest), reported with gap 1 (100%).
        info.update(gap=1.0, solves=info.get("solves", 0) + 2, status="time_limit")
        return np.round(first.x).astype(int), info
    _check(second, "fewest seats at that value")
    info.update(
        gap=reported_gap(first.mip_gap, second.mip_gap), solves=info.get("solves", 0) + 2,
        status="optimal" if first.status == 0 and second.status == 0 else "time_limit",
    )
    return np.round(second.x).astype(int), info


def reported_gap(*gaps) -> float:
    """The largest of the solves' MIP gaps; a gap HiGHS reports as infinite or NaN (a time limit with
    only a plan of value 0, against which no relative gap exists) is reported as 1 (100%), as when
    the second solve finds no plan: JSON (and the plan's record) has no Infinity."""
    worst = 0.0
    for gap in gaps:
        gap = float(gap or 0.0)
        worst = max(worst, gap if math.isfinite(gap) else 1.0)
    return worst


def _check(res, what: str) -> None:
    # status 0: optimal; 1: iteration or time limit with a feasible solution (its gap is reported).
    if res.status not in (0, 1) or res.x is None:
        raise PlanError(f"The solver found no plan while {what}: {res.message}")


def _result(inp, lines, cands, pairs, x, hints, solver) -> PlanResult:
    n_k = len(cands)
    covered: dict[int, int] = defaultdict(int)
    covers: dict[int, list[tuple[PlanLine, int]]] = defaultdict(list)
    for p, (k, lid) in enumerate(pairs):
        count = int(x[2 * n_k + p])
        if count > 0:
            covers[k].append((lines[lid], count))
            covered[lid] += count
    proposals = []
    for k, c in enumerate(cands):
        seats = int(x[n_k + k])
        if seats <= 0:
            continue
        items = sorted(covers[k], key=lambda lc: (lc[0].quarter, lc[0].region_code, lc[0].occupation_code, lc[0].id))
        value = sum((line.weight * count for line, count in items), Decimal(0)).quantize(Decimal("0.01"))
        proposals.append(Proposal(c.program, c.intake_date, c.graduation_date, c.region_id, seats,
                                  seats * c.program.cost_per_seat, items, value))
    proposals.sort(key=lambda p: (p.intake_date, p.program.college_code, p.program.code, p.region_codes))

    # Seats still free per line: in the cohorts eligible for it, up to their largest size (none in a
    # mobile workshop's cohort whose time the route already spends elsewhere). The workers those seats
    # could take stay uncovered for the budget; the rest for capacity (or no candidate, too late).
    taken: set[int] = set()
    for clique in mobile_cliques(cands, inp.settings.mobile_transfer_days):
        if any(x[k] > 0 for k in clique):
            taken.update(k for k in clique if x[k] <= 0)
    free: dict[int, int] = defaultdict(int)
    for k, c in enumerate(cands):
        if k not in taken:
            for lid in c.line_ids:
                free[lid] += max(0, c.program.max_seats - int(x[n_k + k]))
    eligible_any = {lid for c in cands for lid in c.line_ids}
    uncovered = []
    for line in sorted(lines.values(), key=lambda l: (l.quarter, l.region_code, l.occupation_code, l.id)):
        remaining = line.shortfall - covered[line.id]
        if remaining <= 0:
            continue
        for_budget = min(remaining, free[line.id])
        if for_budget:
            uncovered.append(Uncovered(line, for_budget, BUDGET))
        if remaining > for_budget:
            found = hints.get(line.id, set())
            if line.id in eligible_any:
                reason = CAPACITY
            else:
                reason = TOO_LATE if TOO_LATE in found else CAPACITY if CAPACITY in found else NO_CANDIDATE
            uncovered.append(Uncovered(line, remaining - for_budget, reason))
    value = sum((p.value for p in proposals), Decimal(0))
    return PlanResult(inp.today, inp.budget, sum(p.cost_cny for p in proposals), value, proposals, uncovered,
                      solver)
