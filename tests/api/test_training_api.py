"""Colleges, programs and cohorts through the API: validation, mass assignment, filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from training.models import Cohort, Program

from . import factories as f

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.data["results"]}


def program_payload(**overrides):
    data = {"college": "LUBAN-KZ", "code": "NEW-P", "title": "Harvester operators", "occupations": ["8341"], "languages": ["ru", "kk"]}
    data.update(overrides)
    return data


class TestPrograms:
    def test_staff_publish_a_program_of_their_college(self, world):
        response = world.client("staff_x").post(
            reverse("program-list"), program_payload(serves_regions=["KZ-VOS"], certifications=["KZ"], sector="A"), format="json"
        )
        assert response.status_code == 201, response.data
        program = Program.objects.get(pk=response.data["id"])
        assert [o.code for o in program.occupations.all()] == ["8341"]
        assert [r.code for r in program.serves_regions.all()] == ["KZ-VOS"]
        assert program.history.first().history_user == world.users["staff_x"]

    @pytest.mark.parametrize(
        "overrides, field",
        [
            ({"code": "HARV-1"}, "code"),  # already used by this college
            ({"occupations": []}, "occupations"),
            ({"occupations": ["9999"]}, "occupations"),
            ({"occupations": ["83"]}, "occupations"),
            ({"languages": []}, "languages"),
            ({"languages": ["Russian"]}, "languages"),
            ({"serves_regions": ["NOWHERE"]}, "serves_regions"),
            ({"college": "NO-SUCH"}, "college"),
            ({"sector": "Z"}, "sector"),
        ],
    )
    def test_bad_programs_name_the_field(self, world, overrides, field):
        response = world.client("staff_x").post(reverse("program-list"), program_payload(**overrides), format="json")
        assert response.status_code == 400, response.data
        assert field in response.data

    def test_the_same_code_may_be_used_by_another_college(self, world):
        response = world.client("staff_y").post(
            reverse("program-list"), program_payload(college="GANSU-VC", code="HARV-1"), format="json"
        )
        assert response.status_code == 201, response.data

    def test_the_college_of_a_program_is_read_only(self, world):
        program = world.programs["X"]
        response = world.client("staff_x").patch(
            reverse("program-detail", args=[program.pk]), {"college": "GANSU-VC", "title": "T"}, format="json"
        )
        assert response.status_code == 200
        program.refresh_from_db()
        assert (program.college.code, program.title) == ("LUBAN-KZ", "T")

    def test_staff_cannot_publish_for_another_college(self, world):
        response = world.client("staff_y").post(reverse("program-list"), program_payload(), format="json")
        assert response.status_code == 403
        assert not Program.objects.filter(code="NEW-P").exists()

    def test_filters(self, world):
        client = world.client("official_a")
        px, py = world.programs["X"], world.programs["Y"]
        url = reverse("program-list")
        assert ids(client.get(url, {"college": "luban-kz"})) == {px.pk}
        assert ids(client.get(url, {"occupation": "7515"})) == {py.pk}
        assert ids(client.get(url, {"sector": "A"})) == {px.pk, py.pk}
        # Y serves every region (none listed); X serves only KZ-VOS.
        assert ids(client.get(url, {"region": "KZ-VOS"})) == {px.pk, py.pk}
        assert ids(client.get(url, {"region": "CN-XJ-HRG"})) == {py.pk}
        assert client.get(url, {"sector": "nope"}).status_code == 400


class TestCohorts:
    def test_intake_after_graduation_is_refused_on_the_field(self, world):
        response = world.client("staff_x").post(
            reverse("cohort-list"),
            {"program": world.programs["X"].pk, "seats": 5, "intake_date": "2027-01-01", "graduation_date": "2026-01-01"},
            format="json",
        )
        assert response.status_code == 400
        assert "graduation_date" in response.data

    @pytest.mark.parametrize("seats", [0, -3, "many"])
    def test_seats_must_be_at_least_one(self, world, seats):
        response = world.client("staff_x").post(
            reverse("cohort-list"),
            {"program": world.programs["X"].pk, "seats": seats, "intake_date": "2026-09-01", "graduation_date": "2027-06-01"},
            format="json",
        )
        assert response.status_code == 400
        assert "seats" in response.data

    def test_one_cohort_per_program_and_intake_date(self, world):
        existing = world.cohorts["X"]
        response = world.client("staff_x").post(
            reverse("cohort-list"),
            {"program": existing.program_id, "seats": 5, "intake_date": existing.intake_date.isoformat(), "graduation_date": "2027-06-01"},
            format="json",
        )
        assert response.status_code == 400
        assert "intake_date" in response.data

    def test_the_program_of_a_cohort_is_read_only(self, world):
        cohort = world.cohorts["X"]
        response = world.client("staff_x").patch(
            reverse("cohort-detail", args=[cohort.pk]), {"program": world.programs["Y"].pk, "seats": 3}, format="json"
        )
        assert response.status_code == 200
        cohort.refresh_from_db()
        assert (cohort.program_id, cohort.seats) == (world.programs["X"].pk, 3)

    def test_a_partial_update_checks_dates_against_the_stored_ones(self, world):
        cohort = world.cohorts["X"]  # intake 2025-09-01
        response = world.client("staff_x").patch(
            reverse("cohort-detail", args=[cohort.pk]), {"graduation_date": "2025-01-01"}, format="json"
        )
        assert response.status_code == 400
        assert "graduation_date" in response.data

    def test_filters(self, world):
        client = world.client("reviewer")
        late = f.cohort(world.programs["X"], intake=dt.date(2026, 3, 1), graduation=dt.date(2026, 9, 15))
        cx, cy = world.cohorts["X"], world.cohorts["Y"]  # both graduate 2026-07-01
        url = reverse("cohort-list")
        assert ids(client.get(url, {"program": world.programs["Y"].pk})) == {cy.pk}
        assert ids(client.get(url, {"college": "LUBAN-KZ"})) == {cx.pk, late.pk}
        assert ids(client.get(url, {"graduation_after": "2026-08-01"})) == {late.pk}
        assert ids(client.get(url, {"graduation_after": "2026-06-01", "graduation_before": "2026-07-01"})) == {cx.pk, cy.pk}
        assert client.get(url, {"graduation_after": "someday"}).status_code == 400
        ordered = client.get(url, {"ordering": "-graduation_date"})
        assert ordered.data["results"][0]["id"] == late.pk
        assert Cohort.objects.count() == 3


class TestColleges:
    def test_admin_creates_a_college_with_a_valid_country(self, world):
        client = world.client("admin")
        bad = client.post(reverse("college-list"), {"code": "C1", "name": "C", "country": "Kazakhstan"}, format="json")
        assert bad.status_code == 400
        assert "country" in bad.data
        good = client.post(reverse("college-list"), {"code": "C1", "name": "C", "country": "kz"}, format="json")
        assert good.status_code == 201
        assert good.data["country"] == "KZ"
        duplicate = client.post(reverse("college-list"), {"code": "C1", "name": "C", "country": "KZ"}, format="json")
        assert duplicate.status_code == 400
        assert "code" in duplicate.data

    def test_staff_membership_is_not_exposed(self, world):
        response = world.client("official_a").get(reverse("college-detail", args=[world.colleges["X"].pk]))
        assert set(response.data) == {"id", "code", "name", "display_name", "country"}


class TestNamesInTheRequestLanguage:
    """display_name / display_title next to the stored name and title, by Accept-Language."""

    @pytest.fixture
    def translated(self, world):
        college, program = world.colleges["X"], world.programs["X"]
        college.name_translations = {"kk": "Лубань шеберханасы", "ru": "Мастерская Лубань", "_as_written": college.name}
        college.save()
        program.title_translations = {"kk": "Комбайн операторлары", "zh-hans": "收割机操作员", "_as_written": program.title}
        program.save()
        return college, program

    @pytest.mark.parametrize("language, name, title", [
        ("kk", "Лубань шеберханасы", "Комбайн операторлары"),
        ("ru", "Мастерская Лубань", "Program HARV-1"),  # no Russian title: as stored
        ("zh-Hans", "College LUBAN-KZ", "收割机操作员"),
        ("en", "College LUBAN-KZ", "Program HARV-1"),
    ])
    def test_display_fields_follow_accept_language(self, world, translated, language, name, title):
        college, program = translated
        client = world.client("official_a")
        one = client.get(reverse("college-detail", args=[college.pk]), HTTP_ACCEPT_LANGUAGE=language).data
        assert (one["name"], one["display_name"]) == ("College LUBAN-KZ", name)
        listed = client.get(reverse("college-list"), HTTP_ACCEPT_LANGUAGE=language).data["results"]
        assert {row["code"]: row["display_name"] for row in listed}["LUBAN-KZ"] == name
        detail = client.get(reverse("program-detail", args=[program.pk]), HTTP_ACCEPT_LANGUAGE=language).data
        assert (detail["title"], detail["display_title"]) == ("Program HARV-1", title)
        assert (detail["college_name"], detail["college_display_name"]) == ("College LUBAN-KZ", name)

    def test_a_persons_edit_of_the_title_is_shown_as_written(self, world, translated):
        _college, program = translated
        client = world.client("staff_x")
        response = client.patch(reverse("program-detail", args=[program.pk]), {"title": "Harvester operators, 2027"},
                                format="json", HTTP_ACCEPT_LANGUAGE="kk")
        assert response.status_code == 200, response.data
        assert response.data["display_title"] == "Harvester operators, 2027"
        for language in ("kk", "zh-hans"):
            detail = client.get(reverse("program-detail", args=[program.pk]), HTTP_ACCEPT_LANGUAGE=language).data
            assert detail["display_title"] == "Harvester operators, 2027"

    def test_the_schema_documents_the_display_fields(self, world):
        schema = world.client("admin").get("/api/schema/?format=json").json()["components"]["schemas"]
        assert {"display_name"} <= set(schema["College"]["properties"])
        assert {"display_title", "college_display_name"} <= set(schema["Program"]["properties"])
        assert "display_title" in schema["Program"]["properties"]
