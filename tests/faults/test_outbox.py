"""The pieces of the outbox and of failing open, one at a time (fast; the fault tests run them whole).

- a rolled-back change leaves no queued run; a committed one leaves one, sent after the commit;
- a send to a broker that refuses connections, or accepts them and never answers, returns in
  bounded time without raising and leaves the run queued and unsent, for the sweep;
- the cache answers "miss" in bounded time when its Redis refuses or never answers;
- the sweep sends what was never sent or is quiet for too long, and resumes running runs when the
  broker lost its messages;
- the broker mark tells a broker that restarted empty from one that did not.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gaps.matching import services
from gaps.matching.scheduling import match_dispatch_sweep, schedule_quarter_rematch
from gaps.models import MatchRun, MatchRunStatus
from gaps.tasks import BROKER_MARK_KEY, broker_restarted_empty

from .conftest import ROOT, free_port

pytestmark = pytest.mark.faults


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_queued_run_and_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            schedule_quarter_rematch(quarter="2026Q3", trigger="report_submitted")
            assert MatchRun.objects.filter(quarter="2026Q3", status=MatchRunStatus.QUEUED).count() == 1
            raise RuntimeError("the submission fails after scheduling")
    assert not MatchRun.objects.exists() and not callbacks


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers (a hung or partitioned Redis)."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


PROBE = """
import time
from django.core.cache import cache
from gaps.matching.scheduling import match_run_dispatch
from gaps.models import MatchRun
t = time.monotonic(); sent = match_run_dispatch({run_id}); first = time.monotonic() - t
t = time.monotonic(); again = match_run_dispatch({run_id}); second = time.monotonic() - t
t = time.monotonic(); value = cache.get("k", "miss"); cache.set("k", 1); cache_first = time.monotonic() - t
t = time.monotonic(); value2 = cache.get("k", "miss"); cache_second = time.monotonic() - t
print("RESULT", sent, again, MatchRun.objects.get(pk={run_id}).dispatched_at, value, value2,
      round(first, 3), round(second, 3), round(cache_first, 3), round(cache_second, 3))
"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("broker", ["refusing", "silent"])
def test_sending_to_a_broken_broker_is_bounded_never_raises_and_leaves_the_run_for_the_sweep(broker, worker_env, silent_server):
    port = silent_server if broker == "silent" else free_port()  # nothing listens on a fresh free port
    url = f"redis://127.0.0.1:{port}/0"
    run = services.match_run_create(quarter="2026Q3", trigger="manual")
    env = dict(worker_env, CELERY_BROKER_URL=url, CELERY_RESULT_BACKEND=url, CACHE_URL=url)
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", PROBE.format(run_id=run.pk)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    fields = out.stdout.split("RESULT", 1)[1].split()
    sent, again, dispatched_at, value, value2 = fields[:5]
    first, second, cache_first, cache_second = map(float, fields[5:])
    assert (sent, again, dispatched_at, value, value2) == ("False", "False", "None", "miss", "miss")
    # Refused: at once. Silent: a socket timeout (3 s) per attempt, two attempts (the retry is there
    # for a pooled connection the broker closed); then this process leaves it to the sweep.
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"]
    assert first < (2 * timeout + 1 if broker == "silent" else 1.5)
    assert second < 0.1
    assert cache_first < settings.CACHE_SOCKET_TIMEOUT * 2 + 0.5 and cache_second < 0.1
    assert "not sent" in out.stderr and "cache unavailable" in out.stderr  # logged


@pytest.mark.django_db
def test_the_sweep_sends_the_unsent_and_the_quiet_and_resumes_running_runs_only_when_the_broker_lost_them():
    now = timezone.now()
    never_sent = MatchRun.objects.create(quarter="2026Q1", trigger="manual")
    recently_sent = MatchRun.objects.create(quarter="2026Q2", trigger="manual", dispatched_at=now)
    quiet = MatchRun.objects.create(quarter="2026Q3", trigger="manual",
                                    dispatched_at=now - timedelta(seconds=settings.MATCH_REDISPATCH_AFTER_SECONDS + 5))
    older_same_quarter = MatchRun.objects.create(quarter="2026Q4", trigger="manual")
    MatchRun.objects.filter(pk=older_same_quarter.pk).update(created_at=now - timedelta(minutes=5))
    newest_same_quarter = MatchRun.objects.create(quarter="2026Q4", trigger="manual")
    running = MatchRun.objects.create(quarter="2027Q1", trigger="manual", status=MatchRunStatus.RUNNING,
                                      started_at=now, dispatched_at=now)

    assert match_dispatch_sweep() == {"queued": sorted([never_sent.pk, quiet.pk, newest_same_quarter.pk], reverse=True), "running": []}
    assert MatchRun.objects.get(pk=recently_sent.pk).dispatched_at == now
    assert MatchRun.objects.get(pk=older_same_quarter.pk).dispatched_at is None  # superseded by the newest when it starts
    # Now everything was just sent: a second sweep has nothing to do, unless the broker lost it all.
    assert match_dispatch_sweep() == {"queued": [], "running": []}
    lost = match_dispatch_sweep(broker_reset=True)
    assert sorted(lost["queued"]) == sorted([never_sent.pk, recently_sent.pk, quiet.pk, newest_same_quarter.pk])
    assert lost["running"] == [running.pk]


def test_the_broker_mark_tells_a_broker_that_restarted_empty():
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(BROKER_MARK_KEY)
    assert broker_restarted_empty() is True  # first sweep, or the broker lost its data
    assert broker_restarted_empty() is False
    assert broker_restarted_empty() is False
