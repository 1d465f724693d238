"""Database rows for matching tests: the SPEC.md seed cases in a small quarter (2026Q3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gaps.models import ExchangeRate, GapReport, GapReportLine, Occupation, Region, ReportStatus
from training.models import Cohort, College, Program

D = dt.date

OCCUPATIONS = {
    "8341": "Mobile farm and forestry plant operators",
    "7515": "Food and beverage tasters and graders",
    "7126": "Plumbers and pipe fitters",
    "8342": "Earthmoving and related plant operators",
}


def occupations():
    for code, title in OCCUPATIONS.items():
        for level, prefix in ((1, code[:1]), (2, code[:2]), (3, code[:3])):
            Occupation.objects.get_or_create(code=prefix, defaults={"level": level, "title_en": prefix})
        Occupation.objects.get_or_create(
            code=code, defaults={"level": 4, "title_en": title, "parent_id": code[:3]}
        )


def region(code, country="KZ"):
    return Region.objects.get_or_create(code=code, defaults={"country": country, "name_en": code})[0]


def report(region_row, quarter="2026Q3", lines=(), status=ReportStatus.SUBMITTED):
    rep = GapReport.objects.create(region=region_row, quarter=quarter, status=status)
    for number, fields in enumerate(lines, start=1):
        values = {"salary_min": Decimal(6000), "salary_max": Decimal(8000), "currency": "CNY", **fields}
        if "occupation" in values:
            values["occupation_id"] = values.pop("occupation")
        GapReportLine.objects.create(report=rep, line_no=number, **values)
    return rep


def program(college_code, code, occupations_, *, sector="", languages=("ru", "zh"), certifications=(), serves=()):
    college = College.objects.get_or_create(code=college_code, defaults={"name": college_code, "country": "CN"})[0]
    prog = Program.objects.create(
        college=college, code=code, title=code, sector=sector, languages=list(languages),
        certifications=list(certifications),
    )
    prog.occupations.set(occupations_)
    prog.serves_regions.set(serves)
    return prog


def cohort(prog, seats, graduation, intake=None):
    return Cohort.objects.create(
        program=prog, seats=seats, graduation_date=graduation, intake_date=intake or graduation - dt.timedelta(days=300)
    )


def seed_quarter():
    """East Kazakhstan short of harvester operators while Gansu trains graders; Horgos needs drip
    irrigation fitters by 1 July and the class graduates on 20 July; a KZT line needs a rate."""
    occupations()
    ekz, horgos = region("EKZ"), region("HORGOS", "CN")
    ExchangeRate.objects.create(currency="KZT", date=D(2026, 1, 1), rate_to_cny=Decimal("0.0145"))
    report(ekz, lines=[
        {"occupation": "8341", "headcount": 40, "sector": "A", "season_start": D(2026, 8, 1), "currency": "KZT",
         "salary_min": Decimal(350000), "salary_max": Decimal(450000)},
        {"occupation": "7515", "headcount": 10, "sector": "A"},
        {"occupation_title": "мастер капельного орошения", "headcount": 5},
    ])
    report(horgos, lines=[{"occupation": "7126", "headcount": 25, "season_start": D(2026, 7, 1)}])
    gansu = program("GANSU-VC", "GRADERS", ["7515"], sector="A", serves=[ekz])
    cohort(gansu, 60, D(2026, 6, 30))
    solar = program("XJ-SOLAR", "DRIP", ["7126"], serves=[horgos])
    cohort(solar, 30, D(2026, 7, 20), intake=D(2026, 3, 1))
    return {"ekz": ekz, "horgos": horgos, "gansu": gansu, "solar": solar}
