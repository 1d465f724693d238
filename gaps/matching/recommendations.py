"""Recommendations for colleges, derived from flags (SPEC.md "Recommendations").

score = shortfall of the line x salary midpoint in CNY x feasibility, where feasibility says how
much of the shortfall a college can realistically close with that kind of change before the need
date (the factors are judgement calls, kept here in one place so they can be tuned):

| kind | feasibility | why |
| --- | --- | --- |
| ALIGN_CERTIFICATION | 0.9 | the cohort already graduates in time and trains the occupation; exam preparation is added |
| RESCHEDULE | 0.8 | same program and curriculum, only the intake moves |
| EXPAND | 0.75 | an existing program for the occupation adds seats (teachers, equipment scale) |
| ADD_LANGUAGE | 0.6 | the cohort fits but instruction in another language needs teachers |
| RETOOL | 0.5 | an adjacent program changes its curriculum toward the occupation in shortage |
| OPEN | 0.3 | a new program in a sector the college already trains for |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import text


class RecommendationKind(models.TextChoices):
    RETOOL = "RETOOL", _("Retool")
    EXPAND = "EXPAND", _("Expand")
    OPEN = "OPEN", _("Open")
    RESCHEDULE = "RESCHEDULE", _("Reschedule")
    ALIGN_CERTIFICATION = "ALIGN_CERTIFICATION", _("Align certification")
    ADD_LANGUAGE = "ADD_LANGUAGE", _("Add a language")


FEASIBILITY = {
    RecommendationKind.ALIGN_CERTIFICATION: Decimal("0.9"),
    RecommendationKind.RESCHEDULE: Decimal("0.8"),
    RecommendationKind.EXPAND: Decimal("0.75"),
    RecommendationKind.ADD_LANGUAGE: Decimal("0.6"),
    RecommendationKind.RETOOL: Decimal("0.5"),
    RecommendationKind.OPEN: Decimal("0.3"),
}


@dataclass(frozen=True)
class Recommendation:
    kind: str
    quarter: str
    college_id: int
    college_code: str
    program_id: int | None
    program_code: str | None
    region_id: int
    region_code: str
    occupation_code: str  # the occupation to train for (RETOOL: the target)
    from_occupation_code: str | None  # RETOOL: what the program trains now
    headcount: int  # how many of the shortfall this change can cover
    shortfall: int  # the line's shortfall
    salary_min: Decimal
    salary_max: Decimal
    currency: str
    salary_min_cny: Decimal
    salary_max_cny: Decimal
    need_date: dt.date
    latest_intake_date: dt.date | None
    feasibility: Decimal
    score: Decimal
    line_id: int | None = None
    cohort_id: int | None = None

    @property
    def detail(self) -> str:
        return recommendation_detail(self.__dict__)

    def sort_key(self) -> tuple:
        """Best score first; then by what it says, so the order never depends on ids (these only
        separate recommendations that say the same thing)."""
        return (
            -self.score, self.kind, self.region_code, self.occupation_code, self.college_code, self.program_code or "",
            self.from_occupation_code or "", self.headcount, self.shortfall, self.need_date,
            self.latest_intake_date or dt.date.min, self.salary_min, self.salary_max, self.currency, self.line_id or 0,
        )


def make_recommendation(*, kind, quarter, college_id, college_code, line, outcome, headcount, program=None,
                        from_occupation_code=None, latest_intake_date=None, cohort_id=None) -> Recommendation:
    feasibility = FEASIBILITY[kind]
    midpoint = (outcome.salary_min_cny + outcome.salary_max_cny) / 2
    score = (Decimal(outcome.shortfall) * midpoint * feasibility).quantize(Decimal("0.01"))
    # Recommendation(...) without the frozen dataclass's field-by-field __init__ (hot loop).
    rec = object.__new__(Recommendation)
    rec.__dict__.update(
        kind=str(kind), quarter=quarter, college_id=college_id, college_code=college_code,
        program_id=program.id if program else None, program_code=program.code if program else None,
        region_id=line.region_id, region_code=line.region_code, occupation_code=line.occupation_code,
        from_occupation_code=from_occupation_code, headcount=headcount, shortfall=outcome.shortfall,
        salary_min=line.salary_min, salary_max=line.salary_max, currency=line.currency,
        salary_min_cny=outcome.salary_min_cny, salary_max_cny=outcome.salary_max_cny,
        need_date=outcome.need_date, latest_intake_date=latest_intake_date, feasibility=feasibility,
        score=score, line_id=line.id, cohort_id=cohort_id,
    )
    return rec


def recommendation_detail(r, today: dt.date | None = None) -> str:
    """A sentence for the college, in the active language: the program and college, occupation and
    region by name (core.text), the dates in the reader's style, the salary with its currency and its
    CNY equivalent once. The intake's last day is asked for while it is ahead (today counts) and told
    as closed once it has passed: the sentence is read long after the match that stored the date."""
    from gaps.matching.flags import _date, _seats, _workers, program_phrase

    args = {
        "program": program_phrase(r.get("college_code"), r.get("program_code")),
        "workers": _workers(r.get("headcount")),
        "seats": _seats(r.get("headcount")),
        "occ": text.occupation_label(r.get("occupation_code")),
        "from": text.occupation_label(r.get("from_occupation_code")) if r.get("from_occupation_code") else "",
        "region": text.region_label(r.get("region_code")),
        "need": _date(r.get("need_date")),
    }
    kind = r.get("kind")
    if kind == RecommendationKind.RETOOL:
        sentence = gettext("Retool %(program)s from %(from)s to %(occ)s: %(region)s needs %(workers)s by %(need)s.")
    elif kind == RecommendationKind.EXPAND:
        sentence = gettext("Expand %(program)s by %(seats)s in %(occ)s for %(region)s, graduating by %(need)s.")
    elif kind == RecommendationKind.OPEN:
        sentence = gettext("Open a program for %(occ)s: %(region)s needs %(workers)s by %(need)s and nobody trains them in time.")
    elif kind == RecommendationKind.RESCHEDULE:
        sentence = gettext("Reschedule %(program)s to graduate by %(need)s: %(region)s needs %(workers)s in %(occ)s then.")
    elif kind == RecommendationKind.ALIGN_CERTIFICATION:
        sentence = gettext("Prepare the cohort of %(program)s for the certification %(region)s requires for %(occ)s: %(workers)s by %(need)s.")
    elif kind == RecommendationKind.ADD_LANGUAGE:
        sentence = gettext("Teach %(program)s in a language %(region)s requires for %(occ)s: %(workers)s by %(need)s.")
    else:
        return ""
    parts = [sentence % args]
    intake = r.get("latest_intake_date")
    if isinstance(intake, str):
        intake = parse_date(intake)
    if intake and intake < (today or timezone.localdate()):
        # Read after the day: the sentence must not still ask for what can no longer be done.
        parts.append(gettext("The intake closed on %(date)s.") % {"date": _date(intake)})
    elif intake:
        parts.append(gettext("Take the intake by %(date)s.") % {"date": _date(intake)})
    salary = text.format_salary_range(
        r.get("salary_min"), r.get("salary_max"), r.get("currency") or "",
        cny_min=r.get("salary_min_cny"), cny_max=r.get("salary_max_cny"),
    )
    if salary:
        parts.append(gettext("Salary: %(salary)s.") % {"salary": salary})
    return text.tidy_sentence(" ".join(parts))
