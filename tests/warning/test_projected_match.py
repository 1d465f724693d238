"""Hypothesis: the projected match is the matching engine's, on the same lines as one quarter.

The projected lines are rebuilt here from SPEC.md's words with the independent hand reading of
tests/demo/spec_reading.py (forecast, 29 February), then matched by `match_quarter`; the
early warning's entries must carry exactly those covered and shortfall figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.quarters import Quarter
from gaps.matching.engine import match_quarter
from gaps.matching.types import Cohort, Line, MatchInput, Program, RateTable
from gaps.warning.compute import Report, WarningInput, compute
from tests.demo import spec_reading as spec

T = dt.date(2026, 12, 3)
REGIONS = {"EKZ": 1, "HORGOS": 2}
OCCUPATIONS = ("8341", "7212")
QUARTERS = [Quarter(y, n) for y in range(2023, 2028) for n in range(1, 5) if Quarter(y, n) != Quarter(2026, 4)]


@st.composite
def worlds(draw):
    ids = iter(range(1, 10**6))
    reports = []
    for region, rid in REGIONS.items():
        for q in QUARTERS:
            if not draw(st.booleans()):
                continue
            lines = []
            for number in range(1, draw(st.integers(0, 3)) + 1):
                start = draw(st.none() | st.integers(-20, 100).map(lambda d, q=q: q.start + dt.timedelta(days=d)))
                end = None if start is None or draw(st.booleans()) else start + dt.timedelta(days=draw(st.integers(0, 60)))
                lines.append(Line(
                    id=next(ids), region_id=rid, region_code=region, occupation_code=draw(st.sampled_from(OCCUPATIONS)),
                    headcount=draw(st.integers(1, 40)), salary_min=Decimal(draw(st.integers(1, 5)) * 1000),
                    salary_max=Decimal(6000), currency="CNY", season_start=start, season_end=end,
                    languages=tuple(draw(st.sets(st.sampled_from(("kk", "zh")), max_size=1))), line_no=number,
                ))
            reports.append(Report(rid, region, q, tuple(lines)))
    programs, cohorts = [], []
    for k in range(draw(st.integers(1, 4))):
        pid = next(ids)
        programs.append(Program(
            id=pid, code=f"P{k}", college_id=k % 2 + 1, college_code=f"C{k % 2}",
            occupation_codes=tuple(sorted(draw(st.sets(st.sampled_from(OCCUPATIONS), min_size=1)))),
            languages=tuple(sorted(draw(st.sets(st.sampled_from(("kk", "zh")), min_size=1)))),
            serves_region_ids=frozenset(draw(st.sets(st.sampled_from(sorted(REGIONS.values()))))),
        ))
        for _ in range(draw(st.integers(0, 6))):
            graduation = dt.date(2026, 9, 1) + dt.timedelta(days=draw(st.integers(0, 480)))
            cohorts.append(Cohort(next(ids), pid, draw(st.integers(1, 30)),
                                  graduation - dt.timedelta(days=draw(st.integers(30, 400))), graduation))
    return reports, programs, cohorts


def projected_lines(reports, target: Quarter) -> list[Line]:
    """SPEC.md "Projected line", read on its own."""
    by_key = {(r.region_id, r.quarter): r for r in reports}
    lines, ids = [], iter(range(10**9, 2 * 10**9))
    for region, rid in sorted(REGIONS.items()):
        if (rid, target) in by_key:
            lines.extend(by_key[(rid, target)].lines)
            continue
        observed = {y: by_key[(rid, Quarter(y, target.number))] for y in (target.year - 1, target.year - 2, target.year - 3)
                    if (rid, Quarter(y, target.number)) in by_key}
        number = 0
        for occupation in sorted({l.occupation_code for r in observed.values() for l in r.lines}):
            values = {y: sum(l.headcount for l in r.lines if l.occupation_code == occupation) for y, r in observed.items()}
            headcount = spec.forecast(values)
            if not headcount:
                continue
            latest = max(y for y, v in values.items() if v)
            series = [l for l in observed[latest].lines if l.occupation_code == occupation]
            largest = max(series, key=lambda l: l.headcount)
            starts = [l.season_start for l in series if l.season_start]
            ends = [l.season_end for l in series if l.season_end]
            number += 1
            lines.append(Line(
                id=next(ids), region_id=rid, region_code=region, occupation_code=occupation, headcount=headcount,
                salary_min=largest.salary_min, salary_max=largest.salary_max, currency=largest.currency,
                season_start=spec.moved(min(starts), target.year) if starts else None,
                season_end=spec.moved(max(ends), target.year) if ends else None,
                languages=largest.languages, line_no=number,
            ))
    return lines


@settings(max_examples=60, deadline=None)
@given(worlds())
def test_the_projected_match_is_match_quarter_on_the_same_lines(world):
    reports, programs, cohorts = world
    result = compute(WarningInput(today=T, reports=tuple(reports), programs=tuple(programs), cohorts=tuple(cohorts),
                                  rates=RateTable()))
    got = {(e.region_id, e.occupation_code, e.quarter): (e.headcount, e.covered, e.shortfall, e.need_date, e.end_date)
           for e in result.entries}
    expected, expected_recs = {}, set()
    for target in result.targets:
        lines = projected_lines(reports, target)
        if not lines:
            continue
        matched = match_quarter(MatchInput(
            quarter=str(target), lines=tuple(lines), programs=tuple(programs), cohorts=tuple(cohorts),
            rates=RateTable(), reported_region_ids=frozenset(l.region_id for l in lines),
        ))
        groups = defaultdict(list)
        for l in lines:
            groups[(l.region_id, l.occupation_code)].append((l, matched.outcomes[l.id]))
        for (rid, occupation), members in groups.items():
            shortfall = sum(o.shortfall for _l, o in members)
            if shortfall > 0:
                expected[(rid, occupation, str(target))] = (
                    sum(l.headcount for l, _o in members), sum(o.covered for _l, o in members), shortfall,
                    min(o.need_date for _l, o in members), max(o.end_date for _l, o in members),
                )
        expected_recs |= {
            (r.kind, r.college_id, r.program_id, r.region_id, r.occupation_code, str(target), r.headcount)
            for r in matched.recommendations
            if r.kind in ("OPEN", "EXPAND", "RESCHEDULE") and (r.region_id, r.occupation_code, str(target)) in expected
        }
    assert got == expected
    # The forward recommendations are match_quarter's OPEN, EXPAND and RESCHEDULE of those lines
    # (at most 8 per entry here, below the 10 kept).
    assert {
        (f.recommendation.kind, f.recommendation.college_id, f.recommendation.program_id, f.recommendation.region_id,
         f.recommendation.occupation_code, f.recommendation.quarter, f.recommendation.headcount)
        for f in result.recommendations
    } == expected_recs


@settings(max_examples=40, deadline=None)
@given(worlds(), st.integers(1, 3))
def test_an_entry_keeps_the_best_recommendations_of_match_quarter(world, per_entry):
    """With few kept per entry, the forward recommendations are still match_quarter's best of each
    entry (Recommendation.sort_key order over OPEN, EXPAND and RESCHEDULE): OPEN is made only up to
    that many per entry, which must never change which ones are kept."""
    from gaps.matching.recommendations import Recommendation
    from gaps.warning.compute import WarningSettings

    from dataclasses import replace

    reports, programs, cohorts = world
    # One sector everywhere, so that OPEN applies (colleges training in the line's sector).
    reports = [replace(r, lines=tuple(replace(l, sector="7") for l in r.lines)) for r in reports]
    programs = [replace(p, sector="7") for p in programs]
    result = compute(WarningInput(today=T, reports=tuple(reports), programs=tuple(programs), cohorts=tuple(cohorts),
                                  rates=RateTable(), settings=WarningSettings(recommendations_per_entry=per_entry)))
    entries = {(e.region_id, e.occupation_code, e.quarter) for e in result.entries}
    expected = []
    for target in result.targets:
        lines = [replace(l, sector="7") for l in projected_lines(reports, target)]
        if not lines:
            continue
        matched = match_quarter(MatchInput(
            quarter=str(target), lines=tuple(lines), programs=tuple(programs), cohorts=tuple(cohorts),
            rates=RateTable(), reported_region_ids=frozenset(l.region_id for l in lines),
        ))
        kept = defaultdict(int)
        for r in sorted(matched.recommendations, key=Recommendation.sort_key):
            key = (r.region_id, r.occupation_code, str(target))
            if r.kind in ("OPEN", "EXPAND", "RESCHEDULE") and key in entries and kept[key] < per_entry:
                kept[key] += 1
                expected.append((r.kind, r.college_id, r.program_id, r.region_id, r.occupation_code, str(target),
                                 r.headcount, r.score))
    got = [(f.recommendation.kind, f.recommendation.college_id, f.recommendation.program_id,
            f.recommendation.region_id, f.recommendation.occupation_code, f.recommendation.quarter,
            f.recommendation.headcount, f.recommendation.score) for f in result.recommendations]
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    OPEN_SEEN.append(sum(k[0] == "OPEN" for k in got))


OPEN_SEEN: list[int] = []


def test_the_examples_above_kept_open_recommendations():
    """The test above is about OPEN: its examples must have kept some (it runs first, in file order)."""
    if not OPEN_SEEN:
        test_an_entry_keeps_the_best_recommendations_of_match_quarter()
    assert sum(OPEN_SEEN) > 0
