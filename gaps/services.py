"""Write operations on reports (HackSoft style: keyword-only services that own their transaction).

Every status change goes through one function here: it locks the report row, checks the
transition against ALLOWED_TRANSITIONS, writes the change (django-simple-history records who and
when), and schedules what follows after commit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.permissions import can_edit_region_reports, is_admin

from .models import GapReport, GapReportLine, Occupation, Region, ReportStatus

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    ReportStatus.DRAFT: {ReportStatus.SUBMITTED},
    ReportStatus.SUBMITTED: {ReportStatus.WITHDRAWN, ReportStatus.SUPERSEDED},
    ReportStatus.WITHDRAWN: set(),
    ReportStatus.SUPERSEDED: set(),
}

LINE_FIELDS = (
    "occupation",
    "occupation_title",
    "coding_confidence",
    "sector",
    "headcount",
    "salary_min",
    "salary_max",
    "currency",
    "season_start",
    "season_end",
    "certification",
    "languages",
    "note",
)


class TransitionError(ValidationError):
    """A status change that the report's current status does not allow."""


def _check_transition(report: GapReport, target: str) -> None:
    if target not in ALLOWED_TRANSITIONS[report.status]:
        raise TransitionError(
            _("A %(status)s report cannot become %(target)s.") % {"status": report.status, "target": target},
            code="invalid_transition",
        )


def _require_editor(user, region: Region) -> None:
    # Administrators may do everything (SPEC's role table); user=None is a trusted caller (commands).
    if user is not None and not (is_admin(user) or can_edit_region_reports(user, region)):
        raise PermissionDenied(_("You may only file reports for the regions you belong to."))


def _audit(instance, user):
    """Name the acting user in the history row the next save writes.

    The history middleware only knows the user of a web request; commands and services called
    directly would otherwise leave history_user empty.
    """
    if user is not None:
        instance._history_user = user
    return instance


def schedule_rematch(quarter: str, *, trigger: str) -> None:
    """Queue a re-match of the quarter once the transaction commits (gaps.matching, issue 3)."""
    try:
        from gaps.matching.scheduling import schedule_quarter_rematch
    except ImportError:  # matching not installed yet
        return
    schedule_quarter_rematch(quarter=quarter, trigger=trigger)


@transaction.atomic
def report_create(*, region: Region, quarter: str, user=None) -> GapReport:
    """Open a draft report for a region and quarter, or return the open draft if there is one."""
    _require_editor(user, region)
    report = GapReport(region=region, quarter=quarter, created_by=user)
    report.full_clean(validate_unique=False, validate_constraints=False)
    existing = GapReport.objects.select_for_update().filter(region=region, quarter=quarter, status=ReportStatus.DRAFT).first()
    if existing:
        return existing
    _audit(report, user).save()
    return report


def _touch(report_id: int) -> None:
    """A change to a report's lines is a change to the report: its "Last change" moves (the line's
    own history keeps what changed; no report history row is written for it)."""
    GapReport.objects.filter(pk=report_id).update(updated_at=timezone.now())


def _next_line_no(report: GapReport) -> int:
    last = report.lines.order_by("-line_no").values_list("line_no", flat=True).first()
    return (last or 0) + 1


def _lock_editable(report: GapReport, user) -> GapReport:
    locked = GapReport.objects.select_for_update().select_related("region").get(pk=report.pk)
    _require_editor(user, locked.region)
    if not locked.is_editable:
        raise ValidationError(
            _("Only draft reports can be edited; this one is %(status)s.") % {"status": locked.status},
            code="not_editable",
        )
    return locked


@transaction.atomic
def report_line_add(*, report: GapReport, user=None, **fields: Any) -> GapReportLine:
    report = _lock_editable(report, user)
    line = GapReportLine(report=report, line_no=_next_line_no(report), **fields)
    line.full_clean(exclude=["report"])
    _audit(line, user).save()
    _touch(report.pk)
    return line


@transaction.atomic
def report_line_update(*, line: GapReportLine, user=None, **fields: Any) -> GapReportLine:
    _lock_editable(line.report, user)
    for name, value in fields.items():
        if name not in LINE_FIELDS:
            raise ValidationError({name: _("This field cannot be changed.")})
        setattr(line, name, value)
    line.full_clean(exclude=["report"])
    _audit(line, user).save()
    _touch(line.report_id)
    return line


@transaction.atomic
def report_line_delete(*, line: GapReportLine, user=None) -> None:
    _lock_editable(line.report, user)
    _audit(line, user).delete()
    _touch(line.report_id)


def _delete_lines_with_history(lines: list[GapReportLine], user) -> None:
    """Delete lines with one history INSERT and one DELETE.

    A queryset delete() sends post_delete per line, and django-simple-history answers each with
    its own INSERT: re-importing a 10,000-line draft took most of a minute. The history rows
    written here are the same ("-" rows, who and when); draft lines have no dependents.
    """
    if not lines:
        return
    history = GapReportLine.history.model
    now = timezone.now()
    history.objects.bulk_create(
        [
            history(
                history_date=now,
                history_user=user if user is not None else history.get_default_history_user(line),
                history_change_reason="",
                history_type="-",
                **{field.attname: getattr(line, field.attname) for field in history.tracked_fields},
            )
            for line in lines
        ],
        batch_size=1000,
    )
    # The DELETE Django's collector issues itself when no signals listen (no dependents to cascade:
    # matching's LineOutcome refers to lines without a database constraint, and only to submitted ones).
    GapReportLine.objects.filter(pk__in=[line.pk for line in lines])._raw_delete(GapReportLine.objects.db)


