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
    edges: object  # (line index, cohort index) pairs, no duplicates: a list of tuples or an (n, 2) array


def priority_weights(priority: list[tuple]) -> np.ndarray:
    """Positive weights, strictly decreasing with the priority class, equal within a class."""
    classes = sorted(set(priority))
    rank = {key: i for i, key in enumerate(classes)}
    return np.array([len(classes) - rank[p] for p in priority], dtype=float)


def allocate(problem: AllocationProblem) -> np.ndarray:
    """Seats allocated on each edge (an integer array in the order of problem.edges).

    The augmenting-path greedy: exact (see allocate_greedy) and, unlike the LP, linear-ish in
    the number of eligible pairs, which run to tens of millions at SPEC.md's scale.
    """
    return allocate_greedy(problem)


def allocate_lp(problem: AllocationProblem) -> np.ndarray:
    """The same optimum as one weighted LP per component (HiGHS); the reference the tests hold
    the greedy to."""
    n_lines, n_cohorts = len(problem.headcount), len(problem.seats)
    edges = np.asarray(problem.edges, dtype=np.int64).reshape(-1, 2)
    n_edges = len(edges)
    result = np.zeros(n_edges, dtype=np.int64)
    if n_edges == 0:
        return result
    edge_line, edge_cohort = edges[:, 0], edges[:, 1]
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
    local_l = np.searchsorted(lines, edge_line[group])
    local_c = np.searchsorted(cohorts, edge_cohort[group])
    # Nodes with identical neighbourhoods are interchangeable: cohorts adjacent to the same lines
    # merge into one supply node, lines adjacent to the same cohorts and of equal weight into one
    # demand node. Every member of a line class is adjacent to every member of a cohort class, so
    # an optimum of the smaller LP splits back onto the original pairs (below) and stays optimal.
    rng = np.random.default_rng(20260701)
    line_key = rng.integers(1, 2**63, size=len(lines), dtype=np.uint64)
    cohort_key = rng.integers(1, 2**63, size=len(cohorts), dtype=np.uint64)
    cohort_hash = np.zeros(len(cohorts), dtype=np.uint64)
    np.add.at(cohort_hash, local_c, line_key[local_l])
    line_hash = np.zeros(len(lines), dtype=np.uint64)
    np.add.at(line_hash, local_l, cohort_key[local_c])
    line_weight = weights[lines]
    _, cohort_class = np.unique(cohort_hash, return_inverse=True)
    _, line_class = np.unique(
        np.stack([line_hash, line_weight.astype(np.uint64)], axis=1), axis=0, return_inverse=True
    )
    line_class, cohort_class = line_class.ravel(), cohort_class.ravel()
    n_lc, n_cc = int(line_class.max()) + 1, int(cohort_class.max()) + 1
    pair_code = line_class[local_l].astype(np.int64) * n_cc + cohort_class[local_c]
    agg_pairs = np.unique(pair_code)
    agg_l, agg_c = agg_pairs // n_cc, agg_pairs % n_cc
    n = len(agg_pairs)
    headcount = np.asarray(problem.headcount, dtype=float)[lines]
    seats = np.asarray(problem.seats, dtype=float)[cohorts]
    cap_l = np.bincount(line_class, weights=headcount, minlength=n_lc)
    cap_c = np.bincount(cohort_class, weights=seats, minlength=n_cc)
    class_weight = np.zeros(n_lc)
    class_weight[line_class] = line_weight
    cols = np.arange(n)
    a_ub = sparse.csr_matrix(
        (np.ones(2 * n), (np.concatenate([agg_l, n_lc + agg_c]), np.concatenate([cols, cols]))),
        shape=(n_lc + n_cc, n),
    )
    b_ub = np.concatenate([cap_l, cap_c])
    cost = -class_weight[agg_l]
    # Interior point with crossover ends on a vertex (integral here) and is several times faster
    # than the simplex on these sparse transportation problems.
    solved = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs-ipm")
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
    _split_back(problem, group, lines, cohorts, local_l, local_c, line_class, cohort_class, agg_l, agg_c, x, result)


