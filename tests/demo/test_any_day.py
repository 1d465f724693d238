"""The demo loaded on other days (`load_demo --today D`, and the real today as bin/run loads it):
the seed flags of the current quarter and an early-warning entry of every status, from the rows.

Each day is loaded once for the tests of this module (a module-scoped fixture per day, rolled back).
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.models import DemoState
from demo.world import build_world

from . import spec_reading as spec
from .conftest import demo_loaded_on

pytestmark = pytest.mark.django_db

SEEDS = {
    ("UNDER_SUPPLY", "KZ-VOS", "8341", None, None),
    ("OVERSUPPLY", None, "7515", "CN-GS-AVTC", "FV-GRADE"),
    ("MISDIRECTED_SUPPLY", "KZ-VOS", "7515", "CN-GS-AVTC", "FV-GRADE"),
    ("UNMET_DEMAND", "KZ-ALM", "7126", None, None),
    ("TIMING_MISMATCH", "KZ-ALM", "7126", "CN-XJ-AVTC", "SOLAR-DRIP"),
    ("UNDER_SUPPLY", "KZ-ALM", "7212", None, None),
    ("CERTIFICATION_GAP", "KZ-ALM", "7212", "CN-XJ-ILIVC", "WELD"),
    ("UNMET_DEMAND", "CN-XJ-HRG", "8332", None, None),
    ("LANGUAGE_GAP", "CN-XJ-HRG", "8332", "CN-XJ-ILIVC", "TRUCK"),
    ("UNMET_DEMAND", "CN-XJ-ALS", "9333", None, None),
    ("UNMET_DEMAND", "CN-XJ-ILI", "5113", None, None),
    ("UNCODED_OCCUPATION", "KZ-VOS", None, None, None),
}

# What else the current quarter flags on those days, and why.
EXTRA = {
    # The last day of a quarter: the `plan` series (Horgos clearing agents, needed from
    # 2028-02-04 = today + 310, four quarters on) has its latest year in this quarter, and nobody
    # trains them.
    dt.date(2027, 3, 31): {("UNMET_DEMAND", "CN-XJ-HRG", "3331", None, None)},
    # Harvest time: Zaysan county reports its harvest; its 15-seat county class covers 15 of 20.
    # The clearing agents are needed from 2028-06-06, three quarters on: not in this quarter.
    dt.date(2027, 8, 1): {("UNDER_SUPPLY", "KZ-VOS-ZAY", "8341", None, None)},
    # 29 February: the clearing agents from 2029-01-04, four quarters on again.
    dt.date(2028, 2, 29): {("UNMET_DEMAND", "CN-XJ-HRG", "3331", None, None)},
}


def _extra(world) -> set:
    """The rule behind EXTRA, for any day: an anchor series whose latest year is the current
    quarter -- only the `plan` one can be (its need date is over 273 days ahead), and nobody trains
    its occupation -- and Zaysan's harvest when the current quarter is a third one."""
    current = str(world.quarter)
    anchors = {(a.region, a.occupation) for a in world.anchors if a.status == "plan"}
    extra = {
        ("UNMET_DEMAND", r.region, x.occupation, None, None)
        for r in world.reports if r.quarter == current for x in r.lines if (r.region, x.occupation) in anchors
    }
    if world.quarter.number == 3:
        extra.add(("UNDER_SUPPLY", "KZ-VOS-ZAY", "8341", None, None))
    return extra


@pytest.fixture(scope="module", params=[*EXTRA, None], ids=lambda d: str(d or "real-today"))
def dated(request, django_db_setup, django_db_blocker):
    with demo_loaded_on(request.param, django_db_blocker):
        yield request.param


def test_it_is_dated_from_the_day_asked_for(dated):
    assert DemoState.objects.get().today == (dated or timezone.localdate())


def test_the_rows_give_every_status(dated):
    day = DemoState.objects.get().today
    spec.assert_every_status(day, build_world(day), *spec.from_database())


def test_the_seed_flags_hold(dated):
    day = DemoState.objects.get().today
    world = build_world(day)
    if dated is not None:
        assert _extra(world) == EXTRA[dated]
    out = StringIO()
    call_command("mismatches", quarter=str(world.quarter), format="json", stdout=out)
    seen = {(f["kind"], f["region_code"], f["occupation_code"], f["college_code"], f["program_code"])
            for f in json.loads(out.getvalue())}
    assert seen == SEEDS | _extra(world)
