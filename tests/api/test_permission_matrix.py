"""The permission matrix: each role x each endpoint x each action, own and other objects.

SPEC.md, "Users and what each may do". Read a row as: "<role> doing <action> on <endpoint> to
<target> gets <status>". Targets: reports/lines of region A (official_a's own, official_b's
other), programs/cohorts of college X (staff_x's own, staff_y's other).

Decisions the table pins down:
- Anonymous requests get 403 (session auth first: DRF answers 403 without a WWW-Authenticate).
- Another region's report or line is 404 for an official (lists are scoped; existence does not leak).
- College staff get 403 on reports and report lines altogether: SPEC gives them the aggregate
  gap list and their recommendations, never regions' raw reports.
- Reviewers read everything and write nothing here (403).
- Programs and cohorts are published supply: everyone signed in reads them; another college's are 403 to write.
- Reports are never deleted (405 for those allowed to reach the endpoint): they are withdrawn.
- Creating a line on another region's report is 400 ("object does not exist"), not 403, for the same no-leak reason.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from gaps.models import ExchangeRate, GapReport, GapReportLine, Region
from training.models import Cohort, College, Program

from .conftest import ROLES
from .factories import line_json

#  endpoint       action     target        anonymous official_a official_b staff_x staff_y reviewer admin
MATRIX = """
   reports        list       -             403  200  200  403  403  200  200
   reports        retrieve   A_draft       403  200  404  403  403  200  200
   reports        retrieve   B_draft       403  404  200  403  403  200  200
   reports        create     A             403  201  403  403  403  403  201
   reports        update     A_draft       403  200  404  403  403  403  200
   reports        update     B_draft       403  404  200  403  403  403  200
   reports        delete     A_draft       403  405  405  403  403  403  405
   reports        submit     A_draft       403  200  404  403  403  403  200
   reports        submit     B_draft       403  404  200  403  403  403  200
   reports        withdraw   A_submitted   403  200  404  403  403  403  200
   reports        revise     A_submitted   403  201  404  403  403  403  201
   report-lines   list       -             403  200  200  403  403  200  200
   report-lines   retrieve   A_draft       403  200  404  403  403  200  200
   report-lines   create     A_draft       403  201  400  403  403  403  201
   report-lines   update     A_draft       403  200  404  403  403  403  200
   report-lines   delete     A_draft       403  204  404  403  403  403  204
   report-lines   code       A_uncoded     403  200  404  403  403  403  200
   regions        list       -             403  200  200  200  200  200  200
   regions        retrieve   A             403  200  200  200  200  200  200
   regions        create     -             403  403  403  403  403  403  201
   regions        update     A             403  403  403  403  403  403  200
   regions        delete     C             403  403  403  403  403  403  204
   exchange-rates list       -             403  200  200  200  200  200  200
   exchange-rates retrieve   KZT           403  200  200  200  200  200  200
   exchange-rates create     -             403  403  403  403  403  403  201
   exchange-rates update     KZT           403  403  403  403  403  403  200
   exchange-rates delete     KZT           403  403  403  403  403  403  204
   colleges       list       -             403  200  200  200  200  200  200
   colleges       retrieve   X             403  200  200  200  200  200  200
   colleges       create     -             403  403  403  403  403  403  201
   colleges       update     X             403  403  403  403  403  403  200
   colleges       delete     Z             403  403  403  403  403  403  204
   programs       list       -             403  200  200  200  200  200  200
   programs       retrieve   X             403  200  200  200  200  200  200
   programs       create     X             403  403  403  201  403  403  201
   programs       update     X             403  403  403  200  403  403  200
   programs       update     Y             403  403  403  403  200  403  200
   programs       delete     X             403  403  403  204  403  403  204
   cohorts        list       -             403  200  200  200  200  200  200
   cohorts        retrieve   X             403  200  200  200  200  200  200
   cohorts        create     X             403  403  403  201  403  403  201
   cohorts        update     X             403  403  403  200  403  403  200
   cohorts        delete     X             403  403  403  204  403  403  204
   cohorts        delete     Y             403  403  403  403  204  403  204
