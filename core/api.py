"""Shared pieces of the REST API: permission classes by role and the exception handler.

Who may do what is SPEC.md's role table ("Users and what each may do"). The classes here answer
the coarse question (may this role read / write this kind of object at all?); which objects a user
sees is decided by the viewsets' get_queryset() through core.permissions (region_ids_for,
college_ids_for), and whether one object may be changed is decided again by the service that
changes it. Three layers on purpose: a list never shows what a user may not see, and a write that
slips past a view still meets the service's check.
"""

from __future__ import annotations

import copy
import hashlib

from django.core.exceptions import NON_FIELD_ERRORS, EmptyResultSet
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.models import Role
from core.permissions import can_edit_college_programs, is_admin, sees_everything

# --- Permission classes ----------------------------------------------------------------------


def _authenticated(user) -> bool:
    return bool(user and user.is_authenticated)


class IsAdminOrReadOnly(BasePermission):
    """Reference data (regions, exchange rates, colleges): any signed-in user reads, admins write."""

    message = gettext_lazy("Only administrators may change reference data.")

    def has_permission(self, request, view) -> bool:
        if not _authenticated(request.user):
            return False
        return request.method in SAFE_METHODS or is_admin(request.user)


class ReportAccess(BasePermission):
    """Regions' reports and their lines.

    Officials read and write (their own regions only: get_queryset scopes the rows, the services
    check the region again); reviewers and admins read everything; admins also write. College
    staff get 403 on the whole endpoint: SPEC gives them the aggregate gap list and their own
    recommendations, never a region's raw report, and a clear 403 says so better than an empty list.
    """

    message = gettext_lazy("Only regional officials, reviewers and administrators may see regions' reports.")
    write_message = gettext_lazy("Only the officials of a report's region may change it.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not _authenticated(user):
            return False
        if is_admin(user):
            return True
        if request.method in SAFE_METHODS:
            return sees_everything(user) or user.has_role(Role.OFFICIAL)
        if not user.has_role(Role.OFFICIAL):
            self.message = self.write_message
            return False
        return True


class ProgramAccess(BasePermission):
    """Colleges' programs and cohorts: published supply, readable by every signed-in user.

    College staff write the programs of their own colleges (object check below; the services
    check again); admins write everything; officials and reviewers only read.
    """

    message = gettext_lazy("Only the staff of a program's college may change it.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not _authenticated(user):
            return False
        if request.method in SAFE_METHODS or is_admin(user):
            return True
        return user.has_role(Role.COLLEGE_STAFF)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS or is_admin(request.user):
            return True
        # The view may say which college an object belongs to; else a program's or a cohort's program's.
        college_of = getattr(view, "college_of", None)
        college = college_of(obj) if college_of else getattr(obj, "college", None) or obj.program.college
        return can_edit_college_programs(request.user, college)


# --- Errors ----------------------------------------------------------------------------------


class Conflict(exceptions.APIException):
    """The request is valid but the object's current state forbids it (e.g. submitting twice)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The object's current state does not allow this.")
    default_code = "conflict"


# ValidationError codes that the services raise for a state conflict rather than bad input.
STATE_CONFLICT_CODES = frozenset({"invalid_transition", "not_editable", "draft_exists", "not_revisable", "not_codable"})


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.APIException:
    if hasattr(exc, "error_dict"):
        detail = {}
        for field, errors in exc.message_dict.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
            detail[key] = errors
        return exceptions.ValidationError(detail)
    codes = {error.code for error in exc.error_list}
    if codes & STATE_CONFLICT_CODES:
        return Conflict(detail=" ".join(exc.messages), code=next(iter(codes & STATE_CONFLICT_CODES)))
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})


def exception_handler(exc, context):
    """DRF's handler plus the exceptions the services and the database raise.

    - django ValidationError -> 400 with field messages; a state conflict (its code in
      STATE_CONFLICT_CODES: submitting twice, editing a submitted report) -> 409 with the message.
    - django PermissionDenied -> 403 with the service's message.
    - IntegrityError (a unique constraint lost a race) and ProtectedError (deleting a row others
      point at) -> 409, never a 500.
    """
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = Conflict(
            detail=_("This object is still referenced by %(count)d other objects and cannot be deleted.")
            % {"count": len(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)},
            code="protected",
        )
    elif isinstance(exc, IntegrityError):
        exc = Conflict(detail=_("This conflicts with data that already exists (a uniqueness rule)."), code="integrity")
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, Conflict):
        response.data = {"detail": response.data["detail"], "code": exc.get_codes()}
    return response


class UpdateSerializerMixin:
    """Validate PUT/PATCH with `update_serializer_class` (fields a client may change) and
    everything else with `serializer_class`."""

    update_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class is not None:
            return self.update_serializer_class
        return super().get_serializer_class()


def with_fixed_timezone(field):
    """A copy of a serializer's DateTimeField that formats in the time zone active now, without
    looking it up again for each value.

    DRF's DateTimeField asks for the current time zone on every value it formats (a thread-local
    lookup); the row shapers of the lists format hundreds per page. DateTimeField.enforce_timezone
    prefers a set `timezone` to that lookup, so the copy formats exactly like the field while the
    zone stays what it is now (None, as default_timezone() gives without USE_TZ, means naive)."""
    fixed = copy.copy(field)
    fixed.timezone = field.default_timezone()
    return fixed


class CountedRows:
    """A values() queryset for a paginator that counts the plain queryset.

    values() over to-one relations joins their tables, and a count of it would join them too; the
    count of the filtered queryset alone is the same number for a fraction of the work. Django's
    Paginator needs only count(), slicing and `ordered`.
    """

    def __init__(self, queryset, *fields):
        self.queryset = queryset
        self.rows = queryset.values(*fields)

    @property
    def ordered(self) -> bool:
        return self.rows.ordered

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index):
        return self.rows[index]

    def __len__(self) -> int:  # pragma: no cover - the paginator counts with count()
        return self.count()


class FrozenCountedRows(CountedRows):
    """CountedRows over rows that never change once readable -- the result rows of a matching run
    that is current (a run's rows are all written before the swap that makes it current, and only
    runs that are no longer current are cleaned up). Its count is cached under the exact SQL and
    parameters of the filtered queryset, which name the run ids, and under `generation` (the
    caller's name for the exact rows, e.g. run ids with their finalisation times): a new run means a
    new key.
    """

    COUNT_TIMEOUT = 3600

    def __init__(self, queryset, *fields, generation: str):
        super().__init__(queryset, *fields)
        self.generation = generation

    def count(self) -> int:
        from django.core.cache import cache

        try:
            sql, params = self.queryset.query.sql_with_params()
        except EmptyResultSet:  # e.g. no quarter has current results yet
            return 0
        key = "api-count:" + hashlib.sha256(f"{self.generation}|{sql}|{params!r}".encode()).hexdigest()
        value = cache.get(key)
        if value is None:
            value = self.queryset.count()
            cache.set(key, value, self.COUNT_TIMEOUT)
        return value


# --- OpenAPI: the error responses every operation may give ----------------------------------------
# drf-spectacular documents each operation's success response; the errors come from shared code
# (permission classes, the throttles, django-axes, exception_handler above), so they are added to
# every operation here, in the shapes this module's handler gives them. 401 is not among them:
# SessionAuthentication comes first and sends no WWW-Authenticate challenge, so DRF answers a
# missing or bad token with 403.

ERROR_SCHEMAS = {
    "ErrorDetail": {
        "type": "object",
        "description": "An error with a message a person can read.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ConflictError": {
        "type": "object",
        "description": "The object's current state does not allow the request; `code` says why "
        "(e.g. already_decided, invalid_transition, not_editable, draft_exists, protected, integrity).",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail", "code"],
    },
    "ValidationErrorBody": {
        "type": "object",
        "description": "Bad input: each key names a field or query parameter (`non_field_errors` for the "
        "request as a whole) with its messages, nested like the input for nested fields; or `detail` "
        "for a body that could not be parsed.",
        "additionalProperties": {},
    },
}


def _error(description: str, schema: str, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if headers:
        response["headers"] = headers
    return response


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
        "required": True,
    }
}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def error_responses_hook(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): adds the
    error responses to every operation, keeping any an operation documents itself.

    - 400 when the operation takes a body or query parameters;
    - 403 when it needs a signed-in user or a role (every operation but the public ones);
    - 404 when it names an object in its path, or pages a list (a page past the end);
    - 409 on writes (a state conflict, a uniqueness race, deleting what others refer to);
    - 429 on every operation (the API throttles; sign-in lockout on auth/token/), with Retry-After.
    """
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in WRITE_METHODS | {"get", "head", "options"}:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            security = operation.get("security", [])
            public_operation = bool(security) and all(not requirement for requirement in security)
            wanted = {}
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                wanted["400"] = _error("Bad input: the fields or parameters at fault, with messages.",
                                       "ValidationErrorBody")
            if not public_operation:
                wanted["403"] = _error("Not signed in, or the user's role may not do this.", "ErrorDetail")
            if "{" in path or any(p.get("in") == "query" and p.get("name") == "page" for p in parameters):
                wanted["404"] = _error("No such object visible to the user, or a page past the end.", "ErrorDetail")
            if method in WRITE_METHODS:
                wanted["409"] = _error("The object's current state does not allow this.", "ConflictError")
            wanted["429"] = _error("Too many requests (API rate limit, or sign-in attempts locked out): "
                                   "retry after Retry-After seconds.", "ErrorDetail", RETRY_AFTER)
            for code, response in wanted.items():
                existing = responses.get(code)
                if existing is None:
                    responses[code] = response
                elif "content" not in existing:
                    # An operation's own description wins; the body shape is the handler's.
                    responses[code] = {**response, "description": existing.get("description") or response["description"]}
    return result
