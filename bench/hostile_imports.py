#!/usr/bin/env python
"""Time and peak memory of hostile files uploaded to every import endpoint, at full size.

    .venv/bin/python bench/hostile_imports.py [--rows 100000] [--importers regions,rates,gaps,programs]
        [--kinds wrong_types,...] [--variants ...] [--max-bytes N] [--timeout 600] [--keep-files] [--json]

For each importer (regions, exchange rates, gap report lines, program cohorts) and each hostile
kind below it generates the file(s) into a directory of the run's own under bench/out/hostile/
(git-ignored; each file is deleted after its case unless --keep-files) and uploads it through the
real upload endpoint (`POST /api/v1/{regions,exchange-rates,reports,programs}/import/`) in-process
with DRF's APIClient, authenticated as an administrator. Every case runs in a fresh subprocess, so
its peak memory is its own. The subprocess makes one warm-up request (an upload without a file:
URLconf, views and import modules load, as in a running server worker), reads the file and builds
the multipart body, then resets its RSS high-water mark (`/proc/self/clear_refs`), times the
request and reads the peak (VmHWM; `base_rss_mb` is the RSS just before the request, the harness's
share). It records the HTTP status, wall and CPU seconds, peak RSS, the number of problems in the
response and its size in bytes, and whether anything was written: the exact row count of every
table of the database before and after the request.

Why not `ru_maxrss`: on Linux exec() carries the spawning process's high-water mark into the
child's `ru_maxrss`, so every case would report at least this script's own peak (the file
generator's); VmHWM belongs to the case's own address space. Accepted files queue re-matches
after commit; here they go to Celery's in-memory transport (no worker), as they would go to the
broker in production, instead of running inline in the request.

Kinds (variants in brackets):

| kind | file |
| --- | --- |
| wrong_types | `--rows` data rows, every typed cell wrong (non-numbers, non-dates, bad or unknown codes), CSV |
| wrong_types_xlsx | the same rows as an XLSX written by openpyxl's write-only mode (fewer rows if they do not fit in IMPORT_MAX_FILE_BYTES: said so) |
| huge_cells | [every_cell] rows whose every cell has 10,001 characters, up to just under the size limit; [one_cell] one cell of nearly the size limit (past the CSV reader's field limit) |
| too_many_rows | `--rows` + 1 plausible rows (with a smaller `--rows`, IMPORT_MAX_ROWS is lowered to `--rows` for the case) |
| over_size | [just_over] plausible rows, IMPORT_MAX_FILE_BYTES + 1 bytes; [double] twice the limit (refused from Content-Length, before the body is read) |
| encodings | [bom_cp1251] a UTF-8 BOM file of `--rows` plausible rows with a CP1251 row and a Latin-1 row in the middle; [utf16] the rows as UTF-16 (as many as fit) |
| formula | [csv] `--rows` rows whose text cells start with `=`, `+`, `-`, `@`; [xlsx] the same as a workbook, at most 10,000 rows (`=` cells become real formula cells without a cached value). Accepted or refused; if accepted, sampled rows are checked to be stored verbatim |
| zip_bomb | [ratio] a sheet inflating to 80 % of the unpacked-size limit from a tiny archive; [total] 120 % of it; [strings_under_limits] a sharedStrings part of two-character strings and [styles_under_limits] a styles part of cell formats, each just under every limit that applies to it (the unpacked total, the ratio, the part's own unpacked limit): they pass the zip checks, and openpyxl loads the whole part before the importer sees a row (the same for every importer, so these two run for the first importer only) |
| xml_entities | billion laughs in [sheet] the sheet and [shared_strings] the shared strings; [xxe] an external entity in the workbook part |
| renamed | [png_as_xlsx] a PNG, [random_as_xlsx] random bytes, [csv_as_xlsx] a CSV of `--rows` plausible rows, each named .xlsx; [png_as_csv] a PNG named .csv |

Uses the database of DATABASE_URL, by default a dedicated `talentgap_hostile` database on 127.0.0.1
that it creates, migrates and loads the ISCO-08 taxonomy into, plus its reference rows (regions
`HX-REF-1..3`, college `HX-REF-C`, a KZT rate, user `hostile-admin`). Rows a case writes (only
an accepted formula file should) are deleted before the next case: regions and colleges whose
code starts with `HX` (but not the reference ones), their reports, programs and history, and
exchange rates dated 2099 or later. One run per database at a time (an advisory lock; a second
run exits 2, or waits up to --lock-wait seconds). Loopback only: the database host must be local.

Exit status 1 if any case answered 5xx or timed out or crashed, accepted a file it should refuse
(everything but `formula`), wrote rows while refusing, or refused without listing a problem.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/talentgap_hostile"
OUT = ROOT / "bench" / "out" / "hostile"
ADMIN = "hostile-admin"
REF_REGIONS = {"HX-REF-1": "KZ", "HX-REF-2": "KZ", "HX-REF-3": "CN"}
REF_COLLEGE = "HX-REF-C"
FIRST_BENCH_RATE_DATE = dt.date(2099, 1, 1)
LOOPBACK = {"127.0.0.1", "localhost", "::1", ""}
ADVISORY_LOCK = 0x486F7374696C65  # "Hostile"

KINDS = {
    "wrong_types": [""],
    "wrong_types_xlsx": [""],
    "huge_cells": ["every_cell", "one_cell"],
    "too_many_rows": [""],
    "over_size": ["just_over", "double"],
    "encodings": ["bom_cp1251", "utf16"],
    "formula": ["csv", "xlsx"],
    "zip_bomb": ["ratio", "total", "strings_under_limits", "styles_under_limits"],
    "xml_entities": ["sheet", "shared_strings", "xxe"],
    "renamed": ["png_as_xlsx", "random_as_xlsx", "csv_as_xlsx", "png_as_csv"],
}
# Parts openpyxl loads whole before any importer sees a row: the same for every importer, so run for
# the first importer of the run only.
ONCE = {"strings_under_limits", "styles_under_limits"}
# The formula XLSX variant is about formula cells, not scale: at most this many rows.
FORMULA_XLSX_ROWS = 10_000
# The only kind a correct importer may accept (formula text is text); everything else must be refused.
MAY_ACCEPT = {"formula"}

# --- what each importer's rows look like -----------------------------------------------------------

FORMULAS = (
    lambda i: f'=HYPERLINK("http://x.example/{i}","y")',
    lambda i: f"+7 701 {i:06d}",
    lambda i: f"-{i}+1",
    lambda i: f"@SUM(A1:A{i})",
)
CURRENCIES = ["KZT", "USD", "EUR", "RUB", "UZS", "KGS", "CNY", "GBP", "JPY", "TRY"]
OCCUPATIONS = ["8341", "8332", "7212", "9333", "7411", "7126", "7112", "8111", "7515", "7233", "8322", "3115"]


def formula(i: int, k: int) -> str:
    return FORMULAS[(i + k) % len(FORMULAS)](i)


def day(base: dt.date, n: int) -> str:
    return (base + dt.timedelta(days=n)).isoformat()


class Spec:
    name: str
    url: str
    header: list[str]

    def plausible(self, i: int) -> list[str]:
        raise NotImplementedError

    def wrong(self, i: int) -> list[str]:
        raise NotImplementedError

    def formula(self, i: int) -> list[str]:
        raise NotImplementedError

    def cp1251_row(self, i: int) -> str:
        """A row with Cyrillic text, to be encoded in CP1251 (not UTF-8)."""
        raise NotImplementedError

    def latin1_row(self, i: int) -> str:
        raise NotImplementedError


class Regions(Spec):
    name = "regions"
    url = "/api/v1/regions/import/"
    header = ["region_code", "country", "name_en", "name_ru", "name_zh", "name_kk", "kind"]

    def plausible(self, i):
        return [f"HXP-{i:06d}", "KZ", f"Region {i}", f"Регион {i}", f"地区{i}", f"Аймақ {i}", "oblast"]

    def wrong(self, i):
        # region_code: not a code; country: not an ISO code; kind: not a kind (names are free text).
        return [f"bad code {i}!", "ZZ", f"Region {i}", "", "", "", "planet"]

    def formula(self, i):
        return [f"HXF-{i:06d}", "KZ", formula(i, 0), formula(i, 1), formula(i, 2), formula(i, 3), "oblast"]

    def cp1251_row(self, i):
        return f"HXE-{i:06d},KZ,Область {i},,,,oblast\r\n"

    def latin1_row(self, i):
        return f"HXE-{i:06d},KZ,Région {i},,,,oblast\r\n"


class Rates(Spec):
    name = "rates"
    url = "/api/v1/exchange-rates/import/"
    header = ["currency", "date", "rate_to_cny"]
    base = dt.date(2100, 1, 1)  # bench rates are dated 2099 or later: cleanup finds them

    def plausible(self, i):
        return [CURRENCIES[i % len(CURRENCIES)], day(self.base, i // len(CURRENCIES)), f"0.{1000 + i % 9000:04d}"]

    def wrong(self, i):
        # unknown currency code, a date in the wrong form, a decimal comma
        return ["XQZ", f"{1 + i % 28:02d}.07.2026", f"1,{i % 1000}"]

    def formula(self, i):
        # No text column here: every cell carries the formula prefix, so every cell is refused.
        prefix = "=+-@"[i % 4]
        return [f"{prefix}KZT", f"{prefix}DATE(2026,7,1)", "=1/66" if prefix == "=" else f"{prefix}0.015"]

    def cp1251_row(self, i):
        return f"KGS,{day(self.base, 50_000 + i)},сом\r\n"

    def latin1_row(self, i):
        return f"EUR,{day(self.base, 50_000 + i)},é\r\n"


class Gaps(Spec):
    name = "gaps"
    url = "/api/v1/reports/import/"
    header = [
        "region_code", "quarter", "occupation_code", "occupation_title", "sector", "headcount", "salary_min",
        "salary_max", "currency", "season_start", "season_end", "certification", "languages", "note",
    ]

    def plausible(self, i):
        return [
            "HX-REF-1", "2026Q3", OCCUPATIONS[i % len(OCCUPATIONS)], "", "A", str(1 + i % 300), "250000", "400000",
            "KZT", "2026-07-01", "2026-09-30", "KZ", "kk;ru", f"line {i}",
        ]

    def wrong(self, i):
        # region_code: a well-formed but unknown code, a different one on every row (checked in the
        # database); every other typed cell malformed.
        return [
            f"HX-NOPE-{i:06d}", "2026Q9", "12AB", "", "Z9", "many", "lots", "1,5", "XQZ", "31/12/2026", "tomorrow",
            "", "english;russian", f"line {i}",
        ]

    def formula(self, i):
        row = self.plausible(i)
        row[3], row[11], row[13] = formula(i, 0), formula(i, 1), formula(i, 2)
        return row

    def cp1251_row(self, i):
        return f"HX-REF-1,2026Q3,8341,Комбайнёр,A,5,250000,400000,KZT,,,,,\r\n"

    def latin1_row(self, i):
        return f"HX-REF-1,2026Q3,8341,Opérateur,A,5,250000,400000,KZT,,,,,\r\n"


class Programs(Spec):
    name = "programs"
    url = "/api/v1/programs/import/"
    header = [
        "college_code", "college_name", "country", "program_code", "program_title", "occupation_codes", "sector",
        "seats", "intake_date", "graduation_date", "languages", "certifications", "serves_regions",
    ]
    base = dt.date(2026, 1, 1)

    def _shape(self, i):
        # 1,000 rows a college, 100 cohorts (rows) a program, intakes a day apart (so the cohorts
        # graduate within two quarters: an accepted file queues two re-matches, not a hundred).
        college, program, cohort = i // 1000, i // 100, i % 100
        intake = self.base + dt.timedelta(days=cohort)
        return college, program, intake.isoformat(), (intake + dt.timedelta(days=300)).isoformat()

    def plausible(self, i):
        college, program, intake, graduation = self._shape(i)
        return [
            f"HXC-{college:04d}", f"College {college}", "KZ", f"P{program:05d}", "Welding and fabrication", "7212",
            "C", "25", intake, graduation, "ru;kk", "KZ", "HX-REF-1;HX-REF-2",
        ]

    def wrong(self, i):
        # college_code: well formed, new and different on every row (an administrator may create
        # colleges, but then must give name and country); occupation codes and served regions
        # well formed but unknown; everything else malformed.
        return [
            f"HX-NEW-{i:06d}", "", "XX", "bad code!", "Welding", "9999;9998", "Z9", "twenty", "next fall",
            "2026-13-45", "english;russian", "", f"HX-NOPE-{i:06d}",
        ]

    def formula(self, i):
        # Rows of one college / program must agree on its columns: formulas keyed by them.
        college, program, intake, graduation = self._shape(i)
        return [
            f"HXF-{college:04d}", formula(college, 0), "KZ", f"P{program:05d}", formula(program, 1), "7212", "C", "25",
            intake, graduation, "ru;kk", f"{formula(program, 2)};{formula(program, 3)}", "HX-REF-1",
        ]

    def cp1251_row(self, i):
        return f"HXC-9999,Колледж,KZ,PX,Сварщик,7212,C,25,2030-01-01,2030-06-01,ru,,\r\n"

    def latin1_row(self, i):
        return f"HXC-9998,Collège,KZ,PX,Soudeur,7212,C,25,2030-01-01,2030-06-01,ru,,\r\n"


SPECS: dict[str, Spec] = {s.name: s for s in (Regions(), Rates(), Gaps(), Programs())}

# --- files --------------------------------------------------------------------------------------------


def csv_line(cells) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


def write_csv(path: Path, header, rows, *, bom: bool = False) -> int:
    n = 0
    with open(path, "wb") as f:
        if bom:
            f.write(b"\xef\xbb\xbf")
        f.write(csv_line(header).encode())
        chunk = []
        for row in rows:
            chunk.append(csv_line(row))
            n += 1
            if len(chunk) == 5000:
                f.write("".join(chunk).encode())
                chunk = []
        f.write("".join(chunk).encode())
    return n


def write_xlsx(path: Path, header, rows) -> int:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(header)
    n = 0
    for row in rows:
        sheet.append(row)
        n += 1
    workbook.save(path)
    return n


NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


def inline_row(number: int, cells) -> str:
    from openpyxl.utils import get_column_letter
    from xml.sax.saxutils import escape

    parts = [
        f'<c r="{get_column_letter(k + 1)}{number}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
        for k, v in enumerate(cells)
    ]
    return f'<row r="{number}">{"".join(parts)}</row>'


def write_raw_xlsx(path: Path, *, sheet, shared_strings=None, styles=None, workbook_xml: str | None = None) -> None:
    """A minimal workbook written part by part; `sheet` and `shared_strings` are iterables of bytes,
    streamed into the archive (so a part can be far larger than memory)."""
    overrides = (
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    )
    rels = f'<Relationship Id="rId1" Type="{NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared_strings is not None:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT_SST}"/>'
        rels += f'<Relationship Id="rId2" Type="{NS_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    if styles is not None:
        overrides += f'<Override PartName="/xl/styles.xml" ContentType="{CT_STYLES}"/>'
        rels += f'<Relationship Id="rId3" Type="{NS_REL}/styles" Target="styles.xml"/>'
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + overrides + "</Types>"
    )
    workbook_xml = workbook_xml or (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{NS_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr("xl/workbook.xml", workbook_xml)
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{NS_PKG_REL}">{rels}</Relationships>')
        parts = [("xl/worksheets/sheet1.xml", sheet)]
        if shared_strings is not None:
            parts.append(("xl/sharedStrings.xml", shared_strings))
        if styles is not None:
            parts.append(("xl/styles.xml", styles))
        for name, chunks in parts:
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)


def sheet_chunks(header, rows_xml=(), *, filler=None):
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{NS_MAIN}"><sheetData>'.encode()
    yield inline_row(1, header).encode()
    for row in rows_xml:
        yield row.encode()
    if filler is not None:
        yield from filler
    yield b"</sheetData></worksheet>"


def repeated(total: int, unit: bytes):
    block = unit * max(1, (1 << 20) // len(unit))
    sent = 0
    while sent < total:
        piece = block[: total - sent]
        yield piece
        sent += len(piece)


def bomb_ratio_chunks(header, size: int):
    """A sheet whose one data cell holds `size` bytes of 'A': inflates ~1000x."""
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{NS_MAIN}"><sheetData>'.encode()
    yield inline_row(1, header).encode()
    yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    yield from repeated(size, b"A")
    yield b"</t></is></c></row></sheetData></worksheet>"


def filler_chunks(size: int, *, head: bytes, tail: bytes, plain: bytes, odd, seed: int, target_ratio: float = 90.0):
    """An XML part of `size` bytes: `plain` elements repeated, with just enough `odd(rng)` ones (random
    content) mixed in that the part compresses a little below `target_ratio` to 1 (the refusal is
    above XLSX_MAX_RATIO, 100)."""
    rng = random.Random(seed)

    def block(share: float) -> bytes:
        out, n = [], 0
        while n < (1 << 20):
            piece = odd(rng) if rng.random() < share else plain
            out.append(piece)
            n += len(piece)
        return b"".join(out)

    share = 0.01
    for _ in range(40):  # calibrate the share of odd elements on one MiB
        sample = block(share)
        ratio = len(sample) / len(zlib.compress(sample, 6))
        if ratio < target_ratio * 0.93:
            share *= 0.85
        elif ratio > target_ratio:
            share *= 1.15
        else:
            break
    yield head
    body, sent = size - len(head) - len(tail), 0
    end_tag = plain[plain.rindex(b"<"):] if plain.endswith(b">") and b"</" in plain else b"/>"
    while sent < body:
        data = block(share)
        if sent + len(data) > body:  # cut after a whole element so the XML stays well formed
            data = data[: body - sent]
            cut = data.rfind(end_tag)
            data = data[: cut + len(end_tag)] if cut >= 0 else b""
            if not data:
                break
        yield data
        sent += len(data)
    yield tail


def small_strings_chunks(size: int, *, seed: int):
    """sharedStrings.xml of many two-character strings: openpyxl keeps every one (and every parsed
    <si> element under the root) in memory before the first row is read."""
    return filler_chunks(
        size, head=f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{NS_MAIN}">'.encode(),
        tail=b"</sst>", plain=b"<si><t>ab</t></si>", odd=lambda rng: f"<si><t>{rng.getrandbits(40):010x}</t></si>".encode(),
        seed=seed,
    )


def cell_styles_chunks(size: int, *, seed: int):
    """styles.xml of many cell formats: openpyxl parses the whole part into a tree, then objects."""
    return filler_chunks(
        size,
        head=f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{NS_MAIN}"><cellXfs>'.encode(),
        tail=b"</cellXfs></styleSheet>", plain=b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',
        odd=lambda rng: f'<xf numFmtId="{rng.randrange(1000)}" fontId="{rng.randrange(99999)}" fillId="0" borderId="0"/>'.encode(),
        seed=seed,
    )


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + "]>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
# The smallest valid PNG (1x1, transparent), then random bytes.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)


@dataclass
class CaseFile:
    path: str
    filename: str
    data_rows: int | None  # data rows in the file (None: not a table)
    note: str = ""


def generate(spec: Spec, kind: str, variant: str, *, out: Path, rows: int, limits: dict, seed: int) -> CaseFile:
    stem = out / f"{spec.name}-{kind}{'-' + variant if variant else ''}"
    max_bytes = limits["max_bytes"]
    max_total = limits["max_uncompressed"]
    cells = limits["max_cell_chars"]
    rng = random.Random(seed)
    if kind == "wrong_types":
        path = stem.with_suffix(".csv")
        n = write_csv(path, spec.header, (spec.wrong(i) for i in range(rows)))
        return CaseFile(str(path), path.name, n)
    if kind == "wrong_types_xlsx":
        path = stem.with_suffix(".xlsx")
        n = write_xlsx(path, spec.header, (spec.wrong(i) for i in range(rows)))
        note = ""
        if path.stat().st_size > max_bytes:
            size = path.stat().st_size
            fit = int(rows * max_bytes / size * 0.97)
            n = write_xlsx(path, spec.header, (spec.wrong(i) for i in range(fit)))
            note = f"{rows} rows make {size / 2**20:.1f} MiB > the limit: {n} rows"
        return CaseFile(str(path), path.name, n, note)
    if kind == "huge_cells":
        path = stem.with_suffix(".csv")
        budget = max_bytes - 4096
        if variant == "every_cell":
            letters = "abcdefghijklmnopqrstuvwxyz"
            header_bytes = len(csv_line(spec.header))
            row_bytes = len(csv_line(["x" * (cells + 1)] * len(spec.header)))
            n = max(1, (budget - header_bytes) // row_bytes)
            data = ([letters[(i + k) % 26] * (cells + 1) for k in range(len(spec.header))] for i in range(n))
            write_csv(path, spec.header, data)
            return CaseFile(str(path), path.name, n, f"{n} rows x {len(spec.header)} cells of {cells + 1} chars")
        giant = budget - 2 * len(csv_line(spec.header))
        row = spec.plausible(0)
        row[-1] = "y" * giant
        write_csv(path, spec.header, [row])
        return CaseFile(str(path), path.name, 1, f"one cell of {giant:,} chars")
    if kind == "too_many_rows":
        path = stem.with_suffix(".csv")
        n = write_csv(path, spec.header, (spec.plausible(i) for i in range(rows + 1)))
        return CaseFile(str(path), path.name, n)
    if kind == "over_size":
        path = stem.with_suffix(".csv")
        target = max_bytes + 1 if variant == "just_over" else 2 * max_bytes
        with open(path, "wb") as f:
            f.write(csv_line(spec.header).encode())
            i = 0
            while f.tell() < target:
                f.write("".join(csv_line(spec.plausible(i + k)) for k in range(1000)).encode())
                i += 1000
            f.truncate(target)
        return CaseFile(str(path), path.name, None, f"{target:,} bytes")
    if kind == "encodings":
        path = stem.with_suffix(".csv")
        if variant == "bom_cp1251":
            middle = rows // 2
            with open(path, "wb") as f:
                f.write(b"\xef\xbb\xbf" + csv_line(spec.header).encode())
                for i in range(rows):
                    if i == middle:
                        f.write(spec.cp1251_row(i).encode("cp1251"))
                        f.write(spec.latin1_row(i).encode("latin-1"))
                    f.write(csv_line(spec.plausible(i)).encode())
            return CaseFile(str(path), path.name, rows + 2, f"CP1251 row {middle + 2}, Latin-1 row {middle + 3}")
        text = [csv_line(spec.header)]
        size = 2 + 2 * len(text[0])
        n = 0
        while n < rows:
            line = csv_line(spec.plausible(n))
            if size + 2 * len(line) > max_bytes - 2:
                break
            text.append(line)
            size += 2 * len(line)
            n += 1
        path.write_bytes("".join(text).encode("utf-16"))
        note = "" if n == rows else f"{n} rows fit in the limit as UTF-16"
        return CaseFile(str(path), path.name, n, note)
    if kind == "formula":
        if variant == "csv":
            path = stem.with_suffix(".csv")
            n = write_csv(path, spec.header, (spec.formula(i) for i in range(rows)))
        else:
            path = stem.with_suffix(".xlsx")
            n = write_xlsx(path, spec.header, (spec.formula(i) for i in range(min(rows, FORMULA_XLSX_ROWS))))
        return CaseFile(str(path), path.name, n)
    if kind == "zip_bomb":
        path = stem.with_suffix(".xlsx")
        if variant in ("ratio", "total"):
            size = int(max_total * (0.8 if variant == "ratio" else 1.2))
            write_raw_xlsx(path, sheet=bomb_ratio_chunks(spec.header, size))
            return CaseFile(str(path), path.name, 1, f"sheet inflates to {size / 2**20:,.0f} MiB")
        # Just under every limit that applies to the part (the archive's unpacked total, the ratio,
        # the part's own unpacked limit where readers.py has one): the zip checks let it through,
        # and openpyxl loads the whole part before the importer sees a row.
        part = "xl/sharedStrings.xml" if variant == "strings_under_limits" else "xl/styles.xml"
        part_limit = limits["max_shared_strings"] if variant == "strings_under_limits" else limits["max_whole_part"]
        size = min(int(max_total * 0.97), part_limit or max_total) - 64 * 1024
        bad = inline_row(2, spec.wrong(0))
        if variant == "strings_under_limits":
            write_raw_xlsx(path, sheet=sheet_chunks(spec.header, [bad]), shared_strings=small_strings_chunks(size, seed=seed))
        else:
            write_raw_xlsx(path, sheet=sheet_chunks(spec.header, [bad]), styles=cell_styles_chunks(size, seed=seed))
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(part)
            ratio = info.file_size / max(info.compress_size, 1)
        return CaseFile(str(path), path.name, 1, f"{part} {info.file_size / 2**20:,.0f} MiB at {ratio:.0f}:1")
    if kind == "xml_entities":
        path = stem.with_suffix(".xlsx")
        good = inline_row(2, spec.plausible(0))
        if variant == "sheet":
            chunks = [
                (BILLION_LAUGHS.replace("lolz", "worksheet") + f'<worksheet xmlns="{NS_MAIN}"><sheetData>').encode(),
                inline_row(1, spec.header).encode(),
                b'<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
                b"</sheetData></worksheet>",
            ]
            write_raw_xlsx(path, sheet=chunks)
        elif variant == "shared_strings":
            sst = (BILLION_LAUGHS.replace("lolz", "sst") + f'<sst xmlns="{NS_MAIN}"><si><t>&lol9;</t></si></sst>').encode()
            write_raw_xlsx(path, sheet=sheet_chunks(spec.header, [good]), shared_strings=[sst])
        else:
            workbook = (
                XXE + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><sheets>'
                '<sheet name="&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>'
            )
            write_raw_xlsx(path, sheet=sheet_chunks(spec.header, [good]), workbook_xml=workbook)
        return CaseFile(str(path), path.name, 1)
    if kind == "renamed":
        if variant == "csv_as_xlsx":
            path = stem.with_suffix(".xlsx")
            n = write_csv(path, spec.header, (spec.plausible(i) for i in range(rows)))
            return CaseFile(str(path), path.name, n)
        path = stem.with_suffix(".csv" if variant == "png_as_csv" else ".xlsx")
        noise = rng.randbytes(min(1 << 20, max_bytes // 2))
        path.write_bytes(noise if variant == "random_as_xlsx" else PNG + noise)
        return CaseFile(str(path), path.name, None, f"{len(noise) / 2**20:.2f} MiB of random bytes")
    raise ValueError(kind)


# --- the database -------------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    from bench.import_xlsx import ensure_database as create

    create(url)


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    # In-process requests come from the test client's host name; and no query log, ever.
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False


def prepare_database() -> None:
    from django.core.management import call_command

    from accounts.models import User
    from gaps.models import ExchangeRate, Occupation, Region
    from training.models import College

    call_command("migrate", verbosity=0, interactive=False)
    if not Occupation.objects.filter(level=4).exists():
        call_command("load_taxonomy", verbosity=0)
    for code, country in REF_REGIONS.items():
        Region.objects.get_or_create(code=code, defaults={"country": country, "name_en": f"Hostile {code}", "kind": "oblast"})
    College.objects.get_or_create(code=REF_COLLEGE, defaults={"name": "Hostile reference college", "country": "KZ"})
    ExchangeRate.objects.get_or_create(currency="KZT", date=dt.date(2026, 1, 1), defaults={"rate_to_cny": "0.0145"})
    admin = User.objects.filter(username=ADMIN).first()
    if admin is None:
        User.objects.create_superuser(ADMIN, email="", password=None)


def lock_database(wait: float = 0) -> bool:
    """One run per database at a time (a run deletes what the cases of another would check): a
    session-level advisory lock, held by this process's connection until it exits. Waits up to
    `wait` seconds for another run to finish."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return True
    deadline = time.monotonic() + wait
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK])
            if cursor.fetchone()[0]:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(2)


