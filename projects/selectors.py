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

from django.db.models import (
    Case, CharField, Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value, When, Window,
)
from django.db.models.functions import Coalesce, Concat, RowNumber

from core.permissions import college_ids_for, region_ids_for, sees_everything
from core.quarters import Quarter
from gaps.models import ExchangeRate, Gap, GapReport, GapReportLine, ReportStatus

from .models import CohortOutcome, CooperationProject, GapDecision, ProjectCondition
from .results import EMPLOYMENT_WINDOW_DAYS, MissingExchangeRate, OutcomeFigures, RateTable, Results, results_chain

MONEY = DecimalField(max_digits=24, decimal_places=8)
CENT = Decimal("0.01")
KEY_SEPARATOR = "|"  # in (quarter, region code, occupation code) keys; none of them contains it


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


def _need_date(season_start: dt.date | None, quarter: str) -> dt.date:
    return season_start or Quarter.parse(quarter).start


# The queue's list shows the first few of each kind of evidence per gap (and how many there are);
# the gap's own page (review/gaps/{id}/) shows all of it. A busy quarter has thousands of flags per
# gap (MISDIRECTED_SUPPLY names every oversupplied cohort nearby): a page of 50 gaps with all of
# them ran to megabytes.
QUEUE_EVIDENCE_PREVIEW = 10

# A gap as GapSummarySerializer shows it, read as values() (the queue and the projects' origin gaps).
GAP_ROW_FIELDS = (
    "id", "quarter", "region__code", "region__name_en", "region__name_ru", "region__name_zh", "region__name_kk",
    "region__country", "occupation_id", "occupation__title_en", "occupation__title_ru", "occupation__title_zh",
    "occupation__title_kk", "headcount", "covered", "shortfall", "salary_min_cny", "salary_max_cny", "need_date",
    "new_on_list", "is_active",
)
# The review queue's page: those, the region id for the evidence, and the priority annotation.
QUEUE_ROW_FIELDS = ("region_id", *GAP_ROW_FIELDS, "priority")

LINE_FIELDS = (
    "report_id", "line_no", "occupation_title", "headcount", "salary_min", "salary_max", "currency", "season_start",
    "season_end", "certification", "languages", "note",
)


def _gap_keys(gaps) -> list[dict]:
    """id, region id and code, quarter and occupation of gaps given as models or as queue rows."""
    keys = []
    for g in gaps:
        if isinstance(g, dict):
            keys.append({"id": g["id"], "region_id": g["region_id"], "region_code": g["region__code"],
                         "quarter": g["quarter"], "occupation_id": g["occupation_id"]})
        else:
            keys.append({"id": g.pk, "region_id": g.region_id, "region_code": g.region.code, "quarter": g.quarter,
                         "occupation_id": g.occupation_id})
    return keys


def _first_per_key(queryset: QuerySet, key: list[str], order: list, limit: int | None) -> QuerySet:
    """Rows annotated with `_n` (their rank within `key`) and `_total` (the count of `key`), the first
    `limit` per key only when a limit is given: the database does the cutting, whatever the volume."""
    if limit is None:
        return queryset.order_by(*order)
    partition = [F(name) for name in key]
    return (
        queryset.annotate(
            _n=Window(RowNumber(), partition_by=partition, order_by=order),
            _total=Window(Count("pk"), partition_by=partition),
        )
        .filter(_n__lte=limit)
        .order_by(*order)
    )


