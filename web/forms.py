"""Forms of the web pages. They parse and check input; the services do the writing."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import text
from core.choices import Sector
from core.codes import validate_code
from core.dates import BoundedDateFormField
from gaps.models import Occupation
from web.filters import order_by_name, order_colleges_by_name, order_regions_by_name

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
CODE_RE = re.compile(r"^\d{4}$")
# A region's usual currency, to prefill the form; any ISO 4217 code is accepted.
DEFAULT_CURRENCY_BY_COUNTRY = {"KZ": "KZT", "CN": "CNY", "RU": "RUB", "KG": "KGS", "UZ": "UZS"}
MAX_HEADCOUNT = 100_000


class CodeChoicesField(forms.MultipleChoiceField):
    """Codes ticked by name from a list (checkboxes: "Kazakh (kk)"), the list being the known ones
    and whatever the record already holds. What a script posts as one "kk;ru" string is read too,
    and a well-formed code that is not listed is kept; a malformed one is named in the error."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, pattern: re.Pattern, bad_message, normalise=str.strip, **kwargs):
        self.pattern, self.bad_message, self.normalise = pattern, bad_message, normalise
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        values = [value] if isinstance(value, str) else value
        parts = (part.strip() for v in values for part in re.split(r"[;,\s]+", str(v)))
        return list(dict.fromkeys(self.normalise(part) for part in parts if part))

    def validate(self, value) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        bad = [code for code in value if not self.pattern.match(code)]
        if bad:
            raise ValidationError(str(self.bad_message) % {"codes": ", ".join(bad)}, code="invalid")


class CodeSelectField(forms.ChoiceField):
    """One code chosen by name from a list (a select), the list being the known ones and the record's;
    a well-formed code posted that is not listed is kept as well."""

    def __init__(self, *, pattern: re.Pattern, bad_message, **kwargs):
        self.pattern, self.bad_message = pattern, bad_message
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        return (value or "").strip()

    def validate(self, value) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if value and not self.pattern.match(value):
            raise ValidationError(str(self.bad_message) % {"codes": value}, code="invalid")


CERTIFICATION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _held(form: forms.Form, name: str) -> list[str]:
    """The codes a choice field must list beside the known ones: the record's (initial) and, on a
    form sent back, what was posted, so that nothing ticked disappears from the page."""
    values = form.initial.get(name) or []
    values = [values] if isinstance(values, str) else list(values)
    if form.is_bound:
        values += form.data.getlist(form.add_prefix(name)) if hasattr(form.data, "getlist") else [form.data.get(name, "")]
    return [part.strip() for v in values for part in re.split(r"[;,\s]+", str(v or "")) if part.strip()]


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]


def language_choices(held=()) -> list[tuple[str, str]]:
    """The languages of the region's cooperation, then any other the record holds: "Kazakh (kk)",
    named in the reader's language (capitalised: a label, not a word inside a sentence)."""
    codes = list(dict.fromkeys([*text.LANGUAGE_NAMES, *(c.lower() for c in held if LANGUAGE_RE.match(c.lower()))]))
    return [(code, text.label(_capitalised(text.language_name(code)), code)) for code in codes]


def certification_choices(held=()) -> list[tuple[str, str]]:
    codes = list(dict.fromkeys([*text.CERTIFICATION_NAMES, *(c for c in held if CERTIFICATION_RE.match(c))]))
    return [(code, text.certification_label(code)) for code in codes]