def cleanup() -> dict[str, int]:
    """Delete every row a case may have written (see the module docstring); history rows included,
    and without writing new ones."""
    from django.db import transaction
    from django.test.utils import override_settings

    from gaps.models import ExchangeRate, GapReport, GapReportLine, Region
    from training.models import Cohort, College, Program

    deleted: dict[str, int] = {}
    with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
        report_ids = list(GapReport.objects.filter(region__code__startswith="HX").values_list("pk", flat=True))
        if report_ids:
            deleted["historical lines"] = GapReportLine.history.filter(report_id__in=report_ids).delete()[0]
            deleted["historical reports"] = GapReport.history.filter(id__in=report_ids).delete()[0]
            deleted["reports"] = GapReport.objects.filter(pk__in=report_ids).delete()[0]
        colleges = College.objects.filter(code__startswith="HX").exclude(code=REF_COLLEGE)
        college_ids = list(colleges.values_list("pk", flat=True))
        program_ids = list(Program.objects.filter(college_id__in=college_ids).values_list("pk", flat=True))
        if college_ids or program_ids:
            deleted["historical cohorts"] = Cohort.history.filter(program_id__in=program_ids).delete()[0]
            deleted["historical programs"] = Program.history.filter(college_id__in=college_ids).delete()[0]
            deleted["colleges"] = colleges.delete()[0]
        deleted["historical colleges"] = College.history.filter(code__startswith="HX").exclude(code=REF_COLLEGE).delete()[0]
        regions = Region.objects.filter(code__startswith="HX").exclude(code__in=list(REF_REGIONS))
        deleted["regions"] = regions.delete()[0]
        deleted["historical regions"] = Region.history.filter(code__startswith="HX").exclude(code__in=list(REF_REGIONS)).delete()[0]
        deleted["rates"] = ExchangeRate.objects.filter(date__gte=FIRST_BENCH_RATE_DATE).delete()[0]
    return {k: v for k, v in deleted.items() if v}


