"""A warning entering act_now, or short_course_only (a full program too late, a short course still in
time), is mailed once for each, in each recipient's language, to its region's officials and the colleges
that could act; never twice, even by two runs at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from gaps.models import WarningNotice, WarningStatus
from projects import notifications
from projects.tasks import notify_warnings_act_now

from . import factories as f

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def scene(db, make_user):
    from accounts.models import Role

    from ..api import factories as af

    af.occupations()
    east, north = af.region("KZ-VOS", name_en="East Kazakhstan"), af.region("KZ-SEV", name_en="North Kazakhstan")
    trains_east = af.college("UST")
    af.program(trains_east, "OPS", trains=("8341",), serves=[east])
    trains_elsewhere = af.college("PAV")
    af.program(trains_elsewhere, "OPS", trains=("8341",), serves=[north])
    other_trade = af.college("GRD")
    af.program(other_trade, "GRD", trains=("7515",))  # serves every region, another occupation
    recommended = af.college("NEW")
    users = {
        "official": make_user(Role.OFFICIAL, regions=[east], email="east@example.org", preferred_language="ru"),
        "north_official": make_user(Role.OFFICIAL, regions=[north], email="north@example.org"),
        "ust": make_user(Role.COLLEGE_STAFF, colleges=[trains_east], email="ust@example.org"),
        "pav": make_user(Role.COLLEGE_STAFF, colleges=[trains_elsewhere], email="pav@example.org"),
        "grd": make_user(Role.COLLEGE_STAFF, colleges=[other_trade], email="grd@example.org"),
        "new": make_user(Role.COLLEGE_STAFF, colleges=[recommended], email="new@example.org", preferred_language="zh-hans"),
        "no_mail": make_user(Role.OFFICIAL, regions=[east], email=""),
    }
    today = timezone.localdate()
    now = f.warning(east, "8341", "2027Q3", status=WarningStatus.ACT_NOW, today=today)
    f.recommendation(now, recommended)
    return {
        "today": today, "east": east, "north": north, "now": now, **users,
        "plan": f.warning(east, "8344", "2027Q3", status=WarningStatus.PLAN, today=today),
        "inactive": f.warning(east, "8341", "2027Q2", status=WarningStatus.ACT_NOW, today=today, is_active=False),
    }


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_act_now_reaches_officials_and_colleges_that_could_act_once(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_warnings_act_now(today=scene["today"]) == 1
    assert recipients() == ["east@example.org", "new@example.org", "ust@example.org"]
    notice = WarningNotice.objects.get()
    assert notice.warning == scene["now"] and notice.status == WarningStatus.ACT_NOW and notice.recipients == 3
    english = next(m for m in mail.outbox if m.to == ["ust@example.org"])
    assert "Act now" in english.subject and "East Kazakhstan" in english.subject
    assert "act by" in english.body and "15 days left" in english.body
    assert scene["now"].act_by.isoformat() not in english.body  # never a bare ISO date
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_warnings_act_now(today=scene["today"]) == 0
    assert mail.outbox == []


def test_each_recipient_reads_their_own_language(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_warnings_act_now(today=scene["today"])
    russian = next(m for m in mail.outbox if m.to == ["east@example.org"])
    chinese = next(m for m in mail.outbox if m.to == ["new@example.org"])
    english = next(m for m in mail.outbox if m.to == ["ust@example.org"])
    assert russian.subject != english.subject and chinese.subject != english.subject
    assert any("\u0400" <= ch <= "\u04ff" for ch in russian.body)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.body)


def test_nothing_is_sent_when_the_transaction_rolls_back(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications.notify_warnings_act_now(today=scene["today"])
    assert mail.outbox == [] and len(callbacks) == 1


def test_a_warning_whose_act_by_passed_since_its_computation_is_not_announced(scene, django_capture_on_commit_callbacks):
    later = scene["now"].act_by + timezone.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_warnings_act_now(today=later) == 0
    assert mail.outbox == []


def test_an_entry_only_a_short_course_can_meet_is_mailed_with_the_short_courses_last_day(
        scene, django_capture_on_commit_callbacks):
    """An entry that is short_course_only (its act-by passed) still asks for action: a short course by
    short_course_by. It is mailed once, naming that day, whether or not it was mailed as act_now before;
    once that day has passed it is not mailed."""
    today = scene["today"]
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_warnings_act_now(today=today) == 1  # the act-now entry
    mail.outbox.clear()
    short = f.warning(scene["east"], "8341", "2027Q4", status=WarningStatus.SHORT_COURSE_ONLY, today=today)
    # The act-now entry moves on too: a full program is now too late for it.
    scene["now"].status = WarningStatus.SHORT_COURSE_ONLY
    scene["now"].save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_warnings_act_now(today=today) == 2
    assert {n.status for n in WarningNotice.objects.filter(warning=scene["now"])} == {
        WarningStatus.ACT_NOW, WarningStatus.SHORT_COURSE_ONLY}
    assert WarningNotice.objects.get(warning=short).status == WarningStatus.SHORT_COURSE_ONLY
    english = [m for m in mail.outbox if m.to == ["ust@example.org"]]
    assert len(english) == 2 and all(m.subject.startswith("Short course only:") for m in english)
    from core import text

    expected = text.format_act_by(short.short_course_by, today=today, language="en")
    assert any(f"To train in time, start a short course: {expected}." in m.body for m in english)
    assert all(text.format_act_by(short.act_by, today=today, language="en") not in m.body for m in english)
    russian = next(m for m in mail.outbox if m.to == ["east@example.org"])
    assert "Short course only" not in russian.subject and any("\u0400" <= ch <= "\u04ff" for ch in russian.subject)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_warnings_act_now(today=today) == 0
    # Not mailed once the short course's last day has passed.
    late = f.warning(scene["east"], "8344", "2027Q2", status=WarningStatus.SHORT_COURSE_ONLY, today=today)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_warnings_act_now(today=late.short_course_by + timezone.timedelta(days=1)) == 0
    assert mail.outbox == [] and not WarningNotice.objects.filter(warning=late).exists()


def test_the_daily_task_runs_the_service(scene, django_capture_on_commit_callbacks, settings):
    assert settings.CELERY_BEAT_SCHEDULE["projects-notify-warnings-act-now"]["task"] == "projects.notify_warnings_act_now"
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_warnings_act_now.apply().get() == 1
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("round_no", range(3))
def test_two_runs_at_the_same_moment_send_once(scene, round_no):
    assert connection.vendor == "postgresql"
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(i):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = notifications.notify_warnings_act_now(today=scene["today"])
        except BaseException as exc:  # noqa: BLE001 - the test inspects every outcome
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == [0, 1], outcomes
    assert WarningNotice.objects.filter(warning=scene["now"]).count() == 1
    assert recipients() == ["east@example.org", "new@example.org", "ust@example.org"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_that_loses_the_claim_to_another_skips_the_warning(scene):
    """Deterministic form of the race: another run has inserted the notice but not committed yet.
    This run does not see it, tries to claim the same warning, waits on the unique index, and when
    the other commits, skips the warning instead of mailing it a second time."""
    claimed, release, done = threading.Event(), threading.Event(), threading.Event()

    def other_run():
        from django.db import transaction

        try:
            with transaction.atomic():
                WarningNotice.objects.create(warning=scene["now"], status=WarningStatus.ACT_NOW, recipients=3)
                claimed.set()
                release.wait(timeout=30)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=other_run)
    thread.start()
    assert claimed.wait(timeout=30)
    threading.Timer(1.0, release.set).start()  # commit while this run waits on the index
    assert notifications.notify_warnings_act_now(today=scene["today"]) == 0
    thread.join(timeout=30)
    assert done.is_set() and mail.outbox == []
    assert WarningNotice.objects.filter(warning=scene["now"]).count() == 1
