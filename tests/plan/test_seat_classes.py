"""Issue 13, the fewest seats at full scale: the fewest-seats stage without a budget solves each batch the
value's duals cut apart over classes of alike cohorts (the same lines left, any cost, any largest size:
optimiser._SeatClasses), a large batch first from the plan of its linear relaxation's support. Exact:
against the unreduced model and a brute force, with and without that first plan; the class's rows
(X <= the sum of its Y largest sizes) and the split back on hand-made cases. Pure: no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.plan import optimiser as opt
from tests.projects.test_plan_optimiser import TODAY, line, program

from .test_optimiser_limits import _model, unreduced
from .test_plan_time_budget import no_budget_brute_force

N = dt.date(2026, 9, 1)


def _classes(inp, full=False, minimum=None):
    """The seat classes of every cohort and pair of inp's model, every line to be covered in full
    (minimum: the classes' minimum class size, if not the model's)."""
    m, cands, pairs, lines = _model(inp)
    n_k = m.n_k
    n_lines = m.matrix.shape[0] - 3 * n_k
    rows = m.matrix.tocsc()[3 * n_k:3 * n_k + n_lines, 2 * n_k:].tocoo()
    line_of = np.zeros(m.n_z, dtype=int)
    line_of[rows.col] = rows.row
    lo, hi = m.lo.copy(), m.hi.copy()
    lo[3 * n_k:] = hi[3 * n_k:]
    classes = opt._SeatClasses(m, list(range(n_k)), list(range(m.n_z)), line_of, lo, hi,
                               np.full(n_k, full), minimum or inp.settings.min_cohort_seats)
    return m, classes


def _alike(sizes, costs, shortfalls, minimum=10):
    """Programs training the same occupation for the same region (the same lines), of these sizes and costs."""
    lines = [line(i + 1, shortfall=s, weight="6000") for i, s in enumerate(shortfalls)]
    programs = [program(i + 1, max_seats=size, cost=cost, college=f"C{i + 1}")
                for i, (size, cost) in enumerate(zip(sizes, costs))]
    return opt.PlanInput(TODAY, None, tuple(lines), tuple(programs), opt.PlanSettings(min_cohort_seats=minimum))


def test_cohorts_on_the_same_lines_are_one_class_whatever_their_cost_and_size():
    inp = _alike([20, 20, 12], [9000, 6000, 8000], [30, 15])
    m, classes = _classes(inp)
    assert m.n_k == 3 and len(classes.members) == 1
    assert classes.members[0] == [0, 1, 2]  # the largest first
    sub = classes.model
    assert (sub.upper[0], sub.upper[1]) == (3, 52)  # three cohorts, at most 20 + 20 + 12 seats
    # X <= f(Y): f(1) = 20, f(2) = 40, f(3) = 52, and X >= 10 Y
    for y, most in [(0, 0), (1, 20), (2, 40), (3, 52)]:
        for seats in range(0, 60):
            point = np.zeros(sub.n)
            point[0], point[1] = y, seats
            rows = sub.matrix @ point
            size_rows = slice(0, 3)  # X >= MIN Y, then the rows of sizes 20 and 12
            fits = (rows[size_rows] >= sub.lo[size_rows] - 1e-9).all() and (rows[size_rows] <= sub.hi[size_rows] + 1e-9).all()
            assert fits == (10 * y <= seats <= most), (y, seats)


def test_cohorts_below_the_minimum_size_are_a_class_of_their_own():
    """(The candidate search drops them already; the classes do not count on it: a class of sizes 20 and 8
    would hold 2 cohorts of 10 + 10 seats, which the 8-seat cohort cannot.)"""
    inp = _alike([20, 8, 8], [9000, 6000, 6000], [30], minimum=5)
    _m, classes = _classes(inp, minimum=10)
    assert sorted(map(len, classes.members)) == [1, 2]
    small = next(c for c, members in enumerate(classes.members) if len(members) == 2)
    n_c = len(classes.members)
    assert classes.model.upper[small] == 2
    point = np.zeros(classes.model.n)
    point[small], point[n_c + small] = 1, 10  # one cohort of 10 seats: beyond its 8
    rows = classes.model.matrix @ point
    assert (rows > classes.model.hi + 1e-9).any() or (rows < classes.model.lo - 1e-9).any()


def test_the_split_gives_the_largest_cohorts_first_min_seats_each_and_the_counts_in_their_seats():
    inp = _alike([20, 20, 12], [9000, 6000, 8000], [30, 15])
    m, classes = _classes(inp)
    sub = classes.model
    xs = np.zeros(sub.n)
    xs[0], xs[1] = 3, 45
    xs[2:] = [30, 15]  # the class's counts on lines 1 and 2
    out = np.zeros(m.n)
    classes.split(xs, out)
    y, seats, counts = out[:3], out[3:6], out[6:]
    assert list(y) == [1, 1, 1] and seats.sum() == 45
    assert list(seats) == [20, 15, 10]  # 10 each, the rest filled largest first
    assert counts.sum() == 45
    assert (np.bincount(m.owner, weights=counts, minlength=3) == seats).all()
    rows = m.matrix @ out
    assert (rows >= m.lo - 1e-9).all() and (rows <= m.hi + 1e-9).all()


def test_alike_programs_of_other_sizes_and_costs_give_the_fewest_seats():
    """45 workers, a minimum class of 10, cohorts of 20, 20 and 12 seats: 45 seats in three classes."""
    result = opt.solve(_alike([20, 20, 12], [9000, 6000, 8000], [30, 15]))
    assert result.value == Decimal(6000 * 45)
    assert sum(p.seats for p in result.proposals) == 45
    assert all(10 <= p.seats <= p.program.max_seats for p in result.proposals)
    assert result.solver["status"] == "optimal" and result.solver["seats_parts"] >= 1


def test_a_class_of_unequal_cohorts_opens_as_many_as_their_sizes_need():
    """23 workers, cohorts of 12, 10 and 10 seats on the same line, a minimum class of 10: two cohorts hold
    at most 22, so all three open, at least 10 seats each (30 seats). A class row that allowed Y times the
    largest size would let two cohorts promise 24 and claim 23 seats, a plan no split of them can hold."""
    inp = _alike([12, 10, 10], [6000, 6000, 6000], [23])
    result = opt.solve(inp)
    assert result.value == Decimal(6000 * 23)
    assert sorted(p.seats for p in result.proposals) == [10, 10, 10]
    _assert_a_plan_each_cohort_can_hold(inp, result)
    assert result.solver["status"] == "optimal"


@st.composite
def alike_programs(draw, most=4):
    """No budget, no mobile workshop; programs that often share their lines but differ in size and cost
    (so only the seat classes merge them), some copied exactly (reduction 4 on top), shortfalls around the
    minimum class size."""
    lines = [line(i + 1, region=draw(st.integers(1, 2)), occupation=draw(st.sampled_from(["A", "B"])),
                  shortfall=draw(st.integers(1, 30)), weight=str(draw(st.sampled_from([3000, 6000]))),
                  need=N + dt.timedelta(days=draw(st.sampled_from([0, 90]))))
             for i in range(draw(st.integers(1, 4)))]
    programs = [program(i + 1, occupations=(draw(st.sampled_from(["A", "B"])),), duration=60,
                        max_seats=draw(st.integers(3, 25)), cost=draw(st.sampled_from([6000, 9000])),
                        serves=draw(st.sampled_from([(), (1,)])), college=f"C{i + 1}")
                for i in range(draw(st.integers(1, most)))]
    conf = opt.PlanSettings(min_cohort_seats=draw(st.integers(1, 10)))
    return opt.PlanInput(TODAY, None, tuple(lines), tuple(programs), conf)


def _assert_a_plan_each_cohort_can_hold(inp, result):
    """Every proposed cohort within its program's sizes (MIN_COHORT_SEATS to its largest cohort) and holding
    the workers it covers, every line covered at most to its shortfall, the value the covers' sum: an
    over-generous class row (e.g. X <= Y * the largest size) lets the model promise seats no split can give."""
    covered = {}
    for p in result.proposals:
        assert inp.settings.min_cohort_seats <= p.seats <= p.program.max_seats
        assert sum(count for _, count in p.covers) <= p.seats
        for ln, count in p.covers:
            assert count > 0 and opt.qualifies(ln, p.program)
            covered[ln.id] = covered.get(ln.id, 0) + count
    shortfall = {ln.id: ln.shortfall for ln in inp.lines}
    assert all(count <= shortfall[lid] for lid, count in covered.items())
    assert sum(p.value for p in result.proposals) == result.value


def _solve_with(inp, rens_classes):
    before = opt.RENS_CLASSES
    opt.RENS_CLASSES = rens_classes
    try:
        return opt.solve(inp)
    finally:
        opt.RENS_CLASSES = before


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(alike_programs())
def test_the_seat_classes_keep_the_optimum_of_the_unreduced_model(inp):
    """With the first plan from the relaxation's support (every batch) and without it (none)."""
    want = unreduced(inp)
    for rens_classes in (0, 10**9):
        result = _solve_with(inp, rens_classes)
        assert (result.value, sum(p.seats for p in result.proposals)) == want
        _assert_a_plan_each_cohort_can_hold(inp, result)
        assert result.solver["status"] == "optimal" and result.solver["gap"] == 0.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(alike_programs(most=2))
def test_the_seat_classes_equal_a_brute_force(inp):
    cands, _ = opt.candidates(inp)
    if len(cands) > 4:
        return
    result = _solve_with(inp, 0)
    assert (result.value, sum(p.seats for p in result.proposals)) == no_budget_brute_force(inp)
    _assert_a_plan_each_cohort_can_hold(inp, result)
