"""In a real browser, the API reference requests nothing from outside the site (issue 14, point 7)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from accounts.models import Role

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_api_reference_loads_only_from_the_site(page, make_user):
    make_user(Role.REVIEWER, username="reviewer-docs")
    login(page, "reviewer-docs")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(page.base_url + "/api/redoc/")
    page.wait_for_url(page.base_url + "/api/docs/")
    page.get_by_text("reports_list").first.wait_for()  # the operations rendered, with their ids
    site = urlsplit(page.base_url).netloc
    outside = [url for url in requested if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != site]
    assert requested and not outside, outside
