"""A small world for API tests: two regions with reports, two colleges with programs, a user per role."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from gaps.models import ReportStatus

from . import factories as f


@dataclass
class World:
    regions: dict = field(default_factory=dict)
    colleges: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    reports: dict = field(default_factory=dict)
    programs: dict = field(default_factory=dict)
    cohorts: dict = field(default_factory=dict)
    rates: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)

    def client(self, role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.force_authenticate(self.users[role])
        return client


ROLES = ["anonymous", "official_a", "official_b", "staff_x", "staff_y", "reviewer", "admin"]


@pytest.fixture
def world(db, make_user, django_user_model) -> World:
    w = World()
    f.occupations()
    w.regions = {"A": f.region("KZ-VOS"), "B": f.region("CN-XJ-HRG", country="CN", kind="city"), "C": f.region("KZ-SPARE")}
    w.colleges = {"X": f.college("LUBAN-KZ"), "Y": f.college("GANSU-VC", country="CN"), "Z": f.college("SPARE-C")}
    w.users = {
        "official_a": make_user(Role.OFFICIAL, regions=[w.regions["A"]], username="official_a"),
        "official_b": make_user(Role.OFFICIAL, regions=[w.regions["B"]], username="official_b"),
        "staff_x": make_user(Role.COLLEGE_STAFF, colleges=[w.colleges["X"]], username="staff_x"),
        "staff_y": make_user(Role.COLLEGE_STAFF, colleges=[w.colleges["Y"]], username="staff_y"),
        "reviewer": make_user(Role.REVIEWER, username="reviewer"),
        "admin": django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-Secret-123"),
    }
    for key in ("A", "B"):
        region = w.regions[key]
        w.reports[f"{key}_draft"] = f.report(region, "2026Q3")
        w.reports[f"{key}_submitted"] = f.report(region, "2026Q2", status=ReportStatus.SUBMITTED)
        w.lines[f"{key}_draft"] = w.reports[f"{key}_draft"].lines.get()
        w.lines[f"{key}_uncoded"] = f.uncoded_line(w.reports[f"{key}_submitted"])
    w.programs = {
        "X": f.program(w.colleges["X"], "HARV-1", trains=("8341",), serves=[w.regions["A"]], sector="A"),
        "Y": f.program(w.colleges["Y"], "GRADE-1", trains=("7515",), languages=["zh"], sector="A"),
    }
    w.cohorts = {key: f.cohort(program) for key, program in w.programs.items()}
    w.rates = {"KZT": f.rate("KZT"), "USD": f.rate("USD", value="7.1")}
    return w
