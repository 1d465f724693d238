"""The review queue's evidence previews: a finalising run stores on each undecided gap it shows the
first few of each kind of evidence (projects.receivers.store_evidence_previews), and the queue
renders them in the reader's language without reading any evidence table -- the same JSON as the
live reads (projects.selectors.gap_evidence) give for the same gaps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from gaps.matching import services
from gaps.models import Flag, Gap
from projects import selectors
from projects.results import MissingExchangeRate
from tests.matching import seed

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/review-queue/?quarter=2026Q3&page_size=50"
# Tables a page of the queue read before the previews: none of them is read when every gap has one.
EVIDENCE_TABLES = ("gaps_flag", "gaps_recommendation", "gaps_gapreportline", "gaps_exchangerate", "training_program")


@pytest.fixture
def matched(make_user):
    """The seed quarter (harvester operators short in EKZ, graders trained in Gansu, the late drip
    class for Horgos) with five more late 8341 programs, so that every kind of evidence of the
    harvester gap runs past the preview's few; matched inline."""
    from accounts.models import Role

    rows = seed.seed_quarter()
    for i in range(5):
        late = seed.program(f"LATE-{i}", f"OPS{i}", ["8341"], sector="A", serves=[rows["ekz"]])
        seed.cohort(late, 8, dt.date(2026, 8, 20 + i), intake=dt.date(2025, 9, 1))
    run = services.match_quarter_inline(quarter="2026Q3", trigger="command")
    reviewer = make_user(Role.REVIEWER)
    client = APIClient()
    client.force_authenticate(reviewer)
    return {**rows, "run": run, "client": client, "reviewer": reviewer}


def _queue(client, language: str = "en") -> dict[int, dict]:
    response = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content[:300]
    return {item["id"]: item["evidence"] for item in response.json()["results"]}


def test_the_run_stores_a_preview_on_every_gap_it_shows(matched):
    gaps = list(Gap.objects.filter(quarter="2026Q3", is_active=True))
    assert len(gaps) >= 2
    for gap in gaps:
        assert gap.evidence_preview["version"] == selectors.EVIDENCE_PREVIEW_VERSION
        assert gap.last_run_id == matched["run"].pk
    assert matched["run"].counts["evidence_previews"] == len(gaps)
    harvester = Gap.objects.get(quarter="2026Q3", occupation_id="8341")
    totals = harvester.evidence_preview["totals"]
    # The five late programs cut every list but the report lines (one line) at the preview's few.
    assert totals["flags"] > selectors.QUEUE_EVIDENCE_PREVIEW
    assert totals["recommendations"] > selectors.QUEUE_EVIDENCE_PREVIEW
    assert totals["candidate_colleges"] > selectors.QUEUE_EVIDENCE_PREVIEW
    assert len(harvester.evidence_preview["flags"]) == selectors.QUEUE_EVIDENCE_PREVIEW


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru", "kk"])
def test_the_queue_shows_the_stored_previews_as_the_live_reads_give_them(matched, language):
    gaps = list(Gap.objects.filter(quarter="2026Q3", is_active=True).select_related("region"))
    queue = _queue(matched["client"], language)
    with translation.override(language):
        live = selectors.gap_evidence(gaps, limit=selectors.QUEUE_EVIDENCE_PREVIEW)
    assert queue.keys() == live.keys()
    for gap_id, evidence in queue.items():
        assert evidence == live[gap_id]
        # and in the serializers' key order, as the live reads give it
        assert [list(row) for kind in selectors.EVIDENCE_KINDS for row in evidence[kind]] == [
            list(row) for kind in selectors.EVIDENCE_KINDS for row in live[gap_id][kind]
        ]
    if language != "en":  # the sentences are the reader's, not the worker's that stored the preview
        english = _queue(matched["client"])
        assert any(english[g]["flags"] != queue[g]["flags"] for g in queue if queue[g]["flags"])


def test_a_page_of_stored_previews_reads_no_evidence_table(matched):
    client = matched["client"]
    client.get(QUEUE)  # warm-up: roles, content types
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(QUEUE).status_code == 200
    read = " ".join(q["sql"] for q in ctx.captured_queries)
    # Quoted: the queue's act-by reads "training_program_occupations" and "training_cohort" (durations, not evidence).
    assert not [table for table in EVIDENCE_TABLES if f'"{table}"' in read]
    # Without the previews the same page reads them all again.
    Gap.objects.update(evidence_preview=None)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(QUEUE).status_code == 200
    read = " ".join(q["sql"] for q in ctx.captured_queries)
    assert [table for table in EVIDENCE_TABLES if f'"{table}"' in read] == list(EVIDENCE_TABLES)


def test_a_gap_without_a_current_preview_is_read_live(matched):
    harvester = Gap.objects.get(quarter="2026Q3", occupation_id="8341")
    stored = _queue(matched["client"])[harvester.pk]
    # A preview of another format's version is not trusted: the live rows are read instead.
    Gap.objects.filter(pk=harvester.pk).update(
        evidence_preview={**harvester.evidence_preview, "version": 0, "flags": []}
    )
    assert _queue(matched["client"])[harvester.pk] == stored
    Gap.objects.filter(pk=harvester.pk).update(evidence_preview=None)
    assert _queue(matched["client"])[harvester.pk] == stored