def table_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f'SELECT count(*) FROM "{name}"')
            counts[name] = cursor.fetchone()[0]
    return counts


# --- one case, in its own process ------------------------------------------------------------------


def rss_now_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def reset_peak_rss() -> bool:
    """Reset this process's RSS high-water mark (Linux 4.0+), so the peak read after the request is
    the request's (its baseline included)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """The process's peak RSS: VmHWM. Not ru_maxrss: on Linux, exec() carries the spawning
    process's high-water mark into the child's ru_maxrss (signal->maxrss), so every case would
    report at least this script's own peak; VmHWM belongs to the case's own address space."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verify_formulas(spec: Spec, rows: int) -> dict:
    """After an accepted formula file: sampled rows stored exactly as written (never evaluated)."""
    samples = sorted({0, 1, 2, 3, rows // 2, rows - 1})
    mismatches = []
    if spec.name == "regions":
        from gaps.models import Region

        for i in samples:
            row = spec.formula(i)
            stored = Region.objects.filter(code=row[0]).values_list("name_en", "name_ru", "name_zh", "name_kk").first()
            if stored != tuple(row[2:6]):
                mismatches.append({"row": i + 2, "expected": row[2:6], "stored": stored})
    elif spec.name == "gaps":
        from gaps.models import GapReportLine

        for i in samples:
            row = spec.formula(i)
            stored = list(
                GapReportLine.objects.filter(report__region__code=row[0], report__status="draft", note=row[13])
                .values_list("occupation_title", "certification", "note")
            )
            if stored != [(row[3], row[11], row[13])]:
                mismatches.append({"row": i + 2, "expected": [row[3], row[11], row[13]], "stored": stored})
    elif spec.name == "programs":
        from training.models import Program

        for i in samples:
            row = spec.formula(i)
            program = Program.objects.filter(college__code=row[0], code=row[3]).select_related("college").first()
            stored = program and (program.college.name, program.title, program.certifications)
            expected = (row[1], row[4], row[11].split(";"))
            if stored != expected:
                mismatches.append({"row": i + 2, "expected": expected, "stored": stored})
    return {"checked_rows": len(samples), "verbatim": not mismatches, "mismatches": mismatches[:3]}


def run_case(spec_json: str) -> int:
    case = json.loads(spec_json)
    django_setup(case["url"])
    import gc

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
    from rest_framework.test import APIClient

    from accounts.models import User

    settings.IMPORT_MAX_ROWS = case["limits"]["max_rows"]
    settings.IMPORT_MAX_FILE_BYTES = case["limits"]["max_bytes"]
    spec = SPECS[case["importer"]]
    admin = User.objects.get(username=ADMIN)
    before = table_counts()
    data = Path(case["path"]).read_bytes()
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile(case["filename"], data)})
    del data
    client = APIClient()
    client.raise_request_exception = False
    client.force_authenticate(admin)
    # Warm up: URLconf, views, serializers and the import modules load on a first request, as a
    # server worker has them loaded already (an upload without a file: 400, nothing read).
    warm = client.post(spec.url, data={}, format="multipart")
    assert warm.status_code == 400, (warm.status_code, warm.content[:300])
    import openpyxl  # noqa: F401 - loaded on a worker's first XLSX
    gc.collect()
    base_rss = rss_now_mb()
    peak_reset = reset_peak_rss()
    started, started_cpu = time.perf_counter(), time.process_time()
    response = client.post(spec.url, data=body, content_type=MULTIPART_CONTENT)
    wall = time.perf_counter() - started
    cpu = time.process_time() - started_cpu
    peak = peak_rss_mb()
    content = response.content
    result = {
        "status": response.status_code,
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "peak_rss_mb": round(peak, 1),
        "base_rss_mb": round(base_rss, 1),
        "peak_reset": peak_reset,
        "request_body_bytes": len(body),
        "response_bytes": len(content),
    }
    del body
    problems = None
    first = None
    try:
        payload = json.loads(content)
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
        problems = len(payload["errors"])
        if problems:
            e = payload["errors"][0]
            first = f"row {e.get('row')}, {e.get('column')}: {e.get('message')}"[:240]
    elif isinstance(payload, dict) and response.status_code >= 300:
        first = str(payload.get("detail", payload))[:240]
    del payload, content
    result["problems"] = problems
    result["first_problem"] = first
    if response.status_code >= 500:
        exc = getattr(response, "exc_info", None)
        result["exception"] = repr(exc[1])[:500] if exc else None
    after = table_counts()
    result["changed_tables"] = {
        name: after.get(name, 0) - before.get(name, 0) for name in sorted(set(before) | set(after))
        if after.get(name, 0) != before.get(name, 0)
    }
    if response.status_code == 201 and case["kind"] == "formula":
        result["formula_check"] = verify_formulas(spec, case["data_rows"])
    print("CASE-RESULT " + json.dumps(result, default=str))
    return 0


