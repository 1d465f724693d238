"""bin/run's steps on a fresh SQLite database, in a process of their own: migrate, load_taxonomy,
load_demo (dated from the real today), match the current quarter.

bin/run itself also installs .venv and serves; this runs the same management commands with the
same embedded defaults (SQLite, tasks in-process, mail to files), so the demo's matching inside
its transaction and the queued runs sent after commit are exercised the way bin/run does them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.utils import timezone

from core.quarters import Quarter

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items()
        # bin/test points these at the test services; bin/run's default has none of them.
        if key not in {"CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "DATABASE_URL"}
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TALENTGAP_REQUIRE_POSTGRES": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    })
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert out.returncode == 0, (args, out.stdout[-3000:], out.stderr[-3000:])
    return out.stdout


def test_bin_runs_steps_on_a_fresh_sqlite_database(tmp_path):
    env = _env(tmp_path)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_taxonomy")
    text = _manage(env, "load_demo")
    quarter = str(Quarter.containing(timezone.localdate()))
    assert "Demo data created" in text and f"Demo dated {timezone.localdate().isoformat()}: current quarter {quarter}" in text
    assert "Matched 14 quarters" in text
    # The quarter bin/run asks for, computed as it computes it.
    asked = _manage(env, "shell", "-v0", "-c",
                    "from django.utils import timezone; from core.quarters import Quarter; "
                    "print(Quarter.containing(timezone.localdate()))").strip()
    assert asked == quarter
    summary = _manage(env, "match", "--quarter", asked)
    assert f"of {quarter}: succeeded" in summary
    # The review queue's training times: each quarter's current run stored what the live aggregate
    # gives on SQLite (from the cohorts' dates) for the occupations of its gaps.
    stored = _manage(env, "shell", "-v0", "-c", (
        "from gaps.models import Gap, QuarterResults; from gaps.matching.lead_times import occupation_lead_times\n"
        "trained, differ = 0, []\n"
        "for qr in QuarterResults.objects.exclude(current_run=None).select_related('current_run'):\n"
        "    codes = set(Gap.objects.filter(quarter=qr.quarter, is_active=True).values_list('occupation_id', flat=True))\n"
        "    live = occupation_lead_times(codes)\n"
        "    if qr.current_run.lead_times != {c: list(live[c]) if c in live else None for c in codes}:\n"
        "        differ.append(qr.quarter)\n"
        "    trained += sum(1 for v in qr.current_run.lead_times.values() if v and v[0] != v[1])\n"
        "print(trained, differ)")).split()
    assert int(stored[0]) > 0 and stored[1:] == ["[]"], stored
    flags = _manage(env, "mismatches", "--quarter", quarter, "--kind", "MISDIRECTED_SUPPLY", "--format", "csv")
    assert "FV-GRADE" in flags and "8341" in flags
    # bin/run's early-warning step: every status on the demo's board, the run recorded in SQLite.
    warning = _manage(env, "early_warning", "--format", "json")
    import json

    assert {"plan", "act_now", "short_course_only", "missed"} <= {e["status"] for e in json.loads(warning)}
    assert "early-warning entries for" in _manage(env, "early_warning").splitlines()[-1]
    assert "nothing changed" in _manage(env, "load_demo")
