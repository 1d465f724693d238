"""Allocation optimality against a brute force on random small instances (hypothesis)."""

from __future__ import annotations

import itertools

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
