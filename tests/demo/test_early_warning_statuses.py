"""The demo's early warning has an entry of every status on every day (issue 12, point 6).

The statuses are computed by hand from SPEC.md's definitions (tests/demo/spec_reading.py), not by
the service, on the plain world (demo.world) for every day of a year with 29 February in it and
for random days over two centuries. test_any_day.py does the same on the database's rows after
`load_demo --today`; test_demo_world.py asks the service's `early_warning` command where it is
installed.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from demo.world import build_world

from . import spec_reading as spec


def _check_world(today: dt.date) -> None:
    world = build_world(today)
    spec.assert_every_status(today, world, *spec.from_world(world))


def test_every_day_of_a_year_with_a_29_february():
    day = dt.date(2027, 12, 1)
    while day <= dt.date(2028, 12, 31):
        _check_world(day)
        day += dt.timedelta(days=1)


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31)))
@example(dt.date(2026, 12, 3))
@example(dt.date(2100, 2, 28))  # 2100 is not a leap year
@example(dt.date(2024, 2, 29))
def test_any_day(today):
    _check_world(today)


def test_the_hand_reading_sees_the_spec_rules():
    """The reading itself, on SPEC.md's small cases: half up, the lower middle, no program -> 180."""
    assert spec.forecast({2024: 10, 2025: 12, 2026: 15}) == 18  # 15 + 5/2 = 17.5 -> 18
    assert spec.forecast({2024: 30, 2026: 0}) == 0  # 0 + (0 - 30)/2 < 0 -> 0
    assert spec.forecast({2025: 7}) == 7 and spec.forecast({}) is None
    assert spec.lower_median([300, 56, 290, 80]) == 80
    assert spec.lead_times([], "5113") == (180, 180)
    assert spec.moved(dt.date(2028, 2, 29), 2029) == dt.date(2029, 2, 28)
