"""The upload endpoints' shared view and their OpenAPI serializers.

Each upload is `POST` multipart with a `file` field (CSV or XLSX). It answers 201 with the
import's summary, or 400 with `{"errors": [{"row", "column", "message"}, ...]}` listing every
problem (nothing was written). Who may upload is each endpoint's permission class.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from .base import Importer
from .errors import DatabaseUnavailable, ImportRejected

# A client told to retry after a lost database connection waits this long first.
RETRY_AFTER_SECONDS = 30

# Multipart framing around the file: boundaries, headers, the other form fields.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=gettext_lazy("CSV (UTF-8) or XLSX file with the columns of the exchange format; header row first.")
    )


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("Spreadsheet row (header = 1); null for the whole file."))
    column = serializers.CharField(allow_null=True, help_text=gettext_lazy("Column name; null when not about one column."))
    message = serializers.CharField()


class ImportErrorsSerializer(serializers.Serializer):
    errors = ImportProblemSerializer(many=True)


class ImportSummarySerializer(serializers.Serializer):
    created = serializers.DictField(child=serializers.IntegerField(), help_text=gettext_lazy("Rows created, by kind."))
    updated = serializers.DictField(child=serializers.IntegerField(), help_text=gettext_lazy("Rows changed, by kind."))
    unchanged = serializers.DictField(child=serializers.IntegerField(), help_text=gettext_lazy("Rows already as in the file."))


DATABASE_LOST = OpenApiResponse(
    description=gettext_lazy("The database connection was lost during the import; `detail` says whether anything was saved. Retry later.")
)


def errors_response(problems) -> Response:
    return Response({"errors": [p.as_dict() for p in problems]}, status=status.HTTP_400_BAD_REQUEST)


class ImportView(APIView):
    """POST a file; subclasses set `importer_class`, `permission_classes` and the schema."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportUploadSerializer
    importer_class: type[Importer]

    def get_importer(self, request, data) -> Importer:
        return self.importer_class(user=request.user)

    def post(self, request, *args, **kwargs):
        limit = settings.IMPORT_MAX_FILE_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        # Refuse before the body is parsed, so an oversized upload is never spooled to disk.
        if declared > limit + MULTIPART_OVERHEAD_BYTES:
            return errors_response(
                ImportRejected.single(
                    _("The upload is %(size)s bytes; the limit is %(limit)s bytes.") % {"size": declared, "limit": limit},
                    column="file",
                ).problems
            )
        serializer = self.serializer_class(data=request.data)
        if not serializer.is_valid():
            problems = []
            for name, messages in serializer.errors.items():
                for message in messages:
                    problems.append({"row": None, "column": name, "message": str(message)})
            return Response({"errors": problems}, status=status.HTTP_400_BAD_REQUEST)
        upload = serializer.validated_data["file"]
        importer = self.get_importer(request, serializer.validated_data)
        try:
            result = importer.run(upload, filename=upload.name or "")
        except ImportRejected as exc:
            return errors_response(exc.problems)
        except DatabaseUnavailable as exc:
            # Not the client's fault and not a bug: 503, say what happened and to retry.
            return Response({"detail": exc.message, "saved": exc.saved}, status=status.HTTP_503_SERVICE_UNAVAILABLE,
                            headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        return Response(result, status=status.HTTP_201_CREATED)
