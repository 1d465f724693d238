"""forecast_backtest [--today D] [--format table|json] (SPEC.md, Commands).

The default forecast's error on the past quarters (those before today's that regions reported),
next to the seasonal-naive forecast (last year's value), overall, per quarter of the year and per
number of observed years; with the 80 % interval's ratios and how often it held the actual value.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from core.quarters import Quarter
from gaps.warning import forecast as fc
from gaps.warning.compute import History
from gaps.warning.fetch import fetch_reports, warning_settings
from gaps.warning.services import service_today

from .early_warning import parse_day, write_table


def _fmt(value, percent: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f} %" if percent else f"{value:.2f}"


class Command(BaseCommand):
    help = "The forecast method's error on past quarters next to the seasonal-naive forecast."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day (YYYY-MM-DD) whose past quarters are evaluated")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args, today, format, **options):
        day = parse_day(today) if today is not None else service_today()
        current = Quarter.containing(day)
        history = History(fetch_reports(current.previous()))
        cases = fc.backtest_cases(history.totals, current)
        ratios = fc.learn_ratios(cases, min_errors=warning_settings().min_errors)
        result = fc.backtest(cases, ratios)
        result["today"] = day.isoformat()
        result["before"] = str(current)
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        if not result["compared"]:
            self.stdout.write(
                f"No past quarter before {current} can be evaluated: the backtest needs reports of the same "
                "quarter in at least two years."
            )
            return
        columns = ("group", "n", "MAE", "naive MAE", "bias", "naive bias", "WAPE", "naive WAPE", "MAPE",
                   "naive MAPE", "in 80 % interval")
        rows = []
        for group, figures in result["groups"].items():
            m, s = figures["method"], figures["seasonal_naive"]
            if not m["n"]:
                continue
            rows.append([group, m["n"], _fmt(m["mae"]), _fmt(s["mae"]), _fmt(m["bias"]), _fmt(s["bias"]),
                         _fmt(m["wape"], True), _fmt(s["wape"], True), _fmt(m["mape"], True), _fmt(s["mape"], True),
                         _fmt(figures["interval_coverage"], True)])
        self.stdout.write(f"Backtest of the default forecast on the quarters before {current} "
                          f"({result['compared']} forecasts with last year observed, of {result['cases']}):")
        write_table(self.stdout, columns, rows)
        self.stdout.write("")
        self.stdout.write("80 % interval ratios (actual + 1) / (forecast + 1), by observed years:")
        write_table(self.stdout, ("years", "low (p10)", "high (p90)", "source", "errors"), [
            [k, f"{v['low']:.3f}", f"{v['high']:.3f}", v["source"], v["errors"]] for k, v in result["ratios"].items()
        ])
