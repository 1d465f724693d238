"""Allocation optimality against a brute force on random small instances (hypothesis)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gaps.matching.allocation import AllocationProblem, allocate


@st.composite
def problems(draw):
    n_lines = draw(st.integers(1, 4))
    n_cohorts = draw(st.integers(1, 3))
    pairs = list(itertools.product(range(n_lines), range(n_cohorts)))
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=6))
    return AllocationProblem(
        headcount=draw(st.lists(st.integers(1, 3), min_size=n_lines, max_size=n_lines)),
        # (minus salary, need day): smaller sorts first = higher salary, then earlier need.
        priority=draw(st.lists(st.tuples(st.integers(-2, -1), st.integers(1, 2)), min_size=n_lines, max_size=n_lines)),
        seats=draw(st.lists(st.integers(1, 4), min_size=n_cohorts, max_size=n_cohorts)),
        edges=edges,
    )


def objective(problem: AllocationProblem, amounts) -> tuple:
    """(total covered, covered in the best priority class, in the next, ...): compared lexicographically."""
    covered = [0] * len(problem.headcount)
    for (line, _), amount in zip(problem.edges, amounts):
        covered[line] += amount
    classes = sorted(set(problem.priority))
    by_class = [sum(c for c, p in zip(covered, problem.priority) if p == key) for key in classes]
    return (sum(covered), *by_class)


def feasible(problem: AllocationProblem, amounts) -> bool:
    line_use = [0] * len(problem.headcount)
    seat_use = [0] * len(problem.seats)
    for (line, cohort), amount in zip(problem.edges, amounts):
        line_use[line] += amount
        seat_use[cohort] += amount
    return all(u <= h for u, h in zip(line_use, problem.headcount)) and all(
        u <= s for u, s in zip(seat_use, problem.seats)
    )


def brute_force_best(problem: AllocationProblem) -> tuple:
    ranges = [range(min(problem.headcount[l], problem.seats[c]) + 1) for l, c in problem.edges]
    return max(objective(problem, amounts) for amounts in itertools.product(*ranges) if feasible(problem, amounts))


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_lp_covers_the_most_and_breaks_ties_by_salary_then_need_date(problem):
    from gaps.matching.allocation import allocate_lp

    amounts = allocate_lp(problem)
    assert amounts.dtype.kind == "i" and (amounts >= 0).all()
    assert feasible(problem, amounts)
    assert objective(problem, amounts) == brute_force_best(problem)


def test_one_cohort_goes_to_the_better_paid_line_first():
    problem = AllocationProblem(headcount=[5, 5], priority=[(-1, 1), (-2, 1)], seats=[6], edges=[(0, 0), (1, 0)])
    assert allocate(problem).tolist() == [1, 5]


def test_a_chain_reroutes_seats_to_cover_more():
    # Line 0 can use cohorts 0 and 1, line 1 only cohort 0: the optimum sends cohort 0 to line 1.
    problem = AllocationProblem(
        headcount=[2, 2], priority=[(-2, 1), (-1, 1)], seats=[2, 2], edges=[(0, 0), (0, 1), (1, 0)]
    )
    amounts = allocate(problem)
    assert objective(problem, amounts) == (4, 2, 2)


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_augmenting_path_greedy_reaches_the_same_optimum(problem):
    amounts = allocate(problem)  # the greedy, what matching uses
    assert feasible(problem, amounts.tolist())
    assert objective(problem, amounts.tolist()) == brute_force_best(problem)


@st.composite
def larger_problems(draw):
    n_lines, n_cohorts = draw(st.integers(5, 30)), draw(st.integers(3, 20))
    pairs = list(itertools.product(range(n_lines), range(n_cohorts)))
    return AllocationProblem(
        headcount=draw(st.lists(st.integers(1, 9), min_size=n_lines, max_size=n_lines)),
        priority=draw(st.lists(st.tuples(st.integers(-4, -1), st.integers(1, 3)), min_size=n_lines, max_size=n_lines)),
        seats=draw(st.lists(st.integers(1, 9), min_size=n_cohorts, max_size=n_cohorts)),
        edges=draw(st.lists(st.sampled_from(pairs), unique=True, max_size=80)),
    )


@settings(max_examples=200, deadline=None)
@given(larger_problems())
def test_greedy_and_lp_agree_on_larger_instances(problem):
    from gaps.matching.allocation import allocate_greedy, allocate_lp

    greedy, lp = allocate_greedy(problem).tolist(), allocate_lp(problem).tolist()
    assert feasible(problem, greedy)
    assert objective(problem, greedy) == objective(problem, lp)


# --- revision 2: the complete tie-breaks (lines in a strict order, then which cohort gives the seats)


@st.composite
def ranked_problems(draw, max_lines=4, max_cohorts=3, max_edges=6):
    n_lines = draw(st.integers(1, max_lines))
    n_cohorts = draw(st.integers(1, max_cohorts))
    pairs = list(itertools.product(range(n_lines), range(n_cohorts)))
    return AllocationProblem(
        headcount=draw(st.lists(st.integers(1, 3), min_size=n_lines, max_size=n_lines)),
        priority=draw(st.lists(st.tuples(st.integers(-2, -1), st.integers(1, 2)), min_size=n_lines, max_size=n_lines)),
        seats=draw(st.lists(st.integers(1, 4), min_size=n_cohorts, max_size=n_cohorts)),
        edges=draw(st.lists(st.sampled_from(pairs), unique=True, max_size=max_edges)),
        # (minus graduation day, college code): sorts the cohort whose seats go first first.
        cohort_priority=draw(st.lists(st.tuples(st.integers(-3, -1), st.sampled_from("AB")),
                                      min_size=n_cohorts, max_size=n_cohorts)),
    )


def margins(problem: AllocationProblem, amounts) -> tuple[tuple, tuple]:
    """(c in line order, u in cohort order): line order is (priority, index), cohort order
    (cohort_priority, index), both strict, as the engine's keys are."""
    covered = [0] * len(problem.headcount)
    used = [0] * len(problem.seats)
    for (line, cohort), amount in zip(problem.edges, amounts):
        covered[line] += amount
        used[cohort] += amount
    lines = sorted(range(len(covered)), key=lambda i: (problem.priority[i], i))
    cohorts = sorted(range(len(used)), key=lambda k: (problem.cohort_priority[k], k))
    return tuple(covered[i] for i in lines), tuple(used[k] for k in cohorts)


