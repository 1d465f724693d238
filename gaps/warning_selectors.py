"""Reads of the early warning (gaps.models.warning), scoped to the user who asks, and its sentences.

Who sees which entries (SPEC.md "Users and what each may do", "Looking ahead"):

| role | entries |
| --- | --- |
| official | their regions' |
| college staff | the regions their colleges' programs serve (a program serving no listed region serves every region), and any entry with a forward recommendation to their colleges |
| reviewer / admin | all |

Only active entries (in the latest computation) are ever listed. The computation (gaps.warning,
another module) writes the rows; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext

from django.apps import apps
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext

from core import text
from core.permissions import college_ids_for, region_ids_for, sees_everything

from .models import EarlyWarning, EarlyWarningRecommendation, WarningRating, WarningStatus

# The board's urgency: what can still be acted on first, then what a short course can save, then
# what is planned ahead; missed entries last (nothing to do this year).
STATUS_URGENCY = {
    WarningStatus.ACT_NOW: 0,
    WarningStatus.SHORT_COURSE_ONLY: 1,
    WarningStatus.PLAN: 2,
    WarningStatus.MISSED: 3,
}
RATING_ORDER = {WarningRating.CRITICAL: 0, WarningRating.ELEVATED: 1, WarningRating.WATCH: 2}


def _rank(mapping: dict, field: str) -> Case:
    return Case(
        *(When(**{field: key.value}, then=Value(rank)) for key, rank in mapping.items()),
        default=Value(len(mapping)),
        output_field=IntegerField(),
    )


def warnings_active() -> QuerySet[EarlyWarning]:
    return EarlyWarning.objects.filter(is_active=True)


def served_region_condition(college_ids) -> Q:
    """Entries of regions a program of these colleges serves (training.Program through the registry:
    gaps does not import training; a program with no listed region serves every region)."""
    Program = apps.get_model("training", "Program")
    programs = Program.objects.filter(college_id__in=college_ids)
    if programs.filter(serves_regions__isnull=True).exists():
        return Q(pk__isnull=False)
    return Q(region_id__in=programs.values("serves_regions"))


def warnings_visible_to(user, qs: QuerySet | None = None) -> QuerySet[EarlyWarning]:
    qs = warnings_active() if qs is None else qs
    if sees_everything(user):
        return qs
    condition = Q(pk__in=[])
    if user and user.is_authenticated:
        condition |= Q(region_id__in=region_ids_for(user))
        college_ids = college_ids_for(user)
        if college_ids is not None and college_ids.exists():
            condition |= served_region_condition(college_ids)
            condition |= Q(pk__in=EarlyWarningRecommendation.objects.filter(college_id__in=college_ids).values("warning_id"))
    return qs.filter(condition)


def board_order(qs: QuerySet) -> QuerySet:
    """Urgency (status), then rating, then the earliest act-by, then the largest shortfall."""
    return qs.annotate(
        status_rank=_rank(STATUS_URGENCY, "status"), rating_rank=_rank(RATING_ORDER, "rating")
    ).order_by("status_rank", "rating_rank", "act_by", "-shortfall", "id")


def forward_recommendations_for(user, *, today: dt.date | None = None) -> QuerySet[EarlyWarningRecommendation]:
    """Forward recommendations of active entries addressed to the user's colleges (all for reviewers),
    by act-by."""
    qs = EarlyWarningRecommendation.objects.filter(warning__is_active=True).select_related(
        "warning", "warning__region", "warning__occupation", "college", "program"
    )
    college_ids = college_ids_for(user)
    if college_ids is not None:
        qs = qs.filter(college_id__in=college_ids)
    return qs.order_by("act_by", "-score", "id")


def days_left(warning: EarlyWarning, *, today: dt.date | None = None) -> int:
    return (warning.act_by - (today or timezone.localdate())).days


def warning_detail(warning: EarlyWarning, *, today: dt.date | None = None, language: str | None = None) -> str:
    """The entry in one sentence, in the reader's language: what is short, from when, and by when to act.

    Uses the computation's own sentence (gaps.warning.detail.entry_detail) when it is installed, so
    that the command, the API and the pages say the same; until then, a shorter one built here."""
    today = today or timezone.localdate()
    try:
        from gaps.warning.detail import entry_detail  # noqa: PLC0415 (the computation, built separately)
    except ImportError:
        entry_detail = None
    if entry_detail is not None:
        return entry_detail({
            "region_code": _region_code(warning), "occupation_code": warning.occupation_id,
            **{name: getattr(warning, name) for name in (
                "quarter", "source", "forecast_low", "forecast_high", "headcount", "covered", "shortfall",
                "need_date", "lead_days", "shortest_days", "act_by", "short_course_by", "status", "context",
            )},
        }, today=today, language=language)
    values = {
        "n": text.format_number(warning.shortfall, language=language),
        "occupation": text.occupation_name(warning.occupation_id, language=language),
        "region": text.region_name(_region_code(warning), language=language),
        "need": text.format_date(warning.need_date, language=language),
    }
    with translation.override(text.page_language(language)) if language else nullcontext():
        head = gettext("%(region)s: shortfall of %(n)s (%(occupation)s) from %(need)s") % values
        if warning.status == WarningStatus.MISSED:
            next_need = (warning.context or {}).get("next_need_date")
            next_act = (warning.context or {}).get("next_act_by")
            tail = gettext("too late to train for it this year")
            if next_need and next_act:
                tail += "; " + gettext("next year: needed from %(need)s, %(act_by)s") % {
                    "need": text.format_date(dt.date.fromisoformat(next_need), language=language),
                    "act_by": text.format_act_by(dt.date.fromisoformat(next_act), today=today, language=language),
                }
        elif warning.status == WarningStatus.SHORT_COURSE_ONLY or warning.act_by < today:
            tail = gettext("only a short course can still make it: %(act_by)s") % {
                "act_by": text.format_act_by(warning.short_course_by, today=today, language=language)
            }
        else:
            tail = text.format_act_by(warning.act_by, today=today, language=language)
        return f"{head}: {tail}"


def _region_code(warning: EarlyWarning) -> str:
    region = warning._state.fields_cache.get("region")
    if region is not None:
        return region.code
    from .models import Region

    return Region.objects.filter(pk=warning.region_id).values_list("code", flat=True).first() or ""
