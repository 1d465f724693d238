"""Read side of gap review and the project repository: querysets scoped to a user, evidence, results.

Lists are scoped here (core.permissions), never by object checks alone. Results (pass rate,
employment rate, income change, skill appreciation) are computed by projects.results from
figures loaded in bulk (`results_by_project`); the repository list sorts by the copies that
services.project_results_refresh stores on each project.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from core import text
from core.permissions import college_ids_for, region_ids_for, sees_everything
from core.quarters import Quarter
from gaps import recommendation_dates
from gaps.models import ExchangeRate, Gap, GapReport, GapReportLine, ReportStatus

from .models import CohortOutcome, CooperationProject, GapDecision, ProjectCondition
from .results import EMPLOYMENT_WINDOW_DAYS, MissingExchangeRate, OutcomeFigures, RateTable, Results, results_chain

CENT = Decimal("0.01")


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


def review_queue(*, user, quarter: str, today: dt.date | None = None) -> QuerySet:
    """Active, undecided gaps of a quarter: first those training can still be in time for, then
    those it is too late for this season; within each, new on the list first (the express lane),
    then by shortfall x salary (Gap.priority: the midpoint of the CNY salary range). Each row
    carries `needed_by` (its need date, else the quarter's first day), `act_by` (the last day
    training can start and still finish by then: needed_by minus the shortest training known for
    the occupation, else minus DEFAULT_LEAD_DAYS -- gaps.recommendation_dates.gap_act_by) and
    `in_time` (today <= act_by), the rule the recommendations follow."""
    season_start = Quarter.parse(quarter).start  # ValueError on a bad quarter: the view answers 400
    gaps = (
        gaps_visible_to(user)
        .filter(quarter=quarter, is_active=True)
        .exclude(Exists(GapDecision.objects.filter(gap=OuterRef("pk"))))
        .select_related("region", "occupation")
    )
    return with_act_by(gaps, season_start, today=today, quarter=quarter).order_by(
        "-in_time", "-new_on_list", "-priority", "pk")


def with_act_by(gaps: QuerySet, season_start: dt.date, *, today: dt.date | None = None,
                lead_times: dict[str, tuple[int, int]] | None = None, quarter: str | None = None) -> QuerySet:
    """Gaps of one quarter (whose first day is `season_start`) with review_queue's `needed_by`,
    `act_by` and `in_time` (gaps.recommendation_dates.with_gap_act_by). Given the `quarter`, the
    occupations' training times are those its current run stored (not an aggregate over every
    cohort); `lead_times`: already read (gaps.recommendation_dates.quarter_lead_times)."""
    return recommendation_dates.with_gap_act_by(gaps, season_start, today=today or timezone.localdate(),
                                                lead_times=lead_times, quarter=quarter)


def with_timing(gap: Gap, today: dt.date | None = None) -> Gap:
    """The gap with review_queue's `needed_by`, `act_by` and `in_time` (for one gap read alone)."""
    today = today or timezone.localdate()
    gap.needed_by = gap.need_date or Quarter.parse(gap.quarter, bounded=False).start
    shortest = recommendation_dates.lead_times_of(gap.quarter, [gap.occupation_id]).get(
        gap.occupation_id, (None, None))[1]
    gap.act_by = recommendation_dates.gap_act_by(gap.needed_by, shortest)
    gap.in_time = gap.act_by >= today
    return gap


def _need_date(season_start: dt.date | None, quarter: str) -> dt.date:
    return season_start or Quarter.parse(quarter, bounded=False).start


# The queue's list shows the first few of each kind of evidence per gap (and how many there are);
# the gap's own page (review/gaps/{id}/) shows all of it. A busy quarter has thousands of flags per
# gap (MISDIRECTED_SUPPLY names every oversupplied cohort nearby): a page of 50 gaps with all of
# them ran to megabytes.
QUEUE_EVIDENCE_PREVIEW = 3

# A gap as GapSummarySerializer shows it, read as values() (the queue and the projects' origin gaps).
GAP_ROW_FIELDS = (
    "id", "quarter", "region__code", "region__name_en", "region__name_ru", "region__name_zh", "region__name_kk",
    "region__country", "occupation_id", "occupation__title_en", "occupation__title_ru", "occupation__title_zh",
    "occupation__title_kk", "headcount", "covered", "shortfall", "salary_min_cny", "salary_max_cny", "need_date",
    "new_on_list", "is_active",
)
# The review queue's page: those, the region id for the evidence, the evidence totals the run stored
# on the gap (flags, recommendations), and the priority.
QUEUE_ROW_FIELDS = (
    "region_id", *GAP_ROW_FIELDS, "flag_count", "recommendation_count", "priority", "evidence_preview",
    "needed_by", "act_by", "in_time",
)


