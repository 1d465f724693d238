"""MISDIRECTED_SUPPLY and RETOOL held as pairs (gaps.matching.misdirected).

The finalize phase used to build one Flag and one RETOOL object per (oversupplied program, adjacent
shortfall line) pair and sort them: 23 GB for a past quarter of the full-scale history (bench/README.md,
2026-12-03). The pairs are now three integer arrays, and the objects are built as they are written.
These tests check (1) the flags and recommendations, and their order, are exactly what the object
version gave (its code is kept below as the reference), on inputs full of ties, and (2) the
structure: building the pairs makes no flag or recommendation object, the arrays grow by 12 bytes a
pair, and streaming holds one batch, not every row.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
from dataclasses import replace
from decimal import Decimal

from gaps.matching import misdirected, rules
from gaps.matching.engine import LineOutcome, Oversupplied, _graduation_key, _program_key, finalize_flags
from gaps.matching.flags import Flag, FlagKind, new_flag
from gaps.matching.misdirected import MisdirectedPairs, OpenPairs
from gaps.matching.recommendations import Recommendation, RecommendationKind, make_recommendation
from gaps.matching.types import Cohort, Line, Program

D = dt.date
REGIONS = {1: "ALASHANKOU", 2: "EKZ", 3: "HORGOS", 4: "ILI"}
Q = "2026Q3"


def reference(short_lines, oversupplied):
    """The object version of finalize_flags' MISDIRECTED_SUPPLY and RETOOL (before 2026-12-03),
    sorted as persist wrote them."""
    by_region = {}
    for line, outcome in short_lines:
        by_region.setdefault(line.region_id, []).append((line, outcome))
    all_regions = sorted(by_region)
    flags, retool = [], {}
    for item in sorted(oversupplied, key=lambda o: (*_program_key(o.program), *_graduation_key(o.cohort))):
        c, p = item.cohort, item.program
        for region_id in (sorted(p.serves_region_ids) if p.serves_region_ids else all_regions):
            for line, outcome in by_region.get(region_id, ()):
                if not rules.is_adjacent(line, p):
                    continue
                own = rules.adjacent_trained_occupation(line, p)
                count = min(item.surplus, outcome.shortfall)
                flags.append(new_flag(
                    kind=FlagKind.MISDIRECTED_SUPPLY.value, quarter=Q, region_code=line.region_code,
                    occupation_code=own, college_code=p.college_code, program_code=p.code,
                    cohort_graduation_date=c.graduation_date, target_occupation_code=line.occupation_code,
                    headcount=line.headcount, covered=outcome.covered, shortfall=outcome.shortfall,
                    surplus=item.surplus, count=count, region_id=line.region_id, college_id=p.college_id,
                    program_id=p.id, line_id=line.id, cohort_id=c.id,
                    context={"need_date": outcome.need_date.isoformat()},
                ))
                entry = retool.setdefault((p.id, line.id), [p, line, outcome, own, 0, c])
                entry[4] += count
    recommendations = [
        make_recommendation(
            kind=RecommendationKind.RETOOL, quarter=Q, college_id=p.college_id, college_code=p.college_code,
            line=line, outcome=outcome, headcount=min(count, outcome.shortfall), program=p,
            from_occupation_code=own, latest_intake_date=rules.latest_intake(outcome.need_date, c.duration),
            cohort_id=c.id,
        )
        for (p, line, outcome, own, count, c) in retool.values()
    ]
    return sorted(flags, key=Flag.sort_key), sorted(recommendations, key=Recommendation.sort_key)


def generated(seed: int, *, lines=60, programs=25, duplicate_program=False):
    """A quarter full of ties: few codes, salaries, dates and sizes; programs of one college code
    with equal graduation dates; some serving every region."""
    rnd = random.Random(seed)
    occupations = ["8341", "8342", "8332", "7212", "7213", "9333"]
    sector = {"8341": "agriculture", "8342": "agriculture", "8332": "transport", "9333": "transport",
              "7212": "", "7213": "manufacturing"}
    ids = iter(range(1, 10**6))
    short = []
    for i in range(lines):
        code = rnd.choice(occupations)
        region_id = rnd.choice(list(REGIONS))
        headcount = rnd.choice([5, 10, 10, 20])
        covered = rnd.choice([0, 0, 3])
        need = rnd.choice([D(2026, 7, 1), D(2026, 8, 15), D(2026, 9, 30)])
        salary = rnd.choice([(4000, 5000), (4000, 5000), (6000, 6000)])
        line = Line(id=next(ids), region_id=region_id, region_code=REGIONS[region_id], occupation_code=code,
                    headcount=headcount, salary_min=Decimal(salary[0]), salary_max=Decimal(salary[1]),
                    currency=rnd.choice(["CNY", "KZT"]), sector=rnd.choice([sector[code], ""]), line_no=i + 1)
        short.append((line, LineOutcome(line.id, need, need, covered, headcount - covered,
                                         Decimal(salary[0]), Decimal(salary[1]))))
    items = []
    for _ in range(programs):
        trains = tuple(sorted(set(rnd.sample(occupations, rnd.choice([1, 1, 2])))))
        p = Program(id=next(ids), code=rnd.choice(["A", "B", "C"]) + str(rnd.randint(1, 3)),
                    college_id=1, college_code=rnd.choice(["GANSU", "ALTAI"]), occupation_codes=trains,
                    sector=rnd.choice([sector[trains[0]], ""]),
                    serves_region_ids=frozenset(rnd.sample(list(REGIONS), rnd.choice([0, 1, 2]))))
        graduation = rnd.choice([D(2026, 6, 30), D(2026, 9, 1)])
        c = Cohort(id=next(ids), program_id=p.id, seats=30, graduation_date=graduation,
                   intake_date=graduation - dt.timedelta(days=rnd.choice([90, 300, 800])))
        items.append(Oversupplied(c, p, rnd.choice([4, 8, 30])))
    if duplicate_program:  # a second OVERSUPPLY row of one program (never made by the engine)
        first = items[0]
        c = Cohort(id=next(ids), program_id=first.program.id, seats=30, graduation_date=D(2026, 7, 1),
                   intake_date=D(2025, 9, 1))
        items.append(Oversupplied(c, first.program, 6))
    return short, items


def as_rows(objects):
    """Every field, context included (a Flag's equality leaves its context out)."""
    return [tuple(sorted((k, repr(v)) for k, v in o.__dict__.items())) for o in objects]


def test_flags_and_retool_are_the_object_versions_in_the_same_order():
    compared = 0
    for seed in range(30):
        short, items = generated(seed)
        want_flags, want_recs = reference(short, items)
        pairs = MisdirectedPairs(short, items)
        assert len(pairs) == len(want_flags)
        assert as_rows(pairs.flags(Q)) == as_rows(want_flags)
        assert as_rows(pairs.retool(Q)) == as_rows(want_recs)
        compared += len(want_flags)
    assert compared > 2000  # the generated cases really have pairs (and ties: few distinct values)


def test_a_program_with_two_oversupply_rows_adds_its_counts_as_before():
    short, items = generated(7, duplicate_program=True)
    want_flags, want_recs = reference(short, items)
    pairs = MisdirectedPairs(short, items)
    assert as_rows(pairs.flags(Q)) == as_rows(want_flags)
    assert as_rows(pairs.retool(Q)) == as_rows(want_recs)
    assert len(want_recs) < len(want_flags)  # the duplicate's pairs merged into one RETOOL each


def test_finalize_flags_still_lists_uncoded_lines_after_the_misdirected_flags():
    short, items = generated(3)
    uncoded = [Line(id=10**7, region_id=1, region_code="ALASHANKOU", occupation_code=None, headcount=4,
                    salary_min=Decimal(1), salary_max=Decimal(2), currency="CNY", occupation_title="Yak herder")]
    flags, pairs = finalize_flags(quarter=Q, short_lines=short, oversupplied=items, uncoded_lines=uncoded)
    assert [f.kind for f in flags[-1:]] == [FlagKind.UNCODED_OCCUPATION]
    assert flags == sorted(flags, key=Flag.sort_key) and len(flags) == len(pairs) + 1


def _live(cls) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is cls)


