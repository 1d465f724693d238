"""Who sees what on the pages: the permission matrix of the web pages (like tests/api's for the API),
and what the gap page shows each role (SPEC.md, "Users and what each may do").

College staff see the aggregate gap list and the recommendations addressed to their own colleges:
never another college's recommendations or flags, a region's raw report lines, or the reviewer's
decision (its comment, who took it, the project) unless the project names their college.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gaps.models import Flag, Gap, MatchRun, QuarterResults, Recommendation
from web.templatetags.web_tags import small_codes as shown  # a sentence as the page shows it (codes small)
from tests.api.conftest import ROLES, World, world  # noqa: F401 (the API tests' world: regions A/B, colleges X/Y)

QUARTER = "2026Q2"  # the quarter of the world's submitted reports

SECRET_LINE = "combine harvester operator"  # the title of every line of the world's reports
SECRET_COMMENT = "Decided on the confidential harvest estimate."


@pytest.fixture
def evidence(world: World):
    """A gap of region A with a flag and a recommendation for each of colleges X and Y, decided with a comment."""
    from projects import services as project_services

    run = MatchRun.objects.create(quarter=QUARTER, status="succeeded")
    QuarterResults.objects.create(quarter=QUARTER, current_run=run)
    gap = Gap.objects.create(region=world.regions["A"], quarter=QUARTER, occupation_id="8341", headcount=120,
                             covered=20, shortfall=100, need_date=dt.date(2026, 8, 15))
    common = dict(run=run, quarter=QUARTER, region=world.regions["A"], region_code="KZ-VOS", occupation_code="8341")
    for key, code in (("X", "LUBAN-KZ"), ("Y", "GANSU-VC")):
        college, program = world.colleges[key], world.programs[key]
        Flag.objects.create(kind="LANGUAGE_MISMATCH", college=college, college_code=code, program=program,
                            program_code=program.code, headcount=120, count=20, **common)
        Recommendation.objects.create(kind="EXPAND", college=college, college_code=code, headcount=120,
                                      shortfall=100, score=100, salary_min=250000, salary_max=400000,
                                      currency="KZT", salary_min_cny=3500, salary_max_cny=5600,
                                      need_date=dt.date(2026, 8, 15), feasibility=1, **common)
    project = project_services.gap_approve(gap=gap, user=world.users["reviewer"], comment=SECRET_COMMENT)
    return {"gap": gap, "project": project}


def _page(world: World, role: str, url: str):
    from django.test import Client

    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client.get(url)


def test_college_staff_see_only_their_own_colleges_business_on_the_gap_page(world, evidence):
    url = reverse("web:gap", args=[evidence["gap"].pk])
    response = _page(world, "staff_y", url)  # college Y: not named by the project (lead is none), not X
    assert response.status_code == 200
    html = response.content.decode()
    own, other = (Recommendation.objects.get(college_code=code) for code in ("GANSU-VC", "LUBAN-KZ"))
    assert shown(own.detail) in html  # their own recommendation, as its sentence
    assert shown(other.detail) not in html and "LUBAN-KZ/HARV-1 " not in html  # another college's recommendation and flag
    assert SECRET_LINE not in html  # the region's raw report lines
    assert SECRET_COMMENT not in html and evidence["project"].title not in html  # the decision
    evidence_shown = response.context["evidence"]
    assert evidence_shown["report_lines"] == []
    assert {r["college_code"] for r in evidence_shown["recommendations"]} == {"GANSU-VC"}
    assert {f["college_code"] for f in evidence_shown["flags"]} == {"GANSU-VC"}


@pytest.mark.parametrize("role", ["official_a", "reviewer", "admin"])
def test_the_regions_officials_and_reviewers_see_all_the_evidence(world, evidence, role):
    html = _page(world, role, reverse("web:gap", args=[evidence["gap"].pk])).content.decode()
    for code in ("GANSU-VC", "LUBAN-KZ"):
        assert shown(Recommendation.objects.get(college_code=code).detail) in html
    assert SECRET_LINE in html and SECRET_COMMENT in html and evidence["project"].title in html


# --- The permission matrix of the pages ------------------------------------------------------------
#
# Read a row as: "<role> asking for <page> gets <status>". 302 for anonymous is the login redirect;
# a region's or college's object another user may not see is 404 (its existence does not leak),
# a page the role may reach but not use is 403. Reports: the world's submitted report of region A
# (2026Q2); an upload without a file is 422 for those who may file it. Programs are the colleges'
# workspace (officials read the published programs through the API). The project: the one the
# reviewer's approval created for region A's gap, which names no college yet (404 to college staff).
# The export is the API's (session auth: 403 for anonymous); its rows are scoped like the list.
# Decided gaps: reviewers' and officials' (their regions' rows, test below); college staff do not
# read decisions, so the page is not theirs. The results fragment opened without htmx sends those who
# may read it to the report page (302).

#  page               anonymous official_a official_b staff_x staff_y reviewer admin
PAGES = """
   home               302  200  200  200  200  200  200
   gaps               302  404  404  200  200  200  200
   gaps-decided       302  200  200  404  404  200  200
   gap                302  200  404  200  200  200  200
   gap-approve        302  403  404  403  403  302  302
   report             302  200  404  404  404  200  200
   report-results     302  302  404  404  404  302  302
   report-template    302  200  404  404  404  200  200
   report-upload      302  422  404  404  404  403  422
   programs           302  404  404  200  200  200  200
   program-edit       302  404  404  200  404  404  404
   projects           302  200  200  200  200  200  200
   project            302  200  404  404  404  200  200
   project-export     403  200  200  200  200  200  200