# What _gap_keys reads of a queue row: the keys of the evidence reads and the stored totals.
GAP_KEY_FIELDS = ("id", "region_id", "region__code", "quarter", "occupation_id", "flag_count", "recommendation_count")


def _gap_keys(gaps) -> list[dict]:
    """id, region id and code, quarter, occupation and stored evidence totals of gaps given as
    models or as queue rows."""
    keys = []
    for g in gaps:
        if isinstance(g, dict):
            keys.append({"id": g["id"], "region_id": g["region_id"], "region_code": g["region__code"],
                         "quarter": g["quarter"], "occupation_id": g["occupation_id"],
                         "flag_count": g["flag_count"], "recommendation_count": g["recommendation_count"]})
        else:
            keys.append({"id": g.pk, "region_id": g.region_id, "region_code": g.region.code, "quarter": g.quarter,
                         "occupation_id": g.occupation_id, "flag_count": g.flag_count,
                         "recommendation_count": g.recommendation_count})
    return keys


def _evidence_lines(gaps: list[dict], limit: int | None) -> tuple[dict[int, list[dict]], dict[int, int]]:
    """The submitted lines of each gap's (region, quarter, occupation), salaries converted to CNY at
    the need date; the first `limit` per gap by line number, and each gap's total. One query: the
    page's (region, quarter, occupation) keys joined to the region's submitted report of the quarter
    (one at most: constraint one_submitted_report_per_region_quarter) and its lines."""
    if not gaps:
        return {}, {}
    qn = connection.ops.quote_name
    line, report = GapReportLine._meta, GapReport._meta
    with_keys, _names, params = _keys_sql([(g["id"], g["region_id"], g["quarter"], g["occupation_id"]) for g in gaps])
    sql = (
        f"{with_keys} SELECT * FROM (SELECT l.*, k.gap AS evidence_gap, r.{qn('quarter')} AS evidence_quarter,"
        f" ROW_NUMBER() OVER (PARTITION BY k.gap ORDER BY l.{qn('line_no')}, l.{qn('id')}) AS evidence_n,"
        " COUNT(*) OVER (PARTITION BY k.gap) AS evidence_total"
        f" FROM k INNER JOIN {qn(report.db_table)} r ON r.{qn(report.get_field('region').column)} = k.v0"
        f" AND r.{qn('quarter')} = k.v1 AND r.{qn('status')} = %s"
        f" INNER JOIN {qn(line.db_table)} l ON l.{qn(line.get_field('report').column)} = r.{qn('id')}"
        f" AND l.{qn(line.get_field('occupation').column)} = k.v2) ranked"
        + (" WHERE evidence_n <= %s" if limit is not None else "")
        + " ORDER BY evidence_gap, evidence_n"
    )
    # raw(): the model's own converters (dates and decimals on SQLite, JSON everywhere).
    lines = list(GapReportLine.objects.raw(sql, [*params, ReportStatus.SUBMITTED, *([limit] if limit is not None else [])]))
    rates = rate_table(line.currency for line in lines)
    by_gap: dict[int, list[dict]] = defaultdict(list)
    totals: dict[int, int] = {}
    for line in lines:
        need = _need_date(line.season_start, line.evidence_quarter)
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
            entry["salary_min_cny"] = str(rates.to_cny(line.salary_min, line.currency, need).quantize(CENT))
            entry["salary_max_cny"] = str(rates.to_cny(line.salary_max, line.currency, need).quantize(CENT))
        except MissingExchangeRate as exc:
            # The message is put in words when the evidence is shown (_render_line), in the reader's language.
            entry["error"] = {"currency": exc.currency, "date": exc.on.isoformat()}
        by_gap[line.evidence_gap].append(entry)
        totals[line.evidence_gap] = line.evidence_total
    return by_gap, totals


CANDIDATE_FIELDS = (
    "college_id", "college_code", "college_name", "country", "program_id", "program_code", "program_title",
    "languages", "certifications",
)


