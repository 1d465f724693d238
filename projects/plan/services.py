"""The training plan's services (SPEC.md "Training plan"; docs/contract.md, section 10).

- `training_plan_compute(today, budget, user)`: one plan -- fetch (projects.plan.fetch: the early
  warning and the programs), solve (projects.plan.optimiser, pure), persist its proposals -- as a
  TrainingPlan record with status, progress, timings and error. A failure leaves the record FAILED
  with the error and no proposals.
- `training_plan_enqueue(today, budget, user)`: a queued plan for the Celery task projects.plan_compute
  (the web and the API); the task claims it with a conditional update, so it is computed once.
- `training_plan_accept(proposals, user)`: a reviewer accepts one or several proposals into ONE
  fast-tracked cooperation project, in one transaction; the proposal rows are locked, so accepting
  the same proposals twice (or at once, from two sessions) gives one project.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.permissions import can_review
from core.text import format_date
from training.models import Program

from ..choices import PlanStatus, ProjectStatus
from ..models import CooperationProject, ProjectCondition, TrainingPlan, TrainingProposal, json_amount
from . import fetch, optimiser

logger = logging.getLogger(__name__)

STEPS = ("fetch", "early_warning", "lines", "solve", "persist")
REASON_ORDER = (optimiser.BUDGET, optimiser.CAPACITY, optimiser.TOO_LATE, optimiser.NO_CANDIDATE)


class AcceptConflict(Exception):
    """Some of the proposals were already accepted into another project. HTTP 409."""


def service_today() -> dt.date:
    return timezone.localdate()


def _require_reviewer(user) -> None:
    if user is not None and not can_review(user):
        raise PermissionDenied(_("Only ministry reviewers make training plans and accept their proposals."))


# --- Computing ---------------------------------------------------------------------------------------------


def covers_json(covers) -> list[dict]:
    """A proposal's (line, count) pairs summed per early-warning entry."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for line, count in covers:
        counts[(line.region_code, line.occupation_code, line.quarter)] += count
    return [{"region_code": r, "occupation_code": o, "quarter": q, "count": c} for (r, o, q), c in sorted(counts.items())]


def uncovered_json(result: optimiser.PlanResult) -> list[dict]:
    """What stays uncovered per early-warning entry, and why (the reason of most of its workers)."""
    groups: dict[tuple[str, str, str], dict] = {}
    for u in result.uncovered:
        key = (u.line.quarter, u.line.region_code, u.line.occupation_code)
        group = groups.setdefault(key, {"remaining": 0, "by_reason": defaultdict(int)})
        group["remaining"] += u.remaining
        group["by_reason"][u.reason] += u.remaining
    out = []
    for (quarter, region, occupation), g in sorted(groups.items()):
        reason = max(g["by_reason"], key=lambda r: (g["by_reason"][r], -REASON_ORDER.index(r)))
        out.append({"region_code": region, "occupation_code": occupation, "quarter": quarter,
                    "remaining": g["remaining"], "reason": reason,
                    "by_reason": {r: g["by_reason"][r] for r in REASON_ORDER if r in g["by_reason"]}})
    return out


def training_plan_compute(today: dt.date | None = None, budget: Decimal | None = None, user=None, *,
                          plan: TrainingPlan | None = None, progress=None) -> TrainingPlan:
    """Compute and persist the training plan of `today` (default: the service's today) within `budget`
    (CNY; None: no limit). Returns the record, SUCCEEDED or FAILED (never raises for a failed plan)."""
    _require_reviewer(user)
    today = today or service_today()
    if plan is None:
        plan = TrainingPlan.objects.create(today=today, budget_cny=budget, requested_by=user)
    TrainingPlan.objects.filter(pk=plan.pk).update(
        today=today, budget_cny=budget, status=PlanStatus.RUNNING, started_at=timezone.now(), steps_done=0,
        steps_total=len(STEPS), error="",
    )
    timings: dict[str, float] = {}
    marks = {"t": time.perf_counter(), "done": 0}

    def step(name: str) -> None:
        now = time.perf_counter()
        timings[name] = round(now - marks["t"], 3)
        marks["t"], marks["done"] = now, marks["done"] + 1
        TrainingPlan.objects.filter(pk=plan.pk).update(steps_done=marks["done"], timings=timings)
        if progress:
            progress(marks["done"], len(STEPS), name)

    try:
        inp, _warning = fetch.plan_input(today, budget, progress=step)
        result = optimiser.solve(inp)
        step("solve")
        with transaction.atomic():
            _persist(plan, result)
            timings["persist"] = round(time.perf_counter() - marks["t"], 3)
            TrainingPlan.objects.filter(pk=plan.pk).update(
                status=PlanStatus.SUCCEEDED, finished_at=timezone.now(), steps_done=len(STEPS), timings=timings,
                spent_cny=Decimal(result.spent), value=result.value, solver=result.solver,
                uncovered=uncovered_json(result),
            )
        if progress:
            progress(len(STEPS), len(STEPS), "persist")
    except Exception as exc:  # noqa: BLE001 - recorded on the plan, which is shown with its error
        logger.exception("training plan %s failed", plan.pk)
        TrainingPlan.objects.filter(pk=plan.pk).update(
            status=PlanStatus.FAILED, finished_at=timezone.now(), timings=timings,
            error=str(exc) or type(exc).__name__,
        )
    plan.refresh_from_db()
    return plan


