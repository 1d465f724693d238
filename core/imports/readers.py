"""Read an uploaded CSV or XLSX file as rows of cells, streaming, without evaluating anything.

`read_rows()` yields `(row_number, cells)` for every row including the header (row 1), in the
numbering a spreadsheet shows; `cells` is None for a row that could not be decoded (already
reported). CSV cells are strings; XLSX cells are what openpyxl stores (str,
int, float, datetime, bool, None) — formulas stay the literal text `=...` because the workbook is
opened with `data_only=False` and nothing computes them. The column parsers in `cells.py` accept
both kinds, so a CSV and an XLSX file with the same content import the same way.

Problems that make the file unreadable raise `ImportRejected`; problems confined to one row (bytes
that are not UTF-8) are added to the caller's `Problems` so the rest of the file is still checked.
"""

from __future__ import annotations

import csv
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportRejected, Problems

CSV = "csv"
XLSX = "xlsx"

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls, and password-protected .xlsx
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

CHUNK_BYTES = 64 * 1024
# An XLSX is XML in a zip. Real sheets compress about 5-20x; a zip bomb compresses 1000x or more.
# Members smaller than 1 MiB are never a threat whatever their ratio.
XLSX_MAX_RATIO = 100
XLSX_RATIO_FLOOR_BYTES = 1024 * 1024
XLSX_MAX_MEMBERS = 10_000
# Unpacked size allowed by default, as a multiple of IMPORT_MAX_FILE_BYTES (setting
# IMPORT_MAX_UNCOMPRESSED_BYTES overrides): a full-size workbook at a real sheet's ~15x fits.
# Sheets are inflated as a stream, so this bounds time, not memory.
XLSX_MAX_UNCOMPRESSED_FACTOR = 25
# openpyxl reads every other XML part whole before the first row (shared strings, styles, the
# workbook, relationships): their unpacked size bounds memory. Inside the limits above, a 5 MB
# archive of tiny shared strings or cell formats cost 4.4 GB and 7.7 GB of memory
# (bench/hostile_imports.py). The shared strings of a full-size sheet of text (100,000 rows of 14
# distinct cells) take ~60 MB; a real styles part takes kilobytes.
XLSX_MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
XLSX_MAX_WHOLE_PART_BYTES = 8 * 1024 * 1024


def file_size(fileobj: IO[bytes]) -> int:
    position = fileobj.tell()
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(position)
    return size


def detect_format(filename: str, head: bytes) -> str:
    """CSV or XLSX from the file name, checked against the first bytes; a clear error on a mismatch."""
    suffix = PurePath(filename or "").suffix.lower()
    if head.startswith(OLE_MAGIC):
        raise ImportRejected.single(
            _("This is an old-style Excel .xls file or a password-protected workbook; save it as .xlsx or .csv.")
        )
    if suffix in (".xlsx", ".xlsm"):
        if not head.startswith(ZIP_MAGIC):
            raise ImportRejected.single(
                _("The file is named %(name)s but is not an XLSX workbook (an XLSX file is a zip archive). "
                  "If it is CSV text, name it .csv.") % {"name": PurePath(filename).name}
            )
        return XLSX
    if suffix == ".xls":
        raise ImportRejected.single(_("Old-style Excel .xls files are not supported; save the sheet as .xlsx or .csv."))
    if head.startswith(ZIP_MAGIC):
        if suffix in (".csv", ".txt", ".tsv"):
            raise ImportRejected.single(
                _("The file is named %(name)s but is a zip archive (an XLSX workbook?). "
                  "Save the sheet as CSV, or name the file .xlsx.") % {"name": PurePath(filename).name}
            )
        return XLSX
    return CSV


def read_rows(fileobj: IO[bytes], *, filename: str, problems: Problems) -> Iterator[tuple[int, list[Any]]]:
    """Rows of an import file, header first, after the size and format checks."""
    limit = settings.IMPORT_MAX_FILE_BYTES
    size = file_size(fileobj)
    if size > limit:
        raise ImportRejected.single(
            _("The file is %(size)s bytes; the limit is %(limit)s bytes.") % {"size": size, "limit": limit}
        )
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if not head:
        raise ImportRejected.single(_("The file is empty; its first row must be the header row."), row=1)
    if detect_format(filename, head) == XLSX:
        return _xlsx_rows(fileobj)
    return _csv_rows(fileobj, problems)


# --- CSV ----------------------------------------------------------------------------------------


def _raw_lines(fileobj: IO[bytes]) -> Iterator[bytes]:
    """Physical lines with their endings (\\n, \\r\\n or \\r), read in chunks."""
    pending = b""
    while chunk := fileobj.read(CHUNK_BYTES):
        lines = (pending + chunk).splitlines(keepends=True)
        # Hold back an unfinished last line, and a lone CR whose LF may start the next chunk.
        pending = b"" if lines[-1].endswith(b"\n") else lines.pop()
        yield from lines
    if pending:
        yield pending


