"""Issue 13: the exact reductions of the training plan's solve -- identical candidates merged into one
class (reduction 4), identical lines into one line (reduction 5), independent parts solved in batches --
give the optimum of the unreduced model and of a brute force, split back by the fixed rule of
optimiser._split. Pure: no database."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.plan import optimiser as opt
from tests.projects.test_plan_optimiser import TODAY, brute_force, line, program

from .test_optimiser_limits import unreduced

N = dt.date(2026, 9, 1)


def copy_program(p: opt.PlanProgram, new_id: int, college: str) -> opt.PlanProgram:
    """Another college's program, identical for the plan (occupations, duration, size, cost, route)."""
    return opt.PlanProgram(new_id, f"P{new_id}", new_id, college, p.country, p.occupation_codes, p.duration_days,
                           p.max_seats, p.cost_per_seat, p.languages, p.certifications, p.serves_region_ids, False,
                           p.busy)


def copy_line(l: opt.PlanLine, new_id: int, shortfall: int) -> opt.PlanLine:
    return opt.PlanLine(new_id, l.region_id, l.region_code, l.occupation_code, l.quarter, shortfall, l.need_date,
                        l.end_date, l.weight, l.languages, l.certification)


@st.composite
def with_duplicates(draw, budgets=True, most_lines=4, most_programs=3):
    """Lines and programs, then copies of some of them: lines with the same region, occupation, need date
    and salary (another shortfall), fixed programs identical but for their college; some mobile."""
    lines = [line(i + 1, region=draw(st.integers(1, 2)), occupation=draw(st.sampled_from(["A", "B"])),
                  shortfall=draw(st.integers(1, 25)), weight=str(draw(st.sampled_from([3000, 6000, 9000]))),
                  need=N + dt.timedelta(days=draw(st.sampled_from([0, 40, 90]))))
             for i in range(draw(st.integers(1, most_lines)))]
    for source in draw(st.lists(st.sampled_from(lines), max_size=3)):
        lines.append(copy_line(source, len(lines) + 1, draw(st.integers(1, 25))))
    programs = [program(i + 1, occupations=tuple(draw(st.sets(st.sampled_from(["A", "B"]), min_size=1))),
                        duration=draw(st.sampled_from([30, 60])), max_seats=draw(st.integers(3, 20)),
                        cost=draw(st.sampled_from([6000, 9000])), serves=draw(st.sampled_from([(), (1,), (1, 2)])),
                        mobile=draw(st.booleans()), college=f"C{i + 1}")
                for i in range(draw(st.integers(1, most_programs)))]
    fixed = [p for p in programs if not p.mobile]
    if fixed:
        for source in draw(st.lists(st.sampled_from(fixed), min_size=1, max_size=3)):
            programs.append(copy_program(source, len(programs) + 1, f"C{len(programs) + 1}"))
    budget = draw(st.one_of(st.none(), st.integers(0, 400))) if budgets else draw(st.integers(0, 400))
    conf = opt.PlanSettings(min_cohort_seats=draw(st.integers(1, 10)), mobile_transfer_days=14)
    return opt.PlanInput(TODAY, None if budget is None else Decimal(budget * 1000), tuple(lines), tuple(programs), conf)


def check_rules(inp: opt.PlanInput, result: opt.PlanResult) -> None:
    """Every rule of SPEC.md on the split plan: one cohort per candidate, seats within the minimum and the
    largest size, counts within the seats and the shortfall, the budget, covered plus uncovered equals the
    shortfall, and the value is what the counts are worth."""
    conf = inp.settings
    seen = set()
    covered: dict[int, int] = {}
    for p in result.proposals:
        key = (p.program.id, p.intake_date, p.region_id)
        assert key not in seen
        seen.add(key)
        assert conf.min_cohort_seats <= p.seats <= p.program.max_seats
        assert sum(c for _, c in p.covers) <= p.seats
        assert p.value == sum((l.weight * c for l, c in p.covers), Decimal(0))
        for l, c in p.covers:
            assert c > 0 and opt.qualifies(l, p.program) and opt.timely(p.graduation_date, l, conf)
            covered[l.id] = covered.get(l.id, 0) + c
    if inp.budget is not None:
        assert result.spent <= inp.budget
    uncovered: dict[int, int] = {}
    for u in result.uncovered:
        uncovered[u.line.id] = uncovered.get(u.line.id, 0) + u.remaining
    for l in inp.lines:
        assert covered.get(l.id, 0) <= l.shortfall
        assert covered.get(l.id, 0) + uncovered.get(l.id, 0) == l.shortfall


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_duplicates())
def test_merged_candidates_and_lines_keep_the_optimum_of_the_unreduced_model(inp):
    result = opt.solve(inp)
    value, seats = unreduced(inp)
    assert result.value == value
    assert sum(p.seats for p in result.proposals) == seats
    assert result.solver["status"] == "optimal" and result.solver["gap"] == 0.0
    check_rules(inp, result)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_duplicates(budgets=False, most_lines=2, most_programs=1))