def _evidence_candidates(gaps: list[dict], limit: int | None) -> tuple[dict[int, list[dict]], dict[int, int]]:
    """Programs that train each gap's occupation and serve its region (or every region), by college
    and program code; the first `limit` per gap, and each gap's total. One query in portable SQL:
    the page's (occupation, region) keys as a VALUES list joined to the programs of the occupation,
    ranked and counted per gap."""
    from training.models import College, Program

    if not gaps:
        return {}, {}
    qn = connection.ops.quote_name
    trains, serves = Program.occupations.through._meta, Program.serves_regions.through._meta

    def column(meta, name):
        return qn(meta.get_field(name).column)

    with_keys, _names, params = _keys_sql([(g["id"], g["occupation_id"], g["region_id"]) for g in gaps])
    served = f"SELECT 1 FROM {qn(serves.db_table)} s WHERE s.{column(serves, 'program')} = p.{qn('id')}"
    sql = (
        f"{with_keys} SELECT gap, {', '.join(CANDIDATE_FIELDS)}, total FROM ("
        f"SELECT k.gap AS gap, c.{qn('id')} AS college_id, c.{qn('code')} AS college_code,"
        f" c.{qn('name')} AS college_name, c.{qn('country')} AS country, p.{qn('id')} AS program_id,"
        f" p.{qn('code')} AS program_code, p.{qn('title')} AS program_title, p.{qn('languages')} AS languages,"
        f" p.{qn('certifications')} AS certifications,"
        f" ROW_NUMBER() OVER (PARTITION BY k.gap ORDER BY c.{qn('code')}, p.{qn('code')}, p.{qn('id')}) AS n,"
        " COUNT(*) OVER (PARTITION BY k.gap) AS total"
        f" FROM k INNER JOIN {qn(trains.db_table)} t ON t.{column(trains, 'occupation')} = k.v0"
        f" INNER JOIN {qn(Program._meta.db_table)} p ON p.{qn('id')} = t.{column(trains, 'program')}"
        f" INNER JOIN {qn(College._meta.db_table)} c ON c.{qn('id')} = p.{column(Program._meta, 'college')}"
        f" WHERE NOT EXISTS ({served}) OR EXISTS ({served} AND s.{column(serves, 'region')} = k.v1)"
        ") ranked" + (" WHERE n <= %s" if limit is not None else "") + " ORDER BY gap, n"
    )
    as_json = {name: Program._meta.get_field(name) for name in ("languages", "certifications")}
    by_gap: dict[int, list[dict]] = defaultdict(list)
    totals: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params + ([limit] if limit is not None else []))
        for gap_id, *values, total in cursor.fetchall():
            item = dict(zip(CANDIDATE_FIELDS, values))
            for name, field in as_json.items():
                item[name] = field.from_db_value(item[name], None, connection)
            by_gap[gap_id].append(item)
            totals[gap_id] = total
    for items in by_gap.values():
        items.sort(key=lambda c: (c["college_code"], c["program_code"]))  # code point order, whatever the collation
    return by_gap, totals


def _branch_sql(branches: list[tuple[str, ...]], names: list[str]) -> list[str]:
    """The join condition of each branch: its columns equal the key's values, and the row is not one
    an earlier branch already matched (NULLs never match a key)."""
    qn = connection.ops.quote_name
    conditions = []
    for n, columns in enumerate(branches):
        condition = " AND ".join(f"f.{qn(column)} = k.{name}" for column, name in zip(columns, names))
        for earlier in branches[:n]:
            condition += "".join(
                f" AND (f.{qn(a)} IS NULL OR f.{qn(a)} <> k.{name})"
                for a, b, name in zip(earlier, columns, names) if a != b
            )
        conditions.append(condition)
    return conditions


def _values_sql(name: str, columns: list[str], keys: list[tuple]) -> tuple[str, list]:
    """`name(columns) AS (VALUES (%s, ...), ...)` for a common table expression, and its parameters."""
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return (
        f"{name}({', '.join(columns)}) AS (VALUES {', '.join([row] * len(keys))})",
        [value for key in keys for value in key],
    )


def _keys_sql(keys: list[tuple]) -> tuple[str, list[str], list]:
    """`WITH k(gap, v0, v1, ...) AS (VALUES ...)` for (gap id, value, ...) keys, the value columns'
    names, and the parameters."""
    names = [f"v{i}" for i in range(len(keys[0]) - 1)]
    values, params = _values_sql("k", ["gap", *names], keys)
    return f"WITH {values}", names, params