"""

# What each role's list shows: report/line lists by region key, the others show everything.
LIST_REGIONS = {
    "official_a": {"A"},
    "official_b": {"B"},
    "reviewer": {"A", "B"},
    "admin": {"A", "B"},
}


def _rows():
    for line in MATRIX.strip().splitlines():
        endpoint, action, target, *codes = line.split()
        assert len(codes) == len(ROLES), line
        for role, code in zip(ROLES, codes):
            yield pytest.param(endpoint, action, target, role, int(code), id=f"{endpoint}-{action}-{target}-{role}")


BASENAMES = {
    "reports": "report",
    "report-lines": "report-line",
    "regions": "region",
    "exchange-rates": "exchange-rate",
    "colleges": "college",
    "programs": "program",
    "cohorts": "cohort",
}
MODELS = {
    "reports": GapReport,
    "report-lines": GapReportLine,
    "regions": Region,
    "exchange-rates": ExchangeRate,
    "colleges": College,
    "programs": Program,
    "cohorts": Cohort,
}


def target_object(world, endpoint, target):
    return {
        "reports": world.reports,
        "report-lines": world.lines,
        "regions": world.regions,
        "exchange-rates": world.rates,
        "colleges": world.colleges,
        "programs": world.programs,
        "cohorts": world.cohorts,
    }[endpoint].get(target)


def create_payload(world, endpoint, target):
    if endpoint == "reports":
        return {"region": world.regions[target].code, "quarter": "2026Q4", "lines": [line_json()]}
    if endpoint == "report-lines":
        return {"report": world.reports[target].pk, **line_json(headcount=5)}
    if endpoint == "regions":
        return {"code": "KZ-NEW", "country": "KZ", "name_en": "New Region", "kind": "oblast"}
    if endpoint == "exchange-rates":
        return {"currency": "EUR", "date": "2026-07-01", "rate_to_cny": "7.80"}
    if endpoint == "colleges":
        return {"code": "NEW-C", "name": "New College", "country": "KZ"}
    if endpoint == "programs":
        college = world.colleges[target]
        return {"college": college.code, "code": "NEW-P", "title": "New", "occupations": ["8341"], "languages": ["ru"]}
    if endpoint == "cohorts":
        return {"program": world.programs[target].pk, "seats": 10, "intake_date": "2026-09-01", "graduation_date": "2027-06-30"}
    raise AssertionError(endpoint)


UPDATE_PAYLOADS = {
    "reports": {"lines": [line_json(headcount=77)]},
    "report-lines": {"headcount": 77},
    "regions": {"name_en": "Renamed"},
    "exchange-rates": {"rate_to_cny": "0.01500000"},
    "colleges": {"name": "Renamed"},
    "programs": {"title": "Renamed"},
    "cohorts": {"seats": 77},
}


def perform(client, world, endpoint, action, target):
    basename = BASENAMES[endpoint]
    obj = target_object(world, endpoint, target)
    if action == "list":
        return client.get(reverse(f"{basename}-list"))
    if action == "create":
        return client.post(reverse(f"{basename}-list"), create_payload(world, endpoint, target), format="json")
    detail = reverse(f"{basename}-detail", args=[obj.pk])
    if action == "retrieve":
        return client.get(detail)
    if action == "update":
        return client.patch(detail, UPDATE_PAYLOADS[endpoint], format="json")
    if action == "delete":
        return client.delete(detail)
    if action == "code":
        return client.post(reverse(f"{basename}-code", args=[obj.pk]), {"occupation": "8344"}, format="json")
    return client.post(reverse(f"{basename}-{action}", args=[obj.pk]), format="json")


def snapshot(world, endpoint, target):
    """The rows a denied request must leave untouched."""
    model = MODELS[endpoint]
    rows = list(model.objects.order_by("pk").values())
    if endpoint in ("reports", "report-lines"):
        rows += list(GapReportLine.objects.order_by("pk").values()) + list(GapReport.objects.order_by("pk").values())
    return rows


@pytest.mark.parametrize("endpoint, action, target, role, expected", list(_rows()))
def test_permission_matrix(world, endpoint, action, target, role, expected):
    before = snapshot(world, endpoint, target)
    response = perform(world.client(role), world, endpoint, action, target)

    assert response.status_code == expected, (response.status_code, getattr(response, "data", None))
    if expected >= 400:
        # A refused request changes nothing, whatever it sent.
        assert snapshot(world, endpoint, target) == before
    if action == "list" and expected == 200:
        check_list_contents(world, endpoint, role, response.data["results"])
    if action in ("update", "code", "submit", "withdraw") and expected == 200:
        check_effect(world, endpoint, action, target)
    if action == "delete" and expected == 204:
        assert not MODELS[endpoint].objects.filter(pk=target_object(world, endpoint, target).pk).exists()
    if action == "create" and expected == 201:
        assert MODELS[endpoint].objects.filter(pk=response.data["id"]).exists()


def check_list_contents(world, endpoint, role, results):
    if endpoint == "reports":
        expected = {r.pk for key, r in world.reports.items() if key[0] in LIST_REGIONS[role]}
        assert {row["id"] for row in results} == expected
    elif endpoint == "report-lines":
        expected = set(
            GapReportLine.objects.filter(report__region__in=[world.regions[k] for k in LIST_REGIONS[role]]).values_list("pk", flat=True)
        )
        assert {row["id"] for row in results} == expected
        assert expected
    else:
        # Reference data and published supply: everyone signed in sees every row.
        assert {row["id"] for row in results} == set(MODELS[endpoint].objects.values_list("pk", flat=True))


def check_effect(world, endpoint, action, target):
    obj = target_object(world, endpoint, target)
    obj.refresh_from_db()
    if endpoint == "reports" and action == "update":
        assert list(obj.lines.values_list("headcount", flat=True)) == [77]
    elif endpoint == "reports" and action == "submit":
        assert obj.status == "submitted"
    elif endpoint == "reports" and action == "withdraw":
        assert obj.status == "withdrawn"
    elif endpoint == "report-lines" and action == "code":
        assert obj.occupation_id == "8344"
    elif endpoint in ("report-lines", "cohorts"):
        assert (obj.headcount if endpoint == "report-lines" else obj.seats) == 77
    elif endpoint == "regions":
        assert obj.name_en == "Renamed"
    elif endpoint == "exchange-rates":
        assert str(obj.rate_to_cny) == "0.01500000"
    elif endpoint == "colleges":
        assert obj.name == "Renamed"
    elif endpoint == "programs":
        assert obj.title == "Renamed"
