"""Every rule of SPEC.md "Looking ahead" on hand-made cases (no database).

Today is 2026-12-03 unless said otherwise: the current quarter is 2026Q4 and the target quarters
are 2027Q1 to 2027Q4.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from gaps.warning import forecast as fc
from gaps.warning.compute import compute, lead_times, lower_median, moved, program_durations, rating_of, status_of
from gaps.warning.compute import WarningSettings

from .builders import D, cohort, line, program, report, warning_input

T = D(2026, 12, 3)


def entry(result, region="EKZ", occupation="8341", quarter="2027Q3"):
    found = [e for e in result.entries if (e.region_code, e.occupation_code, e.quarter) == (region, occupation, quarter)]
    assert len(found) == 1, [(e.region_code, e.occupation_code, e.quarter) for e in result.entries]
    return found[0]


# --- The forecast ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("values, expected", [
    ({2024: 80, 2025: 100, 2026: 130}, 155),
    ({2024: 80, 2026: 130}, 155),  # the missing year is skipped
    ({2026: 130}, 130),
    ({2024: 0, 2025: 15, 2026: 30}, 45),  # reported without it: 0
    ({2024: 10, 2026: 13}, 15),  # 13 + 3/2 = 14.5, half up
    ({2025: 40, 2026: 10}, 0),  # -20, at least 0
    ({}, None),
    ({2024: 10, 2025: 12, 2026: 15}, 18),  # 17.5 -> 18
    ({2025: 7, 2026: 9}, 11),
])
def test_the_default_forecast(values, expected):
    assert fc.forecast(values) == expected


def test_half_up_is_exact():
    assert fc.round_half_up(Fraction(29, 2)) == 15
    assert fc.round_half_up(Fraction(5, 2)) == 3
    assert fc.round_half_up(Decimal("2.4999")) == 2


def test_the_default_interval_with_little_history():
    assert fc.Ratios.default().interval(155, 3) == (77, 233)
    assert fc.Ratios.default().interval(0, 1) == (0, 1)


def test_the_interval_is_learnt_by_observed_years_then_pooled_then_default():
    cases = [fc.Case(1, "8341", None, 1, 10, 10, 10 + (i % 5)) for i in range(30)]
    ratios = fc.learn_ratios(cases)
    assert ratios.source == {1: "stratum", 2: "pooled", 3: "pooled"}
    low, high = ratios.interval(10, 1)
    assert low == 10 and 13 <= high <= 14  # widened to contain the forecast; 90th percentile of +0..+4
    assert fc.learn_ratios(cases[:29]).source == {1: "default", 2: "default", 3: "default"}


# --- History, projected lines, the projected match -----------------------------------------------------------


def contract_example():
    """docs/contract.md, section 9: East Kazakhstan's harvester operators in 2027Q3 (salaries in CNY here)."""
    reports = [
        report("2024Q3", lines=[line(headcount=80, salary=(4000, 4400))]),
        report("2025Q3", lines=[line(headcount=100, salary=(4000, 4400)), line("7212", headcount=10, salary=(9000, 11000))]),
        report("2026Q3", lines=[
            line(headcount=100, salary=(4504, 4904), season_start=D(2026, 8, 20), season_end=D(2026, 10, 10),
                 languages=("kk", "ru")),
            line(headcount=30, salary=(4604, 4804), season_start=D(2026, 8, 10), season_end=D(2026, 9, 20)),
            line("7212", headcount=10, salary=(8800, 10800)),
        ]),
    ]
    harv = program(("8341",), "LUBAN", code="HARV")
    county = program(("8341",), "ZAYSAN", code="COUNTY")
    long = program(("8341",), "ALTAI", code="TWO-YEAR")
    cohorts = [
        cohort(harv, 40, D(2027, 7, 15), D(2027, 2, 1)), cohort(harv, 40, D(2026, 7, 15), D(2026, 2, 1)),
        cohort(county, 15, D(2026, 5, 15), D(2026, 3, 1)), cohort(long, 20, D(2026, 1, 1), D(2026, 1, 1) - dt.timedelta(days=300)),
    ]
    quarters = ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    gaps = {q: frozenset({(1, "8341")}) if q in ("2025Q3", "2026Q3") else frozenset() for q in quarters}
    return warning_input(T, reports, [harv, county, long], cohorts, matched_gaps=gaps)