def _evidence_lines(gaps: list[dict], limit: int | None) -> tuple[dict[int, list[dict]], dict[int, int]]:
    """The submitted lines of each gap's (region, quarter, occupation), salaries converted to CNY at
    the need date; the first `limit` per gap by report and line number, and each gap's total."""
    wanted = {(g["region_id"], g["quarter"]) for g in gaps}
    # One submitted report per region and quarter (constraint one_submitted_report_per_region_quarter).
    reports = {
        (region_id, quarter): pk
        for pk, region_id, quarter in GapReport.objects.filter(
            status=ReportStatus.SUBMITTED,
            region_id__in={r for r, _q in wanted},
            quarter__in={q for _r, q in wanted},
        ).values_list("pk", "region_id", "quarter")
        if (region_id, quarter) in wanted
    }
    gap_of = {
        (reports[(g["region_id"], g["quarter"])], g["occupation_id"]): g["id"]
        for g in gaps
        if (g["region_id"], g["quarter"]) in reports
    }
    key = ("report_id", "occupation_id")
    # The reports' lines in the page's occupations (indexed, no per-row OR), cut to the exact keys below.
    query = GapReportLine.objects.filter(
        report_id__in={r for r, _o in gap_of}, occupation_id__in={o for _r, o in gap_of}
    )
    lines = list(_first_per_key(query, list(key), [F("report_id").asc(), F("line_no").asc()], limit).values(
        *key, "report__quarter", *LINE_FIELDS, *(("_total",) if limit is not None else ())
    ))
    rates = rate_table(line["currency"] for line in lines)
    by_gap: dict[int, list[dict]] = defaultdict(list)
    totals: dict[int, int] = {}
    for line in lines:
        gap_id = gap_of.get((line["report_id"], line["occupation_id"]))
        if gap_id is None:  # a report and an occupation of two different gaps
            continue
        need = _need_date(line["season_start"], line["report__quarter"])
        entry = {
            "report_id": line["report_id"],
            "line_no": line["line_no"],
            "occupation_title": line["occupation_title"],
            "headcount": line["headcount"],
            "salary_min": str(line["salary_min"]),
            "salary_max": str(line["salary_max"]),
            "currency": line["currency"],
            "salary_min_cny": None,
            "salary_max_cny": None,
            "rate_date": need.isoformat(),
            "season_start": line["season_start"].isoformat() if line["season_start"] else None,
            "season_end": line["season_end"].isoformat() if line["season_end"] else None,
            "certification": line["certification"],
            "languages": line["languages"],
            "note": line["note"],
            "error": None,
        }
        try:
            entry["salary_min_cny"] = str(rates.to_cny(line["salary_min"], line["currency"], need).quantize(CENT))
            entry["salary_max_cny"] = str(rates.to_cny(line["salary_max"], line["currency"], need).quantize(CENT))
        except MissingExchangeRate as exc:
            entry["error"] = str(exc)
        by_gap[gap_id].append(entry)
        totals[gap_id] = line.get("_total", 0)
    if limit is None:
        totals = {g: len(rows) for g, rows in by_gap.items()}
    return by_gap, totals


def _evidence_candidates(gaps: list[dict], limit: int | None) -> tuple[dict[int, list[dict]], dict[int, int]]:
    """Programs that train each gap's occupation and serve its region (or every region), by college
    and program code; the first `limit` per gap, and each gap's total. One query: gap -> occupation ->
    programs, a program's served regions outer-joined and matched against the gap's region."""
    query = Gap.objects.filter(pk__in=[g["id"] for g in gaps]).filter(
        Q(occupation__programs__isnull=False)
        & (Q(occupation__programs__serves_regions__isnull=True) | Q(occupation__programs__serves_regions=F("region_id")))
    )
    fields = {
        "college_id": "occupation__programs__college_id",
        "college_code": "occupation__programs__college__code",
        "college_name": "occupation__programs__college__name",
        "country": "occupation__programs__college__country",
        "program_id": "occupation__programs__id",
        "program_code": "occupation__programs__code",
        "program_title": "occupation__programs__title",
        "languages": "occupation__programs__languages",
        "certifications": "occupation__programs__certifications",
    }
    order = [F(fields["college_code"]).asc(), F(fields["program_code"]).asc(), F(fields["program_id"]).asc()]
    rows = _first_per_key(query, ["pk"], order, limit).values(
        "pk", *fields.values(), *(("_total",) if limit is not None else ())
    )
    by_gap: dict[int, list[dict]] = defaultdict(list)
    totals: dict[int, int] = {}
    for row in rows:
        by_gap[row["pk"]].append({name: row[column] for name, column in fields.items()})
        totals[row["pk"]] = row.get("_total", 0)
    for gap_id, items in by_gap.items():
        # Code point order, whatever the database's collation.
        items.sort(key=lambda c: (c["college_code"], c["program_code"]))
        if limit is None:
            totals[gap_id] = len(items)
    return by_gap, totals


