"""The training plan's optimiser (projects.plan.optimiser): every constraint on hand-made cases, and the
exact optimum against a brute force on small random instances. Pure: no database."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from projects.plan import optimiser as opt

TODAY = dt.date(2026, 1, 10)
N = dt.date(2026, 9, 1)


def line(id=1, region=1, occupation="8341", shortfall=20, need=N, weight="5000", languages=(), certification="",
         quarter="2026Q3"):
    return opt.PlanLine(id=id, region_id=region, region_code=f"R{region}", occupation_code=occupation,
                        quarter=quarter, shortfall=shortfall, need_date=need, end_date=need + dt.timedelta(days=60),
                        weight=Decimal(weight), languages=tuple(languages), certification=certification)


def program(id=1, occupations=("8341",), duration=120, max_seats=30, cost=9000, languages=("ru",),
            certifications=(), serves=(), mobile=False, busy=(), college="C1"):
    return opt.PlanProgram(id=id, code=f"P{id}", college_id=1, college_code=college, country="KZ",
                           occupation_codes=tuple(occupations), duration_days=duration, max_seats=max_seats,
                           cost_per_seat=cost, languages=tuple(languages), certifications=tuple(certifications),
                           serves_region_ids=frozenset(serves), mobile=mobile, busy=tuple(busy))


def plan(lines, programs, budget=10**9, **conf):
    money = None if budget is None else Decimal(budget)
    return opt.solve(opt.PlanInput(TODAY, money, tuple(lines), tuple(programs), opt.PlanSettings(**conf)))


def reasons(result):
    """Line id -> (reason, workers), or a list of them when a line's uncovered workers have several reasons."""
    out = {}
    for u in result.uncovered:
        out.setdefault(u.line.id, []).append((u.reason, u.remaining))
    return {lid: items[0] if len(items) == 1 else items for lid, items in out.items()}


def test_it_opens_one_cohort_with_the_shortfall_as_seats_and_intake_n_minus_duration():
    result = plan([line(shortfall=20)], [program(duration=120)])
    [p] = result.proposals
    assert (p.seats, p.intake_date, p.graduation_date) == (20, N - dt.timedelta(days=120), N)
    assert p.cost_cny == 20 * 9000 and result.spent == 180000
    assert p.value == Decimal("100000.00") and result.value == Decimal("100000.00")
    assert result.uncovered == [] and result.solver["gap"] == 0.0 and result.solver["status"] == "optimal"


def test_a_class_opens_with_at_least_the_minimum_seats():
    result = plan([line(shortfall=3)], [program()], min_cohort_seats=10)
    [p] = result.proposals
    assert p.seats == 10 and p.covers[0][1] == 3 and p.cost_cny == 90000


def test_capacity_caps_the_seats_and_names_the_reason():
    result = plan([line(shortfall=50)], [program(max_seats=30)])
    assert [p.seats for p in result.proposals] == [30]
    assert reasons(result) == {1: (opt.CAPACITY, 20)}


def test_a_program_whose_largest_cohort_is_below_the_minimum_cannot_open():
    result = plan([line(shortfall=50)], [program(max_seats=8)], min_cohort_seats=10)
    assert result.proposals == [] and reasons(result) == {1: (opt.CAPACITY, 50)}


def test_intake_before_today_is_too_late():
    result = plan([line(need=TODAY + dt.timedelta(days=100))], [program(duration=120)])
    assert result.proposals == [] and reasons(result)[1][0] == opt.TOO_LATE
    result = plan([line(need=TODAY + dt.timedelta(days=120))], [program(duration=120)])
    assert result.proposals[0].intake_date == TODAY  # today itself is still in time


def test_language_and_certification_must_be_met():
    assert reasons(plan([line(languages=("kk",))], [program(languages=("ru",))]))[1][0] == opt.NO_CANDIDATE
    assert plan([line(languages=("kk", "ru"))], [program(languages=("ru",))]).proposals
    assert reasons(plan([line(certification="WELD-3")], [program()]))[1][0] == opt.NO_CANDIDATE
    assert plan([line(certification="weld-3")], [program(certifications=("WELD-3",))]).proposals


def test_occupation_and_region_must_match():
    assert reasons(plan([line(occupation="7212")], [program()]))[1][0] == opt.NO_CANDIDATE
    assert reasons(plan([line(region=2)], [program(serves=(1,))]))[1][0] == opt.NO_CANDIDATE


