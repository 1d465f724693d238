"""PostgreSQL restarted in the middle of an import: the file is fully in or fully out, and the user is
told plainly to retry.

A private cluster (initdb in a temp directory, its own port) is migrated, then `import_gaps FILE`
(a subprocess), the upload API and the report page's upload form (gunicorn) each import 10,000 lines
while the test watches
pg_stat_activity: as soon as the importing backend has written (it holds a transaction id), the
cluster is restarted with `pg_ctl restart -m immediate`, which drops every connection.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar

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


class Browser:
    """A signed-in web session over HTTP with its cookies (session, CSRF), as a person's browser has."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def open(self, path: str, *, body: bytes | None = None, content_type: str | None = None, timeout: float = 120):
        """(status, page text, final path): redirects followed, error statuses answered, not raised."""
        request = urllib.request.Request(self.base + path, data=body)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode(), urllib.parse.urlsplit(response.url).path, response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), path, error.headers

    def csrf(self, path: str) -> str:
        status, page, _path, _headers = self.open(path)
        assert status == 200, page[:500]
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def sign_in(self, username: str, password: str) -> None:
        token = self.csrf("/login/")
        form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        status, page, path, _headers = self.open("/login/", body=form.encode(), content_type="application/x-www-form-urlencoded")
        assert status == 200 and path != "/login/", page[:500]

    def upload(self, path: str, file_path, fields: dict) -> tuple:
        boundary = uuid.uuid4().hex
        parts = [
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode()
            for name, value in fields.items()
        ]
        parts.append(
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_path.name}\"\r\n"
            "Content-Type: text/csv\r\n\r\n".encode() + file_path.read_bytes() + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.open(path, body=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_upload_page_interrupted_by_a_restart_answers_503_and_saves_nothing(import_db, tmp_path):
    """An official uploads through the report page's form (session and CSRF, as in a browser): the
    page answers 503 with Retry-After and the plain "nothing was saved, retry" message -- also while
    the database is still coming back, which the page must not need -- and the retry imports it all."""
    cluster, env, _token = import_db
    path = tmp_path / "gaps-2027Q1.csv"
    gap_file(path, "2027Q1")
    processes = Processes(tmp_path)
    try:
        browser = Browser(processes.gunicorn(env, workers=2))
        browser.sign_in("official", "pw-Secret-123")
        page = "/reports/R000/2027Q1/"

        def upload():
            return browser.upload(page + "upload/", path, {"csrfmiddlewaretoken": browser.csrf(page)})

        answer: dict = {}
        thread = threading.Thread(target=lambda: answer.update(result=upload()))
        thread.start()
        restart_once_writing(cluster)
        thread.join(timeout=120)
        status, text, _final, headers = answer["result"]

        assert status == 503, text[:1000]
        assert headers["Retry-After"] == "30"
        assert "nothing from the file was saved. Please retry in a minute." in html.unescape(text)
        assert "Traceback" not in text
        assert lines(cluster, "2027Q1") == 0  # fully out

        # Signed in still (the session lives in the database, which kept it); the retry brings the whole file in.
        status, text, final, _headers = upload()
        assert status == 200 and final == page, text[:1000]
        assert lines(cluster, "2027Q1") == REGIONS * LINES_PER_REGION  # fully in
        print(f"\n[faults] upload page: 503 with Retry-After {headers['Retry-After']}")
    finally:
        processes.stop_all()
