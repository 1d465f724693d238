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
midpoint); (2) with that value fixed, minimise sum_k x_k (ties favour fewer seats). Both solved by
HiGHS (highspy, mip_rel_gap=0), each from a plan it must beat (a MIP start).

Reductions (each keeps the optimum, both the value and the fewest seats):

1. Candidates that could cover no line still short are dropped: their value is 0 and their seats only
   add cost and seats, so no optimum (of either solve) opens them, and dropping a variable that is 0
   in every optimum leaves the optima as they are.
2. The counts z are continuous, not integer (only y and x are): for any fixed whole y and x, the rows
   on z are `sum_j z_kj <= x_k` and `sum_k z_kj <= shortfall_j` -- a bipartite transportation
   problem, whose matrix is totally unimodular -- so with whole right-hand sides the best z over the
   reals is reached at a whole vertex. Hence (1)'s optimum over (y, x) is the same with real z; and in
   (2) "some real z reaches the value" holds exactly when "some whole z does" (the maximum over z is
   whole), so the fewest seats are the same too. `_whole_counts` then finds whole counts for the
   chosen x by the simplex (a vertex). This takes 164,134 of the full-scale problem's 206,282 integer
   variables out of the first solve's branching. The second solve keeps the counts whole: measured
   faster there, and with continuous counts HiGHS once reported an optimum with more seats than the
   whole-count solve found (bench/README.md).
3. Without a budget, the first solve opens every fixed (not mobile) cohort at its largest size: there
   seats cost nothing and more seats never lower the value (any plan's counts still fit), so the best
   value is the same; only the mobile workshops' stops remain integer choices. The second solve (the
   fewest seats at that value) has every cohort free again and starts from that plan, trimmed.

