"""Reads of the training app. Programs and cohorts are published supply: every signed-in user reads them."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Cohort, College, Program


def college_list() -> QuerySet[College]:
    return College.objects.all()


def program_list() -> QuerySet[Program]:
    return program_rows().select_related("college").prefetch_related("occupations", "serves_regions")


# The programs list is read as plain rows (values()), not model instances: a page of 50 programs
# with their college, occupations and regions is three queries (plus the count) and no per-object
# ORM or serializer machinery (training.api.serializers.program_list_rows shapes them like
# ProgramSerializer, which stays the detail views' shape and the schema). Same pattern as the
# projects repository (projects.selectors.project_rows / project_page).
PROGRAM_ROW_FIELDS = (
    "id", "college__code", "college__name", "college__name_translations", "code", "title", "title_translations",
    "sector", "languages", "certifications", "mobile",
    "cohort_count", "created_at", "updated_at",
)


def program_rows() -> QuerySet[Program]:
    """Programs for plain rows: the list view filters, sorts and pages this, then reads
    PROGRAM_ROW_FIELDS (and program_page for the to-many relations). The count annotation and the
    order are program_list()'s, so both lists sort and count alike."""
    return (
        Program.objects
        # A correlated subquery, not a join + GROUP BY: the paginator's COUNT then drops it and
        # counts programs alone (bench/load_test.py: the join made programs/ 2.2x a bare list).
        .annotate(cohort_count=Coalesce(_cohorts_per_program(), 0))
        .order_by(*Program._meta.ordering, "pk")
    )


def program_page(rows: list[dict]) -> dict[str, dict]:
    """Occupation codes and served region codes of a page of program rows, two queries whatever the
    page size, each list in the order the serializer's prefetch gives (Occupation and Region are
    ordered by code; an occupation's code is its primary key, so its list needs no join)."""
    ids = [row["id"] for row in rows]
    return {
        "occupations": _codes_by_program(Program.occupations.through, ids, "occupation_id"),
        "regions": _codes_by_program(Program.serves_regions.through, ids, "region__code"),
    }


def _codes_by_program(through, ids: list[int], code: str) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = defaultdict(list)
    for program_id, value in through.objects.filter(program_id__in=ids).order_by(code).values_list("program_id", code):
        codes[program_id].append(value)
    return codes


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
