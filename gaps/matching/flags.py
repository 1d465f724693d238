"""Mismatch flags: their kinds (a contract, SPEC.md), the JSON shape, and the `detail` sentences.

Which JSON fields each kind fills (all others are null):

| kind | region_code | occupation_code | college/program | cohort_graduation_date | target_occupation_code | headcount/covered/shortfall | surplus | count |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| UNMET_DEMAND | line's | line's | - | - | - | line's | - | shortfall |
| UNDER_SUPPLY | line's | line's | - | - | - | line's | - | shortfall |
| TIMING_MISMATCH | line's | line's | the program | its earliest late cohort's | - | line's | those cohorts' unallocated seats | min(shortfall, their seats) |
| CERTIFICATION_GAP | line's | line's | the program | its earliest such timely cohort's | - | line's | those cohorts' unallocated seats | min(shortfall, their seats) |
| LANGUAGE_GAP | line's | line's | the program | its earliest such timely cohort's | - | line's | those cohorts' unallocated seats | min(shortfall, their seats) |
| OVERSUPPLY | - | the program's first trained occupation | the program | its earliest oversupplied cohort's | - | - | unallocated seats of its oversupplied cohorts | = surplus |
| MISDIRECTED_SUPPLY | line's | the occupation the program trains | the program | as its OVERSUPPLY | line's occupation | line's | its OVERSUPPLY surplus | min(surplus, shortfall) |
| UNCODED_OCCUPATION | line's | - | - | - | - | headcount only | - | headcount |

Revision 2 of SPEC.md: a flag names a **program**, not each of its cohorts (one flag per line and
program, or per program); `cohort_id` on a stored flag is the cohort whose date it names.

`count` is always "how many workers this flag is about", so flags of every kind sort by it.
`detail` is rendered when read (in the reader's language) from the fields and a small `context`
(need date, seats, how many cohorts, certification, languages, title, latest intake date).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core import text


class FlagKind(models.TextChoices):
    UNMET_DEMAND = "UNMET_DEMAND", _("Unmet demand")
    UNDER_SUPPLY = "UNDER_SUPPLY", _("Under-supply")
    TIMING_MISMATCH = "TIMING_MISMATCH", _("Timing mismatch")
    CERTIFICATION_GAP = "CERTIFICATION_GAP", _("Certification gap")
    LANGUAGE_GAP = "LANGUAGE_GAP", _("Language gap")
    OVERSUPPLY = "OVERSUPPLY", _("Oversupply")
    MISDIRECTED_SUPPLY = "MISDIRECTED_SUPPLY", _("Misdirected supply")
    UNCODED_OCCUPATION = "UNCODED_OCCUPATION", _("Uncoded occupation")


KIND_ORDER = {kind.value: i for i, kind in enumerate(FlagKind)}

# The flag object of SPEC.md, in this order (command JSON, CSV columns and API alike).
FLAG_FIELDS = (
    "kind",
    "quarter",
    "region_code",
    "occupation_code",
    "college_code",
    "program_code",
    "cohort_graduation_date",
    "target_occupation_code",
    "headcount",
    "covered",
    "shortfall",
    "surplus",
    "count",
    "detail",
)


@dataclass(frozen=True)
class Flag:
    kind: str
    quarter: str
    region_code: str | None = None
    occupation_code: str | None = None
    college_code: str | None = None
    program_code: str | None = None
    cohort_graduation_date: dt.date | None = None
    target_occupation_code: str | None = None
    headcount: int | None = None
    covered: int | None = None
    shortfall: int | None = None
    surplus: int | None = None
    count: int | None = None
    # Not in the JSON: the rows the flag is about (for scoping and links) and what `detail` needs.
    region_id: int | None = None
    college_id: int | None = None
    program_id: int | None = None
    line_id: int | None = None
    cohort_id: int | None = None
    context: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def detail(self) -> str:
        return flag_detail(self.kind, self.__dict__, self.context)

    def as_json(self) -> dict:
        return flag_json(self.__dict__, self.context)

    def sort_key(self) -> tuple:
        """The order flags are stored in: by what they say, so the same input stores them in the same
        order whatever its ids (these only separate flags that say the same thing)."""
        return (
            KIND_ORDER[self.kind],
            self.region_code or "",
            self.occupation_code or "",
            self.college_code or "",
            self.program_code or "",
            self.cohort_graduation_date or dt.date.min,
            self.target_occupation_code or "",
            self.headcount or 0,
            self.covered or 0,
            self.shortfall or 0,
            self.surplus or 0,
            self.count or 0,
            str(sorted(self.context.items())),  # what `detail` says beyond the fields (need date, ...)
            self.line_id or 0,
            self.cohort_id or 0,
        )


_FLAG_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Flag) if f.default is not dataclasses.MISSING}


def new_flag(**values) -> Flag:
    """Flag(**values) without the frozen dataclass's field-by-field __init__: the same object,
    about ten times cheaper, for the hundreds of thousands of flags a large quarter makes."""
    flag = object.__new__(Flag)
    state = flag.__dict__
    state.update(_FLAG_DEFAULTS)
    state.update(values)
    if "context" not in values:
        state["context"] = {}
    if len(state) != len(_FLAG_FIELD_NAMES) or not state.keys() <= _FLAG_FIELD_NAMES:
        raise TypeError(f"new_flag() needs exactly Flag's fields, got {sorted(values)}")
    return flag


_FLAG_FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(Flag))


def flag_json(values, context: dict) -> dict:
    """The SPEC.md flag object from a Flag, a Flag model row, or a values() dict."""
    out = {name: values.get(name) for name in FLAG_FIELDS if name != "detail"}
    if isinstance(out["cohort_graduation_date"], dt.date):
        out["cohort_graduation_date"] = out["cohort_graduation_date"].isoformat()
    out["detail"] = flag_detail(values["kind"], values, context or {})
    return out


def _date(value) -> str:
    """A date of a flag (a date, or the ISO string the context holds) in the reader's style."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return text.format_date(value)


