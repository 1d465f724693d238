"""Settings read from the environment: a bad value stops the process with the variable's name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_PRINT = "from django.conf import settings; print({expr})"


def _settings(expr: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_") and k != "OVERSUPPLY_RATIO"}
    environ.update(DJANGO_SETTINGS_MODULE="config.settings.local", **env)
    code = f"import django; django.setup(); {_PRINT.format(expr=expr)}"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name,value", [("OVERSUPPLY_RATIO", "half"), ("OCCUPATION_CODING_THRESHOLD", "0,85"),
                                        ("EMAIL_PORT", "smtp"), ("EMAIL_USE_TLS", "maybe")])
def test_a_bad_value_names_its_variable(name, value):
    done = _settings("1", **{name: value})
    assert done.returncode != 0
    assert f"{name}={value!r}" in done.stderr


def test_the_smtp_server_comes_from_the_environment():
    done = _settings(
        "settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD, "
        "settings.EMAIL_USE_TLS, settings.OVERSUPPLY_RATIO",
        EMAIL_HOST="smtp.example.org", EMAIL_PORT="587", EMAIL_HOST_USER="talentgap", EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="yes", OVERSUPPLY_RATIO="0.4",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "smtp.example.org 587 talentgap s3cret True 0.4"


def test_the_service_time_zone_comes_from_the_environment_and_is_checked():
    done = _settings("settings.TIME_ZONE, settings.CELERY_TIMEZONE", SERVICE_TIME_ZONE="Asia/Almaty")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Asia/Almaty Asia/Almaty"
    done = _settings("1", SERVICE_TIME_ZONE="Asia/Nowhere")
    assert done.returncode != 0 and "SERVICE_TIME_ZONE='Asia/Nowhere'" in done.stderr
