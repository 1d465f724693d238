"""/api/v1/mismatches/, /recommendations/, /gaps/, /match-runs/: content, filters and who sees what."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gaps.matching import services
from gaps.matching.flags import FLAG_FIELDS
from gaps.models import MatchRun, MatchRunStatus

from . import seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def matched():
    rows = seed.seed_quarter()
    services.match_quarter_inline(quarter="2026Q3", trigger="command")
    return rows


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_anonymous_users_get_nothing(matched):
    for url in ("/api/v1/mismatches/", "/api/v1/recommendations/", "/api/v1/gaps/", "/api/v1/match-runs/"):
        assert APIClient().get(url).status_code in (401, 403)


def test_a_reviewer_sees_every_flag_as_the_spec_object(matched, make_user):
    rows = results(client_for(make_user("reviewer")).get("/api/v1/mismatches/", {"quarter": "2026Q3"}))
    assert {r["kind"] for r in rows} >= {"MISDIRECTED_SUPPLY", "TIMING_MISMATCH", "UNMET_DEMAND", "OVERSUPPLY"}
    assert all(tuple(k for k in r if k != "id") == FLAG_FIELDS for r in rows)


def test_mismatch_filters(matched, make_user):
    client = client_for(make_user("reviewer"))
    rows = results(client.get("/api/v1/mismatches/", {"quarter": "2026Q3", "kind": "MISDIRECTED_SUPPLY"}))
    assert [r["target_occupation_code"] for r in rows] == ["8341"]
    rows = results(client.get("/api/v1/mismatches/", {"region": "HORGOS"}))
    assert {r["region_code"] for r in rows} == {"HORGOS"}
    rows = results(client.get("/api/v1/mismatches/", {"occupation": "8341"}))
    assert {r["kind"] for r in rows} == {"UNMET_DEMAND", "MISDIRECTED_SUPPLY"}
    rows = results(client.get("/api/v1/mismatches/", {"college": "XJ-SOLAR"}))
    assert {r["kind"] for r in rows} == {"TIMING_MISMATCH", "OVERSUPPLY"}


def test_bad_filters_answer_400_not_500(matched, make_user):
    client = client_for(make_user("reviewer"))
    assert client.get("/api/v1/mismatches/", {"kind": "NOPE"}).status_code == 400
    response = client.get("/api/v1/mismatches/", {"quarter": "2026Q9"})
    assert response.status_code == 400 and "quarter" in response.json()


def test_an_official_sees_only_flags_of_their_regions(matched, make_user):
    official = make_user("official", regions=[matched["horgos"]])
    rows = results(client_for(official).get("/api/v1/mismatches/"))
    assert rows and {r["region_code"] for r in rows} == {"HORGOS"}


def test_college_staff_see_flags_naming_their_colleges(matched, make_user):
    from training.models import College

    staff = make_user("college_staff", colleges=[College.objects.get(code="GANSU-VC")])
    rows = results(client_for(staff).get("/api/v1/mismatches/"))
    assert rows and {r["college_code"] for r in rows} == {"GANSU-VC"}


def test_college_staff_see_only_their_colleges_recommendations(matched, make_user):
    from training.models import College

    staff = make_user("college_staff", colleges=[College.objects.get(code="XJ-SOLAR")])
    rows = results(client_for(staff).get("/api/v1/recommendations/"))
    assert [r["kind"] for r in rows] == ["RESCHEDULE"]
    assert rows[0]["latest_intake_date"] == "2026-02-10" and rows[0]["detail"]
    assert results(client_for(staff).get("/api/v1/recommendations/", {"college": "GANSU-VC"})) == []


def test_reviewers_see_recommendations_ranked_by_score(matched, make_user):
    rows = results(client_for(make_user("reviewer")).get("/api/v1/recommendations/", {"quarter": "2026Q3"}))
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True) and {r["kind"] for r in rows} >= {"RETOOL", "RESCHEDULE"}


def test_the_gap_list_is_aggregate_for_staff_and_scoped_for_officials(matched, make_user):
    staff = make_user("college_staff")
    assert {(g["region_code"], g["occupation_code"]) for g in results(client_for(staff).get("/api/v1/gaps/"))} == {
        ("EKZ", "8341"), ("HORGOS", "7126"),
    }
    official = make_user("official", regions=[matched["ekz"]])
    rows = results(client_for(official).get("/api/v1/gaps/", {"quarter": "2026Q3"}))
    assert [(g["region_code"], g["shortfall"], g["new_on_list"]) for g in rows] == [("EKZ", 40, True)]


def test_runs_are_listed_with_progress_and_which_is_current(matched, make_user):
    rows = results(client_for(make_user("college_staff")).get("/api/v1/match-runs/"))
    assert rows[0]["status"] == "succeeded" and rows[0]["is_current"] and rows[0]["progress"] == 1.0


def test_a_reviewer_starts_a_run(matched, make_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(make_user("reviewer")).post("/api/v1/match-runs/", {"quarter": "2026Q3"}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert MatchRun.objects.filter(status=MatchRunStatus.QUEUED, trigger="manual").count() == 1
    assert len(callbacks) == 1  # handed to Celery only after the commit


def test_who_may_start_a_run(matched, make_user):
    staff = make_user("college_staff")
    assert client_for(staff).post("/api/v1/match-runs/", {"quarter": "2026Q3"}, format="json").status_code == 403
    outsider = make_user("official", regions=[seed.region("ILI", "CN")])
    assert client_for(outsider).post("/api/v1/match-runs/", {"quarter": "2026Q3"}, format="json").status_code == 403
    official = make_user("official", regions=[matched["ekz"]])
    assert client_for(official).post("/api/v1/match-runs/", {"quarter": "2026Q3"}, format="json").status_code == 202
    response = client_for(official).post("/api/v1/match-runs/", {"quarter": "26Q3"}, format="json")
    assert response.status_code == 400 and "quarter" in response.json()
