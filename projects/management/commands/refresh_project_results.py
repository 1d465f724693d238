from django.core.management.base import BaseCommand

from core.text import format_count
from projects.services import project_results_refresh


class Command(BaseCommand):
    help = (
        "Recompute the stored results chain (pass rate, employment rate, income change, skill appreciation) "
        "of every cooperation project; run after importing exchange rates or changing regions' wage growth."
    )

    def handle(self, *args, **options):
        count = project_results_refresh()
        self.stdout.write(self.style.SUCCESS(format_count(
            count, "refreshed the results of %(n)s project", "refreshed the results of %(n)s projects")))
