"""E-mail notifications of gap review and projects, through Django's mail backend.

Every public function here schedules its mail with transaction.on_commit: called inside a
transaction, nothing is sent unless it commits; called outside one, mail goes at once. Users
without an e-mail address or inactive are skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role
from core import text
from core.quarters import Quarter

logger = logging.getLogger(__name__)

# A condition is announced this many days before its due date, and an open one is reminded of
# again at most once a week after that, so owners are not mailed daily.
CONDITION_REMINDER_LEAD_DAYS = 7
CONDITION_REMINDER_INTERVAL_DAYS = 7


def _send(messages: list[tuple[str, str, list[str]]]) -> int:
    datatuple = [(subject, body, settings.DEFAULT_FROM_EMAIL, to) for subject, body, to in messages if to]
    if not datatuple:
        return 0
    return send_mass_mail(datatuple, fail_silently=False)


def _emails(users: Iterable) -> list[str]:
    return sorted({u.email for u in users if u.email and u.is_active})


def _emails_by_language(users: Iterable) -> list[tuple[str, list[str]]]:
    """The users' addresses grouped by the language each reads (preferred_language, else the
    site's): every mail is composed once per language, under translation.override, so each reader
    gets names, dates and sentences in their own language."""
    by_language: dict[str, set[str]] = {}
    for user in users:
        if user.email and user.is_active:
            language = text.page_language(user.preferred_language or settings.LANGUAGE_CODE)
            by_language.setdefault(language, set()).add(user.email)
    return [(language, sorted(emails)) for language, emails in sorted(by_language.items())]


def _reviewers():
    User = get_user_model()
    return User.objects.filter(Q(groups__name=Role.REVIEWER) | Q(is_superuser=True), is_active=True).distinct()


def notify_new_gaps(gap_ids: Iterable[int]) -> None:
    """Tell reviewers that gaps arrived (after a match run); the express lane's gaps come first."""
    ids = sorted({int(i) for i in gap_ids})
    if ids:
        transaction.on_commit(lambda: _send_new_gaps(ids))


def _send_new_gaps(ids: list[int]) -> None:

    from gaps import recommendation_dates
    from gaps.models import Gap

    from .models import GapDecision

    decided = GapDecision.objects.filter(gap_id__in=ids).values("gap_id")
    gaps = list(
        Gap.objects.filter(pk__in=ids, is_active=True)
        .exclude(pk__in=decided)
        .select_related("region", "occupation")
        .order_by("-new_on_list", "-shortfall", "pk")
    )
    if not gaps:
        return
    today = timezone.localdate()
    # By when a decision still lets training finish: the review queue's act_by (the need date minus
    # the shortest training known for the occupation), so the mail asks no one to act too late.
    leads = recommendation_dates.gaps_lead_times(gaps)  # those the quarter's current run stored
    act_by = {}
    for gap in gaps:
        need = gap.need_date or Quarter.parse(gap.quarter, bounded=False).start
        act_by[gap.pk] = recommendation_dates.gap_act_by(need, leads[gap.quarter].get(gap.occupation_id, (None, None))[1])
    messages = []
    for language, emails in _emails_by_language(_reviewers()):
        with translation.override(language):
            lines = [
                "- %s%s" % (
                    _("[express lane] ") if gap.new_on_list else "",
                    _("%(occupation)s, %(region)s, %(quarter)s: shortfall %(n)s; %(act_by)s") % {
                        "occupation": text.occupation_label(gap.occupation_id),
                        "region": text.region_label(gap.region.code),
                        "quarter": text.quarter_name(gap.quarter),
                        "n": text.format_number(gap.shortfall),
                        "act_by": text.format_act_by(act_by[gap.pk], today=today),
                    },
                )
                for gap in gaps
            ]
            subject = ngettext("%(n)s new gap awaits review", "%(n)s new gaps await review", len(gaps)) % {
                "n": text.format_number(len(gaps))}
            body = (_("These gaps are waiting for a decision in the review queue:") + "\n\n" + "\n".join(lines)
                    + "\n\n" + _("The act-by date is the last day an intake can start and still finish by the need "
                                  "date; past it, only next season can be planned.") + "\n")
        messages.extend((subject, body, [email]) for email in emails)
    _send(messages)


def notify_project_created(project_id: int) -> None:
    """A gap was approved: the officials of its region and any colleges already named hear of it."""
    transaction.on_commit(lambda: _send_project_created(project_id))


