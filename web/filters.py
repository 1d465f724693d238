"""The filters of the list pages (django-filter): what people narrow a list by, labelled for them.

Regions and occupations are chosen by name in the reader's language (the code beside it) from those
the list holds; `q` searches names in every language and codes. Each filter set is given the
queryset already scoped to the user (web.selectors), so a filter never widens what a role sees.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.forms.models import ModelChoiceIteratorValue
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import text
from core.quarters import Quarter
from gaps.models import Occupation, Region


def order_by_name(field, name, *, code=lambda obj: obj.pk) -> None:
    """Show a ModelChoiceField's (or a filter's) choices in the order of the names the reader sees
    (core.text.sorted_by_name), then by code. The names live in the translations, so the sorting
    is done in Python as the choices are read; the queryset, which validates, is unchanged."""

    class Iterator(field.iterator):
        def __iter__(self):
            choices = list(super().__iter__())
            fixed = [c for c in choices if not isinstance(c[0], ModelChoiceIteratorValue)]  # "All …", "None"
            objects = [c for c in choices if isinstance(c[0], ModelChoiceIteratorValue)]
            yield from fixed
            yield from text.sorted_by_name(objects, lambda c: name(c[0].instance), code=lambda c: code(c[0].instance))

    field.iterator = Iterator
    field.widget.choices = field.choices


def order_colleges_by_name(field) -> None:
    """Colleges by the name the reader sees (College.display_name), the code beside it."""
    order_by_name(field, lambda college: college.display_name, code=lambda college: college.code)


def order_regions_by_name(field) -> None:
    """Regions by their name in the reader's language, the code beside it."""
    order_by_name(field, lambda region: region.name, code=lambda region: region.code)


def order_occupations_by_name(field) -> None:
    """Occupations by their title in the reader's language, the code beside it."""
    order_by_name(field, lambda occupation: occupation.title, code=lambda occupation: occupation.code)


def _region_label(region: Region) -> str:
    return f"{region.name} ({region.code})"


def _occupation_label(occupation: Occupation) -> str:
    return f"{occupation.title} ({occupation.code})"


def name_search(prefix: str, text: str, *, occupation: bool = True, region: bool = True) -> Q:
    """A condition matching `text` in the occupation's titles and the region's names in all four
    languages, or their codes, through the relation `prefix` ("" for the object itself)."""
    p = f"{prefix}__" if prefix else ""
    condition = Q(pk__in=[])
    if occupation:
        condition |= Q(**{f"{p}occupation__code__startswith": text}) if text.isdigit() else Q(pk__in=[])
        for lang in ("en", "ru", "zh", "kk"):
            condition |= Q(**{f"{p}occupation__title_{lang}__icontains": text})
    if region:
        condition |= Q(**{f"{p}region__code__iexact": text})
        for lang in ("en", "ru", "zh", "kk"):
            condition |= Q(**{f"{p}region__name_{lang}__icontains": text})
    return condition


