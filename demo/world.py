"""The demo world as plain data, dated from one day (`load_demo --today D`): no ORM here.

`build_world(today)` returns every region, exchange rate, college, user, program, cohort, report
and project of the demo; `demo.services.demo_load` writes them. Everything is fictional but
plausible, and built so that what the service computes on `today` shows something true and useful.
Three clocks are used, each for a reason:

- **Calendar** (fixed months and days): the seasonal history. Harvests peak in Q3 every year
  (crop-harvesting machine operators, ISCO 8341, in East Kazakhstan and Zaysan county; apple
  graders, 7515, in Almaty region; Zaysan's spring field work in Q2), building in Q2 (builders 7111 and welders 7212 in Almaty
  region), freight at Horgos towards the year's end; exchange rates are monthly fixings on the
  first of each month. A season in the history sits where it is in the real year, whatever
  `today` is.
- **The current quarter** Qc (the quarter containing `today`; S0 = its first day): the five seed
  cases of the README's table and the cohorts they depend on, at fixed offsets from S0, so that
  matching Qc raises their flags whatever quarter of the year Qc is. Their notes are neutral (they
  must read sensibly in any season).
- **Today** T: four "anchor" series whose need dates are T + d, so that the early warning computed
  on T has at least one entry of each status for every T.

## The rules of SPEC.md relied on ("How matching decides", "Looking ahead: the early warning")

- Need date N = `season_start`, else the first day of the line's quarter; end date E =
  `season_end`, else the quarter's last day. A cohort is *timely* for a line when
  N - 180 days [SUPPLY_WINDOW_DAYS] <= graduation <= N, *late* when N < graduation <= E; it is
  *eligible* when its program trains the unit group, serves the region (no regions: every region),
  teaches one of the line's languages (if any), prepares for its certification (if any) and is
  timely. `covered` <= the seats of the eligible cohorts, whatever the allocation.
- A cohort is *assessed* in a quarter when it graduates within [quarter start - 180 days, quarter
  end] and a region it serves has a submitted report for the quarter (OVERSUPPLY needs it).
- Target quarters: the four after Qc. A *series* is (region, unit group, quarter of the year); its
  value for a year is the headcount of that unit group in the region's submitted report of that
  quarter, 0 when the report lacks it, missing when there is no submitted report. Forecast for
  year Y from years Y-1..Y-3: one value -> it; two or more -> last + (last - first) / (year span),
  at least 0, rounded half up. A target quarter the region already submitted a report for uses the
  reported lines instead. The projected line's N is the earliest `season_start` of the series'
  latest observed year moved to year Y (29 February -> 28), else the target quarter's first day.
- Lead time: a program's duration is the lower middle median of its cohorts' (graduation - intake)
  days; an occupation's `lead_days` the lower middle median of its programs' durations,
  `shortest_days` their minimum, both 180 [DEFAULT_LEAD_DAYS] when no program trains it.
  act_by = N - lead_days, short_course_by = N - shortest_days; with W = 90 [ACT_WINDOW_DAYS]:
  `plan` if act_by > T + W; `act_now` if T <= act_by <= T + W; `short_course_only` if
  act_by < T <= short_course_by; `missed` if short_course_by < T.

## Why every status appears on every day

With N = T + d the status depends on d alone (not on T), so each anchor has a fixed status; with
93 <= d <= 364, N lies in one of the four target quarters (the next quarter starts at most 92 days
after T, the fourth ends at least 365 days after it). The anchor's history lines carry
season_start = N moved back 1, 2 and 3 years, in the reports of the quarters a year, two and three
before its target quarter (the quarter a year before may be Qc itself), so the forecast's N is T + d
again. No target quarter of an anchor region has a submitted report (Horgos files its next quarter
early, and its anchor's d is over 183, so never in the next quarter).

| status | series | d | lead / shortest | why |
| --- | --- | --- | --- | --- |
| `plan` | Horgos, clearing and forwarding agents 3331 | 310 | none trains it: 180 / 180 | act_by = T + 130 > T + 90 |
| `act_now` | Ili, travel guides 5113 | 225 | none: 180 / 180 | act_by = T + 45 |
| `short_course_only` | Abai region, welders 7212 | 150 | 290 / 56 (programs of 300, 290 and the 56-day mobile workshop) | act_by = T - 140, short_course_by = T + 94 |
| `act_now` | Abai region, welders 7212 again (the mobile stop) | 340 | 290 / 56 | act_by = T + 50 |
| `missed` | Alashankou, freight handlers 9333 | 120 | none: 180 / 180 | short_course_by = T - 60 |

The second Abai series is there for the training plan (SPEC "Training plan"; issue 13 wants a mobile
stop on the demo): the mobile welding workshop is the only program that trains KZ-certified welders
for Abai, and at d = 150 one of its own runs (S0+54 to S0+110, S0+194 to S0+250) holds the route
on every day but S0+30, so the plan can only say `capacity` there. At d = 340 [MOBILE_STOP_DAYS] the stop's intake T + 284 is at least
S0 + 284, past the second run's end + MOBILE_TRANSFER_DAYS (S0 + 264), whatever day of the quarter T
is; the plan opens it. Abai has not reported the current quarter, so this series' line a year
before its target is left out when that quarter is the current one (T + 340 - 365 may fall in it):
its forecast then rests on the two earlier years (`Anchor.in_current_quarter`), and the current
quarter's flags stay the seed cases'.

Each anchor's forecast is above the seats of every cohort that could serve it (the Abai welders:
45 against the mobile workshop's one 12-seat cohort graduating within 180 days before N, and 34 or
30 at d = 340 against its second run's 12), so its
shortfall is positive however seats are allocated. tests/demo recomputes the statuses by these
rules (spec_reading.py, no service code): on this world for every day of a year and random days
over two centuries, and on the loaded rows for a few days and the real today. The d values follow
ACT_WINDOW_DAYS and DEFAULT_LEAD_DAYS when those settings exist (the table is for the defaults).

## The seed cases (current quarter; offsets in days from S0)

1. **Graders instead of harvester operators.** East Kazakhstan needs 120 crop-harvesting machine
   operators (8341, sector A) from S0+45; the Luban Workshop's class graduating at S0-15 covers 30
   (UNDER_SUPPLY -> EXPAND). The Gansu centre's 80 fruit-and-vegetable graders (7515, sector A)
   graduate at S0+14 for East Kazakhstan, which asks for none: OVERSUPPLY, and MISDIRECTED_SUPPLY
   towards 8341 (count min(80, 90) = 80) -> RETOOL.
2. **The late drip-irrigation class.** Almaty region needs 40 solar drip-irrigation technicians
   (7126) from S0+31 to S0+88; the Xinjiang class graduates at S0+76: late -> UNMET_DEMAND,
   TIMING_MISMATCH -> RESCHEDULE. Ili's irrigation need from S0+80 takes 20 of its 25 seats.
3. **Kazakhstan's skill assessment.** Almaty region needs 60 welders certified `KZ`; Luban's 20
   KZ-prepared welders are allocated; Ili's timely class teaches Russian but prepares only for
   China's certificate -> UNDER_SUPPLY, CERTIFICATION_GAP -> ALIGN_CERTIFICATION.
4. **Language.** Horgos needs 50 truck drivers (8332) who speak Russian; Ili's drivers are taught
   in Chinese only -> UNMET_DEMAND, LANGUAGE_GAP -> ADD_LANGUAGE (the class covers Alashankou).
5. **Uncoded.** "универсал на сезон" resolves to no unit group: UNCODED_OCCUPATION.

Besides: a report Horgos submitted early for the next quarter (the early warning uses its lines,
`source: "reported"`; its stock clerks are needed more than a lead time ahead, so the review queue
always has a gap training can still be in time for), an East Kazakhstan draft for the next quarter, cohorts planned ahead
(intakes in the coming months, graduations in the target quarters), a county class (Zaysan
county only, 75 days before the harvest; the training plan proposes one on every day: for the
harvest, or in late June, when this year's class could no longer start, for next spring's field
work) and a mobile welding workshop (a route of four regions;
`mobile=True` here, written once the Program model has the field), and three approved projects
from past gaps with cohort outcomes (one completed, one active, one fast-tracked with its
condition overdue) so the repository's results chain shows figures.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from core.quarters import Quarter

# --- SPEC.md's defaults that the design depends on -------------------------------------------------


@dataclass(frozen=True)
class Rules:
    supply_window_days: int = 180  # SUPPLY_WINDOW_DAYS
    act_window_days: int = 90  # ACT_WINDOW_DAYS
    default_lead_days: int = 180  # DEFAULT_LEAD_DAYS
    conditions_due_days: int = 90  # CONDITIONS_DUE_DAYS


# The second Abai welders anchor's d: its mobile-workshop stop (intake T + d - 56, the workshop's
# duration) must start MOBILE_TRANSFER_DAYS [14] after the workshop's second run ends (S0 + 250),
# whatever day of the quarter T is: d - 56 >= 250 + 14 (+ 20 days to spare), and d <= 364.
MOBILE_STOP_DAYS = 340

# History before the current quarter (SPEC: "three years of quarterly history").
HISTORY_QUARTERS = 12
TARGET_QUARTERS = 4


# --- Plain data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionSpec:
    code: str
    country: str
    kind: str
    name_en: str
    name_ru: str
    name_zh: str
    name_kk: str
    wage_growth_pct: str  # average nominal wage growth, %/year


@dataclass(frozen=True)
class RateSpec:
    currency: str
    date: dt.date
    rate_to_cny: Decimal


@dataclass(frozen=True)
class CollegeSpec:
    code: str
    name: str
    country: str
    # The name in the other page languages, (language, name) pairs: College.name_translations.
    translations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str | None  # accounts.models.Role value; None: the superuser
    first_name: str
    last_name: str
    regions: tuple[str, ...] = ()
    colleges: tuple[str, ...] = ()


@dataclass(frozen=True)
class CohortSpec:
    seats: int
    intake: dt.date
    graduation: dt.date


@dataclass(frozen=True)
class ProgramSpec:
    college: str
    code: str
    title: str
    occupations: tuple[str, ...]
    sector: str
    languages: tuple[str, ...]
    certifications: tuple[str, ...]
    serves: tuple[str, ...]  # empty: every region
    duration_days: int
    cohorts: tuple[CohortSpec, ...]
    # A mobile workshop (SPEC "Training plan"): no fixed region, moves along `serves`. Written to
    # Program.mobile once that field exists (demo.services._load_programs).
    mobile: bool = False
    # The title in the other page languages, (language, title) pairs: Program.title_translations.
    translations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LineSpec:
    occupation: str | None  # None: an UNCODED line known by its title only
    title: str
    sector: str
    headcount: int
    salary: tuple[int, int]
    currency: str
    season: tuple[dt.date, dt.date] | None = None
    certification: str = ""
    languages: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ReportSpec:
    region: str
    quarter: str
    lines: tuple[LineSpec, ...]
    submit: bool = True


@dataclass(frozen=True)
class OutcomeSpec:
    college: str
    program: str
    intake: dt.date  # the cohort, by its natural key
    enrolled: int
    completed: int
    passed: int
    employed: int
    income_before: int
    income_after: int
    currency: str


@dataclass(frozen=True)
class ProjectSpec:
    region: str
    quarter: str
    occupation: str
    approved_on: dt.date
    comment: str
    lead_college: str
    partner_colleges: tuple[str, ...]
    programs: tuple[tuple[str, str], ...]  # (college code, program code)
    planned_trainees: int
    planned_intake: dt.date
    budget: int
    budget_currency: str
    funding_source: str
    supplement: str | None  # None: the condition is still open
    outcomes: tuple[OutcomeSpec, ...] = ()
    status: str = "fast_tracked"  # fast_tracked, active or completed
    # The supplement in the other page languages: ProjectCondition.supplement_translations.
    supplement_translations: tuple[tuple[str, str], ...] = ()
    # The reviewer's comment in the other page languages: GapDecision.comment_translations.
    comment_translations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Anchor:
    """A series dated from today so that the early warning shows `status` (see the module doc)."""

    status: str
    region: str
    occupation: str
    title: str
    sector: str
    days_ahead: int  # d: the need date is today + d
    values: tuple[int, int, int, int]  # headcount 1, 2, 3 and 4 years before the target year
    salary: tuple[int, int]
    currency: str
    salary_growth: float
    languages: tuple[str, ...] = ()
    certification: str = ""
    note: str = ""
    # False: the region has not reported the current quarter, so the line a year before the target
    # is left out when that quarter is the current one (the forecast then rests on two years).
    in_current_quarter: bool = True


@dataclass(frozen=True)
class World:
    today: dt.date
    quarter: Quarter  # Qc, the quarter containing today
    rules: Rules
    regions: tuple[RegionSpec, ...]
    rates: tuple[RateSpec, ...]
    colleges: tuple[CollegeSpec, ...]
    users: tuple[UserSpec, ...]
    programs: tuple[ProgramSpec, ...]
    reports: tuple[ReportSpec, ...]  # submission order: oldest quarter first
    projects: tuple[ProjectSpec, ...]
    anchors: tuple[Anchor, ...]

    @property
    def history(self) -> tuple[Quarter, Quarter]:
        return quarter_add(self.quarter, -HISTORY_QUARTERS), quarter_add(self.quarter, -1)

    @property
    def targets(self) -> list[Quarter]:
        return [quarter_add(self.quarter, n) for n in range(1, TARGET_QUARTERS + 1)]

    def occupation_codes(self) -> set[str]:
        codes = {code for program in self.programs for code in program.occupations}
        codes |= {line.occupation for report in self.reports for line in report.lines if line.occupation}
        return codes


# --- Date helpers -------------------------------------------------------------------------------------


def quarter_add(quarter: Quarter, n: int) -> Quarter:
    index = quarter.year * 4 + quarter.number - 1 + n
    return Quarter(index // 4, index % 4 + 1)


def with_year(day: dt.date, year: int) -> dt.date:
    """The same month and day in another year; 29 February becomes 28 (SPEC's projected line)."""
    if day.month == 2 and day.day == 29:
        return dt.date(year, 2, 28)
    return day.replace(year=year)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- Reference data -----------------------------------------------------------------------------------

REGIONS = (
    RegionSpec("KZ-VOS", "KZ", "oblast", "East Kazakhstan Region", "Восточно-Казахстанская область",
               "东哈萨克斯坦州", "Шығыс Қазақстан облысы", "11.50"),
    RegionSpec("KZ-VOS-ZAY", "KZ", "county", "Zaysan District", "Зайсанский район",
               "斋桑区", "Зайсан ауданы", "10.90"),
    RegionSpec("KZ-ALM", "KZ", "oblast", "Almaty Region", "Алматинская область", "阿拉木图州", "Алматы облысы", "12.10"),
    RegionSpec("KZ-ZHT", "KZ", "oblast", "Zhetysu Region", "Область Жетісу", "杰特苏州", "Жетісу облысы", "10.80"),
    RegionSpec("KZ-ABY", "KZ", "oblast", "Abai Region", "Область Абай", "阿拜州", "Абай облысы", "10.40"),
    RegionSpec("CN-XJ-HRG", "CN", "city", "Horgos", "Хоргос", "霍尔果斯市", "Қорғас қаласы", "6.20"),
    RegionSpec("CN-XJ-ALS", "CN", "city", "Alashankou", "Алашанькоу", "阿拉山口市", "Алашаңқай қаласы", "5.90"),
    RegionSpec("CN-XJ-ILI", "CN", "prefecture", "Ili Kazakh Autonomous Prefecture", "Или-Казахский автономный округ",
               "伊犁哈萨克自治州", "Іле Қазақ автономиялық облысы", "6.40"),
    RegionSpec("CN-XJ-BOR", "CN", "prefecture", "Bortala Mongol Autonomous Prefecture",
               "Боро-Тала-Монгольский автономный округ", "博尔塔拉蒙古自治州", "Бортала Моңғол автономиялық облысы",
               "6.00"),
)

def _in(zh: str, ru: str, kk: str) -> tuple[tuple[str, str], ...]:
    """A name in Simplified Chinese, Russian and Kazakh (the demo's stored names are English)."""
    return (("zh-hans", zh), ("ru", ru), ("kk", kk))


COLLEGES = (
    CollegeSpec("KZ-LUBAN-UKG", "Luban Workshop Ust-Kamenogorsk (Kazakhstan)", "KZ", _in(
        "乌斯季卡缅诺戈尔斯克鲁班工坊（哈萨克斯坦）", "Мастерская Лубань, г. Усть-Каменогорск (Казахстан)",
        "Өскемендегі Лубань шеберханасы (Қазақстан)")),
    CollegeSpec("CN-GS-AVTC", "Gansu Agricultural Vocational Training Centre", "CN", _in(
        "甘肃省农业职业技能培训中心", "Ганьсуский центр профессиональной подготовки кадров для сельского хозяйства",
        "Ганьсу ауыл шаруашылығы кәсіптік даярлау орталығы")),
    CollegeSpec("CN-XJ-AVTC", "Xinjiang Agricultural Vocational Technical College", "CN", _in(
        "新疆农业职业技术学院", "Синьцзянский сельскохозяйственный профессионально-технический колледж",
        "Шыңжаң ауыл шаруашылығы кәсіптік-техникалық колледжі")),
    CollegeSpec("CN-XJ-ILIVC", "Ili Vocational and Technical College", "CN", _in(
        "伊犁职业技术学院", "Илийский профессионально-технический колледж", "Іле кәсіптік-техникалық колледжі")),
    CollegeSpec("KZ-ALM-ATC", "Almaty Region Agro-Technical College", "KZ", _in(
        "阿拉木图州农业技术学院", "Агротехнический колледж Алматинской области",
        "Алматы облысының агротехникалық колледжі")),
)

# Program titles in the other page languages, by (college code, program code).
PROGRAM_TITLES = {
    ("KZ-LUBAN-UKG", "HARV-OP"): _in(
        "联合收割机及农业机械操作员", "Машинист зерноуборочного комбайна и сельскохозяйственной техники",
        "Астық жинайтын комбайн және ауыл шаруашылығы техникасының машинисі"),
    ("KZ-LUBAN-UKG", "AGRI-MECH"): _in(
        "农业机械维修工（鲁班工坊）", "Слесарь по ремонту сельскохозяйственной техники (Мастерская Лубань)",
        "Ауыл шаруашылығы техникасын жөндеу слесарі (Лубань шеберханасы)"),
    ("KZ-LUBAN-UKG", "WELD-KZ"): _in(
        "焊工（哈萨克斯坦职业技能评定方向）", "Сварщик (оценка квалификации по стандартам Республики Казахстан)",
        "Дәнекерлеуші (Қазақстан Республикасының стандарттары бойынша біліктілікті бағалау)"),
    ("KZ-LUBAN-UKG", "HARV-ZAY"): _in(
        "联合收割机操作员（斋桑县班）", "Машинист зерноуборочного комбайна (группа Зайсанского района)",
        "Астық жинайтын комбайн машинисі (Зайсан ауданының тобы)"),
    ("KZ-LUBAN-UKG", "MOBILE-WELD"): _in(
        "移动式焊接实训车间（集装箱式，哈萨克斯坦技能评定）",
        "Передвижная сварочная мастерская (контейнерного типа), оценка квалификации по стандартам РК",
        "Жылжымалы дәнекерлеу шеберханасы (контейнерлік), ҚР стандарттары бойынша біліктілікті бағалау"),
    ("CN-GS-AVTC", "FV-GRADE"): _in(
        "果蔬分级与质量检验", "Сортировка плодоовощной продукции и контроль качества",
        "Жеміс-көкөністі сұрыптау және сапасын бақылау"),
    ("CN-XJ-AVTC", "SOLAR-DRIP"): _in(
        "太阳能滴灌技术员", "Техник систем капельного орошения с солнечным энергоснабжением",
        "Күн энергиясымен жұмыс істейтін тамшылатып суару жүйелерінің технигі"),
    ("CN-XJ-AVTC", "FORKLIFT"): _in(
        "叉车及仓储设备操作员", "Водитель погрузчика и оператор складского оборудования",
        "Жүк тиегіш жүргізушісі және қойма жабдығының операторы"),
    ("CN-XJ-ILIVC", "WELD"): _in(
        "焊工（中国职业技能等级证书）", "Сварщик (свидетельство о профессиональной квалификации КНР)",
        "Дәнекерлеуші (ҚХР кәсіптік біліктілік деңгейі туралы куәлік)"),
    ("CN-XJ-ILIVC", "TRUCK"): _in(
        "重型卡车司机（跨境物流）",
        "Водитель грузового автомобиля большой грузоподъёмности (трансграничные перевозки)",
        "Жүк көтергіштігі жоғары жүк көлігінің жүргізушісі (трансшекаралық тасымалдау)"),
    ("KZ-ALM-ATC", "ELEC"): _in(
        "建筑电工", "Электромонтажник зданий и сооружений", "Ғимараттар мен құрылыстардың электр монтаждаушысы"),
    ("KZ-ALM-ATC", "AGRO-OP"): _in(
        "拖拉机及联合收割机驾驶员（两年制学历教育）",
        "Тракторист-машинист сельскохозяйственного производства (двухгодичная программа с выдачей диплома)",
        "Ауыл шаруашылығы өндірісінің тракторшы-машинисі (екі жылдық дипломдық бағдарлама)"),
}

# Role values of accounts.models.Role (kept as strings: this module imports no app).
OFFICIAL, COLLEGE_STAFF, REVIEWER = "official", "college_staff", "reviewer"

USERS = (
    UserSpec("admin", None, "Demo", "Administrator"),
    UserSpec("reviewer", REVIEWER, "Gulnara", "Abenova"),
    # The oblast's official also files for its county (Zaysan).
    UserSpec("official.vko", OFFICIAL, "Aigerim", "Nurlanovna", regions=("KZ-VOS", "KZ-VOS-ZAY")),
    UserSpec("official.almaty", OFFICIAL, "Yerlan", "Sadykov", regions=("KZ-ALM",)),
    UserSpec("official.abai", OFFICIAL, "Asel", "Zhaksylykova", regions=("KZ-ABY",)),
    UserSpec("official.horgos", OFFICIAL, "Li", "Wei", regions=("CN-XJ-HRG",)),
    UserSpec("official.alashankou", OFFICIAL, "Zhang", "Min", regions=("CN-XJ-ALS",)),
    UserSpec("official.ili", OFFICIAL, "Nurbol", "Kasymov", regions=("CN-XJ-ILI",)),
    UserSpec("college.luban", COLLEGE_STAFF, "Daniyar", "Omarov", colleges=("KZ-LUBAN-UKG",)),
    UserSpec("college.gansu", COLLEGE_STAFF, "Wang", "Fang", colleges=("CN-GS-AVTC",)),
    UserSpec("college.xinjiang", COLLEGE_STAFF, "Ayjan", "Tursun", colleges=("CN-XJ-AVTC", "CN-XJ-ILIVC")),
    UserSpec("college.almaty", COLLEGE_STAFF, "Saule", "Beisenova", colleges=("KZ-ALM-ATC",)),
)

# Monthly fixings: (value on 2026-01-01, growth per month, amplitude of a gentle wobble, decimals).
# A function of the calendar month only, so every demo (whatever its today) agrees on a date's rate.
RATE_CURVES = {
    "CNY": (1.0, 0.0, 0.0, 0),
    "KZT": (0.01455, -0.0012, 0.00015, 6),
    "USD": (7.10, 0.0004, 0.03, 4),
    "RUB": (0.0882, -0.0015, 0.0015, 5),
    "EUR": (8.05, 0.0006, 0.06, 4),
}


def rate_on(currency: str, year: int, month: int) -> Decimal:
    base, growth, wobble, decimals = RATE_CURVES[currency]
    i = year * 12 + month - 1 - 2026 * 12
    value = base * (1 + growth) ** i + wobble * math.sin(i / 2.0)
    return Decimal(1) if decimals == 0 else Decimal(f"{value:.{decimals}f}")


def _rates(first: dt.date, last: dt.date) -> tuple[RateSpec, ...]:
    """Fixings on the first of every month from `first`'s month to `last`'s."""
    rates = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        for currency in RATE_CURVES:
            rates.append(RateSpec(currency, dt.date(year, month, 1), rate_on(currency, year, month)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(rates)


# --- Programs and cohorts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Schedule:
    """Annual cohorts graduating at S0 + offset + 365 k (k = -3..1), with seats by k."""

    offset: int
    seats: dict[int, int]


def _annual(s0: dt.date, duration: int, schedule: _Schedule) -> tuple[CohortSpec, ...]:
    cohorts = []
    for k, seats in sorted(schedule.seats.items()):
        graduation = s0 + _days(schedule.offset + 365 * k)
        cohorts.append(CohortSpec(seats, graduation - _days(duration), graduation))
    return tuple(cohorts)


def _programs(s0: dt.date, today: dt.date) -> tuple[ProgramSpec, ...]:
    def annual(college, code, title, occupations, sector, languages, certifications, serves, duration, schedule, **kw):
        return ProgramSpec(college, code, title, occupations, sector, languages, certifications, serves, duration,
                           _annual(s0, duration, schedule), **kw)

    # The county class is tied to the harvest (SPEC "Training plan", seed 002): 75 days from 1 June,
    # so its graduates are there for the harvest from 15 August, every year.
    county = tuple(
        CohortSpec(15, dt.date(year, 6, 1), dt.date(year, 8, 15)) for year in range(today.year - 3, today.year + 2)
    )
    # A new mobile welding workshop: its first two runs along the route start in the coming months
    # (none graduates within the current quarter's assessment window, so it is never "oversupplied"
    # before it has run).
    mobile = (
        CohortSpec(12, s0 + _days(54), s0 + _days(110)),
        CohortSpec(12, s0 + _days(194), s0 + _days(250)),
    )
    return (
        # Seed case 1, the supply that exists: a timely but too small class of harvester operators
        # (30 seats at S0-15); the cohort before it is the completed project's.
        annual("KZ-LUBAN-UKG", "HARV-OP", "Combine harvester and farm machinery operator", ("8341",), "A",
               ("ru", "kk"), ("KZ",), ("KZ-VOS", "KZ-ABY"), 300,
               _Schedule(-15, {-3: 20, -2: 20, -1: 30, 0: 30, 1: 40})),
        annual("KZ-LUBAN-UKG", "AGRI-MECH", "Agricultural machinery mechanic (Luban Workshop)", ("7233",), "A",
               ("ru", "kk", "zh"), ("KZ",), ("KZ-VOS", "KZ-ABY"), 290, _Schedule(-10, {k: 24 for k in (-2, -1, 0, 1)})),
        # Seed case 3, the timely KZ-certified welders (too few).
        annual("KZ-LUBAN-UKG", "WELD-KZ", "Welder, Kazakhstan skill assessment track", ("7212",), "F",
               ("ru", "kk"), ("KZ",), ("KZ-ALM", "KZ-VOS"), 300,
               _Schedule(-6, {-3: 20, -2: 20, -1: 25, 0: 20, 1: 30})),
        ProgramSpec("KZ-LUBAN-UKG", "HARV-ZAY", "Combine harvester operator, Zaysan county class", ("8341",), "A",
                    ("kk", "ru"), ("KZ",), ("KZ-VOS-ZAY",), 75, county),
        ProgramSpec("KZ-LUBAN-UKG", "MOBILE-WELD", "Mobile welding workshop (containerised), KZ assessment",
                    ("7212",), "F", ("ru", "kk"), ("KZ",), ("KZ-VOS", "KZ-VOS-ZAY", "KZ-ABY", "KZ-ZHT"), 56, mobile,
                    mobile=True),
        # Seed case 1, the misdirected supply: graders trained from last year's picture.
        annual("CN-GS-AVTC", "FV-GRADE", "Fruit and vegetable grading and quality control", ("7515",), "A",
               ("zh", "ru"), (), ("KZ-VOS",), 310, _Schedule(14, {-3: 50, -2: 60, -1: 60, 0: 80, 1: 80})),
        # Seed case 2: graduates after Almaty's need date, in time for Ili's. Occupation: ISCO 7126
        # (ESCO files "irrigation technician" under it); the PV pump part is 7411.
        annual("CN-XJ-AVTC", "SOLAR-DRIP", "Solar drip-irrigation technician", ("7126", "7411"), "A",
               ("ru", "zh"), (), ("KZ-ALM", "CN-XJ-ILI"), 92, _Schedule(76, {k: 25 for k in (-2, -1, 0, 1)})),
        annual("CN-XJ-AVTC", "FORKLIFT", "Forklift and warehouse equipment operator", ("8344",), "H",
               ("zh",), ("CN-VSL",), ("CN-XJ-HRG", "CN-XJ-ALS"), 100, _Schedule(-20, {k: 30 for k in (-2, -1, 0, 1)})),
        # Seed case 3, the timely welders that fail only on Kazakhstan's certification.
        annual("CN-XJ-ILIVC", "WELD", "Welder (China vocational skill level certificate)", ("7212",), "F",
               ("zh", "ru"), ("CN-VSL",), ("KZ-ALM", "CN-XJ-HRG"), 290,
               _Schedule(-11, {k: 40 for k in (-3, -2, -1, 0, 1)})),
        # Seed case 4: Chinese-only instruction; covers Alashankou, fails Horgos on Russian.
        annual("CN-XJ-ILIVC", "TRUCK", "Heavy truck driver, cross-border logistics", ("8332",), "H",
               ("zh",), (), ("CN-XJ-HRG", "CN-XJ-ALS"), 156, _Schedule(-16, {k: 40 for k in (-3, -2, -1, 0, 1)})),
        annual("KZ-ALM-ATC", "ELEC", "Building electrician", ("7411",), "F",
               ("kk", "ru"), ("KZ",), ("KZ-ALM", "KZ-ZHT"), 298, _Schedule(-5, {k: 30 for k in (-2, -1, 0, 1)})),
        # The long diploma route for machine operators: with the Luban class and the county class
        # it makes 8341's lead time 300 days and its shortest 75.
        annual("KZ-ALM-ATC", "AGRO-OP", "Tractor and combine operator (two-year diploma)", ("8341",), "A",
               ("kk", "ru"), ("KZ",), ("KZ-ALM", "KZ-ZHT"), 640, _Schedule(100, {k: 25 for k in (-3, -2, -1, 0, 1)})),
    )


# --- Reports ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    """A calendar-seasonal series of the history: the headcount in quarter number n of a year is
    base[n] + growth * (3 - c), c being how many years back (1..4) from the target year it stands."""

    region: str
    occupation: str
    titles: dict[int, str]  # by quarter number
    sector: str
    base: dict[int, int]  # by quarter number; absent: the occupation is not in that quarter's report
    growth: int
    salary: tuple[int, int]  # in the current quarter
    currency: str
    salary_growth: float  # per year
    seasons: dict[int, tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    certification: str = ""
    # Explicit headcounts by c for some quarter numbers (0: reported without the occupation).
    explicit: dict[int, dict[int, int]] = field(default_factory=dict)


SERIES = (
    _Series("KZ-VOS", "8341", {1: "Тракторист-машинист", 2: "Оператор сельхозтехники",
                               3: "Оператор зерноуборочного комбайна", 4: "Тракторист-машинист"}, "A",
            {1: 30, 2: 45, 3: 85, 4: 25}, 12, (350000, 500000), "KZT", 0.16,
            seasons={1: ((3, 20), (5, 15)), 2: ((4, 20), (6, 10)), 3: ((8, 15), (10, 15)), 4: ((10, 1), (11, 15))},
            notes={1: "Spring field work.", 2: "Sowing and haymaking.", 3: "Grain and oilseed harvest.",
                   4: "Autumn tillage."},
            languages=("ru",)),
    _Series("KZ-VOS", "7233", {1: "Слесарь по ремонту сельхозтехники", 3: "Слесарь по ремонту сельхозтехники",
                               4: "Слесарь по ремонту сельхозтехники"}, "A",
            {1: 10, 3: 12, 4: 15}, 3, (300000, 420000), "KZT", 0.10,
            seasons={4: ((11, 1), (12, 20))}, notes={4: "Winter repair of the harvest fleet."}, languages=("ru",)),
    # Zaysan county: its harvest, and its spring field work (so that on every day, late June too,
    # the training plan has a county line whose class can still start: SPEC "Training plan").
    _Series("KZ-VOS-ZAY", "8341", {2: "Тракторист-машинист", 3: "Комбайнёр"}, "A", {2: 10, 3: 12}, 4,
            (320000, 450000), "KZT", 0.14, seasons={2: ((4, 20), (5, 31)), 3: ((8, 20), (10, 10))},
            notes={2: "Spring field work on the county's farms.", 3: "Harvest on the county's farms."},
            languages=("kk", "ru")),
    _Series("KZ-ALM", "7212", {n: "Сварщик" for n in (1, 2, 3, 4)}, "F", {1: 25, 2: 55, 3: 40, 4: 22}, 4,
            (380000, 520000), "KZT", 0.15, seasons={2: ((4, 10), (6, 30))}, notes={2: "Construction season."},
            languages=("ru",), certification="KZ"),
    _Series("KZ-ALM", "7411", {2: "Электромонтажник", 3: "Электромонтажник"}, "F", {2: 18, 3: 20}, 2,
            (330000, 450000), "KZT", 0.11, languages=("ru",)),
    # Builders for the building season; nobody in the demo trains them.
    _Series("KZ-ALM", "7111", {2: "Строитель", 3: "Строитель"}, "F", {2: 30, 3: 18}, 5, (300000, 420000), "KZT",
            0.13, seasons={2: ((4, 1), (9, 30))}, notes={2: "Housing programme sites."}, languages=("ru", "kk")),
    # Apple graders at the fruit harvest (the Gansu graders serve East Kazakhstan only).
    _Series("KZ-ALM", "7515", {3: "Сортировщик плодов"}, "A", {3: 10}, 3, (220000, 300000), "KZT", 0.10,
            seasons={3: ((8, 20), (10, 31))}, notes={3: "Apple harvest."}, languages=("ru", "kk")),
    # A new need that grows: nobody asked for drip-irrigation technicians three years ago (the
    # region reported the quarter without them: 0 in the forecast), then 15, then 30.
    _Series("KZ-ALM", "7126", {2: "Техник капельного орошения"}, "A", {2: 0}, 0, (320000, 450000), "KZT", 0.20,
            seasons={2: ((5, 15), (6, 30))}, notes={2: "Drip lines installed before the summer irrigation."},
            languages=("ru",), explicit={2: {1: 30, 2: 15, 3: 0, 4: 0}}),
    _Series("CN-XJ-HRG", "8332", {n: "跨境重型卡车司机" for n in (1, 2, 3, 4)}, "H", {1: 30, 2: 35, 3: 40, 4: 45}, 5,
            (7500, 10000), "CNY", 0.05, languages=("ru",)),
    _Series("CN-XJ-HRG", "7212", {2: "焊工", 3: "焊工"}, "F", {2: 25, 3: 25}, 2, (6500, 8500), "CNY", 0.06,
            languages=("zh",)),
    _Series("CN-XJ-HRG", "8344", {1: "叉车司机", 4: "叉车司机"}, "H", {1: 10, 4: 20}, 3, (5000, 6500), "CNY", 0.04,
            seasons={4: ((11, 1), (12, 31))}, notes={4: "Year-end peak at the logistics hub."}, languages=("zh",)),
    _Series("CN-XJ-ALS", "8332", {n: "重型卡车司机" for n in (1, 2, 3, 4)}, "H", {1: 25, 2: 25, 3: 25, 4: 25}, 2,
            (7000, 9000), "CNY", 0.05, languages=("zh",)),
    _Series("CN-XJ-ILI", "7126", {2: "滴灌系统安装工", 3: "滴灌系统安装工"}, "A", {2: 8, 3: 12}, 3, (6000, 8000), "CNY",
            0.08, seasons={2: ((5, 1), (6, 15)), 3: ((9, 20), (11, 15))}, languages=("zh",)),
)

# Alashankou sent no report for this quarter (counted back from the current one): a missing year.
MISSING_REPORTS = {("CN-XJ-ALS", 8)}


def _anchors(rules: Rules) -> tuple[Anchor, ...]:
    lead, window = rules.default_lead_days, rules.act_window_days
    return (
        Anchor("plan", "CN-XJ-HRG", "3331", "报关员（俄语）", "H", lead + window + 40, (12, 10, 8, 7), (6000, 8500),
               "CNY", 0.09, languages=("ru",),
               note="Clearing agents for the free-trade zone; needed from the date given, every year."),
        Anchor("act_now", "CN-XJ-ILI", "5113", "Экскурсовод (русский язык)", "I", lead + window // 2, (15, 12, 10, 9),
               (650, 900), "USD", 0.05, languages=("ru", "zh"),
               note="Russian-speaking guides for visitor groups from Kazakhstan."),
        Anchor("short_course_only", "KZ-ABY", "7212", "Сварщик", "F", 150, (40, 35, 30, 28), (330000, 460000), "KZT",
               0.13, languages=("ru",), certification="KZ",
               note="Pipeline repair contracts; the KZ certificate is required."),
        # The mobile workshop's stop (SPEC "Training plan"): welders again in Abai region, a pipeline
        # extension needed when the workshop's route is free (after its second run).
        Anchor("act_now", "KZ-ABY", "7212", "Сварщик", "F", MOBILE_STOP_DAYS, (30, 26, 22, 20), (330000, 460000),
               "KZT", 0.13, languages=("ru",), certification="KZ",
               note="Pipeline extension for next season; the KZ certificate is required.", in_current_quarter=False),
        Anchor("missed", "CN-XJ-ALS", "9333", "铁路装卸工", "H", lead - 60, (40, 35, 30, 28), (4500, 5500), "CNY", 0.07,
               languages=("zh",), note="Rail freight handlers for the yard's annual peak."),
    )


def _salary(current: tuple[int, int], currency: str, growth: float, years_back: float) -> tuple[int, int]:
    step = {"KZT": 1000, "CNY": 50, "USD": 10}.get(currency, 10)
    factor = (1 + growth) ** -years_back
    low, high = (int(Decimal(v * factor / step).quantize(Decimal(1), ROUND_HALF_UP)) * step for v in current)
    return low, max(low, high)


def _season(quarter: Quarter, start: tuple[int, int], end: tuple[int, int]) -> tuple[dt.date, dt.date]:
    first = dt.date(quarter.year, *start)
    last = dt.date(quarter.year, *end)
    if last < first:  # a season that runs into the next year
        last = dt.date(quarter.year + 1, *end)
    return first, last


def _history_lines(region: str, quarter: Quarter, k: int) -> list[LineSpec]:
    """The seasonal lines of `region`'s report of the quarter k quarters before the current one."""
    c = k // 4 + 1
    lines = []
    for s in SERIES:
        if s.region != region or quarter.number not in s.base:
            continue
        headcount = s.explicit.get(quarter.number, {}).get(c, s.base[quarter.number] + s.growth * (3 - c))
        if headcount <= 0:
            continue
        season = _season(quarter, *s.seasons[quarter.number]) if quarter.number in s.seasons else None
        lines.append(LineSpec(
            s.occupation, s.titles[quarter.number], s.sector, headcount,
            _salary(s.salary, s.currency, s.salary_growth, k / 4), s.currency, season, s.certification,
            s.languages, s.notes.get(quarter.number, ""),
        ))
    return lines


def _anchor_lines(
    anchors: tuple[Anchor, ...], today: dt.date, qc: Quarter
) -> dict[tuple[str, Quarter], list[LineSpec]]:
    """Each anchor's line in the reports of the quarters 1, 2, 3 (and 4, when still within the
    history) years before its target quarter."""
    lines: dict[tuple[str, Quarter], list[LineSpec]] = {}
    first = quarter_add(qc, -HISTORY_QUARTERS)
    for a in anchors:
        need = today + _days(a.days_ahead)
        for years_back in range(1, 5):
            start = with_year(need, need.year - years_back)
            quarter = Quarter.containing(start)
            if quarter < first:
                break
            if quarter == qc and not a.in_current_quarter:
                continue
            k = (qc.year - quarter.year) * 4 + qc.number - quarter.number
            lines.setdefault((a.region, quarter), []).append(LineSpec(
                a.occupation, a.title, a.sector, a.values[years_back - 1],
                _salary(a.salary, a.currency, a.salary_growth, k / 4), a.currency, (start, start + _days(30)),
                a.certification, a.languages, a.note,
            ))
    return lines


def _current_lines(s0: dt.date, e0: dt.date) -> dict[str, list[LineSpec]]:
    """The seed cases: the current quarter's reports (offsets from its first day S0)."""
    def at(n: int) -> dt.date:
        return min(s0 + _days(n), e0)

    return {
        "KZ-VOS": [
            LineSpec("8341", "Оператор зерноуборочного комбайна", "A", 120, (350000, 500000), "KZT", (at(45), at(85)),
                     languages=("ru",), note="Farms report this shortage every year; the local class is too small."),
            LineSpec("7233", "Слесарь по ремонту сельхозтехники", "A", 20, (300000, 420000), "KZT", (at(14), at(89)),
                     languages=("ru",)),
            # No sector either: without a unit group the line cannot be "adjacent" to any supply.
            LineSpec(None, "универсал на сезон", "", 15, (200000, 260000), "KZT", (at(45), at(85)),
                     note="Title as written by the farm; no unit group chosen yet."),
        ],
        "KZ-ALM": [
            LineSpec("7126", "Техник солнечного капельного орошения", "A", 40, (320000, 450000), "KZT",
                     (at(31), at(88)), languages=("ru",),
                     note="Install and service PV-driven drip systems for the coming season."),
            LineSpec("7212", "Сварщик", "F", 60, (380000, 520000), "KZT", certification="KZ", languages=("ru",),
                     note="Contractors require Kazakhstan's national skill assessment certificate."),
            LineSpec("7411", "Электромонтажник", "F", 25, (330000, 450000), "KZT", languages=("ru",)),
        ],
        "CN-XJ-HRG": [
            LineSpec("8332", "跨境重型卡车司机", "H", 50, (7500, 10000), "CNY", languages=("ru",),
                     note="Cross-border runs to Almaty; drivers must speak Russian."),
            LineSpec("7212", "焊工", "F", 30, (6500, 8500), "CNY", languages=("zh",)),
            LineSpec("8344", "叉车司机", "H", 25, (5000, 6500), "CNY", languages=("zh",)),
        ],
        "CN-XJ-ALS": [
            LineSpec("8332", "重型卡车司机", "H", 30, (7000, 9000), "CNY", languages=("zh",)),
            LineSpec("9333", "装卸工", "H", 40, (4500, 5500), "CNY", (at(62), at(89)), languages=("zh",)),
        ],
        "CN-XJ-ILI": [
            LineSpec("7126", "滴灌系统安装工", "A", 20, (6000, 8000), "CNY", (at(80), at(89)), languages=("zh",)),
            LineSpec("5113", "Tour guide (Russian-speaking)", "I", 15, (650, 900), "USD", (at(0), at(89)),
                     languages=("ru", "zh")),
        ],
    }


# The report lines' notes in the other page languages (GapReportLine.note_translations): what an
# official wrote, shown to a reader of another language in theirs.
NOTE_TRANSLATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "Apple harvest.": _in("苹果采收。", "Сбор яблок.", "Алма жинау."),
    "Autumn tillage.": _in("秋耕。", "Осенняя обработка почвы.", "Күзгі топырақ өңдеу."),
    "Clearing agents for the free-trade zone; needed from the date given, every year.": _in(
        "自贸区需要报关员；每年自所填日期起需要。",
        "Таможенные декларанты для зоны свободной торговли; нужны с указанной даты, каждый год.",
        "Еркін сауда аймағына кеден декларанттары; жыл сайын көрсетілген күннен бастап қажет."),
    "Construction season.": _in("施工季。", "Строительный сезон.", "Құрылыс маусымы."),
    "Contractors require Kazakhstan's national skill assessment certificate.": _in(
        "承包商要求持有哈萨克斯坦国家技能评定证书。",
        "Подрядчики требуют сертификат национальной оценки квалификации Казахстана.",
        "Мердігерлер Қазақстанның ұлттық біліктілікті бағалау сертификатын талап етеді."),
    "Cross-border runs to Almaty; drivers must speak Russian.": _in(
        "跨境往返阿拉木图；司机须会说俄语。",
        "Трансграничные рейсы в Алматы; водители должны говорить по-русски.",
        "Алматыға шекарааралық рейстер; жүргізушілер орысша сөйлеуі керек."),
    "Drip lines installed before the summer irrigation.": _in(
        "夏季灌溉前铺设滴灌管线。", "Монтаж капельных линий до летнего полива.",
        "Жазғы суаруға дейін тамшылатып суару желілерін орнату."),
    "Farms report this shortage every year; the local class is too small.": _in(
        "农场每年都报告这一缺口；本地班级规模太小。",
        "Хозяйства сообщают об этой нехватке каждый год; местная группа слишком мала.",
        "Шаруашылықтар бұл тапшылық туралы жыл сайын хабарлайды; жергілікті топ тым шағын."),
    "Stock clerks for the new cold-chain warehouses, needed from the date given.": _in(
        "新建冷链仓库的仓库保管员，自所填日期起需要。",
        "Кладовщики для новых складов-холодильников, нужны с указанной даты.",
        "Жаңа тоңазытқыш қоймаларға қоймашылар, көрсетілген күннен бастап керек."),
    "Filed ahead of the quarter: a new cross-border route opens.": _in(
        "提前于本季度提交：一条新的跨境线路开通。",
        "Подано до начала квартала: открывается новый трансграничный маршрут.",
        "Тоқсан басталмай тапсырылды: жаңа шекарааралық бағыт ашылады."),
    "Grain and oilseed harvest.": _in("谷物和油料作物收获。", "Уборка зерновых и масличных.", "Астық пен майлы дақылдарды жинау."),
    "Harvest on the county's farms.": _in("县内农场的收获。", "Уборка урожая в хозяйствах района.", "Аудан шаруашылықтарындағы егін жинау."),
    "Housing programme sites.": _in("住房项目工地。", "Объекты жилищной программы.", "Тұрғын үй бағдарламасының нысандары."),
    "Install and service PV-driven drip systems for the coming season.": _in(
        "为下一季安装和维护光伏驱动的滴灌系统。",
        "Монтаж и обслуживание капельных систем с солнечными панелями к новому сезону.",
        "Келесі маусымға күн панельдерімен жұмыс істейтін тамшылатып суару жүйелерін орнату және күту."),
    "Pipeline extension for next season; the KZ certificate is required.": _in(
        "下一季的管道延伸工程；须持有哈萨克斯坦证书。",
        "Продление трубопровода к следующему сезону; нужен казахстанский сертификат.",
        "Келесі маусымға құбыр желісін ұзарту; ҚР сертификаты қажет."),
    "Pipeline repair contracts; the KZ certificate is required.": _in(
        "管道维修合同；须持有哈萨克斯坦证书。",
        "Договоры на ремонт трубопроводов; нужен казахстанский сертификат.",
        "Құбыр желілерін жөндеу келісімшарттары; ҚР сертификаты қажет."),
    "Rail freight handlers for the yard's annual peak.": _in(
        "铁路货场年度高峰需要装卸工。",
        "Грузчики на железнодорожной станции на время ежегодного пика.",
        "Теміржол станциясының жыл сайынғы қауырт кезеңіне жүк тиеушілер."),
    "Repair of the fleet between seasons.": _in("两季之间的车队维修。", "Ремонт техники между сезонами.", "Маусымаралық техника жөндеу."),
    "Russian-speaking guides for visitor groups from Kazakhstan.": _in(
        "为来自哈萨克斯坦的游客团配备会说俄语的导游。",
        "Русскоговорящие экскурсоводы для групп туристов из Казахстана.",
        "Қазақстаннан келетін туристер топтарына орысша сөйлейтін экскурсоводтар."),
    "Sowing and haymaking.": _in("播种和割草。", "Посев и сенокос.", "Егіс және шөп шабу."),
    "Spring field work on the county's farms.": _in(
        "县内农场的春季田间作业。", "Весенние полевые работы в хозяйствах района.",
        "Аудан шаруашылықтарындағы көктемгі дала жұмыстары."),
    "Spring field work.": _in("春季田间作业。", "Весенние полевые работы.", "Көктемгі дала жұмыстары."),
    "Title as written by the farm; no unit group chosen yet.": _in(
        "职业名称按农场填写；尚未选择职业细类。",
        "Название записано так, как его дало хозяйство; группа занятий ещё не выбрана.",
        "Атауы шаруашылық жазғандай берілген; кәсіп тобы әлі таңдалмаған."),
    "Winter repair of the harvest fleet.": _in("收获机械的冬季维修。", "Зимний ремонт уборочной техники.", "Егін жинау техникасын қысқы жөндеу."),
    "Year-end peak at the logistics hub.": _in("物流枢纽的年末高峰。", "Пик в конце года в логистическом узле.", "Логистикалық тораптағы жыл соңындағы қауырт кезең."),
}


REGION_ORDER = ("KZ-VOS", "KZ-VOS-ZAY", "KZ-ALM", "KZ-ABY", "CN-XJ-HRG", "CN-XJ-ALS", "CN-XJ-ILI")


def _reports(today: dt.date, qc: Quarter, anchors: tuple[Anchor, ...]) -> tuple[ReportSpec, ...]:
    anchored = _anchor_lines(anchors, today, qc)
    reports = []
    for k in range(HISTORY_QUARTERS, 0, -1):  # oldest first: re-matches run in submission order
        quarter = quarter_add(qc, -k)
        for region in REGION_ORDER:
            if (region, k) in MISSING_REPORTS:
                continue
            lines = _history_lines(region, quarter, k) + anchored.get((region, quarter), [])
            if lines:
                reports.append(ReportSpec(region, str(quarter), tuple(lines)))
    # The current quarter: the seed cases (and an anchor's line when its target is four quarters on).
    current = _current_lines(qc.start, qc.end)
    for region in REGION_ORDER:
        lines = current.get(region, []) + anchored.get((region, qc), [])
        if region == "KZ-VOS-ZAY" and qc.number == 3:
            lines += _history_lines(region, qc, 0)  # the county reports its harvest (Q3 only)
        if lines:
            reports.append(ReportSpec(region, str(qc), tuple(lines)))
    nxt = quarter_add(qc, 1)
    s1 = nxt.start
    # Filed early: Horgos submitted next quarter's report already (its lines replace the forecast).
    reports.append(ReportSpec("CN-XJ-HRG", str(nxt), (
        LineSpec("8332", "跨境重型卡车司机", "H", 55, (7800, 10500), "CNY", languages=("ru",),
                 note="Filed ahead of the quarter: a new cross-border route opens."),
        LineSpec("8344", "叉车司机", "H", 20, (5000, 6500), "CNY", languages=("zh",)),
        # Needed more than a lead time ahead (no program trains stock clerks: DEFAULT_LEAD_DAYS), so on
        # every day of the year the review queue has a gap that training can still be in time for.
        LineSpec("4321", "冷链仓库保管员", "H", 18, (5500, 7000), "CNY", (s1 + _days(200), s1 + _days(290)),
                 languages=("zh", "ru"), note="Stock clerks for the new cold-chain warehouses, needed from the date given."),
    )))
    # Still being written: East Kazakhstan's next quarter.
    reports.append(ReportSpec("KZ-VOS", str(nxt), (
        LineSpec("7233", "Слесарь по ремонту сельхозтехники", "A", 25, (320000, 440000), "KZT",
                 (s1 + _days(31), nxt.end), languages=("ru",), note="Repair of the fleet between seasons."),
        LineSpec("8341", "Тракторист-машинист", "A", 20, (300000, 420000), "KZT", (s1, s1 + _days(45)),
                 languages=("ru",)),
    ), submit=False))
    return tuple(reports)


# --- Projects ----------------------------------------------------------------------------------------------


def _projects(s0: dt.date, qc: Quarter, programs: tuple[ProgramSpec, ...]) -> tuple[ProjectSpec, ...]:
    def cohort(code: str, k: int) -> CohortSpec:
        program = next(p for p in programs if p.code == code)
        # The k-th annual cohort: k = 0 is the one graduating nearest S0.
        return min(program.cohorts, key=lambda c: abs((c.graduation - s0).days - 365 * k))

    two_years = quarter_add(qc, -8)
    three_quarters = quarter_add(qc, -3)
    operators, welders, drivers = cohort("HARV-OP", -1), cohort("WELD-KZ", -1), cohort("TRUCK", 1)
    return (
        ProjectSpec(
            "KZ-VOS", str(two_years), "8341", two_years.start + _days(20),
            "Harvester operators short every season; retool the Gansu graders with the Luban Workshop.",
            "KZ-LUBAN-UKG", ("CN-GS-AVTC",), (("KZ-LUBAN-UKG", "HARV-OP"),), 30, operators.intake,
            27_000_000, "KZT", "central_budget",
            "Letters of intent from 12 farms for 30 operators; KZ assessment booked for graduation.",
            (OutcomeSpec("KZ-LUBAN-UKG", "HARV-OP", operators.intake, 30, 27, 22, 24, 190000, 310000, "KZT"),),
            status="completed",
            comment_translations=_in(
                "每个收获季都缺收割机操作员；借助鲁班工坊对甘肃的分级员进行转岗培训。",
                "Операторов зерноуборочных комбайнов не хватает каждый сезон; переподготовить ганьсуских "
                "сортировщиков в Мастерской Лубань.",
                "Әр маусымда комбайн операторлары жетіспейді; Ганьсудың сұрыптаушыларын Лубань шеберханасында "
                "қайта даярлау."),
            supplement_translations=_in(
                "已收到12家农场招收30名操作员的意向书；已预约毕业时的哈萨克斯坦技能评定。",
                "Получены письма о намерениях от 12 хозяйств на 30 операторов; оценка квалификации по стандартам РК "
                "назначена на время выпуска.",
                "12 шаруашылықтан 30 операторға ниет хаттары алынды; ҚР стандарттары бойынша біліктілікті бағалау "
                "бітіру кезеңіне белгіленді."),
        ),
        ProjectSpec(
            "KZ-ALM", str(two_years), "7212", two_years.start + _days(35),
            "Contractors need KZ-certified welders; expand the Luban track.",
            "KZ-LUBAN-UKG", (), (("KZ-LUBAN-UKG", "WELD-KZ"),), 25, welders.intake,
            18_500_000, "KZT", "enterprise_order",
            "Three contractors co-fund the track and take graduates for six months.",
            (OutcomeSpec("KZ-LUBAN-UKG", "WELD-KZ", welders.intake, 25, 23, 19, 20, 210000, 345000, "KZT"),),
            status="active",
            comment_translations=_in(
                "承包商需要持有哈萨克斯坦证书的焊工；扩大鲁班工坊的焊工方向。",
                "Подрядчикам нужны сварщики с казахстанским сертификатом; расширить направление Мастерской Лубань.",
                "Мердігерлерге ҚР сертификаты бар дәнекерлеушілер қажет; Лубань шеберханасының бағытын кеңейту."),
            supplement_translations=_in(
                "三家承包商共同资助该专业方向，并接收毕业生工作六个月。",
                "Три подрядные организации софинансируют программу и принимают выпускников на работу на шесть месяцев.",
                "Үш мердігер ұйым бағдарламаны бірлесіп қаржыландырады және түлектерді алты айға жұмысқа қабылдайды."),
        ),
        ProjectSpec(
            "CN-XJ-HRG", str(three_quarters), "8332", three_quarters.start + _days(25),
            "Russian-speaking drivers for the cross-border runs: add Russian to the Ili class.",
            "CN-XJ-ILIVC", ("CN-XJ-AVTC",), (("CN-XJ-ILIVC", "TRUCK"),), 30, drivers.intake,
            450_000, "CNY", "enterprise_order", None,
            comment_translations=_in(
                "跨境线路需要会说俄语的司机：在伊犁班增设俄语课程。",
                "Для трансграничных рейсов нужны водители, говорящие по-русски: добавить русский язык в группу в Или.",
                "Шекарааралық рейстерге орысша сөйлейтін жүргізушілер қажет: Іле тобына орыс тілін қосу."),
        ),
    )


# --- The world ------------------------------------------------------------------------------------------------


def build_world(today: dt.date, rules: Rules = Rules()) -> World:
    """The demo dated from `today` (pure: the same day always gives the same world)."""
    qc = Quarter.containing(today)
    s0 = qc.start
    programs = tuple(replace(p, translations=PROGRAM_TITLES[(p.college, p.code)]) for p in _programs(s0, today))
    anchors = _anchors(rules)
    first = quarter_add(qc, -HISTORY_QUARTERS).start
    # A month before the history starts (the first cohorts' intakes) up to today's month: every
    # need date, intake and income date of the demo has a rate in force.
    return World(
        today=today,
        quarter=qc,
        rules=rules,
        regions=REGIONS,
        rates=_rates(first - _days(31), today),
        colleges=COLLEGES,
        users=USERS,
        programs=programs,
        reports=_reports(today, qc, anchors),
        projects=_projects(s0, qc, programs),
        anchors=anchors,
    )


def demo_occupation_codes() -> set[str]:
    """Every unit group the demo uses (the same for any day)."""
    return build_world(dt.date(2026, 12, 3)).occupation_codes()
