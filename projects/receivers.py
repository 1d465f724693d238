"""What the review side does when a matching run swaps in (gaps.matching.signals; connected in
ProjectsConfig.ready). Matching never imports projects: it sends, and this subscribes."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from gaps.matching.signals import match_run_finished, match_run_swapped

logger = logging.getLogger(__name__)

# Gaps per evidence read when a run stores the queue's previews: every read takes the batch's keys as
# a VALUES list (four parameters a gap).
PREVIEW_BATCH_SIZE = 250


@receiver(match_run_swapped, dispatch_uid="projects.store_evidence_previews")
def store_evidence_previews(sender, *, run, **kwargs) -> dict:
    """Store on each gap the run shows, and no reviewer has decided yet, the review queue's preview
    of its evidence (projects.selectors.evidence_previews), so that a page of the queue reads its gaps
    and nothing else. Inside the swap's transaction: the previews read the quarter's current run,
    and nobody sees the new gaps without them. Returns the run's count of previews stored."""
    from gaps.models import Gap

    from .models import GapDecision
    from .selectors import GAP_KEY_FIELDS, evidence_previews

    rows = list(
        Gap.objects.filter(last_run=run, is_active=True)
        .exclude(pk__in=GapDecision.objects.values("gap_id"))
        .order_by("pk")
        .values(*GAP_KEY_FIELDS)
    )
    for start in range(0, len(rows), PREVIEW_BATCH_SIZE):
        previews = evidence_previews(rows[start:start + PREVIEW_BATCH_SIZE])
        Gap.objects.bulk_update(
            [Gap(pk=gap_id, evidence_preview=preview) for gap_id, preview in previews.items()],
            ["evidence_preview"], batch_size=PREVIEW_BATCH_SIZE,
        )
    return {"evidence_previews": len(rows)}


@receiver(match_run_finished, dispatch_uid="projects.announce_match_run")
def announce_match_run(sender, *, run, new_gap_ids, **kwargs) -> None:
    """Reviewers hear of gaps new on the list; colleges of the recommendations this run newly
    addresses to them (a mail that cannot be composed or sent is logged: the run already swapped)."""
    from .notifications import notify_college_recommendations, notify_new_gaps

    if new_gap_ids:
        notify_new_gaps(new_gap_ids)
    try:
        notify_college_recommendations(run.pk)
    except Exception:
        logger.exception("recommendation mails of match run %s were not sent", run.pk)
