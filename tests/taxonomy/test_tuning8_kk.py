"""Issue 15, eighth round, Kazakh: the rule and the label families the blind tuning file's misses led to."""

from __future__ import annotations

import pytest

from gaps.search import search_occupations
from gaps.taxonomy.text import analyze, normalize

pytestmark = pytest.mark.django_db


def _words(title: str) -> list[str]:
    return analyze(normalize(title)).words


def test_a_licence_letter_right_after_the_driver_word_is_a_category():
    assert _words("жүргізуші D") == ["cat:d", "жургизуши"]
    assert _words("водитель С") == ["cat:c", "водитель"]  # Cyrillic С, as typed
    assert _words("жүргізуші C, E") == ["cat:c", "cat:e", "жургизуши"]
    assert _words("driver CE") == ["cat:ce", "driver"]
    # The same as with the category word.
    assert _words("жүргізуші D") == _words("D санатты жүргізуші")
    # Not the Russian preposition "с" before more words, nor a letter after another word.
    assert _words("водитель с опытом") == ["водитель", "опытом"]
    assert "cat:c" not in _words("сварщик С")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("жүргізуші D", "8331"),  # was 8322 through the bare жүргізуші
        ("водитель Д", "8331"),
        ("жүргізуші C", "8332"),
        ("жүргізуші B", "8322"),
    ],
)
def test_a_driver_with_a_bare_licence_letter_ranks_the_category_group_first(taxonomy, typed, expected):
    assert search_occupations(typed, language="kk", limit=1)[0].code == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # Members of the families added for the eighth round's misses, not titles of the sample file.
        ("аудан әкімінің бірінші орынбасары", "1112"),
        ("жұмыспен қамту бөлімінің басшысы", "1344"),
        ("АӘД мұғалімі", "2330"),
        ("ЕДШ нұсқаушысы", "3255"),
        ("хайуанаттар бағының күтушісі", "5164"),
        ("тоңазытқыш қондырғыларының механигі", "7127"),
        ("автобояушы", "7132"),
        ("электр қозғалтқыш орауышы", "7412"),
        ("шұжық жасаушы", "7511"),
        ("пестицид себуші", "7544"),
        ("ҚТҚ жинаушы", "9611"),
        ("алма теруші", "9211"),
    ],
)
def test_eighth_round_kazakh_labels_rank_their_unit_group_first(taxonomy, typed, expected):
    assert search_occupations(typed, language="kk", limit=1)[0].code == expected
