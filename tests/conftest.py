"""Fixtures shared by the whole suite.

The suite runs on real PostgreSQL and Redis (bin/test). Tests that need a Celery worker use the
`celery_worker` fixture: a real `celery worker` process started against the test database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from accounts.models import Role

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: LocaleMiddleware activates a request's language
    for the thread and never deactivates it, so a test that asked for a Russian page would leave
    the next test (in any order) reading Russian messages."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_names():
    """Each test has its own regions, occupations and colleges: no names cached from another one."""
    from core.text import forget_names

    forget_names()
    yield
    forget_names()


@pytest.fixture
def make_user(db, django_user_model):
    counter = {"n": 0}

    def make(role: str | None = None, *, regions=(), colleges=(), **extra):
        counter["n"] += 1
        user = django_user_model.objects.create_user(
            username=extra.pop("username", f"{role or 'user'}{counter['n']}"), password="pw-Secret-123", **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        for region in regions:
            region.members.add(user)
        for college in colleges:
            college.staff.add(user)
        return user

    return make


@pytest.fixture(scope="session")
def worker_env(django_db_setup, django_db_blocker, tmp_path_factory):
    """Environment for subprocesses (worker, commands) that must use the test database. Their
    mails go to files in TALENTGAP_TEST_EMAIL_DIR (config/settings/test.py), one per connection."""
    from django.db import connection

    settings_dict = connection.settings_dict
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["TALENTGAP_TEST_EMAIL_DIR"] = str(tmp_path_factory.mktemp("worker-mail"))
    if settings_dict["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            USER=settings_dict["USER"] or "postgres",
            HOST=settings_dict["HOST"] or "127.0.0.1",
            PORT=settings_dict["PORT"] or 5432,
            NAME=settings_dict["NAME"],
        )
    return env


def _start_worker(env: dict, *, name: str, concurrency: int = 1) -> subprocess.Popen:
    # One log per worker and test database, so parallel runs on one machine don't mix their logs.
    dbname = env.get("DATABASE_URL", "db").rsplit("/", 1)[-1]
    log = open(ROOT / f".pytest-{dbname}-{name}.log", "wb")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--loglevel=INFO", f"--hostname={name}@%h", f"--concurrency={concurrency}", "--pool=prefork",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    return proc


def _wait_for_idle_workers(app, broker_url: str, *, timeout: float = 30.0) -> None:
    """Until no task waits in the broker's queue and no worker holds or runs one, twice in a row.

    A test ends when what it asserts is true, but a worker may still run what the test set off (a
    run's announcement, its clean-up and ANALYZE come after the swap); the database flush at
    teardown then truncated the tables under that task and deadlocked with it."""
    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(broker_url)
    quiet, deadline = 0, time.monotonic() + timeout
    while quiet < 2 and time.monotonic() < deadline:
        inspect = app.control.inspect(timeout=0.5)
        busy = broker.llen(settings.CELERY_TASK_DEFAULT_QUEUE) or any(
            tasks for answer in (inspect.active(), inspect.reserved()) for tasks in (answer or {}).values())
        quiet = 0 if busy else quiet + 1
        if busy:
            time.sleep(0.2)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Before a worker test's fixtures are torn down (the database flush among them), let the worker
    finish what the test set off."""
    if "celery_worker" in getattr(item, "fixturenames", ()):
        from django.conf import settings

        from config.celery_app import app

        _wait_for_idle_workers(app, settings.CELERY_BROKER_URL)
    yield


@pytest.fixture(scope="session")
def celery_worker(worker_env):
    """A real Celery worker process consuming from the test Redis broker."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        pytest.fail("celery_worker needs CELERY_BROKER_URL (bin/test sets it to the local Redis)")
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    proc = _start_worker(worker_env, name="tgworker1")
    from config.celery_app import app, ping

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"celery worker exited with {proc.returncode}; see .pytest-*-tgworker1.log")
        try:
            if ping.apply_async(args=["ready"]).get(timeout=5) == "ready":
                break
        except Exception:  # noqa: BLE001 - the worker is still booting
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("celery worker did not answer within 60 s; see .pytest-*-tgworker1.log")
    yield {"process": proc, "env": worker_env, "app": app, "start": _start_worker}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def roles(db):
    return {role.value: Group.objects.get(name=role.value) for role in Role}
