"""Names of colleges and programs for core.text (registered in TrainingConfig.ready)."""

from __future__ import annotations

from django.db.models import Q

from core.text import translations_as_written


def _names(written: str, translations) -> dict:
    """{"": the stored text, data language: its translation, ...} (core.text.name_in reads it)."""
    return {"": written, **translations_as_written(written, translations)}


def college_names(codes=None) -> dict:
    from training.models import College

    rows = College.objects.all() if codes is None else College.objects.filter(code__in=list(codes))
    return {code: _names(name, tr) for code, name, tr in rows.values_list("code", "name", "name_translations")}


def program_titles(keys=None) -> dict:
    """{(college_code, program_code): {"": title, language: translation}}; keys are such pairs (None: every program)."""
    from training.models import Program

    rows = Program.objects.all()
    if keys is not None:
        pairs = list(keys)
        if not pairs:
            return {}
        # One query for a page's programs: (college code, program code) pairs grouped by college.
        by_college: dict[str, set[str]] = {}
        for college_code, program_code in pairs:
            by_college.setdefault(college_code, set()).add(program_code)
        condition = Q()
        for college_code, codes in by_college.items():
            condition |= Q(college__code=college_code, code__in=sorted(codes))
        rows = rows.filter(condition)
    return {
        (college_code, code): _names(title, tr)
        for college_code, code, title, tr in rows.values_list("college__code", "code", "title", "title_translations")
    }


def register() -> None:
    from core.text import register_names
    from training.models import College, Program

    register_names("college", college_names, models=[College])
    # Programs are many (tens of thousands at scale): read a page's at a time, never all.
    register_names("program", program_titles, load_all=False, models=[Program, College])
