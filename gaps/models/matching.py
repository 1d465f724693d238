"""Records of matching: runs, their chunks, and their results (flags, recommendations, line outcomes).

Results belong to a run. Each quarter has one QuarterResults row that points at the run whose
results users see; a new run writes its rows beside the old ones and the pointer moves in one
transaction when the run is complete, so readers never see a half-written run and a crashed run
leaves the previous results in place. The same row is the quarter's lock: a run claims it with a
conditional update (works on PostgreSQL and SQLite alike), so two runs of one quarter never
interleave.

Foreign keys from result rows to reports, cohorts, programs and colleges carry no database
constraint (`db_constraint=False`): results are written in bulk by the hundred thousand and are
snapshots of one run; the codes beside them keep them readable when a referenced row goes. Nor
does their run: PostgreSQL checked each row's run at the commit (~1.2-1.5 s per 263,000 flags at
full scale, bench/README.md "The result rows' run without a database constraint"), for a run that
the same transaction (or the run's own chunk) has just written; result rows are deleted by run
(services.match_results_cleanup), and deleting a run through Django still cascades to them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gaps.matching.flags import FlagKind
from gaps.matching.recommendations import RecommendationKind


class MatchRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    # A queued run made redundant by a run of the same quarter that started after it was queued.
    SUPERSEDED = "superseded", _("Superseded")


class MatchTrigger(models.TextChoices):
    MANUAL = "manual", _("Started by a user")
    COMMAND = "command", _("match command")
    NIGHTLY = "nightly", _("Nightly re-match")
    REPORT_SUBMITTED = "report_submitted", _("Report submitted")
    REPORT_WITHDRAWN = "report_withdrawn", _("Report withdrawn")
    COHORTS_CHANGED = "cohorts_changed", _("Cohorts changed")
    RULES_CHANGED = "rules_changed", _("Matching rules changed")


class MatchRun(models.Model):
    """One matching of one quarter: status, progress (chunks done of total), timings, counts, error."""

    quarter = models.CharField(_("quarter"), max_length=6, db_index=True)
    trigger = models.CharField(_("trigger"), max_length=32, default=MatchTrigger.MANUAL)
    status = models.CharField(_("status"), max_length=12, choices=MatchRunStatus.choices, default=MatchRunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The outbox mark: when a message for this run last went to the broker, or a delivery of it last
    # reached a worker. Null = never sent (the broker was down at commit); the sweep
    # (gaps.tasks.match_dispatch_sweep_task) sends queued runs that are null or stale here.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # Set by the one process that finalises the run (a conditional update), inside the swap transaction.
    finalized_at = models.DateTimeField(null=True, blank=True)
    # The announcement (gaps.matching.services.match_run_announce: the mails after the swap). Its
    # `finalize_notify` timing marks it done. announce_gap_ids: the gaps new on the list that were
    # not active before this run, stored in the swap (what was active before is gone after it), so
    # the announcement sweep (gaps.matching.scheduling.announcement_sweep) can send it again when
    # the broker lost its message. announce_sent_at: when its message last went to the broker.
    # announce_claimed_at: when a worker began sending its mails (one delivery sends them, however
    # many there are). announce_missed_at: when the sweep gave up on it (ANNOUNCE_PENDING_FOR).
    announce_gap_ids = models.JSONField(_("new gaps to announce"), default=list, blank=True)
    announce_sent_at = models.DateTimeField(_("announcement sent"), null=True, blank=True)
    announce_claimed_at = models.DateTimeField(_("announcement begun"), null=True, blank=True)
    announce_missed_at = models.DateTimeField(_("mails given up"), null=True, blank=True)
    timings = models.JSONField(_("timings (seconds)"), default=dict, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Lines the run left out because something about them alone could not be computed or stored
    # (gaps.matching.engine.line_faults): {line_id, region_code, line_no, reason, message} each. One
    # line never fails the run; the rest of the quarter is matched.
    line_faults = models.JSONField(_("lines left out"), default=list, blank=True)
    # What the run's input was, told without reading it (gaps.matching.inputs.input_signature): the
    # change counters of the tables matching reads, taken before the run read any of them, a digest
    # of the previous quarters' active gaps, and a digest of the settings and code that decide.
    input_signature = models.JSONField(_("input signature"), default=dict, blank=True)
    # Set when the run found the same signature as the quarter's current run: it computed and wrote
    # nothing, and that run's results stay current (gaps.matching.services.match_run_plan).
    # The occupations' training times the review queue's act-by counts, taken by finalize for the
    # occupations of the run's gaps (gaps.matching.lead_times.stored_form): {code: [lead_days,
    # shortest_days]}, {code: null} for one no program trains. Null: a run from before it existed.
    lead_times = models.JSONField(_("training times of the gaps' occupations"), null=True, blank=True, default=None)
    unchanged_since = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("nothing changed since run"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in MatchRunStatus]), name="match_run_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(chunks_done__lte=models.F("chunks_total")), name="match_run_done_le_total"),
        ]
        # The sweep reads the unfinished runs every few seconds; they are few among many finished ones.
        indexes = [
            models.Index(
                fields=["status", "quarter"], name="matchrun_unfinished",
                condition=models.Q(status__in=["queued", "running"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quarter} run {self.pk} ({self.status})"

    @property
    def progress(self) -> float:
        if self.unchanged_since_id:
            return 1.0
        return self.chunks_done / self.chunks_total if self.chunks_total else 0.0

    @property
    def announcement(self) -> str:
        """Whether the run's mails went out, for staff (admin): empty for a run with none to send."""
        from django.utils.translation import gettext

        from gaps.matching.scheduling import announcement_state

        state = announcement_state(self)
        return {
            "sent": gettext("Mails sent"),
            "pending": gettext("Mails pending"),
            "missed": gettext("Mails not sent"),
        }.get(state, "")

    @property
    def outcome(self) -> str:
        """One sentence for people: what the run did (admin, API, the match command)."""
        from django.utils.translation import gettext

        if self.status == MatchRunStatus.SUCCEEDED and self.unchanged_since_id:
            return gettext("Nothing changed since run %(run)s; its results stay current.") % {"run": self.unchanged_since_id}
        return str(self.get_status_display())


