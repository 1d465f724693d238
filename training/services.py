"""Write operations on colleges, programs and cohorts (keyword-only services that own their transaction).

Permissions (SPEC.md's role table): college staff create and edit the programs and cohorts of
their own colleges; administrators may do everything, colleges included; everyone else only reads.
`user=None` is a trusted caller (management commands, imports that checked already).
Each service validates with the model's full_clean (check and unique constraints included), so
the rules hold whether the call comes from the API, an import or the shell; history records who.
A change to supply re-matches the quarters it can affect, after commit (nothing on rollback).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.permissions import can_edit_college_programs, is_admin

from .models import Cohort, College, Program

COLLEGE_FIELDS = ("code", "name", "country", "name_translations")
PROGRAM_FIELDS = ("code", "title", "sector", "languages", "certifications", "mobile", "title_translations")
COHORT_FIELDS = ("seats", "intake_date", "graduation_date")


def _audit(instance, user):
    # The history middleware only knows web requests; name the user for every caller.
    if user is not None:
        instance._history_user = user
    return instance


def _require_admin(user) -> None:
    if user is not None and not is_admin(user):
        raise PermissionDenied(_("Only administrators may change colleges."))


def _require_program_editor(user, college: College) -> None:
    if user is not None and not (is_admin(user) or can_edit_college_programs(user, college)):
        raise PermissionDenied(_("You may only change the programs and cohorts of your own colleges."))


def _rematch(dates) -> None:
    """Cohort supply changed: re-match the quarters these graduation dates can affect, after commit."""
    from gaps.matching.scheduling import schedule_cohort_rematch

    schedule_cohort_rematch(list(dates))


def _apply(instance, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError({name: _("This field cannot be changed.")})
        setattr(instance, name, value)


# --- Colleges (administrators) ---------------------------------------------------------------


@transaction.atomic
def college_create(*, user=None, **fields: Any) -> College:
    _require_admin(user)
    college = College()
    _apply(college, fields, COLLEGE_FIELDS)
    college.full_clean()
    _audit(college, user).save()
    return college


@transaction.atomic
def college_update(*, college: College, user=None, **fields: Any) -> College:
    _require_admin(user)
    college = College.objects.select_for_update().get(pk=college.pk)
    _apply(college, fields, COLLEGE_FIELDS)
    college.full_clean()
    _audit(college, user).save()
    return college


@transaction.atomic
def college_delete(*, college: College, user=None) -> None:
    """Delete a college with its programs and cohorts (history keeps them)."""
    _require_admin(user)
    _audit(college, user).delete()


# --- Programs (college staff of the program's college, administrators) ------------------------


def _set_relations(program: Program, occupations: Iterable | None, serves_regions: Iterable | None) -> None:
    if occupations is not None:
        occupations = list(occupations)
        wrong = [o.code for o in occupations if o.level != 4]
        if wrong:
            raise ValidationError({"occupations": _("Use ISCO-08 unit groups (4 digits), not %(codes)s.") % {"codes": ", ".join(wrong)}})
        if not occupations:
            raise ValidationError({"occupations": _("A program prepares for at least one occupation.")})
        program.occupations.set(occupations)
    if serves_regions is not None:
        program.serves_regions.set(list(serves_regions))


@transaction.atomic
def program_create(
    *,
    college: College,
    code: str,
    title: str,
    occupations: Iterable,
    user=None,
    serves_regions: Iterable = (),
    **fields: Any,
) -> Program:
    """Publish a program of a college. Its code is unique per college."""
    _require_program_editor(user, college)
    program = Program(college=college, code=code, title=title)
    _apply(program, fields, PROGRAM_FIELDS)
    program.full_clean()
    _audit(program, user).save()
    _set_relations(program, occupations, serves_regions)
    return program


@transaction.atomic
def program_update(
    *, program: Program, user=None, occupations: Iterable | None = None, serves_regions: Iterable | None = None, **fields: Any
) -> Program:
    """Change a program's fields; its college never changes (a program moves by being re-created)."""
    program = Program.objects.select_for_update().select_related("college").get(pk=program.pk)
    _require_program_editor(user, program.college)
    _apply(program, fields, PROGRAM_FIELDS)
    program.full_clean()
    _audit(program, user).save()
    _set_relations(program, occupations, serves_regions)
    _rematch(program.cohorts.values_list("graduation_date", flat=True))
    return program


@transaction.atomic
def program_delete(*, program: Program, user=None) -> None:
    program = Program.objects.select_related("college").get(pk=program.pk)
    _require_program_editor(user, program.college)
    _rematch(program.cohorts.values_list("graduation_date", flat=True))
    _audit(program, user).delete()


# --- Cohorts (through the program's college) --------------------------------------------------


@transaction.atomic
def cohort_create(*, program: Program, user=None, **fields: Any) -> Cohort:
    program = Program.objects.select_for_update().select_related("college").get(pk=program.pk)
    _require_program_editor(user, program.college)
    cohort = Cohort(program=program)
    _apply(cohort, fields, COHORT_FIELDS)
    cohort.full_clean()
    _audit(cohort, user).save()
    _rematch([cohort.graduation_date])
    return cohort


@transaction.atomic
def cohort_update(*, cohort: Cohort, user=None, **fields: Any) -> Cohort:
    cohort = Cohort.objects.select_for_update().select_related("program__college").get(pk=cohort.pk)
    _require_program_editor(user, cohort.program.college)
    old_graduation = cohort.graduation_date
    _apply(cohort, fields, COHORT_FIELDS)
    cohort.full_clean()
    _audit(cohort, user).save()
    _rematch([old_graduation, cohort.graduation_date])
    return cohort


@transaction.atomic
def cohort_delete(*, cohort: Cohort, user=None) -> None:
    cohort = Cohort.objects.select_related("program__college").get(pk=cohort.pk)
    _require_program_editor(user, cohort.program.college)
    _rematch([cohort.graduation_date])
    _audit(cohort, user).delete()