def test_budget_limits_the_plan_and_names_the_reason():
    result = plan([line(shortfall=20)], [program(cost=1000)], budget=15500)
    assert [p.seats for p in result.proposals] == [15] and result.spent == 15000
    assert reasons(result) == {1: (opt.BUDGET, 5)}
    result = plan([line(shortfall=20)], [program(cost=1000)], budget=9999)
    assert result.proposals == [] and reasons(result) == {1: (opt.BUDGET, 20)}


def test_the_worked_example_of_the_contract():
    # docs/contract.md, section 10: shortfall 115 at a CNY midpoint of 5,040; LUBAN/HARV up to 40 seats at
    # 9,000 CNY. Budget 300,000: 33 seats (297,000), value 166,320; of the 82 left, 75 for capacity, 7 budget.
    entry = line(shortfall=115, weight="5040")
    result = plan([entry], [program(max_seats=40, cost=9000)], budget=300000)
    [p] = result.proposals
    assert (p.seats, p.cost_cny, p.value) == (33, 297000, Decimal("166320.00"))
    assert reasons(result) == {1: [(opt.BUDGET, 7), (opt.CAPACITY, 75)]}
    unlimited = plan([entry], [program(max_seats=40, cost=9000)], budget=None)
    assert [(p.seats, p.cost_cny) for p in unlimited.proposals] == [(40, 360000)]
    assert reasons(unlimited) == {1: (opt.CAPACITY, 75)}
    assert [p.seats for p in plan([line(shortfall=25)], [program(max_seats=40)], budget=None).proposals] == [25]


def test_higher_paid_lines_first_within_the_budget():
    lines = [line(1, occupation="8341", weight="4000", shortfall=10),
             line(2, occupation="7212", weight="9000", shortfall=10)]
    progs = [program(1, occupations=("8341",), cost=1000), program(2, occupations=("7212",), cost=1000)]
    result = plan(lines, progs, budget=10000)
    assert [p.program.id for p in result.proposals] == [2]


def test_best_value_per_cny_first_is_wrong_with_the_minimum_class_size():
    # Greedy by value per seat opens the best-paid line first (9000 a seat), but its class needs 10 seats
    # for 5 trainees (45000); the money left opens one more class (60000): 105000. The optimum opens the
    # two 6000 classes, every seat used: 2 x 10 x 6000 = 120000.
    lines = [line(1, occupation="A", weight="9000", shortfall=5),
             line(2, occupation="B", weight="6000", shortfall=10),
             line(3, occupation="C", weight="6000", shortfall=10)]
    progs = [program(1, occupations=("A",), cost=1), program(2, occupations=("B",), cost=1),
             program(3, occupations=("C",), cost=1)]
    result = plan(lines, progs, budget=20, min_cohort_seats=10)
    assert sorted(p.program.id for p in result.proposals) == [2, 3]
    assert result.value == Decimal("120000.00")


def test_ties_favour_fewer_seats():
    # One cohort can cover both regions' lines (same need date); two separate classes would need the
    # minimum seats twice for the same value.
    lines = [line(1, region=1, shortfall=6), line(2, region=2, shortfall=6)]
    progs = [program(1, serves=(1, 2), cost=1), program(2, serves=(1,), cost=1), program(3, serves=(2,), cost=1)]
    result = plan(lines, progs, min_cohort_seats=10)
    [p] = result.proposals
    assert p.seats == 12 and p.region_codes == ["R1", "R2"]


def test_a_cohort_covers_every_line_it_is_timely_for():
    # Graduating on 1 September is timely for a line needing workers on 1 November (within 180 days).
    lines = [line(1, shortfall=10), line(2, shortfall=10, need=dt.date(2026, 11, 1), quarter="2026Q4")]
    result = plan(lines, [program(mobile=False)], min_cohort_seats=10)
    assert sum(p.seats for p in result.proposals) == 20
    assert result.uncovered == []


def test_a_mobile_workshop_stops_in_one_region_per_cohort():
    lines = [line(1, region=1, shortfall=10), line(2, region=2, shortfall=10, weight="6000")]
    result = plan(lines, [program(serves=(1, 2), mobile=True)], min_cohort_seats=10)
    [p] = result.proposals  # the two stops would overlap: one region, the better paid
    assert p.region_codes == ["R2"] and p.region_id == 2
    assert reasons(result) == {1: (opt.CAPACITY, 10)}


