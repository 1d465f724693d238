"""Issue 17, point 9: `manage.py check --deploy` and schema generation never touch the database.

Both run before `migrate` in a deployment (the image's build, a CI lint step, the compose file's
one-off services): on a database with no tables they must be as clean as on a migrated one. The
database here exists and is empty, so any query fails and shows up as a warning or an error.
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import psycopg
import pytest

from .test_headers_and_limits import ROOT, production_env


@pytest.fixture
def empty_database(worker_env):
    url = worker_env["DATABASE_URL"]
    server, _name = url.rsplit("/", 1)
    name = f"tg_empty_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_check_deploy_on_a_database_with_no_tables(worker_env, empty_database):
    env = production_env(worker_env) | {"DATABASE_URL": empty_database}
    result = _run(env, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "queryset" not in output and "does not exist" not in output


def test_the_schema_is_generated_on_a_database_with_no_tables(worker_env, empty_database, tmp_path):
    env = dict(worker_env) | {"DATABASE_URL": empty_database}
    result = _run(env, "spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "queryset" not in output and "does not exist" not in output
    assert "/api/v1/mismatches/" in (tmp_path / "schema.yaml").read_text()
