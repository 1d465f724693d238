"""Filters of the project repository: country, region, occupation, status, quarter, college, overdue."""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import OrderingFilter

from .choices import ProjectStatus
from .models import CooperationProject, ProjectCondition


def _gaps(**lookups):
    """Exists(a gap of the project matching lookups): no join duplicates, whatever the gap count."""
    through = CooperationProject.gaps.through
    return Exists(through.objects.filter(cooperationproject_id=OuterRef("pk"), **{f"gap__{k}": v for k, v in lookups.items()}))


class ProjectFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country", label=_("country of a gap's region (ISO 3166-1)"))
    region = django_filters.CharFilter(method="filter_region", label=_("region code"))
    occupation = django_filters.CharFilter(method="filter_occupation", label=_("ISCO-08 code (unit group or a parent group)"))
    quarter = django_filters.CharFilter(method="filter_quarter", label=_("quarter of a gap, e.g. 2026Q3"))
    college = django_filters.CharFilter(method="filter_college", label=_("college code: lead, partner or a program's college"))
    status = django_filters.MultipleChoiceFilter(choices=ProjectStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("has a condition past due, not supplemented"))
    q = django_filters.CharFilter(method="filter_q", label=_("search title, region, occupation, college"))

    class Meta:
        model = CooperationProject
        fields = ["status"]

    def filter_country(self, queryset, name, value):
        return queryset.filter(_gaps(region__country=value.strip().upper()))

    def filter_region(self, queryset, name, value):
        return queryset.filter(_gaps(region__code__iexact=value.strip()))

    def filter_occupation(self, queryset, name, value):
        # A unit group matches itself; a 1-3 digit code matches every unit group under it.
        return queryset.filter(_gaps(occupation__code__startswith=value.strip()))

    def filter_quarter(self, queryset, name, value):
        return queryset.filter(_gaps(quarter=value.strip().upper()))

    def filter_college(self, queryset, name, value):
        code = value.strip()
        partners = CooperationProject.partner_colleges.through.objects.filter(
            cooperationproject_id=OuterRef("pk"), college__code__iexact=code
        )
        programs = CooperationProject.programs.through.objects.filter(
            cooperationproject_id=OuterRef("pk"), program__college__code__iexact=code
        )
        return queryset.filter(Q(lead_college__code__iexact=code) | Exists(partners) | Exists(programs))

    def filter_overdue(self, queryset, name, value):
        overdue = Exists(ProjectCondition.objects.overdue().filter(project_id=OuterRef("pk")))
        return queryset.filter(overdue if value else ~overdue)

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        # A college's name in the languages it is translated into (College.name_translations).
        college_names = Q()
        for code, _language in settings.LANGUAGES:
            college_names |= Q(**{f"lead_college__name_translations__{code}__icontains": text})
        return queryset.filter(
            Q(title__icontains=text)
            | Q(lead_college__name__icontains=text)
            | college_names
            | Q(lead_college__code__iexact=text)
            | _gaps(region__name_en__icontains=text)
            | _gaps(region__name_ru__icontains=text)
            | _gaps(region__name_zh__icontains=text)
            | _gaps(region__name_kk__icontains=text)
            | _gaps(region__code__iexact=text)
            | _gaps(occupation__title_en__icontains=text)
            | _gaps(occupation__title_ru__icontains=text)
            | _gaps(occupation__title_zh__icontains=text)
            | _gaps(occupation__title_kk__icontains=text)
        )


class ResultsOrdering(OrderingFilter):
    """?ordering=-pass_rate etc. Projects without a figure sort last either way."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        from django.db.models import F

        terms = []
        for term in ordering:
            name = term.lstrip("-")
            expression = F(name)
            terms.append(expression.desc(nulls_last=True) if term.startswith("-") else expression.asc(nulls_last=True))
        return queryset.order_by(*terms, "-id")
