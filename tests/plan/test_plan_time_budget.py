"""Issue 13 at full scale, the plan within one time budget: PLAN_TIME_LIMIT_SECONDS bounds the value
stage, the fewest-seats stage and the whole counts together, and a plan whose time ran out says which
stage stopped; and the fewest seats without a budget, solved by the parts the value's optimal dual cuts
apart (exact: against a brute force and the unreduced model)."""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.plan import optimiser as opt
from tests.projects.test_plan_optimiser import TODAY, brute_force, line, program

from .test_optimiser_limits import _model, unreduced

N = dt.date(2026, 9, 1)


def no_budget_brute_force(inp: opt.PlanInput):
    """The brute force with a budget that never binds (it needs a number)."""
    return brute_force(opt.PlanInput(inp.today, Decimal(10**12), inp.lines, inp.programs, inp.settings))


@st.composite
def fixed_programs(draw, most=4):
    """No budget, no mobile workshop (where the dual cut applies); salaries from few values (ties, so the
    dual is degenerate and many plans share the best value), shortfalls below the minimum class size."""
    lines = [line(i + 1, region=draw(st.integers(1, 2)), occupation=draw(st.sampled_from(["A", "B"])),
                  shortfall=draw(st.integers(1, 14)), weight=str(draw(st.sampled_from([3000, 6000, 6000.5]))),
                  need=N + dt.timedelta(days=draw(st.sampled_from([0, 40, 90]))))
             for i in range(draw(st.integers(1, 4)))]
    programs = [program(i + 1, occupations=tuple(draw(st.sets(st.sampled_from(["A", "B"]), min_size=1))),
                        duration=draw(st.sampled_from([30, 60])), max_seats=draw(st.integers(3, 9)),
                        cost=draw(st.sampled_from([1, 2])), serves=draw(st.sampled_from([(), (1,), (2,)])))
                for i in range(draw(st.integers(1, most)))]
    conf = opt.PlanSettings(min_cohort_seats=draw(st.integers(2, 6)))
    return opt.PlanInput(TODAY, None, tuple(lines), tuple(programs), conf)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fixed_programs(most=2))
def test_the_fewest_seats_by_the_duals_parts_equal_a_brute_force(inp):
    cands, _ = opt.candidates(inp)
    if len(cands) > 4:
        return
    result = opt.solve(inp)
    assert (result.value, sum(p.seats for p in result.proposals)) == no_budget_brute_force(inp)
    assert result.solver["status"] == "optimal"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fixed_programs(most=6))
def test_the_fewest_seats_by_the_duals_parts_equal_the_unreduced_model(inp):
    result = opt.solve(inp)
    assert (result.value, sum(p.seats for p in result.proposals)) == unreduced(inp)


def test_the_dual_cut_moves_a_small_rest_into_a_class_with_room():
    """Line 1 (14 workers, region 1) and line 2 (2 workers, region 2) at one salary, a minimum class of 10;
    program 1 (20 seats) serves both regions, program 2 (10 seats) region 1 only. Every plan of the best
    value covers all 16: program 1 alone, 16 seats, is the fewest (program 2 beside it: at least 20)."""
    lines = [line(1, region=1, shortfall=14, weight="6000"), line(2, region=2, shortfall=2, weight="6000")]
    programs = [program(1, max_seats=20, serves=(1, 2), college="C1"), program(2, max_seats=10, serves=(1,), college="C2")]
    inp = opt.PlanInput(TODAY, None, tuple(lines), tuple(programs), opt.PlanSettings(min_cohort_seats=10))
    result = opt.solve(inp)
    assert result.value == Decimal(6000 * 16)
    assert [(p.program.id, p.seats) for p in result.proposals] == [(1, 16)]
    assert no_budget_brute_force(inp) == (Decimal(6000 * 16), 16)
    assert result.solver["seats_parts"] >= 1


