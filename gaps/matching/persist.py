"""Write what the engine computed: bulk inserts of a run's rows and the upsert of the quarter's gaps."""

from __future__ import annotations

import json
import operator
from collections import defaultdict

from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from gaps.models import Flag, Gap, LineOutcome, MatchRun, Recommendation, Region

from . import engine
from .flags import Flag as FlagData
from .recommendations import Recommendation as RecommendationData

# Rows per INSERT: large enough to amortise round trips, small enough to keep statements (and
# SQLite's 999-variable limit on old builds, handled by Django) reasonable.
BATCH_SIZE = 2000


def flag_row(run: MatchRun, f: FlagData) -> Flag:
    return Flag(
        run=run, quarter=f.quarter, kind=f.kind, region_id=f.region_id, region_code=f.region_code,
        occupation_code=f.occupation_code, college_id=f.college_id, college_code=f.college_code,
        program_id=f.program_id, program_code=f.program_code, cohort_id=f.cohort_id,
        cohort_graduation_date=f.cohort_graduation_date, target_occupation_code=f.target_occupation_code,
        line_id=f.line_id, headcount=f.headcount, covered=f.covered, shortfall=f.shortfall, surplus=f.surplus,
        count=f.count, context=f.context,
    )


def recommendation_row(run: MatchRun, r: RecommendationData) -> Recommendation:
    return Recommendation(
        run=run, quarter=r.quarter, kind=r.kind, college_id=r.college_id, college_code=r.college_code,
        program_id=r.program_id, program_code=r.program_code, region_id=r.region_id, region_code=r.region_code,
        occupation_code=r.occupation_code, from_occupation_code=r.from_occupation_code, headcount=r.headcount,
        shortfall=r.shortfall, salary_min=r.salary_min, salary_max=r.salary_max, currency=r.currency,
        salary_min_cny=r.salary_min_cny, salary_max_cny=r.salary_max_cny, need_date=r.need_date,
        latest_intake_date=r.latest_intake_date, feasibility=r.feasibility, score=r.score, line_id=r.line_id,
        cohort_id=r.cohort_id,
    )


def _insert(model, objects) -> None:
    """Insert model instances: COPY on PostgreSQL (several times faster than INSERT for the
    hundreds of thousands of rows a large run writes), bulk_create elsewhere."""
    objects = list(objects)
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([_copy_value(f, getattr(obj, f.attname)) for f in fields])


def _copy_value(field, value):
    if value is not None and field.get_internal_type() == "JSONField":
        return json.dumps(value)
    return value


