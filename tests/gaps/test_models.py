"""Model rules of the gaps app: every constraint rejects what it should, in the database itself.

Each case builds a valid row, breaks one rule, and expects PostgreSQL to refuse the save (so the
rule holds for bulk writes and raw SQL too), naming the constraint. The valid row saving first
shows that it is the broken rule, not something else, that is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gaps.models import ExchangeRate, Gap, GapReport, GapReportLine, Occupation, OccupationLabel, Region, ReportStatus
from tests.api import factories as f

pytestmark = pytest.mark.django_db


def refused(constraint: str, make):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        make()
    assert constraint in str(excinfo.value)


@pytest.fixture
def region():
    f.occupations()
    return f.region("KZ-VOS")


@pytest.fixture
def report(region):
    return GapReport.objects.create(region=region, quarter="2026Q3")


def new_line(report, **overrides):
    fields = f.line_fields()
    fields.update(overrides)
    return GapReportLine(report=report, line_no=overrides.pop("line_no", 1), **fields)


class TestReportLine:
    def test_a_valid_line_saves(self, report):
        new_line(report).save()
        assert report.lines.count() == 1

    @pytest.mark.parametrize("headcount", [0, 100001])
    def test_headcount_is_between_1_and_100000(self, report, headcount):
        refused("line_headcount_1_100000", lambda: new_line(report, headcount=headcount).save())

    @pytest.mark.parametrize("headcount", [1, 100000])
    def test_headcount_bounds_are_inclusive(self, report, headcount):
        new_line(report, headcount=headcount).save()

    def test_salary_min_is_at_most_salary_max(self, report):
        refused("line_salary_min_le_max", lambda: new_line(report, salary_min=Decimal(500), salary_max=Decimal(499)).save())

    def test_salary_min_equal_to_max_is_fine(self, report):
        new_line(report, salary_min=Decimal(500), salary_max=Decimal(500)).save()

    def test_salary_is_not_negative(self, report):
        refused("line_salary_min_nonnegative", lambda: new_line(report, salary_min=Decimal(-1)).save())

    def test_season_starts_before_it_ends(self, report):
        refused(
            "line_season_start_le_end",
            lambda: new_line(report, season_start=dt.date(2026, 9, 2), season_end=dt.date(2026, 9, 1)).save(),
        )

    def test_an_open_season_is_fine(self, report):
        new_line(report, season_start=dt.date(2026, 9, 2), season_end=None).save()

    def test_a_line_has_an_occupation_or_a_title(self, report):
        refused("line_has_occupation_or_title", lambda: new_line(report, occupation=None, occupation_title="").save())

    def test_an_uncoded_line_with_a_title_is_kept(self, report):
        line = new_line(report, occupation=None, occupation_title="универсал")
        line.save()
        assert line.is_uncoded

    def test_line_numbers_are_unique_per_report(self, report):
        new_line(report).save()
        refused("uniq_line_no_per_report", lambda: new_line(report).save())

    def test_full_clean_reports_the_same_rules_before_the_database(self, report):
        with pytest.raises(ValidationError) as excinfo:
            new_line(report, salary_min=Decimal(9), salary_max=Decimal(1)).full_clean()
        assert "line_salary_min_le_max" in str(excinfo.value)


class TestReport:
    def test_one_draft_per_region_and_quarter(self, region, report):
        refused("one_draft_report_per_region_quarter", lambda: GapReport.objects.create(region=region, quarter="2026Q3"))

    def test_a_draft_of_another_quarter_or_region_is_fine(self, region, report):
        GapReport.objects.create(region=region, quarter="2026Q4")
        GapReport.objects.create(region=f.region("KZ-ALM"), quarter="2026Q3")

    def test_one_submitted_report_per_region_and_quarter(self, region):
        GapReport.objects.create(region=region, quarter="2026Q3", status=ReportStatus.SUBMITTED)
        refused(
            "one_submitted_report_per_region_quarter",
            lambda: GapReport.objects.create(region=region, quarter="2026Q3", status=ReportStatus.SUBMITTED),
        )

    def test_superseded_and_withdrawn_reports_may_repeat(self, region):
        for status in (ReportStatus.SUPERSEDED, ReportStatus.SUPERSEDED, ReportStatus.WITHDRAWN, ReportStatus.SUBMITTED):
            GapReport.objects.create(region=region, quarter="2026Q3", status=status)
        assert GapReport.objects.count() == 4

    def test_status_is_one_of_the_choices(self, region):
        refused("report_status_valid", lambda: GapReport.objects.create(region=region, quarter="2026Q3", status="approved"))

    @pytest.mark.parametrize("quarter", ["2026Q5", "2026-3", "26Q3"])
    def test_quarter_looks_like_2026Q3(self, region, quarter):
        refused("report_quarter_format", lambda: GapReport.objects.create(region=region, quarter=quarter))


class TestReferenceData:
    def test_region_country_is_iso_alpha2(self):
        refused("region_country_iso2", lambda: Region.objects.create(code="X", country="kz", name_en="X"))

    def test_region_codes_are_unique(self, region):
        refused("code", lambda: Region.objects.create(code="KZ-VOS", country="KZ", name_en="Again"))

    def test_one_rate_per_currency_and_date(self):
        f.rate("KZT")
        refused("uniq_rate_currency_date", lambda: f.rate("KZT", value="0.02"))

    @pytest.mark.parametrize("value", ["0", "-0.5"])
    def test_rates_are_positive(self, value):
        refused("rate_positive", lambda: ExchangeRate.objects.create(currency="KZT", date=dt.date(2026, 1, 1), rate_to_cny=Decimal(value)))

    @pytest.mark.parametrize("currency", ["kzt", "KZ", "K1T"])
    def test_rate_currency_is_iso4217(self, currency):
        refused("rate_currency_iso4217", lambda: ExchangeRate.objects.create(currency=currency, date=dt.date(2026, 1, 1), rate_to_cny=1))

    @pytest.mark.parametrize("level", [0, 5])
    def test_occupation_level_is_1_to_4(self, level):
        refused("occupation_level_1_4", lambda: Occupation.objects.create(code="0001", level=level, title_en="X"))

    def test_a_label_is_unique_per_occupation_and_language(self, region):
        occupation = Occupation.objects.get(pk="8341")
        make = lambda: OccupationLabel.objects.create(  # noqa: E731
            occupation=occupation, language="ru", label="Комбайнер", normalized="комбайнер", source="TALENTGAP"
        )
        make()
        refused("uniq_label_per_occupation", make)

    def test_one_gap_per_region_quarter_and_occupation(self, region):
        occupation = Occupation.objects.get(pk="8341")
        Gap.objects.create(region=region, quarter="2026Q3", occupation=occupation, shortfall=5)
        refused(
            "uniq_gap_region_quarter_occupation",
            lambda: Gap.objects.create(region=region, quarter="2026Q3", occupation=occupation, shortfall=9),
        )
