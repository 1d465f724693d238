from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.codes import CodeField


class RegionKind(models.TextChoices):
    OBLAST = "oblast", _("Oblast")
    CITY = "city", _("City")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")
    OTHER = "other", _("Other")


class Region(models.Model):
    """A reporting unit: a Kazakh oblast, a Chinese border city, a prefecture, ..."""

    code = CodeField(_("region code"), max_length=32, unique=True)
    country = models.CharField(_("country (ISO 3166-1 alpha-2)"), max_length=2)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RegionKind.choices, default=RegionKind.OTHER)
    # Average nominal wage growth per year, in percent; the projects' "skill appreciation"
    # compares trainees' income change against it.
    avg_wage_growth_pct = models.DecimalField(
        _("average wage growth (%/year)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="regions", blank=True, verbose_name=_("officials")
    )
    history = HistoricalRecords(excluded_fields=["members"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="region_country_iso2"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        lang = (get_language() or "en").split("-")[0]
        return getattr(self, f"name_{lang}", "") or self.name_en
