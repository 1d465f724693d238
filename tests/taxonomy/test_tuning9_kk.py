"""Issue 15, ninth round, Kazakh: the blind tuning file (written from isco08.csv and the ILO definitions
before its writer read the labels, the search code or any other sample file's titles, weighted to Kazakh
morphology as officials type it) and, below, the rules its misses led to."""

from __future__ import annotations

from .samples import check_round_file


def test_the_ninth_round_kazakh_file_covers_every_major_group_and_is_fresh():
    """At least 500 Kazakh titles, all ten major groups, more than 60 % in major groups 5-9; none twice and
    none normalizing like a title of any other sample file in any language (the hold-outs included); in the
    tuning part and alone as part tuning9_kk."""
    own = check_round_file(part="tuning9_kk", language="kk", at_least=500, other_files_at_least=20)
    assert own.name == "sample_tuning9_kk.csv"
