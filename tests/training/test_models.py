"""Model rules of the training app, enforced by PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from training.models import Cohort, College, Program
from tests.api import factories as f

pytestmark = pytest.mark.django_db


def refused(constraint: str, make):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        make()
    assert constraint in str(excinfo.value)


@pytest.fixture
def program():
    return f.program(f.college("LUBAN-KZ"), "HARV-1")


def test_college_country_is_iso_alpha2():
    refused("college_country_iso2", lambda: College.objects.create(code="C", name="C", country="kz"))


def test_college_codes_are_unique():
    f.college("C1")
    refused("code", lambda: f.college("C1"))


def test_program_code_is_unique_per_college(program):
    refused("uniq_program_code_per_college", lambda: Program.objects.create(college=program.college, code="HARV-1", title="Again", languages=["ru"]))


def test_the_same_program_code_in_another_college_is_fine(program):
    Program.objects.create(college=f.college("GANSU-VC", country="CN"), code="HARV-1", title="Same code", languages=["zh"])
    assert Program.objects.filter(code="HARV-1").count() == 2


@pytest.mark.parametrize("seats", [0])
def test_cohort_seats_are_at_least_one(program, seats):
    refused("cohort_seats_positive", lambda: f.cohort(program, seats=seats))


def test_one_seat_is_enough(program):
    assert f.cohort(program, seats=1).seats == 1


def test_cohort_intake_is_not_after_graduation(program):
    refused(
        "cohort_intake_le_graduation",
        lambda: f.cohort(program, intake=dt.date(2026, 9, 2), graduation=dt.date(2026, 9, 1)),
    )


def test_a_one_day_cohort_is_fine(program):
    f.cohort(program, intake=dt.date(2026, 9, 1), graduation=dt.date(2026, 9, 1))


def test_one_cohort_per_program_and_intake_date(program):
    f.cohort(program)
    refused("uniq_cohort_intake_per_program", lambda: f.cohort(program, seats=5))
    assert Cohort.objects.count() == 1
