"""The early warning over the API: GET /api/v1/early-warnings/ and /early-warnings/{id}/.

Each item is SPEC.md's early-warning entry ("Looking ahead: the early warning") plus its `id`, the
region's and occupation's names in the reader's language and `days_left` (act_by minus today, in
days; negative when the act-by date has passed). Only entries of the latest computation
(`is_active`) are listed. Who sees which entries: gaps.warning_selectors.

Filters: quarter (YYYYQn), region (code), occupation (ISCO-08 unit group), status, rating; a value
that is not one of these is a 400 naming the parameter. Default order: urgency (act_now,
short_course_only, plan, missed), then rating, then act_by.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.routers import SimpleRouter

from core import text
from core.quarters import Quarter
from gaps import warning_selectors as selectors
from gaps.models import EarlyWarning, WarningRating, WarningSource, WarningStatus

ENTRY_FIELDS = (
    "region_code", "occupation_code", "quarter", "source", "forecast", "forecast_low", "forecast_high", "headcount",
    "covered", "shortfall", "need_date", "end_date", "lead_days", "shortest_days", "act_by", "short_course_by",
    "status", "rating", "persistence", "wage_pressure", "detail",
)


def _quarter(queryset, name, value):
    try:
        Quarter.parse(value)
    except ValueError as exc:
        raise ValidationError({name: [str(exc)]}) from exc
    return queryset.filter(quarter=value)


class EarlyWarningFilter(filters.FilterSet):
    quarter = filters.CharFilter(method=_quarter, help_text=_("A target quarter like 2027Q1."))
    region = filters.CharFilter(field_name="region__code", lookup_expr="iexact", help_text=_("A region code."))
    occupation = filters.CharFilter(method="filter_occupation", help_text=_("An ISCO-08 unit group code."))
    status = filters.MultipleChoiceFilter(choices=WarningStatus.choices)
    rating = filters.MultipleChoiceFilter(choices=WarningRating.choices)

    class Meta:
        model = EarlyWarning
        fields = ["quarter", "region", "occupation", "status", "rating"]

    def filter_occupation(self, queryset, name, value):
        if not (value.isdigit() and len(value) == 4):
            raise ValidationError({name: [_("An ISCO-08 unit group is four digits, e.g. 8341; got %(value)r.") % {"value": value}]})
        return queryset.filter(occupation_id=value)


class EarlyWarningSerializer(serializers.ModelSerializer):
    """SPEC.md's entry; `forecast*` are null for reported lines, `headcount` is the forecast or the reported headcount."""

    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.SerializerMethodField()
    occupation_code = serializers.CharField(source="occupation_id", read_only=True)
    occupation_title = serializers.SerializerMethodField()
    source = serializers.ChoiceField(choices=WarningSource.choices, read_only=True)
    status = serializers.ChoiceField(choices=WarningStatus.choices, read_only=True)
    rating = serializers.ChoiceField(choices=WarningRating.choices, read_only=True)
    wage_pressure = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True, coerce_to_string=False,
        help_text=_("The series' CNY salary change minus the region's, as a fraction (0.07 = 7 points); null without an earlier year."),
    )
    persistence = serializers.IntegerField(
        read_only=True,
        help_text=_("In how many of the 8 quarters before the current one the region had a gap in this occupation, "
                    "by their current matching results; a quarter without matching results counts no gap."),
    )
    days_left = serializers.SerializerMethodField(help_text=_("Days from today to act_by; negative once it has passed."))
    detail = serializers.SerializerMethodField()

    class Meta:
        model = EarlyWarning
        fields = ["id", *ENTRY_FIELDS[:1], "region_name", ENTRY_FIELDS[1], "occupation_title", *ENTRY_FIELDS[2:], "days_left"]
        read_only_fields = fields

    def _today(self) -> dt.date:
        return self.context.get("today") or timezone.localdate()

    def get_region_name(self, obj) -> str:
        return text.region_name(obj.region.code)

    def get_occupation_title(self, obj) -> str:
        return text.occupation_name(obj.occupation_id)

    def get_days_left(self, obj) -> int:
        return selectors.days_left(obj, today=self._today())

    def get_detail(self, obj) -> str:
        return selectors.warning_detail(obj, today=self._today())


@extend_schema_view(
    list=extend_schema(tags=["early-warnings"], summary="The early warning's entries you may see, most urgent first"),
    retrieve=extend_schema(tags=["early-warnings"], summary="One early-warning entry"),
)
class EarlyWarningViewSet(viewsets.ReadOnlyModelViewSet):
    """The early warning (SPEC.md "Looking ahead"): shortfalls of the four quarters after today's,
    with the date by which to act. Officials see their regions', college staff the regions their
    programs serve, reviewers everything."""

    serializer_class = EarlyWarningSerializer
    filterset_class = EarlyWarningFilter
    ordering_fields = ["act_by", "shortfall", "need_date", "quarter"]

    def get_queryset(self):
        qs = selectors.warnings_visible_to(self.request.user).select_related("region", "occupation")
        return selectors.board_order(qs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["today"] = timezone.localdate()
        return context


router = SimpleRouter()
router.register("early-warnings", EarlyWarningViewSet, basename="early-warning")
urlpatterns: list = []