def _send_project_created(project_id: int) -> None:
    from .models import CooperationProject

    project = (
        CooperationProject.objects.select_related("origin_gap__region", "lead_college").filter(pk=project_id).first()
    )
    if project is None:
        return
    officials = project.origin_gap.region.members.filter(groups__name=Role.OFFICIAL)
    gap = project.origin_gap
    today = timezone.localdate()
    due = project.conditions.open().order_by("due_date").values_list("due_date", flat=True).first()
    messages = []
    for language, emails in _emails_by_language(officials):
        with translation.override(language):
            subject = _("Gap approved: cooperation project \"%(title)s\"") % {"title": project.display_title}
            body = _(
                "The gap of your region was approved and became a fast-tracked cooperation project:\n\n%(title)s\n"
            ) % {"title": project.display_title}
            body += "\n" + _("%(occupation)s, %(region)s, %(quarter)s: shortfall %(n)s.") % {
                "occupation": text.occupation_label(gap.occupation_id), "region": text.region_label(gap.region.code),
                "quarter": text.quarter_name(gap.quarter), "n": text.format_number(gap.shortfall)} + "\n"
            if due:
                body += _("Its performance conditions are to be supplemented by %(date)s (%(left)s).") % {
                    "date": text.format_date(due), "left": text.format_days_left(due, today=today)} + "\n"
        messages += [(subject, body, [email]) for email in emails]
    _send(messages)
    college_ids = list(project.partner_colleges.values_list("pk", flat=True))
    if project.lead_college_id:
        college_ids.append(project.lead_college_id)
    if college_ids:
        _send_colleges_named(project_id, college_ids)


def notify_colleges_named(project_id: int, college_ids: Iterable[int]) -> None:
    """Staff of colleges a project now names (lead or partner) hear of it."""
    ids = sorted(set(college_ids))
    if ids:
        transaction.on_commit(lambda: _send_colleges_named(project_id, ids))


def _send_colleges_named(project_id: int, college_ids: list[int]) -> None:
    from training.models import College

    from .models import CooperationProject

    project = CooperationProject.objects.filter(pk=project_id).first()
    if project is None:
        return
    messages = []
    for college in College.objects.filter(pk__in=college_ids).prefetch_related("staff"):
        for language, emails in _emails_by_language(college.staff.all()):
            with translation.override(language):
                role = _("lead college") if college.pk == project.lead_college_id else _("partner college")
                subject = _("%(college)s named in cooperation project \"%(title)s\"") % {
                    "college": college.display_name, "title": project.display_title}
                body = _("%(college)s is the %(role)s of the cooperation project \"%(title)s\".\n") % {
                    "college": college.display_name, "role": role, "title": project.display_title}
            messages += [(subject, body, [email]) for email in emails]
    _send(messages)


def remind_due_conditions(*, today: dt.date | None = None) -> int:
    """Remind project owners and lead-college staff of conditions falling due or overdue.

    A condition is claimed with a conditional update of `reminded_on` before its mail is built, so
    two beat runs never remind of it twice on one day. Returns the number of conditions reminded of.
    """
    from .models import ProjectCondition

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=CONDITION_REMINDER_LEAD_DAYS)
    not_recent = Q(reminded_on__isnull=True) | Q(reminded_on__lte=today - dt.timedelta(days=CONDITION_REMINDER_INTERVAL_DAYS))
    due = (
        ProjectCondition.objects.open()
        .filter(due_date__lte=horizon, project__status__in=["fast_tracked", "active"])
        .filter(not_recent)
        .values_list("pk", flat=True)
    )
    claimed = []
    for pk in due:
        if ProjectCondition.objects.filter(pk=pk).filter(not_recent).update(reminded_on=today):
            claimed.append(pk)
    if not claimed:
        return 0
    conditions = (
        ProjectCondition.objects.filter(pk__in=claimed)
        .select_related("project__owner", "project__lead_college")
        .prefetch_related("project__lead_college__staff")
        .order_by("project_id", "due_date")
    )
    by_project: dict[int, list] = {}
    for condition in conditions:
        by_project.setdefault(condition.project_id, []).append(condition)
    messages = []
    for items in by_project.values():
        project = items[0].project
        recipients = [project.owner] if project.owner else []
        if project.lead_college:
            recipients += list(project.lead_college.staff.all())
        for language, emails in _emails_by_language(recipients):
            with translation.override(language):
                lines = [
                    "- %s: %s"
                    % (
                        (_("OVERDUE since %(date)s") if c.due_date < today else _("due %(date)s"))
                        % {"date": text.format_date(c.due_date)},
                        c.display_text,
                    )
                    for c in items
                ]
                subject = _("Conditions of \"%(title)s\" fall due") % {"title": project.display_title}
                body = (
                    _("These performance conditions of the cooperation project \"%(title)s\" must be supplemented:")
                    % {"title": project.display_title}
                    + "\n\n"
                    + "\n".join(lines)
                    + "\n"
                )
            messages += [(subject, body, [email]) for email in emails]
    transaction.on_commit(lambda: _send(messages))
    logger.info("reminded of %d due condition(s) in %d project(s)", len(claimed), len(by_project))
    return len(claimed)