def _current_runs(quarters) -> list[int]:
    from gaps.models import QuarterResults

    return list(
        QuarterResults.objects.filter(quarter__in=quarters, current_run__isnull=False).values_list(
            "current_run_id", flat=True
        )
    )


def _matching_rows(
    model_name: str, gaps: list[dict], limit: int | None, runs: list[int] | None = None
) -> tuple[dict[int, list[dict]], dict[int, int]]:
    """Flags or recommendations of each gap's (quarter, region, occupation) in the quarter's current
    run, in id order; the first `limit` per gap, and each gap's total. A flag about a cohort that could
    retool to the gap's occupation (MISDIRECTED_SUPPLY) counts through its target occupation: flags
    are read twice, by occupation and by target occupation, and merged."""
    import gaps.models as gap_models

    model = getattr(gap_models, model_name)
    quarters = {g["quarter"] for g in gaps}
    # The current runs' ids as constants, so the planner can match each gap's key against an index.
    runs = runs if runs is not None else _current_runs(quarters)
    current = model.objects.filter(quarter__in=quarters, run_id__in=runs)
    gap_of = {(g["quarter"], g["region_code"], g["occupation_id"]): g["id"] for g in gaps}
    fields = [f for f in model._meta.concrete_fields if not f.is_relation and f.name not in ("id", "run")]
    columns = ["pk", *(f.attname for f in fields), *(("_total",) if limit is not None else ())]
    reads = [("occupation_code", current)]
    if any(f.name == "target_occupation_code" for f in fields):
        reads.append(("target_occupation_code", current.exclude(occupation_code=F("target_occupation_code"))))
    found: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    totals: dict[int, int] = defaultdict(int)
    for code_field, query in reads:
        # The region and occupation lists are implied by the keys; said outright they let the planner
        # use the (run, region_code, occupation or target occupation) indexes instead of reading the
        # whole run. The exact keys are one string
        # per gap compared with `= ANY(list)`, which PostgreSQL hashes: a join against a VALUES
        # list or an OR of conditions is a nested loop whenever a fresh run has no statistics yet.
        query = (
            query.filter(region_code__in={r for _q, r, _o in gap_of}, **{f"{code_field}__in": {o for _q, _r, o in gap_of}})
            .annotate(_key=Concat("quarter", Value(KEY_SEPARATOR), "region_code", Value(KEY_SEPARATOR), code_field,
                                  output_field=CharField()))
            .filter(_key__in=[KEY_SEPARATOR.join(key) for key in gap_of])
        )
        counted = set()
        for row in _first_per_key(query, ["quarter", "region_code", code_field], [F("pk").asc()], limit).values(*columns):
            gap_id = gap_of[(row["quarter"], row["region_code"], row[code_field])]
            found[gap_id].append((row["pk"], _row_json(model, fields, row)))
            if limit is None:
                totals[gap_id] += 1
            elif gap_id not in counted:
                counted.add(gap_id)
                totals[gap_id] += row["_total"]
    rows = {}
    for gap_id, items in found.items():
        items.sort(key=lambda item: item[0])
        rows[gap_id] = [data for _pk, data in items[:limit]]
    return rows, dict(totals)


def _row_json(model, fields, row: dict) -> dict:
    """A flag as SPEC.md's JSON object (Flag.as_json); a recommendation as its plain fields plus detail."""
    from gaps.models import Flag

    if model is Flag:
        from gaps.matching.flags import flag_json

        return flag_json(row, row.get("context") or {})
    from gaps.matching.recommendations import recommendation_detail

    data = {f.name: _plain(row[f.attname]) for f in fields}
    data["detail"] = recommendation_detail(row)
    return data


EVIDENCE_KINDS = ("report_lines", "flags", "recommendations", "candidate_colleges")


