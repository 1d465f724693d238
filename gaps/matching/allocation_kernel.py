"""The allocation's greedy (gaps.matching.allocation), compiled with numba over int arrays.

Imported by allocation.allocate_rows on first use only, so that processes which never allocate
(the web process) do not load numba. `cache=True` keeps the machine code in __pycache__ next to
this file: the first call in a fresh checkout compiles, later processes load it.

The data (each kernel's docstring says which arrays it reads):

- a *row* is a list of neighbour indexes (int32), least demanded first, in `indices[row_ptr[r]:row_ptr[r + 1]]`;
  node i reads row `row_of[i]` (stage 1: lines that share one eligibility array share the row);
- an *edge* is one (node, k-th neighbour of its row) pair, numbered `edge_start[i] + k`: node by
  node, the node's neighbours in row order. `slot[edge]` is where the edge's x lives (-1: x = 0);
- x lives in a pool of entries (columns NODE, NB, EDGE, AMOUNT, NEXT, PREV), one per edge with
  x > 0, each neighbour's entries on a doubly linked list in the order they were created: the
  order the reference's dict x[neighbour] iterates in (an entry that drops to 0 leaves the list
  and, if it is created again, goes to the end -- as a dict key deleted and set again does).
  Freed entries are reused (a free list), so the pool holds about as many entries as there are
  positive x at once, not one per eligible pair.
"""

from __future__ import annotations

import numpy as np
from numba import njit

NODE, NB, EDGE, AMOUNT, NEXT, PREV = 0, 1, 2, 3, 4, 5


@njit(cache=True)
def sort_rows(row_ptr, indices, neighbour_order):
    """Put each row in the order of `neighbour_order` (every neighbour once, e.g. by (demand, index):
    the least demanded first), in place, by two counting passes instead of a sort per row: list
    each neighbour's rows, then walk the neighbours in that order appending each to its rows."""
    n_rows, n_neighbours = len(row_ptr) - 1, len(neighbour_order)
    counts = np.zeros(n_neighbours + 1, dtype=np.int64)
    for p in range(row_ptr[-1]):
        counts[indices[p] + 1] += 1
    ptr = np.cumsum(counts)
    at = ptr[:-1].copy()
    rows_of = np.empty(ptr[-1], dtype=np.int32)
    for r in range(n_rows):
        for p in range(row_ptr[r], row_ptr[r + 1]):
            j = indices[p]
            rows_of[at[j]] = r
            at[j] += 1
    fill = row_ptr[:-1].copy()
    for t in range(n_neighbours):
        j = neighbour_order[t]
        for q in range(ptr[j], ptr[j + 1]):
            r = rows_of[q]
            indices[fill[r]] = j
            fill[r] += 1


@njit(cache=True)
def row_demand(row_of, row_ptr, indices, n_neighbours):
    """How many nodes read each neighbour (a node counts once per row it reads, as in a bincount
    over every node's row)."""
    uses = np.zeros(len(row_ptr) - 1, dtype=np.int64)
    for i in range(len(row_of)):
        uses[row_of[i]] += 1
    demand = np.zeros(n_neighbours, dtype=np.int64)
    for r in range(len(row_ptr) - 1):
        if uses[r]:
            for p in range(row_ptr[r], row_ptr[r + 1]):
                demand[indices[p]] += uses[r]
    return demand


@njit(cache=True)
def transpose_rows(row_of, row_ptr, indices, node_order, n_neighbours):
    """The rows of the other side: for each neighbour j, the nodes i of `node_order` whose row holds
    j, in the order of `node_order` (so the new rows come out already sorted). Returns (ptr, nodes)."""
    counts = np.zeros(n_neighbours + 1, dtype=np.int64)
    for t in range(len(node_order)):
        r = row_of[node_order[t]]
        for p in range(row_ptr[r], row_ptr[r + 1]):
            counts[indices[p] + 1] += 1
    ptr = np.cumsum(counts)
    at = ptr[:-1].copy()
    nodes = np.empty(ptr[-1], dtype=np.int32)
    for t in range(len(node_order)):
        i = node_order[t]
        r = row_of[i]
        for p in range(row_ptr[r], row_ptr[r + 1]):
            j = indices[p]
            nodes[at[j]] = i
            at[j] += 1
    return ptr, nodes


@njit(cache=True)
def _give(pool, state, slot, head, tail, node, nb, edge, amount):
    """x[nb][node] += amount, as the reference's give(). state = [entries used, free list head].
    Returns the pool (a larger copy when it had to grow)."""
    s = slot[edge]
    if s >= 0:
        pool[s, AMOUNT] += amount
        if pool[s, AMOUNT] == 0:  # the dict's `del row[node]`
            prev, nxt = pool[s, PREV], pool[s, NEXT]
            if prev >= 0:
                pool[prev, NEXT] = nxt
            else:
                head[nb] = nxt
            if nxt >= 0:
                pool[nxt, PREV] = prev
            else:
                tail[nb] = prev
            slot[edge] = -1
            pool[s, NEXT] = state[1]
            state[1] = s
        return pool
    if state[1] >= 0:
        s = state[1]
        state[1] = pool[s, NEXT]
    else:
        if state[0] == pool.shape[0]:
            bigger = np.empty((2 * pool.shape[0], pool.shape[1]), dtype=np.int64)
            bigger[: pool.shape[0]] = pool
            pool = bigger
        s = state[0]
        state[0] += 1
    pool[s, NODE] = node
    pool[s, NB] = nb
    pool[s, EDGE] = edge
    pool[s, AMOUNT] = amount
    pool[s, NEXT] = -1
    pool[s, PREV] = tail[nb]
    if tail[nb] >= 0:
        pool[tail[nb], NEXT] = s
    else:
        head[nb] = s
    tail[nb] = s
    slot[edge] = s
    return pool


