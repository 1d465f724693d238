"""The bounded dates of talentgap: every date people or files set lies in the years 1900 to 2200.

Python's calendar runs from year 1 to 9999, PostgreSQL's further; a date near either end breaks
the arithmetic built on it (a supply window before 0001-01-01, a season ending after 9999-12-31)
and no season, intake or graduation is that far away. One rule, checked wherever a date comes in:
model fields (BoundedDateField: services' full_clean and DRF's ModelSerializers), form fields
(BoundedDateFormField), explicit serializer fields (BoundedDateSerializerField), the importers'
cells (core.imports.cells.iso_date) and quarters (core.quarters.Quarter.parse: 1900Q1 to 2200Q4).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers

MIN_YEAR = 1900
MAX_YEAR = 2200
MIN_DATE = dt.date(MIN_YEAR, 1, 1)
MAX_DATE = dt.date(MAX_YEAR, 12, 31)


def date_in_bounds(value: dt.date) -> bool:
    if isinstance(value, dt.datetime):
        value = value.date()
    return MIN_DATE <= value <= MAX_DATE


def out_of_bounds_message() -> str:
    """"Enter a date between 1 January 1900 and 31 December 2200." in the active language."""
    from core.text import format_date

    return _("Enter a date between %(min)s and %(max)s.") % {"min": format_date(MIN_DATE), "max": format_date(MAX_DATE)}


def validate_date_bounds(value) -> None:
    """The validator of every date people or files set (a Django validator: DRF runs it too)."""
    if value is not None and isinstance(value, dt.date) and not date_in_bounds(value):
        raise ValidationError(out_of_bounds_message(), code="date_out_of_bounds")


class BoundedDateField(models.DateField):
    """A DateField of a date people or files set: years MIN_YEAR to MAX_YEAR."""

    default_validators = [validate_date_bounds]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": BoundedDateFormField, **kwargs})


class BoundedDateFormField(forms.DateField):
    default_validators = [validate_date_bounds]


class BoundedDateSerializerField(serializers.DateField):
    """serializers.DateField with the bounds (ModelSerializers get them from BoundedDateField)."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), validate_date_bounds]
        super().__init__(**kwargs)