def _persist(plan: TrainingPlan, result: optimiser.PlanResult) -> None:
    plan.proposals.all().delete()
    colleges = dict(Program.objects.filter(pk__in=[p.program.id for p in result.proposals]).values_list("id", "college_id"))
    TrainingProposal.objects.bulk_create([
        TrainingProposal(
            plan=plan, college_id=colleges[p.program.id], program_id=p.program.id, region_codes=p.region_codes,
            occupation_id=p.occupation_code, seats=p.seats, intake_date=p.intake_date,
            graduation_date=p.graduation_date, cost_cny=Decimal(p.cost_cny), covers=covers_json(p.covers),
            value=p.value, mobile=p.program.mobile,
        )
        for p in result.proposals
    ])


def plan_quality(solver: dict) -> str:
    """How good the plan is, in words (the page, the API's `quality`, the command): proven the best
    possible, or -- when PLAN_TIME_LIMIT_SECONDS stopped the solver first -- the best plan found in that
    time and how far from the best possible it may be at most (the solver's relative gap between the
    plan and the bound it proved)."""
    from core import text

    gap = float(solver.get("gap") or 0)
    stopped = solver.get("status") == "time_limit"
    if gap < 0.00005 and not stopped:
        return _("Proven the best possible plan for this budget.")
    seconds = text.format_number(round(float(solver.get("seconds") or 0)))
    if gap < 0.00005:  # the value is proven the best; the fewest seats at it are not
        return _("The best possible value, found in %(seconds)s s; the solver stopped before proving these are "
                 "the fewest seats for it.") % {"seconds": seconds}
    within = text.format_percent(gap, digits=2 if gap < 0.01 else 1)
    return _("The best plan found in %(seconds)s s; it is within %(percent)s of the best possible.") % {
        "seconds": seconds, "percent": within}


def plan_json(plan: TrainingPlan, proposals=None) -> dict:
    """SPEC.md's plan object (docs/formats.md), with the record's status, what stays uncovered and why,
    and the solver's figures."""
    if proposals is None:
        proposals = plan.proposals.select_related("college", "program").order_by("intake_date", "id")
    return {
        "id": plan.pk,
        "status": plan.status,
        "today": plan.today.isoformat(),
        "budget_cny": json_amount(plan.budget_cny),
        "spent_cny": json_amount(plan.spent_cny),
        "value": json_amount(plan.value),
        "proposals": [p.as_json() for p in proposals],
        "uncovered": list(plan.uncovered),
        "solver": dict(plan.solver),
        "quality": plan_quality(plan.solver) if plan.status == "succeeded" else None,
        "progress": {"done": plan.steps_done, "total": plan.steps_total},
        "error": plan.error or None,
    }


# --- In the background ---------------------------------------------------------------------------------------


def training_plan_enqueue(today: dt.date | None = None, budget: Decimal | None = None, user=None) -> TrainingPlan:
    """A queued plan; the task is sent after the commit."""
    _require_reviewer(user)
    plan = TrainingPlan.objects.create(today=today or service_today(), budget_cny=budget, requested_by=user)
    from .. import tasks

    transaction.on_commit(lambda: tasks.send_training_plan(plan.pk))
    return plan