def _run_keys_sql(keys: list[tuple]) -> tuple[str, list[str], list]:
    """Like _keys_sql for (gap id, quarter, value, ...) keys, the quarter replaced by the id of its
    current run (a gap of a quarter with no current run has no key)."""
    from gaps.models import QuarterResults

    qn = connection.ops.quote_name
    results = QuarterResults._meta
    names = [f"v{i}" for i in range(len(keys[0]) - 1)]
    values, params = _values_sql("v", ["gap", "quarter", *names[1:]], keys)
    run = qn(results.get_field("current_run").column)
    return (
        f"WITH {values}, k(gap, {', '.join(names)}) AS (SELECT v.gap, q.{run}, {', '.join('v.' + n for n in names[1:])}"
        f" FROM v INNER JOIN {qn(results.db_table)} q ON q.{qn('quarter')} = v.quarter WHERE q.{run} IS NOT NULL)",
        names,
        params,
    )


def _matches_sql(model, keys_sql: tuple[str, list[str], list], branches: list[tuple[str, ...]]):
    """`WITH k(...) AS (...), m AS (...)` naming (gap, id) for every row of `model` that belongs to
    a gap, and its parameters.

    `keys_sql` (_run_keys_sql) names (gap id, value, value, ...); a row belongs to a gap when its
    `branches[0]` columns equal the key's values or, failing that, those of the next branch (a
    MISDIRECTED_SUPPLY flag counts for the shortfall it could retool to, through
    target_occupation_code). The keys are a VALUES list joined row by row to an index on the
    branch's columns, so the database reads only the page's rows. (A filter by `IN` lists would read
    every combination of the page's values.)
    """
    qn = connection.ops.quote_name
    with_keys, names, params = keys_sql
    matches = " UNION ALL ".join(
        f"SELECT k.gap AS gap, f.{qn('id')} AS id FROM k INNER JOIN {qn(model._meta.db_table)} f ON {condition}"
        for condition in _branch_sql(branches, names)
    )
    return f"{with_keys}, m AS ({matches})", params


def _first_ids_sql(model, keys_sql: tuple[str, list[str], list], branches: list[tuple[str, ...]], limit: int | None,
                   lateral: bool | None = None):
    """A subquery of the ids of the first `limit` rows by id of each gap (every row with no limit),
    and its parameters. On PostgreSQL (`lateral`) each key reads at most `limit` entries per branch
    off the (branch columns, id) index (a LATERAL subquery), however many rows the gap has -- a gap
    of a busy quarter has thousands of MISDIRECTED_SUPPLY flags; elsewhere (SQLite: the embedded
    demo) the same rows ranked by a window."""
    qn = connection.ops.quote_name
    if limit is None:
        matches, params = _matches_sql(model, keys_sql, branches)
        return f"{matches} SELECT id FROM m", params
    if not (connection.vendor == "postgresql" if lateral is None else lateral):
        matches, params = _matches_sql(model, keys_sql, branches)
        return (
            f"{matches} SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY gap ORDER BY id) AS n FROM m) ranked"
            " WHERE n <= %s",
            [*params, limit],
        )
    with_keys, names, params = keys_sql
    table, pk = qn(model._meta.db_table), qn("id")
    branch = " UNION ALL ".join(
        f"(SELECT f.{pk} AS id FROM {table} f WHERE {condition} ORDER BY f.{pk} LIMIT %s)"
        for condition in _branch_sql(branches, names)
    )
    return (
        f"{with_keys} SELECT first.id FROM k CROSS JOIN LATERAL (SELECT u.id FROM ({branch}) u ORDER BY u.id LIMIT %s) first",
        [*params, *[limit] * (len(branches) + 1)],
    )