# --- the run --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    importer: str
    kind: str
    variant: str
    file_bytes: int
    data_rows: int | None
    note: str
    status: int | str
    seconds: float | None = None
    cpu_seconds: float | None = None
    peak_rss_mb: float | None = None
    base_rss_mb: float | None = None
    peak_reset: bool | None = None
    request_body_bytes: int | None = None
    response_bytes: int | None = None
    problems: int | None = None
    first_problem: str | None = None
    written: str = ""
    changed_tables: dict = field(default_factory=dict)
    formula_check: dict | None = None
    exception: str | None = None
    failures: list = field(default_factory=list)


def judge(o: Outcome) -> None:
    refused = o.status == 400
    if not isinstance(o.status, int):
        o.failures.append(f"no answer ({o.status})")
    elif o.status >= 500:
        o.failures.append(f"{o.status}: {o.exception}")
    elif o.status == 201:
        if o.kind not in MAY_ACCEPT:
            o.failures.append("accepted a file that must be refused")
        elif o.formula_check and not o.formula_check["verbatim"]:
            o.failures.append(f"formula text not stored verbatim: {o.formula_check['mismatches']}")
    elif not refused:
        o.failures.append(f"unexpected status {o.status}")
    if refused and not o.problems:
        o.failures.append("refused without listing a problem")
    if o.changed_tables:
        if o.status == 201:
            o.written = "yes (accepted)"
        else:
            o.written = "YES"
            o.failures.append(f"wrote rows without accepting the file: {o.changed_tables}")
    else:
        o.written = "no"


