"""bench/hostile_imports.py keeps working: every hostile kind of file, uploaded to every import
endpoint at a small size (200 rows, a 1 MiB file limit), is refused with its problems listed and
nothing written, never a 5xx; a formula file may be accepted, and then its text is stored verbatim.
Timings and memory are the benchmark's business, never a test's."""

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
sys.path.insert(0, str(ROOT))

from bench.hostile_imports import KINDS, ONCE, SPECS  # noqa: E402


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark runs against PostgreSQL")
def test_every_hostile_file_is_refused_with_problems_and_writes_nothing():
    db = settings.DATABASES["default"]
    # A database of its own next to the test database (not the benchmark's default
    # talentgap_hostile, which a full-size run may be using): the script creates and migrates it,
    # keeps its reference rows for the next run, and deletes what an accepted case wrote; the test
    # database itself is never touched.
    url = "postgres://{user}@{host}:{port}/{name}_hostiletest".format(
        user=db["USER"] or "postgres", host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, name=db["NAME"]
    )
    env = dict(os.environ, DATABASE_URL=url)
    for name in ("DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "bench/hostile_imports.py", "--json", "--rows", "200", "--max-bytes", str(1 << 20),
         "--timeout", "300", "--lock-wait", "1200"],  # another suite's run of this test goes first
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=2700,
    )
    assert "{" in result.stdout, result.stderr[-3000:]
    figures = json.loads(result.stdout[result.stdout.index("{"):])
    assert result.returncode == 0, (figures["failures"], result.stderr[-3000:])
    assert figures["ok"] is True and figures["failures"] == []
    cases = figures["cases"]
    expected = {
        (importer, kind, variant)
        for n, importer in enumerate(SPECS) for kind, variants in KINDS.items() for variant in variants
        if variant not in ONCE or n == 0
    }
    assert {(c["importer"], c["kind"], c["variant"]) for c in cases} == expected
    for case in cases:
        where = (case["importer"], case["kind"], case["variant"], case["status"], case["first_problem"])
        assert isinstance(case["status"], int) and case["status"] < 500, where
        if case["status"] == 400:
            assert case["problems"] and case["problems"] >= 1, where
            assert case["written"] == "no" and case["changed_tables"] == {}, where
        else:
            # Only a formula file may be accepted (its cells are text), and then stored as written.
            assert case["kind"] == "formula" and case["status"] == 201, where
            assert case["formula_check"]["verbatim"] is True, (where, case["formula_check"])
    # Exchange rates have no text column: formula cells there are always refused.
    assert all(c["status"] == 400 for c in cases if c["importer"] == "rates" and c["kind"] == "formula")
    # Refused before parsing: the size limit, and the zip bombs from their declared sizes.
    by_case = {(c["importer"], c["kind"], c["variant"]): c for c in cases}
    for importer in SPECS:
        assert "limit" in by_case[(importer, "over_size", "just_over")]["first_problem"]
        assert "limit" in by_case[(importer, "over_size", "double")]["first_problem"]
        assert "zip bomb" in by_case[(importer, "zip_bomb", "ratio")]["first_problem"]
        assert "unpack" in by_case[(importer, "zip_bomb", "total")]["first_problem"]
        assert "more than 200 data rows" in by_case[(importer, "too_many_rows", "")]["first_problem"]
