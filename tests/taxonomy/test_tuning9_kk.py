"""Issue 15, ninth round, Kazakh: the blind tuning file (written from isco08.csv and the ILO definitions
before its writer read the labels, the search code or any other sample file's titles, weighted to Kazakh
morphology as officials type it) and, below, the rules its misses led to."""

from __future__ import annotations

import pytest

from gaps.search import search_occupations
from gaps.taxonomy.text import analyze, kazakh_plural_root, normalize


pytestmark = pytest.mark.django_db


# --- The rules the file's misses led to -------------------------------------------------------------


def _stems(title: str) -> list[str]:
    return analyze(normalize(title)).stems


def _words(title: str) -> list[str]:
    return analyze(normalize(title)).words


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("қойшылар", "қойшы"),  # -лар after a vowel
        ("нянялар", "няня"),
        ("мұғалімдер", "мұғалім"),  # -дер after м
        ("аспаздар", "аспаз"),  # -дар after з
        ("кузнецтер", "кузнец"),  # -тер after a voiceless consonant
        ("сантехниктер", "сантехник"),
        ("уборщицалар", "уборщица"),
        ("инженерлер", "инженер"),  # -лер after р
        ("жұмысшылары", "жұмысшы"),  # the possessive after the plural
        ("сатушылардың", "сатушы"),  # the genitive after it
        ("машинисттер", "машинист"),
    ],
)
def test_a_kazakh_plural_meets_its_singular(plural, singular):
    assert _stems(plural) == _stems(singular)


@pytest.mark.parametrize(
    "word",
    # The ending does not fit the root (-тар after е, -тер after н, -дер after л, -лер after т) or the
    # word is a Russian one listed: none is a plural.
    ["секретарь", "секретари", "монтер", "бухгалтер", "кондитер", "мастер", "шахтер", "актер", "тендер",
     "доллары", "санитары", "компьютеры", "бригадиры"],
)
def test_words_that_only_look_like_a_kazakh_plural_stay_whole(word):
    assert kazakh_plural_root(normalize(word)) == ""


def test_different_words_stay_apart_after_the_plural_rule():
    assert _stems("мастер") != _stems("мас")
    assert _stems("шахтер") != _stems("шах")
    assert _stems("секретарь") != _stems("секре")
    assert _stems("монтерлер") == _stems("монтер") != _stems("мон")
    assert _stems("құрылыстарының") == _stems("құрылыс") != _stems("құрылғы")


@pytest.mark.parametrize(
    ("voiced", "plain"),
    [
        ("электригі", "электрик"),  # к -> г before the possessive
        ("механигі", "механик"),
        ("мойщигі", "мойщик"),
        ("шаруашылығы", "шаруашылық"),  # қ -> ғ
        ("ауылшаруашылығының", "ауылшаруашылық"),
        ("көлігінің", "көлік"),
        ("мектебі", "мектеп"),  # п -> б
        ("хирурги", "хирург"),  # a Russian plural in г still meets its singular
    ],
)
def test_the_voiced_last_consonant_of_a_kazakh_root_meets_the_plain_one(voiced, plain):
    assert _stems(voiced) == _stems(plain)


def test_the_voicing_rule_keeps_different_words_apart():
    assert _stems("жүк") == ["жук"]  # a short word is left alone
    assert _stems("мектеп") != _stems("мекен")


def test_working_at_a_place_reads_as_the_place_attributive():
    assert _words("кафеде жұмыс істейтін бармен") == ["кафедеги", "бармен"]
    assert _words("зауытта жұмыс істейтін слесарь") == ["зауыттагы", "слесарь"]
    assert analyze(normalize("зауытта жұмыс істейтін слесарь")).qualifier == [True, False]
    # Without a place before them the two words just go; not at the end of a title, nor elsewhere.
    assert _words("жұмыс істейтін слесарь") == ["слесарь"]
    assert _words("жұмыс жүргізуші") == ["жумыс", "жургизуши"]
    assert _words("жұмыс істейтін") == ["жумыс", "истейтин"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("кузнецтер", "7221"),
        ("нянялар", "5311"),
        ("қойшылар", "6121"),
        ("уборщицалар", "9112"),
        ("даяшылар", "5131"),
        ("электр дәнекерлеушілер", "7212"),
        ("кәсіпорынның техник-электригі", "3113"),
        ("шаруашылық есепшісі", "4311"),
        ("депоның инженер-механигі", "2144"),
        ("кафеде жұмыс істейтін асхана жұмысшысы", "9412"),
        ("кафеде жұмыс істейтін даяшы", "5131"),
        ("зауытта жұмыс істейтін токарь", "7223"),
        # Must not change:
        ("жұмыс жүргізуші", "3123"),
        ("секретарь", "4120"),
        ("шахтер", "8111"),
        ("бухгалтерлер", "2411"),
    ],
)
def test_ninth_round_kazakh_titles_rank_their_unit_group_first(taxonomy, typed, expected):
    assert search_occupations(typed, language="kk", limit=1)[0].code == expected