4. Identical candidates are one class: fixed (not mobile) cohorts with the same trainee cost, the same
   largest size and the same lines still short (in practice: several colleges' programs alike for the
   plan) become one candidate whose y is a whole number 0..r (r: the class's size), with
   MIN_COHORT_SEATS * y <= seats <= max_seats * y. Exact: t cohorts of sizes in [MIN, max] can hold
   exactly the whole totals in [t * MIN, t * max], and since the cohorts are eligible for the same lines
   at the same cost, only the class's total seats and total counts per line enter any row or objective
   (value, cost, seats); any total is split back into t cohorts with the same value, cost and seats
   (`_split`). Mobile cohorts are not merged (their routes' rows name each one).
5. Identical lines are one line: lines with the same salary and the same candidates (after 4) become one
   line whose shortfall is their sum. Exact: every candidate eligible for one is eligible for all, at
   the same weight, so only the sum of their counts enters the value, and a count up to the summed
   shortfall is split back among them (`_split`) without changing any cohort's counts' sum.
   `_split` is one fixed rule (a class's first y members open, each the minimum and the rest filled in
   member order; counts in line order): the unreduced model's optimum is also one of several plans of
   the same value and seats, and SPEC.md's tie rule (fewer seats) is all that decides between them, so
   the split plan is an optimum of the unreduced model (the tests check value and seats against it and
   against a brute force). Reductions 4 and 5 are applied only when together they take out at least
   MERGE_MIN_SHARE (1%) of the model's variables (`worth_merging`): a merge of a handful among thousands
   saves nothing and, measured, can send HiGHS on a longer search.
6. Without a binding budget the independent parts (no line, no mobile route shared) are solved apart, in
   batches of about BATCH_CANDIDATES candidates (`_solve_apart`): the parts share no row, so the best
   value is the sum of the parts' best and the fewest seats the sum of theirs.
7. Without a budget and without mobile workshops the fewest-seats solve needs no value row: an optimal
   dual (u, v) of the value stage's transportation LP, checked exactly in whole cents (`_optimal_duals`),
   describes every plan of the best value (complementary slackness: no count on a pair whose u + v
   exceeds its salary, every line with u > 0 covered in full, every cohort with v > 0 full), so the
   pairs left fall apart into parts solved apart for their fewest seats (`_seats_by_duals`), each batch over
   classes of alike cohorts (the same lines left; cost enters nothing there), a large batch first from the
   plan of its linear relaxation's support (`_SeatClasses`, exact: see there).

Not reduced, because it would not be exact: a cohort whose lines are a subset of another cohort's of
the same program (both may open: two classes are not one bigger class with the minimum size); lines
with the same candidates but different salaries; candidates alike but for their cost or largest size
(a cheaper or larger one does not make the other useless: both may open).

Always a plan: `greedy` (value per CNY first, lazily re-evaluated; minimum seats, capacity, budget and
mobile routes kept) is a feasible plan and the first solve's start, so what HiGHS returns is at least
as good. With PLAN_TIME_LIMIT_SECONDS (50 by default in the app), the first solve may use 70% of it
and the second what is left; the second is skipped when the first did not prove its value (its plan,
without unfilled seats, stands). The limit is one budget for the whole solve, counted from its start:
the candidates, the model, both solves and the whole counts share it (a stage given no time keeps the
plan it has, and the solver record says which stage stopped: `second_solve` `skipped` when the value
was not proven, `stopped` when the seats were not; the fewest-seats plan's counts are integer already
and only rounded, checked, not solved again). The gap is then (bound - value) / bound, with the bound HiGHS proved
or, before it has one, the linear relaxation's or `_ceiling` (a fractional knapsack of the lines): the plan is within that share
of the best possible. Status `optimal` only when both solves finished; else `time_limit`.

Why a shortfall stays uncovered, per line: `no_candidate` (no program trains the occupation, serves
the region and meets the language and certification), `too_late` (such programs exist, but each
would have to start before today), `capacity` (every cohort that could cover it is opened at its
largest size, or a mobile workshop's route is taken), `budget` (a cohort could still cover it, but
the money is spent better elsewhere or has run out).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import highspy
from scipy import sparse

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
    """The exact plan (or, when PLAN_TIME_LIMIT_SECONDS runs out first, the best plan found, at least as
    good as the greedy plan it starts from, with HiGHS's gap). Identical candidates and lines are merged
    first (reductions 4 and 5) and split back at the end. When the problem falls apart into independent
    parts (no candidate or mobile route shared) and the budget cannot bind, the parts are solved apart in
    batches (_solve_apart). Otherwise the whole is solved at once."""
    started = time.perf_counter()
    conf = inp.settings
    lines = {l.id: l for l in inp.lines}
    every, hints = candidates(inp)
    # Reduction 1: a candidate with no line still short has value 0 and only costs: never in an optimum.
    useful = sorted({k for k, c in enumerate(every) for lid in c.line_ids if lines[lid].shortfall > 0})
    cands = [every[k] for k in useful]
    pairs = [(k, lid) for k, c in enumerate(cands) for lid in c.line_ids if lines[lid].shortfall > 0]
    n_k, n_z = len(cands), len(pairs)
    x = np.zeros(2 * n_k + n_z, dtype=int)
    solver = {"candidates": len(every), "candidates_reduced": n_k, "variables": 2 * n_k + n_z,
              "integer_variables": 2 * n_k, "constraints": 0, "mobile_cliques": 0, "gap": 0.0,
              "status": "optimal", "solves": 0, "components": 0, "decomposed": False,
              "time_limit": conf.time_limit_seconds or None, "greedy_value": 0.0, "second_solve": "none",
              "seats_parts": 0}
    if n_k and n_z:
        merged = _merge(cands, pairs, lines)
        solver.update(merged_candidates=n_k - len(merged.cands), merged_lines=merged.merged_lines)
        solver["merged"] = worth_merging(merged, n_k, n_z)
        if not solver["merged"]:
            merged = _unmerged(cands, pairs, lines)
        solver.update(variables=2 * len(merged.cands) + len(merged.pairs), integer_variables=2 * len(merged.cands))
        parts = components(merged.cands, merged.pairs, conf.mobile_transfer_days)
        solver["components"] = len(parts)
        # Apart only where the budget cannot bind (no budget, or every candidate at its largest size fits):
        # a binding budget couples the parts (see bench/README.md, "Training plan", for what was tried).
        most = sum(c.program.max_seats * c.program.cost_per_seat for c in cands)
        apart = len(parts) > 1 and (inp.budget is None or most <= inp.budget)
        if apart:
            xm, info = _solve_apart(merged.cands, merged.pairs, merged.lines, conf, parts, started, merged.mult)
        else:
            m = _build(merged.cands, merged.pairs, merged.lines, conf, merged.mult)
            start = greedy(m, merged.cands, merged.pairs, merged.lines, inp.budget, conf)
            solver["greedy_value"] = round(float(m.weights @ start), 2)
            xm, info = _lexicographic(m, inp.budget, conf, start, started)
        x = _split(xm, merged, cands, pairs, lines, conf)
        info.pop("bound", None)  # (internal: the gap says it)
        solver.update(info, decomposed=apart, method="parts" if apart else "whole")
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


@dataclass
class _Merged:
    """The problem with identical candidates and identical lines merged (reductions 4 and 5)."""

    cands: list  # one representative per class of identical candidates (its first member)
    pairs: list  # (class, representative line id)
    lines: dict  # representative line id -> the line with its group's summed shortfall
    mult: np.ndarray  # per class, its number of members
    members: list  # per class, the indices of its candidates (in candidate order)
    groups: dict  # representative line id -> the ids of its lines (in line order)
    merged_lines: int


def _merge(cands: list[Candidate], pairs: list[tuple[int, int]], lines: dict) -> _Merged:
    """Reduction 4: fixed (not mobile) candidates with the same trainee cost, the same largest size and
    the same lines still short are one class with a whole y of 0..members. Reduction 5: lines with the
    same salary and the same classes are one line with their summed shortfall. See the module docstring
    for why both keep the optimum; _split gives each candidate and line its share back."""
    by_k: dict[int, list[int]] = defaultdict(list)
    for k, lid in pairs:
        by_k[k].append(lid)
    classes: dict = {}
    for k, c in enumerate(cands):
        key = ("k", k) if c.program.mobile else (c.program.cost_per_seat, c.program.max_seats, tuple(by_k[k]))
        classes.setdefault(key, []).append(k)
    members = list(classes.values())
    line_classes: dict[int, list[int]] = defaultdict(list)
    for i, ks in enumerate(members):
        for lid in by_k[ks[0]]:
            line_classes[lid].append(i)
    order = {lid: n for n, lid in enumerate(dict.fromkeys(lid for _, lid in pairs))}
    grouped: dict = {}
    for lid in sorted(line_classes, key=order.get):
        grouped.setdefault((lines[lid].weight, tuple(line_classes[lid])), []).append(lid)
    groups = {ids[0]: ids for ids in grouped.values()}
    rep_of = {lid: ids[0] for ids in groups.values() for lid in ids}
    merged_lines = {}
    for rep, ids in groups.items():
        line = lines[rep]
        merged_lines[rep] = line if len(ids) == 1 else PlanLine(
            line.id, line.region_id, line.region_code, line.occupation_code, line.quarter,
            sum(lines[lid].shortfall for lid in ids), line.need_date, line.end_date, line.weight,
            line.languages, line.certification)
    merged_pairs = list(dict.fromkeys((i, rep_of[lid]) for i, ks in enumerate(members) for lid in by_k[ks[0]]))
    return _Merged([cands[ks[0]] for ks in members], merged_pairs, merged_lines,
                   np.array([len(ks) for ks in members], dtype=int), members, groups,
                   len(line_classes) - len(groups))


# Merging pays only when it takes out at least this share of the model's variables (reduction 4 and 5; see
# worth_merging).
MERGE_MIN_SHARE = 0.01


def worth_merging(merged: _Merged, n_k: int, n_z: int) -> bool:
    """Whether to solve the merged model (reductions 4 and 5) rather than the model as it is: only when
    merging takes out at least MERGE_MIN_SHARE of the variables (2 per candidate, 1 per (cohort, line)
    pair). Both models have the same optimum (value and fewest seats; the module docstring), so this is
    a choice of speed only. Measured (bench/README.md, "The training plan at full scale"): merging a
    handful of candidates among thousands (1 of 3,501 under a binding budget at 10,000 synthetic lines)
    saves nothing in the model but changes the order of its columns and HiGHS's search path with it,
    and that one merge made the proven optimum 50% slower (76-78 s CPU against 49-51 s); a change of the
    model that small is as likely to lengthen the search as to shorten it, so it is not made. Merging
    many (programs alike across colleges) removes the symmetric choices between them that branch and
    bound would otherwise explore, and shrinks the model: then it is made."""
    n = 2 * n_k + n_z
    return n > 0 and n - (2 * len(merged.cands) + len(merged.pairs)) >= MERGE_MIN_SHARE * n


def _unmerged(cands: list[Candidate], pairs: list[tuple[int, int]], lines: dict) -> _Merged:
    """The model as it is in the form of a merge: every candidate its own class, every line its own group."""
    used = {lid: lines[lid] for lid in dict.fromkeys(lid for _, lid in pairs)}
    return _Merged(list(cands), list(pairs), used, np.ones(len(cands), dtype=int), [[k] for k in range(len(cands))],
                   {lid: [lid] for lid in used}, 0)


def _split(xm: np.ndarray, merged: _Merged, cands: list[Candidate], pairs: list[tuple[int, int]], lines: dict,
           conf: PlanSettings) -> np.ndarray:
    """The merged plan on the candidates and lines themselves, the same value and seats, by one fixed rule:
    a class's y cohorts are its first y members, each MIN_COHORT_SEATS seats and the rest filled in
    member order up to the largest size; its counts go to those cohorts in line order, each filling the
    seats of the first cohort with seats left; a merged line's count goes to its lines in line order, each
    up to its shortfall still open. Everything fits: the class's counts are at most its seats, and a merged
    line's counts at most its summed shortfall."""
    n_c, n_k = len(merged.cands), len(cands)
    x = np.zeros(2 * n_k + len(pairs), dtype=int)
    pair_index = {pair: p for p, pair in enumerate(pairs)}
    left = {lid: lines[lid].shortfall for lid in lines}
    counts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p, (i, rep) in enumerate(merged.pairs):
        if xm[2 * n_c + p] > 0:
            counts[i].append((rep, int(xm[2 * n_c + p])))
    for i, ks in enumerate(merged.members):
        opened, seats = int(xm[i]), int(xm[n_c + i])
        if opened <= 0:
            continue
        cap = cands[ks[0]].program.max_seats
        sizes = [conf.min_cohort_seats] * opened
        extra = seats - conf.min_cohort_seats * opened
        for j in range(opened):
            more = min(extra, cap - sizes[j])
            sizes[j] += more
            extra -= more
        free = list(sizes)
        j = 0
        for rep, count in counts[i]:
            for lid in merged.groups[rep]:
                while count > 0 and left[lid] > 0:
                    while free[j] == 0:
                        j += 1
                    take = min(count, left[lid], free[j])
                    x[2 * n_k + pair_index[(ks[j], lid)]] += take
                    free[j] -= take
                    left[lid] -= take
                    count -= take
            if count:
                raise PlanError("The merged plan could not be split back.")
        for j in range(opened):
            x[ks[j]], x[n_k + ks[j]] = 1, sizes[j]
    return x


@dataclass
class _Model:
    """The integer program on some candidates and pairs: x laid out as y (one per candidate), seats (one
    per candidate), then one count per pair. y and the seats are integer; the counts are continuous
    (reduction 2 of the module docstring) and made whole by _whole_counts."""

    n_k: int
    n_z: int
    weights: np.ndarray  # value per variable (CNY salary midpoint on the counts, 0 elsewhere)
    costs: np.ndarray  # CNY per variable (the trainee cost on the seats, 0 elsewhere)
    upper: np.ndarray
    matrix: sparse.csr_array  # every row but the budget's
    lo: np.ndarray
    hi: np.ndarray
    cliques: int
    clique_sets: list = field(default_factory=list)
    integer_counts: bool = False  # True: the unreduced model (counts integer, no reduction 3), for the tests
    reach: list = field(default_factory=list)  # per line (salary, workers within reach, cheapest seat)
    ceiling: float = math.inf  # no plan is worth more (_ceiling)
    owner: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # the cohort of each count
    mobile: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per cohort: a mobile workshop's
    cap: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # per candidate: one cohort's largest size
    duals: np.ndarray | None = None  # the row duals of the value stage's transportation LP (no budget, no mobile)
    seats_parts: int = 0  # the parts the fewest-seats stage was cut into by the duals (_seats_by_duals; 0: not cut)

    @property
    def n(self) -> int:
        return 2 * self.n_k + self.n_z

    @property
    def integrality(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=int)
        out[:self.n if self.integer_counts else 2 * self.n_k] = 1
        return out


class _Rows:
    """A constraint matrix written row by row (HiGHS's rows: low <= sum of coefficient * column <= high)."""

    def __init__(self):
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, entries, low: float, high: float) -> None:
        """One row: entries are (column, coefficient) pairs."""
        r = len(self.lo)
        for col, val in entries:
            self.rows.append(r)
            self.cols.append(col)
            self.vals.append(val)
        self.lo.append(low)
        self.hi.append(high)

    def arrays(self, n: int) -> tuple:
        """The matrix (rows x n columns, CSR) and the rows' lower and upper bounds."""
        matrix = sparse.csr_array((self.vals, (self.rows, self.cols)), shape=(len(self.lo), n))
        return matrix, np.array(self.lo, dtype=float), np.array(self.hi, dtype=float)


def _build(cands: list[Candidate], pairs: list[tuple[int, int]], lines: dict, conf: PlanSettings,
           mult: np.ndarray | None = None) -> _Model:
    """mult: per candidate, how many identical cohorts it stands for (reduction 4; 1 when None): y is then
    a whole number 0..mult, MIN_COHORT_SEATS * y <= seats <= max_seats * y."""
    n_k, n_z = len(cands), len(pairs)
    mult = np.ones(n_k, dtype=int) if mult is None else np.asarray(mult, dtype=int)
    cap = np.array([c.program.max_seats for c in cands], dtype=int)
    n = 2 * n_k + n_z  # y_0..y_{K-1}, x_0..x_{K-1}, z_0..z_{P-1}

    weights = np.zeros(n)
    for p, (k, lid) in enumerate(pairs):
        weights[2 * n_k + p] = float(lines[lid].weight)
    costs = np.zeros(n)
    upper = np.zeros(n)
    upper[:n_k] = mult
    for k, c in enumerate(cands):
        upper[n_k + k] = c.program.max_seats * mult[k]
        costs[n_k + k] = c.program.cost_per_seat
    for p, (k, lid) in enumerate(pairs):
        upper[2 * n_k + p] = min(lines[lid].shortfall, upper[n_k + k])

    built = _Rows()
    row = built.add
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
    matrix, lo, hi = built.arrays(n)
    # per line: (salary, workers its candidates could take, the cheapest seat among them) for the ceiling
    reach = [(float(lines[lid].weight), min(lines[lid].shortfall, sum(upper[n_k + pairs[p][0]] for p in ps)),
              min(cands[pairs[p][0]].program.cost_per_seat for p in ps)) for lid, ps in by_line.items()]
    return _Model(n_k, n_z, weights, costs, upper, matrix, lo, hi,
                  len(cliques), cliques, reach=reach, mobile=np.array([c.program.mobile for c in cands], dtype=bool),
                  owner=np.array([k for k, _ in pairs], dtype=int), cap=cap)


# --- The greedy start ------------------------------------------------------------------------------------


def greedy(m: _Model, cands: list[Candidate], pairs: list[tuple[int, int]], lines: dict, budget,
           conf: PlanSettings) -> np.ndarray:
    """A fast feasible plan, the solver's start: open the cohort with the most value per CNY (its best
    lines first, at least MIN_COHORT_SEATS seats, at most its largest size, within the money left, never
    on a mobile workshop's route already taken), again and again (lazily: a cohort's value per CNY is
    recomputed when it comes to the top). Not an optimum (the minimum class size makes value per CNY
    first wrong, see the tests): only a plan the solver must beat."""
    n_k = m.n_k
    x = np.zeros(m.n)
    left = {lid: lines[lid].shortfall for _k, lid in pairs}
    money = math.inf if budget is None else float(budget)
    by_k: dict[int, list[int]] = defaultdict(list)
    for p, (k, lid) in enumerate(pairs):
        by_k[k].append(p)
    for ps in by_k.values():
        ps.sort(key=lambda p: -m.weights[2 * n_k + p])
    blocked: set[int] = set()
    in_cliques: dict[int, list[int]] = defaultdict(list)
    for clique in m.clique_sets:
        for k in clique:
            in_cliques[k].append(clique)
    minimum = conf.min_cohort_seats

    def offer(k):
        """(value per CNY, seats, [(pair, count)]) of opening k now, or None."""
        cap = cands[k].program.max_seats
        cost = cands[k].program.cost_per_seat
        if cost > 0 and money < math.inf:
            cap = min(cap, int(money // cost))
        if cap < minimum:
            return None
        taken, counts, value = 0, [], 0.0
        for p in by_k[k]:
            count = min(left[pairs[p][1]], cap - taken)
            if count > 0:
                counts.append((p, count))
                taken += count
                value += count * m.weights[2 * n_k + p]
            if taken >= cap:
                break
        if not counts:
            return None
        seats = max(minimum, taken)
        return value / max(seats * cost, 1e-9), seats, counts

    heap = []
    for k in range(n_k):
        got = offer(k)
        if got:
            heap.append((-got[0], k))
    heapq.heapify(heap)
    while heap:
        _key, k = heapq.heappop(heap)
        if k in blocked:
            continue
        got = offer(k)
        if got is None:
            continue
        if heap and -heap[0][0] > got[0] + 1e-12:
            heapq.heappush(heap, (-got[0], k))
            continue
        _ratio, seats, counts = got
        x[k] += 1
        x[n_k + k] += seats
        money -= seats * cands[k].program.cost_per_seat
        for p, count in counts:
            x[2 * n_k + p] += count
            left[pairs[p][1]] -= count
        if x[k] < m.upper[k]:  # another of its identical cohorts (reduction 4) may open too
            again = offer(k)
            if again:
                heapq.heappush(heap, (-again[0], k))
            continue
        blocked.add(k)
        for clique in in_cliques.get(k, ()):
            blocked.update(clique)
    return x


# --- Solving ---------------------------------------------------------------------------------------------


@dataclass
class _Run:
    x: np.ndarray
    optimal: bool
    gap: float
    objective: float
    bound: float = math.nan  # (a maximisation) no plan is worth more: the value when optimal


def _highs(m: _Model, objective: np.ndarray, maximise: bool, extra: list, time_limit: float | None,
           start: np.ndarray, lower: np.ndarray | None = None, hint: bool = True,
           integer_counts: bool | None = None, presolve: bool = True, relax: bool = False) -> _Run:
    """One solve by HiGHS (highspy) with `start` as its first plan (a MIP start): what it returns is at
    least as good. `extra`: more rows as (sparse rows x n, lows, highs). presolve=False skips HiGHS's
    presolve (see _seats_stage). time_limit counts from this call: building and passing the model spend it too."""
    called = time.perf_counter()
    matrix = sparse.vstack([m.matrix] + [a for a, _, _ in extra]).tocsc()
    lo = np.concatenate([m.lo] + [np.atleast_1d(low) for _, low, _ in extra])
    hi = np.concatenate([m.hi] + [np.atleast_1d(high) for _, _, high in extra])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("threads", 1)
    if not presolve:
        h.setOptionValue("presolve", "off")
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m.n, matrix.shape[0]
    lp.col_cost_ = objective.astype(float)
    lp.col_lower_ = np.zeros(m.n) if lower is None else lower.astype(float)
    lp.col_upper_ = m.upper.astype(float)
    lp.row_lower_, lp.row_upper_ = lo.astype(float), hi.astype(float)
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    integrality = m.integrality
    if integer_counts:
        integrality = np.ones(m.n, dtype=int)
    if relax:  # the linear relaxation
        integrality = np.zeros(m.n, dtype=int)
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                       for i in integrality]
    h.passModel(lp)
    if hint:
        sol = highspy.HighsSolution()
        sol.col_value = start.astype(float).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit) - (time.perf_counter() - called), 0.01))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible,
                  highspy.HighsModelStatus.kSolveError, highspy.HighsModelStatus.kModelError):
        raise PlanError(f"The solver found no plan: {h.modelStatusToString(status)}")
    optimal = status == highspy.HighsModelStatus.kOptimal
    if info.primal_solution_status == 2:  # kSolutionStatusFeasible
        x = np.array(h.getSolution().col_value)
    else:  # stopped before it took even the start: the start (a feasible plan) stands
        x, optimal = np.array(start, dtype=float), False
    if not optimal and (objective @ x < objective @ start if maximise else objective @ x > objective @ start):
        x = np.array(start, dtype=float)  # stopped with a plan worse than the start (not given it): the start
    value = float(objective @ x)
    bound = value
    if optimal:
        gap = 0.0
    elif maximise:
        # The gap against the best bound known: HiGHS's, or (stopped before it had one) the linear
        # relaxation's (a few seconds at most), or `_ceiling`. (bound - value) / bound: the plan is within
        # this share of the best possible plan.
        bound = min(float(info.mip_dual_bound), m.ceiling)
        if not math.isfinite(float(info.mip_dual_bound)) and time_limit is not None:
            for i in range(m.n):
                h.changeColIntegrality(i, highspy.HighsVarType.kContinuous)
            h.setOptionValue("time_limit", max(0.2 * float(time_limit), 1.0))
            h.run()
            if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                bound = min(bound, float(h.getInfo().objective_function_value))
        gap = 0.0 if bound <= 0 else min(max((bound - value) / bound, 0.0), 1.0)
    else:
        gap, bound = reported_gap(info.mip_gap), math.nan
    return _Run(x, optimal, gap, value, bound)


