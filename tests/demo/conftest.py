"""Fixtures of the demo tests: the taxonomy the demo needs, and a demo loaded once per module."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.db import transaction

from demo.world import demo_occupation_codes

# A fixed day for reproducible tests: a Thursday in December (current quarter 2026Q4).
DAY = dt.date(2026, 12, 3)


def create_demo_occupations() -> None:
    """The unit groups the demo uses, with their ISCO parents (load_taxonomy loads all 619)."""
    from gaps.models import Occupation

    for code in sorted(demo_occupation_codes()):
        parent = None
        for level in range(1, 5):
            parent, _ = Occupation.objects.get_or_create(
                code=code[:level], defaults={"level": level, "parent": parent, "title_en": f"ISCO {code[:level]}"}
            )


@pytest.fixture
def occupations(db):
    create_demo_occupations()


@contextlib.contextmanager
def demo_loaded_on(day: dt.date | None, django_db_blocker):
    """The demo dated `day` (None: the real today, as bin/run loads it), loaded inside a transaction
    that is rolled back on exit: for module-scoped fixtures of tests that only read it. Each test's
    own transaction nests inside it (a savepoint), so what a test writes is undone as usual."""
    from demo.services import demo_load

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            create_demo_occupations()
            yield demo_load(today=day)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo dated DAY, loaded once for a module of tests that only read it (tests that need an
    empty database belong in another module)."""
    with demo_loaded_on(DAY, django_db_blocker) as summary:
        yield summary
