"""match --quarter Q [--async]: run the matching of a quarter and print a summary (SPEC.md, Commands)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext, ngettext

from core.quarters import Quarter
from gaps.matching import services
from gaps.matching.types import MatchInputError
from gaps.models import MatchRun, MatchRunStatus, MatchTrigger


class Command(BaseCommand):
    help = "Match a quarter's submitted reports against the cohorts: flags, recommendations, gaps."

    def add_arguments(self, parser):
        parser.add_argument("--quarter", required=True, help="the quarter, e.g. 2026Q3")
        parser.add_argument("--async", dest="use_celery", action="store_true", help="run through Celery workers")
        parser.add_argument("--wait", type=int, default=600, help="with --async: seconds to wait for the run (0: don't)")
        parser.add_argument("--chunks", type=int, default=None, help="split into at most this many chunks")

    def handle(self, *args, quarter, use_celery, wait, chunks, verbosity=1, **options):
        try:
            quarter = str(Quarter.parse(quarter))
        except ValueError as exc:
            raise CommandError(f"--quarter: {exc}") from exc
        if use_celery:
            with transaction.atomic():
                run = services.match_run_enqueue(quarter=quarter, trigger=MatchTrigger.COMMAND)
            self.stdout.write(f"Queued run {run.pk} for {quarter}.")
            if wait <= 0:
                return
            run = self._wait(run, wait)
        else:
            try:
                run = services.match_quarter_inline(
                    quarter=quarter, trigger=MatchTrigger.COMMAND, chunks=chunks, progress=self._progress
                )
            except services.RunBusy as exc:
                raise CommandError(f"Another run of {quarter} is in progress; try again when it finishes.") from exc
            except MatchInputError as exc:
                raise CommandError(f"Matching {quarter} failed: {exc}") from exc
        self._summary(run)
        if run.status != MatchRunStatus.SUCCEEDED:
            raise CommandError(f"Run {run.pk} {run.status}: {run.error or 'see the worker log'}")

    def _progress(self, run: MatchRun) -> None:
        self.stdout.write(f"  chunk {run.chunks_done}/{run.chunks_total} done")

    def _wait(self, run: MatchRun, seconds: int) -> MatchRun:
        deadline = time.monotonic() + seconds
        last = None
        while time.monotonic() < deadline:
            run.refresh_from_db()
            state = (run.status, run.chunks_done, run.chunks_total)
            if state != last:
                self.stdout.write(f"  {run.status}: chunk {run.chunks_done}/{run.chunks_total}")
                last = state
            if run.status in (MatchRunStatus.SUCCEEDED, MatchRunStatus.FAILED, MatchRunStatus.SUPERSEDED):
                return run
            time.sleep(0.5)
        raise CommandError(f"Run {run.pk} did not finish within {seconds} s (status {run.status}); it goes on in the workers.")

    def _summary(self, run: MatchRun) -> None:
        counts, timings = run.counts or {}, run.timings or {}
        self.stdout.write(f"Run {run.pk} of {run.quarter}: {run.status}")
        if run.unchanged_since_id:
            self.stdout.write("  " + run.outcome)
            self.stdout.write("  seconds: " + ", ".join(f"{k} {v}" for k, v in timings.items()))
            return
        self.stdout.write(
            f"  lines {counts.get('lines', 0)}, cohorts read {counts.get('cohorts', 0)}, "
            f"components {counts.get('components', 0)}, chunks {run.chunks_total}"
        )
        flags = counts.get("flags", {})
        if flags:
            self.stdout.write("  flags: " + ", ".join(f"{k} {v}" for k, v in sorted(flags.items())))
        self.stdout.write(
            f"  recommendations {counts.get('recommendations', 0)}, gaps {counts.get('gaps', 0)} "
            f"({counts.get('new_gaps', 0)} new on the list)"
        )
        faults = run.line_faults or []
        if faults:
            self.stdout.write(ngettext(
                "  %(n)d line left out (correct it and submit the report again):",
                "  %(n)d lines left out (correct them and submit the reports again):", len(faults),
            ) % {"n": len(faults)})
            for fault in faults:
                self.stdout.write("    " + gettext("%(region)s, line %(line_no)s: %(message)s") % {
                    "region": fault["region_code"], "line_no": fault["line_no"], "message": fault["message"]})
        if timings:
            self.stdout.write("  seconds: " + ", ".join(f"{k} {v}" for k, v in timings.items()))
