from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.choices import Language


class LabelSource(models.TextChoices):
    """Where an occupation label comes from; kept on every label (see gaps/taxonomy/README.md)."""

    ILO = "ILO", _("ILO ISCO-08")
    ESCO = "ESCO", _("ESCO v1.2.0")
    OKZ = "OKZ", _("Russia OKZ 2014")
    CN2022 = "CN2022", _("China occupational classification 2022")
    TALENTGAP = "TALENTGAP", _("Written and reviewed by the talentgap team")


class Occupation(models.Model):
    """An ISCO-08 group. Matching works on unit groups (level 4); the hierarchy is kept."""

    class Level(models.IntegerChoices):
        MAJOR = 1, _("Major group")
        SUB_MAJOR = 2, _("Sub-major group")
        MINOR = 3, _("Minor group")
        UNIT = 4, _("Unit group")

    code = models.CharField(_("ISCO-08 code"), max_length=4, primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    title_en = models.CharField(_("title (English)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=255, blank=True)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=255, blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=4), name="occupation_level_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_unit_group(self) -> bool:
        return self.level == self.Level.UNIT

    @property
    def minor_group_code(self) -> str:
        return self.code[:3]

    @property
    def title(self) -> str:
        """The title in the active language, falling back to English."""
        lang = (get_language() or "en").split("-")[0]
        return getattr(self, f"title_{lang}", "") or self.title_en

    def title_in(self, language: str) -> str:
        return getattr(self, f"title_{language}", "") or self.title_en


class OccupationLabel(models.Model):
    """A title or alternative label for a unit group, in one language, with its source.

    The multilingual title search ranks unit groups over these rows.
    """

    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="labels")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    label = models.CharField(_("label"), max_length=300)
    # Lower-cased, punctuation-folded form the search compares against (gaps/search.py).
    normalized = models.CharField(max_length=300, db_index=True)
    source = models.CharField(_("source"), max_length=12, choices=LabelSource.choices)
    is_preferred = models.BooleanField(_("preferred title"), default=False)

    class Meta:
        ordering = ["occupation_id", "language", "-is_preferred", "label"]
        constraints = [
            models.UniqueConstraint(fields=["occupation", "language", "normalized"], name="uniq_label_per_occupation"),
        ]

    def __str__(self) -> str:
        return f"{self.occupation_id} [{self.language}] {self.label}"