def _matching_rows(model_name: str, gaps: list[dict], limit: int | None) -> tuple[dict[int, list[dict]], dict[int, int]]:
    """Flags or recommendations of each gap's (quarter, region, occupation) in the quarter's current
    run, in id order; with a limit, the first `limit` per gap and each gap's total as the run stored
    it on the gap (gaps.matching.persist.gap_evidence_counts counts the same keys). A flag about a
    cohort that could retool to the gap's occupation (MISDIRECTED_SUPPLY) counts through its target
    occupation.

    One query: the rows whose ids _first_ids_sql picks. Each is then given to every gap of the page
    whose key it matches, in id order, up to `limit`: a row picked for one gap may match another
    too, but then it is among that gap's own first rows or comes after all of them, so the cut
    gives each gap exactly its first rows."""
    import gaps.models as gap_models

    model = getattr(gap_models, model_name)
    if not gaps:
        return {}, {}
    keys = [(g["id"], g["quarter"], g["region_code"], g["occupation_id"]) for g in gaps]
    fields = [f for f in model._meta.concrete_fields if not f.is_relation and f.name not in ("id", "run")]
    retargets = any(f.name == "target_occupation_code" for f in fields)
    branches = [("run_id", "region_code", "occupation_code")]
    if retargets:
        branches.append(("run_id", "region_code", "target_occupation_code"))
    gaps_of: dict[tuple, list[int]] = defaultdict(list)
    for gap_id, *key in keys:
        gaps_of[tuple(key)].append(gap_id)
    rows: dict[int, list[dict]] = defaultdict(list)
    ids = _first_ids_sql(model, _run_keys_sql(keys), branches, limit)
    for row in model.objects.filter(pk__in=RawSQL(*ids)).order_by("pk").values("pk", *(f.attname for f in fields)):
        # The rows are all of the quarters' current runs: a quarter stands for its run.
        matched = set(gaps_of.get((row["quarter"], row["region_code"], row["occupation_code"]), ()))
        target = row.get("target_occupation_code")
        if retargets and target is not None and row["occupation_code"] != target:
            matched.update(gaps_of.get((row["quarter"], row["region_code"], target), ()))
        data = None
        for gap_id in matched:
            if limit is None or len(rows[gap_id]) < limit:
                data = data or {f.name: _plain(row[f.attname]) for f in fields}
                rows[gap_id].append(data)
    total_field = "flag_count" if model is gap_models.Flag else "recommendation_count"
    totals = {g["id"]: g[total_field] for g in gaps} if limit is not None else {}
    return dict(rows), totals


EVIDENCE_KINDS = ("report_lines", "flags", "recommendations", "candidate_colleges")
LINE_KEYS = (
    "report_id", "line_no", "occupation_title", "headcount", "salary_min", "salary_max", "currency", "salary_min_cny",
    "salary_max_cny", "rate_date", "season_start", "season_end", "certification", "languages", "note", "error",
)


def _evidence(gaps, limit: int | None) -> dict[int, dict]:
    """The evidence of a page of gaps (models or queue rows) in plain JSON values and in no language:
    what gap_evidence shows once rendered (render_evidence), and what a run stores on its gaps as the
    queue's preview (evidence_previews)."""
    keys = _gap_keys(gaps)
    if not keys:
        return {}
    found = {
        "report_lines": _evidence_lines(keys, limit),
        "flags": _matching_rows("Flag", keys, limit),
        "recommendations": _matching_rows("Recommendation", keys, limit),
        "candidate_colleges": _evidence_candidates(keys, limit),
    }
    evidence = {}
    for g in keys:
        entry = {kind: rows.get(g["id"], []) for kind, (rows, _totals) in found.items()}
        if limit is not None:
            entry["totals"] = {kind: totals.get(g["id"], 0) for kind, (_rows, totals) in found.items()}
        evidence[g["id"]] = entry
    return evidence


def _render_line(line: dict) -> dict:
    out = {key: line.get(key) for key in LINE_KEYS}
    if isinstance(out["error"], dict):
        out["error"] = str(MissingExchangeRate(out["error"]["currency"], dt.date.fromisoformat(out["error"]["date"])))
    return out


def _render_flag(flag: dict) -> dict:
    from gaps.matching.flags import flag_json

    return flag_json(flag, flag.get("context") or {})


@functools.cache
def _recommendation_keys() -> tuple[str, ...]:
    """A recommendation's plain fields as the evidence shows them (_matching_rows reads the same)."""
    from gaps.models import Recommendation

    return tuple(f.name for f in Recommendation._meta.concrete_fields if not f.is_relation and f.name not in ("id", "run"))