@njit(cache=True)
def greedy(want, ranked, capacity, row_of, row_ptr, indices, edge_start, n_edges):
    """allocation._greedy_reference over arrays: nodes served in the order `ranked`, each taking up
    to want[i] from the capacity of the neighbours of its row (rows already in neighbour order),
    then augmenting paths by the same breadth-first search with the same dead-node and
    dead-neighbour pruning. Returns (pool, entries used): the rows with AMOUNT > 0 are x."""
    n_nodes, n_nb = len(want), len(capacity)
    need = want.astype(np.int64).copy()
    free = capacity.astype(np.int64).copy()
    slot = np.full(n_edges, -1, dtype=np.int32)
    pool = np.empty((max(16, n_nodes + n_nb), 6), dtype=np.int64)
    state = np.array([0, -1], dtype=np.int64)
    head = np.full(n_nb, -1, dtype=np.int64)
    tail = np.full(n_nb, -1, dtype=np.int64)
    dead_node = np.zeros(n_nodes, dtype=np.uint8)
    dead_nb = np.zeros(n_nb, dtype=np.uint8)
    # Per search: seen_*[v] == search marks v as reached (the reference's parent dicts' keys).
    seen_node = np.zeros(n_nodes, dtype=np.int64)
    seen_nb = np.zeros(n_nb, dtype=np.int64)
    parent_nb_node = np.empty(n_nb, dtype=np.int64)  # neighbour -> node it was reached from
    parent_nb_edge = np.empty(n_nb, dtype=np.int64)  # ... and the edge (that node, neighbour)
    parent_node_nb = np.empty(n_nodes, dtype=np.int64)  # node -> neighbour it was reached from
    parent_node_slot = np.empty(n_nodes, dtype=np.int64)  # ... and the pool entry x[neighbour][node]
    queue = np.empty(n_nodes, dtype=np.int64)
    reached = np.empty(n_nb, dtype=np.int64)  # the neighbours reached, in order
    path_nb = np.empty(n_nb, dtype=np.int64)
    path_node = np.empty(n_nb, dtype=np.int64)
    search = 0
    for t in range(len(ranked)):
        node = ranked[t]
        r = row_of[node]
        a, b = row_ptr[r], row_ptr[r + 1]
        if b == a or need[node] == 0:
            continue
        base = edge_start[node]
        for k in range(b - a):  # direct fill
            if need[node] == 0:
                break
            j = indices[a + k]
            take = min(need[node], free[j])
            if take:
                free[j] -= take
                need[node] -= take
                pool = _give(pool, state, slot, head, tail, node, j, base + k, take)
        while need[node] > 0:
            # _augmenting_path: breadth-first from node.
            search += 1
            seen_node[node] = search
            parent_node_nb[node] = -1
            queue[0] = node
            q_len, q_at, n_reached, end = 1, 0, 0, -1
            while q_at < q_len and end < 0:
                v = queue[q_at]
                q_at += 1
                rv = row_of[v]
                first = n_reached
                for p in range(row_ptr[rv], row_ptr[rv + 1]):
                    j = indices[p]
                    if dead_nb[j] or seen_nb[j] == search:
                        continue
                    seen_nb[j] = search
                    parent_nb_node[j] = v
                    parent_nb_edge[j] = edge_start[v] + (p - row_ptr[rv])
                    reached[n_reached] = j
                    n_reached += 1
                for f in range(first, n_reached):  # free capacity ends the search
                    if free[reached[f]] > 0:
                        end = reached[f]
                        break
                if end >= 0:
                    break
                for f in range(first, n_reached):
                    j = reached[f]
                    s = head[j]
                    while s >= 0:
                        other = pool[s, NODE]
                        if seen_node[other] != search and not dead_node[other]:
                            seen_node[other] = search
                            parent_node_nb[other] = j
                            parent_node_slot[other] = s
                            queue[q_len] = other
                            q_len += 1
                        s = pool[s, NEXT]
            if end < 0:
                for q in range(q_len):
                    dead_node[queue[q]] = 1
                for f in range(n_reached):
                    dead_nb[reached[f]] = 1
                break
            # The path backwards: (j_k, n_{k-1}), (j_{k-1}, n_{k-2}), ..., (j_1, node).
            length = 0
            j = end
            while True:
                v = parent_nb_node[j]
                path_nb[length] = j
                path_node[length] = v
                length += 1
                if v == node:
                    break
                j = parent_node_nb[v]
            amount = min(need[node], free[end])
            for i in range(length - 1):  # the nodes that move: x[j_i][n_i]
                amount = min(amount, pool[parent_node_slot[path_node[i]], AMOUNT])
            j1 = path_nb[length - 1]
            pool = _give(pool, state, slot, head, tail, node, j1, parent_nb_edge[j1], amount)
            for i in range(length - 2, -1, -1):  # from the start outwards, as the reference
                moved, new = path_node[i], path_nb[i]
                old = path_nb[i + 1]
                old_edge = pool[parent_node_slot[moved], EDGE]
                pool = _give(pool, state, slot, head, tail, moved, old, old_edge, -amount)
                pool = _give(pool, state, slot, head, tail, moved, new, parent_nb_edge[new], amount)
            free[end] -= amount
            need[node] -= amount
    return pool, state[0]