class QuarterField(forms.CharField):
    """A quarter as people and links write it ("2026Q3", "2026-Q3"); a clear error otherwise."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return str(Quarter.parse(value))
        except ValueError:
            raise forms.ValidationError(_("a quarter is written like 2026Q3."), code="invalid") from None


class QuarterFilter(django_filters.CharFilter):
    field_class = QuarterField


def offer_quarters(field, quarters, *, empty_label, newest_first: bool = False) -> None:
    """Show a quarter filter as a choice of the quarters the list holds, by name ("Q3 2027",
    "2027年第3季度"), instead of a box to type "2027Q3" into. The value stays the code, so links and
    bookmarks keep working, and the field still parses what it is sent (a quarter not held finds
    nothing; anything else gets the field's error)."""
    held = sorted({str(q) for q in quarters if q}, key=Quarter.parse, reverse=newest_first)
    field.widget = forms.Select(choices=[("", empty_label), *((q, text.quarter_name(q)) for q in held)])
    field.help_text = ""


class _PlaceFilterSet(django_filters.FilterSet):
    """Region, occupation and a text search, over a model with `region` and `occupation`."""

    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(), to_field_name="code", label=_("Region"), empty_label=_("All regions"))
    occupation = django_filters.ModelChoiceFilter(
        queryset=Occupation.objects.none(), to_field_name="code", label=_("Occupation"),
        empty_label=_("All occupations"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"), widget=forms.TextInput(attrs={"type": "search"}),
                                  help_text=_("A name in any language, or a code."))

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        held = queryset.order_by()
        regions = self.form.fields["region"]
        regions.queryset = Region.objects.filter(pk__in=held.values("region_id"))
        order_regions_by_name(regions)
        regions.label_from_instance = _region_label
        occupations = self.form.fields["occupation"]
        occupations.queryset = Occupation.objects.filter(code__in=held.values("occupation_id"))
        order_occupations_by_name(occupations)
        occupations.label_from_instance = _occupation_label

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(name_search("", text)) if text else queryset


class GapFilter(_PlaceFilterSet):
    """The gap list of one quarter (the quarter is chosen apart: the review queue always has one)."""


class DecidedGapFilter(_PlaceFilterSet):
    """Decided gaps: every quarter unless one is chosen; approved, rejected or both."""

    quarter = QuarterFilter(label=_("Quarter"))
    decision = django_filters.ChoiceFilter(field_name="decision__decision", label=_("Decision"),
                                           empty_label=_("All"), choices=())

    def __init__(self, data=None, queryset=None, **kwargs):
        from projects.choices import DecisionKind

        super().__init__(data, queryset=queryset, **kwargs)
        self.form.fields["decision"].choices = [("", _("All")), *DecisionKind.choices]
        offer_quarters(self.form.fields["quarter"], queryset.order_by().values_list("quarter", flat=True).distinct(),
                       empty_label=_("All quarters"), newest_first=True)

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(name_search("", text) | Q(decision__project__title__icontains=text))


class WarningFilter(_PlaceFilterSet):
    """The early-warning board."""

    status = django_filters.ChoiceFilter(label=_("Status"), empty_label=_("All"), choices=())
    quarter = QuarterFilter(label=_("Season"))

    def __init__(self, data=None, queryset=None, **kwargs):
        from gaps.models import WarningStatus

        super().__init__(data, queryset=queryset, **kwargs)
        # The field itself puts empty_label ("All") first; listing it here showed "All" twice.
        self.form.fields["status"].choices = WarningStatus.choices
        offer_quarters(self.form.fields["quarter"], queryset.order_by().values_list("quarter", flat=True).distinct(),
                       empty_label=_("All seasons"))


class ProgramFilter(django_filters.FilterSet):
    """The programs page: a college, an occupation trained, and a search over titles and codes."""

    college = django_filters.ModelChoiceFilter(queryset=None, to_field_name="code", label=_("College"),
                                               empty_label=_("All colleges"))
    occupation = django_filters.ModelChoiceFilter(
        field_name="occupations", queryset=Occupation.objects.none(), to_field_name="code",
        label=_("Occupation trained"), empty_label=_("All occupations"), distinct=True)
    q = django_filters.CharFilter(method="filter_q", label=_("Search"), widget=forms.TextInput(attrs={"type": "search"}),
                                  help_text=_("A program title or code, a college, or an occupation."))

    def __init__(self, data=None, queryset=None, *, colleges=None, **kwargs):
        from training.models import College

        super().__init__(data, queryset=queryset, **kwargs)
        field = self.form.fields["college"]
        field.queryset = colleges if colleges is not None else College.objects.all()
        order_colleges_by_name(field)
        field.label_from_instance = lambda c: f"{c.display_name} ({c.code})"
        occupations = self.form.fields["occupation"]
        occupations.queryset = Occupation.objects.filter(code__in=queryset.order_by().values("occupations"))
        order_occupations_by_name(occupations)
        occupations.label_from_instance = _occupation_label

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        condition = (Q(title__icontains=text) | Q(code__icontains=text) | Q(college__name__icontains=text)
                     | Q(college__code__iexact=text) | Q(occupations__code__startswith=text))
        for lang in ("en", "ru", "zh", "kk"):
            condition |= Q(**{f"occupations__title_{lang}__icontains": text})
        for code, _language in settings.LANGUAGES:  # titles and college names in the languages they are translated into
            condition |= Q(**{f"title_translations__{code}__icontains": text})
            condition |= Q(**{f"college__name_translations__{code}__icontains": text})
        return queryset.filter(condition).distinct()


def project_filter(data, queryset):
    """The API's project filters (projects.filters.ProjectFilter, same parameters and meaning) as the
    projects page shows them: labels people read, and regions, occupations, quarters and colleges
    chosen by name from those the user's projects have, instead of typed codes."""
    from projects.choices import ProjectStatus
    from projects.filters import ProjectFilter
    from training.models import College

    filterset = ProjectFilter(data, queryset=queryset)
    fields = filterset.form.fields
    gaps = queryset.order_by().values("gaps")
    regions = text.sorted_by_name(Region.objects.filter(gaps__in=gaps).distinct(), lambda r: r.name,
                                  code=lambda r: r.code)
    occupations = text.sorted_by_name(Occupation.objects.filter(gaps__in=gaps).distinct(), lambda o: o.title,
                                      code=lambda o: o.code)
    quarters = (queryset.order_by().exclude(gaps__quarter=None).values_list("gaps__quarter", flat=True)
                .distinct().order_by("-gaps__quarter"))
    projects = queryset.order_by().values("pk")
    colleges = text.sorted_by_name(
        College.objects.filter(Q(led_projects__in=projects) | Q(partner_projects__in=projects)).distinct(),
        lambda c: c.display_name, code=lambda c: c.code)

    def select(label, choices, empty, help_text=""):
        return forms.ChoiceField(label=label, required=False, choices=[("", empty), *choices], help_text=help_text)

    fields["q"] = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}),
                                  help_text=_("A project title, a region, an occupation or a college, in any language."))
    fields["region"] = select(_("Region"), [(r.code, f"{r.name} ({r.code})") for r in regions], _("All regions"))
    fields["occupation"] = select(_("Occupation"), [(o.code, f"{o.title} ({o.code})") for o in occupations],
                                  _("All occupations"))
    fields["quarter"] = select(_("Quarter of the gap"), [(q, text.quarter_name(q)) for q in quarters],
                               _("All quarters"))
    fields["country"] = select(_("Country"), [("CN", _("China")), ("KZ", _("Kazakhstan"))], _("Both countries"))
    fields["college"] = select(_("College"), [(c.code, f"{c.display_name} ({c.code})") for c in colleges],
                               _("All colleges"))
    fields["status"].label = _("Status")
    fields["status"].choices = ProjectStatus.choices
    fields["status"].widget.attrs["size"] = len(ProjectStatus.choices)
    fields["status"].help_text = _("None chosen: every status.")
    overdue = fields["overdue"]
    overdue.label = _("Conditions past due")
    overdue.widget.choices = [("unknown", _("Any")), ("true", _("Some condition is past due")),
                              ("false", _("No condition past due"))]
    # The order the page shows them in: what people look for first.
    filterset.form.fields = {name: fields[name] for name in
                             ("q", "region", "occupation", "quarter", "status", "college", "country", "overdue")}
    return filterset