def _as_date(value) -> dt.date | None:
    """A date from the evidence's plain values (a stored preview keeps dates as ISO strings)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _render_recommendation(recommendation: dict, today: dt.date) -> dict:
    """Its fields and sentence, and when to act (SPEC.md "Looking ahead": `act_by`, whether it is
    still `feasible` today and, when not, next year's date), so that a too-late one is never shown
    as if it could still be acted on."""
    from gaps import recommendation_dates
    from gaps.matching.recommendations import recommendation_detail

    when = recommendation_dates.dates(
        _as_date(recommendation.get("latest_intake_date")), _as_date(recommendation.get("need_date")), today=today)
    return {key: recommendation.get(key) for key in _recommendation_keys()} | {
        "detail": recommendation_detail(recommendation),
        # ISO dates, as the evidence's other dates (the same JSON whether stored or read live)
        "act_by": when["act_by"] and when["act_by"].isoformat(),
        "feasible": when["feasible"],
        "next_act_by": when["next_act_by"] and when["next_act_by"].isoformat(),
    }


def _render_candidate(candidate: dict) -> dict:
    """The stored values, and the college's name and program's title in the active language."""
    college, program = candidate.get("college_code"), candidate.get("program_code")
    return {key: candidate.get(key) for key in CANDIDATE_FIELDS} | {
        "college_display_name": text.college_name(college) if college else candidate.get("college_name"),
        "program_display_title": (
            text.program_title(college, program) if college and program else candidate.get("program_title")),
    }


def render_evidence(entry: dict, *, today: dt.date | None = None) -> dict:
    """One gap's evidence as the API shows it, from _evidence's plain values (or a stored preview):
    the flags' and recommendations' sentences and a line's missing-rate error in the active language,
    each object's keys in the serializers' order; the recommendations dated against `today` (the
    local date when not given), the feasible ones first."""
    today = today or timezone.localdate()
    out = {
        "report_lines": [_render_line(line) for line in entry.get("report_lines", [])],
        "flags": [_render_flag(flag) for flag in entry.get("flags", [])],
        # Those still feasible first, each group in the stored order (SPEC.md: the others after them).
        "recommendations": sorted(
            (_render_recommendation(r, today) for r in entry.get("recommendations", [])),
            key=lambda r: not r["feasible"]),
        "candidate_colleges": [_render_candidate(c) for c in entry.get("candidate_colleges", [])],
    }
    if "totals" in entry:
        out["totals"] = {kind: entry["totals"].get(kind, 0) for kind in EVIDENCE_KINDS}
    return out


def gap_evidence(gaps, *, limit: int | None = None) -> dict[int, dict]:
    """What a reviewer decides on, for a page of gaps (models or queue rows) at once, in five queries
    whatever the page size:

    - report lines: the submitted reports' lines of the gap's region, quarter and occupation, with
      the salary in the original currency and in CNY at the line's need date (a missing rate shows
      as an error on the line, never as zero);
    - flags and recommendations of the quarter's current matching run;
    - candidate colleges: programs that train the occupation and serve the region.

    With a `limit`, each list holds its first `limit` entries and `totals` says how many there are in
    all; the gap's own page (limit None) shows every one.
    """
    entries = _evidence(gaps, limit)
    _prime_names(entries.values())
    return {gap_id: render_evidence(entry) for gap_id, entry in entries.items()}


def _prime_names(entries) -> None:
    """The program titles that a page of evidence's sentences and candidate colleges name, in one
    query (core.text caches the other names whole)."""
    from gaps.matching.flags import prime_flag_names

    kinds = ("flags", "recommendations", "candidate_colleges")  # each row has college_code and program_code
    prime_flag_names([row for entry in entries for kind in kinds for row in entry.get(kind, [])])


# The queue's preview of a gap's evidence is stored on the gap by the run that refreshed it
# (Gap.evidence_preview, written by projects.receivers.store_evidence_previews when the run
# swaps in): a page of the queue then reads no evidence at all, only its gaps. The format's version
# is stored with it; a preview of another version, or none (a gap no run has refreshed since the
# previews were introduced), is computed from the live rows instead, exactly as before.
EVIDENCE_PREVIEW_VERSION = 1


def evidence_previews(gaps) -> dict[int, dict]:
    """The queue's preview of each gap's evidence (the first QUEUE_EVIDENCE_PREVIEW of each kind and
    the totals), in plain JSON values and in no language, to store on the gap."""
    return {
        gap_id: entry | {"version": EVIDENCE_PREVIEW_VERSION}
        for gap_id, entry in _evidence(gaps, QUEUE_EVIDENCE_PREVIEW).items()
    }


def queue_evidence(rows: list[dict]) -> dict[int, dict]:
    """The evidence of a page of queue rows (QUEUE_ROW_FIELDS): each gap's stored preview rendered,
    or, for a gap without a current one, the live rows' first few (gap_evidence)."""
    evidence, missing, previews = {}, [], {}
    for row in rows:
        preview = row.get("evidence_preview")
        if isinstance(preview, dict) and preview.get("version") == EVIDENCE_PREVIEW_VERSION:
            previews[row["id"]] = preview
        else:
            missing.append(row)
    _prime_names(previews.values())
    evidence = {gap_id: render_evidence(preview) for gap_id, preview in previews.items()}
    if missing:
        evidence.update(gap_evidence(missing, limit=QUEUE_EVIDENCE_PREVIEW))
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
COLLEGE_ROW_FIELDS = ("id", "code", "name", "name_translations", "country")
PROJECT_ROW_FIELDS = (
    "id", "title", "title_translations", "status", "status_changed_at", "overdue", "pass_rate", "employment_rate", "income_change_pct",
    "skill_appreciation_pct", "results", "planned_trainees", "planned_intake_date", "budget_amount",
    "budget_currency", "funding_source", "approved_at", "lead_college_id", "origin_warning_id",
    *(f"lead_college__{name}" for name in COLLEGE_ROW_FIELDS[1:]),
    *(f"origin_gap__{name}" for name in GAP_ROW_FIELDS),
)


