"""The early warning follows matching: each finished matching run queues a recomputation
(deduplicated: one queued run at a time). Connected in GapsConfig.ready."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def on_match_run_finished(sender, run=None, **kwargs) -> None:
    from django.conf import settings

    from gaps.models.warning import WarningTrigger

    if not settings.EARLY_WARNING_AFTER_MATCH:
        return

    from .services import early_warning_enqueue

    early_warning_enqueue(WarningTrigger.MATCH_FINISHED)


def connect() -> None:
    from gaps.matching.signals import match_run_finished

    match_run_finished.connect(on_match_run_finished, dispatch_uid="gaps.warning.on_match_run_finished")
