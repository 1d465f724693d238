"""Template filters and tags for what people read, all through core.text.

    {% load tg_text %}
    {{ report.submitted_at|fdatetime }}   {{ line.season_start|fdate }}   {{ d|act_by:today }}
    {{ line.salary_min|money:line.currency }}   {% salary_range l.salary_min l.salary_max l.currency l.salary_min_cny l.salary_max_cny %}
    {{ rate|percent }}   {{ change_pct|percent_value:1 }}   {{ n|num }}   {{ "2026Q3"|quarter_name }}
    {{ code|occupation }} (HTML: the name in the reader's language, the code small beside it)
    {{ code|occupation_name }}   {{ code|occupation_label }}   {{ code|region }}   {{ code|college }}
    {% program college_code program_code %}   {{ line.languages|languages }}   {{ "KZ"|certification }}
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core import text

register = template.Library()

# The HTML lang of a name that is shown in a fallback language.
HTML_LANG = {"en": "en", "ru": "ru", "zh": "zh-Hans", "kk": "kk"}


def _today(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return timezone.localdate()


# --- Dates -------------------------------------------------------------------------------------------


@register.filter(is_safe=True)
def tidy(value):
    """core.text.tidy_sentence over a rendered paragraph of sentences ({% filter tidy %}…{% endfilter %}):
    no doubled full stop after an abbreviated date, no space after Chinese full-width punctuation."""
    return text.tidy_sentence(str(value))


@register.filter
def fdate(value):
    """A date in the reader's one style; "" for None (use |default:"—" in a cell)."""
    return text.format_date(value) if value else ""


@register.filter
def fdatetime(value):
    return text.format_datetime(value) if value else ""


@register.filter
def date_range(start, end):
    return text.format_date_range(start, end)


@register.filter
def days_left(value, today=None):
    return text.format_days_left(value, today=_today(today)) if value else ""


@register.filter
def act_by(value, today=None):
    """"act by 18 Dec 2026 (15 days left)" / "too late: the last day was 2 Dec 2026"."""
    return text.format_act_by(value, today=_today(today)) if value else ""


@register.filter
def is_past(value, today=None):
    return text.is_past(value, today=_today(today))


@register.filter
def quarter_name(value):
    return text.quarter_name(value) if value else ""


@register.filter
def month(value, with_year=True):
    return text.format_month(value, with_year=bool(with_year)) if value else ""


# --- Numbers and money --------------------------------------------------------------------------------


@register.filter
def num(value, digits=0):
    """A figure with the reader's grouping, rounded half up ("1,234" / "1 234"); "" for None."""
    try:
        digits = int(digits) if digits is not None else None
    except (TypeError, ValueError):
        digits = 0
    return text.format_number(value, digits)


@register.filter
def money(value, currency=""):
    return text.format_money(value, currency or "")


@register.filter
def amount(value):
    return text.format_amount(value)


@register.simple_tag
def money_range(low, high, currency):
    return text.format_money_range(low, high, currency)


@register.simple_tag
def salary_range(low, high, currency, cny_min=None, cny_max=None, monthly=True):
    return text.format_salary_range(low, high, currency, cny_min=cny_min, cny_max=cny_max, monthly=monthly)


@register.simple_tag
def cny_equivalent(low, high):
    return text.cny_equivalent(low, high)


@register.filter
def percent(value, digits=0):
    """A share (0..1) as a percentage, rounded half up."""
    return text.format_percent(value, digits=int(digits))


@register.filter
def percent_value(value, digits=0):
    """A value already in percent."""
    return text.format_percent_value(value, digits=int(digits))


@register.filter
def percent_change(value, digits=1):
    """A change in percent with its sign: "+12.5%" / "−3.0%"."""
    return text.format_percent_value(value, digits=int(digits), signed=True)


# --- Names -------------------------------------------------------------------------------------------


def name_html(name: text.Name, *, code: bool = True):
    """The name (marked when it is a fallback: the language it is shown in), then the code, small."""
    if not name.code and not name.text:
        return ""
    if not name.found:  # no name known: the code alone
        return format_html('<span class="code">{}</span>', name.code)
    if name.fallback_language:
        missing_in = text.language_name(text.data_language())
        shown_in = text.language_name(name.fallback_language)
        explanation = gettext("No name in %(missing)s yet: shown in %(shown)s.") % {"missing": missing_in, "shown": shown_in}
        html = format_html(
            '<span lang="{}">{}</span> <small class="fallback-lang" title="{}"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">({})</span></small>',
            HTML_LANG.get(name.fallback_language, name.fallback_language), name.text, explanation,
            name.fallback_language.upper(), explanation,
        )
    else:
        html = format_html("{}", name.text)
    if code:
        html = format_html('{} <span class="code">{}</span>', html, name.code)
    return mark_safe(html)


@register.filter
def occupation(code, show_code=True):
    return name_html(text.occupation(code), code=bool(show_code))


@register.filter
def occupation_name(code):
    return text.occupation_name(code)


@register.filter
def occupation_label(code):
    return text.occupation_label(code)


@register.filter
def region(code, show_code=True):
    return name_html(text.region(code), code=bool(show_code))


@register.filter
def region_name(code):
    return text.region_name(code)


@register.filter
def region_label(code):
    return text.region_label(code)


@register.filter
def college(code, show_code=True):
    return name_html(text.college(code), code=bool(show_code))


@register.filter
def college_name(code):
    return text.college_name(code)


@register.simple_tag
def program(college_code, program_code, show_code=True):
    return name_html(text.program(college_code, program_code), code=bool(show_code))


@register.simple_tag
def program_title(college_code, program_code):
    return text.program_title(college_code, program_code)


@register.filter
def language_name(code):
    return text.language_name(code)


@register.filter
def languages(codes, conjunction="or"):
    """["ru", "kk"] -> "Russian or Kazakh"; conjunction "and" for languages of instruction."""
    return text.languages_phrase(codes or [], conjunction=conjunction)


@register.filter
def certification(code):
    return text.certification_name(code) if code else ""


@register.filter
def certifications(codes, conjunction="and"):
    return text.certifications_phrase(codes or [], conjunction=conjunction)
