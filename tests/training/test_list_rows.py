"""GET programs/ shapes plain rows itself (training.api.serializers.program_list_rows): the JSON must be
exactly what ProgramSerializer gives, in every language and with every filter and ordering, and the
queries must not grow with the page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from accounts.models import Role
from gaps.models import Occupation
from tests.api import factories as f
from training import selectors
from training.api.serializers import ProgramSerializer

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "ru", "zh-hans", "kk"]


def as_json(data):
    return json.loads(JSONRenderer().render(data))


@pytest.fixture
def catalogue(make_user):
    """Programs with several occupations and regions (linked out of code order, titles and names
    translated), one serving every region, one without cohorts, one with certifications and no sector."""
    occupations = f.occupations()
    for code, (ru, zh, kk) in {
        "8341": ("Операторы сельхозтехники", "农林机械操作员", "Ауыл шаруашылығы техникасының операторлары"),
        "8344": ("Водители погрузчиков", "叉车司机", "Жүк көтергіш жүргізушілері"),
        "7515": ("Дегустаторы", "食品品尝师", "Дәм татушылар"),
    }.items():
        Occupation.objects.filter(pk=code).update(title_ru=ru, title_zh=zh, title_kk=kk)
    # Created out of code order: the lists follow the codes, not the ids.
    zhambyl = f.region("KZ-ZHA", name_en="Zhambyl", name_ru="Жамбылская", name_zh="江布尔州", name_kk="Жамбыл")
    east = f.region("KZ-VOS", name_en="East Kazakhstan", name_ru="Восточно-Казахстанская", name_zh="东哈萨克斯坦州")
    almaty = f.region("KZ-ALA", kind="city", name_en="Almaty", name_kk="Алматы")
    luban = f.college("LUBAN-KZ", name="Luban Workshop Kazakhstan", name_translations={
        "ru": "Мастерская Лубань (Казахстан)", "kk": "Лубань шеберханасы (Қазақстан)",
        "_as_written": "Luban Workshop Kazakhstan"})
    # Translations of a name a person has since edited: the name is shown as written.
    gansu = f.college("GANSU-VC", name="Gansu Vocational College", country="CN", name_translations={
        "ru": "Ганьсуский колледж", "kk": "Ганьсу колледжі", "_as_written": "Gansu College"})
    programs = {
        "harvest": f.program(luban, "HARV-1", title="Harvester operators", trains=("8344", "8341", "7515"),
                             title_translations={"zh-hans": "收割机操作员", "kk": "Комбайн операторлары",
                                                 "_as_written": "Harvester operators"},
                             serves=[zhambyl, east, almaty], sector="A", languages=["ru", "kk"],
                             certifications=["WorldSkills", "KZ-NQF-4"]),
        "grade": f.program(gansu, "GRADE-1", title="Graders", trains=("7515",), languages=["zh"], sector="C"),
        "lift": f.program(luban, "LIFT-2", title="Forklift drivers", trains=("8344",), serves=[east],
                          languages=["kk", "ru", "en"], sector=""),
        "zed": f.program(gansu, "ZED", title="Another harvester course", trains=("8341",), serves=[almaty, zhambyl],
                         languages=["zh", "ru"], certifications=["CN-Level-3"], sector="A"),
    }
    f.cohort(programs["harvest"])
    f.cohort(programs["harvest"], intake=dt.date(2026, 1, 10), graduation=dt.date(2026, 12, 20))
    f.cohort(programs["zed"])
    user = make_user(Role.REVIEWER, username="reader")
    return {"programs": programs, "occupations": occupations, "user": user}


def _list(catalogue, query: str, language: str) -> list[dict]:
    client = APIClient()
    client.force_authenticate(catalogue["user"])
    response = client.get(f"/api/v1/programs/{query}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


# Every filter and ordering of ProgramFilter / ProgramViewSet.ordering_fields, with the codes they give.
CASES = [
    ("", ["GANSU-VC/GRADE-1", "GANSU-VC/ZED", "LUBAN-KZ/HARV-1", "LUBAN-KZ/LIFT-2"]),
    ("?college=luban-kz", ["LUBAN-KZ/HARV-1", "LUBAN-KZ/LIFT-2"]),
    ("?code=zed", ["GANSU-VC/ZED"]),
    ("?occupation=8341", ["GANSU-VC/ZED", "LUBAN-KZ/HARV-1"]),
    ("?occupation=7515&ordering=-code", ["LUBAN-KZ/HARV-1", "GANSU-VC/GRADE-1"]),
    ("?sector=A", ["GANSU-VC/ZED", "LUBAN-KZ/HARV-1"]),
    ("?region=kz-vos", ["GANSU-VC/GRADE-1", "LUBAN-KZ/HARV-1", "LUBAN-KZ/LIFT-2"]),
    ("?region=KZ-ALA&ordering=-title", ["LUBAN-KZ/HARV-1", "GANSU-VC/GRADE-1", "GANSU-VC/ZED"]),
    ("?ordering=title", ["GANSU-VC/ZED", "LUBAN-KZ/LIFT-2", "GANSU-VC/GRADE-1", "LUBAN-KZ/HARV-1"]),
    ("?ordering=-college__code,code", ["LUBAN-KZ/HARV-1", "LUBAN-KZ/LIFT-2", "GANSU-VC/GRADE-1", "GANSU-VC/ZED"]),
    ("?ordering=-created_at", ["GANSU-VC/ZED", "LUBAN-KZ/LIFT-2", "GANSU-VC/GRADE-1", "LUBAN-KZ/HARV-1"]),
    ("?sector=A&region=kz-zha&occupation=8341&college=GANSU-VC", ["GANSU-VC/ZED"]),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("query, codes", CASES)
def test_program_rows_are_what_the_serializer_gives(catalogue, query, codes, language):
    with translation.override(language):
        results = _list(catalogue, query, language)
        expected = {p["id"]: p for p in as_json(ProgramSerializer(selectors.program_list(), many=True).data)}
    assert [f"{item['college']}/{item['code']}" for item in results] == codes
    for item in results:
        assert list(item) == list(expected[item["id"]])  # same keys in the same order
        assert item == expected[item["id"]]


def test_the_rows_carry_the_relations_in_code_order(catalogue):
    results = {item["code"]: item for item in _list(catalogue, "", "ru")}
    harvest = results["HARV-1"]
    assert harvest["occupations"] == ["7515", "8341", "8344"]
    assert harvest["serves_regions"] == ["KZ-ALA", "KZ-VOS", "KZ-ZHA"]
    assert harvest["cohort_count"] == 2 and harvest["certifications"] == ["WorldSkills", "KZ-NQF-4"]
    assert results["GRADE-1"]["serves_regions"] == [] and results["GRADE-1"]["cohort_count"] == 0
    assert results["LIFT-2"]["sector"] == "" and results["LIFT-2"]["languages"] == ["kk", "ru", "en"]


@pytest.mark.parametrize("language, college, title", [
    ("kk", "Лубань шеберханасы (Қазақстан)", "Комбайн операторлары"),
    ("ru", "Мастерская Лубань (Казахстан)", "Harvester operators"),  # no Russian title: as stored
    ("zh-hans", "Luban Workshop Kazakhstan", "收割机操作员"),
])
def test_the_rows_name_colleges_and_programs_in_the_request_language(catalogue, language, college, title):
    results = {item["code"]: item for item in _list(catalogue, "", language)}
    harvest = results["HARV-1"]
    assert (harvest["college_name"], harvest["title"]) == ("Luban Workshop Kazakhstan", "Harvester operators")
    assert (harvest["college_display_name"], harvest["display_title"]) == (college, title)
    # The Gansu college's name was edited after it was translated: as written, in every language.
    assert results["GRADE-1"]["college_display_name"] == "Gansu Vocational College"


def test_timestamps_follow_the_active_time_zone_like_the_serializer(catalogue):
    with timezone.override("Asia/Shanghai"):
        results = _list(catalogue, "", "en")
        expected = {p["id"]: p for p in as_json(ProgramSerializer(selectors.program_list(), many=True).data)}
    for item in results:
        assert (item["created_at"], item["updated_at"]) == (expected[item["id"]]["created_at"],
                                                            expected[item["id"]]["updated_at"])
    assert results[0]["created_at"].endswith("+08:00")


def _count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/programs/")
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def test_program_list_queries_do_not_grow_with_the_page(catalogue, django_assert_max_num_queries):
    client = APIClient()
    client.force_authenticate(catalogue["user"])
    _count(client)  # warm-up: roles, content types
    few = _count(client)
    college = f.college("MANY-C")
    for i in range(20):
        f.program(college, f"M{i:02d}", trains=("8341", "8344"), serves=[f.region("KZ-VOS")])
    with django_assert_max_num_queries(few):
        response = client.get("/api/v1/programs/")
    assert len(response.json()["results"]) == 24
    assert few <= 6  # count, page, occupations, regions (+ the user's roles)
