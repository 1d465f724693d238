"""Issue 15, seventh round, Kazakh (modern Cyrillic): the blind tuning file and the rule it led to."""

from __future__ import annotations

import pytest

from gaps.search import search_occupations
from gaps.taxonomy.text import analyze, normalize

pytestmark = pytest.mark.django_db


def _qualifiers(title: str) -> list[str]:
    analysis = analyze(normalize(title))
    return [w for w, q in zip(analysis.words, analysis.qualifier, strict=True) if q]


def test_a_kazakh_establishment_in_the_plain_locative_before_the_job_is_a_qualifier():
    assert _qualifiers("зауытта токарь") == ["зауытта"]
    assert _qualifiers("кеніште жүргізуші") == ["кениште"]
    assert _qualifiers("жылыжайда агроном") == ["жылыжайда"]
    assert _qualifiers("зауытында электрик") == ["зауытында"]  # after the possessive
    assert _qualifiers("фермасында тракторшы") == ["фермасында"]
    # Nouns that end like a locative are the job's object, not a place.
    assert _qualifiers("бригада бастығы") == []
    assert _qualifiers("пошта жеткізуші") == []
    assert _qualifiers("шахта жұмысшысы") == []
    # The market makes the job (5211, not a shop's 5223): it stays a content word.
    assert _qualifiers("базарда сатушы") == []
    # Alone, the word is the title.
    assert _qualifiers("зауытта") == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("зауытта токарь", "7223"),  # was 9329 through зауыт жұмысшысы
        ("зауытта механик", "7233"),  # was 9329 through зауыт жұмысшысы
        ("жылыжайда агроном", "2132"),  # was 6113 through жылыжай жұмысшысы
        ("кеніште жүргізуші", "8322"),  # was 9311 through кеніш жұмысшысы
        ("базарда сатушы", "5211"),  # stays
    ],
)
def test_the_job_outweighs_a_kazakh_place_in_the_locative(taxonomy, typed, expected):
    assert search_occupations(typed, language="kk", limit=1)[0].code == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # Families of the seventh round's misses, not titles of the sample file.
        ("теледидар жүргізушісі", "2656"),
        ("радио жүргізушісі", "2656"),
        ("АЖҚС қызметкері", "5245"),
        ("кафель төсеуші", "7122"),
        ("поездарды құрастырушы", "8312"),
        ("бургер дайындаушы", "9411"),
        ("тельферші", "8343"),
        ("CE санатты жүргізуші", "8332"),
    ],
)
def test_seventh_round_kazakh_labels_rank_their_unit_group_first(taxonomy, typed, expected):
    assert search_occupations(typed, language="kk", limit=1)[0].code == expected
