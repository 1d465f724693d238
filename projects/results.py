"""The results chain, as pure functions over plain data (no ORM): SPEC.md, "Projects".

Projects are judged on results, not trainee counts:

- certification pass rate = passed Kazakhstan's skill assessment / completed;
- employment rate = employed within six months / completed;
- income change = median monthly income after vs before, both converted to CNY at the rate in
  force on the day each was measured (the latest rate on or before that day);
- skill appreciation = income change minus the growth the region's average wage would have
  given over the same period, in percentage points.

Sums run over cohorts, so a project (or a set of projects) is judged on all its trainees: the
rates are sums of counts over sums of completions, and incomes are weighted by completions.
A cohort with nobody completed gives no rate (None), never a division error. A missing exchange
rate is an error (MissingExchangeRate), never a silent zero.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

# Incomes "after" are measured six months after graduation unless a date is given.
EMPLOYMENT_WINDOW_DAYS = 182
DAYS_PER_YEAR = Decimal("365.25")


class MissingExchangeRate(LookupError):
    """No rate for a currency on or before a date: amounts in it cannot be compared."""

    def __init__(self, currency: str, on: dt.date):
        self.currency, self.on = currency, on
        super().__init__(
            _("No exchange rate to CNY for %(currency)s on or before %(date)s; add one (admin or import_rates).")
            % {"currency": currency, "date": on.isoformat()}
        )


@dataclass
class RateTable:
    """Exchange rates to CNY by currency, each a date-sorted list. CNY is always 1."""

    rates: dict[str, list[tuple[dt.date, Decimal]]] = field(default_factory=dict)

    def add(self, currency: str, on: dt.date, rate: Decimal) -> None:
        bisect.insort(self.rates.setdefault(currency, []), (on, Decimal(rate)))

    def rate(self, currency: str, on: dt.date) -> Decimal:
        """The rate in force on `on`: the latest on or before it."""
        if currency == "CNY":
            return Decimal(1)
        series = self.rates.get(currency, [])
        index = bisect.bisect_right(series, (on, Decimal("Infinity")))
        if index == 0:
            raise MissingExchangeRate(currency, on)
        return series[index - 1][1]

    def to_cny(self, amount: Decimal, currency: str, on: dt.date) -> Decimal:
        return Decimal(amount) * self.rate(currency, on)


@dataclass(frozen=True)
class OutcomeFigures:
    """One cohort's outcome with what the results chain needs from its cohort and region."""

    enrolled: int
    completed: int
    passed: int
    employed: int
    income_before: Decimal | None = None
    income_after: Decimal | None = None
    currency: str = ""
    before_on: dt.date | None = None
    after_on: dt.date | None = None
    # The region's average nominal wage growth, percent per year (None: unknown).
    wage_growth_pct: Decimal | None = None

    @property
    def has_incomes(self) -> bool:
        return self.income_before is not None and self.income_after is not None and self.completed > 0


@dataclass(frozen=True)
class Results:
    cohorts: int
    enrolled: int
    completed: int
    passed: int
    employed: int
    pass_rate: Decimal | None
    employment_rate: Decimal | None
    income_before_cny: Decimal | None
    income_after_cny: Decimal | None
    income_change_pct: Decimal | None
    expected_wage_growth_pct: Decimal | None
    skill_appreciation_pct: Decimal | None
    errors: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        def num(value):
            return None if value is None else float(round(value, 4))

        return {
            "cohorts": self.cohorts,
            "enrolled": self.enrolled,
            "completed": self.completed,
            "passed_assessment": self.passed,
            "employed_6m": self.employed,
            "pass_rate": num(self.pass_rate),
            "employment_rate": num(self.employment_rate),
            "income_before_cny": num(self.income_before_cny),
            "income_after_cny": num(self.income_after_cny),
            "income_change_pct": num(self.income_change_pct),
            "expected_wage_growth_pct": num(self.expected_wage_growth_pct),
            "skill_appreciation_pct": num(self.skill_appreciation_pct),
            "errors": list(self.errors),
        }


def ratio(part: int, whole: int) -> Decimal | None:
    """part / whole, or None when there is no whole (an empty cohort has no rate)."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


def expected_growth_pct(wage_growth_pct: Decimal, before_on: dt.date, after_on: dt.date) -> Decimal:
    """What the region's average wage growth (percent per year) gives over the period, compounded."""
    years = Decimal((after_on - before_on).days) / DAYS_PER_YEAR
    factor = (Decimal(1) + Decimal(wage_growth_pct) / 100) ** years
    return (factor - 1) * 100


@dataclass(frozen=True)
class IncomeChange:
    before_cny: Decimal
    after_cny: Decimal
    change_pct: Decimal | None
    expected_pct: Decimal | None

    @property
    def appreciation_pct(self) -> Decimal | None:
        if self.change_pct is None or self.expected_pct is None:
            return None
        return self.change_pct - self.expected_pct


def income_change(outcomes: list[OutcomeFigures], rates: RateTable) -> IncomeChange | None:
    """Completion-weighted mean incomes before and after in CNY, and the change against wage growth.

    None when no cohort has both incomes (and completions). Raises MissingExchangeRate.
    """
    weighted = [o for o in outcomes if o.has_incomes]
    if not weighted:
        return None
    before_total = after_total = expected_total = Decimal(0)
    expected_known = True
    for o in weighted:
        if o.before_on is None or o.after_on is None:
            raise ValueError("income dates are required to convert incomes")
        before = rates.to_cny(o.income_before, o.currency, o.before_on) * o.completed
        after = rates.to_cny(o.income_after, o.currency, o.after_on) * o.completed
        before_total += before
        after_total += after
        if o.wage_growth_pct is None:
            expected_known = False
        else:
            expected_total += before * expected_growth_pct(o.wage_growth_pct, o.before_on, o.after_on) / 100
    completed = sum(o.completed for o in weighted)
    change = expected = None
    if before_total > 0:
        change = (after_total - before_total) / before_total * 100
        if expected_known:
            expected = expected_total / before_total * 100
    return IncomeChange(before_total / completed, after_total / completed, change, expected)


def results_chain(outcomes: list[OutcomeFigures], rates: RateTable) -> Results:
    """The results chain over any set of cohort outcomes (one project's, or many projects')."""
    enrolled = sum(o.enrolled for o in outcomes)
    completed = sum(o.completed for o in outcomes)
    passed = sum(o.passed for o in outcomes)
    employed = sum(o.employed for o in outcomes)
    errors: list[str] = []
    try:
        income = income_change(outcomes, rates)
    except MissingExchangeRate as exc:
        income = None
        errors.append(str(exc))
    return Results(
        cohorts=len(outcomes),
        enrolled=enrolled,
        completed=completed,
        passed=passed,
        employed=employed,
        pass_rate=ratio(passed, completed),
        employment_rate=ratio(employed, completed),
        income_before_cny=income.before_cny if income else None,
        income_after_cny=income.after_cny if income else None,
        income_change_pct=income.change_pct if income else None,
        expected_wage_growth_pct=income.expected_pct if income else None,
        skill_appreciation_pct=income.appreciation_pct if income else None,
        errors=tuple(errors),
    )
