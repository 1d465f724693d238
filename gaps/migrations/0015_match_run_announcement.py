"""MatchRun: what its announcement (the mails after the swap) needs to be sent again by the
announcement sweep when the broker lost its message: the new gaps, stored in the swap, and when
it was sent, begun by a worker, or given up (gaps.matching.scheduling.announcement_sweep)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('gaps', '0014_input_changes'),
    ]

    operations = [
        migrations.AddField(
            model_name='matchrun',
            name='announce_claimed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='announcement begun'),
        ),
        migrations.AddField(
            model_name='matchrun',
            name='announce_gap_ids',
            field=models.JSONField(blank=True, default=list, verbose_name='new gaps to announce'),
        ),
        migrations.AddField(
            model_name='matchrun',
            name='announce_missed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='mails given up'),
        ),
        migrations.AddField(
            model_name='matchrun',
            name='announce_sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='announcement sent'),
        ),
    ]
