"""The training plan's pages (docs/contract.md, section 10): reviewers set a budget, see the plan (the
proposed classes, money per country, what stays uncovered and why, mobile workshops' routes) and
accept proposals into one fast-tracked project; college staff see the classes proposed to them.

The plan is computed by the Celery task (eager when no broker is configured); the page refreshes
itself while the plan is queued or running.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from core import text
from core.permissions import can_review, college_ids_for
from projects.choices import PlanStatus, UncoveredReason
from projects.models import TrainingPlan, TrainingProposal
from projects.plan import services

from . import lists

def _by_season(covers: list[dict]) -> list[dict]:
    """A class's covered needs summed per region and quarter (one entry each, in their first order): two needs
    of one region and season are one figure to the reader, not "Almaty Region, Q4 2027: 2; Almaty Region, Q4 2027: 8"."""
    merged: dict[tuple[str, str], dict] = {}
    for c in covers:
        key = (c["region_code"], c["quarter"])
        if key in merged:
            merged[key]["count"] += c["count"]
        else:
            merged[key] = {"region_code": c["region_code"], "quarter": c["quarter"], "count": c["count"]}
    return list(merged.values())


# The colleges' countries by name (a college's country is an ISO 3166-1 code); another code shows as is.
COUNTRY_NAMES = {"CN": gettext_lazy("China"), "KZ": gettext_lazy("Kazakhstan")}


class BudgetForm(forms.Form):
    budget = forms.DecimalField(
        label=gettext_lazy("Budget (CNY)"), required=False, min_value=0, max_digits=16, decimal_places=2,
        help_text=gettext_lazy("Empty: no budget limit."),
    )


def _may_see(user) -> bool:
    return can_review(user) or (user.is_authenticated and user.has_role(Role.COLLEGE_STAFF))


def _proposal_rows(proposals, *, countries: dict[int, str]) -> list[dict]:
    rows = []
    for p in proposals:
        rows.append({
            "id": p.pk,
            "dates": text.format_date_range(p.intake_date, p.graduation_date),
            "college": text.college_label(p.college.code),
            "program": text.program_label(p.college.code, p.program.code),
            "mobile": p.mobile,
            "regions": text.join_list(text.region_label(code) for code in p.region_codes),
            "occupation": text.occupation_label(p.occupation_id),
            "seats": text.format_count(p.seats, "%(n)s seat", "%(n)s seats"),
            "cost": text.format_money(p.cost_cny, "CNY"),
            "covers": text.join_list((
                _("%(region)s, %(quarter)s: %(count)s") % {
                    "region": text.region_name(c["region_code"]), "quarter": text.quarter_name(c["quarter"]),
                    "count": text.format_count(c["count"], "%(n)s worker", "%(n)s workers")}
                for c in _by_season(p.covers)
            ), separator="items"),
            "project": p.project_id,
            "country": countries.get(p.college_id, ""),
            "program_key": (p.college.code, p.program.code),
            "intake": p.intake_date,
        })
    return rows


def _plan_context(plan: TrainingPlan, proposals) -> dict:
    countries = dict((c.pk, c.country) for c in {p.college for p in proposals})
    rows = _proposal_rows(proposals, countries=countries)
    money: dict[str, Decimal] = defaultdict(Decimal)
    for p in proposals:
        money[countries.get(p.college_id, "")] += p.cost_cny
    routes: dict[tuple, list] = defaultdict(list)
    for row in rows:
        if row["mobile"]:
            routes[row["program_key"]].append(row)
    reasons = dict(UncoveredReason.choices)
    uncovered = [
        {"region": text.region_label(u["region_code"]), "occupation": text.occupation_label(u["occupation_code"]),
         "quarter": text.quarter_name(u["quarter"]),
         "workers": text.format_count(u["remaining"], "%(n)s worker", "%(n)s workers"),
         "reasons": text.join_list((
             _("%(reason)s: %(count)s") % {"reason": reasons.get(r, r), "count": text.format_number(n)}
             for r, n in (u.get("by_reason") or {u["reason"]: u["remaining"]}).items()
         ), separator="items")}
        for u in plan.uncovered
    ]
    # Per region and season (target quarter): workers the plan covers, and those it leaves uncovered.
    seasons: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for p in proposals:
        for c in p.covers:
            seasons[(c["quarter"], c["region_code"])][0] += c["count"]
    for u in plan.uncovered:
        seasons[(u["quarter"], u["region_code"])][1] += u["remaining"]
    season_rows = [
        {"label": _("%(region)s, %(quarter)s") % {"region": text.region_name(region), "quarter": text.quarter_name(quarter)},
         "covered": covered, "uncovered": left}
        for (quarter, region), (covered, left) in sorted(seasons.items())
    ]
    chart = {
        "labels": [r["label"] for r in season_rows],
        "datasets": [{"label": str(_("Covered by the plan")), "data": [r["covered"] for r in season_rows]},
                     {"label": str(_("Still uncovered")), "data": [r["uncovered"] for r in season_rows]}],
    } if season_rows else None
    return {
        "seasons": season_rows,
        "chart": chart,
        "plan": plan,
        "running": plan.status in (PlanStatus.QUEUED, PlanStatus.RUNNING),
        "day": text.format_date(plan.today),
        "budget": text.format_money(plan.budget_cny, "CNY") if plan.budget_cny is not None else _("no limit"),
        "spent": text.format_money(plan.spent_cny or 0, "CNY"),
        "value": text.format_money(plan.value or 0, "CNY"),
        "proposals": rows,
        "money": [{"country": COUNTRY_NAMES.get(country, country), "amount": text.format_money(amount, "CNY")}
                  for country, amount in sorted(money.items())],
        "routes": [{"program": text.program_label(*key), "stops": stops} for key, stops in sorted(routes.items())],
        "uncovered": uncovered,
        "solver_quality": solver_quality(plan.solver),
    }


def solver_quality(solver: dict) -> str:
    """How good the plan is, in words (projects.plan.services.plan_quality)."""
    return services.plan_quality(solver)


@login_required
@require_http_methods(["GET", "POST"])
def plan_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    if not _may_see(user):
        raise PermissionDenied(_("Only ministry reviewers and college staff see the training plan."))
    reviewer = can_review(user)
    form = BudgetForm(request.POST or None)
    if request.method == "POST":
        if not reviewer:
            raise PermissionDenied(_("Only ministry reviewers make training plans and accept their proposals."))
        if form.is_valid():
            plan = services.training_plan_enqueue(None, form.cleaned_data["budget"], user=user)
            return redirect("web:training-plan", pk=plan.pk)
    plans = TrainingPlan.objects.all()
    colleges = college_ids_for(user)
    proposals = TrainingProposal.objects.select_related("college", "program").order_by("intake_date", "id")
    if colleges is not None:
        proposals = proposals.filter(college_id__in=colleges)
        plans = plans.filter(proposals__college_id__in=colleges).distinct()
    if pk is not None:
        plan = get_object_or_404(plans, pk=pk)
    else:
        plan = plans.filter(status=PlanStatus.SUCCEEDED).order_by("-finished_at", "-id").first()
    limit = settings.PLAN_TIME_LIMIT_SECONDS
    context = {"form": form, "reviewer": reviewer, "plan": None,
               "recent": plans.order_by("-created_at", "-id")[:5] if reviewer else [],
               # How long the solver may look for the exact optimum (None: as long as it takes).
               "time_limit": text.format_number(round(limit)) if limit > 0 else None}
    if plan is not None:
        context.update(_plan_context(plan, list(proposals.filter(plan=plan))))
        # The proposed classes a page at a time, narrowed by ?q= (a college, program, region or occupation).
        query = (request.GET.get("q") or "").strip()[:200]
        rows = context["proposals"]
        if query:
            needle = query.casefold()
            rows = [r for r in rows if needle in " ".join(
                str(r[k]) for k in ("college", "program", "regions", "occupation", "dates")).casefold()]
        page, problems = lists.paginate(request, rows, fragment="#proposals-title")
        # What stays uncovered: a page at a time too, with its own page parameter.
        uncovered, more = lists.paginate(request, context["uncovered"], param="uncovered_page",
                                         fragment="#uncovered-title")
        problems += more
        context.update({"proposals": page.object_list, "proposals_page": page, "problems": problems,
                        "query": query, "proposal_total": len(context["proposals"]),
                        "uncovered": uncovered.object_list, "uncovered_page": uncovered})
        if request.method != "POST" and lists.status_for(problems) != 200:
            return render(request, "web/training_plan.html", context, status=lists.status_for(problems))
    elif not reviewer:
        # Nothing proposed to the college: say whether the ministry made no plan yet or its latest plan
        # leaves the college out, so that an empty page does not read as a fault.
        latest = TrainingPlan.objects.filter(status=PlanStatus.SUCCEEDED).order_by("-finished_at", "-id").first()
        context["latest_day"] = text.format_date(latest.today) if latest else None
    status = 422 if request.method == "POST" else 200
    return render(request, "web/training_plan.html", context, status=status)


@login_required
@require_POST
def plan_accept(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(TrainingPlan, pk=pk)
    ids = []
    for value in request.POST.getlist("proposal"):
        try:
            ids.append(int(value))
        except (TypeError, ValueError, InvalidOperation):
            continue
    ids = list(plan.proposals.filter(pk__in=ids).values_list("pk", flat=True))
    if not ids:
        messages.error(request, _("Choose at least one proposed class to accept."))
        return redirect("web:training-plan", pk=plan.pk)
    try:
        project = services.training_plan_accept(proposals=ids, user=request.user)
    except services.AcceptConflict as exc:
        messages.error(request, str(exc))
        return redirect("web:training-plan", pk=plan.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("web:training-plan", pk=plan.pk)
    messages.success(request, _("Accepted. Cooperation project “%(title)s” is fast-tracked.") % {"title": project.display_title})
    return redirect("web:project", pk=project.pk)
