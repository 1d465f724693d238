"""The lockout and the throttles hold across real gunicorn worker processes.

gunicorn runs with three sync workers against the test database and the test cache's Redis; the
access log records which worker (pid) answered each request, so the test can show that the
requests were spread over several processes and the state was shared all the same.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-Secret-123"

# Transactional: gunicorn must see the test's rows. serialized_rollback restores the rows migrations
# created (content types, role groups) afterwards, as the other transactional tests do.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(worker_env, tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    # A fresh cache prefix: user ids restart with each test database, old counts must not carry over.
    env = dict(worker_env, API_THROTTLE_USER="4/min", CACHE_KEY_PREFIX=f"test-gunicorn-{uuid.uuid4().hex}")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "3", "--access-logfile", str(log), "--access-logformat", "%(p)s %(U)s %(s)s",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.3)
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def call(url: str, *, data: dict | None = None, headers: dict | None = None) -> tuple[int, dict, dict]:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")


def workers_that_answered(log: Path, path: str) -> set[str]:
    time.sleep(0.5)  # the access log is written after the response
    return {line.split()[0] for line in log.read_text().splitlines() if line.split()[1] == path}


def calls_until_two_workers_answered(log: Path, path: str, send, *, batches: int = 10) -> list:
    """Send concurrent batches until two different workers have answered `path` (bounded).

    Which worker accepts a connection is the kernel's choice, and one idle worker can win every
    sequential request; concurrent requests keep one worker busy so another has to answer.
    """
    answers = []
    for _ in range(batches):
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers += list(pool.map(lambda _: send(), range(6)))
        if len(workers_that_answered(log, path)) >= 2:
            return answers
    raise AssertionError(f"only one gunicorn worker answered {path} in {len(answers)} requests")


def test_the_lockout_and_the_throttle_are_shared_by_the_workers(gunicorn, django_user_model):
    base, log = gunicorn
    user = django_user_model.objects.create_user("carol", password=PASSWORD)
    token_url = f"{base}/api/v1/auth/token/"

    statuses = [call(token_url, data={"username": "carol", "password": "nope"})[0] for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    # Whichever worker answers, the account stays locked.
    answers = calls_until_two_workers_answered(
        log, "/api/v1/auth/token/", lambda: call(token_url, data={"username": "carol", "password": PASSWORD})
    )
    for status, headers, body in answers:
        assert status == 429 and "token" not in body
        assert int(headers["Retry-After"]) == 15 * 60

    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user).key
    regions = lambda: call(f"{base}/api/v1/regions/", headers={"Authorization": f"Token {token}"})  # noqa: E731
    assert [regions()[0] for _ in range(4)] == [200] * 4  # API_THROTTLE_USER=4/min
    # Past the rate, every worker answers 429: the count lives in the shared Redis cache.
    answers = calls_until_two_workers_answered(log, "/api/v1/regions/", regions)
    assert {status for status, _headers, _body in answers} == {429}
    assert all(1 <= int(headers["Retry-After"]) <= 60 for _status, headers, _body in answers)
