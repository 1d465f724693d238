"""Hand-made early-warning inputs (plain dataclasses, no database)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from core.quarters import Quarter
from gaps.matching.types import Line, RateTable
from gaps.warning.compute import Report, WarningInput, WarningSettings
from tests.matching.builders import REGION_IDS, cohort, program  # noqa: F401 - re-exported

D = dt.date
_ids = itertools.count(1)


def line(occupation="8341", region="EKZ", headcount=10, *, salary=(6000, 8000), currency="CNY", line_no=0, **kw) -> Line:
    return Line(
        id=next(_ids), region_id=REGION_IDS[region], region_code=region, occupation_code=occupation,
        headcount=headcount, salary_min=Decimal(salary[0]), salary_max=Decimal(salary[1]), currency=currency,
        line_no=line_no, **kw,
    )


def report(quarter: str, region="EKZ", lines=()) -> Report:
    """A submitted report; the lines' region is the report's, numbered in file order."""
    numbered = []
    for number, l in enumerate(lines, start=1):
        numbered.append(Line(**{**{f: getattr(l, f) for f in Line.__slots__}, "region_id": REGION_IDS[region],
                                "region_code": region, "line_no": number}))
    return Report(REGION_IDS[region], region, Quarter.parse(quarter), tuple(numbered))


def warning_input(today, reports, programs=(), cohorts=(), *, rates=(), matched_gaps=None, **settings) -> WarningInput:
    return WarningInput(
        today=today, reports=tuple(reports), programs=tuple(programs), cohorts=tuple(cohorts),
        rates=RateTable.from_rows(rates), matched_gaps=matched_gaps if matched_gaps is not None else {},
        settings=WarningSettings(**settings),
    )
