"""Reads of the gaps app, scoped to the user who asks (HackSoft style: selectors read, services write).

Lists are scoped here, in the queryset: an official's list of reports holds only the reports of
the regions they belong to, and another region's report is simply not found (404), so its
existence does not leak.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.permissions import region_ids_for

from .models import ExchangeRate, GapReport, GapReportLine, Region


def region_list() -> QuerySet[Region]:
    return Region.objects.all()


def reports_visible_to(user) -> QuerySet[GapReport]:
    """Reports the user may see: all for reviewers and admins, their regions' for officials."""
    qs = GapReport.objects.select_related("region", "created_by", "submitted_by")
    region_ids = region_ids_for(user)
    if region_ids is not None:
        qs = qs.filter(region_id__in=region_ids)
    # The line count is a correlated subquery, not a join and GROUP BY over every line of the
    # visible reports: the page reads only its own reports' lines, and the paginator's COUNT none.
    return qs.annotate(line_count=Coalesce(_lines_per_report(), 0)).order_by(*GapReport._meta.ordering, "pk")


def _lines_per_report() -> Subquery:
    return Subquery(
        GapReportLine.objects.filter(report=OuterRef("pk")).order_by().values("report").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )


def report_lines_visible_to(user) -> QuerySet[GapReportLine]:
    qs = GapReportLine.objects.select_related("report__region", "occupation")
    region_ids = region_ids_for(user)
    if region_ids is not None:
        qs = qs.filter(report__region_id__in=region_ids)
    return qs


def exchange_rate_list() -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.all()


def exchange_rate_on(*, currency: str, day: dt.date) -> Decimal | None:
    """The rate to CNY in force on `day`: the latest on or before it (SPEC); CNY is 1."""
    currency = currency.upper()
    if currency == "CNY":
        return Decimal(1)
    return (
        ExchangeRate.objects.filter(currency=currency, date__lte=day)
        .order_by("-date")
        .values_list("rate_to_cny", flat=True)
        .first()
    )


@dataclass(frozen=True)
class MissingRate:
    """A line whose salary has no exchange rate to CNY in force on its need date."""

    line_no: int
    currency: str
    need_date: dt.date


def lines_without_rate(report: GapReport | None) -> tuple[list[MissingRate], list[str]]:
    """The report's lines whose currency has no rate in force on the line's need date N, in line
    order, and the currencies that have a rate. Matching converts every salary at that rate and stops
    the quarter's run -- every region's -- when one is missing (it never compares a salary as zero), so
    the report's page says so while it can be fixed. N and the rate in force are the engine's own
    (rules.need_date, RateTable.rate)."""
    from core.quarters import Quarter

    from .matching.rules import need_date
    from .matching.types import MatchInputError, RateTable

    if report is None:
        return [], []
    lines = list(report.lines.order_by("line_no").only("line_no", "currency", "season_start"))
    rates = RateTable.from_rows(
        ExchangeRate.objects.filter(currency__in={line.currency.upper() for line in lines})
        .values_list("currency", "date", "rate_to_cny")
    )
    quarter = Quarter.parse(report.quarter, bounded=False)
    missing = []
    for line in lines:
        need = need_date(line, quarter)
        try:
            rates.rate(line.currency, need)
        except MatchInputError:
            missing.append(MissingRate(line.line_no, line.currency.upper(), need))
    return missing, sorted({"CNY", *ExchangeRate.objects.order_by().values_list("currency", flat=True).distinct()})
