"""The list pages in a real browser, in Russian and Kazakh: the decided gaps (filtered by region
through the form) and the gap list's pages (the page links keep the quarter and the filters), at
1280 and 390 px, each checked with axe-core (no serious or critical violation) and saved to
test-artifacts/lists-*.png for people to look at."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from gaps.models import Gap
from projects import services as project_services

from .conftest import ARTIFACTS, _chain, assert_accessible, login, overflowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUARTER = "2026Q3"
IN = {
    "ru": {"decided": "Решённые дефициты", "region": "Регион", "show": "Показать", "rows": "из 33 строк"},
    "kk": {"decided": "Шешім қабылданған тапшылықтар", "region": "Өңір", "show": "Көрсету", "rows": "33 жолдың"},
}


@pytest.fixture
def lists(make_user, regions, occupations):
    east, horgos = regions["east"], regions["horgos"]
    gaps = []
    for n in range(32):
        occupation = _chain(f"71{n:02d}", {"en": f"Trade worker {n:02d}", "ru": f"Рабочий-строитель {n:02d}",
                                           "kk": f"Құрылысшы жұмысшы {n:02d}", "zh": f"建筑工人 {n:02d}"})
        gaps.append(Gap.objects.create(region=east, quarter=QUARTER, occupation=occupation, headcount=100 + n,
                                       covered=n, shortfall=100, need_date=dt.date(2026, 8, 15)))
    gaps.append(Gap.objects.create(region=horgos, quarter=QUARTER, occupation=occupations["7543"], headcount=30,
                                   shortfall=30, need_date=dt.date(2026, 9, 1)))
    approved = Gap.objects.create(region=east, quarter=QUARTER, occupation=occupations["8341"], headcount=120,
                                  covered=20, shortfall=100, need_date=dt.date(2026, 8, 15))
    rejected = Gap.objects.create(region=horgos, quarter=QUARTER, occupation=occupations["8341"], headcount=25,
                                  shortfall=25, need_date=dt.date(2026, 8, 15))
    reviewer = make_user(Role.REVIEWER, username="rustam", first_name="Рустам", last_name="Нурланов")
    project = project_services.gap_approve(gap=approved, user=reviewer, comment="Уборочная 2026.")
    project_services.gap_reject(gap=rejected, user=reviewer, comment="Хоргос закроет своими колледжами.")
    return {"project": project, "approved": approved, "rejected": rejected}


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lists-{name}.png"), full_page=True)


def choose_language(page, code: str) -> None:
    page.locator("#language-select").select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_decided_gaps_in_russian_and_kazakh_filtered_by_region(page, lists, language):
    words = IN[language]
    login(page, "rustam")
    choose_language(page, language)
    page.get_by_role("link", name=words["decided"]).first.click()  # from the home page, no typed URL
    expect(page.locator("h1")).to_have_text(words["decided"])
    table = page.locator("table.decided")
    expect(table.get_by_role("row")).to_have_count(3)  # the header and the two decided gaps
    title = lists["project"].title_translations[language]  # the project's title in the reader's language
    assert title != lists["project"].title_translations["en"]
    expect(table.get_by_role("link", name=title)).to_be_visible()
    expect(table).to_contain_text("Рустам Нурланов")
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", table.inner_text())  # dates as "3 дек. 2026"
    assert_accessible(page)
    shot(page, f"decided-{language}-1280")
    # Filter by region through the form: only Horgos' rejected gap stays, and the URL says so.
    page.get_by_label(words["region"], exact=True).select_option("CN-HORGOS")
    page.get_by_role("button", name=words["show"]).click()
    expect(page).to_have_url(re.compile(r"region=CN-HORGOS"))
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text("Хоргос закроет")
    # The gap's page leads to the project its approval created.
    page.goto(page.base_url + f"/gaps/{lists['approved'].pk}/")
    page.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(rf"/projects/{lists['project'].pk}/$"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/gaps/decided/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, overflowing(page)
    assert_accessible(page)
    shot(page, f"decided-{language}-390")
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_gap_list_pages_keep_the_quarter_and_the_filters(page, lists, language):
    words = IN[language]
    login(page, "rustam")
    choose_language(page, language)
    page.goto(page.base_url + f"/gaps/?quarter={QUARTER}")
    pagination = page.locator("nav.pagination")
    expect(pagination).to_contain_text(words["rows"])
    expect(page.locator("table.gaps tbody tr")).to_have_count(25)
    legend = page.locator(".heat-legend")
    expect(legend.locator(".swatch").first).to_be_visible()
    assert_accessible(page)
    shot(page, f"gaps-{language}-1280")
    pagination.get_by_role("link", name="2").click()
    expect(page).to_have_url(re.compile(r"quarter=2026Q3.*page=2|page=2.*quarter=2026Q3"))
    expect(page.locator("table.gaps tbody tr")).to_have_count(8)
    expect(pagination.locator('[aria-current="page"]')).to_contain_text("2")
    # A search in the reader's language narrows the list; the page links keep it.
    page.get_by_role("searchbox").fill("Қорғас" if language == "kk" else "Хоргос")
    page.get_by_role("button", name=words["show"]).click()
    expect(page.locator("table.gaps tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"quarter=2026Q3"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + f"/gaps/?quarter={QUARTER}&page=2")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, overflowing(page)
    assert_accessible(page)
    shot(page, f"gaps-{language}-390")
    assert page.console_errors == []
