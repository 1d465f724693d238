"""Serializers of the gaps API: they validate input and shape output; writes go through gaps.services.

Mass assignment: a report's status, region (once created), its authors and timestamps, and a
line's report (once created), number and coding confidence are read-only here; only the services
change them.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.quarters import validate_quarter

from ..models import ExchangeRate, GapReport, GapReportLine, Occupation, Region

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
LANGUAGE_RE = r"^[a-z]{2}$"
MAX_HEADCOUNT = 100_000  # SPEC: headcount 1..100000


class RegionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("The name in the request's language."))

    class Meta:
        model = Region
        fields = ["id", "code", "country", "kind", "name", "name_en", "name_ru", "name_zh", "name_kk", "avg_wage_growth_pct"]

    def validate_country(self, value: str) -> str:
        value = value.strip().upper()
        if not COUNTRY_RE.match(value):
            raise serializers.ValidationError(_("Use an ISO 3166-1 alpha-2 code such as KZ or CN."))
        return value


class ExchangeRateSerializer(serializers.ModelSerializer):
    rate_to_cny = serializers.DecimalField(max_digits=18, decimal_places=8, min_value=0)

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "rate_to_cny"]

    def validate_currency(self, value: str) -> str:
        value = value.strip().upper()
        if not CURRENCY_RE.match(value):
            raise serializers.ValidationError(_("Use an ISO 4217 code such as KZT, CNY or USD."))
        return value

    def validate_rate_to_cny(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("A rate must be greater than zero."))
        return value


def _code_title(title: str) -> tuple[str | None, float | None]:
    """Resolve a free-text title with the multilingual search; (None, None) while it is unavailable."""
    from gaps import search

    try:
        return search.code_title(title)
    except NotImplementedError:
        return None, None


class LineFieldsSerializer(serializers.ModelSerializer):
    """The fields of one report line as an official types them (no report, no number)."""

    occupation = serializers.PrimaryKeyRelatedField(
        queryset=Occupation.objects.filter(level=Occupation.Level.UNIT),
        required=False,
        allow_null=True,
        help_text=_("ISCO-08 unit group code (4 digits). Wins over the title when both are given."),
        error_messages={"does_not_exist": _("No ISCO-08 unit group has the code “{pk_value}”.")},
    )
    occupation_name = serializers.SerializerMethodField(help_text=_("The unit group's title in the request's language."))
    is_uncoded = serializers.BooleanField(read_only=True)
    display_note = serializers.CharField(
        read_only=True, help_text=_("The note in the request's language where a translation exists, else as stored."))
    headcount = serializers.IntegerField(min_value=1, max_value=MAX_HEADCOUNT)
    salary_min = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    salary_max = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    languages = serializers.ListField(
        child=serializers.RegexField(LANGUAGE_RE, error_messages={"invalid": _("Use ISO 639-1 codes such as kk, ru, zh.")}),
        required=False,
        help_text=_("ISO 639-1 codes the workers must speak."),
    )

    class Meta:
        model = GapReportLine
        fields = [
            "occupation",
            "occupation_title",
            "occupation_name",
            "coding_confidence",
            "is_uncoded",
            "sector",
            "headcount",
            "salary_min",
            "salary_max",
            "currency",
            "season_start",
            "season_end",
            "certification",
            "languages",
            "note",
            "display_note",
        ]
        read_only_fields = ["coding_confidence"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_occupation_name(self, line) -> str | None:
        return line.occupation.title if line.occupation_id else None

    def validate_currency(self, value: str) -> str:
        value = value.strip().upper()
        if not CURRENCY_RE.match(value):
            raise serializers.ValidationError(_("Use an ISO 4217 code such as KZT, CNY or USD."))
        return value

    def _current(self, attrs: dict, name: str):
        if name in attrs:
            return attrs[name]
        instance = getattr(self, "instance", None)
        return getattr(instance, name, None) if isinstance(instance, GapReportLine) else None

    # The fields the cross-field rules read (_cross_field_errors).
    CROSS_FIELDS = ("salary_min", "salary_max", "season_start", "season_end", "occupation", "occupation_title")

    def _cross_field_errors(self, attrs: dict, *, failed=()) -> dict:
        """The rules between fields, on the values given (or the line's own, for a partial update);
        a field in `failed` did not parse and takes part in no rule."""
        errors = {}
        salary_min, salary_max = self._current(attrs, "salary_min"), self._current(attrs, "salary_max")
        if salary_min is not None and salary_max is not None and salary_min > salary_max:
            errors["salary_max"] = _("salary_max must be at least salary_min.")
        start, end = self._current(attrs, "season_start"), self._current(attrs, "season_end")
        if start and end and start > end:
            errors["season_end"] = _("season_end must be on or after season_start.")
        occupation, title = self._current(attrs, "occupation"), self._current(attrs, "occupation_title")
        if occupation is None and not title and not {"occupation", "occupation_title"} & set(failed):
            errors["occupation"] = _("Give an occupation code or an occupation title.")
        return errors

    def to_internal_value(self, data):
        """DRF checks the rules between fields (validate) only once every field parsed; a line with
        a bad currency and its salary range reversed would learn of the range on the next try.
        Here the fields the rules read are parsed alone and the rules run on those that parsed."""
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict) or not hasattr(data, "get"):
                raise
            detail = dict(exc.detail)
            parsed = {}
            for name in self.CROSS_FIELDS:
                field = self.fields.get(name)
                if name in detail or field is None or field.read_only:
                    continue
                primitive = field.get_value(data)
                if primitive is serializers.empty:
                    continue
                try:
                    parsed[field.source] = field.run_validation(primitive)
                except serializers.ValidationError:
                    continue
            for name, message in self._cross_field_errors(parsed, failed=detail).items():
                detail.setdefault(name, [message])
            raise serializers.ValidationError(detail) from None

    def validate(self, attrs: dict) -> dict:
        errors = self._cross_field_errors(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        occupation, title = self._current(attrs, "occupation"), self._current(attrs, "occupation_title")
        if "languages" in attrs:
            # Kept in the order typed, without repeats.
            attrs["languages"] = list(dict.fromkeys(attrs["languages"]))
        if "occupation" in attrs or "occupation_title" in attrs:
            attrs.update(self._coding(occupation, title))
        return attrs

    def _coding(self, occupation, title: str) -> dict:
        """Code a free-text title the way imports do: below the threshold the line stays UNCODED."""
        if occupation is not None:
            return {"coding_confidence": None}
        code, confidence = _code_title(title)
        if code and confidence is not None and confidence >= settings.OCCUPATION_CODING_THRESHOLD:
            found = Occupation.objects.filter(pk=code, level=Occupation.Level.UNIT).first()
            if found is not None:
                return {"occupation": found, "coding_confidence": confidence}
        return {"occupation": None, "coding_confidence": confidence}


class ReportLineSerializer(LineFieldsSerializer):
    """A line on its own endpoint (report-lines/): creating one names its (draft) report."""

    report = serializers.PrimaryKeyRelatedField(
        queryset=GapReport.objects.none(),
        help_text=_("The id of a draft report of one of your regions."),
    )

    class Meta(LineFieldsSerializer.Meta):
        fields = ["id", "report", "line_no", *LineFieldsSerializer.Meta.fields]
        read_only_fields = ["line_no", "coding_confidence"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only reports the user may see can be named: another region's report is "not found".
        request = self.context.get("request")
        if request is not None and "report" in self.fields and not self.fields["report"].read_only:
            from ..selectors import reports_visible_to

            self.fields["report"].queryset = reports_visible_to(request.user)


class ReportLineUpdateSerializer(ReportLineSerializer):
    """Editing a line: it stays on its report."""

    class Meta(ReportLineSerializer.Meta):
        read_only_fields = ["report", "line_no", "coding_confidence"]

    def get_fields(self):
        fields = super().get_fields()
        fields["report"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields


class LineCodeSerializer(serializers.Serializer):
    occupation = serializers.PrimaryKeyRelatedField(
        queryset=Occupation.objects.filter(level=Occupation.Level.UNIT),
        help_text=_("ISCO-08 unit group code (4 digits)."),
        error_messages={"does_not_exist": _("No ISCO-08 unit group has the code “{pk_value}”.")},
    )


class ReportSerializer(serializers.ModelSerializer):
    """A report as lists show it."""

    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    line_count = serializers.IntegerField(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = GapReport
        fields = [
            "id",
            "region",
            "region_name",
            "quarter",
            "status",
            "line_count",
            "created_by",
            "created_at",
            "updated_at",
            "submitted_by",
            "submitted_at",
            "withdrawn_at",
            "superseded_by",
        ]
        read_only_fields = fields


class ReportLineInReportSerializer(LineFieldsSerializer):
    class Meta(LineFieldsSerializer.Meta):
        fields = ["id", "line_no", *LineFieldsSerializer.Meta.fields]
        read_only_fields = ["id", "line_no", "coding_confidence"]


class ReportDetailSerializer(ReportSerializer):
    lines = ReportLineInReportSerializer(many=True, read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class ReportCreateSerializer(serializers.Serializer):
    region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.all(),
        help_text=_("Region code."),
        error_messages={"does_not_exist": _("No region has the code “{value}”.")},
    )
    quarter = serializers.CharField(max_length=6, validators=[validate_quarter], help_text=_("A quarter like 2026Q3."))
    lines = LineFieldsSerializer(many=True, required=False, help_text=_("Optional: the draft's first lines."))


class ReportLinesSerializer(serializers.Serializer):
    """Editing a draft report is replacing its lines (all or nothing)."""

    lines = LineFieldsSerializer(many=True, allow_empty=True)
