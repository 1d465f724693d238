from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import Role

URL = "/api/v1/occupations/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def client(make_user):
    api = APIClient()
    api.force_authenticate(make_user(Role.OFFICIAL))
    return api


def test_it_requires_a_signed_in_user(taxonomy):
    response = APIClient().get(URL, {"q": "welder"})
    assert response.status_code in (401, 403)
    assert APIClient().get(URL + "8341/").status_code in (401, 403)


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.COLLEGE_STAFF, Role.REVIEWER])
def test_every_role_reads_and_none_writes(taxonomy, make_user, role):
    api = APIClient()
    api.force_authenticate(make_user(role))
    assert api.get(URL, {"q": "welder"}).status_code == 200
    assert api.post(URL, {"code": "9999", "level": 4, "title_en": "x"}, format="json").status_code == 405
    assert api.patch(URL + "8341/", {"title_en": "x"}, format="json").status_code == 405
    assert api.delete(URL + "8341/").status_code == 405


@pytest.mark.parametrize("query", ["combine harvester operator", "оператор зерноуборочного комбайна", "联合收割机驾驶员"])
def test_q_ranks_unit_groups(taxonomy, client, query):
    response = client.get(URL, {"q": query})

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["code"] == "8341"
    assert results[0]["level"] == 4
    assert results[0]["parent"] == "834"
    assert results[0]["matched_label"]
    assert results[0]["matched_language"] in ("en", "ru", "zh", "kk")
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all(r["level"] == 4 for r in results)


def test_q_says_how_strong_each_match_is_and_pads_nothing(taxonomy, client):
    results = client.get(URL, {"q": "электрогазосварщик"}).json()["results"]

    assert results[0]["code"] == "7212"
    assert results[0]["match_strength"] == "strong" and results[0]["score"] >= 0.8
    assert all(r["match_strength"] == ("strong" if r["score"] >= 0.8 else "possible") for r in results)
    assert all(r["score"] >= 0.5 * results[0]["score"] for r in results)
    assert client.get(URL, {"q": "qwzxv plorkt"}).json()["results"] == []


def test_q_with_language_and_parent(taxonomy, client):
    response = client.get(URL, {"q": "комбайнер", "language": "kk"})
    assert response.json()["results"][0]["code"] == "8341"

    within = client.get(URL, {"q": "welder", "parent": "721"}).json()["results"]
    assert within and all(r["parent"] == "721" for r in within)
    assert within[0]["code"] == "7212"


def test_empty_q_returns_the_normal_list(taxonomy, client):
    response = client.get(URL, {"q": ""})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 619
    assert body["results"][0]["code"] == "0"
    assert "score" not in body["results"][0]


def test_level_and_parent_filter_the_hierarchy(taxonomy, client):
    majors = client.get(URL, {"level": 1}).json()
    assert majors["count"] == 10
    children = client.get(URL, {"parent": "834"}).json()["results"]
    assert [c["code"] for c in children] == ["8341", "8342", "8343", "8344"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"level": 9}, "level"), ({"q": "welder", "language": "xx"}, "language"), ({"q": "x" * 201}, "q")],
)
def test_bad_parameters_get_a_400_naming_them(taxonomy, client, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_detail_by_code_has_labels_with_sources(taxonomy, client):
    response = client.get(URL + "8341/")

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "8341"
    assert body["title_zh"] and body["title_ru"] and body["title_kk"]
    assert body["definition_en"]
    sources = {(label["language"], label["source"]) for label in body["labels"]}
    assert {("en", "ILO"), ("en", "ESCO"), ("zh", "CN2022"), ("kk", "TALENTGAP")} <= sources


def test_unknown_code_is_404(taxonomy, client):
    assert client.get(URL + "9999/").status_code == 404
    assert client.get(URL + "abc/").status_code == 404


def test_title_follows_the_request_language(taxonomy, client):
    body = client.get(URL + "8341/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert body["title"] == body["title_ru"]
