"""The upload endpoints: who may upload what, and the 201 / 400 answers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import Role
from gaps.models import ExchangeRate, GapReport, Region, ReportStatus
from training.models import College, Program

from .conftest import GAP_HEADER, PROGRAM_HEADER, csv_bytes, gap_row, program_row, xlsx_bytes

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/import/"
PROGRAMS = "/api/v1/programs/import/"
REGIONS = "/api/v1/regions/import/"
RATES = "/api/v1/exchange-rates/import/"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def upload(client, url, data: bytes, name="upload.csv", **fields):
    return client.post(url, {"file": SimpleUploadedFile(name, data), **fields}, format="multipart")


@pytest.fixture
def official(make_user, regions):
    return make_user(Role.OFFICIAL, regions=[regions["KZ-VOS"]])


# --- reports/import/ ----------------------------------------------------------------------------


def test_an_official_imports_lines_for_their_region(isco, official):
    response = upload(client_for(official), REPORTS, xlsx_bytes([GAP_HEADER, gap_row(), gap_row(headcount=3)]), "q3.xlsx")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == {"reports": 1, "lines": 2}
    [report] = body["reports"]
    assert (report["region"], report["quarter"], report["status"], report["lines"]) == ("KZ-VOS", "2026Q3", "draft", 2)
    draft = GapReport.objects.get(pk=report["id"])
    assert draft.created_by == official
    assert draft.lines.first().history.first().history_user == official


def test_an_official_can_submit_on_upload(isco, official):
    response = upload(client_for(official), REPORTS, csv_bytes([GAP_HEADER, gap_row()]), submit="true")
    assert response.status_code == 201
    assert GapReport.objects.get().status == ReportStatus.SUBMITTED


def test_a_row_for_another_region_rejects_the_file_naming_row_and_region(isco, official):
    data = csv_bytes([GAP_HEADER, gap_row(), gap_row(region_code="KZ-ALM")])
    response = upload(client_for(official), REPORTS, data)
    assert response.status_code == 400
    assert response.json() == {"errors": [{
        "row": 3, "column": "region_code",
        "message": "You are not an official of region KZ-ALM; you may only import reports for your own regions.",
    }]}
    assert GapReport.objects.count() == 0


def test_an_admin_may_import_reports_for_any_region(isco, regions, make_user):
    admin = make_user(is_superuser=True)
    response = upload(client_for(admin), REPORTS, csv_bytes([GAP_HEADER, gap_row(region_code="KZ-ALM")]))
    assert response.status_code == 201


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.COLLEGE_STAFF])
def test_reviewers_and_college_staff_may_not_upload_reports(isco, regions, make_user, role):
    user = make_user(role, regions=[regions["KZ-VOS"]])
    response = upload(client_for(user), REPORTS, csv_bytes([GAP_HEADER, gap_row()]))
    assert response.status_code == 403
    assert GapReport.objects.count() == 0


@pytest.mark.parametrize("url", [REPORTS, PROGRAMS, REGIONS, RATES])
def test_anonymous_uploads_are_refused(url):
    response = upload(client_for(None), url, b"a,b\r\n1,2\r\n")
    assert response.status_code in (401, 403)


def test_a_bad_file_answers_400_with_every_problem(isco, official):
    data = csv_bytes([GAP_HEADER + ["extra"], gap_row(headcount="0") + [""], gap_row(currency="KZ") + [""]])
    response = upload(client_for(official), REPORTS, data)
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(1, "extra"), (2, "headcount"), (3, "currency")]


def test_a_csv_renamed_xlsx_answers_400(isco, official):
    response = upload(client_for(official), REPORTS, csv_bytes([GAP_HEADER, gap_row()]), "q3.xlsx")
    assert response.status_code == 400
    assert "not an XLSX workbook" in response.json()["errors"][0]["message"]


def test_an_upload_without_a_file_answers_400(official):
    response = client_for(official).post(REPORTS, {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "file"


def test_an_oversized_upload_is_refused_before_it_is_read(isco, official, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1000
    data = csv_bytes([GAP_HEADER] + [gap_row()] * 2000)
    response = upload(client_for(official), REPORTS, data)
    assert response.status_code == 400
    assert "limit is 1000 bytes" in response.json()["errors"][0]["message"]


def test_the_upload_routes_are_not_shadowed_by_the_viewsets():
    from django.urls import resolve

    assert resolve(REPORTS).func.view_class.__name__ == "ReportImportView"
    assert resolve(PROGRAMS).func.view_class.__name__ == "ProgramImportView"
    assert resolve(REGIONS).func.view_class.__name__ == "RegionImportView"
    assert resolve(RATES).func.view_class.__name__ == "ExchangeRateImportView"


def test_the_openapi_schema_documents_the_uploads():
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    from gaps.api import uploads as gap_uploads
    from training.api import uploads as training_uploads

    # Only these routes, so the test speaks about the uploads' documentation alone.
    patterns = [path("api/v1/", include(gap_uploads.urlpatterns + training_uploads.urlpatterns))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    for url in (REPORTS, PROGRAMS, REGIONS, RATES):
        operation = schema["paths"][url]["post"]
        assert "multipart/form-data" in operation["requestBody"]["content"]
        assert {"201", "400", "403"} <= set(operation["responses"])
    request = schema["components"]["schemas"]["ReportImportUploadRequest"]
    assert request["properties"]["file"]["format"] == "binary" and "submit" in request["properties"]
    assert "errors" in schema["components"]["schemas"]["ImportErrors"]["properties"]


# --- programs/import/ ---------------------------------------------------------------------------


@pytest.fixture
def staff(make_user, colleges):
    return make_user(Role.COLLEGE_STAFF, colleges=[colleges["LUBAN-KZ"]])


def test_college_staff_import_their_own_programs(isco, regions, staff):
    response = upload(client_for(staff), PROGRAMS, csv_bytes([PROGRAM_HEADER, program_row()]))
    assert response.status_code == 201, response.content
    assert response.json()["created"] == {"colleges": 0, "programs": 1, "cohorts": 1}
    assert Program.objects.get().history.first().history_user == staff


def test_college_staff_may_not_import_other_colleges_or_create_colleges(isco, regions, staff):
    rows = [
        PROGRAM_HEADER,
        program_row(),
        program_row(college_code="GANSU-VC"),
        program_row(college_code="NEW-ONE", college_name="New", country="KZ"),
    ]
    response = upload(client_for(staff), PROGRAMS, csv_bytes(rows))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "college_code"), (4, "college_code")]
    assert "GANSU-VC" in errors[0]["message"] and "administrators" in errors[1]["message"]
    assert Program.objects.count() == 0 and not College.objects.filter(code="NEW-ONE").exists()


def test_an_admin_may_create_colleges_through_the_upload(isco, regions, colleges, make_user):
    admin = make_user(is_superuser=True)
    row = program_row(college_code="NEW-ONE", college_name="New College", country="KZ")
    response = upload(client_for(admin), PROGRAMS, csv_bytes([PROGRAM_HEADER, row]))
    assert response.status_code == 201
    assert College.objects.get(code="NEW-ONE").name == "New College"


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.REVIEWER])
def test_officials_and_reviewers_may_not_upload_programs(isco, regions, colleges, make_user, role):
    response = upload(client_for(make_user(role)), PROGRAMS, csv_bytes([PROGRAM_HEADER, program_row()]))
    assert response.status_code == 403


# --- regions/import/ and exchange-rates/import/ -------------------------------------------------


def test_admins_import_regions_and_rates(make_user):
    admin = make_user(is_superuser=True)
    client = client_for(admin)
    response = upload(client, REGIONS, csv_bytes([["region_code", "country", "name_en", "kind"], ["KZ-AKM", "KZ", "Akmola", "oblast"]]))
    assert response.status_code == 201 and response.json()["created"] == {"regions": 1}
    response = upload(client, RATES, csv_bytes([["currency", "date", "rate_to_cny"], ["KZT", "2026-07-01", "0.0152"]]))
    assert response.status_code == 201 and ExchangeRate.objects.count() == 1
    assert Region.objects.get(code="KZ-AKM").history.first().history_user == admin


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.REVIEWER, Role.COLLEGE_STAFF])
@pytest.mark.parametrize("url", [REGIONS, RATES])
def test_only_admins_import_reference_data(make_user, role, url):
    response = upload(client_for(make_user(role)), url, csv_bytes([["currency", "date", "rate_to_cny"], ["KZT", "2026-07-01", "1"]]))
    assert response.status_code == 403
    assert ExchangeRate.objects.count() == 0 and Region.objects.count() == 0