class InputChange(models.Model):
    """The change log of the tables a quarter's matching reads, written only by database triggers
    (migration gaps 0014; gaps.matching.inputs): one row per statement on PostgreSQL, per row on
    SQLite. A table's version is the sum of its rows' weights; compaction folds rows into one
    without changing the sum. Appending never waits for a lock, so writers of reports and cohorts
    never queue behind each other for a counter row."""

    table_name = models.CharField(max_length=63)
    weight = models.BigIntegerField(default=1)

    class Meta:
        verbose_name = _("input change")
        verbose_name_plural = _("input changes")

    def __str__(self) -> str:
        return f"{self.table_name} +{self.weight}"


class QuarterResults(models.Model):
    """Per quarter: which run users see (`current_run`) and which run holds the lock (`running_run`)."""

    quarter = models.CharField(_("quarter"), max_length=6, unique=True)
    current_run = models.ForeignKey(MatchRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    running_run = models.ForeignKey(MatchRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quarter results")
        verbose_name_plural = _("quarter results")

    def __str__(self) -> str:
        return f"{self.quarter} -> run {self.current_run_id}"


class MatchChunk(models.Model):
    """A group of occupation components of a run, matched by one worker."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    occupation_codes = models.JSONField(default=list)
    line_count = models.PositiveIntegerField(default=0)
    done = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    # Per occupation component of the chunk ("code,code,..."): md5 of the input its results
    # follow from (gaps.matching.reuse); a later run copies the rows of a component whose digest
    # is unchanged. `reused`: the components this chunk copied from the previous run.
    component_digests = models.JSONField(default=dict, blank=True)
    reused = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["run_id", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="uniq_chunk_per_run")]

    def __str__(self) -> str:
        return f"run {self.run_id} chunk {self.number}"


def _ref(model: str, **kw):
    # No index of its own: readers always filter by run first, so the indexes that serve them
    # start with the run (Meta.indexes); every index costs a large run's COPY time.
    return models.ForeignKey(
        model, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+",
        db_index=False, **kw
    )




class LineOutcome(models.Model):
    """covered / shortfall of one report line in one run (what finalize and gaps aggregate)."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="line_outcomes", db_index=False,
                            db_constraint=False)
    line = _ref("gaps.GapReportLine")
    covered = models.PositiveIntegerField()
    shortfall = models.PositiveIntegerField()
    need_date = models.DateField()
    salary_min_cny = models.DecimalField(max_digits=14, decimal_places=2)
    salary_max_cny = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        indexes = [
            models.Index(fields=["run", "shortfall"], name="lineoutcome_run_short"),
            models.Index(fields=["run", "line"], name="lineoutcome_run_line"),
        ]


class Flag(models.Model):
    """A mismatch flag of SPEC.md; the JSON object is `as_json()` (fields per kind: gaps.matching.flags)."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="flags", db_index=False,
                            db_constraint=False)
    quarter = models.CharField(max_length=6)
    kind = models.CharField(max_length=24, choices=FlagKind.choices)
    region = _ref("gaps.Region")
    region_code = models.CharField(max_length=32, null=True, blank=True)
    occupation_code = models.CharField(max_length=4, null=True, blank=True)
    college = _ref("training.College")
    college_code = models.CharField(max_length=32, null=True, blank=True)
    program = _ref("training.Program")
    program_code = models.CharField(max_length=64, null=True, blank=True)
    cohort = _ref("training.Cohort")
    cohort_graduation_date = models.DateField(null=True, blank=True)
    target_occupation_code = models.CharField(max_length=4, null=True, blank=True)
    line = _ref("gaps.GapReportLine")
    headcount = models.PositiveIntegerField(null=True, blank=True)
    covered = models.PositiveIntegerField(null=True, blank=True)
    shortfall = models.PositiveIntegerField(null=True, blank=True)
    surplus = models.PositiveIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    context = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["run", "kind"], name="flag_run_kind"),
            # mismatches/'s default order: a page is the first rows of this index, however many
            # flags the current runs hold.
            models.Index(fields=["run", "id"], name="flag_run_id"),
            # The region filter of mismatches/ uses the prefix; the review queue's evidence reads each
            # gap's first flags by id straight off these (projects.selectors._first_per_gap).
            models.Index(fields=["run", "region_code", "occupation_code", "id"], name="flag_run_region_occ_id"),
            models.Index(
                fields=["run", "region_code", "target_occupation_code", "id"], name="flag_run_region_target_id"
            ),
            models.Index(fields=["run", "region"], name="flag_run_region_id"),
            models.Index(fields=["run", "college"], name="flag_run_college"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quarter} {self.region_code or ''} {self.occupation_code or ''}"

    @property
    def detail(self) -> str:
        from gaps.matching.flags import flag_detail

        return flag_detail(self.kind, self.__dict__, self.context)

    def as_json(self) -> dict:
        from gaps.matching.flags import flag_json

        return flag_json(self.__dict__, self.context)


class Recommendation(models.Model):
    """A recommendation to one college (RETOOL, EXPAND, OPEN, RESCHEDULE, ALIGN_CERTIFICATION, ADD_LANGUAGE)."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="recommendations", db_index=False,
                            db_constraint=False)
    quarter = models.CharField(max_length=6)
    kind = models.CharField(max_length=24, choices=RecommendationKind.choices)
    college = _ref("training.College")
    college_code = models.CharField(max_length=32)
    program = _ref("training.Program")
    program_code = models.CharField(max_length=64, null=True, blank=True)
    region = _ref("gaps.Region")
    region_code = models.CharField(max_length=32)
    occupation_code = models.CharField(max_length=4)
    from_occupation_code = models.CharField(max_length=4, null=True, blank=True)
    headcount = models.PositiveIntegerField()
    shortfall = models.PositiveIntegerField()
    salary_min = models.DecimalField(max_digits=14, decimal_places=2)
    salary_max = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    salary_min_cny = models.DecimalField(max_digits=14, decimal_places=2)
    salary_max_cny = models.DecimalField(max_digits=14, decimal_places=2)
    need_date = models.DateField()
    latest_intake_date = models.DateField(null=True, blank=True)
    feasibility = models.DecimalField(max_digits=4, decimal_places=2)
    score = models.DecimalField(max_digits=20, decimal_places=2)
    line = _ref("gaps.GapReportLine")
    cohort = _ref("training.Cohort")

    class Meta:
        ordering = ["-score", "id"]
        indexes = [
            models.Index(fields=["run", "college"], name="rec_run_college"),
            models.Index(fields=["run", "region"], name="rec_run_region"),
            models.Index(fields=["run", "region_code", "occupation_code", "id"], name="rec_run_region_occ_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.college_code} {self.occupation_code}"

    @property
    def detail(self) -> str:
        from gaps.matching.recommendations import recommendation_detail

        return recommendation_detail(self.__dict__)
