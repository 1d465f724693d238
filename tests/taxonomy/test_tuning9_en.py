"""The ninth round of issue 15, English: one tuning file written blind (from isco08.csv and the ILO
definitions, before its writer read the labels, the search code or any other sample file's titles),
weighted to titles as non-native officials in Kazakhstan and Xinjiang type them (seniority, grades and
licence categories, transliterated trade words, plurals, hyphen and slash forms, abbreviations, typos),
and committed before the round's changes."""

from __future__ import annotations

from .samples import check_round_file


def test_the_ninth_round_english_file_covers_every_major_group_and_is_fresh():
    """At least 500 English titles, all ten major groups, more than 60 % in major groups 5-9; none twice
    and none normalizing like a title of any other sample file in any language (the hold-outs included);
    in the tuning part and alone as part tuning9_en."""
    own = check_round_file(part="tuning9_en", language="en", at_least=500, other_files_at_least=20)
    assert own.name == "sample_tuning9_en.csv"