def uptime() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=None,
                        help="data rows of the row-count kinds (default: IMPORT_MAX_ROWS, 100,000); smaller ones "
                             "lower IMPORT_MAX_ROWS to match for the cases")
    parser.add_argument("--max-bytes", type=int, default=None,
                        help="IMPORT_MAX_FILE_BYTES for the cases (default: the setting, 20 MiB); for smoke runs")
    parser.add_argument("--importers", default=",".join(SPECS), help="comma-separated: " + ", ".join(SPECS))
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: " + ", ".join(KINDS))
    parser.add_argument("--variants", default="", help="comma-separated variant names to keep (default: all)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed to each case's process")
    parser.add_argument("--lock-wait", type=float, default=0,
                        help="seconds to wait for another run on the same database to finish (default: exit 2 at once)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep-files", action="store_true", help="leave the generated files in bench/out/hostile/")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--case-spec", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def fmt_table(outcomes: list[Outcome]) -> str:
    head = ["importer", "kind", "variant", "file MiB", "rows", "status", "problems", "s", "peak RSS MB",
            "base RSS MB", "response bytes", "written", "first problem / note"]
    lines = [head]
    for o in outcomes:
        lines.append([
            o.importer, o.kind, o.variant or "-", f"{o.file_bytes / 2**20:.2f}",
            "-" if o.data_rows is None else f"{o.data_rows:,}", str(o.status),
            "-" if o.problems is None else f"{o.problems:,}",
            "-" if o.seconds is None else f"{o.seconds:.2f}",
            "-" if o.peak_rss_mb is None else f"{o.peak_rss_mb:.0f}",
            "-" if o.base_rss_mb is None else f"{o.base_rss_mb:.0f}",
            "-" if o.response_bytes is None else f"{o.response_bytes:,}",
            o.written + (" FAIL" if o.failures else ""),
            ((o.note + " | ") if o.note else "") + (o.first_problem or "")[:110],
        ])
    widths = [max(len(row[k]) for row in lines) for k in range(len(head) - 1)]
    out = []
    for row in lines:
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    return "\n".join(out)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.case_spec:
        return run_case(args.case_spec)
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    parts = urlparse(url)
    if parts.scheme.startswith("postgres"):
        if (parts.hostname or "") not in LOOPBACK:
            print(f"refusing a non-local database host {parts.hostname!r}: this benchmark is loopback only", file=sys.stderr)
            return 2
        ensure_database(url)
    django_setup(url)
    prepare_database()

    from django.conf import settings

    from core.imports import base as import_base
    from core.imports import cells as import_cells
    from core.imports import readers

    default_rows = getattr(settings, "IMPORT_MAX_ROWS", import_base.DEFAULT_MAX_ROWS)
    rows = args.rows or default_rows
    max_bytes = args.max_bytes or settings.IMPORT_MAX_FILE_BYTES
    limits = {
        "max_rows": min(rows, default_rows),
        "max_bytes": max_bytes,
        "max_cell_chars": import_cells.MAX_CELL_CHARS,
        "max_uncompressed": getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", readers.XLSX_MAX_UNCOMPRESSED_FACTOR * max_bytes),
        "max_ratio": readers.XLSX_MAX_RATIO,
        # Parts openpyxl reads whole (readers.py, since de9f026); None where the code has no such limit.
        "max_shared_strings": getattr(readers, "XLSX_MAX_SHARED_STRINGS_BYTES", None),
        "max_whole_part": getattr(readers, "XLSX_MAX_WHOLE_PART_BYTES", None),
    }
    importers = [name.strip() for name in args.importers.split(",") if name.strip()]
    kinds = [name.strip() for name in args.kinds.split(",") if name.strip()]
    variants = {name.strip() for name in args.variants.split(",") if name.strip()}
    unknown = [n for n in importers if n not in SPECS] + [k for k in kinds if k not in KINDS]
    if unknown:
        print(f"unknown importer or kind: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if not lock_database(args.lock_wait):
        print("another hostile_imports.py run is using this database; wait for it (--lock-wait), or set DATABASE_URL",
              file=sys.stderr)
        return 2
    # A directory of this run's own: runs against other databases (the test suite's smoke run) may
    # be generating files at the same time.
    OUT.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="run-", dir=OUT))
    load_before = uptime()
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    # An accepted file queues re-matches after commit. In production that is a message to the
    # workers; here it goes to Celery's in-memory transport (no worker), so the case times the
    # import, not a matching run executed inline (and never reaches another process's broker).
    env = dict(os.environ, DATABASE_URL=url, CELERY_BROKER_URL="memory://", CELERY_RESULT_BACKEND="cache+memory://",
               CELERY_TASK_ALWAYS_EAGER="0")
    for importer in importers:
        spec = SPECS[importer]
        for kind in kinds:
            for variant in KINDS[kind]:
                if variants and variant and variant not in variants:
                    continue
                if variant in ONCE and importer != importers[0]:
                    continue
                cleaned = cleanup()
                if cleaned:
                    print(f"  (removed rows of an earlier case: {cleaned})", file=sys.stderr)
                t0 = time.perf_counter()
                made = generate(spec, kind, variant, out=out, rows=rows, limits=limits, seed=args.seed)
                gen_s = time.perf_counter() - t0
                size = os.path.getsize(made.path)
                print(f"{importer} {kind} {variant or ''}: {size / 2**20:.2f} MiB generated in {gen_s:.1f} s; uploading",
                      file=sys.stderr, flush=True)
                case = {"url": url, "importer": importer, "kind": kind, "variant": variant, "path": made.path,
                        "filename": made.filename, "data_rows": made.data_rows, "limits": limits}
                outcome = Outcome(importer, kind, variant, size, made.data_rows, made.note, status="?")
                counts_before = table_counts()  # for a case that gives no answer (killed, crashed)
                try:
                    proc = subprocess.run(
                        [sys.executable, str(Path(__file__).resolve()), "--case-spec", json.dumps(case)],
                        cwd=ROOT, env=env, capture_output=True, text=True, timeout=args.timeout,
                    )
                    marker = [line for line in proc.stdout.splitlines() if line.startswith("CASE-RESULT ")]
                    if marker:
                        for key, value in json.loads(marker[-1][len("CASE-RESULT "):]).items():
                            setattr(outcome, key, value)
                    else:
                        outcome.status = f"crashed (exit {proc.returncode})"
                        outcome.exception = proc.stderr[-1500:]
                except subprocess.TimeoutExpired:
                    outcome.status = f"timeout ({args.timeout:.0f} s)"
                    outcome.seconds = args.timeout
                if not isinstance(outcome.status, int):
                    # The killed case's transaction died with its connection: check that nothing stayed.
                    counts_after = table_counts()
                    outcome.changed_tables = {
                        name: counts_after.get(name, 0) - counts_before.get(name, 0)
                        for name in sorted(set(counts_before) | set(counts_after))
                        if counts_after.get(name, 0) != counts_before.get(name, 0)
                    }
                judge(outcome)
                outcomes.append(outcome)
                print(f"    -> {outcome.status}, {outcome.problems} problems, {outcome.seconds} s, "
                      f"peak {outcome.peak_rss_mb} MB, {outcome.response_bytes} response bytes, written {outcome.written}"
                      + (f"; FAIL: {outcome.failures}" if outcome.failures else ""), file=sys.stderr, flush=True)
                if not args.keep_files:
                    os.unlink(made.path)
    cleanup()
    if not args.keep_files:
        shutil.rmtree(out, ignore_errors=True)
    timed = [o for o in outcomes if o.seconds is not None]
    measured = [o for o in outcomes if o.peak_rss_mb is not None]
    slowest = max(timed, key=lambda o: o.seconds, default=None)
    largest = max(measured, key=lambda o: o.peak_rss_mb, default=None)
    biggest = max((o for o in outcomes if o.response_bytes is not None), key=lambda o: o.response_bytes, default=None)
    name = lambda o: o and f"{o.importer} {o.kind}{' ' + o.variant if o.variant else ''}"  # noqa: E731
    failures = [f"{name(o)}: {f}" for o in outcomes for f in o.failures]
    figures = {
        "date": dt.date.today().isoformat(),
        "database": urlparse(url).path.lstrip("/"),
        "limits": limits,
        "rows": rows,
        "load_average_before": load_before,
        "load_average_after": uptime(),
        "total_seconds": round(time.perf_counter() - started, 1),
        "max_seconds": slowest and {"case": name(slowest), "seconds": slowest.seconds},
        "max_peak_rss_mb": largest and {"case": name(largest), "peak_rss_mb": largest.peak_rss_mb},
        "max_response_bytes": biggest and {"case": name(biggest), "bytes": biggest.response_bytes},
        "cases": [asdict(o) for o in outcomes],
        "failures": failures,
        "ok": not failures,
    }
    if args.json:
        print(json.dumps(figures, default=str))
    else:
        print(fmt_table(outcomes))
        print()
        print(f"limits: {limits}; rows {rows:,}; load average {load_before} before, {figures['load_average_after']} after; "
              f"{figures['total_seconds']} s in all")
        if slowest:
            print(f"max time: {slowest.seconds:.2f} s ({name(slowest)})")
        if largest:
            print(f"max peak RSS: {largest.peak_rss_mb:.0f} MB ({name(largest)})")
        if biggest:
            print(f"max response: {biggest.response_bytes:,} bytes ({name(biggest)})")
        for failure in failures:
            print(f"FAIL {failure}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
