"""Load the ISCO-08 taxonomy with its en/ru/zh/kk labels from gaps/taxonomy/data/ (idempotent)."""

import time

from django.core.management.base import BaseCommand, CommandError

from gaps.models import OccupationLabel
from gaps.taxonomy.loader import TaxonomyDataError, read_taxonomy, sync_taxonomy


class Command(BaseCommand):
    help = "Load or update the ISCO-08 occupation taxonomy and its multilingual labels; a re-run changes nothing."

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            data = read_taxonomy()
        except (TaxonomyDataError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        result = sync_taxonomy(data)
        # The title search's prebuilt index of these labels (gaps/search.py): the web and worker
        # processes then load it instead of each building it.
        from gaps.search import prebuild_index

        prebuild_index()
        elapsed = time.monotonic() - started
        if not result.changed:
            self.stdout.write(
                f"Taxonomy up to date: {len(data.occupations)} occupations, {len(data.labels)} labels ({elapsed:.1f} s)."
            )
            return
        self.stdout.write(
            f"Occupations: {result.occupations_created} created, {result.occupations_updated} updated "
            f"({len(data.occupations)} in all). Labels: {result.labels_created} created, "
            f"{result.labels_deleted} removed or replaced ({len(data.labels)} in all; "
            f"{data.crosswalk_rows} CN-2022 crosswalk rows). {elapsed:.1f} s."
        )
        if options["verbosity"] >= 2:
            from django.db.models import Count

            for row in OccupationLabel.objects.values("language", "source").annotate(n=Count("id")).order_by("language", "source"):
                self.stdout.write(f"  {row['language']} {row['source']}: {row['n']}")
