"""plan_training [--today D] [--budget CNY] [--format table|json] (SPEC.md, Commands).

Computes the training plan in this process (a TrainingPlan record, as the web's, so its proposals
can be accepted) and prints it: JSON is SPEC.md's plan object (docs/formats.md) with what stays
uncovered and the solver's figures; the table puts names before codes and money with its currency.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import text
from gaps.management.commands.early_warning import parse_day  # one date rule for both commands
from projects.choices import PlanStatus, UncoveredReason
from projects.plan import services


def parse_budget(value: str) -> Decimal:
    cleaned = value.replace(",", "").replace(" ", "").replace("_", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise CommandError(f"--budget: {value!r} is not an amount in CNY like 300000") from exc
    if not amount.is_finite() or amount < 0:
        raise CommandError(f"--budget: {value!r} must be an amount in CNY, 0 or more")
    return amount


class Command(BaseCommand):
    help = "The training plan: which classes to open, where and when, within a budget (SPEC.md JSON with --format json)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="plan from this day (YYYY-MM-DD); default: the service's today")
        parser.add_argument("--budget", help="the budget in CNY (commas and spaces ignored); default: no limit")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args, today, budget, format, **options):
        problems, day, amount = [], None, None
        if today is not None:
            try:
                day = parse_day(today)
            except CommandError as exc:
                problems.append(str(exc))
        if budget is not None:
            try:
                amount = parse_budget(budget)
            except CommandError as exc:
                problems.append(str(exc))
        if problems:
            raise CommandError("; ".join(problems))
        plan = services.training_plan_compute(
            day, amount, progress=lambda done, total, name: self.stderr.write(f"step {done}/{total}: {name}")
        )
        if plan.status != PlanStatus.SUCCEEDED:
            raise CommandError(f"the training plan of {plan.today.isoformat()} failed: {plan.error}")
        data = services.plan_json(plan)
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self._table(plan, data)

    def _table(self, plan, data) -> None:
        w = self.stdout.write
        budget = text.format_money(plan.budget_cny, "CNY") if plan.budget_cny is not None else _("no limit")
        proposals = data["proposals"]
        w(_("Training plan for %(day)s, budget %(budget)s: %(count)s, spent %(spent)s, value %(value)s") % {
            "day": text.format_date(plan.today), "budget": budget,
            "count": text.format_count(len(proposals), "%(n)s new cohort", "%(n)s new cohorts"),
            "spent": text.format_money(plan.spent_cny, "CNY"), "value": text.format_money(plan.value, "CNY"),
        })
        if proposals:
            w("")
            for p in proposals:
                program = text.program_label(p["college_code"], p["program_code"])
                if p["mobile"]:
                    program += " — " + _("mobile workshop")
                regions = ", ".join(text.region_label(code) for code in p["region_codes"])
                w(f"#{p['id']}  {text.format_date_range(_d(p['intake_date']), _d(p['graduation_date']))}  "
                  f"{text.college_label(p['college_code'])} · {program}")
                w("    " + _("%(regions)s · %(occupation)s · %(seats)s · %(cost)s") % {
                    "regions": regions, "occupation": text.occupation_label(p["occupation_code"]),
                    "seats": text.format_count(p["seats"], "%(n)s seat", "%(n)s seats"),
                    "cost": text.format_money(Decimal(str(p["cost_cny"])), "CNY"),
                })
        uncovered = data["uncovered"]
        if uncovered:
            w("")
            w(_("Stays uncovered:"))
            reasons = dict(UncoveredReason.choices)
            for u in uncovered:
                w("    " + _("%(region)s · %(occupation)s · %(quarter)s: %(count)s — %(reason)s") % {
                    "region": text.region_label(u["region_code"]), "occupation": text.occupation_label(u["occupation_code"]),
                    "quarter": text.quarter_name(u["quarter"]),
                    "count": text.format_count(u["remaining"], "%(n)s worker", "%(n)s workers"),
                    "reason": reasons.get(u["reason"], u["reason"]),
                })
        solver = data["solver"]
        w("")
        w(_("Solver: %(status)s, MIP gap %(gap)s, %(candidates)s candidates, %(seconds)s s") % {
            "status": solver.get("status", ""), "gap": solver.get("gap", 0), "candidates": solver.get("candidates", 0),
            "seconds": solver.get("seconds", 0),
        })
        if data.get("quality"):
            w(data["quality"])


def _d(value: str):
    import datetime as dt

    return dt.date.fromisoformat(value)
