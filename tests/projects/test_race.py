"""Many reviewers approve one gap at the same moment: exactly one project, the rest get a conflict.

Runs on PostgreSQL with real row locks: each thread has its own database connection (Django's
connections are per thread), and a barrier releases them together.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from projects import services
from projects.choices import ProjectStatus
from projects.models import CooperationProject, GapDecision, ProjectCondition

THREADS = 12
ROUNDS = 5


def _race(target, n=THREADS):
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = target(i)
        except BaseException as exc:  # noqa: BLE001 - the test inspects every outcome
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung: a lock was never released"
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("round_no", range(ROUNDS))
def test_simultaneous_approvals_create_exactly_one_project(make_gap, world, make_user, round_no):
    assert connection.vendor == "postgresql"
    gap = make_gap()
    reviewers = [world["reviewer"], world["reviewer2"]] + [make_user("reviewer") for _ in range(THREADS - 2)]

    outcomes = _race(lambda i: services.gap_approve(gap=gap.pk, user=reviewers[i], comment=f"reviewer {i}"))

    projects = [o for o in outcomes if isinstance(o, CooperationProject)]
    conflicts = [o for o in outcomes if isinstance(o, services.DecisionConflict)]
    others = [o for o in outcomes if o not in projects and o not in conflicts]
    assert not others, others
    assert len(projects) == 1 and len(conflicts) == THREADS - 1
    assert CooperationProject.objects.filter(origin_gap=gap).count() == 1
    assert GapDecision.objects.filter(gap=gap).count() == 1
    assert ProjectCondition.objects.filter(project__origin_gap=gap).count() == 1
    winner = projects[0]
    assert winner.status == ProjectStatus.FAST_TRACKED
    # Every loser is told who won.
    assert all(c.decision.pk == winner.decision_id for c in conflicts)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_approvals_over_http_answer_201_once_and_409_otherwise(make_gap, world, make_user):
    gap = make_gap()
    reviewers = [make_user("reviewer") for _ in range(THREADS)]

    def approve(i):
        client = APIClient()
        client.force_authenticate(reviewers[i])
        response = client.post(f"/api/v1/review/gaps/{gap.pk}/approve/", {"comment": "go"}, format="json")
        return response.status_code, response.json()

    outcomes = _race(approve)
    codes = sorted(code for code, _ in outcomes)
    assert codes == [201] + [409] * (THREADS - 1), outcomes
    assert CooperationProject.objects.filter(origin_gap=gap).count() == 1
    conflict = next(body for code, body in outcomes if code == 409)
    assert "already approved" in conflict["detail"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approve_and_reject_racing_leave_one_decision(make_gap, world, make_user):
    gap = make_gap()
    reviewers = [make_user("reviewer") for _ in range(THREADS)]

    def decide(i):
        if i % 2:
            return services.gap_reject(gap=gap.pk, user=reviewers[i], comment="not now")
        return services.gap_approve(gap=gap.pk, user=reviewers[i])

    outcomes = _race(decide)
    winners = [o for o in outcomes if not isinstance(o, services.DecisionConflict)]
    assert len(winners) == 1, outcomes
    decision = GapDecision.objects.get(gap=gap)
    assert CooperationProject.objects.filter(origin_gap=gap).count() == (1 if decision.decision == "approved" else 0)
