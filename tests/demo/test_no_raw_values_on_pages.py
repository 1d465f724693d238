"""No page shows a bare ISO date or a raw decimal amount (issue 14, Tests).

Each role's main pages of the demo are rendered in each language; their visible text (not scripts,
styles or form fields' values) must write dates in the reader's style ("15 Aug 2026") and amounts
with grouping and without trailing zeros ("350,000 KZT"), never "2026-08-15" or "350000.00".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.test import Client

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")
RAW_AMOUNT = re.compile(r"(?<![\d.,\u00a0\u202f])\d{4,}\.\d{2}(?!\d)|(?<![\d.,])\d+\.00(?!\d)")
LANGUAGES = ["en", "zh-hans", "ru", "kk"]


class VisibleText(HTMLParser):
    HIDDEN = {"script", "style", "template", "head"}

    def __init__(self):
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def raw_values(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        if ISO_DATE.search(line) or RAW_AMOUNT.search(line):
            found.append(line[:200])
    return found


def seasonal_gaps(limit: int = 3) -> list[int]:
    """Gaps whose evidence shows a report line with a season (kept as ISO strings in the evidence rows)."""
    from django.db.models import Exists, OuterRef

    from gaps.models import Gap, GapReportLine

    lines = GapReportLine.objects.filter(
        report__region=OuterRef("region"), report__quarter=OuterRef("quarter"), occupation=OuterRef("occupation"),
        season_start__isnull=False, season_end__isnull=False,
    )
    return list(Gap.objects.filter(Exists(lines)).order_by("pk").values_list("pk", flat=True)[:limit])


def pages_of(username: str) -> list[str]:
    from gaps.models import Gap
    from projects.models import CooperationProject as Project

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    home = client.get("/")
    links = set(re.findall(r'href="(/(?:reports|projects|programs|gaps)/[^"#?]*)"', home.content.decode()))
    urls = ["/", *sorted(links)]
    # A report page's results are loaded into it (htmx): read them too.
    urls += [url + "results/" for url in sorted(links) if re.fullmatch(r"/reports/[^/]+/\d{4}Q\d/", url)]
    if username == "reviewer":
        urls += [f"/gaps/{pk}/" for pk in seasonal_gaps()]
        urls += ["/gaps/", "/projects/", f"/projects/{Project.objects.order_by('pk').first().pk}/",
                 f"/gaps/{Gap.objects.order_by('pk').first().pk}/"]
    if username.startswith("college."):
        urls += ["/programs/", "/projects/"]
    return list(dict.fromkeys(urls))


@pytest.mark.parametrize("username", ["official.vko", "official.almaty", "college.gansu", "college.xinjiang", "reviewer"])
def test_no_page_shows_a_bare_iso_date_or_a_raw_amount(demo_world, username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    problems = {}
    for url in pages_of(username):
        for language in LANGUAGES:
            client.cookies["django_language"] = language
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            found = raw_values(visible_text(response.content.decode()))
            if found:
                problems[f"{url} [{language}]"] = found
    assert len(pages_of(username)) >= 3  # the scan really read the role's pages
    assert not problems, problems


def test_the_scanner_finds_what_it_is_for():
    text = visible_text(
        '<p>Needed by 2026-08-15; salary 350000.00-500000.00 KZT</p><p>budget 1234567.50</p><input value="2026-08-15">'
        "<script>var d = '2026-01-01';</script><p>15 Aug 2026, 350,000 KZT, 2026Q3, 81%</p>"
    )
    assert raw_values(text) == ["Needed by 2026-08-15; salary 350000.00-500000.00 KZT", "budget 1234567.50"]


def test_the_reviewer_reads_gap_pages_with_seasons(demo_world):
    gaps = seasonal_gaps()
    assert gaps
    assert {f"/gaps/{pk}/" for pk in gaps} <= set(pages_of("reviewer"))


def test_an_official_reads_the_report_and_its_results(demo_world):
    urls = pages_of("official.vko")
    assert any(re.fullmatch(r"/reports/KZ-VOS/\d{4}Q\d/", url) for url in urls)
    assert any(url.endswith("/results/") for url in urls)


def test_a_gap_page_states_each_recommendation_once(demo_world):
    """The recommendation's sentence names its college: the page does not put the college's code before it."""
    from gaps.models import Gap, Recommendation

    client = Client()
    client.force_login(get_user_model().objects.get(username="reviewer"))
    client.cookies["django_language"] = "en"
    recommended = Recommendation.objects.filter(
        occupation_code=OuterRef("occupation__code"), region_code=OuterRef("region__code"), quarter=OuterRef("quarter")
    )
    gap = Gap.objects.filter(Exists(recommended)).order_by("pk").first()
    assert gap is not None
    html = client.get(f"/gaps/{gap.pk}/").content.decode()
    section = html[html.index('id="evidence-title"'):]
    section = section[section.index("Recommendations"):section.index("Colleges that train")]
    items = re.findall(r'<span class="status status-rec">[^<]*</span>(.*?)</li>', section, re.S)
    assert items
    codes = set(Recommendation.objects.values_list("college_code", flat=True))
    for item in items:
        sentence = re.sub(r"<[^>]+>", "", item).strip()
        assert not any(sentence.startswith(f"{code}:") for code in codes), sentence
        print(sentence)
