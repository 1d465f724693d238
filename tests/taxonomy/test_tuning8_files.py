"""The eighth round of issue 15: one tuning file a language, each written blind (from isco08.csv and the
ILO definitions, before its writer read the labels, the search code or any other sample file's titles),
weighted to qualified titles (a place, employer, grade, seniority or machine), and committed before that
language's changes. The rules each file's misses changed are tested beside it (test_tuning8_<lang>.py)."""

from __future__ import annotations

import pytest

from .samples import check_round_file


@pytest.mark.parametrize("language", ["en", "ru", "zh", "kk"])
def test_each_eighth_round_file_covers_every_major_group_and_is_fresh(language):
    """At least 250 titles of its language, all ten major groups, more than 60 % in major groups 5-9; none
    twice and none normalizing like a title of any other sample file in any language (the hold-outs
    included); in the tuning part and alone as part tuning8_<lang>."""
    own = check_round_file(f"tuning8_{language}", language, at_least=250,
                           other_files_at_least=20)  # six tuning files, four seventh- and three other eighth-round ones, seven hold-out files
    assert own.name == f"sample_tuning8_{language}.csv"