def run_queued(plan_id: int) -> str:
    """What the task does: compute the plan if it is still queued (claimed by a conditional update)."""
    claimed = TrainingPlan.objects.filter(pk=plan_id, status=PlanStatus.QUEUED).update(
        status=PlanStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "gone"
    plan = TrainingPlan.objects.get(pk=plan_id)
    return training_plan_compute(plan.today, plan.budget_cny, plan=plan).status


# --- Accepting ---------------------------------------------------------------------------------------------


@transaction.atomic
def training_plan_accept(*, proposals, user=None) -> CooperationProject:
    """Accept one or several proposals (ids or rows) into ONE cooperation project, `fast_tracked` at once
    with the proposals as its plan (programs, planned trainees, earliest intake, budget in CNY), its
    condition due CONDITIONS_DUE_DAYS later as for an approved gap.

    The proposal rows are locked: a second acceptance of the same proposals, at once or later, returns
    the project of the first. Proposals already accepted into different projects, or some accepted and
    others not, raise AcceptConflict."""
    _require_reviewer(user)
    ids = sorted({p.pk if isinstance(p, TrainingProposal) else int(p) for p in proposals})
    if not ids:
        raise ValidationError({"proposals": _("Choose at least one proposal.")}, code="required")
    rows = list(
        TrainingProposal.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("id")
    )
    missing = sorted(set(ids) - {r.pk for r in rows})
    if missing:
        raise ValidationError(
            {"proposals": _("No proposal has the id %(ids)s.") % {"ids": ", ".join(map(str, missing))}}, code="invalid"
        )
    plans = {r.plan_id for r in rows}
    if len(plans) > 1:
        raise ValidationError({"proposals": _("The proposals must come from one plan.")}, code="invalid")
    projects = {r.project_id for r in rows}
    if projects != {None}:
        if len(projects) == 1:  # all accepted into one project already: the same answer again
            return CooperationProject.objects.get(pk=projects.pop())
        raise AcceptConflict(_("Some of these proposals were already accepted into a project; accept the others on their own."))
    rows = list(TrainingProposal.objects.filter(pk__in=ids).select_related("program__college", "occupation").order_by("intake_date", "id"))
    now = timezone.now()
    first = rows[0]
    seats = sum(r.seats for r in rows)
    regions = sorted({code for r in rows for code in r.region_codes})
    from ..services import written_in_every_language

    titles = written_in_every_language(lambda: ngettext(
        "Training plan: %(program)s, %(seats)d seat from %(date)s",
        "Training plan: %(program)s, %(seats)d seats from %(date)s",
        seats,
    ) % {"program": (first.program.display_title if len(rows) == 1
                     else ", ".join(sorted({r.program.display_title for r in rows}))),
         "seats": seats, "date": format_date(first.intake_date)})
    colleges = []
    for r in rows:
        if r.program.college not in colleges:
            colleges.append(r.program.college)
    project = CooperationProject(
        **titles, owner=user, approved_at=now, status=ProjectStatus.FAST_TRACKED, status_changed_at=now,
        lead_college=colleges[0], planned_trainees=seats, planned_intake_date=first.intake_date,
        budget_amount=sum((r.cost_cny for r in rows), Decimal(0)), budget_currency="CNY",
        status_reason=_("Accepted from the training plan of %(day)s (regions %(regions)s).")
        % {"day": format_date(first.plan.today), "regions": ", ".join(regions)},
    )
    if user is not None:
        project._history_user = user
    project.save()
    project.programs.set({r.program_id for r in rows})
    project.partner_colleges.set([c for c in colleges[1:]])
    condition = ProjectCondition(project=project, **written_in_every_language(
                                     lambda: str(_default_condition_text()), field="text", max_length=None),
                                 due_date=project.default_condition_due_date(), created_by=user)
    if user is not None:
        condition._history_user = user
    condition.save()
    TrainingProposal.objects.filter(pk__in=ids).update(project=project, accepted_at=now, accepted_by=user)
    from .. import notifications

    notifications.notify_colleges_named(project.pk, [c.pk for c in colleges])  # after the commit
    return project


def _default_condition_text():
    from ..services import DEFAULT_CONDITION_TEXT

    return DEFAULT_CONDITION_TEXT
