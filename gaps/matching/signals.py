"""What matching tells the apps above it (the house rule: a lower app never imports a higher one;
it offers a hook). projects subscribes (projects/apps.py): the review queue's evidence previews and
the mails of gap review are its business, not matching's.

- `match_run_swapped(run)`: sent by the finalising run inside the swap's transaction, once its gaps
  are upserted and the quarter's pointer has moved to it. A receiver writes what readers must see
  with the new results (nobody sees them before the commit); its exception rolls the swap back and
  fails the run. A receiver may return a dict of counts, added to the run's counts.
- `match_run_finished(run, new_gap_ids)`: sent after that transaction committed, before the
  previous run's rows are deleted (a receiver may still compare with them). `new_gap_ids`: gaps
  new on the list that were not active before this run. A receiver's failure is logged and never
  fails the run, which already swapped.
"""

from __future__ import annotations

from django.dispatch import Signal

match_run_swapped = Signal()
match_run_finished = Signal()
