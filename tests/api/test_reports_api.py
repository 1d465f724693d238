"""Reports and report lines through the API: input validation, transitions, mass assignment, coding."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gaps.models import GapReport, ReportStatus

from .factories import line_json

pytestmark = pytest.mark.django_db


def detail(name, pk, action=None):
    return reverse(f"{name}-{action or 'detail'}", args=[pk])


class TestCreate:
    def test_it_opens_a_draft_with_lines(self, world):
        client = world.client("official_a")
        response = client.post(
            reverse("report-list"),
            {"region": "KZ-VOS", "quarter": "2026Q4", "lines": [line_json(), line_json(occupation="7515", headcount=3)]},
            format="json",
        )
        assert response.status_code == 201, response.data
        assert response.data["status"] == "draft"
        assert response.data["created_by"] == "official_a"
        assert [line["line_no"] for line in response.data["lines"]] == [1, 2]
        assert [line["occupation"] for line in response.data["lines"]] == ["8341", "7515"]

    def test_it_returns_the_open_draft_instead_of_a_second_one(self, world):
        response = world.client("official_a").post(reverse("report-list"), {"region": "KZ-VOS", "quarter": "2026Q3"}, format="json")
        assert response.status_code == 200
        assert response.data["id"] == world.reports["A_draft"].pk
        assert GapReport.objects.filter(region=world.regions["A"], quarter="2026Q3", status="draft").count() == 1

    def test_lines_for_an_existing_draft_with_lines_are_a_conflict(self, world):
        response = world.client("official_a").post(
            reverse("report-list"), {"region": "KZ-VOS", "quarter": "2026Q3", "lines": [line_json()]}, format="json"
        )
        assert response.status_code == 409
        assert "draft" in response.data["detail"]
        assert world.reports["A_draft"].lines.count() == 1

    @pytest.mark.parametrize(
        "payload, field, fragment",
        [
            ({"region": "XX-NONE", "quarter": "2026Q4"}, "region", "XX-NONE"),
            ({"region": "KZ-VOS", "quarter": "2026Q5"}, "quarter", "2026Q3"),
            ({"region": "KZ-VOS"}, "quarter", "required"),
        ],
    )
    def test_bad_report_fields_name_the_field(self, world, payload, field, fragment):
        response = world.client("official_a").post(reverse("report-list"), payload, format="json")
        assert response.status_code == 400
        assert fragment in str(response.data[field])

    @pytest.mark.parametrize(
        "overrides, field",
        [
            ({"headcount": 0}, "headcount"),
            ({"headcount": 100001}, "headcount"),
            ({"salary_min": "500", "salary_max": "100"}, "salary_max"),
            ({"salary_min": "-1"}, "salary_min"),
            ({"season_start": "2026-10-01", "season_end": "2026-09-01"}, "season_end"),
            ({"occupation": "9999"}, "occupation"),
            ({"occupation": "834"}, "occupation"),  # a minor group, not a unit group
            ({"occupation": None, "occupation_title": ""}, "occupation"),
            ({"currency": "tenge"}, "currency"),
            ({"languages": ["russian"]}, "languages"),
            ({"sector": "Z"}, "sector"),
            ({"season_start": "15/08/2026"}, "season_start"),
        ],
    )
    def test_bad_lines_name_the_line_and_field(self, world, overrides, field):
        lines = [line_json(), line_json(**overrides)]
        response = world.client("official_a").post(
            reverse("report-list"), {"region": "KZ-VOS", "quarter": "2026Q4", "lines": lines}, format="json"
        )
        assert response.status_code == 400, response.data
        # Errors are keyed by the line's position (0-based): only the bad one is named.
        assert list(response.data["lines"]) == [1]
        assert field in response.data["lines"][1]
        assert not GapReport.objects.filter(quarter="2026Q4").exists()

    def test_a_line_with_only_a_title_is_kept_uncoded_or_coded_never_dropped(self, world):
        response = world.client("official_a").post(
            reverse("report-line-list"),
            {"report": world.reports["A_draft"].pk, **line_json(occupation=None, occupation_title="универсал на сезон")},
            format="json",
        )
        assert response.status_code == 201, response.data
        assert world.reports["A_draft"].lines.count() == 2

    def test_status_and_authors_cannot_be_assigned(self, world):
        response = world.client("official_a").post(
            reverse("report-list"),
            {"region": "KZ-VOS", "quarter": "2026Q4", "status": "submitted", "created_by": world.users["admin"].pk},
            format="json",
        )
        assert response.status_code == 201
        report = GapReport.objects.get(pk=response.data["id"])
        assert (report.status, report.created_by) == ("draft", world.users["official_a"])


class TestEdit:
    def test_editing_replaces_the_lines(self, world):
        report = world.reports["A_draft"]
        response = world.client("official_a").put(
            detail("report", report.pk), {"lines": [line_json(headcount=1), line_json(headcount=2)]}, format="json"
        )
        assert response.status_code == 200
        assert list(report.lines.order_by("line_no").values_list("headcount", flat=True)) == [1, 2]

    def test_status_region_and_quarter_are_read_only(self, world):
        report = world.reports["A_draft"]
        response = world.client("official_a").patch(
            detail("report", report.pk),
            {"status": "submitted", "region": "CN-XJ-HRG", "quarter": "2027Q1", "lines": [line_json()]},
            format="json",
        )
        assert response.status_code == 200
        report.refresh_from_db()
        assert (report.status, report.region.code, report.quarter) == ("draft", "KZ-VOS", "2026Q3")

    def test_editing_a_submitted_report_is_a_conflict(self, world):
        report = world.reports["A_submitted"]
        response = world.client("official_a").put(detail("report", report.pk), {"lines": [line_json()]}, format="json")
        assert response.status_code == 409
        assert "submitted" in response.data["detail"]

    def test_a_line_of_a_submitted_report_cannot_be_edited_or_deleted(self, world):
        line = world.reports["A_submitted"].lines.first()
        client = world.client("official_a")
        assert client.patch(detail("report-line", line.pk), {"headcount": 3}, format="json").status_code == 409
        assert client.delete(detail("report-line", line.pk)).status_code == 409
        line.refresh_from_db()
        assert line.headcount == 120

    def test_a_line_cannot_move_to_another_report(self, world):
        line = world.lines["A_draft"]
        response = world.client("official_a").patch(
            detail("report-line", line.pk), {"report": world.reports["B_draft"].pk, "headcount": 9}, format="json"
        )
        assert response.status_code == 200
        line.refresh_from_db()
        assert (line.report_id, line.headcount) == (world.reports["A_draft"].pk, 9)

    def test_partial_update_checks_salary_against_the_stored_value(self, world):
        line = world.lines["A_draft"]  # salary_max 400000
        response = world.client("official_a").patch(detail("report-line", line.pk), {"salary_min": "500000"}, format="json")
        assert response.status_code == 400
        assert "salary_max" in response.data

    def test_a_line_on_another_regions_report_cannot_be_created(self, world):
        response = world.client("official_a").post(
            reverse("report-line-list"), {"report": world.reports["B_draft"].pk, **line_json()}, format="json"
        )
        assert response.status_code == 400
        assert "report" in response.data


class TestTransitions:
    def test_submitting_twice_is_a_conflict(self, world):
        client = world.client("official_a")
        url = detail("report", world.reports["A_draft"].pk, "submit")
        assert client.post(url).status_code == 200
        second = client.post(url)
        assert second.status_code == 409
        assert second.data["code"] == "invalid_transition"
        assert "submitted" in second.data["detail"]

    def test_withdrawing_a_draft_is_a_conflict(self, world):
        response = world.client("official_a").post(detail("report", world.reports["A_draft"].pk, "withdraw"))
        assert response.status_code == 409
        assert response.data["code"] == "invalid_transition"

    def test_submitting_an_empty_report_is_refused_with_a_reason(self, world):
        client = world.client("official_a")
        created = client.post(reverse("report-list"), {"region": "KZ-VOS", "quarter": "2027Q1"}, format="json")
        response = client.post(detail("report", created.data["id"], "submit"))
        assert response.status_code == 400
        assert "line" in str(response.data)

    def test_resubmission_supersedes_the_earlier_report(self, world):
        client = world.client("official_a")
        earlier = world.reports["A_submitted"]
        revised = client.post(detail("report", earlier.pk, "revise"))
        assert revised.status_code == 201
        assert len(revised.data["lines"]) == earlier.lines.count()
        submitted = client.post(detail("report", revised.data["id"], "submit"))
        assert submitted.status_code == 200
        earlier.refresh_from_db()
        assert earlier.status == ReportStatus.SUPERSEDED
        assert earlier.superseded_by_id == revised.data["id"]
        listed = client.get(reverse("report-list"), {"quarter": "2026Q2", "status": "submitted"})
        assert [row["id"] for row in listed.data["results"]] == [revised.data["id"]]

    def test_revising_a_draft_is_a_conflict(self, world):
        response = world.client("official_a").post(detail("report", world.reports["A_draft"].pk, "revise"))
        assert response.status_code == 409


class TestCodingUncodedLines:
    def test_an_official_codes_an_uncoded_line_of_a_submitted_report(self, world):
        line = world.lines["A_uncoded"]
        response = world.client("official_a").post(detail("report-line", line.pk, "code"), {"occupation": "8341"}, format="json")
        assert response.status_code == 200, response.data
        assert response.data["occupation"] == "8341"
        assert response.data["is_uncoded"] is False
        line.refresh_from_db()
        assert line.report.status == "submitted"
        latest = line.history.first()
        assert (latest.occupation_id, latest.history_user) == ("8341", world.users["official_a"])

    def test_a_coded_line_of_a_submitted_report_cannot_be_recoded(self, world):
        line = world.reports["A_submitted"].lines.exclude(occupation=None).first()
        response = world.client("official_a").post(detail("report-line", line.pk, "code"), {"occupation": "7515"}, format="json")
        assert response.status_code == 409
        line.refresh_from_db()
        assert line.occupation_id == "8341"

    @pytest.mark.parametrize("code", ["9999", "834", ""])
    def test_the_code_must_be_a_known_unit_group(self, world, code):
        line = world.lines["A_uncoded"]
        response = world.client("official_a").post(detail("report-line", line.pk, "code"), {"occupation": code}, format="json")
        assert response.status_code == 400
        assert "occupation" in response.data

    def test_uncoded_filter_lists_the_lines_waiting_for_a_code(self, world):
        response = world.client("official_a").get(reverse("report-line-list"), {"uncoded": "true"})
        assert [row["id"] for row in response.data["results"]] == [world.lines["A_uncoded"].pk]


def test_bad_json_is_a_400_not_a_500(world):
    response = world.client("official_a").generic(
        "POST", reverse("report-list"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400


class TestTypedTitles:
    """A title sent without a code is coded only above OCCUPATION_CODING_THRESHOLD (issue 15)."""

    @pytest.fixture
    def labelled(self, world, settings):
        from gaps import search
        from gaps.models import OccupationLabel
        from gaps.taxonomy.text import normalize

        for code, label in [("8341", "tractor driver"), ("8341", "тракторист"), ("7515", "fruit grader"), ("7515", "helper")]:
            OccupationLabel.objects.create(
                occupation_id=code, language="en" if label.isascii() else "ru", label=label,
                normalized=normalize(label), source="TALENTGAP",
            )
        settings.OCCUPATION_CODING_THRESHOLD = 0.9
        search.invalidate_index()
        yield world
        search.invalidate_index()

    def post_line(self, world, title):
        return world.client("official_a").post(
            reverse("report-line-list"),
            {"report": world.reports["A_draft"].pk, **line_json(occupation=None, occupation_title=title)},
            format="json",
        )

    def test_above_the_threshold_the_title_is_coded(self, labelled):
        response = self.post_line(labelled, "тракторист")

        assert response.status_code == 201, response.data
        assert response.data["occupation"] == "8341" and not response.data["is_uncoded"]
        assert 0.9 <= response.data["coding_confidence"] < 1

    def test_below_the_threshold_the_title_stays_uncoded(self, labelled, settings):
        settings.OCCUPATION_CODING_THRESHOLD = 1.01

        response = self.post_line(labelled, "тракторист")

        assert response.status_code == 201, response.data
        assert response.data["occupation"] is None and response.data["is_uncoded"]
        assert response.data["occupation_title"] == "тракторист"
        assert response.data["coding_confidence"] is not None

    @pytest.mark.parametrize("title", ["<b>helper</b>", "helper", "qwxz plombir"])
    def test_a_generic_or_unknown_title_is_never_coded(self, labelled, settings, title):
        settings.OCCUPATION_CODING_THRESHOLD = 0.0

        response = self.post_line(labelled, title)

        assert response.status_code == 201, response.data
        assert response.data["occupation"] is None and response.data["is_uncoded"]
