"""A title typed on the report page and not picked from the list: coded only when the search is
sure, and then the page says which group it chose and offers the next ones (issue 15, point 3)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from gaps import search, services
from gaps.models import GapReport, OccupationLabel, ReportStatus
from gaps.taxonomy.text import normalize

from .test_views import QUARTER, VALID_LINE, report_url

# A few labels for the web fixture's unit groups (tests/web/conftest.py: 8341, 7543, 7411).
LABELS = {
    "8341": ["tractor driver", "тракторист", "комбайнер", "combine harvester operator"],
    "7543": ["tractor test driver", "quality inspector"],
    "7411": ["electrician", "электрик", "helper", "рабочий"],  # ESCO has "helper" labels too
}


@pytest.fixture
def labelled(occupations, settings):
    for code, labels in LABELS.items():
        for label in labels:
            OccupationLabel.objects.create(
                occupation=occupations[code], language="ru" if not label.isascii() else "en", label=label,
                normalized=normalize(label), source="TALENTGAP",
            )
    settings.OCCUPATION_CODING_THRESHOLD = 0.9
    search.invalidate_index()
    yield occupations
    search.invalidate_index()


@pytest.fixture
def official(make_user, regions):
    return make_user(Role.OFFICIAL, regions=[regions["east"]], username="aigerim")


@pytest.fixture
def official_client(client, official):
    client.force_login(official)
    return client


def typed(title: str) -> dict:
    return VALID_LINE | {"occupation_query": title, "occupation_code": ""}


def test_a_typed_title_the_search_is_sure_of_is_coded_and_the_page_says_so(official_client, regions, labelled):
    response = official_client.post(report_url(regions["east"], action="line-add"), typed("tractor driver"), follow=True)

    line = GapReport.objects.get(region=regions["east"]).lines.get()
    assert line.occupation_id == "8341" and line.is_auto_coded
    assert 0.9 <= line.coding_confidence < 1
    html = response.content.decode()
    assert "was coded as Mobile farm and forestry plant operators (8341)" in html
    assert "Coded automatically from the title “tractor driver”" in html
    assert "Change the occupation" in html
    # The next candidate is one click away, as a form that codes the line.
    code_url = reverse("web:report-line-code", args=["KZ-VOS", QUARTER, 1])
    assert f'action="{code_url}"' in html
    assert 'name="occupation_code" value="7543"' in html


def test_picking_another_candidate_recodes_the_line_as_a_persons_choice(official_client, regions, labelled):
    official_client.post(report_url(regions["east"], action="line-add"), typed("tractor driver"))
    url = reverse("web:report-line-code", args=["KZ-VOS", QUARTER, 1])

    official_client.post(url, {"occupation_code": "7543"})

    line = GapReport.objects.get(region=regions["east"]).lines.get()
    assert (line.occupation_id, line.coding_confidence, line.is_auto_coded) == ("7543", 1.0, False)
    html = official_client.get(report_url(regions["east"])).content.decode()
    assert "Coded automatically" not in html


def test_below_the_threshold_a_typed_title_stays_uncoded_with_its_candidates(official_client, regions, labelled, settings):
    settings.OCCUPATION_CODING_THRESHOLD = 1.01  # nothing is sure enough

    response = official_client.post(report_url(regions["east"], action="line-add"), typed("tractor driver"), follow=True)

    line = GapReport.objects.get(region=regions["east"]).lines.get()
    assert line.occupation_id is None and line.occupation_title == "tractor driver"
    assert line.coding_confidence is not None
    html = response.content.decode()
    assert "added without an occupation" in html
    assert "Not coded yet" in html
    assert "Occupations the title may mean:" in html
    assert 'name="occupation_code" value="8341"' in html
    assert "strong match" in html


@pytest.mark.parametrize("title", ["<b>helper</b>", "helper", "рабочий"])
def test_a_generic_title_is_never_coded_silently(official_client, regions, labelled, settings, title):
    settings.OCCUPATION_CODING_THRESHOLD = 0.0  # even a threshold of nothing does not code it

    response = official_client.post(report_url(regions["east"], action="line-add"), typed(title), follow=True)

    line = GapReport.objects.get(region=regions["east"]).lines.get()
    assert line.occupation_id is None
    assert line.occupation_title == title
    html = response.content.decode()
    assert "<b>helper</b>" not in html  # shown as text, never as markup
    assert "added without an occupation" in html


def test_a_picked_code_is_not_called_automatic(official_client, regions, labelled):
    response = official_client.post(report_url(regions["east"], action="line-add"), VALID_LINE, follow=True)

    line = GapReport.objects.get(region=regions["east"]).lines.get()
    assert line.occupation_id == "8341" and not line.is_auto_coded
    assert "Coded automatically" not in response.content.decode()


def test_a_submitted_reports_automatic_code_says_how_to_change_it(official_client, official, regions, labelled):
    report = services.report_create(region=regions["east"], quarter=QUARTER, user=official)
    services.report_line_add(
        report=report, user=official, occupation=labelled["8341"], occupation_title="тракторист", coding_confidence=0.95,
        headcount=5, salary_min=1, salary_max=2, currency="KZT",
    )
    services.report_submit(report=report, user=official)

    html = official_client.get(report_url(regions["east"])).content.decode()

    assert "Coded automatically from the title “тракторист”" in html
    assert "amend the report" in html
    assert "Change the occupation" not in html
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_a_reviewer_sees_the_automatic_code_without_candidates(client, make_user, official, regions, labelled):
    report = services.report_create(region=regions["east"], quarter=QUARTER, user=official)
    services.report_line_add(
        report=report, user=official, occupation=labelled["8341"], occupation_title="тракторист", coding_confidence=0.95,
        headcount=5, salary_min=1, salary_max=2, currency="KZT",
    )
    client.force_login(make_user(Role.REVIEWER))

    html = client.get(report_url(regions["east"])).content.decode()

    assert "Coded automatically" in html
    assert "Change the occupation" not in html and 'value="7543"' not in html


def test_the_search_list_shows_how_well_each_group_matches(official_client, labelled):
    html = official_client.get(reverse("web:occupation-search"), {"q": "tractor driver"}).content.decode()

    assert 'data-code="8341"' in html
    assert "strong match" in html and "1.00" in html

    ru = official_client.get(reverse("web:occupation-search"), {"q": "tractor driver"}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "точное совпадение" in ru and "1,00" in ru


def test_the_search_list_does_not_pad_with_unrelated_groups(official_client, labelled):
    html = official_client.get(reverse("web:occupation-search"), {"q": "электрик"}).content.decode()

    assert 'data-code="7411"' in html
    assert 'data-code="8341"' not in html and 'data-code="7543"' not in html
