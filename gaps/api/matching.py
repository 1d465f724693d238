"""Matching results and runs over the API: /mismatches/, /recommendations/, /gaps/, /match-runs/.

Who sees what (querysets scoped in get_queryset, gaps.matching.selectors):

| endpoint | official | college staff | reviewer / admin |
| --- | --- | --- | --- |
| mismatches | flags on their regions' lines | flags naming their colleges | all |
| recommendations | those answering their regions' needs | their colleges' | all |
| gaps | their regions' | all (the aggregate gap list) | all |
| match-runs GET | all runs (status only, no results) | all runs | all |
| match-runs POST | a quarter in which one of their regions has a submitted report | no | any quarter |

Every list reads the quarter's *current* run only: a run in flight or a failed one never shows.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.models import Role
from core.api import FrozenCountedRows
from core.permissions import sees_everything
from core.quarters import Quarter
from gaps.matching import selectors, services
from gaps.matching.scheduling import announcement_state
from gaps.matching.flags import FLAG_FIELDS, FlagKind
from gaps.matching.recommendations import RecommendationKind
from gaps.models import Flag, Gap, GapReport, MatchRun, MatchTrigger, Recommendation, ReportStatus


# The result viewsets build their querysets per request, so the schema generator cannot see that
# their ids are integers; said here, so that clients (and schemathesis) send integers.
INTEGER_ID = extend_schema_view(
    retrieve=extend_schema(parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)])
)


def _validate_quarter(queryset, name, value):
    try:
        Quarter.parse(value)
    except ValueError as exc:
        raise ValidationError({name: [str(exc)]}) from exc
    return queryset.filter(**{name: value})


# --- mismatches ------------------------------------------------------------------------------


class FlagFilter(filters.FilterSet):
    quarter = filters.CharFilter(method=_validate_quarter)
    region = filters.CharFilter(field_name="region_code")
    kind = filters.ChoiceFilter(choices=FlagKind.choices)
    occupation = filters.CharFilter(method="filter_occupation", help_text="the flag's or its target occupation")
    college = filters.CharFilter(field_name="college_code")

    class Meta:
        model = Flag
        fields = ["quarter", "region", "kind", "occupation", "college"]

    def filter_occupation(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(occupation_code=value) | Q(target_occupation_code=value))


class FlagSerializer(serializers.Serializer):
    """The SPEC.md flag object, plus its id.

    The declared fields only describe the object for the OpenAPI schema (drf-spectacular cannot
    read a BaseSerializer); to_representation builds it from the model, as the commands do.
    """

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    quarter = serializers.CharField(read_only=True)
    region_code = serializers.CharField(read_only=True, allow_null=True)
    occupation_code = serializers.CharField(read_only=True, allow_null=True)
    college_code = serializers.CharField(read_only=True, allow_null=True)
    program_code = serializers.CharField(read_only=True, allow_null=True)
    cohort_graduation_date = serializers.DateField(read_only=True, allow_null=True)
    target_occupation_code = serializers.CharField(read_only=True, allow_null=True)
    headcount = serializers.IntegerField(read_only=True, allow_null=True)
    covered = serializers.IntegerField(read_only=True, allow_null=True)
    shortfall = serializers.IntegerField(read_only=True, allow_null=True)
    surplus = serializers.IntegerField(read_only=True, allow_null=True)
    count = serializers.IntegerField(read_only=True, allow_null=True)
    detail = serializers.CharField(read_only=True)

    def to_representation(self, instance: Flag) -> dict:
        return {"id": instance.pk, **instance.as_json()}


class CurrentResultsMixin:
    """Reads of the current runs' result rows. The runs are read once per request (a view instance
    serves one request): their ids as constants, so the planner can use the run indexes for the
    page and its count instead of a join against QuarterResults; and with the moment each was
    finalised, the `generation` of the cached list counts (core.api.FrozenCountedRows), so a count is
    never served for other rows that reuse a run id (a recreated database behind a Redis that kept
    its keys)."""

    @functools.cached_property
    def current_runs(self) -> list[tuple[int, object]]:
        return list(
            selectors.current_run_ids()
            .values_list("current_run_id", "current_run__finalized_at")
            .order_by("current_run_id")
        )

    def current(self, queryset):
        if getattr(self, "swagger_fake_view", False):
            # Schema generation (and `check --deploy`, which generates it) only needs the model:
            # it must not query, even a database with no tables yet.
            return queryset.none()
        return queryset.filter(run_id__in=[run_id for run_id, _finalized in self.current_runs])

    def counted_rows(self, queryset, *fields) -> FrozenCountedRows:
        generation = ";".join(f"{run_id}@{finalized.isoformat() if finalized else ''}" for run_id, finalized in self.current_runs)
        return FrozenCountedRows(queryset, *fields, generation=generation)


@INTEGER_ID
class FlagViewSet(CurrentResultsMixin, viewsets.ReadOnlyModelViewSet):
    """Mismatch flags of the current matching results (JSON fields: SPEC.md)."""

    serializer_class = FlagSerializer
    filterset_class = FlagFilter
    ordering_fields = ["count", "shortfall", "id"]
    # By run (one per quarter), then id: served in order by the (run, id) index, where a plain id
    # order sorted every current flag for each page.
    ordering = ["run_id", "id"]
    # A list page is read as values() rows and shaped by flag_json, as Flag.as_json does per object.
    ROW_FIELDS = ("id", "kind", "context", *(name for name in FLAG_FIELDS if name not in ("kind", "detail")))

    def get_queryset(self):
        return selectors.flags_visible_to(self.request.user, self.current(Flag.objects.all()))

    def list(self, request, *args, **kwargs):
        from gaps.matching.flags import flag_json, prime_flag_names

        rows = self.paginate_queryset(self.counted_rows(self.filter_queryset(self.get_queryset()), *self.ROW_FIELDS))
        prime_flag_names(rows)  # the page's program titles in one query
        return self.get_paginated_response([{"id": row["id"], **flag_json(row, row["context"])} for row in rows])


# --- recommendations ---------------------------------------------------------------------------


class RecommendationFilter(filters.FilterSet):
    quarter = filters.CharFilter(method=_validate_quarter)
    college = filters.CharFilter(field_name="college_code")
    region = filters.CharFilter(field_name="region_code")
    kind = filters.ChoiceFilter(choices=RecommendationKind.choices)
    occupation = filters.CharFilter(field_name="occupation_code")

    class Meta:
        model = Recommendation
        fields = ["quarter", "college", "region", "kind", "occupation"]


class RecommendationSerializer(serializers.ModelSerializer):
    detail = serializers.CharField(read_only=True)
    act_by = serializers.SerializerMethodField(
        help_text=gettext_lazy("The latest intake date that still graduates by need_date (gaps.recommendation_dates).")
    )
    feasible = serializers.SerializerMethodField(help_text=gettext_lazy("Whether act_by is today or later."))
    next_act_by = serializers.SerializerMethodField(
        help_text=gettext_lazy("When too late: the same act-by date next year; null while feasible.")
    )
    source = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = [
            "id", "kind", "quarter", "college_code", "program_code", "region_code", "occupation_code",
            "from_occupation_code", "headcount", "shortfall", "salary_min", "salary_max", "currency",
            "salary_min_cny", "salary_max_cny", "need_date", "latest_intake_date", "feasibility", "score", "detail",
            "act_by", "feasible", "next_act_by", "source",
        ]

    DATED = ("act_by", "feasible", "next_act_by", "source")

    def get_source(self, obj) -> str:
        return "matching"  # the early warning's forward recommendations: /api/v1/early-warnings/

    def _dates(self, obj) -> dict:
        from django.utils import timezone

        from gaps import recommendation_dates

        today = self.context.get("today") or timezone.localdate()
        return recommendation_dates.dates(obj.latest_intake_date, obj.need_date, today=today)

    def get_act_by(self, obj) -> dt.date | None:
        return self._dates(obj)["act_by"]

    def get_feasible(self, obj) -> bool:
        return self._dates(obj)["feasible"]

    def get_next_act_by(self, obj) -> dt.date | None:
        return self._dates(obj)["next_act_by"]


@INTEGER_ID
class RecommendationViewSet(CurrentResultsMixin, viewsets.ReadOnlyModelViewSet):
    """Recommendations for colleges: those that can still be acted on (act_by today or later) first,
    then by best score; the others carry feasible=false and next year's act-by date."""

    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilter
    ordering_fields = ["score", "headcount", "need_date"]
    ordering = ["-feasible", "-score", "id"]

    def get_queryset(self):
        from django.utils import timezone

        from gaps import recommendation_dates

        qs = selectors.recommendations_visible_to(self.request.user, self.current(Recommendation.objects.all()))
        return recommendation_dates.rank_feasible_first(qs, today=timezone.localdate())

    def list(self, request, *args, **kwargs):
        # values() rows shaped with RecommendationSerializer's own fields (no per-object serializer run).
        from django.utils import timezone

        from gaps import recommendation_dates
        from gaps.matching.flags import prime_flag_names
        from gaps.matching.recommendations import recommendation_detail

        today = timezone.localdate()
        fields = RecommendationSerializer().fields
        names = [name for name in RecommendationSerializer.Meta.fields if name not in ("detail", *RecommendationSerializer.DATED)]
        rows = self.paginate_queryset(self.counted_rows(self.filter_queryset(self.get_queryset()), *names))
        prime_flag_names(rows)  # the page's program titles in one query
        data = []
        for row in rows:
            item = {name: None if row[name] is None else fields[name].to_representation(row[name]) for name in names}
            item["detail"] = recommendation_detail(row)
            dated = recommendation_dates.dates(row["latest_intake_date"], row["need_date"], today=today)
            item["act_by"] = dated["act_by"].isoformat() if dated["act_by"] else None
            item["feasible"] = dated["feasible"]
            item["next_act_by"] = dated["next_act_by"].isoformat() if dated["next_act_by"] else None
            item["source"] = "matching"
            data.append(item)
        return self.get_paginated_response(data)


