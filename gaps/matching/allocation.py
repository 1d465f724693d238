"""Allocation of cohort seats to report lines (SPEC.md: "Allocation").

The problem: lines L with headcount h_l, cohorts C with seats s_c, eligible pairs E. Choose integer
x_e >= 0 with sum over a line's pairs <= h_l and over a cohort's pairs <= s_c, so that the total
covered headcount is the largest possible; ties favour higher salary, then earlier need date.

Why one weighted LP solves all three objectives at once: the vectors of covered headcount per line
that some allocation achieves form a polymatroid (its rank function S -> min(h(S), seats of the
cohorts adjacent to S) is submodular). Every maximal point of a polymatroid has the same total, and
the greedy point -- cover lines one priority class at a time, best class first, each as much as
possible -- maximises *every* objective sum(w_l * covered_l) whose weights are positive and
ordered like the priority. So we give each line the weight (number of classes - its class rank)
and maximise; the constraint matrix is a bipartite incidence matrix (totally unimodular), so the
dual simplex returns an integral vertex. tests/matching/test_allocation.py checks this against a
brute force on random small instances.

The graph is split into connected components first (a line and a cohort share a component when
some eligible chain links them); each is solved on its own, and the trivial shapes (one line, or
one cohort) are filled greedily, which is exact for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog, milp, LinearConstraint, Bounds
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class AllocationProblem:
    headcount: list[int]  # per line
    priority: list[tuple]  # per line: sorts best first (e.g. (-salary_cny, need_date)); equal = tie
    seats: list[int]  # per cohort
    edges: list[tuple[int, int]]  # (line index, cohort index), eligible pairs, no duplicates


def priority_weights(priority: list[tuple]) -> np.ndarray:
    """Positive weights, strictly decreasing with the priority class, equal within a class."""
    classes = sorted(set(priority))
    rank = {key: i for i, key in enumerate(classes)}
    return np.array([len(classes) - rank[p] for p in priority], dtype=float)


def allocate(problem: AllocationProblem) -> list[int]:
    """Seats allocated on each edge (same order as problem.edges)."""
    n_lines, n_cohorts, n_edges = len(problem.headcount), len(problem.seats), len(problem.edges)
    result = [0] * n_edges
    if n_edges == 0:
        return result
    edge_line = np.fromiter((e[0] for e in problem.edges), dtype=np.int64, count=n_edges)
    edge_cohort = np.fromiter((e[1] for e in problem.edges), dtype=np.int64, count=n_edges)
    # Components of the bipartite graph: nodes 0..n_lines-1 are lines, then cohorts.
    graph = sparse.coo_matrix(
        (np.ones(n_edges), (edge_line, n_lines + edge_cohort)), shape=(n_lines + n_cohorts,) * 2
    )
    _, labels = connected_components(graph, directed=False)
    edge_label = labels[edge_line]
    order = np.argsort(edge_label, kind="stable")
    boundaries = np.flatnonzero(np.diff(edge_label[order])) + 1
    weights = priority_weights(problem.priority)
    for group in np.split(order, boundaries):
        _solve_component(problem, group, edge_line, edge_cohort, weights, result)
    return result


def _solve_component(problem, group, edge_line, edge_cohort, weights, result) -> None:
    lines = np.unique(edge_line[group])
    cohorts = np.unique(edge_cohort[group])
    if len(lines) == 1 or len(cohorts) == 1:
        _greedy_star(problem, group, edge_line, edge_cohort, result)
        return
    line_pos = {int(l): i for i, l in enumerate(lines)}
    cohort_pos = {int(c): i for i, c in enumerate(cohorts)}
    n = len(group)
    rows_l = np.fromiter((line_pos[int(edge_line[e])] for e in group), dtype=np.int64, count=n)
    rows_c = np.fromiter((cohort_pos[int(edge_cohort[e])] for e in group), dtype=np.int64, count=n)
    cols = np.arange(n)
    a_ub = sparse.csr_matrix(
        (np.ones(2 * n), (np.concatenate([rows_l, len(lines) + rows_c]), np.concatenate([cols, cols]))),
        shape=(len(lines) + len(cohorts), n),
    )
    b_ub = np.concatenate(
        [[problem.headcount[int(l)] for l in lines], [problem.seats[int(c)] for c in cohorts]]
    ).astype(float)
    cost = -weights[edge_line[group]]
    solved = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs-ds")
    if solved.status != 0:  # pragma: no cover - a feasible bounded LP; kept as a loud failure
        raise RuntimeError(f"allocation LP failed: {solved.message}")
    x = np.rint(solved.x).astype(np.int64)
    if np.abs(solved.x - x).max() > 1e-6 or np.any(a_ub @ x > b_ub + 1e-9):
        # A vertex of a totally unimodular system is integral; if floating point ever says
        # otherwise, ask the MILP solver for an integral optimum instead of rounding.
        solved = milp(
            cost, constraints=LinearConstraint(a_ub, -np.inf, b_ub), integrality=np.ones(n), bounds=Bounds(0, np.inf)
        )
        x = np.rint(solved.x).astype(np.int64)
    for k, e in enumerate(group):
        result[int(e)] = int(x[k])


def _greedy_star(problem, group, edge_line, edge_cohort, result) -> None:
    """One line with several cohorts, or one cohort with several lines: fill in priority order."""
    line_left = {int(edge_line[e]): problem.headcount[int(edge_line[e])] for e in group}
    cohort_left = {int(edge_cohort[e]): problem.seats[int(edge_cohort[e])] for e in group}
    # Best line first; for one line, cohorts in index order (the caller's deterministic order).
    ordered = sorted(group, key=lambda e: (problem.priority[int(edge_line[e])], int(edge_line[e]), int(edge_cohort[e])))
    for e in ordered:
        line, cohort = int(edge_line[e]), int(edge_cohort[e])
        take = min(line_left[line], cohort_left[cohort])
        if take:
            result[int(e)] = take
            line_left[line] -= take
            cohort_left[cohort] -= take
