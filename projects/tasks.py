"""Celery tasks of the projects app: thin wrappers that call a service."""

from celery import shared_task

from . import notifications


@shared_task(name="projects.remind_due_conditions", acks_late=True, time_limit=600, soft_time_limit=540)
def remind_due_conditions() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): remind owners and lead colleges of conditions falling due."""
    return notifications.remind_due_conditions()


@shared_task(name="projects.notify_new_gaps", acks_late=True, time_limit=300)
def notify_new_gaps(gap_ids: list[int]) -> None:
    """Tell reviewers of new gaps; for callers that prefer to enqueue rather than call inline."""
    notifications.notify_new_gaps(gap_ids)


@shared_task(name="projects.refresh_results", acks_late=True, time_limit=1800, soft_time_limit=1700)
def refresh_results(project_ids: list[int] | None = None) -> int:
    """Daily (CELERY_BEAT_SCHEDULE), and after exchange rates change: re-store every project's results."""
    from .services import project_results_refresh

    return project_results_refresh(project_ids=project_ids)


@shared_task(name="projects.notify_warnings_act_now", acks_late=True, time_limit=900, soft_time_limit=840)
def notify_warnings_act_now() -> int:
    """Daily (CELERY_BEAT_SCHEDULE), after the nightly early warning: mail warnings that entered act_now."""
    return notifications.notify_warnings_act_now()


@shared_task(name="projects.plan_compute", acks_late=True, ignore_result=True, time_limit=1800, soft_time_limit=1700)
def plan_compute(plan_id: int) -> str:
    """Compute a queued training plan (POST /api/v1/training-plans/, the plan page); a plan no longer
    queued (computed, or gone) is left alone."""
    from .plan.services import run_queued

    return run_queued(plan_id)


def send_training_plan(plan_id: int) -> None:
    """Send the queued plan to the workers; broker trouble is logged and the plan stays queued."""
    import logging

    from django.conf import settings

    try:
        plan_compute.apply_async(kwargs={"plan_id": plan_id}, retry=True,
                                 retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY)
    except Exception:  # noqa: BLE001 - never fails the caller
        logging.getLogger(__name__).exception("training plan %s not sent", plan_id)
