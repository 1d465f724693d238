"""A line whose currency has no exchange rate on its need date is named on the report's page while
it can still be fixed: matching converts every salary to CNY at the rate in force on the line's need
date and stops the whole quarter's run, every region's, when there is none (tests/matching/
test_line_faults.py). The page says which lines, why, which currencies have a rate, and what to do."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.urls import reverse

from accounts.models import Role
from gaps.models import ExchangeRate, GapReport, GapReportLine, ReportStatus
from gaps.selectors import MissingRate, lines_without_rate


def _line(report, no, currency, season_start=None):
    return GapReportLine.objects.create(report=report, line_no=no, occupation_id="8341", headcount=5,
                                        salary_min=100, salary_max=200, currency=currency,
                                        season_start=season_start)


def test_the_lines_without_a_rate_on_their_need_date(regions, occupations):
    report = GapReport.objects.create(region=regions["east"], quarter="2027Q1", status=ReportStatus.DRAFT)
    ExchangeRate.objects.create(currency="KZT", date=dt.date(2026, 12, 1), rate_to_cny=Decimal("0.0145"))
    ExchangeRate.objects.create(currency="USD", date=dt.date(2027, 3, 1), rate_to_cny=Decimal("7.1"))
    _line(report, 1, "KZT")                                  # rate from 1 Dec 2026, needed from 1 Jan 2027
    _line(report, 2, "CNY")                                  # CNY needs no rate
    _line(report, 3, "USD")                                  # needed from 1 Jan 2027: the USD rate starts later
    _line(report, 4, "USD", season_start=dt.date(2027, 3, 15))  # in force by then
    _line(report, 5, "kgs")                                  # no KGS rate at all
    missing, currencies = lines_without_rate(report)
    assert missing == [MissingRate(3, "USD", dt.date(2027, 1, 1)), MissingRate(5, "KGS", dt.date(2027, 1, 1))]
    assert currencies == ["CNY", "KZT", "USD"]
    assert lines_without_rate(None) == ([], [])


def test_the_report_page_names_them_in_the_officials_language(client, make_user, regions, occupations):
    region = regions["east"]
    report = GapReport.objects.create(region=region, quarter="2027Q1", status=ReportStatus.SUBMITTED)
    ExchangeRate.objects.create(currency="KZT", date=dt.date(2026, 12, 1), rate_to_cny=Decimal("0.0145"))
    _line(report, 1, "KZT")
    _line(report, 2, "USD", season_start=dt.date(2027, 2, 10))
    client.force_login(make_user(Role.OFFICIAL, regions=[region]))
    url = reverse("web:report", args=[region.code, "2027Q1"])

    html = client.get(url).content.decode()
    notice = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split('id="missing-rates"', 1)[1].split("</div>", 1)[0]))
    assert "Matching stops the whole quarter's run, every region's, until there is one." in notice
    assert "Line 2: USD, needed from 10 Feb 2027" in notice
    assert "Currencies with a rate: CNY, KZT." in notice and "Line 1" not in notice

    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "CNY、KZT" in zh.split('id="missing-rates"', 1)[1].split("</div>", 1)[0]

    ExchangeRate.objects.create(currency="USD", date=dt.date(2027, 1, 1), rate_to_cny=Decimal("7.1"))
    assert 'id="missing-rates"' not in client.get(url).content.decode()


def test_a_run_stopped_by_a_missing_rate_is_said_above_the_older_results(client, make_user, regions, occupations):
    """The results shown after a run that stopped are the run's before it: the page says so, and why."""
    from gaps.matching import services as matching

    region = regions["east"]
    report = GapReport.objects.create(region=region, quarter="2027Q1", status=ReportStatus.SUBMITTED)
    ExchangeRate.objects.create(currency="KZT", date=dt.date(2026, 12, 1), rate_to_cny=Decimal("0.0145"))
    _line(report, 1, "KZT")
    first = matching.match_quarter_inline(quarter="2027Q1", trigger="command")
    client.force_login(make_user(Role.OFFICIAL, regions=[region]))
    url = reverse("web:report", args=[region.code, "2027Q1"])
    assert 'id="run-failed"' not in client.get(url).content.decode()

    _line(report, 2, "USD")
    try:
        matching.match_quarter_inline(quarter="2027Q1", trigger="command")
    except Exception as exc:  # noqa: BLE001 - the run fails naming the currency
        assert "USD" in str(exc)
    html = client.get(url).content.decode()
    notice = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split('id="run-failed"', 1)[1].split("</div>", 1)[0]))
    assert "stopped without results; the results below are those of the run before it." in notice
    assert "A line above has no exchange rate on its need date: that alone stops the run." in notice
    assert "No exchange rate for USD" in notice  # the run's own words, for an administrator
    assert first.pk  # the earlier results are still the ones shown
    assert "Line 2: USD" in html
