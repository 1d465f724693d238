"""The import framework: header check, per-cell parsing, cross-row and database checks, then write.

An importer declares its columns; `Importer.run()` reads the whole file, collecting every problem
(row and column) instead of stopping at the first, and only when there are none does it call
`write()` inside one transaction. So a file is imported entirely or not at all, and a rejected
file leaves the database exactly as it was.

Subclasses implement:
    check_row(row, problems)       cross-column rules of one row (min <= max, start <= end)
    check_rows(rows, problems)     rules between rows (duplicates, rows that must agree)
    check_database(rows, problems) what needs the database (known codes, the user's scope)
    write(rows) -> summary         the upserts; runs in the same transaction as check_database
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from core.text import plural_noop

from .cells import MAX_CELL_CHARS, CellError, Parser, as_text, is_blank
from .errors import DatabaseUnavailable, ImportRejected, Problems
from .readers import read_rows

logger = logging.getLogger(__name__)

# Progress goes to the command's stderr this often: frequent enough to show life on a 100k-row
# file, rare enough not to flood a terminal.
PROGRESS_EVERY_ROWS = 1000
# Rows are all checked before anything is written, so they are held in memory (~1.5 KB each):
# the cap bounds that. SPEC's scale is 50,000 report lines per quarter for all regions together.
# Setting IMPORT_MAX_ROWS overrides.
DEFAULT_MAX_ROWS = 100_000


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = False  # the header must have this column
    blank: bool = True  # a row may leave the cell empty
    default: Any = None  # value of an empty cell; a callable is called (for fresh lists)

    def empty_value(self) -> Any:
        return self.default() if callable(self.default) else self.default


# What importers count, with its plural (describe: "1 program created", "2 cohorts updated"); plural_noop
# has makemessages extract each pair, format_count translates it in the reader's language.
COUNTED = {
    "regions": plural_noop("%(n)s region", "%(n)s regions"),
    "exchange rates": plural_noop("%(n)s exchange rate", "%(n)s exchange rates"),
    "colleges": plural_noop("%(n)s college", "%(n)s colleges"),
    "programs": plural_noop("%(n)s program", "%(n)s programs"),
    "cohorts": plural_noop("%(n)s cohort", "%(n)s cohorts"),
    "reports": plural_noop("%(n)s report", "%(n)s reports"),
    "lines": plural_noop("%(n)s line", "%(n)s lines"),
}
KIND_WORDS = {"created": gettext_lazy("created"), "updated": gettext_lazy("updated"), "unchanged": gettext_lazy("unchanged")}


@dataclass
class Row:
    number: int  # the spreadsheet row (header = 1)
    values: dict[str, Any] = field(default_factory=dict)  # parsed cells; a cell that failed is absent
    valid: bool = True  # every cell parsed
    failed: set[str] = field(default_factory=set)  # the columns whose cell did not parse


def summary(**sections: dict[str, int]) -> dict[str, Any]:
    return {"created": {}, "updated": {}, "unchanged": {}, **sections}


class Importer:
    """Base class; see the module docstring."""

    #: Human name of what one row is, for messages ("gap report lines").
    label: str = "rows"
    columns: tuple[Column, ...] = ()

    def __init__(self, *, user=None, progress: Callable[[str], None] | None = None):
        self.user = user
        self._progress = progress
        self.present: set[str] = set()

    # --- the pipeline ---------------------------------------------------------------------

    def run(self, fileobj: IO[bytes], *, filename: str) -> dict[str, Any]:
        """Import a file: all rows or nothing. Raises ImportRejected listing every problem found, and
        DatabaseUnavailable when the database connection fails on the way."""
        problems = Problems()
        # A lost connection before the commit loses the transaction with it: nothing was written.
        # Lost during the commit itself (after the writes returned), the outcome is unknown.
        committing = False
        try:
            rows = self.read(fileobj, filename=filename, problems=problems)
            self.check_rows(rows, problems)
            with transaction.atomic():
                self.check_database(rows, problems)
                problems.raise_if_any()
                self.progress(_("%(n)s rows checked; writing.") % {"n": len(rows)})
                result = self.write(rows)
                committing = True
            return result
        except (OperationalError, InterfaceError) as exc:
            logger.warning("import of %s: database connection lost (%s)", filename, exc)
            outer = transaction.get_connection().in_atomic_block  # the caller's transaction rolls back too
            raise DatabaseUnavailable(filename, saved=None if committing and not outer else False) from exc

    def read(self, fileobj: IO[bytes], *, filename: str, problems: Problems) -> list[Row]:
        stream = read_rows(fileobj, filename=filename, problems=problems)
        first = next(stream, None)
        if first is None:
            raise ImportRejected.single(_("The file is empty; its first row must be the header row."), row=1)
        _number, header_cells = first
        if header_cells is None:  # the header itself is not UTF-8: nothing more can be read
            problems.raise_if_any()
        positions, unnamed = self._read_header(header_cells or [], problems)
        width = len(header_cells or [])
        rows: list[Row] = []
        max_rows = getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)
        for number, cells in stream:
            if cells is None or all(is_blank(c) for c in cells):
                continue
            if len(rows) >= max_rows:
                raise ImportRejected.single(
                    _("The file has more than %(max)s data rows; split it into smaller files.") % {"max": max_rows},
                    row=number,
                )
            row = self._parse_row(number, cells, positions, problems)
            for index in unnamed + list(range(width, len(cells))):
                if index < len(cells) and not is_blank(cells[index]):
                    problems.add(
                        number, None,
                        _("Column %(letter)s has a value but no header; remove it or name the column.")
                        % {"letter": get_column_letter(index + 1)},
                    )
                    row.valid = False
            # The cross-column rules run on whatever parsed, however the rest of the row fails:
            # every problem of a file is told in one pass.
            self.check_row(row, problems)
            rows.append(row)
            if len(rows) % PROGRESS_EVERY_ROWS == 0:
                self.progress(_("%(n)s rows read") % {"n": len(rows)})
        if not rows:
            problems.add(None, None, _("The file has a header row but no data rows."))
        return rows

    def _read_header(self, cells: list[Any], problems: Problems) -> tuple[list[tuple[int, Column]], list[int]]:
        by_name = {column.name: column for column in self.columns}
        names = []
        for cell in cells:
            try:
                names.append("" if is_blank(cell) else as_text(cell).lstrip("\ufeff").strip().lower())
            except CellError:
                names.append("\x00")
        expected = ", ".join(column.name for column in self.columns)
        if not any(name in by_name for name in names):
            raise ImportRejected.single(
                _("The first row must be the header row with the column names: %(columns)s.") % {"columns": expected},
                row=1,
            )
        positions: list[tuple[int, Column]] = []
        unnamed: list[int] = []
        seen: dict[str, int] = {}
        for index, name in enumerate(names):
            if not name:
                unnamed.append(index)
            elif name not in by_name:
                problems.add(1, name, _("Unknown column. The columns of this file are: %(columns)s.") % {"columns": expected})
            elif name in seen:
                problems.add(
                    1, name,
                    _("The column appears twice (columns %(first)s and %(second)s).")
                    % {"first": get_column_letter(seen[name] + 1), "second": get_column_letter(index + 1)},
                )
            else:
                seen[name] = index
                positions.append((index, by_name[name]))
        for column in self.columns:
            if column.required and column.name not in seen:
                problems.add(1, column.name, _("This required column is missing from the header row."))
        self.present = set(seen)
        self.check_header(problems)
        return positions, unnamed

    def _parse_row(self, number: int, cells: list[Any], positions, problems: Problems) -> Row:
        row = Row(number)
        for index, column in positions:
            raw = cells[index] if index < len(cells) else None
            try:
                if is_blank(raw):
                    if not column.blank:
                        raise CellError(_("A value is required."))
                    row.values[column.name] = column.empty_value()
                    continue
                if isinstance(raw, str) and len(raw) > MAX_CELL_CHARS:
                    raise CellError(
                        _("The cell has %(n)s characters; at most %(max)s are accepted.")
                        % {"n": len(raw), "max": MAX_CELL_CHARS}
                    )
                row.values[column.name] = column.parse(raw)
            except CellError as exc:
                problems.add(number, column.name, exc.message)
                row.valid = False
                row.failed.add(column.name)
        return row

    def progress(self, message: str) -> None:
        if self._progress is not None:
            self._progress(message)

    # --- hooks --------------------------------------------------------------------------------

    def check_header(self, problems: Problems) -> None:
        """Rules about which optional columns must appear together (self.present is set)."""

    def check_row(self, row: Row, problems: Problems) -> None:
        """Cross-column rules of one row, on the cells that parsed (row.values; row.failed names the
        others): it runs whatever else is wrong with the row, so compare only values present."""

    def check_rows(self, rows: list[Row], problems: Problems) -> None:
        """Rules between rows."""

    def check_database(self, rows: list[Row], problems: Problems) -> None:
        """Rules that need the database; runs inside the write transaction."""

    def write(self, rows: list[Row]) -> dict[str, Any]:
        raise NotImplementedError

    def describe(self, result: dict[str, Any]) -> str:
        """One line for the management command."""
        from core.text import format_count

        parts = []
        for kind, counts in (("created", result["created"]), ("updated", result["updated"]), ("unchanged", result["unchanged"])):
            for what, n in counts.items():
                singular, plural = COUNTED.get(what, (f"%(n)s {what}", f"%(n)s {what}"))
                # Translators: "3 programs created"; %(what)s is a count with its noun, %(kind)s created/updated/unchanged.
                parts.append(_("%(what)s %(kind)s") % {"what": format_count(n, singular, plural), "kind": KIND_WORDS[kind]})
        return ", ".join(parts) or _("nothing to do")

