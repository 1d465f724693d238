"""Decisions, transitions, conditions and outcomes through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from projects import services
from projects.choices import DecisionKind, ProjectStatus
from projects.models import CohortOutcome, CooperationProject, GapDecision


def approve(gap, world, **kw):
    return services.gap_approve(gap=gap, user=world["reviewer"], **kw)


class TestDecisions:
    def test_approval_creates_one_fast_tracked_project_with_a_condition_due_in_90_days(self, gap, world):
        project = approve(gap, world, comment="urgent: harvest")
        assert project.status == ProjectStatus.FAST_TRACKED
        assert project.origin_gap == gap and list(project.gaps.all()) == [gap]
        assert project.owner == world["reviewer"]
        assert project.decision.decision == DecisionKind.APPROVED and project.decision.comment == "urgent: harvest"
        (condition,) = project.conditions.all()
        assert condition.due_date == timezone.localdate(project.approved_at) + dt.timedelta(days=90)
        assert not project.is_overdue

    @override_settings(CONDITIONS_DUE_DAYS=30)
    def test_condition_due_days_come_from_settings(self, gap, world):
        project = approve(gap, world)
        assert project.conditions.get().due_date == timezone.localdate() + dt.timedelta(days=30)

    def test_decisions_are_final(self, make_gap, world):
        approved, rejected = make_gap(), make_gap(occupation=world["grader"])
        approve(approved, world)
        services.gap_reject(gap=rejected, user=world["reviewer"], comment="covered by enterprise training")
        for gap in (approved, rejected):
            with pytest.raises(services.DecisionConflict, match="decisions are final"):
                approve(gap, world)
            with pytest.raises(services.DecisionConflict):
                services.gap_reject(gap=gap, user=world["reviewer2"], comment="no")
        assert CooperationProject.objects.count() == 1
        assert GapDecision.objects.get(gap=rejected).comment == "covered by enterprise training"

    def test_rejection_keeps_its_reason_and_requires_one(self, gap, world):
        with pytest.raises(ValidationError) as err:
            services.gap_reject(gap=gap, user=world["reviewer"], comment="  ")
        assert "comment" in err.value.message_dict
        decision = services.gap_reject(gap=gap, user=world["reviewer"], comment="seasonal, resolved")
        assert decision.decision == DecisionKind.REJECTED and decision.decided_by == world["reviewer"]
        assert not CooperationProject.objects.exists()
        # The audit history records who decided.
        (record,) = decision.history.all()
        assert record.history_user == world["reviewer"]
        assert record.decision == "rejected" and record.comment == "seasonal, resolved"

    def test_the_database_refuses_a_rejection_without_reason(self, gap):
        with pytest.raises(IntegrityError), transaction.atomic():
            GapDecision.objects.create(gap=gap, decision=DecisionKind.REJECTED, comment="")

    @pytest.mark.parametrize("role", ["official", "college", "nobody"])
    def test_only_reviewers_decide(self, gap, world, role):
        with pytest.raises(PermissionDenied):
            services.gap_approve(gap=gap, user=world[role])
        with pytest.raises(PermissionDenied):
            services.gap_reject(gap=gap, user=world[role], comment="x")
        assert not GapDecision.objects.exists()

    def test_an_inactive_gap_cannot_be_approved(self, make_gap, world):
        gap = make_gap(is_active=False)
        with pytest.raises(ValidationError, match="no longer in the current matching"):
            approve(gap, world)
        assert not GapDecision.objects.exists()

    def test_unique_constraint_backs_the_lock(self, gap, world):
        """Even a caller that skips the row lock cannot store a second decision for a gap."""
        approve(gap, world)
        with pytest.raises(services.DecisionConflict):
            services._save_decision(GapDecision(gap=gap, decision=DecisionKind.APPROVED, decided_by=world["reviewer"]))
        assert GapDecision.objects.filter(gap=gap).count() == 1


ALL = list(ProjectStatus)


def project_in(status, gap, world):
    """A project driven through the services into `status`."""
    project = approve(gap, world)
    user = world["reviewer"]
    if status == ProjectStatus.FAST_TRACKED:
        return project
    if status == ProjectStatus.CANCELLED:
        return services.project_cancel(project=project, user=user, reason="duplicate")
    if status == ProjectStatus.SUSPENDED:
        return services.project_suspend(project=project, user=user, reason="budget frozen")
    _make_ready(project, world)
    project = services.project_activate(project=project, user=user)
    if status == ProjectStatus.COMPLETED:
        project = services.project_complete(project=project, user=user)
    return project


def _make_ready(project, world):
    services.project_update(project=project, user=world["reviewer"], lead_college=world["ust"])
    for condition in project.conditions.open():
        services.condition_supplement(condition=condition, user=world["reviewer"], supplement="targets agreed")


TARGET_SERVICE = {
    ProjectStatus.ACTIVE: "activate",
    ProjectStatus.COMPLETED: "complete",
    ProjectStatus.SUSPENDED: "suspend",
    ProjectStatus.CANCELLED: "cancel",
}


class TestTransitions:
    @pytest.mark.parametrize(
        "source,target",
        [(s, t) for s, t in itertools.product(ALL, ALL) if t != ProjectStatus.FAST_TRACKED and s != t],
    )
    def test_every_transition_follows_the_map(self, gap, world, source, target):
        project = project_in(source, gap, world)
        if target == ProjectStatus.ACTIVE and source == ProjectStatus.FAST_TRACKED:
            _make_ready(project, world)
        service = services.TRANSITION_SERVICES[TARGET_SERVICE[target]]
        if source == ProjectStatus.SUSPENDED and target == ProjectStatus.ACTIVE:
            service = services.project_resume  # a suspended project goes back through resume
            project.refresh_from_db()
            project.status_before_suspension = ProjectStatus.ACTIVE
            project.save()
        allowed = target in services.ALLOWED_TRANSITIONS[source]
        if allowed:
            result = service(project=project, user=world["reviewer"], reason="because")
            assert result.status == target
            assert CooperationProject.objects.get(pk=project.pk).status == target
        else:
            with pytest.raises(services.TransitionError, match="cannot become|Only a suspended"):
                service(project=project, user=world["reviewer"], reason="because")
            assert CooperationProject.objects.get(pk=project.pk).status == source

    def test_map_is_what_the_spec_says(self):
        t = services.ALLOWED_TRANSITIONS
        assert t[ProjectStatus.FAST_TRACKED] == {ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED}
        assert t[ProjectStatus.ACTIVE] == {ProjectStatus.COMPLETED, ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED}
        assert t[ProjectStatus.COMPLETED] == set() and t[ProjectStatus.CANCELLED] == set()

    def test_activation_needs_lead_college_and_supplemented_conditions(self, gap, world):
        project = approve(gap, world)
        with pytest.raises(services.TransitionError, match="lead college.*supplement every condition"):
            services.project_activate(project=project, user=world["reviewer"])
        assert CooperationProject.objects.get(pk=project.pk).status == ProjectStatus.FAST_TRACKED

    def test_resume_returns_to_the_status_before_suspension(self, gap, world):
        project = project_in(ProjectStatus.ACTIVE, gap, world)
        project = services.project_suspend(project=project, user=world["reviewer"], reason="flood")
        assert project.status_before_suspension == ProjectStatus.ACTIVE
        project = services.project_resume(project=project, user=world["reviewer"])
        assert project.status == ProjectStatus.ACTIVE and project.status_before_suspension == ""

    def test_fast_tracked_project_resumes_fast_tracked(self, gap, world):
        project = project_in(ProjectStatus.SUSPENDED, gap, world)
        assert services.project_resume(project=project, user=world["reviewer"]).status == ProjectStatus.FAST_TRACKED

    @pytest.mark.parametrize("name", ["suspend", "cancel"])
    def test_suspension_and_cancellation_need_a_reason(self, gap, world, name):
        project = approve(gap, world)
        with pytest.raises(ValidationError, match="reason"):
            services.TRANSITION_SERVICES[name](project=project, user=world["reviewer"], reason="")

    def test_only_reviewers_change_status(self, gap, world):
        project = approve(gap, world)
        with pytest.raises(PermissionDenied):
            services.project_cancel(project=project, user=world["official"], reason="x")

    def test_status_changes_are_audited(self, gap, world):
        project = project_in(ProjectStatus.CANCELLED, gap, world)
        records = list(project.history.order_by("history_date", "history_id"))
        assert records[0].status == ProjectStatus.FAST_TRACKED and records[-1].status == ProjectStatus.CANCELLED
        assert records[-1].history_user == world["reviewer"] and records[-1].status_reason == "duplicate"
        delta = records[-1].diff_against(records[-2])
        assert "status" in delta.changed_fields

    def test_the_database_refuses_an_unknown_status(self, gap, world):
        project = approve(gap, world)
        with pytest.raises(IntegrityError), transaction.atomic():
            CooperationProject.objects.filter(pk=project.pk).update(status="approved")


class TestProjectUpdate:
    def test_plan_fields_and_colleges(self, gap, world):
        project = approve(gap, world)
        project = services.project_update(
            project=project, user=world["reviewer"], lead_college=world["ust"], partner_colleges=[world["gansu"]],
            programs=[world["operators"]], planned_trainees=25, planned_intake_date=dt.date(2026, 9, 1),
            budget_amount=Decimal("1200000"), budget_currency="KZT", funding_source="employment_voucher",
        )
        project.refresh_from_db()
        assert project.lead_college == world["ust"] and list(project.partner_colleges.all()) == [world["gansu"]]
        assert project.budget_currency == "KZT" and project.funding_source == "employment_voucher"

    def test_budget_needs_a_currency(self, gap, world):
        project = approve(gap, world)
        with pytest.raises(ValidationError) as err:
            services.project_update(project=project, user=world["reviewer"], budget_amount=Decimal("10"))
        assert "budget_currency" in err.value.message_dict

    def test_lead_cannot_be_partner(self, gap, world):
        project = approve(gap, world)
        with pytest.raises(ValidationError) as err:
            services.project_update(project=project, user=world["reviewer"], lead_college=world["ust"],
                                    partner_colleges=[world["ust"]])
        assert "partner_colleges" in err.value.message_dict

    def test_origin_gap_stays(self, gap, make_gap, world):
        project = approve(gap, world)
        other = make_gap(occupation=world["grader"])
        with pytest.raises(ValidationError):
            services.project_update(project=project, user=world["reviewer"], gaps=[other])
        services.project_update(project=project, user=world["reviewer"], gaps=[gap, other])
        assert set(project.gaps.all()) == {gap, other}

    def test_the_database_refuses_an_amount_without_currency(self, gap, world):
        project = approve(gap, world)
        with pytest.raises(IntegrityError), transaction.atomic():
            CooperationProject.objects.filter(pk=project.pk).update(budget_amount=5)


class TestConditions:
    def test_default_due_date_overdue_and_supplement(self, gap, world):
        project = approve(gap, world)
        condition = services.condition_create(project=project, text="Employer letters", user=world["reviewer"])
        assert condition.due_date == project.default_condition_due_date()
        past = services.condition_create(project=project, text="Budget plan", due_date=dt.date(2020, 1, 1),
                                         user=world["reviewer"])
        assert past.is_overdue and project.is_overdue
        past = services.condition_supplement(condition=past, user=world["reviewer2"], supplement="plan attached")
        assert past.supplemented_by == world["reviewer2"] and past.supplemented_at is not None
        assert not past.is_overdue and not CooperationProject.objects.get(pk=project.pk).is_overdue
        with pytest.raises(ValidationError, match="already supplemented"):
            services.condition_supplement(condition=past, user=world["reviewer"])

    def test_conditions_of_a_closed_project_are_frozen(self, gap, world):
        project = project_in(ProjectStatus.CANCELLED, gap, world)
        with pytest.raises(ValidationError, match="no longer be changed"):
            services.condition_create(project=project, text="x", user=world["reviewer"])


class TestOutcomes:
    @pytest.mark.parametrize(
        "figures,field",
        [
            ({"enrolled": 10, "completed": 11, "passed_assessment": 0, "employed_6m": 0}, "completed"),
            ({"enrolled": 10, "completed": 8, "passed_assessment": 9, "employed_6m": 0}, "passed_assessment"),
            ({"enrolled": 10, "completed": 8, "passed_assessment": 1, "employed_6m": 9}, "employed_6m"),
            ({"enrolled": 10, "completed": 8, "passed_assessment": 1, "employed_6m": 1,
              "income_before": Decimal("100")}, "income_currency"),
        ],
    )
    def test_arithmetic_rules_name_the_field(self, gap, world, figures, field):
        project = approve(gap, world)
        with pytest.raises(ValidationError) as err:
            services.outcome_create(project=project, cohort=world["cohort"], user=world["reviewer"], **figures)
        assert field in err.value.message_dict
        assert not CohortOutcome.objects.exists()

    @pytest.mark.parametrize(
        "update",
        [{"completed": 11}, {"passed_assessment": 9}, {"employed_6m": 9}],
    )
    def test_the_database_enforces_them_too(self, gap, world, update):
        project = approve(gap, world)
        outcome = services.outcome_create(project=project, cohort=world["cohort"], user=world["reviewer"],
                                          enrolled=10, completed=8, passed_assessment=5, employed_6m=5)
        with pytest.raises(IntegrityError), transaction.atomic():
            CohortOutcome.objects.filter(pk=outcome.pk).update(**update)

    def test_one_outcome_per_cohort(self, gap, world):
        project = approve(gap, world)
        figures = {"enrolled": 10, "completed": 8, "passed_assessment": 5, "employed_6m": 5}
        services.outcome_create(project=project, cohort=world["cohort"], user=world["reviewer"], **figures)
        with pytest.raises(ValidationError) as err:
            services.outcome_create(project=project, cohort=world["cohort"], user=world["reviewer"], **figures)
        assert "cohort" in err.value.message_dict
