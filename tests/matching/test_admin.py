"""The admin shows matching runs and results (read-only)."""

import pytest

from gaps.matching import services

from . import seed

pytestmark = pytest.mark.django_db


def test_admin_lists_runs_flags_and_recommendations(client, django_user_model):
    seed.seed_quarter()
    run = services.match_quarter_inline(quarter="2026Q3", trigger="command")
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-Secret-123")
    client.force_login(admin)
    for url in ("/admin/gaps/matchrun/", "/admin/gaps/flag/", "/admin/gaps/recommendation/",
                "/admin/gaps/quarterresults/", f"/admin/gaps/matchrun/{run.pk}/change/"):
        assert client.get(url).status_code == 200, url
    assert b"MISDIRECTED_SUPPLY" in client.get("/admin/gaps/flag/").content
    assert client.get("/admin/gaps/matchrun/add/").status_code == 403