def test_mobile_stops_keep_the_transfer_days_between_them():
    first_need = dt.date(2026, 5, 1)
    # duration 60: stop 1 runs 2 Mar - 1 May; stop 2 must start on or after 15 May.
    ok = line(2, region=2, need=dt.date(2026, 7, 14), shortfall=10)  # intake 15 May: 14 days after
    short = line(2, region=2, need=dt.date(2026, 7, 13), shortfall=10)  # intake 14 May: 13 days after
    prog = program(serves=(1, 2), mobile=True, duration=60)
    first = line(1, region=1, need=first_need, shortfall=10, weight="6000")
    assert len(plan([first, ok], [prog], mobile_transfer_days=14).proposals) == 2
    result = plan([first, short], [prog], mobile_transfer_days=14)
    assert len(result.proposals) == 1 and result.proposals[0].region_id == 1
    # A fixed program has no route: both regions' lines are covered.
    fixed = plan([first, short], [program(serves=(1, 2), duration=60)])
    assert fixed.uncovered == [] and sum(p.seats for p in fixed.proposals) == 20


def test_a_mobile_workshops_existing_cohorts_take_its_route():
    busy = [(N - dt.timedelta(days=100), N - dt.timedelta(days=10))]
    result = plan([line()], [program(mobile=True, busy=busy)])
    assert result.proposals == [] and reasons(result)[1][0] == opt.CAPACITY


# --- Against a brute force --------------------------------------------------------------------------------


def brute_force(inp: opt.PlanInput):
    """Every choice of seats per candidate (0 or MIN..cap), mobile overlaps and budget checked by hand, the
    best allocation of each choice by linear programming (a transportation problem: integral); the best
    value, then the fewest seats."""
    cands, _ = opt.candidates(inp)
    conf = inp.settings
    lines = {l.id: l for l in inp.lines}
    best = (Decimal(-1), 0)
    options = [[0, *range(conf.min_cohort_seats, c.program.max_seats + 1)] for c in cands]
    for seats in itertools.product(*options):
        if sum(s * c.program.cost_per_seat for s, c in zip(seats, cands)) > inp.budget:
            continue
        opened = [k for k, s in enumerate(seats) if s]
        if any(cands[a].program.mobile and cands[a].program.id == cands[b].program.id and opt._overlaps(
                cands[a].intake_date, cands[a].graduation_date, cands[b].intake_date, cands[b].graduation_date,
                conf.mobile_transfer_days) for a, b in itertools.combinations(opened, 2)):
            continue
        pairs = [(k, lid) for k in opened for lid in cands[k].line_ids]
        value = Decimal(0)
        if pairs:
            a_ub, b_ub = [], []
            for k in opened:
                a_ub.append([1 if pk == k else 0 for pk, _ in pairs])
                b_ub.append(seats[k])
            for lid in lines:
                a_ub.append([1 if pl == lid else 0 for _, pl in pairs])
                b_ub.append(lines[lid].shortfall)
            res = linprog(-np.array([float(lines[lid].weight) for _, lid in pairs]), A_ub=a_ub, b_ub=b_ub,
                          bounds=(0, None), method="highs")
            value = sum((lines[lid].weight * round(v) for (_, lid), v in zip(pairs, res.x)), Decimal(0))
        key = (value, -sum(seats))
        if key > (best[0], -best[1]):
            best = (value, sum(seats))
    return best


@st.composite
def instances(draw):
    n_regions = draw(st.integers(1, 2))
    lines = []
    for i in range(draw(st.integers(1, 3))):
        lines.append(line(
            i + 1, region=draw(st.integers(1, n_regions)), occupation=draw(st.sampled_from(["A", "B"])),
            shortfall=draw(st.integers(1, 8)), weight=str(draw(st.sampled_from([3000, 4500, 6000, 9000]))),
            need=N + dt.timedelta(days=draw(st.sampled_from([0, 40, 90]))),
        ))
    programs = []
    for i in range(draw(st.integers(1, 2))):
        programs.append(program(
            i + 1, occupations=tuple(draw(st.sets(st.sampled_from(["A", "B"]), min_size=1))),
            duration=draw(st.sampled_from([60, 100])), max_seats=draw(st.integers(2, 7)),
            cost=draw(st.sampled_from([1, 2, 3])),
            serves=draw(st.sampled_from([(), (1,), (2,)])), mobile=draw(st.booleans()),
        ))
    budget = draw(st.integers(0, 40))
    conf = opt.PlanSettings(min_cohort_seats=draw(st.integers(1, 4)), mobile_transfer_days=14)
    return opt.PlanInput(TODAY, Decimal(budget), tuple(lines), tuple(programs), conf)


