from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import Sector
from core.dates import BoundedDateField
from core.quarters import validate_quarter
from core.text import in_reader_language


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # A submitted report that a later submission for the same region and quarter replaced.
    SUPERSEDED = "superseded", _("Superseded")


class GapReport(models.Model):
    """One region's shortage report for one quarter.

    Status changes only through gaps.services (report_submit, report_withdraw, ...). At most one
    report per region and quarter is submitted at a time; a resubmission supersedes the earlier
    one, which stays (status `superseded`, and in the audit history).
    """

    region = models.ForeignKey("gaps.Region", on_delete=models.PROTECT, related_name="reports")
    quarter = models.CharField(_("quarter"), max_length=6, validators=[validate_quarter], db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-quarter", "region__code", "-created_at"]
        verbose_name = _("gap report")
        verbose_name_plural = _("gap reports")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "quarter"],
                condition=models.Q(status="submitted"),
                name="one_submitted_report_per_region_quarter",
            ),
            models.UniqueConstraint(
                fields=["region", "quarter"],
                condition=models.Q(status="draft"),
                name="one_draft_report_per_region_quarter",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ReportStatus]), name="report_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(quarter__regex=r"^\d{4}Q[1-4]$"), name="report_quarter_format"),
        ]

    def __str__(self) -> str:
        return f"{self.region.code} {self.quarter} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status == ReportStatus.DRAFT


class GapReportLine(models.Model):
    """One shortage occupation of a report: headcount, salary range, season, requirements."""

    report = models.ForeignKey(GapReport, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line number"))
    # A unit group (level 4). Null while the line is UNCODED: its title did not resolve with
    # confidence and waits for an official to pick the code.
    occupation = models.ForeignKey(
        "gaps.Occupation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_lines",
        limit_choices_to={"level": 4},
    )
    occupation_title = models.CharField(_("occupation title (local name)"), max_length=300, blank=True)
    coding_confidence = models.FloatField(_("coding confidence"), null=True, blank=True)
    sector = models.CharField(_("sector (ISIC section)"), max_length=1, choices=Sector.choices, blank=True)
    headcount = models.PositiveIntegerField(_("headcount"))
    salary_min = models.DecimalField(_("salary min (monthly)"), max_digits=14, decimal_places=2)
    salary_max = models.DecimalField(_("salary max (monthly)"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    season_start = BoundedDateField(_("season start"), null=True, blank=True)
    season_end = BoundedDateField(_("season end"), null=True, blank=True)
    certification = models.CharField(_("required certification"), max_length=64, blank=True)
    languages = models.JSONField(_("required languages"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The note in the other page languages, as the demo gives them (core.text.in_reader_language):
    # empty for a note a person typed; once the note is edited, the translations are of an older text.
    note_translations = models.JSONField(_("note in each language"), default=dict, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["report_id", "line_no"]
        verbose_name = _("report line")
        verbose_name_plural = _("report lines")
        constraints = [
            models.UniqueConstraint(fields=["report", "line_no"], name="uniq_line_no_per_report"),
            models.CheckConstraint(
                condition=models.Q(headcount__gte=1, headcount__lte=100000), name="line_headcount_1_100000"
            ),
            models.CheckConstraint(condition=models.Q(salary_min__gte=0), name="line_salary_min_nonnegative"),
            models.CheckConstraint(condition=models.Q(salary_min__lte=models.F("salary_max")), name="line_salary_min_le_max"),
            models.CheckConstraint(
                condition=models.Q(season_start__isnull=True)
                | models.Q(season_end__isnull=True)
                | models.Q(season_start__lte=models.F("season_end")),
                name="line_season_start_le_end",
            ),
            models.CheckConstraint(
                condition=models.Q(occupation__isnull=False) | ~models.Q(occupation_title=""),
                name="line_has_occupation_or_title",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} #{self.line_no}"

    @property
    def display_note(self) -> str:
        """The note in the reader's language where a translation of it exists, else as written."""
        return in_reader_language(self.note, self.note_translations)

    @property
    def is_uncoded(self) -> bool:
        return self.occupation_id is None

    @property
    def is_auto_coded(self) -> bool:
        """Coded by the title search from a typed title, not picked by a person.

        A picked code is stored without a confidence (picked while adding the line) or with 1.0
        (gaps.services.line_set_occupation); the search's confidence stays below 1.
        """
        return (
            self.occupation_id is not None
            and bool(self.occupation_title)
            and self.coding_confidence is not None
            and self.coding_confidence < 1.0
        )
