"""recommendations --college C --quarter Q [--today D] [--format table|json]: one college's ranked
recommendations, those that can still be acted on first (gaps.recommendation_dates)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from core.quarters import Quarter
from core.text import format_count
from gaps.matching.flags import prime_flag_names
from gaps.matching.selectors import current_run, recommendations_current
from training.models import College

from .mismatches import write_table

JSON_FIELDS = (
    "kind", "quarter", "college_code", "program_code", "region_code", "occupation_code", "from_occupation_code",
    "headcount", "shortfall", "salary_min", "salary_max", "currency", "salary_min_cny", "salary_max_cny",
    "need_date", "latest_intake_date", "feasibility", "score",
)
TABLE_COLUMNS = ("kind", "program_code", "region_code", "occupation_code", "headcount", "need_date", "latest_intake_date", "score",
                 "act_by", "feasible")


def recommendation_json(rec, *, today: dt.date | None = None) -> dict:
    from django.utils import timezone

    from gaps import recommendation_dates

    out = {}
    for name in JSON_FIELDS:
        value = getattr(rec, name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif name in ("salary_min", "salary_max", "salary_min_cny", "salary_max_cny", "feasibility", "score"):
            value = str(value)
        out[name] = value
    out["detail"] = rec.detail
    dated = recommendation_dates.dates(rec.latest_intake_date, rec.need_date, today=today or timezone.localdate())
    out["act_by"] = dated["act_by"].isoformat() if dated["act_by"] else None
    out["feasible"] = dated["feasible"]
    out["next_act_by"] = dated["next_act_by"].isoformat() if dated["next_act_by"] else None
    out["source"] = "matching"
    return out


def forward_json(rec, *, today: dt.date) -> dict:
    """A forward recommendation of the early warning (gaps.EarlyWarningRecommendation) in the same form."""
    from gaps import recommendation_dates, warning_selectors

    w = rec.warning
    feasible = rec.act_by >= today
    return {
        "kind": rec.kind, "quarter": w.quarter, "college_code": rec.college.code,
        "program_code": rec.program.code if rec.program else None, "region_code": w.region.code,
        "occupation_code": w.occupation_id, "from_occupation_code": None, "headcount": rec.seats,
        "shortfall": w.shortfall, "salary_min": None, "salary_max": None, "currency": None,
        "salary_min_cny": str(w.salary_min_cny) if w.salary_min_cny is not None else None,
        "salary_max_cny": str(w.salary_max_cny) if w.salary_max_cny is not None else None,
        "need_date": w.need_date.isoformat(), "latest_intake_date": rec.act_by.isoformat(), "feasibility": None,
        "score": str(rec.score), "detail": warning_selectors.warning_detail(w, today=today),
        "act_by": rec.act_by.isoformat(), "feasible": feasible,
        "next_act_by": None if feasible else recommendation_dates.next_year(rec.act_by).isoformat(),
        "source": "early_warning",
    }


class Command(BaseCommand):
    help = "A college's recommendations for a quarter, best score first."

    def add_arguments(self, parser):
        parser.add_argument("--college", required=True, help="a college code")
        parser.add_argument("--quarter", required=True)
        parser.add_argument("--format", choices=("table", "json"), default="table")
        parser.add_argument("--today", help="the date feasibility is judged on (YYYY-MM-DD; default: today)")

    def handle(self, *args, college, quarter, format, today=None, **options):
        from django.utils import timezone

        from gaps import recommendation_dates

        try:
            today = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--today: {exc}; use YYYY-MM-DD") from exc
        try:
            quarter = str(Quarter.parse(quarter))
        except ValueError as exc:
            raise CommandError(f"--quarter: {exc}") from exc
        college_row = College.objects.filter(code=college).first()
        if college_row is None:
            raise CommandError(f"--college: unknown college code {college!r}")
        from gaps.models import EarlyWarningRecommendation

        forward = list(
            EarlyWarningRecommendation.objects.filter(
                college_id=college_row.pk, warning__quarter=quarter, warning__is_active=True
            ).select_related("warning", "warning__region", "college", "program").order_by("act_by", "-score", "id")
        )
        if current_run(quarter) is None and not forward:
            raise CommandError(f"{quarter} has not been matched yet: run `manage.py match --quarter {quarter}`.")
        recs = list(recommendation_dates.rank_feasible_first(
            recommendations_current(quarter=quarter).filter(college_id=college_row.pk), today=today
        ))
        prime_flag_names(recs)
        rows = [recommendation_json(r, today=today) for r in recs] + [forward_json(r, today=today) for r in forward]
        # Feasible first (each source keeps its own order within), then the ones too late.
        rows.sort(key=lambda row: not row["feasible"])
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        write_table(self.stdout, TABLE_COLUMNS, [[row[k] for k in TABLE_COLUMNS] for row in rows])
        for row in rows:
            self.stdout.write(f"- {row['detail']}")
        self.stdout.write(format_count(
            len(rows), "%(n)s recommendation for %(college)s in %(quarter)s",
            "%(n)s recommendations for %(college)s in %(quarter)s", college=college, quarter=quarter,
        ))
