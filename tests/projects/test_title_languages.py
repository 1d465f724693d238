"""A project's title in the reader's language (issue 14: "project titles stay in the approving
reviewer's language"): the service writes the title it generates in every language; once a person
edits the title, their wording is what everyone reads."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation

from core import text
from projects import services


def _kazakh(world):
    world["harvester"].title_kk = "Ауыл және орман шаруашылығының жылжымалы машиналарының операторлары"
    world["harvester"].save()
    world["east"].name_kk = "Шығыс Қазақстан облысы"
    world["east"].save()


def test_a_gap_approved_in_english_reads_in_kazakh_for_a_kazakh_reader(world, gap, client):
    _kazakh(world)
    project = services.gap_approve(gap=gap, user=world["reviewer"])  # the reviewer's page was in English
    assert project.title == "Mobile farm and forestry plant operators in East Kazakhstan, Q3 2026"
    with translation.override("kk"):
        assert "Ауыл және орман шаруашылығының жылжымалы машиналарының операторлары" in project.display_title
        assert "Шығыс Қазақстан облысы" in project.display_title
    with translation.override("en"):
        assert "2026Q3" not in project.display_title  # the quarter as people say it, not its code
        assert project.display_title == project.title

    client.force_login(world["official"])
    page = client.get(reverse("web:project", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    h1 = page[page.index("<h1>"):page.index("</h1>")]
    assert "Шығыс Қазақстан облысы" in h1 and "East Kazakhstan" not in h1, h1


def test_a_title_a_person_edited_is_shown_as_written_in_every_language(world, gap):
    _kazakh(world)
    project = services.gap_approve(gap=gap, user=world["reviewer"])
    project = services.project_update(project=project, user=world["reviewer"], title="Combine operators for Zaysan")
    for language in ("en", "kk", "ru", "zh-hans"):
        with translation.override(language):
            assert project.display_title == "Combine operators for Zaysan"


def test_the_first_condition_reads_in_the_readers_language_until_someone_edits_it(world, gap):
    project = services.gap_approve(gap=gap, user=world["reviewer"])
    condition = project.conditions.get()
    with translation.override("en"):
        english = str(services.DEFAULT_CONDITION_TEXT)
    with translation.override("ru"):
        russian = str(services.DEFAULT_CONDITION_TEXT)
        assert russian != english and condition.display_text == russian
    condition.text = "Supplement the Kazakh assessment centre's letter."
    condition.save()
    with translation.override("ru"):
        assert condition.display_text == "Supplement the Kazakh assessment centre's letter."


def test_the_api_gives_the_title_in_the_requests_language_next_to_the_stored_one(world, gap):
    from rest_framework.test import APIClient

    _kazakh(world)
    project = services.gap_approve(gap=gap, user=world["reviewer"])  # written in English
    client = APIClient()
    client.force_authenticate(world["reviewer"])
    def read(url, language):
        body = client.get(url, HTTP_ACCEPT_LANGUAGE=language).json()
        return body["results"][0] if url.endswith("projects/") else body

    for url in ("/api/v1/projects/", f"/api/v1/projects/{project.pk}/"):
        row = read(url, "kk")
        assert row["title"] == "Mobile farm and forestry plant operators in East Kazakhstan, Q3 2026"
        assert "Шығыс Қазақстан облысы" in row["display_title"], (url, row["display_title"])
        english = read(url, "en")
        assert english["display_title"] == english["title"]
    services.project_update(project=project, user=world["reviewer"], title="Combine operators for Zaysan")
    for url in ("/api/v1/projects/", f"/api/v1/projects/{project.pk}/"):
        row = read(url, "kk")
        assert row["display_title"] == row["title"] == "Combine operators for Zaysan"


def test_the_export_gives_the_title_in_the_requests_language_next_to_the_stored_one(world, gap):
    import csv
    import io

    from rest_framework.test import APIClient

    _kazakh(world)
    project = services.gap_approve(gap=gap, user=world["reviewer"])  # written in English
    client = APIClient()
    client.force_authenticate(world["reviewer"])
    response = client.get("/api/v1/projects/export/?format=csv", HTTP_ACCEPT_LANGUAGE="kk")
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows[project.pk]["title"] == "Mobile farm and forestry plant operators in East Kazakhstan, Q3 2026"
    assert "Шығыс Қазақстан облысы" in rows[project.pk]["display_title"]


def test_the_export_names_partner_colleges_and_programs_in_the_requests_language(world, gap):
    """Beside the codes of partner_colleges and programs, their names as the reader reads them."""
    import csv
    import io

    from openpyxl import load_workbook
    from rest_framework.test import APIClient

    gansu, operators = world["gansu"], world["operators"]
    gansu.name_translations = {"ru": "Профессиональный колледж Ганьсу", "_as_written": gansu.name}
    gansu.save()
    operators.title_translations = {"ru": "Операторы комбайнов", "_as_written": operators.title}
    operators.save()
    project = services.gap_approve(gap=gap, user=world["reviewer"])
    services.project_update(project=project, user=world["reviewer"], partner_colleges=[gansu], programs=[operators])
    client = APIClient()
    client.force_authenticate(world["reviewer"])

    response = client.get("/api/v1/projects/export/?format=csv", HTTP_ACCEPT_LANGUAGE="ru")
    row = {int(r["id"]): r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}[project.pk]
    assert row["partner_colleges"] == gansu.code
    assert row["partner_college_names"] == "Профессиональный колледж Ганьсу"
    assert row["programs"] == f"{operators.college.code}/{operators.code}"
    assert row["program_titles"] == "Операторы комбайнов"
    # The status, the quarter and the region by name beside their codes.
    assert (row["status"], row["quarter"], row["region_code"]) == ("fast_tracked", "2026Q3", "KZ-VOS")
    assert row["quarter_name"] == "3-й квартал 2026 г."
    assert row["status_name"] and row["status_name"] != "fast_tracked" and re.search("[А-Яа-я]", row["status_name"])
    assert row["region_name"] == text.region_name("KZ-VOS", language="ru")

    sheet = load_workbook(io.BytesIO(client.get("/api/v1/projects/export/?format=xlsx",
                                                HTTP_ACCEPT_LANGUAGE="en").content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    cells = dict(zip(header, next(r for r in rows if r[0] == project.pk), strict=True))
    assert cells["partner_college_names"] == gansu.name and cells["program_titles"] == operators.title
