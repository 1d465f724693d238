"""Request checks before any view runs."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import Http404, JsonResponse


class RejectNulBytesMiddleware:
    """A NUL byte in the path is a 404 and in the query string a 400, before a view passes it to
    PostgreSQL (whose text cannot hold one: psycopg raises, a 500). No code, quarter or id of
    talentgap contains one, so the page or object cannot exist. The API answers as DRF would
    (JSON `{"detail": ...}`), the pages with their error pages. (DRF's CharFields already refuse NUL
    in bodies; Django's forms too.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            return self._refuse(request, 404)
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return self._refuse(request, 400)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status: int):
        if request.path_info.startswith("/api/"):
            from rest_framework.exceptions import NotFound, ParseError

            detail = NotFound.default_detail if status == 404 else ParseError.default_detail
            return JsonResponse({"detail": str(detail)}, status=status)
        if status == 404:
            raise Http404
        raise BadRequest("NUL byte in the query string")
