"""Imports of regions, exchange rates and gap report lines (SPEC.md, "Exchange formats").

Each importer reads the whole file and checks every row before writing anything (see
core.imports.base); the write is one transaction. Management commands (import_regions,
import_rates, import_gaps) and the API uploads (gaps/api/uploads.py) both run these classes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Role
from core.imports import cells
from core.imports.base import Column, Importer, Row, summary
from core.imports.errors import ImportRejected, Problem, Problems
from core.permissions import is_admin
from core.text import format_count

from . import search, services
from .models import ExchangeRate, GapReport, Occupation, Region, ReportStatus
from .models.regions import RegionKind

REGION_CODE_MAX = Region._meta.get_field("code").max_length


def _region_name(field: str) -> cells.Parser:
    return cells.text(Region._meta.get_field(field).max_length)


class RegionImporter(Importer):
    """Upsert regions by region_code. Columns absent from the header leave those fields alone."""

    label = "regions"
    columns = (
        Column("region_code", cells.code(REGION_CODE_MAX), required=True, blank=False),
        Column("country", cells.country, required=True, blank=False),
        Column("name_en", _region_name("name_en"), required=True, blank=False),
        Column("name_ru", _region_name("name_ru"), default=""),
        Column("name_zh", _region_name("name_zh"), default=""),
        Column("name_kk", _region_name("name_kk"), default=""),
        Column("kind", cells.choice(RegionKind.values), required=True, blank=False),
    )

    def check_rows(self, rows: list[Row], problems: Problems) -> None:
        _check_duplicates(rows, problems, ("region_code",), _("region_code %(key)s"))

    def write(self, rows: list[Row]) -> dict[str, Any]:
        existing = {r.code: r for r in Region.objects.filter(code__in=[row.values["region_code"] for row in rows])}
        fields = [c.name for c in self.columns if c.name != "region_code" and c.name in self.present]
        result = summary(created={"regions": 0}, updated={"regions": 0}, unchanged={"regions": 0})
        for row in rows:
            values = row.values
            region = existing.get(values["region_code"])
            if region is None:
                region = Region(code=values["region_code"])
                kind = "created"
            else:
                kind = "unchanged"
            for name in fields:
                if getattr(region, name) != values[name]:
                    setattr(region, name, values[name])
                    kind = "updated" if kind == "unchanged" else kind
            if kind != "unchanged":
                if self.user is not None:
                    region._history_user = self.user
                region.full_clean(exclude=["members"])
                region.save()
            result[kind]["regions"] += 1
            existing[region.code] = region
        return result


class ExchangeRateImporter(Importer):
    """Upsert rates to CNY by (currency, date)."""

    label = "exchange rates"
    columns = (
        Column("currency", cells.currency, required=True, blank=False),
        Column("date", cells.iso_date, required=True, blank=False),
        Column("rate_to_cny", cells.decimal(greater_than=0, max_digits=18, decimal_places=8), required=True, blank=False),
    )

    def check_rows(self, rows: list[Row], problems: Problems) -> None:
        _check_duplicates(rows, problems, ("currency", "date"), _("currency and date %(key)s"))

    def write(self, rows: list[Row]) -> dict[str, Any]:
        keys = {(row.values["currency"], row.values["date"]) for row in rows}
        currencies = {currency for currency, _date in keys}
        dates = {date for _currency, date in keys}
        existing = {
            (rate.currency, rate.date): rate
            for rate in ExchangeRate.objects.filter(currency__in=currencies, date__in=dates)
        }
        new, changed = [], []
        result = summary(created={"exchange rates": 0}, updated={"exchange rates": 0}, unchanged={"exchange rates": 0})
        for row in rows:
            key = (row.values["currency"], row.values["date"])
            rate = existing.get(key)
            if rate is None:
                new.append(ExchangeRate(currency=key[0], date=key[1], rate_to_cny=row.values["rate_to_cny"]))
                result["created"]["exchange rates"] += 1
            elif rate.rate_to_cny != row.values["rate_to_cny"]:
                rate.rate_to_cny = row.values["rate_to_cny"]
                changed.append(rate)
                result["updated"]["exchange rates"] += 1
            else:
                result["unchanged"]["exchange rates"] += 1
        # Rates are reference data without history; many rows (daily rates) go in a few queries.
        ExchangeRate.objects.bulk_create(new, batch_size=1000)
        ExchangeRate.objects.bulk_update(changed, ["rate_to_cny"], batch_size=1000)
        return result


def _check_duplicates(rows: list[Row], problems: Problems, key_columns: tuple[str, ...], what: str) -> None:
    seen: dict[tuple, int] = {}
    for row in rows:
        if not all(name in row.values for name in key_columns):
            continue
        key = tuple(row.values[name] for name in key_columns)
        if key in seen:
            problems.add(
                row.number, key_columns[0],
                _("Duplicate of row %(row)s (same %(what)s).")
                % {"row": seen[key], "what": what % {"key": " / ".join(str(k) for k in key)}},
            )
        else:
            seen[key] = row.number


# --- gap report lines --------------------------------------------------------------------------

def _line_field_length(name: str) -> int:
    from .models import GapReportLine

    return GapReportLine._meta.get_field(name).max_length


class GapReportImporter(Importer):
    """Report lines grouped into one report per region_code + quarter.

    For each group: the region's open draft for the quarter (report_create opens one if there is
    none; a submitted, withdrawn or superseded report is never modified), its lines replaced by
    the file's (report_replace_lines), and with `submit` the draft submitted (report_submit),
    which supersedes the region's previously submitted report for that quarter.

    The occupation: a valid occupation_code wins; otherwise the title is coded with the
    multilingual search, and below OCCUPATION_CODING_THRESHOLD the line is stored UNCODED
    (no occupation, title and confidence kept) for an official to code. Never dropped.
    """

    label = "gap report lines"
    columns = (
        Column("region_code", cells.code(REGION_CODE_MAX), required=True, blank=False),
        Column("quarter", cells.quarter, required=True, blank=False),
        Column("occupation_code", cells.occupation_code),
        Column("occupation_title", cells.text(_line_field_length("occupation_title")), default=""),
        Column("sector", cells.sector, default=""),
        Column("headcount", cells.integer(min_value=1, max_value=100_000), required=True, blank=False),
        Column("salary_min", cells.decimal(min_value=0, max_digits=14, decimal_places=2), required=True, blank=False),
        Column("salary_max", cells.decimal(min_value=0, max_digits=14, decimal_places=2), required=True, blank=False),
        Column("currency", cells.currency, required=True, blank=False),
        Column("season_start", cells.iso_date),
        Column("season_end", cells.iso_date),
        Column("certification", cells.text(_line_field_length("certification")), default=""),
        Column("languages", cells.language_list, default=list),
        Column("note", cells.text(cells.MAX_CELL_CHARS), default=""),
    )

    def __init__(self, *, submit: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.submit = submit
        self._regions: dict[str, Region] = {}
        self._occupations: dict[int, tuple[str | None, float | None]] = {}

    def check_header(self, problems: Problems) -> None:
        if not self.present & {"occupation_code", "occupation_title"}:
            problems.add(1, "occupation_code", _("The header needs occupation_code or occupation_title (or both)."))

    def check_row(self, row: Row, problems: Problems) -> None:
        v = row.values
        if not v.get("occupation_code") and not v.get("occupation_title") and not row.failed & {"occupation_code", "occupation_title"}:
            problems.add(row.number, "occupation_code", _("Give occupation_code or occupation_title (or both)."))
        if v.get("salary_min") is not None and v.get("salary_max") is not None and v["salary_min"] > v["salary_max"]:
            problems.add(
                row.number, "salary_min",
                _("salary_min (%(min)s) is greater than salary_max (%(max)s).") % {"min": v["salary_min"], "max": v["salary_max"]},
            )
        if v.get("season_start") and v.get("season_end") and v["season_start"] > v["season_end"]:
            problems.add(
                row.number, "season_start",
                _("season_start (%(start)s) is after season_end (%(end)s).") % {"start": v["season_start"], "end": v["season_end"]},
            )

    def check_database(self, rows: list[Row], problems: Problems) -> None:
        codes = {row.values["region_code"] for row in rows if "region_code" in row.values}
        self._regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
        editable = self._editable_region_ids()
        for row in rows:
            code = row.values.get("region_code")
            if code is None:
                continue
            region = self._regions.get(code)
            if region is None:
                problems.add(row.number, "region_code", _("Unknown region %(code)s.") % {"code": code})
            elif editable is not None and region.pk not in editable:
                problems.add(
                    row.number, "region_code",
                    _("You are not an official of region %(code)s; you may only import reports for your own regions.")
                    % {"code": code},
                )
        self._code_occupations(rows, problems)

    def _editable_region_ids(self) -> set[int] | None:
        """Regions the user may file reports for; None means any (commands, administrators)."""
        if self.user is None or is_admin(self.user):
            return None
        if not self.user.has_role(Role.OFFICIAL):
            return set()
        return set(Region.objects.filter(members=self.user).values_list("pk", flat=True))

    def _code_occupations(self, rows: list[Row], problems: Problems) -> None:
        given = {row.values["occupation_code"] for row in rows if row.values.get("occupation_code")}
        levels = dict(Occupation.objects.filter(code__in=given).values_list("code", "level"))
        threshold = settings.OCCUPATION_CODING_THRESHOLD
        # Coding titles is the slow part; a file that is rejected anyway is not worth it.
        code_titles = not problems
        coded: dict[str, tuple[str | None, float]] = {}  # a report repeats its titles
        for row in rows:
            code = row.values.get("occupation_code")
            title = row.values.get("occupation_title")
            if code:
                level = levels.get(code)
                if level is None:
                    problems.add(row.number, "occupation_code", _("Unknown ISCO-08 code %(code)s.") % {"code": code})
                elif level != Occupation.Level.UNIT:
                    problems.add(
                        row.number, "occupation_code",
                        _("%(code)s is an ISCO-08 group of level %(level)s; use a unit group (level 4).")
                        % {"code": code, "level": level},
                    )
                else:
                    self._occupations[row.number] = (code, None)
            elif title and code_titles:
                if title not in coded:
                    coded[title] = search.code_title(title)
                resolved, confidence = coded[title]
                if resolved is not None and confidence < threshold:
                    resolved = None  # the interface promises this already; the threshold is ours to enforce
                self._occupations[row.number] = (resolved, confidence)

    def _line_fields(self, row: Row) -> dict[str, Any]:
        v = row.values
        code, confidence = self._occupations.get(row.number, (None, None))
        return {
            "occupation_id": code,
            "occupation_title": v.get("occupation_title", ""),
            "coding_confidence": confidence,
            "sector": v.get("sector", ""),
            "headcount": v["headcount"],
            "salary_min": v["salary_min"],
            "salary_max": v["salary_max"],
            "currency": v["currency"],
            "season_start": v.get("season_start"),
            "season_end": v.get("season_end"),
            "certification": v.get("certification", ""),
            "languages": v.get("languages", []),
            "note": v.get("note", ""),
        }

    def write(self, rows: list[Row]) -> dict[str, Any]:
        groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for row in rows:
            groups[(row.values["region_code"], row.values["quarter"])].append(row)
        result = summary(
            created={"reports": 0, "lines": 0},
            updated={"reports": 0},
            unchanged={},
        )
        result["reports"] = []
        for (region_code, quarter), group in groups.items():
            region = self._regions[region_code]
            had_draft = GapReport.objects.filter(region=region, quarter=quarter, status=ReportStatus.DRAFT).exists()
            try:
                report = services.report_create(region=region, quarter=quarter, user=self.user)
                lines = services.report_replace_lines(
                    report=report, lines=[self._line_fields(row) for row in group], user=self.user,
                    prevalidated=True,  # every rule of the model was checked above, occupation included
                )
                superseded = None
                if self.submit:
                    previous = (
                        GapReport.objects.filter(region=region, quarter=quarter, status=ReportStatus.SUBMITTED)
                        .values_list("pk", flat=True)
                        .first()
                    )
                    report = services.report_submit(report=report, user=self.user)
                    superseded = previous
            except (ValidationError, PermissionDenied) as exc:
                # The rows were checked already; this is a rule only the service knows. Name the group.
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                raise ImportRejected(
                    [Problem(group[0].number, None, f"{region_code} {quarter}: {m}") for m in messages]
                ) from exc
            result["updated" if had_draft else "created"]["reports"] += 1
            result["created"]["lines"] += len(lines)
            result["reports"].append(
                {
                    "id": report.pk,
                    "region": region_code,
                    "quarter": quarter,
                    "status": report.status,
                    "lines": len(lines),
                    "uncoded": sum(1 for line in lines if line.occupation_id is None),
                    "first_row": group[0].number,
                    "superseded": superseded,
                }
            )
            self.progress(_("%(region)s %(quarter)s: %(n)s lines written") % {"region": region_code, "quarter": quarter, "n": len(lines)})
        return result

    def describe(self, result: dict[str, Any]) -> str:
        reports = result["reports"]
        lines = sum(r["lines"] for r in reports)
        uncoded = sum(r["uncoded"] for r in reports)
        parts = [
            _("%(lines)s in %(reports)s (%(c)s new, %(u)s drafts replaced)") % {
                "lines": format_count(lines, "%(n)s line", "%(n)s lines"),
                "reports": format_count(len(reports), "%(n)s report", "%(n)s reports"),
                "c": result["created"]["reports"], "u": result["updated"]["reports"],
            },
            _("%(n)s uncoded") % {"n": uncoded},
        ]
        submitted = [r for r in reports if r["status"] == ReportStatus.SUBMITTED]
        if submitted:
            parts.append(
                _("%(n)s submitted, %(s)s superseded earlier reports")
                % {"n": len(submitted), "s": sum(1 for r in submitted if r["superseded"])}
            )
        return "; ".join(parts)
