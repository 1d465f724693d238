from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionKind(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ProjectStatus(models.TextChoices):
    """A cooperation project's life. Changes only through projects.services (ALLOWED_TRANSITIONS)."""

    # Created at once when a reviewer approves a gap ("build first, approve later"): its
    # performance conditions are supplemented afterwards, by a deadline.
    FAST_TRACKED = "fast_tracked", _("Fast-tracked")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


class PlanStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class UncoveredReason(models.TextChoices):
    NO_CANDIDATE = "no_candidate", _("no program can train for it")
    TOO_LATE = "too_late", _("too late to start a class")
    CAPACITY = "capacity", _("not enough capacity")
    BUDGET = "budget", _("not within the budget")


class FundingSource(models.TextChoices):
    CENTRAL_BUDGET = "central_budget", _("Central budget")
    PROVINCIAL = "provincial", _("Provincial budget")
    ENTERPRISE_ORDER = "enterprise_order", _("Enterprise order")
    EMPLOYMENT_VOUCHER = "employment_voucher", _("Employment voucher")
    OTHER = "other", _("Other")
