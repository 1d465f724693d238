"""The announcement sweep (gaps.matching.scheduling.announcement_sweep): which runs' mails it sends
again when the broker lost the message, once each, never too early, never for a superseded run, and
when it gives up ("mails not sent"). The real worker: tests/matching/test_celery.py."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from gaps.matching import scheduling, services
from gaps.matching.selectors import current_run
from gaps.models import MatchRun

from . import seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    """Announcements handed to the workers, kept here instead (a lost message, as far as the run knows)."""
    from gaps.tasks import _send_announcement

    sent: list[tuple[int, list[int]]] = []
    scheduling.register_announcement_sender(lambda run_id, new_gap_ids: sent.append((run_id, list(new_gap_ids))))
    yield sent
    scheduling.register_announcement_sender(_send_announcement)


def swapped_run(held, django_capture_on_commit_callbacks) -> MatchRun:
    """A run computed and swapped in here; its announcement message goes to `held` and no further."""
    run = services.match_run_create(quarter="2026Q3", trigger="manual", reuse_queued=False)
    for chunk in services.match_run_plan(run=run, chunks=1):
        services.match_chunk_execute(chunk_id=chunk.pk, worker="test")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.match_run_finalize(run_id=run.pk)
    assert held[-1][0] == run.pk
    return MatchRun.objects.get(pk=run.pk)


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def test_the_new_gaps_are_stored_in_the_swap_as_the_message_carries_them(held, django_capture_on_commit_callbacks):
    seed.seed_quarter()
    run = swapped_run(held, django_capture_on_commit_callbacks)
    assert run.announce_gap_ids and run.announce_gap_ids == held[-1][1]
    assert run.announcement == "Mails pending" and "finalize_notify" not in run.timings


def test_a_lost_announcement_is_sent_again_after_the_delay_once(held, django_capture_on_commit_callbacks, settings):
    settings.ANNOUNCE_SWEEP_AFTER_SECONDS = 300
    seed.seed_quarter()
    run = swapped_run(held, django_capture_on_commit_callbacks)
    held.clear()
    assert scheduling.announcements_due(later(290)) == []  # not too early: the message may be on its way
    assert scheduling.announcement_sweep(now=later(290)) == {"resent": [], "given_up": []}
    assert held == []

    now = later(301)
    assert [(i, gaps) for i, _sent, gaps in scheduling.announcements_due(now)] == [(run.pk, run.announce_gap_ids)]
    assert scheduling.announcement_sweep(now=now) == {"resent": [run.pk], "given_up": []}
    assert held == [(run.pk, run.announce_gap_ids)]
    # The next sweeps, a few seconds apart: it went, and is not sent twice.
    for seconds in (302, 320, 590):
        assert scheduling.announcement_sweep(now=later(seconds)) == {"resent": [], "given_up": []}
    assert len(held) == 1


def test_of_two_sweeps_racing_one_sends(held, django_capture_on_commit_callbacks):
    seed.seed_quarter()
    run = swapped_run(held, django_capture_on_commit_callbacks)
    now = later(301)
    # Both read the run as due; the conditional update lets one of them send.
    first, second = scheduling.announcements_due(now), scheduling.announcements_due(now)
    assert [i for i, *_ in first] == [i for i, *_ in second] == [run.pk]
    _id, sent_at, _gaps = first[0]
    assert scheduling.claim_announcement_resend(run.pk, sent_at, now) is True
    assert scheduling.claim_announcement_resend(run.pk, second[0][1], now) is False


def test_an_announced_run_and_a_superseded_one_are_never_sent_again(held, django_capture_on_commit_callbacks, settings, mailoutbox):
    settings.MATCH_SKIP_UNCHANGED = False  # b recomputes the same input and swaps in
    seed.seed_quarter()
    a = swapped_run(held, django_capture_on_commit_callbacks)
    b = swapped_run(held, django_capture_on_commit_callbacks)
    assert current_run("2026Q3") == b
    due = [i for i, *_ in scheduling.announcements_due(later(301))]
    assert due == [b.pk]  # a's news is b's to tell now; a is not current
    assert services.match_run_announce(run_id=b.pk, new_gap_ids=b.announce_gap_ids) is True
    assert scheduling.announcements_due(later(301)) == []
    assert MatchRun.objects.get(pk=b.pk).announcement == "Mails sent"
    assert MatchRun.objects.get(pk=a.pk).announcement == "Mails pending"


def test_a_second_delivery_sends_no_mails_while_the_first_is_sending(held, django_capture_on_commit_callbacks, make_user, mailoutbox):
    seed.seed_quarter()
    make_user("reviewer", email="reviewer@example.org")
    run = swapped_run(held, django_capture_on_commit_callbacks)
    MatchRun.objects.filter(pk=run.pk).update(announce_claimed_at=timezone.now())  # a worker is sending them
    assert services.match_run_announce(run_id=run.pk, new_gap_ids=run.announce_gap_ids) is False
    assert mailoutbox == []
    assert scheduling.announcements_due(later(301)) == []  # nor does the sweep send it meanwhile
    # That worker died: after the longest a task may live, the run is due again and a delivery sends.
    MatchRun.objects.filter(pk=run.pk).update(announce_claimed_at=timezone.now() - scheduling._stale_after() - timedelta(seconds=1))
    assert [i for i, *_ in scheduling.announcements_due(later(301))] == [run.pk]
    with django_capture_on_commit_callbacks(execute=True):  # the mails go when the caller commits
        assert services.match_run_announce(run_id=run.pk, new_gap_ids=run.announce_gap_ids) is True
    assert len([m for m in mailoutbox if "new gap" in m.subject]) == 1
    assert services.match_run_announce(run_id=run.pk, new_gap_ids=run.announce_gap_ids) is False


def test_a_run_pending_for_a_day_is_given_up_with_a_warning_and_shown_to_staff(
    held, django_capture_on_commit_callbacks, caplog, client, django_user_model, mailoutbox,
):
    seed.seed_quarter()
    run = swapped_run(held, django_capture_on_commit_callbacks)
    held.clear()
    a_day_on = later(services.ANNOUNCE_PENDING_FOR.total_seconds() + 1)
    assert scheduling.announcements_due(a_day_on) == []  # the rows it compares with may be gone
    with caplog.at_level(logging.WARNING, logger="gaps.matching.scheduling"):
        assert scheduling.announcement_sweep(now=a_day_on) == {"resent": [], "given_up": [run.pk]}
        assert scheduling.announcement_sweep(now=a_day_on) == {"resent": [], "given_up": []}  # warned once
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and f"match run {run.pk} of 2026Q3" in warnings[0] and "mails not sent" in warnings[0]
    assert held == []
    run.refresh_from_db()
    assert run.announce_missed_at is not None and run.announcement == "Mails not sent"

    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-Secret-123")
    client.force_login(admin)
    assert "Mails not sent" in client.get("/admin/gaps/matchrun/").content.decode()
    assert "Mails not sent" in client.get(f"/admin/gaps/matchrun/{run.pk}/change/").content.decode()
    # The run records of the API say so too, for whoever watches runs without the admin.
    body = client.get(f"/api/v1/match-runs/{run.pk}/").json()
    assert (body["mails"], body["mails_display"]) == ("missed", "Mails not sent")


def test_the_api_says_a_swapped_runs_mails_are_pending_then_sent(held, django_capture_on_commit_callbacks, client, make_user):
    from accounts.models import Role

    seed.seed_quarter()
    run = swapped_run(held, django_capture_on_commit_callbacks)
    client.force_login(make_user(Role.REVIEWER))
    assert client.get(f"/api/v1/match-runs/{run.pk}/").json()["mails"] == "pending"
    run_id, new_gap_ids = held[-1]
    assert services.match_run_announce(run_id=run_id, new_gap_ids=new_gap_ids)
    body = client.get(f"/api/v1/match-runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert body["mails"] == "sent" and body["mails_display"] == "Письма отправлены"
