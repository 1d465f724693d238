"""The API reference works offline: nothing it loads comes from outside the site, and its
operations are grouped by resource with readable names (issue 14, point 7)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import Role

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.I)


def test_the_docs_page_references_nothing_outside_the_site(client, make_user):
    client.force_login(make_user(Role.REVIEWER))
    response = client.get(reverse("swagger-ui"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert not EXTERNAL.findall(html), EXTERNAL.findall(html)
    assert "https://" not in html and "http://" not in html
    # No validator badge (an image from validator.swagger.io): Swagger UI is told not to use it.
    assert '"validatorUrl": null' in html


def test_redoc_leads_to_the_offline_reference(client, make_user):
    client.force_login(make_user(Role.REVIEWER))
    response = client.get("/api/redoc/")
    assert response.status_code == 302 and response["Location"] == reverse("swagger-ui")


def test_operations_are_tagged_by_resource_with_readable_ids(client, make_user):
    client.force_login(make_user(Role.REVIEWER))
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    tags = {tag for op in operations for tag in op["tags"]}
    assert "v1" not in tags and {"reports", "report-lines", "projects", "gaps", "mismatches", "recommendations"} <= tags
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    assert not [i for i in ids if i.startswith("v1_")]
    assert {"reports_list", "reports_submit_create", "mismatches_list", "review_gaps_approve_create"} <= set(ids)
