"""Django admin for the gaps app: regions, taxonomy, exchange rates, reports and gaps.

Report status changes only through gaps.services (the admin actions below call them), so the
admin cannot put a report into a state the services would not allow.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import ExchangeRate, Gap, GapReport, GapReportLine, Occupation, OccupationLabel, Region


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_en", "name_ru", "name_zh", "country", "kind")
    list_filter = ("country", "kind")
    search_fields = ("code", "name_en", "name_ru", "name_zh", "name_kk")
    filter_horizontal = ("members",)


class OccupationLabelInline(admin.TabularInline):
    model = OccupationLabel
    extra = 0
    fields = ("language", "label", "normalized", "source", "is_preferred")
    readonly_fields = ("normalized",)


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ("code", "title_en", "title_ru", "title_zh", "title_kk", "level")
    list_filter = ("level",)
    search_fields = ("code", "title_en", "title_ru", "title_zh", "title_kk")
    autocomplete_fields = ("parent",)
    inlines = [OccupationLabelInline]


@admin.register(OccupationLabel)
class OccupationLabelAdmin(admin.ModelAdmin):
    list_display = ("label", "occupation", "language", "source", "is_preferred")
    list_filter = ("language", "source", "is_preferred")
    search_fields = ("label", "normalized", "occupation__code", "occupation__title_en")
    autocomplete_fields = ("occupation",)
    list_select_related = ("occupation",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "date", "rate_to_cny")
    list_filter = ("currency",)
    search_fields = ("currency",)
    date_hierarchy = "date"


class GapReportLineInline(admin.TabularInline):
    model = GapReportLine
    extra = 0
    fields = (
        "line_no", "occupation", "occupation_title", "coding_confidence", "sector", "headcount",
        "salary_min", "salary_max", "currency", "season_start", "season_end", "certification", "languages",
    )
    autocomplete_fields = ("occupation",)
    show_change_link = True


def _run_transition(modeladmin, request, queryset, service, done_message):
    done = 0
    for report in queryset:
        try:
            service(report=report, user=request.user)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            modeladmin.message_user(request, f"{report}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR)
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)


@admin.action(description=_("Submit the selected draft reports"))
def submit_reports(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, services.report_submit, _("%(count)d report(s) submitted."))


@admin.action(description=_("Withdraw the selected submitted reports"))
def withdraw_reports(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, services.report_withdraw, _("%(count)d report(s) withdrawn."))


@admin.register(GapReport)
class GapReportAdmin(SimpleHistoryAdmin):
    list_display = ("id", "region", "quarter", "status", "submitted_at", "submitted_by", "created_at")
    list_filter = ("status", "quarter", "region__country", "region")
    search_fields = ("region__code", "region__name_en", "quarter")
    list_select_related = ("region", "submitted_by")
    # Status and its timestamps change only through the services (the actions).
    readonly_fields = ("status", "created_by", "created_at", "updated_at", "submitted_at", "submitted_by", "withdrawn_at", "superseded_by")
    autocomplete_fields = ("region",)
    inlines = [GapReportLineInline]
    actions = [submit_reports, withdraw_reports]


@admin.register(GapReportLine)
class GapReportLineAdmin(SimpleHistoryAdmin):
    list_display = ("report", "line_no", "occupation", "occupation_title", "headcount", "salary_min", "salary_max", "currency", "season_start")
    list_filter = ("report__quarter", "report__status", "sector", "currency", ("occupation", admin.EmptyFieldListFilter))
    search_fields = ("occupation_title", "occupation__code", "occupation__title_en", "report__region__code")
    autocomplete_fields = ("occupation", "report")
    list_select_related = ("report__region", "occupation")


@admin.register(Gap)
class GapAdmin(admin.ModelAdmin):
    list_display = ("region", "quarter", "occupation", "headcount", "covered", "shortfall", "new_on_list", "is_active", "need_date")
    list_filter = ("quarter", "new_on_list", "is_active", "region")
    search_fields = ("region__code", "occupation__code", "occupation__title_en", "quarter")
    autocomplete_fields = ("region", "occupation")
    list_select_related = ("region", "occupation")

# Matching records (runs, the current-results pointer, flags, recommendations): gaps/matching/admin.py
from .matching import admin as _matching_admin  # noqa: E402,F401
# Early-warning records (runs, entries): gaps/warning/admin.py
from .warning import admin as _warning_admin  # noqa: E402,F401
