"""Issue 17 point 2: one line never stops a quarter. Any dates Python holds (years 1 to 9999) on
lines and cohorts are matched; what a line alone makes impossible leaves that line out, recorded on
the run with the line named; a missing exchange rate still fails the run naming the currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaps.matching import services
from gaps.matching.engine import match_quarter
from gaps.matching.types import MatchInputError

from . import seed
from .builders import cohort, line, match_input, program

ANY_DATE = st.one_of(st.dates(), st.sampled_from([dt.date.min, dt.date(1, 1, 2), dt.date(9999, 12, 30), dt.date.max]))
# A rate from the first day of the calendar: a KZT line has one in force whatever its need date.
RATES = [("KZT", dt.date.min, "0.0145")]


@st.composite
def extreme_worlds(draw):
    p = program(("8341",), serves=())
    other = program(("8341", "8342"), certifications=("KZ",))
    cohorts = []
    for prog in (p, other):
        for _ in range(draw(st.integers(0, 3))):
            a, b = sorted([draw(ANY_DATE), draw(ANY_DATE)])
            cohorts.append(cohort(prog, seats=draw(st.integers(1, 50)), intake=a, graduation=b))
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.one_of(st.none(), ANY_DATE))
        end = draw(st.one_of(st.none(), ANY_DATE))
        if start and end and end < start:
            start, end = end, start
        lines.append(line(
            draw(st.sampled_from(["8341", "8342"])), region=draw(st.sampled_from(["EKZ", "HORGOS"])),
            headcount=draw(st.integers(1, 60)), currency=draw(st.sampled_from(["CNY", "KZT"])),
            salary=(draw(st.sampled_from([100, 500_000])),) * 2, season_start=start, season_end=end,
            certification=draw(st.sampled_from(["", "KZ"])), sector=draw(st.sampled_from(["", "A"])),
        ))
    return lines, [p, other], cohorts


@pytest.mark.django_db  # `detail` reads the names of regions, occupations and programs
@settings(max_examples=300, deadline=None)
@given(extreme_worlds(), st.sampled_from(["2026Q3", "0001Q1", "9999Q3"]))
def test_any_dates_on_lines_and_cohorts_never_fail_a_match(world, quarter):
    lines, programs, cohorts = world
    result = match_quarter(match_input(lines, programs, cohorts, quarter=quarter, rates=RATES))
    assert result.faults == []  # dates alone never leave a line out: they are matched
    assert {l.id for l in lines} == set(result.outcomes)
    for l in lines:
        outcome = result.outcomes[l.id]
        assert outcome.covered + outcome.shortfall == l.headcount
        assert outcome.need_date <= outcome.end_date
    for f in result.flags:
        assert f.detail  # every sentence can be written


def test_a_salary_the_results_cannot_hold_leaves_only_that_line_out():
    rates = [("USD", dt.date(2026, 1, 1), "7.1")]
    huge = line(headcount=5, currency="USD", salary=(999_999_999_999, 999_999_999_999))
    fine = line(headcount=5, region="HORGOS")
    p = program()
    result = match_quarter(match_input([huge, fine], [p], [cohort(p, seats=5)], rates=rates))
    (fault,) = result.faults
    assert (fault.line_id, fault.reason) == (huge.id, "salary_out_of_range") and "USD" in fault.message
    assert set(result.outcomes) == {fine.id} and result.outcomes[fine.id].covered == 5


def test_a_missing_exchange_rate_still_fails_the_match_naming_the_currency():
    with pytest.raises(MatchInputError, match="KZT"):
        match_quarter(match_input([line(currency="KZT", season_start=dt.date(1, 1, 1))], [], []))


@pytest.mark.django_db
def test_a_run_with_lines_at_the_edges_of_the_calendar_succeeds_and_names_the_line_it_left_out():
    """The case of issue 17: a season 0001-01-01..0001-01-02 made every run of the quarter fail
    ("date value out of range" in the fetch); so did a cohort or season at 9999-12-31."""
    from gaps.models import ExchangeRate, LineOutcome, MatchRunStatus

    seed.occupations()
    ekz, horgos, ili = seed.region("EKZ"), seed.region("HORGOS", "CN"), seed.region("ILI", "CN")
    ExchangeRate.objects.create(currency="USD", date=dt.date(2026, 1, 1), rate_to_cny=Decimal("7.1"))
    seed.report(ekz, lines=[
        {"occupation": "8341", "headcount": 4, "season_start": dt.date(1, 1, 1), "season_end": dt.date(1, 1, 2)},
        {"occupation": "8341", "headcount": 4, "season_start": dt.date(9999, 12, 31)},
    ])
    seed.report(horgos, lines=[{"occupation": "8341", "headcount": 6}])
    seed.report(ili, lines=[{"occupation": "8341", "headcount": 2, "currency": "USD",
                             "salary_min": Decimal("999999999999.00"), "salary_max": Decimal("999999999999.99")}])
    harvest = seed.program("EKZ-AGRO", "HARVEST", ["8341"])
    seed.cohort(harvest, 6, dt.date(2026, 6, 30))
    seed.cohort(harvest, 3, dt.date(9999, 12, 31), intake=dt.date(1, 1, 1))
    run = services.match_quarter_inline(quarter="2026Q3", trigger="command")
    assert run.status == MatchRunStatus.SUCCEEDED
    outcomes = {(o.line.report.region.code, o.line.line_no): o for o in LineOutcome.objects.filter(run=run)}
    assert outcomes[("HORGOS", 1)].covered == 6
    assert outcomes[("EKZ", 1)].shortfall == 4 and outcomes[("EKZ", 2)].need_date == dt.date(9999, 12, 31)
    assert ("ILI", 1) not in outcomes
    (fault,) = run.line_faults
    assert (fault["region_code"], fault["line_no"], fault["reason"]) == ("ILI", 1, "salary_out_of_range")
