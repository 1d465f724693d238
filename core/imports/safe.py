"""Spreadsheet formula injection ("CSV injection") guards.

Imports never evaluate a cell: CSV is read as text, and XLSX is opened with openpyxl without
computing formulas, so a formula cell arrives as its literal text (`=1+1`) and fails any numeric
or date column. Exports go the other way: a text value that a spreadsheet program would take for
a formula is prefixed with an apostrophe, which Excel, LibreOffice and Google Sheets all treat as
"this cell is text" (OWASP, "CSV Injection").
"""

from __future__ import annotations

from typing import Any

# `=`, `+`, `-`, `@` start a formula; tab and carriage return can smuggle one past a naive
# check in some programs, so OWASP lists them too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(value: Any) -> Any:
    """The value to write into an exported cell: strings a spreadsheet would evaluate get a `'`.

    Numbers, dates and other non-strings pass through unchanged (a negative number exported as a
    number is not a formula).
    """
    if is_formula_like(value):
        return "'" + value
    return value
