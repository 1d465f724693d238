"""Reads of the training app. Programs and cohorts are published supply: every signed-in user reads them."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import Cohort, College, Program


def college_list() -> QuerySet[College]:
    return College.objects.all()


def program_list() -> QuerySet[Program]:
    return (
        Program.objects.select_related("college")
        .prefetch_related("occupations", "serves_regions")
        .annotate(cohort_count=Count("cohorts", distinct=True))
        # An aggregate drops Meta.ordering (GROUP BY); keep it so pages are stable.
        .order_by(*Program._meta.ordering, "pk")
    )


def cohort_list() -> QuerySet[Cohort]:
    return Cohort.objects.select_related("program__college")


def programs_of_user(user) -> QuerySet[Program]:
    """The programs a college staff member may edit (their colleges'); all of them for admins."""
    from core.permissions import is_admin

    if is_admin(user):
        return Program.objects.all()
    return Program.objects.filter(college__staff=user)
