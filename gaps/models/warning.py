"""Records of the early warning (SPEC.md "Looking ahead"): its runs, its entries, its forward recommendations.

An EarlyWarning row is stable per (region, occupation, target quarter), like a Gap: each computation
refreshes its figures in place and `is_active` says whether the latest computation still shows a
shortfall for a target quarter, so that a fast-tracked project and the "entered act_now" notice keep
pointing at the same warning across re-computations. `status` is the status as of the run's
`today`; pages that show "days left" count from the reader's today.

The computation itself lives in gaps.warning (pure functions over plain values, the projected match
through gaps.matching.engine); gaps.warning.persist writes these rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WarningRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class WarningTrigger(models.TextChoices):
    COMMAND = "command", _("early_warning command")
    NIGHTLY = "nightly", _("Nightly computation")
    MATCH_FINISHED = "match_finished", _("A matching run finished")
    STALE = "stale", _("Out of date when read")
    MANUAL = "manual", _("Started by a user")


class WarningStatus(models.TextChoices):
    PLAN = "plan", _("Plan ahead")
    ACT_NOW = "act_now", _("Act now")
    SHORT_COURSE_ONLY = "short_course_only", _("Short course only")
    MISSED = "missed", _("Missed")


class WarningRating(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    ELEVATED = "elevated", _("Elevated")
    WATCH = "watch", _("Watch")


class WarningSource(models.TextChoices):
    FORECAST = "forecast", _("Forecast")
    REPORTED = "reported", _("Reported")


class EarlyWarningRun(models.Model):
    """One computation of the early warning for one `today`: status, progress, timings, counts, error."""

    today = models.DateField(_("computed as of"))
    trigger = models.CharField(_("trigger"), max_length=32, choices=WarningTrigger.choices, default=WarningTrigger.MANUAL)
    status = models.CharField(
        _("status"), max_length=12, choices=WarningRunStatus.choices, default=WarningRunStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    steps_total = models.PositiveIntegerField(_("steps"), default=0)
    steps_done = models.PositiveIntegerField(_("steps done"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    timings = models.JSONField(_("timings (seconds)"), default=dict, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # What the entries' lines derive from, read before the run read its input
    # (gaps.warning.fetch.input_state): the training plan reads the stored lines only while it is
    # still the current state.
    inputs = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("early-warning run")
        verbose_name_plural = _("early-warning runs")

    def __str__(self) -> str:
        return f"early warning {self.today} run {self.pk} ({self.status})"

    @property
    def progress(self) -> float:
        return self.steps_done / self.steps_total if self.steps_total else 0.0


class EarlyWarning(models.Model):
    """One early-warning entry: (region, unit group, target quarter) with its latest figures."""

    region = models.ForeignKey("gaps.Region", on_delete=models.PROTECT, related_name="early_warnings")
    occupation = models.ForeignKey("gaps.Occupation", on_delete=models.PROTECT, related_name="early_warnings")
    quarter = models.CharField(_("quarter"), max_length=6, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=WarningSource.choices)
    forecast = models.PositiveIntegerField(_("forecast"), null=True, blank=True)
    forecast_low = models.PositiveIntegerField(_("forecast, low end"), null=True, blank=True)
    forecast_high = models.PositiveIntegerField(_("forecast, high end"), null=True, blank=True)
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    covered = models.PositiveIntegerField(_("covered"), default=0)
    shortfall = models.PositiveIntegerField(_("shortfall"), default=0)
    need_date = models.DateField(_("needed from"))
    end_date = models.DateField(_("needed until"))
    lead_days = models.PositiveIntegerField(_("typical training time (days)"))
    shortest_days = models.PositiveIntegerField(_("shortest training time (days)"))
    act_by = models.DateField(_("act by"))
    short_course_by = models.DateField(_("short course by"))
    status = models.CharField(_("status"), max_length=20, choices=WarningStatus.choices)
    rating = models.CharField(_("rating"), max_length=10, choices=WarningRating.choices)
    persistence = models.PositiveSmallIntegerField(_("quarters with a gap (of 8)"), default=0)
    # A fraction (0.07 = 7 points): the series' CNY midpoint change over its last observed year minus the
    # region's average change (gaps.warning.compute.wage_pressure).
    wage_pressure = models.DecimalField(_("wage pressure"), max_digits=14, decimal_places=2, null=True, blank=True)
    # Salary range (CNY) of the line the projection took its terms from; orders the board like the gap queue.
    salary_min_cny = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    salary_max_cny = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # Plain values the sentences are built from in the reader's language (gaps.warning.detail), e.g.
    # next year's need date and act-by for a missed entry, the series' history, the programs counted.
    context = models.JSONField(default=dict, blank=True)
    # The entry's lines with a shortfall as the training plan reads them (gaps.warning.compute.plan_line_rows);
    # None: stored by a run older than this field.
    plan_lines = models.JSONField(null=True, blank=True)
    is_active = models.BooleanField(_("in the latest early warning"), default=True)
    last_run = models.ForeignKey(EarlyWarningRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["act_by", "region_id", "occupation_id", "quarter"]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        constraints = [
            models.UniqueConstraint(fields=["region", "occupation", "quarter"], name="uniq_warning_region_occ_quarter"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in WarningStatus]), name="warning_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["is_active", "act_by"], name="warning_active_act_by"),
            models.Index(fields=["is_active", "region"], name="warning_active_region"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.occupation_id} {self.quarter} ({self.status})"


class EarlyWarningRecommendation(models.Model):
    """A forward recommendation (OPEN, EXPAND, RESCHEDULE) of an early-warning entry to one college."""

    warning = models.ForeignKey(EarlyWarning, on_delete=models.CASCADE, related_name="recommendations")
    run = models.ForeignKey(EarlyWarningRun, on_delete=models.CASCADE, related_name="recommendations")
    kind = models.CharField(_("kind"), max_length=24)
    college = models.ForeignKey("training.College", on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey("training.Program", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    seats = models.PositiveIntegerField(_("seats"), default=0)
    act_by = models.DateField(_("act by"))
    score = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    context = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["act_by", "-score", "id"]
        indexes = [models.Index(fields=["run", "college"], name="ewrec_run_college")]

    def __str__(self) -> str:
        return f"{self.kind} {self.college_id} {self.warning}"


class WarningNotice(models.Model):
    """That the notice of a warning entering a status went out: one per (warning, status), ever."""

    warning = models.ForeignKey(EarlyWarning, on_delete=models.CASCADE, related_name="notices")
    status = models.CharField(max_length=20, choices=WarningStatus.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["warning", "status"], name="uniq_warning_notice_status")]
