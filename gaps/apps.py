from django.apps import AppConfig


class GapsConfig(AppConfig):
    name = "gaps"
    verbose_name = "Gaps: regions, occupations, reports, matching"

    def ready(self):
        # Registers how matching runs are sent to the workers (gaps.matching.scheduling), in every
        # process: web, worker and commands alike.
        from . import tasks  # noqa: F401

