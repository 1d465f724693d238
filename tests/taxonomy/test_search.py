from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings

from gaps.models import OccupationLabel
from gaps.search import code_title, search_occupations

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

REQUIRED = ["combine harvester operator", "оператор зерноуборочного комбайна", "联合收割机驾驶员"]
# One title per language for more occupations; none of these is a label verbatim.
MORE = [
    ("en", "fruit and vegetable sorter", "7515"),
    ("ru", "сортировщица фруктов", "7515"),
    ("zh", "水果蔬菜分级工人", "7515"),
    ("kk", "жемістерді сұрыптаушы", "7515"),
    ("en", "gas and arc welder", "7212"),
    ("ru", "электросварщик 5 разряда", "7212"),
    ("zh", "电焊技工", "7212"),
    ("kk", "дәнекерлеуші жұмысшы", "7212"),
    ("en", "heavy lorry driver", "8332"),
    ("ru", "водитель грузовой машины", "8332"),
    ("zh", "重型货车司机", "8332"),
    ("kk", "жүк машинасы жүргізушісі", "8332"),
    ("ru", "монтажник систем капельного орошения", "7126"),
    ("zh", "滴灌工程安装工", "7126"),
    ("ru", "оператор солнечной электростанции", "3131"),
    ("zh", "光伏发电运维人员", "3131"),
    ("ru", "комбайнер", "8341"),
    ("kk", "комбайнші", "8341"),
]


@pytest.mark.parametrize("query", REQUIRED)
def test_the_three_required_titles_rank_8341_first(taxonomy, query):
    matches = search_occupations(query)
    assert matches[0].code == "8341"
    assert matches[0].title_en == "Mobile Farm and Forestry Plant Operators"
    assert code_title(query)[0] == "8341"


@pytest.mark.parametrize(("language", "query", "expected"), MORE)
def test_titles_in_each_language_rank_the_right_unit_group_first(taxonomy, language, query, expected):
    assert search_occupations(query)[0].code == expected
    assert search_occupations(query, language=language)[0].code == expected


def test_matches_carry_scores_labels_and_languages(taxonomy):
    matches = search_occupations("сварщик", limit=5)

    assert len(matches) == 5
    assert matches[0].code == "7212"
    assert matches[0].score == pytest.approx(1.0, abs=0.06)
    assert matches[0].language in ("ru", "kk")
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert all(0 < m.score <= 1 for m in matches)


def test_a_language_narrows_the_labels_compared(taxonomy):
    # Kazakh searches also compare Russian labels; a Chinese search compares only Chinese ones.
    assert search_occupations("сварщик", language="kk")[0].code == "7212"
    assert search_occupations("сварщик", language="zh") == []
    assert all(m.language == "en" for m in search_occupations("welder", language="en"))


def test_case_yo_and_kazakh_letters_are_folded(taxonomy):
    assert search_occupations("КОМБАЙНЁР")[0].code == "8341"
    # Kazakh typed on a Russian keyboard: "дәнекерлеуші" as "данекерлеуши".
    assert search_occupations("данекерлеуши")[0].code == "7212"


def test_gibberish_and_empty_titles_are_not_coded(taxonomy):
    code, confidence = code_title("qwzxv plorkt")
    assert code is None
    assert confidence < 0.3
    assert code_title("") == (None, 0.0)
    assert code_title("   ") == (None, 0.0)
    assert search_occupations("") == []
    assert search_occupations("!!!") == []


def test_confidence_is_high_for_a_clear_title_and_follows_the_threshold(taxonomy):
    code, confidence = code_title("Сварщик")
    assert code == "7212"
    assert 0.9 < confidence < 1
    with override_settings(OCCUPATION_CODING_THRESHOLD=0.995):
        assert code_title("Сварщик") == (None, confidence)


def test_the_index_follows_label_changes(taxonomy, recheck_always):
    assert search_occupations("zorbulator")[:1] == [] or search_occupations("zorbulator")[0].code != "7212"
    label = OccupationLabel.objects.create(
        occupation_id="7212", language="en", label="zorbulator", normalized="zorbulator", source="TALENTGAP"
    )
    assert search_occupations("zorbulator")[0].code == "7212"
    label.delete()
    assert not any(m.matched_label == "zorbulator" for m in search_occupations("zorbulator"))


def test_a_query_is_fast_after_warm_up(taxonomy):
    search_occupations("warm up")
    titles = ["tractor driver", "оператор зерноуборочного комбайна", "联合收割机驾驶员", "дәнекерлеуші", "solar panel installer"]
    started = time.perf_counter()
    for _ in range(4):
        for title in titles:
            search_occupations(title)
    per_query = (time.perf_counter() - started) / (4 * len(titles))
    assert per_query < 0.05  # the target is ~20 ms; the margin absorbs a busy CI machine


def _accuracy_module():
    spec = importlib.util.spec_from_file_location("search_accuracy", ROOT / "bench" / "search_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# A little under what bench/search_accuracy.py measures (en 80%, ru 92%, zh 91%, kk 89%), so a
# change that makes the search worse fails here.
TOP1_FLOORS = {"en": 0.76, "ru": 0.88, "zh": 0.86, "kk": 0.84}


def test_top1_accuracy_on_the_labelled_sample_stays_above_its_floor(taxonomy):
    bench = _accuracy_module()
    rows = bench.read_sample()
    per_language = {lang: sum(r["language"] == lang for r in rows) for lang in TOP1_FLOORS}
    assert all(n >= 40 for n in per_language.values()), per_language

    accuracy = bench.accuracy_by_language(rows)

    for language, floor in TOP1_FLOORS.items():
        top1, top3 = accuracy[language]
        assert top1 >= floor, f"{language}: top-1 {top1:.1%} < {floor:.0%}"
        assert top3 >= top1


def test_sqlite_ranks_like_postgresql(taxonomy, tmp_path):
    """The index is built in process from the same rows, so the database engine does not matter."""
    queries = [*REQUIRED, "сварщик", "果蔬分级员", "дәнекерлеуші", "solar panel installer"]
    here = [[m.code for m in search_occupations(q, limit=5)] for q in queries]
    script = (
        "import django, json, sys; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0); call_command('load_taxonomy', verbosity=0)\n"
        "from gaps.search import search_occupations\n"
        "print(json.dumps([[m.code for m in search_occupations(q, limit=5)] for q in json.loads(sys.argv[1])]))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'taxonomy.sqlite3'}",
        "TALENTGAP_REQUIRE_POSTGRES": "0",
    }
    import json

    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(queries)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == here
