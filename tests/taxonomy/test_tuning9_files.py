"""The ninth round of issue 15: one tuning file a language, each written blind (from isco08.csv and the ILO
definitions, before its writer read the labels, the search code or any other sample file's titles) and committed
before that language's changes. The rules each file's misses changed are tested beside it (test_tuning9_<lang>.py)."""

from __future__ import annotations

import pytest

from .samples import check_round_file


@pytest.mark.parametrize("language", ["en", "ru", "zh", "kk"])
def test_each_ninth_round_file_covers_every_major_group_and_is_fresh(language):
    """At least 500 titles of its language, all ten major groups, more than 60 % in major groups 5-9; none twice
    and none normalizing like a title of any other sample file in any language (the hold-outs included); in the
    tuning part and alone as part tuning9_<lang>."""
    own = check_round_file(f"tuning9_{language}", language, at_least=500, other_files_at_least=20)
    assert own.name == f"sample_tuning9_{language}.csv"
