"""The web application in a real browser: Debian's Chromium, headless, driven by Playwright."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from core.quarters import Quarter
from core.text import quarter_name
from gaps.models import ExchangeRate, GapReport, ReportStatus

from .conftest import login

# Transactional: the live server thread must see the test's rows. serialized_rollback restores
# what migrations created (the role groups) after the flush of the previous transactional test.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUARTER = "2026Q3"


def test_official_adds_a_line_picked_by_search_and_submits(page, make_user, regions, occupations, celery_worker):
    ExchangeRate.objects.create(currency="KZT", date=dt.date(2026, 1, 1), rate_to_cny=Decimal("0.014"))
    make_user(Role.OFFICIAL, regions=[regions["east"]], username="aigerim")
    login(page, "aigerim")

    # Home: the region's report for the next quarter (reports are filed ahead), not started yet.
    following = Quarter.containing(timezone.localdate()).next()
    quarter = str(following)
    named = quarter_name(quarter)  # "Q1 2027": the quarter by its name, not its code (issue 14)
    row = page.get_by_role("row").filter(has_text="East Kazakhstan Region").filter(has_text=named)
    expect(row).to_contain_text("Not started")
    row.get_by_role("link", name=named).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"East Kazakhstan Region, {named}")

    # The stylesheet and the vendored htmx loaded from the live server (no CDN).
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") == "rgb(20, 54, 92)"

    # Search as you type, in Russian, and pick from the list.
    page.get_by_label("Occupation").press_sequentially("сельскохоз", delay=30)
    pick = page.locator(".occ-pick[data-code='8341']")
    expect(pick).to_be_visible()
    pick.click()
    expect(page.locator("#id_occupation_code")).to_have_value("8341")
    expect(page.locator("#occupation-picked")).to_contain_text("8341")

    page.get_by_label("Workers needed").fill("40")
    page.get_by_label("Monthly salary from").fill("250000")
    page.get_by_label("Monthly salary to").fill("200000")  # below the minimum: refused
    page.get_by_label("Currency").fill("KZT")
    page.get_by_label("Needed from").fill((following.start + dt.timedelta(days=45)).isoformat())
    page.get_by_label("Needed until").fill((following.start + dt.timedelta(days=85)).isoformat())
    # Certification and languages are chosen by name, not typed as codes.
    page.get_by_label("Required certification").select_option(label="Kazakhstan's national skill assessment (KZ)")
    page.get_by_role("group", name="Required languages").get_by_label("Kazakh (kk)").check()
    page.get_by_role("group", name="Required languages").get_by_label("Russian (ru)").check()
    page.get_by_role("button", name="Add line").click()

    # The error is shown next to its field; the picked occupation and the ticked languages are kept.
    expect(page.locator("#id_salary_max_error")).to_contain_text("must not be below")
    expect(page.get_by_label("Monthly salary to")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_occupation_code")).to_have_value("8341")
    expect(page.get_by_label("Kazakh (kk)")).to_be_checked()
    expect(page.get_by_label("Chinese (zh)")).not_to_be_checked()
    expect(page.get_by_label("Required certification")).to_have_value("KZ")
    page.get_by_label("Monthly salary to").fill("320000")
    page.get_by_role("button", name="Add line").click()

    lines = page.locator("table.lines tbody tr")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("Mobile farm and forestry plant operators")
    expect(lines.first).to_contain_text("250,000–320,000 KZT")
    expect(page.locator(".report-status")).to_contain_text("Draft")

    page.get_by_role("button", name="Submit report").click()
    expect(page.locator(".report-status")).to_contain_text("Submitted")
    expect(page.get_by_role("button", name="Withdraw report")).to_be_visible()
    expect(page.get_by_role("button", name="Add line")).to_have_count(0)

    report = GapReport.objects.get(region=regions["east"], quarter=quarter)
    assert report.status == ReportStatus.SUBMITTED
    assert [(o, h, sorted(langs), c) for o, h, langs, c in
            report.lines.values_list("occupation_id", "headcount", "languages", "certification")] == [
        ("8341", 40, ["kk", "ru"], "KZ")]  # the languages in the order the form lists them

    # Submitting queued a re-match; the real worker runs it while the page polls the results in.
    # No college trains the occupation, so all 40 are missing: unmet demand.
    results = page.locator("#results")
    expect(results.locator("table tbody tr")).to_have_count(1, timeout=60_000)
    expect(results.locator("table tbody tr").first).to_contain_text("40")
    expect(results.locator(".flags")).to_contain_text("Unmet demand")
    expect(results).not_to_have_attribute("hx-trigger", "every 2s")
    assert page.locator("#demand-supply-chart").evaluate("c => c.dataset.drawn") == "1"
    assert page.console_errors == []


def test_official_cannot_open_another_regions_report(page, make_user, regions):
    make_user(Role.OFFICIAL, regions=[regions["east"]], username="aigerim")
    login(page, "aigerim")
    response = page.goto(f"{page.base_url}/reports/{regions['horgos'].code}/{QUARTER}/")
    assert response.status == 404
    response = page.goto(f"{page.base_url}/reports/{regions['east'].code}/{QUARTER}/")
    assert response.status == 200


# What each language's home page must say (a translated string, and the region's own name).
HOME_IN = {
    "en": ("Your regions' reports", "East Kazakhstan Region"),
    "zh-hans": ("您所在地区的报告", "东哈萨克斯坦州"),
    "ru": ("Отчёты ваших регионов", "Восточно-Казахстанская область"),
    "kk": ("Сіздің өңірлеріңіздің есептері", "Шығыс Қазақстан облысы"),
}


def test_home_renders_in_each_language_through_the_switcher(page, make_user, regions):
    make_user(Role.OFFICIAL, regions=[regions["east"]], username="aigerim")
    login(page, "aigerim")
    for code, (heading, region_name) in HOME_IN.items():
        page.get_by_role("combobox").first.select_option(code)  # submits on change (app.js)
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("#reports-title")).to_have_text(heading)
        expect(page.get_by_role("row").filter(has_text=region_name).first).to_be_visible()
    assert page.console_errors == []


def test_home_fits_a_phone_width_screen(page, make_user, regions):
    make_user(Role.OFFICIAL, regions=[regions["east"]], username="aigerim")
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, "aigerim")
    # Nothing wider than the screen: tables scroll inside their own box, not the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_have_text(re.compile("Skip to main content"))


def test_official_types_a_title_without_picking_and_changes_the_automatic_code(page, make_user, regions, occupations, settings):
    """Issue 15: a typed title the search is sure of is coded, the page says so, and the next
    candidate is one click away."""
    from django.urls import reverse

    from gaps import search
    from gaps.models import OccupationLabel
    from gaps.taxonomy.text import normalize

    for code, label in [("8341", "tractor driver"), ("8341", "тракторист"), ("7543", "tractor test driver")]:
        OccupationLabel.objects.create(
            occupation=occupations[code], language="en" if label.isascii() else "ru", label=label,
            normalized=normalize(label), source="TALENTGAP",
        )
    search.invalidate_index()
    settings.OCCUPATION_CODING_THRESHOLD = 0.9
    make_user(Role.OFFICIAL, regions=[regions["east"]], username="aigerim")
    login(page, "aigerim")
    page.goto(page.base_url + reverse("web:report", kwargs={"region_code": "KZ-VOS", "quarter": QUARTER}))

    # Typed, not picked from the list.
    page.get_by_label("Occupation").fill("tractor driver")
    page.get_by_label("Workers needed").fill("12")
    page.get_by_label("Monthly salary from").fill("250000")
    page.get_by_label("Monthly salary to").fill("320000")
    page.get_by_label("Currency").fill("KZT")
    page.get_by_role("button", name="Add line").click()

    expect(page.locator(".messages")).to_contain_text("was coded as Mobile farm and forestry plant operators (8341)")
    line = page.locator("table.lines tbody tr").first
    expect(line).to_contain_text("Coded automatically from the title “tractor driver”")
    line.get_by_text("Change the occupation").click()
    other = line.locator("ul.suggestions li").filter(has_text="7543")
    expect(other).to_contain_text("possible match")
    other.get_by_role("button").click()

    expect(page.locator(".messages")).to_contain_text("Line 1 is now coded 7543.")
    line = page.locator("table.lines tbody tr").first
    expect(line).to_contain_text("Product graders and testers")
    expect(line).not_to_contain_text("Coded automatically")
    line_row = GapReport.objects.get(region=regions["east"]).lines.get()
    assert (line_row.occupation_id, line_row.coding_confidence) == ("7543", 1.0)
    assert page.console_errors == []
    search.invalidate_index()
