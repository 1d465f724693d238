"""API of gap review and the project repository (/api/v1/).

- GET  review-queue/?quarter=Q              active undecided gaps, express lane first, with evidence
- GET  review/gaps/{id}/                    one gap with its evidence and decision
- POST review/gaps/{id}/approve/            -> 201 the new project; 409 if already decided
- POST review/gaps/{id}/reject/             {comment} -> 201 the decision; 409 if already decided
- GET  review/decisions/                    decisions taken (?quarter, region, occupation, decision)
- GET/PATCH projects/, projects/{id}/       the repository (filters, ordering by results)
- POST projects/{id}/{activate,complete,suspend,resume,cancel}/   status transitions
- GET  projects/results/                    the results chain over the filtered projects
- GET  projects/export/?format=csv|xlsx     formula-safe export of the filtered projects
- GET  projects/{id}/history/               the audit trail of a project and its parts
- CRUD project-conditions/ (+ POST {id}/supplement/), project-outcomes/

Reviewers decide and manage; officials read what concerns their regions; college staff read
projects naming their colleges; nobody else reads, and only reviewers write.
"""

from __future__ import annotations

import csv
import io

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.models import Role
from core import text
from core.api import Conflict, CountedRows  # 409; the shared exception handler adds its `code` to the body
from core.permissions import can_review, sees_everything

from .. import selectors, services
from ..filters import ProjectFilter, ResultsOrdering
from ..choices import DecisionKind
from ..models import CohortOutcome, CooperationProject, GapDecision, ProjectCondition
from .serializers import (
    ConditionSerializer,
    DecideSerializer,
    DecisionListSerializer,
    DecisionSerializer,
    OutcomeSerializer,
    ProjectDetailSerializer,
    ProjectResultsSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
    RejectSerializer,
    ReviewGapSerializer,
    SupplementSerializer,
    TransitionSerializer,
    project_list_rows,
    review_gap_rows,
)

# Validation codes of the services that mean "the object's state forbids it", not bad input.
CONFLICT_CODES = frozenset({"invalid_transition", "not_ready", "already_supplemented", "gap_inactive"})


def _role(user, role: str) -> bool:
    return bool(user and user.is_authenticated and user.has_role(role))


class ReviewAccess(BasePermission):
    """Reviewers decide; officials may read the queue of their regions; nobody else."""

    message = gettext_lazy("Only ministry reviewers decide gaps; officials may read their regions' queue.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if can_review(user):
            return True
        if _role(user, Role.COLLEGE_STAFF) and not _role(user, Role.OFFICIAL):
            # Said to college staff in their own terms, not as the officials' rule (issue 14).
            self.message = gettext_lazy(
                "Only ministry reviewers decide gaps. Colleges see the gap list and their recommendations "
                "on the Gaps and Programs pages."
            )
        return request.method in SAFE_METHODS and _role(user, Role.OFFICIAL)


class RepositoryAccess(BasePermission):
    """Reviewers manage projects; officials and college staff read the projects that concern them."""

    message = gettext_lazy("Only ministry reviewers manage projects.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if can_review(user):
            return True
        if request.method not in SAFE_METHODS:
            return False
        return sees_everything(user) or _role(user, Role.OFFICIAL) or _role(user, Role.COLLEGE_STAFF)


def run_service(service, **kwargs):
    """Call a service and turn its exceptions into API answers (400 / 403 / 409), never a 500."""
    try:
        return service(**kwargs)
    except services.DecisionConflict as exc:
        raise Conflict(detail=str(exc), code="already_decided") from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(detail=str(exc) or None) from exc
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise exceptions.ValidationError(exc.message_dict) from exc
        codes = {e.code for e in exc.error_list}
        if codes & CONFLICT_CODES:
            raise Conflict(detail=" ".join(exc.messages), code=sorted(codes & CONFLICT_CODES)[0]) from exc
        raise exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages}) from exc


def _quarter_param(request) -> str:
    from core.quarters import Quarter

    value = (request.query_params.get("quarter") or "").strip().upper()
    if not value:
        raise exceptions.ValidationError({"quarter": [_("This parameter is required, e.g. ?quarter=2026Q3.")]})
    try:
        Quarter.parse(value)
    except ValueError:
        raise exceptions.ValidationError(
            {"quarter": [_("%(value)s is not a quarter like 2026Q3.") % {"value": value}]}
        ) from None
    return value


# --- Review -------------------------------------------------------------------------------------


