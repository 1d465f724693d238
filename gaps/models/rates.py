from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dates import BoundedDateField


class ExchangeRate(models.Model):
    """One unit of `currency` in CNY on `date`. The rate in force on a day is the latest on or before it."""

    currency = models.CharField(_("currency (ISO 4217)"), max_length=3)
    date = BoundedDateField(_("date"))
    rate_to_cny = models.DecimalField(_("rate to CNY"), max_digits=18, decimal_places=8)

    class Meta:
        ordering = ["currency", "-date"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="uniq_rate_currency_date"),
            models.CheckConstraint(condition=models.Q(rate_to_cny__gt=0), name="rate_positive"),
            models.CheckConstraint(condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="rate_currency_iso4217"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.date}: {self.rate_to_cny} CNY"
