"""API rate limits: DRF's throttles, counted in the shared Redis cache, answer 429 with Retry-After.

The suite runs with rates far out of reach (config/settings/test.py); these tests lower them.
DRF reads the rates into SimpleRateThrottle.THROTTLE_RATES when rest_framework.throttling is
imported, so override_settings would not reach them: the class attribute is patched instead.
"""

from __future__ import annotations

import os

import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import Role

pytestmark = pytest.mark.django_db


ADDRESSES = ("10.1.0.1", "10.1.0.2")
# An anonymous request is counted by both throttles, by address: UserRateThrottle falls back to it.
ADDRESS_KEYS = [f"throttle_{scope}_{ip}" for scope in ("anon", "user") for ip in ADDRESSES]


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "2/min"})
    cache.delete_many(ADDRESS_KEYS)
    yield
    cache.delete_many(ADDRESS_KEYS)


def test_the_defaults_and_the_classes():
    from config.settings import base

    assert base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/min"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/min"),
    }
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ]


def test_a_user_past_the_rate_gets_429_with_retry_after(low_rates, make_user):
    user = make_user(Role.REVIEWER)
    cache.delete(f"throttle_user_{user.pk}")
    # Two clients (two workers, two tokens' worth of connections) share one count per user.
    first, second = APIClient(), APIClient()
    first.force_authenticate(user)
    second.force_authenticate(user)
    url = reverse("report-list")
    assert [first.get(url).status_code, second.get(url).status_code, first.get(url).status_code] == [200, 200, 200]
    response = second.get(url)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"].lower() or "request" in response.json()["detail"].lower()
    # Another user has a count of its own.
    other = APIClient()
    other.force_authenticate(make_user(Role.REVIEWER))
    assert other.get(url).status_code == 200
    cache.delete(f"throttle_user_{user.pk}")


def test_anonymous_clients_are_limited_per_address(low_rates):
    url = reverse("schema")
    client = APIClient()
    assert [client.get(url, REMOTE_ADDR="10.1.0.1").status_code for _ in range(2)] == [200, 200]
    response = client.get(url, REMOTE_ADDR="10.1.0.1")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert client.get(url, REMOTE_ADDR="10.1.0.2").status_code == 200


def test_the_counts_live_in_the_shared_redis(low_rates, make_user):
    # Under bin/test CACHE_URL names a Redis database: every gunicorn worker sees the same counts.
    # (Django's RedisCache, failing open when Redis is down: core.cache.)
    assert settings.CACHES["default"]["BACKEND"] == "core.cache.FailOpenRedisCache"
    assert isinstance(caches["default"], RedisCache)
    user = make_user(Role.REVIEWER)
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(reverse("report-list")).status_code == 200
    server = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    keys = server.keys(f"*throttle_user_{user.pk}")
    assert any(key.decode().startswith(settings.CACHES["default"]["KEY_PREFIX"]) for key in keys)
    cache.delete(f"throttle_user_{user.pk}")
