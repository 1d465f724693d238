"""FilterSets of the training API."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import Sector

from .models import Cohort, College, Program


class CollegeFilter(filters.FilterSet):
    code = filters.CharFilter(field_name="code", lookup_expr="iexact")
    country = filters.CharFilter(field_name="country", lookup_expr="iexact")
    name = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = College
        fields = ["code", "country", "name"]


class ProgramFilter(filters.FilterSet):
    college = filters.CharFilter(field_name="college__code", lookup_expr="iexact", help_text=_("A college code."))
    code = filters.CharFilter(field_name="code", lookup_expr="iexact")
    occupation = filters.CharFilter(method="filter_occupation", help_text=_("An ISCO-08 unit group the program trains."))
    sector = filters.ChoiceFilter(choices=Sector.choices)
    region = filters.CharFilter(
        method="filter_region",
        help_text=_("A region code: programs that serve it, including those that serve every region."),
    )

    class Meta:
        model = Program
        fields = ["college", "code", "occupation", "sector", "region"]

    def filter_occupation(self, queryset, name, value):
        return queryset.filter(occupations__code=value).distinct()

    def filter_region(self, queryset, name, value):
        # SPEC: an empty serves_regions means the program serves every region.
        return queryset.filter(Q(serves_regions__code__iexact=value) | Q(serves_regions__isnull=True)).distinct()


class CohortFilter(filters.FilterSet):
    # A whole id within bigint: 1.5 or 1e300 is a 400 naming the parameter, not a query that fails.
    program = filters.NumberFilter(field_name="program_id", max_digits=18, decimal_places=0)
    college = filters.CharFilter(field_name="program__college__code", lookup_expr="iexact", help_text=_("A college code."))
    graduation_after = filters.DateFilter(field_name="graduation_date", lookup_expr="gte", help_text=_("Graduates on or after."))
    graduation_before = filters.DateFilter(field_name="graduation_date", lookup_expr="lte", help_text=_("Graduates on or before."))
    intake_after = filters.DateFilter(field_name="intake_date", lookup_expr="gte")
    intake_before = filters.DateFilter(field_name="intake_date", lookup_expr="lte")

    class Meta:
        model = Cohort
        fields = ["program", "college", "graduation_after", "graduation_before", "intake_after", "intake_before"]
