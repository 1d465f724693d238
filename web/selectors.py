"""Reads for the web pages, always scoped to the user by core.permissions.

Views call these and render; writes go through the apps' services (gaps.services, ...).
Models that other parts of the project are still adding (recommendations, gap decisions) are
looked up defensively, so the pages work before and after they land.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Max, Min, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Role
from core.permissions import college_ids_for, region_ids_for, sees_everything
from core.quarters import Quarter
from gaps.models import Gap, GapReport, Occupation, Region, ReportStatus
from training.models import Cohort, College, Program

# How many recommendations the college home page lists before linking to the full list.
HOME_RECOMMENDATIONS = 5
# The search-as-you-type list is short on purpose: a picker, not a browser of the taxonomy.
SEARCH_LIMIT = 8


def current_quarter(today: dt.date | None = None) -> str:
    return str(Quarter.containing(today or timezone.localdate()))


def home_quarters(today: dt.date | None = None) -> list[str]:
    """The quarters a home page shows: the current one and the next (reports are filed ahead)."""
    current = Quarter.containing(today or timezone.localdate())
    return [str(current), str(current.next())]


def parse_quarter_or_404(value: str) -> str:
    try:
        return str(Quarter.parse(value))
    except ValueError as exc:
        raise Http404(str(exc)) from exc


# --- Regions and reports ------------------------------------------------------------------------


def regions_for(user) -> QuerySet[Region]:
    ids = region_ids_for(user)
    regions = Region.objects.all()
    return regions if ids is None else regions.filter(id__in=ids)


def region_for(user, code: str) -> Region:
    """A region the user may see, else 404 (not 403: other regions' existence is not disclosed)."""
    return get_object_or_404(regions_for(user), code=code)


# The report a region's page shows for a quarter: the draft being worked on, else the one in
# force, else the most recent of the rest.
_STATUS_PRIORITY = Case(
    When(status=ReportStatus.DRAFT, then=Value(0)),
    When(status=ReportStatus.SUBMITTED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def reports_of(region: Region, quarter: str) -> QuerySet[GapReport]:
    return GapReport.objects.filter(region=region, quarter=quarter).order_by(_STATUS_PRIORITY, "-created_at")


def report_for_page(region: Region, quarter: str) -> GapReport | None:
    return reports_of(region, quarter).first()


def report_due(region: Region, quarter: str, today: dt.date | None = None) -> dt.date | None:
    """The day the quarter's report is still to be submitted by (the quarter's last day, as the
    missing-report reminder says), or None: a report is in force, or the quarter is over."""
    end = Quarter.parse(quarter).end
    if end < (today or timezone.localdate()):
        return None
    if reports_of(region, quarter).filter(status=ReportStatus.SUBMITTED).exists():
        return None
    return end


def report_lines(report: GapReport | None):
    if report is None:
        return []
    return report.lines.select_related("occupation").order_by("line_no")


def search_report_lines(lines: QuerySet, text: str) -> QuerySet:
    """A report's lines whose title, occupation (any language) or code holds `text`."""
    condition = Q(occupation_title__icontains=text) | Q(note__icontains=text)
    if text.isdigit():
        condition |= Q(occupation__code__startswith=text) | Q(line_no=int(text[:9]))
    for lang in ("en", "ru", "zh", "kk"):
        condition |= Q(**{f"occupation__title_{lang}__icontains": text})
    return lines.filter(condition)


def report_quarter_nav(region: Region, quarter: str) -> dict:
    """Links of a report page to the quarters around it and to every quarter the region has a report for."""
    q = Quarter.parse(quarter, bounded=False)
    filed = list(GapReport.objects.filter(region=region).order_by("-quarter").values_list("quarter", flat=True).distinct())
    return {"previous": str(q.previous()), "next": str(q.next()), "filed": [f for f in filed if f != quarter]}


def region_quarters(user, today: dt.date | None = None) -> list[dict]:
    """Each of the user's regions with every quarter it has a report for, newest first, and the
    report to start next: the first quarter from the current one on that has none. The current
    quarter's report is due by its last day (the missing-report reminder asks for it), so a region
    that has not started it is offered that one, not the next quarter's."""
    current = Quarter.containing(today or timezone.localdate())
    by_region: dict[int, list[str]] = {}
    for region_id, quarter in (GapReport.objects.filter(region__in=regions_for(user))
                               .order_by("region_id", "-quarter").values_list("region_id", "quarter").distinct()):
        by_region.setdefault(region_id, []).append(quarter)
    rows = []
    for region in regions_for(user).order_by("code"):
        quarters = by_region.get(region.pk, [])
        filed = set(quarters)
        start = current
        while str(start) in filed:
            start = start.next()
        rows.append({"region": region, "quarters": quarters, "next": str(start), "due": start.end})
    return rows


@dataclass
class RegionQuarterStatus:
    region: Region
    quarter: str
    report: GapReport | None
    line_count: int = 0
    # A submitted report is in force for the quarter (an amendment's draft may be the one shown).
    submitted: bool = False

    @property
    def due(self) -> dt.date:
        """The day the report must be submitted by: the quarter's last day (the reminder's)."""
        return Quarter.parse(self.quarter).end


def official_overview(user) -> list[RegionQuarterStatus]:
    """Each of the user's regions, for the current and the next quarter, with its report's status."""
    rows = []
    quarters = home_quarters()
    regions = regions_for(user).order_by("code")
    submitted = set(
        GapReport.objects.filter(region__in=regions, quarter__in=quarters, status=ReportStatus.SUBMITTED)
        .values_list("region_id", "quarter")
    )
    for region in regions:
        for quarter in quarters:
            report = (
                reports_of(region, quarter).annotate(line_count=Count("lines")).first()
            )
            rows.append(RegionQuarterStatus(
                region, quarter, report, report.line_count if report else 0,
                submitted=(region.pk, quarter) in submitted,
            ))
    return rows


# --- Colleges, programs, recommendations ----------------------------------------------------------


def colleges_for(user) -> QuerySet[College]:
    ids = college_ids_for(user)
    colleges = College.objects.all()
    return colleges if ids is None else colleges.filter(id__in=ids)


def editable_colleges(user) -> QuerySet[College]:
    """Colleges whose programs the user may change: a college staff member's own (SPEC.md)."""
    if not (user and user.is_authenticated and user.has_role(Role.COLLEGE_STAFF)):
        return College.objects.none()
    return College.objects.filter(staff=user).order_by("code")


def programs_for(user) -> QuerySet[Program]:
    today = timezone.localdate()
    return (
        Program.objects.filter(college__in=colleges_for(user))
        .select_related("college")
        .prefetch_related(
            Prefetch("occupations", queryset=Occupation.objects.order_by("code")),
            Prefetch("cohorts", queryset=Cohort.objects.order_by("intake_date")),
            "serves_regions",
        )
        .annotate(
            cohort_count=Count("cohorts", distinct=True),
            next_graduation=Min("cohorts__graduation_date", filter=Q(cohorts__graduation_date__gte=today)),
            last_graduation=Max("cohorts__graduation_date"),
        )
        .order_by("college__code", "code")
    )


def recommendations_for(user, *, quarter: str | None = None, limit: int = HOME_RECOMMENDATIONS) -> list:
    """The current results' recommendations to the user's colleges for one quarter (by default the
    latest matched one), best score first.

    Scoped by college only: a college page shows what its own colleges should do, even for a user
    who is also an official somewhere. Occupation titles come in the active language.
    """
    try:
        from gaps.matching.selectors import recommendations_current
    except ImportError:  # matching not installed
        return []
    qs = recommendations_current().filter(college__in=colleges_for(user))
    if quarter is None:
        # The latest matched quarter: older quarters' need dates have passed, and mixing quarters
        # in one ranking would put stale advice beside current advice.
        quarter = qs.aggregate(latest=Max("quarter"))["latest"]
    from django.utils import timezone

    from gaps import recommendation_dates

    today = timezone.localdate()
    # Those that can still be acted on first, then those too late (shown with next year's date).
    rows = list(
        recommendation_dates.rank_feasible_first(qs.filter(quarter=quarter), today=today)
        .select_related("college", "program", "region")[:limit]
    )
    titles = Occupation.objects.in_bulk({r.occupation_code for r in rows} | {r.from_occupation_code for r in rows if r.from_occupation_code})
    from gaps.matching.flags import prime_flag_names

    prime_flag_names(rows)  # their sentences' program titles in one query
    for row in rows:
        # A need date already behind us: the advice is stale and the page says so (issue 14).
        row.is_past = bool(row.need_date and row.need_date < today)
        dated = recommendation_dates.dates(row.latest_intake_date, row.need_date, today=today)
        row.act_by, row.feasible, row.next_act_by = dated["act_by"], dated["feasible"], dated["next_act_by"]
        row.occupation_obj = titles.get(row.occupation_code)
        row.from_occupation_obj = titles.get(row.from_occupation_code) if row.from_occupation_code else None
    return rows


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist; any failure means "not there"
        return False
    return True


# --- Gaps -----------------------------------------------------------------------------------------


def gaps_awaiting_decision() -> QuerySet[Gap]:
    """Active gaps that no reviewer has decided yet, new ones (the express lane) first."""
    gaps = Gap.objects.filter(is_active=True)
    if _has_relation(Gap, "decision"):
        gaps = gaps.filter(decision__isnull=True)
    return gaps.select_related("region", "occupation").order_by("-new_on_list", "-shortfall", "quarter")


def _has_relation(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


@dataclass
class ReviewerOverview:
    awaiting: int
    express_lane: int
    quarters: list[tuple[str, int]] = field(default_factory=list)
    # Of those awaiting: how many training can still be in time for (today <= act_by, the review
    # queue's rule), the earliest act-by among them, and the quarters whose season is over.
    in_time: int = 0
    earliest_act_by: dt.date | None = None
    past_quarters: list[tuple[str, int]] = field(default_factory=list)

    @property
    def too_late(self) -> int:
        return self.awaiting - self.in_time


def reviewer_overview(today: dt.date | None = None) -> ReviewerOverview:
    """What awaits a reviewer, and how much of it can still be acted on in time: a home that said
    only "100 gaps await a decision" counted gaps of seasons two years gone beside this quarter's.
    The quarters under way or ahead (`quarters`, the current first) carry the in-time count; those
    whose season is over (`past_quarters`, newest first) are too late to train for whatever is
    decided."""
    from projects.selectors import with_act_by

    from gaps.recommendation_dates import quarter_lead_times

    today = today or timezone.localdate()
    awaiting = gaps_awaiting_decision()
    per_quarter = list(awaiting.order_by().values_list("quarter").annotate(n=Count("id")).order_by("quarter"))
    ahead = [(q, n) for q, n in per_quarter if Quarter.parse(q, bounded=False).end >= today]
    past = [(q, n) for q, n in reversed(per_quarter) if Quarter.parse(q, bounded=False).end < today]
    codes: dict[str, set[str]] = {}
    for quarter, code in (awaiting.filter(quarter__in=[q for q, _n in ahead]).order_by()
                          .values_list("quarter", "occupation_id").distinct()):
        codes.setdefault(quarter, set()).add(code)
    lead_times = quarter_lead_times(codes)
    in_time, earliest = 0, None
    for quarter, _n in ahead:  # a handful: the quarters under way or ahead
        start = Quarter.parse(quarter, bounded=False).start
        timely = with_act_by(awaiting.filter(quarter=quarter), start, today=today,
                             lead_times=lead_times.get(quarter, {})).filter(in_time=True)
        figures = timely.order_by().aggregate(n=Count("id"), first=Min("act_by"))
        in_time += figures["n"]
        if figures["first"] and (earliest is None or figures["first"] < earliest):
            earliest = figures["first"]
    return ReviewerOverview(
        awaiting=sum(n for _q, n in per_quarter),
        express_lane=awaiting.filter(new_on_list=True).count(),
        quarters=ahead,
        in_time=in_time,
        earliest_act_by=earliest,
        past_quarters=past,
    )


# --- Roles ----------------------------------------------------------------------------------------


def roles_of(user) -> list[str]:
    roles = [role for role in Role if user.has_role(role)]
    if not roles and sees_everything(user):
        roles = [Role.REVIEWER]
    return roles


# --- Occupation search -----------------------------------------------------------------------------

CODE_RE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class OccupationHit:
    occupation: Occupation
    matched_label: str
    score: float | None = None  # None: found by its code or by its title, not ranked
    strength: str = ""  # "strong" or "possible" (gaps.search.OccupationMatch.strength)


def search_occupations(query: str, *, limit: int = SEARCH_LIMIT) -> list[OccupationHit]:
    """Unit groups for the picker: a typed code, then the multilingual title search.

    gaps.search ranks over every label in four languages and returns fewer groups rather than
    unrelated ones. Only when it finds nothing (no labels loaded yet) do titles containing the
    query stand in, so the picker still works on a bare taxonomy.
    """
    query = (query or "").strip()
    if not query:
        return []
    hits: list[OccupationHit] = []
    seen: set[str] = set()
    if CODE_RE.match(query):
        occupation = Occupation.objects.filter(code=query, level=Occupation.Level.UNIT).first()
        if occupation:
            hits.append(OccupationHit(occupation, ""))
            seen.add(occupation.code)
    try:
        from gaps.search import search_occupations as ranked_search

        matches = ranked_search(query, limit=limit)
    except NotImplementedError:
        matches = []
    hits.extend(_hits(matches, seen))
    if not matches and len(hits) < limit:
        contains = (
            Q(title_en__icontains=query) | Q(title_ru__icontains=query)
            | Q(title_zh__icontains=query) | Q(title_kk__icontains=query)
        )
        rest = (
            Occupation.objects.filter(contains, level=Occupation.Level.UNIT)
            .exclude(code__in=seen)
            .order_by("code")[: limit - len(hits)]
        )
        hits.extend(OccupationHit(occupation, "") for occupation in rest)
    return hits[:limit]


def _hits(matches, seen: set[str]) -> list[OccupationHit]:
    by_code = Occupation.objects.in_bulk([m.code for m in matches if m.code not in seen])
    hits = []
    for match in matches:
        occupation = by_code.get(match.code)
        if occupation and occupation.code not in seen and occupation.level == Occupation.Level.UNIT:
            hits.append(OccupationHit(occupation, match.matched_label, match.score, match.strength))
            seen.add(occupation.code)
    return hits


# A report page suggests occupations for this many of its lines at most (one search each).
CANDIDATE_LINES = 200
CANDIDATES_PER_LINE = 3


def line_candidates(lines) -> dict[int, list[OccupationHit]]:
    """Occupations to offer for each uncoded or automatically coded line, by line number.

    An uncoded line gets the search's best groups for its title (below the coding threshold they
    are possible matches an official may pick); a line the search coded gets the next groups after
    the one it chose, so that a wrong choice is one click from the right one.
    """
    from gaps.search import title_candidates

    wanted = [line for line in lines if line.occupation_title and (line.is_uncoded or line.is_auto_coded)]
    found: dict[int, list] = {}
    for line in wanted[:CANDIDATE_LINES]:
        matches, _confidence = title_candidates(line.occupation_title, limit=CANDIDATES_PER_LINE + 1)
        found[line.line_no] = [m for m in matches if m.code != line.occupation_id][:CANDIDATES_PER_LINE]
    codes = {m.code for matches in found.values() for m in matches}
    by_code = Occupation.objects.in_bulk(list(codes)) if codes else {}
    return {
        line_no: [OccupationHit(by_code[m.code], m.matched_label, m.score, m.strength) for m in matches if m.code in by_code]
        for line_no, matches in found.items()
    }


# --- Matching results of a region ------------------------------------------------------------------


@dataclass
class RegionResults:
    """What the matching said about one region's submitted report for a quarter."""

    run: object | None  # the quarter's current MatchRun (its results are what pages show)
    pending_run: object | None  # a queued or running MatchRun newer than the current one
    rows: list = field(default_factory=list)  # (line, outcome or None) for the submitted report's lines
    flags: list = field(default_factory=list)
    chart: dict = field(default_factory=dict)
    gaps: dict = field(default_factory=dict)  # occupation code -> the region's gap of the quarter (its page)
    # The latest run that found nothing changed since the current one (its results still hold then).
    checked_at: object | None = None
    # The latest run newer than the current one that stopped without results (a missing exchange
    # rate, say): the page says the results shown are older, and why.
    failed_run: object | None = None

    @property
    def in_progress(self) -> bool:
        return self.pending_run is not None


def region_results(region: Region, quarter: str) -> RegionResults | None:
    """The current run's outcome for the region's submitted report, and a run under way if any.

    None when matching is not installed. Reads the quarter's current run only, so a run in flight
    or one that failed never shows half-written results.
    """
    try:
        from gaps.matching.selectors import current_run, flags_current
        from gaps.models import LineOutcome, MatchRun, MatchRunStatus
    except ImportError:
        return None
    run = current_run(quarter)
    pending = MatchRun.objects.filter(
        quarter=quarter, status__in=[MatchRunStatus.QUEUED, MatchRunStatus.RUNNING]
    )
    if run is not None:
        pending = pending.filter(created_at__gt=run.created_at)
    results = RegionResults(run=run, pending_run=pending.order_by("-created_at").first())
    failed = MatchRun.objects.filter(quarter=quarter, status=MatchRunStatus.FAILED)
    if run is not None:
        failed = failed.filter(created_at__gt=run.created_at)
    results.failed_run = failed.order_by("-created_at").first()
    if run is not None:
        results.checked_at = (
            MatchRun.objects.filter(unchanged_since=run).order_by("-finished_at")
            .values_list("finished_at", flat=True).first()
        )
    submitted = GapReport.objects.filter(region=region, quarter=quarter, status=ReportStatus.SUBMITTED).first()
    if run is None or submitted is None:
        return results
    lines = list(submitted.lines.select_related("occupation").order_by("line_no"))
    outcomes = {o.line_id: o for o in LineOutcome.objects.filter(run=run, line_id__in=[line.id for line in lines])}
    results.rows = [(line, outcomes.get(line.id)) for line in lines]
    results.flags = list(flags_current(quarter=quarter).filter(run=run, region_code=region.code).order_by("kind", "id"))
    from gaps.matching.flags import prime_flag_names

    prime_flag_names(results.flags)  # their sentences' program titles in one query
    results.chart = demand_supply_chart(results.rows)
    results.gaps = {g.occupation_id: g for g in Gap.objects.filter(region=region, quarter=quarter, is_active=True)}
    for flag in results.flags:
        flag.gap = results.gaps.get(flag.occupation_code)
    return results


def demand_supply_chart(rows) -> dict:
    """Per occupation: workers needed and covered (Chart.js bar chart data; labels localised)."""
    from django.utils.translation import gettext

    per: dict[str, dict] = {}
    for line, outcome in rows:
        key = line.occupation.code if line.occupation else line.occupation_title
        label = f"{line.occupation.code} {line.occupation.title}" if line.occupation else line.occupation_title
        entry = per.setdefault(key, {"label": label, "needed": 0, "covered": 0})
        entry["needed"] += line.headcount
        entry["covered"] += outcome.covered if outcome else 0
    entries = sorted(per.values(), key=lambda e: -e["needed"])
    return {
        "labels": [e["label"] for e in entries],
        "datasets": [
            {"label": gettext("Workers needed"), "data": [e["needed"] for e in entries]},
            {"label": gettext("Covered by graduates"), "data": [e["covered"] for e in entries]},
        ],
    }


# --- Gaps for reviewers and colleges -----------------------------------------------------------------


def gap_quarters() -> list[str]:
    return list(Gap.objects.filter(is_active=True).order_by("-quarter").values_list("quarter", flat=True).distinct())


def latest_gap_quarter() -> str | None:
    return Gap.objects.filter(is_active=True).order_by("-quarter").values_list("quarter", flat=True).first()


def default_gap_quarter(today: dt.date | None = None) -> str:
    """The first quarter, from the current one on, with an active gap training can still be in time
    for (projects.selectors.review_queue's `in_time`: today <= its act_by): what a reviewer can act
    on. Else the current quarter when it has active gaps, else the latest that has, else the current
    one."""
    from projects.selectors import with_act_by

    from gaps.recommendation_dates import quarter_lead_times

    today = today or timezone.localdate()
    current = current_quarter(today)
    active_ahead = Gap.objects.filter(is_active=True, quarter__gte=current)
    codes: dict[str, set[str]] = {}
    for quarter, code in active_ahead.order_by().values_list("quarter", "occupation_id").distinct():
        codes.setdefault(quarter, set()).add(code)
    # The occupations' training times read once for all the quarters ahead, not once a quarter:
    # those each quarter's current run stored.
    lead_times = quarter_lead_times(codes)
    for quarter in sorted(codes):  # a handful: the quarters under way or ahead that have gaps
        gaps = Gap.objects.filter(is_active=True, quarter=quarter)
        start = Quarter.parse(quarter, bounded=False).start
        if with_act_by(gaps, start, today=today, lead_times=lead_times[quarter]).filter(in_time=True).exists():
            return quarter
    if Gap.objects.filter(quarter=current, is_active=True).exists():
        return current
    return latest_gap_quarter() or current


def gap_list(user, quarter: str) -> QuerySet[Gap]:
    """Reviewers: the undecided queue (express lane first, then shortfall x salary). Others who
    may see gaps (college staff): every active gap of the quarter, largest shortfall first."""
    from core.permissions import can_review
    from projects.selectors import review_queue

    if can_review(user):
        return review_queue(user=user, quarter=quarter)
    return (
        Gap.objects.filter(quarter=quarter, is_active=True)
        .select_related("region", "occupation")
        .order_by("-new_on_list", "-shortfall", "pk")
    )


# A month as durations are told in (365.25 / 12 days); shorter than two months, a duration is told in days.
MONTH_DAYS = 30.4375


def training_time(days: int) -> str:
    """"6 months", "75 days" -> "2 months"; under two months in days: "45 days"."""
    from core import text

    if days < 60:
        return text.format_count(days, "%(n)s day", "%(n)s days")
    return text.format_count(int(text.round_half_up(days / MONTH_DAYS)), "%(n)s month", "%(n)s months")


def queue_timing(gaps, today: dt.date | None = None) -> None:
    """Give each review-queue row on a page (projects.selectors.review_queue: needed_by, act_by,
    in_time) `when`: what the page says of by when to act. In time: "act by <act_by> (n days
    left)", and when a typical program (lead_days) can no longer finish but the shortest training
    still can, that a full program is too late, with its length and the need date. Too late: the
    real reason -- a full program needs n months, the need date is ..., and the shortest
    training's last day has passed. The durations are the occupation's (SPEC.md "Lead time"), else
    DEFAULT_LEAD_DAYS, as the row's act_by counts them."""
    from django.utils.translation import gettext

    from core import text
    from gaps import recommendation_dates

    gaps = [g for g in gaps if getattr(g, "act_by", None) is not None]
    if not gaps:
        return
    today = today or timezone.localdate()
    leads = recommendation_dates.gaps_lead_times(gaps)  # those the quarter's current run stored
    default = recommendation_dates.lead_days()
    for gap in gaps:
        lead, shortest = leads[gap.quarter].get(gap.occupation_id, (default, default))
        program_by = recommendation_dates.gap_act_by(gap.needed_by, lead)
        full_late = gettext("too late for a full program: it needs %(time)s, the need date is %(date)s") % {
            "time": training_time(lead), "date": text.format_date(gap.needed_by)}
        when = {"in_time": gap.in_time, "act": text.format_act_by(gap.act_by, today=today), "late": "", "then": ""}
        if gap.in_time and program_by >= today and program_by != gap.act_by:
            when["then"] = gettext("a full program (%(time)s): %(act_by)s") % {
                "time": training_time(lead), "act_by": text.format_act_by(program_by, today=today)}
        elif gap.in_time and program_by < today:
            when["late"] = full_late
            when["then"] = gettext("short course (%(time)s): %(act_by)s") % {
                "time": training_time(shortest), "act_by": when["act"]}
        elif not gap.in_time:
            when["late"] = full_late
            if shortest < lead:
                when["then"] = gettext("a short course (%(time)s) no longer fits either: the last day was %(date)s") % {
                    "time": training_time(shortest), "date": text.format_date(gap.act_by)}
            else:
                when["then"] = when["act"]  # "too late: the last day was ..."
        gap.when = when


def sees_decided_gaps(user) -> bool:
    """Who has the list of decided gaps: reviewers (all of them) and officials (their regions'), the
    readers of a gap's decision on its page. College staff read decisions only through a project
    that names their college, so the list is not theirs."""
    from core.permissions import can_review

    return can_review(user) or (user.is_authenticated and user.has_role(Role.OFFICIAL))


def decided_gaps(user) -> QuerySet[Gap]:
    """Approved and rejected gaps the user may read, the newest decision first, with the decision,
    who took it and the project an approval created."""
    from gaps.matching.selectors import gaps_visible_to

    if not sees_decided_gaps(user):
        return Gap.objects.none()
    return (
        gaps_visible_to(user, Gap.objects.filter(decision__isnull=False))
        .select_related("region", "occupation", "decision", "decision__decided_by", "decision__project")
        .order_by("-decision__decided_at", "-pk")
    )


def gap_for(user, pk: int) -> Gap:
    """A gap the user may see: reviewers and college staff see the aggregate list, officials their regions'."""
    from gaps.matching.selectors import gaps_visible_to

    return get_object_or_404(gaps_visible_to(user, Gap.objects.select_related("region", "occupation")), pk=pk)


def sees_gap_in_full(user, gap: Gap) -> bool:
    """Reviewers, admins and the officials of the gap's region read its whole evidence and decision
    (as review/gaps/{id}/ shows them); anyone else who may open the gap (college staff: the aggregate
    list) reads its figures and only what concerns their own colleges."""
    regions = region_ids_for(user)
    return regions is None or regions.filter(id=gap.region_id).exists()


def gap_evidence(gap: Gap, user) -> dict:
    """The gap's evidence as `user` may read it (SPEC.md: college staff see the aggregate gap list and
    the recommendations addressed to their own colleges): the flags and recommendations naming their
    colleges and the published programs, never the region's report lines or other colleges' rows."""
    from projects.selectors import gap_evidence as evidence_for

    evidence = evidence_for([gap]).get(gap.pk, {})
    if not sees_gap_in_full(user, gap):
        own = set(College.objects.filter(id__in=college_ids_for(user)).values_list("code", flat=True))
        evidence["report_lines"] = []
        for kind in ("flags", "recommendations"):
            evidence[kind] = [row for row in evidence.get(kind, []) if row.get("college_code") in own]
    codes = {row.get("occupation_code") for row in evidence.get("flags", [])} | {
        row.get("target_occupation_code") for row in evidence.get("flags", [])
    }
    evidence["occupations"] = Occupation.objects.in_bulk([c for c in codes if c])
    # The kinds are contract codes (UNMET_DEMAND, RETOOL, ...); people read their labels.
    from gaps.matching.flags import FlagKind
    from gaps.matching.recommendations import RecommendationKind

    for rows, kinds in ((evidence.get("flags", []), FlagKind), (evidence.get("recommendations", []), RecommendationKind)):
        labels = dict(kinds.choices)
        for row in rows:
            row["kind_label"] = labels.get(row.get("kind"), row.get("kind"))
    for row in evidence.get("recommendations", []):  # the page formats dates, the evidence holds ISO text
        for key in ("act_by", "next_act_by"):
            if row.get(key):
                row[key] = dt.date.fromisoformat(row[key])
    return evidence


def gap_is_decided(gap: Gap) -> bool:
    """Whether a reviewer approved or rejected the gap, whoever asks (gap_decision hides it from some)."""
    from projects.models import GapDecision

    return GapDecision.objects.filter(gap=gap).exists()


def gap_decision(gap: Gap, user):
    """The gap's decision with its project, or None while undecided, as `user` may read it: college
    staff (who do not see decisions) read only a project that names their college, as `project`."""
    from projects.models import GapDecision
    from projects.selectors import projects_visible_to

    decision = GapDecision.objects.select_related("decided_by", "project").filter(gap=gap).first()
    if decision is None or sees_gap_in_full(user, gap):
        return decision
    project = getattr(decision, "project", None)  # the reverse one-to-one: None after a rejection
    if project is not None and projects_visible_to(user).filter(pk=project.pk).exists():
        return {"project": project, "partial": True}
    return None


# --- Season timeline: each line's season against the graduations that could fill it --------------

TIMELINE_WIDTH = 1000  # SVG user units of the time axis
TIMELINE_LABEL = 260  # room on the left for the occupation labels
TIMELINE_ROW = 34
TIMELINE_TICKS = 24  # at most this many month ticks on the axis


def _days_after(day: dt.date, days: int) -> dt.date:
    """`day` plus `days` days, never after 9999-12-31 (Python's last date)."""
    return dt.date.fromordinal(min(dt.date.max.toordinal(), day.toordinal() + days))


def season_timeline(report: GapReport | None) -> dict | None:
    """Rows for the season timeline of a report (SPEC.md: timely = graduates within SUPPLY_WINDOW_DAYS
    before the need date; late = after the need date but before the season ends).

    Candidate cohorts train the line's unit group and serve its region (or every region); ones that
    graduate long before the window or after the season are left out. Positions are precomputed in
    SVG units so the template only draws.
    """
    import datetime as dt

    if report is None:
        return None
    lines = [line for line in report_lines(report) if line.occupation_id]
    if not lines:
        return None
    quarter = Quarter.parse(report.quarter, bounded=False)
    from gaps.matching.rules import days_before

    window = settings.SUPPLY_WINDOW_DAYS
    rows = []
    for line in lines:
        need = line.season_start or quarter.start
        end = max(line.season_end or quarter.end, need)  # SPEC.md revision 2: E is never before N
        cohorts = (
            Cohort.objects.filter(
                program__occupations=line.occupation_id,
                graduation_date__gte=days_before(need, window),
                graduation_date__lte=_days_after(end, 60),
            )
            .filter(Q(program__serves_regions=report.region_id) | Q(program__serves_regions__isnull=True))
            .select_related("program__college")
            .distinct()
            .order_by("graduation_date")
        )
        entries = []
        for cohort in cohorts:
            if cohort.graduation_date <= need:
                status = "timely"
            elif cohort.graduation_date <= end:
                status = "late"
            else:
                status = "after"
            entries.append({"cohort": cohort, "status": status})
        rows.append({"line": line, "need": need, "end": end, "cohorts": entries})
    first = min([days_before(row["need"], window) for row in rows])
    last = max([row["end"] for row in rows] + [c["cohort"].graduation_date for row in rows for c in row["cohorts"]])
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return round(TIMELINE_LABEL + (day - first).days / span * (TIMELINE_WIDTH - TIMELINE_LABEL - 10), 1)

    for index, row in enumerate(rows):
        row["y"] = 30 + index * TIMELINE_ROW
        row["x_need"], row["x_end"] = x(row["need"]), x(row["end"])
        row["x_window"] = x(days_before(row["need"], window))
        for entry in row["cohorts"]:
            entry["x"] = x(entry["cohort"].graduation_date)
    # A tick on the first of every month, or of every few months (years) when the axis spans more
    # than TIMELINE_TICKS of them: a season years long (stored before the dates were bounded) must
    # not draw thousands.
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next(n for n in (1, 2, 3, 6, 12, 24, 60, 120, 600, 1200, 12000) if months / n <= TIMELINE_TICKS)
    ticks = []
    index = first.year * 12 + first.month - 1
    index += -index % step
    while index <= last.year * 12 + last.month - 1:
        month = dt.date(index // 12, index % 12 + 1, 1)
        if month >= first:
            ticks.append({"date": month, "x": x(month)})
        index += step
    return {
        "rows": rows,
        "ticks": ticks,
        "width": TIMELINE_WIDTH,
        "label_width": TIMELINE_LABEL,
        "height": 50 + len(rows) * TIMELINE_ROW,
    }


def shortfall_heatmap(quarter: str) -> dict | None:
    """Region x occupation shortfall of a quarter's active gaps that await a decision (a decided gap
    leaves the map for the list of decided gaps), with a shade per cell (0..1) and the legend's steps."""
    gaps = list(Gap.objects.filter(quarter=quarter, is_active=True, shortfall__gt=0, decision__isnull=True)
                .select_related("region", "occupation"))
    if not gaps:
        return None
    regions = sorted({g.region for g in gaps}, key=lambda r: r.code)
    occupations = sorted({g.occupation for g in gaps}, key=lambda o: o.code)
    cells = {(g.region_id, g.occupation_id): g for g in gaps}
    top = max(g.shortfall for g in gaps)
    rows = []
    for region in regions:
        row = []
        for occupation in occupations:
            gap = cells.get((region.pk, occupation.code))
            # A square root keeps small shortfalls visible next to one very large one.
            shade = round((gap.shortfall / top) ** 0.5, 2) if gap else 0
            row.append({"gap": gap, "shade": shade, **_heat_colour(shade)})
        rows.append({"region": region, "cells": row})
    # The legend: the colour of a few shortfalls from 1 worker to the largest, as the cells draw them.
    steps = sorted({1, max(1, round(top / 10)), max(1, round(top / 3)), top})
    legend = [{"shortfall": n, **_heat_colour(round((n / top) ** 0.5, 2))} for n in steps]
    return {"occupations": occupations, "rows": rows, "max": top, "legend": legend, "count": len(gaps)}


def _heat_colour(shade: float) -> dict:
    """Alpha of the red over white, and whether the figure is printed white.

    Light cells (alpha <= 0.5) keep dark text, dark cells (alpha >= 0.8) white text: both stay above
    WCAG AA contrast (4.5:1); the band in between, where neither would, is skipped.
    """
    if shade <= 0.6:
        return {"alpha": round(0.08 + 0.42 * shade / 0.6, 2), "dark": False}
    return {"alpha": round(0.8 + 0.2 * (shade - 0.6) / 0.4, 2), "dark": True}


# Projects drawn in the results-chain chart: beyond this a bar chart stops being readable.
RESULTS_CHART_PROJECTS = 15


def results_chain_chart(projects, results) -> dict | None:
    """Pass rate, employment rate and income change per project that has outcomes (percent)."""
    from django.utils.translation import gettext

    measured = [p for p in projects if results.get(p.pk) and results[p.pk].completed][:RESULTS_CHART_PROJECTS]
    if not measured:
        return None

    def pct(value, scale=100):
        return None if value is None else round(float(value) * scale, 1)

    return {
        "labels": [p.display_title for p in measured],
        "datasets": [
            {"label": gettext("Certification pass rate"), "data": [pct(results[p.pk].pass_rate) for p in measured]},
            {"label": gettext("Employment rate (6 months)"), "data": [pct(results[p.pk].employment_rate) for p in measured]},
            {"label": gettext("Income change"), "data": [pct(results[p.pk].income_change_pct, 1) for p in measured]},
        ],
    }
