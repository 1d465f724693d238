from django.contrib import admin
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from .models import CohortOutcome, CooperationProject, GapDecision, ProjectCondition, TrainingPlan, TrainingProposal
from .services import project_results_refresh


@admin.register(GapDecision)
class GapDecisionAdmin(SimpleHistoryAdmin):
    """Decisions are final for reviewers; an administrator re-opens a rejected gap by deleting its decision."""

    list_display = ["gap", "decision", "decided_by", "decided_at"]
    list_filter = ["decision"]
    search_fields = ["gap__region__code", "gap__occupation__code", "comment"]
    raw_id_fields = ["gap", "decided_by"]

    def has_change_permission(self, request, obj=None):
        return False


class ConditionInline(admin.TabularInline):
    model = ProjectCondition
    extra = 0
    fields = ["text", "due_date", "supplemented_at", "supplemented_by", "supplement"]
    raw_id_fields = ["supplemented_by"]


class OutcomeInline(admin.TabularInline):
    model = CohortOutcome
    extra = 0
    raw_id_fields = ["cohort"]
    fields = ["cohort", "enrolled", "completed", "passed_assessment", "employed_6m",
              "income_before", "income_after", "income_currency", "income_before_on", "income_after_on"]


@admin.register(CooperationProject)
class CooperationProjectAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "lead_college", "planned_trainees", "funding_source", "approved_at"]
    list_filter = ["status", "funding_source"]
    search_fields = ["title", "lead_college__code", "origin_gap__region__code", "origin_gap__occupation__code"]
    raw_id_fields = ["origin_gap", "origin_warning", "decision", "owner", "lead_college"]
    filter_horizontal = ["partner_colleges", "programs", "gaps"]
    # Status changes go through the transition services (API), so admins cannot skip the rules here.
    readonly_fields = [
        "status", "status_before_suspension", "status_changed_at", "status_reason",
        "pass_rate", "employment_rate", "income_change_pct", "skill_appreciation_pct", "results_updated_at",
    ]
    inlines = [ConditionInline, OutcomeInline]
    actions = ["refresh_results"]

    @admin.action(description=_("Recompute the results chain (after changing exchange rates or wage growth)"))
    def refresh_results(self, request, queryset):
        count = project_results_refresh(project_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("Refreshed the results of %(n)d project(s).") % {"n": count})


@admin.register(ProjectCondition)
class ProjectConditionAdmin(SimpleHistoryAdmin):
    list_display = ["project", "due_date", "supplemented_at"]
    raw_id_fields = ["project", "supplemented_by", "created_by"]


@admin.register(CohortOutcome)
class CohortOutcomeAdmin(SimpleHistoryAdmin):
    list_display = ["project", "cohort", "enrolled", "completed", "passed_assessment", "employed_6m"]
    raw_id_fields = ["project", "cohort"]


class ProposalInline(admin.TabularInline):
    model = TrainingProposal
    extra = 0
    can_delete = False
    fields = ["program", "region_codes", "occupation", "seats", "intake_date", "graduation_date", "cost_cny", "value",
              "mobile", "project"]
    readonly_fields = fields


@admin.register(TrainingPlan)
class TrainingPlanAdmin(admin.ModelAdmin):
    """Training plans are computed (plan_training, the API, the plan page); read here, never edited."""

    list_display = ["id", "today", "budget_cny", "status", "spent_cny", "value", "requested_by", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["today", "budget_cny", "status", "steps_done", "steps_total", "timings", "error", "spent_cny",
                       "value", "solver", "uncovered", "requested_by", "started_at", "finished_at"]
    inlines = [ProposalInline]

    def has_add_permission(self, request):
        return False