class ReviewQueuePagination(PageNumberPagination):
    """20 gaps a page (`page_size` up to 50): each carries its evidence, so a page is several times
    the weight of a plain list's 50 rows; reviewers work through the queue gap by gap."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 50


class ReviewQueueView(ListAPIView):
    """Active gaps of a quarter awaiting a decision: new on the list first, then shortfall x salary.

    Each gap's evidence holds the first 3 report lines, flags, recommendations and candidate
    colleges, and `evidence.totals` how many there are of each; GET review/gaps/{id}/ shows them all.
    20 gaps a page; `page_size` takes up to 50.
    """

    serializer_class = ReviewGapSerializer
    permission_classes = [ReviewAccess]
    pagination_class = ReviewQueuePagination
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("quarter", str, required=True, description="YYYYQn")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.review_queue(user=self.request.user, quarter=_quarter_param(self.request))

    def list(self, request, *args, **kwargs):
        # Plain rows with the previews of their evidence the run stored on them (selectors.queue_evidence;
        # live reads, a constant number of queries, for a gap without one), shaped like
        # ReviewGapSerializer by serializers.review_gap_rows.
        rows = self.paginate_queryset(CountedRows(self.get_queryset(), *selectors.QUEUE_ROW_FIELDS))
        evidence = selectors.queue_evidence(rows)
        return self.get_paginated_response(review_gap_rows(rows, evidence))


class ReviewGapViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A gap under review: read it with its evidence; reviewers approve or reject it."""

    serializer_class = ReviewGapSerializer
    permission_classes = [ReviewAccess]
    filter_backends: list = []

    def get_queryset(self):
        return selectors.gaps_visible_to(self.request.user).select_related("region", "occupation")

    def retrieve(self, request, *args, **kwargs):
        gap = selectors.with_timing(self.get_object())
        context = self.get_serializer_context() | {"evidence": selectors.gap_evidence([gap]), "with_decision": True}
        return Response(ReviewGapSerializer(gap, context=context).data)

    @extend_schema(request=DecideSerializer, responses={201: ProjectDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve: one fast-tracked project is created (201); a decided gap answers 409."""
        gap = self.get_object()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = run_service(services.gap_approve, gap=gap.pk, user=request.user, comment=body.validated_data["comment"])
        project = selectors.project_list(user=request.user, detail=True).get(pk=project.pk)
        context = self.get_serializer_context() | {"results": selectors.results_by_project([project.pk])}
        return Response(ProjectDetailSerializer(project, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RejectSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject with a reason (kept); a decided gap answers 409."""
        gap = self.get_object()
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = run_service(services.gap_reject, gap=gap.pk, user=request.user, comment=body.validated_data["comment"])
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionFilter(django_filters.FilterSet):
    quarter = django_filters.CharFilter(field_name="gap__quarter")
    region = django_filters.CharFilter(field_name="gap__region__code", lookup_expr="iexact")
    occupation = django_filters.CharFilter(field_name="gap__occupation__code", lookup_expr="startswith")
    decision = django_filters.ChoiceFilter(choices=DecisionKind.choices)

    class Meta:
        model = GapDecision
        fields = ["quarter", "region", "occupation", "decision"]


class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Decisions taken (rejections with their reasons); officials see their regions' decisions."""

    serializer_class = DecisionListSerializer
    permission_classes = [ReviewAccess]
    filterset_class = DecisionFilter
    ordering_fields = ["decided_at"]
    ordering = ["-decided_at", "-id"]

    def get_queryset(self):
        return GapDecision.objects.filter(
            gap__in=selectors.gaps_visible_to(self.request.user).values("pk")
        ).select_related("gap__region", "gap__occupation", "decided_by", "project")


# --- Projects -----------------------------------------------------------------------------------


class PassthroughRenderer(BaseRenderer):
    """Lets ?format=csv|xlsx reach the export action (DRF reads `format` to pick a renderer)."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        # An error (403, 400, 429...) rendered for ?format=csv|xlsx is JSON, and says so.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class CSVRenderer(PassthroughRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(PassthroughRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


try:  # the shared formula guard of imports and exports (core/imports/safe.py)
    from core.imports.safe import neutralise
except ImportError:  # pragma: no cover - only before core.imports exists

    def neutralise(value):
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
        return value


EXPORT_COLUMNS = [
    "id", "title", "display_title", "status", "status_name", "overdue", "quarter", "quarter_name", "region_code", "region_name",
    "country", "occupation_code", "occupation_title",
    "lead_college", "lead_college_name", "partner_colleges", "partner_college_names", "programs", "program_titles",
    "planned_trainees", "planned_intake_date",
    "budget_amount", "budget_currency", "funding_source", "approved_at",
    "cohorts", "enrolled", "completed", "passed_assessment", "employed_6m",
    "pass_rate", "employment_rate", "income_change_pct", "expected_wage_growth_pct", "skill_appreciation_pct",
    "results_errors",
]


def _export_row(project, results) -> list:
    gap = project.origin_gap
    region = gap.region if gap else project.region  # a project from the training plan has no gap
    figures = results.as_dict()
    partners = sorted(project.partner_colleges.all(), key=lambda c: c.code)
    programs = sorted(project.programs.all(), key=lambda p: (p.college.code, p.code))
    row = {
        "id": project.pk,
        "title": project.title,
        "display_title": project.display_title,  # in the request's language (LocaleMiddleware)
        "status": project.status,
        "status_name": project.get_status_display(),  # the request's language, as the name columns below
        "overdue": "yes" if project.is_overdue else "no",
        "quarter": gap.quarter if gap else "",
        "quarter_name": text.quarter_name(gap.quarter) if gap else "",
        "region_code": region.code if region else "",
        "region_name": text.region_name(region.code) if region else "",
        "country": region.country if region else "",
        "occupation_code": gap.occupation_id if gap else "",
        "occupation_title": gap.occupation.title if gap else "",
        "lead_college": project.lead_college.code if project.lead_college else "",
        "lead_college_name": project.lead_college.display_name if project.lead_college else "",  # request's language
        # The codes, and beside them the names in the request's language in the same order.
        "partner_colleges": ";".join(c.code for c in partners),
        "partner_college_names": ";".join(c.display_name for c in partners),
        "programs": ";".join(f"{p.college.code}/{p.code}" for p in programs),
        "program_titles": ";".join(p.display_title for p in programs),
        "planned_trainees": project.planned_trainees,
        "planned_intake_date": project.planned_intake_date.isoformat() if project.planned_intake_date else "",
        "budget_amount": project.budget_amount,
        "budget_currency": project.budget_currency,
        "funding_source": project.funding_source,
        "approved_at": project.approved_at.isoformat(timespec="seconds"),
        "results_errors": " ".join(figures.pop("errors")),
    }
    row.update({k: v for k, v in figures.items() if k in EXPORT_COLUMNS})
    return [neutralise("" if row.get(c) is None else row[c]) for c in EXPORT_COLUMNS]


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The cooperation project repository. Projects are created by approving a gap, never here."""

    permission_classes = [RepositoryAccess]
    filterset_class = ProjectFilter
    filter_backends = [
        *[b for b in api_settings.DEFAULT_FILTER_BACKENDS if b.__name__ != "OrderingFilter"],
        ResultsOrdering,
    ]
    ordering_fields = [
        "pass_rate", "employment_rate", "income_change_pct", "skill_appreciation_pct", "approved_at",
        "status_changed_at", "title",
    ]
    # The repository shows results first: best certification pass rate, then employment, then income.
    ordering = ["-pass_rate", "-employment_rate", "-income_change_pct"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.project_rows(user=self.request.user)
        return selectors.project_list(user=self.request.user, detail=self.detail)

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectSerializer

    def _with_results(self, project):
        """One project with its results chain computed live (rates and outcomes as they are now)."""
        context = self.get_serializer_context() | {"results": selectors.results_by_project([project.pk])}
        return ProjectDetailSerializer(project, context=context).data

    def list(self, request, *args, **kwargs):
        # Lists show the stored results they sort by (services.project_results_refresh), from plain
        # rows: ProjectSerializer's shape without its per-object cost (serializers.project_list_rows).
        rows = self.paginate_queryset(CountedRows(self.filter_queryset(self.get_queryset()), *selectors.PROJECT_ROW_FIELDS))
        return self.get_paginated_response(project_list_rows(rows, selectors.project_page(rows)))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._with_results(self.get_object()))

    @extend_schema(request=ProjectUpdateSerializer, responses=ProjectDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        body = ProjectUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        run_service(services.project_update, project=project.pk, user=request.user, **body.validated_data)
        return Response(self._with_results(self.get_queryset().get(pk=project.pk)))

    def _transition(self, request, name: str):
        project = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run_service(services.TRANSITION_SERVICES[name], project=project.pk, user=request.user,
                    reason=body.validated_data["reason"])
        return Response(self._with_results(self.get_queryset().get(pk=project.pk)))

    @extend_schema(request=TransitionSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """fast_tracked -> active (needs a lead college and every condition supplemented)."""
        return self._transition(request, "activate")

    @extend_schema(request=TransitionSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """active -> completed."""
        return self._transition(request, "complete")

    @extend_schema(request=TransitionSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """fast_tracked / active -> suspended (reason required)."""
        return self._transition(request, "suspend")

    @extend_schema(request=TransitionSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """suspended -> the status it was suspended from."""
        return self._transition(request, "resume")

    @extend_schema(request=TransitionSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """any open status -> cancelled (reason required)."""
        return self._transition(request, "cancel")

    @extend_schema(responses=ProjectResultsSerializer)
    @action(detail=False, methods=["get"])
    def results(self, request):
        """The results chain over every cohort of the (filtered) projects together."""
        projects = self.filter_queryset(self.get_queryset())
        return Response({"projects": projects.count(), **selectors.aggregate_results(projects).as_dict()})

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"])])
    @action(detail=False, methods=["get"], renderer_classes=[CSVRenderer, XLSXRenderer, JSONRenderer])
    def export(self, request):
        """The filtered projects with their results, as CSV or XLSX; formula-like cells neutralised."""
        kind = request.query_params.get("format", "csv")
        if kind not in ("csv", "xlsx"):
            raise exceptions.ValidationError({"format": [_("Choose csv or xlsx.")]})
        projects = list(self.filter_queryset(self.get_queryset()))
        results = selectors.results_by_project([p.pk for p in projects])
        rows = [_export_row(p, results[p.pk]) for p in projects]
        stamp = timezone.now().strftime("%Y%m%d")
        if kind == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(rows)
            response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        else:
            from openpyxl import Workbook

            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("projects")
            sheet.append(EXPORT_COLUMNS)
            for row in rows:
                sheet.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
            out = io.BytesIO()
            workbook.save(out)
            response = HttpResponse(out.getvalue(), content_type=XLSXRenderer.media_type)
        response["Content-Disposition"] = f'attachment; filename="projects-{stamp}.{kind}"'
        return response

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Who changed what and when: the project, its approval, conditions and outcomes."""
        project = self.get_object()
        return Response(selectors.project_history(project))


class ConditionViewSet(viewsets.ModelViewSet):
    """A project's performance conditions; reviewers add, change, supplement and delete them."""

    serializer_class = ConditionSerializer
    permission_classes = [RepositoryAccess]
    filterset_fields = ["project"]
    ordering_fields = ["due_date", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return ProjectCondition.objects.filter(
            project__in=selectors.projects_visible_to(self.request.user).values("pk")
        ).select_related("created_by", "supplemented_by")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = run_service(
            services.condition_create, project=data["project"].pk, text=data["text"],
            due_date=data.get("due_date"), user=self.request.user,
        )

    def perform_update(self, serializer):
        fields = {k: v for k, v in serializer.validated_data.items() if k in services.CONDITION_FIELDS}
        serializer.instance = run_service(
            services.condition_update, condition=serializer.instance, user=self.request.user, **fields
        )

    def perform_destroy(self, instance):
        run_service(services.condition_delete, condition=instance, user=self.request.user)

    @extend_schema(request=SupplementSerializer, responses=ConditionSerializer)
    @action(detail=True, methods=["post"])
    def supplement(self, request, pk=None):
        """Mark the condition supplemented now, by the caller, with what was supplemented."""
        condition = self.get_object()
        body = SupplementSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        condition = run_service(
            services.condition_supplement, condition=condition, user=request.user,
            supplement=body.validated_data["supplement"],
        )
        return Response(ConditionSerializer(condition, context=self.get_serializer_context()).data)


class OutcomeViewSet(viewsets.ModelViewSet):
    """Outcomes per cohort of a project: the raw figures of its results chain."""

    serializer_class = OutcomeSerializer
    permission_classes = [RepositoryAccess]
    filterset_fields = ["project", "cohort"]
    ordering_fields = ["id", "cohort"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return CohortOutcome.objects.filter(project__in=selectors.projects_visible_to(self.request.user).values("pk"))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project = data.pop("project")
        serializer.instance = run_service(services.outcome_create, project=project.pk, user=self.request.user, **data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "project"}
        serializer.instance = run_service(
            services.outcome_update, outcome=serializer.instance, user=self.request.user, **data
        )

    def perform_destroy(self, instance):
        run_service(services.outcome_delete, outcome=instance, user=self.request.user)


class BenchBareSerializer(serializers.ModelSerializer):
    class Meta:
        model = CooperationProject
        fields = ["id", "title", "status"]


@extend_schema(exclude=True)
class BenchBareList(ListAPIView):
    """The load test's reference: a bare DRF list (three plain fields, newest first) with the API's
    default authentication, permission, throttles and pagination. Routed only when
    settings.BENCH_ENDPOINTS is on (config/api_urls.py)."""

    queryset = CooperationProject.objects.order_by("-id")
    serializer_class = BenchBareSerializer
    filter_backends: list = []