class DateInput(forms.DateInput):
    # The browser's date picker always exchanges ISO dates, whatever the page's language.
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ReportLineForm(forms.Form):
    """One line of a gap report, as an official types it.

    The occupation is either picked from the search list (a unit-group code in the hidden
    `occupation_code`), typed as a 4-digit ISCO-08 code, or typed as a title: a title that the
    multilingual search codes with confidence gets its unit group, any other is kept as an
    uncoded line for an official to code later (SPEC.md, UNCODED_OCCUPATION).
    """

    occupation_query = forms.CharField(
        label=_("Occupation"),
        max_length=300,
        help_text=_("Type a title in any of the four languages or a 4-digit ISCO-08 code, then pick from the list."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    occupation_code = forms.CharField(required=False, max_length=4, widget=forms.HiddenInput)
    sector = forms.ChoiceField(
        label=_("Sector (ISIC section)"), required=False, choices=[("", _("(not specified)"))] + Sector.choices
    )
    headcount = forms.IntegerField(
        label=_("Workers needed"), min_value=1, max_value=MAX_HEADCOUNT, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    salary_min = forms.DecimalField(label=_("Monthly salary from"), min_value=0, max_digits=14, decimal_places=2)
    salary_max = forms.DecimalField(label=_("Monthly salary to"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, min_length=3, help_text=_("ISO 4217 code, e.g. KZT, CNY, USD."),
        error_messages={"min_length": _("Enter a three-letter ISO 4217 currency code, such as KZT."),
                        "max_length": _("Enter a three-letter ISO 4217 currency code, such as KZT.")},
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 4}),
    )
    season_start = BoundedDateFormField(label=_("Needed from"), required=False, widget=DateInput)
    season_end = BoundedDateFormField(label=_("Needed until"), required=False, widget=DateInput)
    certification = CodeSelectField(
        label=_("Required certification"), required=False, pattern=CERTIFICATION_RE,
        bad_message=_("Not a certification code: %(codes)s."),
    )
    languages = CodeChoicesField(
        label=_("Required languages"), required=False, pattern=LANGUAGE_RE, normalise=str.lower,
        help_text=_("Any of those ticked will do; none ticked: no language is required."),
        bad_message=_("Not ISO 639-1 language codes: %(codes)s. Use two letters, e.g. kk;ru."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        if region is not None and not self.is_bound:
            self.fields["currency"].initial = DEFAULT_CURRENCY_BY_COUNTRY.get(region.country, "")
        self.fields["languages"].choices = language_choices(_held(self, "languages"))
        self.fields["certification"].choices = [("", _("None required")),
                                                *certification_choices(_held(self, "certification"))]

    def clean_currency(self) -> str:
        value = self.cleaned_data["currency"].strip().upper()
        if not CURRENCY_RE.match(value):
            raise ValidationError(gettext("Enter a three-letter ISO 4217 currency code, such as KZT."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("salary_min"), data.get("salary_max")
        if low is not None and high is not None and low > high:
            self.add_error("salary_max", gettext("The upper salary must not be below the lower one."))
        start, end = data.get("season_start"), data.get("season_end")
        if start and end and start > end:
            self.add_error("season_end", gettext("The season must not end before it starts."))
        if "occupation_query" in data:
            self._resolve_occupation(data)
        return data

    def _resolve_occupation(self, data: dict[str, Any]) -> None:
        query = data["occupation_query"].strip()
        code = (data.get("occupation_code") or "").strip() or (query if CODE_RE.match(query) else "")
        data["occupation"] = None
        data["occupation_title"] = ""
        data["coding_confidence"] = None
        if code:
            occupation = Occupation.objects.filter(code=code, level=Occupation.Level.UNIT).first()
            if occupation is None:
                self.add_error(
                    "occupation_query",
                    gettext("%(code)s is not an ISCO-08 unit group. Pick an occupation from the list.") % {"code": code},
                )
                return
            data["occupation"] = occupation
            return
        data["occupation_title"] = query
        try:
            from gaps.search import code_title

            resolved, confidence = code_title(query)
        except NotImplementedError:  # the title search is not installed yet: keep the line uncoded
            return
        data["coding_confidence"] = confidence
        if resolved and confidence >= settings.OCCUPATION_CODING_THRESHOLD:
            data["occupation"] = Occupation.objects.filter(code=resolved, level=Occupation.Level.UNIT).first()

    def line_fields(self) -> dict[str, Any]:
        """Keyword arguments for gaps.services.report_line_add."""
        data = self.cleaned_data
        names = (
            "occupation", "occupation_title", "coding_confidence", "sector", "headcount", "salary_min",
            "salary_max", "currency", "season_start", "season_end", "certification", "languages", "note",
        )
        return {name: data.get(name) for name in names} | {
            "sector": data.get("sector") or "",
            "certification": (data.get("certification") or "").strip(),
            "note": (data.get("note") or "").strip(),
        }

    # Service errors name model fields; show them next to the matching inputs.
    FIELD_FOR_MODEL_FIELD = {"occupation": "occupation_query", "occupation_title": "occupation_query"}

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                target = self.FIELD_FOR_MODEL_FIELD.get(name, name)
                for message in messages:
                    self.add_error(target if target in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)


class GapDecisionForm(forms.Form):
    """A reviewer's comment on approving a gap, or the reason for rejecting it (required then:
    projects.services.gap_reject says so, and its message is shown next to this field)."""

    comment = forms.CharField(
        label=_("Comment or reason"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional when approving; a rejection needs its reason."),
    )


class ReportUploadForm(forms.Form):
    """A filled-in report template (XLSX) or a CSV in the same columns."""

    file = forms.FileField(
        label=_("Filled-in template (XLSX or CSV)"),
        help_text=_("Rows are checked all together: if any has a problem, nothing is imported and every problem is listed by row and column."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    submit = forms.BooleanField(label=_("Submit the report after importing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_FILE_BYTES
        if upload.size > limit:
            raise ValidationError(
                gettext("The file is %(size)s bytes; the limit is %(limit)s bytes.") % {"size": upload.size, "limit": limit}
            )
        return upload


def _split_codes(raw: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in re.split(r"[;,\s]+", raw or "") if part.strip()))


class ProgramForm(forms.Form):
    """A program of one of the user's colleges; training.services validates and writes it."""

    college = forms.ModelChoiceField(label=_("College"), queryset=None, empty_label=None)
    code = forms.CharField(label=_("Program code"), max_length=64, validators=[validate_code])
    title = forms.CharField(label=_("Title"), max_length=255)
    occupation_codes = forms.CharField(
        label=_("Occupations trained"), max_length=200,
        help_text=_("Find each occupation by its title below and add it, or type 4-digit ISCO-08 codes "
                    "separated by semicolons."),
    )
    sector = forms.ChoiceField(
        label=_("Sector (ISIC section)"), required=False, choices=[("", _("(not specified)"))] + Sector.choices
    )
    languages = CodeChoicesField(
        label=_("Languages of instruction"), pattern=LANGUAGE_RE, normalise=str.lower,
        bad_message=_("Not ISO 639-1 language codes: %(codes)s. Use two letters, e.g. kk;ru."),
        error_messages={"required": _("Tick at least one language of instruction.")},
    )
    certifications = CodeChoicesField(
        label=_("Certifications prepared for"), required=False, pattern=CERTIFICATION_RE,
        bad_message=_("Not a certification code: %(codes)s."),
    )
    serves_regions = forms.ModelMultipleChoiceField(
        label=_("Regions served"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the program serves every region."),
    )

    def __init__(self, *args, colleges=None, program=None, **kwargs):
        from gaps.models import Region

        if program is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "college": program.college_id, "code": program.code, "title": program.title,
                "occupation_codes": ";".join(o.code for o in program.occupations.order_by("code")),
                "sector": program.sector, "languages": list(program.languages),
                "certifications": list(program.certifications),
                "serves_regions": list(program.serves_regions.values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)
        self.fields["college"].queryset = colleges
        order_colleges_by_name(self.fields["college"])
        self.fields["college"].label_from_instance = lambda college: text.label(college.display_name, college.code)
        self.fields["serves_regions"].queryset = Region.objects.all()
        order_regions_by_name(self.fields["serves_regions"])
        self.fields["serves_regions"].label_from_instance = lambda region: f"{region.name} ({region.code})"
        if program is not None:  # a program's college never changes (training.services)
            self.fields["college"].disabled = True
        self.fields["languages"].choices = language_choices(_held(self, "languages"))
        self.fields["certifications"].choices = certification_choices(_held(self, "certifications"))

    def clean_occupation_codes(self) -> list:
        codes = _split_codes(self.cleaned_data["occupation_codes"])
        found = Occupation.objects.in_bulk(codes)
        wrong = [code for code in codes if code not in found or found[code].level != Occupation.Level.UNIT]
        if wrong:
            raise ValidationError(
                gettext("Not ISCO-08 unit groups: %(codes)s. Use 4-digit codes such as 7515.") % {"codes": ", ".join(wrong)}
            )
        if not codes:
            raise ValidationError(gettext("A program prepares for at least one occupation."))
        return [found[code] for code in codes]

    def chosen_occupations(self) -> list[Occupation]:
        """The unit groups the field now names (the program's, or what was typed), to show by title."""
        raw = self["occupation_codes"].value() or ""
        codes = _split_codes(raw if isinstance(raw, str) else ";".join(raw))
        found = Occupation.objects.in_bulk([c for c in codes if CODE_RE.match(c)])
        return [found[c] for c in codes if c in found and found[c].level == Occupation.Level.UNIT]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"].strip(), "title": data["title"].strip(), "occupations": data["occupation_codes"],
            "sector": data.get("sector") or "", "languages": data["languages"],
            "certifications": data["certifications"], "serves_regions": list(data["serves_regions"]),
        }

    def add_service_error(self, error: ValidationError) -> None:
        mapping = {"occupations": "occupation_codes"}
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                target = mapping.get(name, name)
                for message in messages:
                    self.add_error(target if target in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)


class CohortForm(forms.Form):
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=100_000)
    intake_date = BoundedDateFormField(label=_("Intake date"), widget=DateInput)
    graduation_date = BoundedDateFormField(label=_("Graduation date"), widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("intake_date") and data.get("graduation_date") and data["intake_date"] > data["graduation_date"]:
            self.add_error("graduation_date", gettext("Graduation cannot come before intake."))
        return data


class ProgramUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Program cohorts file (XLSX or CSV)"),
        help_text=_("The program cohorts exchange format; all rows or nothing, every problem listed by row and column."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ProjectPlanForm(forms.Form):
    """The plan a reviewer supplements after the fast-track approval (projects.services.project_update)."""

    lead_college = forms.ModelChoiceField(label=_("Lead college"), queryset=None, required=False)
    planned_trainees = forms.IntegerField(label=_("Planned trainees"), required=False, min_value=1)
    planned_intake_date = BoundedDateFormField(label=_("Planned intake"), required=False, widget=DateInput)
    budget_amount = forms.DecimalField(label=_("Budget"), required=False, min_value=0, max_digits=16, decimal_places=2)
    budget_currency = forms.CharField(label=_("Currency"), required=False, max_length=3,
                                      help_text=_("ISO 4217 code, e.g. KZT, CNY, USD."))
    funding_source = forms.ChoiceField(label=_("Funding source"), required=False)
    programs = forms.ModelMultipleChoiceField(
        label=_("Programs"), queryset=None, required=False,
        help_text=_("The programs that train the project's cohorts; their cohorts' outcomes are recorded below."),
    )

    def __init__(self, *args, project=None, **kwargs):
        from projects.choices import FundingSource
        from training.models import College

        if project is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "lead_college": project.lead_college_id, "planned_trainees": project.planned_trainees,
                "planned_intake_date": project.planned_intake_date, "budget_amount": project.budget_amount,
                "budget_currency": project.budget_currency, "funding_source": project.funding_source,
                "programs": list(project.programs.values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)
        self.fields["lead_college"].queryset = College.objects.all()
        order_colleges_by_name(self.fields["lead_college"])
        self.fields["lead_college"].label_from_instance = lambda college: text.label(college.display_name, college.code)
        self.fields["lead_college"].empty_label = _("(not specified)")
        self.fields["funding_source"].choices = [("", _("(not specified)"))] + FundingSource.choices
        from training.models import Program

        # By the title the reader sees, then the college's name (the same title at two colleges).
        self.fields["programs"].queryset = Program.objects.select_related("college")
        order_by_name(self.fields["programs"], lambda p: f"{p.display_title} — {p.college.display_name}",
                      code=lambda p: f"{p.college.code}/{p.code}")
        # Names first, the codes beside them; the list is tall and full width, so no name is cut off.
        self.fields["programs"].label_from_instance = (
            lambda p: f"{p.display_title} — {p.college.display_name} ({p.college.code}/{p.code})")
        self.fields["programs"].widget.attrs["size"] = min(10, max(4, self.fields["programs"].queryset.count()))

    def clean_budget_currency(self) -> str:
        return (self.cleaned_data.get("budget_currency") or "").strip().upper()

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)


class OutcomeForm(forms.Form):
    """One cohort's results (projects.services.outcome_create checks the counts against each other)."""

    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=None, empty_label=_("Choose the cohort"))
    enrolled = forms.IntegerField(label=_("Enrolled"), min_value=0)
    completed = forms.IntegerField(label=_("Completed"), min_value=0)
    passed_assessment = forms.IntegerField(label=_("Passed the assessment"), min_value=0)
    employed_6m = forms.IntegerField(label=_("Employed in 6 months"), min_value=0)
    income_before = forms.DecimalField(label=_("Median monthly income before"), required=False, min_value=0,
                                       max_digits=14, decimal_places=2)
    income_after = forms.DecimalField(label=_("Median monthly income after"), required=False, min_value=0,
                                      max_digits=14, decimal_places=2)
    income_currency = forms.CharField(label=_("Currency"), required=False, max_length=3,
                                      help_text=_("ISO 4217 code, e.g. KZT, CNY, USD."))

    def __init__(self, *args, project=None, **kwargs):
        from training.models import Cohort

        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = (
            Cohort.objects.filter(program__in=project.programs.all()).select_related("program__college")
            .order_by("graduation_date") if project is not None else Cohort.objects.none()
        )
        self.fields["cohort"].label_from_instance = (
            # Names before codes, dates in the reader's style: "Combine harvester operator (HARV-OP),
            # Luban Workshop: 21 Nov 2022 – 17 Sept 2023".
            lambda c: gettext("%(program)s, %(college)s: %(dates)s") % {
                "program": text.label(c.program.display_title, c.program.code),
                "college": c.program.college.display_name,
                "dates": text.format_date_range(c.intake_date, c.graduation_date)}
        )

    def clean_income_currency(self) -> str:
        return (self.cleaned_data.get("income_currency") or "").strip().upper()

    add_service_error = ProjectPlanForm.add_service_error
