"""College names and program titles in other languages (College.name_translations,
Program.title_translations): the rule (core.text.in_reader_language), the names core.text gives the
sentences (recommendations, flags, the plan), and the admin's per-language fields."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from core import text
from training.models import College, Program

pytestmark = pytest.mark.django_db


def test_the_rule_reads_the_language_and_gives_way_to_a_persons_edit():
    translations = {"kk": "Колледж (kk)", "zh-hans": "学院", "_as_written": "College"}
    assert text.in_reader_language("College", translations, "kk") == "Колледж (kk)"
    assert text.in_reader_language("College", translations, "zh-Hans") == "学院"
    assert text.in_reader_language("College", translations, "ru") == "College"  # none in Russian: as stored
    assert text.in_reader_language("College, renamed", translations, "kk") == "College, renamed"
    assert text.in_reader_language("College", {}, "kk") == "College"
    with translation.override("kk"):
        assert text.in_reader_language("College", translations) == "Колледж (kk)"


def test_the_old_project_helper_keeps_working():
    from projects.models import display_title_of

    assert display_title_of("T", {"ru": "Т", "_as_written": "T"}, "ru") == "Т"
    assert display_title_of("T2", {"ru": "Т", "_as_written": "T"}, "ru") == "T2"


def test_sentences_name_colleges_and_programs_in_the_readers_language():
    college = College.objects.create(code="KZ-X", name="Agro College", country="KZ", name_translations={
        "kk": "Агроколледж", "ru": "Агроколледж (ru)", "_as_written": "Agro College"})
    Program.objects.create(college=college, code="P", title="Welder", languages=["kk"], title_translations={
        "kk": "Дәнекерлеуші", "_as_written": "Welder"})
    assert text.college_name("KZ-X", language="kk") == "Агроколледж"
    assert text.college_label("KZ-X", language="ru") == "Агроколледж (ru) (KZ-X)"
    assert text.college_name("KZ-X", language="zh-hans") == "Agro College"
    assert text.program_title("KZ-X", "P", language="kk") == "Дәнекерлеуші"
    assert text.program(("KZ-X"), "P", language="ru").fallback_language is None  # as stored: no "in English" mark
    college.name = "Agro College No. 2"  # a person's edit: their wording for everyone
    college.save()
    assert text.college_name("KZ-X", language="kk") == "Agro College No. 2"


def test_the_admin_edits_the_translations_one_field_per_language(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-Secret-123")
    client.force_login(admin)
    college = College.objects.create(code="KZ-X", name="Agro College", country="KZ")
    url = reverse("admin:training_college_change", args=[college.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="name_kk"' in page and 'name="name_zh_hans"' in page and "Name (Kazakh)" in page
    data = {"code": "KZ-X", "name": "Agro College", "country": "KZ", "name_en": "", "name_zh_hans": "农业学院",
            "name_ru": "", "name_kk": "Агроколледж", "staff": []}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    college.refresh_from_db()
    assert college.name_translations == {"zh-hans": "农业学院", "kk": "Агроколледж", "_as_written": "Agro College"}
    # The name alone changed: the translations are of the old name, so the new one is shown as written.
    client.post(url, data | {"name": "Agro College No. 2"})
    college.refresh_from_db()
    assert college.name_translations["_as_written"] == "Agro College"
    with translation.override("kk"):
        assert college.display_name == "Agro College No. 2"
    # Saving a translation again binds them to the new name.
    client.post(url, data | {"name": "Agro College No. 2", "name_kk": "№ 2 агроколледж"})
    college.refresh_from_db()
    with translation.override("kk"):
        assert college.display_name == "№ 2 агроколледж"
