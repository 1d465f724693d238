"""Read side of gap review and the project repository: querysets scoped to a user, evidence, results.

Lists are scoped here (core.permissions), never by object checks alone. Results (pass rate,
employment rate, income change, skill appreciation) are computed by projects.results from
figures loaded in bulk (`results_by_project`); the repository list sorts by the copies that
services.project_results_refresh stores on each project.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Case, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from core.permissions import college_ids_for, region_ids_for, sees_everything
from core.quarters import Quarter
from gaps.models import ExchangeRate, Gap, GapReportLine, ReportStatus

from .models import CohortOutcome, CooperationProject, GapDecision, ProjectCondition
from .results import EMPLOYMENT_WINDOW_DAYS, MissingExchangeRate, OutcomeFigures, RateTable, Results, results_chain

MONEY = DecimalField(max_digits=24, decimal_places=8)


# --- Rates --------------------------------------------------------------------------------------


def rate_table(currencies: Iterable[str]) -> RateTable:
    """Every stored rate of the given currencies (the table is small: one row per currency and day)."""
    table = RateTable()
    wanted = {c for c in currencies if c and c != "CNY"}
    if wanted:
        for currency, day, rate in ExchangeRate.objects.filter(currency__in=wanted).values_list(
            "currency", "date", "rate_to_cny"
        ):
            table.add(currency, day, rate)
    return table


# --- Review queue -------------------------------------------------------------------------------


def gaps_visible_to(user) -> QuerySet:
    regions = region_ids_for(user)
    gaps = Gap.objects.all()
    return gaps if regions is None else gaps.filter(region_id__in=regions)


def review_queue(*, user, quarter: str) -> QuerySet:
    """Active, undecided gaps of a quarter: new on the list first (the express lane), then by
    shortfall x salary (the midpoint of the CNY salary range)."""
    Quarter.parse(quarter)  # ValueError on a bad quarter: the view answers 400
    salary = Case(
        When(salary_min_cny__isnull=False, salary_max_cny__isnull=False,
             then=(F("salary_min_cny") + F("salary_max_cny")) / 2),
        default=Coalesce("salary_max_cny", "salary_min_cny", Value(Decimal(0))),
        output_field=MONEY,
    )
    return (
        gaps_visible_to(user)
        .filter(quarter=quarter, is_active=True)
        .exclude(Exists(GapDecision.objects.filter(gap=OuterRef("pk"))))
        .select_related("region", "occupation")
        .annotate(priority=ExpressionWrapper(F("shortfall") * salary, output_field=MONEY))
        .order_by("-new_on_list", F("priority").desc(nulls_last=True), "pk")
    )


def _line_need_date(line: GapReportLine) -> dt.date:
    return line.season_start or Quarter.parse(line.report.quarter).start


def _matching_rows(model_name: str, gaps: list[Gap]) -> dict[int, list[dict]]:
    """Flags or recommendations of the gaps' (region, quarter, occupation) in each quarter's current run.

    The matching models (issue 3) are read through their contract fields (quarter, region_code,
    occupation_code, target_occupation_code, run); until they exist every gap gets an empty list.
    A flag about a cohort that could retool to the gap's occupation (MISDIRECTED_SUPPLY) counts
    through its target occupation.
    """
    import gaps.models as gap_models

    model = getattr(gap_models, model_name, None)
    if model is None or not gaps:
        return {}
    names = {f.name for f in model._meta.get_fields()}
    if not {"quarter", "region_code", "occupation_code"} <= names:
        return {}
    quarters = {g.quarter for g in gaps}
    query = model.objects.filter(quarter__in=quarters, region_code__in={g.region.code for g in gaps})
    current = getattr(gap_models, "QuarterResults", None)
    if "run" in names and current is not None:
        query = query.filter(
            run_id__in=current.objects.filter(quarter__in=quarters, current_run__isnull=False).values("current_run_id")
        )
    occupations = {g.occupation_id for g in gaps}
    by_target = "target_occupation_code" in names
    if by_target:
        query = query.filter(Q(occupation_code__in=occupations) | Q(target_occupation_code__in=occupations))
    else:
        query = query.filter(occupation_code__in=occupations)
    index: dict[tuple, list[dict]] = defaultdict(list)
    for row in query.order_by("pk"):
        codes = {row.occupation_code}
        if by_target and row.target_occupation_code:
            codes.add(row.target_occupation_code)
        for code in codes:
            index[(row.quarter, row.region_code, code)].append(_as_json(row))
    return {g.pk: index.get((g.quarter, g.region.code, g.occupation_id), []) for g in gaps}


def _as_json(row) -> dict:
    for method in ("as_json", "to_json", "as_dict"):
        if callable(getattr(row, method, None)):
            return getattr(row, method)()
    data = {}
    for f in row._meta.concrete_fields:
        if f.is_relation or f.name in ("id", "run"):
            continue
        data[f.name] = _plain(getattr(row, f.attname))
    detail = getattr(row, "detail", None)
    if isinstance(detail, str):
        data["detail"] = detail
    return data


def gap_evidence(gaps: list[Gap]) -> dict[int, dict]:
    """What a reviewer decides on, for a page of gaps at once.

    - report lines: the submitted reports' lines of the gap's region, quarter and occupation, with
      the salary in the original currency and in CNY at the line's need date (a missing rate shows
      as an error on the line, never as zero);
    - flags and recommendations of matching, when available;
    - candidate colleges: programs that train the occupation and serve the region.
    """
    if not gaps:
        return {}
    from training.models import Program

    lines = list(
        GapReportLine.objects.filter(
            report__status=ReportStatus.SUBMITTED,
            report__quarter__in={g.quarter for g in gaps},
            report__region_id__in={g.region_id for g in gaps},
            occupation_id__in={g.occupation_id for g in gaps},
        )
        .select_related("report")
        .order_by("report_id", "line_no")
    )
    rates = rate_table(line.currency for line in lines)
    lines_by_key: dict[tuple, list[dict]] = defaultdict(list)
    for line in lines:
        need = _line_need_date(line)
        entry = {
            "report_id": line.report_id,
            "line_no": line.line_no,
            "occupation_title": line.occupation_title,
            "headcount": line.headcount,
            "salary_min": str(line.salary_min),
            "salary_max": str(line.salary_max),
            "currency": line.currency,
            "salary_min_cny": None,
            "salary_max_cny": None,
            "rate_date": need.isoformat(),
            "season_start": line.season_start.isoformat() if line.season_start else None,
            "season_end": line.season_end.isoformat() if line.season_end else None,
            "certification": line.certification,
            "languages": line.languages,
            "note": line.note,
            "error": None,
        }
        try:
            entry["salary_min_cny"] = str(rates.to_cny(line.salary_min, line.currency, need).quantize(Decimal("0.01")))
            entry["salary_max_cny"] = str(rates.to_cny(line.salary_max, line.currency, need).quantize(Decimal("0.01")))
        except MissingExchangeRate as exc:
            entry["error"] = str(exc)
        lines_by_key[(line.report.region_id, line.report.quarter, line.occupation_id)].append(entry)

    programs = (
        Program.objects.filter(occupations__in={g.occupation_id for g in gaps})
        .select_related("college")
        .prefetch_related("serves_regions", "occupations")
        .distinct()
    )
    candidates: dict[tuple, list[dict]] = defaultdict(list)
    for program in programs:
        served = {r.pk for r in program.serves_regions.all()}
        for code in {o.pk for o in program.occupations.all()}:
            candidates[(code, frozenset(served))].append(
                {
                    "college_id": program.college_id,
                    "college_code": program.college.code,
                    "college_name": program.college.name,
                    "country": program.college.country,
                    "program_id": program.pk,
                    "program_code": program.code,
                    "program_title": program.title,
                    "languages": program.languages,
                    "certifications": program.certifications,
                }
            )
    flags = _matching_rows("Flag", gaps)
    recommendations = _matching_rows("Recommendation", gaps)
    evidence = {}
    for gap in gaps:
        colleges = [
            item
            for (code, served), items in candidates.items()
            if code == gap.occupation_id and (not served or gap.region_id in served)
            for item in items
        ]
        evidence[gap.pk] = {
            "report_lines": lines_by_key.get((gap.region_id, gap.quarter, gap.occupation_id), []),
            "flags": flags.get(gap.pk, []),
            "recommendations": recommendations.get(gap.pk, []),
            "candidate_colleges": sorted(colleges, key=lambda c: (c["college_code"], c["program_code"])),
        }
    return evidence


# --- Projects -----------------------------------------------------------------------------------


def projects_visible_to(user) -> QuerySet:
    """Reviewers and admins: every project. Officials: projects on gaps of their regions.
    College staff: projects naming their colleges (lead, partner, or through a program)."""
    projects = CooperationProject.objects.all()
    if sees_everything(user):
        return projects
    regions = region_ids_for(user)
    colleges = college_ids_for(user)
    through = CooperationProject.gaps.through
    return projects.filter(
        Exists(through.objects.filter(cooperationproject_id=OuterRef("pk"), gap__region_id__in=regions))
        | Q(lead_college_id__in=colleges)
        | Exists(
            CooperationProject.partner_colleges.through.objects.filter(
                cooperationproject_id=OuterRef("pk"), college_id__in=colleges
            )
        )
        | Exists(
            CooperationProject.programs.through.objects.filter(
                cooperationproject_id=OuterRef("pk"), program__college_id__in=colleges
            )
        )
    )


def with_overdue(projects: QuerySet, today: dt.date | None = None) -> QuerySet:
    return projects.annotate(
        overdue=Exists(ProjectCondition.objects.overdue(today).filter(project_id=OuterRef("pk")))
    )


def project_list(*, user, today: dt.date | None = None, detail: bool = False) -> QuerySet:
    """The repository as a user sees it; pass_rate, employment_rate and income_change_pct are
    the stored results (services.project_results_refresh), so sorting by them is a plain index scan."""
    # Relations are prefetched for the page rather than joined: the sort then runs on the project
    # table alone (a top-N sort), and each relation is one small query per page.
    projects = with_overdue(projects_visible_to(user), today).prefetch_related(
        "origin_gap__region", "origin_gap__occupation", "lead_college", "partner_colleges", "programs__college"
    )
    if detail:
        projects = projects.prefetch_related(
            "owner", "decision__decided_by", "gaps", "conditions__created_by", "conditions__supplemented_by", "outcomes"
        )
    return projects


def outcome_figures(outcomes: Iterable[CohortOutcome]) -> list[OutcomeFigures]:
    """Plain figures of outcomes loaded with cohort and project__origin_gap__region."""
    figures = []
    for o in outcomes:
        figures.append(
            OutcomeFigures(
                enrolled=o.enrolled,
                completed=o.completed,
                passed=o.passed_assessment,
                employed=o.employed_6m,
                income_before=o.income_before,
                income_after=o.income_after,
                currency=o.income_currency,
                before_on=o.income_before_on or o.cohort.intake_date,
                after_on=o.income_after_on or o.cohort.graduation_date + dt.timedelta(days=EMPLOYMENT_WINDOW_DAYS),
                wage_growth_pct=o.project.origin_gap.region.avg_wage_growth_pct,
            )
        )
    return figures


def _outcomes_of(project_ids) -> list[CohortOutcome]:
    return list(
        CohortOutcome.objects.filter(project_id__in=project_ids).select_related(
            "cohort", "project__origin_gap__region"
        )
    )


def results_by_project(project_ids: Iterable[int]) -> dict[int, Results]:
    """The results chain of each project, for a page of projects in two queries."""
    ids = list(project_ids)
    outcomes = _outcomes_of(ids)
    rates = rate_table(o.income_currency for o in outcomes)
    grouped: dict[int, list[CohortOutcome]] = defaultdict(list)
    for o in outcomes:
        grouped[o.project_id].append(o)
    return {pk: results_chain(outcome_figures(grouped.get(pk, [])), rates) for pk in ids}


def aggregate_results(projects: QuerySet) -> Results:
    """The results chain over every cohort of the given projects together."""
    outcomes = _outcomes_of(projects.values("pk"))
    return results_chain(outcome_figures(outcomes), rate_table(o.income_currency for o in outcomes))


# --- Audit --------------------------------------------------------------------------------------

HISTORY_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


def _history_entries(kind: str, records) -> list[dict]:
    entries = []
    for record in records:
        changes = []
        previous = record.prev_record
        if previous is not None:
            for change in record.diff_against(previous).changes:
                changes.append({"field": change.field, "old": _plain(change.old), "new": _plain(change.new)})
        entries.append(
            {
                "object": kind,
                "object_id": record.id,
                "action": HISTORY_KINDS.get(record.history_type, record.history_type),
                "at": record.history_date.isoformat(),
                "by": record.history_user.username if record.history_user else None,
                "changes": changes,
            }
        )
    return entries


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):  # m2m changes: a list of through-row dicts
        return [str(v) for v in value]
    return value


def project_history(project: CooperationProject) -> list[dict]:
    """Who changed what and when, newest first: the project, its approval, conditions and outcomes."""
    entries = _history_entries("project", project.history.select_related("history_user"))
    entries += _history_entries(
        "decision", GapDecision.history.filter(id=project.decision_id).select_related("history_user")
    )
    entries += _history_entries(
        "condition", ProjectCondition.history.filter(project_id=project.pk).select_related("history_user")
    )
    entries += _history_entries(
        "outcome", CohortOutcome.history.filter(project_id=project.pk).select_related("history_user")
    )
    return sorted(entries, key=lambda e: e["at"], reverse=True)
