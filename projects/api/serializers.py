"""Serializers of gap review and the project repository: shapes only; the services decide."""

from __future__ import annotations

import functools

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import with_fixed_timezone
from core.dates import BoundedDateSerializerField
from gaps.models import Gap
from training.models import Cohort, College, Program

from ..choices import FundingSource
from ..models import CohortOutcome, CooperationProject, GapDecision, ProjectCondition, display_title_of
from ..results import ratio


class RejectUnknownFields:
    """Bad input names its field: a key the endpoint does not take is a 400, not silently dropped."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        data = getattr(self, "initial_data", None)
        if isinstance(data, dict) or hasattr(data, "keys"):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data.keys()) - writable)
            if unknown:
                errors = {}
                for name in unknown:
                    if name == "status":
                        errors[name] = [_("Change the status with the transition actions (activate, complete, "
                                          "suspend, resume, cancel).")]
                    else:
                        errors[name] = [_("Unknown or read-only field.")]
                raise serializers.ValidationError(errors)
        return attrs


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", default=None, read_only=True)
    gap = serializers.IntegerField(source="gap_id", read_only=True)
    project = serializers.SerializerMethodField()
    display_comment = serializers.CharField(
        read_only=True, help_text=_("The comment in the request's language where a translation exists, else as stored."))

    class Meta:
        model = GapDecision
        fields = ["id", "gap", "decision", "comment", "display_comment", "decided_by", "decided_at", "project"]

    def get_project(self, decision) -> int | None:
        project = getattr(decision, "project", None) if decision.decision == "approved" else None
        return project.pk if project else None


class GapSummarySerializer(serializers.ModelSerializer):
    """A gap's identity and figures (the gaps app owns gaps; this is the review's view of one)."""

    region_code = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    country = serializers.CharField(source="region.country")
    occupation_code = serializers.CharField(source="occupation_id")
    occupation_title = serializers.CharField(source="occupation.title")

    class Meta:
        model = Gap
        fields = [
            "id", "quarter", "region_code", "region_name", "country", "occupation_code", "occupation_title",
            "headcount", "covered", "shortfall", "salary_min_cny", "salary_max_cny", "need_date", "new_on_list",
            "is_active",
        ]


class ReviewGapSerializer(GapSummarySerializer):
    """A gap in the reviewer queue: its figures, priority and evidence (context["evidence"])."""

    priority = serializers.DecimalField(max_digits=24, decimal_places=2, read_only=True, default=None)
    express_lane = serializers.BooleanField(source="new_on_list", read_only=True)
    needed_by = BoundedDateSerializerField(
        read_only=True, help_text=_("The need date, else the first day of the gap's quarter."))
    act_by = BoundedDateSerializerField(
        read_only=True, help_text=_("The last day training can start and still finish by needed_by: needed_by minus "
                                    "the shortest training known for the occupation, else minus the usual lead time "
                                    "(DEFAULT_LEAD_DAYS)."))
    in_time = serializers.BooleanField(
        read_only=True, help_text=_("Whether training can still be in time: today is act_by or earlier. The queue "
                                    "lists the gaps in time first."))
    decision = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta(GapSummarySerializer.Meta):
        fields = GapSummarySerializer.Meta.fields + [
            "express_lane", "priority", "needed_by", "act_by", "in_time", "decision", "evidence"]

    def get_decision(self, gap) -> dict | None:
        decision = GapDecision.objects.filter(gap=gap).select_related("decided_by").first() if self.context.get(
            "with_decision"
        ) else None
        return DecisionSerializer(decision).data if decision else None

    def get_evidence(self, gap) -> dict:
        return self.context.get("evidence", {}).get(gap.pk, {})


class DecideSerializer(RejectUnknownFields, serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class RejectSerializer(RejectUnknownFields, serializers.Serializer):
    comment = serializers.CharField(max_length=5000, help_text=_("The reason; it is kept with the decision."))


class CollegeRefSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(
        read_only=True, help_text=_("The name in the request's language where a translation exists, else as stored."))

    class Meta:
        model = College
        fields = ["id", "code", "name", "display_name", "country"]


class ProgramRefSerializer(serializers.ModelSerializer):
    college_code = serializers.CharField(source="college.code")
    display_title = serializers.CharField(
        read_only=True, help_text=_("The title in the request's language where a translation exists, else as stored."))

    class Meta:
        model = Program
        fields = ["id", "college_code", "code", "title", "display_title"]


class ConditionSerializer(RejectUnknownFields, serializers.ModelSerializer):
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    display_text = serializers.CharField(
        read_only=True, help_text=_("The condition in the request's language where a translation exists, else as stored."))
    display_supplement = serializers.CharField(
        read_only=True,
        help_text=_("What was supplemented, in the request's language where a translation exists, else as stored."))
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    supplemented_by = serializers.CharField(source="supplemented_by.username", default=None, read_only=True)
    project = serializers.PrimaryKeyRelatedField(queryset=CooperationProject.objects.all())
    due_date = BoundedDateSerializerField(
        required=False, help_text=_("Default: the project's approval date plus CONDITIONS_DUE_DAYS.")
    )

    class Meta:
        model = ProjectCondition
        fields = [
            "id", "project", "text", "due_date", "overdue", "created_at", "created_by",
            "supplemented_at", "supplemented_by", "supplement", "display_text", "display_supplement",
        ]
        read_only_fields = ["created_at", "supplemented_at", "supplement"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            from ..selectors import projects_visible_to

            fields["project"].queryset = projects_visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list):
            fields["project"].read_only = True
        return fields


class SupplementSerializer(RejectUnknownFields, serializers.Serializer):
    supplement = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class OutcomeSerializer(RejectUnknownFields, serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=CooperationProject.objects.all())
    cohort = serializers.PrimaryKeyRelatedField(queryset=Cohort.objects.all())
    pass_rate = serializers.SerializerMethodField()
    employment_rate = serializers.SerializerMethodField()
    income_currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, allow_blank=True, max_length=3)

    class Meta:
        model = CohortOutcome
        fields = [
            "id", "project", "cohort", "enrolled", "completed", "passed_assessment", "employed_6m",
            "income_before", "income_after", "income_currency", "income_before_on", "income_after_on",
            "pass_rate", "employment_rate", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # The services check the arithmetic rules with field-named errors; the model's own
        # unique-together validator would run a query the service does anyway.
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            from ..selectors import projects_visible_to

            fields["project"].queryset = projects_visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list):
            fields["project"].read_only = True
        return fields

    def get_pass_rate(self, outcome) -> float | None:
        value = ratio(outcome.passed_assessment, outcome.completed)
        return None if value is None else float(round(value, 4))

    def get_employment_rate(self, outcome) -> float | None:
        value = ratio(outcome.employed_6m, outcome.completed)
        return None if value is None else float(round(value, 4))


class ProjectSerializer(serializers.ModelSerializer):
    """A project as the repository lists it, results first.

    The top-level pass_rate, employment_rate, income_change_pct and skill_appreciation_pct are the
    stored figures the list sorts by; `results` is the full chain (computed live on the detail view).
    """

    origin_gap = GapSummarySerializer(read_only=True)
    # The early-warning entry the project was fast-tracked from (GET /api/v1/early-warnings/{id}/), or null.
    origin_warning = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    lead_college = CollegeRefSerializer(read_only=True)
    partner_colleges = CollegeRefSerializer(many=True, read_only=True)
    programs = ProgramRefSerializer(many=True, read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    pass_rate = serializers.FloatField(read_only=True, default=None, allow_null=True)
    employment_rate = serializers.FloatField(read_only=True, default=None, allow_null=True)
    income_change_pct = serializers.FloatField(read_only=True, default=None, allow_null=True)
    skill_appreciation_pct = serializers.FloatField(read_only=True, default=None, allow_null=True)
    results = serializers.SerializerMethodField()
    # The title in the request's language (Accept-Language) where the service wrote it in that
    # language; `title` as stored once a person has edited it.
    display_title = serializers.CharField(read_only=True)

    class Meta:
        model = CooperationProject
        fields = [
            "id", "title", "display_title", "status", "status_changed_at", "overdue",
            "pass_rate", "employment_rate", "income_change_pct", "skill_appreciation_pct", "results",
            "origin_gap", "origin_warning", "lead_college", "partner_colleges", "programs",
            "planned_trainees", "planned_intake_date", "budget_amount", "budget_currency", "funding_source",
            "approved_at",
        ]

    def get_results(self, project) -> dict | None:
        """Live figures when the view computed them (detail), else the stored ones (lists)."""
        results = self.context.get("results", {}).get(project.pk)
        if results is not None:
            return results.as_dict()
        return project.results or None


class ProjectDetailSerializer(ProjectSerializer):
    gaps = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    decision = DecisionSerializer(read_only=True)
    owner = serializers.CharField(source="owner.username", default=None, read_only=True)
    conditions = ConditionSerializer(many=True, read_only=True)
    outcomes = OutcomeSerializer(many=True, read_only=True)

    class Meta(ProjectSerializer.Meta):
        fields = ProjectSerializer.Meta.fields + [
            "status_reason", "gaps", "decision", "owner", "created_at", "updated_at", "conditions", "outcomes",
        ]


class ProjectUpdateSerializer(RejectUnknownFields, serializers.Serializer):
    """PATCH input: the plan of a project. Status changes go through the transition actions."""

    title = serializers.CharField(max_length=300, required=False)
    lead_college = serializers.PrimaryKeyRelatedField(queryset=College.objects.all(), allow_null=True, required=False)
    partner_colleges = serializers.PrimaryKeyRelatedField(queryset=College.objects.all(), many=True, required=False)
    programs = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all(), many=True, required=False)
    gaps = serializers.PrimaryKeyRelatedField(queryset=Gap.objects.all(), many=True, required=False)
    planned_trainees = serializers.IntegerField(min_value=1, max_value=1_000_000, allow_null=True, required=False)
    planned_intake_date = BoundedDateSerializerField(allow_null=True, required=False)
    budget_amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    budget_currency = serializers.RegexField(r"^([A-Z]{3})?$", max_length=3, allow_blank=True, required=False)
    funding_source = serializers.ChoiceField(choices=FundingSource.choices, allow_blank=True, required=False)


class TransitionSerializer(RejectUnknownFields, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class DecisionListSerializer(DecisionSerializer):
    gap = GapSummarySerializer(read_only=True)

    class Meta(DecisionSerializer.Meta):
        pass


class ProjectResultsSerializer(serializers.Serializer):
    """Documents GET projects/results/: the results chain summed over the filtered projects (results.as_dict)."""

    projects = serializers.IntegerField()
    cohorts = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    completed = serializers.IntegerField()
    passed_assessment = serializers.IntegerField()
    employed_6m = serializers.IntegerField()
    pass_rate = serializers.FloatField(allow_null=True)
    employment_rate = serializers.FloatField(allow_null=True)
    income_before_cny = serializers.FloatField(allow_null=True)
    income_after_cny = serializers.FloatField(allow_null=True)
    income_change_pct = serializers.FloatField(allow_null=True)
    expected_wage_growth_pct = serializers.FloatField(allow_null=True)
    skill_appreciation_pct = serializers.FloatField(allow_null=True)
    errors = serializers.ListField(child=serializers.CharField())


# --- Plain rows for lists -------------------------------------------------------------------------
# The list endpoints shape values() rows with these functions instead of running the serializers
# above per object: same JSON (tests/projects/test_list_rows.py compares them field by field with
# ProjectSerializer and ReviewGapSerializer), a fraction of the time. The serializers stay the
# schema and the detail views' shape. Values are formatted by DRF's own field classes.


@functools.cache
def _formatters() -> dict:
    """The serializers' own fields that format decimals and dates (so the rows cannot drift from them)."""
    project, gap = ProjectSerializer().fields, GapSummarySerializer().fields
    return {
        "datetime": project["approved_at"], "date": project["planned_intake_date"], "budget": project["budget_amount"],
        "salary_min_cny": gap["salary_min_cny"], "salary_max_cny": gap["salary_max_cny"], "need_date": gap["need_date"],
        "priority": ReviewGapSerializer().fields["priority"],
    }


