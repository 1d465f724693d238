"""Issue 17, point 8: the login lockout by address is safe by default behind a proxy.

Behind a reverse proxy every connection comes from the proxy's address; with TRUSTED_PROXY_COUNT
left at 0 a few failed logins by anyone would lock everyone out. Production settings therefore
refuse to start until the deployment says how many proxies it has (0 included, for none), and the
compose file, whose web service is published on the loopback for the host's TLS proxy, says 1.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .test_headers_and_limits import ROOT, production_env

COMPOSE = Path(ROOT) / "docker" / "compose.yaml"


def _start(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print('proxies', settings.TRUSTED_PROXY_COUNT, settings.REST_FRAMEWORK['NUM_PROXIES'])"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_production_refuses_to_start_without_the_proxy_count(worker_env):
    env = production_env(worker_env)
    env.pop("TRUSTED_PROXY_COUNT", None)
    result = _start(env)
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr and "ImproperlyConfigured" in result.stderr


@pytest.mark.parametrize(("value", "expected"), [("0", "proxies 0 None"), ("1", "proxies 1 1"), ("2", "proxies 2 2")])
def test_production_starts_once_the_count_is_given(worker_env, value, expected):
    result = _start(production_env(worker_env) | {"TRUSTED_PROXY_COUNT": value})
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


@pytest.mark.parametrize("value", ["", "-1", "one"])
def test_a_count_that_is_not_a_number_of_proxies_is_refused(worker_env, value):
    result = _start(production_env(worker_env) | {"TRUSTED_PROXY_COUNT": value})
    assert result.returncode != 0 and "TRUSTED_PROXY_COUNT" in result.stderr


def test_compose_trusts_its_one_proxy_by_default():
    import yaml

    compose = yaml.safe_load(COMPOSE.read_text())
    web = compose["services"]["web"]
    environment = {**compose["x-app"]["environment"], **web.get("environment", {})}
    assert environment["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    assert any(str(port).startswith("${WEB_BIND:-127.0.0.1:") for port in web["ports"])  # behind the host's proxy
