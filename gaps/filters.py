"""FilterSets of the gaps API (query parameters of the list endpoints)."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.choices import Sector

from .models import ExchangeRate, GapReport, GapReportLine, Region, ReportStatus
from .models.regions import RegionKind


class RegionFilter(filters.FilterSet):
    code = filters.CharFilter(field_name="code", lookup_expr="iexact")
    country = filters.CharFilter(field_name="country", lookup_expr="iexact")
    kind = filters.ChoiceFilter(choices=RegionKind.choices)

    class Meta:
        model = Region
        fields = ["code", "country", "kind"]


class ReportFilter(filters.FilterSet):
    quarter = filters.CharFilter(field_name="quarter", help_text=_("A quarter like 2026Q3."))
    region = filters.CharFilter(field_name="region__code", lookup_expr="iexact", help_text=_("A region code."))
    status = filters.MultipleChoiceFilter(choices=ReportStatus.choices)

    class Meta:
        model = GapReport
        fields = ["quarter", "region", "status"]


class ReportLineFilter(filters.FilterSet):
    # A whole id within bigint: 1.5 or 1e300 is a 400 naming the parameter, not a query that fails.
    report = filters.NumberFilter(field_name="report_id", max_digits=18, decimal_places=0)
    occupation = filters.CharFilter(field_name="occupation_id", help_text=_("An ISCO-08 unit group code."))
    # A choice rather than BooleanFilter, which would silently ignore a value such as "yes".
    uncoded = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_uncoded",
        help_text=_("true: only lines waiting for a code; false: only coded lines."),
    )
    sector = filters.ChoiceFilter(choices=Sector.choices)
    quarter = filters.CharFilter(field_name="report__quarter")
    region = filters.CharFilter(field_name="report__region__code", lookup_expr="iexact")

    class Meta:
        model = GapReportLine
        fields = ["report", "occupation", "uncoded", "sector", "quarter", "region"]

    def filter_uncoded(self, queryset, name, value):
        return queryset.filter(occupation__isnull=(value == "true"))


class ExchangeRateFilter(filters.FilterSet):
    currency = filters.CharFilter(field_name="currency", lookup_expr="iexact")
    date = filters.DateFilter(field_name="date")
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte", help_text=_("On or after this date."))
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte", help_text=_("On or before this date."))

    class Meta:
        model = ExchangeRate
        fields = ["currency", "date", "date_after", "date_before"]
