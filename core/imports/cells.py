"""Column parsers: turn one non-empty cell (CSV text or an XLSX value) into a Python value.

Each parser takes the raw cell and returns the clean value or raises `CellError` with a message
for the user. Blank cells never reach a parser (the importer decides whether blank is allowed).
A formula-like text (`=1+1`) is just text here: it fails a numeric or date column with a message
that says formulas are not evaluated, and is stored verbatim in a text column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from core.choices import Sector
from core.codes import code_message, is_code
from core.dates import MAX_YEAR, MIN_YEAR, date_in_bounds, out_of_bounds_message
from core.quarters import QUARTER_RE, Quarter

from . import codes
from .safe import is_formula_like

Parser = Callable[[Any], Any]

# Longest cell any column accepts; longer ones are refused before parsing (a note is free text,
# but not a novel).
MAX_CELL_CHARS = 10_000
LIST_SEPARATOR = ";"

_INT_RE = re.compile(r"^-?\d+$")
_DECIMAL_RE = re.compile(r"^-?\d+(\.\d+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISCO_UNIT_RE = re.compile(r"^\d{4}$")
_SECTORS = frozenset(Sector.values)  # Sector.values rebuilds its list on every access


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def show(value: Any, limit: int = 40) -> str:
    """A value as quoted in an error message, shortened."""
    text = as_text(value) if not isinstance(value, str) else value
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A cell as the text a user typed: numbers without a spurious `.0`, dates as ISO."""
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, dt.time):
        text = value.isoformat()
    else:
        text = str(value).strip()
    if "\x00" in text:
        # PostgreSQL text cannot hold NUL, and no spreadsheet user means one.
        raise CellError(_("The cell contains a NUL character."))
    return text


def _formula_hint(value: Any) -> str:
    if is_formula_like(value):
        return " " + _("Formulas are not evaluated; enter the value itself.")
    return ""


# --- text -------------------------------------------------------------------------------------


