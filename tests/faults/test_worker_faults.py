"""Celery workers that die, and messages that arrive more than once, on a private Redis.

- A worker killed with SIGKILL (its whole process group) in the middle of a run: the chunk it held
  is delivered again after the visibility timeout (15 s here) to a second worker and the run
  completes; meanwhile the API shows the previous complete results; the final flags are those
  of a run without the fault.
- The same match task delivered three times: one run, the same results, no duplicate rows.
"""

from __future__ import annotations

import datetime as dt
import re
import signal
import time
import uuid

import pytest
from django.db.models import Count
from rest_framework.test import APIClient

from gaps.matching import services
from gaps.matching.selectors import flags_current
from gaps.models import Flag, Gap, LineOutcome, MatchChunk, MatchRun, MatchRunStatus, Occupation, QuarterResults, Recommendation
from gaps.tasks import match_run_task
from tests.matching import seed
from training.models import Cohort

from .conftest import publish, service_env, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUARTER = "2026Q3"
VISIBILITY_TIMEOUT = 15
CHUNK_DELAY = 5  # seconds each chunk task sleeps first (MATCH_TEST_CHUNK_DELAY_SECONDS): time to kill a worker in


def _quarter_with_chunks(occupations: int = 6, cohorts_per_occupation: int = 300) -> None:
    """Independent occupations (so several chunks), lines with shortfall and oversupplied cohorts."""
    seed.occupations()
    region = seed.region("EKZ")
    codes = []
    for i in range(occupations):
        code = f"83{50 + i}"
        Occupation.objects.get_or_create(code=code, defaults={"level": 4, "title_en": code, "parent_id": "834"})
        codes.append(code)
    seed.report(region, lines=[{"occupation": code, "headcount": 40 + 37 * n} for n in range(5) for code in codes])
    rows = []
    start = dt.date(2026, 1, 1)
    for code in codes:
        program = seed.program("COL-" + code, "P" + code, [code], serves=[region])
        rows += [
            Cohort(program=program, seats=1 + n % 7, intake_date=start - dt.timedelta(days=400 - n),
                   graduation_date=start + dt.timedelta(days=n % 180))
            for n in range(cohorts_per_occupation)
        ]
    Cohort.objects.bulk_create(rows)


def _flags() -> list[dict]:
    return sorted((f.as_json() for f in flags_current(quarter=QUARTER)), key=lambda f: sorted((k, str(v)) for k, v in f.items()))


def _api_flags(client: APIClient) -> list[dict]:
    out, url = [], f"/api/v1/mismatches/?quarter={QUARTER}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        out += response.json()["results"]
        url = response.json()["next"]
    return out


def _without_ids(flags: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in f.items() if k != "id"} for f in flags), key=lambda f: sorted((k, str(v)) for k, v in f.items()))


def _reviewer_client(make_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user("reviewer"))
    return client


def test_a_worker_killed_mid_run_the_run_completes_elsewhere_users_see_the_previous_results_meanwhile(
    make_user, worker_env, private_redis, processes
):
    _quarter_with_chunks()
    client = _reviewer_client(make_user)
    previous = services.match_quarter_inline(quarter=QUARTER, trigger="command")  # the fault-free run
    expected = _flags()
    previous_api = _api_flags(client)
    assert expected and len(previous_api) == len(expected)

    # MATCH_SKIP_UNCHANGED=0: the same input again, and this run must compute (the shortcut of a
    # re-match with nothing changed: tests/matching/test_unchanged.py).
    env = service_env(worker_env, private_redis, CELERY_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT,
                      MATCH_TEST_CHUNK_DELAY_SECONDS=CHUNK_DELAY, MATCH_CHUNKS=4, MATCH_SKIP_UNCHANGED=0)
    processes.worker("victim", env, concurrency=1)
    run = services.match_run_create(quarter=QUARTER, trigger="manual")
    publish(match_run_task.app, private_redis.url(0), match_run_task, run.pk)

    # The victim plans the run, then takes its first chunk and sleeps in it: kill it there.
    held = wait_until(lambda: re.findall(r"gaps\.match_chunk\[([0-9a-f-]+)\] received", processes.log("victim").read_text()),
                      timeout=60, what="the victim holding a chunk")
    time.sleep(1)
    run.refresh_from_db()
    assert run.status == MatchRunStatus.RUNNING and run.chunks_done < run.chunks_total
    processes.kill("victim", signal.SIGKILL)
    killed = time.monotonic()
    processes.worker("rescuer", env, concurrency=1)

    # In flight: users see the previous complete results, the very same rows.
    checks = 0
    while True:
        run.refresh_from_db()
        if run.status != MatchRunStatus.RUNNING:
            break
        assert QuarterResults.objects.get(quarter=QUARTER).current_run_id == previous.pk
        seen = _api_flags(client)  # several pages, several requests
        run.refresh_from_db()
        if run.status != MatchRunStatus.RUNNING:
            break  # it swapped while the pages were read: this look proves nothing either way
        assert seen == previous_api
        checks += 1
        assert time.monotonic() - killed < VISIBILITY_TIMEOUT + 60, (
            f"run {run.pk} still running {VISIBILITY_TIMEOUT + 60} s after the kill: "
            f"{run.chunks_done}/{run.chunks_total} chunks\n" + processes.log("rescuer").read_text()[-3000:]
        )
        time.sleep(1)
    completed_after = time.monotonic() - killed

    assert run.status == MatchRunStatus.SUCCEEDED, run.error
    assert checks >= 3  # the in-flight view was actually looked at, several times
    assert QuarterResults.objects.get(quarter=QUARTER).current_run_id == run.pk != previous.pk
    assert _flags() == expected  # identical to the run without the fault
    assert _without_ids(_api_flags(client)) == _without_ids(previous_api)  # written in another order
    # The chunk the victim held was delivered again, to the rescuer, which did every chunk.
    rescuer_log = processes.log("rescuer").read_text()
    assert held[0] in rescuer_log
    assert set(MatchChunk.objects.filter(run=run).values_list("worker", flat=True)) == {
        w for w in MatchChunk.objects.filter(run=run).values_list("worker", flat=True) if w.startswith("rescuer@")
    }
    print(f"\n[faults] worker SIGKILL: {run.chunks_total} chunks, run completed {completed_after:.1f} s after the kill "
          f"(visibility timeout {VISIBILITY_TIMEOUT} s), {checks} in-flight checks saw the previous results")


