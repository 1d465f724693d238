"""core.api.exception_handler: what the services and the database raise becomes 400/403/409."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from core.api import exception_handler

pytestmark = pytest.mark.django_db


def handle(exc):
    return exception_handler(exc, {"view": None, "request": None})


def test_field_errors_become_400_by_field():
    response = handle(ValidationError({"headcount": ["Too many."], "__all__": ["Broken."]}))
    assert response.status_code == 400
    assert response.data == {"headcount": ["Too many."], "non_field_errors": ["Broken."]}


def test_a_plain_message_becomes_400_non_field_error():
    response = handle(ValidationError("A report needs at least one line.", code="empty_report"))
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["A report needs at least one line."]}


@pytest.mark.parametrize("code", ["invalid_transition", "not_editable", "draft_exists", "not_revisable", "not_codable"])
def test_state_conflicts_become_409_with_their_code(code):
    response = handle(ValidationError("Not now.", code=code))
    assert response.status_code == 409
    assert response.data == {"detail": "Not now.", "code": code}


def test_permission_denied_keeps_the_services_message():
    response = handle(PermissionDenied("Only your regions."))
    assert response.status_code == 403
    assert response.data["detail"] == "Only your regions."


def test_a_lost_uniqueness_race_is_409_without_sql():
    response = handle(IntegrityError('duplicate key value violates unique constraint "secret_index"'))
    assert response.status_code == 409
    assert "secret_index" not in str(response.data)


def test_other_exceptions_are_left_alone():
    assert handle(RuntimeError("bug")) is None