def _milp(cands: list[Candidate], pairs: list[tuple[int, int]], lines: dict, budget, conf: PlanSettings,
          integer_counts: bool = False):
    """The two solves on these candidates and pairs, the whole at once (no parts, no greedy start: the
    empty plan starts). integer_counts: the model before reductions 2 and 3 (counts integer, every cohort
    free in the first solve)."""
    m = _build(cands, pairs, lines, conf)
    m.integer_counts = integer_counts
    if not (m.n_k and m.n_z):
        return np.zeros(m.n, dtype=int), {"gap": 0.0, "status": "optimal", "solves": 0}
    return _lexicographic(m, budget, conf, np.zeros(m.n), time.perf_counter())


def _ceiling(m: _Model, budget) -> float:
    """A value no plan exceeds: every line covered as far as its candidates' largest sizes reach, each
    worker at the cheapest seat that could train them, the most salary per CNY first while the money
    lasts (a fractional knapsack: it forgets the minimum class size and that cohorts share seats, so it
    is only an upper bound). The gap's bound while HiGHS has none of its own."""
    money = math.inf if budget is None else float(budget)
    total = 0.0
    for weight, workers, cost in sorted(m.reach, key=lambda r: -r[0] / max(r[2], 1e-9)):
        take = workers if cost <= 0 else min(workers, money / cost)
        total += weight * take
        money -= take * cost
        if money <= 0:
            break
    return total