# --- gaps ----------------------------------------------------------------------------------------


class GapFilter(filters.FilterSet):
    quarter = filters.CharFilter(method=_validate_quarter)
    region = filters.CharFilter(field_name="region__code")
    occupation = filters.CharFilter(field_name="occupation_id")
    new_on_list = filters.BooleanFilter()

    class Meta:
        model = Gap
        fields = ["quarter", "region", "occupation", "new_on_list"]


class GapSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    occupation_code = serializers.CharField(source="occupation_id", read_only=True)
    occupation_title = serializers.CharField(source="occupation.title", read_only=True)

    class Meta:
        model = Gap
        fields = [
            "id", "quarter", "region_code", "occupation_code", "occupation_title", "headcount", "covered",
            "shortfall", "salary_min_cny", "salary_max_cny", "need_date", "new_on_list", "line_count",
        ]


class GapViewSet(viewsets.ReadOnlyModelViewSet):
    """The aggregate gap list of the current results: new on the list first."""

    serializer_class = GapSerializer
    filterset_class = GapFilter
    ordering_fields = ["shortfall", "need_date", "quarter"]
    ordering = ["quarter", "-new_on_list", "-shortfall", "id"]

    def get_queryset(self):
        return selectors.gaps_visible_to(self.request.user, selectors.gaps_current()).select_related(
            "region", "occupation"
        )


