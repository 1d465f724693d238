from django.apps import AppConfig


class GapsConfig(AppConfig):
    name = "gaps"
    verbose_name = "Gaps: regions, occupations, reports, matching"

    def ready(self):
        # Names of regions and occupations for what people read (core.text).
        from gaps import names

        names.register()