def _budget_row(m: _Model, budget) -> list:
    return [] if budget is None else [_row(m.costs, -np.inf, float(budget))]


def _row(coefficients: np.ndarray, low: float, high: float) -> tuple:
    return sparse.csr_array(coefficients.reshape(1, -1)), np.array([low]), np.array([high])


def _lexicographic(m: _Model, budget, conf: PlanSettings, start: np.ndarray, started: float, parts=None):
    """(1) the best value within the budget, from the greedy start; (2) the fewest seats at that value,
    from the first solve's plan -- only when (1) was proven optimal (else the value is not known, and the
    first solve's plan stands). With a time limit, (1) may use up to 70% of it, (2) what is left.
    info["bound"]: no plan of this model is worth more (the value itself when (1) is proven). `parts`:
    independent parts of the model (no budget), each part's value kept by its own row in (2)."""
    info = {"constraints": m.matrix.shape[0] + (budget is not None), "mobile_cliques": m.cliques, "gap": 0.0,
            "status": "optimal", "solves": 0}
    limit = conf.time_limit_seconds or None
    deadline = None if limit is None else started + limit
    first_limit = None if limit is None else min(max(0.7 * limit - (time.perf_counter() - started), 0.05 * limit),
                                                 deadline - time.perf_counter())
    x, first = _value_stage(m, budget, conf, start, first_limit, deadline)
    info.update(solves=1, gap=first.gap, bound=first.bound, value_seconds=round(time.perf_counter() - started, 3))
    if not first.optimal:
        info.update(status="time_limit", second_solve="skipped")
        return x, info
    left = None if limit is None else deadline - time.perf_counter()
    if left is not None and left <= 0:  # the value stage spent the plan's time: its plan stands
        info.update(status="time_limit", second_solve="stopped")
        return x, info
    x, optimal = _seats_stage(m, budget, x, parts, left, conf)
    info.update(solves=2, seats_parts=m.seats_parts, second_solve="optimal" if optimal else "stopped",
                status="optimal" if optimal else "time_limit")
    return x, info


