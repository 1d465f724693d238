"""Knowing without reading the input that nothing changed: the input signature of a run.

Every table a quarter's matching reads (INPUT_TABLES: what gaps.matching.fetch reads, checked by
tests/matching/test_unchanged.py against the SQL a real run sends) carries a change log written by
the DATABASE (migration gaps 0014), not by Django signals, which miss QuerySet.update, bulk_create,
raw SQL and deletes:

- PostgreSQL: a statement-level trigger AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE appends one
  row (table name, weight 1) to gaps_inputchange per statement;
- SQLite (the embedded `bin/run`): row-level triggers AFTER INSERT, UPDATE and DELETE append one
  row per changed row (SQLite has no statement-level triggers and no TRUNCATE).

A table's version is the sum of its rows' weights. It only ever grows: every committed change
adds to it, and `compact` folds rows into one of the same total. Appending takes no lock on a
shared row, so concurrent writers never wait for each other (a counter row per table would make
every submission of a report wait for the previous one's commit, and could deadlock two
transactions that write two tables in opposite orders).

`input_signature(quarter)` is {versions: {table: version}, previous_gaps: digest, settings: digest}:

- the versions are read BEFORE the run reads any input: a change committed before that read is
  in the input; one committed after it (racing the fetch or not) makes the next run's versions
  differ, so it is never missed -- at worst a run is computed that could have been skipped;
- `previous_gaps`: a digest of the previous four quarters' active gaps (fetch.previous_gap_keys,
  which decide `new_on_list`). The gaps table is not versioned: every run writes its own
  quarter's gaps, which would count as a change of the input of the next run;
- `settings`: a digest of the matching settings, the rules' revision and the source of the modules
  that compute and write results, so a deployment that changes how results are computed never
  keeps results computed the old way.

gaps.matching.services.match_run_plan compares the signature with the quarter's current run's:
equal, the run ends at once as "nothing changed since run N" and the current results stay.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

# What a quarter's matching reads (gaps.matching.fetch). The occupation table is not read: lines
# and programs carry the codes, and adjacency is decided from the codes and sectors (rules).
INPUT_TABLES = (
    "gaps_gapreport",
    "gaps_gapreportline",
    "gaps_region",
    "gaps_exchangerate",
    "training_college",
    "training_program",
    "training_program_occupations",
    "training_program_serves_regions",
    "training_cohort",
)

LOG_TABLE = "gaps_inputchange"

# The modules whose code decides the results and how they are stored.
_DECIDING_MODULES = (
    "allocation.py", "allocation_kernel.py", "engine.py", "fetch.py", "flags.py", "lead_times.py", "misdirected.py",
    "pairs.py", "persist.py", "recommendations.py", "reuse.py", "rules.py", "types.py",
)

# Compaction folds the log once it holds more than this many rows.
COMPACT_ABOVE = 2 * len(INPUT_TABLES)


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    h = hashlib.md5()
    here = Path(__file__).resolve().parent
    for name in _DECIDING_MODULES:
        h.update(name.encode())
        h.update((here / name).read_bytes())
    return h.hexdigest()


def settings_digest() -> str:
    from .reuse import RULES_REVISION

    values = (RULES_REVISION, settings.SUPPLY_WINDOW_DAYS, repr(float(settings.OVERSUPPLY_RATIO)), _code_digest())
    return hashlib.md5(repr(values).encode()).hexdigest()


def table_versions() -> dict[str, int]:
    """Each input table's version (the sum of its logged changes; 0 for a table never changed)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT table_name, SUM(weight) FROM {LOG_TABLE} GROUP BY table_name")
        found = {name: int(total) for name, total in cursor.fetchall()}
    return {name: found.get(name, 0) for name in INPUT_TABLES}


def previous_gaps_digest(quarter: str) -> str:
    from . import fetch

    return hashlib.md5(repr(sorted(fetch.previous_gap_keys(quarter))).encode()).hexdigest()


def input_signature(quarter: str) -> dict:
    """Read before any of the run's input (see the module's docstring for why that is exact)."""
    return {
        "versions": table_versions(),
        "previous_gaps": previous_gaps_digest(quarter),
        "settings": settings_digest(),
    }


def compact() -> int:
    """Fold the log into one row per table, totals unchanged. Returns the rows removed.

    Safe beside writers and another compaction: DELETE ... RETURNING yields exactly the rows this
    statement removed (a concurrent compaction's rows are skipped, never counted twice), and the
    folded rows go in in the same transaction, so no reader ever sees a total drop."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(id) FROM {LOG_TABLE}")
        count, last = cursor.fetchone()
        if count <= COMPACT_ABOVE:
            return 0
        with transaction.atomic():
            cursor.execute(f"DELETE FROM {LOG_TABLE} WHERE id <= %s RETURNING table_name, weight", [last])
            totals: dict[str, int] = {}
            removed = 0
            for name, weight in cursor.fetchall():
                totals[name] = totals.get(name, 0) + int(weight)
                removed += 1
            if totals:
                cursor.executemany(
                    f"INSERT INTO {LOG_TABLE} (table_name, weight) VALUES (%s, %s)", sorted(totals.items())
                )
    return removed


# --- the triggers (installed by migration gaps 0014; kept here so tests and docs name one place) ---

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION talentgap_log_input_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {LOG_TABLE} (table_name, weight) VALUES (TG_TABLE_NAME, 1);
    RETURN NULL;
END
$$;
"""


def trigger_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS talentgap_input_change ON "{table}"',
            f'CREATE TRIGGER talentgap_input_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION talentgap_log_input_change()",
        ]
    statements = []
    for event in ("insert", "update", "delete"):
        name = f"talentgap_input_change_{table}_{event}"
        statements += [
            f'DROP TRIGGER IF EXISTS "{name}"',
            f'CREATE TRIGGER "{name}" AFTER {event.upper()} ON "{table}" FOR EACH ROW BEGIN '
            f"INSERT INTO {LOG_TABLE} (table_name, weight) VALUES ('{table}', 1); END",
        ]
    return statements


def drop_trigger_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS talentgap_input_change ON "{table}"']
    return [f'DROP TRIGGER IF EXISTS "talentgap_input_change_{table}_{event}"' for event in ("insert", "update", "delete")]


def install_triggers(schema_editor, tables=INPUT_TABLES) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"no input change triggers for {vendor}")
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
    for table in tables:
        for sql in trigger_sql(vendor, table):
            schema_editor.execute(sql)


def remove_triggers(schema_editor, tables=INPUT_TABLES) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        for sql in drop_trigger_sql(vendor, table):
            schema_editor.execute(sql)
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS talentgap_log_input_change()")
