"""Allocation of cohort seats to report lines (SPEC.md "How matching decides": Allocation, revision 2).

The problem: lines L with headcount h_l, cohorts C with seats s_k, eligible pairs E. An allocation
is integer x_e >= 0 with at most h_l over a line's pairs and at most s_k over a cohort's pairs. It
covers c_l = sum of x over line l's pairs and uses u_k = sum of x over cohort k's pairs. SPEC.md
ranks allocations by three criteria, each deciding only among those that tie on the ones before:

1. the total covered headcount sum(c), larger first;
2. c read in *line order* -- the higher salary midpoint in CNY at N first, then the earlier N, then
   region code, then line number (a strict order: one submitted report per region and quarter,
   line numbers unique in it) -- lexicographically, larger first ("ties favour higher salary ...");
3. u read in *cohort order* -- the latest graduation first, then college code, program code and
   intake date (strict: one cohort per program and intake date) -- lexicographically, larger first
   ("seats come from the cohort graduating latest on or before N first": every cohort eligible
   for a line graduates on or before its N, so "latest on or before N" is the latest graduation).

(1) and (2) determine c, and (3) then determines u. The flags read nothing else of an allocation
(shortfall from c, unallocated seats from u), so the same input gives the same flags. Where both
margins still leave a choice of which line takes which of a cohort's seats, the pairs are what the
procedure below yields; it sees lines and cohorts only through the two orders above (the caller
numbers them so), never through database ids, so the allocation too is a function of the input.

Why the procedure yields that allocation.

Stage 1 (c). The vectors c that some allocation covers form an integral polymatroid on the lines:
its rank function rho(S) = the most the lines of S can be covered together = min over T in S of
h(S - T) + s(cohorts adjacent to T) (max-flow min-cut) is submodular. Every maximal vector of a
polymatroid has the same total rho(L), the maximum (criterion 1); the greedy vector -- each line in
line order covered as much as possible while the lines before it keep what they have -- gives line i
rho({1..i}) - rho({1..i-1}), the most any coverable vector can give it once the lines before it
have theirs: the lexicographic maximum (criterion 2). It also maximises every sum w.c with positive
weights decreasing in line order (Edmonds' greedy theorem), which is how allocate_lp reproduces it
with one LP.

Stage 2 (u). With c fixed, the vectors u used by allocations covering exactly c are the bases of
a second integral polymatroid, on the cohorts: by the supply-demand theorem (Gale), such an
allocation exists iff u <= s, sum(u) = sum(c) and u(T) <= c(lines adjacent to T) for every set T of
cohorts; {u <= s, u(T) <= c(N(T))} is a polymatroid (the coverage function T -> c(N(T)) is
submodular, truncated by the box s), and its rank of all cohorts is the max flow, sum(c). So the
same greedy with the roles swapped -- each cohort in cohort order using as many seats as it can,
the lines now capped at c_l, the cohorts before it keeping what they use -- ends on a base (every
line gets exactly c_l; checked) that is the lexicographic maximum of u in cohort order (criterion
3), and maximises every sum v.u with positive weights decreasing in cohort order: allocate_lp's
second LP (line totals fixed to c). Put as one max-weight flow: the allocation is the one that
maximises sum_l W_l c_l + sum_k V_k u_k for integer weights W strictly decreasing in line order and
positive weights V strictly decreasing in cohort order with V.s < 1: any other c loses at least 1
on the first sum (an integer; c is its unique maximiser), more than the second can make up, and
with c fixed u is the second sum's unique maximiser.

Both stages are one routine, `_greedy_reference`, over rows of each served node's neighbours: a
node takes free capacity of its neighbours, and when none is left, an augmenting path (node ->
neighbour -> a node served before from it -> another neighbour of that node -> ... -> free
capacity) moves earlier nodes' shares without reducing any of them. tests/matching/test_allocation.py
checks both stages against a brute force over every allocation of random small instances
(hypothesis) and against the LPs on larger ones; tests/matching/test_engine.py checks that
permuting the ids changes nothing.

The compiled greedy. What matching runs is `allocate_rows`, the same two stages compiled with numba
(gaps/matching/allocation_kernel.py, `@njit(cache=True)`); `allocate_rows_reference` and
`_greedy_reference` are the pure-Python version, kept for the tests. The compiled version takes
the same steps in the same order, so it gives the same pairs, not only the same c and u
(tests/matching/test_allocation.py: hypothesis, shared rows, zero seats and headcount, empty rows):

- rows are int32 arrays (CSR): stage 1 keeps one copy per distinct row object (lines of one group
  share it), stage 2's cohort -> covered lines rows are the transpose, built in one pass;
- each row is sorted once by (demand, index) -- the reference's neighbour order;
- x is kept per edge (a node and the k-th neighbour of its row; `slot`, int32 per edge) in a pool
  of entries for the positive values only, each neighbour's entries linked in creation order: the
  reference iterates a dict x[neighbour] in insertion order in its searches, and an entry that
  falls to 0 is deleted and, when set again, goes last -- the linked list does the same, so every
  breadth-first search visits the same nodes in the same order and finds the same path;
- the searches keep the reference's queue order, its test for free capacity among a node's fresh
  neighbours before the queue grows, its dead-node and dead-neighbour marks, and the path's
  updates in the same order (start outwards).

Memory at SPEC.md's scale (35 M eligible pairs): 4 bytes per pair for `slot`, 4 per distinct
row entry and 4 per stage-2 pair, plus the pool; no Python object per pair.

allocate_lp splits the graph into connected components first (a line and a cohort share one when
an eligible chain links them) and solves each on its own; the trivial shapes (one line, or one
cohort) are filled greedily, which is exact for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class AllocationProblem:
    headcount: list[int]  # per line
    priority: list[tuple]  # per line: sorts best first (e.g. (-salary_cny, need_date)); ties: by index
    seats: list[int]  # per cohort
    edges: object  # (line index, cohort index) pairs, no duplicates: a list of tuples or an (n, 2) array
    # Per cohort: sorts first the cohort whose seats are used first (e.g. (-graduation, college, ...));
    # None: the cohorts' index order. Ties: by index.
    cohort_priority: list[tuple] | None = None


def priority_weights(priority: list[tuple]) -> np.ndarray:
    """Positive weights, strictly decreasing with the priority class, equal within a class."""
    classes = sorted(set(priority))
    rank = {key: i for i, key in enumerate(classes)}
    return np.array([len(classes) - rank[p] for p in priority], dtype=float)


def _strict_ranks(priority) -> list[tuple]:
    """The order the greedy serves in -- (priority, index) -- as one key per node: no ties."""
    return [(key, i) for i, key in enumerate(priority)]


def _cohort_order(problem: AllocationProblem) -> list[int]:
    n = len(problem.seats)
    if problem.cohort_priority is None:
        return list(range(n))
    return sorted(range(n), key=lambda k: (problem.cohort_priority[k], k))


def allocate(problem: AllocationProblem) -> np.ndarray:
    """Seats allocated on each edge (an integer array in the order of problem.edges).

    The augmenting-path greedy: exact (see the module docstring) and, unlike the LP, linear-ish in
    the number of eligible pairs, which run to tens of millions at SPEC.md's scale.
    """
    return allocate_greedy(problem)


def allocate_greedy(problem: AllocationProblem) -> np.ndarray:
    """The allocation of the module docstring by allocate_rows (the result in the order of
    problem.edges); the cohorts are renumbered into problem.cohort_priority's order first, as the
    engine numbers them."""
    n_lines = len(problem.headcount)
    edges = np.asarray(problem.edges, dtype=np.int64).reshape(-1, 2)
    result = np.zeros(len(edges), dtype=np.int64)
    if len(edges) == 0:
        return result
    order = _cohort_order(problem)
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    seats = [problem.seats[k] for k in order]
    by_line = np.argsort(edges[:, 0], kind="stable")
    starts = np.searchsorted(edges[by_line, 0], np.arange(n_lines + 1))
    rows = [np.sort(position[edges[by_line[starts[i]:starts[i + 1]], 1]]) for i in range(n_lines)]
    at = {(int(l), int(c)): k for k, (l, c) in enumerate(edges.tolist())}
    for line, cohort, amount in allocate_rows(problem.headcount, problem.priority, seats, rows):
        result[at[(line, order[cohort])]] = amount
    return result


def allocate_rows(headcount, priority, seats, rows) -> list[tuple[int, int, int]]:
    """The allocation of the module docstring over per-line rows of eligible cohorts, the cohorts
    numbered in cohort order (0 = the cohort whose seats are used first).

    `rows[i]`: an int array of the cohorts line i may take from (no duplicates); lines are served in
    the order of (priority[i], i). Lines with the same eligible cohorts may share one array object:
    it is copied and sorted once, which is what keeps tens of millions of pairs affordable.
    Returns (line, cohort, seats) for every pair with seats allocated, sorted.

    Both stages run compiled (gaps.matching.allocation_kernel, numba): the same steps as
    allocate_rows_reference, over int32 rows instead of dicts, giving the same pairs (module
    docstring, "The compiled greedy").
    """
    n_lines, n_cohorts = len(headcount), len(seats)
    if n_lines == 0 or n_cohorts == 0:
        return []
    from . import allocation_kernel as kernel

    # Stage 1's rows: one per distinct row object, in the order first met.
    index_dtype = np.int32 if max(n_lines, n_cohorts) < 2**31 else np.int64
    row_of = np.empty(n_lines, dtype=np.int64)
    distinct: dict[int, int] = {}
    unique_rows = []
    for i, row in enumerate(rows):
        r = distinct.get(id(row))
        if r is None:
            r = distinct[id(row)] = len(unique_rows)
            unique_rows.append(np.asarray(row, dtype=index_dtype))
        row_of[i] = r
    row_length = np.fromiter((len(row) for row in unique_rows), dtype=np.int64, count=len(unique_rows))
    line_length = row_length[row_of]
    if not line_length.any():
        return []
    row_ptr = np.concatenate([[0], np.cumsum(row_length)])
    indices = np.concatenate(unique_rows + [np.zeros(0, dtype=index_dtype)])
    del unique_rows, distinct
    edge_start = np.concatenate([[0], np.cumsum(line_length)])
    n_edges = int(edge_start[-1])
    # Stage 1: lines in line order, each taking its least demanded cohorts first.
    lines_per_cohort = kernel.row_demand(row_of, row_ptr, indices, n_cohorts)
    kernel.sort_rows(row_ptr, indices, _by_demand(lines_per_cohort))
    ranked = np.array(sorted(range(n_lines), key=lambda i: (priority[i], i)), dtype=np.int64)
    seats_a = np.asarray(seats, dtype=np.int64)
    pool, used = kernel.greedy(np.asarray(headcount, dtype=np.int64), ranked, seats_a,
                               row_of, row_ptr, indices, edge_start, n_edges)
    alive = pool[:used][pool[:used, kernel.AMOUNT] > 0]
    covered = np.bincount(alive[:, kernel.NODE], weights=alive[:, kernel.AMOUNT], minlength=n_lines).astype(np.int64)
    del pool, alive
    # Stage 2: cohorts in cohort order over the lines stage 1 covered, each capped at its cover.
    # (Walking the covered lines least demanded first lists each cohort's lines in that order.)
    keep = covered > 0
    cohorts_per_line = np.where(keep, line_length, 0)
    line_order = _by_demand(cohorts_per_line)
    line_order = line_order[keep[line_order]]
    cohort_ptr, cohort_lines = kernel.transpose_rows(row_of, row_ptr, indices, line_order, n_cohorts)
    del indices, row_ptr, row_of
    pool, used = kernel.greedy(seats_a, np.arange(n_cohorts, dtype=np.int64), covered,
                               np.arange(n_cohorts, dtype=np.int64), cohort_ptr, cohort_lines, cohort_ptr,
                               int(cohort_ptr[-1]))
    alive = pool[:used][pool[:used, kernel.AMOUNT] > 0]
    line, cohort, amount = alive[:, kernel.NB], alive[:, kernel.NODE], alive[:, kernel.AMOUNT]
    got = np.bincount(line, weights=amount, minlength=n_lines).astype(np.int64)
    if not np.array_equal(got, covered):  # pragma: no cover - the stage-2 greedy ends on a base
        raise RuntimeError("allocation: stage 2 did not give every line its covered headcount of stage 1")
    order = np.lexsort((cohort, line))
    return list(zip(line[order].tolist(), cohort[order].tolist(), amount[order].tolist()))


def compile_kernel() -> None:
    """Compile the allocation's numba kernel into its cache (or load it) by allocating a tiny
    instance: the Docker image runs this at build time (docker/Dockerfile), so a worker's first
    match does not pay numba's compile (~17-32 s on 2 cores)."""
    allocate_rows([1, 2], [(0,), (1,)], [1, 1], [np.array([0, 1]), np.array([1])])


