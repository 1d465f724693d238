"""PostgreSQL restarted in the middle of an import: the file is fully in or fully out, and the user is
told plainly to retry.

A private cluster (initdb in a temp directory, its own port) is migrated, then `import_gaps FILE`
(a subprocess) and the upload API (gunicorn) each import 10,000 lines while the test watches
pg_stat_activity: as soon as the importing backend has written (it holds a transaction id), the
cluster is restarted with `pg_ctl restart -m immediate`, which drops every connection.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid

import psycopg
import pytest

from .conftest import ROOT, Processes, http, service_env, wait_until

pytestmark = [pytest.mark.faults]

DB = "tg_import"
REGIONS = 50
LINES_PER_REGION = 200  # 10,000 lines per file

SETUP = """
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from accounts.models import User
from gaps.models import Occupation, Region
for level, code in ((1, "8"), (2, "83"), (3, "834")):
    Occupation.objects.get_or_create(code=code, defaults={"level": level, "title_en": code})
Occupation.objects.get_or_create(code="8341", defaults={"level": 4, "title_en": "Mobile farm plant operators", "parent_id": "834"})
user = User.objects.create_user("official", password="pw-Secret-123")
user.groups.add(Group.objects.get(name="official"))
for i in range(%(regions)d):
    Region.objects.create(code=f"R{i:03d}", country="KZ", name_en=f"Region {i}").members.add(user)
print("TOKEN", Token.objects.create(user=user).key)
"""


def gap_file(path, quarter: str) -> None:
    rows = ["region_code,quarter,occupation_code,headcount,salary_min,salary_max,currency,note"]
    for r in range(REGIONS):
        for n in range(LINES_PER_REGION):
            rows.append(f"R{r:03d},{quarter},8341,{1 + n % 90},{5000 + n},{9000 + n},CNY,line {n} of region {r}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def manage(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def lines(cluster, quarter: str) -> int:
    return int(cluster.psql(
        "SELECT count(*) FROM gaps_gapreportline l JOIN gaps_gapreport r ON r.id = l.report_id "
        f"WHERE r.quarter = '{quarter}'", db=DB))


def restart_once_writing(cluster) -> float:
    """Wait until a backend of the import database has written (holds a transaction id), then
    restart the cluster at once. Returns how long the restart took."""
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as monitor:
        def writing():
            return monitor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL", [DB]
            ).fetchone()[0]

        wait_until(writing, timeout=120, interval=0.02, what="the import writing")
    started = time.monotonic()
    cluster.restart("immediate")
    return time.monotonic() - started


@pytest.fixture
def import_db(private_cluster, private_redis, worker_env):
    cluster = private_cluster
    cluster.psql(f"CREATE DATABASE {DB}")
    env = service_env(worker_env, private_redis, DATABASE_URL=cluster.url(DB), DATABASE_CONN_MAX_AGE=60)
    migrated = manage(env, "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    setup = manage(env, "shell", "-c", SETUP % {"regions": REGIONS})
    assert setup.returncode == 0, setup.stderr
    token = setup.stdout.split("TOKEN", 1)[1].strip()
    return cluster, env, token


def test_import_command_interrupted_by_a_restart_saves_nothing_and_says_retry(import_db, tmp_path):
    cluster, env, _token = import_db
    path = tmp_path / "gaps-2026Q3.csv"
    gap_file(path, "2026Q3")

    proc = subprocess.Popen([sys.executable, "manage.py", "import_gaps", str(path)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    restart_seconds = restart_once_writing(cluster)
    out, err = proc.communicate(timeout=120)

    assert proc.returncode != 0, out
    assert "database connection was lost while importing gaps-2026Q3.csv" in err
    assert "nothing from the file was saved. Please retry" in err
    assert "Traceback" not in err
    assert lines(cluster, "2026Q3") == 0  # fully out
    assert cluster.psql("SELECT count(*) FROM gaps_gapreport", db=DB) == "0"

    # The retry the message asks for brings the whole file in.
    retried = manage(env, "import_gaps", str(path))
    assert retried.returncode == 0, retried.stderr
    assert lines(cluster, "2026Q3") == REGIONS * LINES_PER_REGION  # fully in
    print(f"\n[faults] import_gaps: restart -m immediate took {restart_seconds:.1f} s; stderr: {err.strip().splitlines()[-1]}")


def test_upload_interrupted_by_a_restart_answers_503_and_saves_nothing(import_db, tmp_path):
    cluster, env, token = import_db
    path = tmp_path / "gaps-2026Q4.csv"
    gap_file(path, "2026Q4")
    processes = Processes(tmp_path)
    try:
        base = processes.gunicorn(env, workers=2)
        boundary = uuid.uuid4().hex
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            "Content-Type: text/csv\r\n\r\n"
        ).encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()

        def upload():
            return http("POST", f"{base}/api/v1/reports/import/", token=token, body=body,
                        content_type=f"multipart/form-data; boundary={boundary}", timeout=120)

        answer: dict = {}
        thread = threading.Thread(target=lambda: answer.update(result=upload()))
        thread.start()
        restart_once_writing(cluster)
        thread.join(timeout=120)
        status, payload, seconds = answer["result"]

        assert status == 503, payload
        assert "nothing from the file was saved" in payload["detail"] and payload["saved"] is False
        assert lines(cluster, "2026Q4") == 0

        # The server reconnects by itself; the retry imports everything.
        status, payload, _ = upload()
        assert status == 201, payload
        assert lines(cluster, "2026Q4") == REGIONS * LINES_PER_REGION
        print(f"\n[faults] upload: 503 after {seconds:.1f} s: {answer['result'][1]['detail']}")
    finally:
        processes.stop_all()
