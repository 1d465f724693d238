"""File uploads of the gaps app: gap report lines, regions, exchange rates (CSV or XLSX).

| endpoint                       | who                                                         |
| ------------------------------ | ----------------------------------------------------------- |
| POST reports/import/           | officials (every row's region must be one of theirs), admins |
| POST regions/import/           | admins                                                      |
| POST exchange-rates/import/    | admins                                                      |

201 with the summary, or 400 with every problem by row and column (nothing written). The paths
are plain routes; the viewsets' detail routes only match numeric ids, so they do not shadow them.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from core.api import IsAdminOrReadOnly, ReportAccess
from core.imports.api import DATABASE_LOST, ImportErrorsSerializer, ImportSummarySerializer, ImportUploadSerializer, ImportView

from ..importers import ExchangeRateImporter, GapReportImporter, RegionImporter

router = SimpleRouter()

REJECTED = OpenApiResponse(ImportErrorsSerializer, description=_("The file was rejected; nothing was written."))
FORBIDDEN = OpenApiResponse(description=_("Your role may not upload this file."))



class ReportImportUploadSerializer(ImportUploadSerializer):
    submit = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Submit each imported report (supersedes the region's earlier submitted report for the quarter)."),
    )


class ImportedReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    region = serializers.CharField()
    quarter = serializers.CharField()
    status = serializers.CharField()
    lines = serializers.IntegerField()
    uncoded = serializers.IntegerField(help_text=_("Lines whose title did not resolve to an occupation with confidence."))
    first_row = serializers.IntegerField(help_text=_("The file row where this report's lines start."))
    superseded = serializers.IntegerField(allow_null=True, help_text=_("Id of the submitted report this one replaced."))


class ReportImportSummarySerializer(ImportSummarySerializer):
    reports = ImportedReportSerializer(many=True)


class ReportImportView(ImportView):
    """Upload gap report lines: one draft per region and quarter, its lines replaced by the file's."""

    permission_classes = [ReportAccess]
    serializer_class = ReportImportUploadSerializer

    def get_importer(self, request, data):
        return GapReportImporter(user=request.user, submit=data.get("submit", False))

    @extend_schema(
        operation_id="reports_import",
        tags=["reports"],
        request={"multipart/form-data": ReportImportUploadSerializer},
        responses={201: ReportImportSummarySerializer, 400: REJECTED, 403: FORBIDDEN, 503: DATABASE_LOST},
        description=_(
            "Gap report lines as CSV or XLSX (SPEC.md exchange format). Rows are grouped by region_code + quarter "
            "into the region's draft for the quarter; with submit=true each draft is submitted. Every row's region "
            "must be one of yours."
        ),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class RegionImportView(ImportView):
    """Upload regions (administrators): upsert by region_code."""

    permission_classes = [IsAdminOrReadOnly]
    importer_class = RegionImporter

    @extend_schema(
        operation_id="regions_import",
        tags=["regions"],
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportSummarySerializer, 400: REJECTED, 403: FORBIDDEN, 503: DATABASE_LOST},
        description=_("Regions as CSV or XLSX, upserted by region_code. Administrators only."),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class ExchangeRateImportView(ImportView):
    """Upload exchange rates to CNY (administrators): upsert by currency and date."""

    permission_classes = [IsAdminOrReadOnly]
    importer_class = ExchangeRateImporter

    @extend_schema(
        operation_id="exchange_rates_import",
        tags=["exchange-rates"],
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportSummarySerializer, 400: REJECTED, 403: FORBIDDEN, 503: DATABASE_LOST},
        description=_("Exchange rates to CNY as CSV or XLSX, upserted by currency and date. Administrators only."),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


urlpatterns = [
    path("reports/import/", ReportImportView.as_view(), name="report-import"),
    path("regions/import/", RegionImportView.as_view(), name="region-import"),
    path("exchange-rates/import/", ExchangeRateImportView.as_view(), name="exchange-rate-import"),
]