def _value_stage(m: _Model, budget, conf: PlanSettings, start: np.ndarray, time_limit: float | None,
                 deadline: float | None = None):
    """Solve (1): the best value, from `start`; its plan with whole counts, trimmed, and the run.
    time_limit: this solve's seconds; deadline (time.perf_counter()): when the plan's whole time is up,
    the latest the whole counts of the solver's plan may take (else: the start stands, not proven)."""
    m.ceiling = _ceiling(m, budget)
    lower = None
    if budget is None and not m.integer_counts:  # (the unreduced model of the tests: without it)
        # Reduction 3: without a budget every fixed (not mobile) cohort opens at its largest size in the
        # first solve (seats cost nothing there, and more seats never lower the value), so only the mobile
        # workshops' stops are left to choose; the second solve, from this plan trimmed, finds the seats.
        fixed = np.flatnonzero(~m.mobile)
        lower = np.zeros(m.n)
        lower[fixed] = m.upper[fixed]  # (every cohort of a merged class, reduction 4)
        lower[m.n_k + fixed] = m.upper[m.n_k + fixed]
        start = np.maximum(start, lower)
    if lower is not None and not m.mobile.any():
        # Reduction 3 left no choice at all (no mobile workshop): every cohort is open at its largest size
        # and the first solve is the transportation problem of _whole_counts, solved there directly.
        # Its counts are whole already (a vertex of _whole_counts): not solved a second time (at full scale
        # one LP of 151,083 counts, the larger part of the value stage).
        whole = _whole_counts(lower, m, time_limit, keep_duals=True)
        if whole is None:
            return _trim(start, m, conf), _stopped(m, start, m.ceiling)
        first = _Run(whole, True, 0.0, float(m.weights @ whole), float(m.weights @ whole))
        return _trim(whole, m, conf), first
    first = _highs(m, m.weights, True, _budget_row(m, budget), time_limit, start, lower)
    whole = _whole_counts(_integral(first.x, m), m, None if deadline is None else deadline - time.perf_counter())
    if whole is None:  # the plan's time ran out before the solver's plan was made whole: the start stands
        return _trim(start, m, conf), _stopped(m, start, first.bound if math.isfinite(first.bound) else m.ceiling)
    return _trim(whole, m, conf), first


def _stopped(m: _Model, x: np.ndarray, bound: float) -> _Run:
    """The run of a value stage stopped by the time limit with plan x (whole) and a true bound."""
    value = float(m.weights @ x)
    bound = max(float(bound), value)
    return _Run(x, False, 0.0 if bound <= 0 else min(max((bound - value) / bound, 0.0), 1.0), value, bound)


def _seats_stage(m: _Model, budget, x: np.ndarray, parts, time_limit: float | None, conf: PlanSettings):
    """Solve (2): the fewest seats at x's value (per part, with `parts`), from x; the plan and whether
    it is proven. The solver's plan is trimmed (_trim): among plans of as few seats, a merged class
    opens as few cohorts as hold its counts (30 + 15 seats, not 25 + 10 + 10) -- never more seats.
    time_limit: the plan's time left, for the solve and the whole counts together (the counts are integer
    variables here, so rounding the solver's plan is normally enough: _rounded; else _whole_counts with
    what is left, and if that runs out too, x stands, not proven)."""
    called = time.perf_counter()
    if budget is None and m.duals is not None and not m.mobile.any() and not m.integer_counts:
        apart = _seats_by_duals(m, x, time_limit, conf)
        if apart is not None:
            return apart
    seats = np.zeros(m.n)
    seats[m.n_k:2 * m.n_k] = 1
    if parts and len(parts) > 1:
        block = np.zeros(m.n, dtype=int)
        n_k = m.n_k
        for b, (ks, ps) in enumerate(parts):
            block[ks] = b
            block[[n_k + k for k in ks]] = b
            block[[2 * n_k + p for p in ps]] = b
        best = np.bincount(block, weights=m.weights * x, minlength=len(parts))
        keep = [(sparse.csr_array((m.weights, (block, np.arange(m.n))), shape=(len(parts), m.n)),
                 best - VALUE_TOLERANCE, np.full(len(parts), np.inf))]
    else:
        keep = [_row(m.weights, float(m.weights @ x) - VALUE_TOLERANCE, np.inf)]
    # The second solve with whole counts and without the start was measured faster (4,000 lines under a
    # binding budget: 4.8 s CPU against 9.5 s); its start still stands if it is stopped with nothing better.
    # Without a budget HiGHS's presolve is skipped here: on the full-scale early warning (one part of
    # 15,718 candidates) its dual fixing ran 19 minutes without looking at the time limit (HiGHS issues
    # #1501, #3022); without presolve the plan took 66.5 s wall, and the synthetic no-budget runs were
    # unchanged. Under a binding budget presolve pays (10,000 lines, 5 %: 36-56 s CPU with it, 342 s
    # without), so it stays on there (bench/README.md, "The training plan at full scale").
    second = _highs(m, seats, False, _budget_row(m, budget) + keep, time_limit, x, hint=False, integer_counts=True,
                    presolve=budget is not None)
    whole = _rounded(second.x, m, budget, float(m.weights @ x))
    if whole is None:
        left = None if time_limit is None else time_limit - (time.perf_counter() - called)
        whole = _whole_counts(_integral(second.x, m), m, left)
    if whole is None:
        return x, False
    return _trim(whole, m, conf), second.optimal


def _optimal_duals(m: _Model, x: np.ndarray):
    """(u per line row, v per cohort row) in whole cents: an optimal dual of the value stage's
    transportation LP (every cohort open at its largest size, no budget, no mobile workshop), checked
    exactly in integers -- dual feasible (u, v >= 0, u_line + v_cohort >= the pair's salary) and of the
    value of x's counts -- so it proves x's value the best; None when the solver's duals do not pass."""
    n_k, n_z = m.n_k, m.n_z
    n_lines = m.matrix.shape[0] - 3 * n_k - m.cliques
    rd = m.duals
    if rd is None or len(rd) != m.matrix.shape[0] or n_lines <= 0:
        return None
    w = np.round(m.weights[2 * n_k:] * 100).astype(np.int64)
    z = np.round(x[2 * n_k:]).astype(np.int64)
    rows = m.matrix.tocsc()[3 * n_k:3 * n_k + n_lines, 2 * n_k:].tocoo()
    line_of = np.zeros(n_z, dtype=np.int64)
    line_of[rows.col] = rows.row
    shortfall = np.round(m.hi[3 * n_k:3 * n_k + n_lines]).astype(np.int64)
    size = np.round(m.upper[n_k:2 * n_k]).astype(np.int64)
    for sign in (-1.0, 1.0):
        v = np.round(sign * rd[2 * n_k:3 * n_k] * 100).astype(np.int64)
        u = np.round(sign * rd[3 * n_k:3 * n_k + n_lines] * 100).astype(np.int64)
        if (v < 0).any() or (u < 0).any() or (u[line_of] + v[m.owner] < w).any():
            continue
        if int(u @ shortfall + v @ size) == int(w @ z):
            return u, v, line_of, w
    return None


