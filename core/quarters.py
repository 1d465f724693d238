"""Quarters as SPEC.md writes them: `YYYYQn`."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from core.dates import MAX_YEAR, MIN_YEAR

QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of a year Python's calendar holds (1 to 9999); written with four digits, `0005Q1`.

    Quarters people or files set lie in MIN_YEAR..MAX_YEAR (core.dates): parse() checks it unless
    told `bounded=False` (the matching engine, which must never fail on whatever it is given)."""

    year: int
    number: int

    def __post_init__(self):
        if not (dt.MINYEAR <= self.year <= dt.MAXYEAR and 1 <= self.number <= 4):
            raise ValueError(f"{self.year}Q{self.number} is not a quarter")

    @classmethod
    def parse(cls, value: str, *, bounded: bool = True) -> "Quarter":
        match = QUARTER_RE.match((value or "").strip())
        if not match:
            raise ValueError(f"{value!r} is not a quarter like 2026Q3")
        year = int(match.group(1))
        if bounded and not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"{value!r} is not a quarter between {MIN_YEAR}Q1 and {MAX_YEAR}Q4")
        if year < dt.MINYEAR:
            raise ValueError(f"{value!r} is not a quarter like 2026Q3")
        return cls(year, int(match.group(2)))

    @classmethod
    def containing(cls, day: dt.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * (self.number - 1) + 1, 1)

    @property
    def end(self) -> dt.date:
        month = 3 * self.number
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def next(self) -> "Quarter":
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}Q{self.number}"


def validate_quarter(value: str) -> None:
    """A quarter people or files set: `YYYYQn`, 1900Q1 to 2200Q4."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    try:
        Quarter.parse(value)
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a quarter between %(first)s and %(last)s, like 2026Q3.")
            % {"value": value, "first": f"{MIN_YEAR}Q1", "last": f"{MAX_YEAR}Q4"},
            code="invalid_quarter",
        ) from None
