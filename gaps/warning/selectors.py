"""Reading the current early warning (for the API, the pages and the command)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, QuerySet, Value, When

from gaps.models import EarlyWarning, EarlyWarningRecommendation

from .compute import Rating, Status
from .detail import entry_detail


def current_entries(*, quarter: str | None = None, region: str | None = None, occupation: str | None = None,
                    status: str | None = None, rating: str | None = None, region_ids=None) -> QuerySet[EarlyWarning]:
    """The entries of the latest computation (is_active), most urgent first: status (act_now,
    short_course_only, plan, missed), rating (critical first), act-by date.

    `region`: a region code; `region_ids`: limit to these regions (an official's, a college's).
    """
    qs = EarlyWarning.objects.filter(is_active=True).select_related("region", "occupation")
    if quarter:
        qs = qs.filter(quarter=quarter)
    if region:
        qs = qs.filter(region__code=region)
    if region_ids is not None:
        qs = qs.filter(region_id__in=region_ids)
    if occupation:
        qs = qs.filter(occupation_id=occupation)
    if status:
        qs = qs.filter(status=status)
    if rating:
        qs = qs.filter(rating=rating)
    status_rank = Case(*[When(status=s, then=Value(i)) for i, s in enumerate(Status.ORDER)], output_field=IntegerField())
    rating_rank = Case(*[When(rating=r, then=Value(i)) for i, r in enumerate(Rating.ORDER)], output_field=IntegerField())
    return qs.annotate(status_rank=status_rank, rating_rank=rating_rank).order_by(
        "status_rank", "rating_rank", "act_by", "quarter", "region__code", "occupation_id"
    )


def entry_values(warning: EarlyWarning) -> dict:
    """A stored entry as the JSON object of SPEC.md (without `detail`)."""
    return {
        "region_code": warning.region.code,
        "occupation_code": warning.occupation_id,
        "quarter": warning.quarter,
        "source": warning.source,
        "forecast": warning.forecast,
        "forecast_low": warning.forecast_low,
        "forecast_high": warning.forecast_high,
        "headcount": warning.headcount,
        "covered": warning.covered,
        "shortfall": warning.shortfall,
        "need_date": warning.need_date.isoformat(),
        "end_date": warning.end_date.isoformat(),
        "lead_days": warning.lead_days,
        "shortest_days": warning.shortest_days,
        "act_by": warning.act_by.isoformat(),
        "short_course_by": warning.short_course_by.isoformat(),
        "status": warning.status,
        "rating": warning.rating,
        "persistence": warning.persistence,
        "wage_pressure": float(warning.wage_pressure) if warning.wage_pressure is not None else None,
    }


def entry_json(warning: EarlyWarning, *, today: dt.date, language: str | None = None) -> dict:
    values = entry_values(warning)
    values["detail"] = entry_detail({**values, "context": warning.context}, today=today, language=language)
    return values


def forward_recommendations(*, college_ids=None, warning_ids=None) -> QuerySet[EarlyWarningRecommendation]:
    """The forward recommendations of the current entries, earliest act-by first."""
    qs = EarlyWarningRecommendation.objects.filter(warning__is_active=True).select_related("college", "program", "warning")
    if college_ids is not None:
        qs = qs.filter(college_id__in=college_ids)
    if warning_ids is not None:
        qs = qs.filter(warning_id__in=warning_ids)
    return qs.order_by("act_by", "-score", "id")
