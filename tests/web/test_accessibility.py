"""Structural accessibility checks over the main pages of every role (on the demo data).

Not a full audit: every visible form control has a label, each page has its language, one h1, the
skip link and the landmarks, and images/charts carry a text alternative.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from gaps.models import Gap, Region

from .test_views import demo_data  # noqa: F401 - the fixture

QUARTER = "2026Q3"


class PageStructure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.open_labels = 0
        self.h1 = 0
        self.landmarks: set[str] = set()
        self.lang = None
        self.skip_link = False
        self.unnamed_images: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            self.controls.append({"tag": tag, "id": a.get("id"), "name": a.get("name"), "wrapped": self.open_labels > 0,
                                  "aria": a.get("aria-label") or a.get("aria-labelledby")})
        if tag == "h1":
            self.h1 += 1
        if tag in ("main", "header", "footer", "nav"):
            self.landmarks.add(tag)
        if tag == "a" and a.get("href") == "#main":
            self.skip_link = True
        if tag in ("svg", "canvas") and a.get("role") == "img" and not (a.get("aria-label") or a.get("aria-labelledby")):
            self.unnamed_images.append(tag)
        if tag == "img" and a.get("alt") is None:
            self.unnamed_images.append("img")

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1


def check(html: str, *, navigation: bool = True) -> PageStructure:
    page = PageStructure()
    page.feed(html)
    unlabelled = [c for c in page.controls if not (c["wrapped"] or c["aria"] or (c["id"] and c["id"] in page.label_for))]
    assert unlabelled == [], unlabelled
    assert page.lang and page.h1 == 1 and page.skip_link
    assert {"main", "header", "footer"} | ({"nav"} if navigation else set()) <= page.landmarks
    assert page.unnamed_images == []
    return page


@pytest.mark.parametrize(
    ("username", "pages"),
    [
        ("official.vko", ["web:home", ("web:report", "KZ-VOS", QUARTER), ("web:report", "KZ-VOS", "2026Q4")]),
        ("official.almaty", [("web:report", "KZ-ALM", QUARTER)]),
        ("college.gansu", ["web:home", "web:programs", "web:program-create", "web:projects"]),
        ("reviewer", ["web:home", "web:gaps", "web:projects", "gap"]),
    ],
)
@pytest.mark.parametrize("language", ["en", "zh-hans", "ru", "kk"])
def test_main_pages_are_labelled_and_structured(client, demo_data, username, pages, language):
    client.force_login(get_user_model().objects.get(username=username))
    for page in pages:
        if page == "gap":
            gap, _ = Gap.objects.get_or_create(
                region=Region.objects.get(code="KZ-VOS"), quarter=QUARTER, occupation_id="8341",
                defaults={"headcount": 120, "shortfall": 90, "covered": 30},
            )
            url = reverse("web:gap", args=[gap.pk])
        elif isinstance(page, tuple):
            url = reverse(page[0], args=page[1:])
        else:
            url = reverse(page)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        structure = check(response.content.decode())
        assert structure.lang == language


def test_login_page_is_labelled(client):
    check(client.get(reverse("web:login")).content.decode(), navigation=False)  # no menu before login


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru", "kk"])
def test_error_pages_and_the_logout_page_are_structured(client, make_user, language):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.utils import translation
    from django.views import defaults

    from accounts.models import Role

    client.force_login(make_user(Role.OFFICIAL))
    for url in ("/no-such-page/", reverse("web:logout")):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert check(response.content.decode()).lang == language
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override(language):
        failed = defaults.server_error(request)
    assert check(failed.content.decode(), navigation=False).lang == language
