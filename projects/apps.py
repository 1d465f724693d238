from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects: gap review and the cooperation project repository"

    def ready(self):
        from . import receivers  # noqa: F401 - connects to matching's signals (gaps.matching.signals)