def gap_evidence(gaps, *, limit: int | None = None) -> dict[int, dict]:
    """What a reviewer decides on, for a page of gaps (models or queue rows) at once, in six queries
    whatever the page size:

    - report lines: the submitted reports' lines of the gap's region, quarter and occupation, with
      the salary in the original currency and in CNY at the line's need date (a missing rate shows
      as an error on the line, never as zero);
    - flags and recommendations of the quarter's current matching run;
    - candidate colleges: programs that train the occupation and serve the region.

    With a `limit` (the review queue's list), each list holds its first `limit` entries and
    `totals` says how many there are in all; the gap's own page (limit None) shows every one.
    """
    keys = _gap_keys(gaps)
    if not keys:
        return {}
    runs = _current_runs({g["quarter"] for g in keys})
    found = {
        "report_lines": _evidence_lines(keys, limit),
        "flags": _matching_rows("Flag", keys, limit, runs),
        "recommendations": _matching_rows("Recommendation", keys, limit, runs),
        "candidate_colleges": _evidence_candidates(keys, limit),
    }
    evidence = {}
    for g in keys:
        entry = {kind: rows.get(g["id"], []) for kind, (rows, _totals) in found.items()}
        if limit is not None:
            entry["totals"] = {kind: totals.get(g["id"], 0) for kind, (_rows, totals) in found.items()}
        evidence[g["id"]] = entry
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


# The repository list is read as plain rows (values()), not model instances: a page of 50 projects
# with their gap, region, occupation and colleges is three queries (plus the count) and no per-object
# ORM or serializer machinery (projects.api.serializers.project_list_rows shapes them like
# ProjectSerializer). The page query joins only to-one relations, so the sort and LIMIT still run on
# the project table (the `project_results_order` index for the default order).
COLLEGE_ROW_FIELDS = ("id", "code", "name", "country")
PROJECT_ROW_FIELDS = (
    "id", "title", "status", "status_changed_at", "overdue", "pass_rate", "employment_rate", "income_change_pct",
    "skill_appreciation_pct", "results", "planned_trainees", "planned_intake_date", "budget_amount",
    "budget_currency", "funding_source", "approved_at", "lead_college_id",
    *(f"lead_college__{name}" for name in COLLEGE_ROW_FIELDS[1:]),
    *(f"origin_gap__{name}" for name in GAP_ROW_FIELDS),
)


def project_rows(*, user, today: dt.date | None = None) -> QuerySet:
    """The repository as a user sees it, for plain rows: the list view filters, sorts and pages it,
    then reads PROJECT_ROW_FIELDS (and project_page for the to-many relations)."""
    return with_overdue(projects_visible_to(user), today)


def project_page(rows: list[dict]) -> dict[str, dict]:
    """Partner colleges and programs of a page of project rows, two queries whatever the page size,
    each list in the order the serializers' prefetch gives (College and Program ordering)."""
    ids = [row["id"] for row in rows]
    partners: dict[int, list[dict]] = defaultdict(list)
    for row in (
        CooperationProject.partner_colleges.through.objects.filter(cooperationproject_id__in=ids)
        .order_by("college__code", "college_id")
        .values("cooperationproject_id", "college_id", *(f"college__{name}" for name in COLLEGE_ROW_FIELDS[1:]))
    ):
        partners[row["cooperationproject_id"]].append(
            {"id": row["college_id"], "code": row["college__code"], "name": row["college__name"],
             "country": row["college__country"]}
        )
    programs: dict[int, list[dict]] = defaultdict(list)
    for row in (
        CooperationProject.programs.through.objects.filter(cooperationproject_id__in=ids)
        .order_by("program__college__code", "program__code", "program_id")
        .values("cooperationproject_id", "program_id", "program__college__code", "program__code", "program__title")
    ):
        programs[row["cooperationproject_id"]].append(
            {"id": row["program_id"], "college_code": row["program__college__code"], "code": row["program__code"],
             "title": row["program__title"]}
        )
    return {"partners": partners, "programs": programs}


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
