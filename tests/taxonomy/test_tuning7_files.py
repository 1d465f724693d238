"""The seventh round of issue 15: one tuning file a language, each written blind (from isco08.csv and
the ILO definitions, before its writer read the labels or the search code) by a different writer, and
committed before that language's changes. The rules each file's misses changed are tested beside it
(test_tuning7_<lang>.py)."""

from __future__ import annotations

import pytest

from .samples import bench as _bench
from .samples import check_round_file


@pytest.mark.parametrize("language", ["en", "ru", "zh", "kk"])
def test_each_seventh_round_file_covers_every_major_group_and_is_fresh(language):
    """At least 150 titles of its language, all ten major groups, more than 60 % in major groups 5-9;
    none twice and none normalizing like a title of any other sample file (the hold-outs and the other
    languages' seventh-round files included: a loan word both a ru and a kk writer typed is counted
    once); in the tuning part."""
    own = check_round_file(f"tuning7_{language}", language, at_least=150,
                           other_files_at_least=12)  # six tuning files, three seventh-round ones, three hold-outs
    bench = _bench()
    assert own in {p.resolve() for p in bench.PARTS["tuning7"]}
