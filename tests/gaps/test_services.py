"""Report services: transitions valid and invalid, supersession, revision, editing rules, audit history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from gaps import services
from gaps.models import GapReport, GapReportLine, Occupation, ReportStatus
from tests.api import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    f.occupations()
    return f.region("KZ-VOS")


@pytest.fixture
def official(make_user, region):
    return make_user(Role.OFFICIAL, regions=[region])


@pytest.fixture
def draft(region, official):
    return f.report(region, "2026Q3", user=official)


class TestTransitions:
    def test_submit_makes_a_draft_submitted_and_records_who_and_when(self, draft, official):
        report = services.report_submit(report=draft, user=official)
        assert report.status == ReportStatus.SUBMITTED
        assert report.submitted_by == official
        assert report.submitted_at is not None

    def test_submitting_twice_is_an_invalid_transition(self, draft, official):
        services.report_submit(report=draft, user=official)
        with pytest.raises(services.TransitionError) as excinfo:
            services.report_submit(report=draft, user=official)
        assert excinfo.value.code == "invalid_transition"

    def test_a_draft_cannot_be_withdrawn(self, draft, official):
        with pytest.raises(services.TransitionError):
            services.report_withdraw(report=draft, user=official)
        draft.refresh_from_db()
        assert draft.status == ReportStatus.DRAFT

    def test_a_submitted_report_can_be_withdrawn_once(self, draft, official):
        services.report_submit(report=draft, user=official)
        report = services.report_withdraw(report=draft, user=official)
        assert (report.status, report.withdrawn_at is not None) == (ReportStatus.WITHDRAWN, True)
        with pytest.raises(services.TransitionError):
            services.report_withdraw(report=draft, user=official)
        with pytest.raises(services.TransitionError):
            services.report_submit(report=draft, user=official)

    def test_an_empty_report_cannot_be_submitted(self, region, official):
        empty = services.report_create(region=region, quarter="2026Q4", user=official)
        with pytest.raises(ValidationError) as excinfo:
            services.report_submit(report=empty, user=official)
        assert excinfo.value.code == "empty_report"

    def test_create_returns_the_open_draft(self, draft, region, official):
        assert services.report_create(region=region, quarter="2026Q3", user=official) == draft

    def test_create_refuses_a_bad_quarter(self, region, official):
        with pytest.raises(ValidationError):
            services.report_create(region=region, quarter="2026Q9", user=official)


class TestResubmission:
    def test_a_resubmission_supersedes_the_earlier_report_and_history_keeps_both(self, draft, official, make_user, region):
        first = services.report_submit(report=draft, user=official)
        colleague = make_user(Role.OFFICIAL, regions=[region])
        second = services.report_revise(report=first, user=colleague)
        services.report_submit(report=second, user=colleague)

        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, first.superseded_by) == (ReportStatus.SUPERSEDED, second)
        assert second.status == ReportStatus.SUBMITTED
        assert GapReport.objects.filter(region=region, quarter="2026Q3", status=ReportStatus.SUBMITTED).get() == second

        # History: who moved the first report to which status, in order.
        trail = [(h.status, h.history_user) for h in first.history.order_by("history_date", "history_id")]
        assert trail == [
            (ReportStatus.DRAFT, official),
            (ReportStatus.SUBMITTED, official),
            (ReportStatus.SUPERSEDED, colleague),
        ]
        assert all(h.history_date for h in first.history.all())

    def test_revise_copies_every_line_into_a_new_draft(self, draft, official):
        services.report_line_add(report=draft, user=official, **f.line_fields(occupation=None, occupation_title="универсал", headcount=3))
        services.report_submit(report=draft, user=official)
        revised = services.report_revise(report=draft, user=official)
        assert revised.pk != draft.pk
        assert revised.status == ReportStatus.DRAFT
        columns = ("line_no", "occupation_id", "occupation_title", "headcount", "salary_min", "season_start", "languages")
        assert list(revised.lines.values_list(*columns)) == list(draft.lines.values_list(*columns))
        # The original's lines stay where they were.
        assert draft.lines.count() == 2
        # The copies are in the audit history too, by the reviser.
        assert GapReportLine.history.filter(report_id=revised.pk, history_type="+", history_user=official).count() == 2

    def test_revise_refuses_a_draft_and_a_second_draft(self, draft, official):
        with pytest.raises(ValidationError) as excinfo:
            services.report_revise(report=draft, user=official)
        assert excinfo.value.code == "not_revisable"
        services.report_submit(report=draft, user=official)
        services.report_revise(report=draft, user=official)
        with pytest.raises(ValidationError) as excinfo:
            services.report_revise(report=draft, user=official)
        assert excinfo.value.code == "draft_exists"


class TestEditing:
    def test_lines_of_a_submitted_report_cannot_be_added_changed_or_deleted(self, draft, official):
        line = draft.lines.get()
        services.report_submit(report=draft, user=official)
        for attempt in (
            lambda: services.report_line_add(report=draft, user=official, **f.line_fields()),
            lambda: services.report_line_update(line=line, user=official, headcount=1),
            lambda: services.report_line_delete(line=line, user=official),
            lambda: services.report_replace_lines(report=draft, lines=[f.line_fields()], user=official),
        ):
            with pytest.raises(ValidationError) as excinfo:
                attempt()
            assert excinfo.value.code == "not_editable"
        line.refresh_from_db()
        assert line.headcount == 120

    def test_an_update_cannot_touch_fields_outside_the_line(self, draft, official):
        line = draft.lines.get()
        with pytest.raises(ValidationError) as excinfo:
            services.report_line_update(line=line, user=official, report_id=999)
        assert "report_id" in excinfo.value.message_dict

    def test_replacing_lines_is_all_or_nothing(self, draft, official):
        with pytest.raises(ValidationError):
            services.report_replace_lines(report=draft, lines=[f.line_fields(headcount=5), f.line_fields(headcount=0)], user=official)
        assert list(draft.lines.values_list("headcount", flat=True)) == [120]

    def test_line_changes_are_audited_with_the_user(self, draft, official):
        line = draft.lines.get()
        line_id = line.pk
        services.report_line_update(line=line, user=official, headcount=7)
        services.report_line_delete(line=line, user=official)
        trail = [(h.history_type, h.headcount, h.history_user) for h in GapReportLine.history.filter(id=line_id).order_by("history_id")]
        assert trail == [("+", 120, official), ("~", 7, official), ("-", 7, official)]


class TestWhoMayWrite:
    @pytest.mark.parametrize("role", [Role.REVIEWER, Role.COLLEGE_STAFF, None])
    def test_only_officials_of_the_region_and_admins_write(self, draft, make_user, role):
        outsider = make_user(role)
        for attempt in (
            lambda: services.report_create(region=draft.region, quarter="2026Q4", user=outsider),
            lambda: services.report_line_add(report=draft, user=outsider, **f.line_fields()),
            lambda: services.report_submit(report=draft, user=outsider),
        ):
            with pytest.raises(PermissionDenied):
                attempt()

    def test_an_official_of_another_region_is_refused(self, draft, make_user):
        other = make_user(Role.OFFICIAL, regions=[f.region("CN-XJ-HRG", country="CN")])
        with pytest.raises(PermissionDenied):
            services.report_submit(report=draft, user=other)
        draft.refresh_from_db()
        assert draft.status == ReportStatus.DRAFT

    def test_an_admin_may_submit_any_region(self, draft, django_user_model):
        admin = django_user_model.objects.create_superuser("root", "r@example.org", "pw")
        assert services.report_submit(report=draft, user=admin).status == ReportStatus.SUBMITTED


class TestCodingLines:
    @pytest.fixture
    def submitted_uncoded(self, draft, official):
        line = services.report_line_add(report=draft, user=official, **f.line_fields(occupation=None, occupation_title="универсал"))
        services.report_submit(report=draft, user=official)
        return line

    def test_an_uncoded_line_of_a_submitted_report_gets_its_code(self, submitted_uncoded, official):
        line = services.line_set_occupation(line=submitted_uncoded, occupation=Occupation.objects.get(pk="8344"), user=official)
        assert (line.occupation_id, line.coding_confidence) == ("8344", 1.0)
        assert line.report.status == ReportStatus.SUBMITTED
        latest = line.history.first()
        assert (latest.occupation_id, latest.history_user) == ("8344", official)

    def test_a_coded_line_of_a_submitted_report_is_not_recoded(self, submitted_uncoded, official):
        coded = submitted_uncoded.report.lines.exclude(pk=submitted_uncoded.pk).get()
        with pytest.raises(ValidationError) as excinfo:
            services.line_set_occupation(line=coded, occupation=Occupation.objects.get(pk="7515"), user=official)
        assert excinfo.value.code == "not_codable"

    def test_only_unit_groups_are_codes(self, submitted_uncoded, official):
        with pytest.raises(ValidationError) as excinfo:
            services.line_set_occupation(line=submitted_uncoded, occupation=Occupation.objects.get(pk="834"), user=official)
        assert "occupation" in excinfo.value.message_dict

    def test_a_withdrawn_reports_lines_stay_as_they_were(self, submitted_uncoded, official):
        services.report_withdraw(report=submitted_uncoded.report, user=official)
        with pytest.raises(ValidationError):
            services.line_set_occupation(line=submitted_uncoded, occupation=Occupation.objects.get(pk="8344"), user=official)

    def test_a_reviewer_may_not_code(self, submitted_uncoded, make_user):
        with pytest.raises(PermissionDenied):
            services.line_set_occupation(line=submitted_uncoded, occupation=Occupation.objects.get(pk="8344"), user=make_user(Role.REVIEWER))


class TestRematch:
    """Each test makes one change: within one transaction the scheduler queues one callback per
    quarter, and a test is one transaction, so the setup reaches its state without the services."""

    def test_submit_queues_a_rematch_after_commit(self, draft, official, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks() as callbacks:
            services.report_submit(report=draft, user=official)
        assert len(callbacks) == 1

    def test_withdraw_queues_a_rematch_after_commit(self, draft, official, django_capture_on_commit_callbacks):
        GapReport.objects.filter(pk=draft.pk).update(status=ReportStatus.SUBMITTED)
        with django_capture_on_commit_callbacks() as callbacks:
            services.report_withdraw(report=draft, user=official)
        assert len(callbacks) == 1

    def test_coding_a_submitted_line_queues_a_rematch(self, draft, official, django_capture_on_commit_callbacks):
        line = services.report_line_add(report=draft, user=official, **f.line_fields(occupation=None, occupation_title="универсал"))
        GapReport.objects.filter(pk=draft.pk).update(status=ReportStatus.SUBMITTED)
        with django_capture_on_commit_callbacks() as callbacks:
            services.line_set_occupation(line=line, occupation=Occupation.objects.get(pk="8344"), user=official)
        assert len(callbacks) == 1

    def test_coding_a_draft_line_queues_nothing(self, draft, official, django_capture_on_commit_callbacks):
        line = services.report_line_add(report=draft, user=official, **f.line_fields(occupation=None, occupation_title="универсал"))
        with django_capture_on_commit_callbacks() as callbacks:
            services.line_set_occupation(line=line, occupation=Occupation.objects.get(pk="8344"), user=official)
        assert callbacks == []
