"""What a first-time official, college staffer or reviewer reads on the demo's pages, in each
language (issue 14 follow-up: the screenshots of tests/web/screens.py, read page by page).

Names before codes: a quarter as people say it ("Q4 2026", not "2026Q4"), a recommendation's kind
by its name ("Open", not "OPEN"), a program's form headed by the program's title; a percentage
written as the language writes it; a deadline with its date and whether it passed.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from .test_no_raw_values_on_pages import LANGUAGES, VisibleText, pages_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def warned_demo(demo_world, django_db_blocker):
    """The demo dated DAY with its early warning computed for that day (load_demo leaves that to a
    worker), inside demo_world's transaction: rolled back with it."""
    from gaps.warning.services import early_warning_compute

    from .conftest import DAY

    with django_db_blocker.unblock():
        early_warning_compute(today=DAY)
    return demo_world

QUARTER_CODE = re.compile(r"(?<![\w/])\d{4}Q[1-4](?![\w/])")
KIND_CODE = re.compile(r"\b(RETOOL|EXPAND|OPEN|RESCHEDULE|ALIGN_CERTIFICATION|ADD_LANGUAGE)\b")
# The training plan's page belongs to another change (its uncovered entries still show the quarter's
# code); the filter forms' hints show the code on purpose: it is what the quarter field takes.
NOT_READ = ("/plan/",)


class ReadText(VisibleText):
    """The visible text outside forms (a filter's hint shows a quarter code on purpose: the field takes it)."""

    HIDDEN = VisibleText.HIDDEN | {"form"}


def read_text(html: str) -> str:
    parser = ReadText()
    parser.feed(html)
    return "\n".join(parser.parts)