def text(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        result = as_text(value)
        if len(result) > max_length:
            raise CellError(_("At most %(max)s characters (this one has %(n)s).") % {"max": max_length, "n": len(result)})
        return result

    return parse


def code(max_length: int) -> Parser:
    """An identifier such as a region, college or program code: letters, digits, `.`, `_`, `-`."""

    def parse(value: Any) -> str:
        result = as_text(value)
        if len(result) > max_length:
            raise CellError(_("At most %(max)s characters (this one has %(n)s).") % {"max": max_length, "n": len(result)})
        if not is_code(result):  # the one rule of codes everywhere (core.codes)
            raise CellError(code_message(value))
        return result

    return parse


def text_list(max_length: int) -> Parser:
    """`;`-separated free-text items (certifications); blanks between separators are ignored."""

    def parse(value: Any) -> list[str]:
        items = _split(as_text(value))
        for item in items:
            if len(item) > max_length:
                raise CellError(_("Each item may have at most %(max)s characters (%(item)s).") % {"max": max_length, "item": show(item)})
        return items

    return parse


def _split(text_value: str) -> list[str]:
    seen: list[str] = []
    for part in text_value.split(LIST_SEPARATOR):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


# --- numbers ----------------------------------------------------------------------------------


def integer(*, min_value: int | None = None, max_value: int | None = None) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise CellError(_("%(value)s is not a whole number.") % {"value": show(value)})
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            text_value = as_text(value)
            if not _INT_RE.match(text_value):
                raise CellError(_("%(value)s is not a whole number.") % {"value": show(value)} + _formula_hint(value))
            number = int(text_value)
        _check_range(number, min_value, max_value)
        return number

    return parse


def decimal(
    *,
    min_value: Decimal | int | None = None,
    greater_than: Decimal | int | None = None,
    max_digits: int = 14,
    decimal_places: int = 2,
) -> Parser:
    """A decimal number with a dot (`1500.50`); more places than the column keeps are rounded."""

    def parse(value: Any) -> Decimal:
        if isinstance(value, bool):
            raise CellError(_("%(value)s is not a number.") % {"value": show(value)})
        if isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        else:
            text_value = as_text(value)
            if not _DECIMAL_RE.match(text_value):
                raise CellError(
                    _("%(value)s is not a number (write it like 1500 or 1500.50, with a dot and no spaces).")
                    % {"value": show(value)} + _formula_hint(value)
                )
            try:
                number = Decimal(text_value)
            except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
                raise CellError(_("%(value)s is not a number.") % {"value": show(value)}) from exc
        if not number.is_finite():
            raise CellError(_("%(value)s is not a number.") % {"value": show(value)})
        number = number.quantize(Decimal(1).scaleb(-decimal_places), rounding=ROUND_HALF_EVEN)
        if number.adjusted() >= max_digits - decimal_places:
            raise CellError(_("%(value)s is too large.") % {"value": show(value)})
        if greater_than is not None and not number > greater_than:
            raise CellError(_("Must be greater than %(min)s.") % {"min": greater_than})
        _check_range(number, min_value, None)
        return number

    return parse


def _check_range(number, min_value, max_value) -> None:
    if min_value is not None and number < min_value:
        if max_value is not None:
            raise CellError(_("Must be between %(min)s and %(max)s.") % {"min": min_value, "max": max_value})
        raise CellError(_("Must be at least %(min)s.") % {"min": min_value})
    if max_value is not None and number > max_value:
        if min_value is not None:
            raise CellError(_("Must be between %(min)s and %(max)s.") % {"min": min_value, "max": max_value})
        raise CellError(_("Must be at most %(max)s.") % {"max": max_value})


# --- dates and periods ------------------------------------------------------------------------


def iso_date(value: Any) -> dt.date:
    """A date people set: YYYY-MM-DD (or a spreadsheet date), years 1900 to 2200 (core.dates)."""
    day = _any_date(value)
    if not date_in_bounds(day):
        raise CellError(out_of_bounds_message())
    return day


def _any_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text_value = as_text(value)
    if _DATE_RE.match(text_value):
        try:
            return dt.date.fromisoformat(text_value)
        except ValueError:
            pass
    raise CellError(_("%(value)s is not a date in the form YYYY-MM-DD.") % {"value": show(value)} + _formula_hint(value))


def quarter(value: Any) -> str:
    text_value = as_text(value).upper()
    if not QUARTER_RE.match(text_value):
        raise CellError(_("%(value)s is not a quarter in the form YYYYQn, e.g. 2026Q3.") % {"value": show(value)})
    try:
        Quarter.parse(text_value)
    except ValueError:
        raise CellError(
            _("%(value)s is not a quarter between %(first)s and %(last)s, like 2026Q3.")
            % {"value": show(value), "first": f"{MIN_YEAR}Q1", "last": f"{MAX_YEAR}Q4"}
        ) from None
    return text_value


# --- code lists -------------------------------------------------------------------------------


def choice(allowed: Iterable[str], *, lower: bool = True) -> Parser:
    allowed = tuple(allowed)

    def parse(value: Any) -> str:
        text_value = as_text(value)
        text_value = text_value.lower() if lower else text_value
        if text_value not in allowed:
            raise CellError(_("%(value)s is not one of: %(allowed)s.") % {"value": show(value), "allowed": ", ".join(allowed)})
        return text_value

    return parse


# The `mobile` column of program cohorts (docs/formats.md): yes/no in the four languages; empty = no
# (the column's default).
YES = frozenset({"yes", "true", "1", "是", "да", "иә"})
NO = frozenset({"no", "false", "0", "否", "нет", "жоқ"})


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text_value = as_text(value).strip().lower()
    if text_value in YES:
        return True
    if text_value in NO:
        return False
    raise CellError(_("%(value)s is neither yes nor no.") % {"value": show(value)})


def currency(value: Any) -> str:
    text_value = as_text(value).upper()
    if text_value not in codes.CURRENCIES:
        raise CellError(_("%(value)s is not an ISO 4217 currency code such as KZT, CNY or USD.") % {"value": show(value)})
    return text_value


def country(value: Any) -> str:
    text_value = as_text(value).upper()
    if text_value not in codes.COUNTRIES:
        raise CellError(_("%(value)s is not an ISO 3166-1 alpha-2 country code such as KZ or CN.") % {"value": show(value)})
    return text_value


def sector(value: Any) -> str:
    text_value = as_text(value).upper()
    if text_value not in _SECTORS:
        raise CellError(_("%(value)s is not an ISIC section letter (A to U).") % {"value": show(value)})
    return text_value


def language_list(value: Any) -> list[str]:
    """`en;ru;kk` → ["en", "ru", "kk"] (lower case, duplicates dropped, order kept)."""
    result = [item.lower() for item in _split(as_text(value))]
    bad = [item for item in result if item not in codes.LANGUAGES]
    if bad:
        raise CellError(
            _("%(values)s: not ISO 639-1 language codes; write two-letter codes separated by ';', e.g. kk;ru;zh.")
            % {"values": ", ".join(repr(b) for b in bad)}
        )
    return list(dict.fromkeys(result))


def occupation_code(value: Any) -> str:
    """An ISCO-08 unit group code, 4 digits (existence is checked against the taxonomy later).

    A numeric XLSX cell loses leading zeros (0110 becomes 110), so integers are zero-padded.
    """
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9999:
        return f"{value:04d}"
    if isinstance(value, float) and value.is_integer() and 0 <= value <= 9999:
        return f"{int(value):04d}"
    text_value = as_text(value)
    if not _ISCO_UNIT_RE.match(text_value):
        raise CellError(_("%(value)s is not an ISCO-08 unit group code (4 digits, e.g. 8341).") % {"value": show(value)})
    return text_value


def occupation_code_list(value: Any) -> list[str]:
    items = _split(as_text(value)) if not isinstance(value, (int, float)) else [value]
    result = []
    bad = []
    for item in items:
        try:
            result.append(occupation_code(item))
        except CellError:
            bad.append(item)
    if bad:
        raise CellError(
            _("%(values)s: not ISCO-08 unit group codes; write 4-digit codes separated by ';', e.g. 8341;7515.")
            % {"values": ", ".join(show(b) for b in bad)}
        )
    return list(dict.fromkeys(result))


def code_list(max_length: int) -> Parser:
    item_parser = code(max_length)

    def parse(value: Any) -> list[str]:
        items = _split(as_text(value))
        result = []
        for item in items:
            result.append(item_parser(item))
        return result

    return parse
