"""Writing the demo world (demo.world) into the database: `manage.py load_demo [--today D]`.

The demo is the top layer: it writes reports through gaps.services, matches through
gaps.matching.services and approves gaps and records outcomes through projects.services, like the
people it stands for. Reference data (regions, rates, colleges, programs, cohorts) is created
directly by natural key, as the importers would.

A database holds one demo, dated once. The day is kept (DemoState); every later run rebuilds the
same world from that day and creates only what is missing, so running it again -- today or any
later day -- changes nothing. It never moves an existing demo to a new day (that would mix two
calendars in one database): `--today` with another day is refused, and a run without it on a
later day keeps the old demo and says how old it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.quarters import Quarter
from gaps import services as report_services
from gaps.matching import services as matching
from gaps.models import ExchangeRate, Gap, GapReport, Occupation, Region
from projects import services as project_services
from projects.models import CooperationProject, GapDecision
from training.models import Cohort, College, Program

from .models import DemoState
from .world import NOTE_TRANSLATIONS, REVIEWER, Rules, World, build_world

# Shared by every demo account; printed by load_demo. For demonstrations only: never use the
# demo users on a server that holds real data.
DEMO_PASSWORD = "talentgap-demo"

# A program that exists means a demo was loaded here (before DemoState, by an older load_demo).
_DEMO_MARKER = ("KZ-LUBAN-UKG", "HARV-OP")


class DemoError(Exception):
    """The demo cannot be loaded (no taxonomy, a different day asked for, ...)."""


@dataclass
class DemoSummary:
    today: dt.date | None = None  # the day the demo is dated from
    created: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, scope)
    matched: list[str] = field(default_factory=list)
    # An older demo with no recorded day (loaded before load_demo dated it): left as it is.
    undated: bool = False

    def count(self, what: str, n: int = 1) -> None:
        if n:
            self.created[what] = self.created.get(what, 0) + int(n)

    @property
    def quarter(self) -> Quarter | None:
        return Quarter.containing(self.today) if self.today else None


def demo_rules() -> Rules:
    """SPEC.md's defaults, or the settings that override them where they exist."""
    return Rules(
        supply_window_days=getattr(settings, "SUPPLY_WINDOW_DAYS", 180),
        act_window_days=getattr(settings, "ACT_WINDOW_DAYS", 90),
        default_lead_days=getattr(settings, "DEFAULT_LEAD_DAYS", 180),
        conditions_due_days=getattr(settings, "CONDITIONS_DUE_DAYS", 90),
    )


def demo_dated() -> dt.date | None:
    """The day the database's demo is dated from; None when there is none (or an undated one)."""
    return DemoState.objects.values_list("today", flat=True).first()


@transaction.atomic
def demo_load(*, today: dt.date | None = None) -> DemoSummary:
    """Create whatever part of the demo is missing, in one transaction (all or nothing).

    `today`: the day to date a new demo from (default: the local date). On a database whose demo
    is dated from another day, a given `today` raises DemoError; without one, that demo is kept.
    The quarters whose reports this call submits are matched here, oldest first (so each
    quarter's "new on the list" sees the gaps before it, and the projects find their gaps);
    their queued re-matches are the runs used, so nothing is matched twice after commit.
    """
    world_codes = build_world(today or timezone.localdate(), demo_rules()).occupation_codes()
    missing = sorted(world_codes - set(Occupation.objects.filter(level=4).values_list("code", flat=True)))
    if missing:
        raise DemoError(
            "The occupation taxonomy is not loaded (missing unit groups %s); run `manage.py load_taxonomy` first."
            % ", ".join(missing)
        )
    state = DemoState.objects.select_for_update().filter(pk=1).first()
    if state is not None and today is not None and state.today != today:
        raise DemoError(
            f"This database already holds the demo dated {state.today.isoformat()} "
            f"(current quarter {Quarter.containing(state.today)}); a demo is dated once. "
            f"To date it from {today.isoformat()}, load it into an empty database."
        )
    if state is None and Program.objects.filter(college__code=_DEMO_MARKER[0], code=_DEMO_MARKER[1]).exists():
        return DemoSummary(undated=True, users=_user_rows())
    if state is None:
        try:
            with transaction.atomic():
                state = DemoState.objects.create(pk=1, today=today or timezone.localdate())
        except IntegrityError:
            raise DemoError("Another load_demo is loading the demo at this moment; run it again once it has finished.") from None
    world = build_world(state.today, demo_rules())
    summary = DemoSummary(today=state.today)
    regions = _load_regions(summary, world)
    _load_rates(summary, world)
    colleges = _load_colleges(summary, world)
    users = _load_users(summary, world, regions, colleges)
    programs = _load_programs(summary, world, colleges, regions)
    submitted = _load_reports(summary, world, regions, users)
    _match(summary, submitted)
    _load_projects(summary, world, colleges, programs, users)
    return summary