def client_for(username: str, language: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies["django_language"] = language
    return client


def more_pages(username: str) -> list[str]:
    """pages_of() and the pages a first-time reader opens next: decided gaps, warnings, a warning,
    a project, a report line."""
    from gaps.models import EarlyWarning
    from projects.models import CooperationProject

    urls = [url for url in pages_of(username) if not url.startswith(NOT_READ)]
    urls += ["/projects/", "/early-warnings/", "/gaps/decided/"]
    warning = EarlyWarning.objects.filter(region__code="KZ-VOS").order_by("pk").first()
    if warning is not None:
        urls.append(f"/early-warnings/{warning.pk}/")
    project = CooperationProject.objects.order_by("pk").first()
    urls.append(f"/projects/{project.pk}/")
    if username.startswith("official."):
        urls.append("/reports/KZ-VOS/2026Q4/lines/1/edit/")
    return list(dict.fromkeys(urls))


@pytest.mark.parametrize("username", ["official.vko", "college.gansu", "reviewer"])
def test_pages_name_quarters_and_recommendation_kinds_not_their_codes(warned_demo, username):
    problems = {}
    read = 0
    for language in LANGUAGES:
        client = client_for(username, language)
        for url in more_pages(username):
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            read += 1
            text = read_text(response.content.decode())
            found = [line[:160] for line in text.splitlines() if QUARTER_CODE.search(line) or KIND_CODE.search(line)]
            if found:
                problems[f"{url} [{language}]"] = found
    assert read >= 20  # the pages were really read
    assert not problems, problems


def test_the_scan_finds_codes():
    text = read_text('<p>Horgos · 2026Q1</p><p><span>OPEN</span> Operators</p><p>Q1 2026, HARV-OP, /reports/KZ-VOS/2026Q4/</p>'
                     '<form><p class="hint">For example 2027Q3</p></form>')
    assert [line for line in text.splitlines() if QUARTER_CODE.search(line) or KIND_CODE.search(line)] == [
        "Horgos · 2026Q1", "OPEN"]


def test_english_percentages_have_no_space_before_the_sign(warned_demo):
    from projects.models import CooperationProject

    project = CooperationProject.objects.exclude(results={}).order_by("pk").first()
    assert project is not None
    for url in ("/projects/", f"/projects/{project.pk}/"):
        text = read_text(client_for("reviewer", "en").get(url).content.decode())
        assert "%" in text
        assert not re.search(r"\d %", text), [line for line in text.splitlines() if re.search(r"\d %", line)]
        russian = read_text(client_for("reviewer", "ru").get(url).content.decode())
        assert re.search(r"\d\u00a0%", russian)  # Russian keeps its (non-breaking) space


def test_the_warning_page_writes_the_interval_as_the_language_does(warned_demo):
    from gaps.models import EarlyWarning

    warning = EarlyWarning.objects.filter(forecast_low__isnull=False, region__code="KZ-VOS").order_by("pk").first()
    assert warning is not None
    english = read_text(client_for("official.vko", "en").get(f"/early-warnings/{warning.pk}/").content.decode())
    assert "80% interval" in english and "80 % interval" not in english


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_programs_form_is_headed_by_the_programs_title(warned_demo, language):
    from training.models import Program

    program = Program.objects.get(college__code="CN-GS-AVTC", code="FV-GRADE")
    html = client_for("college.gansu", language).get(f"/programs/{program.pk}/edit/").content.decode()
    h1 = re.sub(r"<[^>]+>", "", html[html.index("<h1"):html.index("</h1>")])
    # The title in the reader's language (the demo gives it in each), the stored one in English.
    title = program.title if language == "en" else program.title_translations[language]
    assert title in h1, h1
    assert h1.index(title) < h1.index("FV-GRADE"), h1  # the name, then the code


def test_home_gives_the_earliest_day_to_act_and_says_when_nothing_is_urgent(warned_demo, make_user):
    from django.db.models import Min
    from django.utils import timezone

    from core import text
    from gaps import warning_selectors
    from gaps.models import WarningStatus

    User = get_user_model()
    official = User.objects.get(username="official.vko")
    urgent = warning_selectors.warnings_visible_to(official).filter(status=WarningStatus.ACT_NOW)
    assert urgent.exists()
    # The earliest of the act-now entries' act-by and the short-course-only entries' short-course day.
    short = warning_selectors.warnings_visible_to(official).filter(status=WarningStatus.SHORT_COURSE_ONLY)
    first = min(d for d in (urgent.aggregate(first=Min("act_by"))["first"],
                            short.aggregate(first=Min("short_course_by"))["first"]) if d)
    page = read_text(client_for("official.vko", "en").get("/").content.decode())
    expected = text.format_act_by(first, today=timezone.localdate(), language="en")
    assert f"Earliest deadline: {expected}." in page, page

    # An official of a region without an urgent entry (Zhetisu reports nothing in the demo).
    from gaps.models import Region

    calm = make_user("official", regions=[Region.objects.get(code="KZ-ZHT")], username="official.zht")
    assert not warning_selectors.warnings_visible_to(calm).filter(status__in=[WarningStatus.ACT_NOW, WarningStatus.SHORT_COURSE_ONLY]).exists()
    page = read_text(client_for(calm.username, "en").get("/").content.decode())
    assert "0 coming shortfalls" not in page
    assert "No coming shortfall must be acted on now" in page


def test_the_reports_results_say_when_the_day_workers_were_needed_has_passed(warned_demo):
    from django.utils import timezone

    # The report page loads its results section by htmx.
    html = client_for("official.vko", "en").get("/reports/KZ-VOS/2026Q4/results/", HTTP_HX_REQUEST="true").content.decode()
    section = html[html.index('id="results"'):]
    rows = re.findall(r"<tr>(.*?)</tr>", section[:section.index("</table>")], re.S)
    past = [row for row in rows if "days late" in row or "day late" in row]
    assert past, "no line of 2026Q4 is past its need date"
    assert timezone.localdate().isoformat() > "2026-11-15"  # the harvester line's season began 15 Nov 2026
    assert any("Mobile Farm and Forestry Plant Operators" in row or "8341" in row for row in past)


def test_the_season_chart_labels_rows_by_name_not_code(warned_demo):
    html = client_for("official.vko", "en").get("/reports/KZ-VOS/2026Q4/").content.decode()
    labels = re.findall(r'class="row-label">([^<]*)<', html)
    assert labels
    assert not any(re.match(r"\d{4} ", label) for label in labels), labels


def test_a_generated_chinese_project_title_reads_without_spaces_or_codes(warned_demo):
    from projects.models import CooperationProject

    project = CooperationProject.objects.filter(origin_gap__isnull=False).order_by("pk").first()
    html = client_for("reviewer", "zh-hans").get(f"/projects/{project.pk}/").content.decode()
    h1 = re.sub(r"<[^>]+>", "", html[html.index("<h1"):html.index("</h1>")]).strip()
    assert " 的 " not in h1 and not QUARTER_CODE.search(h1), h1
    assert "季度" in h1, h1


def _alashankou_gap():
    from gaps.models import Gap

    gap = Gap.objects.filter(region__code="CN-XJ-ALS", occupation__code="9333").order_by("-quarter").first()
    assert gap is not None and gap.need_date is not None
    return gap


def test_a_gap_page_reads_plainly(warned_demo):
    """Alashankou's freight handlers (needed from 2 Dec 2026, paid in CNY, Chinese required): the
    passed need date says so, the salary is written once, the language is named, and each
    recommendation says which college it is for."""
    from django.utils import timezone

    gap = _alashankou_gap()
    html = client_for("reviewer", "en").get(f"/gaps/{gap.pk}/").content.decode()
    page = read_text(html)
    assert gap.need_date < timezone.localdate()
    need = page[page.index("Earliest need"):].splitlines()
    assert "late" in " ".join(need[1:3]), need[:3]
    lines = html[html.index("Report lines"):html.index("Mismatches")]
    cells = [re.sub(r"<[^>]+>", " ", cell).split() for cell in re.findall(r"<td[^>]*>(.*?)</td>", lines, re.S)]
    assert ["zh"] not in cells and "Chinese" in read_text(lines), cells
    assert read_text(lines).count("4,500–5,500 CNY") == 1
    recommendations = html[html.index(">Recommendations<"):html.index("Colleges that train")]
    sentences = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
                 for item in re.findall(r"<li>(.*?)</li>", recommendations, re.S)]
    assert sentences and len(sentences) == len(set(sentences)), sentences
