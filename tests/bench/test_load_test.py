"""bench/load_test.py keeps working: a few seconds of it against real gunicorn, Celery, PostgreSQL
and Redis, with zero errors and every queued match finished (timings are the benchmark's business,
never a test's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the load test runs against PostgreSQL")
def test_a_short_load_run_has_no_errors(tmp_path):
    db = settings.DATABASES["default"]
    # A database of its own next to the test database: the script seeds it (idempotently) and
    # leaves it for the next run; the test database itself is never touched.
    url = "postgres://{user}@{host}:{port}/{name}_loadtest".format(
        user=db["USER"] or "postgres", host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, name=db["NAME"]
    )
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        pytest.skip("needs the test Redis (bin/test sets CELERY_BROKER_URL)")
    env = dict(os.environ, DATABASE_URL=url)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [
            sys.executable, "bench/load_test.py", "--json", "--duration", "4", "--workers", "2", "--readers", "2",
            "--submitters", "2", "--min-rounds", "1", "--projects", "40", "--lines", "60", "--cohorts", "300", "--drain", "90",
            "--redis-url", broker,
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode in (0, 1), result.stderr[-3000:]
    figures = json.loads(result.stdout[result.stdout.index("{"):])
    assert figures["errors"] == 0, figures["error_examples"]
    assert figures["requests"] > 0 and figures["error_rate"] == 0
    read = {name for name in figures["endpoints"] if not name.startswith(("POST", "PUT"))}
    assert {"bare", "projects", "review-queue", "mismatches", "recommendations", "gaps"} <= read
    assert figures["endpoints"]["POST reports/{id}/submit/"]["requests"] >= 1
    assert all("p95_ratio_to_bare" in figures["endpoints"][name] for name in read - {"bare"})
    # Every match queued during the run (the initial one and each submission's) finished, none failed.
    assert figures["match_runs"].get("succeeded", 0) >= 1
    assert not {"queued", "running", "failed"} & {k for k, n in figures["match_runs"].items() if n}
    assert figures["ok"] is True and result.returncode == 0
