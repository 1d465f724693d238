"""mismatches --quarter Q [--region R] [--kind K] [--format table|json|csv] (SPEC.md, Commands)."""

from __future__ import annotations

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from core.imports.safe import neutralise
from core.text import format_count
from core.quarters import Quarter
from gaps.matching.flags import FLAG_FIELDS, FlagKind, prime_flag_names
from gaps.matching.selectors import current_run, flags_current
from gaps.models import Region

TABLE_COLUMNS = (
    "kind", "region_code", "occupation_code", "target_occupation_code", "college_code", "program_code",
    "cohort_graduation_date", "shortfall", "surplus", "count",
)
CHUNK = 2000


class Command(BaseCommand):
    help = "The current mismatch flags of a quarter (JSON: a list of SPEC.md flag objects)."

    def add_arguments(self, parser):
        parser.add_argument("--quarter", required=True)
        parser.add_argument("--region", help="a region code")
        parser.add_argument("--kind", help="one of: " + ", ".join(FlagKind.values))
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")

    def handle(self, *args, quarter, region, kind, format, **options):
        try:
            quarter = str(Quarter.parse(quarter))
        except ValueError as exc:
            raise CommandError(f"--quarter: {exc}") from exc
        if current_run(quarter) is None:
            raise CommandError(f"{quarter} has not been matched yet: run `manage.py match --quarter {quarter}`.")
        flags = flags_current(quarter=quarter)
        if region:
            if not Region.objects.filter(code=region).exists():
                raise CommandError(f"--region: unknown region code {region!r}")
            flags = flags.filter(region_code=region)
        if kind:
            kind = kind.upper()
            if kind not in FlagKind.values:
                raise CommandError(f"--kind: {kind!r} is not one of {', '.join(FlagKind.values)}")
            flags = flags.filter(kind=kind)
        rows = []
        chunk = []
        for flag in flags.order_by("id").iterator(chunk_size=CHUNK):
            chunk.append(flag)
            if len(chunk) == CHUNK:
                rows.extend(_as_json(chunk))
                chunk = []
        rows.extend(_as_json(chunk))
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        elif format == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(FLAG_FIELDS)
            for row in rows:
                writer.writerow([neutralise("" if row[k] is None else row[k]) for k in FLAG_FIELDS])
        else:
            write_table(self.stdout, TABLE_COLUMNS, [[row[k] for k in TABLE_COLUMNS] for row in rows])
            self.stdout.write(format_count(len(rows), "%(n)s flag", "%(n)s flags"))


def _as_json(flags) -> list[dict]:
    prime_flag_names(flags)  # the chunk's program titles in one query, not one per flag
    return [flag.as_json() for flag in flags]


def write_table(out, columns, rows) -> None:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    for r in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
