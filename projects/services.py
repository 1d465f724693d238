"""Write operations of gap review and the project repository (keyword-only services).

Each service owns its transaction, locks the row it changes with select_for_update, checks the
change (ALLOWED_TRANSITIONS for project status), writes it (django-simple-history records who,
when and what), and sends notifications only after commit.

Decisions on gaps are final: one GapDecision per gap (a unique constraint), so approving an
approved or rejected gap, or rejecting a decided one, is a DecisionConflict. An administrator
re-opens a rejected gap by deleting its decision in the admin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import text
from core.permissions import can_review
from gaps.models import Gap

from .choices import DecisionKind, ProjectStatus
from .models import CohortOutcome, CooperationProject, GapDecision, ProjectCondition

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    ProjectStatus.FAST_TRACKED: {ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED},
    ProjectStatus.ACTIVE: {ProjectStatus.COMPLETED, ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED},
    # A suspended project resumes to the status it was suspended from (status_before_suspension).
    ProjectStatus.SUSPENDED: {ProjectStatus.FAST_TRACKED, ProjectStatus.ACTIVE, ProjectStatus.CANCELLED},
    ProjectStatus.COMPLETED: set(),
    ProjectStatus.CANCELLED: set(),
}

DEFAULT_CONDITION_TEXT = gettext_lazy(
    "Supplement the performance conditions: lead college, programs, planned trainees and intake date, "
    "budget and funding source, and targets for certification pass rate, employment and income."
)

PROJECT_FIELDS = (
    "title",
    "lead_college",
    "planned_trainees",
    "planned_intake_date",
    "budget_amount",
    "budget_currency",
    "funding_source",
)
PROJECT_M2M_FIELDS = ("partner_colleges", "programs", "gaps")
CONDITION_FIELDS = ("text", "due_date")
OUTCOME_FIELDS = (
    "cohort",
    "enrolled",
    "completed",
    "passed_assessment",
    "employed_6m",
    "income_before",
    "income_after",
    "income_currency",
    "income_before_on",
    "income_after_on",
)


class DecisionConflict(Exception):
    """The gap was already decided (possibly a moment ago, by another reviewer). HTTP 409."""

    def __init__(self, decision: GapDecision | None, message: str):
        self.decision = decision
        super().__init__(message)


class TransitionError(ValidationError):
    """A project status change that its current status does not allow."""


def _audited(instance, user):
    """Record `user` in the audit history of this save, also outside a request (commands, tests)."""
    if user is not None:
        instance._history_user = user
    return instance


def written_in_every_language(write, *, field: str = "title", max_length: int | None = 300) -> dict:
    """`write()` called under each of settings.LANGUAGES, as model fields: {field: in the current
    language, field + "_translations": {language: text, ..., "_as_written": the text}} (a
    CooperationProject's title, a ProjectCondition's text: shown in the reader's language while unchanged)."""
    from django.conf import settings as django_settings
    from django.utils import translation

    def cut(value):
        return str(value)[:max_length] if max_length else str(value)

    written = cut(write())
    translations = {}
    for code, _name in django_settings.LANGUAGES:
        with translation.override(code):
            translations[code] = cut(write())
    translations["_as_written"] = written
    return {field: written, f"{field}_translations": translations}


def default_condition_text() -> dict:
    """The first condition of a fast-tracked project, in every language (ProjectCondition fields)."""
    return written_in_every_language(lambda: str(DEFAULT_CONDITION_TEXT), field="text", max_length=None)


def gap_project_title(gap) -> dict:
    """The title of the project an approved gap becomes, in every language (see above)."""
    return written_in_every_language(lambda: _("%(occupation)s in %(region)s, %(quarter)s") % {
        "occupation": gap.occupation.title, "region": gap.region.name, "quarter": text.quarter_name(gap.quarter)})


def _require_reviewer(user) -> None:
    if user is not None and not can_review(user):
        raise PermissionDenied(_("Only ministry reviewers decide gaps and manage projects."))


def _conflict(decision: GapDecision) -> DecisionConflict:
    return DecisionConflict(
        decision,
        _("This gap was already %(decision)s by %(who)s at %(when)s; decisions are final.")
        % {
            "decision": decision.get_decision_display().lower(),
            "who": decision.decided_by or _("an unknown user"),
            "when": decision.decided_at.isoformat(timespec="seconds"),
        },
    )


def _lock_undecided_gap(gap_id: int) -> Gap:
    """Lock the gap row, so simultaneous decisions on it queue up here; the first one wins."""
    gap = Gap.objects.select_for_update(of=("self",)).select_related("region", "occupation").get(pk=gap_id)
    existing = GapDecision.objects.filter(gap=gap).select_related("decided_by").first()
    if existing is not None:
        raise _conflict(existing)
    return gap


def _save_decision(decision: GapDecision) -> GapDecision:
    # The lock above serialises deciders; the unique gap column is the backstop if a caller
    # ever skips the lock (a savepoint keeps the outer transaction usable).
    try:
        with transaction.atomic():
            _audited(decision, decision.decided_by).save()
    except IntegrityError:
        existing = GapDecision.objects.select_related("decided_by").filter(gap_id=decision.gap_id).first()
        if existing is None:
            raise
        raise _conflict(existing) from None
    return decision


@transaction.atomic
def gap_approve(*, gap: Gap | int, user=None, comment: str = "") -> CooperationProject:
    """Approve a gap: creates exactly one cooperation project for it, in `fast_tracked`.

    Whatever the concurrency, a gap gets one decision and at most one project: the gap row is
    locked, and unique constraints (one decision per gap, one project per originating gap) back
    the lock. A gap already decided raises DecisionConflict. The project starts with one condition,
    due CONDITIONS_DUE_DAYS after approval. Reviewers and colleges hear of it after commit.
    """
    _require_reviewer(user)
    gap = _lock_undecided_gap(gap.pk if isinstance(gap, Gap) else gap)
    if not gap.is_active:
        raise ValidationError(
            _("This gap is no longer in the current matching results; it cannot be approved."), code="gap_inactive"
        )
    now = timezone.now()
    decision = _save_decision(
        GapDecision(gap=gap, decision=DecisionKind.APPROVED, comment=comment, decided_by=user, decided_at=now)
    )
    project = CooperationProject(
        **gap_project_title(gap),
        origin_gap=gap,
        decision=decision,
        owner=user,
        approved_at=now,
        status=ProjectStatus.FAST_TRACKED,
        status_changed_at=now,
    )
    _audited(project, user).save()
    project.gaps.add(gap)
    _audited(
        ProjectCondition(
            project=project, **default_condition_text(), due_date=project.default_condition_due_date(),
            created_by=user,
        ),
        user,
    ).save()
    from . import notifications

    notifications.notify_project_created(project.pk)
    return project


class WarningConflict(Exception):
    """The warning was already fast-tracked (possibly a moment ago, by another reviewer). HTTP 409."""

    def __init__(self, project: CooperationProject | None, message: str):
        self.project = project
        super().__init__(message)


def _warning_conflict(project: CooperationProject) -> WarningConflict:
    return WarningConflict(
        project,
        _("This early warning was already fast-tracked into the cooperation project “%(title)s”.")
        % {"title": project.display_title},
    )


@transaction.atomic
def warning_fast_track(*, warning, user=None, comment: str = "") -> CooperationProject:
    """Fast-track an early-warning entry into a cooperation project, the way an approved gap becomes one.

    The project's gap is the entry's (region, quarter, occupation) Gap: the one matching already
    made for that quarter if any, else one created from the entry's figures and left out of the
    current results (`is_active=False`) until that quarter's matching refreshes it in place. That
    gap is approved (GapDecision) with the reviewer's comment, and the project starts
    `fast_tracked` with its first condition, like gap_approve's.

    One project per warning, whatever the concurrency: the warning row is locked, and
    CooperationProject.origin_warning is unique. A warning already fast-tracked raises
    WarningConflict; a warning whose gap was already approved joins that gap's project; one whose
    gap was rejected raises DecisionConflict (decisions are final).
    """
    from gaps.models import EarlyWarning

    _require_reviewer(user)
    warning_id = warning.pk if isinstance(warning, EarlyWarning) else warning
    warning = (
        EarlyWarning.objects.select_for_update(of=("self",)).select_related("region", "occupation").get(pk=warning_id)
    )
    existing = CooperationProject.objects.filter(origin_warning=warning).first()
    if existing is not None:
        raise _warning_conflict(existing)
    if not warning.is_active:
        raise ValidationError(
            _("This early warning is no longer in the latest computation; it cannot be fast-tracked."),
            code="warning_inactive",
        )
    gap, _created = Gap.objects.get_or_create(
        region=warning.region, quarter=warning.quarter, occupation=warning.occupation,
        defaults={
            "headcount": warning.headcount, "covered": warning.covered, "shortfall": warning.shortfall,
            "salary_min_cny": warning.salary_min_cny, "salary_max_cny": warning.salary_max_cny,
            "need_date": warning.need_date, "is_active": False,
        },
    )
    decision = GapDecision.objects.filter(gap=gap).select_related("decided_by").first()
    if decision is not None:
        project = CooperationProject.objects.select_for_update().filter(origin_gap=gap).first()
        if decision.decision != DecisionKind.APPROVED or project is None:
            raise _conflict(decision)
        if project.origin_warning_id is not None:
            raise _warning_conflict(project)
        project.origin_warning = warning
        _audited(project, user).save(update_fields=["origin_warning", "updated_at"])
        return project
    gap = _lock_undecided_gap(gap.pk)
    now = timezone.now()
    decision = _save_decision(
        GapDecision(
            gap=gap, decision=DecisionKind.APPROVED, decided_by=user, decided_at=now,
            comment=comment or _("Fast-tracked from the early warning (%(status)s, act by %(act_by)s).")
            % {"status": warning.get_status_display(), "act_by": text.format_date(warning.act_by)},
        )
    )
    project = CooperationProject(
        **gap_project_title(gap),
        origin_gap=gap,
        origin_warning=warning,
        decision=decision,
        owner=user,
        approved_at=now,
        status=ProjectStatus.FAST_TRACKED,
        status_changed_at=now,
        planned_trainees=warning.shortfall or None,
        planned_intake_date=warning.act_by if warning.act_by >= timezone.localdate() else None,
    )
    try:
        with transaction.atomic():
            _audited(project, user).save()
    except IntegrityError:
        existing = CooperationProject.objects.filter(origin_warning=warning).first()
        if existing is None:
            raise
        raise _warning_conflict(existing) from None
    project.gaps.add(gap)
    _audited(
        ProjectCondition(
            project=project, **default_condition_text(), due_date=project.default_condition_due_date(),
            created_by=user,
        ),
        user,
    ).save()
    from . import notifications

    notifications.notify_project_created(project.pk)
    return project


@transaction.atomic
def gap_reject(*, gap: Gap | int, user=None, comment: str) -> GapDecision:
    """Reject a gap; the reason (comment) is required and kept. A decided gap raises DecisionConflict."""
    _require_reviewer(user)
    if not (comment or "").strip():
        raise ValidationError({"comment": _("A rejection needs its reason.")}, code="reason_required")
    gap = _lock_undecided_gap(gap.pk if isinstance(gap, Gap) else gap)
    return _save_decision(
        GapDecision(gap=gap, decision=DecisionKind.REJECTED, comment=comment.strip(), decided_by=user)
    )


# --- Projects -----------------------------------------------------------------------------------


def _lock_project(project: CooperationProject | int) -> CooperationProject:
    pk = project.pk if isinstance(project, CooperationProject) else project
    return CooperationProject.objects.select_for_update(of=("self",)).get(pk=pk)


def _clean_project(project: CooperationProject) -> None:
    errors: dict[str, str] = {}
    if (project.budget_amount is None) != (not project.budget_currency):
        errors["budget_currency"] = _("A budget needs both an amount and an ISO 4217 currency.")
    elif project.budget_currency and not (len(project.budget_currency) == 3 and project.budget_currency.isupper()):
        errors["budget_currency"] = _("Give the currency as an ISO 4217 code, e.g. KZT, CNY, USD.")
    if project.budget_amount is not None and project.budget_amount < 0:
        errors["budget_amount"] = _("The budget cannot be negative.")
    if project.planned_trainees is not None and project.planned_trainees < 1:
        errors["planned_trainees"] = _("Planned trainees must be at least 1.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_update(*, project: CooperationProject | int, user=None, **fields: Any) -> CooperationProject:
    """Change a project's plan (not its status). Partner colleges exclude the lead college."""
    _require_reviewer(user)
    project = _lock_project(project)
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        raise ValidationError(_("A %(status)s project can no longer be changed.") % {"status": project.get_status_display()})
    unknown = set(fields) - set(PROJECT_FIELDS) - set(PROJECT_M2M_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    old_colleges = _college_ids(project)
    for name in PROJECT_FIELDS:
        if name in fields:
            setattr(project, name, fields[name])
    _clean_project(project)
    lead = project.lead_college_id
    partners = fields.get("partner_colleges")
    if lead and partners is not None and any(c.pk == lead for c in partners):
        raise ValidationError({"partner_colleges": _("The lead college cannot also be a partner.")})
    if lead and partners is None and project.partner_colleges.filter(pk=lead).exists():
        raise ValidationError({"lead_college": _("This college is already a partner; remove it there first.")})
    if "gaps" in fields and project.origin_gap_id not in {g.pk for g in fields["gaps"]}:
        raise ValidationError({"gaps": _("The originating gap stays on its project.")})
    _audited(project, user).save()
    for name in PROJECT_M2M_FIELDS:
        if name in fields:
            getattr(project, name).set(fields[name])
    new_colleges = _college_ids(project) - old_colleges
    if new_colleges:
        from . import notifications

        notifications.notify_colleges_named(project.pk, new_colleges)
    return project


def _college_ids(project: CooperationProject) -> set[int]:
    ids = set(project.partner_colleges.values_list("pk", flat=True))
    if project.lead_college_id:
        ids.add(project.lead_college_id)
    return ids


def _transition(project: CooperationProject | int, target: str, *, user, reason: str = "") -> CooperationProject:
    _require_reviewer(user)
    project = _lock_project(project)
    if target not in ALLOWED_TRANSITIONS[project.status]:
        raise TransitionError(
            _("A %(status)s project cannot become %(target)s.")
            % {"status": project.get_status_display().lower(), "target": ProjectStatus(target).label.lower()},
            code="invalid_transition",
        )
    project.status = target
    project.status_changed_at = timezone.now()
    project.status_reason = reason
    return _audited(project, user)


@transaction.atomic
def project_activate(*, project: CooperationProject | int, user=None, reason: str = "") -> CooperationProject:
    """fast_tracked -> active, once the conditions are supplemented and a lead college is named."""
    project = _transition(project, ProjectStatus.ACTIVE, user=user, reason=reason)
    problems = []
    if project.lead_college_id is None:
        problems.append(_("name a lead college"))
    if project.conditions.open().exists():
        problems.append(_("supplement every condition"))
    if problems:
        raise TransitionError(
            _("The project cannot become active yet: %(todo)s.") % {"todo": "; ".join(str(p) for p in problems)},
            code="not_ready",
        )
    project.save()
    return project


@transaction.atomic
def project_complete(*, project: CooperationProject | int, user=None, reason: str = "") -> CooperationProject:
    """active -> completed (final)."""
    project = _transition(project, ProjectStatus.COMPLETED, user=user, reason=reason)
    project.save()
    return project


@transaction.atomic
def project_suspend(*, project: CooperationProject | int, user=None, reason: str) -> CooperationProject:
    """fast_tracked or active -> suspended, with a reason; resume returns it where it was."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("A suspension needs its reason.")}, code="reason_required")
    previous = _lock_project(project).status
    project = _transition(project, ProjectStatus.SUSPENDED, user=user, reason=reason)
    project.status_before_suspension = previous
    project.save()
    return project


@transaction.atomic
def project_resume(*, project: CooperationProject | int, user=None, reason: str = "") -> CooperationProject:
    """suspended -> the status it was suspended from."""
    locked = _lock_project(project)
    if locked.status != ProjectStatus.SUSPENDED:
        raise TransitionError(
            _("Only a suspended project can be resumed; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()},
            code="invalid_transition",
        )
    project = _transition(locked, locked.status_before_suspension or ProjectStatus.FAST_TRACKED, user=user, reason=reason)
    project.status_before_suspension = ""
    project.save()
    return project


@transaction.atomic
def project_cancel(*, project: CooperationProject | int, user=None, reason: str) -> CooperationProject:
    """Any open status -> cancelled (final), with a reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("A cancellation needs its reason.")}, code="reason_required")
    project = _transition(project, ProjectStatus.CANCELLED, user=user, reason=reason)
    project.status_before_suspension = ""
    project.save()
    return project


TRANSITION_SERVICES = {
    "activate": project_activate,
    "complete": project_complete,
    "suspend": project_suspend,
    "resume": project_resume,
    "cancel": project_cancel,
}


# --- Conditions ---------------------------------------------------------------------------------


def _require_open_project(project: CooperationProject) -> None:
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
        raise ValidationError(
            _("A %(status)s project can no longer be changed.") % {"status": project.get_status_display().lower()}
        )


@transaction.atomic
def condition_create(
    *, project: CooperationProject | int, text: str, due_date: dt.date | None = None, user=None
) -> ProjectCondition:
    """Add a condition; due CONDITIONS_DUE_DAYS after the project's approval unless a date is given."""
    _require_reviewer(user)
    project = _lock_project(project)
    _require_open_project(project)
    if not (text or "").strip():
        raise ValidationError({"text": _("A condition needs its text.")})
    condition = ProjectCondition(
        project=project, text=text.strip(), due_date=due_date or project.default_condition_due_date(), created_by=user
    )
    _audited(condition, user).save()
    return condition


@transaction.atomic
def condition_update(*, condition: ProjectCondition, user=None, **fields: Any) -> ProjectCondition:
    _require_reviewer(user)
    condition = ProjectCondition.objects.select_for_update().select_related("project").get(pk=condition.pk)
    _require_open_project(condition.project)
    unknown = set(fields) - set(CONDITION_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "text" in fields and not (fields["text"] or "").strip():
        raise ValidationError({"text": _("A condition needs its text.")})
    for name, value in fields.items():
        setattr(condition, name, value)
    _audited(condition, user).save()
    return condition


@transaction.atomic
def condition_delete(*, condition: ProjectCondition, user=None) -> None:
    _require_reviewer(user)
    condition = ProjectCondition.objects.select_for_update().select_related("project").get(pk=condition.pk)
    _require_open_project(condition.project)
    _audited(condition, user).delete()


@transaction.atomic
def condition_supplement(*, condition: ProjectCondition, user=None, supplement: str = "") -> ProjectCondition:
    """Record that a condition was supplemented (when, by whom, what); supplementing twice is an error."""
    _require_reviewer(user)
    condition = ProjectCondition.objects.select_for_update().get(pk=condition.pk)
    if condition.supplemented_at is not None:
        raise ValidationError(
            _("This condition was already supplemented on %(when)s.")
            % {"when": condition.supplemented_at.date().isoformat()},
            code="already_supplemented",
        )
    condition.supplemented_at = timezone.now()
    condition.supplemented_by = user
    condition.supplement = (supplement or "").strip()
    _audited(condition, user).save()
    return condition


# --- Outcomes -----------------------------------------------------------------------------------


def _clean_outcome(outcome: CohortOutcome) -> None:
    errors: dict[str, str] = {}
    if outcome.completed > outcome.enrolled:
        errors["completed"] = _("Completed (%(c)d) cannot exceed enrolled (%(e)d).") % {
            "c": outcome.completed, "e": outcome.enrolled}
    if outcome.passed_assessment > outcome.completed:
        errors["passed_assessment"] = _("Passed (%(p)d) cannot exceed completed (%(c)d).") % {
            "p": outcome.passed_assessment, "c": outcome.completed}
    if outcome.employed_6m > outcome.completed:
        errors["employed_6m"] = _("Employed (%(p)d) cannot exceed completed (%(c)d).") % {
            "p": outcome.employed_6m, "c": outcome.completed}
    for name in ("income_before", "income_after"):
        value = getattr(outcome, name)
        if value is not None and value < 0:
            errors[name] = _("An income cannot be negative.")
    has_income = outcome.income_before is not None or outcome.income_after is not None
    currency = outcome.income_currency or ""
    if has_income and not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
        errors["income_currency"] = _("Incomes need an ISO 4217 currency, e.g. KZT, CNY, USD.")
    if errors:
        raise ValidationError(errors)


def _save_outcome(outcome: CohortOutcome) -> CohortOutcome:
    _clean_outcome(outcome)
    try:
        with transaction.atomic():
            outcome.save()
    except IntegrityError:
        raise ValidationError({"cohort": _("This project already has an outcome for that cohort.")}) from None
    return outcome


# Projects per bulk update: bounds memory and statement size of the daily full refresh.
RESULTS_BATCH = 500
RESULT_FIELDS = ["pass_rate", "employment_rate", "income_change_pct", "skill_appreciation_pct", "results", "results_updated_at"]


def _rounded(value: Decimal | None, places: int) -> Decimal | None:
    return None if value is None else round(value, places)


def project_results_refresh(*, project_ids: Iterable[int] | None = None) -> int:
    """Recompute and store the results chain of the given projects (every project when None).

    Idempotent; safe to run any time (daily beat, after exchange rates are imported, from the
    `refresh_project_results` command). The stored figures are derived and not audited.
    Returns the number of projects refreshed.
    """
    from .selectors import results_by_project

    ids = list(project_ids) if project_ids is not None else list(CooperationProject.objects.values_list("pk", flat=True))
    now = timezone.now()
    done = 0
    for start in range(0, len(ids), RESULTS_BATCH):
        rows = []
        for pk, r in results_by_project(ids[start:start + RESULTS_BATCH]).items():
            values = {
                "pass_rate": _rounded(r.pass_rate, 4),
                "employment_rate": _rounded(r.employment_rate, 4),
                "income_change_pct": _rounded(r.income_change_pct, 2),
                "skill_appreciation_pct": _rounded(r.skill_appreciation_pct, 2),
                "results": r.as_dict(),
                "results_updated_at": now,
            }
            rows.append((pk, values))
        _store_results(rows)
        done += len(rows)
    return done


def _store_results(rows: list[tuple[int, dict]]) -> None:
    # One parameterised UPDATE run for many rows (psycopg pipelines executemany): QuerySet.bulk_update
    # builds a CASE per field and row and spends seconds in expression code for a few hundred rows.
    if not rows:
        return
    meta = CooperationProject._meta
    fields = [meta.get_field(name) for name in RESULT_FIELDS]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields), quote(meta.pk.column)
    )
    params = [[f.get_db_prep_save(values[f.name], connection) for f in fields] + [pk] for pk, values in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@transaction.atomic
def outcome_create(*, project: CooperationProject | int, user=None, **fields: Any) -> CohortOutcome:
    """Record one cohort's outcome (one per project and cohort)."""
    _require_reviewer(user)
    project = _lock_project(project)
    unknown = set(fields) - set(OUTCOME_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    outcome = _save_outcome(_audited(CohortOutcome(project=project, **fields), user))
    project_results_refresh(project_ids=[project.pk])
    return outcome


@transaction.atomic
def outcome_update(*, outcome: CohortOutcome, user=None, **fields: Any) -> CohortOutcome:
    _require_reviewer(user)
    # The project row is the lock every outcome write takes, so the stored results always
    # reflect the outcomes of the last committed write.
    _lock_project(outcome.project_id)
    outcome = CohortOutcome.objects.select_for_update().get(pk=outcome.pk)
    unknown = set(fields) - set(OUTCOME_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(outcome, name, value)
    outcome = _save_outcome(_audited(outcome, user))
    project_results_refresh(project_ids=[outcome.project_id])
    return outcome


@transaction.atomic
def outcome_delete(*, outcome: CohortOutcome, user=None) -> None:
    _require_reviewer(user)
    _lock_project(outcome.project_id)
    outcome = CohortOutcome.objects.select_for_update().filter(pk=outcome.pk).first()
    if outcome is not None:
        _audited(outcome, user).delete()
        project_results_refresh(project_ids=[outcome.project_id])
