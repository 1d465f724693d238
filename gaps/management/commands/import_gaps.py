from core.imports.command import ImportCommand
from gaps.importers import GapReportImporter


class Command(ImportCommand):
    help = (
        "Import gap report lines from CSV or XLSX. Rows are grouped into one report per region_code + quarter; "
        "each group replaces the lines of the region's draft for that quarter (a new draft if there is none). "
        "With --submit the drafts are submitted, superseding earlier submitted reports. The whole file or nothing."
    )
    importer_class = GapReportImporter

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--submit", action="store_true",
            help="Submit each imported report (supersedes the region's earlier submitted report for the quarter).",
        )

    def get_importer(self, options, **kwargs):
        return GapReportImporter(submit=options["submit"], **kwargs)
