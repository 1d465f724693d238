"""Base class of the import management commands (import_regions, import_rates, ...)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.text import format_count

from .base import Importer
from .errors import DatabaseUnavailable, ImportRejected


class ImportCommand(BaseCommand):
    """`manage.py import_x FILE`: one summary line on success; every problem, one per line, on failure.

    Progress ("1000 rows read") goes to stderr so that stdout stays a clean summary.
    """

    importer_class: type[Importer]

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV (UTF-8) or XLSX file with the columns of SPEC.md, header row first")

    def get_importer(self, options, **kwargs) -> Importer:
        return self.importer_class(**kwargs)

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        verbosity = options.get("verbosity", 1)
        progress = (lambda message: self.stderr.write(f"{path.name}: {message}")) if verbosity >= 1 else None
        importer = self.get_importer(options, progress=progress)
        try:
            with path.open("rb") as fileobj:
                result = importer.run(fileobj, filename=path.name)
        except ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(format_count(
                len(exc.problems),
                "%(file)s: rejected with %(n)s problem listed above; nothing was imported.",
                "%(file)s: rejected with %(n)s problems listed above; nothing was imported.",
                file=path.name,
            )) from None
        except DatabaseUnavailable as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{path.name}: {importer.describe(result)}")
        return None