def _by_demand(demand: np.ndarray) -> np.ndarray:
    """The neighbours by (demand, index): the order _greedy_reference reads each row in."""
    return np.argsort(demand, kind="stable")


def allocate_rows_reference(headcount, priority, seats, rows) -> list[tuple[int, int, int]]:
    """allocate_rows in pure Python over dicts (`_greedy_reference`): what the tests hold the compiled
    version to, pair for pair. The allocation of the module docstring over per-line rows of eligible cohorts, the cohorts
    numbered in cohort order (0 = the cohort whose seats are used first).

    `rows[i]`: an int array of the cohorts line i may take from (no duplicates); lines are served in
    the order of (priority[i], i). Lines with the same eligible cohorts may share one array object:
    stage 1 sorts and lists it once, which is what keeps tens of millions of pairs affordable.
    Returns (line, cohort, seats) for every pair with seats allocated, sorted.
    """
    n_lines, n_cohorts = len(headcount), len(seats)
    if n_lines == 0 or n_cohorts == 0:
        return []
    # Both stages read the eligibility both ways: line -> cohorts (rows) and cohort -> lines (the
    # transpose, built once in C by scipy's CSR -> CSC conversion).
    lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=n_lines)
    if not lengths.any():
        return []
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = np.concatenate([np.asarray(row, dtype=np.int64) for row in rows if len(row)])
    index_dtype = np.int32 if max(n_lines, n_cohorts) < 2**31 else np.int64
    by_line = sparse.csr_matrix(
        (np.ones(len(indices), dtype=np.int8), indices.astype(index_dtype), indptr.astype(np.int64)),
        shape=(n_lines, n_cohorts),
    )
    del indices
    by_cohort = by_line.tocsc()
    del by_line
    lines_of = by_cohort.indices
    bounds = by_cohort.indptr
    lines_per_cohort = np.diff(bounds)
    # Stage 1: lines in line order; each first takes the cohorts that fewest other lines could use
    # (fewer seats are taken from under later lines, so fewer augmenting searches are needed).
    ranked = sorted(range(n_lines), key=lambda i: (priority[i], i))
    first = _greedy_reference(list(headcount), ranked, list(seats), rows, demand=lines_per_cohort)
    covered = [0] * n_lines
    for cohort, row in first.items():
        for line, amount in row.items():
            covered[line] += amount
    # Stage 2: cohorts in cohort order, each using as many seats as it can of the lines' covered
    # headcounts (the same greedy with the roles swapped); only lines stage 1 covered take part.
    keep = np.asarray(covered, dtype=np.int64) > 0
    cohort_rows = [lines_of[bounds[k]:bounds[k + 1]] for k in range(n_cohorts)]
    cohort_rows = [row[keep[row]] for row in cohort_rows]
    cohorts_per_line = np.bincount(np.concatenate(cohort_rows + [np.zeros(0, dtype=lines_of.dtype)]),
                                   minlength=n_lines)
    second = _greedy_reference(list(seats), list(range(n_cohorts)), list(covered), cohort_rows, demand=cohorts_per_line)
    by_line: list[dict[int, int]] = [second.get(line, {}) for line in range(n_lines)]
    out = sorted((line, cohort, amount) for line, row in enumerate(by_line) for cohort, amount in row.items())
    got = [0] * n_lines
    for line, _cohort, amount in out:
        got[line] += amount
    if got != covered:  # pragma: no cover - the stage-2 greedy ends on a base (module docstring)
        raise RuntimeError("allocation: stage 2 did not give every line its covered headcount of stage 1")
    return out


