"""College names and program titles in the reader's language (SPEC: stored texts people write are
shown in the reader's language where a translation exists; names in the reader's language before
codes). The demo gives every college and program a Chinese, Russian and Kazakh name; a Kazakh or
Russian reader's pages show those, not the English ones, until a person edits the stored name.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from training.models import College, Program

from .test_no_raw_values_on_pages import visible_text

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
KAZAKH_LETTERS = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def page(username: str, url: str, language: str) -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return visible_text(response.content.decode())


def test_every_demo_college_and_program_is_named_in_chinese_russian_and_kazakh(demo_world):
    rows = [(c.name, c.name_translations) for c in College.objects.all()]
    rows += [(p.title, p.title_translations) for p in Program.objects.all()]
    assert len(rows) == 5 + 12
    for written, translations in rows:
        assert translations["_as_written"] == written
        assert HAN.search(translations["zh-hans"]) and not CYRILLIC.search(translations["zh-hans"]), written
        for language in ("ru", "kk"):
            assert CYRILLIC.search(translations[language]) and not re.search(r"[A-Za-z]{3}", translations[language])
        assert not KAZAKH_LETTERS.search(translations["ru"]), translations["ru"]
    # Kazakh in modern Cyrillic: its own letters where the words have them.
    assert sum(bool(KAZAKH_LETTERS.search(t["kk"])) for _w, t in rows) >= len(rows) - 2


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_college_reads_its_name_and_its_programs_titles_in_its_language(demo_world, language):
    college = College.objects.get(code="CN-GS-AVTC")
    program = college.programs.get(code="FV-GRADE")
    text = page("college.gansu", "/programs/", language)
    assert college.name_translations[language] in text
    assert program.title_translations[language] in text
    assert college.name not in text and program.title not in text


@pytest.mark.parametrize("language", ["ru", "kk", "zh-hans"])
def test_a_project_page_names_its_colleges_and_programs_in_the_readers_language(demo_world, language):
    from projects.models import CooperationProject

    project = CooperationProject.objects.filter(lead_college__isnull=False, programs__isnull=False).order_by("pk").first()
    text = page("reviewer", f"/projects/{project.pk}/", language)
    assert project.lead_college.name_translations[language] in text
    for program in project.programs.all():
        assert program.title_translations[language] in text
        assert program.title not in text
    assert project.lead_college.name not in text
    assert project.lead_college.name_translations[language] in page("reviewer", "/projects/", language)


def test_a_persons_edit_of_the_stored_name_is_shown_as_written_in_every_language(demo_world):
    college = College.objects.get(code="CN-GS-AVTC")
    program = college.programs.get(code="FV-GRADE")
    kazakh_name, kazakh_title = college.name_translations["kk"], program.title_translations["kk"]
    college.name = "Gansu Modern Agriculture Vocational Training Centre"
    college.save()
    program.title = "Fruit grading and cold-chain quality control"
    program.save()
    for language in ("kk", "ru", "en"):
        text = page("college.gansu", "/programs/", language)
        assert college.name in text and program.title in text
        assert kazakh_name not in text and kazakh_title not in text


def test_the_searches_find_colleges_and_programs_by_their_translated_names(demo_world):
    from projects.models import CooperationProject

    project = CooperationProject.objects.filter(lead_college__isnull=False).order_by("pk").first()
    kazakh = project.lead_college.name_translations["kk"]
    assert project.title in page("reviewer", f"/projects/?q={kazakh}", "en")
    assert project.title not in page("reviewer", "/projects/?q=no-such-college", "en")
    program = Program.objects.get(college__code="CN-GS-AVTC", code="FV-GRADE")
    found = page("college.gansu", "/programs/?q=" + program.title_translations["zh-hans"], "en")
    assert program.title in found


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_demos_condition_supplements_are_in_the_readers_language(demo_world, language):
    from projects.models import ProjectCondition

    supplemented = ProjectCondition.objects.exclude(supplement="").order_by("pk")
    assert supplemented.count() == 2
    for condition in supplemented:
        translated = condition.supplement_translations[language]
        assert translated != condition.supplement
        text = page("reviewer", f"/projects/{condition.project_id}/", language)
        assert translated in text and condition.supplement not in text
        client = Client()
        client.force_login(get_user_model().objects.get(username="reviewer"))
        shown = client.get(f"/api/v1/project-conditions/{condition.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
        assert (shown["supplement"], shown["display_supplement"]) == (condition.supplement, translated)
        assert shown["display_text"] == condition.text_translations[language]


@pytest.mark.parametrize("language", ["zh-hans", "ru", "kk"])
def test_the_demos_decision_comments_are_in_the_readers_language(demo_world, language):
    """A reviewer's comment is a stored text a person wrote: the gap page and the API show the
    demo's translation of it to a reader of another language, and the text as written once edited."""
    from projects.models import GapDecision

    decisions = GapDecision.objects.exclude(comment="").order_by("pk")
    assert decisions.count() == 3
    client = Client()
    client.force_login(get_user_model().objects.get(username="reviewer"))
    for decision in decisions:
        translated = decision.comment_translations[language]
        assert translated != decision.comment
        text = page("reviewer", f"/gaps/{decision.gap_id}/", language)
        assert translated in text and decision.comment not in text
        shown = client.get(f"/api/v1/review/decisions/{decision.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
        assert (shown["comment"], shown["display_comment"]) == (decision.comment, translated)
    edited = decisions.first()
    GapDecision.objects.filter(pk=edited.pk).update(comment="Edited by an administrator.")
    text = page("reviewer", f"/gaps/{edited.gap_id}/", language)
    assert "Edited by an administrator." in text and edited.comment_translations[language] not in text


def test_every_note_the_demo_writes_on_a_report_line_has_its_translations():
    """The demo's officials wrote their lines' notes in English; every one of them, on any day the
    demo is dated, is given in Chinese, Russian and Kazakh (a new note without them fails here)."""
    import datetime as dt

    from demo.world import NOTE_TRANSLATIONS, build_world

    notes = {
        line.note
        for day in (dt.date(2026, 12, 3), dt.date(2027, 3, 1), dt.date(2027, 6, 1), dt.date(2027, 9, 1))
        for report in build_world(day).reports for line in report.lines if line.note
    }
    assert notes and notes <= set(NOTE_TRANSLATIONS)
    for note in notes:
        assert {code for code, _text in NOTE_TRANSLATIONS[note]} == {"zh-hans", "ru", "kk"}, note


@pytest.mark.parametrize("language", ["zh-hans", "ru", "kk"])
def test_a_report_lines_note_is_in_the_readers_language_until_someone_edits_it(demo_world, language):
    from gaps.models import GapReportLine

    line = GapReportLine.objects.filter(
        report__region__code="KZ-VOS", report__status="submitted", note__startswith="Farms report"
    ).select_related("report").order_by("-report__quarter").first()
    url = f"/reports/KZ-VOS/{line.report.quarter}/"
    translated = line.note_translations[language]
    text = page("official.vko", url, language)
    assert translated in text and line.note not in text
    GapReportLine.objects.filter(pk=line.pk).update(note="Edited: two classes are needed.")
    text = page("official.vko", url, language)
    assert "Edited: two classes are needed." in text and translated not in text


def test_the_api_gives_a_lines_note_as_stored_and_in_the_readers_language(demo_world):
    from gaps.models import GapReportLine

    line = GapReportLine.objects.filter(report__region__code="KZ-VOS", note__startswith="Farms report").first()
    client = Client()
    client.force_login(get_user_model().objects.get(username="official.vko"))
    body = client.get(f"/api/v1/reports/{line.report_id}/", HTTP_ACCEPT_LANGUAGE="kk").json()
    shown = next(row for row in body["lines"] if row["note"] == line.note)
    assert shown["display_note"] == line.note_translations["kk"]