def _instance(n_lines=400, seed=3, limit=None):
    """Fixed programs alike enough to share lines (one part), no budget."""
    rng = random.Random(seed)
    occupations = [f"O{i}" for i in range(12)]
    lines = [line(i + 1, region=rng.randrange(1, 6), occupation=rng.choice(occupations), shortfall=rng.randint(1, 40),
                  weight=str(rng.choice([3000, 4500, 6000, 9000])), need=N + dt.timedelta(days=rng.choice([0, 30, 60, 90])))
             for i in range(n_lines)]
    progs = [program(j + 1, occupations=tuple(rng.sample(occupations, 2)), duration=rng.choice([60, 100, 150]),
                     max_seats=rng.randint(8, 30), cost=rng.choice([6000, 9000]),
                     serves=tuple(rng.sample(range(1, 6), rng.randint(1, 3))), college=f"C{j}")
             for j in range(n_lines // 4)]
    return opt.PlanInput(TODAY, None, tuple(lines), tuple(progs), opt.PlanSettings(time_limit_seconds=limit))


def test_the_duals_parts_give_the_fewest_seats_of_the_value_row_model():
    """On a few hundred lines: the same value and seats as the fewest-seats solve with the value row (the
    model's duals taken away, so the seats stage keeps its value row)."""
    inp = _instance()
    result = opt.solve(inp)
    m, cands, pairs, lines = _model(inp)
    x, info = opt._milp(cands, pairs, lines, None, inp.settings)  # the whole at once, value row kept
    assert info["status"] == "optimal" and result.solver["status"] == "optimal"
    assert result.solver["seats_parts"] > 1
    assert float(result.value) == float(m.weights @ x)
    assert sum(p.seats for p in result.proposals) == int(x[m.n_k:2 * m.n_k].sum())


def test_a_plan_whose_time_is_spent_before_the_value_stage_keeps_the_greedy_plan_and_says_so():
    """The deadline already past when the value stage starts (the candidates and the model spent the plan's
    time): no stage may run past it; the greedy plan stands, status time_limit, the value stage stopped
    (second_solve skipped), a true gap against the ceiling."""
    inp = _instance(limit=5)
    m, cands, pairs, lines = _model(inp)
    start = opt.greedy(m, cands, pairs, lines, None, inp.settings)
    x, info = opt._lexicographic(m, None, inp.settings, start, time.perf_counter() - 10)
    assert info["status"] == "time_limit" and info["second_solve"] == "skipped"
    assert float(m.weights @ x) == float(m.weights @ start) > 0
    exact = opt.solve(opt.PlanInput(inp.today, None, inp.lines, inp.programs, opt.PlanSettings()))
    assert 0 < info["gap"] < 1
    assert float(exact.value) <= float(m.weights @ x) / (1 - info["gap"]) + 0.01


def test_a_plan_whose_time_is_spent_after_the_value_stage_keeps_the_best_value_unproven_seats():
    inp = _instance(limit=5)
    m, cands, pairs, lines = _model(inp)
    start = opt.greedy(m, cands, pairs, lines, None, inp.settings)
    x, first = opt._value_stage(m, None, inp.settings, start, None)
    assert first.optimal
    for time_left in (0.0, -1.0):
        y, proven = opt._seats_stage(m, None, x, None, time_left, inp.settings)
        assert not proven and float(m.weights @ y) == float(m.weights @ x)
        assert y[m.n_k:2 * m.n_k].sum() <= x[m.n_k:2 * m.n_k].sum()
    exact = opt.solve(opt.PlanInput(inp.today, None, inp.lines, inp.programs, opt.PlanSettings()))
    assert float(exact.value) == float(m.weights @ x)


def test_the_whole_counts_stop_at_the_time_left():
    inp = _instance()
    m, *_ = _model(inp)
    full = np.array(m.upper, dtype=float)
    full[2 * m.n_k:] = 0  # every cohort open at its largest size, no counts yet
    assert opt._whole_counts(full, m, 0.0) is None
    whole = opt._whole_counts(full, m, None)
    assert whole is not None and (m.matrix @ whole <= m.hi + 1e-9).all()


def test_a_solver_plan_is_rounded_only_when_every_row_still_holds():
    inp = _instance(n_lines=60)
    m, *_ = _model(inp)
    full = np.array(m.upper, dtype=float)
    full[2 * m.n_k:] = 0
    x = opt._whole_counts(full, m, None)
    value = float(m.weights @ x)
    noisy = x + np.where(np.arange(m.n) % 2, 1e-7, -1e-7)
    assert np.array_equal(opt._rounded(noisy, m, None, value), x)
    broken = np.array(x, dtype=float)
    p = int(np.flatnonzero(x[2 * m.n_k:])[0])
    broken[2 * m.n_k + p] = m.upper[2 * m.n_k + p] + 1  # more than its line's shortfall
    assert opt._rounded(broken, m, None, value) is None
    assert opt._rounded(x, m, None, value + 1) is None  # below the value to keep
    assert opt._rounded(x, m, Decimal(0), value) is None  # over a budget