def _greedy_reference(want, ranked, capacity, rows, *, demand) -> dict[int, dict[int, int]]:
    """The polymatroid greedy with augmenting paths: nodes served in the order `ranked`, each taking
    up to want[i] from the `capacity` of the neighbours in rows[i]. Returns x[neighbour][node] =
    amount (the reverse edges of the residual graph). `demand[j]`: how many served nodes may take
    from neighbour j; a node takes its least demanded neighbours first (the result is exact either
    way: each node gets the most it can given the nodes before it).

    A node that runs out of free neighbours looks for an augmenting path (node -> neighbour -> a
    node already served from it -> another neighbour of that node -> ... -> a neighbour with free
    capacity) that re-routes earlier nodes without reducing any of them.

    Neighbours and nodes reached by a search that found no free capacity are "dead": later
    augmentations only change allocations along their own paths, so nothing ever leads from a dead
    node to free capacity again, and later searches skip them. This keeps the searches near-linear
    on quarters where the supply is plentiful and most lines fill directly.
    """
    n_nodes, n_neighbours = len(want), len(capacity)
    demand = np.asarray(demand, dtype=np.int64)
    lists: dict[int, list[int]] = {}

    def neighbours_of_node(i: int) -> list[int]:
        row = rows[i]
        out = lists.get(id(row))
        if out is None:
            a = np.asarray(row, dtype=np.int64)
            out = lists[id(row)] = a[np.argsort(demand[a] * n_neighbours + a, kind="stable")].tolist()
        return out

    neighbours_of = _LazyRows(neighbours_of_node)
    free = list(capacity)
    x: dict[int, dict[int, int]] = {}
    dead_node = bytearray(n_nodes)
    dead_neighbour = bytearray(n_neighbours)
    need = list(want)

    def give(node: int, neighbour: int, amount: int) -> None:
        row = x.setdefault(neighbour, {})
        row[node] = row.get(node, 0) + amount
        if row[node] == 0:
            del row[node]

    for node in ranked:
        if len(rows[node]) == 0 or need[node] == 0:
            continue
        for neighbour in neighbours_of[node]:  # direct fill
            if need[node] == 0:
                break
            take = min(need[node], free[neighbour])
            if take:
                free[neighbour] -= take
                need[node] -= take
                give(node, neighbour, take)
        while need[node] > 0:
            path = _augmenting_path(node, neighbours_of, x, free, dead_node, dead_neighbour)
            if path is None:
                break
            end = path[-1]
            amount = min(need[node], free[end])
            # path = [node, j1, n1, j2, n2, ..., jk]: node takes j1, n1 moves from j1 to j2, ...
            for i in range(2, len(path), 2):
                amount = min(amount, x[path[i - 1]][path[i]])
            give(node, path[1], amount)
            for i in range(2, len(path), 2):
                moved, old, new = path[i], path[i - 1], path[i + 1]
                give(moved, old, -amount)
                give(moved, new, amount)
            free[end] -= amount
            need[node] -= amount
    return x


