from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training: colleges, programs, cohorts"

    def ready(self):
        # Names of colleges and programs for what people read (core.text).
        from training import names

        names.register()
