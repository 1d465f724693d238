"""File upload of programs and cohorts (CSV or XLSX).

POST programs/import/: college staff (every row's college must be one of theirs; they cannot
create colleges) and admins (who can). 201 with the summary, or 400 with every problem by row
and column (nothing written). The viewsets' detail routes only match numeric ids, so they do not
shadow this path.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.routers import SimpleRouter

from core.api import ProgramAccess
from core.imports.api import DATABASE_LOST, ImportErrorsSerializer, ImportSummarySerializer, ImportUploadSerializer, ImportView

from ..importers import ProgramImporter

router = SimpleRouter()


class ProgramImportView(ImportView):
    """Upload program cohorts: programs upserted by college and code, cohorts by intake date."""

    permission_classes = [ProgramAccess]
    importer_class = ProgramImporter

    @extend_schema(
        operation_id="programs_import",
        tags=["programs"],
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: ImportSummarySerializer,
            400: OpenApiResponse(ImportErrorsSerializer, description=_("The file was rejected; nothing was written.")),
            403: OpenApiResponse(description=_("Only college staff and administrators may upload programs.")),
            503: DATABASE_LOST,
        },
        description=_(
            "Program cohorts as CSV or XLSX (SPEC.md exchange format). Rows with the same college_code + program_code "
            "are cohorts of one program. College staff may only import programs of their own colleges."
        ),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


urlpatterns = [
    path("programs/import/", ProgramImportView.as_view(), name="program-import"),
]
