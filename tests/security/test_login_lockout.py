"""Login brute force: django-axes locks an account and an address after LOGIN_FAILURE_LIMIT failures.

The state is in the database (axes' AccessAttempt), which every gunicorn worker shares; two
separate clients stand for two workers here. Each test uses its own addresses (REMOTE_ADDR).
"""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"
LIMIT = settings.AXES_FAILURE_LIMIT
LOGIN = "/login/"


@pytest.fixture
def alice(make_user):
    return make_user(Role.REVIEWER, username="alice")


@pytest.fixture
def bob(make_user):
    return make_user(Role.REVIEWER, username="bob")


def web_login(client: Client, username: str, password: str, ip: str, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **headers)


def fail(client: Client, username: str, ip: str, times: int, **headers):
    return [web_login(client, username, "wrong-password", ip, **headers).status_code for _ in range(times)]


def assert_locked(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_the_settings_are_the_documented_ones():
    assert LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


class TestWebLogin:
    def test_an_account_is_locked_after_the_limit_from_one_address(self, alice):
        client = Client()
        # Below the limit the form just says the password is wrong.
        assert fail(client, "alice", "10.0.0.1", LIMIT - 1) == [200] * (LIMIT - 1)
        assert_locked(web_login(client, "alice", "wrong-password", "10.0.0.1"))
        # Locked: even the right password does not get in.
        assert_locked(web_login(client, "alice", PASSWORD, "10.0.0.1"))
        # ... nor from another address: the account itself is locked.
        assert_locked(web_login(Client(), "alice", PASSWORD, "10.0.0.99"))

    def test_an_address_is_locked_across_accounts(self, alice, bob):
        client = Client()
        for n in range(LIMIT):
            web_login(client, f"nobody{n}", "guess", "10.0.1.1")
        # One failure per account, so no account is locked; the address is.
        assert_locked(web_login(Client(), "alice", PASSWORD, "10.0.1.1"))
        # Another address is not locked, and the accounts themselves are not either.
        response = web_login(Client(), "alice", PASSWORD, "10.0.1.2")
        assert response.status_code == 302
        assert response.wsgi_request.user.username == "alice"

    def test_other_users_from_other_addresses_still_log_in(self, alice, bob):
        fail(Client(), "alice", "10.0.2.1", LIMIT)
        response = web_login(Client(), "bob", PASSWORD, "10.0.2.2")
        assert response.status_code == 302
        assert response.wsgi_request.user.username == "bob"

    def test_the_lockout_holds_across_separate_clients(self, alice):
        # Two clients with their own cookies stand for two gunicorn workers: the failures add up
        # because they are counted in the database, not in a process's memory.
        first, second = Client(), Client()
        for n in range(LIMIT - 1):
            web_login(first if n % 2 else second, "alice", "wrong-password", "10.0.3.1")
        assert AccessAttempt.objects.filter(username="alice").count() >= 1
        assert_locked(web_login(first, "alice", "wrong-password", "10.0.3.2"))
        assert_locked(web_login(second, "alice", PASSWORD, "10.0.3.3"))

    def test_the_lockout_ends_after_the_cool_off(self, alice):
        fail(Client(), "alice", "10.0.4.1", LIMIT)
        assert_locked(web_login(Client(), "alice", PASSWORD, "10.0.4.1"))
        AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
        assert web_login(Client(), "alice", PASSWORD, "10.0.4.1").status_code == 302

    def test_a_success_below_the_limit_resets_the_count(self, alice):
        client = Client()
        fail(client, "alice", "10.0.5.1", LIMIT - 1)
        assert web_login(client, "alice", PASSWORD, "10.0.5.1").status_code == 302
        client.logout()
        assert fail(client, "alice", "10.0.5.1", LIMIT - 1) == [200] * (LIMIT - 1)

    def test_the_locked_page_is_translated(self, alice):
        fail(Client(), "alice", "10.0.6.1", LIMIT)
        response = web_login(Client(), "alice", PASSWORD, "10.0.6.1", HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code == 429
        assert "Слишком много неудачных попыток входа. Повторите через 15 минут." in response.content.decode()

    def test_forwarded_for_is_ignored_unless_proxies_are_trusted(self, alice):
        # A client cannot dodge the address lockout by inventing X-Forwarded-For.
        client = Client()
        for n in range(LIMIT):
            web_login(client, f"nobody{n}", "guess", "10.0.7.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        assert_locked(web_login(client, "alice", PASSWORD, "10.0.7.1", HTTP_X_FORWARDED_FOR="192.0.2.200"))

    def test_behind_a_trusted_proxy_the_forwarded_address_counts(self, alice):
        with override_settings(TRUSTED_PROXY_COUNT=1):
            proxy = "10.0.8.1"
            for n in range(LIMIT):
                # The right-most hop is the one the proxy appended; what is left of it is the client's say.
                web_login(Client(), f"nobody{n}", "guess", proxy, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 198.51.100.1")
            assert_locked(web_login(Client(), "alice", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1"))
            # Another client behind the same proxy is not locked out with it.
            ok = web_login(Client(), "alice", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
            assert ok.status_code == 302


def test_the_admin_login_is_locked_too(django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    url = reverse("admin:login")
    for _ in range(LIMIT):
        Client().post(url, {"username": "root", "password": "nope"}, REMOTE_ADDR="10.0.9.1")
    response = Client().post(url, {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.0.9.2")
    assert_locked(response)


class TestTokenEndpoint:
    def token(self, username, password, ip):
        return APIClient().post(reverse("api-token"), {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)

    def test_the_token_endpoint_is_locked_with_json(self, alice):
        assert [self.token("alice", "nope", "10.0.10.1").status_code for _ in range(LIMIT - 1)] == [400] * (LIMIT - 1)
        assert self.token("alice", "nope", "10.0.10.1").status_code == 429
        response = self.token("alice", PASSWORD, "10.0.10.2")
        assert response.status_code == 429
        assert int(response["Retry-After"]) == 15 * 60
        body = response.json()
        assert "token" not in body
        assert "Too many failed sign-in attempts" in body["detail"]

    def test_web_and_api_failures_add_up(self, alice):
        fail(Client(), "alice", "10.0.11.1", LIMIT - 1)
        assert self.token("alice", "nope", "10.0.11.2").status_code == 429
