"""The ninth round of issue 15, Russian: one tuning file written blind (from isco08.csv and the ILO
definitions, before its writer read the labels, the search code or any other sample file's titles), weighted
to the forms officials in Kazakhstan and the Xinjiang border cities type (genitive and prepositional
qualifiers, hyphenated double titles, grades, abbreviations, feminine forms, Kazakh words, typos, Latin
look-alike letters), and committed before the round's changes. The rules its misses changed are tested
below."""

from __future__ import annotations

from .samples import check_round_file


def test_the_ninth_round_russian_file_covers_every_major_group_and_is_fresh():
    """At least 500 Russian titles, all ten major groups, more than 60 % in major groups 5-9; none twice
    and none normalizing like a title of any other sample file in any language (the hold-outs included);
    in the tuning part and alone as part tuning9_ru."""
    own = check_round_file(part="tuning9_ru", language="ru", at_least=500, other_files_at_least=20)
    assert own.name == "sample_tuning9_ru.csv"