class _LazyRows:
    """Each node's neighbours, as Python lists only once a node is looked at."""

    def __init__(self, make):
        self.make, self.rows = make, {}

    def __getitem__(self, i: int) -> list[int]:
        row = self.rows.get(i)
        if row is None:
            row = self.rows[i] = self.make(i)
        return row


def _augmenting_path(start, neighbours_of, x, free, dead_node, dead_neighbour):
    """Breadth-first search for a residual path from `start` to a neighbour with free capacity."""
    parent_neighbour: dict[int, int] = {}  # neighbour -> node it was reached from
    parent_node: dict[int, int] = {start: -1}  # node -> neighbour it was reached from
    queue = [start]
    for node in queue:
        fresh = [j for j in neighbours_of[node] if not dead_neighbour[j] and j not in parent_neighbour]
        for j in fresh:
            parent_neighbour[j] = node
        # Free capacity among this node's neighbours ends the search before the queue grows.
        for j in fresh:
            if free[j] > 0:
                path = [j]
                while True:
                    via = parent_neighbour[path[-1]]
                    path.append(via)
                    back = parent_node[via]
                    if back == -1:
                        break
                    path.append(back)
                path.reverse()
                return path
        for j in fresh:
            for other in x.get(j, ()):
                if other not in parent_node and not dead_node[other]:
                    parent_node[other] = j
                    queue.append(other)
    for node in parent_node:
        dead_node[node] = 1
    for j in parent_neighbour:
        dead_neighbour[j] = 1
    return None


