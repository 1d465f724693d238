"""The full taxonomy, loaded once per test module and removed afterwards.

Other suites create their own few Occupation rows (8341, 7515, ...) inside their tests, so the
619 groups must not outlive the module that needs them.
"""

from __future__ import annotations

import pytest

from gaps.models import Occupation, OccupationLabel


def _clear_taxonomy() -> None:
    OccupationLabel.objects.all().delete()
    for level in (4, 3, 2, 1):  # children first: parent is PROTECT
        Occupation.objects.filter(level=level).delete()


@pytest.fixture(scope="module")
def taxonomy(django_db_setup, django_db_blocker):
    from gaps.taxonomy.loader import sync_taxonomy

    with django_db_blocker.unblock():
        loaded_here = not Occupation.objects.exists()
        sync_taxonomy()
        yield
        if loaded_here:
            _clear_taxonomy()
    # Other suites build their own few occupations; they must not meet this module's index.
    from gaps.search import invalidate_index

    invalidate_index()


@pytest.fixture
def recheck_always(monkeypatch):
    """Labels changed by a test are seen by the next search, not a second later."""
    from gaps import search

    monkeypatch.setattr(search, "INDEX_RECHECK_SECONDS", 0.0)