def _user_rows() -> list[tuple[str, str, str]]:
    from .world import USERS

    return [(u.username, _role_label(u.role), _scope(u)) for u in USERS]


def _scope(spec) -> str:
    """What a demo user sees, names before codes: "East Kazakhstan Region KZ-VOS, ..."."""
    from .world import COLLEGES, REGIONS

    names = {r.code: r.name_en for r in REGIONS} | {c.code: c.name for c in COLLEGES}
    return ", ".join(f"{names[code]} {code}" for code in spec.regions + spec.colleges) or (
        "everything" if spec.role != "official" else ""
    )


def _role_label(role: str | None) -> str:
    from accounts.models import Role

    return str(Role(role).label) if role else "administrator (superuser)"


def _load_regions(summary: DemoSummary, world: World) -> dict[str, Region]:
    regions = {}
    for r in world.regions:
        region, created = Region.objects.get_or_create(
            code=r.code,
            defaults=dict(country=r.country, kind=r.kind, name_en=r.name_en, name_ru=r.name_ru, name_zh=r.name_zh,
                          name_kk=r.name_kk, avg_wage_growth_pct=Decimal(r.wage_growth_pct)),
        )
        summary.count("regions", created)
        regions[r.code] = region
    return regions


def _load_rates(summary: DemoSummary, world: World) -> None:
    have = set(ExchangeRate.objects.values_list("currency", "date"))
    new = [
        ExchangeRate(currency=r.currency, date=r.date, rate_to_cny=r.rate_to_cny)
        for r in world.rates if (r.currency, r.date) not in have
    ]
    ExchangeRate.objects.bulk_create(new)
    summary.count("exchange rates", len(new))


def _translations(written: str, pairs) -> dict:
    """A stored text's translations as the models keep them (core.text.in_reader_language)."""
    return {**dict(pairs), "_as_written": written} if pairs else {}


def _load_colleges(summary: DemoSummary, world: World) -> dict[str, College]:
    colleges = {}
    for c in world.colleges:
        college, created = College.objects.get_or_create(code=c.code, defaults={
            "name": c.name, "country": c.country, "name_translations": _translations(c.name, c.translations)})
        summary.count("colleges", created)
        if not created and c.translations and not college.name_translations and college.name == c.name:
            # A demo loaded before colleges had translations of their names.
            college.name_translations = _translations(c.name, c.translations)
            college.save(update_fields=["name_translations"])
            summary.count("college names translated")
        colleges[c.code] = college
    return colleges


def _load_users(summary: DemoSummary, world: World, regions: dict[str, Region], colleges: dict[str, College]):
    User = get_user_model()
    users = {}
    # Hashed once for every demo account: the password is public anyway, and PBKDF2 costs ~0.3 s
    # a call, which would be most of a demo load.
    password_hash = None
    for spec in world.users:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(username=spec.username, first_name=spec.first_name, last_name=spec.last_name,
                        email=f"{spec.username}@demo.invalid")
            if spec.role is None:
                user.is_staff = user.is_superuser = True
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user.password = password_hash
            user.save()
            summary.count("users")
        if spec.role is not None:
            user.groups.add(Group.objects.get(name=spec.role))
        for code in spec.regions:
            regions[code].members.add(user)
        for code in spec.colleges:
            colleges[code].staff.add(user)
        summary.users.append((spec.username, _role_label(spec.role), _scope(spec)))
        users[spec.username] = user
    return users


