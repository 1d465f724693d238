"""The default forecast of SPEC.md "Looking ahead", its 80 % interval and its backtest (pure, no ORM).

A series is (region, unit group, quarter of the year); its value for a year is the headcount of
the region's submitted report of that quarter (0 when the report does not name the occupation),
and a year without a submitted report is missing (absent from the mapping).

The forecast for year Y from the observed values of Y-1, Y-2, Y-3: none -> None; one -> that
value; two or three -> `last + (last - first) / (year_last - year_first)`, at least 0, rounded
half up. Computed in exact fractions, so 14.5 is 15 and never 14 through a float.

The 80 % interval (docs/contract.md, section 9, "The 80 % interval"): for every past quarter the
method could have forecast, the ratio (actual + 1) / (forecast + 1) is recorded, by how many of the
three previous years were observed (1, 2 or 3). The 10th and 90th percentiles (linear
interpolation between order statistics, numpy's default) of those ratios give
`low = (forecast + 1) x r10 - 1` and `high = (forecast + 1) x r90 - 1`, rounded half up, never below
0, widened if needed to contain the forecast. Fewer than MIN_ERRORS (30) ratios of a kind: all kinds
pooled; fewer than 30 in all: the ratios DEFAULT_RATIOS (0.5, 1.5).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np

from core.quarters import Quarter

MIN_ERRORS = 30
DEFAULT_RATIOS = (0.5, 1.5)
LOOKBACK_YEARS = (1, 2, 3)


def round_half_up(value: Fraction | Decimal | float | int) -> int:
    """Half away from zero for the non-negative values used here: 14.5 -> 15, 2.5 -> 3."""
    if isinstance(value, Fraction):
        return math.floor(value + Fraction(1, 2))
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def forecast(values: Mapping[int, int]) -> int | None:
    """The default method on the observed values {year: headcount} (missing years absent)."""
    if not values:
        return None
    years = sorted(values)
    first, last = years[0], years[-1]
    if first == last:
        return max(0, int(values[last]))
    estimate = values[last] + Fraction(values[last] - values[first], last - first)
    return max(0, round_half_up(estimate))


def lookback(values_by_year: Mapping[int, int], year: int) -> dict[int, int]:
    """The observed values of years year-1, year-2, year-3 (what the forecast for `year` may use)."""
    return {year - k: values_by_year[year - k] for k in LOOKBACK_YEARS if year - k in values_by_year}


# --- The interval ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratios:
    """The interval's ratios for forecasts made from 1, 2 or 3 observed years, and where each came from."""

    by_years: Mapping[int, tuple[float, float]]
    source: Mapping[int, str]  # "stratum", "pooled" or "default"
    counts: Mapping[int, int]  # past errors of each kind

    @classmethod
    def default(cls) -> "Ratios":
        return cls({k: DEFAULT_RATIOS for k in LOOKBACK_YEARS}, {k: "default" for k in LOOKBACK_YEARS},
                   {k: 0 for k in LOOKBACK_YEARS})

    def interval(self, value: int, years_observed: int) -> tuple[int, int]:
        low_ratio, high_ratio = self.by_years.get(years_observed, DEFAULT_RATIOS)
        base = Decimal(value + 1)
        low = max(0, round_half_up(base * Decimal(repr(low_ratio)) - 1))
        high = max(0, round_half_up(base * Decimal(repr(high_ratio)) - 1))
        return min(low, value), max(high, value)

    def as_json(self) -> dict:
        return {
            str(k): {"low": round(self.by_years[k][0], 4), "high": round(self.by_years[k][1], 4),
                     "source": self.source[k], "errors": self.counts[k]}
            for k in LOOKBACK_YEARS
        }


def _percentiles(ratios: list[float]) -> tuple[float, float]:
    low, high = np.percentile(np.asarray(ratios, dtype=float), [10, 90])
    return float(low), float(high)


