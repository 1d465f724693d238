"""Styled, translated error pages with a way back, and logout as a button (issue 14, point 4)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults

from accounts.models import Role
from gaps import services

from .test_views import VALID_LINE

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hans", "ru", "kk"]
QUARTER = "2026Q3"


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def assert_styled_with_a_way_home(html: str, language: str, title: str) -> None:
    assert f'<html lang="{language}"' in html
    assert "/static/web/app.css" in html
    assert re.search(r'<h1[^>]*>\s*' + re.escape(in_language(language, title)), html)
    assert f'href="{reverse("web:home")}"' in html
    assert in_language(language, "Back to the home page") in html
    if language != "en":
        assert in_language(language, title) != title  # really translated


@pytest.mark.parametrize("language", LANGUAGES)
def test_404_is_the_sites_page_in_the_readers_language(client, make_user, language):
    client.force_login(make_user(Role.OFFICIAL))
    client.cookies["django_language"] = language
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_styled_with_a_way_home(response.content.decode(), language, "Page not found")


@pytest.mark.parametrize("language", LANGUAGES)
def test_403_is_the_sites_page_in_the_readers_language(client, make_user, regions, occupations, language):
    official = make_user(Role.OFFICIAL, regions=[regions["east"]])
    services.report_create(region=regions["east"], quarter=QUARTER, user=official)
    client.force_login(make_user(Role.REVIEWER))
    client.cookies["django_language"] = language
    url = reverse("web:report-line-add", args=[regions["east"].code, QUARTER])
    response = client.post(url, VALID_LINE)
    assert response.status_code == 403
    assert_styled_with_a_way_home(response.content.decode(), language, "You may not open this page")


@pytest.mark.parametrize("language", LANGUAGES)
def test_400_and_500_pages_in_the_readers_language(language):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override(language):
        bad = defaults.bad_request(request, BadRequest("bad"))
        # 500.html is rendered without a request and must not read the database.
        failed = defaults.server_error(request)
    assert bad.status_code == 400 and failed.status_code == 500
    assert_styled_with_a_way_home(bad.content.decode(), language, "Bad request")
    assert_styled_with_a_way_home(failed.content.decode(), language, "Something went wrong")


@pytest.mark.parametrize("language", LANGUAGES)
def test_get_logout_asks_with_a_button_and_post_logs_out(client, make_user, language):
    client.force_login(make_user(Role.OFFICIAL, username="aigerim"))
    client.cookies["django_language"] = language
    page = client.get(reverse("web:logout"))
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<form action="/logout/" method="post"', html)
    assert "aigerim" in html and in_language(language, "Log out") in html
    assert client.get(reverse("web:home")).status_code == 200  # still signed in after the GET
    done = client.post(reverse("web:logout"))
    assert done.status_code == 302 and done["Location"] == reverse("web:login")
    assert client.get(reverse("web:home")).status_code == 302  # signed out


def test_get_logout_when_signed_out_goes_to_the_login_page(client):
    response = client.get(reverse("web:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("web:login")


