"""Demo data: regions, rates, colleges, programs, cohorts, reports and users (`manage.py load_demo`).

Everything here is fictional but plausible. The 2026Q3 quarter is built so that matching
(SPEC.md, "How matching decides") shows each failure the product exists for:

1. **Graders instead of harvester operators.** East Kazakhstan (KZ-VOS) needs 120 crop-harvesting
   machine operators (ISCO 8341, sector A) for the harvest from 2026-08-15; the Luban Workshop's
   timely class covers 30 (UNDER_SUPPLY -> EXPAND). The Gansu centre, which serves East
   Kazakhstan, graduates 80 fruit-and-vegetable graders (ISCO 7515, sector A) in July that no
   line asks for: OVERSUPPLY, and because the program and the 8341 line share sector A,
   MISDIRECTED_SUPPLY towards 8341 (count min(80, 90) = 80) -> RETOOL.
2. **The late drip-irrigation class.** Almaty region needs 40 solar drip-irrigation technicians
   from 2026-08-01 (installation before the autumn sowing). The Xinjiang class was funded in June
   and graduates 2026-09-15: after the need date, before the season ends -> TIMING_MISMATCH ->
   RESCHEDULE. The same class graduates in time for Ili's season (from 2026-09-20), which takes
   20 of its 25 seats, so it is not oversupplied.
   Occupation: ISCO 7126 (Plumbers and Pipe Fitters). ESCO files "irrigation technician" and
   "irrigation system installer" under 7126: the work is laying and maintaining drip lines,
   emitters, filters and pumps. The solar part (a PV-driven pump) is secondary, so the program
   also lists 7411 (ESCO's "solar energy technician"), but the need is coded 7126.
3. **Kazakhstan's skill assessment.** Almaty region needs 60 welders (7212) certified under
   Kazakhstan's national skill assessment (`KZ`). The Luban Workshop's 20 KZ-prepared welders are
   allocated; Ili Vocational College's timely welding class serves Almaty region and teaches in
   Russian but prepares only for China's vocational skill level certificate -> CERTIFICATION_GAP.
4. **Language.** Horgos needs 50 heavy-truck drivers (8332) who speak Russian for cross-border
   runs; Ili's drivers are taught in Chinese only -> LANGUAGE_GAP (and UNMET_DEMAND). The same
   class covers Alashankou's Chinese-speaking need, so it is not oversupplied.
5. **Uncoded.** A free-text title ("универсал на сезон", a seasonal all-rounder) that resolves to
   no unit group: UNCODED_OCCUPATION, kept for an official to code.
6. Well-covered lines (agricultural machinery mechanics, forklift operators, electricians, truck
   drivers for Alashankou) so that not everything is a mismatch, and unmet lines nobody trains for
   (Ili tour guides, Alashankou freight handlers) that recommend OPEN.

Earlier quarters (2025Q3..2026Q2) carry the shortages that recur, so in 2026Q3 the harvester
operators, Horgos drivers and Almaty welders are *not* new on the list while the drip-irrigation
technicians (Almaty), tour guides (Ili) and freight handlers (Alashankou) are. A 2026Q4 draft shows a
report being prepared.

Idempotent: every object is looked up by its natural key and only created when absent; a report
is only built when its region has no report for that quarter yet; users are only created when
absent (their passwords are never reset). Running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Role
from gaps import services as report_services
from gaps.models import ExchangeRate, GapReport, Occupation, Region, ReportStatus
from training.models import College, Cohort, Program

# Shared by every demo account; printed by load_demo. For demonstrations only: never use the
# demo users on a server that holds real data.
DEMO_PASSWORD = "talentgap-demo"

DEMO_QUARTER = "2026Q3"

d = dt.date


# --- Regions ----------------------------------------------------------------------------------
# (code, country, kind, en, ru, zh, kk, average nominal wage growth %/year)
REGIONS = [
    ("KZ-VOS", "KZ", "oblast", "East Kazakhstan Region", "Восточно-Казахстанская область",
     "东哈萨克斯坦州", "Шығыс Қазақстан облысы", "11.50"),
    ("KZ-ALM", "KZ", "oblast", "Almaty Region", "Алматинская область", "阿拉木图州", "Алматы облысы", "12.10"),
    ("KZ-ZHT", "KZ", "oblast", "Zhetysu Region", "Область Жетісу", "杰特苏州", "Жетісу облысы", "10.80"),
    ("KZ-ABY", "KZ", "oblast", "Abai Region", "Область Абай", "阿拜州", "Абай облысы", "10.40"),
    ("CN-XJ-HRG", "CN", "city", "Horgos", "Хоргос", "霍尔果斯市", "Қорғас қаласы", "6.20"),
    ("CN-XJ-ALS", "CN", "city", "Alashankou", "Алашанькоу", "阿拉山口市", "Алашаңқай қаласы", "5.90"),
    ("CN-XJ-ILI", "CN", "prefecture", "Ili Kazakh Autonomous Prefecture", "Или-Казахский автономный округ",
     "伊犁哈萨克自治州", "Іле Қазақ автономиялық облысы", "6.40"),
    ("CN-XJ-BOR", "CN", "prefecture", "Bortala Mongol Autonomous Prefecture",
     "Боро-Тала-Монгольский автономный округ", "博尔塔拉蒙古自治州", "Бортала Моңғол автономиялық облысы", "6.00"),
]

# --- Exchange rates to CNY ----------------------------------------------------------------------
# Monthly fixings from mid-2025 through Q3 2026, so every need date of the demo has a rate in force.
RATE_DATES = [d(2025, 6, 1), d(2025, 9, 1), d(2025, 12, 1), d(2026, 3, 1), d(2026, 6, 1),
              d(2026, 7, 1), d(2026, 8, 1), d(2026, 9, 1)]
RATES = {
    "CNY": ["1"] * 8,
    "KZT": ["0.01420", "0.01395", "0.01410", "0.01432", "0.01448", "0.01451", "0.01447", "0.01455"],
    "USD": ["7.1800", "7.1300", "7.1050", "7.0900", "7.1200", "7.1150", "7.1080", "7.1000"],
    "RUB": ["0.09120", "0.08870", "0.08950", "0.08810", "0.08760", "0.08840", "0.08790", "0.08820"],
    "EUR": ["7.8500", "8.3200", "8.2800", "8.1900", "8.2400", "8.3000", "8.2700", "8.2500"],
}

# --- Users ----------------------------------------------------------------------------------------
# (username, role or None for the superuser, first name, last name, region codes, college codes)
USERS = [
    ("admin", None, "Demo", "Administrator", [], []),
    ("reviewer", Role.REVIEWER, "Ministry", "Reviewer", [], []),
    ("official.vko", Role.OFFICIAL, "Aigerim", "Nurlanovna", ["KZ-VOS"], []),
    ("official.almaty", Role.OFFICIAL, "Yerlan", "Sadykov", ["KZ-ALM"], []),
    ("official.horgos", Role.OFFICIAL, "Li", "Wei", ["CN-XJ-HRG"], []),
    ("official.alashankou", Role.OFFICIAL, "Zhang", "Min", ["CN-XJ-ALS"], []),
    ("official.ili", Role.OFFICIAL, "Nurbol", "Kasymov", ["CN-XJ-ILI"], []),
    ("college.luban", Role.COLLEGE_STAFF, "Daniyar", "Omarov", [], ["KZ-LUBAN-UKG"]),
    ("college.gansu", Role.COLLEGE_STAFF, "Wang", "Fang", [], ["CN-GS-AVTC"]),
    ("college.xinjiang", Role.COLLEGE_STAFF, "Ayjan", "Tursun", [], ["CN-XJ-AVTC", "CN-XJ-ILIVC"]),
    ("college.almaty", Role.COLLEGE_STAFF, "Saule", "Beisenova", [], ["KZ-ALM-ATC"]),
]

# --- Colleges, programs, cohorts ------------------------------------------------------------------
COLLEGES = [
    ("KZ-LUBAN-UKG", "Luban Workshop Ust-Kamenogorsk (Kazakhstan)", "KZ"),
    ("CN-GS-AVTC", "Gansu Agricultural Vocational Training Centre", "CN"),
    ("CN-XJ-AVTC", "Xinjiang Agricultural Vocational Technical College", "CN"),
    ("CN-XJ-ILIVC", "Ili Vocational and Technical College", "CN"),
    ("KZ-ALM-ATC", "Almaty Region Agro-Technical College", "KZ"),
]


@dataclass(frozen=True)
class DemoCohort:
    seats: int
    intake: dt.date
    graduation: dt.date


@dataclass(frozen=True)
class DemoProgram:
    college: str
    code: str
    title: str
    occupations: list[str]
    sector: str
    languages: list[str]
    certifications: list[str]
    serves: list[str]  # empty: every region
    cohorts: list[DemoCohort] = field(default_factory=list)


C = DemoCohort
PROGRAMS = [
    # Seed case 1, the supply that exists: a timely but too small class of harvester operators.
    DemoProgram("KZ-LUBAN-UKG", "HARV-OP", "Combine harvester and farm machinery operator", ["8341"], "A",
                ["ru", "kk"], ["KZ"], ["KZ-VOS", "KZ-ABY"],
                [C(25, d(2024, 9, 1), d(2025, 6, 30)), C(30, d(2025, 9, 1), d(2026, 6, 30)),
                 C(40, d(2026, 9, 1), d(2027, 6, 30))]),
    DemoProgram("KZ-LUBAN-UKG", "AGRI-MECH", "Agricultural machinery mechanic (Luban Workshop)", ["7233"], "A",
                ["ru", "kk", "zh"], ["KZ"], ["KZ-VOS", "KZ-ABY"],
                [C(24, d(2025, 9, 1), d(2026, 6, 20))]),
    # Seed case 3, the timely KZ-certified welders (too few).
    DemoProgram("KZ-LUBAN-UKG", "WELD-KZ", "Welder, Kazakhstan skill assessment track", ["7212"], "F",
                ["ru", "kk"], ["KZ"], ["KZ-ALM", "KZ-VOS"],
                [C(20, d(2025, 9, 1), d(2026, 6, 25))]),
    # Seed case 1, the misdirected supply: graders trained from last year's picture.
    DemoProgram("CN-GS-AVTC", "FV-GRADE", "Fruit and vegetable grading and quality control", ["7515"], "A",
                ["zh", "ru"], [], ["KZ-VOS"],
                [C(60, d(2024, 9, 1), d(2025, 7, 15)), C(80, d(2025, 9, 1), d(2026, 7, 15)),
                 C(80, d(2026, 9, 1), d(2027, 7, 15))]),
    # Seed case 2: funded in June, graduates after Almaty's need date but in time for Ili's.
    DemoProgram("CN-XJ-AVTC", "SOLAR-DRIP", "Solar drip-irrigation technician", ["7126", "7411"], "A",
                ["ru", "zh"], [], ["KZ-ALM", "CN-XJ-ILI"],
                [C(25, d(2026, 6, 15), d(2026, 9, 15))]),
    DemoProgram("CN-XJ-AVTC", "FORKLIFT", "Forklift and warehouse equipment operator", ["8344"], "H",
                ["zh"], ["CN-VSL"], ["CN-XJ-HRG", "CN-XJ-ALS"],
                [C(30, d(2026, 3, 1), d(2026, 6, 10))]),
    # Seed case 3, the timely welders that fail only on Kazakhstan's certification.
    DemoProgram("CN-XJ-ILIVC", "WELD", "Welder (China vocational skill level certificate)", ["7212"], "F",
                ["zh", "ru"], ["CN-VSL"], ["KZ-ALM", "CN-XJ-HRG"],
                [C(40, d(2025, 9, 1), d(2026, 6, 20))]),
    # Seed case 4: Chinese-only instruction; covers Alashankou, fails Horgos on Russian.
    DemoProgram("CN-XJ-ILIVC", "TRUCK", "Heavy truck driver, cross-border logistics", ["8332"], "H",
                ["zh"], [], ["CN-XJ-HRG", "CN-XJ-ALS"],
                [C(40, d(2026, 1, 10), d(2026, 6, 15))]),
    DemoProgram("KZ-ALM-ATC", "ELEC", "Building electrician", ["7411"], "F",
                ["kk", "ru"], ["KZ"], ["KZ-ALM", "KZ-ZHT"],
                [C(30, d(2025, 9, 1), d(2026, 6, 25))]),
]


# --- Reports ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoLine:
    occupation: str | None  # None: an UNCODED line identified by its title only
    title: str
    sector: str
    headcount: int
    salary: tuple[int, int]
    currency: str
    season: tuple[dt.date, dt.date] | None = None
    certification: str = ""
    languages: list[str] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class DemoReport:
    region: str
    quarter: str
    lines: list[DemoLine]
    submit: bool = True


L = DemoLine
REPORTS = [
    # Earlier quarters first: submitting queues a re-match of the quarter after commit, and those
    # run in submission order, so 2026Q3 is matched after the quarters its "new on the list" looks
    # back on. The shortages that recur here are why 2026Q3's operators, drivers and welders are not new.
    DemoReport("KZ-VOS", "2025Q3", [
        L("8341", "Оператор зерноуборочного комбайна", "A", 80, (300000, 450000), "KZT",
          (d(2025, 8, 15), d(2025, 10, 15)), languages=["ru"]),
        L("7233", "Слесарь по ремонту сельхозтехники", "A", 10, (280000, 400000), "KZT", languages=["ru"]),
    ]),
    DemoReport("KZ-VOS", "2025Q4", [
        L("8341", "Тракторист-машинист", "A", 30, (280000, 400000), "KZT",
          (d(2025, 10, 1), d(2025, 11, 30)), languages=["ru"]),
    ]),
    DemoReport("CN-XJ-HRG", "2025Q4", [
        L("8332", "跨境重型卡车司机", "H", 40, (7000, 9500), "CNY", languages=["ru"]),
    ]),
    DemoReport("KZ-VOS", "2026Q1", [
        L("8341", "Тракторист-машинист", "A", 40, (300000, 420000), "KZT",
          (d(2026, 3, 20), d(2026, 5, 15)), languages=["ru"], note="Spring sowing."),
    ]),
    DemoReport("KZ-ALM", "2026Q1", [
        L("7212", "Сварщик", "F", 30, (350000, 480000), "KZT", certification="KZ", languages=["ru"]),
    ]),
    DemoReport("KZ-VOS", "2026Q2", [
        L("8341", "Оператор сельхозтехники", "A", 60, (320000, 450000), "KZT",
          (d(2026, 4, 10), d(2026, 6, 10)), languages=["ru"]),
    ]),
    DemoReport("CN-XJ-HRG", "2026Q2", [
        L("8332", "跨境重型卡车司机", "H", 40, (7200, 9800), "CNY", languages=["ru"]),
    ]),
    # 2026Q3, the demo quarter.
    DemoReport("KZ-VOS", "2026Q3", [
        L("8341", "Оператор зерноуборочного комбайна", "A", 120, (350000, 500000), "KZT",
          (d(2026, 8, 15), d(2026, 10, 15)), languages=["ru"],
          note="Grain and oilseed harvest; farms report the same shortage every year."),
        L("7233", "Слесарь по ремонту сельхозтехники", "A", 20, (300000, 420000), "KZT",
          (d(2026, 7, 15), d(2026, 10, 31)), languages=["ru"]),
        # No sector either: without a unit group the line cannot be "adjacent" to any supply.
        L(None, "универсал на сезон", "", 15, (200000, 260000), "KZT", (d(2026, 8, 15), d(2026, 10, 15)),
          note="Title as written by the farm; no unit group chosen yet."),
    ]),
    DemoReport("KZ-ALM", "2026Q3", [
        L("7126", "Техник солнечного капельного орошения", "A", 40, (320000, 450000), "KZT",
          (d(2026, 8, 1), d(2026, 10, 31)), languages=["ru"],
          note="Install and service PV-driven drip systems before the autumn sowing."),
        L("7212", "Сварщик", "F", 60, (380000, 520000), "KZT", certification="KZ", languages=["ru"],
          note="Contractors require Kazakhstan's national skill assessment certificate."),
        L("7411", "Электромонтажник", "F", 25, (330000, 450000), "KZT", languages=["ru"]),
    ]),
    DemoReport("CN-XJ-HRG", "2026Q3", [
        L("8332", "跨境重型卡车司机", "H", 50, (7500, 10000), "CNY", languages=["ru"],
          note="Cross-border runs to Almaty; drivers must speak Russian."),
        L("7212", "焊工", "F", 30, (6500, 8500), "CNY", languages=["zh"]),
        L("8344", "叉车司机", "H", 25, (5000, 6500), "CNY", languages=["zh"]),
    ]),
    DemoReport("CN-XJ-ALS", "2026Q3", [
        L("8332", "重型卡车司机", "H", 30, (7000, 9000), "CNY", languages=["zh"]),
        L("9333", "装卸工", "H", 40, (4500, 5500), "CNY", (d(2026, 9, 1), d(2026, 12, 31)), languages=["zh"]),
    ]),
    DemoReport("CN-XJ-ILI", "2026Q3", [
        L("7126", "滴灌系统安装工", "A", 20, (6000, 8000), "CNY", (d(2026, 9, 20), d(2026, 11, 15)),
          languages=["zh"]),
        L("5113", "Tour guide (Russian-speaking)", "I", 15, (650, 900), "USD",
          (d(2026, 7, 1), d(2026, 9, 30)), languages=["ru", "zh"]),
    ]),
    # Next quarter, still being written.
    DemoReport("KZ-VOS", "2026Q4", [
        L("7233", "Слесарь по ремонту сельхозтехники", "A", 25, (320000, 440000), "KZT",
          (d(2026, 11, 1), d(2027, 2, 28)), languages=["ru"], note="Winter repair of the harvest fleet."),
        L("8341", "Тракторист-машинист", "A", 20, (300000, 420000), "KZT",
          (d(2026, 10, 1), d(2026, 11, 15)), languages=["ru"]),
    ], submit=False),
]


def demo_occupation_codes() -> set[str]:
    codes = {code for program in PROGRAMS for code in program.occupations}
    codes |= {line.occupation for report in REPORTS for line in report.lines if line.occupation}
    return codes


# --- Loading --------------------------------------------------------------------------------------
@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, scope)

    def count(self, what: str, n: int = 1) -> None:
        if n:
            self.created[what] = self.created.get(what, 0) + int(n)


class DemoError(Exception):
    """The demo cannot be loaded (e.g. the occupation taxonomy is missing)."""


@transaction.atomic
def load_demo() -> DemoSummary:
    """Create whatever part of the demo is missing, in one transaction; returns what was created.

    Re-running creates nothing. Reports are built through gaps.services, so they are validated
    and submitted like an official's (and a re-match of each quarter is queued after commit).
    """
    missing = sorted(demo_occupation_codes() - set(Occupation.objects.filter(level=4).values_list("code", flat=True)))
    if missing:
        raise DemoError(
            "The occupation taxonomy is not loaded (missing unit groups %s); run `manage.py load_taxonomy` first."
            % ", ".join(missing)
        )
    summary = DemoSummary()
    regions = _load_regions(summary)
    _load_rates(summary)
    colleges = _load_colleges(summary)
    users = _load_users(summary, regions, colleges)
    _load_programs(summary, colleges, regions)
    _load_reports(summary, regions, users)
    return summary


def _load_regions(summary: DemoSummary) -> dict[str, Region]:
    regions = {}
    for code, country, kind, en, ru, zh, kk, growth in REGIONS:
        region, created = Region.objects.get_or_create(
            code=code,
            defaults=dict(country=country, kind=kind, name_en=en, name_ru=ru, name_zh=zh, name_kk=kk,
                          avg_wage_growth_pct=Decimal(growth)),
        )
        summary.count("regions", created)
        regions[code] = region
    return regions


def _load_rates(summary: DemoSummary) -> None:
    for currency, values in RATES.items():
        for day, value in zip(RATE_DATES, values, strict=True):
            _, created = ExchangeRate.objects.get_or_create(
                currency=currency, date=day, defaults={"rate_to_cny": Decimal(value)}
            )
            summary.count("exchange rates", created)


def _load_colleges(summary: DemoSummary) -> dict[str, College]:
    colleges = {}
    for code, name, country in COLLEGES:
        college, created = College.objects.get_or_create(code=code, defaults={"name": name, "country": country})
        summary.count("colleges", created)
        colleges[code] = college
    return colleges


def _load_users(summary: DemoSummary, regions: dict[str, Region], colleges: dict[str, College]) -> dict[str, object]:
    User = get_user_model()
    users = {}
    # Hashed once for every demo account: the password is public anyway, and PBKDF2 costs ~0.3 s
    # a call, which would be most of a demo load.
    password_hash = None
    for username, role, first, last, region_codes, college_codes in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, email=f"{username}@demo.invalid")
            if role is None:
                user.is_staff = user.is_superuser = True
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user.password = password_hash
            user.save()
            summary.count("users")
        if role is not None:
            user.groups.add(Group.objects.get(name=role))
        for code in region_codes:
            regions[code].members.add(user)
        for code in college_codes:
            colleges[code].staff.add(user)
        scope = ", ".join(region_codes + college_codes) or ("everything" if role != Role.OFFICIAL else "")
        summary.users.append((username, str(role.label) if role else "administrator (superuser)", scope))
        users[username] = user
    return users


def _load_programs(summary: DemoSummary, colleges: dict[str, College], regions: dict[str, Region]) -> None:
    for spec in PROGRAMS:
        program, created = Program.objects.get_or_create(
            college=colleges[spec.college],
            code=spec.code,
            defaults=dict(title=spec.title, sector=spec.sector, languages=spec.languages,
                          certifications=spec.certifications),
        )
        if created:
            program.occupations.set(spec.occupations)
            program.serves_regions.set([regions[code] for code in spec.serves])
            summary.count("programs")
        for cohort in spec.cohorts:
            _, created = Cohort.objects.get_or_create(
                program=program,
                intake_date=cohort.intake,
                defaults={"seats": cohort.seats, "graduation_date": cohort.graduation},
            )
            summary.count("cohorts", created)


def _official_of(region_code: str, users: dict[str, object]):
    for username, role, _first, _last, region_codes, _colleges in USERS:
        if role == Role.OFFICIAL and region_code in region_codes:
            return users[username]
    return None


def _load_reports(summary: DemoSummary, regions: dict[str, Region], users: dict[str, object]) -> None:
    for spec in REPORTS:
        region = regions[spec.region]
        wanted = ReportStatus.SUBMITTED if spec.submit else ReportStatus.DRAFT
        # Any report of the region for the quarter means the demo (or a person) already filed it.
        if GapReport.objects.filter(region=region, quarter=spec.quarter).exists():
            continue
        official = _official_of(spec.region, users)
        report = report_services.report_create(region=region, quarter=spec.quarter, user=official)
        for line in spec.lines:
            report_services.report_line_add(
                report=report,
                user=official,
                occupation_id=line.occupation,
                occupation_title=line.title,
                coding_confidence=None if line.occupation is None else 1.0,
                sector=line.sector,
                headcount=line.headcount,
                salary_min=Decimal(line.salary[0]),
                salary_max=Decimal(line.salary[1]),
                currency=line.currency,
                season_start=line.season[0] if line.season else None,
                season_end=line.season[1] if line.season else None,
                certification=line.certification,
                languages=list(line.languages),
                note=line.note,
            )
            summary.count("report lines")
        if wanted == ReportStatus.SUBMITTED:
            report_services.report_submit(report=report, user=official)
            summary.count("submitted reports")
        else:
            summary.count("draft reports")
