"""Reads of the early-warning board (web/templates/web/warnings.html): one board, three views of it.

- officials: their regions' coming seasons, each with a chart of the past years' reported headcount
  of that quarter next to the forecast and its 80 % interval, what planned cohorts cover, days left;
- college staff: what to open or expand (the forward recommendations to their colleges), by act-by,
  then the entries of the regions their programs serve;
- reviewers: every entry, by urgency and rating, with the indicators, and the fast-track action.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db.models import Sum
from django.http import Http404
from django.utils.translation import gettext

from core import text
from core.quarters import Quarter
from gaps import warning_selectors
from gaps.models import EarlyWarning, GapReport, GapReportLine, ReportStatus, WarningNotice

logger = logging.getLogger(__name__)

BOARD_LIMIT = 500
CHARTS_LIMIT = 6
HISTORY_YEARS = 3


def ensure_fresh(today: dt.date) -> None:
    """Bring the early warning up to date for today when its computation offers that (gaps.warning,
    built separately); the page still shows the stored entries if it does not, or fails."""
    try:
        from gaps.warning.services import ensure_fresh as computed  # noqa: PLC0415
    except ImportError:
        return
    try:
        computed(today)
    except Exception:  # noqa: BLE001 - a page never fails for a refresh; the stored entries still show
        logger.exception("early warning: ensure_fresh(%s) failed", today)


@dataclass
class BoardRow:
    warning: EarlyWarning
    days_left: int
    short_share: float | None
    detail: str
    chart: dict | None = None
    history: list = field(default_factory=list)

    @property
    def chart_id(self) -> str:
        return f"ew-data-{self.warning.pk}"


def _share(w: EarlyWarning) -> float | None:
    return w.shortfall / w.headcount if w.headcount else None


def history(warning: EarlyWarning) -> list[tuple[str, int | None]]:
    """The series behind the entry (SPEC.md): the same quarter of the three years before, each the
    headcount of the region's submitted report for that quarter (0 when the report lacks the
    occupation, None when the region submitted no report)."""
    target = Quarter.parse(warning.quarter)
    quarters = [str(Quarter(target.year - back, target.number)) for back in range(HISTORY_YEARS, 0, -1)]
    reported = set(
        GapReport.objects.filter(region_id=warning.region_id, quarter__in=quarters, status=ReportStatus.SUBMITTED)
        .values_list("quarter", flat=True)
    )
    totals = dict(
        GapReportLine.objects.filter(
            report__region_id=warning.region_id, report__quarter__in=quarters, report__status=ReportStatus.SUBMITTED,
            occupation_id=warning.occupation_id,
        )
        .values_list("report__quarter")
        .annotate(total=Sum("headcount"))
    )
    return [(q, (totals.get(q) or 0) if q in reported else None) for q in quarters]


def forecast_chart(warning: EarlyWarning, series: list[tuple[str, int | None]]) -> dict:
    """Chart.js data: reported headcount of past years, then the target quarter's forecast (or its
    reported headcount) with the 80 % interval as a floating bar. Every bar is the same quarter of its
    year (the series is one quarter of the year), so the axis reads years: "2027年第3季度" four times
    over did not fit under the bars in Chinese, Russian or Kazakh; the caption names the quarter."""
    labels = [q[:4] for q, _value in series] + [warning.quarter[:4]]
    past = [value for _q, value in series] + [None]
    ahead = [None] * len(series) + [warning.headcount]
    datasets = [
        {"label": gettext("Reported headcount"), "data": past, "skipNull": True},
        {"label": gettext("Forecast") if warning.forecast is not None else gettext("Reported for the season"),
         "data": ahead, "skipNull": True},
    ]
    if warning.forecast_low is not None and warning.forecast_high is not None:
        datasets.append({
            "label": gettext("80-percent interval"),
            "data": [None] * len(series) + [[warning.forecast_low, warning.forecast_high]], "skipNull": True,
        })
    datasets.append({"label": gettext("Covered by planned cohorts"), "data": [None] * len(series) + [warning.covered],
                     "skipNull": True})
    return {"labels": labels, "datasets": datasets}


def visible(user):
    """The entries the user's board holds, before any filter (web.filters.WarningFilter narrows them)."""
    return warning_selectors.warnings_visible_to(user).select_related("region", "occupation", "origin_project")


def board(user, *, today: dt.date, charts: bool = False, status: str | None = None,
          quarter: str | None = None) -> list[BoardRow]:
    qs = visible(user)
    if status:
        qs = qs.filter(status=status)
    if quarter:
        qs = qs.filter(quarter=quarter)
    return board_rows(warning_selectors.board_order(qs)[:BOARD_LIMIT], today=today, charts=charts)


def board_rows(warnings, *, today: dt.date, charts: bool = False) -> list[BoardRow]:
    """The rows of the board for these entries (in their order); the first CHARTS_LIMIT with a chart."""
    rows = []
    for i, w in enumerate(warnings):
        row = BoardRow(w, warning_selectors.days_left(w, today=today), _share(w),
                       warning_selectors.warning_detail(w, today=today))
        if charts and i < CHARTS_LIMIT:
            row.history = history(w)
            row.chart = forecast_chart(w, row.history)
        rows.append(row)
    return rows


def college_actions(user, *, today: dt.date) -> list:
    """Forward recommendations to the user's colleges: the feasible ones by act-by; then those a full
    program is too late for but a short course can still meet (the entry is short_course_only), by
    the short course's last day; then the ones nothing can meet any more. Ordered by the full
    program's act-by alone, a dead entry whose act-by passed in September was listed above a short
    course that can still start in June."""
    recs = list(warning_selectors.forward_recommendations_for(user)[:BOARD_LIMIT])

    def order(rec):
        if rec.feasible:
            return (0, rec.act_by, -rec.score, rec.pk)
        if rec.short_course_by is not None:
            return (1, rec.short_course_by, -rec.score, rec.pk)
        return (2, rec.act_by, -rec.score, rec.pk)

    for rec in recs:
        rec.feasible = rec.act_by >= today
        warning = rec.warning
        # What the page offers when the full program is too late (partials/forward_when.html).
        rec.short_course_by = (warning.short_course_by if not rec.feasible and warning.status == "short_course_only"
                               and warning.short_course_by and warning.short_course_by >= today else None)
        # The season it trains for has already begun: stale advice, marked "past" as on the programs
        # page (issue 14).
        rec.is_past = text.is_past(rec.warning.need_date, today=today)
    return sorted(recs, key=order)


def notices_for(user, *, limit: int | None = 20):
    """The notification list of the board: warnings visible to the user that entered a status and
    were announced, newest first (all of them, for a page at a time, with limit=None)."""
    seen = warning_selectors.warnings_visible_to(user).values("pk")
    notices = (
        WarningNotice.objects.filter(warning_id__in=seen)
        .select_related("warning", "warning__region", "warning__occupation")
        .order_by("-sent_at", "-pk")
    )
    return notices if limit is None else list(notices[:limit])


def warning_for(user, pk: int) -> EarlyWarning:
    warning = (
        warning_selectors.warnings_visible_to(user)
        .select_related("region", "occupation", "origin_project")
        .filter(pk=pk)
        .first()
    )
    if warning is None:
        raise Http404
    return warning
