"""Gap review and the cooperation project repository (SPEC.md, "Gaps" and "Projects").

A reviewer's decision on a gap is a GapDecision (one per gap: decisions are final). Approval
creates exactly one CooperationProject for the gap at once, in `fast_tracked`; its performance
conditions (ProjectCondition) are supplemented afterwards, by a deadline; its results are
measured per cohort (CohortOutcome). Every row keeps an audit history (django-simple-history).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import BoundedDateField
from core.text import in_reader_language

from .choices import DecisionKind, FundingSource, PlanStatus, ProjectStatus

CURRENCY_RE = r"^[A-Z]{3}$"


class GapDecision(models.Model):
    """A reviewer's approval or rejection of one gap.

    One per gap (the OneToOne is the unique constraint that, with the gap row locked, makes two
    simultaneous approvals yield one project). Decisions are final: approving a rejected gap or
    rejecting an approved one is a conflict. An administrator re-opens a rejected gap by deleting
    its decision in the admin (the history keeps it); an approved gap's decision is protected by
    its project.
    """

    gap = models.OneToOneField("gaps.Gap", on_delete=models.PROTECT, related_name="decision", verbose_name=_("gap"))
    decision = models.CharField(_("decision"), max_length=10, choices=DecisionKind.choices)
    comment = models.TextField(_("comment"), blank=True)
    # As ProjectCondition.supplement_translations: empty unless translations were given (the demo's).
    comment_translations = models.JSONField(_("comment in each language"), default=dict, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("gap decision")
        verbose_name_plural = _("gap decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=[d.value for d in DecisionKind]), name="decision_kind_valid"
            ),
            # A rejection keeps its reason.
            models.CheckConstraint(
                condition=~models.Q(decision=DecisionKind.REJECTED) | ~models.Q(comment=""),
                name="rejection_has_reason",
            ),
        ]

    @property
    def display_comment(self) -> str:
        """The reviewer's comment in the reader's language where a translation of it exists."""
        return in_reader_language(self.comment, self.comment_translations)

    def __str__(self) -> str:
        return f"{self.gap_id}: {self.decision}"


def display_title_of(title: str, translations: dict | None, language: str | None = None) -> str:
    """A project's title in `language` (default: the active one) where the service wrote it in that
    language; the stored title once a person has edited it (translations' "_as_written" differs).
    Kept for its callers: the rule is core.text.in_reader_language, shared with colleges and programs."""
    return in_reader_language(title, translations, language)


class CooperationProject(models.Model):
    """A cooperation project in the repository, born from an approved gap."""

    title = models.CharField(_("title"), max_length=300)
    # The title the service wrote, in each of settings.LANGUAGES, plus "_as_written": the title as it
    # was then. Shown in the reader's language while the title is unchanged; once a person edits the
    # title, their wording is shown to everyone (no translation of it exists).
    title_translations = models.JSONField(_("title in each language"), default=dict, blank=True, editable=False)
    # The gap whose approval created the project: unique, so a gap yields at most one project.
    # Null for a project accepted from the training plan (its proposals say what it is for).
    origin_gap = models.OneToOneField(
        "gaps.Gap", on_delete=models.PROTECT, related_name="origin_project", verbose_name=_("originating gap"),
        null=True, blank=True,
    )
    decision = models.OneToOneField(
        GapDecision, on_delete=models.PROTECT, related_name="project", verbose_name=_("approval"),
        null=True, blank=True,
    )
    # The early-warning entry a reviewer fast-tracked into this project (projects.services.warning_fast_track),
    # if any: unique, so a warning yields at most one project whatever the concurrency.
    origin_warning = models.OneToOneField(
        "gaps.EarlyWarning", on_delete=models.PROTECT, null=True, blank=True, related_name="origin_project",
        verbose_name=_("originating early warning"),
    )
    # Every gap the project addresses, the originating one included.
    gaps = models.ManyToManyField("gaps.Gap", related_name="projects", verbose_name=_("gaps"))
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.FAST_TRACKED
    )
    # Where a suspended project returns to when resumed.
    status_before_suspension = models.CharField(max_length=16, choices=ProjectStatus.choices, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    status_reason = models.TextField(_("reason for the last status change"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_projects",
        verbose_name=_("owner"),
    )
    lead_college = models.ForeignKey(
        "training.College", on_delete=models.PROTECT, null=True, blank=True, related_name="led_projects",
        verbose_name=_("lead college"),
    )
    partner_colleges = models.ManyToManyField(
        "training.College", related_name="partner_projects", blank=True, verbose_name=_("partner colleges")
    )
    programs = models.ManyToManyField("training.Program", related_name="projects", blank=True, verbose_name=_("programs"))
    planned_trainees = models.PositiveIntegerField(_("planned trainees"), null=True, blank=True)
    planned_intake_date = BoundedDateField(_("planned intake date"), null=True, blank=True)
    budget_amount = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, null=True, blank=True)
    budget_currency = models.CharField(_("budget currency (ISO 4217)"), max_length=3, blank=True)
    funding_source = models.CharField(_("funding source"), max_length=20, choices=FundingSource.choices, blank=True)
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The results chain (projects.results) stored for listing and sorting the repository by
    # results at the speed of a plain list. Written only by services.project_results_refresh:
    # at once when outcomes change, and daily (and after rate imports) for exchange rates and
    # regions' wage growth. The detail view recomputes them live.
    pass_rate = models.DecimalField(_("certification pass rate"), max_digits=7, decimal_places=4, null=True, blank=True, editable=False)
    employment_rate = models.DecimalField(_("employment rate"), max_digits=7, decimal_places=4, null=True, blank=True, editable=False)
    income_change_pct = models.DecimalField(_("income change (%)"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False)
    skill_appreciation_pct = models.DecimalField(
        _("skill appreciation (percentage points)"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    results = models.JSONField(_("results chain"), default=dict, blank=True, editable=False)
    results_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(
        m2m_fields=[gaps, partner_colleges, programs],
        # Derived figures: their inputs (outcomes, rates) carry the audit trail.
        excluded_fields=[
            "pass_rate", "employment_rate", "income_change_pct", "skill_appreciation_pct", "results",
            "results_updated_at",
        ],
    )

    class Meta:
        ordering = ["-approved_at", "-id"]
        indexes = [
            # The repository's default order (ProjectViewSet.ordering through ResultsOrdering) has an
            # index `project_results_order` on PostgreSQL only (migration 0003): SQLite, the embedded
            # default, cannot create an index with NULLS LAST.
            models.Index(fields=["pass_rate"], name="project_pass_rate"),
            models.Index(fields=["employment_rate"], name="project_employment_rate"),
            models.Index(fields=["income_change_pct"], name="project_income_change"),
        ]
        verbose_name = _("cooperation project")
        verbose_name_plural = _("cooperation projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ProjectStatus]), name="project_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(funding_source="") | models.Q(funding_source__in=[f.value for f in FundingSource]),
                name="project_funding_source_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_trainees__isnull=True) | models.Q(planned_trainees__gte=1),
                name="project_planned_trainees_positive",
            ),
            # An amount needs its currency, and a currency without an amount means nothing.
            models.CheckConstraint(
                condition=(models.Q(budget_amount__isnull=True) & models.Q(budget_currency=""))
                | (models.Q(budget_amount__gte=0) & models.Q(budget_currency__regex=CURRENCY_RE)),
                name="project_budget_amount_with_currency",
            ),
            models.CheckConstraint(
                condition=models.Q(status_before_suspension="")
                | models.Q(status_before_suspension__in=[ProjectStatus.FAST_TRACKED, ProjectStatus.ACTIVE]),
                name="project_resume_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the reader's language where the service wrote it in that language."""
        return display_title_of(self.title, self.title_translations)

    @property
    def region(self):
        """The originating gap's region; for a project from the training plan, its first proposal's."""
        if self.origin_gap_id:
            return self.origin_gap.region
        from gaps.models import Region

        proposal = self.plan_proposals.order_by("id").first()
        codes = proposal.region_codes if proposal else []
        return Region.objects.filter(code=codes[0]).first() if codes else None

    @property
    def is_overdue(self) -> bool:
        """A condition is past due and not supplemented. Uses the `overdue` annotation when present."""
        annotated = self.__dict__.get("overdue")
        if annotated is not None:
            return annotated
        return self.conditions.overdue().exists()

    def default_condition_due_date(self) -> dt.date:
        return timezone.localdate(self.approved_at) + dt.timedelta(days=settings.CONDITIONS_DUE_DAYS)


class ConditionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(supplemented_at__isnull=True)

    def overdue(self, today: dt.date | None = None):
        return self.open().filter(due_date__lt=today or timezone.localdate())


class ProjectCondition(models.Model):
    """A performance condition of a project, supplemented after the fast-track approval by its due date."""

    project = models.ForeignKey(CooperationProject, on_delete=models.CASCADE, related_name="conditions")
    text = models.TextField(_("condition"))
    # As CooperationProject.title_translations: the text the service wrote, in each language.
    text_translations = models.JSONField(_("condition in each language"), default=dict, blank=True, editable=False)
    due_date = BoundedDateField(_("due date"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    supplemented_at = models.DateTimeField(_("supplemented at"), null=True, blank=True)
    supplemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("supplemented by"),
    )
    supplement = models.TextField(_("what was supplemented"), blank=True)
    # As text_translations, for the supplement: empty unless translations of it were given (the demo's).
    supplement_translations = models.JSONField(
        _("what was supplemented, in each language"), default=dict, blank=True, editable=False)
    # The day the owners were last reminded, so the daily beat task reminds once per day at most.
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["reminded_on"])

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("project condition")
        verbose_name_plural = _("project conditions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(supplemented_by__isnull=True) | models.Q(supplemented_at__isnull=False),
                name="condition_supplemented_by_needs_when",
            ),
        ]

    @property
    def display_text(self) -> str:
        """The text in the reader's language where the service wrote it in that language."""
        return in_reader_language(self.text, self.text_translations)

    @property
    def display_supplement(self) -> str:
        """What was supplemented, in the reader's language where a translation of it exists."""
        return in_reader_language(self.supplement, self.supplement_translations)

    def __str__(self) -> str:
        return f"{self.project_id}: {self.text[:60]} (due {self.due_date})"

    @property
    def is_overdue(self) -> bool:
        return self.supplemented_at is None and self.due_date < timezone.localdate()


