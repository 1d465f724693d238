"""Fixtures for the web pages: a small taxonomy, regions, and a real headless Chromium.

The browser is Debian's /usr/bin/chromium driven by Playwright (bin/test installs the package
when it is missing); Playwright never downloads a browser here. A failing browser test leaves a
screenshot and the page's HTML in test-artifacts/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.db import connections

from gaps.models import Occupation, Region

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("TALENTGAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PASSWORD = "pw-Secret-123"  # tests/conftest.py make_user's password


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so the page fixture knows whether the test failed.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# --- Data -------------------------------------------------------------------------------------------


def _chain(code: str, titles: dict[str, str]) -> Occupation:
    """A unit group with its major, sub-major and minor groups (the hierarchy the models keep)."""
    parent = None
    for level in range(1, 4):
        parent, _ = Occupation.objects.get_or_create(
            code=code[:level], defaults={"level": level, "parent": parent, "title_en": f"Group {code[:level]}"}
        )
    occupation, _ = Occupation.objects.update_or_create(
        code=code,
        defaults={"level": 4, "parent": parent, **{f"title_{lang}": title for lang, title in titles.items()}},
    )
    return occupation


@pytest.fixture
def occupations(db):
    return {
        "8341": _chain("8341", {
            "en": "Mobile farm and forestry plant operators",
            "ru": "Операторы передвижных сельскохозяйственных и лесных машин",
            "zh": "农业和林业移动设备操作员",
            "kk": "Ауыл және орман шаруашылығының жылжымалы машиналарының операторлары",
        }),
        "7543": _chain("7543", {
            "en": "Product graders and testers (excluding foods and beverages)",
            "ru": "Сортировщики и испытатели продукции",
            "zh": "产品分级员和检验员",
            "kk": "Өнімді сұрыптаушылар мен сынаушылар",
        }),
        "7411": _chain("7411", {
            "en": "Building and related electricians",
            "ru": "Электрики в строительстве",
            "zh": "建筑及有关电工",
            "kk": "Құрылыс электриктері",
        }),
    }


@pytest.fixture
def regions(db):
    east = Region.objects.create(
        code="KZ-VOS", country="KZ", name_en="East Kazakhstan Region", name_ru="Восточно-Казахстанская область",
        name_zh="东哈萨克斯坦州", name_kk="Шығыс Қазақстан облысы", kind="oblast",
    )
    horgos = Region.objects.create(
        code="CN-HORGOS", country="CN", name_en="Horgos", name_ru="Хоргос", name_zh="霍尔果斯", name_kk="Қорғас",
        kind="city",
    )
    return {"east": east, "horgos": horgos}


# --- Browser ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started after (so stopped before) the test database.

    Otherwise the server's threads may still hold a connection when the test database is dropped.
    """
    return live_server


@pytest.fixture
def browser(monkeypatch):
    """Headless Debian Chromium for one test.

    Function-scoped on purpose: Playwright's sync API runs an event loop in this thread while it is
    started, and Django refuses ORM calls from a thread with a running loop. Outside the browser's
    lifetime the suite keeps Django's guard; inside, the test's own ORM calls are plain synchronous
    code, which DJANGO_ALLOW_ASYNC_UNSAFE lets through.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (bin/test does when run as root)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # While Playwright's loop runs, Django keeps a separate connection for this context
            # (asgiref locals); close it, or it outlives the test and blocks dropping the test DB.
            connections.close_all()


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser context and page; on failure a screenshot and the HTML go to test-artifacts/."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    page.console_errors = []
    # Every console error counts (a missing stylesheet or script shows up here as a 404), except
    # the 422 of a form that was sent back with its errors, which is the page working as meant.
    page.on("console", lambda msg: msg.type == "error" and "status of 422" not in msg.text
            and page.console_errors.append(f"{msg.text} {msg.location.get('url', '')}"))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    # Irreversible actions ask first through the browser's own confirm(): accept, and keep the question
    # so that a test can check that one was asked (Playwright would otherwise dismiss it).
    page.dialogs = []

    def answer(dialog):
        page.dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - a closed page must not hide the test's own failure
            print(f"could not save a screenshot: {exc}")
    context.close()


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto(page.base_url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(page.base_url + "/")


def overflowing(page) -> list[str]:
    """The innermost elements that stick out to the right of the viewport (for a failing width check)."""
    return page.evaluate(
        """() => { const out = []; document.querySelectorAll('body *').forEach(e => {
             const r = e.getBoundingClientRect();
             if (r.right > window.innerWidth + 1 && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
               out.push(e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(r.right) + 'px ' + (e.textContent || '').trim().slice(0, 40)); });
           return out.slice(0, 12); }"""
    )


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's violations of the page as it is now, of the given impacts, one line each.

    axe-core is vendored (tests/web/vendor/axe-core), injected into the page, nothing downloaded.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 4).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['impact']} {v['id']}: {v['help']} at {', '.join(v['nodes'])}" for v in result if v["impact"] in impacts]


def assert_accessible(page, where: str = "") -> None:
    """No serious or critical axe-core violation on the page (issue 14)."""
    found = axe_violations(page)
    assert found == [], f"{where or page.url} ({page.evaluate('document.documentElement.lang')}): " + "; ".join(found)
