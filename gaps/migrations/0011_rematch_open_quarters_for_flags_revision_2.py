# SPEC.md revision 2: flags name programs, not cohorts. The stored results of open quarters (the
# current one and later ones) were computed under revision 1; a queued run of each re-matches it
# (gaps.matching.scheduling.queue_open_quarters_rematch; the dispatch sweep sends them). The digest
# of every component now includes the rules' revision (gaps.matching.reuse.RULES_REVISION), so no
# run copies revision-1 rows.

import datetime as dt

from django.db import migrations


def queue_rematch(apps, schema_editor):
    from gaps.matching.scheduling import queue_open_quarters_rematch

    queue_open_quarters_rematch(apps, today=dt.date.today())


class Migration(migrations.Migration):

    dependencies = [
        ("gaps", "0010_matchrun_line_faults"),
    ]

    operations = [
        migrations.RunPython(queue_rematch, migrations.RunPython.noop),
    ]