# About half the drawn instances have a candidate (the others: no program qualifies, or it is too small
# to open a class), hence more examples than usual.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_optimum_equals_a_brute_force(inp):
    cands, _ = opt.candidates(inp)
    if len(cands) > 4:
        return
    result = opt.solve(inp)
    value, seats = brute_force(inp)
    assert result.value == value
    assert sum(p.seats for p in result.proposals) == seats
    assert result.spent <= inp.budget
    assert result.solver["gap"] == 0.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_plan_keeps_every_rule(inp):
    """On any instance (no brute force needed): the rules of SPEC.md hold for every proposal."""
    result = opt.solve(inp)
    conf = inp.settings
    covered = {}
    for p in result.proposals:
        assert conf.min_cohort_seats <= p.seats <= p.program.max_seats
        assert p.intake_date >= inp.today
        assert (p.graduation_date - p.intake_date).days == p.program.duration_days
        assert p.cost_cny == p.seats * p.program.cost_per_seat
        assert sum(count for _, count in p.covers) <= p.seats
        for line, count in p.covers:
            assert opt.qualifies(line, p.program) and opt.timely(p.graduation_date, line, conf)
            if p.program.mobile:
                assert line.region_id == p.region_id
            covered[line.id] = covered.get(line.id, 0) + count
    assert all(covered[l.id] <= l.shortfall for l in inp.lines if l.id in covered)
    assert result.spent <= inp.budget
    for a, b in itertools.combinations([p for p in result.proposals if p.program.mobile], 2):
        if a.program.id == b.program.id:
            assert not opt._overlaps(a.intake_date, a.graduation_date, b.intake_date, b.graduation_date,
                                     conf.mobile_transfer_days)
    uncovered = {}
    for u in result.uncovered:
        uncovered[u.line.id] = uncovered.get(u.line.id, 0) + u.remaining
        assert u.reason in opt.REASONS
    for line in inp.lines:
        assert covered.get(line.id, 0) + uncovered.get(line.id, 0) == line.shortfall


def test_independent_parts_are_solved_apart_when_their_optima_fit_the_budget():
    lines = [line(1, occupation="A", shortfall=12), line(2, occupation="B", shortfall=15, weight="7000")]
    progs = [program(1, occupations=("A",), cost=1), program(2, occupations=("B",), cost=1)]
    apart = plan(lines, progs, budget=None)
    assert apart.solver["components"] == 2 and apart.solver["decomposed"] is True
    assert sorted(p.seats for p in apart.proposals) == [12, 15]
    tight = plan(lines, progs, budget=20)  # the budget may bind: the whole is solved at once
    assert tight.solver["decomposed"] is False and tight.solver["method"] == "whole" and [p.seats for p in tight.proposals] == [10, 10]  # 120,000 > 15 x 7,000


def test_a_binding_budget_is_split_between_parts_not_given_to_the_best_ratio_first():
    """Two independent parts (welders A, drivers B) share 150,000 CNY. Filling the best value per CNY first
    (A: 9,000 a 6,000 CNY trainee) spends 90,000 on A's 15 and leaves 60,000, too little for B's class
    of at least 10 at 9,000: 135,000. Splitting the budget, 10 and 10, covers 216,000."""
    lines = [line(1, occupation="A", shortfall=15, weight="9000"),
             line(2, occupation="B", shortfall=10, weight="12600")]
    progs = [program(1, occupations=("A",), cost=6000), program(2, occupations=("B",), cost=9000)]
    result = plan(lines, progs, budget=150000, min_cohort_seats=10)
    assert result.solver["components"] == 2
    assert sorted((p.program.code, p.seats) for p in result.proposals) == [("P1", 10), ("P2", 10)]
    assert result.value == Decimal("216000.00") and result.spent == 150000


