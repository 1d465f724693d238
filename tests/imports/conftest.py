"""Fixtures for the import tests: a slice of ISCO-08 with labels, regions, and file builders."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from gaps.models import Occupation, OccupationLabel, Region
from gaps.taxonomy.text import normalize
from training.models import College

# code -> (level, English title, extra labels by language)
ISCO = {
    "8": (1, "Plant and machine operators, and assemblers", {}),
    "83": (2, "Drivers and mobile plant operators", {}),
    "834": (3, "Mobile plant operators", {}),
    "8341": (4, "Mobile farm and forestry plant operators", {
        "en": ["combine harvester operator", "tractor driver"],
        "ru": ["оператор зерноуборочного комбайна", "тракторист"],
        "zh": ["联合收割机驾驶员"],
    }),
    "8344": (4, "Lifting truck operators", {"en": ["forklift driver"], "ru": ["водитель погрузчика"]}),
    "7": (1, "Craft and related trades workers", {}),
    "75": (2, "Food processing, wood working, garment and other craft and related trades workers", {}),
    "751": (3, "Food processing and related trades workers", {}),
    "7515": (4, "Food and beverage tasters and graders", {"en": ["fruit grader"], "ru": ["сортировщик фруктов"]}),
    "74": (2, "Electrical and electronic trades workers", {}),
    "741": (3, "Electrical equipment installers and repairers", {}),
    "7411": (4, "Building and related electricians", {"en": ["electrician"], "ru": ["электрик"], "zh": ["电工"]}),
}


@pytest.fixture
def isco(db):
    made = {}
    for code, (level, title, labels) in ISCO.items():
        parent = made.get(code[:-1]) if level > 1 else None
        made[code] = Occupation.objects.create(code=code, level=level, parent=parent, title_en=title)
        if level == 4:
            rows = [("en", title, True)] + [(lang, label, False) for lang, items in labels.items() for label in items]
            for lang, label, preferred in rows:
                OccupationLabel.objects.create(
                    occupation=made[code], language=lang, label=label, normalized=normalize(label),
                    source="TALENTGAP", is_preferred=preferred,
                )
    return made


@pytest.fixture
def regions(db):
    return {
        "KZ-VOS": Region.objects.create(code="KZ-VOS", country="KZ", name_en="East Kazakhstan", kind="oblast"),
        "KZ-ALM": Region.objects.create(code="KZ-ALM", country="KZ", name_en="Almaty Region", kind="oblast"),
        "CN-HRG": Region.objects.create(code="CN-HRG", country="CN", name_en="Horgos", kind="city"),
    }


@pytest.fixture
def colleges(db):
    return {
        "LUBAN-KZ": College.objects.create(code="LUBAN-KZ", name="Luban Workshop Kazakhstan", country="KZ"),
        "GANSU-VC": College.objects.create(code="GANSU-VC", name="Gansu Vocational Centre", country="CN"),
    }


def csv_bytes(rows, *, bom=False, delimiter=",", newline="\r\n") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    data = buffer.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_file(kind: str, rows, **kwargs) -> tuple[bytes, str]:
    if kind == "csv":
        return csv_bytes(rows, **kwargs), "upload.csv"
    return xlsx_bytes(rows), "upload.xlsx"


def run(importer, data: bytes, filename: str = "upload.csv"):
    return importer.run(io.BytesIO(data), filename=filename)


GAP_HEADER = [
    "region_code", "quarter", "occupation_code", "occupation_title", "sector", "headcount", "salary_min",
    "salary_max", "currency", "season_start", "season_end", "certification", "languages", "note",
]


def gap_row(**overrides):
    row = {
        "region_code": "KZ-VOS", "quarter": "2026Q3", "occupation_code": "8341", "occupation_title": "Комбайнёр",
        "sector": "A", "headcount": "40", "salary_min": "250000", "salary_max": "400000", "currency": "KZT",
        "season_start": "2026-07-01", "season_end": "2026-09-30", "certification": "KZ", "languages": "kk;ru",
        "note": "",
    }
    row.update(overrides)
    return [row[name] for name in GAP_HEADER]


PROGRAM_HEADER = [
    "college_code", "college_name", "country", "program_code", "program_title", "occupation_codes", "sector",
    "seats", "intake_date", "graduation_date", "languages", "certifications", "serves_regions",
]


def program_row(**overrides):
    row = {
        "college_code": "LUBAN-KZ", "college_name": "", "country": "", "program_code": "AGRI-1",
        "program_title": "Agricultural machinery operation", "occupation_codes": "8341", "sector": "A",
        "seats": "25", "intake_date": "2025-09-01", "graduation_date": "2026-06-30", "languages": "ru;kk",
        "certifications": "KZ", "serves_regions": "KZ-VOS;KZ-ALM",
    }
    row.update(overrides)
    return [row[name] for name in PROGRAM_HEADER]
