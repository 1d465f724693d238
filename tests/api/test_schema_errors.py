"""The OpenAPI schema documents the error responses (core.api.error_responses_hook), in the shapes the
API really answers with; schemathesis (test_schemathesis.py) then checks every status against it."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_documents_429_with_retry_after(schema):
    for path, method, operation in operations(schema):
        response = operation["responses"]["429"]
        assert response["headers"]["Retry-After"]["schema"]["type"] == "integer", (method, path)
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorDetail"}


def test_errors_are_documented_where_they_apply(schema):
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        assert "403" in codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if method in ("post", "put", "patch", "delete"):
            assert "409" in codes, (method, path)
            assert operation["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith(
                "ConflictError"
            )
        if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in codes, (method, path)
    assert "401" not in {code for _p, _m, op in operations(schema) for code in op["responses"]}


def test_an_operations_own_description_is_kept(schema):
    submit = schema["paths"]["/api/v1/reports/{id}/submit/"]["post"]["responses"]["409"]
    assert "status does not allow" in submit["description"]
    assert submit["content"]["application/json"]["schema"]["$ref"].endswith("ConflictError")


def test_the_real_error_bodies_have_the_documented_shape(world):
    client = world.client("reviewer")
    assert set(client.get("/api/v1/reports/999999/").json()) == {"detail"}  # 404
    assert set(world.client("anonymous").get("/api/v1/reports/").json()) == {"detail"}  # 403
    report = world.reports["A_submitted"]
    conflict = world.client("official_a").post(f"/api/v1/reports/{report.pk}/submit/")
    assert conflict.status_code == 409 and set(conflict.json()) == {"detail", "code"}


def test_the_bench_endpoint_is_off_by_default(world):
    with pytest.raises(NoReverseMatch):
        reverse("bench-bare")
    assert world.client("reviewer").get("/api/v1/_bench/bare/").status_code == 404
