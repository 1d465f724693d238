"""Each role's pages on a phone (390 px) in all four languages (Kazakh and Chinese first), as a
first-time official, college staffer or reviewer sees them: nothing cut off, and a full-page
screenshot of each in test-artifacts/ (phone-<user>-<lang>-<page>.png) for people to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, login, overflowing
from .test_browser_demo import demo  # noqa: F401  (the demo fixture)
from .test_browser_forms import PAGES, language, world  # noqa: F401  (the world fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


# Pages whose tables show every column on a phone (class="stack": a card per row), rather than
# scrolling sideways inside their box with the last columns out of sight.
WHOLE_ON_A_PHONE = {"/", "/programs/", "/gaps/", "/reports/KZ-VOS/{quarter}/"}


def _clipped_tables(page) -> list[str]:
    """The tables that hide columns beyond the right edge of their scroll box (the heatmap, a grid,
    scrolls by design)."""
    return page.evaluate("""() => [...document.querySelectorAll('main .table-wrap')]
        .filter(box => !box.querySelector('table.heatmap'))
        .filter(box => box.scrollWidth > box.clientWidth + 1)
        .map(box => (box.querySelector('caption') || box).textContent.trim().slice(0, 60))""")


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.strip("/").lower()) or "home"


@pytest.mark.parametrize("username", list(PAGES))
def test_each_roles_pages_fit_a_phone_in_every_language(page, world, username):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    login(page, username)
    page.set_viewport_size({"width": 390, "height": 844})
    for code in ("kk", "zh-hans", "ru", "en"):
        language(page, code)
        for path in PAGES[username]:
            page.goto(page.base_url + path.format(quarter=world["quarter"], program=world["program"].pk,
                                                  gap=world["gap"].pk))
            expect(page.locator("html")).to_have_attribute("lang", code)
            page.screenshot(path=str(ARTIFACTS / f"phone-{username}-{code}-{_slug(path)}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, (path, code, overflowing(page))
            if path in WHOLE_ON_A_PHONE:
                assert _clipped_tables(page) == [], (username, path, code)
    assert page.console_errors == []


@pytest.mark.parametrize("code", ["zh-hans", "ru"])
def test_a_colleges_recommendations_read_as_cards_on_a_phone(page, demo, code):  # noqa: F811
    """The demo's Gansu centre on a phone: its recommendations (ten columns) were squeezed to a word
    a line and cut at the card's edge (first-time reading, issue 14 follow-up); they are cards now."""
    from demo.services import DEMO_PASSWORD

    page.goto(page.base_url + "/login/")
    page.fill("#id_username", "college.gansu")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(page.base_url + "/")
    page.set_viewport_size({"width": 390, "height": 844})
    language(page, code)
    for path in ("/", "/programs/"):
        page.goto(page.base_url + path)
        expect(page.locator("table.recommendations tbody tr").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, (path, code, overflowing(page))
        assert _clipped_tables(page) == [], (path, code)
        # Each cell on its own line with its column's name: the region is not broken a letter a line.
        region = page.locator("table.recommendations tbody tr").first.locator("td").nth(2)
        assert region.bounding_box()["width"] > 200, (path, code, region.bounding_box())


def test_a_reports_season_chart_gives_way_to_its_table_on_a_phone(page, demo):  # noqa: F811
    """The season chart scaled to 390 px had labels a few pixels high and opened on the months before
    the seasons: on a phone the table's cards carry the seasons and cohorts, at a desk both show."""
    from django.utils import timezone

    from core.quarters import Quarter
    from demo.services import DEMO_PASSWORD

    page.goto(page.base_url + "/login/")
    page.fill("#id_username", "official.vko")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(page.base_url + "/")
    url = page.base_url + f"/reports/KZ-VOS/{Quarter.containing(timezone.localdate())}/"
    for width, chart_shown in ((1280, True), (390, False)):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        rows = page.locator("table.timeline-table tbody tr")
        expect(rows.first).to_be_visible()
        assert page.locator("svg.timeline").is_visible() is chart_shown, width
        assert page.locator("#timeline .legend").is_visible() is chart_shown, width
        # The definition of timely and late stays: the cards use those words.
        expect(page.locator("#timeline p.muted")).to_contain_text("A cohort is timely when")
    assert page.console_errors == []
