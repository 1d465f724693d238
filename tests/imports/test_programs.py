"""import_programs: colleges, programs and cohorts; rows of one program must agree."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from core.imports.errors import ImportRejected
from training.importers import ProgramImporter
from training.models import Cohort, College, Program

from .conftest import PROGRAM_HEADER, csv_bytes, make_file, program_row, run

pytestmark = pytest.mark.django_db


def rejected(data, filename="programs.csv", **kwargs):
    with pytest.raises(ImportRejected) as info:
        run(ProgramImporter(**kwargs), data, filename)
    return [(p.row, p.column, p.message) for p in info.value.problems]


def counts():
    return (College.objects.count(), Program.objects.count(), Cohort.objects.count())


def state():
    return sorted(
        (p.college.code, p.code, p.title, p.sector, tuple(p.languages), tuple(p.certifications),
         tuple(sorted(p.occupations.values_list("code", flat=True))),
         tuple(sorted(p.serves_regions.values_list("code", flat=True))),
         tuple(p.cohorts.order_by("intake_date").values_list("intake_date", "graduation_date", "seats")))
        for p in Program.objects.all()
    )


ROWS = [
    PROGRAM_HEADER,
    program_row(),
    program_row(intake_date="2026-02-01", graduation_date="2026-12-20", seats="30", languages="kk;ru",
                serves_regions="KZ-ALM;KZ-VOS"),
    program_row(college_code="XJ-AGRI", college_name="Xinjiang Agricultural Vocational College", country="CN",
                program_code="GRADE-1", program_title="水果分级", occupation_codes="7515;8341", sector="",
                languages="zh", certifications="", serves_regions=""),
]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_programs_and_cohorts_are_created(kind, isco, regions, colleges):
    data, name = make_file(kind, ROWS)
    result = run(ProgramImporter(), data, name)
    assert result["created"] == {"colleges": 1, "programs": 2, "cohorts": 3}
    agri = Program.objects.get(college__code="LUBAN-KZ", code="AGRI-1")
    assert (agri.title, agri.sector, agri.languages, agri.certifications) == ("Agricultural machinery operation", "A", ["ru", "kk"], ["KZ"])
    assert set(agri.serves_regions.values_list("code", flat=True)) == {"KZ-VOS", "KZ-ALM"}
    assert list(agri.cohorts.values_list("seats", flat=True)) == [25, 30]
    grade = Program.objects.get(code="GRADE-1")
    assert grade.college.name == "Xinjiang Agricultural Vocational College" and grade.college.country == "CN"
    assert set(grade.occupations.values_list("code", flat=True)) == {"7515", "8341"}
    assert grade.serves_regions.count() == 0  # empty = every region


def test_csv_and_xlsx_give_the_same_programs(isco, regions, colleges):
    run(ProgramImporter(), *make_file("csv", ROWS))
    from_csv = state()
    Program.objects.all().delete()
    College.objects.filter(code="XJ-AGRI").delete()
    run(ProgramImporter(), *make_file("xlsx", ROWS))
    assert state() == from_csv


def test_reimport_is_idempotent_and_changes_update_in_place(isco, regions, colleges):
    run(ProgramImporter(), csv_bytes(ROWS))
    snapshot, before = state(), counts()
    again = run(ProgramImporter(), csv_bytes(ROWS))
    assert again["created"] == {"colleges": 0, "programs": 0, "cohorts": 0}
    assert again["updated"] == {"programs": 0, "cohorts": 0}
    assert again["unchanged"] == {"programs": 2, "cohorts": 3}
    assert state() == snapshot and counts() == before
    changed = [PROGRAM_HEADER, program_row(program_title="Farm machinery", seats="26", occupation_codes="8341;8344")]
    result = run(ProgramImporter(), csv_bytes(changed))
    assert result["updated"] == {"programs": 1, "cohorts": 1}
    agri = Program.objects.get(code="AGRI-1")
    assert agri.title == "Farm machinery" and set(agri.occupations.values_list("code", flat=True)) == {"8341", "8344"}
    assert agri.cohorts.get(intake_date=dt.date(2025, 9, 1)).seats == 26
    assert agri.cohorts.count() == 2  # the cohort not in the file is left alone


def test_rows_of_one_program_must_agree(isco, regions, colleges):
    rows = [
        PROGRAM_HEADER,
        program_row(),
        program_row(intake_date="2026-02-01", program_title="Other title", languages="kk;ru", occupation_codes="8344",
                    serves_regions="KZ-ALM;KZ-VOS"),
    ]
    problems = rejected(csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems] == [(3, "program_title"), (3, "occupation_codes")]
    assert "row 2" in problems[0][2] and "LUBAN-KZ/AGRI-1" in problems[0][2]


def test_a_cohort_listed_twice_is_an_error(isco, regions, colleges):
    problems = rejected(csv_bytes([PROGRAM_HEADER, program_row(), program_row(seats="40")]))
    assert problems == [(3, "intake_date", problems[0][2])] and "row 2" in problems[0][2]


def test_every_problem_is_listed_and_nothing_is_written(isco, regions, colleges):
    before = counts()
    rows = [
        PROGRAM_HEADER,
        program_row(program_code="P1", occupation_codes="8341;9999"),                       # 2 unknown occupation
        program_row(program_code="P2", occupation_codes="834"),                             # 3 not a unit group code
        program_row(program_code="P3", serves_regions="KZ-VOS;XX-NOPE"),                    # 4 unknown region
        program_row(program_code="P4", seats="0"),                                          # 5 seats
        program_row(program_code="P5", intake_date="2026-09-01", graduation_date="2026-06-30"),  # 6 intake > graduation
        program_row(program_code="P6", languages=""),                                       # 7 languages required
        program_row(program_code="P7", college_code="NEW-COLLEGE"),                         # 8 new college without name
        program_row(program_code="P8", sector="AA"),                                        # 9 sector
        program_row(program_code="P9", occupation_codes="0834"),                            # 10 group, not unit
    ]
    problems = rejected(csv_bytes(rows))
    assert {(p[0], p[1]) for p in problems} == {
        (2, "occupation_codes"), (3, "occupation_codes"), (4, "serves_regions"), (5, "seats"), (6, "intake_date"),
        (7, "languages"), (8, "college_name"), (8, "country"), (9, "sector"), (10, "occupation_codes"),
    }
    assert "9999" in dict(((p[0], p[1]), p[2]) for p in problems)[(2, "occupation_codes")]
    assert counts() == before


def test_colleges_must_agree_on_their_name(isco, regions, colleges):
    rows = [
        PROGRAM_HEADER,
        program_row(college_code="NEW", college_name="New College", country="KZ"),
        program_row(college_code="NEW", college_name="Another Name", country="KZ", program_code="X"),
    ]
    problems = rejected(csv_bytes(rows))
    assert problems == [(3, "college_name", problems[0][2])]


def test_a_file_without_college_columns_works_for_existing_colleges(isco, regions, colleges):
    header = [c for c in PROGRAM_HEADER if c not in ("college_name", "country")]
    row = [v for c, v in zip(PROGRAM_HEADER, program_row()) if c in header]
    assert run(ProgramImporter(), csv_bytes([header, row]))["created"]["programs"] == 1


def test_the_import_programs_command(isco, regions, colleges, tmp_path):
    path = tmp_path / "programs.xlsx"
    path.write_bytes(make_file("xlsx", ROWS)[0])
    out = io.StringIO()
    call_command("import_programs", str(path), stdout=out)
    line = out.getvalue().strip()
    assert line.startswith("programs.xlsx: 1 college created, 2 programs created, 3 cohorts created")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([PROGRAM_HEADER, program_row(seats="many")]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_programs", str(bad), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("row 2, column seats:")


def _with_mobile(rows, values):
    """ROWS with a `mobile` column: the header, then each data row with its value."""
    return [rows[0] + ["mobile"]] + [row + [value] for row, value in zip(rows[1:], values)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_mobile_column_marks_a_mobile_workshop_and_empty_is_no(kind, isco, regions, colleges):
    rows = _with_mobile(ROWS, ["yes", "да", ""])
    run(ProgramImporter(), *make_file(kind, rows))
    assert Program.objects.get(code="AGRI-1").mobile is True
    assert Program.objects.get(code="GRADE-1").mobile is False


def test_a_file_without_the_mobile_column_leaves_the_flag_alone(isco, regions, colleges):
    run(ProgramImporter(), *make_file("csv", _with_mobile(ROWS, ["yes", "yes", "no"])))
    run(ProgramImporter(), *make_file("csv", ROWS))
    assert Program.objects.get(code="AGRI-1").mobile is True
    run(ProgramImporter(), *make_file("csv", _with_mobile(ROWS, ["нет", "жоқ", "否"])))
    assert Program.objects.get(code="AGRI-1").mobile is False


def test_a_bad_mobile_value_and_disagreeing_rows_are_named(isco, regions, colleges):
    problems = rejected(make_file("csv", _with_mobile(ROWS, ["maybe", "no", "no"]))[0])
    assert any(column == "mobile" and "maybe" in message for _, column, message in problems)
    problems = rejected(make_file("csv", _with_mobile(ROWS, ["yes", "no", "no"]))[0])
    assert [(row, column) for row, column, _ in problems] == [(3, "mobile")]
    assert "no here, but yes in row 2" in problems[0][2]  # as the file writes it, not True/False


TRANSLATED_HEADER = PROGRAM_HEADER + [
    "college_name_zh", "college_name_ru", "college_name_kk", "program_title_zh", "program_title_ru", "program_title_kk"]


def translated_row(names=("", "", ""), titles=("", "", ""), **overrides):
    return program_row(**overrides) + list(names) + list(titles)


def test_optional_columns_give_names_and_titles_in_other_languages(isco, regions, colleges):
    rows = [
        TRANSLATED_HEADER,
        translated_row(titles=("农业机械操作", "", "Ауыл шаруашылығы техникасын басқару")),
        translated_row(
            ("新疆农业职业技术学院", "Синьцзянский аграрный колледж", "Шыңжаң аграрлық колледжі"), ("水果分级", "", ""),
            college_code="XJ-AGRI", college_name="Xinjiang Agricultural Vocational College", country="CN",
            program_code="GRADE-1", program_title="Fruit grading", languages="zh", certifications="", serves_regions=""),
    ]
    result = run(ProgramImporter(), csv_bytes(rows))
    assert result["created"] == {"colleges": 1, "programs": 2, "cohorts": 2}
    agri = Program.objects.get(code="AGRI-1")
    assert agri.title_translations == {
        "zh-hans": "农业机械操作", "kk": "Ауыл шаруашылығы техникасын басқару",
        "_as_written": "Agricultural machinery operation"}
    college = College.objects.get(code="XJ-AGRI")
    assert college.name_translations == {
        "zh-hans": "新疆农业职业技术学院", "ru": "Синьцзянский аграрный колледж", "kk": "Шыңжаң аграрлық колледжі",
        "_as_written": "Xinjiang Agricultural Vocational College"}
    # The same file again changes nothing; a file without the columns leaves the translations alone.
    assert run(ProgramImporter(), csv_bytes(rows))["updated"] == {"programs": 0, "cohorts": 0}
    run(ProgramImporter(), csv_bytes([PROGRAM_HEADER, program_row()]))
    agri.refresh_from_db()
    assert agri.title_translations["kk"] == "Ауыл шаруашылығы техникасын басқару"
    # Rows of one program must agree on its translations too.
    problems = rejected(csv_bytes([
        TRANSLATED_HEADER, translated_row(titles=("甲", "", "")),
        translated_row(titles=("乙", "", ""), intake_date="2026-02-01", graduation_date="2026-12-20")]))
    assert [(row, column) for row, column, _message in problems] == [(3, "program_title_zh")]