def _fmt(field, value):
    return None if value is None else field.to_representation(value)


def _float(value):
    return None if value is None else float(value)


def _language() -> str:
    """The active language as the models' name_xx / title_xx suffix (Region.name, Occupation.title)."""
    return (get_language() or "en").split("-")[0]


def _page_formatters() -> dict:
    """_formatters() for one page: the datetime field with the active time zone looked up once
    (core.api.with_fixed_timezone), not twice per project."""
    fmt = dict(_formatters())
    fmt["datetime"] = with_fixed_timezone(fmt["datetime"])
    return fmt


@functools.lru_cache(maxsize=64)
def _gap_keys(prefix: str, lang: str) -> dict[str, str]:
    """The values() names of a gap row's columns behind `prefix`, the localized name and title in
    `lang` (built once per prefix and language, not per row)."""
    names = (
        "id", "quarter", "region__code", "region__country", "occupation_id", "headcount", "covered", "shortfall",
        "salary_min_cny", "salary_max_cny", "need_date", "new_on_list", "is_active",
    )
    return {name: f"{prefix}{name}" for name in names} | {
        "region_name": f"{prefix}region__name_{lang}", "region_name_en": f"{prefix}region__name_en",
        "occupation_title": f"{prefix}occupation__title_{lang}", "occupation_title_en": f"{prefix}occupation__title_en",
    }


