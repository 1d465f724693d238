"""Small builders for tests of the API, the models and the services.

Plain functions rather than factory classes: each builds one row with sensible defaults and
takes overrides, which is all these tests need. Occupations are a minimal slice of ISCO-08 so the
tests do not depend on the taxonomy load.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gaps import services as report_services
from gaps.models import ExchangeRate, GapReport, GapReportLine, Occupation, Region, ReportStatus
from training.models import Cohort, College, Program

# code -> (parent, level, English title)
ISCO_SLICE = {
    "8": (None, 1, "Plant and machine operators, and assemblers"),
    "83": ("8", 2, "Drivers and mobile plant operators"),
    "834": ("83", 3, "Mobile plant operators"),
    "8341": ("834", 4, "Mobile farm and forestry plant operators"),
    "8344": ("834", 4, "Lifting truck operators"),
    "7": (None, 1, "Craft and related trades workers"),
    "75": ("7", 2, "Food processing, wood working, garment and other craft and related trades workers"),
    "751": ("75", 3, "Food processing and related trades workers"),
    "7515": ("751", 4, "Food and beverage tasters and graders"),
}


def occupations() -> dict[str, Occupation]:
    made = {}
    for code, (parent, level, title) in ISCO_SLICE.items():
        made[code], _ = Occupation.objects.get_or_create(
            code=code, defaults={"level": level, "parent_id": parent, "title_en": title}
        )
    return made


def region(code: str = "KZ-VOS", **fields) -> Region:
    fields.setdefault("country", "KZ")
    fields.setdefault("name_en", f"Region {code}")
    fields.setdefault("kind", "oblast")
    return Region.objects.get_or_create(code=code, defaults=fields)[0]


def college(code: str = "LUBAN-KZ", **fields) -> College:
    fields.setdefault("name", f"College {code}")
    fields.setdefault("country", "KZ")
    return College.objects.create(code=code, **fields)


def program(college: College, code: str = "P1", *, trains=("8341",), serves=(), **fields) -> Program:
    occupations()
    fields.setdefault("title", f"Program {code}")
    fields.setdefault("languages", ["ru", "kk"])
    made = Program.objects.create(college=college, code=code, **fields)
    made.occupations.set(trains)
    made.serves_regions.set(serves)
    return made


def cohort(program: Program, *, seats: int = 20, intake=dt.date(2025, 9, 1), graduation=dt.date(2026, 7, 1)) -> Cohort:
    return Cohort.objects.create(program=program, seats=seats, intake_date=intake, graduation_date=graduation)


def line_fields(**overrides) -> dict:
    """One report line as a service takes it (occupation as an instance or None)."""
    occupations()
    fields = {
        "occupation": Occupation.objects.get(pk="8341"),
        "occupation_title": "combine harvester operator",
        "headcount": 120,
        "salary_min": Decimal("250000"),
        "salary_max": Decimal("400000"),
        "currency": "KZT",
        "season_start": dt.date(2026, 8, 15),
        "season_end": dt.date(2026, 10, 15),
        "languages": ["ru", "kk"],
    }
    fields.update(overrides)
    return fields


def line_json(**overrides) -> dict:
    """One report line as the API takes it."""
    data = {
        "occupation": "8341",
        "occupation_title": "combine harvester operator",
        "headcount": 120,
        "salary_min": "250000.00",
        "salary_max": "400000.00",
        "currency": "KZT",
        "season_start": "2026-08-15",
        "season_end": "2026-10-15",
        "languages": ["ru", "kk"],
    }
    data.update(overrides)
    return data


def report(region: Region, quarter: str = "2026Q3", *, status: str = ReportStatus.DRAFT, lines: int = 1, user=None) -> GapReport:
    """A report in the given status, built through the services (so it is a state they can reach)."""
    made = report_services.report_create(region=region, quarter=quarter, user=user)
    for _ in range(lines):
        report_services.report_line_add(report=made, user=user, **line_fields())
    if status in (ReportStatus.SUBMITTED, ReportStatus.WITHDRAWN):
        report_services.report_submit(report=made, user=user)
    if status == ReportStatus.WITHDRAWN:
        report_services.report_withdraw(report=made, user=user)
    made.refresh_from_db()
    return made


def uncoded_line(report_: GapReport, title: str = "универсал на сезон") -> GapReportLine:
    """An UNCODED line (as imports store it) on any report, whatever its status."""
    number = (report_.lines.order_by("-line_no").values_list("line_no", flat=True).first() or 0) + 1
    return GapReportLine.objects.create(report=report_, line_no=number, **line_fields(occupation=None, occupation_title=title, coding_confidence=0.2))


def rate(currency: str = "KZT", day=dt.date(2026, 7, 1), value: str = "0.0139") -> ExchangeRate:
    return ExchangeRate.objects.create(currency=currency, date=day, rate_to_cny=Decimal(value))