# Enough to act on; the full ranked list is in the college's recommendations page and API.
RECOMMENDATIONS_PER_MAIL = 10


def notify_college_recommendations(run_id: int) -> None:
    """Tell each college's staff about recommendations a match run addressed to it (after commit).

    Only recommendations that the quarter's previous successful run did not already make are
    announced, so re-matching after an unrelated resubmission does not mail every college again.
    """
    # The matching calls this after its swap and before its clean-up, which deletes the previous
    # run's rows that tell what is new; sent once the caller's transaction (if any) commits.
    messages = _college_recommendation_messages(int(run_id))
    if messages:
        transaction.on_commit(lambda: _send(messages))


# What makes a recommendation "the same" as one the previous run already made.
RECOMMENDATION_KEY = ("kind", "college_code", "program_code", "region_code", "occupation_code")


def _college_recommendation_messages(run_id: int) -> list:
    import gaps.models as gap_models
    from training.models import College

    Recommendation = getattr(gap_models, "Recommendation", None)
    MatchRun = getattr(gap_models, "MatchRun", None)
    if Recommendation is None or MatchRun is None:
        return []
    run = MatchRun.objects.filter(pk=run_id).first()
    if run is None:
        return []
    previous = (
        # A run that found nothing changed wrote no rows: the one before it is what it stood for.
        MatchRun.objects.filter(quarter=run.quarter, status="succeeded", pk__lt=run.pk, unchanged_since__isnull=True)
        .order_by("-pk").first()
    )
    # Keys only: a full-scale run makes hundreds of thousands of recommendations. Whole rows are
    # loaded just for what goes in a mail.
    seen = set(Recommendation.objects.filter(run=previous).values_list(*RECOMMENDATION_KEY)) if previous else set()
    shown: dict[str, list[int]] = {}
    totals: dict[str, int] = {}
    from gaps import recommendation_dates

    # Those still in time first, as on the pages (SPEC.md: the others ranked after them, marked).
    ranked = recommendation_dates.rank_feasible_first(
        Recommendation.objects.filter(run=run), today=timezone.localdate(), then=("-score", "pk"),
    ).values_list("pk", *RECOMMENDATION_KEY)
    for pk, *key in ranked.iterator(chunk_size=5000):
        if tuple(key) in seen:
            continue
        college_code = key[1]
        totals[college_code] = totals.get(college_code, 0) + 1
        if len(shown.setdefault(college_code, [])) < RECOMMENDATIONS_PER_MAIL:
            shown[college_code].append(pk)
    if not totals:
        return []
    rows = Recommendation.objects.in_bulk([pk for pks in shown.values() for pk in pks])
    messages = []
    from gaps.matching.flags import prime_flag_names

    for college in College.objects.filter(code__in=totals).prefetch_related("staff"):
        recs = [rows[pk] for pk in shown[college.code]]
        prime_flag_names(recs)  # the sentences' program titles in one query
        total, more = totals[college.code], totals[college.code] - len(recs)
        for language, emails in _emails_by_language(college.staff.all()):
            with translation.override(language):
                lines = [f"- {rec.detail}" for rec in recs]  # each sentence starts with what to do
                if more > 0:
                    lines.append(_("... and %(n)s more.") % {"n": text.format_number(more)})
                subject = ngettext(
                    "%(n)s new recommendation for %(college)s, %(quarter)s",
                    "%(n)s new recommendations for %(college)s, %(quarter)s", total,
                ) % {"n": text.format_number(total), "college": college.display_name,
                     "quarter": text.quarter_name(run.quarter)}
                body = _("The matching of %(quarter)s recommends to %(college)s:") % {
                    "quarter": text.quarter_name(run.quarter), "college": college.display_name,
                } + "\n\n" + "\n".join(lines) + "\n"
            messages += [(subject, body, [email]) for email in emails]
    return messages


# --- the early warning ---------------------------------------------------------------------------