def test_the_contract_example():
    e = entry(compute(contract_example()))
    assert (e.source, e.forecast, e.forecast_low, e.forecast_high) == ("forecast", 155, 77, 233)
    assert (e.headcount, e.covered, e.shortfall) == (155, 40, 115)
    assert (e.need_date, e.end_date) == (D(2027, 8, 10), D(2027, 10, 10))
    assert (e.lead_days, e.shortest_days) == (164, 75)
    assert (e.act_by, e.short_course_by) == (D(2027, 2, 27), D(2027, 5, 27))
    assert e.status == "act_now" and e.persistence == 2
    assert e.wage_pressure == Decimal("0.07")  # +12 % against the region's +5 % (8341 +12 %, 7212 -2 %)
    assert e.rating == "critical" and e.context["points"] == ["wage_pressure", "shortfall_share", "status"]
    assert e.context["next_need_date"] == "2028-08-10" and e.context["next_act_by"] == "2028-02-28"
    as_json = e.as_json(detail="x")
    assert list(as_json) == [
        "region_code", "occupation_code", "quarter", "source", "forecast", "forecast_low", "forecast_high",
        "headcount", "covered", "shortfall", "need_date", "end_date", "lead_days", "shortest_days", "act_by",
        "short_course_by", "status", "rating", "persistence", "wage_pressure", "detail",
    ]
    assert as_json["wage_pressure"] == 0.07 and as_json["need_date"] == "2027-08-10"


def test_the_projected_line_takes_its_terms_from_the_largest_line_first_in_file_order():
    reports = [report("2026Q3", lines=[
        line(headcount=20, salary=(1000, 2000), languages=("zh",), certification="", season_end=D(2026, 9, 1)),
        line(headcount=20, salary=(3000, 4000), languages=("kk",), certification="KZ"),
    ])]
    kz_only = program(("8341",), "KZC", languages=("kk",), certifications=("KZ",))
    zh = program(("8341",), "ZHC", languages=("zh",))
    cohorts = [cohort(kz_only, 50, D(2027, 6, 1)), cohort(zh, 5, D(2027, 6, 1))]
    e = entry(compute(warning_input(T, reports, [kz_only, zh], cohorts)))
    # The first of the two largest lines: Chinese-speaking, no certification -> only ZHC is eligible.
    assert (e.headcount, e.covered, e.shortfall) == (40, 5, 35)
    assert e.need_date == D(2027, 7, 1) and e.end_date == D(2027, 9, 1)
    assert e.context["salary_min"] == "1000" and e.context["currency"] == "CNY"


def test_a_year_reported_without_the_occupation_counts_0_and_a_year_without_report_is_missing():
    with_zero = [
        report("2024Q3", lines=[line("7212", headcount=5)]),  # reported, without 8341: 0
        report("2026Q3", lines=[line(headcount=30)]),
    ]
    assert entry(compute(warning_input(T, with_zero))).forecast == 45  # 30 + (30 - 0) / 2
    missing = [report("2026Q3", lines=[line(headcount=30)])]  # 2024Q3: no report at all
    assert entry(compute(warning_input(T, missing))).forecast == 30


def test_a_forecast_of_0_makes_no_entry():
    reports = [report("2025Q3", lines=[line(headcount=40)]), report("2026Q3", lines=[line(headcount=10)])]
    assert [e for e in compute(warning_input(T, reports)).entries if e.occupation_code == "8341"] == []


def test_29_february_becomes_28_february():
    assert moved(D(2024, 2, 29), 2027) == D(2027, 2, 28)
    reports = [report("2024Q1", lines=[line(headcount=10, season_start=D(2024, 2, 29), season_end=D(2024, 2, 29))])]
    e = entry(compute(warning_input(T, reports)), quarter="2027Q1")
    assert (e.need_date, e.end_date) == (D(2027, 2, 28), D(2027, 2, 28))


def test_a_submitted_target_quarter_uses_its_reported_lines_never_a_forecast():
    reports = [
        report("2025Q3", lines=[line(headcount=100)]), report("2026Q3", lines=[line(headcount=200)]),
        report("2027Q3", lines=[
            line(headcount=7, season_start=D(2027, 8, 1), season_end=D(2027, 8, 20)),
            line("7212", headcount=3),
            line(headcount=5, season_start=D(2027, 7, 20), season_end=D(2027, 8, 10)),
        ]),
    ]
    e = entry(compute(warning_input(T, reports)))
    assert (e.source, e.forecast, e.forecast_low, e.forecast_high) == ("reported", None, None, None)
    assert (e.headcount, e.covered, e.shortfall) == (12, 0, 12)  # two lines, one entry
    assert (e.need_date, e.end_date) == (D(2027, 7, 20), D(2027, 8, 20))  # the earliest N, the latest E


