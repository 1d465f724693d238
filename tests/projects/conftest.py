"""Fixtures of the projects tests: a small world of regions, occupations, gaps, colleges and users."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Role
from gaps.models import ExchangeRate, Gap, GapReport, GapReportLine, Occupation, Region, ReportStatus
from training.models import Cohort, College, Program


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever language an earlier test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def world(db, make_user):
    """Two regions (KZ oblast, CN city), two occupations, two colleges, users of every role."""
    east = Region.objects.create(code="KZ-VOS", country="KZ", name_en="East Kazakhstan", kind="oblast",
                                 avg_wage_growth_pct=Decimal("10.00"))
    horgos = Region.objects.create(code="CN-HRG", country="CN", name_en="Horgos", kind="city",
                                   avg_wage_growth_pct=Decimal("5.00"))
    harvester = Occupation.objects.create(code="8341", level=4, title_en="Mobile farm and forestry plant operators")
    grader = Occupation.objects.create(code="7515", level=4, title_en="Food and beverage tasters and graders")
    gansu = College.objects.create(code="GS-VC", name="Gansu Vocational Centre", country="CN")
    ust = College.objects.create(code="KZ-UK", name="Ust-Kamenogorsk College", country="KZ")
    operators = Program.objects.create(college=ust, code="OPS", title="Harvester operators", languages=["ru", "kk"])
    operators.occupations.add(harvester)
    operators.serves_regions.add(east)
    graders = Program.objects.create(college=gansu, code="GRD", title="Graders", languages=["zh"])
    graders.occupations.add(grader)  # serves every region
    everywhere = Program.objects.create(college=gansu, code="OPS2", title="Operators (CN)", languages=["zh"])
    everywhere.occupations.add(harvester)
    everywhere.serves_regions.add(horgos)  # does not serve East Kazakhstan
    cohort = Cohort.objects.create(program=operators, seats=20, intake_date=dt.date(2025, 9, 1),
                                   graduation_date=dt.date(2026, 6, 30))
    cohort2 = Cohort.objects.create(program=operators, seats=10, intake_date=dt.date(2026, 1, 10),
                                    graduation_date=dt.date(2026, 12, 20))
    users = {
        "reviewer": make_user(Role.REVIEWER, email="rev@example.org"),
        "reviewer2": make_user(Role.REVIEWER, email="rev2@example.org"),
        "official": make_user(Role.OFFICIAL, regions=[east], email="east@example.org"),
        "other_official": make_user(Role.OFFICIAL, regions=[horgos], email="horgos@example.org"),
        "college": make_user(Role.COLLEGE_STAFF, colleges=[ust], email="ust@example.org"),
        "other_college": make_user(Role.COLLEGE_STAFF, colleges=[gansu], email="gansu@example.org"),
        "nobody": make_user(None, email="nobody@example.org"),
    }
    return {
        "east": east, "horgos": horgos, "harvester": harvester, "grader": grader, "gansu": gansu, "ust": ust,
        "operators": operators, "graders": graders, "everywhere": everywhere, "cohort": cohort, "cohort2": cohort2,
        **users,
    }


@pytest.fixture
def make_gap(world):
    def make(region=None, occupation=None, quarter="2026Q3", **fields):
        defaults = {"headcount": 40, "covered": 10, "shortfall": 30, "salary_min_cny": Decimal("5000"),
                    "salary_max_cny": Decimal("7000"), "need_date": dt.date(2026, 7, 1), "new_on_list": False}
        defaults.update(fields)
        return Gap.objects.create(region=region or world["east"], occupation=occupation or world["harvester"],
                                  quarter=quarter, **defaults)

    return make


@pytest.fixture
def gap(make_gap):
    return make_gap()


@pytest.fixture
def rates(db):
    """KZT moves from 0.0140 to 0.0150 CNY; USD at 7.10 from 2025."""
    ExchangeRate.objects.create(currency="KZT", date=dt.date(2025, 1, 1), rate_to_cny=Decimal("0.0140"))
    ExchangeRate.objects.create(currency="KZT", date=dt.date(2026, 6, 1), rate_to_cny=Decimal("0.0150"))
    ExchangeRate.objects.create(currency="USD", date=dt.date(2025, 1, 1), rate_to_cny=Decimal("7.10"))


@pytest.fixture
def submitted_report(world, rates):
    """East Kazakhstan's 2026Q3 report with one harvester line in KZT (the gap's evidence)."""
    report = GapReport.objects.create(region=world["east"], quarter="2026Q3", status=ReportStatus.SUBMITTED)
    GapReportLine.objects.create(
        report=report, line_no=1, occupation=world["harvester"], occupation_title="=HYPERLINK(\"x\")",
        headcount=40, salary_min=Decimal("300000"), salary_max=Decimal("400000"), currency="KZT",
        season_start=dt.date(2026, 7, 15), season_end=dt.date(2026, 9, 30), certification="KZ", languages=["kk"],
    )
    draft = GapReport.objects.create(region=world["east"], quarter="2026Q4", status=ReportStatus.DRAFT)
    GapReportLine.objects.create(report=draft, line_no=1, occupation=world["harvester"], headcount=5,
                                 salary_min=1, salary_max=2, currency="KZT")
    return report
