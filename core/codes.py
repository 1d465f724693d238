"""One rule for the codes people and files set (region, college and program codes).

Letters and digits of the ASCII alphabet, `.`, `_` and `-`, starting with a letter or digit:
`KZ-VOS`, `CN-XJ-HRG`, `LUBAN.UKG`, `WELD_2Y`. A code is shown in pages, files and exports and
typed into URLs and filters; it never holds markup, quotes, slashes, spaces, line breaks or a
leading `=`/`+`/`-`/`@` a spreadsheet would compute. The importers (core.imports.cells.code), the
API (the model fields' validator reaches the serializers) and the pages' forms all use
validate_code.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


def is_code(value: str) -> bool:
    return isinstance(value, str) and CODE_RE.fullmatch(value) is not None


def code_message(value) -> str:
    from core.imports.cells import show

    return _("%(value)s is not a code: use letters, digits, '.', '_' and '-' only, starting with a letter or digit.") % {
        "value": show(value)
    }


def validate_code(value) -> None:
    if not is_code(value):
        raise ValidationError(code_message(value), code="invalid_code")


class CodeField(models.CharField):
    """A CharField holding a code (validate_code)."""

    default_validators = [*models.CharField.default_validators, validate_code]