@st.composite
def parted(draw):
    """Two or three independent parts (an occupation each, its own programs) and a budget below what
    opening every candidate at its largest size would cost, so that it may bind."""
    lines, programs = [], []
    for b in range(draw(st.integers(2, 3))):
        occupation = f"O{b}"
        for _ in range(draw(st.integers(1, 2))):
            lines.append(line(
                len(lines) + 1, occupation=occupation, shortfall=draw(st.integers(1, 8)),
                weight=str(draw(st.sampled_from([3000, 4500, 6000, 9000]))),
                need=N + dt.timedelta(days=draw(st.sampled_from([0, 90]))),
            ))
        programs.append(program(
            len(programs) + 1, occupations=(occupation,), duration=draw(st.sampled_from([60, 100])),
            max_seats=draw(st.integers(2, 7)), cost=draw(st.sampled_from([1, 2, 3])), mobile=draw(st.booleans()),
        ))
    most = sum(p.max_seats * p.cost_per_seat * 2 for p in programs)  # a program may open two cohorts here
    conf = opt.PlanSettings(min_cohort_seats=draw(st.integers(1, 4)), mobile_transfer_days=14)
    return opt.PlanInput(TODAY, Decimal(draw(st.integers(0, most))), tuple(lines), tuple(programs), conf)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parted())
def test_independent_parts_under_a_binding_budget_equal_a_brute_force(inp):
    cands, _ = opt.candidates(inp)
    if len(cands) > 4:
        return
    result = opt.solve(inp)
    value, seats = brute_force(inp)
    assert result.value == value
    assert sum(p.seats for p in result.proposals) == seats
    assert result.spent <= inp.budget
    assert result.solver["gap"] == 0.0


def test_the_parts_solved_apart_equal_the_whole_solved_at_once():
    """Without a budget the parts' optima are found apart (each part's value kept by its own row in the
    second solve); the whole problem solved at once, with one value row, must give the same value and
    seats. A random instance of 300 lines, 40 programs (some mobile), a dozen or more parts."""
    import random

    rng = random.Random(7)
    occupations = [f"O{i}" for i in range(30)]
    lines = [line(i + 1, region=rng.randrange(1, 6), occupation=rng.choice(occupations),
                  shortfall=rng.randint(1, 40), weight=str(rng.randint(3000, 12000)),
                  need=N + dt.timedelta(days=rng.choice([0, 30, 60, 90])))
             for i in range(300)]
    progs = [program(j + 1, occupations=tuple(rng.sample(occupations, 1 if rng.random() < 0.8 else 2)),
                     duration=rng.choice([60, 100, 150]), max_seats=rng.randint(8, 30), cost=rng.choice([6000, 9000]),
                     serves=tuple(rng.sample(range(1, 6), rng.randint(1, 3))), mobile=rng.random() < 0.2,
                     languages=("ru", "kk"))
             for j in range(40)]
    inp = opt.PlanInput(TODAY, None, tuple(lines), tuple(progs), opt.PlanSettings())
    apart = opt.solve(inp)
    assert apart.solver["method"] == "parts" and apart.solver["components"] > 10 and apart.solver["solves"] == 2
    by_id = {l.id: l for l in lines}
    cands, hints = opt.candidates(inp)
    pairs = [(k, lid) for k, c in enumerate(cands) for lid in c.line_ids]
    x, info = opt._milp(cands, pairs, by_id, None, inp.settings)
    whole = opt._result(inp, by_id, cands, pairs, x, hints, info)
    assert apart.value == whole.value > 0
    assert sum(p.seats for p in apart.proposals) == sum(p.seats for p in whole.proposals)


def test_an_infinite_solver_gap_is_reported_as_one():
    """HiGHS reports an infinite relative gap when a time limit leaves only a plan of value 0: the
    plan's record is JSON, which has no Infinity (the full-scale plan failed on it, 2026-12-03)."""
    import json
    import math

    from projects.plan.optimiser import reported_gap

    assert reported_gap(0.0, None) == 0.0
    assert reported_gap(0.25, 0.5) == 0.5
    assert reported_gap(math.inf, 0.0) == 1.0
    assert reported_gap(0.0, math.nan) == 1.0
    assert json.dumps({"gap": reported_gap(math.inf)}, allow_nan=False) == '{"gap": 1.0}'