def test_the_next_run_replaces_the_previews_with_its_own_rows(matched, settings):
    settings.MATCH_SKIP_UNCHANGED = False  # a re-run that computes (the shortcut: test_unchanged.py)
    first = Gap.objects.get(quarter="2026Q3", occupation_id="8341").evidence_preview
    second_run = services.match_quarter_inline(quarter="2026Q3", trigger="command")
    assert second_run.pk != matched["run"].pk
    harvester = Gap.objects.get(quarter="2026Q3", occupation_id="8341")
    assert harvester.evidence_preview["totals"] == first["totals"]
    # The same flags, as the new run's rows: what the queue shows is the current run's first flags.
    new_flags = list(
        Flag.objects.filter(run=second_run, region_code="EKZ", occupation_code="8341").order_by("pk")
        .values_list("kind", "program_code")[: selectors.QUEUE_EVIDENCE_PREVIEW]
    )
    assert [(f["kind"], f["program_code"]) for f in harvester.evidence_preview["flags"]] == new_flags
    assert not Flag.objects.filter(run=matched["run"]).exists()  # the first run's rows are gone


def test_a_decided_gap_keeps_no_preview_it_will_never_show(matched):
    from projects import services as review

    harvester = Gap.objects.get(quarter="2026Q3", occupation_id="8341")
    review.gap_reject(gap=harvester.pk, user=matched["reviewer"], comment="not now")
    Gap.objects.filter(pk=harvester.pk).update(evidence_preview=None)
    services.match_quarter_inline(quarter="2026Q3", trigger="command")
    harvester.refresh_from_db()
    assert harvester.is_active and harvester.evidence_preview is None
    assert harvester.pk not in _queue(matched["client"])


def test_a_missing_rate_is_put_in_words_in_the_readers_language():
    stored = {"report_lines": [{"line_no": 1, "currency": "KZT", "error": {"currency": "KZT", "date": "2026-08-01"}}]}
    with translation.override("ru"):
        (line,) = selectors.render_evidence(stored)["report_lines"]
        expected = str(MissingExchangeRate("KZT", dt.date(2026, 8, 1)))
    with translation.override("en"):
        (english,) = selectors.render_evidence(stored)["report_lines"]
    assert line["error"] == expected and "KZT" in expected and "2026-08-01" in expected
    assert english["error"] != line["error"]
    assert list(line) == list(selectors.LINE_KEYS)


def _harvester_recommendations(matched, today: dt.date) -> list[dict]:
    harvester = Gap.objects.get(quarter="2026Q3", occupation_id="8341")
    with translation.override("en"):
        return selectors.render_evidence(harvester.evidence_preview, today=today)["recommendations"]


def test_each_recommendation_carries_when_to_act_and_the_feasible_come_first(matched):
    """SPEC.md "Looking ahead": a recommendation carries act_by and whether it is still feasible;
    those no longer feasible rank after the feasible ones and are never shown as actionable."""
    from gaps import recommendation_dates

    early = _harvester_recommendations(matched, dt.date(2024, 1, 1))
    assert len(early) >= 2 and all(r["feasible"] and r["next_act_by"] is None for r in early)
    for rec in early:
        expected = recommendation_dates.act_by(rec["latest_intake_date"] and dt.date.fromisoformat(
            str(rec["latest_intake_date"])), dt.date.fromisoformat(str(rec["need_date"])))
        assert rec["act_by"] == expected.isoformat()
        rec["act_by"] = expected
    # A day between the act-by dates: the feasible ones first, then the late ones with next year's date.
    days = sorted({r["act_by"] for r in early})
    assert len(days) > 1  # the seed's late programs and the OPEN recommendations differ
    mixed = _harvester_recommendations(matched, days[len(days) // 2])
    flags = [r["feasible"] for r in mixed]
    assert flags == sorted(flags, reverse=True) and True in flags and False in flags
    late = _harvester_recommendations(matched, days[-1] + dt.timedelta(days=1))
    assert not any(r["feasible"] for r in late)
    assert all(r["next_act_by"] == recommendation_dates.next_year(dt.date.fromisoformat(r["act_by"])).isoformat()
               for r in late)


def test_the_gap_page_says_too_late_instead_of_asking_to_act(matched, client):
    """The seed quarter's needs are in 2026; today (2026-12-03 or later) every act-by has passed."""
    harvester = Gap.objects.get(quarter="2026Q3", occupation_id="8341")
    client.force_login(matched["reviewer"])
    page = client.get(f"/gaps/{harvester.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    recommendations = page.split("Recommendations", 1)[1].split("Colleges that train", 1)[0]
    assert "Too late" in recommendations and "next year:" in recommendations
    assert "act by" not in recommendations.replace("Act by", "")
