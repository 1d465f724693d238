from core.imports.command import ImportCommand
from gaps.importers import RegionImporter


class Command(ImportCommand):
    help = (
        "Import regions from CSV or XLSX (columns: region_code, country, name_en, name_ru, name_zh, name_kk, kind). "
        "Upserts by region_code; the whole file or nothing."
    )
    importer_class = RegionImporter