@transaction.atomic
def report_replace_lines(
    *, report: GapReport, lines: list[dict[str, Any]], user=None, prevalidated: bool = False
) -> list[GapReportLine]:
    """Replace every line of a draft report (used by imports): all or nothing.

    `prevalidated=True` is for callers that checked every line against the model's rules already
    (the imports check whole files before writing): the per-line database round trips of
    full_clean (the occupation lookup and one query per check constraint, ~6 a line) are
    skipped, the field checks stay, and PostgreSQL's constraints still hold.
    """
    report = _lock_editable(report, user)
    _delete_lines_with_history(list(report.lines.all()), user)
    created = []
    for number, fields in enumerate(lines, start=1):
        line = GapReportLine(report=report, line_no=number, **fields)
        if prevalidated:
            line.full_clean(exclude=["report", "occupation"], validate_unique=False, validate_constraints=False)
        else:
            line.full_clean(exclude=["report"])
        created.append(line)
    # With history: a plain bulk_create writes no audit rows (SPEC: every change is kept).
    bulk_create_with_history(created, GapReportLine, batch_size=1000, default_user=user)
    _touch(report.pk)
    return created


@transaction.atomic
def report_submit(*, report: GapReport, user=None) -> GapReport:
    """Submit a draft. A region's earlier submitted report for the quarter becomes superseded.

    Queues a re-match of the quarter after commit. Submitting twice raises TransitionError.
    """
    report = GapReport.objects.select_for_update().select_related("region").get(pk=report.pk)
    _require_editor(user, report.region)
    _check_transition(report, ReportStatus.SUBMITTED)
    if not report.lines.exists():
        raise ValidationError(_("A report needs at least one line before it can be submitted."), code="empty_report")
    previous = (
        GapReport.objects.select_for_update()
        .filter(region=report.region, quarter=report.quarter, status=ReportStatus.SUBMITTED)
        .first()
    )
    if previous is not None:
        previous.status = ReportStatus.SUPERSEDED
        previous.superseded_by = report
        _audit(previous, user).save(update_fields=["status", "superseded_by", "updated_at"])
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    _audit(report, user).save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    schedule_rematch(report.quarter, trigger="report_submitted")
    return report


@transaction.atomic
def report_withdraw(*, report: GapReport, user=None) -> GapReport:
    """Withdraw a submitted report: its lines leave the quarter's matching."""
    report = GapReport.objects.select_for_update().select_related("region").get(pk=report.pk)
    _require_editor(user, report.region)
    _check_transition(report, ReportStatus.WITHDRAWN)
    report.status = ReportStatus.WITHDRAWN
    report.withdrawn_at = timezone.now()
    _audit(report, user).save(update_fields=["status", "withdrawn_at", "updated_at"])
    schedule_rematch(report.quarter, trigger="report_withdrawn")
    return report


@transaction.atomic
def report_revise(*, report: GapReport, user=None) -> GapReport:
    """Start a new draft from a submitted or withdrawn report's lines (to amend and resubmit)."""
    source = GapReport.objects.select_related("region").get(pk=report.pk)
    _require_editor(user, source.region)
    if source.status == ReportStatus.DRAFT:
        raise ValidationError(_("This report is still a draft; edit it instead of revising it."), code="not_revisable")
    if GapReport.objects.filter(region=source.region, quarter=source.quarter, status=ReportStatus.DRAFT).exists():
        raise ValidationError(_("This region already has a draft for the quarter; edit that one."), code="draft_exists")
    draft = report_create(region=source.region, quarter=source.quarter, user=user)
    copies = []
    for line in source.lines.all():
        line.pk = None
        line.id = None
        line.report = draft
        copies.append(line)
    bulk_create_with_history(copies, GapReportLine, default_user=user)
    return draft


@transaction.atomic
def line_set_occupation(*, line: GapReportLine, occupation: Occupation, user=None) -> GapReportLine:
    """Pick the unit group of a line (SPEC: an UNCODED line waits for an official to pick the code).

    Allowed on any line of a draft, and on an uncoded line of a submitted report: coding it does
    not change what the region asked for, only resolves the title, so the report stays submitted
    and the quarter is re-matched after commit. The change is kept in the line's history.
    """
    report = GapReport.objects.select_for_update().select_related("region").get(pk=line.report_id)
    _require_editor(user, report.region)
    line = GapReportLine.objects.select_for_update().get(pk=line.pk)
    if occupation.level != Occupation.Level.UNIT:
        raise ValidationError({"occupation": _("Pick an ISCO-08 unit group (4 digits), not %(code)s.") % {"code": occupation.code}})
    if report.status == ReportStatus.SUBMITTED:
        if line.occupation_id is not None:
            raise ValidationError(
                _("Only uncoded lines of a submitted report can be coded; revise the report to change a coded line."),
                code="not_codable",
            )
    elif report.status != ReportStatus.DRAFT:
        raise ValidationError(
            _("Lines of a %(status)s report cannot be changed.") % {"status": report.status}, code="not_codable"
        )
    line.occupation = occupation
    # A person picked the code: full confidence, unlike a search result.
    line.coding_confidence = 1.0
    _audit(line, user).save(update_fields=["occupation", "coding_confidence"])
    _touch(report.pk)
    if report.status == ReportStatus.SUBMITTED:
        schedule_rematch(report.quarter, trigger="line_coded")
    return line
