"""Regions and exchange rates (reference data) and report filters through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gaps.models import Region

from . import factories as f

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.data["results"]}


class TestRegions:
    def test_a_region_with_reports_cannot_be_deleted(self, world):
        response = world.client("admin").delete(reverse("region-detail", args=[world.regions["A"].pk]))
        assert response.status_code == 409
        assert "referenced" in response.data["detail"]
        assert Region.objects.filter(pk=world.regions["A"].pk).exists()

    @pytest.mark.parametrize(
        "payload, field",
        [
            ({"code": "KZ-VOS", "country": "KZ", "name_en": "Dup"}, "code"),
            ({"code": "KZ-X", "country": "KAZ", "name_en": "X"}, "country"),
            ({"code": "KZ-X", "country": "KZ", "name_en": "X", "kind": "galaxy"}, "kind"),
            ({"code": "KZ-X", "country": "KZ"}, "name_en"),
        ],
    )
    def test_bad_regions_name_the_field(self, world, payload, field):
        response = world.client("admin").post(reverse("region-list"), payload, format="json")
        assert response.status_code == 400
        assert field in response.data

    def test_filters(self, world):
        client = world.client("staff_x")
        url = reverse("region-list")
        assert ids(client.get(url, {"country": "cn"})) == {world.regions["B"].pk}
        assert ids(client.get(url, {"kind": "oblast"})) == {world.regions["A"].pk, world.regions["C"].pk}

    def test_names_follow_the_request_language(self, world):
        region = world.regions["A"]
        region.name_ru = "Восточно-Казахстанская область"
        region.save()
        response = world.client("official_a").get(reverse("region-detail", args=[region.pk]), HTTP_ACCEPT_LANGUAGE="ru")
        assert response.data["name"] == "Восточно-Казахстанская область"


class TestExchangeRates:
    def test_one_rate_per_currency_and_date(self, world):
        response = world.client("admin").post(
            reverse("exchange-rate-list"), {"currency": "KZT", "date": "2026-07-01", "rate_to_cny": "0.02"}, format="json"
        )
        assert response.status_code == 400

    @pytest.mark.parametrize("payload, field", [
        ({"currency": "TENGE", "date": "2026-07-01", "rate_to_cny": "1"}, "currency"),
        ({"currency": "EUR", "date": "2026-07-01", "rate_to_cny": "0"}, "rate_to_cny"),
        ({"currency": "EUR", "date": "July", "rate_to_cny": "1"}, "date"),
    ])
    def test_bad_rates_name_the_field(self, world, payload, field):
        response = world.client("admin").post(reverse("exchange-rate-list"), payload, format="json")
        assert response.status_code == 400
        assert field in response.data

    def test_filters(self, world):
        older = f.rate("KZT", day=__import__("datetime").date(2026, 1, 1), value="0.0140")
        client = world.client("official_b")
        url = reverse("exchange-rate-list")
        assert ids(client.get(url, {"currency": "kzt"})) == {world.rates["KZT"].pk, older.pk}
        assert ids(client.get(url, {"currency": "KZT", "date_before": "2026-03-31"})) == {older.pk}
        assert ids(client.get(url, {"date": "2026-07-01"})) == {world.rates["KZT"].pk, world.rates["USD"].pk}


class TestReportFilters:
    def test_by_quarter_region_and_status(self, world):
        client = world.client("reviewer")
        url = reverse("report-list")
        r = world.reports
        assert ids(client.get(url, {"quarter": "2026Q3"})) == {r["A_draft"].pk, r["B_draft"].pk}
        assert ids(client.get(url, {"region": "kz-vos"})) == {r["A_draft"].pk, r["A_submitted"].pk}
        assert ids(client.get(url, {"status": "submitted"})) == {r["A_submitted"].pk, r["B_submitted"].pk}
        assert ids(client.get(url, {"status": ["submitted", "draft"], "region": "CN-XJ-HRG"})) == {r["B_draft"].pk, r["B_submitted"].pk}
        assert client.get(url, {"status": "lost"}).status_code == 400

    def test_an_official_filtering_for_another_region_gets_nothing(self, world):
        assert ids(world.client("official_a").get(reverse("report-list"), {"region": "CN-XJ-HRG"})) == set()

    def test_lines_by_report_and_occupation(self, world):
        client = world.client("reviewer")
        url = reverse("report-line-list")
        draft = world.reports["A_draft"]
        assert ids(client.get(url, {"report": draft.pk})) == {world.lines["A_draft"].pk}
        coded = ids(client.get(url, {"occupation": "8341"}))
        assert world.lines["A_draft"].pk in coded and world.lines["A_uncoded"].pk not in coded
        assert ids(client.get(url, {"uncoded": "true"})) == {world.lines["A_uncoded"].pk, world.lines["B_uncoded"].pk}

    def test_list_shows_line_counts_and_pages(self, world):
        response = world.client("reviewer").get(reverse("report-list"), {"ordering": "region__code"})
        assert response.data["count"] == 4
        counts = {row["id"]: row["line_count"] for row in response.data["results"]}
        assert counts[world.reports["A_submitted"].pk] == 2
        assert "lines" not in response.data["results"][0]
