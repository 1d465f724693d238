"""The vectorised pair classification agrees with SPEC.md's rules applied pair by pair."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from core.quarters import Quarter
from gaps.matching import rules
from gaps.matching.pairs import line_pairs
from gaps.matching.types import Settings

from .builders import cohort, line, program

Q = Quarter.parse("2026Q3")
CODES = ["8341", "8342", "7515"]
REGIONS = ["EKZ", "HORGOS"]


@st.composite
def worlds(draw):
    programs = [
        program(
            occupations=draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=2, unique=True)),
            serves=draw(st.lists(st.sampled_from(REGIONS), max_size=2, unique=True)),
            languages=draw(st.lists(st.sampled_from(["kk", "ru", "zh"]), max_size=2, unique=True)),
            certifications=tuple(draw(st.lists(st.sampled_from(["KZ", "kz", "CN-VSL"]), max_size=1))),
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    cohorts = [
        cohort(p, seats=5, graduation=Q.start + dt.timedelta(days=draw(st.integers(-200, 100))))
        for p in programs
        for _ in range(draw(st.integers(0, 3)))
    ]
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.one_of(st.none(), st.integers(-10, 60)))
        season_start = Q.start + dt.timedelta(days=start) if start is not None else None
        season_end = season_start + dt.timedelta(days=draw(st.integers(0, 40))) if season_start else None
        lines.append(line(
            draw(st.sampled_from(CODES)), draw(st.sampled_from(REGIONS)), season_start=season_start,
            season_end=season_end, languages=tuple(draw(st.lists(st.sampled_from(["kk", "ru", "zh"]), max_size=2, unique=True))),
            certification=draw(st.sampled_from(["", "KZ"])),
        ))
    return lines, programs, cohorts


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_vectorised_pairs_match_the_rules_pair_by_pair(world):
    lines, programs, cohorts = world
    conf = Settings()
    cohorts = sorted(cohorts, key=lambda c: (c.graduation_date, c.id))
    dates = {l.id: (rules.need_date(l, Q), rules.end_date(l, Q)) for l in lines}
    found = line_pairs(lines, dates, programs, cohorts, conf)
    by_id = {p.id: p for p in programs}
    for l in lines:
        n, e = dates[l.id]
        expected = {"eligible": set(), "late": set(), "cert_only": set(), "language_only": set()}
        for i, c in enumerate(cohorts):
            p = by_id[c.program_id]
            if l.occupation_code not in p.occupation_codes or not p.serves(l.region_id):
                continue
            timing = rules.timing(c.graduation_date, n, e, conf)
            speaks, certifies = rules.speaks(l, p), rules.certifies(l, p)
            if timing is rules.Timing.TIMELY and speaks and certifies:
                expected["eligible"].add(i)
            elif timing is rules.Timing.LATE and speaks and certifies:
                expected["late"].add(i)
            elif timing is rules.Timing.TIMELY and speaks:
                expected["cert_only"].add(i)
            elif timing is rules.Timing.TIMELY and certifies:
                expected["language_only"].add(i)
        got = found[l.id]
        assert {k: set(getattr(got, k).tolist()) for k in expected} == expected