class CohortOutcome(models.Model):
    """What became of one cohort trained under a project: the results chain's raw figures.

    Incomes are monthly medians in `income_currency`; the "before" figure is converted to CNY at
    the rate in force on `income_before_on` (default: the cohort's intake date), the "after" figure
    on `income_after_on` (default: six months after graduation).
    """

    project = models.ForeignKey(CooperationProject, on_delete=models.CASCADE, related_name="outcomes")
    cohort = models.ForeignKey("training.Cohort", on_delete=models.PROTECT, related_name="outcomes")
    enrolled = models.PositiveIntegerField(_("enrolled"))
    completed = models.PositiveIntegerField(_("completed"))
    passed_assessment = models.PositiveIntegerField(_("passed Kazakhstan's skill assessment"))
    employed_6m = models.PositiveIntegerField(_("employed within 6 months"))
    income_before = models.DecimalField(
        _("median monthly income before"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    income_after = models.DecimalField(
        _("median monthly income after"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    income_currency = models.CharField(_("income currency (ISO 4217)"), max_length=3, blank=True)
    income_before_on = BoundedDateField(_("income before measured on"), null=True, blank=True)
    income_after_on = BoundedDateField(_("income after measured on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project_id", "cohort_id"]
        verbose_name = _("cohort outcome")
        verbose_name_plural = _("cohort outcomes")
        constraints = [
            models.UniqueConstraint(fields=["project", "cohort"], name="uniq_outcome_per_project_cohort"),
            models.CheckConstraint(condition=models.Q(completed__lte=models.F("enrolled")), name="outcome_completed_le_enrolled"),
            models.CheckConstraint(
                condition=models.Q(passed_assessment__lte=models.F("completed")), name="outcome_passed_le_completed"
            ),
            models.CheckConstraint(condition=models.Q(employed_6m__lte=models.F("completed")), name="outcome_employed_le_completed"),
            models.CheckConstraint(
                condition=(models.Q(income_before__isnull=True) | models.Q(income_before__gte=0))
                & (models.Q(income_after__isnull=True) | models.Q(income_after__gte=0)),
                name="outcome_income_nonnegative",
            ),
            # A figure without its currency cannot be converted.
            models.CheckConstraint(
                condition=(models.Q(income_before__isnull=True) & models.Q(income_after__isnull=True))
                | models.Q(income_currency__regex=CURRENCY_RE),
                name="outcome_income_has_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} / cohort {self.cohort_id}"


class TrainingPlan(models.Model):
    """One computation of the training plan (SPEC.md "Training plan"): a run record with its status,
    progress, timings and error, and the plan's figures; its proposals are TrainingProposal rows."""

    today = models.DateField(_("day planned for"))
    budget_cny = models.DecimalField(_("budget (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.QUEUED)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    spent_cny = models.DecimalField(_("spent (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2, null=True, blank=True)
    # The solver's status, MIP gap, problem size and time.
    solver = models.JSONField(default=dict, blank=True)
    # What stays uncovered and why: [{"region_code", "occupation_code", "quarter", "remaining", "reason"}].
    uncovered = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=[s.value for s in PlanStatus]),
                                   name="training_plan_status_valid"),
            models.CheckConstraint(condition=models.Q(budget_cny__isnull=True) | models.Q(budget_cny__gte=0),
                                   name="training_plan_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.today} #{self.pk}"


class TrainingProposal(models.Model):
    """One new cohort the plan proposes; accepted into (at most) one cooperation project."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="proposals")
    college = models.ForeignKey("training.College", on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey("training.Program", on_delete=models.CASCADE, related_name="plan_proposals")
    region_codes = models.JSONField(default=list)
    occupation = models.ForeignKey("gaps.Occupation", on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveIntegerField(_("seats"))
    intake_date = models.DateField(_("intake date"))
    graduation_date = models.DateField(_("graduation date"))
    cost_cny = models.DecimalField(_("cost (CNY)"), max_digits=16, decimal_places=2)
    covers = models.JSONField(default=list)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    mobile = models.BooleanField(_("mobile workshop stop"), default=False)
    project = models.ForeignKey(
        CooperationProject, on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_proposals",
        verbose_name=_("accepted into"),
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan", "intake_date", "id"]
        verbose_name = _("training proposal")
        verbose_name_plural = _("training proposals")
        constraints = [
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="training_proposal_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.intake_date} ({self.seats})"

    def as_json(self) -> dict:
        """SPEC.md's proposal object (docs/formats.md)."""
        return {
            "id": self.pk,
            "college_code": self.college.code,
            "program_code": self.program.code,
            "region_codes": list(self.region_codes),
            "occupation_code": self.occupation_id,
            "seats": self.seats,
            "intake_date": self.intake_date.isoformat(),
            "graduation_date": self.graduation_date.isoformat(),
            "cost_cny": json_amount(self.cost_cny),
            "covers": list(self.covers),
            "value": json_amount(self.value),
            "mobile": self.mobile,
            "project": self.project_id,
        }


def json_amount(value):
    """Amounts as JSON numbers in CNY: whole amounts as integers, others with two decimals."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(round(value, 2))
