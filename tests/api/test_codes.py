"""Issue 17, point 4: one rule for region, college and program codes, wherever a code comes in.

The importers' rule (letters, digits, '.', '_' and '-', starting with a letter or digit) is
core.codes.validate_code; the API, the pages' forms, the model fields and the importers use it.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.codes import validate_code

HOSTILE = [
    '"><svg onload=alert(1)>',
    "=HYPERLINK(\"http://x\",\"y\")",
    "KZ\r\nSet-Cookie: a=b",
    "KZ'VOS",
    'KZ"VOS',
    "KZ/VOS",
    "KZ\\VOS",
    "-KZ",
    ".KZ",
    "KZ VOS",
    "KZ\tVOS",
    "КЗ-ВОС",  # letters, but not the ASCII ones codes are made of
]
GOOD = ["KZ-VOS", "CN-XJ-HRG", "LUBAN.UKG", "WELD_2Y", "7", "a"]
MESSAGE = "is not a code: use letters, digits, '.', '_' and '-' only, starting with a letter or digit."


@pytest.mark.parametrize("value", [*HOSTILE, "KZ\n", ""])  # (forms, serializers and cells trim the ends first)
def test_the_validator_refuses_hostile_codes(value):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_code(value)
    assert MESSAGE in refused.value.messages[0]


@pytest.mark.parametrize("value", GOOD)
def test_the_validator_accepts_codes(value):
    validate_code(value)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_programs_api_refuses_hostile_codes(world, value):
    payload = {"college": "LUBAN-KZ", "code": value, "title": "T", "occupations": ["8341"], "languages": ["ru"]}
    response = world.client("staff_x").post(reverse("program-list"), payload, format="json")
    assert response.status_code == 400, response.content
    assert MESSAGE in " ".join(response.json()["code"])


@pytest.mark.parametrize("value", HOSTILE)
def test_the_regions_api_refuses_hostile_codes(world, value):
    payload = {"code": value, "country": "KZ", "kind": "oblast", "name_en": "Hostile"}
    response = world.client("admin").post(reverse("region-list"), payload, format="json")
    assert response.status_code == 400, response.content
    assert MESSAGE in " ".join(response.json()["code"])


@pytest.mark.parametrize("value", HOSTILE[:4])
def test_the_colleges_api_refuses_hostile_codes(world, value):
    payload = {"code": value, "name": "Hostile", "country": "KZ"}
    response = world.client("admin").post(reverse("college-list"), payload, format="json")
    assert response.status_code == 400, response.content
    assert MESSAGE in " ".join(response.json()["code"])


@pytest.mark.parametrize("value", HOSTILE[:3])
def test_the_program_form_refuses_hostile_codes(world, value):
    client = Client()
    client.force_login(world.users["staff_x"])
    response = client.post(reverse("web:program-create"), {
        "college": world.colleges["X"].pk, "code": value, "title": "T", "occupation_codes": "8341", "languages": "ru",
    })
    assert response.status_code == 422
    assert "is not a code" in response.content.decode()
    assert not world.colleges["X"].programs.filter(title="T").exists()


def test_the_importers_use_the_same_rule(world):
    from core.imports.cells import CellError, code

    for value in HOSTILE:
        with pytest.raises(CellError):
            code(64)(value)
    assert [code(64)(value) for value in GOOD] == GOOD
