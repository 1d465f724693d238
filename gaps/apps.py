from django.apps import AppConfig


class GapsConfig(AppConfig):
    name = "gaps"
    verbose_name = "Gaps: regions, occupations, reports, matching"

    def ready(self):
        # Names of regions and occupations for what people read (core.text).
        from gaps import names

        names.register()

        # Registers how matching runs are sent to the workers (gaps.matching.scheduling), in every
        # process: web, worker and commands alike.
        from . import tasks  # noqa: F401

        # The early warning is recomputed after each finished matching run (gaps/warning/receivers.py).
        from gaps.warning import receivers

        receivers.connect()
