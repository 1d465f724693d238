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
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


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


def _workers(n) -> str:
    return str(n)


def flag_detail(kind: str, f, ctx: dict) -> str:
    """A sentence a person can act on, in the active language."""
    need = ctx.get("need_date", "")
    program = f"{f.get('college_code')}/{f.get('program_code')}"
    if kind == FlagKind.UNMET_DEMAND:
        return gettext(
            "%(region)s needs %(n)s workers in %(occ)s by %(need)s and no eligible cohort graduates in time: "
            "open or expand a program for %(occ)s that serves %(region)s and graduates by %(need)s."
        ) % {"region": f.get("region_code"), "n": f.get("shortfall"), "occ": f.get("occupation_code"), "need": need}
    if kind == FlagKind.UNDER_SUPPLY:
        return gettext(
            "%(region)s needs %(head)s workers in %(occ)s by %(need)s; eligible cohorts cover %(cov)s, "
            "%(short)s are missing: add seats to a program for %(occ)s serving %(region)s."
        ) % {
            "region": f.get("region_code"), "head": f.get("headcount"), "occ": f.get("occupation_code"),
            "need": need, "cov": f.get("covered"), "short": f.get("shortfall"),
        }
    if kind == FlagKind.TIMING_MISMATCH:
        return gettext(
            "Program %(program)s graduates after %(region)s needs %(occ)s workers (%(need)s; its first such cohort on "
            "%(grad)s): take the intake by %(intake)s so it graduates by %(need)s and covers up to %(n)s of the "
            "%(short)s missing."
        ) % {
            "program": program, "grad": f.get("cohort_graduation_date"), "region": f.get("region_code"),
            "occ": f.get("occupation_code"), "need": need, "intake": ctx.get("latest_intake_date", ""),
            "n": f.get("count"), "short": f.get("shortfall"),
        }
    if kind == FlagKind.CERTIFICATION_GAP:
        return gettext(
            "Program %(program)s graduates in time for %(region)s's need for %(occ)s workers (first on %(grad)s) but "
            "does not prepare for the required %(cert)s certification: add %(cert)s preparation to cover up to %(n)s."
        ) % {
            "program": program, "grad": f.get("cohort_graduation_date"), "region": f.get("region_code"),
            "occ": f.get("occupation_code"), "cert": ctx.get("certification", ""), "n": f.get("count"),
        }
    if kind == FlagKind.LANGUAGE_GAP:
        return gettext(
            "Program %(program)s graduates in time for %(region)s's need for %(occ)s workers (first on %(grad)s) but "
            "teaches in none of the required languages (%(langs)s): add one to cover up to %(n)s."
        ) % {
            "program": program, "grad": f.get("cohort_graduation_date"), "region": f.get("region_code"),
            "occ": f.get("occupation_code"), "langs": ", ".join(ctx.get("languages", [])), "n": f.get("count"),
        }
    if kind == FlagKind.OVERSUPPLY:
        return gettext(
            "%(surplus)s of the %(seats)s seats of program %(program)s graduating from %(grad)s meet no reported "
            "need this quarter: reduce the intake or retool the program toward an occupation in shortage."
        ) % {"surplus": f.get("surplus"), "seats": ctx.get("seats", ""), "program": program, "grad": f.get("cohort_graduation_date")}
    if kind == FlagKind.MISDIRECTED_SUPPLY:
        return gettext(
            "%(program)s trains %(occ)s with %(surplus)s seats unused while %(region)s is short of %(short)s workers "
            "in the adjacent occupation %(target)s: retool up to %(n)s seats to %(target)s."
        ) % {
            "program": program, "occ": f.get("occupation_code"), "surplus": f.get("surplus"),
            "region": f.get("region_code"), "short": f.get("shortfall"), "target": f.get("target_occupation_code"),
            "n": f.get("count"),
        }
    if kind == FlagKind.UNCODED_OCCUPATION:
        return gettext(
            "A line of %(region)s's report (\"%(title)s\", %(n)s workers) has no ISCO-08 occupation code: "
            "pick the unit group so it can be matched."
        ) % {"region": f.get("region_code"), "title": ctx.get("title", ""), "n": f.get("headcount")}
    return ""
