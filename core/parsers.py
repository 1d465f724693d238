"""The API's JSON parser: DRF's, with a limit on nesting.

Python's json module recurses once per level: a body of 1,000 opening brackets raises
RecursionError (a 500), signed in or not (the token endpoint parses before it knows who asks). The
body is scanned once for its depth before it is decoded; no talentgap payload nests more than a
few levels.
"""

from __future__ import annotations

import codecs
import io

from django.conf import settings
from django.utils.translation import gettext as _
from django.core.validators import ProhibitNullCharactersValidator
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings ignored)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif char in "]}":
            depth -= 1
    return deepest


class DepthLimitedJSONParser(JSONParser):
    """JSONParser refusing bodies nested deeper than MAX_JSON_DEPTH with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        if json_depth(text) > MAX_JSON_DEPTH:
            raise ParseError(
                _("JSON parse error - the body is nested deeper than %(n)s levels.") % {"n": MAX_JSON_DEPTH}
            )
        try:
            data = super().parse(io.BytesIO(text.encode("utf-8")), media_type, {**parser_context, "encoding": "utf-8"})
        except RecursionError:
            raise ParseError(
                _("JSON parse error - the body is nested deeper than %(n)s levels.") % {"n": MAX_JSON_DEPTH}
            ) from None
        refuse_nul_values(data)
        return data


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def refuse_nul_values(data) -> None:
    """A NUL character in any value of the body is a 400 naming the field (PostgreSQL's text cannot
    hold it, and a lookup with it fails in the database: a relation's code, a unique check), before any
    serializer queries with it. Keys are not checked: unknown fields are ignored, known ones have no NUL."""
    message = str(ProhibitNullCharactersValidator.message)
    if isinstance(data, dict):
        fields = {key: [message] for key, value in data.items() if _holds_nul(value)}
        if fields:
            raise ParseError(fields)
    elif _holds_nul(data):
        raise ParseError(message)
