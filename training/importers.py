"""Import of program cohorts (SPEC.md, "Exchange formats": program cohorts).

Rows with the same college_code + program_code are cohorts of one program, so they must agree
on the program's columns. Colleges are found by college_code; a new one is created from
college_name and country (by commands and administrators only: college staff cannot create
colleges). An existing college's name and country are not changed by an import (that is an
administrator's edit). Optional columns give a new college's name and a program's title in Chinese,
Russian and Kazakh (college_name_zh, ..., program_title_kk: College.name_translations,
Program.title_translations); a file with a program_title_* column sets the program's translations
to the file's, one without leaves them alone. Programs upsert by (college, program_code), cohorts by (program,
intake_date); cohorts already in the database but not in the file are left alone.

Writes go through training.services, so the model rules and the audit history apply.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Role
from core.imports import cells
from core.imports.base import Column, Importer, Row, summary
from core.imports.errors import ImportRejected, Problem, Problems
from core.permissions import is_admin
from gaps.models import Occupation, Region

from . import services
from .models import Cohort, College, Program

# The optional columns of names in other languages, by their suffix: the page language they are in.
TRANSLATION_SUFFIXES = {"zh": "zh-hans", "ru": "ru", "kk": "kk"}
COLLEGE_NAME_COLUMNS = tuple(f"college_name_{suffix}" for suffix in TRANSLATION_SUFFIXES)
PROGRAM_TITLE_COLUMNS = tuple(f"program_title_{suffix}" for suffix in TRANSLATION_SUFFIXES)
# What a program is, as opposed to one of its cohorts: every row of a program must agree on these.
PROGRAM_COLUMNS = (
    "program_title", "occupation_codes", "sector", "languages", "certifications", "serves_regions", "mobile",
    *PROGRAM_TITLE_COLUMNS,
)
# Compared as sets: "kk;ru" and "ru;kk" are the same program.
SET_COLUMNS = {"occupation_codes", "languages", "certifications", "serves_regions"}
COLLEGE_COLUMNS = ("college_name", "country")
MAX_SEATS = 100_000


def _length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _comparable(column: str, value: Any) -> Any:
    return frozenset(value) if column in SET_COLUMNS else value


def _translations(written: str, values: dict, columns: tuple[str, ...]) -> dict:
    """The given columns' names as the models keep translations (core.text.in_reader_language)."""
    translations = {
        TRANSLATION_SUFFIXES[column.rsplit("_", 1)[1]]: values[column] for column in columns if values.get(column)
    }
    return {**translations, "_as_written": written} if translations else {}


def _show(value: Any) -> str:
    if isinstance(value, bool):  # the mobile column: as the file writes it
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(value) or "(empty)"
    return str(value) if value not in (None, "") else "(empty)"


