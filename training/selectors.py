"""Reads of the training app. Programs and cohorts are published supply: every signed-in user reads them."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Cohort, College, Program


def college_list() -> QuerySet[College]:
    return College.objects.all()


def program_list() -> QuerySet[Program]:
    return (
        Program.objects.select_related("college")
        .prefetch_related("occupations", "serves_regions")
        # A correlated subquery, not a join + GROUP BY: the paginator's COUNT then drops it and
        # counts programs alone (bench/load_test.py: the join made programs/ 2.2x a bare list).
        .annotate(cohort_count=Coalesce(_cohorts_per_program(), 0))
        .order_by(*Program._meta.ordering, "pk")
    )


def _cohorts_per_program() -> Subquery:
    return Subquery(
        Cohort.objects.filter(program=OuterRef("pk")).order_by().values("program").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )


def cohort_list() -> QuerySet[Cohort]:
    return Cohort.objects.select_related("program__college")


def programs_of_user(user) -> QuerySet[Program]:
    """The programs a college staff member may edit (their colleges'); all of them for admins."""
    from core.permissions import is_admin

    if is_admin(user):
        return Program.objects.all()
    return Program.objects.filter(college__staff=user)
