"""Security headers, `check --deploy` under the production settings, and the upload size limit."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from gaps.models import GapReport
from tests.api import factories as f

ROOT = Path(__file__).resolve().parents[2]


def production_env(worker_env: dict) -> dict:
    env = dict(worker_env)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        CELERY_BROKER_URL=worker_env.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/15",
        ALLOWED_HOSTS="example.org",
        TRUSTED_PROXY_COUNT="1",  # production refuses to start without it (tests/security/test_proxy_settings.py)
    )
    env.pop("SECURE_SSL_REDIRECT", None)
    env.pop("SECURE_HSTS_SECONDS", None)
    return env


@pytest.mark.django_db
def test_pages_and_the_api_send_the_security_headers():
    for response in (Client().get("/login/"), Client().get(reverse("report-list"))):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_check_deploy_is_clean_under_production_settings(worker_env):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(worker_env), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PROBE = """
import json
from django.test import Client
client = Client()
plain = client.get("/login/", HTTP_HOST="example.org")
secure = client.get("/login/", HTTP_HOST="example.org", secure=True)
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location"),
    "secure_status": secure.status_code, "headers": dict(secure.headers),
    "cookies": {name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"])} for name, c in secure.cookies.items()},
}))
"""


def test_production_redirects_to_https_and_sends_hsts(worker_env):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT, env=production_env(worker_env), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["plain_status"] == 301
    assert probe["plain_location"] == "https://example.org/login/"
    assert probe["secure_status"] == 200
    headers = probe["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert probe["cookies"]["csrftoken"]["secure"] is True


@pytest.mark.django_db
class TestUploadSize:
    @pytest.fixture
    def official(self, make_user):
        return make_user(Role.OFFICIAL, regions=[f.region("KZ-VOS")])

    def upload(self, user, content: bytes):
        client = APIClient()
        client.force_authenticate(user)
        return client.post(
            reverse("report-import"),
            {"file": SimpleUploadedFile("lines.csv", content, content_type="text/csv")},
            format="multipart",
        )

    def test_an_upload_far_over_the_limit_is_refused_before_parsing(self, official):
        with override_settings(IMPORT_MAX_FILE_BYTES=10_000):
            response = self.upload(official, b"region_code,quarter\n" + b"x" * 200_000)
        assert response.status_code in (400, 413)
        error = response.json()["errors"][0]
        assert error["column"] == "file"
        assert "the limit is 10000 bytes" in error["message"]
        assert not GapReport.objects.exists()

    def test_a_file_just_over_the_limit_is_refused(self, official):
        with override_settings(IMPORT_MAX_FILE_BYTES=10_000):
            response = self.upload(official, b"region_code,quarter\n" + b"x" * 10_500)
        assert response.status_code in (400, 413)
        assert "the limit is 10000 bytes" in response.json()["errors"][0]["message"]
        assert not GapReport.objects.exists()

    def test_the_default_limit_refuses_a_file_over_20_mib(self, official):
        response = self.upload(official, b"region_code,quarter\n" + b"0" * (21 * 1024 * 1024))
        assert response.status_code in (400, 413)
        assert f"the limit is {20 * 1024 * 1024} bytes" in response.json()["errors"][0]["message"]