def _split_back(problem, group, lines, cohorts, local_l, local_c, line_class, cohort_class, agg_l, agg_c, x, result):
    """Spread each class-to-class flow over the member pairs, filling members in order."""
    edge_of = {(int(l), int(c)): int(e) for l, c, e in zip(local_l.tolist(), local_c.tolist(), group.tolist())}
    members_l: dict[int, list[int]] = {}
    for i, cls in enumerate(line_class.tolist()):
        members_l.setdefault(cls, []).append(i)
    members_c: dict[int, list[int]] = {}
    for i, cls in enumerate(cohort_class.tolist()):
        members_c.setdefault(cls, []).append(i)
    line_left = [problem.headcount[int(l)] for l in lines]
    cohort_left = [problem.seats[int(c)] for c in cohorts]
    line_ptr: dict[int, int] = {}
    cohort_ptr: dict[int, int] = {}
    for lc, cc, flow in zip(agg_l.tolist(), agg_c.tolist(), x.tolist()):
        ls, cs = members_l[lc], members_c[cc]
        while flow > 0:
            li = line_ptr.get(lc, 0)
            while line_left[ls[li]] == 0:
                li += 1
            line_ptr[lc] = li
            ci = cohort_ptr.get(cc, 0)
            while cohort_left[cs[ci]] == 0:
                ci += 1
            cohort_ptr[cc] = ci
            l, c = ls[li], cs[ci]
            take = min(flow, line_left[l], cohort_left[c])
            result[edge_of[(l, c)]] += take
            line_left[l] -= take
            cohort_left[c] -= take
            flow -= take


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


def allocate_greedy(problem: AllocationProblem) -> np.ndarray:
    """The same optimum as the LP, by the polymatroid greedy with augmenting paths (allocate_rows
    over the problem's edges; the result in the order of problem.edges)."""
    n_lines = len(problem.headcount)
    edges = np.asarray(problem.edges, dtype=np.int64).reshape(-1, 2)
    result = np.zeros(len(edges), dtype=np.int64)
    if len(edges) == 0:
        return result
    order = np.argsort(edges[:, 0], kind="stable")
    starts = np.searchsorted(edges[order, 0], np.arange(n_lines + 1))
    rows = [edges[order[starts[i]:starts[i + 1]], 1] for i in range(n_lines)]
    at = {(int(l), int(c)): k for k, (l, c) in enumerate(edges.tolist())}
    for line, cohort, amount in allocate_rows(problem.headcount, problem.priority, problem.seats, rows):
        result[at[(line, cohort)]] = amount
    return result


