"""Reads of the gaps app, scoped to the user who asks (HackSoft style: selectors read, services write).

Lists are scoped here, in the queryset: an official's list of reports holds only the reports of
the regions they belong to, and another region's report is simply not found (404), so its
existence does not leak.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, Min, OuterRef, QuerySet, Subquery
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
    """The report's lines whose currency has no rate on or before the line's need date (its season's
    start, else the quarter's first day), in line order, and the currencies that have a rate. Matching
    converts every salary at that rate and stops the quarter's run -- every region's -- when one is
    missing (it never compares a salary as zero), so the report's page says so while it can be fixed."""
    from core.quarters import Quarter

    if report is None:
        return [], []
    earliest = dict(ExchangeRate.objects.values("currency").annotate(first=Min("date")).values_list("currency", "first"))
    start = Quarter.parse(report.quarter, bounded=False).start
    missing = []
    for line_no, currency, season_start in report.lines.order_by("line_no").values_list("line_no", "currency",
                                                                                         "season_start"):
        code, need = (currency or "").upper(), season_start or start
        if code != "CNY" and not (code in earliest and earliest[code] <= need):
            missing.append(MissingRate(line_no, code, need))
    return missing, sorted({"CNY", *earliest})
