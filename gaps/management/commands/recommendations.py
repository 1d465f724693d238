"""recommendations --college C --quarter Q [--format table|json]: one college's ranked recommendations."""

from __future__ import annotations

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
TABLE_COLUMNS = ("kind", "program_code", "region_code", "occupation_code", "headcount", "need_date", "latest_intake_date", "score")


def recommendation_json(rec) -> dict:
    out = {}
    for name in JSON_FIELDS:
        value = getattr(rec, name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif name in ("salary_min", "salary_max", "salary_min_cny", "salary_max_cny", "feasibility", "score"):
            value = str(value)
        out[name] = value
    out["detail"] = rec.detail
    return out


class Command(BaseCommand):
    help = "A college's recommendations for a quarter, best score first."

    def add_arguments(self, parser):
        parser.add_argument("--college", required=True, help="a college code")
        parser.add_argument("--quarter", required=True)
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args, college, quarter, format, **options):
        try:
            quarter = str(Quarter.parse(quarter))
        except ValueError as exc:
            raise CommandError(f"--quarter: {exc}") from exc
        college_row = College.objects.filter(code=college).first()
        if college_row is None:
            raise CommandError(f"--college: unknown college code {college!r}")
        if current_run(quarter) is None:
            raise CommandError(f"{quarter} has not been matched yet: run `manage.py match --quarter {quarter}`.")
        recs = list(recommendations_current(quarter=quarter).filter(college_id=college_row.pk).order_by("-score", "id"))
        prime_flag_names(recs)
        rows = [recommendation_json(r) for r in recs]
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
