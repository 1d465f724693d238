"""What load_demo remembers: the day its demo is dated from."""

from django.db import models


class DemoState(models.Model):
    """One row: the demo in this database is `demo.world.build_world(today)`.

    Every later `load_demo` rebuilds the same world from this day (so a re-run on another day
    changes nothing and only restores what is missing), instead of mixing two calendars.
    """

    today = models.DateField(help_text="the day the demo is dated from")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="demo_state_single_row")]

    def __str__(self) -> str:
        return f"demo dated {self.today.isoformat()}"
