"""Who may see and change what (SPEC.md, "Users and what each may do").

Every list endpoint and page scopes its queryset with these functions; object endpoints then
check the single object with the can_* predicates. Querysets, not object permissions alone,
decide what a list shows.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def sees_everything(user) -> bool:
    """Ministry reviewers and administrators see every region and college."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(Role.REVIEWER)))


def region_ids_for(user) -> QuerySet | None:
    """Region ids an official belongs to; None means every region (reviewer, admin)."""
    from gaps.models import Region

    if sees_everything(user):
        return None
    if user and user.is_authenticated and user.has_role(Role.OFFICIAL):
        return Region.objects.filter(members=user).values("id")
    return Region.objects.none().values("id")


def college_ids_for(user) -> QuerySet | None:
    """College ids a staff member belongs to; None means every college (reviewer, admin)."""
    from training.models import College

    if sees_everything(user):
        return None
    if user and user.is_authenticated and user.has_role(Role.COLLEGE_STAFF):
        return College.objects.filter(staff=user).values("id")
    return College.objects.none().values("id")


def can_edit_region_reports(user, region) -> bool:
    """Officials create, edit, submit and withdraw the reports of regions they belong to."""
    return bool(
        user
        and user.is_authenticated
        and user.has_role(Role.OFFICIAL)
        and region.members.filter(pk=user.pk).exists()
    )


def can_edit_college_programs(user, college) -> bool:
    """College staff create and edit the programs and cohorts of their own colleges."""
    return bool(
        user
        and user.is_authenticated
        and user.has_role(Role.COLLEGE_STAFF)
        and college.staff.filter(pk=user.pk).exists()
    )


def can_review(user) -> bool:
    """Ministry reviewers approve or reject gaps and manage projects."""
    return bool(user and user.is_authenticated and (user.has_role(Role.REVIEWER) or user.is_superuser))
