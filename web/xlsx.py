"""The XLSX template an official downloads, fills in and uploads back (SPEC.md's gap report lines).

The first sheet is what the import reads: the exchange format's header row, then the report's
current lines, or one row with the region and quarter filled in when there are none. A second
sheet explains the columns in the page's language; the import never reads it.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.imports.safe import neutralise
from gaps.importers import GapReportImporter

COLUMNS = [column.name for column in GapReportImporter.columns]
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def _explanations() -> dict[str, str]:
    return {
        "region_code": _("A known region code (prefilled)."),
        "quarter": _("The quarter, e.g. 2026Q3 (prefilled)."),
        "occupation_code": _("ISCO-08 unit group, 4 digits. Wins over the title when both are given."),
        "occupation_title": _("Or the occupation's name in English, Russian, Chinese or Kazakh."),
        "sector": _("Optional ISIC section letter, A to U."),
        "headcount": _("Workers needed, 1 to 100000."),
        "salary_min": _("Lowest monthly salary."),
        "salary_max": _("Highest monthly salary, at least salary_min."),
        "currency": _("ISO 4217 code, e.g. KZT, CNY, USD."),
        "season_start": _("Optional: first day the workers are needed, YYYY-MM-DD."),
        "season_end": _("Optional: last day the workers are needed, YYYY-MM-DD."),
        "certification": _("Optional: a certification the workers must hold, e.g. KZ."),
        "languages": _("Optional: ISO 639-1 codes separated by ';', e.g. kk;ru."),
        "note": _("Optional free text."),
    }


def _line_values(line, region_code: str, quarter: str) -> list:
    return [
        region_code,
        quarter,
        line.occupation_id or "",
        line.occupation_title,
        line.sector,
        line.headcount,
        line.salary_min,
        line.salary_max,
        line.currency,
        line.season_start,
        line.season_end,
        line.certification,
        ";".join(line.languages or []),
        line.note,
    ]


def _workbook(*, title: str, columns: list[str], rows: list[list], date_columns: tuple[str, ...],
              instructions: str, explanations: dict[str, str]) -> bytes:
    """One template: the import's sheet (the header row, then `rows`, dates formatted as the import
    reads them), and an instructions sheet in the page's language that the import never reads."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for values in rows:
        sheet.append([neutralise(value) for value in values])
    for index, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(name) + 4)
        if name in date_columns:
            for (cell,) in sheet.iter_rows(min_row=2, max_row=max(2, len(rows) + 1), min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(_("Instructions"))
    help_sheet.append([instructions])
    help_sheet.append([])
    help_sheet.append([_("Column"), _("Meaning")])
    for name in columns:
        help_sheet.append([name, explanations.get(name, "")])
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["B"].width = 80

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_template(*, region_code: str, quarter: str, lines=()) -> bytes:
    rows = [_line_values(line, region_code, quarter) for line in lines] or [[region_code, quarter]]
    return _workbook(
        title="lines", columns=COLUMNS, rows=rows, date_columns=("season_start", "season_end"),
        instructions=_("Fill in one row per occupation on the first sheet; copy region_code and quarter down to every row. Only the first sheet is imported."),
        explanations=_explanations())


def _program_explanations() -> dict[str, str]:
    return {
        "college_code": _("Your college's code (prefilled)."),
        "college_name": _("Only for a new college; leave empty for yours."),
        "country": _("Only for a new college: ISO 3166-1 alpha-2, e.g. KZ."),
        "program_code": _("The program's code, unique within the college, e.g. HARV."),
        "program_title": _("The program's title."),
        "occupation_codes": _("ISCO-08 unit groups the program prepares for, separated by ';', e.g. 8341."),
        "sector": _("Optional ISIC section letter, A to U."),
        "seats": _("The cohort's graduates, 1 to 100000."),
        "intake_date": _("The cohort's intake, YYYY-MM-DD; one cohort per program and intake date."),
        "graduation_date": _("The cohort's graduation, YYYY-MM-DD, not before the intake."),
        "languages": _("Languages of instruction: ISO 639-1 codes separated by ';', e.g. kk;ru."),
        "certifications": _("Optional: certifications prepared for, separated by ';', e.g. KZ."),
        "serves_regions": _("Optional: region codes separated by ';'; empty means every region."),
        "mobile": _("yes for a mobile workshop, otherwise no (empty means no)."),
        "college_name_zh": _("Optional, only for a new college: its name in Chinese."),
        "college_name_ru": _("Optional, only for a new college: its name in Russian."),
        "college_name_kk": _("Optional, only for a new college: its name in Kazakh."),
        "program_title_zh": _("Optional: the program's title in Chinese, shown to Chinese readers."),
        "program_title_ru": _("Optional: the program's title in Russian, shown to Russian readers."),
        "program_title_kk": _("Optional: the program's title in Kazakh, shown to Kazakh readers."),
    }


def program_template(*, college_codes: list[str]) -> bytes:
    """The programs-and-cohorts template of docs/formats.md for a college's staff: the header row, then
    one row per college of theirs with its code filled in (one row per cohort is what the import reads)."""
    from training.importers import ProgramImporter

    return _workbook(
        title="programs", columns=[column.name for column in ProgramImporter.columns],
        rows=[[code] for code in college_codes], date_columns=("intake_date", "graduation_date"),
        instructions=_("Fill in one row per cohort on the first sheet; repeat the program's columns on each of its rows. Only the first sheet is imported."),
        explanations=_program_explanations())