def test_merged_candidates_and_lines_equal_a_brute_force(inp):
    cands, _ = opt.candidates(inp)
    if len(cands) > 4 or sum(c.program.max_seats for c in cands) > 45:
        return
    result = opt.solve(inp)
    assert (result.value, sum(p.seats for p in result.proposals)) == brute_force(inp)
    check_rules(inp, result)


def test_identical_programs_and_lines_are_merged_and_split_back_by_the_fixed_rule():
    """Three colleges' identical welding programs (30 seats at most) and two identical lines of 25 and 20
    welders: one class of three cohorts and one line of 45 in the solve. The fewest seats for all 45 are
    two classes (30 + 15, or any split); the rule gives the first two programs (in the candidates' order)
    the minimum 10 each and fills the rest in order: 30 and 15; the first line fills first."""
    lines = [line(1, shortfall=25, weight="6000"), line(2, shortfall=20, weight="6000")]
    progs = [program(i, max_seats=30, cost=6000, college=f"C{i}") for i in (1, 2, 3)]
    result = opt.solve(opt.PlanInput(TODAY, None, tuple(lines), tuple(progs), opt.PlanSettings(min_cohort_seats=10)))
    s = result.solver
    assert (s["merged_candidates"], s["merged_lines"], s["variables"]) == (2, 1, 3)
    got = sorted((p.program.code, p.seats, [(l.id, c) for l, c in p.covers]) for p in result.proposals)
    assert got == [("P1", 30, [(1, 25), (2, 5)]), ("P2", 15, [(2, 15)])]
    assert result.value == Decimal(45 * 6000) and result.uncovered == []


def test_a_merged_class_under_a_budget_opens_as_many_cohorts_as_the_money_allows():
    """Two identical programs, 100 welders short, 25 seats at most each, money for 35 seats: two cohorts
    (the minimum 10 each) with 35 seats in all, split 25 + 10."""
    lines = [line(1, shortfall=100, weight="6000")]
    progs = [program(i, max_seats=25, cost=1000, college=f"C{i}") for i in (1, 2)]
    result = opt.solve(opt.PlanInput(TODAY, Decimal(35000), tuple(lines), tuple(progs),
                                     opt.PlanSettings(min_cohort_seats=10)))
    assert result.solver["merged_candidates"] == 1
    assert [(p.program.code, p.seats) for p in sorted(result.proposals, key=lambda p: p.program.code)] == [
        ("P1", 25), ("P2", 10)]
    assert result.spent == 35000 and result.value == Decimal(35 * 6000)


def test_the_greedy_start_on_a_merged_class_opens_several_of_its_cohorts():
    lines = {1: line(1, shortfall=70, weight="6000")}
    cands, _ = opt.candidates(opt.PlanInput(TODAY, None, tuple(lines.values()),
                                            tuple(program(i, max_seats=30, college=f"C{i}") for i in (1, 2, 3)),
                                            opt.PlanSettings(min_cohort_seats=10)))
    pairs = [(k, 1) for k in range(len(cands))]
    merged = opt._merge(cands, pairs, lines)
    assert list(merged.mult) == [3]
    m = opt._build(merged.cands, merged.pairs, merged.lines, opt.PlanSettings(min_cohort_seats=10), merged.mult)
    x = opt.greedy(m, merged.cands, merged.pairs, merged.lines, None, opt.PlanSettings(min_cohort_seats=10))
    assert list(x) == [3, 70, 70]  # three cohorts, 30 + 30 + 10 seats, all 70 covered
    rows = m.matrix @ x
    assert (rows >= m.lo - 1e-9).all() and (rows <= m.hi + 1e-9).all()


def test_independent_parts_are_solved_in_batches_with_the_optimum_of_the_whole():
    """Without a budget, many small parts are solved a batch at a time (each part's value by its own row):
    fewer HiGHS runs than parts, the value and seats of the whole solved at once."""
    rng = random.Random(11)
    occupations = [f"O{i}" for i in range(40)]
    lines = [line(i + 1, region=rng.randrange(1, 6), occupation=rng.choice(occupations), shortfall=rng.randint(1, 40),
                  weight=str(rng.randint(3000, 12000)), need=N + dt.timedelta(days=rng.choice([0, 30, 60, 90])))
             for i in range(500)]
    progs = [program(j + 1, occupations=(rng.choice(occupations),), duration=rng.choice([60, 100, 150]),
                     max_seats=rng.randint(8, 30), cost=rng.choice([6000, 9000]),
                     serves=tuple(rng.sample(range(1, 6), rng.randint(1, 2))), mobile=rng.random() < 0.2)
             for j in range(120)]
    inp = opt.PlanInput(TODAY, None, tuple(lines), tuple(progs), opt.PlanSettings())
    apart = opt.solve(inp)
    s = apart.solver
    assert s["method"] == "parts" and 1 < s["batches"] < s["components"]
    by_id = {l.id: l for l in lines}
    cands, hints = opt.candidates(inp)
    pairs = [(k, lid) for k, c in enumerate(cands) for lid in c.line_ids]
    x, info = opt._milp(cands, pairs, by_id, None, inp.settings)
    whole = opt._result(inp, by_id, cands, pairs, x, hints, info)
    assert apart.value == whole.value > 0
    assert sum(p.seats for p in apart.proposals) == sum(p.seats for p in whole.proposals)
    check_rules(inp, apart)