def _load_programs(summary: DemoSummary, world: World, colleges, regions) -> dict[tuple[str, str], Program]:
    has_mobile = any(f.name == "mobile" for f in Program._meta.get_fields())
    programs = {}
    for spec in world.programs:
        defaults = dict(title=spec.title, sector=spec.sector, languages=list(spec.languages),
                        certifications=list(spec.certifications),
                        title_translations=_translations(spec.title, spec.translations))
        if has_mobile:  # the mobile-workshop flag, once the training app has it
            defaults["mobile"] = spec.mobile
        program, created = Program.objects.get_or_create(college=colleges[spec.college], code=spec.code,
                                                         defaults=defaults)
        if created:
            program.occupations.set(spec.occupations)
            program.serves_regions.set([regions[code] for code in spec.serves])
            summary.count("programs")
        elif spec.translations and not program.title_translations and program.title == spec.title:
            # A demo loaded before programs had translations of their titles.
            program.title_translations = _translations(spec.title, spec.translations)
            program.save(update_fields=["title_translations", "updated_at"])
            summary.count("program titles translated")
        if not created and has_mobile and spec.mobile and not program.mobile:
            # A demo loaded before programs had the flag: its mobile workshop is one.
            program.mobile = True
            program.save(update_fields=["mobile", "updated_at"])
            summary.count("programs marked mobile")
        have = set(Cohort.objects.filter(program=program).values_list("intake_date", flat=True))
        new = [
            Cohort(program=program, seats=c.seats, intake_date=c.intake, graduation_date=c.graduation)
            for c in spec.cohorts if c.intake not in have
        ]
        for cohort in new:
            cohort.save()  # one by one: the audit history records each
        summary.count("cohorts", len(new))
        programs[(spec.college, spec.code)] = program
    return programs


def _official_of(region_code: str, world: World, users) -> object | None:
    for spec in world.users:
        if spec.role == "official" and region_code in spec.regions:
            return users[spec.username]
    return None


def _load_reports(summary: DemoSummary, world: World, regions, users) -> list[str]:
    """Reports through gaps.services, as an official files them; returns the quarters submitted."""
    submitted: list[str] = []
    for spec in world.reports:
        region = regions[spec.region]
        # Any report of the region for the quarter means the demo (or a person) already filed it.
        if GapReport.objects.filter(region=region, quarter=spec.quarter).exists():
            continue
        official = _official_of(spec.region, world, users)
        report = report_services.report_create(region=region, quarter=spec.quarter, user=official)
        # The import path: one bulk write with history. The demo's lines are valid by construction
        # (tests/demo checks them against the world), so the per-line round trips of full_clean are
        # skipped; the database's constraints still hold.
        report_services.report_replace_lines(
            report=report,
            user=official,
            prevalidated=True,
            lines=[
                dict(
                    occupation_id=line.occupation,
                    occupation_title=line.title,
                    coding_confidence=None if line.occupation is None else 1.0,
                    sector=line.sector,
                    headcount=line.headcount,
                    salary_min=Decimal(line.salary[0]),
                    salary_max=Decimal(line.salary[1]),
                    currency=line.currency,
                    season_start=line.season[0] if line.season else None,
                    season_end=line.season[1] if line.season else None,
                    certification=line.certification,
                    languages=list(line.languages),
                    note=line.note,
                    note_translations=_translations(line.note, NOTE_TRANSLATIONS.get(line.note, ())),
                )
                for line in spec.lines
            ],
        )
        summary.count("report lines", len(spec.lines))
        if spec.submit:
            report_services.report_submit(report=report, user=official)
            summary.count("submitted reports")
            if spec.quarter not in submitted:
                submitted.append(spec.quarter)
        else:
            summary.count("draft reports")
    return submitted


