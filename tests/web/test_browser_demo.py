"""The whole loop in a real browser on the demo data, with a real Celery worker matching:

an official amends the East Kazakhstan report through the XLSX template and submits it; the
quarter is re-matched; the Gansu centre sees the RETOOL recommendation for its graders program;
the reviewer approves the harvester operators gap and the project appears in the repository; and
the repository renders in each of the four languages.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from demo.services import DEMO_PASSWORD
from demo.world import demo_occupation_codes
from gaps.models import GapReport, Occupation, ReportStatus
from gaps.taxonomy.loader import read_taxonomy
from projects.models import CooperationProject

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The demo dated from a fixed day (its current quarter, 2026Q4, holds the seed cases), whatever the
# real date: the pages are asked for that quarter.
DEMO_DAY = "2026-12-03"
QUARTER = "2026Q4"
RUN_TIMEOUT = 90_000  # ms: load_demo matched its quarters itself; the worker matches ours


@pytest.fixture
def demo(db):
    # The unit groups the demo uses with their ISCO parents (load_taxonomy would load all 619), with
    # their real titles from the shipped taxonomy, so that pages and screenshots read naturally.
    taxonomy = read_taxonomy().occupations
    for code in sorted(demo_occupation_codes()):
        parent = None
        for level in range(1, 5):
            titles = {f"title_{lang}": taxonomy[code[:level]][f"title_{lang}"] for lang in ("en", "ru", "zh", "kk")}
            parent, _ = Occupation.objects.get_or_create(
                code=code[:level], defaults={"level": level, "parent": parent, **titles}
            )
    Occupation.objects.filter(code="8341").update(
        title_en="Mobile farm and forestry plant operators", title_ru="Операторы сельскохозяйственных машин",
        title_zh="农业和林业移动设备操作员", title_kk="Ауыл шаруашылығы машиналарының операторлары",
    )
    call_command("load_demo", today=DEMO_DAY, verbosity=0)


def logout(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")


def test_official_uploads_the_template_college_sees_retool_reviewer_approves(page, demo, celery_worker, tmp_path):
    # --- The official amends the submitted report through the spreadsheet ------------------------
    login(page, "official.vko", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/reports/KZ-VOS/{QUARTER}/")
    expect(page.locator(".report-status")).to_contain_text("Submitted")
    page.get_by_role("button", name="Amend: start a new draft").click()
    expect(page.locator(".report-status")).to_contain_text("Draft")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the XLSX template").click()
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[:3] for row in rows] == [("KZ-VOS", QUARTER, "8341"), ("KZ-VOS", QUARTER, "7233"), ("KZ-VOS", QUARTER, None)]
    sheet.cell(row=2, column=header.index("headcount") + 1, value=130)  # ten more operators than last time
    workbook.save(template)

    page.get_by_label("Filled-in template (XLSX or CSV)").set_input_files(str(template))
    page.get_by_label("Submit the report after importing").check()
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".messages")).to_contain_text("3 lines imported (1 not coded yet)")
    expect(page.locator(".report-status")).to_contain_text("Submitted")
    submitted = GapReport.objects.get(region__code="KZ-VOS", quarter=QUARTER, status=ReportStatus.SUBMITTED)
    assert submitted.lines.get(occupation_id="8341").headcount == 130

    # The worker re-matches the quarter; the page polls until the results of the new report show.
    results = page.locator("#results")
    operators = results.locator("table tbody tr").filter(has_text="8341")
    expect(operators).to_contain_text("130", timeout=RUN_TIMEOUT)
    expect(results).not_to_have_attribute("aria-busy", "true", timeout=RUN_TIMEOUT)
    expect(results.locator(".flags")).to_contain_text("Under-supply")
    expect(results.locator(".flags")).to_contain_text("Uncoded occupation")
    logout(page)

    # --- The Gansu centre sees the RETOOL recommendation for its graders ---------------------------
    login(page, "college.gansu", DEMO_PASSWORD)
    retool = page.locator("table.recommendations tbody tr").filter(has_text="FV-GRADE")
    expect(retool.first).to_contain_text("Retool")
    expect(retool.first).to_contain_text("7515")
    expect(retool.first).to_contain_text("8341")
    logout(page)

    # --- The reviewer approves the harvester operators gap ------------------------------------------
    login(page, "reviewer", DEMO_PASSWORD)
    page.get_by_role("link", name="Gaps", exact=True).click()
    # The queue opens on the first quarter training can still be in time for (2027Q1 in the demo):
    # the reviewer picks this quarter, whose season has begun, and shows it.
    page.get_by_label("Quarter").select_option(QUARTER)
    page.locator("form.filters-form").get_by_role("button").click()
    expect(page.get_by_label("Quarter")).to_have_value(QUARTER)
    gap_row = page.locator("table.gaps tbody tr").filter(has_text="East Kazakhstan").filter(has_text="8341")
    gap_row.get_by_role("link").click()
    page.get_by_label("Comment or reason").fill("Needed from 15 November; retool the Gansu graders.")
    page.get_by_role("button", name="Approve: create the project").click()
    expect(page.locator(".messages")).to_contain_text("Gap approved")
    # (The demo's own project for these operators is two years old: another quarter's gap.)
    project = CooperationProject.objects.get(
        origin_gap__region__code="KZ-VOS", origin_gap__quarter=QUARTER, origin_gap__occupation_id="8341"
    )

    page.get_by_role("link", name="Projects", exact=True).click()
    expect(page.locator("table.projects")).to_contain_text(project.title)
    expect(page.locator("table.projects")).to_contain_text("Fast-tracked")

    # --- The repository in each language ----------------------------------------------------------
    for code, heading, status in [
        ("zh-hans", "合作项目", "快速立项"),
        ("ru", "Проекты сотрудничества", "Ускоренный запуск"),
        ("kk", "Ынтымақтастық жобалары", "Жедел іске қосылған"),
        ("en", "Cooperation projects", "Fast-tracked"),
    ]:
        page.locator("#language-select").select_option(code)
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator("table.projects")).to_contain_text(status)
    assert page.console_errors == []