def test_a_time_limit_on_parts_still_gives_a_plan_with_a_true_gap():
    """Parts reached after the limit ran out keep their greedy plan; the gap is against the sum of bounds."""
    rng = random.Random(5)
    occupations = [f"O{i}" for i in range(60)]
    lines = [line(i + 1, region=rng.randrange(1, 6), occupation=rng.choice(occupations), shortfall=rng.randint(1, 40),
                  weight=str(rng.randint(3000, 12000)), need=N + dt.timedelta(days=rng.choice([0, 30, 60, 90])))
             for i in range(1500)]
    progs = [program(j + 1, occupations=(rng.choice(occupations),), duration=rng.choice([60, 100, 150]),
                     max_seats=rng.randint(8, 30), cost=rng.choice([6000, 9000]),
                     serves=tuple(rng.sample(range(1, 6), rng.randint(1, 2))), mobile=rng.random() < 0.3)
             for j in range(400)]
    limited = opt.solve(opt.PlanInput(TODAY, None, tuple(lines), tuple(progs),
                                      opt.PlanSettings(time_limit_seconds=1e-6)))
    exact = opt.solve(opt.PlanInput(TODAY, None, tuple(lines), tuple(progs), opt.PlanSettings()))
    s = limited.solver
    assert s["status"] == "time_limit" and 0 <= s["gap"] < 1 and limited.proposals
    assert exact.solver["status"] == "optimal" and exact.value >= limited.value
    assert float(exact.value) <= float(limited.value) / (1 - s["gap"]) + 0.01
    assert float(limited.value) >= s["greedy_value"] - 0.01
    check_rules(opt.PlanInput(TODAY, None, tuple(lines), tuple(progs), opt.PlanSettings()), limited)
    assert np.isfinite(s["gap"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_duplicates())
def test_merging_on_and_off_give_the_same_optimum(inp):
    """worth_merging only chooses which of two models with the same optimum is solved: forced on
    (MERGE_MIN_SHARE 0) and forced off (above 1, never reached), the value and the seats are the same."""
    share = opt.MERGE_MIN_SHARE
    try:
        opt.MERGE_MIN_SHARE = 0.0
        on = opt.solve(inp)
        opt.MERGE_MIN_SHARE = 2.0
        off = opt.solve(inp)
    finally:
        opt.MERGE_MIN_SHARE = share
    assert off.solver.get("merged", False) is False
    if on.solver.get("merged_candidates") is not None:
        assert on.solver["merged"] is True
        assert off.solver["variables"] >= on.solver["variables"]
    assert (on.value, sum(p.seats for p in on.proposals)) == (off.value, sum(p.seats for p in off.proposals))
    assert on.solver["status"] == off.solver["status"] == "optimal"
    check_rules(inp, on)
    check_rules(inp, off)


def distinct_world(copies: int):
    """200 programs, each the only one for its own occupation and line (nothing to merge), and `copies`
    more colleges' programs identical to the first."""
    lines = [line(i + 1, occupation=f"O{i}", shortfall=15, weight=str(3000 + i)) for i in range(200)]
    progs = [program(i + 1, occupations=(f"O{i}",), max_seats=20, cost=6000, college=f"C{i + 1}") for i in range(200)]
    progs += [copy_program(progs[0], 201 + j, f"C{201 + j}") for j in range(copies)]
    return opt.PlanInput(TODAY, Decimal(10**6), tuple(lines), tuple(progs), opt.PlanSettings(min_cohort_seats=10))


def test_merging_applies_only_when_it_takes_out_enough_of_the_model():
    """One copy among 200 candidates takes out 3 of 603 variables (0.5 %, under MERGE_MIN_SHARE = 1 %):
    not merged, the model solved as it is. Ten copies take out 30 of 630 (4.8 %): merged. Either way the
    same optimum (each copy may cover the first line)."""
    assert opt.MERGE_MIN_SHARE == 0.01
    few, many = opt.solve(distinct_world(1)), opt.solve(distinct_world(10))
    assert (few.solver["merged_candidates"], few.solver["merged"], few.solver["variables"]) == (1, False, 603)
    assert (many.solver["merged_candidates"], many.solver["merged"], many.solver["variables"]) == (10, True, 600)
    assert few.value == many.value and few.spent == many.spent
    assert sum(p.seats for p in few.proposals) == sum(p.seats for p in many.proposals)
    # the rule itself, on the merge of each
    for inp, expected in ((distinct_world(1), False), (distinct_world(10), True), (distinct_world(0), False)):
        by_id = {l.id: l for l in inp.lines}
        cands, _ = opt.candidates(inp)
        pairs = [(k, lid) for k, c in enumerate(cands) for lid in c.line_ids]
        assert opt.worth_merging(opt._merge(cands, pairs, by_id), len(cands), len(pairs)) is expected
