"""Real services to break: a private redis-server, Celery workers and beat, gunicorn, a private
PostgreSQL cluster. Each test starts its own and kills or restarts them; the shared PostgreSQL
(the test database) and the shared Redis are never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not reached within {timeout} s")
        time.sleep(interval)


class PrivateRedis:
    """A redis-server of this test's own, without persistence: killing it loses every message."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--maxmemory-policy", "noeviction", "--dir", str(self.directory), "--daemonize", "no"],
            stdout=open(self.directory / "redis.log", "ab"), stderr=subprocess.STDOUT,
        )
        wait_until(self.ping, timeout=10, what="private redis-server up")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def private_redis(tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.kill()


class Processes:
    """Subprocesses of one test, each in its own session so the whole process group can be killed."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.procs: dict[str, subprocess.Popen] = {}

    def log(self, name: str) -> Path:
        return self.directory / f"{name}.log"

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=open(self.log(name), "ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def worker(self, name: str, env: dict, *, concurrency: int = 1) -> subprocess.Popen:
        proc = self.start(name, [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", f"--hostname={name}@%h",
            f"--concurrency={concurrency}", "--pool=prefork", "--without-gossip", "--without-mingle",
        ], env)
        wait_until(lambda: b" ready." in self.log(name).read_bytes() or proc.poll() is not None,
                   timeout=60, what=f"worker {name} ready")
        assert proc.poll() is None, self.log(name).read_text()[-3000:]
        return proc

    def beat(self, env: dict) -> subprocess.Popen:
        return self.start("beat", [
            sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
            "--schedule", str(self.directory / "celerybeat-schedule"),
        ], env)

    def gunicorn(self, env: dict, *, workers: int = 3) -> str:
        port = free_port()
        proc = self.start("gunicorn", [
            sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--timeout", "60", "--graceful-timeout", "5",
        ], env)
        base = f"http://127.0.0.1:{port}"

        def up():
            if proc.poll() is not None:
                pytest.fail("gunicorn exited: " + self.log("gunicorn").read_text()[-3000:])
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5)
                return True
            except OSError:
                return False

        wait_until(up, timeout=60, interval=0.3, what="gunicorn up")
        return base

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)


@pytest.fixture
def processes(tmp_path):
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()


def service_env(worker_env: dict, redis: PrivateRedis, **extra) -> dict:
    """The test database, with the broker, results and cache on the private Redis."""
    env = dict(worker_env)
    env.update(
        CELERY_BROKER_URL=redis.url(0), CELERY_RESULT_BACKEND=redis.url(1), CACHE_URL=redis.url(2),
        CACHE_KEY_PREFIX=f"faults-{uuid.uuid4().hex}", PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def http(method: str, url: str, *, token: str | None = None, data: dict | None = None,
         body: bytes | None = None, content_type: str = "application/json", timeout: float = 20):
    """(status, json body, seconds taken); a transport error or a timeout is status 0."""
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Token {token}"
    if data is not None:
        body = json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}"), time.monotonic() - started
    except urllib.error.HTTPError as error:
        raw = error.read() or b"{}"
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = {"raw": raw[:500].decode(errors="replace")}
        return error.code, payload, time.monotonic() - started
    except OSError as error:
        return 0, {"error": str(error)}, time.monotonic() - started


def publish(app, broker_url: str, task, *args, task_id: str | None = None) -> None:
    """Send a task to the private broker (the test process's own settings name the shared one)."""
    with app.connection_for_write(broker_url) as connection:
        task.apply_async(args=list(args), connection=connection, task_id=task_id)


# --- A private PostgreSQL cluster ---------------------------------------------------------------

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PrivateCluster:
    """initdb'd in a temp directory owned by the postgres user, on a free port, socket in the dir."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.log = directory / "postgres.log"

    def _as_postgres(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(argv)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self.start()

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(str(PG_BIN / "pg_ctl"), action, "-D", str(self.data), "-l", str(self.log), "-w",
                          "-t", "60", "-o", options, *extra)

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self, mode: str = "immediate") -> None:
        self.pg_ctl("restart", "-m", mode)

    def stop(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w", check=False)

    def psql(self, sql: str, db: str = "postgres") -> str:
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db, "-tAc", sql],
            capture_output=True, text=True, timeout=30,
        )
        if out.returncode:
            raise RuntimeError(out.stderr)
        return out.stdout.strip()

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"


@pytest.fixture
def private_cluster(tmp_path_factory):
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"{PG_BIN / 'initdb'} is missing: install the PostgreSQL server package to run this fault test")
    if os.geteuid() != 0:
        pytest.skip("a private PostgreSQL cluster is initialised as the postgres user, which needs root (runuser)")
    directory = Path(f"/tmp/tg-faults-pg-{uuid.uuid4().hex[:8]}")
    cluster = PrivateCluster(directory)
    cluster.init()
    yield cluster
    cluster.stop()
    shutil.rmtree(directory, ignore_errors=True)