class _DecodedLines:
    """Decodes lines as UTF-8, remembering the lines that are not, so the caller can name the row."""

    def __init__(self, fileobj: IO[bytes]):
        self._lines = _raw_lines(fileobj)
        self.bad: list[tuple[int, int]] = []  # (physical line, offending byte)
        self.first_line: str | None = None
        self._lineno = 0

    def _decode(self, raw: bytes) -> str:
        self._lineno += 1
        if self._lineno == 1:
            if raw.startswith(UTF16_BOMS):
                raise ImportRejected.single(
                    _("The file is UTF-16 text; save it as CSV UTF-8 (in Excel: \"CSV UTF-8 (comma delimited)\")."),
                    row=1,
                )
            if raw.startswith(UTF8_BOM):
                raw = raw[len(UTF8_BOM):]
            if b"\x00" in raw:
                raise ImportRejected.single(
                    _("The header row contains NUL bytes: the file is probably UTF-16 text or binary. "
                      "Save it as CSV UTF-8."),
                    row=1,
                )
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.bad.append((self._lineno, raw[exc.start]))
            return raw.decode("utf-8", errors="replace")

    def peek_first(self) -> str:
        if self.first_line is None:
            self.first_line = self._decode(next(self._lines, b""))
        return self.first_line

    def __iter__(self) -> Iterator[str]:
        yield self.peek_first()
        for raw in self._lines:
            yield self._decode(raw)


def _sniff_delimiter(header_line: str) -> str:
    """Comma, or the semicolon or tab some spreadsheet locales (ru, kk) export with."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(fileobj: IO[bytes], problems: Problems) -> Iterator[tuple[int, list[Any]]]:
    lines = _DecodedLines(fileobj)
    delimiter = _sniff_delimiter(lines.peek_first())
    reader = csv.reader(iter(lines), delimiter=delimiter, strict=False)
    row = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # Typically a cell longer than csv.field_size_limit(); the reader cannot resynchronise.
            problems.add(row + 1, None, _("This row cannot be read as CSV (%(error)s); nothing after it was checked.")
                         % {"error": exc})
            break
        row += 1
        if lines.bad:
            for _line, byte in lines.bad:
                problems.add(
                    row, None,
                    _("The row contains bytes that are not UTF-8 text (byte 0x%(byte)02x); save the file as CSV UTF-8.")
                    % {"byte": byte},
                )
            lines.bad.clear()
            # The row is reported; checking its garbled cells would only add follow-on errors.
            yield row, None
            continue
        yield row, cells


# --- XLSX ---------------------------------------------------------------------------------------


def _check_zip(fileobj: IO[bytes]) -> None:
    """Refuse archives that are not zips, or whose declared contents are absurd (zip bombs).

    Python's zipfile never inflates a member past its declared size (ZipExtFile stops at
    file_size and checks the CRC), so checking the declared sizes here bounds what openpyxl can
    ever decompress.
    """
    max_total = getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", XLSX_MAX_UNCOMPRESSED_FACTOR * settings.IMPORT_MAX_FILE_BYTES)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
            names = {info.filename for info in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise ImportRejected.single(_("The file is not a valid XLSX workbook (%(error)s).") % {"error": exc}) from exc
    finally:
        fileobj.seek(0)
    if len(members) > XLSX_MAX_MEMBERS:
        raise ImportRejected.single(_("The workbook has too many parts (%(n)s) to be a spreadsheet.") % {"n": len(members)})
    total = sum(info.file_size for info in members)
    if total > max_total:
        raise ImportRejected.single(
            _("The workbook would unpack to %(size)s bytes; the limit is %(limit)s bytes. "
              "Split it into smaller files.") % {"size": total, "limit": max_total}
        )
    for info in members:
        if info.file_size > XLSX_RATIO_FLOOR_BYTES and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
            raise ImportRejected.single(
                _("The workbook part %(name)s is compressed %(ratio)s to 1, which only a zip bomb is; refused.")
                % {"name": info.filename, "ratio": info.file_size // max(info.compress_size, 1)}
            )
    for info in members:
        name = info.filename
        if name.startswith("xl/worksheets/") or not name.endswith((".xml", ".rels")):
            continue  # sheets are streamed; images and other media are never read
        limit = XLSX_MAX_SHARED_STRINGS_BYTES if name == "xl/sharedStrings.xml" else XLSX_MAX_WHOLE_PART_BYTES
        if info.file_size > limit:
            raise ImportRejected.single(
                _("The workbook part %(name)s would unpack to %(size)s bytes; the limit for it is %(limit)s bytes.")
                % {"name": name, "size": info.file_size, "limit": limit}
            )
    if "xl/workbook.xml" not in names:
        raise ImportRejected.single(_("The zip archive is not an XLSX workbook (it has no xl/workbook.xml)."))


def _xlsx_rows(fileobj: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_zip(fileobj)
    try:
        with warnings.catch_warnings():
            # "Workbook contains no default style" and similar are noise for an import.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=False, keep_links=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise ImportRejected.single(_("The XLSX workbook cannot be read (%(error)s).") % {"error": exc}) from exc
    except Exception as exc:  # noqa: BLE001 - XML parse errors, defusedxml refusals: all mean "bad file"
        raise ImportRejected.single(_("The XLSX workbook cannot be read (%(error)s).") % {"error": exc}) from exc
    return _sheet_rows(workbook)


def _sheet_rows(workbook) -> Iterator[tuple[int, list[Any]]]:
    try:
        if not workbook.worksheets:
            raise ImportRejected.single(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        # Saved dimensions can be wrong (some generators write A1); read what is really there.
        sheet.reset_dimensions()
        try:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(cells)
        except ImportRejected:
            raise
        except Exception as exc:  # noqa: BLE001 - a malformed sheet part surfaces while streaming
            raise ImportRejected.single(_("The XLSX worksheet cannot be read (%(error)s).") % {"error": exc}) from exc
    finally:
        workbook.close()
