"""match, mismatches and recommendations commands (names and formats are SPEC.md's contract)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from gaps.matching.flags import FLAG_FIELDS
from gaps.models import MatchRun, MatchRunStatus, Region

from . import seed

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_match_prints_progress_and_a_summary():
    seed.seed_quarter()
    out = run("match", "--quarter", "2026Q3", "--chunks", "2")
    assert "chunk 1/2 done" in out and "chunk 2/2 done" in out
    assert "succeeded" in out and "MISDIRECTED_SUPPLY 1" in out and "gaps 2 (2 new on the list)" in out
    assert MatchRun.objects.get().status == MatchRunStatus.SUCCEEDED


def test_match_refuses_a_bad_quarter():
    with pytest.raises(CommandError, match="--quarter"):
        run("match", "--quarter", "2026-Q3")


def test_match_reports_a_missing_rate_and_fails():
    seed.occupations()
    seed.report(seed.region("ILI", "CN"), lines=[{"occupation": "8341", "headcount": 3, "currency": "USD"}])
    with pytest.raises(CommandError, match="No exchange rate for USD on or before 2026-07-01"):
        run("match", "--quarter", "2026Q3")


def test_mismatches_json_is_a_list_of_flag_objects():
    seed.seed_quarter()
    run("match", "--quarter", "2026Q3")
    flags = json.loads(run("mismatches", "--quarter", "2026Q3", "--format", "json"))
    assert flags and all(tuple(f) == FLAG_FIELDS for f in flags)
    (late,) = [f for f in flags if f["kind"] == "TIMING_MISMATCH"]
    assert late["cohort_graduation_date"] == "2026-07-20" and late["college_code"] == "XJ-SOLAR"
    assert "10 Feb 2026" in late["detail"] and "2026-02-10" not in late["detail"]


def test_mismatches_filters_by_region_and_kind():
    seed.seed_quarter()
    run("match", "--quarter", "2026Q3")
    flags = json.loads(run("mismatches", "--quarter", "2026Q3", "--region", "EKZ", "--kind", "misdirected_supply", "--format", "json"))
    assert [(f["region_code"], f["kind"]) for f in flags] == [("EKZ", "MISDIRECTED_SUPPLY")]
    table = run("mismatches", "--quarter", "2026Q3", "--region", "HORGOS")
    assert "TIMING_MISMATCH" in table and "UNMET_DEMAND" in table and "EKZ" not in table


def test_mismatches_table_shows_the_target_occupation_and_counts_with_plurals():
    seed.seed_quarter()
    run("match", "--quarter", "2026Q3")
    one = run("mismatches", "--quarter", "2026Q3", "--region", "EKZ", "--kind", "misdirected_supply").splitlines()
    header = one[0].split()
    assert "target_occupation_code" in header
    row = one[1].split()
    assert row[0] == "MISDIRECTED_SUPPLY" and row[header.index("target_occupation_code")] == "8341"
    assert one[-1] == "1 flag"
    many = run("mismatches", "--quarter", "2026Q3").splitlines()
    assert many[-1] == f"{len(many) - 2} flags" and len(many) - 2 > 1


def test_recommendations_count_with_plurals():
    seed.seed_quarter()
    run("match", "--quarter", "2026Q3")
    out = run("recommendations", "--college", "GANSU-VC", "--quarter", "2026Q3")
    assert out.splitlines()[-1] == "2 recommendations for GANSU-VC in 2026Q3"
    rows = json.loads(run("recommendations", "--college", "XJ-SOLAR", "--quarter", "2026Q3", "--format", "json"))
    last = run("recommendations", "--college", "XJ-SOLAR", "--quarter", "2026Q3").splitlines()[-1]
    assert last == ("1 recommendation" if len(rows) == 1 else f"{len(rows)} recommendations") + " for XJ-SOLAR in 2026Q3"


def test_a_management_command_prints_no_axes_banner():
    """django-axes logs "AXES: BEGIN version ..." on start-up; in a command's stderr it reads as an
    error to the person who ran it (the test settings silence axes altogether, so run the local ones)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "AXES" not in done.stderr and "AXES" not in done.stdout


def test_mismatches_csv_neutralises_formula_cells():
    seed.seed_quarter()
    evil = Region.objects.create(code="=HYPERLINK(1)", country="KZ", name_en="x")
    seed.report(evil, lines=[{"occupation": "8341", "headcount": 2}])
    run("match", "--quarter", "2026Q3")
    rows = list(csv.reader(io.StringIO(run("mismatches", "--quarter", "2026Q3", "--format", "csv"))))
    assert tuple(rows[0]) == FLAG_FIELDS
    regions = {r[2] for r in rows[1:]}
    assert "'=HYPERLINK(1)" in regions and "=HYPERLINK(1)" not in regions


def test_mismatches_errors_name_the_parameter():
    seed.seed_quarter()
    with pytest.raises(CommandError, match="has not been matched"):
        run("mismatches", "--quarter", "2026Q3")
    run("match", "--quarter", "2026Q3")
    with pytest.raises(CommandError, match="--kind"):
        run("mismatches", "--quarter", "2026Q3", "--kind", "BAD")
    with pytest.raises(CommandError, match="--region"):
        run("mismatches", "--quarter", "2026Q3", "--region", "NOWHERE")


def test_recommendations_for_the_graders_college_start_with_retool():
    seed.seed_quarter()
    run("match", "--quarter", "2026Q3")
    recs = json.loads(run("recommendations", "--college", "GANSU-VC", "--quarter", "2026Q3", "--format", "json"))
    assert recs[0]["kind"] == "RETOOL"
    assert (recs[0]["from_occupation_code"], recs[0]["occupation_code"], recs[0]["headcount"]) == ("7515", "8341", 40)
    assert recs[0]["currency"] == "KZT" and recs[0]["salary_min"] == "350000.00" and recs[0]["salary_min_cny"] == "5075.00"
    table = run("recommendations", "--college", "GANSU-VC", "--quarter", "2026Q3")
    assert "RETOOL" in table and "Retool GRADERS at GANSU-VC from Food and beverage tasters and graders (7515) to Mobile farm and forestry plant operators (8341)" in table


def test_recommendations_for_an_unknown_college_fail_clearly():
    with pytest.raises(CommandError, match="--college"):
        run("recommendations", "--college", "NOPE", "--quarter", "2026Q3")
