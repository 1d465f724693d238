"""The web pages through Django's test client: permissions, forms, and the report workflow."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from core.quarters import Quarter
from gaps import services
from gaps.models import Gap, GapReport, ReportStatus
from training.models import Cohort, College, Program
from web import selectors

QUARTER = "2026Q3"

VALID_LINE = {
    "occupation_query": "8341 Mobile farm and forestry plant operators",
    "occupation_code": "8341",
    "headcount": "40",
    "salary_min": "250000",
    "salary_max": "320000",
    "currency": "kzt",
    "season_start": "2026-08-15",
    "season_end": "2026-10-15",
    "certification": "KZ",
    "languages": "kk; ru",
    "sector": "A",
    "note": "",
}


def report_url(region, quarter=QUARTER, action=""):
    name = "web:report" + (f"-{action}" if action else "")
    return reverse(name, kwargs={"region_code": region.code, "quarter": quarter})


@pytest.fixture
def official(make_user, regions):
    return make_user(Role.OFFICIAL, regions=[regions["east"]], username="aigerim")


@pytest.fixture
def official_client(client, official):
    client.force_login(official)
    return client


# --- Login and home ------------------------------------------------------------------------------


def test_pages_require_login(client, regions):
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    assert client.get(report_url(regions["east"])).status_code == 302


def test_login_page_renders_labelled_fields(client):
    html = client.get(reverse("web:login")).content.decode()
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert 'href="#main"' in html  # the skip link


def test_login_with_the_form_lands_on_home(client, official):
    response = client.post(reverse("web:login"), {"username": "aigerim", "password": "pw-Secret-123"})
    assert response.status_code == 302 and response["Location"] == reverse("web:home")


def test_official_home_lists_their_regions_reports_for_the_current_and_next_quarter(official_client, official, regions):
    # Reports are filed ahead: the next quarter's draft is on the home page with the current one.
    current = selectors.current_quarter()
    following = selectors.home_quarters()[1]
    assert following == str(Quarter.parse(current).next())
    services.report_create(region=regions["east"], quarter=following, user=official)
    html = official_client.get(reverse("web:home")).content.decode()
    assert "East Kazakhstan Region" in html
    assert "Horgos" not in html
    assert report_url(regions["east"], following) in html
    assert report_url(regions["east"], current) in html
    assert "status-draft" in html
    assert report_url(regions["east"], QUARTER) not in html  # no fixed demo quarter any more


def test_home_is_in_the_chosen_language(official_client, regions):
    html = official_client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="ru"' in html
    assert "Восточно-Казахстанская область" in html  # the region's own Russian name


def test_a_chinese_label_ends_in_a_full_width_colon(official_client, regions):
    """"状态: 已提交" put an English colon and space after a Chinese label; the label carries its
    own colon in each language, and Chinese takes no space after it."""
    official_client.post(report_url(regions["east"], action="line-add"), VALID_LINE)
    html = official_client.get(report_url(regions["east"]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert re.search(r"状态：<", html) and "状态:" not in html
    html = official_client.get(report_url(regions["east"]), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Статус: <" in html


def test_college_home_lists_programs_of_their_colleges_only(client, make_user, occupations):
    mine = College.objects.create(code="GS-01", name="Gansu Vocational Centre", country="CN")
    other = College.objects.create(code="XJ-09", name="Other College", country="CN")
    program = Program.objects.create(college=mine, code="GRADERS", title="Fruit and vegetable graders", languages=["zh"])
    Program.objects.create(college=other, code="SECRET", title="Not yours", languages=["ru"])
    Cohort.objects.create(program=program, seats=30, intake_date=dt.date(2026, 3, 1), graduation_date=dt.date(2027, 7, 1))
    client.force_login(make_user(Role.COLLEGE_STAFF, colleges=[mine]))
    html = client.get(reverse("web:home")).content.decode()
    assert "Fruit and vegetable graders" in html
    assert "Not yours" not in html
    programs = client.get(reverse("web:programs")).content.decode()
    assert "Fruit and vegetable graders" in programs and "Not yours" not in programs



def test_college_sees_its_ranked_recommendations_with_the_why(client, make_user, regions, occupations):
    from gaps.models import MatchRun, QuarterResults, Recommendation

    mine = College.objects.create(code="GS-01", name="Gansu Vocational Centre", country="CN")
    other = College.objects.create(code="XJ-09", name="Other College", country="CN")
    graders = Program.objects.create(college=mine, code="GRADERS", title="Fruit and vegetable graders", languages=["zh"])
    run = MatchRun.objects.create(quarter=QUARTER, status="succeeded")
    QuarterResults.objects.create(quarter=QUARTER, current_run=run)
    common = dict(run=run, quarter=QUARTER, region=regions["east"], region_code="KZ-VOS", headcount=40, shortfall=40,
                  salary_min=250000, salary_max=320000, currency="KZT", salary_min_cny=3500, salary_max_cny=4480,
                  need_date=dt.date(2026, 8, 15), feasibility=1)
    Recommendation.objects.create(kind="RETOOL", college=mine, college_code="GS-01", program=graders,
                                  program_code="GRADERS", occupation_code="8341", from_occupation_code="7543",
                                  latest_intake_date=dt.date(2026, 2, 15), score=900, **common)
    Recommendation.objects.create(kind="OPEN", college=mine, college_code="GS-01", occupation_code="7411",
                                  score=100, **common)
    Recommendation.objects.create(kind="EXPAND", college=other, college_code="XJ-09", occupation_code="7411",
                                  score=5000, **common)
    client.force_login(make_user(Role.COLLEGE_STAFF, colleges=[mine]))
    response = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="ru")
    rows = response.context["recommendations"]
    assert [r.kind for r in rows] == ["RETOOL", "OPEN"]  # best score first, other colleges' hidden
    html = response.content.decode()
    assert "Операторы передвижных сельскохозяйственных и лесных машин" in html  # title in Russian
    assert "250\xa0000–320\xa0000 KZT" in html and "3\xa0500–4\xa0480 CNY" in html
    assert "15 февраля 2026 г." in html  # the latest intake date, in the one Russian date style
    assert "XJ-09" not in html


def test_college_home_ranks_only_the_latest_matched_quarter(client, make_user, regions, occupations):
    """Advice for a quarter whose needs have passed must not outrank this quarter's."""
    from gaps.models import MatchRun, QuarterResults, Recommendation

    mine = College.objects.create(code="GS-01", name="Gansu Vocational Centre", country="CN")
    common = dict(college=mine, college_code="GS-01", region=regions["east"], region_code="KZ-VOS", headcount=40,
                  shortfall=40, salary_min=250000, salary_max=320000, currency="KZT", salary_min_cny=3500,
                  salary_max_cny=4480, feasibility=1, occupation_code="8341", kind="OPEN")
    for quarter, score, need in (("2026Q2", 9000, dt.date(2026, 5, 1)), (QUARTER, 100, dt.date(2026, 8, 15))):
        run = MatchRun.objects.create(quarter=quarter, status="succeeded")
        QuarterResults.objects.create(quarter=quarter, current_run=run)
        Recommendation.objects.create(run=run, quarter=quarter, need_date=need, score=score, **common)
    client.force_login(make_user(Role.COLLEGE_STAFF, colleges=[mine]))
    response = client.get(reverse("web:home"))
    assert [r.quarter for r in response.context["recommendations"]] == [QUARTER]
    assert "Q3 2026" in response.content.decode()  # the quarter as people say it (QUARTER is 2026Q3)


def test_reviewer_home_counts_gaps_awaiting_decision(client, make_user, regions, occupations):
    Gap.objects.create(region=regions["east"], quarter=QUARTER, occupation=occupations["8341"], headcount=40,
                       shortfall=40, new_on_list=True)
    Gap.objects.create(region=regions["horgos"], quarter=QUARTER, occupation=occupations["7411"], headcount=5,
                       shortfall=2, is_active=False)
    client.force_login(make_user(Role.REVIEWER))
    response = client.get(reverse("web:home"))
    assert response.context["review"].awaiting == 1
    assert response.context["review"].express_lane == 1
    gaps_html = client.get(reverse("web:gaps")).content.decode()
    assert "Mobile farm and forestry plant operators" in gaps_html
    assert "Building and related electricians" not in gaps_html