# --- Lead time ---------------------------------------------------------------------------------------------


def test_lead_time_is_the_lower_middle_median_and_180_without_a_program():
    assert lower_median([300, 56, 290, 80]) == 80 and lower_median([5]) == 5
    progs = [program(("8341",)), program(("8341",)), program(("8341",)), program(("8341", "7212"))]
    cohorts = [
        cohort(progs[0], graduation=D(2026, 7, 15), intake=D(2026, 2, 1)),  # 164
        cohort(progs[0], graduation=D(2026, 12, 31), intake=D(2026, 12, 31) - dt.timedelta(days=170)),  # 170 -> 164
        cohort(progs[1], intake=D(2026, 3, 1), graduation=D(2026, 5, 15)),  # 75
        cohort(progs[2], graduation=D(2026, 1, 1), intake=D(2026, 1, 1) - dt.timedelta(days=300)),
        cohort(progs[3], graduation=D(2026, 1, 1), intake=D(2026, 1, 1) - dt.timedelta(days=640)),
    ]
    durations = program_durations(cohorts)
    assert durations[progs[0].id] == 164
    leads = lead_times(progs, durations, 180)
    assert leads["8341"] == (164, 75)  # 75, 164, 300, 640: the lower middle
    assert leads["7212"] == (640, 640)
    assert "5113" not in leads
    reports = [report("2026Q3", lines=[line("5113", headcount=4)])]
    e = entry(compute(warning_input(T, reports, progs, cohorts)), occupation="5113")
    assert (e.lead_days, e.shortest_days, e.act_by) == (180, 180, D(2027, 7, 1) - dt.timedelta(days=180))
    assert e.context["trained"] is False


# --- Act by, status, rating ---------------------------------------------------------------------------------


def test_status_boundaries():
    w = 90
    assert status_of(T + dt.timedelta(days=91), T + dt.timedelta(days=200), T, w) == "plan"
    assert status_of(T + dt.timedelta(days=90), T + dt.timedelta(days=200), T, w) == "act_now"
    assert status_of(T, T, T, w) == "act_now"
    assert status_of(T - dt.timedelta(days=1), T, T, w) == "short_course_only"
    assert status_of(T - dt.timedelta(days=1), T - dt.timedelta(days=1), T, w) == "missed"


@pytest.mark.parametrize("need, status", [
    (D(2027, 8, 30), "act_now"),  # act_by = N - 180 = 2027-03-03 = T + 90
    (D(2027, 8, 31), "plan"),  # T + 91
])
def test_the_t_plus_90_boundary_through_the_computation(need, status):
    reports = [report("2027Q3", lines=[line(headcount=5, season_start=need)])]
    e = entry(compute(warning_input(T, reports)))
    assert e.act_by == need - dt.timedelta(days=180) and e.status == status


def test_each_status_through_the_computation():
    """Lead 164 days, shortest 75 (the contract's programs, cohorts that do not graduate in time)."""
    harv, county, long = program(("8341",), "LUBAN"), program(("8341",), "ZAYSAN"), program(("8341",), "ALTAI")
    cohorts = [cohort(harv, 1, D(2026, 7, 15), D(2026, 2, 1)), cohort(county, 1, D(2026, 5, 15), D(2026, 3, 1)),
               cohort(long, 1, D(2026, 1, 1), D(2026, 1, 1) - dt.timedelta(days=300))]
    cases = {
        "missed": D(2027, 2, 15),  # short_course_by 2026-12-02 < T
        "short_course_only": D(2027, 2, 16),  # act_by 2026-09-05 < T <= short_course_by 2026-12-03
        "act_now": D(2027, 5, 16),  # act_by 2026-12-03 = T
        "plan": D(2027, 9, 1),  # act_by 2027-03-21 > T + 90
    }
    for status, need in cases.items():
        quarter = f"2027Q{(need.month - 1) // 3 + 1}"
        reports = [report(quarter, lines=[line(headcount=5, season_start=need)])]
        e = entry(compute(warning_input(T, reports, [harv, county, long], cohorts)), quarter=quarter)
        assert (e.lead_days, e.shortest_days) == (164, 75)
        assert e.status == status, (status, e.act_by, e.short_course_by)


