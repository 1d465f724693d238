"""Screenshots of every page for people to read, as a first-time official, college staffer and
reviewer sees them, in the four languages at a desk (1280 px) and on a phone (390 px).

Not collected by default (the file name does not start with test_); run it on purpose:

    pytest tests/web/screens.py -p no:cacheprovider

It loads the demo dated 2026-12-03 and saves test-artifacts/screens/<user>-<lang>-<width>-<page>.png
with the page's visible text next to it (.txt), so that what a page says can be read and grepped
as well as looked at. The browser context's locale matches the page's language, so browser-drawn
controls (date inputs) follow it. Pages a role may not open are listed in closed.txt. It asserts nothing:
the checks live in the test_* modules.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from demo.services import DEMO_PASSWORD
from demo.world import demo_occupation_codes
from gaps.models import GapReport, Occupation
from gaps.taxonomy.loader import read_taxonomy

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUARTER = "2026Q4"
SCREENS = ARTIFACTS / "screens"
# The page's language and the browser locale that goes with it.
LANGUAGES = {"en": "en-GB", "zh-hans": "zh-CN", "ru": "ru-RU", "kk": "kk-KZ"}
WIDTHS = (1280, 390)
USERS = ("official.vko", "college.gansu", "reviewer")


@pytest.fixture
def demo(db):
    taxonomy = read_taxonomy().occupations
    for code in sorted(demo_occupation_codes()):
        parent = None
        for level in range(1, 5):
            titles = {f"title_{lang}": taxonomy[code[:level]][f"title_{lang}"] for lang in ("en", "ru", "zh", "kk")}
            parent, _ = Occupation.objects.get_or_create(
                code=code[:level], defaults={"level": level, "parent": parent, **titles}
            )
    call_command("load_demo", today="2026-12-03", verbosity=0)


def _first_link(page, pattern: str) -> str | None:
    """The first link on the page whose path matches pattern (a regular expression)."""
    for href in page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))"):
        if re.fullmatch(pattern, href.split("?")[0]):
            return href
    return None


def _pages(page, username: str) -> list[tuple[str, str]]:
    """(name, path) of every page the user may open, following links from the lists."""
    pages = [("home", "/")]
    if username.startswith("official"):
        report = GapReport.objects.filter(region__code="KZ-VOS", quarter=QUARTER).first()
        pages.append(("report", f"/reports/KZ-VOS/{QUARTER}/"))
        if report is not None and report.lines.exists():
            line = report.lines.order_by("line_no").first()
            pages.append(("report-line", f"/reports/KZ-VOS/{QUARTER}/lines/{line.line_no}/edit/"))
    pages.append(("gaps", "/gaps/"))
    pages.append(("gaps-decided", "/gaps/decided/"))
    pages.append(("warnings", "/early-warnings/"))
    pages.append(("programs", "/programs/"))
    pages.append(("projects", "/projects/"))
    if not username.startswith("official"):
        pages.append(("plan", "/plan/"))
    found = []
    for name, path in list(pages):
        found.append((name, path))
        follow = {"gaps": ("gap", r"/gaps/\d+/"), "warnings": ("warning", r"/early-warnings/\d+/"),
                  "programs": ("program-form", r"/programs/\d+/edit/"), "projects": ("project", r"/projects/\d+/")}
        if name in follow:
            response = page.goto(page.base_url + path)
            if response.status == 200:
                href = _first_link(page, follow[name][1])
                if href:
                    found.append((follow[name][0], href))
    if username.startswith("college"):
        found.append(("program-new", "/programs/new/"))
    return found


def _login(page, username: str) -> None:
    page.goto(page.base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(page.base_url + "/")


def _shoot(page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        stem = f"{name}-{width}"
        page.screenshot(path=str(SCREENS / f"{stem}.png"), full_page=True)
        if width < 800:  # what a phone shows first, legible when a full page is too tall to view whole
            page.set_viewport_size({"width": width, "height": 844})
            page.screenshot(path=str(SCREENS / f"{stem}-first.png"))
        scroll = page.evaluate("document.documentElement.scrollWidth")
        text = page.evaluate("document.body.innerText")
        (SCREENS / f"{stem}.txt").write_text(f"{page.url}\nscrollWidth {scroll}\n\n{text}", encoding="utf-8")


def test_screens(browser, live_server, demo):
    SCREENS.mkdir(parents=True, exist_ok=True)
    closed = []
    for lang, locale in LANGUAGES.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.base_url = live_server.url
        page.goto(page.base_url + "/login/")
        _shoot(page, f"anonymous-{lang}-login")
        context.close()
        for username in USERS:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.base_url = live_server.url
            _login(page, username)
            page.locator("#language-select").select_option(lang)
            page.wait_for_function(f"document.documentElement.lang === '{lang}'")
            for name, path in _pages(page, username):
                response = page.goto(page.base_url + path)
                if response.status != 200:  # a page the role may not open (an official's review queue)
                    closed.append(f"{username} {lang} {path} {response.status}")
                    continue
                _shoot(page, f"{username}-{lang}-{name}")
            context.close()
    (SCREENS / "closed.txt").write_text("\n".join(closed) + "\n", encoding="utf-8")
