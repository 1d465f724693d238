"""SPEC.md "How matching decides", one small hand-made case per rule and flag kind (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gaps.matching.engine import match_quarter
from gaps.matching.flags import FLAG_FIELDS, FlagKind
from gaps.matching.recommendations import RecommendationKind
from gaps.matching.types import MatchInputError

from .builders import D, cohort, line, match_input, program

# 2026Q3: 2026-07-01 .. 2026-09-30; a line without a season needs its workers on 07-01.
Q3_START = D(2026, 7, 1)


def kinds(result):
    return {f.kind for f in result.flags}


# --- need date, timeliness, eligibility ----------------------------------------------------------


@pytest.mark.parametrize(
    "graduation, covered",
    [
        (Q3_START - dt.timedelta(days=180), 5),  # first timely day
        (Q3_START - dt.timedelta(days=181), 0),  # too early
        (Q3_START, 5),  # graduating on N is timely
        (Q3_START + dt.timedelta(days=1), 0),  # late
    ],
)
def test_a_cohort_is_timely_from_n_minus_180_days_through_n(graduation, covered):
    l = line(headcount=5)
    p = program()
    result = match_quarter(match_input([l], [p], [cohort(p, graduation=graduation)]))
    assert result.outcomes[l.id].covered == covered


def test_the_need_date_is_the_season_start_when_given():
    l = line(headcount=5, season_start=D(2026, 8, 15), season_end=D(2026, 9, 15))
    p = program()
    result = match_quarter(match_input([l], [p], [cohort(p, graduation=D(2026, 8, 10))]))
    assert result.outcomes[l.id].need_date == D(2026, 8, 15)
    assert result.outcomes[l.id].end_date == D(2026, 9, 15)
    assert result.outcomes[l.id].covered == 5


def test_a_season_starting_after_its_quarter_with_no_end_ends_on_its_need_date():
    """SPEC.md revision 2: E is never before N."""
    l = line(headcount=5, season_start=D(2026, 11, 1))  # 2026Q3 ends on 30 September
    p = program()
    after_quarter = cohort(p, seats=3, graduation=D(2026, 10, 15))
    result = match_quarter(match_input([l], [p], [after_quarter]))
    outcome = result.outcomes[l.id]
    assert (outcome.need_date, outcome.end_date) == (D(2026, 11, 1), D(2026, 11, 1))
    assert outcome.covered == 3


def test_eligibility_needs_the_region_language_and_certification():
    l = line(headcount=5, languages=("kk",), certification="KZ")
    ok = program(languages=("kk",), certifications=("kz",), serves=("EKZ",))
    other_region = program(languages=("kk",), certifications=("KZ",), serves=("HORGOS",))
    result = match_quarter(match_input([l], [ok, other_region], [cohort(other_region, seats=50), cohort(ok, seats=3)]))
    assert result.outcomes[l.id].covered == 3
    assert result.outcomes[l.id].shortfall == 2
    assert kinds(result) == {FlagKind.UNDER_SUPPLY}


def test_no_seat_counts_twice():
    a, b = line(headcount=10), line(headcount=10, region="HORGOS")
    p = program()
    result = match_quarter(match_input([a, b], [p], [cohort(p, seats=12)]))
    assert result.outcomes[a.id].covered + result.outcomes[b.id].covered == 12


def test_ties_favour_the_higher_salary_in_cny_then_the_earlier_need_date():
    rates = [("KZT", D(2026, 1, 1), "0.015")]
    # 500,000 KZT = 7,500 CNY beats 7,000 CNY although its number is smaller in CNY terms only.
    kzt = line(headcount=10, salary=(500_000, 500_000), currency="KZT")
    cny = line(headcount=10, salary=(7_000, 7_000), region="HORGOS")
    early = line(headcount=10, salary=(7_000, 7_000), region="ILI", season_start=D(2026, 6, 1))
    p = program()
    result = match_quarter(match_input([kzt, cny, early], [p], [cohort(p, seats=15, graduation=D(2026, 5, 1))], rates=rates))
    assert result.outcomes[kzt.id].covered == 10
    assert result.outcomes[early.id].covered == 5  # same salary as `cny`, earlier need date
    assert result.outcomes[cny.id].covered == 0


def test_a_missing_exchange_rate_fails_with_the_currency_and_date():
    l = line(currency="USD")
    with pytest.raises(MatchInputError, match=r"USD.*2026-07-01"):
        match_quarter(match_input([l], [], [], rates=[("USD", D(2026, 7, 2), "7.1")]))


def test_the_rate_in_force_is_the_latest_on_or_before_the_need_date():
    rates = [("KZT", D(2026, 6, 1), "0.014"), ("KZT", D(2026, 7, 1), "0.016"), ("KZT", D(2026, 7, 2), "0.5")]
    l = line(salary=(100_000, 200_000), currency="KZT")
    result = match_quarter(match_input([l], [], [], rates=rates))
    assert result.outcomes[l.id].salary_min_cny == Decimal("1600.00")
    assert result.outcomes[l.id].salary_max_cny == Decimal("3200.00")


# --- flags ----------------------------------------------------------------------------------------


@pytest.mark.django_db  # `detail` reads the names of regions, occupations and programs
def test_unmet_demand_when_nothing_covers_the_line():
    l = line(headcount=40)
    result = match_quarter(match_input([l], [], []))
    (flag,) = result.flags
    assert flag.kind == FlagKind.UNMET_DEMAND
    assert (flag.headcount, flag.covered, flag.shortfall, flag.count) == (40, 0, 40, 40)
    assert "EKZ" in flag.detail and "8341" in flag.detail


def test_under_supply_when_the_line_is_partly_covered():
    l = line(headcount=100)
    p = program()
    result = match_quarter(match_input([l], [p], [cohort(p, seats=30)]))
    assert kinds(result) == {FlagKind.UNDER_SUPPLY}
    assert result.flags[0].covered == 30 and result.flags[0].shortfall == 70
    (expand,) = result.recommendations_of(RecommendationKind.EXPAND)
    assert expand.headcount == 70 and expand.program_code == p.code


def test_a_fully_covered_line_raises_no_flag():
    l = line(headcount=10)
    p = program()
    result = match_quarter(match_input([l], [p], [cohort(p, seats=10)]))
    assert result.flags == []
    assert result.gaps == []


@pytest.mark.django_db  # `detail` reads the names of regions, occupations and programs
def test_the_late_drip_irrigation_class_is_a_timing_mismatch_with_a_reschedule():
    # Pre-sowing season from April; the class funded in the spring graduates on 15 May, too late.
    drip = line("7126", headcount=25, season_start=D(2026, 4, 1), season_end=D(2026, 5, 31))
    p = program(("7126",), college="XJ-SOLAR")
    late = cohort(p, seats=30, intake=D(2026, 2, 1), graduation=D(2026, 5, 15))
    result = match_quarter(match_input([drip], [p], [late], quarter="2026Q2"))
    # Its seats sit unused this quarter, so the class is also (per SPEC.md) an OVERSUPPLY.
    assert kinds(result) == {FlagKind.OVERSUPPLY, FlagKind.TIMING_MISMATCH, FlagKind.UNMET_DEMAND}
    timing = result.flags_of(FlagKind.TIMING_MISMATCH)[0]
    assert timing.college_code == "XJ-SOLAR" and timing.cohort_graduation_date == D(2026, 5, 15)
    assert timing.count == 25
    (rec,) = result.recommendations_of(RecommendationKind.RESCHEDULE)
    assert rec.need_date == D(2026, 4, 1)
    # The class takes 103 days: to graduate by 1 April it must start by 19 December.
    assert rec.latest_intake_date == D(2025, 12, 19)
    assert "19 Dec 2025" in timing.detail


def test_a_cohort_after_the_end_date_is_not_late_but_out():
    l = line(headcount=5, season_start=D(2026, 7, 1), season_end=D(2026, 7, 31))
    p = program()
    result = match_quarter(match_input([l], [p], [cohort(p, graduation=D(2026, 8, 1))]))
    assert kinds(result) == {FlagKind.UNMET_DEMAND, FlagKind.OVERSUPPLY}


def test_certification_gap_when_the_timely_cohort_fails_only_on_certification():
    l = line(headcount=10, certification="KZ")
    p = program(certifications=())
    result = match_quarter(match_input([l], [p], [cohort(p, seats=8)]))
    assert kinds(result) == {FlagKind.CERTIFICATION_GAP, FlagKind.UNMET_DEMAND, FlagKind.OVERSUPPLY}
    assert result.flags_of(FlagKind.CERTIFICATION_GAP)[0].count == 8
    (rec,) = result.recommendations_of(RecommendationKind.ALIGN_CERTIFICATION)
    assert rec.headcount == 8


def test_language_gap_when_the_timely_cohort_fails_only_on_language():
    l = line(headcount=10, languages=("kk", "ru"))
    p = program(languages=("zh",))
    result = match_quarter(match_input([l], [p], [cohort(p, seats=20)]))
    assert kinds(result) == {FlagKind.LANGUAGE_GAP, FlagKind.UNMET_DEMAND, FlagKind.OVERSUPPLY}
    assert result.flags_of(FlagKind.LANGUAGE_GAP)[0].count == 10
    assert len(result.recommendations_of(RecommendationKind.ADD_LANGUAGE)) == 1


def test_a_cohort_failing_on_two_criteria_raises_no_cohort_flag():
    l = line(headcount=10, languages=("kk",), certification="KZ")
    p = program(languages=("zh",))
    result = match_quarter(match_input([l], [p], [cohort(p, seats=20)], reported=()))
    assert kinds(result) == {FlagKind.UNMET_DEMAND}


def test_oversupply_for_an_assessed_cohort_with_half_its_seats_unused():
    l = line("7515", headcount=10)
    p = program(("7515",))
    result = match_quarter(match_input([l], [p], [cohort(p, seats=20)]))
    (flag,) = result.flags
    assert flag.kind == FlagKind.OVERSUPPLY and flag.surplus == 10 and flag.count == 10
    assert flag.region_code is None and flag.occupation_code == "7515"


def test_no_oversupply_below_the_ratio_or_for_unassessed_cohorts():
    l = line("7515", headcount=11)
    p = program(("7515",))
    elsewhere = program(("7515",), serves=("ILI",))  # serves no region that reported
    early = cohort(p, seats=50, graduation=D(2025, 12, 1))  # before quarter start - 180 days
    result = match_quarter(match_input([l], [p, elsewhere], [cohort(p, seats=20), cohort(elsewhere, seats=50), early]))
    assert result.flags == []


def test_graders_instead_of_harvester_operators_is_misdirected_supply_with_a_retool():
    # East Kazakhstan lacks crop-harvesting machine operators (8341, agriculture); a Gansu college
    # trains fruit-and-vegetable graders (7515) for the same region and sector.
    operators = line("8341", headcount=40, sector="A", season_start=D(2026, 8, 1))
    graders_need = line("7515", headcount=10, sector="A")
    p = program(("7515",), college="GANSU-VC", sector="A", serves=("EKZ",))
    graders = cohort(p, seats=60, graduation=D(2026, 6, 30))
    result = match_quarter(match_input([operators, graders_need], [p], [graders]))
    assert kinds(result) == {FlagKind.UNMET_DEMAND, FlagKind.OVERSUPPLY, FlagKind.MISDIRECTED_SUPPLY}
    (mis,) = result.flags_of(FlagKind.MISDIRECTED_SUPPLY)
    assert (mis.occupation_code, mis.target_occupation_code) == ("7515", "8341")
    assert (mis.surplus, mis.shortfall, mis.count) == (50, 40, 40)
    assert mis.college_code == "GANSU-VC" and mis.region_code == "EKZ"
    (retool,) = result.recommendations_of(RecommendationKind.RETOOL)
    assert retool.college_code == "GANSU-VC" and retool.occupation_code == "8341"
    assert retool.from_occupation_code == "7515" and retool.headcount == 40
    # OPEN also reaches GANSU-VC: it trains in sector A for EKZ and does not train 8341.
    assert [r.college_code for r in result.recommendations_of(RecommendationKind.OPEN)] == ["GANSU-VC"]


def test_adjacency_falls_back_to_the_minor_group_without_sectors():
    need = line("8342", headcount=5)
    p = program(("8341",))
    result = match_quarter(match_input([need], [p], [cohort(p, seats=20)]))
    assert len(result.flags_of(FlagKind.MISDIRECTED_SUPPLY)) == 1


def test_different_sectors_are_not_adjacent_even_in_one_minor_group():
    need = line("8342", headcount=5, sector="F")
    p = program(("8341",), sector="A")
    result = match_quarter(match_input([need], [p], [cohort(p, seats=20)]))
    assert result.flags_of(FlagKind.MISDIRECTED_SUPPLY) == []
    assert len(result.flags_of(FlagKind.OVERSUPPLY)) == 1


def test_a_different_minor_group_without_sectors_is_not_adjacent():
    need = line("8341", headcount=5)
    p = program(("7515",))
    result = match_quarter(match_input([need], [p], [cohort(p, seats=20)]))
    assert result.flags_of(FlagKind.MISDIRECTED_SUPPLY) == []


@pytest.mark.django_db  # `detail` reads the names of regions, occupations and programs
def test_uncoded_lines_are_flagged_and_never_dropped():
    l = line(None, headcount=7, occupation_title="комбайнёр")
    result = match_quarter(match_input([l], [], []))
    (flag,) = result.flags
    assert flag.kind == FlagKind.UNCODED_OCCUPATION and flag.count == 7 and "комбайнёр" in flag.detail


@pytest.mark.django_db  # `detail` reads the names of regions, occupations and programs
def test_the_flag_json_has_exactly_the_contract_fields():
    l = line(headcount=3)
    (flag,) = match_quarter(match_input([l], [], [])).flags
    data = flag.as_json()
    assert tuple(data) == FLAG_FIELDS
    assert data["college_code"] is None and data["target_occupation_code"] is None
    assert data["quarter"] == "2026Q3"


# --- gaps and recommendations ---------------------------------------------------------------------


def test_gaps_aggregate_lines_by_region_and_occupation_and_mark_new_ones():
    a = line("8341", headcount=10, salary=(5000, 6000))
    b = line("8341", headcount=5, salary=(7000, 9000), season_start=D(2026, 8, 1))
    c = line("7126", headcount=3, region="HORGOS")
    result = match_quarter(match_input([a, b, c], [], []), previous_gap_keys=frozenset({(2, "7126")}))
    gaps = {(g.region_code, g.occupation_code): g for g in result.gaps}
    assert gaps[("EKZ", "8341")].shortfall == 15
    assert gaps[("EKZ", "8341")].salary_min_cny == Decimal("5000.00")
    assert gaps[("EKZ", "8341")].salary_max_cny == Decimal("9000.00")
    assert gaps[("EKZ", "8341")].need_date == Q3_START
    assert gaps[("EKZ", "8341")].new_on_list is True
    assert gaps[("HORGOS", "7126")].new_on_list is False


def test_recommendation_scores_are_shortfall_times_salary_midpoint_times_feasibility():
    l = line(headcount=100, salary=(6000, 8000))
    p = program()
    result = match_quarter(match_input([l], [p], [cohort(p, seats=30)]))
    (expand,) = result.recommendations_of(RecommendationKind.EXPAND)
    assert expand.score == Decimal(70) * Decimal(7000) * Decimal("0.75")
    assert expand.salary_min_cny == Decimal("6000.00") and expand.currency == "CNY"


@pytest.mark.django_db  # `detail` reads the names of regions, occupations and programs
def test_matching_is_deterministic():
    ls = [line("8341", headcount=h, region=r) for h, r in [(5, "EKZ"), (7, "HORGOS"), (9, "ILI")]]
    p1, p2 = program(serves=("EKZ", "HORGOS")), program(serves=("HORGOS", "ILI"))
    cs = [cohort(p1, seats=6), cohort(p2, seats=6), cohort(p2, seats=3, graduation=D(2026, 5, 1))]
    first = match_quarter(match_input(ls, [p1, p2], cs))
    second = match_quarter(match_input(list(reversed(ls)), [p2, p1], list(reversed(cs))))
    assert [f.as_json() for f in first.flags] == [f.as_json() for f in second.flags]
    assert sorted(first.allocations) == sorted(second.allocations)


def test_expand_takes_the_duration_of_the_programs_recent_cohort_whatever_else_was_read():
    """EXPAND's latest intake date must not depend on which other cohorts a chunk happened to read
    (a chunk reads cohorts up to its lines' latest end date, which other components widen)."""
    l = line(headcount=100)  # no season: N = 2026-07-01, end 2026-09-30
    p = program()
    recent = cohort(p, seats=30, graduation=D(2026, 6, 30), intake=D(2025, 6, 30))  # one year
    far_future = cohort(p, seats=30, graduation=D(2027, 6, 30), intake=D(2024, 6, 30))  # three years

    def expand_of(cohorts):
        (expand,) = match_quarter(match_input([l], [p], cohorts)).recommendations_of(RecommendationKind.EXPAND)
        return expand

    assert expand_of([recent]).latest_intake_date == D(2025, 7, 1)
    assert expand_of([recent, far_future]).latest_intake_date == D(2025, 7, 1)


# --- revision 2: flags name programs, not cohorts -------------------------------------------------


@pytest.mark.django_db  # `detail` reads the names of regions, occupations and programs
def test_a_program_with_several_late_cohorts_raises_one_timing_mismatch():
    l = line("7126", headcount=25, season_start=D(2026, 8, 1), season_end=D(2026, 9, 30))
    p = program(("7126",), college="XJ-SOLAR")
    late = [cohort(p, seats=s, graduation=g, intake=g - dt.timedelta(days=100))
            for s, g in ((10, D(2026, 9, 1)), (8, D(2026, 8, 15)), (30, D(2026, 9, 20)))]
    result = match_quarter(match_input([l], [p], late))
    (timing,) = result.flags_of(FlagKind.TIMING_MISMATCH)
    assert timing.cohort_graduation_date == D(2026, 8, 15)  # the earliest late cohort's
    assert timing.count == 25 and timing.surplus == 48  # min(shortfall, 48 seats); all unallocated
    assert timing.program_code == p.code and "graduates too late" in timing.detail
    (rec,) = result.recommendations_of(RecommendationKind.RESCHEDULE)
    assert rec.latest_intake_date == D(2026, 8, 1) - dt.timedelta(days=100)


def test_cert_and_language_gaps_sum_the_programs_seats():
    needs_cert = line(headcount=30, certification="KZ")
    needs_kk = line(headcount=5, region="HORGOS", languages=("kk",))
    p = program(certifications=(), languages=("zh",))
    cohorts = [cohort(p, seats=8, graduation=D(2026, 5, 1)), cohort(p, seats=9, graduation=D(2026, 6, 1))]
    result = match_quarter(match_input([needs_cert, needs_kk], [p], cohorts))
    (cert,) = result.flags_of(FlagKind.CERTIFICATION_GAP)
    assert (cert.count, cert.cohort_graduation_date) == (17, D(2026, 5, 1))
    (lang,) = result.flags_of(FlagKind.LANGUAGE_GAP)
    assert lang.count == 5


@pytest.mark.django_db  # `detail` reads the names of regions, occupations and programs
def test_oversupply_and_misdirected_supply_name_the_program_once():
    operators = line("8341", headcount=40, sector="A")
    p = program(("7515",), college="GANSU-VC", sector="A", serves=("EKZ",))
    cohorts = [cohort(p, seats=20, graduation=D(2026, 6, 30)), cohort(p, seats=30, graduation=D(2026, 5, 31)),
               cohort(p, seats=5, graduation=D(2026, 9, 1))]
    result = match_quarter(match_input([operators], [p], cohorts))
    (over,) = result.flags_of(FlagKind.OVERSUPPLY)
    assert (over.surplus, over.count, over.cohort_graduation_date) == (55, 55, D(2026, 5, 31))
    assert "55 of the 55 seats of GANSU-VC/" in over.detail
    (mis,) = result.flags_of(FlagKind.MISDIRECTED_SUPPLY)
    assert (mis.surplus, mis.count, mis.cohort_graduation_date) == (55, 40, D(2026, 5, 31))
    (retool,) = result.recommendations_of(RecommendationKind.RETOOL)
    assert retool.headcount == 40
