from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import Sector
from core.codes import CodeField
from core.dates import BoundedDateField
from core.text import in_reader_language


class College(models.Model):
    """A vocational college (or a Luban Workshop, a training centre)."""

    code = CodeField(_("college code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    # The name in other languages: {language of settings.LANGUAGES ("zh-hans", "ru", "kk", "en"): name,
    # "_as_written": the name they translate}. Pages, mails, exports and the API show display_name,
    # the reader's language where given; once a person edits the name, it is shown as written to
    # everyone (core.text.in_reader_language). Edited in the admin one field per language.
    name_translations = models.JSONField(_("name in other languages"), default=dict, blank=True)
    country = models.CharField(_("country (ISO 3166-1 alpha-2)"), max_length=2)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="colleges", blank=True, verbose_name=_("staff")
    )
    history = HistoricalRecords(excluded_fields=["staff"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("college")
        verbose_name_plural = _("colleges")
        constraints = [
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="college_country_iso2"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        """The name in the reader's language where a translation of it exists, else as stored."""
        return in_reader_language(self.name, self.name_translations)


class Program(models.Model):
    """A training program of one college; its intakes are Cohorts."""

    college = models.ForeignKey(College, on_delete=models.CASCADE, related_name="programs")
    code = CodeField(_("program code"), max_length=64)
    title = models.CharField(_("title"), max_length=255)
    # As College.name_translations: the title in other languages, shown while the title is unchanged.
    title_translations = models.JSONField(_("title in other languages"), default=dict, blank=True)
    occupations = models.ManyToManyField(
        "gaps.Occupation", related_name="programs", limit_choices_to={"level": 4}, verbose_name=_("occupations trained")
    )
    sector = models.CharField(_("sector (ISIC section)"), max_length=1, choices=Sector.choices, blank=True)
    languages = models.JSONField(_("languages of instruction"), default=list)
    certifications = models.JSONField(_("certifications prepared for"), default=list, blank=True)
    # Empty means the program serves every region.
    serves_regions = models.ManyToManyField(
        "gaps.Region", related_name="programs", blank=True, verbose_name=_("regions served")
    )
    # A mobile workshop (training equipment in containers): no fixed region; the training plan places
    # each of its new cohorts in one region of its route (serves_regions), never two at once.
    mobile = models.BooleanField(
        _("mobile workshop"), default=False,
        help_text=_("Training equipment that moves along the regions served, one region at a time."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(m2m_fields=[occupations, serves_regions])

    class Meta:
        ordering = ["college__code", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.UniqueConstraint(fields=["college", "code"], name="uniq_program_code_per_college"),
        ]

    def __str__(self) -> str:
        return f"{self.college.code}/{self.code} {self.title}"

    @property
    def display_title(self) -> str:
        """The title in the reader's language where a translation of it exists, else as stored."""
        return in_reader_language(self.title, self.title_translations)


class Cohort(models.Model):
    """One intake of one program: its seats graduate on graduation_date."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cohorts")
    seats = models.PositiveIntegerField(_("seats"))
    intake_date = BoundedDateField(_("intake date"))
    graduation_date = BoundedDateField(_("graduation date"), db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["program_id", "intake_date"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(fields=["program", "intake_date"], name="uniq_cohort_intake_per_program"),
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="cohort_seats_positive"),
            models.CheckConstraint(
                condition=models.Q(intake_date__lte=models.F("graduation_date")), name="cohort_intake_le_graduation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.intake_date}→{self.graduation_date} ({self.seats})"
