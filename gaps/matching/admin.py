"""Admin for matching records: runs (status, progress, timings, counts, errors), the per-quarter
pointer, flags and recommendations. All read-only: results change only through a run."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gaps.models import Flag, MatchRun, QuarterResults, Recommendation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MatchRun)
class MatchRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "quarter", "trigger", "status", "outcome", "mails", "chunks_done", "chunks_total", "created_at", "finished_at")
    list_filter = ("status", "trigger", "quarter")
    readonly_fields = [f.name for f in MatchRun._meta.fields] + ["outcome", "mails"]

    @admin.display(description=_("outcome"))
    def outcome(self, run):
        return run.outcome

    @admin.display(description=_("mails"))
    def mails(self, run):
        """Sent, pending, or not sent (the announcement was lost and given up: docs/operations.md)."""
        return run.announcement


@admin.register(QuarterResults)
class QuarterResultsAdmin(ReadOnlyAdmin):
    list_display = ("quarter", "current_run", "running_run", "claimed_at", "updated_at")


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("kind", "quarter", "region_code", "occupation_code", "college_code", "program_code", "count", "run")
    list_filter = ("kind", "quarter")
    search_fields = ("region_code", "occupation_code", "college_code", "program_code")
    raw_id_fields = ("run",)


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ("kind", "quarter", "college_code", "program_code", "region_code", "occupation_code", "headcount", "score")
    list_filter = ("kind", "quarter")
    search_fields = ("college_code", "region_code", "occupation_code")
    raw_id_fields = ("run",)
