from decimal import Decimal

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

# The review queue's order within the express lane: shortfall x salary, the salary being the
# midpoint of the CNY range (or whichever end is known, else 0). Midpoints of 2-decimal amounts
# have at most 3 decimals, so the stored value is exact.
PRIORITY = F("shortfall") * Case(
    When(salary_min_cny__isnull=False, salary_max_cny__isnull=False,
         then=(F("salary_min_cny") + F("salary_max_cny")) / 2),
    default=Coalesce("salary_max_cny", "salary_min_cny", Value(Decimal(0))),
    output_field=models.DecimalField(max_digits=24, decimal_places=3),
)


class Gap(models.Model):
    """The review unit: report lines with shortfall, aggregated by region, quarter and occupation.

    A Gap row is stable across re-matches of its quarter (unique per region, quarter, occupation)
    so that a reviewer's decision about it survives re-runs; each run refreshes its figures and
    `is_active` says whether the current results still show a shortfall.
    """

    region = models.ForeignKey("gaps.Region", on_delete=models.PROTECT, related_name="gaps")
    quarter = models.CharField(_("quarter"), max_length=6, db_index=True)
    occupation = models.ForeignKey("gaps.Occupation", on_delete=models.PROTECT, related_name="gaps")
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    covered = models.PositiveIntegerField(_("covered"), default=0)
    shortfall = models.PositiveIntegerField(_("shortfall"), default=0)
    # Salary range of the contributing lines, converted to CNY at each line's need date.
    salary_min_cny = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    salary_max_cny = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    need_date = models.DateField(_("earliest need date"), null=True, blank=True)
    # No gap for this (region, occupation) in the previous four quarters: the reviewers' express lane.
    new_on_list = models.BooleanField(_("new on the list"), default=False)
    is_active = models.BooleanField(_("in the current results"), default=True)
    line_count = models.PositiveIntegerField(_("report lines"), default=0)
    # The evidence behind the gap in that run, counted once when the run is finalised so that the
    # review queue shows the totals without counting thousands of rows per gap on every page: flags
    # of the gap's region and occupation (or retargeting to it: MISDIRECTED_SUPPLY through its
    # target occupation), and recommendations of its region and occupation (gaps.matching.persist).
    flag_count = models.PositiveIntegerField(_("flags"), default=0)
    recommendation_count = models.PositiveIntegerField(_("recommendations"), default=0)
    # The review queue's preview of that evidence as the run left it: the first few report lines,
    # flags, recommendations and candidate colleges and how many there are of each, in plain values
    # and in no language (projects.selectors.evidence_previews; stored when the run swaps in by
    # projects.receivers.store_evidence_previews, on matching's match_run_swapped). Null until a run has stored one: the queue
    # then reads the live rows.
    evidence_preview = models.JSONField(_("evidence preview"), null=True, blank=True, editable=False)
    # Computed by the database from the figures above, so that the queue's page is the first rows
    # of the `gap_queue_order` index instead of a sort of the whole quarter.
    priority = models.GeneratedField(
        expression=PRIORITY, output_field=models.DecimalField(max_digits=24, decimal_places=3), db_persist=True,
    )
    # The run whose results last refreshed these figures (gaps.matching.persist).
    last_run = models.ForeignKey(
        "gaps.MatchRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["quarter", "-new_on_list", "-shortfall"]
        verbose_name = _("gap")
        verbose_name_plural = _("gaps")
        constraints = [
            models.UniqueConstraint(fields=["region", "quarter", "occupation"], name="uniq_gap_region_quarter_occupation"),
        ]
        indexes = [
            # projects.selectors.review_queue: a quarter's active gaps, express lane first, by priority.
            models.Index(
                fields=["quarter", "-new_on_list", "-priority", "id"], name="gap_queue_order", condition=Q(is_active=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.code} {self.quarter} {self.occupation_id} (shortfall {self.shortfall})"