def gap_summary_row(row: dict, prefix: str = "", *, lang: str | None = None, fmt: dict | None = None) -> dict:
    """GapSummarySerializer's output from a values() row of selectors.GAP_ROW_FIELDS (each name
    behind `prefix`, e.g. "origin_gap__" in a project row). Region.name and Occupation.title are
    the active language's, else English. A caller shaping many rows passes the language
    (_language()) and the formatters once."""
    fmt = fmt or _formatters()
    k = _gap_keys(prefix, lang or _language())
    if row[k["id"]] is None:  # a project accepted from the training plan has no originating gap
        return None
    return {
        "id": row[k["id"]],
        "quarter": row[k["quarter"]],
        "region_code": row[k["region__code"]],
        "region_name": row.get(k["region_name"]) or row[k["region_name_en"]],
        "country": row[k["region__country"]],
        "occupation_code": row[k["occupation_id"]],
        "occupation_title": row.get(k["occupation_title"]) or row[k["occupation_title_en"]],
        "headcount": row[k["headcount"]],
        "covered": row[k["covered"]],
        "shortfall": row[k["shortfall"]],
        "salary_min_cny": _fmt(fmt["salary_min_cny"], row[k["salary_min_cny"]]),
        "salary_max_cny": _fmt(fmt["salary_max_cny"], row[k["salary_max_cny"]]),
        "need_date": _fmt(fmt["need_date"], row[k["need_date"]]),
        "new_on_list": row[k["new_on_list"]],
        "is_active": row[k["is_active"]],
    }


