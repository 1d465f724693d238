"""Quarters as SPEC.md writes them: `YYYYQn`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, value: str) -> "Quarter":
        match = QUARTER_RE.match((value or "").strip())
        if not match:
            raise ValueError(f"{value!r} is not a quarter like 2026Q3")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: dt.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * (self.number - 1) + 1, 1)

    @property
    def end(self) -> dt.date:
        nxt = self.next()
        return nxt.start - dt.timedelta(days=1)

    def next(self) -> "Quarter":
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def validate_quarter(value: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        Quarter.parse(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
