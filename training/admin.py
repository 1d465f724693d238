"""Django admin for colleges, programs and cohorts (history kept for every change)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.text import AS_WRITTEN

from .models import Cohort, College, Program


def _translation_field(text_field: str, code: str) -> str:
    return f"{text_field}_{code.replace('-', '_')}"  # name_zh_hans, title_kk


class TranslationsForm(forms.ModelForm):
    """The stored text's translations (College.name_translations, Program.title_translations) one field
    per language. Saving any of them records the text they translate ("_as_written"); changing the
    text alone keeps the old record, so readers see the new text as written until its translations
    are saved again (core.text.in_reader_language)."""

    text_field = "name"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        translations = getattr(self.instance, f"{self.text_field}_translations") or {}
        label = gettext("Name (%(language)s)") if self.text_field == "name" else gettext("Title (%(language)s)")
        for code, language in settings.LANGUAGES:
            field = self.fields[_translation_field(self.text_field, code)]
            field.label = label % {"language": language}
            field.initial = translations.get(code, "")

    def save(self, commit=True):
        instance = super().save(commit=False)
        names = [_translation_field(self.text_field, code) for code, _language in settings.LANGUAGES]
        if any(name in self.changed_data for name in names):
            translations = {
                code: self.cleaned_data[name].strip()
                for (code, _language), name in zip(settings.LANGUAGES, names) if self.cleaned_data[name].strip()
            }
            if translations:
                translations[AS_WRITTEN] = getattr(instance, self.text_field)
            setattr(instance, f"{self.text_field}_translations", translations)
        if commit:
            instance.save()
            self.save_m2m()
        return instance


def _translations_form(model, text_field: str, max_length: int):
    help_text = _("Shown to readers of that language while the text above is unchanged. After changing "
                  "the text, save its translations again, or every reader sees the new text as written.")
    fields = {
        _translation_field(text_field, code): forms.CharField(required=False, max_length=max_length, help_text=help_text)
        for code, _language in settings.LANGUAGES
    }
    meta = type("Meta", (), {"model": model, "exclude": [f"{text_field}_translations"]})
    return type(f"{model.__name__}Form", (TranslationsForm,), {"text_field": text_field, "Meta": meta, **fields})


@admin.register(College)
class CollegeAdmin(SimpleHistoryAdmin):
    form = _translations_form(College, "name", 255)
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
    form = _translations_form(Program, "title", 255)
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