def _copy_results(model, run: MatchRun, items) -> None:
    """COPY engine dataclasses straight into the model's table: their attribute names are the
    model's column attnames (plus run_id), so no model instance is built per row."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname != "run_id"]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields + [model._meta.get_field("run")])
    values_of = operator.attrgetter(*(f.attname for f in fields))
    json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    run_id = run.pk
    dumped: dict = {}  # most rows of a kind share one small context: dump it once

    def as_json(value):
        try:
            key = tuple((k, type(v), v) for k, v in value.items())  # 1, 1.0 and True hash alike
            text = dumped.get(key)
        except (AttributeError, TypeError):  # not a dict, or unhashable values (lists)
            return json.dumps(value)
        if text is None:
            text = dumped[key] = json.dumps(value)
        return text

    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            if not json_at:
                for item in items:
                    write((*values_of(item), run_id))
                return
            for item in items:
                row = list(values_of(item))
                for i in json_at:
                    row[i] = as_json(row[i])
                row.append(run_id)
                write(row)


def write_flags_and_recommendations(run: MatchRun, flags, recommendations) -> None:
    write_flags(run, flags)
    write_recommendations(run, recommendations)


def write_flags(run: MatchRun, flags) -> None:
    """Flags in their sort order (so ids follow it)."""
    flags = sorted(flags, key=FlagData.sort_key)
    if connection.vendor == "postgresql":
        _copy_results(Flag, run, flags)
    else:
        _insert(Flag, (flag_row(run, f) for f in flags))


def write_recommendations(run: MatchRun, recommendations) -> None:
    """Recommendations in their sort order (so ids follow it)."""
    recommendations = sorted(recommendations, key=RecommendationData.sort_key)
    if connection.vendor == "postgresql":
        _copy_results(Recommendation, run, recommendations)
    else:
        _insert(Recommendation, (recommendation_row(run, r) for r in recommendations))


def write_ordered_flags(run: MatchRun, flags) -> None:
    """Flags already in their sort order, from any iterable (consumed once, never held whole)."""
    if connection.vendor == "postgresql":
        _copy_results(Flag, run, flags)
    else:
        _insert_batches(Flag, (flag_row(run, f) for f in flags))


def write_ordered_recommendations(run: MatchRun, recommendations) -> None:
    """Recommendations already in their sort order, from any iterable (consumed once)."""
    if connection.vendor == "postgresql":
        _copy_results(Recommendation, run, recommendations)
    else:
        _insert_batches(Recommendation, (recommendation_row(run, r) for r in recommendations))


def _insert_batches(model, objects) -> None:
    """bulk_create a batch at a time (not a list of every row first)."""
    batch = []
    for obj in objects:
        batch.append(obj)
        if len(batch) >= BATCH_SIZE:
            model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            batch = []
    if batch:
        model.objects.bulk_create(batch, batch_size=BATCH_SIZE)


def write_partial(run: MatchRun, partial: engine.PartialResult) -> None:
    if connection.vendor == "postgresql":
        _copy_results(LineOutcome, run, partial.outcomes.values())
        write_flags_and_recommendations(run, partial.flags, partial.recommendations)
        return
    _insert(
        LineOutcome,
        (
            LineOutcome(
                run=run, line_id=o.line_id, covered=o.covered, shortfall=o.shortfall, need_date=o.need_date,
                salary_min_cny=o.salary_min_cny, salary_max_cny=o.salary_max_cny,
            )
            for o in partial.outcomes.values()
        ),
    )
    write_flags_and_recommendations(run, partial.flags, partial.recommendations)


def gap_evidence_counts(run_id: int, *, flag_model=Flag, recommendation_model=Recommendation,
                        region_model=Region) -> dict[tuple[int, str], tuple[int, int]]:
    """(flags, recommendations) of a run per (region id, occupation code): what the review queue
    shows as each gap's evidence totals (projects.selectors.gap_evidence reads the same keys).

    A flag counts for its region code and occupation, and a flag about a cohort that could retool
    (MISDIRECTED_SUPPLY) also for its target occupation when that is another one. Three grouped
    queries over the run. The models are parameters so that a migration can pass its historical ones.
    """
    region_ids = dict(region_model.objects.values_list("code", "id"))
    flags: dict[tuple[str, str], int] = defaultdict(int)
    run_flags = flag_model.objects.filter(run_id=run_id).order_by()
    for code_field, query in (
        ("occupation_code", run_flags),
        ("target_occupation_code", run_flags.exclude(occupation_code=F("target_occupation_code"))),
    ):
        for region, occupation, n in query.filter(**{f"{code_field}__isnull": False}).values_list(
            "region_code", code_field
        ).annotate(n=Count("id")):
            flags[(region, occupation)] += n
    recommendations = {
        (region, occupation): n
        for region, occupation, n in recommendation_model.objects.filter(run_id=run_id, occupation_code__isnull=False)
        .order_by().values_list("region_code", "occupation_code").annotate(n=Count("id"))
    }
    counts = {}
    for key in flags.keys() | recommendations.keys():
        if key[0] in region_ids:
            counts[(region_ids[key[0]], key[1])] = (flags.get(key, 0), recommendations.get(key, 0))
    return counts


def store_gap_evidence_counts(run_id: int, quarter: str, *, gap_model=Gap, **models) -> None:
    """Set the evidence counts of a quarter's gaps from a run: for the migration that added them
    (historical models) and for tests that write a run's rows themselves; a finalising run writes
    them with the gaps' other figures (upsert_gaps)."""
    counts = gap_evidence_counts(run_id, **models)
    changed = []
    for gap in gap_model.objects.filter(quarter=quarter).only("id", "region_id", "occupation_id"):
        gap.flag_count, gap.recommendation_count = counts.get((gap.region_id, gap.occupation_id), (0, 0))
        changed.append(gap)
    gap_model.objects.bulk_update(changed, ["flag_count", "recommendation_count"], batch_size=BATCH_SIZE)


def upsert_gaps(run: MatchRun, gaps: list[engine.GapFigures]) -> list[int]:
    """Refresh the quarter's Gap rows in place (reviewers' decisions hang on them) and deactivate
    the ones the run no longer shows. Returns the ids of gaps that are new on the list and were not
    active before this run (whom to notify)."""
    quarter = run.quarter
    active_before = set(
        Gap.objects.filter(quarter=quarter, is_active=True).values_list("region_id", "occupation_id")
    )
    now = timezone.now()
    evidence = gap_evidence_counts(run.pk)
    rows = [
        Gap(
            region_id=g.region_id, quarter=quarter, occupation_id=g.occupation_code, headcount=g.headcount,
            covered=g.covered, shortfall=g.shortfall, salary_min_cny=g.salary_min_cny,
            salary_max_cny=g.salary_max_cny, need_date=g.need_date, new_on_list=g.new_on_list, is_active=True,
            line_count=len(g.line_ids), last_run=run, updated_at=now,
            flag_count=evidence.get((g.region_id, g.occupation_code), (0, 0))[0],
            recommendation_count=evidence.get((g.region_id, g.occupation_code), (0, 0))[1],
        )
        for g in gaps
    ]
    Gap.objects.bulk_create(
        rows, batch_size=BATCH_SIZE, update_conflicts=True, unique_fields=["region", "quarter", "occupation"],
        update_fields=[
            "headcount", "covered", "shortfall", "salary_min_cny", "salary_max_cny", "need_date", "new_on_list",
            "is_active", "line_count", "flag_count", "recommendation_count", "last_run", "updated_at",
        ],
    )
    Gap.objects.filter(quarter=quarter, is_active=True).exclude(last_run=run).update(is_active=False, updated_at=now)
    fresh = [(g.region_id, g.occupation_code) for g in gaps if g.new_on_list and (g.region_id, g.occupation_code) not in active_before]
    if not fresh:
        return []
    ids = dict(
        ((r, o), i)
        for i, r, o in Gap.objects.filter(quarter=quarter, last_run=run, new_on_list=True).values_list(
            "id", "region_id", "occupation_id"
        )
    )
    return sorted(ids[key] for key in fresh if key in ids)
