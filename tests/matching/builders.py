"""Small hand-made matching inputs (plain dataclasses, no database)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from gaps.matching.types import Cohort, Line, MatchInput, Program, RateTable, Settings

_ids = itertools.count(1)

D = dt.date
REGION_IDS = {"EKZ": 1, "HORGOS": 2, "ALASHANKOU": 3, "ILI": 4}
_college_ids: dict[str, int] = {}


def line(occupation="8341", region="EKZ", headcount=10, salary=(6000, 8000), currency="CNY", *, id=None, **kw) -> Line:
    return Line(
        id=id or next(_ids), region_id=REGION_IDS[region], region_code=region, occupation_code=occupation,
        headcount=headcount, salary_min=Decimal(salary[0]), salary_max=Decimal(salary[1]), currency=currency, **kw,
    )


def program(occupations=("8341",), college="GANSU", *, id=None, code=None, serves=(), languages=("zh", "ru"), **kw) -> Program:
    pid = id or next(_ids)
    return Program(
        id=pid, code=code or f"P{pid}", college_id=_college_ids.setdefault(college, len(_college_ids) + 1), college_code=college,
        occupation_codes=tuple(occupations), serves_region_ids=frozenset(REGION_IDS[r] for r in serves),
        languages=tuple(languages), **kw,
    )


def cohort(prog: Program, seats=20, graduation=D(2026, 6, 30), intake=None, *, id=None) -> Cohort:
    return Cohort(
        id=id or next(_ids), program_id=prog.id, seats=seats,
        intake_date=intake or graduation - dt.timedelta(days=300), graduation_date=graduation,
    )


def match_input(lines, programs, cohorts, *, quarter="2026Q3", rates=(), reported=None, **settings) -> MatchInput:
    reported_ids = frozenset(l.region_id for l in lines) if reported is None else frozenset(REGION_IDS[r] for r in reported)
    return MatchInput(
        quarter=quarter, lines=tuple(lines), programs=tuple(programs), cohorts=tuple(cohorts),
        rates=RateTable.from_rows(rates), reported_region_ids=reported_ids, settings=Settings(**settings),
    )
