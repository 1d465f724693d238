"""The early-warning board and an entry's page per role, in four languages, and fast-tracking an entry
into exactly one cooperation project."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from gaps.models import EarlyWarning, Gap, WarningNotice, WarningRating, WarningStatus
from projects import services
from projects.choices import ProjectStatus
from projects.models import CooperationProject, GapDecision

from ..api import factories as af
from . import factories as f

ISO = re.compile(r"\b20\d\d-\d\d-\d\d\b")


@pytest.fixture
def board(db, make_user):
    af.occupations()
    east, north = af.region("KZ-VOS", name_en="East Kazakhstan"), af.region("KZ-SEV", name_en="North Kazakhstan")
    ust = af.college("UST")
    af.program(ust, "OPS", trains=("8341",), serves=[east])
    today = timezone.localdate()
    entries = {
        "now": f.warning(east, "8341", "2027Q3", status=WarningStatus.ACT_NOW, today=today,
                         rating=WarningRating.CRITICAL, wage_pressure="0.07"),
        "plan": f.warning(east, "8344", "2027Q4", status=WarningStatus.PLAN, today=today),
        "short": f.warning(east, "7515", "2027Q2", status=WarningStatus.SHORT_COURSE_ONLY, today=today),
        "missed": f.warning(north, "8341", "2027Q1", status=WarningStatus.MISSED, today=today,
                            context={"next_need_date": "2028-03-01", "next_act_by": "2027-09-03"}),
    }
    # Past years' reports of the same quarter: the official's chart shows them.
    for year, count in ((2025, 1), (2026, 1)):
        report = af.report(east, f"{year}Q3", status="submitted")
        report.lines.update(headcount=100 + 10 * (year - 2025))
    f.recommendation(entries["now"], ust, seats=25)
    f.recommendation(entries["short"], ust, kind="EXPAND", seats=10)
    users = {
        "official": make_user(Role.OFFICIAL, regions=[east]),
        "north": make_user(Role.OFFICIAL, regions=[north]),
        "staff": make_user(Role.COLLEGE_STAFF, colleges=[ust]),
        "reviewer": make_user(Role.REVIEWER),
        "reviewer2": make_user(Role.REVIEWER),
        "nobody": make_user(None),
    }
    return {"today": today, "east": east, "north_region": north, "ust": ust, **entries, **users}


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _links(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/early-warnings/(\d+)/"', html)}


@pytest.mark.parametrize(
    ("who", "sees"),
    [("official", {"now", "plan", "short"}), ("north", {"missed"}), ("staff", {"now", "plan", "short"}),
     ("reviewer", {"now", "plan", "short", "missed"}), ("nobody", set())],
)
def test_each_role_sees_its_board(board, who, sees):
    response = client_for(board[who]).get("/early-warnings/")
    assert response.status_code == 200
    assert _links(response.content.decode()) == {board[k].pk for k in sees}
    for key in ("now", "plan", "short", "missed"):
        expected = 200 if key in sees else 404
        assert client_for(board[who]).get(f"/early-warnings/{board[key].pk}/").status_code == expected, key


def test_the_board_reads_act_by_dates_never_bare_iso(board):
    html = client_for(board["reviewer"]).get("/early-warnings/").content.decode()
    assert "act by" in html and "15 days left" in html
    assert "too late" in html  # the missed and the short-course-only entries
    assert "next year: act by 3 Sep 2027" in html
    body = html.split("<main", 1)[1]
    assert not ISO.search(re.sub(r'datetime="[^"]*"', "", body)), ISO.search(body)


def test_reviewers_see_the_indicators_most_urgent_first(board):
    html = client_for(board["reviewer"]).get("/early-warnings/").content.decode()
    assert "gap in 3 of 8 quarters" in html and re.search(r"wage pressure \+7\s?%", html)
    order = [pk for pk in re.findall(r'href="/early-warnings/(\d+)/"', html)]
    assert [int(pk) for pk in dict.fromkeys(order)] == [board[k].pk for k in ("now", "short", "plan", "missed")]


def test_officials_see_the_history_chart_next_to_the_forecast(board):
    html = client_for(board["official"]).get("/early-warnings/").content.decode()
    assert f'data-chart="ew-data-{board["now"].pk}"' in html
    assert "Reported headcount" in html and "80-percent interval" in html
    detail = client_for(board["official"]).get(f"/early-warnings/{board['now'].pk}/").content.decode()
    assert "no report" in detail  # 2024Q3: the region submitted no report
    assert ">100<" in detail and ">110<" in detail  # 2025Q3 and 2026Q3 as reported


def test_the_history_chart_reads_years_under_its_bars(board):
    """One quarter of the year over several years: the axis names the years, the caption the quarter
    (four "2027年第3季度" labels overlapped under the bars in Chinese)."""
    import json

    html = client_for(board["official"]).get("/early-warnings/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    chart_id = f"ew-data-{board['now'].pk}"
    data = json.loads(re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S).group(1))
    year = int(board["now"].quarter[:4])
    assert data["labels"][-1] == str(year)
    assert data["labels"] == [str(y) for y in range(year - len(data["labels"]) + 1, year + 1)]
    assert "季度" in html.split(f'id="{chart_id}"', 1)[1].split("</figcaption>", 1)[0]


def test_colleges_see_what_to_open_or_expand_by_act_by(board):
    html = client_for(board["staff"]).get("/early-warnings/").content.decode()
    section = html.split('id="ew-actions-title"', 1)[1].split("</section>", 1)[0]
    # Each kind by its name, not its code (a first-time reader stumbled on "OPEN").
    opened, expanded = '<span class="status status-rec">Open</span>', '<span class="status status-rec">Expand</span>'
    assert opened in section and expanded in section
    assert "OPEN" not in section and "EXPAND" not in section
    # The feasible one first; the one whose act-by passed is shown as too late, after it.
    assert section.index(opened) < section.index(expanded)
    assert "too late" in section.split(expanded, 1)[1]


def test_home_and_nav_lead_to_the_board(board):
    for who in ("official", "staff", "reviewer"):
        html = client_for(board[who]).get("/").content.decode()
        assert 'href="/early-warnings/"' in html
    home = client_for(board["official"]).get("/").content.decode()
    # The act-now entry and the one only a short course can still meet.
    assert "2 coming shortfalls must be acted on now." in home
    assert "For 1 of them a full program no longer finishes in time, only a short course." in home


def test_the_home_headline_names_a_short_courses_deadline_when_it_comes_first(db, make_user):
    """A short-course-only entry must be acted on by its short course's last day, which can come before any
    act-now entry's: the headline's earliest deadline is the earlier of the two (it named only act-now
    entries and so a later day than the board's first action)."""
    from core import text

    af.occupations()
    west = af.region("KZ-ZAP", name_en="West Kazakhstan")
    today = timezone.localdate()
    soon = f.warning(west, "7515", "2027Q1", status=WarningStatus.SHORT_COURSE_ONLY, today=today, act_in_days=-100)
    f.warning(west, "8341", "2027Q3", status=WarningStatus.ACT_NOW, today=today, act_in_days=60)
    official = make_user(Role.OFFICIAL, regions=[west])
    assert soon.short_course_by == today + dt.timedelta(days=20)

    home = re.sub(r"\s+", " ", client_for(official).get("/").content.decode())
    assert "2 coming shortfalls must be acted on now." in home
    assert f"Earliest deadline: {text.format_act_by(soon.short_course_by, today=today, language='en')}." in home

    # Only short-course entries: said of all of them, in the reader's language.
    EarlyWarning.objects.filter(region=west, occupation_id="8341").delete()
    home = re.sub(r"\s+", " ", client_for(official).get("/").content.decode())
    assert "1 coming shortfall must be acted on now. A full program no longer finishes in time: only a short course can still meet it." in home
    ru = re.sub(r"\s+", " ", client_for(official, "ru").get("/").content.decode())
    assert "Полная программа уже не успевает: успеть можно только коротким курсом." in ru
    # Chinese sentences follow each other without the space English puts between them.
    zh = client_for(official, "zh-hans").get("/").content.decode()
    paragraph = zh.split('id="ew-home-title"', 1)[1].split("</p>", 1)[0]
    assert "完整课程已来不及按时结业" in paragraph and "。 " not in paragraph and "。\n" not in paragraph


def test_the_notification_list_shows_announced_warnings(board):
    WarningNotice.objects.create(warning=board["now"], status=WarningStatus.ACT_NOW, recipients=2)
    html = client_for(board["official"]).get("/early-warnings/").content.decode()
    assert "Notifications" in html and "entered “Act now”" in html
    assert "Notifications" not in client_for(board["north"]).get("/early-warnings/").content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru", "kk"])
def test_the_board_in_four_languages(board, language):
    for who in ("official", "staff", "reviewer"):
        response = client_for(board[who], language).get("/early-warnings/")
        assert response.status_code == 200
        html = response.content.decode()
        assert f'lang="{language}"' in html
        if language != "en":
            assert "Early warning" not in html.split("<main", 1)[1], (language, who)
            assert "act by" not in html and "too late" not in html.split("<main", 1)[1]


def test_a_bad_filter_is_a_400_naming_the_parameter_not_a_500(board):
    for query, param in (("quarter=2027Q9", "quarter"), ("status=nonsense", "status"), ("page=x", "page"),
                         ("region=ZZ-NONE", "region"), ("notices_page=0", "notices_page")):
        response = client_for(board["reviewer"]).get(f"/early-warnings/?{query}")
        assert response.status_code == 400, query
        assert f"“{param}”" in response.content.decode(), query
        assert len(response.context["rows"]) == 4  # the bad filter is left out; the board still shows


# --- fast-track --------------------------------------------------------------------------------------


def test_a_reviewer_fast_tracks_an_entry_into_one_project(board):
    client = client_for(board["reviewer"])
    response = client.post(f"/early-warnings/{board['now'].pk}/fast-track/", {"comment": "before the harvest"})
    project = CooperationProject.objects.get(origin_warning=board["now"])
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert project.status == ProjectStatus.FAST_TRACKED and project.planned_trainees == 40
    assert project.origin_gap.quarter == "2027Q3" and project.origin_gap.is_active is False
    assert project.decision.comment == "before the harvest" and project.conditions.count() == 1
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(board["reviewer"])
    assert api.get(f"/api/v1/projects/{project.pk}/").json()["origin_warning"] == board["now"].pk
    listed = api.get("/api/v1/projects/").json()["results"]
    assert [row["origin_warning"] for row in listed] == [board["now"].pk]
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'href="/early-warnings/{board["now"].pk}/"' in page and "Fast-tracked from the early warning" in page
    # A second time: the same project, a message, no second one.
    again = client.post(f"/early-warnings/{board['now'].pk}/fast-track/", follow=True)
    assert "already fast-tracked" in again.content.decode()
    assert CooperationProject.objects.filter(origin_warning=board["now"]).count() == 1
    detail = client.get(f"/early-warnings/{board['now'].pk}/").content.decode()
    assert project.title in detail and "Fast-track: create the project" not in detail


def test_only_reviewers_fast_track(board):
    for who in ("official", "staff"):
        response = client_for(board[who]).post(f"/early-warnings/{board['now'].pk}/fast-track/")
        assert response.status_code == 403
    assert client_for(board["north"]).post(f"/early-warnings/{board['now'].pk}/fast-track/").status_code == 404
    assert not CooperationProject.objects.exists()


def test_an_inactive_entry_is_not_fast_tracked(board):
    board["now"].is_active = False
    board["now"].save()
    with pytest.raises(Exception) as caught:
        services.warning_fast_track(warning=board["now"], user=board["reviewer"])
    assert "no longer" in str(caught.value)


def test_an_entry_whose_gap_was_approved_joins_that_project(board):
    gap = Gap.objects.create(region=board["east"], quarter="2027Q3", occupation_id="8341", headcount=120, covered=80,
                             shortfall=40, need_date=dt.date(2027, 7, 1))
    project = services.gap_approve(gap=gap, user=board["reviewer"])
    assert services.warning_fast_track(warning=board["now"], user=board["reviewer"]).pk == project.pk
    assert CooperationProject.objects.count() == 1 and GapDecision.objects.count() == 1


def test_an_entry_whose_gap_was_rejected_is_a_conflict(board):
    gap = Gap.objects.create(region=board["east"], quarter="2027Q3", occupation_id="8341", headcount=120, covered=80,
                             shortfall=40, need_date=dt.date(2027, 7, 1))
    services.gap_reject(gap=gap, user=board["reviewer"], comment="not a priority")
    with pytest.raises(services.DecisionConflict):
        services.warning_fast_track(warning=board["now"], user=board["reviewer"])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_fast_tracks_create_exactly_one_project(board, make_user):
    assert connection.vendor == "postgresql"
    n = 6
    reviewers = [board["reviewer"], board["reviewer2"]] + [make_user(Role.REVIEWER) for _ in range(n - 2)]
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = services.warning_fast_track(warning=board["now"].pk, user=reviewers[i])
        except BaseException as exc:  # noqa: BLE001 - the test inspects every outcome
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    projects = [o for o in outcomes if isinstance(o, CooperationProject)]
    conflicts = [o for o in outcomes if isinstance(o, services.WarningConflict)]
    assert len(projects) == 1 and len(conflicts) == n - 1, outcomes
    assert CooperationProject.objects.filter(origin_warning=board["now"]).count() == 1
    assert Gap.objects.filter(region=board["east"], quarter="2027Q3", occupation_id="8341").count() == 1
    assert all(c.project.pk == projects[0].pk for c in conflicts)


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru", "kk"])
def test_the_board_and_an_entry_are_labelled_and_structured(board, language):
    from ..web.test_accessibility import check

    for who in ("official", "staff", "reviewer"):
        for url in ("/early-warnings/", f"/early-warnings/{board['now'].pk}/"):
            response = client_for(board[who], language).get(url)
            assert response.status_code == 200, (who, url)
            assert check(response.content.decode()).lang == language


def test_a_recommendation_whose_season_has_begun_is_marked_past(board):
    """As on the programs page (issue 14): a forward recommendation for a season that has already
    begun is marked "past" on the board and on the entry's page; a current one is not."""
    begun = f.warning(board["east"], "8344", "2026Q3", status=WarningStatus.MISSED, today=board["today"],
                      lead_days=100)  # act by 130 days ago, needed from 30 days ago
    assert begun.need_date < board["today"]
    f.recommendation(begun, board["ust"], seats=5)
    client = client_for(board["staff"], "ru")
    response = client.get("/early-warnings/")
    marks = {rec.warning_id: rec.is_past for rec in response.context["actions"]}
    assert marks == {board["now"].pk: False, board["short"].pk: False, begun.pk: True}
    html = response.content.decode()
    assert html.count('status-past">прошло<') == 1
    page = client.get(f"/early-warnings/{begun.pk}/").content.decode()
    assert 'status-past">прошло<' in page
    assert 'status-past"' not in client.get(f"/early-warnings/{board['now'].pk}/").content.decode()


@pytest.mark.parametrize("path", ["/early-warnings/", "/"])
def test_a_forward_recommendation_past_its_full_program_says_a_short_course_still_can(board, path):
    """"too late" alone hid the real reason: for a short-course-only entry a typical program can no
    longer graduate in time, but a short course still can, by a date the reader is given (the home
    page's "Seasons ahead" card and the board's table said "too late" and nothing else)."""
    missed_rec = f.recommendation(board["missed"], board["ust"], seats=5)
    assert missed_rec.act_by < board["today"]
    short = board["short"]
    html = client_for(board["staff"]).get(path).content.decode()
    section = html.split('id="ew-actions-title"' if path != "/" else 'id="forward-title"', 1)[1].split("</section>", 1)[0]
    from core import text

    expected = text.format_act_by(short.short_course_by, today=board["today"], language="en")
    assert "too late for a full program" in section and "short course:" in section and expected in section
    # The missed entry's recommendation: too late, with next year's date from the entry.
    assert "next year: act by" in section


def test_the_status_filter_offers_all_once(board):
    html = client_for(board["reviewer"]).get("/early-warnings/").content.decode()
    select = html.split('name="status"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert options[0] == "All" and options.count("All") == 1
    assert len(options) == 5  # All, and the four statuses


@pytest.mark.parametrize(("who", "heading"), [
    ("staff", "What your colleges could do"),
    ("reviewer", "What colleges could do"),
])
def test_the_entrys_recommendations_are_headed_for_the_reader(board, who, heading):
    """A college reads what its own colleges could do; a reviewer owns no college, so the heading
    does not say "your" to them (a reviewer read "What your colleges could do")."""
    html = client_for(board[who]).get(f"/early-warnings/{board['now'].pk}/").content.decode()
    section = html.split('id="ew-recs-title"', 1)[1].split("</h2>", 1)[0]
    assert section.strip(">").strip() == heading


def test_a_short_course_that_can_still_start_comes_before_what_nothing_can_meet(board):
    """Ordered by the full program's act-by alone, a recommendation nothing can meet any more (its
    act-by passed first) was listed above one a short course can still meet: the still-actionable
    ones come first, the short course by its own last day, the dead ones last."""
    from web import warning_board

    today = board["today"]
    short_rec = board["short"].recommendations.get()
    dead = f.recommendation(board["missed"], board["ust"], seats=5, act_by=short_rec.act_by - dt.timedelta(days=30))
    assert dead.act_by < short_rec.act_by < today
    order = [r.pk for r in warning_board.college_actions(board["staff"], today=today)]
    now_rec = board["now"].recommendations.get()
    assert order == [now_rec.pk, short_rec.pk, dead.pk]
    html = client_for(board["staff"]).get("/").content.decode()
    section = html.split('id="forward-title"', 1)[1].split("</section>", 1)[0]
    assert section.index("short course:") < section.index("next year: act by")


def test_the_seasons_ahead_read_with_chinese_punctuation(board):
    """A Chinese college read "开设 农林机械操作员, 东哈萨克斯坦州, 2027年第1季度: 完整课程已来不及; 短期课程： 请在…":
    English commas, colon and semicolon between Chinese words and a space after the full-width colon.
    Each item is now one translatable sentence, and its parts are joined as Chinese joins them."""
    from core import text

    missed_rec = f.recommendation(board["missed"], board["ust"], seats=5)
    assert missed_rec.act_by < board["today"]
    html = client_for(board["staff"], "zh-hans").get("/").content.decode()
    section = html.split('id="forward-title"', 1)[1].split("</section>", 1)[0]
    items = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
             for item in re.findall(r"<li>(.*?)</li>", section, re.S)]
    short = board["short"]
    occupation = text.occupation_name(short.occupation_id, language="zh")
    assert len(items) == 3, items
    for item in items:
        assert not re.search(r"[,:;]", item), item  # no ASCII punctuation between Chinese words
        assert "： " not in item and "； " not in item, item
    short_item = next(item for item in items if "短期课程" in item)
    assert "；短期课程：" in short_item
    assert text.quarter_name(short.quarter, language="zh") + "：" in short_item
    assert short_item.split(" ", 1)[1].startswith(occupation + "，"), short_item
