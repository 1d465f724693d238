"""Reminders to officials whose region has not submitted its report for the current quarter."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import translation
from django.utils.translation import gettext as _

from core import text
from core.quarters import Quarter


def remind_missing_reports(*, today) -> int:
    """E-mail every official (with an address) of each region lacking a submitted report for the
    quarter containing `today`, in the official's language: the region and the quarter by name, and
    the day to submit by (the quarter's last day: the nightly re-match covers the current and later
    quarters only). Returns the number of e-mails sent."""
    from accounts.models import Role
    from gaps.models import GapReport, Region, ReportStatus

    current = Quarter.containing(today)
    quarter = str(current)
    reported = GapReport.objects.filter(quarter=quarter, status=ReportStatus.SUBMITTED).values("region_id")
    messages = []
    for region in Region.objects.exclude(id__in=reported).prefetch_related("members__groups").order_by("code"):
        for user in region.members.all():
            if not user.email or not user.is_active or not user.has_role(Role.OFFICIAL):
                continue
            with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
                names = {"quarter": text.quarter_name(quarter), "region": text.region_label(region.code)}
                subject = _("talentgap: the %(quarter)s report of %(region)s is missing") % names
                body = text.tidy_sentence(" ".join((
                    _("The shortage report of %(region)s for %(quarter)s has not been submitted yet.") % names,
                    _("Matching and the colleges' recommendations leave the region out until it is."),
                    _("Submit it by the quarter's last day, %(date)s (%(left)s).") % {
                        "date": text.format_date(current.end), "left": text.format_days_left(current.end, today=today)},
                )))
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    if messages:
        send_mass_mail(messages, fail_silently=False)
    return len(messages)