def _seats_by_duals(m: _Model, x: np.ndarray, time_limit: float | None, conf: PlanSettings):
    """The fewest seats at the best value without a budget and without mobile workshops, by parts that the
    value's optimal dual cuts apart. With an optimal dual (u, v) of the transportation LP (checked in
    whole cents: _optimal_duals), the plans of the best value are exactly the plans whose counts keep
    complementary slackness: no count on a pair with u + v above its salary, every line with u > 0
    covered to its shortfall, every cohort with v > 0 full (a plan's counts fit the LP with every cohort
    at its largest size, and reach its optimum exactly when they meet these). So the value row is not
    needed, and the pairs left fall apart into independent parts, each solved for its fewest seats on
    its own (in batches of BATCH_CANDIDATES candidates). None when the duals do not pass the check."""
    called = time.perf_counter()
    got = _optimal_duals(m, x)
    if got is None:
        return None
    u, v, line_of, w = got
    n_k = m.n_k
    n_lines = len(u)
    keep = np.flatnonzero(u[line_of] + v[m.owner] == w)
    from scipy.sparse.csgraph import connected_components
    graph = sparse.coo_array((np.ones(len(keep)), (m.owner[keep], n_k + line_of[keep])),
                             shape=(n_k + n_lines, n_k + n_lines))
    _n, label = connected_components(graph, directed=False)
    comps: dict[int, list[int]] = defaultdict(list)
    for k in range(n_k):
        comps[label[k]].append(k)
    pairs_of: dict[int, list[int]] = defaultdict(list)
    for p in keep:
        pairs_of[label[m.owner[p]]].append(int(p))
    out = np.zeros(m.n)
    lo, hi = m.lo.copy(), m.hi.copy()
    lo[3 * n_k:3 * n_k + n_lines] = np.where(u > 0, hi[3 * n_k:3 * n_k + n_lines], -np.inf)
    full = v > 0
    optimal = True
    # the small parts first (most are proven in milliseconds), the largest last with the time left
    parts = sorted(((ks, pairs_of[c]) for c, ks in comps.items() if pairs_of[c]), key=lambda kp: (len(kp[1]), kp[0][0]))
    for batch in _batches(parts):
        ks = [k for part_ks, _ in batch for k in part_ks]
        ps = [p for _, part_ps in batch for p in part_ps]
        classes = _SeatClasses(m, ks, ps, line_of, lo, hi, full, conf.min_cohort_seats)
        left = None if time_limit is None else time_limit - (time.perf_counter() - called)
        start = classes.aggregate(x)
        if left is not None and left <= 0:
            run_x, proven = start, False
        else:
            run_x, proven = classes.solve(start, left)
        classes.split(run_x, out)
        optimal = optimal and proven
    whole = _rounded(out, m, None, float(m.weights @ x))
    if whole is None:
        return None
    m.seats_parts = len(parts)
    return _trim(whole, m, conf), optimal


# A batch of the fewest-seats stage with at least this many classes first looks for a plan where its linear
# relaxation opens classes (_SeatClasses.solve): measured at full scale (bench/README.md).
RENS_CLASSES = 500