def test_the_pairs_are_arrays_and_the_rows_are_built_a_batch_at_a_time(monkeypatch):
    # Every program serves every region and trains an occupation adjacent to every line: pairs =
    # programs x lines, the shape of a past quarter met by a supply graduating years later.
    short, items = generated(11, lines=400, programs=50)
    short = [(replace(line, sector="transport", occupation_code="8332"), o) for line, o in short]
    items = [Oversupplied(o.cohort, replace(o.program, sector="transport", occupation_codes=("9333",),
                                            serves_region_ids=frozenset()), o.surplus) for o in items]
    flags_before, recs_before = _live(Flag), _live(Recommendation)
    pairs = MisdirectedPairs(short, items)
    assert len(pairs) == 400 * 50
    # Building the pairs makes no object per pair: 3 x int32 per pair, and nothing else grows with them.
    assert (pairs.item.dtype, pairs.line.dtype, pairs.own.dtype) == ("int32", "int32", "int32")
    assert pairs.item.nbytes + pairs.line.nbytes + pairs.own.nbytes == 12 * len(pairs)
    assert (_live(Flag), _live(Recommendation)) == (flags_before, recs_before)
    # Streaming (as persist.write_ordered_* consumes it) holds at most one batch of objects.
    monkeypatch.setattr(misdirected, "BATCH", 500)
    for name, stream, cls, before in (("flags", pairs.flags(Q), Flag, flags_before),
                                      ("retool", pairs.retool(Q), Recommendation, recs_before)):
        seen = 0
        for obj in stream:
            seen += 1
            if seen in (1, 7_777, 19_999):
                del obj
                assert _live(cls) - before <= 1, name  # only what the consumer holds
        assert seen == len(pairs), name


