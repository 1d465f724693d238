"""Which (line, cohort) pairs are eligible, late, or fail on certification / language only.

The rules are SPEC.md's (see gaps.matching.rules); this module applies them to a whole quarter
at once with numpy instead of pair by pair, because at SPEC.md's scale (50,000 lines, 500,000
cohorts) the pairs number in the millions:

- lines are grouped by (occupation, region): only programs that train the occupation and serve
  the region (or every region) can match, so each group sees a small slice of the supply;
- within a group the candidate cohorts are sorted by graduation date, so the timely window
  [N - window, N] and the late window (N, E] are two binary searches;
- language and certification are decided per program once per distinct requirement, and lines
  with the same requirement and dates share the result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .types import Cohort, Line, Program, Settings

EMPTY = np.zeros(0, dtype=np.int64)


@dataclass
class LinePairs:
    """Cohort positions (indexes into the cohorts list) for one line."""

    eligible: np.ndarray
    late: np.ndarray
    cert_only: np.ndarray
    language_only: np.ndarray


def line_pairs(
    lines: list[Line], dates: dict[int, tuple[dt.date, dt.date]], programs: list[Program], cohorts: list[Cohort],
    settings: Settings,
) -> dict[int, LinePairs]:
    """For each coded line id: its eligible, late, certification-only and language-only cohorts."""
    window = settings.supply_window_days
    program_pos = {p.id: i for i, p in enumerate(programs)}
    cohort_program = np.fromiter((program_pos[c.program_id] for c in cohorts), dtype=np.int64, count=len(cohorts))
    cohort_day = np.fromiter((c.graduation_date.toordinal() for c in cohorts), dtype=np.int64, count=len(cohorts))
    # Each program's cohort positions, ascending, as one slice of `by_program`.
    by_program = np.argsort(cohort_program, kind="stable")
    program_count = np.bincount(cohort_program, minlength=len(programs))
    program_start = np.concatenate([[0], np.cumsum(program_count)[:-1]]).astype(np.int64)

    def cohorts_of(progs: list[int]) -> np.ndarray:
        """The cohort positions of these programs, program by program (a ragged gather)."""
        p = np.asarray(progs, dtype=np.int64)
        counts = program_count[p]
        total = int(counts.sum())
        if total == 0:
            return EMPTY
        ends = np.cumsum(counts)
        offsets = np.repeat(program_start[p] - (ends - counts), counts) + np.arange(total, dtype=np.int64)
        return by_program[offsets]

    by_occupation_region: dict[tuple[str, int], list[int]] = defaultdict(list)
    everywhere: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(programs):
        for code in p.occupation_codes:
            if p.serves_region_ids:
                for region_id in p.serves_region_ids:
                    by_occupation_region[(code, region_id)].append(i)
            else:
                everywhere[code].append(i)

    # Language and certification per program as arrays, so a requirement is one vector operation.
    languages = sorted({lang for p in programs for lang in p.languages} | {lang for l in lines for lang in l.languages})
    bit = {lang: 1 << i for i, lang in enumerate(languages)}
    program_languages = np.array([sum(bit[lang] for lang in set(p.languages)) for p in programs], dtype=object)
    if len(bit) <= 62:
        program_languages = program_languages.astype(np.int64)
    certified: dict[str, np.ndarray] = {}

    def requirement_masks(line: Line, unique_programs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if line.languages:
            wanted = sum(bit[lang] for lang in set(line.languages))
            speaks = (program_languages[unique_programs] & wanted) != 0
        else:
            speaks = np.ones(len(unique_programs), dtype=bool)
        cert = line.certification.strip().upper()
        if cert:
            if cert not in certified:
                certified[cert] = np.array(
                    [any(c.strip().upper() == cert for c in p.certifications) for p in programs], dtype=bool
                )
            certifies = certified[cert][unique_programs]
        else:
            certifies = np.ones(len(unique_programs), dtype=bool)
        return speaks.astype(bool), certifies

    groups: dict[tuple[str, int], list[Line]] = defaultdict(list)
    for line in lines:
        if line.occupation_code:
            groups[(line.occupation_code, line.region_id)].append(line)

    out: dict[int, LinePairs] = {}
    for (code, region_id), members in groups.items():
        progs = by_occupation_region.get((code, region_id), []) + everywhere.get(code, [])
        if not progs:
            for line in members:
                out[line.id] = LinePairs(EMPTY, EMPTY, EMPTY, EMPTY)
            continue
        positions = cohorts_of(progs)
        order = np.argsort(cohort_day[positions], kind="stable")
        positions = positions[order]
        days = cohort_day[positions]
        unique_programs = np.unique(np.array(progs, dtype=np.int64))
        local_program = np.searchsorted(unique_programs, cohort_program[positions])
        masks: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        cache: dict[tuple, LinePairs] = {}
        # The timely window [N - window, N] and the late window (N, E] of every member at once.
        need_days = np.array([dates[line.id][0].toordinal() for line in members], dtype=np.int64)
        end_days = np.array([dates[line.id][1].toordinal() for line in members], dtype=np.int64)
        bounds = zip(
            np.searchsorted(days, need_days - window, "left").tolist(),
            np.searchsorted(days, need_days, "right").tolist(),
            np.searchsorted(days, end_days, "right").tolist(),
        )
        for line, (lo, mid, hi) in zip(members, bounds):
            need, end = dates[line.id]
            requirement = (line.languages, line.certification)
            key = (requirement, need, end)
            if key in cache:
                out[line.id] = cache[key]
                continue
            if requirement not in masks:
                speaks, certifies = requirement_masks(line, unique_programs)
                masks[requirement] = (speaks[local_program], certifies[local_program])
            speaks_c, certifies_c = masks[requirement]
            t_sp, t_ce = speaks_c[lo:mid], certifies_c[lo:mid]
            timely = positions[lo:mid]
            l_ok = speaks_c[mid:hi] & certifies_c[mid:hi]
            pairs = LinePairs(
                eligible=timely[t_sp & t_ce],
                late=positions[mid:hi][l_ok],
                cert_only=timely[t_sp & ~t_ce],
                language_only=timely[~t_sp & t_ce],
            )
            cache[key] = pairs
            out[line.id] = pairs
    return out