def test_reviewer_home_says_how_many_gaps_training_can_still_be_in_time_for(client, make_user, regions, occupations):
    """"100 gaps await a decision" counted seasons two years gone beside this one: the home says how
    many can still be trained for, by when, and keeps the past quarters apart."""
    from django.utils import timezone

    today = timezone.localdate()
    current = Quarter.parse(selectors.current_quarter())
    ahead = str(current.next().next())
    common = dict(region=regions["east"], headcount=40, shortfall=40)
    # In time: needed in 400 days, no program trains 8341 here, so act by need - DEFAULT_LEAD_DAYS (180).
    Gap.objects.create(quarter=ahead, occupation=occupations["8341"], need_date=today + dt.timedelta(days=400), **common)
    # This quarter, needed tomorrow: 180 days of training no longer fit.
    Gap.objects.create(quarter=str(current), occupation=occupations["7411"], need_date=today + dt.timedelta(days=1),
                       **common)
    # A season two years gone.
    Gap.objects.create(quarter=str(current.previous().previous().previous().previous().previous().previous().previous()
                                   .previous()), occupation=occupations["7411"], **common)
    client.force_login(make_user(Role.REVIEWER))
    response = client.get(reverse("web:home"))
    review = response.context["review"]
    assert (review.awaiting, review.in_time, review.too_late) == (3, 1, 2)
    assert review.earliest_act_by == today + dt.timedelta(days=220)
    assert [q for q, _n in review.quarters] == [str(current), ahead]
    assert len(review.past_quarters) == 1
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    assert "Training can still be in time for 1 of them." in text
    assert "act by" in text and "220 days left" in text
    assert "For 2 it is too late: their season is over or training would no longer finish by the need date." in text
    assert "1 past quarter, its season over" in text

    Gap.objects.filter(need_date__gt=today + dt.timedelta(days=300)).update(need_date=today + dt.timedelta(days=100))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()))
    assert client.get(reverse("web:home")).context["review"].in_time == 0
    assert "Ни для одного из них обучение в этом сезоне уже не успевает." in text
    assert "Для 3 уже поздно: сезон окончен или обучение не закончится к дате потребности." in text
    assert "1 прошедший квартал, его сезон окончен" in text


def test_college_home_says_when_every_recommendation_is_too_late(client, make_user, regions, occupations):
    """The latest matched quarter's season under way: its recommendations are all too late, and the
    home says so above them instead of heading them "Top recommendations" without a word."""
    from django.utils import timezone

    from gaps.models import MatchRun, QuarterResults, Recommendation

    today = timezone.localdate()
    mine = College.objects.create(code="GS-01", name="Gansu Vocational Centre", country="CN")
    run = MatchRun.objects.create(quarter=QUARTER, status="succeeded")
    QuarterResults.objects.create(quarter=QUARTER, current_run=run)
    rec = Recommendation.objects.create(
        run=run, quarter=QUARTER, region=regions["east"], region_code="KZ-VOS", headcount=40, shortfall=40,
        salary_min=250000, salary_max=320000, currency="KZT", salary_min_cny=3500, salary_max_cny=4480,
        need_date=today + dt.timedelta(days=30), feasibility=1, kind="EXPAND", college=mine, college_code="GS-01",
        occupation_code="8341", latest_intake_date=today - dt.timedelta(days=1), score=10)
    client.force_login(make_user(Role.COLLEGE_STAFF, colleges=[mine]))
    response = client.get(reverse("web:home"))
    assert response.context["recommendations_in_time"] is False
    text = re.sub(r"\s+", " ", response.content.decode())
    assert "None of the recommendations for Q3 2026 can still be acted on in time" in text
    zh = client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026年第3季度的建议已无一能及时执行" in zh  # no space between Chinese words
    rec.latest_intake_date = today  # the last day itself is still in time
    rec.save()
    response = client.get(reverse("web:home"))
    assert response.context["recommendations_in_time"] is True
    assert "None of the recommendations" not in response.content.decode()


def test_the_gap_list_opens_on_the_current_quarter_before_a_later_one(client, make_user, regions, occupations):
    """A report filed early gives a later quarter gaps; the list still opens on the current one while
    training can still be in time for a gap of it (tests/web/test_review_season.py: else the next)."""
    import datetime as dt

    from django.utils import timezone

    current = selectors.current_quarter()
    later = str(Quarter.parse(current).next())
    Gap.objects.create(region=regions["east"], quarter=later, occupation=occupations["8341"], headcount=5, shortfall=5)
    client.force_login(make_user(Role.REVIEWER))
    assert client.get(reverse("web:gaps")).context["quarter"] == later  # the only quarter with gaps
    Gap.objects.create(region=regions["east"], quarter=current, occupation=occupations["7411"], headcount=5,
                       shortfall=5, need_date=timezone.localdate() + dt.timedelta(days=1))
    assert client.get(reverse("web:gaps")).context["quarter"] == current


# --- Report page permissions -----------------------------------------------------------------------


def test_official_cannot_open_another_regions_report(official_client, regions):
    assert official_client.get(report_url(regions["horgos"])).status_code == 404
    assert official_client.post(report_url(regions["horgos"], action="line-add"), VALID_LINE).status_code == 404
    assert official_client.post(report_url(regions["horgos"], action="submit")).status_code == 404
    assert not GapReport.objects.filter(region=regions["horgos"]).exists()


def test_college_staff_cannot_open_reports(client, make_user, regions):
    client.force_login(make_user(Role.COLLEGE_STAFF))
    assert client.get(report_url(regions["east"])).status_code == 404


def test_reviewer_sees_a_report_read_only_and_cannot_change_it(client, make_user, official, regions, occupations):
    report = services.report_create(region=regions["east"], quarter=QUARTER, user=official)
    client.force_login(make_user(Role.REVIEWER))
    response = client.get(report_url(regions["east"]))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert "Add a line" not in response.content.decode()
    assert client.post(report_url(regions["east"], action="line-add"), VALID_LINE).status_code == 403
    assert report.lines.count() == 0


def test_bad_quarter_is_404(official_client, regions):
    assert official_client.get(report_url(regions["east"], quarter="2026Q5")).status_code == 404


# --- Adding lines, submitting, withdrawing ---------------------------------------------------------


def test_adding_the_first_line_opens_a_draft(official_client, regions, occupations):
    response = official_client.post(report_url(regions["east"], action="line-add"), VALID_LINE)
    assert response.status_code == 302
    report = GapReport.objects.get(region=regions["east"], quarter=QUARTER)
    assert report.status == ReportStatus.DRAFT
    line = report.lines.get()
    assert line.occupation_id == "8341"
    assert line.occupation_title == ""
    assert line.currency == "KZT"
    assert line.languages == ["kk", "ru"]
    assert line.salary_max == Decimal("320000")
    assert line.season_start == dt.date(2026, 8, 15)
    page = official_client.get(report_url(regions["east"])).content.decode()
    assert "Mobile farm and forestry plant operators" in page


