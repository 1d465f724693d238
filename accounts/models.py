from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of SPEC.md; each is a Django group of the same name."""

    OFFICIAL = "official", _("Border-city / regional official")
    COLLEGE_STAFF = "college_staff", _("College staff")
    REVIEWER = "reviewer", _("Ministry reviewer")


class User(AbstractUser):
    """A talentgap user. Region and college memberships live on Region.members / College.staff."""

    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)

    def has_role(self, role: str) -> bool:
        # Cached per instance: permission checks call this many times per request.
        cache = self.__dict__.setdefault("_role_cache", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True))
            self.__dict__["_role_cache"] = cache
        return role in cache

    @property
    def is_official(self) -> bool:
        return self.has_role(Role.OFFICIAL)

    @property
    def is_college_staff(self) -> bool:
        return self.has_role(Role.COLLEGE_STAFF)

    @property
    def is_reviewer(self) -> bool:
        return self.has_role(Role.REVIEWER)
