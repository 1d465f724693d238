"""The Celery path with real worker processes on Redis: runs, chunks shared by two workers, failures.

Transactional: the workers are other processes and must see the test's committed rows;
serialized_rollback restores the rows migrations created (the role groups) afterwards.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import time
import pytest

from gaps.matching import services
from gaps.matching.selectors import current_run, flags_current
from gaps.models import MatchChunk, MatchRun, MatchRunStatus
from training.models import Cohort

from . import seed

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def wait_for(run_id: int, timeout: float = 90) -> MatchRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = MatchRun.objects.get(pk=run_id)
        if run.status in (MatchRunStatus.SUCCEEDED, MatchRunStatus.FAILED, MatchRunStatus.SUPERSEDED):
            return run
        time.sleep(0.2)
    pytest.fail(f"run {run_id} still {MatchRun.objects.get(pk=run_id).status} after {timeout} s")


def flag_objects():
    return sorted((f.as_json() for f in flags_current(quarter="2026Q3")), key=lambda f: sorted((k, str(v)) for k, v in f.items()))


def test_a_queued_run_is_matched_by_a_worker(celery_worker):
    seed.seed_quarter()
    run = services.match_run_enqueue(quarter="2026Q3", trigger="manual")  # autocommit: sent at once
    run = wait_for(run.pk)
    assert run.status == MatchRunStatus.SUCCEEDED, run.error
    assert current_run("2026Q3") == run
    assert {c.worker.split("@")[0] for c in run.chunks.all()} <= {"tgworker1", "tgworker2"}
    assert flags_current(quarter="2026Q3").filter(kind="MISDIRECTED_SUPPLY").count() == 1


def test_a_run_failing_in_a_worker_keeps_the_previous_results(celery_worker):
    seed.seed_quarter()
    good = services.match_quarter_inline(quarter="2026Q3", trigger="command")
    before = flag_objects()
    seed.report(seed.region("ILI", "CN"), lines=[{"occupation": "8341", "headcount": 3, "currency": "USD"}])
    run = wait_for(services.match_run_enqueue(quarter="2026Q3", trigger="manual").pk)
    assert run.status == MatchRunStatus.FAILED and "USD" in run.error
    assert current_run("2026Q3") == good and flag_objects() == before


def _bigger_quarter(occupations: int = 6, cohorts_per_occupation: int = 400):
    """Several independent occupations, so a run has several chunks of some weight."""
    seed.occupations()
    from gaps.models import Occupation

    codes = []
    for i in range(occupations):
        code = f"83{50 + i}"
        Occupation.objects.get_or_create(code=code, defaults={"level": 4, "title_en": code, "parent_id": "834"})
        codes.append(code)
    region = seed.region("EKZ")
    seed.report(region, lines=[{"occupation": code, "headcount": 50 + n} for n in range(5) for code in codes])
    rows = []
    for code in codes:
        prog = seed.program("COL-" + code, "P" + code, [code], serves=[region])
        start = dt.date(2026, 1, 1)
        rows += [
            Cohort(program=prog, seats=1 + n % 7, intake_date=start - dt.timedelta(days=400 - n),  # unique per program
                   graduation_date=start + dt.timedelta(days=n % 180))
            for n in range(cohorts_per_occupation)
        ]
    Cohort.objects.bulk_create(rows)
    return codes


def _wait_until_up(app, name: str, timeout: float = 60) -> None:
    import socket

    destination = [f"{name}@{socket.gethostname()}"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(destination=destination, timeout=1):
            return
    pytest.fail(f"{name} did not come up; see .pytest-*-{name}.log")


def test_two_workers_share_the_chunks_of_one_run_and_agree_with_the_inline_result(celery_worker, settings):
    settings.MATCH_SKIP_UNCHANGED = False  # planned here, on the same input again: a run that computes
    second = celery_worker["start"](celery_worker["env"], name="tgworker2")
    try:
        _wait_until_up(celery_worker["app"], "tgworker2")
        _bigger_quarter()
        inline = services.match_quarter_inline(quarter="2026Q3", trigger="command", chunks=6)
        expected = flag_objects()
        # Plan here (six chunks), then let the workers race for them.
        run = services.match_run_create(quarter="2026Q3", trigger="manual")
        chunks = services.match_run_plan(run=run, chunks=6)
        assert len(chunks) == 6
        from gaps.tasks import match_chunk_task

        for chunk in chunks:
            match_chunk_task.delay(chunk.pk)
        run = wait_for(run.pk)
        assert run.status == MatchRunStatus.SUCCEEDED, run.error
        assert run.chunks_done == 6 and current_run("2026Q3") == run != inline
        assert flag_objects() == expected  # same input, same flags, whoever computed which chunk
        workers = set(MatchChunk.objects.filter(run=run).values_list("worker", flat=True))
        assert all(w.startswith(("tgworker1@", "tgworker2@")) for w in workers)
        assert len(workers) == 2, f"only {workers} took chunks"
    finally:
        second.terminate()
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            second.kill()


def test_a_chunk_delivered_twice_is_written_once(celery_worker):
    seed.seed_quarter()
    run = services.match_run_create(quarter="2026Q3", trigger="manual")
    (chunk,) = services.match_run_plan(run=run, chunks=1)
    from gaps.tasks import match_chunk_task

    first, again = match_chunk_task.delay(chunk.pk), match_chunk_task.delay(chunk.pk)
    assert {first.get(timeout=60), again.get(timeout=60)} == {"done"}
    run = wait_for(run.pk)
    assert run.status == MatchRunStatus.SUCCEEDED and run.chunks_done == 1
    assert run.line_outcomes.count() == 3
    assert run.flags.filter(kind="MISDIRECTED_SUPPLY").count() == 1


def test_the_nightly_rematch_of_an_unchanged_quarter_keeps_results_and_the_current_run(celery_worker):
    """Beat's nightly task, run by a worker: the quarter's run ends as "nothing changed since run N";
    the current run and every flag stay as they were. A change then gets a computing run."""
    from django.utils import timezone

    from core.quarters import Quarter
    from gaps.tasks import nightly_rematch_task

    quarter = Quarter.containing(timezone.localdate())
    seed.occupations()
    region = seed.region("EKZ")
    seed.report(region, quarter=str(quarter), lines=[
        {"occupation": "8341", "headcount": 30, "season_start": quarter.start + dt.timedelta(days=10)},
        {"occupation": "7515", "headcount": 5},
    ])
    drivers = seed.program("GANSU-VC", "DRIVERS", ["8341"], serves=[region])
    seed.cohort(drivers, 12, quarter.start - dt.timedelta(days=20))
    first = services.match_quarter_inline(quarter=str(quarter), trigger="command")
    assert first.status == MatchRunStatus.SUCCEEDED, first.error
    before = sorted((f.as_json() for f in flags_current(quarter=str(quarter))), key=repr)
    assert before

    assert nightly_rematch_task.apply_async().get(timeout=60) == [str(quarter)]
    nightly = MatchRun.objects.filter(quarter=str(quarter), trigger="nightly").get()
    nightly = wait_for(nightly.pk)
    assert nightly.status == MatchRunStatus.SUCCEEDED and nightly.unchanged_since_id == first.pk, nightly.error
    assert not nightly.chunks.exists()
    assert current_run(str(quarter)) == first
    assert sorted((f.as_json() for f in flags_current(quarter=str(quarter))), key=repr) == before

    Cohort.objects.filter(program=drivers).update(seats=25)
    nightly_rematch_task.apply_async().get(timeout=60)
    changed = wait_for(MatchRun.objects.filter(quarter=str(quarter), trigger="nightly").exclude(pk=nightly.pk).get().pk)
    assert changed.status == MatchRunStatus.SUCCEEDED and changed.unchanged_since is None, changed.error
    assert current_run(str(quarter)) == changed
