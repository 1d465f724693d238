"""Database rows for early-warning tests: a small history dated from a given today."""

from __future__ import annotations

import datetime as dt

from core.quarters import Quarter
from tests.matching import seed as matching_seed


def history(today: dt.date):
    """EKZ reported 8341 in the next quarter's quarter of the year for three years (80, 100, 130)
    and 7126 once; Horgos has already submitted the quarter after next (7126, reported lines).
    A program trains 8341 with one cohort graduating in time for the forecast line (40 seats)."""
    matching_seed.occupations()
    ekz, horgos = matching_seed.region("EKZ"), matching_seed.region("HORGOS", "CN")
    target = Quarter.containing(today).next()
    for back, count in ((3, 80), (2, 100), (1, 130)):
        q = Quarter(target.year - back, target.number)
        lines = [{"occupation": "8341", "headcount": count}]
        if back == 1:
            lines.append({"occupation": "7126", "headcount": 9})
        matching_seed.report(ekz, quarter=str(q), lines=lines)
    second = target.next()
    matching_seed.report(horgos, quarter=str(second), lines=[{"occupation": "7126", "headcount": 25}])
    harv = matching_seed.program("LUBAN", "HARV", ["8341"], serves=[ekz])
    cohort = matching_seed.cohort(harv, 40, target.start - dt.timedelta(days=10),
                                  intake=target.start - dt.timedelta(days=174))
    return {"ekz": ekz, "horgos": horgos, "target": target, "second": second, "harv": harv, "cohort": cohort}
