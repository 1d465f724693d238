"""Test settings: the suite runs against real PostgreSQL and Redis (bin/test sets the URLs)."""

import os

from .base import *  # noqa: F401,F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests that need a worker start a real one (tests/conftest.py); everything else enqueues nothing
# unless it asks to, so the eager switch follows the broker like everywhere else.
if os.environ.get("TALENTGAP_REQUIRE_POSTGRES") == "1":
    assert DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", (
        "bin/test runs the suite on PostgreSQL: set DATABASE_URL=postgres://..."
    )

# Tests don't run collectstatic: WhiteNoise serves from the app finders instead of STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