def spec_allocations(problem: AllocationProblem) -> tuple[tuple, tuple]:
    """SPEC.md's allocation by brute force over every feasible allocation: the largest total, then
    c lexicographically in line order, then u lexicographically in cohort order. Returns its (c, u)."""
    ranges = [range(min(problem.headcount[l], problem.seats[c]) + 1) for l, c in problem.edges]
    best = None
    for amounts in itertools.product(*ranges):
        if not feasible(problem, amounts):
            continue
        c, u = margins(problem, amounts)
        key = (sum(c), c, u)
        if best is None or key > best:
            best = key
    return best[1], best[2]


@settings(max_examples=400, deadline=None)
@given(ranked_problems())
def test_the_greedy_gives_specs_allocation_among_all_optimal_ones(problem):
    amounts = allocate(problem).tolist()
    assert feasible(problem, amounts)
    assert margins(problem, amounts) == spec_allocations(problem)


@settings(max_examples=200, deadline=None)
@given(ranked_problems())
def test_the_two_lps_give_specs_allocation_too(problem):
    from gaps.matching.allocation import allocate_lp

    amounts = allocate_lp(problem).tolist()
    assert feasible(problem, amounts)
    assert margins(problem, amounts) == spec_allocations(problem)


@st.composite
def larger_ranked_problems(draw):
    n_lines, n_cohorts = draw(st.integers(5, 30)), draw(st.integers(3, 20))
    pairs = list(itertools.product(range(n_lines), range(n_cohorts)))
    return AllocationProblem(
        headcount=draw(st.lists(st.integers(1, 9), min_size=n_lines, max_size=n_lines)),
        priority=draw(st.lists(st.tuples(st.integers(-4, -1), st.integers(1, 3)), min_size=n_lines, max_size=n_lines)),
        seats=draw(st.lists(st.integers(1, 9), min_size=n_cohorts, max_size=n_cohorts)),
        edges=draw(st.lists(st.sampled_from(pairs), unique=True, max_size=80)),
        cohort_priority=draw(st.lists(st.tuples(st.integers(-5, -1), st.sampled_from("ABC")),
                                      min_size=n_cohorts, max_size=n_cohorts)),
    )


@settings(max_examples=200, deadline=None)
@given(larger_ranked_problems())
def test_greedy_and_lps_agree_on_both_margins_of_larger_instances(problem):
    from gaps.matching.allocation import allocate_greedy, allocate_lp

    greedy, lp = allocate_greedy(problem).tolist(), allocate_lp(problem).tolist()
    assert feasible(problem, greedy)
    assert margins(problem, greedy) == margins(problem, lp)


