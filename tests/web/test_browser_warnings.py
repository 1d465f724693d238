"""The early-warning board in a real browser: four languages through the switcher, the officials'
history/forecast chart drawn from the vendored Chart.js, a phone-width screen, and a reviewer's
fast-track. Screenshots of each go to test-artifacts/ (early-warning-*.png) for people to look at."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from gaps.models import GapReport, GapReportLine, ReportStatus, WarningRating, WarningStatus
from projects.models import CooperationProject

from ..warning import factories as f
from .conftest import ARTIFACTS, assert_accessible, login, overflowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BOARD_IN = {  # the heading, a region's name, and the "Last day to act" cell's days left
    "en": ("Early warning", "East Kazakhstan Region", "days left"),
    "zh-hans": ("预警", "东哈萨克斯坦州", "还剩"),
    "ru": ("Раннее предупреждение", "Восточно-Казахстанская область", "осталось"),
    "kk": ("Ерте ескерту", "Шығыс Қазақстан облысы", "қалды"),
}


@pytest.fixture
def board(make_user, regions, occupations):
    today = timezone.localdate()
    east, horgos = regions["east"], regions["horgos"]
    entries = {
        "now": f.warning(east, "8341", "2027Q3", status=WarningStatus.ACT_NOW, today=today,
                         rating=WarningRating.CRITICAL, wage_pressure="0.07"),
        "plan": f.warning(east, "7411", "2027Q4", status=WarningStatus.PLAN, today=today),
        "short": f.warning(east, "7543", "2027Q2", status=WarningStatus.SHORT_COURSE_ONLY, today=today),
        "missed": f.warning(horgos, "8341", "2027Q1", status=WarningStatus.MISSED, today=today,
                            context={"next_need_date": "2028-03-01", "next_act_by": "2027-09-03"}),
    }
    official = make_user(Role.OFFICIAL, regions=[east], username="aigerim")
    for year, headcount in ((2025, 100), (2026, 110)):  # the history the chart shows
        report = GapReport.objects.create(region=east, quarter=f"{year}Q3", status=ReportStatus.SUBMITTED,
                                          submitted_at=timezone.now())
        GapReportLine.objects.create(report=report, line_no=1, occupation_id="8341", occupation_title="operator",
                                     headcount=headcount, salary_min=250000, salary_max=320000, currency="KZT",
                                     season_start=dt.date(year, 8, 15), season_end=dt.date(year, 10, 15),
                                     languages=["ru"])
    make_user(Role.REVIEWER, username="rustam")
    return {"today": today, "official": official, **entries}


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"early-warning-{name}.png"), full_page=True)
    assert_accessible(page, name)  # axe-core: no serious or critical violation on any page shot


def test_the_officials_board_in_four_languages_with_its_chart(page, board):
    login(page, "aigerim")
    page.goto(page.base_url + "/early-warnings/")
    for code, (heading, region_name, act_by) in BOARD_IN.items():
        page.get_by_role("combobox", name=re.compile(".")).first.select_option(code)
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("h1")).to_have_text(heading)
        expect(page.get_by_role("link", name=heading)).to_be_visible()  # the main navigation
        board_table = page.locator("table.ew-board")
        expect(board_table.get_by_role("row").filter(has_text=region_name).first).to_be_visible()
        expect(board_table).to_contain_text(act_by)
        expect(page.locator(f'canvas[data-chart="ew-data-{board["now"].pk}"]')).to_have_attribute("data-drawn", "1")
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", board_table.inner_text())  # never a bare ISO date
        shot(page, f"official-{code}")
    assert page.console_errors == []


def test_the_board_fits_a_phone_width_screen(page, board):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "rustam")
    page.goto(page.base_url + "/early-warnings/")
    expect(page.locator("table.ew-board")).to_contain_text("gap in 3 of 8 quarters")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, overflowing(page)
    shot(page, "reviewer-390px")
    page.goto(page.base_url + f"/early-warnings/{board['now'].pk}/")
    expect(page.locator('canvas[data-chart="ew-data"]')).to_have_attribute("data-drawn", "1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, overflowing(page)
    shot(page, "entry-390px")
    assert page.console_errors == []


def test_a_reviewer_fast_tracks_an_entry_from_its_page(page, board):
    login(page, "rustam")
    page.goto(page.base_url + "/early-warnings/")
    page.locator("table.ew-board").get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("East Kazakhstan Region")
    page.get_by_label("Comment (optional)").fill("Before the harvest")
    page.get_by_role("button", name="Fast-track: create the project").click()
    expect(page.locator(".message")).to_contain_text("Fast-tracked")
    project = CooperationProject.objects.get(origin_warning=board["now"])
    assert page.url.endswith(f"/projects/{project.pk}/")
    shot(page, "fast-tracked")
    assert page.console_errors == []


def test_an_entry_page_in_russian_and_kazakh_at_a_desk_and_on_a_phone(page, board):
    login(page, "aigerim")
    page.goto(page.base_url + f"/early-warnings/{board['now'].pk}/")
    for code in ("ru", "kk"):
        page.get_by_role("combobox", name=re.compile(".")).first.select_option(code)
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("h1")).to_contain_text(BOARD_IN[code][1])
        # No fact says its label twice ("Действовать до: действовать до 18 декабря 2026 г.").
        repeats = page.evaluate("""() => [...document.querySelectorAll('dl.facts dt')].filter(dt =>
            dt.nextElementSibling && dt.nextElementSibling.textContent.trim().toLowerCase()
              .startsWith(dt.textContent.trim().toLowerCase())).map(dt => dt.textContent)""")
        assert repeats == [], repeats
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            expect(page.locator('canvas[data-chart="ew-data"]')).to_have_attribute("data-drawn", "1")
            shot(page, f"entry-{code}-{width}px")
            # The quarters under the bars stay level (wrapped over two lines), never slanted.
            assert page.evaluate("Chart.getChart(document.getElementById('ew-chart')).scales.x.labelRotation") == 0
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (code, width, overflowing(page))
            text = page.locator("main").inner_text()
            assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), text  # never a bare ISO date
    assert page.console_errors == []


@pytest.mark.parametrize("username", ["aigerim", "rustam"])
def test_the_board_and_an_entry_pass_axe_in_four_languages(page, board, username):
    login(page, username)
    page.goto(page.base_url + "/early-warnings/")
    for code in BOARD_IN:
        page.locator("#language-select").select_option(code)
        expect(page.locator("html")).to_have_attribute("lang", code)
        for path in ("/early-warnings/", f"/early-warnings/{board['now'].pk}/", f"/early-warnings/{board['short'].pk}/"):
            page.goto(page.base_url + path)
            expect(page.locator("html")).to_have_attribute("lang", code)
            assert_accessible(page, f"{username} {path}")
    assert page.console_errors == []
