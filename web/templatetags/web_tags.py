"""Template helpers for localised figures."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core import text

register = template.Library()


@register.filter
def num(value, decimal_pos=None):
    """A number with the active language's grouping and decimal separators (1 234,50 in ru/kk),
    rounded half up to decimal_pos decimals (core.text.format_number: the one rounding rule)."""
    try:
        pos = int(decimal_pos) if decimal_pos is not None else None
    except (TypeError, ValueError):
        pos = None
    return text.format_number(value, pos)


@register.filter
def pct(value, decimal_pos=0):
    """A 0..1 rate as a localised percentage: 0.8125 -> "81%" ("81 %" in ru/kk)."""
    return text.format_percent(value, digits=int(decimal_pos))


@register.filter
def recommendation_kind(code):
    """A recommendation kind's name in the reader's language ("OPEN" -> "Open", "新开"); the code
    itself only when it is not one of RecommendationKind's."""
    from gaps.matching.recommendations import RecommendationKind

    try:
        return RecommendationKind(code).label
    except ValueError:
        return code


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def subtract(value, other):
    try:
        return round(float(value) - float(other), 1)
    except (TypeError, ValueError):
        return ""


@register.filter
def fdate_iso(value):
    """A date kept as an ISO string (in a JSON context, e.g. an early warning's next year's act-by),
    in the reader's style; "" when it is not a date."""
    import datetime as dt

    from core import text

    try:
        return text.format_date(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
    except ValueError:
        return ""


def _iso(value):
    import datetime as dt

    if not value:
        return None
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@register.filter
def fdate_range_iso(start, end):
    """A season kept as ISO strings (a gap's evidence rows), in the reader's style: "1 Nov 2023 – 20 Dec 2023",
    "from 1 Nov 2023", "until …"; "" when neither end is a date."""
    return text.format_date_range(_iso(start), _iso(end))


@register.filter
def signed_points(fraction):
    """A difference of two rates given as a fraction (0.07), in percentage points with its sign: "+7%"."""
    from core import text

    return text.format_percent(fraction, signed=True) if fraction is not None else ""


# A code in brackets after its name in a sentence the services build ("Region (KZ-VOS)", "Operators
# (8341)", "Centre (CN-GS-AVTC/FV-GRADE)"): ISCO unit groups and the hyphenated region/college codes.
_BRACKETED_CODE = re.compile(r"\s\((\d{4}|[A-Z]{2}-[A-Z0-9-]+(?:/[A-Z0-9-]+)?)\)")


@register.filter(needs_autoescape=True)
def small_codes(value, autoescape=True):
    """A sentence with its names first and each bracketed code set small beside them, as the pages show
    codes elsewhere ("Operators <span class=code>8341</span>"); the API, mails and commands keep the
    plain sentence (issue 14)."""
    escaped = conditional_escape(value) if autoescape else str(value)
    return mark_safe(_BRACKETED_CODE.sub(r' <span class="code">\1</span>', str(escaped)))