def reference_open(short_lines, programs):
    """The list version of OPEN (before 2026-12-03), sorted as persist wrote it."""
    by_sector, by_occupation = {}, {}
    for p in sorted(programs, key=lambda p: p.id):
        if p.sector:
            by_sector.setdefault(p.sector, []).append(p)
    for p in programs:
        for code in p.occupation_codes:
            by_occupation.setdefault(code, []).append(p)
    recs = []
    for line, outcome in short_lines:
        if outcome.covered == 0 and line.sector:
            already = {p.college_id for p in by_occupation.get(line.occupation_code, ()) if p.serves(line.region_id)}
            colleges = {}
            for p in by_sector.get(line.sector, ()):
                if p.serves(line.region_id) and p.college_id not in already:
                    colleges.setdefault(p.college_id, p.college_code)
            for college_id in sorted(colleges):
                recs.append(make_recommendation(
                    kind=RecommendationKind.OPEN, quarter=Q, college_id=college_id, college_code=colleges[college_id],
                    line=line, outcome=outcome, headcount=outcome.shortfall,
                ))
    return sorted(recs, key=Recommendation.sort_key)


def test_open_pairs_are_the_list_version_in_the_same_order():
    compared = 0
    for seed in range(30):
        short, items = generated(seed)
        rnd = random.Random(seed)
        # Colleges with several programs; two colleges per code (ties beyond the code).
        ids = [rnd.randint(1, 6) for _ in items]
        programs = [replace(o.program, college_id=i, college_code=["GANSU", "ALTAI", "ZAYSAN"][i % 3])
                    for o, i in zip(items, ids)]
        want = reference_open(short, programs)
        got = OpenPairs(short, programs)
        assert len(got) == len(want)
        assert as_rows(got.recommendations(Q)) == as_rows(want)
        compared += len(want)
    assert compared > 150


def test_open_pairs_best_per_key_are_the_first_of_each_region_and_occupation():
    """OpenPairs.recommendations(per_key=k): the full list with only each (region, occupation)'s
    first k kept, in the same order (what the early warning keeps per entry)."""
    compared = 0
    for seed in range(30):
        short, items = generated(seed)
        rnd = random.Random(seed)
        ids = [rnd.randint(1, 6) for _ in items]
        programs = [replace(o.program, college_id=i, college_code=["GANSU", "ALTAI", "ZAYSAN"][i % 3])
                    for o, i in zip(items, ids)]
        full = reference_open(short, programs)
        for k in (0, 1, 2, 5):
            seen: dict = {}
            want = []
            for rec in full:
                key = (rec.region_id, rec.occupation_code)
                seen[key] = seen.get(key, 0) + 1
                if seen[key] <= k:
                    want.append(rec)
            got = list(OpenPairs(short, programs).recommendations(Q, per_key=k))
            assert as_rows(got) == as_rows(want)
            compared += len(want)
    assert compared > 100


def test_forward_only_leaves_out_only_what_the_early_warning_never_reads():
    """match_components(forward_only=True), the early warning's projected match: the same outcomes,
    allocations and EXPAND / RESCHEDULE recommendations; no pair flags, OVERSUPPLY, ALIGN_CERTIFICATION
    or ADD_LANGUAGE."""
    from gaps.matching.engine import match_components
    from tests.matching.builders import cohort, line, match_input, program

    rnd = random.Random(5)
    lines = [line(rnd.choice(["8341", "7212"]), rnd.choice(["EKZ", "HORGOS", "ILI"]), rnd.choice([5, 20, 60]),
                  certification=rnd.choice(["", "", "KZ"]), languages=rnd.choice([(), ("kk",), ("zh",)]),
                  season_start=rnd.choice([None, D(2026, 8, 1)]), season_end=rnd.choice([None, D(2026, 10, 30)]))
             for _ in range(40)]
    programs = [program((rnd.choice(["8341", "7212"]),), rnd.choice(["GANSU", "ALTAI", "LUBAN"]),
                        serves=rnd.sample(["EKZ", "HORGOS", "ILI"], rnd.choice([0, 1, 2])),
                        languages=rnd.choice([("ru",), ("kk", "ru"), ("zh",)]), certifications=rnd.choice([(), ("KZ",)]))
                for _ in range(12)]
    cohorts = [cohort(p, rnd.choice([5, 15, 40]), D(2026, rnd.choice([3, 6, 8, 10]), rnd.choice([1, 15])))
               for p in programs for _ in range(3)]
    inp = match_input(lines, programs, cohorts)
    full, forward = match_components(inp), match_components(inp, forward_only=True)
    assert forward.outcomes == full.outcomes and forward.allocations == full.allocations
    kept = (RecommendationKind.EXPAND, RecommendationKind.RESCHEDULE)
    assert forward.recommendations == [r for r in full.recommendations if r.kind in kept]
    assert {r.kind for r in full.recommendations} - set(kept)  # the case has ALIGN / ADD_LANGUAGE to leave out
    assert {f.kind for f in forward.flags} == {FlagKind.UNMET_DEMAND, FlagKind.UNDER_SUPPLY}
    assert forward.flags == [f for f in full.flags if f.kind in (FlagKind.UNMET_DEMAND, FlagKind.UNDER_SUPPLY)]
