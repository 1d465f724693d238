"""Shared machinery of the CSV/XLSX imports (SPEC.md, "Exchange formats").

    readers.py  CSV/XLSX → rows of cells, streaming, with the size, zip-bomb and encoding checks
    cells.py    one parser per kind of column (numbers, dates, codes, `;` lists)
    base.py     Importer: header, cells, cross-row and database checks, then one write transaction
    errors.py   Problem / ImportRejected: every problem with its row and column
    safe.py     formula-injection guard for exports (neutralise)
    api.py      the upload endpoint base class and its OpenAPI serializers
    command.py  the management command base class
"""

from .base import Column, Importer, Row
from .errors import ImportRejected, Problem, Problems

__all__ = ["Column", "ImportRejected", "Importer", "Problem", "Problems", "Row"]
