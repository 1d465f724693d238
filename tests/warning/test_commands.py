"""The commands early_warning and forecast_backtest: formats, filters, errors."""

from __future__ import annotations

import csv
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gaps.models import EarlyWarning, EarlyWarningRun

from . import seed

pytestmark = pytest.mark.django_db

T = dt.date(2026, 12, 3)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_json_is_a_list_of_spec_entries_and_writes_nothing_with_today():
    seed.history(T)
    entries = json.loads(run("early_warning", "--today", "2026-12-03", "--format", "json"))
    assert len(entries) == 3
    assert list(entries[0]) == [
        "region_code", "occupation_code", "quarter", "source", "forecast", "forecast_low", "forecast_high",
        "headcount", "covered", "shortfall", "need_date", "end_date", "lead_days", "shortest_days", "act_by",
        "short_course_by", "status", "rating", "persistence", "wage_pressure", "detail",
    ]
    harv = next(e for e in entries if e["occupation_code"] == "8341")
    assert (harv["forecast"], harv["covered"], harv["shortfall"]) == (155, 40, 115)
    assert not EarlyWarning.objects.exists() and not EarlyWarningRun.objects.exists()


def test_filters_and_csv_with_names_before_codes():
    seed.history(T)
    rows = list(csv.reader(StringIO(run("early_warning", "--today", "2026-12-03", "--region", "HORGOS", "--format", "csv"))))
    assert rows[0][:4] == ["region_name", "region_code", "occupation_name", "occupation_code"]
    assert rows[0][-1] == "detail" and len(rows) == 2
    assert rows[1][1:4] == ["HORGOS", "Plumbers and pipe fitters", "7126"]
    only = json.loads(run("early_warning", "--today", "2026-12-03", "--occupation", "8341", "--format", "json"))
    assert [e["occupation_code"] for e in only] == ["8341"]


def test_table_is_readable():
    seed.history(T)
    text = run("early_warning", "--today", "2026-12-03")
    assert "Mobile farm and forestry plant operators (8341)" in text
    assert "act by " in text and "days left" in text and "2027-" not in text.split("\n- ")[0]
    assert text.rstrip().endswith("3 early-warning entries for 3 Dec 2026 (target quarters after Q4 2026)")


def test_table_names_the_status_and_rating():
    """Statuses and ratings by name in the reader's language, not their codes."""
    seed.history(T)
    entries = json.loads(run("early_warning", "--today", "2026-12-03", "--format", "json"))
    table = run("early_warning", "--today", "2026-12-03").split("\n- ")[0]
    assert entries and "missed" not in table.split("\n", 1)[1]
    assert "Missed" in table
    ratings = {"critical": "Critical", "elevated": "Elevated", "watch": "Watch"}
    for entry in entries:
        assert ratings[entry["rating"]] in table


def test_without_today_it_computes_a_run_once_and_reads_it():
    from django.utils import timezone

    seed.history(timezone.localdate())
    first = json.loads(run("early_warning", "--format", "json"))
    assert EarlyWarningRun.objects.count() == 1 and EarlyWarningRun.objects.get().trigger == "command"
    assert json.loads(run("early_warning", "--format", "json")) == first
    assert EarlyWarningRun.objects.count() == 1


@pytest.mark.parametrize("args, message", [
    (["--today", "3.12.2026"], "--today: '3.12.2026' is not a date"),
    (["--region", "XX-NOPE"], "--region: unknown region code 'XX-NOPE'"),
    (["--occupation", "834"], "--occupation: '834' is not an ISCO-08 unit group"),
])
def test_bad_parameters_are_named(args, message):
    seed.history(T)
    with pytest.raises(CommandError, match=message.replace(".", r"\.").replace("(", r"\(")):
        run("early_warning", *args)


def test_all_bad_parameters_at_once():
    with pytest.raises(CommandError) as caught:
        run("early_warning", "--today", "x", "--region", "NOPE")
    assert "--today" in str(caught.value) and "--region" in str(caught.value)


def test_forecast_backtest_prints_the_method_next_to_seasonal_naive():
    seed.history(T)
    text = run("forecast_backtest", "--today", "2026-12-03")
    assert "naive MAE" in text and "overall" in text
    figures = json.loads(run("forecast_backtest", "--today", "2026-12-03", "--format", "json"))
    overall = figures["groups"]["overall"]
    # EKZ 8341: year-2 100 (forecast 80, naive 80), year-1 130 (forecast 100 + 20/2 = 120, naive 100);
    # 7126 first named in year-1 (9) after two years reported without it (forecast and naive 0).
    assert overall["method"]["n"] == 3 and overall["method"]["mae"] == 13.0  # (20 + 10 + 9) / 3
    assert overall["seasonal_naive"]["mae"] == 19.67  # (20 + 30 + 9) / 3
    assert figures["ratios"]["1"]["source"] == "default"
    with pytest.raises(CommandError, match="--today"):
        run("forecast_backtest", "--today", "tomorrow")


def test_forecast_backtest_without_history_says_so():
    assert "No past quarter" in run("forecast_backtest", "--today", "2026-12-03")
