import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("talentgap")
# All CELERY_* settings live in config/settings/base.py.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="talentgap.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by the test suite and the health endpoint."""
    return value