# --- the reference: two LPs (HiGHS), what the tests hold the greedy to -----------------------------


def allocate_lp(problem: AllocationProblem) -> np.ndarray:
    """The same allocation's c and u by two weighted LPs per component (HiGHS): stage 1 maximises
    sum w.c with weights strictly decreasing in line order, stage 2 fixes every line's total to
    stage 1's and maximises sum v.u with weights strictly decreasing in cohort order (module
    docstring). The pairs may differ from the greedy's where c and u leave a choice."""
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
    weights = priority_weights(_strict_ranks(problem.priority))
    cohort_rank = np.empty(n_cohorts, dtype=float)
    cohort_rank[_cohort_order(problem)] = np.arange(n_cohorts)
    cohort_weights = n_cohorts - cohort_rank
    for group in np.split(order, boundaries):
        _solve_component(problem, group, edge_line, edge_cohort, weights, result)
        _solve_cohort_stage(problem, group, edge_line, edge_cohort, cohort_weights, result)
    return result


def _solve_cohort_stage(problem, group, edge_line, edge_cohort, cohort_weights, result) -> None:
    """Stage 2 on one component: every line keeps stage 1's total; the cohorts' used seats are the
    maximum of sum v.u."""
    lines, local_l = np.unique(edge_line[group], return_inverse=True)
    cohorts, local_c = np.unique(edge_cohort[group], return_inverse=True)
    n = len(group)
    covered = np.bincount(local_l, weights=result[group], minlength=len(lines))
    cols = np.arange(n)
    a_eq = sparse.csr_matrix((np.ones(n), (local_l, cols)), shape=(len(lines), n))
    a_ub = sparse.csr_matrix((np.ones(n), (local_c, cols)), shape=(len(cohorts), n))
    seats = np.asarray(problem.seats, dtype=float)[cohorts]
    cost = -cohort_weights[cohorts][local_c]
    solved = linprog(cost, A_ub=a_ub, b_ub=seats, A_eq=a_eq, b_eq=covered, bounds=(0, None), method="highs")
    if solved.status != 0:  # pragma: no cover - stage 1's allocation is feasible
        raise RuntimeError(f"allocation LP (stage 2) failed: {solved.message}")
    x = np.rint(solved.x).astype(np.int64)
    if np.abs(solved.x - x).max() > 1e-6:  # pragma: no cover - a vertex of a totally unimodular system
        solved = milp(cost, constraints=[LinearConstraint(a_ub, -np.inf, seats), LinearConstraint(a_eq, covered, covered)],
                      integrality=np.ones(n), bounds=Bounds(0, np.inf))
        x = np.rint(solved.x).astype(np.int64)
    result[group] = x


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
