"""The repository's default order -- results first, projects without results last -- as an index, so a
page is the first 50 entries of the index instead of a sort of every project.

PostgreSQL only: SQLite (the embedded default of bin/run) cannot create an index with NULLS LAST, and
its small databases do not need one. Not in CooperationProject.Meta.indexes for the same reason.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS project_results_order ON projects_cooperationproject "
    "(pass_rate DESC NULLS LAST, employment_rate DESC NULLS LAST, income_change_pct DESC NULLS LAST, id DESC)"
)
DROP = "DROP INDEX IF EXISTS project_results_order"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0002_project_stored_results'),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
