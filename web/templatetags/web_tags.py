"""Template helpers for localised figures."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value, decimal_pos=None):
    """A number with the active language's grouping and decimal separators (1 234,50 in ru/kk).

    Django groups thousands only when USE_THOUSAND_SEPARATOR is on, which would also change form
    inputs; figures on pages are always grouped, so this filter forces the grouping itself.
    """
    if value is None or value == "":
        return ""
    try:
        pos = int(decimal_pos) if decimal_pos is not None else None
    except (TypeError, ValueError):
        pos = None
    return number_format(value, decimal_pos=pos, force_grouping=True)


@register.filter
def pct(value, decimal_pos=0):
    """A 0..1 rate as a localised percentage: 0.8125 -> "81 %"."""
    if value is None or value == "":
        return ""
    return f"{number_format(float(value) * 100, decimal_pos=int(decimal_pos), force_grouping=True)} %"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def subtract(value, other):
    try:
        return round(float(value) - float(other), 1)
    except (TypeError, ValueError):
        return ""
