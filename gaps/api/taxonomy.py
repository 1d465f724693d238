"""ISCO-08 occupations under /api/v1/occupations/: read-only for every signed-in user.

    GET /api/v1/occupations/                    the hierarchy, by code (?level=1..4, ?parent=CODE)
    GET /api/v1/occupations/?q=комбайнер        unit groups ranked for a title in en/ru/zh/kk
                                                (?language= narrows the labels compared)
    GET /api/v1/occupations/8341/               one group with its labels and their sources

The taxonomy is reference data loaded by `load_taxonomy`; nobody edits it through the API.
"""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.routers import SimpleRouter

from core.choices import Language
from gaps.models import Occupation, OccupationLabel
from gaps.search import MAX_QUERY_CHARS, search_occupations

# A ranked search returns at most this many unit groups (then paginated like any list); it returns
# fewer when the others match too weakly (gaps.search.MIN_SCORE, RELATIVE_FLOOR).
SEARCH_MAX_RESULTS = 50


class OccupationFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=Occupation.Level.choices, help_text=_("1 major, 2 sub-major, 3 minor, 4 unit group."))
    parent = filters.CharFilter(field_name="parent_id", help_text=_("Code of the parent group: its children."))

    class Meta:
        model = Occupation
        fields = ["level", "parent"]


class OccupationSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True)
    title = serializers.CharField(read_only=True, help_text=_("Title in the request's language, else English."))

    class Meta:
        model = Occupation
        fields = ["code", "level", "parent", "title", "title_en", "title_ru", "title_zh", "title_kk"]
        read_only_fields = fields


class OccupationMatchSerializer(OccupationSerializer):
    # The list documents this one shape, but only a search (?q=) has a match: required=False (not
    # read_only, which the schema marks required) leaves the three out of the schema's required list,
    # and the plain list omits them. The serializer is only ever used for output.
    score = serializers.FloatField(
        source="match.score", required=False,
        help_text=_("How well the best label matches, 0..1: 1 is the same words, 0.95 the same words in another form or order."),
    )
    match_strength = serializers.ChoiceField(
        source="match.strength", required=False, choices=["strong", "possible"],
        help_text=_("“strong” from a score of 0.8, else “possible”: worth a look, not a sure match."),
    )
    matched_label = serializers.CharField(source="match.matched_label", required=False)
    matched_language = serializers.CharField(source="match.language", required=False)

    class Meta(OccupationSerializer.Meta):
        fields = [*OccupationSerializer.Meta.fields, "score", "match_strength", "matched_label", "matched_language"]
        read_only_fields = fields


class OccupationLabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = OccupationLabel
        fields = ["language", "label", "source", "is_preferred"]
        read_only_fields = fields


class OccupationDetailSerializer(OccupationSerializer):
    labels = OccupationLabelSerializer(many=True, read_only=True)

    class Meta(OccupationSerializer.Meta):
        fields = [*OccupationSerializer.Meta.fields, "definition_en", "labels"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description=_("A job title in English, Russian, Chinese or Kazakh: unit groups ranked by match.")
            ),
            OpenApiParameter(
                "language", OpenApiTypes.STR, enum=Language.values,
                description=_("With q: compare only labels in this language (Kazakh also compares Russian)."),
            ),
        ],
        responses=OccupationMatchSerializer(many=True),
    ),
)
class OccupationViewSet(viewsets.ReadOnlyModelViewSet):
    """ISCO-08 groups with their titles; `?q=` ranks unit groups for a typed title."""

    queryset = Occupation.objects.all()
    serializer_class = OccupationSerializer
    filterset_class = OccupationFilter
    ordering_fields = ["code", "level"]
    lookup_field = "code"
    lookup_value_regex = r"\d{1,4}"

    def get_queryset(self):
        if self.action == "retrieve":
            return Occupation.objects.prefetch_related("labels")
        return Occupation.objects.all()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return OccupationDetailSerializer
        return OccupationSerializer

    def list(self, request, *args, **kwargs):
        query = request.query_params.get("q", "").strip()
        if not query:
            return super().list(request, *args, **kwargs)
        errors = {}
        if len(query) > MAX_QUERY_CHARS:
            errors["q"] = [_("At most %(n)d characters.") % {"n": MAX_QUERY_CHARS}]
        language = request.query_params.get("language") or None
        if language is not None and language not in Language.values:
            errors["language"] = [_("One of: %(choices)s.") % {"choices": ", ".join(Language.values)}]
        if errors:
            raise ValidationError(errors)
        matches = search_occupations(query, language=language, limit=SEARCH_MAX_RESULTS)
        # ?level= and ?parent= still apply (e.g. search within one minor group); the rank order wins.
        found = {o.code: o for o in self.filter_queryset(self.get_queryset()).filter(code__in=[m.code for m in matches])}
        ranked = []
        for match in matches:
            occupation = found.get(match.code)
            if occupation is not None:
                occupation.match = match
                ranked.append(occupation)
        page = self.paginate_queryset(ranked)
        serializer = OccupationMatchSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)


router = SimpleRouter()
router.register("occupations", OccupationViewSet, basename="occupation")
urlpatterns: list = []
