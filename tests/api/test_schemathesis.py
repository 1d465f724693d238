"""Schemathesis over /api/schema/: every operation, as every role, never a 5xx and always as documented.

The schema is loaded from the in-process WSGI app (no live server), each operation is one pytest test,
and each generated case is sent once per role with a DRF token, so the same input is tried by an
anonymous caller, an official, college staff, a reviewer and an admin. Examples are few and
derandomized so the run is reproducible and bounded in CI time.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]

# Role -> the user of the shared `world` fixture (tests/api/conftest.py) that plays it.
ROLES = {
    "anonymous": None,
    "official": "official_a",
    "college_staff": "staff_x",
    "reviewer": "reviewer",
    "admin": "admin",
}
# Every status a response has must be documented (core.api.error_responses_hook adds the 400, 403,
# 404, 409 and 429 answers to the operations they apply to), and its body must match the schema.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def in_process_requests():
    """Requests go through the real WSGI handler, whose request signals would close the test's
    connection (it is inside the test transaction); Django's own test client unhooks them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_schema_covers_the_api():
    paths = {operation.path for operation in OPERATIONS}
    assert len(OPERATIONS) > 50
    assert {"/api/v1/reports/", "/api/v1/programs/{id}/", "/api/v1/projects/{id}/activate/"} <= paths


def existing_ids(world) -> dict[str, dict]:
    """Path parameters of objects the world holds, so generated cases also reach real rows (random ids are 404s)."""
    return {
        "/api/v1/reports/": {"id": world.reports["A_draft"].pk},
        "/api/v1/report-lines/": {"id": world.lines["A_draft"].pk},
        "/api/v1/regions/": {"id": world.regions["A"].pk},
        "/api/v1/colleges/": {"id": world.colleges["X"].pk},
        "/api/v1/programs/": {"id": world.programs["X"].pk},
        "/api/v1/cohorts/": {"id": world.cohorts["X"].pk},
        "/api/v1/exchange-rates/": {"id": world.rates["KZT"].pk},
        "/api/v1/occupations/": {"code": "8341"},
    }


def strategy_for(operation, world):
    strategy = operation.as_strategy()
    if "{" not in operation.path:
        return strategy
    for prefix, parameters in existing_ids(world).items():
        if operation.path.startswith(prefix):
            return st.one_of(operation.as_strategy(path_parameters=parameters), strategy)
    return strategy


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: f"{operation.method.upper()} {operation.path}")
def test_operation(world, in_process_requests, operation):
    headers = {
        role: ({"Authorization": f"Token {Token.objects.create(user=world.users[user]).key}"} if user else {})
        for role, user in ROLES.items()
    }

    @EXAMPLES
    @given(case=strategy_for(operation, world))
    def run(case):
        for role, role_headers in headers.items():
            response = case.call(headers=role_headers)
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as error:
                raise AssertionError(f"as {role}: {error}") from error

    run()


# Hostile values (issue 17): every string of a generated body replaced by one of these, as every
# role. Checked for server errors only: the bodies are no longer what the schema describes.
HOSTILE = [
    "0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01", "0001Q1", "9999Q4",
    '"><svg onload=alert(1)>', '=HYPERLINK("http://x","y")', "KZ\r\nVOS", "KZ'VOS\"/", "KZ\x00VOS",
]
WRITES = [operation for operation in OPERATIONS if operation.method.upper() in ("POST", "PUT", "PATCH")]


@pytest.mark.parametrize("operation", WRITES, ids=lambda operation: f"{operation.method.upper()} {operation.path}")
def test_hostile_values_never_make_a_server_error(world, in_process_requests, operation):
    headers = {
        role: ({"Authorization": f"Token {Token.objects.create(user=world.users[user]).key}"} if user else {})
        for role, user in ROLES.items()
    }

    @settings(max_examples=4, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(case=strategy_for(operation, world), hostile=st.sampled_from(HOSTILE))
    def run(case, hostile):
        if isinstance(case.body, dict):
            for key, value in list(case.body.items()):
                if isinstance(value, str):
                    case.body[key] = hostile
        for role, role_headers in headers.items():
            response = case.call(headers=role_headers)
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except Exception as error:
                raise AssertionError(f"as {role}: {error}") from error

    run()
