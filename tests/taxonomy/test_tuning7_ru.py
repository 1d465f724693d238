"""The seventh round of issue 15, Russian: the blind tuning file and the rule its misses changed."""

from __future__ import annotations

import pytest

from gaps.search import search_occupations
from gaps.taxonomy.text import analyze, normalize


def test_pom_is_read_as_pomoshchnik():
    # "пом. повара" is how a kitchen assistant (9412) is typed; read as "пом" it only found "повар".
    assert analyze(normalize("пом. повара")).near_key == analyze(normalize("помощник повара")).near_key
    assert analyze(normalize("пом. машиниста")).near_key == analyze(normalize("помощник машиниста")).near_key


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("пом. повара", "9412"),  # without the rule: 5120 (повар) first
        ("пом повара столовой", "9412"),
    ],
)
def test_abbreviated_assistant_titles_rank_the_assistant_group_first(taxonomy, typed, expected):
    assert search_occupations(typed)[0].code == expected
    assert search_occupations(typed, language="ru")[0].code == expected
