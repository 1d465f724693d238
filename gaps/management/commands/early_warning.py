"""early_warning [--today D] [--region R] [--occupation O] [--format table|json|csv] (SPEC.md, Commands).

Without --today: the current entries, recomputed first (as a run, in this process) when they are
not for the service's today or a matching run finished after them. With --today: the early
warning of that day computed in memory, writing nothing (reproducible runs).
"""

from __future__ import annotations

import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _, ngettext

from core import text
from core.imports.safe import neutralise
from gaps.models import Occupation, Region
from gaps.models.warning import WarningRating, WarningRunStatus, WarningStatus, WarningTrigger
from gaps.warning import services
from gaps.warning.compute import Entry, target_quarters
from gaps.warning.detail import entry_detail
from gaps.warning.selectors import current_entries, entry_values

CSV_FIELDS = ("region_name", "region_code", "occupation_name", "occupation_code", *Entry.JSON_FIELDS[2:], "detail")


def parse_day(value: str, option: str = "--today") -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError) as exc:
        raise CommandError(f"{option}: {value!r} is not a date like 2026-12-03") from exc


class Command(BaseCommand):
    help = "The early-warning entries of the four quarters after today's (JSON: a list of SPEC.md entries)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="compute for this day (YYYY-MM-DD) in memory, writing nothing")
        parser.add_argument("--region", help="only entries of this region code")
        parser.add_argument("--occupation", help="only entries of this ISCO-08 unit group")
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")

    def _progress(self, done: int, total: int, name: str) -> None:
        self.stderr.write(f"step {done}/{total}: {name}")

    def handle(self, *args, today, region, occupation, format, **options):
        problems = []
        day = None
        if today is not None:
            try:
                day = parse_day(today)
            except CommandError as exc:
                problems.append(str(exc))
        if region and not Region.objects.filter(code=region).exists():
            problems.append(f"--region: unknown region code {region!r}")
        if occupation and not Occupation.objects.filter(code=occupation, level=Occupation.Level.UNIT).exists():
            problems.append(f"--occupation: {occupation!r} is not an ISCO-08 unit group (4 digits) of the taxonomy")
        if problems:
            raise CommandError("; ".join(problems))

        if day is not None:
            try:
                result = services.early_warning_preview(day, progress=lambda name: self.stderr.write(f"step: {name}"))
            except Exception as exc:  # noqa: BLE001 - the reason, not a traceback
                raise CommandError(f"the early warning of {day.isoformat()} could not be computed: {exc}") from exc
            rows = [
                {**{name: getattr(e, name) for name in Entry.JSON_FIELDS}, "context": e.context}
                for e in result.entries
                if (not region or e.region_code == region) and (not occupation or e.occupation_code == occupation)
            ]
            for row in rows:
                for key, value in row.items():
                    if isinstance(value, dt.date):
                        row[key] = value.isoformat()
                if row["wage_pressure"] is not None:
                    row["wage_pressure"] = float(row["wage_pressure"])
        else:
            day = services.service_today()
            if not services.is_fresh(day):
                run = services.early_warning_compute(day, WarningTrigger.COMMAND, progress=self._progress)
                if run.status != WarningRunStatus.SUCCEEDED:
                    raise CommandError(f"the early warning run {run.pk} failed: {run.error}")
            rows = [
                {**entry_values(w), "context": w.context}
                for w in current_entries(region=region or None, occupation=occupation or None)
            ]
        for row in rows:
            row["detail"] = entry_detail(row, today=day)
        self.write(rows, day, format)

    def write(self, rows: list[dict], day: dt.date, format: str) -> None:
        if format == "json":
            self.stdout.write(json.dumps([{k: v for k, v in r.items() if k != "context"} for r in rows],
                                         ensure_ascii=False, indent=2))
            return
        if format == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(CSV_FIELDS)
            for r in rows:
                r = {**r, "region_name": text.region_name(r["region_code"]),
                     "occupation_name": text.occupation_name(r["occupation_code"])}
                writer.writerow([neutralise("" if r[k] is None else r[k]) for k in CSV_FIELDS])
            return
        columns = ("quarter", "region", "occupation", "source", "headcount", "covered", "shortfall", "need date",
                   "act by", "status", "rating")
        table = [
            [text.quarter_name(r["quarter"]), text.region_label(r["region_code"]),
             text.occupation_label(r["occupation_code"]), r["source"], text.format_number(r["headcount"]),
             text.format_number(r["covered"]), text.format_number(r["shortfall"]),
             text.format_date(dt.date.fromisoformat(r["need_date"])),
             _when(r, day), str(WarningStatus(r["status"]).label), str(WarningRating(r["rating"]).label)]
            for r in rows
        ]
        write_table(self.stdout, columns, table)
        if rows:
            self.stdout.write("")
        for r in rows:
            self.stdout.write(f"- {r['detail']}")
        current, _targets = target_quarters(day)
        self.stdout.write(ngettext(
            "%(n)s early-warning entry for %(day)s (target quarters after %(current)s)",
            "%(n)s early-warning entries for %(day)s (target quarters after %(current)s)", len(rows),
        ) % {"n": len(rows), "day": text.format_date(day), "current": text.quarter_name(str(current))})


def write_table(out, columns, rows) -> None:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    for r in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())


def _when(row: dict, day: dt.date) -> str:
    """The act-by cell: a short course's date when only a short course can still make it."""
    if row["status"] == WarningStatus.SHORT_COURSE_ONLY:
        return _("short course: %(when)s") % {"when": text.format_act_by(dt.date.fromisoformat(row["short_course_by"]), today=day)}
    return text.format_act_by(dt.date.fromisoformat(row["act_by"]), today=day)
