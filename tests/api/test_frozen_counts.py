"""The mismatch and recommendation lists cache their page count per current run (core.api.FrozenCountedRows):
the cached number is the real one, it is reused, and a new current run is counted afresh."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from gaps.matching import selectors, services
from gaps.models import Flag, GapReport, Recommendation, ReportStatus
from tests.matching import seed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _count_queries(client, url, params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    counts = sum(1 for q in queries.captured_queries if "COUNT(" in q["sql"].upper())
    return response.json()["count"], counts


@pytest.mark.parametrize(
    ("url", "model"), [("/api/v1/mismatches/", Flag), ("/api/v1/recommendations/", Recommendation)]
)
def test_the_count_is_cached_per_current_run_and_recounted_after_a_rematch(url, model, make_user):
    seed.seed_quarter()
    services.match_quarter_inline(quarter="2026Q3", trigger="command")
    client = _client(make_user("reviewer"))
    run = selectors.current_run("2026Q3")
    expected = model.objects.filter(run=run).count()
    assert expected > 0

    first, counted = _count_queries(client, url, {"quarter": "2026Q3"})
    assert (first, counted) == (expected, 1)
    again, counted = _count_queries(client, url, {"quarter": "2026Q3"})
    assert (again, counted) == (expected, 0)  # served from the cache
    # Other filters are other keys.
    kinds = model.objects.filter(run=run).values_list("kind", flat=True)
    kind = sorted(kinds)[0]
    filtered, counted = _count_queries(client, url, {"quarter": "2026Q3", "kind": kind})
    assert (filtered, counted) == (model.objects.filter(run=run, kind=kind).count(), 1)

    # A region withdraws its report: the next run has other rows, and the list counts them.
    report = GapReport.objects.filter(quarter="2026Q3", status=ReportStatus.SUBMITTED).order_by("pk").first()
    GapReport.objects.filter(pk=report.pk).update(status=ReportStatus.WITHDRAWN)
    services.match_quarter_inline(quarter="2026Q3", trigger="command")
    new_run = selectors.current_run("2026Q3")
    assert new_run.pk != run.pk
    renewed = model.objects.filter(run=new_run).count()
    assert renewed != expected
    after, counted = _count_queries(client, url, {"quarter": "2026Q3"})
    assert (after, counted) == (renewed, 1)


def test_an_official_and_a_reviewer_do_not_share_a_count(make_user):
    rows = seed.seed_quarter()
    services.match_quarter_inline(quarter="2026Q3", trigger="command")
    reviewer_count, _ = _count_queries(_client(make_user("reviewer")), "/api/v1/mismatches/", {})
    official = make_user("official", regions=[rows["horgos"]])
    official_count, _ = _count_queries(_client(official), "/api/v1/mismatches/", {})
    run = selectors.current_run("2026Q3")
    assert official_count == Flag.objects.filter(run=run, region_code=rows["horgos"].code).count()
    assert 0 < official_count < reviewer_count
