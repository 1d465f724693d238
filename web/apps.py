from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The server-rendered web application for officials, college staff and reviewers."""

    name = "web"
    verbose_name = _("Web application")
