"""Settings shared by every environment.

Everything that differs between environments is read from the environment (see config/env.py).
With nothing configured, talentgap runs on SQLite with Celery tasks executed in-process, which is
what the README's run command uses.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_country_costs, env_float, env_int, env_list, env_str, env_time_zone

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "insecure-dev-only-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "accounts",
    "core",
    "gaps",
    "training",
    "projects",
    "web",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL byte in the URL: 404 / 400 before a view hands it to PostgreSQL (a 500 otherwise).
    "core.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: turns a locked-out login into core.security.lockout_response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects the database (postgres://user@host:5432/name); unset means SQLite in
# the project folder, the embedded default.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: this is short-query OLTP, and right after a matching run swaps (before
    # autovacuum has analysed its rows) the planner overestimates the costs and JIT-compiles list
    # queries, ~30 ms of a 60 ms review-queue query (bench/load_test.py). PGOPTIONS-style server option.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(
        filter(None, [DATABASES["default"]["OPTIONS"].get("options", ""), "-c jit=" + ("on" if env_bool("DATABASE_JIT", False) else "off")])
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Login brute force (django-axes, https://django-axes.readthedocs.io/) -----------------------
# Failed logins are counted in the database, so every gunicorn worker shares them. After
# LOGIN_FAILURE_LIMIT failures an account is locked whatever the address, and an address is locked
# whatever the account ("username" OR "ip_address"), for LOGIN_LOCKOUT_MINUTES. The web login, the
# admin login and the API's token endpoint all authenticate through these backends.
AUTHENTICATION_BACKENDS = [
    "core.security.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The database handler on purpose (axes' default, spelled out): the cache handler would lose the
# counts with Redis, and with Redis down logins must neither fail nor go uncounted.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
# Behind reverse proxies, how many of them append to X-Forwarded-For; 0 (the default) trusts the
# header not at all and uses the connection's address. Read by the lockout and the API throttles.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("ru", _("Russian")),
    ("kk", _("Kazakh")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One unambiguous date style per language and the number formats Django lacks: core/formats/<lang>/formats.py.
FORMAT_MODULE_PATH = ["core.formats"]
# The service's time zone: "today" (the current quarter, overdue conditions, reminders, act-by days
# left, the early warning) is the date there. UTC unless set, e.g. Asia/Almaty.
TIME_ZONE = env_time_zone("SERVICE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploads: imports are read in memory up to this size; larger bodies are refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 20 * 1024 * 1024)

# --- Cache -----------------------------------------------------------------------------------
# Shared by every process when CACHE_URL names a Redis (production, tests): the API throttles count
# there. Without it each process has its own memory cache (the embedded SQLite default).
# The cache only ever holds counters and conveniences, so it fails open (core.cache): with Redis
# down or hanging a request waits at most CACHE_SOCKET_TIMEOUT for it once, then the throttles let
# everything through for CACHE_FAILURE_BACKOFF_SECONDS and log it, instead of a 500 or a hang. The
# login lockout does not use the cache: django-axes' default handler counts in the database.
CACHE_URL = env_str("CACHE_URL", "")
CACHE_SOCKET_TIMEOUT = env_float("CACHE_SOCKET_TIMEOUT", 1.0)
CACHE_FAILURE_BACKOFF_SECONDS = env_float("CACHE_FAILURE_BACKOFF_SECONDS", 5)
CACHES = {
    "default": (
        {"BACKEND": "core.cache.FailOpenRedisCache", "LOCATION": CACHE_URL,
         "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "talentgap"),
         "OPTIONS": {"socket_connect_timeout": CACHE_SOCKET_TIMEOUT, "socket_timeout": CACHE_SOCKET_TIMEOUT}}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON nested deeper than core.parsers.MAX_JSON_DEPTH is a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Maps the services' ValidationError / PermissionDenied (and integrity races) to 400/403/409.
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Rate limits per client: 429 with Retry-After past them. Counted in CACHES["default"].
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
        "user": env_str("API_THROTTLE_USER", "1200/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT or None,
}

# bench/load_test.py's reference: GET /api/v1/_bench/bare/, a bare DRF list (three fields of the
# projects, the API's authentication, throttles and pagination) to compare list endpoints with on
# the same server. Off by default; never needed in production.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", False)

SPECTACULAR_SETTINGS = {
    "TITLE": "talentgap API",
    "DESCRIPTION": "Demand-side talent-gap matching for China–Central Asia vocational education cooperation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served from drf-spectacular-sidecar's local files, never a CDN. /api/redoc/
    # redirects to it: ReDoc's page loads web fonts and a logo from the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations are tagged by resource ("reports", "flags", "gaps") and named after it
    # ("reports_list", "gaps_decide_create"): the version prefix is not part of either.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Swagger UI loads nothing from the internet: no validator badge (validator.swagger.io).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "displayOperationId": True},
    # 400/403/404/409/429 (with Retry-After) on every operation they apply to, in the shapes of
    # core.api.exception_handler; drf-spectacular's own enum hook first.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.error_responses_hook",
    ],
    # Several models have a `status`; name each enum after its model so the schema is stable.
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "gaps.models.reports.ReportStatus",
        "ProjectStatusEnum": "projects.choices.ProjectStatus",
    },
}

# --- Celery -----------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Without CELERY_BROKER_URL tasks run in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
# The queue tasks go to and workers read (celery worker -Q): bench/load_test.py gives its gunicorn and
# worker a queue of their own on a shared Redis. https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-default-queue
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Delivery is at least once, and nothing accepted waits on the broker being up (README, Reliability):
# - a task is acknowledged after it ran, and a worker lost mid-task means redelivery, not loss;
#   https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
# - a worker reserves one task at a time, so a killed worker strands at most one message per process;
# - the queued MatchRun row is the outbox and a beat sweep sends what the broker never got or lost
#   (gaps.matching.scheduling); every task is idempotent, so a second delivery changes nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis must run with `maxmemory-policy noeviction` (docker/compose.yaml): under memory pressure
# any other policy deletes keys, and the keys are the queued messages -- lost without an error.
# With noeviction a full Redis refuses new writes instead: the send fails, is logged, and the
# sweep sends it again later. Append-only persistence keeps queued messages over a restart; if
# they are lost anyway, the sweep notices (its mark in Redis is gone) and resends them all.
#
# Redis redelivers an unacknowledged task after the visibility timeout; it must exceed any
# countdown (the busy retry's 10 s) and the longest task (CELERY_TASK_TIME_LIMIT), else a task
# still running is delivered a second time (harmless, but wasted work).
# https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
# Short socket timeouts: a broker that is down or unreachable fails a send in seconds rather than
# hanging the caller (a web request's on-commit send). socket_timeout must exceed the consumer's
# 1 s BRPOP wait. https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.transport.redis.html
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": env_float("CELERY_BROKER_CONNECT_TIMEOUT", 2),
    "socket_timeout": env_float("CELERY_BROKER_SOCKET_TIMEOUT", 3),
    "socket_keepalive": True,
    # How soon after the visibility timeout an abandoned message is delivered again: kombu scans for
    # them every interval x throttle seconds (10 x 10 by default); every 10 s keeps "a killed worker's
    # task finishes within the visibility timeout plus a minute".
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": 1,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = env_float("CELERY_BROKER_CONNECT_TIMEOUT", 2)
CELERY_REDIS_SOCKET_TIMEOUT = env_float("CELERY_BROKER_SOCKET_TIMEOUT", 3)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers and beat reconnect after a broker outage however long it lasts (the default gives up
# after 100 attempts, ~45 minutes, and the worker exits).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A send tries twice (the second try reconnects a pooled connection the broker closed, e.g. after
# a Redis restart) and then fails: at worst 2 x socket_timeout against a broker that accepts and
# never answers, at once against one that refuses. Celery's default is four tries. The caller logs
# the failure and the sweep sends it later.
# https://docs.celeryq.dev/en/stable/userguide/calling.html#message-sending-retry
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 1800)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 1700)
# The outbox sweep (gaps.tasks.match_dispatch_sweep_task): how often it runs, after how long a sent
# queued run nobody picked up is sent again, and how long a process that failed to send leaves it
# to the sweep. 15 s keeps "a submission made while Redis was down is matched within 90 s of
# Redis returning": worker and beat reconnect (their retry interval grows by 2 s up to 30 s) + at
# most one sweep interval + the run itself (tests/faults/test_redis_outage.py measures it).
MATCH_SWEEP_SECONDS = env_int("MATCH_SWEEP_SECONDS", 15)
MATCH_REDISPATCH_AFTER_SECONDS = env_int("MATCH_REDISPATCH_AFTER_SECONDS", 120)
MATCH_DISPATCH_BACKOFF_SECONDS = env_float("MATCH_DISPATCH_BACKOFF_SECONDS", 10)
# The same sweep sends again the announcement (mails) of a quarter's current run not announced
# this long after its swap: the broker lost or never got its message (gaps.matching.scheduling).
ANNOUNCE_SWEEP_AFTER_SECONDS = env_int("ANNOUNCE_SWEEP_AFTER_SECONDS", 300)
# Test-only: each chunk task sleeps this long first, so a test can kill a worker mid-run. 0 in use.
MATCH_TEST_CHUNK_DELAY_SECONDS = env_float("MATCH_TEST_CHUNK_DELAY_SECONDS", 0)
CELERY_BEAT_SCHEDULE: dict = {}
# The outbox sweep; a sweep not started within its own interval is dropped (the next one comes).
CELERY_BEAT_SCHEDULE["gaps-match-dispatch-sweep"] = {
    "task": "gaps.match_dispatch_sweep",
    "schedule": MATCH_SWEEP_SECONDS,
    "options": {"expires": MATCH_SWEEP_SECONDS},
}
# Nightly re-match of the open quarters, and a weekly reminder to regions whose report for the
# current quarter is missing (gaps/tasks.py). https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html
CELERY_BEAT_SCHEDULE["gaps-nightly-rematch"] = {
    "task": "gaps.nightly_rematch",
    "schedule": crontab(hour=2, minute=0),
}
CELERY_BEAT_SCHEDULE["gaps-remind-missing-reports"] = {
    "task": "gaps.remind_missing_reports",
    "schedule": crontab(day_of_week="mon", hour=6, minute=0),
}
# Daily reminders of project conditions falling due (projects/tasks.py).
CELERY_BEAT_SCHEDULE["projects-remind-due-conditions"] = {
    "task": "projects.remind_due_conditions",
    "schedule": env_int("CONDITION_REMINDER_INTERVAL_SECONDS", 24 * 3600),
}
# Daily re-store of the projects' results chain: exchange rates and wage growth change under it.
CELERY_BEAT_SCHEDULE["projects-refresh-results"] = {
    "task": "projects.refresh_results",
    "schedule": env_int("PROJECT_RESULTS_REFRESH_SECONDS", 24 * 3600),
}
# Daily mail of early warnings that entered act_now (projects/notifications.py), after the nightly
# re-match (02:00) and the early warning computed from it; each warning is announced once per status.
CELERY_BEAT_SCHEDULE["projects-notify-warnings-act-now"] = {
    "task": "projects.notify_warnings_act_now",
    "schedule": crontab(hour=4, minute=0),
}

# The early warning (gaps.early_warning, gaps/warning/): nightly after the re-match, because its
# statuses depend on today; it is also recomputed after each finished matching run (gaps/apps.py).
CELERY_BEAT_SCHEDULE["gaps-early-warning-nightly"] = {
    "task": "gaps.early_warning",
    "schedule": crontab(hour=2, minute=30),
    "kwargs": {"trigger": "nightly"},
}

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "talentgap@localhost")
# The SMTP server the smtp backend (production's default) sends through; Django's defaults otherwise.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# --- talentgap domain settings (SPEC.md, "How matching decides") -------------------------------
SUPPLY_WINDOW_DAYS = env_int("SUPPLY_WINDOW_DAYS", 180)
OVERSUPPLY_RATIO = env_float("OVERSUPPLY_RATIO", 0.5)
# A quarter's matching is split into at most this many chunks of occupation components, which the
# Celery workers share (gaps/matching/services.py).
MATCH_CHUNKS = env_int("MATCH_CHUNKS", 4)
# A re-match copies the current run's rows of components whose input digest is unchanged
# (gaps/matching/reuse.py, PostgreSQL only); off, every component is computed again.
MATCH_REUSE_RESULTS = env_bool("MATCH_REUSE_RESULTS", True)
# A run whose input signature (gaps/matching/inputs.py: the tables' change counters kept by
# database triggers, the previous quarters' gaps, the settings and code) equals the current run's
# ends at once as "nothing changed"; off, every run computes (benchmarks of a full match).
MATCH_SKIP_UNCHANGED = env_bool("MATCH_SKIP_UNCHANGED", True)
CONDITIONS_DUE_DAYS = env_int("CONDITIONS_DUE_DAYS", 90)
# The early warning (SPEC.md "Looking ahead"; docs/contract.md, section 9; docs/operations.md).
DEFAULT_LEAD_DAYS = env_int("DEFAULT_LEAD_DAYS", 180)  # lead time of an occupation no program trains
ACT_WINDOW_DAYS = env_int("ACT_WINDOW_DAYS", 90)  # act_by within this many days of today: act_now
# The rating: one point per indicator at or above its threshold (and one for act_now /
# short_course_only); critical from EW_CRITICAL_POINTS points, elevated from EW_ELEVATED_POINTS.
EW_PERSISTENCE_HIGH = env_int("EW_PERSISTENCE_HIGH", 4)
EW_WAGE_PRESSURE_HIGH = env_float("EW_WAGE_PRESSURE_HIGH", 0.05)
EW_SHORTFALL_SHARE_HIGH = env_float("EW_SHORTFALL_SHARE_HIGH", 0.5)
EW_CRITICAL_POINTS = env_int("EW_CRITICAL_POINTS", 3)
EW_ELEVATED_POINTS = env_int("EW_ELEVATED_POINTS", 2)
# The forecast's 80 % interval learns its ratios from at least this many past errors (else pooled,
# else 0.5 and 1.5).
EW_INTERVAL_MIN_ERRORS = env_int("EW_INTERVAL_MIN_ERRORS", 30)
# Forward recommendations kept per early-warning entry (the best by score: shortfall x salary x feasibility).
EW_RECOMMENDATIONS_PER_ENTRY = env_int("EW_RECOMMENDATIONS_PER_ENTRY", 10)
# Queue an early-warning run after each finished matching run (off in the test settings, where the
# matching tests' workers would otherwise race the test database's teardown with it).
EARLY_WARNING_AFTER_MATCH = env_bool("EARLY_WARNING_AFTER_MATCH", True)
# The training plan (SPEC.md "Training plan"; docs/contract.md, section 10; docs/operations.md).
TRAINEE_COST_CNY = env_country_costs("TRAINEE_COST_CNY", "KZ=9000,CN=6000,default=8000")  # per trainee, by country
MIN_COHORT_SEATS = env_int("MIN_COHORT_SEATS", 10)  # a proposed class has at least this many seats
CAPACITY_FACTOR = env_float("CAPACITY_FACTOR", 1.0)  # at most this times the program's largest past cohort
MOBILE_TRANSFER_DAYS = env_int("MOBILE_TRANSFER_DAYS", 14)  # a mobile workshop's days between two stops
# The solver stops here with the best plan found (never worse than its greedy start) and reports its gap
# (0 when it proved the optimum first); 0 or less: no limit.
PLAN_TIME_LIMIT_SECONDS = env_float("PLAN_TIME_LIMIT_SECONDS", 50.0)
# A queued early-warning run no worker took within this time is failed and replaced by the next request.
EARLY_WARNING_QUEUED_STALE_SECONDS = env_int("EARLY_WARNING_QUEUED_STALE_SECONDS", 600)
# Below this confidence a free-text occupation title is stored as UNCODED for an official to code.
# Chosen on tuning data so that at least 98 % of the titles coded above it are coded right: the
# tuning part as a whole is right ~99 % at any threshold (its misses became labels), so the fourth
# round chose on sample_tuning4.csv as measured before any change it led to (titles the search had
# never been tuned on): 0.96 codes 97.8 % right there, 0.97 99.1 % at 80 % coverage
# (bench/search_accuracy.py --calibrate; figures in the README and bench/README.md). A title typed
# exactly as a written label of one unit group only gets 0.98 (gaps.search.EXACT_UNIQUE_CONFIDENCE).
OCCUPATION_CODING_THRESHOLD = env_float("OCCUPATION_CODING_THRESHOLD", 0.97)
# Where the title search keeps its prebuilt index (gaps/search.py), one file per labels' content;
# empty: never written, each process builds its own (a few seconds).
OCCUPATION_INDEX_DIR = env_str(
    "OCCUPATION_INDEX_DIR",
    str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "talentgap" / "occupation-index"),
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs a start-up banner ("AXES: BEGIN version ...") at INFO in every process,
        # management commands included; its lockout warnings come from other loggers and stay.
        "axes.apps": {"level": "WARNING"},
    },
}
