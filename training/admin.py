"""Django admin for colleges, programs and cohorts (history kept for every change)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Cohort, College, Program


@admin.register(College)
class CollegeAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "country")
    list_filter = ("country",)
    search_fields = ("code", "name")
    filter_horizontal = ("staff",)


class CohortInline(admin.TabularInline):
    model = Cohort
    extra = 0
    fields = ("seats", "intake_date", "graduation_date")


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "college", "sector", "mobile", "created_at")
    list_filter = ("sector", "mobile", "college__country", "college")
    search_fields = ("code", "title", "college__code", "college__name", "occupations__code")
    autocomplete_fields = ("college", "occupations")
    filter_horizontal = ("serves_regions",)
    list_select_related = ("college",)
    inlines = [CohortInline]


@admin.register(Cohort)
class CohortAdmin(SimpleHistoryAdmin):
    list_display = ("program", "seats", "intake_date", "graduation_date")
    list_filter = ("program__college", "graduation_date")
    search_fields = ("program__code", "program__title", "program__college__code")
    autocomplete_fields = ("program",)
    list_select_related = ("program__college",)
    date_hierarchy = "graduation_date"
