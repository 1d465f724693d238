"""Forms of the pages (issue 14): kept input, errors by field with a summary, editing a line in place,
confirmations before irreversible actions, the programs template, stale recommendations, the projects
page's filter labels, and the message college staff get when they try to decide a gap."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from gaps import services
from gaps.models import GapReport, ReportStatus
from training.models import Cohort, College, Program

from .test_views import QUARTER, gap, report_url  # noqa: F401 - gap is a fixture

LINE = {"occupation_query": "8341", "occupation_code": "", "headcount": "40", "salary_min": "250000",
        "salary_max": "320000", "currency": "KZT", "languages": "ru", "note": "Harvest crews"}


@pytest.fixture
def official(make_user, regions):
    return make_user(Role.OFFICIAL, regions=[regions["east"]])


@pytest.fixture
def draft(regions, occupations, official):
    report = services.report_create(region=regions["east"], quarter=QUARTER, user=official)
    services.report_line_add(report=report, user=official, occupation=occupations["8341"], headcount=40,
                             salary_min=250000, salary_max=320000, currency="KZT", languages=["ru"],
                             note="Two shifts, harvest crews")
    return report


def edit_url(number=1):
    return reverse("web:report-line-edit", args=["KZ-VOS", QUARTER, number])


# --- The report's line form ------------------------------------------------------------------------


def test_a_failed_line_keeps_what_was_typed_with_a_summary_that_lands_on_screen(client, official, regions, occupations):
    client.force_login(official)
    response = client.post(report_url(regions["east"], action="line-add"),
                           LINE | {"salary_max": "1", "currency": "K1", "note": "Для подстанции"})
    assert response.status_code == 422
    html = response.content.decode()
    summary = re.search(r'<div class="errors error-summary"[^>]*id="line-errors"[^>]*>(.*?)</div>', html, re.S)
    assert summary and "data-error-summary" in html and 'tabindex="-1"' in summary.group(0)
    assert "please correct 2 problems" in summary.group(1)
    assert 'href="#id_salary_max"' in summary.group(1) and 'href="#id_currency"' in summary.group(1)
    # The form's action ends with the summary's fragment: without JavaScript the browser lands on it.
    assert 'action="%s#line-errors"' % reverse("web:report-line-add", args=["KZ-VOS", QUARTER]) in html
    assert 'value="1"' in html and "Для подстанции" in html  # what was typed is kept
    assert 'id="id_salary_max_error"' in html


def test_a_good_line_leaves_no_summary(client, official, regions, occupations):
    client.force_login(official)
    assert client.post(report_url(regions["east"], action="line-add"), LINE).status_code == 302
    assert "data-error-summary" not in client.get(report_url(regions["east"])).content.decode()


def test_the_note_is_shown_and_a_line_is_edited_in_place(client, official, draft):
    client.force_login(official)
    page = client.get(report_url(draft.region)).content.decode()
    assert "Two shifts, harvest crews" in page and edit_url() in page
    form = client.get(edit_url())
    assert form.status_code == 200
    assert form.context["form"].initial["occupation_code"] == "8341"
    assert 'value="40"' in form.content.decode() and "Two shifts, harvest crews" in form.content.decode()

    refused = client.post(edit_url(), LINE | {"occupation_code": "8341", "headcount": "0"})
    assert refused.status_code == 422 and "line-errors" in refused.content.decode()
    assert client.post(edit_url(), LINE | {"occupation_code": "8341", "headcount": "55", "note": "One shift"}).status_code == 302
    line = draft.lines.get()
    assert (line.line_no, line.headcount, line.note, line.occupation_id) == (1, 55, "One shift", "8341")
    assert draft.lines.count() == 1  # changed, not deleted and re-added


def test_only_a_draft_line_of_ones_own_region_is_edited(client, make_user, official, draft, regions):
    client.force_login(make_user(Role.OFFICIAL, regions=[regions["horgos"]]))
    assert client.get(edit_url()).status_code == 404
    assert client.post(edit_url(), LINE).status_code == 404
    client.force_login(make_user(Role.REVIEWER))
    assert client.post(edit_url(), LINE | {"headcount": "1"}).status_code == 403
    services.report_submit(report=draft, user=official)
    client.force_login(official)
    page = client.get(edit_url())
    assert page.status_code == 200 and "Only the lines of a draft can be changed" in page.content.decode()
    client.post(edit_url(), LINE | {"occupation_code": "8341", "headcount": "99"})
    assert draft.lines.get().headcount == 40


def test_last_change_moves_with_the_lines(official, draft, occupations):
    before = GapReport.objects.get(pk=draft.pk).updated_at
    services.report_line_update(line=draft.lines.get(), user=official, headcount=41)
    after_edit = GapReport.objects.get(pk=draft.pk).updated_at
    assert after_edit > before
    services.report_replace_lines(report=draft, user=official, lines=[{
        "occupation": occupations["7411"], "headcount": 3, "salary_min": 1, "salary_max": 2, "currency": "KZT"}])
    after_upload = GapReport.objects.get(pk=draft.pk).updated_at
    assert after_upload > after_edit
    services.line_set_occupation(line=draft.lines.get(), occupation=occupations["8341"], user=official)
    assert GapReport.objects.get(pk=draft.pk).updated_at > after_upload


def test_deleting_a_line_and_withdrawing_ask_first(client, official, draft):
    client.force_login(official)
    html = client.get(report_url(draft.region)).content.decode()
    assert 'data-confirm="Delete line 1? This cannot be undone."' in html
    services.report_submit(report=draft, user=official)
    assert "data-confirm=\"Withdraw the report?" in client.get(report_url(draft.region)).content.decode()


def test_a_failed_upload_lands_on_its_problems(client, official, regions, occupations):
    client.force_login(official)
    upload = SimpleUploadedFile("lines.csv", b"region_code,quarter\nKZ-VOS,2026Q3\n", content_type="text/csv")
    response = client.post(report_url(regions["east"], action="upload"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="upload-problems" tabindex="-1" data-error-summary' in html
    assert "#upload-problems\" enctype" in html


# --- Programs and cohorts -----------------------------------------------------------------------------


@pytest.fixture
def gansu(db):
    return College.objects.create(code="CN-GS-AVTC", name="Gansu Agricultural Vocational Training Centre", country="CN")


@pytest.fixture
def program(gansu, occupations):
    program = Program.objects.create(college=gansu, code="FV-GRADE", title="Fruit and vegetable grading", languages=["zh"])
    program.occupations.set(["7543"])
    return program


def test_a_failed_cohort_comes_back_open_with_what_was_typed(client, make_user, gansu, program):
    client.force_login(make_user(Role.COLLEGE_STAFF, colleges=[gansu]))
    response = client.post(reverse("web:cohort-add", args=[program.pk]),
                           {"seats": "25", "intake_date": "2027-09-01", "graduation_date": "2027-03-01"})
    assert response.status_code == 422
    html = response.content.decode()
    assert '<details class="add-cohort" open>' in html
    assert f'id="cohort-errors-{program.pk}"' in html and "please correct 1 problem" in html
    assert f'href="#new-cohort-{program.pk}-graduation_date"' in html
    for value in ('value="25"', 'value="2027-09-01"', 'value="2027-03-01"'):
        assert value in html
    assert "Graduation cannot come before intake." in html
    assert not program.cohorts.exists()
    ok = client.post(reverse("web:cohort-add", args=[program.pk]),
                     {"seats": "25", "intake_date": "2027-09-01", "graduation_date": "2028-01-15"})
    assert ok.status_code == 302 and program.cohorts.count() == 1


def test_a_failed_program_form_has_its_summary(client, make_user, gansu, occupations):
    client.force_login(make_user(Role.COLLEGE_STAFF, colleges=[gansu]))
    response = client.post(reverse("web:program-create"), {"college": gansu.pk, "code": "HARV", "title": "Комбайнёры",
                                                           "occupation_codes": "9999", "languages": "ru"})
    html = response.content.decode()
    assert response.status_code == 422 and 'id="program-errors"' in html and 'action="#program-errors"' in html
    assert 'href="#id_occupation_codes"' in html and 'value="Комбайнёры"' in html


def test_deleting_a_cohort_asks_first(client, make_user, gansu, program):
    Cohort.objects.create(program=program, seats=30, intake_date=dt.date(2027, 9, 1), graduation_date=dt.date(2028, 7, 1))
    client.force_login(make_user(Role.COLLEGE_STAFF, colleges=[gansu]))
    assert 'data-confirm="Delete this cohort? This cannot be undone."' in client.get(reverse("web:programs")).content.decode()


def test_the_programs_template_imports_cleanly_once_a_row_is_filled_in(client, make_user, gansu, occupations, regions):
    from training.importers import ProgramImporter

    staff = make_user(Role.COLLEGE_STAFF, colleges=[gansu])
    client.force_login(staff)
    assert reverse("web:programs-template") in client.get(reverse("web:programs")).content.decode()
    response = client.get(reverse("web:programs-template"), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('talentgap-programs.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == [column.name for column in ProgramImporter.columns] and "mobile" in header
    assert sheet.cell(row=2, column=1).value == "CN-GS-AVTC"
    assert workbook.worksheets[1].title == "Инструкция" or workbook.worksheets[1].max_row > len(header)

    row = {"program_code": "HARV", "program_title": "Harvester operators", "occupation_codes": "8341", "seats": 30,
           "intake_date": dt.date(2027, 2, 1), "graduation_date": dt.date(2027, 7, 15), "languages": "ru;kk",
           "serves_regions": "KZ-VOS", "mobile": "no"}
    for name, value in row.items():
        sheet.cell(row=2, column=header.index(name) + 1, value=value)
    filled = io.BytesIO()
    workbook.save(filled)
    upload = SimpleUploadedFile("programs.xlsx", filled.getvalue())
    assert client.post(reverse("web:programs-upload"), {"file": upload}).status_code == 302
    program = Program.objects.get(college=gansu, code="HARV")
    assert program.cohorts.get().seats == 30 and list(program.serves_regions.all()) == [regions["east"]]


def test_the_programs_template_is_for_college_staff(client, make_user, regions):
    client.force_login(make_user(Role.OFFICIAL, regions=[regions["east"]]))
    assert client.get(reverse("web:programs-template")).status_code == 404
    client.logout()
    assert client.get(reverse("web:programs-template")).status_code == 302


# --- Decisions, projects, recommendations ---------------------------------------------------------


def test_approving_and_rejecting_a_gap_ask_first(client, make_user, gap):  # noqa: F811
    client.force_login(make_user(Role.REVIEWER))
    html = client.get(reverse("web:gap", args=[gap.pk])).content.decode()
    assert 'data-confirm="Approve this gap?' in html and 'data-confirm="Reject this gap?' in html
    refused = client.post(reverse("web:gap-reject", args=[gap.pk]), {"comment": ""})
    assert refused.status_code == 422 and 'id="decide-errors"' in refused.content.decode()


def test_college_staff_trying_to_approve_are_told_in_their_terms(client, make_user, gap, gansu):  # noqa: F811
    client.force_login(make_user(Role.COLLEGE_STAFF, colleges=[gansu]))
    response = client.post(f"/api/v1/review/gaps/{gap.pk}/approve/", {}, content_type="application/json")
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "Colleges see the gap list" in detail and "officials may read" not in detail


def test_the_projects_filters_have_proper_labels(client, make_user):
    client.force_login(make_user(Role.REVIEWER))
    response = client.get(reverse("web:projects"), HTTP_ACCEPT_LANGUAGE="ru")
    form = response.context["filter"].form
    assert str(form.fields["overdue"].label) == "Просроченные условия"
    assert [value for value, _ in form.fields["overdue"].widget.choices] == ["unknown", "true", "false"]  # "unknown" is django-filter's "any"
    html = response.content.decode()
    assert "has a condition past due" not in html and "Unknown" not in html
    assert f'size="{len(form.fields["status"].choices)}"' in html  # every status shown whole


def test_a_past_need_date_is_marked_past(client, make_user, regions, occupations, gansu):
    from gaps.models import MatchRun, QuarterResults, Recommendation

    run = MatchRun.objects.create(quarter="2026Q1", status="succeeded")
    QuarterResults.objects.create(quarter="2026Q1", current_run=run)
    Recommendation.objects.create(
        run=run, quarter="2026Q1", kind="OPEN", college=gansu, college_code=gansu.code, occupation_code="8341",
        region=regions["east"], region_code="KZ-VOS", headcount=40, shortfall=40, salary_min=1, salary_max=2,
        currency="KZT", salary_min_cny=1, salary_max_cny=2, need_date=dt.date(2026, 1, 1), feasibility=1, score=1)
    client.force_login(make_user(Role.COLLEGE_STAFF, colleges=[gansu]))
    response = client.get(reverse("web:programs"), HTTP_ACCEPT_LANGUAGE="ru")
    assert [r.is_past for r in response.context["recommendations"]] == [True]
    assert 'status-past">прошло<' in response.content.decode()
    assert "1 января 2026 г." in response.content.decode()  # the one date style, not 01.01.2026


def test_sentences_show_names_first_with_the_codes_small():
    from django.template import Context, Template

    rendered = Template("{% load web_tags %}{{ s|small_codes }}").render(Context({"s": (
        "East Kazakhstan Region (KZ-VOS), 2027Q3: 120 Mobile farm operators (8341) from Centre (CN-GS-AVTC/FV-GRADE) "
        "<b> (80% interval 100–140) (Kz)")}))
    assert rendered == (
        'East Kazakhstan Region <span class="code">KZ-VOS</span>, 2027Q3: 120 Mobile farm operators '
        '<span class="code">8341</span> from Centre <span class="code">CN-GS-AVTC/FV-GRADE</span> '
        "&lt;b&gt; (80% interval 100–140) (Kz)")


@pytest.mark.parametrize(("language", "named"), [("kk", "2026 ж. 3-тоқсан"), ("zh-hans", "2026年第3季度")])
def test_quarters_are_named_not_coded_on_the_home_report_and_gap_pages(client, make_user, official, draft, gap,
                                                                       language, named):
    """A first-time official on a phone read "2026Q3" beside names in their language (issue 14): the
    home's reports table, its last-change time, a reviewer's queue summary, the report's and the gap's
    headings name the quarter."""
    from django.utils import timezone, translation

    from core import text
    from core.quarters import Quarter

    coming = str(Quarter.containing(timezone.localdate()).next())  # the quarter the home lists first
    services.report_create(region=draft.region, quarter=coming, user=official)
    with translation.override(language):
        coming_named, changed = text.quarter_name(coming), text.format_datetime(
            GapReport.objects.get(region=draft.region, quarter=coming).updated_at)
    client.force_login(official)
    home = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    table = home[home.index('id="reports-title"'):home.index("</table>")]
    assert f">{coming_named}</a>" in table and not re.search(r">\d{4}Q\d<", table)
    assert f">{changed}</time>" in table  # the one date style, not 12/03/2026
    assert 'class="stack"' in table  # a card per report on a phone: nothing cut off at the right
    report = client.get(report_url(draft.region), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", report, re.S).group(1)
    assert named in heading and QUARTER not in heading
    client.force_login(make_user(Role.REVIEWER))
    home = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    colon = "：" if language == "zh-hans" else ": "  # Chinese takes its full-width colon, no space after it
    assert f">{named}</a>{colon}1</li>" in home and not re.search(r">\d{4}Q\d<", home)  # each quarter links its gap list
    page = client.get(reverse("web:gap", args=[gap.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert named in heading and QUARTER not in heading
