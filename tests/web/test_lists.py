"""The list pages (web/lists.py, web/filters.py): each paginates with links that keep the filters,
filters by what people look for (region, occupation, status, quarter, a search over names in any
language and codes), and answers a bad filter or page value with a 400 that names the parameter
(the list still shows, the bad filter left out), never a 500. And the links between the objects:
report line -> gap -> decision -> project, and back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Role
from gaps.models import Gap, GapReport, GapReportLine, ReportStatus
from projects import services as project_services
from training.models import College, Program

from .conftest import _chain

QUARTER = "2026Q3"


@pytest.fixture
def many_gaps(regions, occupations):
    """31 undecided gaps of QUARTER in East Kazakhstan (30 occupations 7100-7129 and 8341), and one in Horgos."""
    east, horgos = regions["east"], regions["horgos"]
    gaps = []
    for n in range(30):
        occupation = _chain(f"71{n:02d}", {"en": f"Trade worker {n:02d}", "ru": f"Рабочий {n:02d}",
                                           "kk": f"Жұмысшы {n:02d}", "zh": f"工人 {n:02d}"})
        gaps.append(Gap.objects.create(region=east, quarter=QUARTER, occupation=occupation, headcount=100 + n,
                                       shortfall=100 + n, need_date=dt.date(2026, 8, 15)))
    gaps.append(Gap.objects.create(region=east, quarter=QUARTER, occupation=occupations["8341"], headcount=500,
                                   shortfall=400))
    gaps.append(Gap.objects.create(region=horgos, quarter=QUARTER, occupation=occupations["8341"], headcount=20,
                                   shortfall=20))
    return gaps


@pytest.fixture
def reviewer_client(client, make_user):
    client.force_login(make_user(Role.REVIEWER, first_name="Rustam", last_name="Nurlanov"))
    return client


def _gap_ids(response) -> list[int]:
    return [g.pk for g in response.context["gaps"]]


# --- The review queue / gap list ---------------------------------------------------------------------


def test_the_gap_list_pages_25_at_a_time_and_its_page_links_keep_the_filters(reviewer_client, many_gaps, regions):
    url = reverse("web:gaps")
    first = reviewer_client.get(url, {"quarter": QUARTER, "region": "KZ-VOS"})
    assert first.status_code == 200
    page = first.context["page"]
    assert page.paginator.count == 31 and len(page.object_list) == 25 and page.paginator.num_pages == 2
    html = first.content.decode()
    assert "1–25 of 31 rows" in html
    # The next page's link carries the quarter and the region.
    assert escape(page.next_url) in html
    assert "quarter=2026Q3" in page.next_url and "region=KZ-VOS" in page.next_url and "page=2" in page.next_url
    second = reviewer_client.get(url + page.next_url.split("#")[0])
    assert len(second.context["gaps"]) == 6
    assert set(_gap_ids(first)).isdisjoint(_gap_ids(second))
    assert all(g.region_id == regions["east"].pk for g in [*first.context["gaps"], *second.context["gaps"]])


def test_the_gap_list_filters_by_region_and_occupation_and_searches_names_in_any_language(
        reviewer_client, many_gaps, regions):
    url = reverse("web:gaps")
    by_occupation = reviewer_client.get(url, {"quarter": QUARTER, "occupation": "8341"})
    assert {g.region.code for g in by_occupation.context["gaps"]} == {"KZ-VOS", "CN-HORGOS"}
    both = reviewer_client.get(url, {"quarter": QUARTER, "occupation": "8341", "region": "CN-HORGOS"})
    assert _gap_ids(both) == [many_gaps[-1].pk]
    # A Russian occupation title, a Kazakh region name, a code: each finds its gaps.
    assert len(reviewer_client.get(url, {"quarter": QUARTER, "q": "рабочий 0"}).context["gaps"]) == 10
    assert _gap_ids(reviewer_client.get(url, {"quarter": QUARTER, "q": "Қорғас"})) == [many_gaps[-1].pk]
    assert {g.occupation_id for g in reviewer_client.get(url, {"quarter": QUARTER, "q": "8341"}).context["gaps"]} == {"8341"}
    nothing = reviewer_client.get(url, {"quarter": QUARTER, "q": "no such thing"})
    assert nothing.status_code == 200 and "No gap matches these filters." in nothing.content.decode()
    # The region and occupation choices are the ones the list holds, by name with the code beside it.
    choices = dict(both.context["filter"].form.fields["region"].choices)
    assert set(map(str, choices)) >= {"KZ-VOS", "CN-HORGOS"}
    html = reviewer_client.get(url, {"quarter": QUARTER}, HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Шығыс Қазақстан облысы (KZ-VOS)" in html


@pytest.mark.parametrize(("query", "param"), [
    ({"region": "ZZ-NOWHERE"}, "region"),
    ({"occupation": "99999"}, "occupation"),
    ({"page": "two"}, "page"),
    ({"page": "0"}, "page"),
    ({"quarter": "2026Q9"}, "quarter"),
])
def test_a_bad_gap_list_parameter_is_a_400_naming_it_and_the_list_still_shows(reviewer_client, many_gaps, query,
                                                                               param):
    response = reviewer_client.get(reverse("web:gaps"), {"quarter": QUARTER, **query})
    assert response.status_code == 400
    problems = response.context["problems"]
    assert [p.param for p in problems] == [param]
    assert f"“{param}”" in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert len(response.context["gaps"]) == 25  # the list, without the filter it could not use


def test_a_page_past_the_end_shows_the_last_page_with_a_note(reviewer_client, many_gaps):
    response = reviewer_client.get(reverse("web:gaps"), {"quarter": QUARTER, "page": "9"})
    assert response.status_code == 200 and response.context["page"].number == 2
    assert "There is no page 9" in response.content.decode()


def test_the_heatmap_counts_only_gaps_awaiting_a_decision_and_has_a_legend(reviewer_client, many_gaps, make_user):
    reviewer = make_user(Role.REVIEWER)
    decided = many_gaps[-2]  # East Kazakhstan, 8341: the largest shortfall (400)
    project_services.gap_reject(gap=decided, user=reviewer, comment="Seasonal, not a lasting need.")
    response = reviewer_client.get(reverse("web:gaps"), {"quarter": QUARTER})
    heatmap = response.context["heatmap"]
    shown = [cell["gap"] for row in heatmap["rows"] for cell in row["cells"] if cell["gap"]]
    assert decided not in shown and len(shown) == 31
    assert heatmap["max"] == 129  # the largest undecided shortfall, not the decided 400
    assert [step["shortfall"] for step in heatmap["legend"]] == [1, 13, 43, 129]
    html = response.content.decode()
    assert "decided gaps are not counted" in html and 'aria-label="Colour legend"' in html
    assert decided.pk not in _gap_ids(response)  # and the queue no longer lists it


# --- Decided gaps -------------------------------------------------------------------------------------


@pytest.fixture
def decided(many_gaps, make_user):
    reviewer = make_user(Role.REVIEWER, first_name="Aliya", last_name="Serikova", username="aliya")
    approved = project_services.gap_approve(gap=many_gaps[-2], user=reviewer, comment="Harvest 2026.")
    approved.title = "Harvest brigades for East Kazakhstan"  # as a reviewer may rename it
    approved.save(update_fields=["title"])
    project_services.gap_reject(gap=many_gaps[-1], user=reviewer, comment="Covered by Horgos' own colleges.")
    project_services.gap_reject(gap=many_gaps[0], user=reviewer, comment="A one-off order.")
    return {"project": approved, "approved": many_gaps[-2], "rejected": [many_gaps[-1], many_gaps[0]]}


def test_decided_gaps_do_not_vanish_they_are_listed_with_decision_reviewer_date_and_project(reviewer_client, decided):
    response = reviewer_client.get(reverse("web:gaps-decided"))
    assert response.status_code == 200
    assert set(_gap_ids(response)) == {decided["approved"].pk, *(g.pk for g in decided["rejected"])}
    html = response.content.decode()
    project = decided["project"]
    assert f'href="{reverse("web:project", args=[project.pk])}"' in html and escape(project.title) in html
    assert "Aliya Serikova" in html and "Approved" in html and "Rejected" in html
    assert "Covered by Horgos" in html  # a rejection's reason
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", html.split("<main", 1)[1])  # dates as "3 Dec 2026"
    # The review queue links to it.
    assert reverse("web:gaps-decided") in reviewer_client.get(reverse("web:gaps"), {"quarter": QUARTER}).content.decode()


def test_decided_gaps_filter_by_region_occupation_decision_and_search(reviewer_client, decided):
    url = reverse("web:gaps-decided")
    assert _gap_ids(reviewer_client.get(url, {"region": "CN-HORGOS"})) == [decided["rejected"][0].pk]
    assert set(_gap_ids(reviewer_client.get(url, {"occupation": "8341"}))) == {
        decided["approved"].pk, decided["rejected"][0].pk}
    assert _gap_ids(reviewer_client.get(url, {"decision": "approved"})) == [decided["approved"].pk]
    assert _gap_ids(reviewer_client.get(url, {"q": "Рабочий 00"})) == [decided["rejected"][1].pk]
    assert _gap_ids(reviewer_client.get(url, {"q": "harvest brigades"})) == [decided["approved"].pk]
    assert _gap_ids(reviewer_client.get(url, {"quarter": "2025Q1"})) == []
    bad = reviewer_client.get(url, {"decision": "maybe", "quarter": "Q3"})
    assert bad.status_code == 400 and {p.param for p in bad.context["problems"]} == {"decision", "quarter"}
    assert len(bad.context["gaps"]) == 3


def test_officials_see_their_regions_decided_gaps_and_college_staff_have_no_such_page(client, make_user, regions,
                                                                                      decided):
    client.force_login(make_user(Role.OFFICIAL, regions=[regions["horgos"]]))
    response = client.get(reverse("web:gaps-decided"))
    assert response.status_code == 200 and _gap_ids(response) == [decided["rejected"][0].pk]
    assert reverse("web:gaps-decided") in client.get(reverse("web:home")).content.decode()
    college = College.objects.create(code="GANSU-VC", name="Gansu Vocational College", country="CN")
    client.force_login(make_user(Role.COLLEGE_STAFF, colleges=[college]))
    assert client.get(reverse("web:gaps-decided")).status_code == 404


def test_the_gap_page_links_the_project_its_approval_created_and_the_report_it_came_from(
        reviewer_client, decided, regions):
    gap = decided["approved"]
    html = reviewer_client.get(reverse("web:gap", args=[gap.pk])).content.decode()
    assert f'href="{reverse("web:project", args=[decided["project"].pk])}"' in html
    report = reverse("web:report", kwargs={"region_code": "KZ-VOS", "quarter": QUARTER})
    assert f'href="{report}"' in html
    assert f'href="{reverse("web:gaps-decided")}?region=KZ-VOS"' in html
    # ... and the project links back to the gap.
    assert f'href="{reverse("web:gap", args=[gap.pk])}"' in reviewer_client.get(
        reverse("web:project", args=[decided["project"].pk])).content.decode()


# --- Projects, programs, the board, report lines -------------------------------------------------------


def test_the_projects_page_pages_filters_by_region_and_names_a_bad_filter(reviewer_client, many_gaps, make_user):
    reviewer = make_user(Role.REVIEWER)
    projects = [project_services.gap_approve(gap=gap, user=reviewer, comment="") for gap in many_gaps[:28]]
    projects.append(project_services.gap_approve(gap=many_gaps[-1], user=reviewer, comment=""))
    url = reverse("web:projects")
    first = reviewer_client.get(url)
    assert first.status_code == 200 and len(first.context["projects"]) == 25
    assert first.context["page"].paginator.count == 29
    horgos = reviewer_client.get(url, {"region": "CN-HORGOS"})
    assert [p.pk for p in horgos.context["projects"]] == [projects[-1].pk]
    html = horgos.content.decode()
    assert "Horgos (CN-HORGOS)" in html and "Region" in html
    assert "region code" not in html and "has a condition past due" not in html  # no internal help texts as labels
    assert "export/?format=csv&amp;region=CN-HORGOS" in html  # the export holds what the list holds
    bad = reviewer_client.get(url, {"region": "ZZ", "page": "x"})
    assert bad.status_code == 400 and {p.param for p in bad.context["problems"]} == {"region", "page"}
    assert "“region”" in bad.content.decode() and len(bad.context["projects"]) == 25
    assert "region=ZZ" not in bad.context["export_query"]


def test_the_programs_page_searches_filters_and_pages(client, make_user, occupations):
    college = College.objects.create(code="GANSU-VC", name="Gansu Vocational College", country="CN")
    other = College.objects.create(code="LUBAN-KZ", name="Luban Workshop Kazakhstan", country="KZ")
    for n in range(23):
        program = Program.objects.create(college=college, code=f"P{n:02d}", title=f"Welding {n:02d}",
                                         languages=["zh"], certifications=[])
        program.occupations.add(occupations["7411" if n % 2 else "8341"])
    Program.objects.create(college=other, code="HARV-1", title="Harvester operation", languages=["ru"],
                           certifications=[]).occupations.add(occupations["8341"])
    client.force_login(make_user(Role.REVIEWER))
    url = reverse("web:programs")
    first = client.get(url)
    assert first.status_code == 200 and len(first.context["programs"]) == 20
    assert first.context["page"].paginator.count == 24
    assert [p.code for p in client.get(url, {"q": "harvester"}).context["programs"]] == ["HARV-1"]
    assert [p.code for p in client.get(url, {"college": "LUBAN-KZ"}).context["programs"]] == ["HARV-1"]
    electricians = client.get(url, {"occupation": "7411"}).context["page"]
    assert electricians.paginator.count == 11
    assert len(client.get(url, {"q": "Электрики"}).context["page"].object_list) == 11  # a Russian occupation title
    bad = client.get(url, {"college": "NOPE"})
    assert bad.status_code == 400 and "“college”" in bad.content.decode()


def test_a_reports_lines_page_50_at_a_time_and_can_be_searched(client, make_user, regions, occupations):
    region = regions["east"]
    report = GapReport.objects.create(region=region, quarter=QUARTER, status=ReportStatus.DRAFT)
    for n in range(1, 61):
        GapReportLine.objects.create(report=report, line_no=n, occupation_id="8341" if n <= 55 else "7411",
                                     occupation_title="combine operator" if n <= 55 else "site electrician",
                                     headcount=5, salary_min=250000, salary_max=300000, currency="KZT",
                                     languages=["ru"])
    client.force_login(make_user(Role.OFFICIAL, regions=[region]))
    url = reverse("web:report", kwargs={"region_code": region.code, "quarter": QUARTER})
    first = client.get(url)
    assert [line.line_no for line in first.context["lines"]] == list(range(1, 51))
    second = client.get(url, {"lines_page": 2})
    assert [line.line_no for line in second.context["lines"]] == list(range(51, 61))
    assert [line.line_no for line in client.get(url, {"lines_q": "электрик"}).context["lines"]] == list(range(56, 61))
    assert [line.line_no for line in client.get(url, {"lines_q": "7411"}).context["lines"]] == list(range(56, 61))
    bad = client.get(url, {"lines_page": "last"})
    assert bad.status_code == 400 and "“lines_page”" in bad.content.decode()


def test_an_officials_home_starts_the_due_quarters_report_and_reaches_every_past_quarter(client, make_user,
                                                                                        regions):
    from core.quarters import Quarter
    from web.selectors import current_quarter

    region = regions["east"]
    for quarter in ("2024Q1", "2025Q2", "2026Q1"):
        GapReport.objects.create(region=region, quarter=quarter, status=ReportStatus.SUBMITTED)
    client.force_login(make_user(Role.OFFICIAL, regions=[region]))
    html = client.get(reverse("web:home")).content.decode()
    for quarter in ("2024Q1", "2025Q2", "2026Q1"):
        assert f'href="{reverse("web:report", args=[region.code, quarter])}"' in html
    # The current quarter has no report: it is the one to start (due by its last day), not the next.
    due = Quarter.parse(current_quarter())
    assert f'href="{reverse("web:report", args=[region.code, str(due)])}">Start the report for' in html
    # A report page reaches the quarters around it and every quarter with a report.
    page = client.get(reverse("web:report", args=[region.code, "2025Q2"])).content.decode()
    for quarter in ("2025Q1", "2025Q3", "2024Q1", "2026Q1"):
        assert f'href="{reverse("web:report", args=[region.code, quarter])}"' in page


def test_the_board_filters_by_region_and_occupation(client, make_user, regions, occupations):
    from django.utils import timezone

    from gaps.models import WarningStatus

    from ..warning import factories as f

    today = timezone.localdate()
    f.warning(regions["east"], "8341", "2027Q3", status=WarningStatus.ACT_NOW, today=today)
    f.warning(regions["east"], "7411", "2027Q4", status=WarningStatus.PLAN, today=today)
    f.warning(regions["horgos"], "8341", "2027Q3", status=WarningStatus.PLAN, today=today)
    client.force_login(make_user(Role.REVIEWER))
    url = reverse("web:warnings")

    def shown(**query):
        response = client.get(url, query)
        assert response.status_code == 200, query
        return sorted((row.warning.region.code, row.warning.occupation_id) for row in response.context["rows"])

    assert len(shown()) == 3
    assert shown(region="CN-HORGOS") == [("CN-HORGOS", "8341")]
    assert shown(occupation="7411") == [("KZ-VOS", "7411")]
    assert shown(q="Электрики") == [("KZ-VOS", "7411")]
    assert shown(status="act_now", quarter="2027Q3") == [("KZ-VOS", "8341")]
    html = client.get(url).content.decode()
    assert "Last day to act" in html and ">Act by<" not in html
    ru = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Последний день для действий" in ru and "действовать до" not in ru.split("ew-board", 1)[1]


def test_the_season_and_quarter_filters_offer_the_quarters_held_by_name(client, make_user, regions, occupations):
    """The board's "Season" and the decided gaps' "Quarter" were boxes to type "2027Q3" into ("For
    example 2027Q3"): they now offer the quarters the list holds, named in the reader's language; the
    value stays the code, so links keep working, and a malformed one still names the parameter."""
    from django.utils import timezone

    from gaps.models import WarningStatus

    from ..warning import factories as f

    today = timezone.localdate()
    f.warning(regions["east"], "8341", "2027Q4", status=WarningStatus.PLAN, today=today)
    f.warning(regions["horgos"], "8341", "2027Q3", status=WarningStatus.ACT_NOW, today=today)
    client.force_login(make_user(Role.REVIEWER))
    url = reverse("web:warnings")

    def options(html: str) -> list[tuple[str, str]]:
        select = html.split('name="quarter"', 1)[1].split("</select>", 1)[0]
        return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)

    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert options(zh) == [("", "全部季节"), ("2027Q3", "2027年第3季度"), ("2027Q4", "2027年第4季度")]
    assert "2027Q3；" not in zh and "For example" not in zh
    chosen = client.get(url, {"quarter": "2027Q4"})
    assert [row.warning.quarter for row in chosen.context["rows"]] == ["2027Q4"]
    assert re.search(r'<option value="2027Q4"[^>]*selected', chosen.content.decode())
    assert options(chosen.content.decode())[0] == ("", "All seasons")
    bad = client.get(url, {"quarter": "Q3"})
    assert bad.status_code == 400 and {p.param for p in bad.context["problems"]} == {"quarter"}

    decided_url = reverse("web:gaps-decided")
    empty = client.get(decided_url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert options(empty) == [("", "Все кварталы")]  # nothing decided yet: no quarter to offer
