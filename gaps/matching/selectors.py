"""Reads of matching results. Readers always read the quarter's current run (QuarterResults), so
a run in flight or a crashed run never shows; every list is scoped to the user first."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.permissions import college_ids_for, region_ids_for, sees_everything
from gaps.models import Flag, Gap, MatchRun, QuarterResults, Recommendation


def current_run_ids() -> QuerySet:
    return QuarterResults.objects.filter(current_run__isnull=False).values("current_run_id")


def current_run(quarter: str) -> MatchRun | None:
    row = QuarterResults.objects.filter(quarter=quarter).select_related("current_run").first()
    return row.current_run if row else None


def flags_current(*, quarter: str | None = None) -> QuerySet:
    qs = Flag.objects.filter(run_id__in=current_run_ids())
    return qs.filter(quarter=quarter) if quarter else qs


def recommendations_current(*, quarter: str | None = None) -> QuerySet:
    qs = Recommendation.objects.filter(run_id__in=current_run_ids())
    return qs.filter(quarter=quarter) if quarter else qs


def gaps_current(*, quarter: str | None = None) -> QuerySet:
    qs = Gap.objects.filter(is_active=True)
    return qs.filter(quarter=quarter) if quarter else qs


def _scope(qs: QuerySet, user, *, regions: bool, colleges: bool) -> QuerySet:
    """Rows of the user's regions (officials) and/or colleges (college staff); all for reviewers."""
    if sees_everything(user):
        return qs
    condition = Q(pk__in=[])
    if regions:
        condition |= Q(region_id__in=region_ids_for(user))
    if colleges:
        condition |= Q(college_id__in=college_ids_for(user))
    return qs.filter(condition)


def flags_visible_to(user, qs: QuerySet) -> QuerySet:
    """Officials: flags on their regions' lines. College staff: flags naming their colleges."""
    return _scope(qs, user, regions=True, colleges=True)


def recommendations_visible_to(user, qs: QuerySet) -> QuerySet:
    """College staff: their colleges' recommendations. Officials: those answering their regions' needs."""
    return _scope(qs, user, regions=True, colleges=True)


def gaps_visible_to(user, qs: QuerySet) -> QuerySet:
    """The aggregate gap list: college staff and reviewers see all of it, officials their regions'."""
    from accounts.models import Role

    if sees_everything(user) or (user.is_authenticated and user.has_role(Role.COLLEGE_STAFF)):
        return qs
    return qs.filter(region_id__in=region_ids_for(user))
