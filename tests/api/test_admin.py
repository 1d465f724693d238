"""The Django admin is usable for every model of gaps and training: lists, search, filters, forms."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from gaps.models import ExchangeRate, Gap, GapReport, GapReportLine, Occupation, OccupationLabel, Region, ReportStatus
from training.models import Cohort, College, Program

pytestmark = pytest.mark.django_db

MODELS = [Region, Occupation, OccupationLabel, ExchangeRate, GapReport, GapReportLine, Gap, College, Program, Cohort]


@pytest.fixture
def admin_client_(world, client):
    client.force_login(world.users["admin"])
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_is_registered_with_search(model):
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields
    assert model_admin.list_display


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_search_and_add_pages_load(admin_client_, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client_.get(changelist).status_code == 200
    assert admin_client_.get(changelist, {"q": "KZ"}).status_code == 200
    assert admin_client_.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200


@pytest.mark.parametrize(
    "model, key",
    [(GapReport, "A_draft"), (Region, "A"), (Program, "X"), (College, "X"), (Cohort, "X")],
)
def test_change_and_history_pages_load(admin_client_, world, model, key):
    obj = {GapReport: world.reports, Region: world.regions, Program: world.programs, College: world.colleges, Cohort: world.cohorts}[model][key]
    opts = model._meta
    assert admin_client_.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])).status_code == 200
    assert admin_client_.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])).status_code == 200


def test_occupation_autocomplete_serves_line_and_program_forms(admin_client_, world):
    response = admin_client_.get(
        reverse("admin:autocomplete"),
        {"term": "8341", "app_label": "training", "model_name": "program", "field_name": "occupations"},
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == ["8341"]


def test_the_submit_action_goes_through_the_service(admin_client_, world):
    draft, submitted = world.reports["A_draft"], world.reports["A_submitted"]
    response = admin_client_.post(
        reverse("admin:gaps_gapreport_changelist"),
        {"action": "submit_reports", "_selected_action": [draft.pk, submitted.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    submitted.refresh_from_db()
    assert draft.status == ReportStatus.SUBMITTED and draft.submitted_by == world.users["admin"]
    assert submitted.status == ReportStatus.SUBMITTED  # refused: already submitted, reported as an error
    messages = [str(m) for m in response.context["messages"]]
    assert any("cannot become" in m for m in messages)