def allocate_rows(headcount, priority, seats, rows) -> list[tuple[int, int, int]]:
    """The polymatroid greedy with augmenting paths over per-line rows of eligible cohorts.

    `rows[i]`: an int array of the cohort indexes line i may take from (no duplicates). Lines
    with the same eligible cohorts may share one array object: it is sorted and turned into a
    Python list once, which is what keeps tens of millions of pairs affordable. Returns
    (line, cohort, seats) for every pair with seats allocated, sorted.

    Lines are served best priority first; each takes free seats of its eligible cohorts, and when
    those run out, looks for an augmenting path (line -> cohort -> a line already served from it
    -> another cohort of that line -> ... -> a cohort with a free seat) that re-routes earlier
    lines without reducing any of them. Each line thus gets the most it can given the lines
    before it, which is the greedy point of the polymatroid of coverable headcounts: maximum
    total, then the SPEC.md tie-break (see the module docstring).

    Cohorts and lines reached by a search that found no free seat are "dead": later
    augmentations only change allocations along their own paths, so nothing ever leads from a
    dead node to a free seat again, and later searches skip them. This keeps the searches
    near-linear on quarters where the supply is plentiful and most lines fill directly.
    """
    n_lines, n_cohorts = len(headcount), len(seats)
    # Each line first takes the cohorts that fewest other lines could use: fewer seats are taken
    # from under later lines, so fewer augmenting searches are needed (the result is exact either
    # way). demand[c] = how many lines may take from c, counted once per distinct row array.
    shared: dict[int, list] = {}
    for row in rows:
        entry = shared.get(id(row))
        if entry is None:
            shared[id(row)] = [row, 1]
        else:
            entry[1] += 1
    arrays = [np.asarray(row, dtype=np.int64) for row, _ in shared.values()]
    if arrays:
        lengths = np.array([len(a) for a in arrays], dtype=np.int64)
        multiplicity = np.array([n for _, n in shared.values()], dtype=np.float64)
        demand = np.bincount(
            np.concatenate(arrays), weights=np.repeat(multiplicity, lengths), minlength=n_cohorts
        ).astype(np.int64)
    else:
        demand = np.zeros(n_cohorts, dtype=np.int64)
    lists: dict[int, list[int]] = {}

    def cohorts_of_line(i: int) -> list[int]:
        row = rows[i]
        out = lists.get(id(row))
        if out is None:
            a = np.asarray(row, dtype=np.int64)
            out = lists[id(row)] = a[np.argsort(demand[a] * n_cohorts + a)].tolist()
        return out

    cohorts_of = _LazyRows(cohorts_of_line)
    free = list(seats)
    # x[c][l] = seats of cohort c allocated to line l (the reverse edges of the residual graph).
    x: dict[int, dict[int, int]] = {}
    dead_line = bytearray(n_lines)
    dead_cohort = bytearray(n_cohorts)
    need = list(headcount)

    def give(line: int, cohort: int, amount: int) -> None:
        row = x.setdefault(cohort, {})
        row[line] = row.get(line, 0) + amount
        if row[line] == 0:
            del row[line]

    ranked = sorted(range(n_lines), key=lambda i: (priority[i], i))
    for line in ranked:
        if len(rows[line]) == 0:
            continue
        for cohort in cohorts_of[line]:  # direct fill
            if need[line] == 0:
                break
            take = min(need[line], free[cohort])
            if take:
                free[cohort] -= take
                need[line] -= take
                give(line, cohort, take)
        while need[line] > 0:
            path = _augmenting_path(line, cohorts_of, x, free, dead_line, dead_cohort)
            if path is None:
                break
            end = path[-1]
            amount = min(need[line], free[end])
            # path = [line, c1, l1, c2, l2, ..., ck]: line takes c1, l1 moves from c1 to c2, ...
            for i in range(2, len(path), 2):
                amount = min(amount, x[path[i - 1]][path[i]])
            give(line, path[1], amount)
            for i in range(2, len(path), 2):
                moved, old, new = path[i], path[i - 1], path[i + 1]
                give(moved, old, -amount)
                give(moved, new, amount)
            free[end] -= amount
            need[line] -= amount
    return sorted((line, cohort, amount) for cohort, row in x.items() for line, amount in row.items())


class _LazyRows:
    """Each line's eligible cohorts, as Python lists only once a line is looked at."""

    def __init__(self, make):
        self.make, self.rows = make, {}

    def __getitem__(self, i: int) -> list[int]:
        row = self.rows.get(i)
        if row is None:
            row = self.rows[i] = self.make(i)
        return row


def _augmenting_path(start, cohorts_of, x, free, dead_line, dead_cohort):
    """Breadth-first search for a residual path from `start` to a cohort with a free seat."""
    parent_cohort: dict[int, int] = {}  # cohort -> line it was reached from
    parent_line: dict[int, int] = {start: -1}  # line -> cohort it was reached from
    queue = [start]
    for line in queue:
        fresh = [c for c in cohorts_of[line] if not dead_cohort[c] and c not in parent_cohort]
        for cohort in fresh:
            parent_cohort[cohort] = line
        # A free seat among this line's cohorts ends the search before the queue grows.
        for cohort in fresh:
            if free[cohort] > 0:
                path = [cohort]
                while True:
                    via = parent_cohort[path[-1]]
                    path.append(via)
                    back = parent_line[via]
                    if back == -1:
                        break
                    path.append(back)
                path.reverse()
                return path
        for cohort in fresh:
            for other in x.get(cohort, ()):
                if other not in parent_line and not dead_line[other]:
                    parent_line[other] = cohort
                    queue.append(other)
    for line in parent_line:
        dead_line[line] = 1
    for cohort in parent_cohort:
        dead_cohort[cohort] = 1
    return None