class ProgramImporter(Importer):
    label = "program cohorts"
    columns = (
        Column("college_code", cells.code(_length(College, "code")), required=True, blank=False),
        Column("college_name", cells.text(_length(College, "name")), default=""),
        Column("country", cells.country, default=""),
        Column("program_code", cells.code(_length(Program, "code")), required=True, blank=False),
        Column("program_title", cells.text(_length(Program, "title")), required=True, blank=False),
        Column("occupation_codes", cells.occupation_code_list, required=True, blank=False),
        Column("sector", cells.sector, default=""),
        Column("seats", cells.integer(min_value=1, max_value=MAX_SEATS), required=True, blank=False),
        Column("intake_date", cells.iso_date, required=True, blank=False),
        Column("graduation_date", cells.iso_date, required=True, blank=False),
        Column("languages", cells.language_list, required=True, blank=False),
        Column("certifications", cells.text_list(64), default=list),
        Column("serves_regions", cells.code_list(_length(Region, "code")), default=list),
        Column("mobile", cells.yes_no, default=False),
        *(Column(name, cells.text(_length(College, "name")), default="") for name in COLLEGE_NAME_COLUMNS),
        *(Column(name, cells.text(_length(Program, "title")), default="") for name in PROGRAM_TITLE_COLUMNS),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._colleges: dict[str, College] = {}

    def check_row(self, row: Row, problems: Problems) -> None:
        v = row.values
        if v.get("intake_date") and v.get("graduation_date") and v["intake_date"] > v["graduation_date"]:
            problems.add(
                row.number, "intake_date",
                _("intake_date (%(intake)s) is after graduation_date (%(graduation)s).")
                % {"intake": v["intake_date"], "graduation": v["graduation_date"]},
            )

    def check_rows(self, rows: list[Row], problems: Problems) -> None:
        programs: dict[tuple[str, str], Row] = {}
        colleges: dict[str, Row] = {}
        cohorts: dict[tuple[str, str, Any], int] = {}
        for row in rows:
            v = row.values
            if "college_code" not in v or "program_code" not in v:
                continue
            key = (v["college_code"], v["program_code"])
            first = programs.setdefault(key, row)
            if first is not row:
                for column in PROGRAM_COLUMNS:
                    if column in v and column in first.values and (
                        _comparable(column, v[column]) != _comparable(column, first.values[column])
                    ):
                        problems.add(
                            row.number, column,
                            _("Program %(program)s: %(value)s here, but %(first)s in row %(row)s; "
                              "all rows of a program must agree on its %(column)s.")
                            % {"program": "/".join(key), "value": _show(v[column]), "first": _show(first.values[column]),
                               "row": first.number, "column": column},
                        )
            college_first = colleges.setdefault(v["college_code"], row)
            for column in COLLEGE_COLUMNS + COLLEGE_NAME_COLUMNS:
                mine, theirs = v.get(column), college_first.values.get(column)
                if mine and theirs and mine != theirs:
                    problems.add(
                        row.number, column,
                        _("College %(college)s: %(value)s here, but %(first)s in row %(row)s.")
                        % {"college": v["college_code"], "value": mine, "first": theirs, "row": college_first.number},
                    )
            if v.get("intake_date"):
                cohort_key = (*key, v["intake_date"])
                if cohort_key in cohorts:
                    problems.add(
                        row.number, "intake_date",
                        _("Duplicate of row %(row)s: program %(program)s already has a cohort starting %(date)s in this file.")
                        % {"row": cohorts[cohort_key], "program": "/".join(key), "date": v["intake_date"]},
                    )
                else:
                    cohorts[cohort_key] = row.number

    def check_database(self, rows: list[Row], problems: Problems) -> None:
        self._check_colleges(rows, problems)
        self._check_codes(
            rows, problems, "occupation_codes",
            set(Occupation.objects.filter(level=Occupation.Level.UNIT, code__in=self._all(rows, "occupation_codes"))
                .values_list("code", flat=True)),
            _("Unknown ISCO-08 unit group(s): %(codes)s."),
        )
        self._check_codes(
            rows, problems, "serves_regions",
            set(Region.objects.filter(code__in=self._all(rows, "serves_regions")).values_list("code", flat=True)),
            _("Unknown region(s): %(codes)s."),
        )

    @staticmethod
    def _all(rows: list[Row], column: str) -> set[str]:
        return {code for row in rows for code in row.values.get(column) or []}

    @staticmethod
    def _check_codes(rows, problems, column, known: set[str], message: str) -> None:
        for row in rows:
            unknown = [code for code in row.values.get(column) or [] if code not in known]
            if unknown:
                problems.add(row.number, column, message % {"codes": ", ".join(unknown)})

    def _check_colleges(self, rows: list[Row], problems: Problems) -> None:
        codes = {row.values["college_code"] for row in rows if "college_code" in row.values}
        self._colleges = {c.code: c for c in College.objects.filter(code__in=codes)}
        admin = self.user is None or is_admin(self.user)
        mine: set[int] = set()
        if not admin and self.user.has_role(Role.COLLEGE_STAFF):
            mine = set(College.objects.filter(staff=self.user).values_list("pk", flat=True))
        new_checked: set[str] = set()
        # The colleges some row names / places, in one pass: scanning the file once per new college
        # was quadratic (a file of 100,000 rows, each a different new college: ~40 minutes).
        given = {
            column: {r.values["college_code"] for r in rows if "college_code" in r.values and r.values.get(column)}
            for column in COLLEGE_COLUMNS
        }
        for row in rows:
            code = row.values.get("college_code")
            if code is None:
                continue
            college = self._colleges.get(code)
            if college is not None:
                if not admin and college.pk not in mine:
                    problems.add(
                        row.number, "college_code",
                        _("You are not staff of college %(code)s; you may only import programs of your own colleges.")
                        % {"code": code},
                    )
                continue
            if not admin:
                problems.add(
                    row.number, "college_code",
                    _("Unknown college %(code)s; only administrators can create colleges.") % {"code": code},
                )
                continue
            if code in new_checked:
                continue
            new_checked.add(code)
            # A new college: some row of it must give the name and the country.
            for column in COLLEGE_COLUMNS:
                if code not in given[column]:
                    problems.add(
                        row.number, column,
                        _("College %(code)s is new: give its %(column)s.") % {"code": code, "column": column},
                    )

    def write(self, rows: list[Row]) -> dict[str, Any]:
        result = summary(
            created={"colleges": 0, "programs": 0, "cohorts": 0},
            updated={"programs": 0, "cohorts": 0},
            unchanged={"programs": 0, "cohorts": 0},
        )
        user = self.user
        occupations = {o.code: o for o in Occupation.objects.filter(code__in=self._all(rows, "occupation_codes"))}
        regions = {r.code: r for r in Region.objects.filter(code__in=self._all(rows, "serves_regions"))}
        programs: dict[tuple[str, str], Program] = {}
        # A new college's name and country: the first row of it that gives them (one pass, not one
        # scan of the file per new college).
        college_fields: dict[str, dict[str, Any]] = {}
        for row in rows:
            fields = college_fields.setdefault(row.values["college_code"], {})
            for column in COLLEGE_COLUMNS + COLLEGE_NAME_COLUMNS:
                if column not in fields and row.values.get(column):
                    fields[column] = row.values[column]
        try:
            for row in rows:
                v = row.values
                college = self._college(v, college_fields, result)
                key = (college.code, v["program_code"])
                if key not in programs:
                    programs[key] = self._program(college, v, occupations, regions, result)
                self._cohort(programs[key], v, result)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise ImportRejected([Problem(row.number, None, m) for m in messages]) from exc
        return result

    def _college(self, v: dict, college_fields: dict[str, dict[str, Any]], result: dict) -> College:
        code = v["college_code"]
        college = self._colleges.get(code)
        if college is None:
            college = services.college_create(
                user=self.user,
                code=code,
                name=college_fields[code]["college_name"],
                country=college_fields[code]["country"],
                name_translations=_translations(
                    college_fields[code]["college_name"], college_fields[code], COLLEGE_NAME_COLUMNS),
            )
            self._colleges[code] = college
            result["created"]["colleges"] += 1
        return college

    def _program(self, college: College, v: dict, occupations, regions, result: dict) -> Program:
        fields = {
            "title": v["program_title"],
            "sector": v.get("sector", ""),
            "languages": v["languages"],
            "certifications": v.get("certifications", []),
        }
        if "mobile" in self.present:  # a file without the column leaves existing programs' flag alone
            fields["mobile"] = v.get("mobile", False)
        if self.present.intersection(PROGRAM_TITLE_COLUMNS):  # likewise the title's translations
            fields["title_translations"] = _translations(v["program_title"], v, PROGRAM_TITLE_COLUMNS)
        wanted_occupations = [occupations[c] for c in v["occupation_codes"]]
        wanted_regions = [regions[c] for c in v.get("serves_regions", [])]
        program = Program.objects.filter(college=college, code=v["program_code"]).first()
        if program is None:
            result["created"]["programs"] += 1
            return services.program_create(
                college=college, code=v["program_code"], occupations=wanted_occupations,
                serves_regions=wanted_regions, user=self.user, **fields,
            )
        # serves_regions absent from the header leaves the program's regions alone.
        keep_regions = "serves_regions" not in self.present
        same = (
            all(getattr(program, name) == value for name, value in fields.items())
            and set(program.occupations.values_list("code", flat=True)) == set(v["occupation_codes"])
            and (keep_regions or set(program.serves_regions.values_list("code", flat=True)) == set(v["serves_regions"]))
        )
        if same:
            result["unchanged"]["programs"] += 1
            return program
        result["updated"]["programs"] += 1
        return services.program_update(
            program=program, occupations=wanted_occupations,
            serves_regions=None if keep_regions else wanted_regions, user=self.user, **fields,
        )

    def _cohort(self, program: Program, v: dict, result: dict) -> None:
        cohort = Cohort.objects.filter(program=program, intake_date=v["intake_date"]).first()
        if cohort is None:
            services.cohort_create(
                program=program, user=self.user, seats=v["seats"], intake_date=v["intake_date"],
                graduation_date=v["graduation_date"],
            )
            result["created"]["cohorts"] += 1
        elif cohort.seats != v["seats"] or cohort.graduation_date != v["graduation_date"]:
            services.cohort_update(cohort=cohort, user=self.user, seats=v["seats"], graduation_date=v["graduation_date"])
            result["updated"]["cohorts"] += 1
        else:
            result["unchanged"]["cohorts"] += 1