def test_the_same_match_task_delivered_three_times_gives_one_run_and_the_same_rows(
    make_user, worker_env, private_redis, processes
):
    _quarter_with_chunks()
    reference = services.match_quarter_inline(quarter=QUARTER, trigger="command")
    expected = _flags()
    expected_counts = {
        "flags": Flag.objects.filter(run=reference).count(),
        "recommendations": Recommendation.objects.filter(run=reference).count(),
        "outcomes": LineOutcome.objects.filter(run=reference).count(),
    }
    gaps_before = sorted(Gap.objects.values_list("quarter", "region_id", "occupation_id", "shortfall"))

    env = service_env(worker_env, private_redis, MATCH_CHUNKS=4, MATCH_SKIP_UNCHANGED=0)  # a run that computes
    processes.worker("twin1", env, concurrency=1)
    processes.worker("twin2", env, concurrency=1)
    run = services.match_run_create(quarter=QUARTER, trigger="manual")
    task_id = str(uuid.uuid4())
    for _ in range(3):  # the same message (same task id) three times, as a broker redelivering it would
        publish(match_run_task.app, private_redis.url(0), match_run_task, run.pk, task_id=task_id)

    wait_until(lambda: MatchRun.objects.get(pk=run.pk).status not in (MatchRunStatus.QUEUED, MatchRunStatus.RUNNING),
               timeout=120, what="the run finished")
    # Let every delivery (and the chunk messages the later ones re-sent) be consumed.
    import redis as redis_py

    broker = redis_py.Redis.from_url(private_redis.url(0))
    wait_until(lambda: broker.llen("celery") == 0 and not broker.hlen("unacked"), timeout=60, what="the queue drained")
    time.sleep(2)
    logs = processes.log("twin1").read_text() + processes.log("twin2").read_text()
    assert logs.count(f"gaps.match_run[{task_id}] received") == 3

    run.refresh_from_db()
    assert run.status == MatchRunStatus.SUCCEEDED, run.error
    assert MatchRun.objects.filter(quarter=QUARTER).exclude(pk__in=[reference.pk, run.pk]).count() == 0
    assert run.chunks_done == run.chunks_total == MatchChunk.objects.filter(run=run).count()
    assert _flags() == expected
    assert {
        "flags": Flag.objects.filter(run=run).count(),
        "recommendations": Recommendation.objects.filter(run=run).count(),
        "outcomes": LineOutcome.objects.filter(run=run).count(),
    } == expected_counts
    # One outcome per line, no line twice.
    assert not LineOutcome.objects.filter(run=run).values("line_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert sorted(Gap.objects.values_list("quarter", "region_id", "occupation_id", "shortfall")) == gaps_before
    print(f"\n[faults] triple delivery: task {task_id} received 3 times, one run of {run.chunks_total} chunks, "
          f"{expected_counts} rows as without duplicates")