# --- match runs ----------------------------------------------------------------------------------


class MatchRunSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(read_only=True)
    is_current = serializers.SerializerMethodField()
    # "nothing changed since run N" (the id of the run whose results stayed current), else null.
    unchanged_since = serializers.IntegerField(source="unchanged_since_id", read_only=True, allow_null=True)
    outcome = serializers.CharField(read_only=True)
    mails = serializers.SerializerMethodField(
        help_text=gettext_lazy('Whether the run\'s mails went out: "sent", "pending", "missed" (the announcement was '
                               'lost and given up after a day), or "" for a run with none to send.'))
    mails_display = serializers.CharField(source="announcement", read_only=True)

    class Meta:
        model = MatchRun
        fields = [
            "id", "quarter", "trigger", "status", "chunks_total", "chunks_done", "progress", "created_at",
            "started_at", "finished_at", "timings", "counts", "error", "is_current", "unchanged_since", "outcome",
            "mails", "mails_display",
        ]
        read_only_fields = fields

    def get_is_current(self, run) -> bool:
        return run.pk in self.context.get("current_ids", ())

    def get_mails(self, run) -> str:
        return announcement_state(run)


class StartRunSerializer(serializers.Serializer):
    quarter = serializers.CharField()

    def validate_quarter(self, value):
        try:
            return str(Quarter.parse(value))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


class MatchRunAccess(BasePermission):
    message = gettext_lazy("Only reviewers, administrators and the quarter's reporting officials may start a run.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method == "POST":
            return sees_everything(user) or user.has_role(Role.OFFICIAL)
        return True


class MatchRunFilter(filters.FilterSet):
    quarter = filters.CharFilter(method=_validate_quarter)
    status = filters.CharFilter()

    class Meta:
        model = MatchRun
        fields = ["quarter", "status"]


class MatchRunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Matching runs: status, progress, timings, counts and errors. POST {quarter} queues a run."""

    queryset = MatchRun.objects.all()
    serializer_class = MatchRunSerializer
    permission_classes = [IsAuthenticated, MatchRunAccess]
    filterset_class = MatchRunFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["current_ids"] = set(selectors.current_run_ids().values_list("current_run_id", flat=True))
        return context

    def get_serializer_class(self):
        return StartRunSerializer if self.action == "create" else MatchRunSerializer

    def create(self, request, *args, **kwargs):
        body = StartRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        quarter = body.validated_data["quarter"]
        user = request.user
        if not sees_everything(user):
            reported = GapReport.objects.filter(
                quarter=quarter, status=ReportStatus.SUBMITTED, region__members=user
            ).exists()
            if not reported:
                return Response(
                    {"detail": _("You may start a run only for a quarter in which one of your regions has a submitted report.")},
                    status=status.HTTP_403_FORBIDDEN,
                )
        with transaction.atomic():
            run = services.match_run_enqueue(quarter=quarter, trigger=MatchTrigger.MANUAL, user=user)
        return Response(MatchRunSerializer(run, context=self.get_serializer_context()).data, status=status.HTTP_202_ACCEPTED)


router = SimpleRouter()
router.register("mismatches", FlagViewSet, basename="mismatch")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("gaps", GapViewSet, basename="gap")
router.register("match-runs", MatchRunViewSet, basename="match-run")
urlpatterns: list = []

__all__ = ["FLAG_FIELDS", "router", "urlpatterns"]
