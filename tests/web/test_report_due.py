"""A report still to be submitted says by when: the quarter's last day, as the reminder mail does.

The official's home lists the current and the next quarter with the day each report is due and the
days left ("—" once a report is in force, an amendment's draft included), and offers to start the
first quarter from the current one on that has no report; a report page says "Submit it by the
quarter's last day, …" until a report is in force or the quarter is over.
"""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core import text
from core.quarters import Quarter
from gaps.models import GapReport, ReportStatus


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _due_cells(html: str) -> list[str]:
    return [_plain(c).strip() for c in re.findall(r'<td data-label="Submit by">(.*?)</td>', html, re.S)]


def test_the_home_gives_each_unsubmitted_report_its_last_day_and_starts_the_due_quarter(client, make_user, regions):
    today = timezone.localdate()
    current = Quarter.containing(today)
    region = regions["east"]
    client.force_login(make_user(Role.OFFICIAL, regions=[region]))

    html = client.get(reverse("web:home")).content.decode()
    left = text.format_days_left(current.end, today=today, language="en")
    assert _due_cells(html) == [
        f"{text.format_date(current.end, language='en')} ({left})",
        f"{text.format_date(current.next().end, language='en')} "
        f"({text.format_days_left(current.next().end, today=today, language='en')})",
    ]
    start = reverse("web:report", args=[region.code, str(current)])
    assert f'href="{start}">Start the report for {text.quarter_name(str(current), language="en")}' in html
    assert f"Due by {text.format_date(current.end, language='en')} ({left})." in _plain(html)

    # The current quarter submitted, then amended (a draft beside the report in force); the next one drafted.
    GapReport.objects.create(region=region, quarter=str(current), status=ReportStatus.SUBMITTED)
    GapReport.objects.create(region=region, quarter=str(current), status=ReportStatus.DRAFT)
    GapReport.objects.create(region=region, quarter=str(current.next()), status=ReportStatus.DRAFT)
    html = client.get(reverse("web:home")).content.decode()
    cells = _due_cells(html)
    assert cells[0] == "—"
    assert cells[1].startswith(text.format_date(current.next().end, language="en"))
    after = current.next().next()
    assert f'href="{reverse("web:report", args=[region.code, str(after)])}">Start the report for' in html
    assert f"Due by {text.format_date(after.end, language='en')}" in _plain(html)


def test_the_due_date_reads_in_the_officials_language(client, make_user, regions):
    today = timezone.localdate()
    current = Quarter.containing(today)
    client.force_login(make_user(Role.OFFICIAL, regions=[regions["east"]]))
    html = _plain(client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode())
    date = text.format_date(current.end, language="ru")
    left = text.format_days_left(current.end, today=today, language="ru")
    assert f"Отправить до {date} ({left})." in html  # the button's line
    assert f"{date} ({left})" in html and "Submit by" not in html and "Due by" not in html


def test_a_report_page_says_by_when_until_a_report_is_in_force(client, make_user, regions):
    today = timezone.localdate()
    current = Quarter.containing(today)
    region = regions["east"]
    client.force_login(make_user(Role.OFFICIAL, regions=[region]))
    url = reverse("web:report", args=[region.code, str(current)])
    sentence = (f"Submit it by the quarter's last day, {text.format_date(current.end, language='en')} "
                f"({text.format_days_left(current.end, today=today, language='en')}).")

    assert sentence in _plain(client.get(url).content.decode())  # no report yet
    GapReport.objects.create(region=region, quarter=str(current), status=ReportStatus.DRAFT)
    assert sentence in _plain(client.get(url).content.decode())  # a draft
    GapReport.objects.create(region=region, quarter=str(current), status=ReportStatus.SUBMITTED)
    page = _plain(client.get(url).content.decode())
    assert "Submit it by" not in page  # a report is in force, the draft being an amendment

    past = current.previous()
    page = _plain(client.get(reverse("web:report", args=[region.code, str(past)])).content.decode())
    assert "Submit it by" not in page  # the quarter is over: no deadline to meet


def test_the_homes_labels_end_in_the_chinese_colon_without_a_space(client, make_user, regions):
    region = regions["east"]
    GapReport.objects.create(region=region, quarter="2025Q2", status=ReportStatus.SUBMITTED)
    client.force_login(make_user(Role.OFFICIAL, regions=[region]))
    html = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    text_ = re.sub(r"<[^>]+>", "", html)  # tags dropped, spaces kept as written
    assert "所有有报告的季度：2025年第2季度" in text_
    assert not re.search(r"[：；，]\s", text_)
