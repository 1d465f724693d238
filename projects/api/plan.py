"""API of the training plan (/api/v1/training-plans/; docs/contract.md, section 10).

- POST training-plans/                          {budget, today} -> 202 a queued plan (reviewers)
- GET  training-plans/, training-plans/{id}/    the plans with status, progress and proposals
- POST training-plans/{id}/proposals/accept/    {proposals: [ids]} -> 201 one fast-tracked project
                                                (200 with the same project when accepted before;
                                                409 when some were accepted into another project)

Reviewers see and do everything; college staff read the plans that propose classes to their
colleges, with those proposals only; nobody else reads.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts.models import Role
from core.api import Conflict
from core.permissions import can_review, college_ids_for

from ..models import TrainingPlan, TrainingProposal
from ..plan import services


class PlanAccess(BasePermission):
    """Reviewers make plans and accept proposals; college staff read the proposals to their colleges."""

    message = gettext_lazy("Only ministry reviewers make training plans and accept their proposals.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if can_review(user):
            return True
        return (request.method in SAFE_METHODS and bool(user and user.is_authenticated)
                and user.has_role(Role.COLLEGE_STAFF))


class PlanRequestSerializer(serializers.Serializer):
    budget = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True,
        help_text=gettext_lazy("The budget in CNY; empty or null: no limit."),
    )
    today = serializers.DateField(required=False, allow_null=True,
                                  help_text=gettext_lazy("The day to plan from; default: today."))


class AcceptSerializer(serializers.Serializer):
    proposals = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=500)


class ProposalSerializer(serializers.Serializer):
    """SPEC.md's proposal (docs/formats.md), with its id, whether it is a mobile workshop's stop and the
    project it was accepted into."""

    id = serializers.IntegerField()
    college_code = serializers.CharField()
    program_code = serializers.CharField()
    region_codes = serializers.ListField(child=serializers.CharField())
    occupation_code = serializers.CharField()
    seats = serializers.IntegerField()
    intake_date = serializers.DateField()
    graduation_date = serializers.DateField()
    cost_cny = serializers.FloatField()
    covers = serializers.ListField(child=serializers.DictField())
    value = serializers.FloatField()
    mobile = serializers.BooleanField()
    project = serializers.IntegerField(allow_null=True)


class PlanSerializer(serializers.Serializer):
    """SPEC.md's plan object with the record's status and progress, what stays uncovered and why, and the
    solver's figures (college staff: their proposals only, without the money and the uncovered)."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    today = serializers.DateField()
    budget_cny = serializers.FloatField(allow_null=True, required=False)
    spent_cny = serializers.FloatField(allow_null=True, required=False)
    value = serializers.FloatField(allow_null=True, required=False)
    proposals = ProposalSerializer(many=True)
    uncovered = serializers.ListField(child=serializers.DictField(), required=False)
    solver = serializers.DictField(required=False)
    quality = serializers.CharField(allow_null=True, required=False)  # how good the plan is, in words
    progress = serializers.DictField()
    error = serializers.CharField(allow_null=True)


class AcceptedSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    title = serializers.CharField()
    display_title = serializers.CharField(help_text="The title in the request's language.")
    status = serializers.CharField()
    proposals = serializers.ListField(child=serializers.IntegerField())


@extend_schema_view(
    list=extend_schema(responses={200: PlanSerializer(many=True)}),
    retrieve=extend_schema(responses={200: PlanSerializer}),
    create=extend_schema(request=PlanRequestSerializer, responses={202: PlanSerializer}),
    accept=extend_schema(request=AcceptSerializer, responses={200: AcceptedSerializer, 201: AcceptedSerializer}),
)
class TrainingPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    permission_classes = [PlanAccess]
    serializer_class = PlanRequestSerializer
    filter_backends: list = []

    def _colleges(self):
        return college_ids_for(self.request.user)  # None: every college (reviewers)

    def get_queryset(self):
        proposals = TrainingProposal.objects.select_related("college", "program").order_by("intake_date", "id")
        colleges = self._colleges()
        plans = TrainingPlan.objects.order_by("-created_at", "-id")
        if colleges is not None:
            proposals = proposals.filter(college_id__in=colleges)
            plans = plans.filter(Exists(TrainingProposal.objects.filter(plan=OuterRef("pk"), college_id__in=colleges)))
        return plans.prefetch_related(Prefetch("proposals", queryset=proposals, to_attr="visible_proposals"))

    def _json(self, plan) -> dict:
        data = services.plan_json(plan, getattr(plan, "visible_proposals", None))
        if self._colleges() is not None:  # college staff: their classes, not the ministry's whole picture
            for key in ("uncovered", "budget_cny", "spent_cny", "value", "solver", "quality"):
                data.pop(key, None)
        return data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = [self._json(p) for p in (page if page is not None else self.get_queryset()[:100])]
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    def retrieve(self, request, *args, **kwargs):
        return Response(self._json(self.get_object()))

    def create(self, request, *args, **kwargs):
        body = PlanRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            plan = services.training_plan_enqueue(body.validated_data.get("today"), body.validated_data.get("budget"),
                                                  user=request.user)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(services.plan_json(plan), status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"], url_path="proposals/accept")
    def accept(self, request, pk=None):
        """Accept proposals of this plan into one fast-tracked project."""
        plan = self.get_object()
        body = AcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = body.validated_data["proposals"]
        foreign = set(ids) - set(TrainingProposal.objects.filter(plan=plan, pk__in=ids).values_list("pk", flat=True))
        if foreign:
            raise exceptions.ValidationError({"proposals": [
                gettext_lazy("Not a proposal of this plan: %(ids)s.") % {"ids": ", ".join(map(str, sorted(foreign)))}
            ]})
        before = set(TrainingProposal.objects.filter(pk__in=ids, project__isnull=False).values_list("project_id", flat=True))
        try:
            project = services.training_plan_accept(proposals=ids, user=request.user)
        except services.AcceptConflict as exc:
            raise Conflict(detail=str(exc), code="already_accepted") from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        code = status.HTTP_200_OK if project.pk in before else status.HTTP_201_CREATED
        return Response({"project": project.pk, "title": project.title,
                         "display_title": project.display_title, "status": project.status, "proposals": sorted(ids)}, status=code)