def test_the_rating_counts_points():
    conf = WarningSettings()
    kw = dict(persistence=0, wage_pressure=None, shortfall=1, headcount=10, status="plan", conf=conf)
    assert rating_of(**kw) == ("watch", [])
    assert rating_of(**{**kw, "persistence": 4, "status": "act_now"})[0] == "elevated"
    assert rating_of(**{**kw, "persistence": 3, "status": "act_now"})[0] == "watch"
    assert rating_of(**{**kw, "wage_pressure": Decimal("0.05"), "shortfall": 5, "status": "short_course_only"}) == (
        "critical", ["wage_pressure", "shortfall_share", "status"])
    assert rating_of(**{**kw, "shortfall": 5, "status": "missed", "persistence": 8})[0] == "elevated"


def test_persistence_counts_gap_rows_and_an_unmatched_quarter_counts_no_gap():
    # 2026Q1 (matched: a Gap row), 2026Q2 matched without a gap, 2026Q3 submitted with a line no
    # cohort covers but never matched: it counts no gap (the warning matches no past quarter).
    reports = [
        report("2026Q2", lines=[line(headcount=5)]),
        report("2026Q3", lines=[line(headcount=5)]),
        report("2027Q1", lines=[line(headcount=5)]),
    ]
    gaps = {"2026Q1": frozenset({(1, "8341")}), "2026Q2": frozenset()}
    result = compute(warning_input(T, reports, matched_gaps=gaps))
    e = entry(result, quarter="2027Q1")
    assert e.persistence == 1
    assert e.context["persistence_of"] == 2 and result.counts["persistence_matched_quarters"] == 2
    # The same quarter matched with its gap counts it.
    gaps["2026Q3"] = frozenset({(1, "8341")})
    assert entry(compute(warning_input(T, reports, matched_gaps=gaps)), quarter="2027Q1").persistence == 2


def test_a_gap_of_another_region_or_occupation_or_an_older_quarter_does_not_count():
    reports = [report("2027Q1", lines=[line(headcount=5)])]
    gaps = {
        "2026Q3": frozenset({(2, "8341"), (1, "7212")}),  # another region; another occupation
        "2024Q3": frozenset({(1, "8341")}),  # 9 quarters before the current one (2026Q4): outside the 8
        "2024Q4": frozenset({(1, "8341")}),  # the oldest of the 8
    }
    e = entry(compute(warning_input(T, reports, matched_gaps=gaps)), quarter="2027Q1")
    assert e.persistence == 1 and e.context["persistence_of"] == 2  # 2024Q3 is not one of the 8


@pytest.mark.django_db
def test_the_detail_says_how_many_past_quarters_persistence_could_read():
    from django.utils import translation

    from gaps.warning.detail import entry_detail

    reports = [report("2027Q1", lines=[line(headcount=5)])]
    quarters = ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    some = entry(compute(warning_input(T, reports, matched_gaps={q: frozenset() for q in quarters[:5]})), quarter="2027Q1")
    every = entry(compute(warning_input(T, reports, matched_gaps={q: frozenset() for q in quarters})), quarter="2027Q1")
    one = entry(compute(warning_input(T, reports, matched_gaps={"2026Q3": frozenset()})), quarter="2027Q1")
    with translation.override("en"):
        assert "5 of the 8 previous quarters have matching results; the others count as quarters without a gap" in (
            entry_detail(some, today=T))
        assert "1 of the 8 previous quarters has matching results" in entry_detail(one, today=T)
        assert "previous quarters" not in entry_detail(every, today=T)
    for language in ("ru", "zh-hans", "kk"):
        translated = entry_detail(some, today=T, language=language)
        assert "5" in translated and "previous quarters" not in translated


@pytest.mark.django_db
def test_missed_names_next_years_need_date_and_act_by():
    from django.utils import translation

    from gaps.warning.detail import entry_detail

    reports = [report("2027Q1", lines=[line(headcount=5, season_start=D(2027, 1, 10))])]
    e = entry(compute(warning_input(T, reports)), quarter="2027Q1")
    assert e.status == "missed"
    with translation.override("en"):
        text = entry_detail(e, today=T)
    assert "10 Jan 2027" in text and "10 Jan 2028" in text and "act by 14 Jul 2027" in text
    for language in ("ru", "zh-hans", "kk"):
        assert entry_detail(e, today=T, language=language) != text