def _match(summary: DemoSummary, quarters: list[str]) -> None:
    """Match each quarter now, oldest first, with the run its submission queued."""
    for quarter in sorted(quarters, key=Quarter.parse):
        # The run report_submit queued in this transaction (reused, not a second one): once it has
        # run here, the message sent after commit finds it finished and does nothing.
        run = matching.match_run_create(quarter=quarter, trigger="report_submitted", reuse_queued=True)
        try:
            # One chunk: a demo quarter is a few dozen lines.
            for chunk in matching.match_run_plan(run=run, chunks=1):
                matching.match_chunk_execute(chunk_id=chunk.pk, worker="load_demo")
            matching.match_run_finalize(run_id=run.pk)
        except matching.RunBusy as exc:
            raise DemoError(f"Another matching run of {quarter} is in progress; run load_demo again later.") from exc
        summary.matched.append(quarter)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.timezone.utc)


def _load_projects(summary: DemoSummary, world: World, colleges, programs, users) -> None:
    """Approved gaps of past quarters, with their projects' plans, conditions and outcomes.

    The services stamp everything with the present; the dates of the story (approval, the
    condition's due date and supplement) are set afterwards to when they happened. The audit
    history keeps the real time it was written.
    """
    reviewer = next(users[u.username] for u in world.users if u.role == REVIEWER)
    for spec in world.projects:
        if CooperationProject.objects.filter(
            origin_gap__region__code=spec.region, origin_gap__quarter=spec.quarter,
            origin_gap__occupation_id=spec.occupation,
        ).exists():
            continue
        gap = Gap.objects.filter(
            region__code=spec.region, quarter=spec.quarter, occupation_id=spec.occupation, is_active=True
        ).first()
        if gap is None or GapDecision.objects.filter(gap=gap).exists():
            # A demo dated today always has it (its quarter is matched above); a database where
            # someone decided or re-matched it differently simply goes without this project.
            continue
        project = project_services.gap_approve(gap=gap, user=reviewer, comment=spec.comment)
        project_services.project_update(
            project=project, user=reviewer,
            lead_college=colleges[spec.lead_college],
            partner_colleges=[colleges[c] for c in spec.partner_colleges],
            programs=[programs[key] for key in spec.programs],
            planned_trainees=spec.planned_trainees,
            planned_intake_date=spec.planned_intake,
            budget_amount=Decimal(spec.budget),
            budget_currency=spec.budget_currency,
            funding_source=spec.funding_source,
        )
        approved = _noon(spec.approved_on)
        condition = project.conditions.get()
        if spec.supplement is not None:
            project_services.condition_supplement(condition=condition, user=reviewer, supplement=spec.supplement)
            project_services.project_activate(project=project, user=reviewer)
        for o in spec.outcomes:
            cohort = Cohort.objects.get(program=programs[(o.college, o.program)], intake_date=o.intake)
            project_services.outcome_create(
                project=project, user=reviewer, cohort=cohort, enrolled=o.enrolled, completed=o.completed,
                passed_assessment=o.passed, employed_6m=o.employed, income_before=Decimal(o.income_before),
                income_after=Decimal(o.income_after), income_currency=o.currency,
                income_before_on=cohort.intake_date,
                income_after_on=cohort.graduation_date + dt.timedelta(days=182),
            )
        if spec.status == "completed":
            project_services.project_complete(project=project, user=reviewer)
        # When it happened: the approval, the condition due CONDITIONS_DUE_DAYS after it (supplemented
        # a month later), and the last status change (activation, or completion after the outcome).
        due = spec.approved_on + dt.timedelta(days=world.rules.conditions_due_days)
        GapDecision.objects.filter(pk=project.decision_id).update(
            decided_at=approved, comment_translations=_translations(spec.comment, spec.comment_translations))
        type(condition).objects.filter(pk=condition.pk).update(
            due_date=due,
            **({"supplemented_at": approved + dt.timedelta(days=30),
                "supplement_translations": _translations(spec.supplement, spec.supplement_translations)}
               if spec.supplement is not None else {}),
        )
        last_change = approved
        if spec.status == "active":
            last_change = approved + dt.timedelta(days=31)
        elif spec.status == "completed":
            last_change = max(approved, _noon(max(o.intake for o in spec.outcomes)) + dt.timedelta(days=500))
        CooperationProject.objects.filter(pk=project.pk).update(
            approved_at=approved, created_at=approved, status_changed_at=min(last_change, timezone.now())
        )
        summary.count("projects")
