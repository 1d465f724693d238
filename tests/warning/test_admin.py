"""The early warning's records in the Django admin: registered read-only, like the matching runs, and
their pages answer an administrator (and only an administrator)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from gaps.models import EarlyWarning, EarlyWarningRun, WarningStatus

from ..api.conftest import world  # noqa: F401 (fixture)
from . import factories as f

pytestmark = pytest.mark.django_db

MODELS = [EarlyWarningRun, EarlyWarning]


@pytest.fixture
def entry(world):  # noqa: F811
    return f.warning(world.regions["A"], "8341", "2027Q3", status=WarningStatus.ACT_NOW)


def _url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_registered_read_only(rf, world, model):  # noqa: F811
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = world.users["admin"]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert model_admin.has_view_permission(request)


def test_the_changelists_and_entries_answer_an_administrator(client, world, entry):  # noqa: F811
    client.force_login(world.users["admin"])
    for model in MODELS:
        response = client.get(_url(model, "changelist"))
        assert response.status_code == 200, model
        assert response.context["cl"].result_count == 1, model  # the one run, the one entry
    response = client.get(_url(EarlyWarning, "changelist"), {"q": "8341", "status__exact": "act_now"})
    assert response.status_code == 200 and response.context["cl"].result_count == 1
    assert client.get(_url(EarlyWarning, "changelist"), {"q": "7212"}).context["cl"].result_count == 0
    assert client.get(_url(EarlyWarning, "change", entry.pk)).status_code == 200
    assert client.get(_url(EarlyWarningRun, "change", entry.last_run_id)).status_code == 200
    assert client.get(_url(EarlyWarning, "add")).status_code == 403  # read-only: no add page


def test_not_for_other_users(client, world):  # noqa: F811
    client.force_login(world.users["reviewer"])
    assert client.get(_url(EarlyWarning, "changelist")).status_code in (302, 403)