class _SeatClasses:
    """One batch of the fewest-seats stage (_seats_by_duals) with its alike cohorts as one class. There the
    budget is gone, so a cohort's cost enters no row and no objective: cohorts with the same pairs left by
    the duals (the same lines) and the same `full` flag are interchangeable but for their largest sizes,
    and become one class (at full scale the largest part's 11,152 cohorts are 3,018 classes):

        Y_c  whole, 0..M_c            its open cohorts (M_c: its members' cohorts, reduction 4 counted)
        X_c  whole                    its seats: MIN_COHORT_SEATS * Y_c <= X_c <= f_c(Y_c)
        Z_cj whole >= 0               its counts on line j, sum_j Z_cj <= X_c (= X_c when full)

    f_c(Y) is the sum of the Y largest sizes among its cohorts: concave and piecewise linear, so
    `X_c <= f_c(Y_c)` is one row per distinct size s (X_c - s * Y_c <= f_c(t) - s * t, t: the cohorts
    larger than s). Exact: Y cohorts with sizes in [MIN, their largest] hold exactly the whole totals in
    [MIN * Y, the sum of their largest], the union over the choices of Y cohorts is [MIN * Y, f_c(Y)], and
    the counts, on the same lines for every member, go to any members whose seats hold them; `split` gives
    Y to the largest cohorts first, MIN seats each then filled in that order, the counts in line order.
    Cohorts whose largest size is below MIN (which never open) are classes of their own size.

    With the reach row of the old sub-model (bench/README.md): a class whose lines can take at most
    `reach` workers in all, below its largest size, gets sum_j Z_cj <= reach * Y_c (valid: an open class
    counts at most reach, a closed one none), so the relaxation sees the minimum class size."""

    def __init__(self, m: _Model, ks: list[int], ps: list[int], line_of: np.ndarray, lo: np.ndarray,
                 hi: np.ndarray, full: np.ndarray, minimum: int):
        n_k = m.n_k
        self.m, self.n_k, self.minimum = m, n_k, minimum
        lines_of: dict[int, list[int]] = defaultdict(list)
        for p in ps:
            lines_of[int(m.owner[p])].append(int(line_of[p]))
        index: dict[tuple, int] = {}
        self.members: list[list[int]] = []
        for k in ks:
            size = int(m.cap[k])
            key = (tuple(sorted(lines_of[k])), bool(full[k]), size if size < minimum else None)
            if key not in index:
                index[key] = len(self.members)
                self.members.append([])
            self.members[index[key]].append(k)
        for members in self.members:
            members.sort(key=lambda k: (-int(m.cap[k]), k))
        self.pair_of = {(int(m.owner[p]), int(line_of[p])): int(p) for p in ps}
        self.lines = [sorted(lines_of[members[0]]) for members in self.members]
        n_c = len(self.members)
        self.cpairs = [(c, j) for c in range(n_c) for j in self.lines[c]]
        n_p = len(self.cpairs)
        n = 2 * n_c + n_p
        upper = np.zeros(n)
        lower = np.zeros(n)
        built = _Rows()
        row = built.add
        by_c: dict[int, list[int]] = defaultdict(list)
        by_line: dict[int, list[int]] = defaultdict(list)
        for i, (c, j) in enumerate(self.cpairs):
            by_c[c].append(i)
            by_line[j].append(i)
        for c, members in enumerate(self.members):
            count = int(sum(round(m.upper[k]) for k in members))
            most = int(sum(int(m.cap[k]) * round(m.upper[k]) for k in members))
            upper[c], upper[n_c + c] = count, most
            if full[members[0]]:
                lower[c], lower[n_c + c] = count, most
            row([(n_c + c, 1.0), (c, -float(minimum))], 0.0, np.inf)  # X >= MIN * Y
            taken, total, last = 0, 0, None
            for k in members:  # X <= f(Y), one row per distinct size, largest first
                size, copies = int(m.cap[k]), int(round(m.upper[k]))
                if taken == 0 or size != last:
                    row([(n_c + c, 1.0), (c, -float(size))], -np.inf, float(total - size * taken))
                last = size
                taken += copies
                total += size * copies
            for i in by_c[c]:
                upper[2 * n_c + i] = min(hi[3 * n_k + self.cpairs[i][1]], most)
            row([(2 * n_c + i, 1.0) for i in by_c[c]] + [(n_c + c, -1.0)], 0.0 if full[members[0]] else -np.inf, 0.0)
        for j, idx in sorted(by_line.items()):
            row([(2 * n_c + i, 1.0) for i in idx], float(lo[3 * n_k + j]), float(hi[3 * n_k + j]))
        for c, members in enumerate(self.members):
            reach = float(sum(upper[2 * n_c + i] for i in by_c[c]))
            if by_c[c] and reach < int(m.cap[members[0]]):
                row([(2 * n_c + i, 1.0) for i in by_c[c]] + [(c, -reach)], -np.inf, 0.0)
        matrix, rlo, rhi = built.arrays(n)
        self.model = _Model(n_c, n_p, np.zeros(n), np.zeros(n), upper, matrix, rlo, rhi, 0)
        self.lower = lower
        self.seats = np.zeros(n)
        self.seats[n_c:2 * n_c] = 1

    def aggregate(self, x: np.ndarray) -> np.ndarray:
        """x (a plan of the whole model) in the classes' columns."""
        n_k, n_c = self.n_k, len(self.members)
        out = np.zeros(self.model.n)
        for c, members in enumerate(self.members):
            out[c] = sum(x[k] for k in members)
            out[n_c + c] = sum(x[n_k + k] for k in members)
        for i, (c, j) in enumerate(self.cpairs):
            out[2 * n_c + i] = sum(x[2 * n_k + self.pair_of[(k, j)]] for k in self.members[c])
        return out

    def solve(self, start: np.ndarray, time_limit: float | None) -> tuple[np.ndarray, bool]:
        """The fewest seats of the batch from `start` (the classes' plan and whether it is proven). A large
        batch first solves its linear relaxation and then the model with only the classes that relaxation
        opens (a restriction: any plan found is a plan of the whole, RENS): at full scale that finds the
        optimum in seconds, where HiGHS alone found no better plan than the start in 50 s; the whole model
        is then solved from the better of the two plans, which proves it (or finds better)."""
        called = time.perf_counter()
        sub = self.model
        n_c = len(self.members)
        if n_c >= RENS_CLASSES:
            half = None if time_limit is None else 0.5 * time_limit
            relaxed = _highs(sub, self.seats, False, [], half, start, self.lower, hint=False, relax=True)
            if relaxed.optimal:
                restricted = _Model(sub.n_k, sub.n_z, sub.weights, sub.costs, sub.upper.copy(), sub.matrix, sub.lo,
                                    sub.hi, 0)
                closed = relaxed.x[:n_c] <= 1e-9
                restricted.upper[:n_c][closed] = 0
                restricted.upper[n_c:2 * n_c][closed] = 0
                restricted.upper[2 * n_c:][closed[[c for c, _ in self.cpairs]]] = 0
                left = None if half is None else half - (time.perf_counter() - called)
                if left is None or left > 0:
                    found = _highs(restricted, self.seats, False, [], left, start, self.lower, hint=False,
                                   integer_counts=True)
                    if self.seats @ found.x < self.seats @ start:
                        start = found.x
        left = None if time_limit is None else time_limit - (time.perf_counter() - called)
        if left is not None and left <= 0:
            return start, False
        run = _highs(sub, self.seats, False, [], left, start, self.lower, hint=True, integer_counts=True)
        return run.x, run.optimal

    def split(self, xs: np.ndarray, out: np.ndarray) -> None:
        """The classes' plan xs back to the cohorts, into out (the whole model's columns): a class's open
        cohorts the largest first, MIN seats each and the rest filled in that order, its counts per line in
        line order into its cohorts' seats."""
        n_k, n_c, m = self.n_k, len(self.members), self.m
        xs = np.round(xs).astype(int)
        counts: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for i, (c, j) in enumerate(self.cpairs):
            if xs[2 * n_c + i] > 0:
                counts[c].append((j, int(xs[2 * n_c + i])))
        for c, members in enumerate(self.members):
            opened, extra = int(xs[c]), int(xs[n_c + c]) - self.minimum * int(xs[c])
            room = []  # (cohort, seats) of the members that open
            for k in members:
                y = min(int(round(m.upper[k])), opened)
                opened -= y
                seats = self.minimum * y
                more = min(max(int(m.cap[k]) - self.minimum, 0) * y, max(extra, 0))
                seats += more
                extra -= more
                out[k], out[n_k + k] = y, seats
                if y:
                    room.append([k, seats])
            if opened or extra:  # not a plan of the class's rows: the caller's check (_rounded) rejects it
                out[members[0]] += opened
                out[n_k + members[0]] += extra
            at = 0
            for j, count in counts[c]:
                while count > 0 and at < len(room):
                    take = min(count, room[at][1])
                    if take:
                        out[2 * n_k + self.pair_of[(room[at][0], j)]] += take
                        room[at][1] -= take
                        count -= take
                    if room[at][1] == 0:
                        at += 1
                if count:  # more counts than seats: rejected by _rounded
                    out[2 * n_k + self.pair_of[(members[0], j)]] += count


BATCH_CANDIDATES = 100


def _batches(parts: list[tuple[list, list]]) -> list[list[tuple[list, list]]]:
    """The parts in their order, cut into consecutive batches of at least BATCH_CANDIDATES candidates
    (the last may be smaller)."""
    out, current, size = [], [], 0
    for part in parts:
        current.append(part)
        size += len(part[0])
        if size >= BATCH_CANDIDATES:
            out.append(current)
            current, size = [], 0
    if current:
        out.append(current)
    return out


