from django.core.management.base import BaseCommand, CommandError

from core.demo import DEMO_PASSWORD, DEMO_QUARTER, DemoError, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo regions, exchange rates, colleges, programs, cohorts, reports and users "
        "(the seed cases of SPEC.md included). Idempotent: only what is missing is created."
    )

    def handle(self, *args, **options):
        try:
            summary = load_demo()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if summary.created:
            created = ", ".join(f"{n} {what}" for what, n in summary.created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {created}."))
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        self.stdout.write(f"Demo quarter: {DEMO_QUARTER}. Demo logins (password for all: {DEMO_PASSWORD}):")
        width = max(len(username) for username, _role, _scope in summary.users)
        for username, role, scope in summary.users:
            self.stdout.write(f"  {username.ljust(width)}  {role}" + (f" — {scope}" if scope else ""))
        self.stdout.write(
            self.style.WARNING(
                "The demo password is for demonstrations only: do not load the demo on a server with real data."
            )
        )
