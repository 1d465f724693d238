"""load_demo as a command: refuses without the taxonomy, dated once, idempotent on any later day."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Role
from demo.models import DemoState
from demo.services import DEMO_PASSWORD, demo_load
from gaps.models import ExchangeRate, Gap, GapReport, GapReportLine, MatchRun, Region
from projects.models import CohortOutcome, CooperationProject, GapDecision, ProjectCondition
from training.models import College, Cohort, Program

from .conftest import DAY

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    models = [Region, ExchangeRate, College, Program, Cohort, GapReport, GapReportLine, get_user_model(),
              MatchRun, Gap, GapDecision, CooperationProject, ProjectCondition, CohortOutcome, DemoState]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["history"] = sum(
        model.history.count()
        for model in (Region, College, Program, Cohort, GapReport, GapReportLine, CooperationProject, CohortOutcome)
    )
    counts["memberships"] = Region.members.through.objects.count() + College.staff.through.objects.count()
    counts["program links"] = Program.occupations.through.objects.count() + Program.serves_regions.through.objects.count()
    return counts


def _load(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def test_it_refuses_to_run_without_the_taxonomy():
    with pytest.raises(CommandError, match="load_taxonomy"):
        _load()
    assert Region.objects.count() == 0 and not DemoState.objects.exists()


def test_a_bad_day_is_named():
    with pytest.raises(CommandError, match=r"--today: '2026-02-30' is not a date like 2026-12-03"):
        _load(today="2026-02-30")


def test_running_it_twice_changes_nothing(occupations):
    text = _load(today=DAY.isoformat())
    first = _counts()
    assert first["Region"] == 9 and first["College"] == 5 and first["CooperationProject"] == 3
    assert "Demo data created" in text and "Matched 14 quarters" in text
    assert "Demo dated 2026-12-03: current quarter 2026Q4" in text

    assert "nothing changed" in _load(today=DAY.isoformat())
    assert _counts() == first
    assert "nothing changed" in _load()  # without --today: the day it was dated from
    assert _counts() == first
    assert not demo_load().created

    # A demo is dated once: another day is refused, and nothing is written.
    with pytest.raises(CommandError, match=r"already holds the demo dated 2026-12-03 \(current quarter 2026Q4\)"):
        _load(today="2027-03-01")
    assert _counts() == first


def test_a_later_day_keeps_the_older_demo_and_says_so(occupations):
    """An older demo stays as it was (a second calendar would make nonsense of both); the command
    says its seasons are behind and how to get a demo dated from today."""
    older = timezone.localdate() - dt.timedelta(days=200)
    _load(today=older.isoformat())
    before = _counts()
    text = _load()
    assert _counts() == before
    assert "nothing changed" in text and f"Demo dated {older.isoformat()}" in text
    assert "behind the calendar" in text and "empty database" in text
    assert DemoState.objects.get().today == older


def test_an_undated_demo_from_an_older_load_demo_is_left_alone(occupations):
    college = College.objects.create(code="KZ-LUBAN-UKG", name="Luban Workshop", country="KZ")
    Program.objects.create(college=college, code="HARV-OP", title="Operators", languages=["ru"])
    before = _counts()
    text = _load()
    assert _counts() == before
    assert "older load_demo" in text and "left as it is" in text


def test_an_existing_user_keeps_its_password(occupations):
    User = get_user_model()
    User.objects.create_user(username="reviewer", password="my-own-Secret-42")
    demo_load(today=DAY)
    user = User.objects.get(username="reviewer")
    assert user.check_password("my-own-Secret-42") and not user.check_password(DEMO_PASSWORD)
    assert user.has_role(Role.REVIEWER)