def test_the_report_page_names_its_quarter_and_labels_the_requirements(official_client, regions, occupations):
    official_client.post(report_url(regions["east"], action="line-add"), VALID_LINE)
    page = official_client.get(report_url(regions["east"]), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    h1 = page[page.index("<h1>"):page.index("</h1>")]
    assert QUARTER not in h1 and "квартал" in h1, h1  # "3-й квартал 2026 г.", not the code 2026Q3
    assert "Сертификация: национальная оценка квалификации Казахстана" in page
    assert "<br>Языки: казахский или русский" in page, "the line's languages on their own line, by name"


def test_a_typed_code_without_a_pick_is_accepted(official_client, regions, occupations):
    data = VALID_LINE | {"occupation_query": "7543", "occupation_code": ""}
    assert official_client.post(report_url(regions["east"], action="line-add"), data).status_code == 302
    assert GapReport.objects.get(region=regions["east"]).lines.get().occupation_id == "7543"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"headcount": "0"}, "headcount", "greater than or equal to 1"),
        ({"headcount": "100001"}, "headcount", "less than or equal to 100000"),
        ({"salary_min": "500", "salary_max": "100"}, "salary_max", "must not be below"),
        ({"currency": "tenge"}, "currency", "Enter a three-letter ISO 4217 currency code"),
        ({"currency": "K1T"}, "currency", "ISO 4217"),
        ({"season_start": "2026-10-01", "season_end": "2026-09-01"}, "season_end", "must not end before"),
        ({"languages": "kazakh"}, "languages", "kazakh"),
        ({"occupation_query": "", "occupation_code": ""}, "occupation_query", "required"),
        ({"occupation_query": "9999", "occupation_code": ""}, "occupation_query", "9999 is not an ISCO-08 unit group"),
        ({"occupation_code": "834"}, "occupation_query", "834 is not an ISCO-08 unit group"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(
    official_client, regions, occupations, changes, field, message
):
    response = official_client.post(report_url(regions["east"], action="line-add"), VALID_LINE | changes)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert not GapReport.objects.filter(region=regions["east"]).exists()


def test_an_uncoded_title_is_kept_as_a_line_to_code_later(official_client, regions, occupations):
    data = VALID_LINE | {"occupation_query": "solar drip irrigation technician", "occupation_code": ""}
    assert official_client.post(report_url(regions["east"], action="line-add"), data).status_code == 302
    line = GapReport.objects.get(region=regions["east"]).lines.get()
    assert line.occupation_title == "solar drip irrigation technician"
    # Coded by the multilingual search when it is installed and confident, else left uncoded.
    assert line.occupation_id is None or len(line.occupation_id) == 4


def test_submit_then_withdraw_then_revise(official_client, official, regions, occupations):
    east = regions["east"]
    official_client.post(report_url(east, action="line-add"), VALID_LINE)
    response = official_client.post(report_url(east, action="submit"), follow=True)
    assert response.status_code == 200
    report = GapReport.objects.get(region=east, quarter=QUARTER)
    assert report.status == ReportStatus.SUBMITTED
    assert "status-submitted" in response.content.decode()
    # A submitted report takes no more lines until a new draft is started.
    again = official_client.post(report_url(east, action="line-add"), VALID_LINE)
    assert again.status_code == 422
    assert report.lines.count() == 1

    official_client.post(report_url(east, action="withdraw"))
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN

    official_client.post(report_url(east, action="revise"))
    draft = GapReport.objects.get(region=east, quarter=QUARTER, status=ReportStatus.DRAFT)
    assert draft.lines.count() == 1
    assert official_client.get(report_url(east)).context["report"] == draft


def test_submitting_an_empty_draft_shows_the_services_error(official_client, official, regions):
    services.report_create(region=regions["east"], quarter=QUARTER, user=official)
    response = official_client.post(report_url(regions["east"], action="submit"), follow=True)
    assert "at least one line" in response.content.decode()
    assert GapReport.objects.get(region=regions["east"]).status == ReportStatus.DRAFT


def test_deleting_a_draft_line(official_client, regions, occupations):
    official_client.post(report_url(regions["east"], action="line-add"), VALID_LINE)
    url = reverse("web:report-line-delete", kwargs={"region_code": "KZ-VOS", "quarter": QUARTER, "line_no": 1})
    assert official_client.post(url).status_code == 302
    assert GapReport.objects.get(region=regions["east"]).lines.count() == 0


def test_actions_are_post_only(official_client, regions):
    assert official_client.get(report_url(regions["east"], action="submit")).status_code == 405


# --- Occupation search ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["farm", "сельскохозяйственных", "农业", "Ауыл", "8341"])
def test_occupation_search_finds_a_unit_group_in_each_language(official_client, occupations, query):
    response = official_client.get(reverse("web:occupation-search"), {"occupation_query": query})
    assert response.status_code == 200
    assert 'data-code="8341"' in response.content.decode()


def test_occupation_search_titles_follow_the_page_language(official_client, occupations):
    response = official_client.get(reverse("web:occupation-search"), {"q": "8341"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "农业和林业移动设备操作员" in response.content.decode()


def test_occupation_search_ignores_one_latin_letter_and_lists_only_unit_groups(official_client, occupations):
    assert "occ-pick" not in official_client.get(reverse("web:occupation-search"), {"q": "a"}).content.decode()
    html = official_client.get(reverse("web:occupation-search"), {"q": "Group"}).content.decode()
    assert "occ-pick" not in html  # "Group 834" etc. are not unit groups


# --- Static assets ---------------------------------------------------------------------------------


def test_pages_load_assets_locally_never_from_a_cdn(official_client):
    html = official_client.get(reverse("web:home")).content.decode()
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "/static/web/app.css" in html
    assert "https://" not in html and "http://" not in html.replace("http://testserver", "")


# --- Localisation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "salary", "season_start", "status"),
    [
        # One unambiguous date style per language (core/formats), never the US month/day.
        ("en", "250,000–320,000 KZT", "15 Aug 2026", "Draft"),
        ("ru", "250\xa0000–320\xa0000 KZT", "15 августа 2026 г.", "Черновик"),
        ("kk", "250\xa0000–320\xa0000 KZT", "15 там. 2026 ж.", "Әзірленуде"),
        # Chinese figures grouped by thousands with a comma (core/formats/zh_Hans).
        ("zh-hans", "250,000–320,000 KZT", "2026年8月15日", "草稿"),
    ],
)
def test_report_figures_dates_and_labels_follow_the_language(
    official_client, regions, occupations, language, salary, season_start, status
):
    official_client.post(report_url(regions["east"], action="line-add"), VALID_LINE)
    html = official_client.get(report_url(regions["east"]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert salary in html
    assert season_start in html
    assert f'class="status status-draft">{status}<' in html
    if language == "kk":
        # "Жоба" is the cooperation project of the menu: a report's draft is never called that alone.
        assert ">Жоба<" not in html and "жаңа жоба" not in html.lower()


# --- Matching results on the report page ------------------------------------------------------------


def test_report_page_shows_the_current_runs_results_and_a_run_under_way(official_client, official, regions, occupations):
    from gaps.models import Flag, LineOutcome, MatchRun, QuarterResults

    east = regions["east"]
    report = services.report_create(region=east, quarter=QUARTER, user=official)
    line = services.report_line_add(report=report, user=official, occupation=occupations["8341"], headcount=40,
                                    salary_min=250000, salary_max=320000, currency="KZT")
    services.report_submit(report=report, user=official)
    done = MatchRun.objects.create(quarter=QUARTER, status="succeeded", chunks_total=2, chunks_done=2)
    QuarterResults.objects.update_or_create(quarter=QUARTER, defaults={"current_run": done})
    LineOutcome.objects.create(run=done, line=line, covered=12, shortfall=28, need_date=dt.date(2026, 7, 1),
                               salary_min_cny=3500, salary_max_cny=4480)
    Flag.objects.create(run=done, quarter=QUARTER, kind="UNDER_SUPPLY", region=east, region_code="KZ-VOS",
                        occupation_code="8341", line=line, headcount=40, covered=12, shortfall=28)
    Flag.objects.create(run=done, quarter=QUARTER, kind="UNMET_DEMAND", region_code="CN-HORGOS", occupation_code="7411")
    MatchRun.objects.filter(quarter=QUARTER, status__in=["queued", "running"]).delete()
    running = MatchRun.objects.create(quarter=QUARTER, status="running", chunks_total=4, chunks_done=1)

    response = official_client.get(report_url(east))
    results = response.context["results"]
    assert results.run == done and results.pending_run == running
    assert [(row_line.pk, outcome.shortfall) for row_line, outcome in results.rows] == [(line.pk, 28)]
    assert [flag.kind for flag in results.flags] == ["UNDER_SUPPLY"]  # not Horgos's flag
    assert results.chart["datasets"][0]["data"] == [40] and results.chart["datasets"][1]["data"] == [12]
    html = response.content.decode()
    assert "Matching in progress: 1 of 4 parts done." in html
    assert 'hx-trigger="every 2s"' in html
    assert "demand-supply-data" in html and "/static/vendor/chartjs/chart.umd.min.js" in html

    # Once the run is current, the section stops polling.
    running.status = "succeeded"
    running.save()
    QuarterResults.objects.filter(quarter=QUARTER).update(current_run=running)
    partial = official_client.get(report_url(east, action="results"), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "every 2s" not in partial.content.decode()

    # Opened directly (no htmx), the fragment's address leads to the report page's results section.
    direct = official_client.get(report_url(east, action="results"))
    assert direct.status_code == 302 and direct["Location"] == report_url(east) + "#results"


def test_results_section_is_scoped_like_the_report(official_client, regions):
    assert official_client.get(report_url(regions["horgos"], action="results")).status_code == 404


# --- Gap review ----------------------------------------------------------------------------------------


@pytest.fixture
def gap(regions, occupations):
    return Gap.objects.create(region=regions["east"], quarter=QUARTER, occupation=occupations["8341"], headcount=40,
                              covered=0, shortfall=40, new_on_list=True, need_date=dt.date(2026, 8, 15))


def test_reviewer_queue_lists_the_express_lane_first_and_links_to_the_gap(client, make_user, regions, occupations, gap):
    older = Gap.objects.create(region=regions["horgos"], quarter=QUARTER, occupation=occupations["7411"],
                               headcount=500, shortfall=500, new_on_list=False)
    client.force_login(make_user(Role.REVIEWER))
    response = client.get(reverse("web:gaps"), {"quarter": QUARTER})
    assert list(response.context["gaps"]) == [gap, older]  # new on the list beats a larger shortfall
    assert reverse("web:gap", args=[gap.pk]) in response.content.decode()


def test_the_queue_marks_a_need_date_that_has_passed(client, make_user, regions, occupations, gap):
    """The gap's page said "(110 days late)" while the list showed the bare date, as if still ahead."""
    from django.utils import timezone

    ahead = Gap.objects.create(region=regions["horgos"], quarter=QUARTER, occupation=occupations["7411"],
                               headcount=5, shortfall=5, need_date=timezone.localdate() + dt.timedelta(days=200))
    client.force_login(make_user(Role.REVIEWER))
    html = client.get(reverse("web:gaps"), {"quarter": QUARTER}).content.decode()
    # each gap's row in the list (the heatmap above links the same pages)
    table = html.split('<table class="gaps', 1)[1]
    rows = {g.pk: table.split(reverse("web:gap", args=[g.pk]), 1)[1].split("</tr>", 1)[0] for g in (gap, ahead)}
    # 200 days ahead (30 under the old rule): no program trains 7411, training takes the 180 days of DEFAULT_LEAD_DAYS.
    assert "too late for a full program: it needs 6 months, the need date is 15 Aug 2026" in rows[gap.pk]
    assert "too late" not in rows[ahead.pk]


def test_the_gap_page_says_by_when_to_decide_and_why_it_is_too_late(client, make_user, regions, occupations, gap):
    """The decision form asked a reviewer to act without a date; the page now carries the review
    queue's deadline: the act-by date while in time, the real reason once it is too late; nothing
    once the gap is decided."""
    from django.utils import timezone

    from projects import services as project_services

    today = timezone.localdate()
    ahead = Gap.objects.create(region=regions["horgos"], quarter=QUARTER, occupation=occupations["7411"],
                               headcount=5, shortfall=5, need_date=today + dt.timedelta(days=200))
    client.force_login(make_user(Role.REVIEWER))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(reverse("web:gap", args=[ahead.pk])).content.decode()))
    # 200 days ahead, 180 days of training (DEFAULT_LEAD_DAYS: no program trains 7411): act within 20 days.
    assert "Deadline" in text and "act by" in text and "20 days left" in text
    page = client.get(reverse("web:gap", args=[gap.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "too late for a full program: it needs 6 months, the need date is 15 Aug 2026" in page
    zh = client.get(reverse("web:gap", args=[ahead.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    h1 = re.search(r"<h1>(.*?)</h1>", zh, re.S).group(1)
    assert "：" in h1 and "，" in h1 and ":" not in re.sub(r"<[^>]+>", "", h1)  # Chinese punctuation in the heading
    project_services.gap_reject(gap=ahead, user=make_user(Role.REVIEWER), comment="no")
    assert "Deadline" not in client.get(reverse("web:gap", args=[ahead.pk])).content.decode()


def test_reviewer_approves_a_gap_and_the_project_exists(client, make_user, gap):
    from projects.models import CooperationProject

    reviewer = make_user(Role.REVIEWER)
    client.force_login(reviewer)
    page = client.get(reverse("web:gap", args=[gap.pk]))
    assert page.status_code == 200 and "Approve: create the project" in page.content.decode()
    response = client.post(reverse("web:gap-approve", args=[gap.pk]), {"comment": "Harvest starts in August."}, follow=True)
    project = CooperationProject.objects.get(origin_gap=gap)
    assert project.decision.decided_by == reviewer
    html = response.content.decode()
    assert project.title in html and "status-approved" in html
    # Decisions are final: a second approval is refused with the service's message, no second project.
    again = client.post(reverse("web:gap-approve", args=[gap.pk]), follow=True)
    assert "decisions are final" in again.content.decode()
    assert CooperationProject.objects.filter(origin_gap=gap).count() == 1


def test_rejecting_without_a_reason_shows_the_error_next_to_the_comment(client, make_user, gap):
    from projects.models import GapDecision

    client.force_login(make_user(Role.REVIEWER))
    response = client.post(reverse("web:gap-reject", args=[gap.pk]), {"comment": "  "})
    assert response.status_code == 422
    assert "A rejection needs its reason." in " ".join(response.context["form"].errors["comment"])
    assert 'id="id_comment_error"' in response.content.decode()
    assert not GapDecision.objects.filter(gap=gap).exists()
    client.post(reverse("web:gap-reject", args=[gap.pk]), {"comment": "Seasonal; covered by migrants."})
    assert GapDecision.objects.get(gap=gap).decision == "rejected"


def test_college_staff_see_gaps_but_cannot_decide(client, make_user, gap):
    client.force_login(make_user(Role.COLLEGE_STAFF))
    page = client.get(reverse("web:gap", args=[gap.pk]))
    assert page.status_code == 200
    assert "Approve: create the project" not in page.content.decode()
    assert client.post(reverse("web:gap-approve", args=[gap.pk])).status_code == 403


def test_officials_see_only_their_regions_gaps(client, make_user, regions, occupations, gap):
    other = Gap.objects.create(region=regions["horgos"], quarter=QUARTER, occupation=occupations["7411"],
                               headcount=5, shortfall=5)
    client.force_login(make_user(Role.OFFICIAL, regions=[regions["east"]]))
    assert client.get(reverse("web:gap", args=[gap.pk])).status_code == 200
    assert client.get(reverse("web:gap", args=[other.pk])).status_code == 404
    assert client.get(reverse("web:gaps")).status_code == 404


# --- XLSX template and upload --------------------------------------------------------------------------


def _fill_template(content: bytes, rows: list[dict]) -> bytes:
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for offset, values in enumerate(rows):
        for name, value in values.items():
            sheet.cell(row=2 + offset, column=header.index(name) + 1, value=value)
        if offset:  # the official copies region and quarter down
            sheet.cell(row=2 + offset, column=1, value=sheet.cell(row=2, column=1).value)
            sheet.cell(row=2 + offset, column=2, value=sheet.cell(row=2, column=2).value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_template_has_the_exchange_columns_with_region_and_quarter_filled_in(official_client, regions):
    import io

    from openpyxl import load_workbook

    response = official_client.get(report_url(regions["east"], action="template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="talentgap-KZ-VOS-2026Q3.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("region_code", "quarter", "occupation_code", "occupation_title", "sector", "headcount")
    assert rows[1][:2] == ("KZ-VOS", "2026Q3")
    assert official_client.get(report_url(regions["horgos"], action="template")).status_code == 404


def test_uploading_the_filled_template_imports_and_submits(official_client, regions, occupations):
    from django.core.files.uploadedfile import SimpleUploadedFile

    template = official_client.get(report_url(regions["east"], action="template")).content
    filled = _fill_template(template, [
        {"occupation_code": "8341", "headcount": 40, "salary_min": 250000, "salary_max": 320000, "currency": "KZT",
         "season_start": "2026-08-15", "languages": "kk;ru"},
        {"occupation_title": "=cmd|' /C calc'!A0", "occupation_code": "7543", "headcount": 5, "salary_min": 1,
         "salary_max": 2, "currency": "KZT"},
    ])
    upload = SimpleUploadedFile("east.xlsx", filled)
    response = official_client.post(report_url(regions["east"], action="upload"), {"file": upload, "submit": "on"}, follow=True)
    assert response.status_code == 200
    report = GapReport.objects.get(region=regions["east"], quarter=QUARTER)
    assert report.status == ReportStatus.SUBMITTED
    assert list(report.lines.values_list("occupation_id", "headcount")) == [("8341", 40), ("7543", 5)]
    assert "2 lines imported" in response.content.decode()


def test_a_bad_file_lists_every_problem_by_row_and_column_and_writes_nothing(official_client, regions, occupations):
    from django.core.files.uploadedfile import SimpleUploadedFile

    template = official_client.get(report_url(regions["east"], action="template")).content
    filled = _fill_template(template, [
        {"occupation_code": "8341", "headcount": 0, "salary_min": 100, "salary_max": 50, "currency": "KZT"},
        {"occupation_code": "9999", "headcount": 3, "salary_min": 1, "salary_max": 2, "currency": "tenge"},
    ])
    response = official_client.post(report_url(regions["east"], action="upload"),
                                     {"file": SimpleUploadedFile("bad.xlsx", filled)})
    assert response.status_code == 422
    where = {(p.row, p.column) for p in response.context["problems"]}
    assert {(2, "headcount"), (3, "currency")} <= where, where
    assert any(p.row == 3 and "9999" in p.message for p in response.context["problems"])
    html = response.content.decode()
    assert 'id="upload-problems"' in html and "<code>headcount</code>" in html
    assert not GapReport.objects.filter(region=regions["east"]).exists()


def test_an_upload_for_another_region_is_rejected(official_client, regions, occupations):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = ("region_code,quarter,occupation_code,headcount,salary_min,salary_max,currency\n"
           "CN-HORGOS,2026Q3,8341,5,1,2,CNY\n").encode()
    response = official_client.post(report_url(regions["east"], action="upload"),
                                     {"file": SimpleUploadedFile("other.csv", csv)})
    assert response.status_code == 422
    assert any("CN-HORGOS" in p.message for p in response.context["problems"])
    assert not GapReport.objects.filter(region=regions["horgos"]).exists()


# --- Project repository ------------------------------------------------------------------------------


def test_an_approved_gap_appears_in_the_repository_for_the_people_concerned(client, make_user, regions, occupations, gap):
    from projects import services as project_services

    reviewer = make_user(Role.REVIEWER)
    project = project_services.gap_approve(gap=gap, user=reviewer)
    client.force_login(reviewer)
    listing = client.get(reverse("web:projects"))
    assert listing.status_code == 200
    assert [p.pk for p in listing.context["projects"]] == [project.pk]
    html = listing.content.decode()
    assert reverse("web:project", args=[project.pk]) in html
    assert "/api/v1/projects/export/?format=xlsx" in html
    page = client.get(reverse("web:project", args=[project.pk]))
    assert page.status_code == 200
    assert "Supplement the performance conditions" in page.content.decode()  # the default condition
    assert [p.pk for p in client.get(reverse("web:projects"), {"status": "active"}).context["projects"]] == []

    client.force_login(make_user(Role.OFFICIAL, regions=[regions["east"]]))
    assert client.get(reverse("web:project", args=[project.pk])).status_code == 200
    client.force_login(make_user(Role.OFFICIAL, regions=[regions["horgos"]]))
    assert client.get(reverse("web:projects")).context["projects"] == []
    assert client.get(reverse("web:project", args=[project.pk])).status_code == 404


# --- Season timeline -----------------------------------------------------------------------------------


# The demo dated from a fixed day, so that its dates are known: current quarter 2026Q4, which starts
# on S0 = 2026-10-01; the Almaty drip-irrigation need is from S0 + 31 days and the late class
# graduates at S0 + 76 (demo.world, seed case 2).
DEMO_DAY = dt.date(2026, 12, 3)
DEMO_QUARTER = "2026Q4"


@pytest.fixture
def demo_data(db):
    from django.core.management import call_command

    from demo.world import demo_occupation_codes
    from gaps.models import Occupation

    for code in sorted(demo_occupation_codes()):
        parent = None
        for level in range(1, 5):
            parent, _ = Occupation.objects.get_or_create(
                code=code[:level], defaults={"level": level, "parent": parent, "title_en": f"ISCO {code[:level]}"}
            )
    call_command("load_demo", today=DEMO_DAY.isoformat(), verbosity=0)


def test_the_late_drip_irrigation_class_is_visibly_late(client, demo_data):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="official.almaty"))
    response = client.get(reverse("web:report", kwargs={"region_code": "KZ-ALM", "quarter": DEMO_QUARTER}))
    rows = {row["line"].occupation_id: row for row in response.context["timeline"]["rows"]}
    drip = rows["7126"]
    assert drip["need"] == dt.date(2026, 11, 1)
    statuses = {(e["cohort"].graduation_date, e["status"]) for e in drip["cohorts"]}
    assert (dt.date(2026, 12, 16), "late") in statuses
    late = next(e for e in drip["cohorts"] if e["status"] == "late")
    assert drip["x_need"] < late["x"] < drip["x_end"]  # drawn inside the season, after it started
    html = response.content.decode()
    assert 'class="cohort late"' in html and "status-late" in html


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_timeline_coordinates_stay_machine_readable_in_comma_decimal_languages(client, demo_data, language):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="official.almaty"))
    url = reverse("web:report", kwargs={"region_code": "KZ-ALM", "quarter": DEMO_QUARTER})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    svg = html[html.index("<svg"):html.index("</svg>")]
    coordinates = re.findall(r'\b(?:x|x1|x2|y|width)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in coordinates), coordinates


# --- Colleges: programs and cohorts -------------------------------------------------------------------


@pytest.fixture
def gansu(db):
    return College.objects.create(code="CN-GS-AVTC", name="Gansu Agricultural Vocational Training Centre", country="CN")


@pytest.fixture
def staff_client(client, make_user, gansu):
    client.force_login(make_user(Role.COLLEGE_STAFF, colleges=[gansu]))
    return client


PROGRAM = {"code": "FV-GRADE", "title": "Fruit and vegetable grading", "occupation_codes": "7543", "sector": "A",
           "languages": "zh; ru", "certifications": "", "serves_regions": []}


def test_college_staff_create_a_program_and_add_a_cohort(staff_client, gansu, regions, occupations):
    response = staff_client.post(reverse("web:program-create"), PROGRAM | {"college": gansu.pk,
                                                                            "serves_regions": [regions["east"].pk]})
    assert response.status_code == 302, response.context["form"].errors
    program = Program.objects.get(college=gansu, code="FV-GRADE")
    assert list(program.occupations.values_list("code", flat=True)) == ["7543"]
    assert program.languages == ["zh", "ru"]
    assert list(program.serves_regions.all()) == [regions["east"]]

    url = reverse("web:cohort-add", args=[program.pk])
    staff_client.post(url, {"seats": "80", "intake_date": "2025-09-01", "graduation_date": "2026-07-10"})
    assert list(program.cohorts.values_list("seats", "graduation_date")) == [(80, dt.date(2026, 7, 10))]
    bad = staff_client.post(url, {"seats": "10", "intake_date": "2026-09-01", "graduation_date": "2026-07-10"}, follow=True)
    assert "Graduation cannot come before intake." in bad.content.decode()
    assert program.cohorts.count() == 1

    edit = reverse("web:program-edit", args=[program.pk])
    assert staff_client.get(edit).context["form"].initial["occupation_codes"] == "7543"
    staff_client.post(edit, PROGRAM | {"college": gansu.pk, "occupation_codes": "8341;7543", "title": "Retooled"})
    program.refresh_from_db()
    assert program.title == "Retooled"
    assert sorted(program.occupations.values_list("code", flat=True)) == ["7543", "8341"]


def test_after_saving_a_program_the_college_lands_on_its_page_of_the_list(staff_client, gansu, occupations):
    """Issue 14: not page 1 of the paginated list, but the page the program sits on, scrolled to it."""
    from web.views import PROGRAMS_PER_PAGE

    for n in range(PROGRAMS_PER_PAGE + 3):  # codes A00..A22 come before FV-GRADE in the list's order
        Program.objects.create(college=gansu, code=f"A{n:02d}", title=f"Program {n}", languages=["zh"])
    response = staff_client.post(reverse("web:program-create"), PROGRAM | {"college": gansu.pk})
    program = Program.objects.get(college=gansu, code="FV-GRADE")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:programs')}?page=2#program-{program.pk}"
    listed = staff_client.get(response["Location"].split("#")[0])
    assert program in listed.context["programs"]

    first = Program.objects.get(college=gansu, code="A00")
    response = staff_client.post(reverse("web:program-edit", args=[first.pk]),
                                 PROGRAM | {"college": gansu.pk, "code": "A00", "title": "Renamed"})
    assert response["Location"] == f"{reverse('web:programs')}#program-{first.pk}"  # page 1 needs no parameter
    response = staff_client.post(reverse("web:program-edit", args=[first.pk]),
                                 PROGRAM | {"college": gansu.pk, "code": "Z00", "title": "Renamed"})
    assert response["Location"] == f"{reverse('web:programs')}?page=2#program-{first.pk}"  # moved with its code


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"occupation_codes": "754"}, "occupation_codes", "Not ISCO-08 unit groups: 754"),
        ({"occupation_codes": ""}, "occupation_codes", "required"),
        ({"languages": "chinese"}, "languages", "chinese"),
        ({"code": ""}, "code", "required"),
    ],
)
def test_program_errors_are_shown_next_to_their_fields(staff_client, gansu, occupations, changes, field, message):
    response = staff_client.post(reverse("web:program-create"), PROGRAM | {"college": gansu.pk} | changes)
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert not Program.objects.exists()


def test_a_duplicate_program_code_is_reported_by_the_service(staff_client, gansu, occupations):
    staff_client.post(reverse("web:program-create"), PROGRAM | {"college": gansu.pk})
    again = staff_client.post(reverse("web:program-create"), PROGRAM | {"college": gansu.pk})
    assert again.status_code == 422
    assert again.context["form"].errors
    assert Program.objects.count() == 1


def test_staff_cannot_touch_other_colleges_programs(staff_client, make_user, occupations):
    other = College.objects.create(code="XJ-09", name="Other College", country="CN")
    program = Program.objects.create(college=other, code="X", title="Theirs", languages=["zh"])
    assert staff_client.get(reverse("web:program-edit", args=[program.pk])).status_code == 404
    assert staff_client.post(reverse("web:cohort-add", args=[program.pk]),
                             {"seats": "5", "intake_date": "2026-01-01", "graduation_date": "2026-06-01"}).status_code == 404
    # The college field only offers the user's own colleges.
    response = staff_client.post(reverse("web:program-create"), PROGRAM | {"college": other.pk})
    assert "college" in response.context["form"].errors


def test_reviewers_read_programs_but_do_not_edit(client, make_user, gansu):
    client.force_login(make_user(Role.REVIEWER))
    assert client.get(reverse("web:programs")).status_code == 200
    assert client.get(reverse("web:program-create")).status_code == 404


def test_importing_programs_lists_problems_by_row_and_column(staff_client, gansu, regions, occupations):
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = ("college_code,college_name,country,program_code,program_title,occupation_codes,sector,seats,"
              "intake_date,graduation_date,languages,certifications,serves_regions\n")
    bad = header + "CN-GS-AVTC,,,FV,Graders,7543,A,0,2026-09-01,2026-07-01,zh,,KZ-VOS\n"
    response = staff_client.post(reverse("web:programs-upload"), {"file": SimpleUploadedFile("p.csv", bad.encode())})
    assert response.status_code == 422
    where = {(p.row, p.column) for p in response.context["problems"]}
    assert (2, "seats") in where, where
    assert not Program.objects.exists()
    good = header + "CN-GS-AVTC,,,FV,Graders,7543,A,80,2025-09-01,2026-07-10,zh,,KZ-VOS\n"
    response = staff_client.post(reverse("web:programs-upload"), {"file": SimpleUploadedFile("p.csv", good.encode())}, follow=True)
    assert "File imported" in response.content.decode()
    assert Program.objects.get(code="FV").cohorts.get().seats == 80


def test_gap_page_has_a_region_by_occupation_shortfall_heatmap(client, make_user, regions, occupations, gap):
    Gap.objects.create(region=regions["horgos"], quarter=QUARTER, occupation=occupations["7411"], headcount=10,
                       shortfall=10)
    client.force_login(make_user(Role.REVIEWER))
    heatmap = client.get(reverse("web:gaps"), {"quarter": QUARTER}).context["heatmap"]
    assert [o.code for o in heatmap["occupations"]] == ["7411", "8341"]
    assert [r["region"].code for r in heatmap["rows"]] == ["CN-HORGOS", "KZ-VOS"]
    east = heatmap["rows"][1]["cells"]
    assert east[0]["gap"] is None and east[1]["gap"] == gap and east[1]["shade"] == 1.0
    assert heatmap["rows"][0]["cells"][0]["shade"] == 0.5  # sqrt(10 / 40)
    # Shades are CSS numbers: a decimal comma (ru, kk) would void the colour and leave white on white.
    html = client.get(reverse("web:gaps"), {"quarter": QUARTER}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    alphas = re.findall(r'<td class="num[^"]*" style="background: rgba\(164, 22, 26, ([^)]*)\)', html)
    assert len(alphas) == 2 and all(re.fullmatch(r"\d+(\.\d+)?", alpha) for alpha in alphas), alphas


def test_an_official_codes_an_uncoded_line_of_a_submitted_report(official_client, official, regions, occupations):
    report = services.report_create(region=regions["east"], quarter=QUARTER, user=official)
    line = services.report_line_add(report=report, user=official, occupation_title="универсал на сезон", headcount=15,
                                    salary_min=200000, salary_max=260000, currency="KZT")
    services.report_submit(report=report, user=official)
    page = official_client.get(report_url(regions["east"])).content.decode()
    assert reverse("web:report-line-code", args=["KZ-VOS", QUARTER, 1]) in page
    url = reverse("web:report-line-code", args=["KZ-VOS", QUARTER, 1])
    official_client.post(url, {"occupation_query": "universal", "occupation_code": ""})
    line.refresh_from_db()
    assert line.occupation_id is None  # nothing picked: nothing changes
    official_client.post(url, {"occupation_query": "8341 Mobile farm", "occupation_code": "8341"})
    line.refresh_from_db()
    report.refresh_from_db()
    assert (line.occupation_id, line.coding_confidence, report.status) == ("8341", 1.0, ReportStatus.SUBMITTED)


def test_reviewer_supplements_the_plan_and_conditions_then_activates(client, make_user, gap):
    from projects import services as project_services

    reviewer = make_user(Role.REVIEWER)
    project = project_services.gap_approve(gap=gap, user=reviewer)
    lead = College.objects.create(code="KZ-LUBAN", name="Luban Workshop", country="KZ")
    client.force_login(reviewer)
    page = client.get(reverse("web:project", args=[project.pk]))
    # Not ready to activate: no Activate button, but what is missing (issue 14).
    assert [t["action"] for t in page.context["transitions"]] == ["cancel", "suspend"]
    assert page.context["activate_todo"] == ["name a lead college in the plan", "supplement every performance condition"]
    assert "To activate the project: name a lead college in the plan; supplement every" in page.content.decode()

    bad = client.post(reverse("web:project-plan", args=[project.pk]), {"budget_amount": "1000", "budget_currency": ""})
    assert bad.status_code == 422 and bad.context["plan_form"].errors
    client.post(reverse("web:project-plan", args=[project.pk]), {
        "lead_college": lead.pk, "planned_trainees": "30", "planned_intake_date": "2027-02-01",
        "budget_amount": "1200000", "budget_currency": "kzt", "funding_source": ""})
    project.refresh_from_db()
    assert (project.lead_college, project.planned_trainees, project.budget_currency) == (lead, 30, "KZT")

    condition = project.conditions.get()
    client.post(reverse("web:condition-supplement", args=[project.pk, condition.pk]), {"supplement": "Plan agreed."})
    condition.refresh_from_db()
    assert condition.supplemented_by == reviewer and condition.supplement == "Plan agreed."

    page = client.get(reverse("web:project", args=[project.pk]))
    assert [t["action"] for t in page.context["transitions"]] == ["activate", "cancel", "suspend"]
    assert 'data-confirm="Activate the project?' in page.content.decode()
    client.post(reverse("web:project-transition", args=[project.pk, "activate"]))
    project.refresh_from_db()
    assert project.status == "active"
    refused = client.post(reverse("web:project-transition", args=[project.pk, "suspend"]), follow=True)
    assert "needs its reason" in refused.content.decode()
    assert client.post(reverse("web:project-transition", args=[project.pk, "explode"])).status_code == 404


def test_officials_see_a_project_but_cannot_manage_it(client, make_user, regions, gap):
    from projects import services as project_services

    project = project_services.gap_approve(gap=gap, user=make_user(Role.REVIEWER))
    client.force_login(make_user(Role.OFFICIAL, regions=[regions["east"]]))
    page = client.get(reverse("web:project", args=[project.pk]))
    assert page.status_code == 200 and page.context["plan_form"] is None and page.context["transitions"] == []
    assert client.post(reverse("web:project-transition", args=[project.pk, "activate"])).status_code == 403


def test_college_staff_edit_and_delete_their_cohorts_only(staff_client, gansu, occupations):
    program = Program.objects.create(college=gansu, code="FV", title="Graders", languages=["zh"])
    cohort = Cohort.objects.create(program=program, seats=80, intake_date=dt.date(2025, 9, 1),
                                   graduation_date=dt.date(2026, 9, 15))
    page = staff_client.get(reverse("web:programs")).content.decode()
    url = reverse("web:cohort-edit", args=[program.pk, cohort.pk])
    assert url in page and 'value="2026-09-15"' in page  # the form comes filled in

    # Reschedule: graduate before the season instead of during it.
    staff_client.post(url, {"seats": "60", "intake_date": "2025-07-01", "graduation_date": "2026-07-20"})
    cohort.refresh_from_db()
    assert (cohort.seats, cohort.intake_date, cohort.graduation_date) == (60, dt.date(2025, 7, 1), dt.date(2026, 7, 20))
    assert cohort.history.first().history_user is not None  # audited: who changed it

    bad = staff_client.post(url, {"seats": "0", "intake_date": "2026-09-01", "graduation_date": "2026-07-10"}, follow=True)
    html = bad.content.decode()
    assert "Seats" in html and "Graduation cannot come before intake." in html
    cohort.refresh_from_db()
    assert cohort.seats == 60  # nothing half-written

    other_college = College.objects.create(code="XJ-09", name="Other College", country="CN")
    other_program = Program.objects.create(college=other_college, code="X", title="Not yours", languages=["ru"])
    theirs = Cohort.objects.create(program=other_program, seats=5, intake_date=dt.date(2025, 9, 1),
                                   graduation_date=dt.date(2026, 6, 1))
    assert staff_client.post(reverse("web:cohort-edit", args=[other_program.pk, theirs.pk]),
                             {"delete": "1"}).status_code == 404
    assert staff_client.post(reverse("web:cohort-edit", args=[program.pk, theirs.pk]),
                             {"delete": "1"}).status_code == 404  # not a cohort of this program
    assert Cohort.objects.filter(pk=theirs.pk).exists()

    staff_client.post(url, {"delete": "1"})
    assert not Cohort.objects.filter(pk=cohort.pk).exists()


def test_reviewers_cannot_edit_cohorts(client, make_user, gansu):
    program = Program.objects.create(college=gansu, code="FV", title="Graders", languages=["zh"])
    cohort = Cohort.objects.create(program=program, seats=8, intake_date=dt.date(2025, 9, 1),
                                   graduation_date=dt.date(2026, 6, 1))
    client.force_login(make_user(Role.REVIEWER))
    assert reverse("web:cohort-edit", args=[program.pk, cohort.pk]) not in client.get(reverse("web:programs")).content.decode()
    assert client.post(reverse("web:cohort-edit", args=[program.pk, cohort.pk]), {"delete": "1"}).status_code == 404
    assert Cohort.objects.filter(pk=cohort.pk).exists()


def test_reviewer_records_a_cohort_outcome_and_the_results_chain_follows(client, make_user, gap, occupations):
    from projects import services as project_services

    reviewer = make_user(Role.REVIEWER)
    project = project_services.gap_approve(gap=gap, user=reviewer)
    college = College.objects.create(code="KZ-LUBAN", name="Luban Workshop", country="KZ")
    program = Program.objects.create(college=college, code="HARV-OP", title="Harvester operators", languages=["ru"])
    cohort = Cohort.objects.create(program=program, seats=30, intake_date=dt.date(2025, 9, 1),
                                   graduation_date=dt.date(2026, 6, 30))
    client.force_login(reviewer)
    client.post(reverse("web:project-plan", args=[project.pk]), {"programs": [program.pk]})
    assert list(project.programs.all()) == [program]
    # The cohort is chosen from a list that asks for it (was Django's bare "---------").
    ru = client.get(reverse("web:project", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert re.search(r'<select name="cohort"[^>]*>\s*<option value="" selected>Выберите набор</option>', ru)
    assert "---------" not in ru
    bad = client.post(reverse("web:outcome-add", args=[project.pk]), {
        "cohort": cohort.pk, "enrolled": "30", "completed": "28", "passed_assessment": "29", "employed_6m": "20"})
    assert bad.status_code == 422
    assert "cannot exceed completed" in " ".join(bad.context["outcome_form"].errors["passed_assessment"])
    client.post(reverse("web:outcome-add", args=[project.pk]), {
        "cohort": cohort.pk, "enrolled": "30", "completed": "28", "passed_assessment": "21", "employed_6m": "20"})
    page = client.get(reverse("web:project", args=[project.pk]))
    assert page.context["results"].pass_rate == Decimal("0.75")
    assert "75%" in page.content.decode()  # English writes the sign without a space
    # Six columns do not fit a phone: a card per cohort, each figure with its label.
    outcomes = page.content.decode().split('id="outcomes-title"', 1)[1].split("</table>", 1)[0]
    assert '<table class="stack">' in outcomes and 'data-label="Passed the assessment">21<' in outcomes


def test_repository_charts_the_results_chain_of_projects_with_outcomes(client, make_user, gap, occupations):
    from projects import services as project_services

    reviewer = make_user(Role.REVIEWER)
    project = project_services.gap_approve(gap=gap, user=reviewer)
    client.force_login(reviewer)
    assert client.get(reverse("web:projects")).context["chart"] is None  # nothing measured yet
    college = College.objects.create(code="KZ-LUBAN", name="Luban Workshop", country="KZ")
    program = Program.objects.create(college=college, code="HARV-OP", title="Harvester operators", languages=["ru"])
    cohort = Cohort.objects.create(program=program, seats=30, intake_date=dt.date(2025, 9, 1),
                                   graduation_date=dt.date(2026, 6, 30))
    project_services.project_update(project=project, user=reviewer, programs=[program])
    project_services.outcome_create(project=project, user=reviewer, cohort=cohort, enrolled=30, completed=28,
                                    passed_assessment=21, employed_6m=14)
    response = client.get(reverse("web:projects"))
    chart = response.context["chart"]
    assert chart["labels"] == [project.title]
    assert [d["data"] for d in chart["datasets"][:2]] == [[75.0], [50.0]]
    assert "results-chain-data" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_upload_the_database_interrupted_is_answered_without_the_database(rf, language,
                                                                            django_assert_num_queries):
    """web.views._import_interrupted: while the database is still away (the page itself fails to
    render), the answer needs no query: 503, Retry-After, the importer's message in the reader's
    language and a link back to the page. tests/faults/test_postgres_restart.py runs it against a
    real restart."""
    from django.db import OperationalError
    from django.utils import translation

    from core.imports.errors import DatabaseUnavailable
    from web.views import _import_interrupted

    def page_needing_the_database():
        raise OperationalError("the database system is starting up")

    request = rf.post("/reports/KZ-VOS/2026Q3/upload/")
    with translation.override(language), django_assert_num_queries(0):
        exc = DatabaseUnavailable("east.xlsx", saved=False)
        response = _import_interrupted(request, exc, page_needing_the_database)
        html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert exc.message in html and "east.xlsx" in html
    assert 'href="/reports/KZ-VOS/2026Q3/"' in html
    assert (language == "en") == ("nothing from the file was saved" in html)


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru", "kk"])
def test_a_submitted_reports_status_names_the_status_once_with_its_date(official_client, official, regions, language):
    """The status line read "Status: Submitted submitted 3 Dec 2026, 14:00": the date follows the
    status word without repeating it."""
    from django.utils import translation

    report = services.report_create(region=regions["east"], quarter=QUARTER, user=official)
    services.report_line_add(report=report, user=official, occupation_title="8341", headcount=5,
                             salary_min=200000, salary_max=260000, currency="KZT")
    services.report_submit(report=report, user=official)
    html = official_client.get(report_url(regions["east"]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    status = re.sub(r"<[^>]+>|\s+", " ", re.search(r'<p class="report-status">(.*?)</p>', html, re.S).group(1))
    with translation.override(language):
        word = str(ReportStatus.SUBMITTED.label).lower()
    assert status.lower().count(word) == 1, status
    assert str(GapReport.objects.get(pk=report.pk).submitted_at.year) in status, status


def test_a_gaps_report_lines_read_as_cards_on_a_phone(client, demo_data):
    """The evidence table squeezed a Chinese line title into one character a row on a 390 px screen:
    it is a stacked table (a card per line, each value with its label), as the other lists are."""
    from django.contrib.auth import get_user_model

    gap = Gap.objects.filter(is_active=True, quarter=DEMO_QUARTER).order_by("pk").first()
    client.force_login(get_user_model().objects.get(username="reviewer"))
    html = client.get(reverse("web:gap", args=[gap.pk])).content.decode()
    evidence = html.split('id="evidence-title"', 1)[1]
    table = evidence[evidence.index("<table"):evidence.index("</table>")]
    assert table.startswith('<table class="stack">')
    assert 'data-label="Workers needed"' in table and 'data-label="Monthly salary"' in table


# ASCII ", " / ": " / "; " between Chinese words (a closing full-width bracket ends a Chinese name too).
_HAN_ASCII = re.compile(r"[\u3400-\u9fff）][,;:] ?[\u3400-\u9fff\d（]")


def _visible_text(html: str) -> str:
    """The page's text, a line per block: inline tags go without a trace (as a reader sees the text)."""
    html = re.sub(r"<(script|style|title)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(p|li|td|th|tr|div|br|dt|dd|h\d|option|ul|ol|section|nav|table|label)\b[^>]*>", "\n", html)
    return re.sub(r"[ \t]+", " ", re.sub(r"<[^>]+>", "", html))


def _demo_page(username: str, page: str) -> str:
    region = "KZ-VOS"
    if page == "report":
        return reverse("web:report", kwargs={"region_code": region, "quarter": DEMO_QUARTER})
    if page == "report-line":
        report = GapReport.objects.get(region__code=region, quarter=DEMO_QUARTER)
        line = report.lines.order_by("line_no").first()
        return f"/reports/{region}/{DEMO_QUARTER}/lines/{line.line_no}/edit/"
    return {"home": "/", "programs": "/programs/", "warnings": "/early-warnings/"}[page]


@pytest.mark.parametrize("username, page", [
    ("reviewer", "home"), ("reviewer", "programs"), ("reviewer", "warnings"), ("reviewer", "warning"),
    ("reviewer", "gap"), ("reviewer", "project"), ("reviewer", "plan"), ("college.gansu", "home"),
    ("college.gansu", "project"), ("official.vko", "report"), ("official.vko", "report-line"),
    ("official.vko", "warnings"), ("official.vko", "project"),
])
def test_chinese_pages_join_their_parts_with_chinese_punctuation(client, demo_data, username, page):
    """Chinese pages read "2026年第4季度: 7", "伊犁哈萨克自治州, 阿拉木图州", "HARV-OP: 2026年9月16日, 30 个名额",
    "农林机械操作员, 东哈萨克斯坦州, 2024年第4季度" and "(TRUCK), 伊犁职业技术学院: 2023年4月13日 – …": the parts
    were joined with English commas, colons and semicolons outside the translated text. Each joined phrase is
    one translatable sentence now, or its parts are joined by a translatable separator; English reads as before."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    if page in ("warning", "gap", "project"):
        listing = {"warning": "/early-warnings/", "gap": "/gaps/", "project": "/projects/"}[page]
        pattern = {"warning": r"/early-warnings/\d+/", "gap": r"/gaps/\d+/", "project": r"/projects/\d+/"}[page]
        found = re.search(f'href="({pattern})"', client.get(listing).content.decode())
        assert found, listing
        url = found.group(1)
    elif page == "plan":
        url = "/plan/"
    else:
        url = _demo_page(username, page)
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 200
    zh_text = _visible_text(zh.content.decode())
    assert re.search(r"[\u3400-\u9fff]", zh_text)
    assert not _HAN_ASCII.findall(zh_text), sorted({m.group(0) for m in _HAN_ASCII.finditer(zh_text)})
    assert not re.search(r"[：，；] \S", zh_text), re.findall(r".{0,12}[：，；] \S.{0,12}", zh_text)

    en_text = _visible_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "：" not in en_text and "，" not in en_text and "、" not in en_text
    english = {
        ("reviewer", "home"): r"Q[1-4] 20\d\d: \d",
        ("reviewer", "programs"): r"Regions served\s+\w[^\n]*, \w",
        ("official.vko", "warnings"): r"\w, [^,\n]+, Q[1-4] 20\d\d",
        ("reviewer", "warning"): r"\n(Open|Expand) [^\n]+, [^\n]+: \d+ seats?,\n",
        ("reviewer", "gap"): r"\n(Open|Expand) [^:\n]+: (Open|Expand) [^\n]+ 5,500",
        ("college.gansu", "project"): r"\n\w[^\n]*, \d{1,2} \w+ 20\d\d\n",
        ("reviewer", "project"): r"\(\w[\w-]*\), [^:]+: \d",
        ("official.vko", "report"): r"[A-Z]+-?[A-Z]*: \d{1,2} \w+ \d{4}, \d+ seats?\n",
        ("official.vko", "report-line"): r"Home › [^,]+, Q[1-4] 20\d\d",
    }.get((username, page))
    if english:
        assert re.search(english, en_text), english
