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


def _split_mails(text: str) -> list[str]:
    return [m for m in text.split("-" * 79) if m.strip()]


def _mail_files(mail_dir) -> dict:
    """How many mails each of the worker's mail files holds so far (the file backend writes one file
    per connection, named by the time to the second and an object id: names do not sort in the
    order they were written, and a reused name is appended to)."""
    from pathlib import Path

    return {p: len(_split_mails(p.read_text())) for p in Path(mail_dir).glob("*.log")}


def _worker_mails(mail_dir, *, after: dict | None = None) -> list[str]:
    """The mails the workers sent since `after` (_mail_files taken earlier), file by file."""
    from pathlib import Path

    after = after or {}
    return [m for p in sorted(Path(mail_dir).glob("*.log")) for m in _split_mails(p.read_text())[after.get(p, 0):]]


def _wait_announced(run_id: int, *, gone_run: int | None = None, timeout: float = 60) -> None:
    """Until the worker recorded the run's mails (finalize_notify) and, if given, cleaned up
    `gone_run`'s rows (all three tables: the clean-up deletes them one table after another)."""
    from gaps.models import Flag, LineOutcome, Recommendation

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        announced = "finalize_notify" in MatchRun.objects.get(pk=run_id).timings
        if announced and (gone_run is None or not any(
            model.objects.filter(run_id=gone_run).exists() for model in (Flag, Recommendation, LineOutcome)
        )):
            return
        time.sleep(0.2)
    pytest.fail(f"run {run_id}'s announcement not done by a worker after {timeout} s")


def _run_held(held: list) -> MatchRun:
    """A run computed here whose announcement is held back in `held` (not sent to the workers)."""
    run = services.match_run_create(quarter="2026Q3", trigger="manual", reuse_queued=False)
    for chunk in services.match_run_plan(run=run, chunks=1):
        services.match_chunk_execute(chunk_id=chunk.pk, worker="test")
    assert services.match_run_finalize(run_id=run.pk)  # commits: the on-commit sender runs at once
    assert held and held[-1][0] == run.pk  # the swap is done, the mails are not
    return MatchRun.objects.get(pk=run.pk)


def test_the_mails_and_the_clean_up_run_in_a_worker_after_the_swap_in_any_order(celery_worker, make_user, settings):
    """The announcement (mails, then the clean-up) is a task of its own. Run B swaps in before run
    A's announcement reached a worker; B's is done first: it tells B's news against A's rows, which
    its clean-up keeps (A still has mails to send); then A's sends A's news and deletes A's rows,
    never the current run B's."""
    from gaps.matching import scheduling
    from gaps.models import Flag, Recommendation
    from gaps.tasks import _send_announcement
    from training.models import College

    settings.MATCH_SKIP_UNCHANGED = False  # B recomputes the same input
    seed.seed_quarter()
    make_user("college_staff", colleges=[College.objects.get(code="GANSU-VC")], email="gansu@example.org")
    make_user("reviewer", email="reviewer@example.org")
    mail_dir = celery_worker["env"]["TALENTGAP_TEST_EMAIL_DIR"]
    before = _mail_files(mail_dir)
    held: list[tuple[int, list[int]]] = []
    scheduling.register_announcement_sender(lambda run_id, new_gap_ids: held.append((run_id, new_gap_ids)))
    try:
        a = _run_held(held)
        a_news = held[-1]
        b = _run_held(held)
        b_news = held[-1]
    finally:
        scheduling.register_announcement_sender(_send_announcement)
    assert current_run("2026Q3") == b
    assert a_news[1] and not b_news[1]  # A's gaps were new on the list; B's were already there
    a_flags = Flag.objects.filter(run=a).count()
    assert a_flags and Recommendation.objects.filter(run=a).exists()

    _send_announcement(*b_news)
    _wait_announced(b.pk)
    assert _worker_mails(mail_dir, after=before) == []  # B advises what A already did: nothing new
    assert Flag.objects.filter(run=a).count() == a_flags  # kept: A's announcement is still to come

    _send_announcement(*a_news)
    _wait_announced(a.pk, gone_run=a.pk)
    sent = _worker_mails(mail_dir, after=before)
    assert len([m for m in sent if "To: gansu@example.org" in m]) == 1
    assert any("To: gansu@example.org" in m and "- Retool GRADERS" in m for m in sent)
    assert len([m for m in sent if "To: reviewer@example.org" in m and "new gap" in m]) == 1
    assert current_run("2026Q3") == b
    assert not Recommendation.objects.filter(run=a).exists()
    assert Flag.objects.filter(run=b).count() == a_flags and Recommendation.objects.filter(run=b).exists()

    assert services.match_run_announce(run_id=a.pk, new_gap_ids=a_news[1]) is False  # a redelivery: once only


def test_a_lost_announcement_is_sent_by_the_sweep_through_a_worker_once(celery_worker, make_user):
    """A run swaps in and its announcement message never reaches the broker (as if Redis lost it).
    Five minutes on, the sweep -- two at once, then a third -- sends it again; a real worker sends
    the mails, once."""
    import datetime as dt
    import threading

    from django.conf import settings as django_settings
    from django.db import connection
    from django.utils import timezone

    from gaps.matching import scheduling
    from gaps.tasks import _send_announcement
    from training.models import College

    seed.seed_quarter()
    make_user("college_staff", colleges=[College.objects.get(code="GANSU-VC")], email="gansu@example.org")
    make_user("reviewer", email="reviewer@example.org")
    mail_dir = celery_worker["env"]["TALENTGAP_TEST_EMAIL_DIR"]
    before = _mail_files(mail_dir)
    held: list[tuple[int, list[int]]] = []
    scheduling.register_announcement_sender(lambda run_id, new_gap_ids: held.append((run_id, new_gap_ids)))
    try:
        run = _run_held(held)  # the message is dropped here
    finally:
        scheduling.register_announcement_sender(_send_announcement)
    assert run.announce_gap_ids == held[-1][1] and run.announce_gap_ids
    assert scheduling.announcement_sweep() == {"resent": [], "given_up": []}  # too early: it may be on its way
    time.sleep(2)
    assert _worker_mails(mail_dir, after=before) == []  # nothing went out

    # The swap was longer ago than the sweep waits.
    MatchRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now() - dt.timedelta(seconds=django_settings.ANNOUNCE_SWEEP_AFTER_SECONDS + 5)
    )
    results: list[dict] = []
    start = threading.Barrier(2)

    def sweep():
        try:
            start.wait(timeout=10)
            results.append(scheduling.announcement_sweep())
        finally:
            connection.close()

    racers = [threading.Thread(target=sweep) for _ in range(2)]
    for t in racers:
        t.start()
    for t in racers:
        t.join(timeout=60)
    assert sorted(r["resent"] for r in results) == [[], [run.pk]]  # of the two racing sweeps, one sent
    _wait_announced(run.pk)
    assert scheduling.announcement_sweep() == {"resent": [], "given_up": []}  # announced: not again
    time.sleep(3)  # anything sent twice would have arrived by now
    sent = _worker_mails(mail_dir, after=before)
    assert len([m for m in sent if "To: reviewer@example.org" in m and "new gap" in m]) == 1
    assert len([m for m in sent if "To: gansu@example.org" in m]) == 1
    run.refresh_from_db()
    assert run.announcement == "Mails sent" and run.announce_sent_at and run.announce_claimed_at