def project_rows(*, user, today: dt.date | None = None) -> QuerySet:
    """The repository as a user sees it, for plain rows: the list view filters, sorts and pages it,
    then reads PROJECT_ROW_FIELDS (and project_page for the to-many relations)."""
    return with_overdue(projects_visible_to(user), today)


def project_page(rows: list[dict]) -> dict[str, dict]:
    """Partner colleges and programs of a page of project rows, in one query whatever the page size
    (the two lists' rows in one UNION ALL, partners first), each list in the order the serializers'
    prefetch gives (College and Program ordering: codes, then ids). Names and titles are also given
    in the active language (display_name, display_title: core.text.in_reader_language)."""
    from training.models import College, Program

    partners: dict[int, list[dict]] = defaultdict(list)
    programs: dict[int, list[dict]] = defaultdict(list)
    ids = [row["id"] for row in rows]
    if not ids:
        return {"partners": partners, "programs": programs}
    qn = connection.ops.quote_name
    partner, program = CooperationProject.partner_colleges.through._meta, CooperationProject.programs.through._meta
    college, course = qn(College._meta.db_table), qn(Program._meta.db_table)

    def column(meta, name):
        return qn(meta.get_field(name).column)

    in_page = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT 0 AS part, x.{column(partner, 'cooperationproject')} AS project, c.{qn('id')} AS id,"
        f" c.{qn('code')} AS sort_code, c.{qn('code')} AS code, c.{qn('name')} AS name,"
        f" c.{qn('name_translations')} AS translations, c.{qn('country')} AS country"
        f" FROM {qn(partner.db_table)} x INNER JOIN {college} c ON c.{qn('id')} = x.{column(partner, 'college')}"
        f" WHERE x.{column(partner, 'cooperationproject')} IN ({in_page})"
        " UNION ALL"
        f" SELECT 1, x.{column(program, 'cooperationproject')}, p.{qn('id')}, c.{qn('code')}, p.{qn('code')},"
        f" p.{qn('title')}, p.{qn('title_translations')}, NULL"
        f" FROM {qn(program.db_table)} x INNER JOIN {course} p ON p.{qn('id')} = x.{column(program, 'program')}"
        f" INNER JOIN {college} c ON c.{qn('id')} = p.{column(Program._meta, 'college')}"
        f" WHERE x.{column(program, 'cooperationproject')} IN ({in_page})"
        " ORDER BY 1, 4, 5, 3"
    )
    as_json, language = College._meta.get_field("name_translations"), text.page_language()
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *ids])
        for part, project, pk, sort_code, code, name, translations, country in cursor.fetchall():
            shown = text.in_reader_language(name, as_json.from_db_value(translations, None, connection), language)
            if part == 0:
                partners[project].append(
                    {"id": pk, "code": code, "name": name, "display_name": shown, "country": country})
            else:
                programs[project].append(
                    {"id": pk, "college_code": sort_code, "code": code, "title": name, "display_title": shown})
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
                wage_growth_pct=getattr(o.project.region, "avg_wage_growth_pct", None),  # plan projects: their region
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
