"""The sentence of an early-warning entry, in the reader's language (SPEC.md: `detail`).

What will be short, what is already planned, and by when to act -- for `missed`, next year's need
date and act-by. Names before codes (core.text: region and occupation labels), dates in the
reader's style, plurals through ngettext. Built from plain values, so the computation's entries
(gaps.warning.compute.Entry) and the stored rows (gaps.models.EarlyWarning) read the same.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext, ngettext

from core import text
from core.text import _In


def _days(n: int) -> str:
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": text.format_number(n)}


def _workers(n: int) -> str:
    return ngettext("%(n)s worker", "%(n)s workers", n) % {"n": text.format_number(n)}


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def entry_detail(values, *, today: dt.date, language: str | None = None) -> str:
    """The entry in the reader's language (see _entry_detail), with one full stop after a date that
    ends in an abbreviation (core.text.tidy_sentence)."""
    return text.tidy_sentence(_entry_detail(values, today=today, language=language))


def _entry_detail(values, *, today: dt.date, language: str | None = None) -> str:
    """`values`: an object or mapping with the entry's fields (region_code, occupation_code,
    quarter, source, forecast_low, forecast_high, headcount, covered, shortfall, need_date,
    lead_days, shortest_days, act_by, short_course_by, status, context)."""
    get = values.get if isinstance(values, dict) else (lambda name: getattr(values, name))
    context = get("context") or {}
    with _In(language):
        args = {
            "region": text.region_label(get("region_code")),
            "occupation": text.occupation_label(get("occupation_code")),
            "quarter": text.quarter_name(get("quarter")),
            "need": text.format_date(_date(get("need_date"))),
            "count": _workers(get("headcount")),
        }
        if get("source") == "forecast":
            args.update(low=text.format_number(get("forecast_low")), high=text.format_number(get("forecast_high")))
            parts = [gettext(
                "%(region)s will need %(count)s of %(occupation)s in %(quarter)s, from %(need)s "
                "(forecast from past reports; 80%% interval %(low)s–%(high)s)."
            ) % args]
        else:
            parts = [gettext("%(region)s has reported a need for %(count)s of %(occupation)s in %(quarter)s, from %(need)s.")
                     % args]
        covered, shortfall = get("covered"), get("shortfall")
        if covered:
            parts.append(gettext("Cohorts already planned cover %(covered)s; %(short)s short.") % {
                "covered": text.format_number(covered), "short": text.format_number(shortfall)})
        else:
            parts.append(gettext("No cohort already planned covers them in time; %(short)s short.") % {
                "short": text.format_number(shortfall)})
        lead, shortest = _days(get("lead_days")), _days(get("shortest_days"))
        status = get("status")
        if status == "plan":
            parts.append(gettext("Plan the intake; a typical program takes %(lead)s: %(act_by)s.") % {
                "lead": lead, "act_by": text.format_act_by(_date(get("act_by")), today=today)})
        elif status == "act_now":
            parts.append(gettext("Decide the intake now; a typical program takes %(lead)s: %(act_by)s.") % {
                "lead": lead, "act_by": text.format_act_by(_date(get("act_by")), today=today)})
        elif status == "short_course_only":
            parts.append(gettext(
                "A typical program (%(lead)s) can no longer finish in time; only the shortest (%(shortest)s) "
                "still can: %(act_by)s."
            ) % {"lead": lead, "shortest": shortest,
                 "act_by": text.format_act_by(_date(get("short_course_by")), today=today)})
        else:
            next_need = context.get("next_need_date")
            next_act = context.get("next_act_by")
            parts.append(gettext(
                "No program can finish by %(need)s any more. For next year's season, from %(next_need)s: %(act_by)s."
            ) % {"need": args["need"], "next_need": text.format_date(_date(next_need)) if next_need else "",
                 "act_by": text.format_act_by(_date(next_act), today=today) if next_act else ""})
        if not context.get("trained", True):
            parts.append(gettext("No program trains this occupation yet; the typical time assumed is %(lead)s.")
                         % {"lead": lead})
        matched = context.get("persistence_of")
        if matched is not None and matched < 8:
            # docs/contract.md, "Rating": a past quarter without matching results counts no gap.
            parts.append(ngettext(
                "Past gaps: %(n)s of the 8 previous quarters has matching results; the others count as "
                "quarters without a gap.",
                "Past gaps: %(n)s of the 8 previous quarters have matching results; the others count as "
                "quarters without a gap.",
                matched,
            ) % {"n": text.format_number(matched)})
        # Chinese sentences follow each other without a space.
        return ("" if text.page_language() == "zh-hans" else " ").join(parts)
