"""Token and session authentication (CSRF enforced), and the OpenAPI schema and docs."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


class TestTokenAuth:
    def test_a_token_is_issued_for_valid_credentials_and_then_works(self, world):
        client = APIClient()
        response = client.post(reverse("api-token"), {"username": "official_a", "password": "pw-Secret-123"}, format="json")
        assert response.status_code == 200
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
        listed = client.get(reverse("report-list"))
        assert listed.status_code == 200
        assert {row["region"] for row in listed.data["results"]} == {"KZ-VOS"}

    def test_a_wrong_password_gets_no_token(self, world):
        response = APIClient().post(reverse("api-token"), {"username": "official_a", "password": "nope"}, format="json")
        assert response.status_code == 400
        assert "token" not in response.data

    def test_a_bogus_token_is_refused(self, world):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
        assert client.get(reverse("report-list")).status_code in (401, 403)

    def test_token_requests_need_no_csrf_token(self, world):
        client = APIClient(enforce_csrf_checks=True)
        token = client.post(reverse("api-token"), {"username": "official_a", "password": "pw-Secret-123"}, format="json").data["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post(reverse("report-list"), {"region": "KZ-VOS", "quarter": "2026Q4"}, format="json")
        assert response.status_code == 201


class TestSessionAuth:
    def login(self, world):
        client = APIClient(enforce_csrf_checks=True)
        assert client.login(username="official_a", password="pw-Secret-123")
        return client

    def test_reads_work_with_the_session(self, world):
        assert self.login(world).get(reverse("report-list")).status_code == 200

    def test_writes_without_a_csrf_token_are_refused(self, world):
        response = self.login(world).post(reverse("report-list"), {"region": "KZ-VOS", "quarter": "2026Q4"}, format="json")
        assert response.status_code == 403
        assert "CSRF" in str(response.data["detail"])

    def test_writes_with_the_csrf_token_pass(self, world):
        client = self.login(world)
        client.get(reverse("admin:login"))  # sets the csrftoken cookie
        token = client.cookies["csrftoken"].value
        response = client.post(
            reverse("report-list"), {"region": "KZ-VOS", "quarter": "2026Q4"}, format="json", HTTP_X_CSRFTOKEN=token
        )
        assert response.status_code == 201


class TestSchemaAndDocs:
    def test_these_endpoints_describe_themselves_without_warnings(self):
        """Schema of this part's views alone (other parts' modules are checked by their own tests)."""
        from django.urls import include, path
        from drf_spectacular.drainage import GENERATOR_STATS
        from drf_spectacular.generators import SchemaGenerator
        from rest_framework.authtoken.views import obtain_auth_token

        from gaps.api import reports
        from training.api import views

        patterns = [path("api/v1/auth/token/", obtain_auth_token)]
        patterns.append(path("api/v1/", include(reports.router.urls + views.router.urls)))
        GENERATOR_STATS.reset()
        schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
        assert not GENERATOR_STATS._warn_cache, dict(GENERATOR_STATS._warn_cache)
        assert not GENERATOR_STATS._error_cache, dict(GENERATOR_STATS._error_cache)
        for route in ("/api/v1/reports/{id}/submit/", "/api/v1/report-lines/{id}/code/", "/api/v1/cohorts/", "/api/v1/auth/token/"):
            assert route in schema["paths"]
        assert schema["components"]["schemas"]["ReportStatusEnum"]["enum"] == ["draft", "submitted", "withdrawn", "superseded"]

    def test_the_whole_project_schema_generates_without_warnings(self, tmp_path):
        call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))

    def test_the_schema_is_served(self, world):
        client = world.client("reviewer")
        response = client.get(reverse("schema"))
        assert response.status_code == 200

    def test_the_docs_load_from_local_static_files(self, world):
        response = world.client("reviewer").get(reverse("swagger-ui"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
        for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs"):
            assert cdn not in html