"""


def _url(page: str, world: World, evidence: dict) -> tuple[str, str]:
    """(method, url) of a page of the matrix."""
    report = dict(region_code="KZ-VOS", quarter=QUARTER)
    undecided = Gap.objects.get_or_create(region=world.regions["A"], quarter=QUARTER, occupation_id="8344",
                                          defaults={"headcount": 5, "shortfall": 5})[0]
    return {
        "home": ("get", reverse("web:home")),
        "gaps": ("get", reverse("web:gaps") + f"?quarter={QUARTER}"),
        "gaps-decided": ("get", reverse("web:gaps-decided")),
        "gap": ("get", reverse("web:gap", args=[evidence["gap"].pk])),
        "gap-approve": ("post", reverse("web:gap-approve", args=[undecided.pk])),
        "report": ("get", reverse("web:report", kwargs=report)),
        "report-results": ("get", reverse("web:report-results", kwargs=report)),
        "report-template": ("get", reverse("web:report-template", kwargs=report)),
        "report-upload": ("post", reverse("web:report-upload", kwargs=report)),
        "programs": ("get", reverse("web:programs")),
        "program-edit": ("get", reverse("web:program-edit", args=[world.programs["X"].pk])),
        "projects": ("get", reverse("web:projects")),
        "project": ("get", reverse("web:project", args=[evidence["project"].pk])),
        "project-export": ("get", "/api/v1/projects/export/?format=csv"),
    }[page]


PAGE_CASES = [
    pytest.param(page, role, int(status), id=f"{page}-{role}")
    for page, *statuses in (row.split() for row in PAGES.strip().splitlines())
    for role, status in zip([r for r in ROLES], statuses)
]


@pytest.mark.parametrize(("page", "role", "status"), PAGE_CASES)
def test_page_permission_matrix(world, evidence, page, role, status):
    from django.test import Client

    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    method, url = _url(page, world, evidence)
    response = getattr(client, method)(url)
    assert response.status_code == status, f"{role} {method.upper()} {url}"


@pytest.mark.parametrize(("role", "sees"), [("official_a", True), ("official_b", False), ("staff_x", False),
                                            ("staff_y", False), ("reviewer", True)])
def test_the_project_export_holds_only_the_projects_the_role_may_read(world, evidence, role, sees):
    from django.test import Client

    client = Client()
    client.force_login(world.users[role])
    content = client.get("/api/v1/projects/export/?format=csv").content.decode()
    assert (evidence["project"].title in content) is sees


@pytest.mark.parametrize(("role", "sees"), [("official_a", True), ("official_b", False), ("reviewer", True),
                                            ("admin", True)])
def test_the_decided_gaps_list_holds_only_the_regions_the_role_may_read(world, evidence, role, sees):
    response = _page(world, role, reverse("web:gaps-decided"))
    assert response.status_code == 200
    assert (evidence["gap"].pk in [g.pk for g in response.context["gaps"]]) is sees
    assert (SECRET_COMMENT in response.content.decode()) is False  # an approval's comment stays on the gap page
