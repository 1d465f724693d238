"""Regions, reports, report lines and exchange rates under /api/v1/.

Who may do what (SPEC.md's role table, see core.api for the classes):

| endpoint        | read                                   | write                                         |
| --------------- | -------------------------------------- | --------------------------------------------- |
| regions/        | any signed-in user                     | admins                                        |
| exchange-rates/ | any signed-in user                     | admins                                        |
| reports/        | officials (their regions), reviewers, admins; college staff 403 | officials of the report's region, admins |
| report-lines/   | as reports/                            | as reports/, and only lines of draft reports  |

Another region's report or line is 404 for an official (the list is scoped, so existence does
not leak). Writes go through gaps.services; the serializers only validate.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api import IsAdminOrReadOnly, ReportAccess

from .. import selectors, services
from ..filters import ExchangeRateFilter, RegionFilter, ReportFilter, ReportLineFilter
from ..models import GapReport, ReportStatus
from .serializers import (
    ExchangeRateSerializer,
    LineCodeSerializer,
    RegionSerializer,
    ReportCreateSerializer,
    ReportDetailSerializer,
    ReportLineSerializer,
    ReportLinesSerializer,
    ReportLineUpdateSerializer,
    ReportSerializer,
)

ID = r"\d+"  # id-based routes leave room for plain paths such as reports/import/

CONFLICT = OpenApiResponse(description="The report's status does not allow this (e.g. submitting twice).")


class RegionViewSet(viewsets.ModelViewSet):
    """Reporting units (reference data): every signed-in user reads; administrators write."""

    queryset = selectors.region_list()
    serializer_class = RegionSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = RegionFilter
    ordering_fields = ["code", "country", "name_en"]
    lookup_value_regex = ID


class ExchangeRateViewSet(viewsets.ModelViewSet):
    """Rates to CNY by date (the rate in force on a day is the latest on or before it)."""

    queryset = selectors.exchange_rate_list()
    serializer_class = ExchangeRateSerializer
    permission_classes = [IsAdminOrReadOnly]
    filterset_class = ExchangeRateFilter
    ordering_fields = ["currency", "date"]
    lookup_value_regex = ID


@extend_schema_view(
    create=extend_schema(request=ReportCreateSerializer, responses={201: ReportDetailSerializer, 200: ReportDetailSerializer}),
    update=extend_schema(request=ReportLinesSerializer, responses=ReportDetailSerializer),
    partial_update=extend_schema(request=ReportLinesSerializer, responses=ReportDetailSerializer),
)
class ReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Regions' quarterly shortage reports.

    Create opens a draft (or returns the region's open draft for the quarter, 200). Editing a
    draft replaces its lines; `submit`, `withdraw` and `revise` change its status. Reports are
    never deleted: withdrawing takes one out of matching and history keeps every version.
    """

    permission_classes = [ReportAccess]
    filterset_class = ReportFilter
    ordering_fields = ["quarter", "region__code", "status", "created_at", "submitted_at"]
    lookup_value_regex = ID

    def get_queryset(self):
        return selectors.reports_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return ReportSerializer
        if self.action == "create":
            return ReportCreateSerializer
        if self.action in ("update", "partial_update"):
            return ReportLinesSerializer
        return ReportDetailSerializer

    def _detail(self, report: GapReport, status_code=status.HTTP_200_OK) -> Response:
        report = self.get_queryset().prefetch_related("lines__occupation").get(pk=report.pk)
        return Response(ReportDetailSerializer(report, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lines = data.get("lines")
        # One transaction across the two services: a draft is never left half-filled.
        with transaction.atomic():
            existed = GapReport.objects.filter(
                region=data["region"], quarter=data["quarter"], status=ReportStatus.DRAFT
            ).exists()
            report = services.report_create(region=data["region"], quarter=data["quarter"], user=request.user)
            if lines:
                if report.lines.exists():
                    from django.core.exceptions import ValidationError

                    raise ValidationError(
                        _("This region already has a draft with lines for the quarter; edit that one."),
                        code="draft_exists",
                    )
                services.report_replace_lines(report=report, lines=lines, user=request.user)
        return self._detail(report, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        report = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.report_replace_lines(report=report, lines=serializer.validated_data["lines"], user=request.user)
        return self._detail(report)

    @extend_schema(request=None, responses={200: ReportDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft; the region's earlier submitted report for the quarter is superseded."""
        report = services.report_submit(report=self.get_object(), user=request.user)
        return self._detail(report)

    @extend_schema(request=None, responses={200: ReportDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a submitted report: its lines leave the quarter's matching."""
        report = services.report_withdraw(report=self.get_object(), user=request.user)
        return self._detail(report)

    @extend_schema(request=None, responses={201: ReportDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """Start a new draft from a submitted or withdrawn report's lines, to amend and resubmit."""
        draft = services.report_revise(report=self.get_object(), user=request.user)
        return self._detail(draft, status.HTTP_201_CREATED)


@extend_schema_view(
    update=extend_schema(request=ReportLineUpdateSerializer, responses=ReportLineSerializer),
    partial_update=extend_schema(request=ReportLineUpdateSerializer, responses=ReportLineSerializer),
)
class ReportLineViewSet(viewsets.ModelViewSet):
    """Lines of reports. Lines of draft reports are created, edited and deleted here; a submitted
    report's uncoded line gets its code through `code`."""

    permission_classes = [ReportAccess]
    filterset_class = ReportLineFilter
    ordering_fields = ["report", "line_no", "headcount", "occupation"]
    lookup_value_regex = ID

    def get_queryset(self):
        return selectors.report_lines_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ReportLineUpdateSerializer
        if self.action == "code":
            return LineCodeSerializer
        return ReportLineSerializer

    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        report = fields.pop("report")
        serializer.instance = services.report_line_add(report=report, user=self.request.user, **fields)

    def perform_update(self, serializer):
        serializer.instance = services.report_line_update(
            line=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.report_line_delete(line=instance, user=self.request.user)

    @extend_schema(request=LineCodeSerializer, responses={200: ReportLineSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def code(self, request, pk=None):
        """Pick the ISCO-08 unit group of an uncoded line, also on a submitted report (re-matches the quarter)."""
        line = self.get_object()
        serializer = LineCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.line_set_occupation(line=line, occupation=serializer.validated_data["occupation"], user=request.user)
        line = self.get_queryset().get(pk=line.pk)
        return Response(ReportLineSerializer(line, context=self.get_serializer_context()).data)


router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
router.register("reports", ReportViewSet, basename="report")
router.register("report-lines", ReportLineViewSet, basename="report-line")
urlpatterns: list = []