def _workers(n) -> str:
    return text.format_count(n or 0, "%(n)s worker", "%(n)s workers")


def _seats(n) -> str:
    return text.format_count(n or 0, "%(n)s seat", "%(n)s seats")


def program_phrase(college_code: str | None, program_code: str | None) -> str:
    """"Fruit and vegetable grading (FV-GRADE) at Gansu Agricultural College": the program's title,
    its code small beside it, and its college by name (the codes alone when the names are unknown)."""
    if not program_code:
        return text.college_name(college_code) if college_code else ""
    name = text.program(college_code, program_code)
    title = text.label(name.text, program_code) if name.found else program_code
    college = text.college(college_code)
    if not college_code:
        return title
    if not name.found and not college.found:
        return f"{college_code}/{program_code}"
    return gettext("%(program)s at %(college)s") % {"program": title, "college": college.text}


def prime_flag_names(rows) -> None:
    """Read the program titles of a page of flags or recommendations in one query (the other names
    are cached whole): call it before rendering their `detail` row by row."""
    keys = set()
    for row in rows:
        values = row if isinstance(row, dict) else row.__dict__
        if values.get("college_code") and values.get("program_code"):
            keys.add((values["college_code"], values["program_code"]))
    if keys:
        text.prime_names("program", keys)


def flag_detail(kind: str, f, ctx: dict) -> str:
    """A sentence a person can act on, in the active language (see _flag_detail), with one full stop
    after a date that ends in an abbreviation (core.text.tidy_sentence)."""
    return text.tidy_sentence(_flag_detail(kind, f, ctx))