def review_gap_rows(rows: list[dict], evidence: dict) -> list[dict]:
    """ReviewGapSerializer's output for a page of queue rows (no decision: the queue holds undecided
    gaps), the language and formatters looked up once per page."""
    fmt, lang = _formatters(), _language()
    return [
        {
            **gap_summary_row(gap, lang=lang, fmt=fmt),
            "express_lane": gap["new_on_list"],
            "priority": _fmt(fmt["priority"], gap["priority"]),
            "needed_by": _fmt(fmt["need_date"], gap["needed_by"]),
            "act_by": _fmt(fmt["need_date"], gap["act_by"]),
            "in_time": gap["in_time"],
            "decision": None,
            "evidence": evidence.get(gap["id"], {}),
        }
        for gap in rows
    ]


def project_list_rows(rows: list[dict], page: dict) -> list[dict]:
    """ProjectSerializer's output for a page of selectors.project_rows() values, with selectors.project_page()."""
    fmt, lang = _page_formatters(), _language()
    language = get_language()
    out = []
    for row in rows:
        lead = row["lead_college_id"]
        out.append({
            "id": row["id"],
            "title": row["title"],
            "display_title": display_title_of(row["title"], row["title_translations"], language),
            "status": row["status"],
            "status_changed_at": _fmt(fmt["datetime"], row["status_changed_at"]),
            "overdue": bool(row["overdue"]),
            "pass_rate": _float(row["pass_rate"]),
            "employment_rate": _float(row["employment_rate"]),
            "income_change_pct": _float(row["income_change_pct"]),
            "skill_appreciation_pct": _float(row["skill_appreciation_pct"]),
            "results": row["results"] or None,
            "origin_gap": gap_summary_row(row, "origin_gap__", lang=lang, fmt=fmt),
            "origin_warning": row["origin_warning_id"],
            "lead_college": None if lead is None else {
                "id": lead, "code": row["lead_college__code"], "name": row["lead_college__name"],
                "display_name": display_title_of(
                    row["lead_college__name"], row["lead_college__name_translations"], language),
                "country": row["lead_college__country"],
            },
            "partner_colleges": page["partners"].get(row["id"], []),
            "programs": page["programs"].get(row["id"], []),
            "planned_trainees": row["planned_trainees"],
            "planned_intake_date": _fmt(fmt["date"], row["planned_intake_date"]),
            "budget_amount": _fmt(fmt["budget"], row["budget_amount"]),
            "budget_currency": row["budget_currency"],
            "funding_source": row["funding_source"],
            "approved_at": _fmt(fmt["datetime"], row["approved_at"]),
        })
    return out
