from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        # Connects the login-lockout signal receiver (after django-axes' own, see core.security).
        from core import security  # noqa: F401
