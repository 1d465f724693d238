"""The training plan in a real browser on the demo, with a real Celery worker computing it: the reviewer
sets a budget, sees the plan and why the rest stays uncovered, accepts a class into a fast-tracked
project; the page in each of the four languages; a college sees the classes proposed to it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from demo.services import DEMO_PASSWORD
from projects.models import CooperationProject

from .conftest import ARTIFACTS, assert_accessible, login, overflowing
from .test_browser_demo import demo, logout  # noqa: F401  (the demo fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PLAN_TIMEOUT = 90_000  # ms: the worker fetches the early warning and solves


def shots(page, who: str) -> None:
    """Full-page screenshots of the page in ru and kk, at a desk (1280 px) and on a phone (390 px), in
    test-artifacts/plan-<who>-<lang>-<width>px.png for people to look at; nothing is cut off at 390 px
    (wide tables scroll inside their own box, not the page)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for code in ("zh-hans", "ru", "kk"):
        page.locator("#language-select").select_option(code)
        expect(page.locator("html")).to_have_attribute("lang", code)
        assert_accessible(page, f"plan {who}")  # axe-core: no serious or critical violation
        if code == "zh-hans":
            continue
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(ARTIFACTS / f"plan-{who}-{code}-{width}px.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (who, code, width, overflowing(page))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#language-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page, f"plan {who}")


def test_reviewer_plans_within_a_budget_and_accepts_a_class(page, demo, celery_worker):  # noqa: F811
    login(page, "reviewer", DEMO_PASSWORD)
    page.get_by_role("link", name="Training plan", exact=True).click()
    page.get_by_label("Budget (CNY)").fill("600000")
    page.get_by_role("button", name="Make the plan").click()
    # Queued, then computed by the worker: the page refreshes itself until the plan is there.
    expect(page.get_by_role("heading", name="What stays uncovered, and why")).to_be_visible(timeout=PLAN_TIMEOUT)
    expect(page.locator("dl.facts")).to_contain_text("600,000")
    expect(page.locator("dl.facts")).to_contain_text("Proven the best possible plan")
    first = page.locator("table.proposals tbody tr").first
    first.get_by_role("checkbox").check()
    page.get_by_role("button", name="Accept the chosen classes into one project").click()
    expect(page.locator(".messages")).to_contain_text("fast-tracked")
    project = CooperationProject.objects.get(origin_gap__isnull=True)
    assert project.status == "fast_tracked" and project.plan_proposals.count() == 1

    page.get_by_role("link", name="Training plan", exact=True).click()
    # The seasons chart gives each region and quarter room for its (wrapped, level) label.
    chart = page.locator("#plan-seasons-chart")
    expect(chart).to_have_attribute("data-drawn", "1")
    assert chart.bounding_box()["height"] >= 20 * page.locator("table.seasons tbody tr").count()
    shots(page, "reviewer")
    for code, heading in [("zh-hans", "培训计划"), ("ru", "План обучения"), ("kk", "Оқыту жоспары"),
                          ("en", "Training plan")]:
        page.locator("#language-select").select_option(code)
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    logout(page)

    login(page, "college.luban", DEMO_PASSWORD)
    page.get_by_role("link", name="Training plan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Training plan")
    expect(page.get_by_role("button", name="Make the plan")).to_have_count(0)
    expect(page.get_by_role("heading", name="What stays uncovered, and why")).to_have_count(0)
    logout(page)

    # A college the plan proposes classes to reads them, without the reviewer's figures.
    login(page, "college.xinjiang", DEMO_PASSWORD)
    page.get_by_role("link", name="Training plan", exact=True).click()
    expect(page.get_by_role("heading", name="Classes proposed to your college")).to_be_visible()
    expect(page.locator("table.proposals tbody tr").first).to_be_visible()
    expect(page.locator("#plan-title")).to_have_count(0)  # no card of the reviewer's figures, empty for a college
    for covers in page.locator("table.proposals tbody tr td:last-child").all_inner_texts():
        seasons = [part.rsplit(":", 1)[0] for part in covers.split("; ")]
        assert len(seasons) == len(set(seasons)), covers  # one figure per region and season
    shots(page, "college")
    assert page.console_errors == []
