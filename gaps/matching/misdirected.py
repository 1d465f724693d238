"""MISDIRECTED_SUPPLY, RETOOL and OPEN, held as arrays of pairs (the finalize phase of gaps.matching.engine).

Each (OVERSUPPLY program, shortfall line of an adjacent occupation in a region the program serves)
is one MISDIRECTED_SUPPLY flag and feeds one RETOOL recommendation; each (unmet line, college of its
sector serving the region) one OPEN. Their numbers are products of two sides: 178,000 and 123,000 on
the benchmark quarter, but 577,000 and 16.7 million for a quarter whose supply graduates mostly at
other times (2024Q4 of `generate_quarter.py --history 12`: most lines short, 23,787 of them with
nothing covered). Built as Flag and Recommendation objects (about 1 KB each) and sorted in lists they
took 23 GB and the kernel killed the worker (bench/README.md, 2026-12-03).

`MisdirectedPairs` keeps one row of three small integers per pair (the program, the line, the
trained occupation the flag names), `OpenPairs` two (the line, the college), and both build their
objects only as they are written, a batch at a time, in storage order (Flag.sort_key,
Recommendation.sort_key) -- sorted with numpy on integer ranks of the same keys, so the rows, and
their order, are what sorting the objects gave (tests/matching/test_misdirected.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

import numpy as np

from . import rules
from .flags import Flag, FlagKind, new_flag
from .recommendations import FEASIBILITY, Recommendation, RecommendationKind, make_recommendation

BATCH = 20_000  # objects built at a time while writing
_EMPTY = np.zeros(0, dtype=np.int32)


def _dense_rank(keys: list) -> np.ndarray:
    """Position of each key among the distinct keys, sorted (equal keys share a rank)."""
    distinct = sorted(set(keys))
    rank = {key: i for i, key in enumerate(distinct)}
    return np.fromiter((rank[k] for k in keys), dtype=np.int64, count=len(keys))


class MisdirectedPairs:
    """The MISDIRECTED_SUPPLY pairs of a quarter. `short_lines`: (line, outcome) of every coded line
    with shortfall > 0; `oversupplied`: every OVERSUPPLY program (engine.Oversupplied).

    `item`, `line`, `own`: per pair, the index into `items` (the programs in flag order), into
    `short_lines`, and into `own_codes` (the trained occupation the flag names). The arrays are in
    the order the pairs were found (programs by college and code, regions by id, lines as given).
    """

    def __init__(self, short_lines, oversupplied):
        from .engine import _graduation_key, _program_key

        self.short_lines = list(short_lines)
        self.items = sorted(oversupplied, key=lambda o: (*_program_key(o.program), *_graduation_key(o.cohort)))
        by_region: dict[int, list[int]] = defaultdict(list)
        for i, (line, _outcome) in enumerate(self.short_lines):
            by_region[line.region_id].append(i)
        all_regions = sorted(by_region)
        code_index: dict[str, int] = {}
        # Adjacent shortfall lines per (what the program trains, region): adjacency depends on the
        # program's occupations and sector only, and many oversupplied programs share them.
        adjacent: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        items, lines, owns = [], [], []
        for k, item in enumerate(self.items):
            p = item.program
            regions = sorted(p.serves_region_ids) if p.serves_region_ids else all_regions
            trains = (p.occupation_codes, p.sector)
            for region_id in regions:
                key = (trains, region_id)
                found = adjacent.get(key)
                if found is None:
                    idx, own = [], []
                    for i in by_region.get(region_id, ()):
                        line = self.short_lines[i][0]
                        if rules.is_adjacent(line, p):
                            idx.append(i)
                            code = rules.adjacent_trained_occupation(line, p)
                            own.append(code_index.setdefault(code, len(code_index)))
                    found = adjacent[key] = (
                        (np.array(idx, dtype=np.int32), np.array(own, dtype=np.int32)) if idx else (_EMPTY, _EMPTY)
                    )
                if len(found[0]):
                    items.append(np.full(len(found[0]), k, dtype=np.int32))
                    lines.append(found[0])
                    owns.append(found[1])
        self.item = np.concatenate(items) if items else _EMPTY
        self.line = np.concatenate(lines) if lines else _EMPTY
        self.own = np.concatenate(owns) if owns else _EMPTY
        self.own_codes = [code for code, _ in sorted(code_index.items(), key=lambda kv: kv[1])]

    def __len__(self) -> int:
        return len(self.item)

    # --- MISDIRECTED_SUPPLY -------------------------------------------------------------------------

    def flag_order(self) -> np.ndarray:
        """Pair indexes in Flag.sort_key order: region code, the named (trained) occupation, college
        and program code, graduation date, the line's occupation, headcount, covered, shortfall,
        surplus, count, context (the need date), line id, cohort id."""
        lines, items = self.short_lines, self.items
        region = _dense_rank([line.region_code for line, _ in lines])
        own = _dense_rank(self.own_codes)
        program = _dense_rank([(o.program.college_code, o.program.code, o.cohort.graduation_date) for o in items])
        line_figures = _dense_rank([(line.occupation_code, line.headcount, o.covered, o.shortfall) for line, o in lines])
        line_rest = _dense_rank([(o.need_date.isoformat(), line.id) for line, o in lines])
        surplus = np.array([o.surplus for o in items], dtype=np.int64)
        shortfall = np.array([o.shortfall for _, o in lines], dtype=np.int64)
        cohort = np.array([o.cohort.id for o in items], dtype=np.int64)
        it, ln = self.item, self.line
        first = (region[ln] * max(len(own), 1) + own[self.own]) * max(len(items), 1) + program[it]
        return np.lexsort((cohort[it], line_rest[ln], np.minimum(surplus[it], shortfall[ln]), surplus[it],
                           line_figures[ln], first))

    def flags(self, quarter: str) -> Iterator[Flag]:
        """The MISDIRECTED_SUPPLY flags in Flag.sort_key order, built a batch at a time."""
        order = self.flag_order()
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            for k, i, o in zip(self.item[chunk].tolist(), self.line[chunk].tolist(), self.own[chunk].tolist()):
                item = self.items[k]
                line, outcome = self.short_lines[i]
                c, p = item.cohort, item.program
                yield new_flag(
                    kind=FlagKind.MISDIRECTED_SUPPLY.value, quarter=quarter, region_code=line.region_code,
                    occupation_code=self.own_codes[o], college_code=p.college_code, program_code=p.code,
                    cohort_graduation_date=c.graduation_date, target_occupation_code=line.occupation_code,
                    headcount=line.headcount, covered=outcome.covered, shortfall=outcome.shortfall,
                    surplus=item.surplus, count=min(item.surplus, outcome.shortfall), region_id=line.region_id,
                    college_id=p.college_id, program_id=p.id, line_id=line.id, cohort_id=c.id,
                    context={"need_date": outcome.need_date.isoformat()},
                )

    # --- RETOOL ---------------------------------------------------------------------------------------

    def _programs_unique(self) -> bool:
        return len({o.program.id for o in self.items}) == len(self.items)

    def retool_order(self) -> np.ndarray:
        """Pair indexes in Recommendation.sort_key order (one RETOOL per pair; programs unique):
        best score, region, target occupation, college and program code, the program's occupation,
        headcount, shortfall, need date, latest intake date, salary, currency, line id."""
        lines, items = self.short_lines, self.items
        feasibility = FEASIBILITY[RecommendationKind.RETOOL]
        line_first = _dense_rank([
            (-(Decimal(o.shortfall) * ((o.salary_min_cny + o.salary_max_cny) / 2) * feasibility).quantize(Decimal("0.01")),
             line.region_code, line.occupation_code)
            for line, o in lines
        ])
        program = _dense_rank([(o.program.college_code, o.program.code or "") for o in items])
        own = _dense_rank(self.own_codes)
        line_last = _dense_rank([(line.salary_min, line.salary_max, line.currency, line.id) for line, _ in lines])
        surplus = np.array([o.surplus for o in items], dtype=np.int64)
        shortfall = np.array([o.shortfall for _, o in lines], dtype=np.int64)
        need = np.array([o.need_date.toordinal() for _, o in lines], dtype=np.int64)
        duration = np.array([o.cohort.duration.days for o in items], dtype=np.int64)
        it, ln = self.item, self.line
        latest = need[ln] - duration[it]
        latest = np.where((latest >= 1) & (latest <= dt.date.max.toordinal()), latest, 1)  # None sorts as date.min
        first = (line_first[ln] * max(len(items), 1) + program[it]) * max(len(own), 1) + own[self.own]
        return np.lexsort((line_last[ln], latest, need[ln], shortfall[ln], np.minimum(surplus[it], shortfall[ln]), first))

    def retool(self, quarter: str) -> Iterator[Recommendation]:
        """The RETOOL recommendations in Recommendation.sort_key order, built a batch at a time."""
        if not self._programs_unique():
            # Several OVERSUPPLY rows of one program (not made by the engine): one RETOOL per
            # (program, line) adding their counts, the first row's cohort -- as a dict, in memory.
            yield from sorted(self._retool_merged(quarter), key=Recommendation.sort_key)
            return
        order = self.retool_order()
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            for k, i, o in zip(self.item[chunk].tolist(), self.line[chunk].tolist(), self.own[chunk].tolist()):
                item = self.items[k]
                line, outcome = self.short_lines[i]
                yield self._retool_one(quarter, item.program, line, outcome, self.own_codes[o],
                                       min(item.surplus, outcome.shortfall), item.cohort)

    @staticmethod
    def _retool_one(quarter, p, line, outcome, own, count, c) -> Recommendation:
        return make_recommendation(
            kind=RecommendationKind.RETOOL, quarter=quarter, college_id=p.college_id, college_code=p.college_code,
            line=line, outcome=outcome, headcount=min(count, outcome.shortfall), program=p,
            from_occupation_code=own, latest_intake_date=rules.latest_intake(outcome.need_date, c.duration),
            cohort_id=c.id,
        )

    def _retool_merged(self, quarter: str) -> list[Recommendation]:
        merged: dict[tuple[int, int], list] = {}
        for k, i, o in zip(self.item.tolist(), self.line.tolist(), self.own.tolist()):
            item = self.items[k]
            line, outcome = self.short_lines[i]
            entry = merged.setdefault((item.program.id, line.id), [item.program, line, outcome, self.own_codes[o], 0,
                                                                   item.cohort])
            entry[4] += min(item.surplus, outcome.shortfall)
        return [self._retool_one(quarter, p, line, outcome, own, count, c)
                for (p, line, outcome, own, count, c) in merged.values()]


class OpenPairs:
    """OPEN: every (UNMET_DEMAND line with a sector, college training in that sector for the line's
    region and not already training its occupation there) pair, as two integer arrays -- on a past
    quarter met by a supply graduating years later, nearly every line is unmet and hundreds of
    colleges qualify for each. `recommendations()` builds them in Recommendation.sort_key order, a
    batch at a time. The colleges of a line depend only on its (sector, region, occupation)."""

    def __init__(self, short_lines, programs):
        self.short_lines = list(short_lines)
        programs_by_sector: dict[str, list] = defaultdict(list)
        for p in sorted(programs, key=lambda p: p.id):
            if p.sector:
                programs_by_sector[p.sector].append(p)
        programs_by_occupation: dict[str, list] = defaultdict(list)
        for p in programs:
            for code in p.occupation_codes:
                programs_by_occupation[code].append(p)
        college_index: dict[int, int] = {}
        self.college_codes: list[str] = []
        self.college_ids: list[int] = []
        found: dict[tuple, np.ndarray] = {}
        lines, colleges = [], []
        for i, (line, outcome) in enumerate(self.short_lines):
            if outcome.covered != 0 or not line.sector:
                continue
            key = (line.sector, line.region_id, line.occupation_code)
            chosen = found.get(key)
            if chosen is None:
                already = {p.college_id for p in programs_by_occupation.get(line.occupation_code, ())
                           if p.serves(line.region_id)}
                picked: dict[int, str] = {}
                for p in programs_by_sector.get(line.sector, ()):
                    if p.serves(line.region_id) and p.college_id not in already:
                        picked.setdefault(p.college_id, p.college_code)
                for college_id in picked:
                    if college_id not in college_index:
                        college_index[college_id] = len(self.college_ids)
                        self.college_ids.append(college_id)
                        self.college_codes.append(picked[college_id])
                # Colleges by id, as the list version made them (equal sort keys keep this order).
                chosen = found[key] = np.array([college_index[c] for c in sorted(picked)], dtype=np.int32)
            if len(chosen):
                lines.append(np.full(len(chosen), i, dtype=np.int32))
                colleges.append(chosen)
        self.line = np.concatenate(lines) if lines else _EMPTY
        self.college = np.concatenate(colleges) if colleges else _EMPTY

    def __len__(self) -> int:
        return len(self.line)

    def order(self) -> np.ndarray:
        """Pair indexes in Recommendation.sort_key order: best score, region, occupation, college
        code, then (no program, no source occupation) headcount = shortfall, need date, salary,
        currency, line id."""
        lines = self.short_lines
        feasibility = FEASIBILITY[RecommendationKind.OPEN]
        line_first = _dense_rank([
            (-(Decimal(o.shortfall) * ((o.salary_min_cny + o.salary_max_cny) / 2) * feasibility).quantize(Decimal("0.01")),
             line.region_code, line.occupation_code)
            for line, o in lines
        ])
        line_last = _dense_rank([(o.shortfall, o.need_date, line.salary_min, line.salary_max, line.currency, line.id)
                                 for line, o in lines])
        college = _dense_rank(self.college_codes)
        return np.lexsort((line_last[self.line], college[self.college], line_first[self.line]))

    def best_per_key(self, order: np.ndarray, per_key: int) -> np.ndarray:
        """Of `order` (pair indexes), only the first `per_key` pairs of each line's (region,
        occupation), in the same order: what a reader keeping the best `per_key` recommendations of
        each (region, occupation) reads, without making the others."""
        if per_key <= 0 or not len(order):
            return order[:0]
        group = _dense_rank([(line.region_id, line.occupation_code or "") for line, _ in self.short_lines])
        in_order = group[self.line[order]]
        by_group = np.argsort(in_order, kind="stable")
        grouped = in_order[by_group]
        starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        sizes = np.diff(np.r_[starts, len(grouped)])
        rank = np.empty(len(order), dtype=np.int64)
        rank[by_group] = np.arange(len(grouped)) - np.repeat(starts, sizes)
        return order[rank < per_key]

    def recommendations(self, quarter: str, per_key: int | None = None) -> Iterator[Recommendation]:
        """In Recommendation.sort_key order; with `per_key`, only the best `per_key` of each line's
        (region, occupation)."""
        order = self.order()
        if per_key is not None:
            order = self.best_per_key(order, per_key)
        for start in range(0, len(order), BATCH):
            chunk = order[start:start + BATCH]
            for i, c in zip(self.line[chunk].tolist(), self.college[chunk].tolist()):
                line, outcome = self.short_lines[i]
                yield make_recommendation(
                    kind=RecommendationKind.OPEN, quarter=quarter, college_id=self.college_ids[c],
                    college_code=self.college_codes[c], line=line, outcome=outcome, headcount=outcome.shortfall,
                )
