"""Training services: who may write programs and cohorts, validation, audit history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from gaps.models import Occupation
from training import services
from training.models import Cohort, College, Program
from tests.api import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def college():
    f.occupations()
    return f.college("LUBAN-KZ")


@pytest.fixture
def staff(make_user, college):
    return make_user(Role.COLLEGE_STAFF, colleges=[college])


def create(college, user, **overrides):
    fields = {
        "college": college,
        "code": "HARV-1",
        "title": "Combine harvester operators",
        "occupations": Occupation.objects.filter(pk="8341"),
        "languages": ["ru", "kk"],
        "serves_regions": [f.region("KZ-VOS")] if not overrides.get("serves_regions") else overrides.pop("serves_regions"),
        "user": user,
    }
    fields.update(overrides)
    return services.program_create(**fields)


class TestPrograms:
    def test_staff_create_a_program_of_their_college_with_history(self, college, staff):
        program = create(college, staff, certifications=["KZ"], sector="A")
        assert list(program.occupations.values_list("code", flat=True)) == ["8341"]
        assert list(program.serves_regions.values_list("code", flat=True)) == ["KZ-VOS"]
        # One history row for the program and one per many-to-many change, all by the staff member.
        assert {h.history_user for h in program.history.all()} == {staff}

    @pytest.mark.parametrize("role", [Role.COLLEGE_STAFF, Role.OFFICIAL, Role.REVIEWER])
    def test_others_may_not_create_update_or_delete(self, college, staff, make_user, role):
        program = create(college, staff)
        outsider = make_user(role, colleges=[f.college("GANSU-VC", country="CN")] if role == Role.COLLEGE_STAFF else [])
        for attempt in (
            lambda: create(college, outsider, code="OTHER"),
            lambda: services.program_update(program=program, user=outsider, title="Hijacked"),
            lambda: services.program_delete(program=program, user=outsider),
            lambda: services.cohort_create(program=program, user=outsider, seats=5, intake_date=dt.date(2026, 9, 1), graduation_date=dt.date(2027, 6, 1)),
        ):
            with pytest.raises(PermissionDenied):
                attempt()
        program.refresh_from_db()
        assert program.title == "Combine harvester operators"
        assert Program.objects.count() == 1 and Cohort.objects.count() == 0

    def test_an_admin_may_write_any_college(self, college, django_user_model):
        admin = django_user_model.objects.create_superuser("root", "r@example.org", "pw")
        program = create(college, admin)
        services.program_update(program=program, user=admin, title="Renamed")
        program.refresh_from_db()
        assert program.title == "Renamed"

    def test_the_code_is_unique_per_college(self, college, staff):
        create(college, staff)
        with pytest.raises(ValidationError):
            create(college, staff)

    def test_occupations_must_be_unit_groups_and_at_least_one(self, college, staff):
        with pytest.raises(ValidationError) as excinfo:
            create(college, staff, occupations=Occupation.objects.filter(pk="834"))
        assert "occupations" in excinfo.value.message_dict
        with pytest.raises(ValidationError):
            create(college, staff, code="EMPTY", occupations=[])
        assert not Program.objects.exists()  # each attempt rolled back as a whole

    def test_the_college_cannot_be_changed(self, college, staff):
        program = create(college, staff)
        with pytest.raises(ValidationError) as excinfo:
            services.program_update(program=program, user=staff, college=f.college("GANSU-VC", country="CN"))
        assert "college" in excinfo.value.message_dict

    def test_update_changes_relations_and_keeps_history(self, college, staff):
        program = create(college, staff)
        services.program_update(program=program, user=staff, title="Operators", occupations=Occupation.objects.filter(pk__in=["8341", "8344"]), serves_regions=[])
        program.refresh_from_db()
        assert sorted(program.occupations.values_list("code", flat=True)) == ["8341", "8344"]
        assert not program.serves_regions.exists()  # now serves every region
        titles = [h.title for h in program.history.order_by("history_id")]
        assert (titles[0], titles[-1]) == ("Combine harvester operators", "Operators")

    def test_delete_removes_the_cohorts_too(self, college, staff):
        program = create(college, staff)
        services.cohort_create(program=program, user=staff, seats=5, intake_date=dt.date(2026, 9, 1), graduation_date=dt.date(2027, 6, 1))
        services.program_delete(program=program, user=staff)
        assert not Program.objects.exists() and not Cohort.objects.exists()


class TestCohorts:
    @pytest.fixture
    def program(self, college, staff):
        return create(college, staff)

    def test_staff_add_and_change_cohorts(self, program, staff):
        cohort = services.cohort_create(program=program, user=staff, seats=25, intake_date=dt.date(2026, 2, 1), graduation_date=dt.date(2026, 6, 30))
        services.cohort_update(cohort=cohort, user=staff, graduation_date=dt.date(2026, 7, 31))
        cohort.refresh_from_db()
        assert cohort.graduation_date == dt.date(2026, 7, 31)
        assert [h.history_user for h in cohort.history.all()] == [staff, staff]

    def test_intake_after_graduation_is_refused(self, program, staff):
        with pytest.raises(ValidationError):
            services.cohort_create(program=program, user=staff, seats=5, intake_date=dt.date(2027, 1, 1), graduation_date=dt.date(2026, 1, 1))

    def test_zero_seats_are_refused(self, program, staff):
        with pytest.raises(ValidationError):
            services.cohort_create(program=program, user=staff, seats=0, intake_date=dt.date(2026, 1, 1), graduation_date=dt.date(2026, 6, 1))

    def test_a_cohort_cannot_move_to_another_program(self, program, staff):
        cohort = services.cohort_create(program=program, user=staff, seats=5, intake_date=dt.date(2026, 1, 1), graduation_date=dt.date(2026, 6, 1))
        with pytest.raises(ValidationError):
            services.cohort_update(cohort=cohort, user=staff, program=program)


class TestColleges:
    def test_only_admins_manage_colleges(self, make_user, django_user_model, college, staff):
        with pytest.raises(PermissionDenied):
            services.college_create(user=staff, code="NEW", name="New", country="KZ")
        admin = django_user_model.objects.create_superuser("root", "r@example.org", "pw")
        created = services.college_create(user=admin, code="NEW", name="New", country="KZ")
        with pytest.raises(ValidationError):
            services.college_create(user=admin, code="NEW", name="Again", country="KZ")
        services.college_delete(college=created, user=admin)
        assert list(College.objects.values_list("code", flat=True)) == ["LUBAN-KZ"]


class TestRematch:
    """Supply changes queue a re-match on commit. Each test makes one change: within one
    transaction the scheduler queues one callback per quarter, and a test is one transaction."""

    def test_a_new_cohort_queues_a_rematch_after_commit(self, college, staff, django_capture_on_commit_callbacks):
        program = create(college, staff)
        with django_capture_on_commit_callbacks() as callbacks:
            services.cohort_create(program=program, user=staff, seats=5, intake_date=dt.date(2026, 1, 1), graduation_date=dt.date(2026, 6, 1))
        assert callbacks

    def test_a_moved_cohort_queues_a_rematch_after_commit(self, college, staff, django_capture_on_commit_callbacks):
        cohort = f.cohort(create(college, staff))
        with django_capture_on_commit_callbacks() as callbacks:
            services.cohort_update(cohort=cohort, user=staff, graduation_date=dt.date(2026, 8, 1))
        assert callbacks

    def test_a_refused_change_queues_nothing(self, college, staff, make_user, django_capture_on_commit_callbacks):
        program = create(college, staff)
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
            services.cohort_create(program=program, user=make_user(Role.REVIEWER), seats=5, intake_date=dt.date(2026, 1, 1), graduation_date=dt.date(2026, 6, 1))
        assert callbacks == []
