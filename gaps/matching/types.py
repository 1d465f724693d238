"""Plain data the matching rules work on (no ORM): frozen dataclasses in, dataclasses out.

`gaps.matching.fetch` loads these from the database; `gaps.matching.engine` computes on them;
`gaps.matching.persist` writes what comes out. Tests build them by hand.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


class MatchInputError(ValueError):
    """The quarter's input cannot be matched (e.g. a salary currency without an exchange rate).

    The run fails with this message; results are never computed on a silent default.
    """


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a submitted report: a region's need for workers of one occupation."""

    id: int
    region_id: int
    region_code: str
    occupation_code: str | None  # None: UNCODED, waits for an official to pick the code
    headcount: int
    salary_min: Decimal
    salary_max: Decimal
    currency: str
    season_start: dt.date | None = None
    season_end: dt.date | None = None
    sector: str = ""
    certification: str = ""
    languages: tuple[str, ...] = ()
    occupation_title: str = ""
    # The line's number in its report. With the region code it orders lines that tie on salary and
    # need date (SPEC.md revision 2): one submitted report per region and quarter, so the pair is
    # unique in a quarter. Never the database id, which follows insertion order.
    line_no: int = 0

    def order_key(self) -> tuple:
        """Region code, line number: how lines are listed and, last, ranked. The id only separates
        lines built without a number (never two lines of one quarter's reports)."""
        return (self.region_code, self.line_no, self.id)


@dataclass(frozen=True, slots=True)
class Program:
    """What a college's program offers every cohort of it."""

    id: int
    code: str
    college_id: int
    college_code: str
    occupation_codes: tuple[str, ...]
    sector: str = ""
    languages: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    # Empty: the program serves every region (SPEC.md, program cohorts: `serves_regions`).
    serves_region_ids: frozenset[int] = frozenset()

    def serves(self, region_id: int) -> bool:
        return not self.serves_region_ids or region_id in self.serves_region_ids


@dataclass(frozen=True, slots=True)
class Cohort:
    id: int
    program_id: int
    seats: int
    intake_date: dt.date
    graduation_date: dt.date

    @property
    def duration(self) -> dt.timedelta:
        return self.graduation_date - self.intake_date


def cohort_order_key(cohort: Cohort, program: Program) -> tuple:
    """SPEC.md revision 2: among allocations that still tie, seats come from the cohort graduating
    latest first, then by college code, program code and intake date (unique per program: the
    id only separates hand-built cohorts)."""
    return (-cohort.graduation_date.toordinal(), program.college_code, program.code, cohort.intake_date, cohort.id)


@dataclass(frozen=True)
class RateTable:
    """Rates to CNY by currency, each a list of (date, rate) sorted by date.

    The rate in force on a day is the latest on or before it (SPEC.md, exchange rates); CNY is 1.
    """

    rates: dict[str, tuple[tuple[dt.date, Decimal], ...]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows) -> "RateTable":
        by_currency: dict[str, list[tuple[dt.date, Decimal]]] = {}
        for currency, day, rate in rows:
            by_currency.setdefault(currency.upper(), []).append((day, Decimal(rate)))
        return cls({cur: tuple(sorted(items)) for cur, items in by_currency.items()})

    def rate(self, currency: str, on: dt.date) -> Decimal:
        currency = currency.upper()
        if currency == "CNY":
            return Decimal(1)
        items = self.rates.get(currency, ())
        pos = bisect.bisect_right(items, (on, Decimal("Infinity")))
        if pos == 0:
            raise MatchInputError(
                f"No exchange rate for {currency} on or before {on.isoformat()}: "
                f"import one (import_rates) before matching; salaries are never compared as zero."
            )
        return items[pos - 1][1]

    def to_cny(self, amount: Decimal, currency: str, on: dt.date) -> Decimal:
        return (Decimal(amount) * self.rate(currency, on)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Settings:
    supply_window_days: int = 180
    oversupply_ratio: float = 0.5


@dataclass(frozen=True)
class MatchInput:
    """Everything one quarter's matching (or one chunk of it) reads."""

    quarter: str
    lines: tuple[Line, ...]
    programs: tuple[Program, ...]
    cohorts: tuple[Cohort, ...]
    rates: RateTable
    # Regions with a submitted report in the quarter: a cohort is assessed only if it serves one.
    reported_region_ids: frozenset[int]
    settings: Settings = Settings()
