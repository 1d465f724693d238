"""load_demo [--today YYYY-MM-DD]: the demo, dated from a day (SPEC.md, Commands)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.quarters import Quarter
from core.text import format_count
from demo.services import DEMO_PASSWORD, DemoError, demo_load
from demo.world import HISTORY_QUARTERS, TARGET_QUARTERS, quarter_add


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today: {value!r} is not a date like 2026-12-03.") from None


class Command(BaseCommand):
    help = (
        "Load the demo regions, exchange rates, colleges, programs, cohorts, reports, projects and users, "
        "dated from today (or --today): three years of history, the seed cases of SPEC.md in the current "
        "quarter, cohorts and a report ahead of it. Idempotent: a database keeps the day its demo was dated "
        "from, and a re-run only creates what is missing of that demo."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=str, default=None,
            help="the day to date the demo from, YYYY-MM-DD (default: the local date); a database's demo is dated once",
        )

    def handle(self, *args, today=None, **options):
        day = _day(today) if today else None
        try:
            summary = demo_load(today=day)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if summary.undated:
            self.stdout.write(self.style.WARNING(
                "This database holds a demo loaded by an older load_demo (fixed quarters, no recorded day); "
                "it is left as it is. For a demo dated from today, load it into an empty database "
                "(bin/run: remove db.sqlite3 first)."
            ))
        elif summary.created:
            created = ", ".join(f"{n} {what}" for what, n in summary.created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {created}."))
            if summary.matched:
                self.stdout.write(format_count(
                    len(summary.matched), "Matched %(n)s quarter: %(quarters)s.", "Matched %(n)s quarters: %(quarters)s.",
                    quarters=", ".join(summary.matched),
                ))
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        if summary.today:
            quarter = summary.quarter
            self.stdout.write(
                f"Demo dated {summary.today.isoformat()}: current quarter {quarter} (the seed cases), history "
                f"{quarter_add(quarter, -HISTORY_QUARTERS)}-{quarter_add(quarter, -1)}, early warning for "
                f"{quarter_add(quarter, 1)}-{quarter_add(quarter, TARGET_QUARTERS)}."
            )
            now = timezone.localdate()
            if Quarter.containing(now) != quarter:
                where = "behind" if Quarter.containing(now) > quarter else "ahead of"
                self.stdout.write(self.style.WARNING(
                    f"Today ({now.isoformat()}) is in {Quarter.containing(now)}: this demo's seasons and act-by "
                    f"dates are {where} the calendar (a demo is not moved to a new day). For a demo dated from "
                    "today, load it into an empty database (bin/run: remove db.sqlite3 first)."
                ))
            elif (now - summary.today).days > 0:
                self.stdout.write(
                    format_count(
                        (now - summary.today).days,
                        "It was dated %(n)s day ago; the early warning counts from today, so its statuses move on as the days pass.",
                        "It was dated %(n)s days ago; the early warning counts from today, so its statuses move on as the days pass.",
                    )
                )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        width = max(len(username) for username, _role, _scope in summary.users)
        for username, role, scope in summary.users:
            self.stdout.write(f"  {username.ljust(width)}  {role}" + (f" — {scope}" if scope else ""))
        self.stdout.write(
            self.style.WARNING(
                "The demo password is for demonstrations only: do not load the demo on a server with real data."
            )
        )