def learn_ratios(cases: Iterable["Case"], *, min_errors: int = MIN_ERRORS) -> Ratios:
    by_years: dict[int, list[float]] = defaultdict(list)
    for case in cases:
        by_years[case.years_observed].append((case.actual + 1) / (case.forecast + 1))
    pooled = [r for k in LOOKBACK_YEARS for r in by_years[k]]
    out, source = {}, {}
    for k in LOOKBACK_YEARS:
        if len(by_years[k]) >= min_errors:
            out[k], source[k] = _percentiles(by_years[k]), "stratum"
        elif len(pooled) >= min_errors:
            out[k], source[k] = _percentiles(pooled), "pooled"
        else:
            out[k], source[k] = DEFAULT_RATIOS, "default"
    return Ratios(out, source, {k: len(by_years[k]) for k in LOOKBACK_YEARS})


# --- The backtest --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One past quarter the method could have forecast: what it said, what seasonal naive said, what came."""

    region_id: int
    occupation_code: str
    quarter: Quarter
    years_observed: int
    forecast: int
    naive: int | None  # last year's value; None when last year is missing
    actual: int


def series_values(reports: Mapping[tuple[int, Quarter], Mapping[str, int]], region_id: int, number: int,
                  years: Iterable[int]) -> dict[int, dict[str, int]]:
    """{year: {occupation: headcount}} of the region's submitted reports of quarter `number` in `years`."""
    return {y: reports[(region_id, Quarter(y, number))] for y in years if (region_id, Quarter(y, number)) in reports}


def backtest_cases(reports: Mapping[tuple[int, Quarter], Mapping[str, int]], before: Quarter) -> list[Case]:
    """Every (region, occupation, past quarter before `before`) with a submitted report for that
    quarter and at least one observed year among the three before it.

    `reports`: (region id, quarter) -> {occupation code: headcount summed} of submitted reports.
    """
    cases = []
    for (region_id, quarter), actual_values in sorted(reports.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if quarter >= before:
            continue
        observed = series_values(reports, region_id, quarter.number, (quarter.year - k for k in LOOKBACK_YEARS))
        if not observed:
            continue
        occupations = set(actual_values)
        for values in observed.values():
            occupations.update(values)
        for occupation in sorted(occupations):
            history = {year: values.get(occupation, 0) for year, values in observed.items()}
            value = forecast(history)
            naive = history.get(quarter.year - 1)
            cases.append(Case(region_id, occupation, quarter, len(history), value, naive,
                              actual_values.get(occupation, 0)))
    return cases


@dataclass
class Errors:
    """Error figures of one method on a set of cases."""

    n: int = 0
    abs_error: int = 0
    signed_error: int = 0
    actual_total: int = 0
    ape: list[float] = field(default_factory=list)  # |error| / actual where actual > 0

    def add(self, predicted: int, actual: int) -> None:
        self.n += 1
        self.abs_error += abs(predicted - actual)
        self.signed_error += predicted - actual
        self.actual_total += actual
        if actual > 0:
            self.ape.append(abs(predicted - actual) / actual)

    def as_json(self) -> dict:
        return {
            "n": self.n,
            "mae": round(self.abs_error / self.n, 2) if self.n else None,
            "bias": round(self.signed_error / self.n, 2) if self.n else None,
            "wape": round(self.abs_error / self.actual_total, 4) if self.actual_total else None,
            "mape": round(sum(self.ape) / len(self.ape), 4) if self.ape else None,
        }


def backtest(cases: list[Case], ratios: Ratios) -> dict:
    """The method next to seasonal naive, on the cases where both have a value (last year observed),
    overall, per quarter of the year and per number of observed years; and the share of actual
    values inside the method's 80 % interval (in-sample: the ratios are learnt from these cases)."""
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        if case.naive is None:
            continue
        groups["overall"].append(case)
        groups[f"Q{case.quarter.number}"].append(case)
        groups[f"years_{case.years_observed}"].append(case)
    out = {}
    order = ["overall", "Q1", "Q2", "Q3", "Q4", "years_1", "years_2", "years_3"]
    for key in order:
        members = groups.get(key, [])
        method, naive, inside = Errors(), Errors(), 0
        for case in members:
            method.add(case.forecast, case.actual)
            naive.add(case.naive, case.actual)
            low, high = ratios.interval(case.forecast, case.years_observed)
            inside += low <= case.actual <= high
        out[key] = {
            "method": method.as_json(), "seasonal_naive": naive.as_json(),
            "interval_coverage": round(inside / len(members), 4) if members else None,
        }
    return {"groups": out, "cases": len(cases), "compared": len(groups.get("overall", [])),
            "ratios": ratios.as_json()}
