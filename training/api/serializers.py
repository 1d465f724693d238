"""Serializers of the training API: validate input and shape output; writes go through training.services.

Mass assignment: a program's college and a cohort's program are fixed once created, and the
timestamps are the database's.
"""

from __future__ import annotations

import functools
import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import with_fixed_timezone
from core.text import in_reader_language, page_language
from gaps.models import Occupation, Region

from ..models import Cohort, College, Program

COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
LANGUAGE_RE = r"^[a-z]{2}$"


class CollegeSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(
        read_only=True, help_text=_("The name in the request's language where a translation exists, else as stored."))

    class Meta:
        model = College
        fields = ["id", "code", "name", "display_name", "country"]

    def validate_country(self, value: str) -> str:
        value = value.strip().upper()
        if not COUNTRY_RE.match(value):
            raise serializers.ValidationError(_("Use an ISO 3166-1 alpha-2 code such as KZ or CN."))
        return value


class ProgramSerializer(serializers.ModelSerializer):
    college = serializers.SlugRelatedField(
        slug_field="code",
        queryset=College.objects.all(),
        help_text=_("College code; fixed once the program exists."),
        error_messages={"does_not_exist": _("No college has the code “{value}”.")},
    )
    college_name = serializers.CharField(source="college.name", read_only=True)
    college_display_name = serializers.CharField(
        source="college.display_name", read_only=True,
        help_text=_("The college's name in the request's language where a translation exists, else as stored."))
    display_title = serializers.CharField(
        read_only=True, help_text=_("The title in the request's language where a translation exists, else as stored."))
    occupations = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Occupation.objects.filter(level=Occupation.Level.UNIT),
        allow_empty=False,
        help_text=_("ISCO-08 unit groups (4 digits) the program prepares for."),
        error_messages={"does_not_exist": _("No ISCO-08 unit group has the code “{pk_value}”.")},
    )
    serves_regions = serializers.SlugRelatedField(
        many=True,
        slug_field="code",
        queryset=Region.objects.all(),
        required=False,
        help_text=_("Region codes; empty means every region."),
        error_messages={"does_not_exist": _("No region has the code “{value}”.")},
    )
    languages = serializers.ListField(
        child=serializers.RegexField(LANGUAGE_RE, error_messages={"invalid": _("Use ISO 639-1 codes such as kk, ru, zh.")}),
        allow_empty=False,
        help_text=_("Languages of instruction (ISO 639-1)."),
    )
    certifications = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    cohort_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "college",
            "college_name",
            "college_display_name",
            "code",
            "title",
            "display_title",
            "occupations",
            "sector",
            "languages",
            "certifications",
            "serves_regions",
            "mobile",
            "cohort_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness of (college, code) is checked in validate() with a message naming the field.
        validators: list = []

    def validate(self, attrs: dict) -> dict:
        college = attrs.get("college") or getattr(self.instance, "college", None)
        code = attrs.get("code", getattr(self.instance, "code", None))
        if college is not None and code:
            clash = Program.objects.filter(college=college, code=code)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError({"code": _("This college already has a program with this code.")})
        for name in ("languages", "certifications"):
            if name in attrs:
                attrs[name] = list(dict.fromkeys(attrs[name]))
        return attrs


class CohortSerializer(serializers.ModelSerializer):
    program = serializers.PrimaryKeyRelatedField(
        queryset=Program.objects.all(), help_text=_("Program id; fixed once the cohort exists.")
    )
    college = serializers.CharField(source="program.college.code", read_only=True)
    program_code = serializers.CharField(source="program.code", read_only=True)
    seats = serializers.IntegerField(min_value=1)

    class Meta:
        model = Cohort
        fields = ["id", "program", "program_code", "college", "seats", "intake_date", "graduation_date", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []

    def validate(self, attrs: dict) -> dict:
        intake = attrs.get("intake_date", getattr(self.instance, "intake_date", None))
        graduation = attrs.get("graduation_date", getattr(self.instance, "graduation_date", None))
        if intake and graduation and intake > graduation:
            raise serializers.ValidationError({"graduation_date": _("graduation_date must be on or after intake_date.")})
        program = attrs.get("program") or getattr(self.instance, "program", None)
        if program is not None and intake:
            clash = Cohort.objects.filter(program=program, intake_date=intake)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError({"intake_date": _("This program already has a cohort with this intake date.")})
        return attrs


class ProgramUpdateSerializer(ProgramSerializer):
    college = serializers.SlugRelatedField(slug_field="code", read_only=True)


class CohortUpdateSerializer(CohortSerializer):
    program = serializers.PrimaryKeyRelatedField(read_only=True)


# --- Plain rows for the list ----------------------------------------------------------------------
# GET programs/ shapes values() rows with program_list_rows instead of running ProgramSerializer per
# program: same JSON (tests/training/test_list_rows.py compares them field by field, in every
# language, with filters and orderings), a fraction of the time. ProgramSerializer stays the schema
# and the shape of retrieve, create and update. Datetimes are formatted by its own field.


@functools.cache
def _timestamp() -> serializers.DateTimeField:
    """ProgramSerializer's own created_at field (it reads the active time zone on each call)."""
    return ProgramSerializer().fields["created_at"]


def _strings(values) -> list:
    """ListField(child=CharField)'s output: each item as a string, None kept."""
    return [None if item is None else str(item) for item in values]


def program_list_rows(rows: list[dict], page: dict) -> list[dict]:
    """ProgramSerializer's output for a page of selectors.program_rows() values, with selectors.program_page()."""
    timestamp = with_fixed_timezone(_timestamp())  # the active time zone, looked up once per page
    language = page_language()
    occupations, regions = page["occupations"], page["regions"]
    return [
        {
            "id": row["id"],
            "college": row["college__code"],
            "college_name": row["college__name"],
            "college_display_name": in_reader_language(
                row["college__name"], row["college__name_translations"], language),
            "code": row["code"],
            "title": row["title"],
            "display_title": in_reader_language(row["title"], row["title_translations"], language),
            "occupations": occupations.get(row["id"], []),
            "sector": row["sector"],
            "languages": _strings(row["languages"]),
            "certifications": _strings(row["certifications"]),
            "serves_regions": regions.get(row["id"], []),
            "mobile": row["mobile"],
            "cohort_count": row["cohort_count"],
            "created_at": timestamp.to_representation(row["created_at"]),
            "updated_at": timestamp.to_representation(row["updated_at"]),
        }
        for row in rows
    ]
