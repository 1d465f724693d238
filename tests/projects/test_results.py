"""The results chain: pure arithmetic, currency conversion, and the SQL sort keys agreeing with it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from projects import selectors, services
from projects.models import CooperationProject
from projects.results import (
    MissingExchangeRate,
    OutcomeFigures,
    RateTable,
    expected_growth_pct,
    income_change,
    ratio,
    results_chain,
)

D = Decimal


def table():
    rates = RateTable()
    rates.add("KZT", dt.date(2025, 1, 1), D("0.014"))
    rates.add("KZT", dt.date(2026, 6, 1), D("0.015"))
    rates.add("USD", dt.date(2025, 1, 1), D("7.1"))
    return rates


def fig(enrolled=20, completed=10, passed=8, employed=6, **kw):
    return OutcomeFigures(enrolled=enrolled, completed=completed, passed=passed, employed=employed, **kw)


class TestRates:
    def test_rate_in_force_is_latest_on_or_before(self):
        rates = table()
        assert rates.rate("KZT", dt.date(2026, 5, 31)) == D("0.014")
        assert rates.rate("KZT", dt.date(2026, 6, 1)) == D("0.015")
        assert rates.rate("KZT", dt.date(2030, 1, 1)) == D("0.015")
        assert rates.rate("CNY", dt.date(1990, 1, 1)) == 1

    def test_missing_rate_is_an_error_not_zero(self):
        with pytest.raises(MissingExchangeRate, match="KZT on or before 2024-12-31"):
            table().rate("KZT", dt.date(2024, 12, 31))
        with pytest.raises(MissingExchangeRate, match="EUR"):
            table().to_cny(D(100), "EUR", dt.date(2026, 1, 1))


class TestArithmetic:
    def test_rates_are_sums_over_completions(self):
        r = results_chain([fig(completed=10, passed=8, employed=6), fig(completed=30, passed=12, employed=30)], table())
        assert r.completed == 40 and r.pass_rate == D(20) / 40 and r.employment_rate == D(36) / 40

    def test_empty_cohorts_give_none_not_division_errors(self):
        r = results_chain([fig(enrolled=5, completed=0, passed=0, employed=0)], table())
        assert r.pass_rate is None and r.employment_rate is None and r.income_change_pct is None
        assert ratio(0, 0) is None
        assert results_chain([], table()).pass_rate is None

    def test_income_change_converts_each_figure_at_its_date(self):
        # 300,000 KZT at 0.014 = 4,200 CNY before; 400,000 KZT at 0.015 = 6,000 CNY after: +42.857 %.
        o = fig(income_before=D(300000), income_after=D(400000), currency="KZT",
                before_on=dt.date(2025, 9, 1), after_on=dt.date(2026, 12, 31), wage_growth_pct=D(10))
        change = income_change([o], table())
        assert change.before_cny == D(4200) and change.after_cny == D(6000)
        assert round(change.change_pct, 3) == D("42.857")
        expected = expected_growth_pct(D(10), dt.date(2025, 9, 1), dt.date(2026, 12, 31))
        # 10 %/year over 486 days (1.3306 years), compounded: 1.1 ** 1.3306 - 1 = 13.52 %.
        assert float(expected) == pytest.approx((1.1 ** (486 / 365.25) - 1) * 100)
        assert change.appreciation_pct == change.change_pct - expected

    def test_mixed_currencies_are_weighted_by_completions(self):
        kzt = fig(completed=10, income_before=D(300000), income_after=D(300000), currency="KZT",
                  before_on=dt.date(2026, 1, 1), after_on=dt.date(2026, 1, 1))  # 4,200 -> 4,200 CNY
        usd = fig(completed=30, income_before=D(1000), income_after=D(2000), currency="USD",
                  before_on=dt.date(2026, 1, 1), after_on=dt.date(2026, 1, 1))  # 7,100 -> 14,200 CNY
        change = income_change([kzt, usd], table())
        before = (D(4200) * 10 + D(7100) * 30) / 40
        after = (D(4200) * 10 + D(14200) * 30) / 40
        assert change.before_cny == before and change.after_cny == after
        assert change.change_pct == (after - before) / before * 100
        assert change.expected_pct is None and change.appreciation_pct is None  # no wage growth known

    def test_missing_rate_surfaces_as_an_error_in_the_chain(self):
        o = fig(income_before=D(1), income_after=D(2), currency="EUR", before_on=dt.date(2026, 1, 1),
                after_on=dt.date(2026, 7, 1))
        r = results_chain([o], table())
        assert r.income_change_pct is None and r.pass_rate == D("0.8")
        assert "EUR" in r.errors[0]

    def test_cohorts_without_incomes_or_completions_do_not_weigh(self):
        empty = fig(completed=0, passed=0, employed=0, income_before=D(1), income_after=D(1000), currency="CNY",
                    before_on=dt.date(2026, 1, 1), after_on=dt.date(2026, 1, 1))
        real = fig(income_before=D(100), income_after=D(150), currency="CNY", before_on=dt.date(2026, 1, 1),
                   after_on=dt.date(2026, 1, 1), wage_growth_pct=D(5))
        change = income_change([empty, real, fig()], table())
        assert change.change_pct == D(50) and change.expected_pct == 0


@pytest.fixture
def two_projects(make_gap, world, rates):
    """Project A: 10 completed, 9 passed, 5 employed, KZT incomes. Project B: 20/10/18, CNY incomes."""
    reviewer = world["reviewer"]
    a = services.gap_approve(gap=make_gap(), user=reviewer)
    b = services.gap_approve(gap=make_gap(occupation=world["grader"]), user=reviewer)
    services.outcome_create(project=a, user=reviewer, cohort=world["cohort"], enrolled=12, completed=10,
                            passed_assessment=9, employed_6m=5, income_before=D(300000), income_after=D(400000),
                            income_currency="KZT")
    services.outcome_create(project=b, user=reviewer, cohort=world["cohort"], enrolled=25, completed=20,
                            passed_assessment=10, employed_6m=18, income_before=D(4000), income_after=D(4400),
                            income_currency="CNY", income_before_on=dt.date(2025, 9, 1),
                            income_after_on=dt.date(2026, 9, 1))
    services.outcome_create(project=b, user=reviewer, cohort=world["cohort2"], enrolled=3, completed=0,
                            passed_assessment=0, employed_6m=0)
    return a, b


def stored(project):
    return CooperationProject.objects.get(pk=project.pk)


class TestStoredResults:
    def test_stored_figures_are_the_pure_functions(self, two_projects, world):
        a, b = two_projects
        chain = selectors.results_by_project([a.pk, b.pk])
        for project in (a, b):
            row, r = stored(project), chain[project.pk]
            assert row.pass_rate == round(r.pass_rate, 4)
            assert row.employment_rate == round(r.employment_rate, 4)
            assert row.income_change_pct == round(r.income_change_pct, 2)
            assert row.skill_appreciation_pct == round(r.skill_appreciation_pct, 2)
            assert row.results == r.as_dict() and row.results_updated_at is not None
        # A: intake 2025-09-01 at 0.014 -> 4,200; after = graduation + 182 days (2026-12-29) at 0.015 -> 6,000.
        assert float(chain[a.pk].income_change_pct) == pytest.approx(300 / 7)
        assert chain[b.pk].income_change_pct == 10
        # East Kazakhstan's wages grow 10 %/year: B's +10 % over one year is no appreciation.
        assert float(chain[b.pk].skill_appreciation_pct) == pytest.approx(0, abs=0.05)

    def test_outcome_changes_refresh_the_stored_figures(self, two_projects, world):
        a, _ = two_projects
        outcome = a.outcomes.get()
        services.outcome_update(outcome=outcome, user=world["reviewer"], passed_assessment=2)
        assert stored(a).pass_rate == D("0.2")
        services.outcome_delete(outcome=outcome, user=world["reviewer"])
        row = stored(a)
        assert row.pass_rate is None and row.income_change_pct is None and row.results["cohorts"] == 0

    def test_missing_rate_stores_no_income_change_until_the_rate_arrives(self, two_projects, world):
        from gaps.models import ExchangeRate

        a, _ = two_projects
        services.outcome_update(outcome=a.outcomes.get(), user=world["reviewer"], income_currency="EUR")
        row = stored(a)
        assert row.income_change_pct is None and row.pass_rate == D("0.9")
        assert "EUR" in row.results["errors"][0]
        ExchangeRate.objects.create(currency="EUR", date=dt.date(2025, 1, 1), rate_to_cny=D("7.8"))
        from projects.tasks import refresh_results

        assert refresh_results() == 2  # the daily task (also after rate imports)
        row = stored(a)
        assert row.income_change_pct == D("33.33") and row.results["errors"] == []

    def test_aggregate_over_projects(self, two_projects):
        r = selectors.aggregate_results(CooperationProject.objects.all())
        assert (r.cohorts, r.enrolled, r.completed, r.passed, r.employed) == (3, 40, 30, 19, 23)
        assert r.pass_rate == D(19) / 30 and r.employment_rate == D(23) / 30

    def test_project_without_outcomes_has_no_figures(self, gap, world):
        project = services.gap_approve(gap=gap, user=world["reviewer"])
        row = stored(project)
        assert row.pass_rate is None and row.employment_rate is None and row.income_change_pct is None
        assert selectors.results_by_project([project.pk])[project.pk].cohorts == 0

    def test_refresh_command(self, two_projects):
        from django.core.management import call_command

        CooperationProject.objects.update(pass_rate=None)
        out = io.StringIO()
        call_command("refresh_project_results", stdout=out)
        assert "2 projects" in out.getvalue() and "(s)" not in out.getvalue()
        assert stored(two_projects[0]).pass_rate == D("0.9")
