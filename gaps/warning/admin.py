"""Admin for early-warning records: runs (status, progress, timings, counts, errors) and entries.
All read-only, like the matching records: entries change only through a run (gaps.warning.services)."""

from __future__ import annotations

from django.contrib import admin

from gaps.matching.admin import ReadOnlyAdmin
from gaps.models import EarlyWarning, EarlyWarningRun


@admin.register(EarlyWarningRun)
class EarlyWarningRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "today", "trigger", "status", "steps_done", "steps_total", "created_at", "finished_at")
    list_filter = ("status", "trigger")
    date_hierarchy = "today"
    readonly_fields = [f.name for f in EarlyWarningRun._meta.fields]


@admin.register(EarlyWarning)
class EarlyWarningAdmin(ReadOnlyAdmin):
    list_display = ("region", "occupation", "quarter", "status", "rating", "headcount", "shortfall", "act_by",
                    "source", "is_active")
    list_filter = ("status", "rating", "source", "is_active", "quarter", "region")
    search_fields = ("region__code", "region__name_en", "occupation__code", "occupation__title_en", "quarter")
    list_select_related = ("region", "occupation")
    readonly_fields = [f.name for f in EarlyWarning._meta.fields]
