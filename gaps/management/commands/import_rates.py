from core.imports.command import ImportCommand
from gaps.importers import ExchangeRateImporter


class Command(ImportCommand):
    help = (
        "Import exchange rates to CNY from CSV or XLSX (columns: currency, date, rate_to_cny). "
        "Upserts by currency and date; the whole file or nothing."
    )
    importer_class = ExchangeRateImporter
