"""Colleges, programs and cohorts under /api/v1/.

| endpoint   | read               | write                                                              |
| ---------- | ------------------ | ------------------------------------------------------------------ |
| colleges/  | any signed-in user | admins                                                             |
| programs/  | any signed-in user | staff of the program's college (403 for other colleges'), admins   |
| cohorts/   | any signed-in user | staff of the cohort's program's college, admins                    |

Programs and cohorts are published supply, so other colleges' rows are visible (and a write to
them is 403, not 404). Writes go through training.services.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.routers import SimpleRouter

from core.api import CountedRows, IsAdminOrReadOnly, ProgramAccess, UpdateSerializerMixin

from .. import selectors, services
from ..filters import CohortFilter, CollegeFilter, ProgramFilter
from .serializers import (
    CohortSerializer,
    CohortUpdateSerializer,
    CollegeSerializer,
    ProgramSerializer,
    ProgramUpdateSerializer,
    program_list_rows,
)

ID = r"\d+"  # id-based routes leave room for plain paths such as programs/import/


class CollegeViewSet(viewsets.ModelViewSet):
    """Vocational colleges: every signed-in user reads; administrators write."""

    queryset = selectors.college_list()
    serializer_class = CollegeSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = CollegeFilter
    ordering_fields = ["code", "name", "country"]
    lookup_value_regex = ID

    def perform_create(self, serializer):
        serializer.instance = services.college_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.college_update(
            college=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.college_delete(college=instance, user=self.request.user)


@extend_schema_view(
    update=extend_schema(request=ProgramUpdateSerializer, responses=ProgramSerializer),
    partial_update=extend_schema(request=ProgramUpdateSerializer, responses=ProgramSerializer),
)
class ProgramViewSet(UpdateSerializerMixin, viewsets.ModelViewSet):
    """Training programs; their intakes are cohorts."""

    serializer_class = ProgramSerializer
    update_serializer_class = ProgramUpdateSerializer
    permission_classes = [ProgramAccess]
    filterset_class = ProgramFilter
    ordering_fields = ["college__code", "code", "title", "created_at"]
    lookup_value_regex = ID

    def get_queryset(self):
        if self.action == "list":
            return selectors.program_rows()
        return selectors.program_list()

    def list(self, request, *args, **kwargs):
        # Plain rows in a constant number of queries, shaped like ProgramSerializer by
        # serializers.program_list_rows: the serializer's per-object cost was most of this list's time.
        rows = self.paginate_queryset(
            CountedRows(self.filter_queryset(self.get_queryset()), *selectors.PROGRAM_ROW_FIELDS)
        )
        return self.get_paginated_response(program_list_rows(rows, selectors.program_page(rows)))

    @staticmethod
    def college_of(program):
        return program.college

    def _reload(self, program):
        return self.get_queryset().get(pk=program.pk)

    def perform_create(self, serializer):
        program = services.program_create(user=self.request.user, **serializer.validated_data)
        serializer.instance = self._reload(program)

    def perform_update(self, serializer):
        program = services.program_update(program=serializer.instance, user=self.request.user, **serializer.validated_data)
        serializer.instance = self._reload(program)

    def perform_destroy(self, instance):
        services.program_delete(program=instance, user=self.request.user)


@extend_schema_view(
    update=extend_schema(request=CohortUpdateSerializer, responses=CohortSerializer),
    partial_update=extend_schema(request=CohortUpdateSerializer, responses=CohortSerializer),
)
class CohortViewSet(UpdateSerializerMixin, viewsets.ModelViewSet):
    """Cohorts: one intake of one program (seats, intake and graduation dates)."""

    serializer_class = CohortSerializer
    update_serializer_class = CohortUpdateSerializer
    permission_classes = [ProgramAccess]
    filterset_class = CohortFilter
    ordering_fields = ["graduation_date", "intake_date", "seats", "program"]
    lookup_value_regex = ID

    def get_queryset(self):
        return selectors.cohort_list()

    @staticmethod
    def college_of(cohort):
        return cohort.program.college

    def perform_create(self, serializer):
        serializer.instance = services.cohort_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.cohort_update(cohort=serializer.instance, user=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.cohort_delete(cohort=instance, user=self.request.user)


router = SimpleRouter()
router.register("colleges", CollegeViewSet, basename="college")
router.register("programs", ProgramViewSet, basename="program")
router.register("cohorts", CohortViewSet, basename="cohort")
urlpatterns: list = []
