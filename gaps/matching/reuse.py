"""Re-matching without recomputing what did not change: per-component input digests.

A chunk's results split by occupation component (gaps.matching.engine): the allocation, the
flags UNMET_DEMAND, UNDER_SUPPLY, TIMING_MISMATCH, CERTIFICATION_GAP, LANGUAGE_GAP and OVERSUPPLY,
the recommendations EXPAND, RESCHEDULE, ALIGN_CERTIFICATION and ADD_LANGUAGE, and the line
outcomes of one component are a function of that component's part of the chunk's input alone:
its lines (ids included), the programs that train its occupations, their cohorts in the chunk's
graduation window, the exchange rates, the regions that reported, the settings and the quarter.
`component_digest` is an md5 over exactly that, written canonically. When the quarter's current
run matched a component with the same occupations and the same digest, its rows are copied into
the new run (INSERT ... SELECT in the database) instead of being computed again: the computation
is deterministic, so the copy is what it would have produced. Everything that spans components
(MISDIRECTED_SUPPLY, RETOOL, OPEN, UNCODED_OCCUPATION, gaps) is still computed by finalize.

tests/matching/test_reuse.py holds re-matches with reuse to full runs on random changes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import numpy as np

from .flags import FlagKind
from .recommendations import RecommendationKind
from .types import MatchInput

# What match_components writes, by kind; everything else is finalize's.
CHUNK_FLAG_KINDS = (
    FlagKind.UNMET_DEMAND, FlagKind.UNDER_SUPPLY, FlagKind.TIMING_MISMATCH, FlagKind.CERTIFICATION_GAP,
    FlagKind.LANGUAGE_GAP, FlagKind.OVERSUPPLY,
)
CHUNK_RECOMMENDATION_KINDS = (
    RecommendationKind.EXPAND, RecommendationKind.RESCHEDULE, RecommendationKind.ALIGN_CERTIFICATION,
    RecommendationKind.ADD_LANGUAGE,
)


# The rules the rows follow (SPEC.md's revision). Part of every digest: a run never copies rows that
# an earlier revision of the rules computed (revision 2 names programs in flags, not cohorts).
RULES_REVISION = 2


def component_key(codes) -> str:
    return ",".join(sorted(codes))


def split_input(inp: MatchInput, components: list[frozenset[str]]) -> dict[str, MatchInput]:
    """The input of each component (by component_key): its coded lines, the programs that train
    its occupations and their cohorts. Uncoded lines belong to none."""
    if len(components) == 1 and all(line.occupation_code for line in inp.lines):
        return {component_key(components[0]): inp}
    of_code = {code: component_key(c) for c in components for code in c}
    lines, programs, cohorts = defaultdict(list), defaultdict(list), defaultdict(list)
    for line in inp.lines:
        if line.occupation_code:
            lines[of_code[line.occupation_code]].append(line)
    program_key = {}
    for p in inp.programs:
        keys = {of_code[code] for code in p.occupation_codes if code in of_code}
        if len(keys) != 1:  # pragma: no cover - components are closed under programs
            raise ValueError(f"program {p.id} spans components {sorted(keys)}")
        key = keys.pop()
        program_key[p.id] = key
        programs[key].append(p)
    for c in inp.cohorts:
        cohorts[program_key[c.program_id]].append(c)
    return {
        key: MatchInput(
            quarter=inp.quarter, lines=tuple(lines[key]), programs=tuple(programs[key]),
            cohorts=tuple(cohorts[key]), rates=inp.rates, reported_region_ids=inp.reported_region_ids,
            settings=inp.settings,
        )
        for key in (component_key(c) for c in components)
    }


def component_digest(part: MatchInput) -> str:
    """md5 over everything the component's matching reads, in a canonical order and form."""
    h = hashlib.md5()

    def put(name, values) -> None:
        h.update(name.encode())
        h.update(repr(values).encode())
        h.update(b"\n")

    put("rules", RULES_REVISION)
    put("quarter", (part.quarter, part.settings.supply_window_days, part.settings.oversupply_ratio))
    put("reported", sorted(part.reported_region_ids))
    put("rates", sorted(part.rates.rates.items()))
    put("lines", sorted(
        (line.id, line.region_id, line.region_code, line.occupation_code, line.headcount, line.salary_min,
         line.salary_max, line.currency, line.season_start, line.season_end, line.sector, line.certification,
         line.languages, line.occupation_title, line.line_no)
        for line in part.lines
    ))
    put("programs", sorted(
        (p.id, p.code, p.college_id, p.college_code, tuple(sorted(p.occupation_codes)), p.sector, p.languages,
         p.certifications, tuple(sorted(p.serves_region_ids)))
        for p in part.programs
    ))
    cohorts = np.array(
        sorted((c.id, c.program_id, c.seats, c.intake_date.toordinal(), c.graduation_date.toordinal())
               for c in part.cohorts),
        dtype=np.int64,
    ).reshape(-1, 5)
    h.update(b"cohorts")
    h.update(cohorts.tobytes())
    return h.hexdigest()


def copy_component_rows(*, from_run_id: int, to_run_id: int, codes, line_ids) -> None:
    """Copy a component's chunk rows (line outcomes, flags, recommendations) between runs."""
    from django.db import connection

    from gaps.models import Flag, LineOutcome, Recommendation

    codes, line_ids = sorted(codes), sorted(line_ids)
    with connection.cursor() as cursor:
        for model, where, params in (
            (LineOutcome, "line_id = ANY(%s)", [line_ids]),
            (Flag, "kind = ANY(%s) AND occupation_code = ANY(%s)", [[str(k) for k in CHUNK_FLAG_KINDS], codes]),
            (Recommendation, "kind = ANY(%s) AND occupation_code = ANY(%s)",
             [[str(k) for k in CHUNK_RECOMMENDATION_KINDS], codes]),
        ):
            columns = [f.column for f in model._meta.concrete_fields if not f.primary_key and f.column != "run_id"]
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"INSERT INTO {table} ({names}, run_id) SELECT {names}, %s FROM {table} "
                f"WHERE run_id = %s AND {where} ORDER BY id",
                [to_run_id, from_run_id, *params],
            )