def _solve_apart(cands: list[Candidate], pairs: list[tuple[int, int]], lines: dict, conf: PlanSettings,
                 parts: list[tuple[list, list]], started: float, mult: np.ndarray | None = None):
    """Without a binding budget, each independent part (no line, no mobile route shared) by its own two
    solves. Exact: the parts share no variable and no row, so the best value is the sum of the parts' best
    values, and a plan reaches it only when every part is at its best (a part below its best could be
    replaced by its best plan, raising the sum); the fewest seats at that value are then the sum of each
    part's fewest seats at its best value. (Before: one solve of everything with a value row per part;
    a few dozen candidates per part are solved in milliseconds, the whole's branch and bound was the
    cost.) With a time limit, as for the whole: first every batch's best value within 70% of it (a batch
    reached after that keeps its greedy plan, trimmed), then the fewest seats batch by batch with what is
    left (a batch reached after the limit keeps its plan of the best value, trimmed); the gap is
    (sum of the bounds - value) / sum of the bounds.

    Parts are solved in batches of about BATCH_CANDIDATES candidates (each part's value by its own row
    in the second solve, as the whole once was): one HiGHS run per part costs a few milliseconds even
    for one candidate, one run for everything is a slow branch and bound (10,000 lines, CPU s of the
    two solves: 13.3 one part at a time, 3.0 in batches of 100, 6.5 all at once; bench/README.md)."""
    n_k = len(cands)
    x = np.zeros(2 * n_k + len(pairs), dtype=int)
    limit = conf.time_limit_seconds or None
    info = {"constraints": 0, "mobile_cliques": 0, "gap": 0.0, "status": "optimal", "solves": 2,
            "second_solve": "optimal", "greedy_value": 0.0, "value_seconds": 0.0, "batches": 0, "seats_parts": 0}
    value = bound = 0.0
    done = []
    for batch in _batches(parts):  # (1) every batch's best value first, within 70% of the limit
        info["batches"] += 1
        ks = [k for part_ks, _ in batch for k in part_ks]
        ps = [p for _, part_ps in batch for p in part_ps]
        index = {k: i for i, k in enumerate(ks)}
        pair_index = {p: i for i, p in enumerate(ps)}
        sub = [cands[k] for k in ks]
        sub_pairs = [(index[pairs[p][0]], pairs[p][1]) for p in ps]
        sub_parts = [([index[k] for k in part_ks], [pair_index[p] for p in part_ps]) for part_ks, part_ps in batch]
        m = _build(sub, sub_pairs, lines, conf, None if mult is None else mult[ks])
        start = greedy(m, sub, sub_pairs, lines, None, conf)
        info["greedy_value"] += float(m.weights @ start)
        info["constraints"] += m.matrix.shape[0]
        info["mobile_cliques"] += m.cliques
        left = None if limit is None else 0.7 * limit - (time.perf_counter() - started)
        if left is not None and left <= 0:
            m.ceiling = _ceiling(m, None)
            sx, proven, part_bound = _trim(start, m, conf), False, m.ceiling
        else:
            sx, first = _value_stage(m, None, conf, start, left, None if limit is None else started + limit)
            proven, part_bound = first.optimal, first.bound
        value += float(m.weights @ sx)
        bound += max(float(part_bound), float(m.weights @ sx))
        done.append((m, ks, ps, sub_parts, sx, proven))
    info["value_seconds"] = round(time.perf_counter() - started, 3)
    for m, ks, ps, sub_parts, sx, proven in done:  # (2) the fewest seats, batch by batch, with what is left
        left = None if limit is None else limit - (time.perf_counter() - started)
        if not proven:
            info.update(status="time_limit", second_solve="skipped")
        elif left is not None and left <= 0:
            info["status"] = "time_limit"
            if info["second_solve"] == "optimal":
                info["second_solve"] = "stopped"
        else:
            sx, optimal = _seats_stage(m, None, sx, sub_parts, left, conf)
            info["seats_parts"] += m.seats_parts
            if not optimal:
                info["status"] = "time_limit"
                if info["second_solve"] == "optimal":
                    info["second_solve"] = "stopped"
        n_sub = len(ks)
        x[ks] = sx[:n_sub]
        x[[n_k + k for k in ks]] = sx[n_sub:2 * n_sub]
        x[[2 * n_k + p for p in ps]] = sx[2 * n_sub:]
    if info["second_solve"] == "skipped":
        info["solves"] = 1
    if bound > 0 and info["second_solve"] == "skipped":  # (else every batch's value is proven: gap 0)
        info["gap"] = min(max((bound - value) / bound, 0.0), 1.0)
    info["greedy_value"] = round(info["greedy_value"], 2)
    return x, info


def _trim(x: np.ndarray, m: _Model, conf: PlanSettings) -> np.ndarray:
    """The same plan without seats nobody fills: a cohort covering nobody closes, the others keep their
    counts' sum of seats, at least MIN_COHORT_SEATS. Same value, fewer seats and less money, every rule
    kept (the second solve's start)."""
    n_k = m.n_k
    out = np.array(x, dtype=int)
    covered = np.bincount(m.owner, weights=out[2 * n_k:], minlength=n_k).round().astype(int)
    for k in range(n_k):
        if covered[k] <= 0:
            out[k] = out[n_k + k] = 0
        elif out[k]:
            # a merged class (reduction 4): as few of its cohorts as hold the counts
            out[k] = min(out[k], -(-covered[k] // int(m.cap[k])))
            out[n_k + k] = max(conf.min_cohort_seats * out[k], covered[k])
    return out


def _integral(x: np.ndarray, m: _Model) -> np.ndarray:
    """The solver's plan with y and the seats rounded (they are integer variables; HiGHS leaves them
    within its feasibility tolerance of a whole number)."""
    out = np.array(x, dtype=float)
    out[:2 * m.n_k] = np.round(out[:2 * m.n_k])
    return out


def _whole_counts(x: np.ndarray, m: _Model, time_limit: float | None = None,
                 keep_duals: bool = False) -> np.ndarray | None:
    """Whole counts for the cohorts and seats of x, as valuable as x's counts (reduction 2): with the
    seats fixed, the counts form a transportation problem (seats of each cohort -> shortfall of each
    line), whose matrix is totally unimodular, so the simplex's optimal vertex is whole. None when
    `time_limit` (seconds, the plan's time left) ran out first: the caller keeps a plan it has."""
    n_k = m.n_k
    if not m.n_z:
        return np.round(x).astype(int)
    if time_limit is not None and time_limit <= 0:
        return None
    fixed = np.array(m.upper, dtype=float)
    lower = np.zeros(m.n)
    lower[:2 * n_k] = fixed[:2 * n_k] = x[:2 * n_k]
    if keep_duals:  # (the counts' bounds follow from the rows: without them every dual is a row's, _optimal_duals)
        fixed[2 * n_k:] = np.inf
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("threads", 1)
    matrix = m.matrix.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m.n, matrix.shape[0]
    lp.col_cost_ = m.weights.astype(float)
    lp.col_lower_, lp.col_upper_ = lower, fixed
    lp.row_lower_, lp.row_upper_ = m.lo.astype(float), m.hi.astype(float)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    h.passModel(lp)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
        return None
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise PlanError(f"The solver found no counts for the plan: {h.modelStatusToString(h.getModelStatus())}")
    z = np.array(h.getSolution().col_value)
    out = np.round(z).astype(int)
    out[:2 * n_k] = np.round(x[:2 * n_k]).astype(int)
    if (np.abs(z[2 * n_k:] - out[2 * n_k:]).max(initial=0) > 1e-6
            or m.weights @ out < m.weights @ x - VALUE_TOLERANCE):
        raise PlanError("The solver's counts could not be made whole.")
    if keep_duals:
        m.duals = np.array(h.getSolution().row_dual)
    return out


def _rounded(x: np.ndarray, m: _Model, budget, value: float) -> np.ndarray | None:
    """The solver's plan with every variable rounded, when that keeps every row (the budget's too) and the
    value `value`: a plan of the fewest-seats solve, whose counts are integer variables already (HiGHS
    leaves them within its tolerance of whole numbers), needs no transportation LP (_whole_counts,
    seconds at full scale) to be whole. None when the rounded plan breaks a row: then _whole_counts."""
    out = np.round(x).astype(int)
    rows = m.matrix @ out
    if ((out < 0).any() or (out > np.round(m.upper)).any() or (rows < m.lo - 1e-9).any()
            or (rows > m.hi + 1e-9).any() or m.weights @ out < value - VALUE_TOLERANCE):
        return None
    if budget is not None and m.costs @ out > float(budget) + 1e-6:
        return None
    return out


def reported_gap(*gaps) -> float:
    """The largest of the solves' MIP gaps; a gap HiGHS reports as infinite or NaN (a time limit with
    only a plan of value 0, against which no relative gap exists) is reported as 1 (100%), as when
    the second solve finds no plan: JSON (and the plan's record) has no Infinity."""
    worst = 0.0
    for gap in gaps:
        gap = float(gap or 0.0)
        worst = max(worst, min(gap, 1.0) if math.isfinite(gap) else 1.0)
    return worst


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
