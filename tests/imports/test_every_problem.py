"""Issue 17, point 7: every problem in one pass. The cross-field checks (salary minimum above the
maximum, a season ending before it starts, intake after graduation) run on every row or line
whose fields parsed, whatever else is wrong with it: in the importers and in the report-lines API."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from core.imports.errors import ImportRejected
from gaps.importers import GapReportImporter
from tests.api.conftest import World, world  # noqa: F401 (the API tests' world)
from tests.api.factories import line_json
from training.importers import ProgramImporter

HEADER = "region_code,quarter,occupation_code,occupation_title,headcount,salary_min,salary_max,currency,season_start,season_end\n"


def _problems(importer, text: str) -> dict:
    with pytest.raises(ImportRejected) as rejected:
        importer.run(io.BytesIO(text.encode()), filename="f.csv")
    return {(p.row, p.column): p.message for p in rejected.value.problems}


def test_a_report_row_is_told_everything_at_once(world):
    row = "KZ-NOWHERE,2027Q5,8341,,4,500,100,KZT,2026-10-01,2026-08-01\n"
    problems = _problems(GapReportImporter(user=world.users["admin"]), HEADER + row)
    assert "2027Q5" in problems[(2, "quarter")]
    assert "KZ-NOWHERE" in problems[(2, "region_code")]
    assert "greater than salary_max" in problems[(2, "salary_min")]
    assert "is after season_end" in problems[(2, "season_start")]


def test_a_bad_occupation_code_is_not_also_told_to_give_one(world):
    row = "KZ-VOS,2026Q4,83X1,,4,100,500,KZT,,\n"
    problems = _problems(GapReportImporter(user=world.users["admin"]), HEADER + row)
    assert list(problems) == [(2, "occupation_code")]
    assert "Give occupation_code" not in problems[(2, "occupation_code")]


def test_a_cohort_row_is_told_everything_at_once(world):
    header = "college_code,college_name,country,program_code,program_title,occupation_codes,seats,intake_date,graduation_date,languages\n"
    row = "LUBAN-KZ,,KZ,HARV-1,Program HARV-1,8341,many,2027-09-01,2027-01-01,ru;kk\n"
    problems = _problems(ProgramImporter(user=world.users["admin"]), header + row)
    assert (2, "seats") in problems
    assert "is after graduation_date" in problems[(2, "intake_date")]


def test_the_report_lines_api_tells_everything_at_once(world):
    payload = {"report": world.reports["A_draft"].pk, **line_json(
        headcount=0, currency="K$", salary_min="500", salary_max="100",
        season_start="2026-10-01", season_end="2026-08-01")}
    response = world.client("official_a").post(reverse("report-line-list"), payload, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert {"headcount", "currency", "salary_max", "season_end"} <= set(errors), errors


def test_a_report_with_lines_tells_every_lines_problems(world):
    bad = line_json(currency="K$", salary_min="500", salary_max="100")
    response = world.client("official_a").post(
        reverse("report-list"), {"region": "KZ-VOS", "quarter": "2027Q1", "lines": [bad]}, format="json")
    assert response.status_code == 400
    assert {"currency", "salary_max"} <= set(response.json()["lines"]["0"]), response.json()


def test_an_unknown_occupation_is_not_also_told_to_give_one(world):
    payload = {"report": world.reports["A_draft"].pk, **line_json(occupation="9999", occupation_title="")}
    response = world.client("official_a").post(reverse("report-line-list"), payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["occupation"]
    assert "No ISCO-08 unit group" in response.json()["occupation"][0]
