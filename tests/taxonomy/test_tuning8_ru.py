"""The eighth round of issue 15, Russian: the rules the blind file's misses changed (see
sample_tuning8_ru.csv and test_tuning8_ru_file.py)."""

from __future__ import annotations

import pytest

from gaps.search import search_occupations
from gaps.taxonomy.text import QUALIFIER_WEIGHT, analyze, normalize


def _qualifiers(title: str) -> list[str]:
    analysis = analyze(normalize(title))
    return [w for w, q in zip(analysis.words, analysis.qualifier, strict=True) if q]


def test_a_russian_place_after_the_job_word_is_a_qualifier():
    # The establishment in the genitive, the adjectives before it and the words after it.
    assert _qualifiers("пекарь хлебозавода") == ["хлебозавода"]
    assert _qualifiers("закройщик швейного цеха") == ["швейного", "цеха"]
    assert _qualifiers("директор завода ЖБИ") == ["завода", "жби"]
    assert _qualifiers("HR-директор ТОО «Агро-Сервис»") == ["тоо", "агро", "сервис"]
    features = analyze(normalize("врач-педиатр детской поликлиники")).word_features
    assert features["w:педиатр"] == 1.0
    assert features["w:поликлиник"] == QUALIFIER_WEIGHT


def test_the_russian_place_rule_leaves_the_job_word_and_kazakh_titles_alone():
    # A noun declined like an adjective is the job's object, not the place's attribute.
    assert _qualifiers("оператор котельной завода") == ["завода"]
    # The first word is the job, even if it names a place in another title.
    assert _qualifiers("завод жби") == ["завод"]  # PLACE_WORDS, as before: a title of nothing else keeps it
    assert analyze(normalize("завод жби")).word_features["w:жби"] == 1.0
    # A Kazakh job word after a Russian place word: the Kazakh genitive rule, not this one.
    assert "жумысшысы" not in _qualifiers("кірпіш заводының жұмысшысы")


def test_a_labourer_keeps_the_place_where_they_labour():
    # "подсобный рабочий" says nothing but "labourer": the farm, the road, the factory say which.
    assert _qualifiers("подсобный рабочий на ферме КРС") == []
    assert _qualifiers("разнорабочий на завод") == []
    assert _qualifiers("рабочий КХ") == []
    # A skilled job word keeps its place a qualifier.
    assert _qualifiers("уборщица в школе") == ["школе"]


def test_fin_is_read_as_finansovyi():
    assert analyze(normalize("фин. директор")).near_key == analyze(normalize("финансовый директор")).near_key


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # Without the place rule the place's other labels came first (in brackets).
        ("пекарь хлебозавода", "7512"),  # 1321 директор хлебозавода
        ("обвальщик мясокомбината", "7511"),  # 1321 директор мясокомбината
        ("закройщик швейного цеха", "7532"),  # 3122 мастер швейного цеха
        ("врач-педиатр детской поликлиники", "2212"),  # 2211 врач поликлиники
        ("директор кирпичного завода", "1321"),  # 8181 оператор кирпичного завода
        ("биолог заповедника", "2131"),  # 2133 инспектор заповедника
        ("фин. директор холдинга", "1211"),  # 1120 директор холдинга
        # Without the labourer rule: 9622 подсобный рабочий.
        ("подсобный рабочий на ферме КРС", "9212"),
        ("подсобный рабочий на ремонт дорог", "9312"),
    ],
)
def test_qualified_russian_titles_rank_the_job_first(taxonomy, typed, expected):
    assert search_occupations(typed)[0].code == expected
    assert search_occupations(typed, language="ru")[0].code == expected