def _warning_recipients(warning) -> list:
    """Who hears that a warning entered act_now: the region's officials, and the staff of colleges
    that could act: a program of theirs trains the occupation and serves the region (a program
    serving no listed region serves every region), or a forward recommendation of the warning
    names the college."""
    from training.models import College

    User = get_user_model()
    officials = User.objects.filter(groups__name=Role.OFFICIAL, regions=warning.region_id)
    trains_here = Q(programs__occupations=warning.occupation_id) & (
        Q(programs__serves_regions=warning.region_id) | Q(programs__serves_regions__isnull=True)
    )
    recommended = Q(pk__in=warning.recommendations.values("college_id"))
    colleges = College.objects.filter(trains_here | recommended).values("pk")
    staff = User.objects.filter(groups__name=Role.COLLEGE_STAFF, colleges__in=colleges)
    users = {u.pk: u for u in list(officials) + list(staff) if u.email and u.is_active}
    return sorted(users.values(), key=lambda u: u.pk)


def _warning_message(warning, user, *, today: dt.date) -> tuple[str, str, list[str]]:
    """The mail of a warning that entered act_now or short_course_only, in the recipient's language
    (their preferred one, else the site's). A short-course-only warning names the short course's last
    day, not the full program's act-by, which has passed."""

    from core import text
    from gaps.models import WarningStatus
    from gaps.warning_selectors import warning_detail

    short = warning.status == WarningStatus.SHORT_COURSE_ONLY
    language = text.page_language(user.preferred_language or settings.LANGUAGE_CODE)
    with translation.override(language):
        values = {
            "occupation": text.occupation_name(warning.occupation_id),
            "region": text.region_name(warning.region.code),
            "quarter": text.quarter_name(warning.quarter),
            "act_by": text.format_act_by(warning.short_course_by if short else warning.act_by, today=today),
        }
        if short:
            subject = _("Short course only: %(occupation)s in %(region)s, %(quarter)s") % values
            lead = _("The early warning expects a shortfall that a full program can no longer meet in time; "
                     "a short course still can if it starts soon.")
            act = _("To train in time, start a short course: %(act_by)s.") % values
        else:
            subject = _("Act now: %(occupation)s in %(region)s, %(quarter)s") % values
            lead = _("The early warning expects a shortfall that training can still meet if someone acts now.")
            act = _("To train in time, start an intake: %(act_by)s.") % values
        body = (
            lead + "\n\n" + warning_detail(warning, today=today) + "\n\n" + act + "\n"
            + _("The early-warning board shows what is planned and what each college could open or expand.")
            + "\n"
        )
    return subject, body, [user.email]


def notify_warnings_act_now(*, today: dt.date | None = None) -> int:
    """Mail each warning that entered `act_now` or `short_course_only` (SPEC.md "Act by": a full program is
    too late, a short course still in time) to its region's officials and the colleges that could act,
    while its deadline (act_by, or short_course_by) has not passed: once per warning and status, so an
    entry mailed as act_now is mailed again when only a short course is left, and an entry that became
    short-course-only without passing through act_now is mailed too.

    Never twice for the same warning and status, whatever the concurrency: the WarningNotice row
    (unique per warning and status) is inserted first, in the warning's own transaction; a second
    run inserting the same row waits for the first and then fails on the constraint, and skips the
    warning. The mail goes after that transaction commits. Returns the number of warnings announced.
    """
    from gaps.models import EarlyWarning, WarningNotice, WarningStatus

    today = today or timezone.localdate()
    pending = [
        (pk, status)
        for status, in_time in ((WarningStatus.ACT_NOW, Q(act_by__gte=today)),
                                (WarningStatus.SHORT_COURSE_ONLY, Q(short_course_by__gte=today)))
        for pk in EarlyWarning.objects.filter(in_time, is_active=True, status=status)
        .exclude(notices__status=status)
        .order_by("act_by", "pk")
        .values_list("pk", flat=True)
    ]
    announced = 0
    for warning_id, status in pending:
        with transaction.atomic():
            warning = EarlyWarning.objects.select_related("region", "occupation").get(pk=warning_id)
            if warning.status != status:
                continue  # recomputed since it was listed: the next run announces its new status
            try:
                with transaction.atomic():
                    notice = WarningNotice.objects.create(warning_id=warning_id, status=status)
            except IntegrityError:
                continue  # another run claimed it
            recipients = _warning_recipients(warning)
            messages = [_warning_message(warning, user, today=today) for user in recipients]
            notice.recipients = len(messages)
            notice.save(update_fields=["recipients"])
            transaction.on_commit(lambda messages=messages: _send(messages))
            announced += 1
    if announced:
        logger.info("announced %d early warning(s) entering act_now or short_course_only", announced)
    return announced