def test_seats_come_from_the_cohort_graduating_latest_first():
    # One line of 5, two cohorts of 5: the later graduation (cohort 1, ranked first) gives the seats.
    problem = AllocationProblem(headcount=[5], priority=[(0,)], seats=[5, 5], edges=[(0, 0), (0, 1)],
                                cohort_priority=[(-10,), (-20,)])
    assert allocate(problem).tolist() == [0, 5]


def test_a_later_line_never_takes_the_seats_an_earlier_line_could_have():
    # Line 0 (better paid) may use cohorts 0 and 1, line 1 only cohort 1; cohort 1 is ranked first.
    # Both are covered (criterion 1 and 2); among those allocations cohort 1 gives all it can (4):
    # line 1 takes 2 from it, line 0 takes the other 2 and the rest from cohort 0.
    problem = AllocationProblem(headcount=[3, 2], priority=[(-2,), (-1,)], seats=[3, 4],
                                edges=[(0, 0), (0, 1), (1, 1)], cohort_priority=[(2,), (1,)])
    assert allocate(problem).tolist() == [1, 2, 2]


def test_the_cohort_order_wins_over_the_order_that_saves_searches():
    # Line 0 may use cohorts 0 and 1, line 1 only cohort 0. Stage 1 alone lets line 0 take cohort 1
    # first (fewer lines compete for it); but cohort 0 graduates later and gives its seats first.
    problem = AllocationProblem(headcount=[2, 1], priority=[(-2,), (-1,)], seats=[5, 5],
                                edges=[(0, 0), (0, 1), (1, 0)], cohort_priority=[(-20,), (-10,)])
    assert allocate(problem).tolist() == [2, 0, 1]


# --- the compiled greedy (numba) against the Python reference, pair for pair -------------------------


@st.composite
def row_problems(draw):
    """allocate_rows' input: rows of cohort positions, some lines sharing one row object (as the
    engine's lines of one group do), zero seats, zero headcount and empty rows included."""
    n_lines, n_cohorts = draw(st.integers(1, 14)), draw(st.integers(1, 10))
    rows = []
    for _ in range(n_lines):
        if rows and draw(st.booleans()):
            rows.append(rows[draw(st.integers(0, len(rows) - 1))])  # the same object
        else:
            cohorts = draw(st.lists(st.integers(0, n_cohorts - 1), unique=True, max_size=n_cohorts))
            rows.append(np.array(cohorts, dtype=np.int64))
    headcount = draw(st.lists(st.integers(0, 6), min_size=n_lines, max_size=n_lines))
    priority = draw(st.lists(st.tuples(st.integers(-3, -1), st.integers(1, 2)), min_size=n_lines, max_size=n_lines))
    seats = draw(st.lists(st.integers(0, 6), min_size=n_cohorts, max_size=n_cohorts))
    return headcount, priority, seats, rows


@settings(max_examples=600, deadline=None)
@given(row_problems())
def test_the_compiled_greedy_gives_the_references_pairs(problem):
    from gaps.matching.allocation import allocate_rows, allocate_rows_reference

    headcount, priority, seats, rows = problem
    assert allocate_rows(headcount, priority, seats, rows) == allocate_rows_reference(headcount, priority, seats, rows)


def test_the_compiled_greedy_gives_the_references_pairs_on_larger_scarce_instances():
    # Scarce seats and many shared rows: long augmenting paths, dead nodes and dead neighbours.
    from gaps.matching.allocation import allocate_rows, allocate_rows_reference

    rng = np.random.default_rng(20261203)
    for n_lines, n_cohorts, density in [(300, 200, 0.05), (800, 300, 0.02), (200, 600, 0.01)]:
        rows = []
        for _ in range(n_lines):
            if rows and rng.random() < 0.4:
                rows.append(rows[int(rng.integers(0, len(rows)))])
            else:
                rows.append(np.flatnonzero(rng.random(n_cohorts) < density))
        headcount = rng.integers(0, 8, n_lines).tolist()
        priority = [(int(p),) for p in rng.integers(0, 4, n_lines)]
        seats = rng.integers(0, 5, n_cohorts).tolist()
        got = allocate_rows(headcount, priority, seats, rows)
        assert got == allocate_rows_reference(headcount, priority, seats, rows)
        assert got  # something was allocated
