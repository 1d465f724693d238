"""The shared reading layer: encodings, delimiters, formulas, XLSX safety, size limits, headers."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from core.imports.errors import ImportRejected
from core.imports.safe import neutralise
from gaps.importers import ExchangeRateImporter, RegionImporter
from gaps.models import ExchangeRate, Region

from .conftest import csv_bytes, run, xlsx_bytes

RATE_HEADER = ["currency", "date", "rate_to_cny"]


def rejected(importer, data, filename="upload.csv"):
    with pytest.raises(ImportRejected) as info:
        run(importer, data, filename)
    return [(p.row, p.column, p.message) for p in info.value.problems]


def test_openpyxl_parses_xml_with_defusedxml():
    from openpyxl import xml

    assert xml.DEFUSEDXML is True


def test_neutralise_prefixes_formula_like_strings_only():
    assert neutralise("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert neutralise("+7 701 000") == "'+7 701 000"
    assert neutralise("-1") == "'-1"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("Комбайнёр") == "Комбайнёр"
    assert neutralise(-1) == -1
    assert neutralise(None) is None


@pytest.mark.django_db
def test_a_utf8_bom_is_accepted():
    data = csv_bytes([RATE_HEADER, ["KZT", "2026-07-01", "0.0152"]], bom=True)
    result = run(ExchangeRateImporter(), data)
    assert result["created"] == {"exchange rates": 1}
    assert ExchangeRate.objects.get().rate_to_cny == Decimal("0.0152")


@pytest.mark.django_db
def test_bytes_that_are_not_utf8_are_reported_with_their_row_and_nothing_is_written():
    good = csv_bytes([RATE_HEADER, ["KZT", "2026-07-01", "0.0152"], ["RUB", "2026-07-01", "0.08"]])
    data = good + "KGS,2026-07-01,сом\r\n".encode("cp1251") + b"EUR,2026-07-01,7.8\r\n" + "GBP,2026-07-01,é\r\n".encode("latin-1")
    problems = rejected(ExchangeRateImporter(), data)
    encoding = [p for p in problems if "not UTF-8" in p[2]]
    assert [p[0] for p in encoding] == [4, 6]
    assert ExchangeRate.objects.count() == 0


@pytest.mark.django_db
def test_utf16_text_gets_a_clear_error():
    data = "currency,date,rate_to_cny\r\nKZT,2026-07-01,0.0152\r\n".encode("utf-16")
    problems = rejected(ExchangeRateImporter(), data)
    assert problems[0][0] == 1 and "UTF-16" in problems[0][2]


@pytest.mark.django_db
def test_semicolon_delimited_csv_from_russian_excel_is_read():
    data = csv_bytes([RATE_HEADER, ["KZT", "2026-07-01", "0.0152"]], delimiter=";")
    assert run(ExchangeRateImporter(), data)["created"] == {"exchange rates": 1}


@pytest.mark.django_db
def test_old_mac_line_endings_and_quoted_newlines_keep_row_numbers_right():
    data = (
        'region_code,country,name_en,name_ru,kind\r'
        'KZ-VOS,KZ,"East\nKazakhstan\r\n(oblast)",,oblast\r'
        'KZ-ALM,KZ,Almaty,,nowhere\r'
    ).encode()
    problems = rejected(RegionImporter(), data)
    assert problems == [(3, "kind", problems[0][2])]


@pytest.mark.django_db
@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_lines_are_split_right_across_read_chunks(newline, monkeypatch):
    import datetime as dt

    from core.imports import readers

    # A small odd chunk size puts many line endings (and CRLF pairs) across chunk boundaries.
    monkeypatch.setattr(readers, "CHUNK_BYTES", 997)

    first = dt.date(2020, 1, 1)
    rows = [RATE_HEADER] + [["KZT", (first + dt.timedelta(days=i)).isoformat(), f"0.0{i:04d}1"] for i in range(4000)]
    data = csv_bytes(rows, newline=newline)
    assert run(ExchangeRateImporter(), data)["created"] == {"exchange rates": 4000}
    assert ExchangeRate.objects.get(date=first + dt.timedelta(days=3999)).rate_to_cny == Decimal("0.039991")


@pytest.mark.django_db
def test_formula_cells_in_xlsx_are_never_evaluated():
    data = xlsx_bytes([RATE_HEADER, ["KZT", "2026-07-01", "=1+1"], ["USD", "2026-07-01", "=SUM(A1:A2)"]])
    problems = rejected(ExchangeRateImporter(), data, "rates.xlsx")
    assert [(p[0], p[1]) for p in problems] == [(2, "rate_to_cny"), (3, "rate_to_cny")]
    assert "Formulas are not evaluated" in problems[0][2]
    assert ExchangeRate.objects.count() == 0


@pytest.mark.django_db
def test_formula_text_in_a_text_column_is_stored_verbatim():
    header = ["region_code", "country", "name_en", "kind"]
    data = xlsx_bytes([header, ["KZ-VOS", "KZ", "=HYPERLINK(\"http://evil\",\"x\")", "oblast"]])
    run(RegionImporter(), data, "regions.xlsx")
    assert Region.objects.get().name_en == "=HYPERLINK(\"http://evil\",\"x\")"


@pytest.mark.django_db
def test_a_csv_file_renamed_xlsx_is_refused_clearly():
    data = csv_bytes([RATE_HEADER, ["KZT", "2026-07-01", "0.0152"]])
    problems = rejected(ExchangeRateImporter(), data, "rates.xlsx")
    assert len(problems) == 1 and "not an XLSX workbook" in problems[0][2]


@pytest.mark.django_db
def test_an_xlsx_renamed_csv_is_refused_clearly():
    data = xlsx_bytes([RATE_HEADER, ["KZT", "2026-07-01", "0.0152"]])
    problems = rejected(ExchangeRateImporter(), data, "rates.csv")
    assert "zip archive" in problems[0][2]


@pytest.mark.django_db
def test_an_xlsx_without_an_extension_is_recognised():
    data = xlsx_bytes([RATE_HEADER, ["KZT", "2026-07-01", 0.0152]])
    assert run(ExchangeRateImporter(), data, "upload")["created"] == {"exchange rates": 1}


@pytest.mark.django_db
def test_an_old_xls_is_refused():
    problems = rejected(ExchangeRateImporter(), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "rates.xls")
    assert ".xls" in problems[0][2]


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_anything_is_inflated():
    data = _zip_bomb()
    assert len(data) < 200 * 1024  # 50 MiB of zeros compress to ~50 KiB
    problems = rejected(ExchangeRateImporter(), data, "rates.xlsx")
    assert "zip bomb" in problems[0][2]


@pytest.mark.django_db
def test_a_workbook_declaring_a_huge_unpacked_size_is_refused(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1000
    data = xlsx_bytes([RATE_HEADER, ["KZT", "2026-07-01", 0.0152]])
    problems = rejected(ExchangeRateImporter(), data, "rates.xlsx")
    assert "unpack" in problems[0][2]


def _workbook_with_part(name: str, size: int) -> bytes:
    """A real one-row rates workbook with `name` replaced by (or added as) a part of `size` bytes of
    XML that compresses well below the zip-bomb ratio (varied text, as cell formats or strings are)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([RATE_HEADER, ["KZT", "2026-07-01", 0.0152]])))
    buffer = io.BytesIO()
    filler = "".join(f"<si><t>{i:x}</t></si>" for i in range(size // 16 + 1)).encode()[:size]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != name:
                archive.writestr(info, source.read(info.filename))
        archive.writestr(name, filler)
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("part, limit_name", [("xl/sharedStrings.xml", "XLSX_MAX_SHARED_STRINGS_BYTES"),
                                              ("xl/styles.xml", "XLSX_MAX_WHOLE_PART_BYTES")])
def test_a_part_openpyxl_reads_whole_is_refused_over_its_limit_before_parsing(monkeypatch, part, limit_name):
    from core.imports import readers

    monkeypatch.setattr(readers, limit_name, 200_000)
    data = _workbook_with_part(part, 300_000)
    assert len(data) < 200_000  # small on the wire: only the declared size tells
    problems = rejected(ExchangeRateImporter(), data, "rates.xlsx")
    assert len(problems) == 1 and part in problems[0][2] and "limit for it is 200000 bytes" in problems[0][2]
    # Under the limit the same part is handed to openpyxl (the file then imports or is refused for
    # what it holds, not for its size).
    monkeypatch.setattr(readers, limit_name, 400_000)
    try:
        run(ExchangeRateImporter(), data, "rates.xlsx")
    except ImportRejected as exc:
        assert not [p for p in exc.problems if "limit for it" in p.message]


@pytest.mark.django_db
def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    problems = rejected(ExchangeRateImporter(), buffer.getvalue(), "rates.xlsx")
    assert "xl/workbook.xml" in problems[0][2]


@pytest.mark.django_db
def test_a_corrupt_workbook_is_refused_not_crashed():
    data = bytearray(xlsx_bytes([RATE_HEADER, ["KZT", "2026-07-01", 0.0152]]))
    data[len(data) // 2: len(data) // 2 + 200] = b"\x00" * 200
    problems = rejected(ExchangeRateImporter(), bytes(data), "rates.xlsx")
    assert len(problems) == 1 and problems[0][0] is None


@pytest.mark.django_db
def test_files_over_the_size_limit_are_refused(settings):
    settings.IMPORT_MAX_FILE_BYTES = 100
    data = csv_bytes([RATE_HEADER] + [["KZT", "2026-07-01", "0.0152"]] * 10)
    problems = rejected(ExchangeRateImporter(), data)
    assert "limit is 100 bytes" in problems[0][2]


@pytest.mark.django_db
def test_a_huge_cell_is_reported_with_row_and_column():
    header = ["region_code", "country", "name_en", "kind"]
    data = csv_bytes([header, ["KZ-VOS", "KZ", "x" * 20_000, "oblast"], ["KZ-ALM", "KZ", "Almaty", "oblast"]])
    problems = rejected(RegionImporter(), data)
    assert problems == [(2, "name_en", problems[0][2])]
    assert "10000" in problems[0][2]


@pytest.mark.django_db
def test_a_cell_beyond_the_csv_field_limit_is_reported_with_its_row():
    header = ["region_code", "country", "name_en", "kind"]
    data = csv_bytes([header, ["KZ-VOS", "KZ", "East", "oblast"], ["KZ-ALM", "KZ", "y" * 200_000, "oblast"]])
    problems = rejected(RegionImporter(), data)
    assert problems[0][0] == 3 and "cannot be read as CSV" in problems[0][2]


@pytest.mark.django_db
def test_a_nul_character_is_an_error_not_a_database_crash():
    header = ["region_code", "country", "name_en", "kind"]
    data = csv_bytes([header, ["KZ-VOS", "KZ", "East\x00Kazakhstan", "oblast"]])
    problems = rejected(RegionImporter(), data)
    assert problems == [(2, "name_en", problems[0][2])]


@pytest.mark.django_db
def test_an_empty_file_and_a_file_without_header_are_refused():
    assert "empty" in rejected(ExchangeRateImporter(), b"")[0][2]
    problems = rejected(ExchangeRateImporter(), csv_bytes([["KZT", "2026-07-01", "0.0152"]]))
    assert problems[0][0] == 1 and "header row" in problems[0][2]


@pytest.mark.django_db
def test_a_header_without_rows_is_refused():
    problems = rejected(ExchangeRateImporter(), csv_bytes([RATE_HEADER]))
    assert "no data rows" in problems[0][2]


@pytest.mark.django_db
def test_unknown_duplicate_and_missing_columns_and_unnamed_values_are_all_listed():
    rows = [
        ["currency", "date", "rate", "date", ""],
        ["KZT", "2026-07-01", "0.0152", "2026-07-01", "stray"],
    ]
    problems = rejected(ExchangeRateImporter(), csv_bytes(rows))
    assert (1, "rate", problems[0][2]) in problems
    assert any(p[:2] == (1, "date") and "twice" in p[2] for p in problems)
    assert any(p[:2] == (1, "rate_to_cny") and "missing" in p[2] for p in problems)
    assert any(p[:2] == (2, None) and "Column E" in p[2] for p in problems)


@pytest.mark.django_db
def test_headers_are_case_and_space_insensitive_and_blank_rows_are_skipped_but_counted():
    rows = [[" Currency ", "DATE", "Rate_To_CNY"], ["KZT", "2026-07-01", "0.0152"], [], ["RUB", "2026-07-01", "zero"]]
    problems = rejected(ExchangeRateImporter(), csv_bytes(rows))
    assert problems == [(4, "rate_to_cny", problems[0][2])]


@pytest.mark.django_db
def test_files_with_more_rows_than_the_cap_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [RATE_HEADER] + [["KZT", f"2026-07-0{day}", "0.0152"] for day in range(1, 6)]
    problems = rejected(ExchangeRateImporter(), csv_bytes(rows))
    assert problems[0][0] == 5 and "more than 3 data rows" in problems[0][2]
    settings.IMPORT_MAX_ROWS = 5
    assert run(ExchangeRateImporter(), csv_bytes(rows))["created"] == {"exchange rates": 5}
