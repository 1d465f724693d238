"""The ninth round of issue 15, Chinese: one tuning file written blind (from isco08.csv and the ILO
definitions, before its writer read the labels, the search code or any other sample file's titles), aimed at
Chinese compounds as officials and job ads write them (a place, employer, workshop, product or grade before
the head), and committed before the round's changes. The rules its misses changed are tested below."""

from __future__ import annotations

from .samples import check_round_file


def test_the_ninth_round_chinese_file_covers_every_major_group_and_is_fresh():
    """At least 500 Chinese titles, all ten major groups, more than 60 % in major groups 5-9; none twice and
    none normalizing like a title of any other sample file in any language (the hold-outs included); in the
    tuning part and alone as part tuning9_zh."""
    own = check_round_file(part="tuning9_zh", language="zh", at_least=500, other_files_at_least=20)
    assert own.name == "sample_tuning9_zh.csv"