def _flag_detail(kind: str, f, ctx: dict) -> str:
    """A sentence a person can act on, in the active language: names before codes (core.text),
    dates in the reader's style, counts with their plurals. Pages, API `detail`, mails and commands
    all read this one sentence."""
    need = _date(ctx.get("need_date"))
    region = text.region_label(f.get("region_code")) if f.get("region_code") else ""
    occupation = text.occupation_label(f.get("occupation_code")) if f.get("occupation_code") else ""
    program = program_phrase(f.get("college_code"), f.get("program_code"))
    grad = _date(f.get("cohort_graduation_date"))
    number = text.format_number
    if kind == FlagKind.UNMET_DEMAND:
        return gettext(
            "%(region)s needs %(workers)s in %(occ)s by %(need)s and no eligible cohort graduates in time: "
            "open or expand a program for this occupation that serves the region and graduates by %(need)s."
        ) % {"region": region, "workers": _workers(f.get("shortfall")), "occ": occupation, "need": need}
    if kind == FlagKind.UNDER_SUPPLY:
        return gettext(
            "%(region)s needs %(workers)s in %(occ)s by %(need)s; eligible cohorts cover %(cov)s and %(short)s "
            "are missing: add seats to a program for this occupation that serves the region."
        ) % {
            "region": region, "workers": _workers(f.get("headcount")), "occ": occupation, "need": need,
            "cov": number(f.get("covered")), "short": number(f.get("shortfall")),
        }
    if kind == FlagKind.TIMING_MISMATCH:
        cohorts = ctx.get("cohorts") or 1
        return gettext(
            "%(program)s graduates too late for %(region)s, which needs %(occ)s by %(need)s (%(cohorts)s, the first "
            "on %(grad)s): take the intake by %(intake)s so that it graduates in time and covers up to %(workers)s "
            "of the %(short)s missing."
        ) % {
            "program": program, "region": region, "occ": occupation, "need": need,
            "cohorts": text.format_count(cohorts, "%(n)s cohort", "%(n)s cohorts"), "grad": grad,
            "intake": _date(ctx.get("latest_intake_date")) or text.NOTHING, "workers": _workers(f.get("count")),
            "short": number(f.get("shortfall")),
        }
    if kind == FlagKind.CERTIFICATION_GAP:
        return gettext(
            "%(program)s graduates in time for %(region)s, which needs %(occ)s (first on %(grad)s), but does not "
            "prepare for the required certification, %(cert)s: add this preparation to cover up to %(workers)s."
        ) % {
            "program": program, "region": region, "occ": occupation, "grad": grad,
            "cert": text.certification_label(ctx.get("certification", "")), "workers": _workers(f.get("count")),
        }
    if kind == FlagKind.LANGUAGE_GAP:
        return gettext(
            "%(program)s graduates in time for %(region)s, which needs %(occ)s (first on %(grad)s), but teaches in "
            "none of the required languages (%(langs)s): teach in one of them to cover up to %(workers)s."
        ) % {
            "program": program, "region": region, "occ": occupation, "grad": grad,
            "langs": text.languages_phrase(ctx.get("languages") or []), "workers": _workers(f.get("count")),
        }
    if kind == FlagKind.OVERSUPPLY:
        seats = ctx.get("seats") or f.get("surplus") or 0
        return ngettext(
            "%(surplus)s of the %(seats)s seat of %(program)s graduating from %(grad)s meets no reported need this "
            "quarter: reduce the intake or retool the program toward an occupation in shortage.",
            "%(surplus)s of the %(seats)s seats of %(program)s graduating from %(grad)s meet no reported need this "
            "quarter: reduce the intake or retool the program toward an occupation in shortage.",
            seats,
        ) % {"surplus": number(f.get("surplus")), "seats": number(seats), "program": program, "grad": grad}
    if kind == FlagKind.MISDIRECTED_SUPPLY:
        return gettext(
            "%(program)s trains %(occ)s and leaves %(surplus)s unused while %(region)s is short of %(workers)s in "
            "the adjacent occupation %(target)s: retool up to %(retool)s toward it."
        ) % {
            "program": program, "occ": occupation, "surplus": _seats(f.get("surplus")), "region": region,
            "workers": _workers(f.get("shortfall")), "target": text.occupation_label(f.get("target_occupation_code")),
            "retool": _seats(f.get("count")),
        }
    if kind == FlagKind.UNCODED_OCCUPATION:
        return gettext(
            "A line of %(region)s's report (\"%(title)s\", %(workers)s) has no ISCO-08 occupation code: "
            "pick the unit group so that it can be matched."
        ) % {"region": region, "title": ctx.get("title", ""), "workers": _workers(f.get("headcount"))}
    return ""
