from core.imports.command import ImportCommand
from training.importers import ProgramImporter


class Command(ImportCommand):
    help = (
        "Import programs and their cohorts from CSV or XLSX (rows with the same college_code + program_code are "
        "cohorts of one program). Upserts colleges by code, programs by college and code, cohorts by program and "
        "intake_date; the whole file or nothing."
    )
    importer_class = ProgramImporter
