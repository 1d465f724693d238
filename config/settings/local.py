"""The embedded default: what `bin/run` uses. DEBUG stays off unless DEBUG=1 is set."""

from config.env import env_str

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, CELERY_BROKER_URL, CELERY_TASK_ALWAYS_EAGER, LOGGING

if not CELERY_BROKER_URL:
    # Tasks run in-process; an in-memory transport keeps kombu from looking for an AMQP host.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None

if CELERY_TASK_ALWAYS_EAGER:
    # In-process tasks would log a line per task at INFO into the console of the person running
    # bin/run; failures still show (WARNING and above).
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}
    # kombu warns that the in-memory transport has no hostname; there is none to have.
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}

# bin/run sends notification mail to files under var/mail/ (EMAIL_BACKEND=...filebased...), so the
# demo's mails don't bury the server's console; this is where they go.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
