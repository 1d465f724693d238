"""Test settings: the suite runs against real PostgreSQL and Redis (bin/test sets the URLs)."""

import os

from .base import *  # noqa: F401,F403
from .base import CACHES, DATABASES, LOGGING, REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Worker processes the suite starts (tests/conftest.py) write their mails to files there instead,
# so that a test can read what a worker sent.
if os.environ.get("TALENTGAP_TEST_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["TALENTGAP_TEST_EMAIL_DIR"]
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

# A finished matching run queues no early warning unless a test asks for it (tests/warning): the
# matching and fault tests' workers would otherwise compute one after every run, still writing
# while the test database is flushed.
EARLY_WARNING_AFTER_MATCH = os.environ.get("EARLY_WARNING_AFTER_MATCH", "0") == "1"

# Tests don't run collectstatic: WhiteNoise serves from the app finders instead of STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The suite makes thousands of API requests per minute on purpose (permission matrices, schemathesis):
# the throttles stay on but far out of reach; tests/security lowers them to see a 429.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "100000/min"),
        "user": os.environ.get("API_THROTTLE_USER", "100000/min"),
    },
}
# Parallel runs (other databases, xdist workers) share the cache's Redis: keep their keys apart.
if CACHES["default"]["BACKEND"].endswith("RedisCache") and not os.environ.get("CACHE_KEY_PREFIX"):
    CACHES = {"default": {**CACHES["default"]}}
    CACHES["default"]["KEY_PREFIX"] = f"test-{DATABASES['default'].get('NAME')}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
# django-axes logs every failed login at WARNING, which the lockout tests make by the dozen.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "axes": {"level": "ERROR"}}}
