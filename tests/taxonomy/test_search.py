from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from gaps import search
from gaps.models import OccupationLabel
from gaps.search import code_title, search_occupations
from gaps.taxonomy.text import normalize

from . import samples

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

    assert 1 <= len(matches) <= 5
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


# Issue 15, "Why": titles the search got wrong. They need the labels of all 436 unit groups in
# four languages (gaps/taxonomy/data/labels_*.csv, titles_*.csv).
ISSUE_EXAMPLES = [
    ("小学教师", "2341"),
    ("药剂师", "2262"),
    ("сатушы", "5223"),
    ("оператор колл-центра", "4222"),
    ("carpenter", "7115"),
    ("厨师", "5120"),
    ("аспазшы", "5120"),
    ("нан пісіруші", "7512"),
    ("комбайнер", "8341"),
    ("收割机", "8341"),
    # The same occupations typed in English (issue 15 asks for all four languages).
    ("primary school teacher", "2341"),
    ("pharmacist", "2262"),
    ("shop assistant", "5223"),
    ("call centre operator", "4222"),
    ("call center operator", "4222"),
    ("cook", "5120"),
    ("baker", "7512"),
    ("combine operator", "8341"),
    ("harvester operator", "8341"),
    ("receptionist", "4226"),
    ("programmer", "2514"),
    ("social worker", "2635"),
    ("HGV driver", "8332"),
]


@pytest.mark.parametrize(("query", "expected"), ISSUE_EXAMPLES)
def test_the_examples_of_issue_15_rank_the_right_unit_group_first(taxonomy, query, expected):
    assert search_occupations(query)[0].code == expected


@pytest.mark.parametrize(
    ("query", "unrelated"),
    [("комбайнер", "7125"), ("收割机", "7212"), ("сатушы", "8112"), ("combine operator", "7125"), ("shop assistant", "8112")],
)
def test_the_search_returns_fewer_results_rather_than_unrelated_ones(taxonomy, query, unrelated):
    matches = search_occupations(query, limit=50)

    assert unrelated not in [m.code for m in matches]
    assert all(m.score >= search.MIN_SCORE for m in matches)
    assert all(m.score >= search.RELATIVE_FLOOR * matches[0].score for m in matches)


# Issue 15, second round: a place that qualifies a title must not outrank the job word.
PLACE_QUALIFIED = [
    ("supermarket cleaner", "9112", "1420"),
    ("cleaner at the shopping centre", "9112", "1439"),
    ("уборщица торгового центра", "9112", "1439"),
    ("уборщица в супермаркете", "9112", "1420"),
    ("супермаркет тазалаушысы", "9112", "1420"),
    ("小区保洁", "9112", "5414"),
]


@pytest.mark.parametrize(("query", "expected", "place_group"), PLACE_QUALIFIED)
def test_the_job_word_outranks_the_place_that_qualifies_it(taxonomy, query, expected, place_group):
    matches = search_occupations(query)

    assert matches[0].code == expected
    # The group that shares only the place is far behind, if listed at all.
    assert all(m.score <= 0.8 * matches[0].score for m in matches if m.code == place_group)


def test_a_place_word_is_a_qualifier_only_beside_a_job_word():
    from gaps.taxonomy.text import QUALIFIER_WEIGHT, analyze

    def qualifiers(title):
        analysis = analyze(normalize(title))
        return [w for w, q in zip(analysis.words, analysis.qualifier, strict=True) if q]

    assert qualifiers("supermarket cleaner") == ["supermarket"]
    assert qualifiers("cleaner at the bus station") == ["bus", "station"]
    assert qualifiers("уборщица в школе") == ["школе"]
    assert qualifiers("сауда орталығының тазалаушысы") == ["сауда", "орталыгынын"]
    assert qualifiers("супермаркеттегі тазалаушы") == ["супермаркеттеги"]
    # The object of a job word names the job: not a qualifier.
    assert qualifiers("кран жүргізушісі") == [] and qualifiers("duck farmer") == []
    # A title of places only keeps them whole.
    assert qualifiers("supermarket") == [] and qualifiers("shopping centre") == []
    assert analyze(normalize("supermarket cleaner")).word_features["w:supermarket"] == QUALIFIER_WEIGHT
    chinese = analyze(normalize("小区保洁")).char_features
    assert chinese["小区"] == QUALIFIER_WEIGHT and chinese["保洁"] == 1.0


def test_nothing_is_returned_for_a_title_that_matches_nothing(taxonomy):
    assert search_occupations("qwzxv plorkt") == []
    assert search_occupations("ъъъъ ыыыы") == []


@pytest.mark.parametrize("title", ["<b>helper</b>", "helper", "рабочий", "жұмысшы", "工人", "оператор", "специалист"])
def test_a_title_of_generic_words_only_is_never_coded(taxonomy, title):
    code, confidence = code_title(title)

    assert code is None
    assert confidence <= search.GENERIC_ONLY_CONFIDENCE


def test_scores_say_strong_or_possible(taxonomy):
    strong = search_occupations("электрогазосварщик")[0]
    assert strong.code == "7212" and strong.strength == "strong" and strong.score >= search.STRONG_MATCH_SCORE
    weak = [m for m in search_occupations("welding workshop helper", limit=20) if m.score < search.STRONG_MATCH_SCORE]
    assert weak and all(m.strength == "possible" for m in weak)


@pytest.mark.parametrize(("typed", "expected"), [("plumer", "7126"), ("електрик", "7411"), ("сварщиик", "7212")])
def test_a_word_one_typo_away_from_a_label_word_is_read_as_it(taxonomy, typed, expected):
    match = search_occupations(typed)[0]
    assert match.code == expected
    assert match.score < search.NEAR_SCORE  # a corrected word is never an exact match
    # A guess is offered, never coded without a person.
    code, confidence = code_title(typed)
    assert code is None and confidence <= search.CORRECTED_CONFIDENCE


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [("водитель кат. С", "водитель категории C"), ("С санатты жүргізуші", "жүргізуші категории C"), ("токарь 6 разряда", "токарь")],
)
def test_licence_categories_are_kept_and_grades_dropped(typed, same_as):
    from gaps.taxonomy.text import analyze

    assert analyze(normalize(typed)).near_key == analyze(normalize(same_as)).near_key
    assert analyze(normalize("водитель категории C")).near_key != analyze(normalize("водитель категории D")).near_key


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("водители грузовиков", "8332"), ("грузовика водитель", "8332"), ("сварщица", "7212"), ("токарь 6 разряда", "7223")],
)
def test_inflections_word_order_feminine_forms_and_grades_match_near_exactly(taxonomy, typed, expected):
    match = search_occupations(typed)[0]
    assert match.code == expected
    assert match.score >= search.CONTENT_SCORE * search.SOURCE_WEIGHTS["ESCO"]


def test_an_authoritative_label_beats_an_esco_synonym_of_another_group(taxonomy):
    # "carpenter" is also an ESCO label of 3432 (set builders); ILO lists it under 7115.
    assert search_occupations("carpenter")[0].code == "7115"
    assert search_occupations("electrician")[0].code == "7411"


@pytest.mark.parametrize(
    ("query", "written", "esco"),
    [
        # ESCO files "health and safety officer" under 3117 (mine safety) as well; written under 2263.
        ("health and safety officer", "2263", "3117"),
        # ESCO has "programmer" under 2512 too; the ILO definition of 2514 is writing code to specifications.
        ("programmer", "2514", "2512"),
    ],
)
def test_an_esco_synonym_never_outranks_a_written_label(taxonomy, query, written, esco):
    matches = search_occupations(query, limit=10)

    assert matches[0].code == written
    assert matches[0].source == "TALENTGAP"
    assert matches[0].score == pytest.approx(1.0, abs=0.01)
    other = [m for m in matches if m.code == esco]
    # The contested synonym is offered lower (or not at all) and under the near-exact tier.
    assert all(m.score < search.CONTENT_SCORE for m in other)


def test_the_index_is_saved_prebuilt_and_loaded_by_the_next_process(taxonomy, settings, tmp_path):
    settings.OCCUPATION_INDEX_DIR = str(tmp_path / "index")
    search.invalidate_index()
    search_occupations("welder")
    assert search.last_index_event[0] == "built"
    files = list((tmp_path / "index").glob("occupation-index-*.pickle"))
    assert len(files) == 1
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"

    search.invalidate_index()  # as a new process would start
    assert search_occupations("welder")[0].code == "7212"
    assert search.last_index_event[0] == "loaded"


def test_a_damaged_or_foreign_index_file_is_rebuilt_not_trusted(taxonomy, settings, tmp_path):
    settings.OCCUPATION_INDEX_DIR = str(tmp_path)
    search.invalidate_index()
    search_occupations("welder")
    path = next(tmp_path.glob("occupation-index-*.pickle"))

    path.write_bytes(b"not a pickle")
    search.invalidate_index()
    assert search_occupations("welder")[0].code == "7212"
    assert search.last_index_event[0] == "built"

    path.chmod(0o666)  # anybody could have written it
    search.invalidate_index()
    assert search_occupations("welder")[0].code == "7212"
    assert search.last_index_event[0] == "built"


def test_a_second_load_of_the_label_files_writes_nothing(taxonomy, settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    settings.OCCUPATION_INDEX_DIR = str(tmp_path)
    call_command("load_taxonomy", stdout=StringIO())  # up to date already; writes the prebuilt index
    files = list(tmp_path.glob("occupation-index-*.pickle"))
    assert len(files) == 1
    written = files[0].stat().st_mtime_ns
    ids = set(OccupationLabel.objects.values_list("id", flat=True))

    out = StringIO()
    call_command("load_taxonomy", stdout=out)

    assert "up to date" in out.getvalue()
    assert set(OccupationLabel.objects.values_list("id", flat=True)) == ids
    assert list(tmp_path.glob("occupation-index-*.pickle")) == files
    assert files[0].stat().st_mtime_ns == written
    assert search.last_index_event[0] == "loaded"


def test_without_an_index_dir_each_process_builds_its_own(taxonomy, settings, tmp_path):
    settings.OCCUPATION_INDEX_DIR = ""
    search.invalidate_index()
    assert search_occupations("welder")[0].code == "7212"
    assert search.last_index_event[0] == "built"


def _accuracy_module():
    return samples.bench()


# A little under what bench/search_accuracy.py measures on the tuning part (README, "Occupation
# search"), so that a change that makes the search worse fails here. The hold-out is not used.
# Measured 2026-12-03 on both tuning files (1,289 titles): top-1 en 96.1, ru 99.1, zh 98.8,
# kk 98.1 %; top-3 99.4, 99.4, 100, 99.7 %. Third round, on the three tuning files (1,460 titles):
# top-1 98.2, 99.4, 99.7, 99.1 %; top-3 99.7, 100, 100, 100 %.
# Ninth round, Kazakh (2026-12-04): its blind file (602 titles, 89.9 % top-1 after the round's rules) is
# in the tuning part, so kk there measures 95.9 % (95.2 % before the rules); the kk floor is 95 %.
# Ninth round, Chinese (2026-12-04): the blind sample_tuning9_zh.csv (841 titles after 27 two-group titles were
# taken out; 87.9 % top-1 after its rules) joins the part. All three ninth-round files in (9,768 titles): top-1
# en 95.8, ru 98.1, zh 96.0, kk 95.9 %; top-3 98.7, 99.2, 98.1, 98.4 %.
# Ninth round, Russian (2026-12-04): its blind file (927 titles, 88.6 % top-1 / 93.9 % top-3 after the round's
# rules) is in the tuning part, so ru there measures 94.7 / 97.3 % (94.4 / 97.3 % before the rules); the ru
# floors are 94 / 97 %.
TOP1_FLOORS = {"en": 0.94, "ru": 0.94, "zh": 0.95, "kk": 0.95}
TOP3_FLOORS = {"en": 0.98, "ru": 0.97, "zh": 0.97, "kk": 0.98}


def test_top1_accuracy_on_the_tuning_sample_stays_above_its_floor(taxonomy):
    bench = _accuracy_module()
    rows = bench.read_sample("tuning")

    accuracy = bench.accuracy_by_language(rows)

    for language, floor in TOP1_FLOORS.items():
        top1, top3 = accuracy[language]
        assert top1 >= floor, f"{language}: top-1 {top1:.1%} < {floor:.0%}"
        assert top3 >= TOP3_FLOORS[language], f"{language}: top-3 {top3:.1%} < {TOP3_FLOORS[language]:.0%}"
        assert top3 >= top1


def test_the_labelled_sample_is_split_by_language_and_major_group():
    bench = _accuracy_module()
    parts = {part: bench.read_sample(part) for part in ("tuning", "holdout")}
    codes = {code for code, level in _isco_levels().items() if level == "4"}
    everything = parts["tuning"] + parts["holdout"]
    assert len(everything) >= 800
    # The second tuning file (issue 15, second round): at least 400 titles, 100 a language.
    second = bench.read_sample("tuning2")
    assert len(second) >= 400 and all(sum(r["language"] == lang for r in second) >= 100 for lang in ("en", "ru", "zh", "kk"))
    # The third (issue 15, third round): every language, weighted to major groups 6, 7 and 9.
    third = bench.read_sample("tuning3")
    assert {r["language"] for r in third} == {"en", "ru", "zh", "kk"}
    assert sum(r["expected_isco"][0] in "679" for r in third) >= 100
    for language in ("en", "ru", "zh", "kk"):
        assert sum(r["language"] == language for r in everything) >= 200, language
        for part, rows in parts.items():
            majors = {r["expected_isco"][0] for r in rows if r["language"] == language}
            assert majors == set("0123456789"), (part, language, majors)
    assert all(r["expected_isco"] in codes for r in everything)
    # A title is in one part only, also when two languages spell it alike (Kazakh uses Russian loans).
    tuning = {normalize(r["title"]) for r in parts["tuning"]}
    assert not tuning & {normalize(r["title"]) for r in parts["holdout"]}


def test_the_second_hold_out_is_fresh_and_covers_every_language_and_major_group():
    """sample_holdout2.csv (issue 15, fourth round): written before that round, none of its titles
    in the tuning part or the first hold-out; at least 60 titles a language, all ten major groups."""
    bench = _accuracy_module()
    second = bench.read_sample("holdout2")
    codes = {code for code, level in _isco_levels().items() if level == "4"}
    assert all(r["expected_isco"] in codes for r in second)
    for language in ("en", "ru", "zh", "kk"):
        rows = [r for r in second if r["language"] == language]
        assert len(rows) >= 60, language
        assert {r["expected_isco"][0] for r in rows} == set("0123456789"), language
    earlier = {normalize(r["title"]) for part in ("tuning", "holdout") for r in bench.read_sample(part)}
    assert not earlier & {normalize(r["title"]) for r in second}
    assert [part for part in ("holdout", "holdout2") if part in bench.PARTS] == ["holdout", "holdout2"]


def test_sample_holdout3_is_independent_fresh_and_covers_every_language_and_major_group():
    """sample_holdout3.csv (issue 15): written by an independent writer, committed before anyone
    measured it; none of its titles in the tuning part or the earlier hold-outs, none twice, at least
    80 titles a language with all ten major groups; the bench measures it with the other hold-outs."""
    bench = _accuracy_module()
    third = bench.read_sample("holdout3")
    codes = {code for code, level in _isco_levels().items() if level == "4"}
    assert all(r["expected_isco"] in codes for r in third)
    assert {r["language"] for r in third} == {"en", "ru", "zh", "kk"}
    for language in ("en", "ru", "zh", "kk"):
        rows = [r for r in third if r["language"] == language]
        assert len(rows) >= 80, language
        assert {r["expected_isco"][0] for r in rows} == set("0123456789"), language
    titles = [normalize(r["title"]) for r in third]
    assert len(set(titles)) == len(titles)
    earlier = {normalize(r["title"]) for part in ("tuning", "holdout", "holdout2") for r in bench.read_sample(part)}
    assert not earlier & set(titles)
    assert bench.HOLDOUTS[:3] == ("holdout", "holdout2", "holdout3")  # the fourth follows (test_holdout4_files.py)
    assert set(bench.HOLDOUTS) <= set(bench.PARTS)


def _isco_levels() -> dict[str, str]:
    import csv

    with (ROOT / "gaps" / "taxonomy" / "data" / "isco08.csv").open(encoding="utf-8") as fh:
        return {row["code"]: row["level"] for row in csv.DictReader(fh)}


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


# --- Third round (issue 15): morphology, abbreviations, qualifiers, head words ----------------------


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        # Kazakh accusative (and plural) object before an agent noun
        ("тракторларды жөндеуші", "трактор жөндеуші"),
        ("көшені тазалаушы", "көше тазалаушы"),
        # Kazakh compounds typed apart or together, inflected or not
        ("қонақ үй тазалаушысы", "қонақүй тазалаушысы"),
        ("ас үй жұмысшысы", "асүй жұмысшысы"),
        # щ typed as ш; the fleeting vowel of -ок genitive plurals
        ("уборшица", "уборщица"),
        ("рабочий лесозаготовок", "рабочий на лесозаготовках"),
        # abbreviations
        ("зав. складом", "заведующий складом"),
        ("гл. бухгалтер", "главный бухгалтер"),
        ("эл. монтер", "электромонтер"),
        ("рабочий с/х", "рабочий сельскохозяйственный"),
        ("asst manager", "assistant manager"),
        # Chinese grade, season and apprentice words
        ("高级电工", "电工"),
        ("二级焊工", "焊工"),
        ("季节性采茶工", "采茶工"),
        ("电工学徒", "电工"),
    ],
)
def test_forms_officials_type_read_like_the_plain_title(typed, same_as):
    from gaps.taxonomy.text import analyze

    assert analyze(normalize(typed)).near_key == analyze(normalize(same_as)).near_key


@pytest.mark.parametrize(
    ("typed", "not_same_as"),
    [
        ("初级护士", "护士"),  # 初级护士 is labelled 3221, 护士 2221: the grade decides there
        ("临时工", "工"),  # nothing but the qualifier would remain
    ],
)
def test_the_readings_stay_where_they_would_change_the_title(typed, not_same_as):
    from gaps.taxonomy.text import analyze

    assert analyze(normalize(typed)).near_key != analyze(normalize(not_same_as)).near_key


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("комбайндарды жөндеуші", "7233"),
        ("көшені тазалаушы", "9613"),
        ("қонақ үй тазалаушысы", "9112"),  # was 9111 through "үй тазалаушы" (house cleaner)
        ("уборшица", "9112"),  # was nothing
        ("гл. бухгалтер", "2411"),
        ("эл. слесарь", "7412"),
        ("高级电工", "7411"),
        ("电工学徒", "7411"),
        ("季节性采茶工", "9211"),
        ("сезонный сборщик винограда", "9211"),
    ],
)
def test_third_round_titles_now_find_their_unit_group(taxonomy, typed, expected):
    assert search_occupations(typed)[0].code == expected
    # Coded at the default threshold (0.97; "қонақ үй тазалаушысы" is a label since the fifth round).
    assert code_title(typed)[0] == expected


def test_kazakh_case_endings_come_off_only_before_an_agent_noun():
    from gaps.taxonomy.text import analyze

    # Russian "охраны", "работы" keep their stems (as "охрана", "работа"); before "тазалаушы" the
    # same ending is a Kazakh accusative.
    assert analyze(normalize("сотрудник охраны")).stems == analyze(normalize("сотрудник охрана")).stems
    assert analyze(normalize("мастер работы")).stems[-1] == "работ"
    assert analyze(normalize("машиналарды жуушы")).stems[0] == analyze(normalize("машина")).stems[0]


def test_a_label_with_other_generic_words_counts_less_than_one_with_the_same(taxonomy):
    # "мастер лесозаготовок" (3143, a foreman) shares the content word but not the worker's word.
    matches = search_occupations("рабочий лесозаготовок", limit=3)
    assert matches[0].code == "6210"
    foreman = next(m for m in matches if m.code == "3143")
    assert foreman.score < search.CONTENT_SCORE * 0.99


@pytest.mark.parametrize(
    "title",
    [
        "нач.",  # a head word alone ("начальник")
        "manager",  # was coded 1223 through "R&D manager"
        "senior manager",
        "经理",
        "сезонный рабочий",  # a season word and a generic word
        "маусымдық жұмысшы",
        "季节性",
        "临时工",
        "қонақ үй",  # a place, no job
        "станков",  # an object, no job
    ],
)
def test_titles_that_name_no_occupation_are_not_coded(taxonomy, title):
    assert code_title(title)[0] is None


def test_a_head_word_with_what_it_heads_is_coded(taxonomy):
    assert code_title("начальник склада")[0] == "1324"
    assert code_title("销售经理")[0] == "1221"


# --- Fourth round (issue 15): software, a genitive before a generic word, the warehouse ------------


def test_po_in_capitals_is_software_and_po_in_lower_case_a_preposition():
    assert normalize("менеджер по продажам ПО") == "менеджер по продажам программного обеспечения"
    assert normalize("тестировщик ПО") == "тестировщик программного обеспечения"
    # A title typed all in capitals keeps its preposition.
    assert normalize("МЕНЕДЖЕР ПО ПРОДАЖАМ") == "менеджер по продажам"
    assert normalize("ПОвар") == "повар"


def test_a_kazakh_genitive_before_a_generic_word_names_the_work_and_the_warehouse_is_a_place():
    from gaps.taxonomy.text import analyze

    def qualifiers(title):
        analysis = analyze(normalize(title))
        return [w for w, q in zip(analysis.words, analysis.qualifier, strict=True) if q]

    assert qualifiers("жол полициясының қызметкері") == []
    # Before a job word the genitive stays a place, and a locative is a place before any word.
    assert qualifiers("сауда орталығының тазалаушысы") == ["сауда", "орталыгынын"]
    assert qualifiers("супермаркеттегі қызметкер") == ["супермаркеттеги"]
    assert qualifiers("грузчик қоймаға") == ["коймага"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("менеджер по продажам ПО", "2434"),  # not 3322, "менеджер по продажам"
        ("жол полициясының қызметкері", "5412"),  # not 9312 road workers
        ("грузчик қоймаға", "9333"),  # not 4321 storekeepers (қоймашы)
        ("猎头", "2423"),  # ESCO: head hunters are recruitment consultants, as "headhunter" is
    ],
)
def test_fourth_round_titles_find_their_unit_group(taxonomy, typed, expected):
    assert search_occupations(typed)[0].code == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("мектеп мұғалiмi", "2330"),  # Latin i for і: was nothing
        ("мал дәрiгерiнiң көмекшiсi", "3240"),  # was nothing
        ("шофёр автобуса", "8331"),  # шофёр is водитель: was 8322 through the bare "шофер"
        ("шофёр грузовика", "8332"),  # was 8322
        ("滴滴司机", "8322"),  # was nothing
        ("开大车的", "8332"),  # was nothing
        ("打渔的", "6222"),  # was nothing
        ("卖菜的", "5211"),  # was 6111 through 种菜的
        ("餐馆服务员", "5131"),  # was 9629 through 场馆服务员
        ("手机销售员", "5223"),  # was 3322 through 销售员
        ("养老院护理员", "5321"),  # was 1343 through 养老院经理
        ("автокөлік слесарі", "7231"),  # was 9122 through автокөлік жуушы
        ("кафель қалаушы", "7122"),  # was 7112 through тас қалаушы
        ("әкімдік хатшысы", "4120"),  # was 2422
        ("мектеп директорының орынбасары", "1345"),  # was 1112 through әкімнің орынбасары
        ("lab technician (hospital)", "3212"),  # was 3141
        ("furnace operator steel mill", "8121"),  # was 3135 through ESCO's "steel furnace operator"
    ],
)
def test_fifth_round_titles_find_their_unit_group(taxonomy, typed, expected):
    assert search_occupations(typed)[0].code == expected


def test_latin_i_in_a_cyrillic_word_is_read_as_the_kazakh_letter():
    from gaps.taxonomy.text import analyze

    def words(title):
        return analyze(normalize(title)).words

    assert words("мұғалiм") == words("мұғалім")
    assert words("IT специалист") == ["it", "специалист"]  # a Latin word keeps its i
    assert words("iPhone сатушы") == ["iphone", "сатушы"]
    # normalize() is the key the sample files are split on: it leaves the typed letter alone.
    assert normalize("мұғалiм") != normalize("мұғалім")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("nurse", "2221"),
        ("cashier", "5230"),
        ("driver", "8322"),
        ("медсестра", "3221"),
        ("кассир", "5230"),
        ("водитель", "8322"),
        ("护士", "2221"),
        ("收银员", "5230"),
        ("жүргізуші", "8322"),
    ],
)
def test_a_one_word_title_one_group_labels_exactly_is_coded_at_the_default_threshold(taxonomy, title, expected):
    """A neighbouring group's qualified label ("junior nurse", "старший кассир") keeps the curve's
    margin small (0.968-0.969 before the fifth round); an exact written label of one group only, with
    no other group near-exact, is coded (gaps.search.EXACT_UNIQUE_CONFIDENCE)."""
    assert code_title(title)[0] == expected
    assert code_title(title)[1] >= search.EXACT_UNIQUE_CONFIDENCE


def test_the_exact_label_rule_needs_a_written_label_of_one_group_and_no_near_rival(taxonomy):
    from gaps.search import _analyze_query, _exact_unique, _rank

    def shape(title):
        analysis = _analyze_query(title)
        return _exact_unique(analysis, _rank(analysis, None, 3))

    assert shape("nurse") and shape("кассир")
    # A label shorn of its qualifier is no written label: "Driver (motorized rickshaw)" (8321) does
    # not make "driver" two groups', and "motorized rickshaw" alone is no label at all.
    assert shape("driver")
    assert not shape("nurse junior")  # the same stems as "junior nurse", not its words: near, not exact
    # A typo is not an exact match, and its cap stays (CORRECTED_CONFIDENCE).
    assert not shape("вадитель")
    assert code_title("вадитель") == (None, search.CORRECTED_CONFIDENCE)
    # Generic words only: never coded, even when a label says just that.
    assert code_title("рабочий")[0] is None


def test_a_kazakh_dative_place_before_the_job_is_a_qualifier_and_a_genitive_before_a_head_word_is_not():
    from gaps.taxonomy.text import analyze

    def qualifiers(title):
        analysis = analyze(normalize(title))
        return [w for w, q in zip(analysis.words, analysis.qualifier, strict=True) if q]

    # The dative place and its attributes qualify the job, as "в сельхозпредприятие" does.
    assert qualifiers("ауылшаруашылық кәсіпорнына тракторшы") == ["ауылшаруашылык", "касипорнына"]
    assert qualifiers("өндіріске орамашы") == ["ондириске"]
    assert qualifiers("мектепке күзетші") == ["мектепке"]
    # Russian nouns ending like a dative are objects, not places.
    assert qualifiers("плитка қалаушы") == []
    assert qualifiers("машина жуушы") == []
    # Before a head word (орынбасары, deputy) the genitive names whose deputy: the work.
    assert qualifiers("қаржы директорының орынбасары") == []
    assert qualifiers("мектеп директорының орынбасары") == ["мектеп"]  # a place word, as before
    # Before a job word it stays a place.
    assert qualifiers("сауда орталығының тазалаушысы") == ["сауда", "орталыгынын"]
    # A deputy says whose deputy, not which job: a generic word.
    for title in ("қаржы директорының орынбасары", "заместитель директора", "deputy finance director"):
        analysis = analyze(normalize(title))
        assert [w for w, g in zip(analysis.words, analysis.generic, strict=True) if g] in (["орынбасары"], ["заместитель"], ["deputy"])


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ауылшаруашылық кәсіпорнына тракторшы", "8341"),  # was 1120 through кәсіпорын директоры
        ("өндіріске орамашы", "9321"),  # was 1321 through өндіріс басшысы; орамашы a new label
        ("қаржы бөлімі бастығының орынбасары", "1211"),  # was 1112 through әкімнің орынбасары
        ("қаржы директорының орынбасары", "1211"),  # was 1345: a deputy is a generic word now
        ("мектеп директорының орынбасары", "1345"),  # stays
        ("заместитель министра", "1112"),  # stays: the label says it
        ("плитка қалаушы", "7122"),  # stays: плитка is not a dative
        ("зам. директора по финансам", "1211"),  # was 1321; label "директор по финансам"
        ("заведующая детсадом", "1341"),  # was 1412 through заведующая кафе
        ("蛋鸡饲养工", "6122"),  # was 6221 through 水产养殖工人; labels 蛋鸡/肉鸡养殖工
        ("жүк көтергіштің жүргізушісі", "8344"),  # was 8332; label жүк көтергіш жүргізушісі
        ("слесарь по ремонту с/х машин в сельхозпредприятие", "7233"),  # was 8341
        ("жол құрылысы инженері", "2142"),  # was 9312 through жол құрылысы жұмысшысы
        ("овощевод тепличного хозяйства", "6113"),  # was 6111; vegetables grown intensively
        ("қалып ағаш ұстасы", "7114"),  # formwork carpenter: "make forms for moulding concrete"
        ("inbound call center operator", "4222"),  # was 5244 through ESCO's "inbound call center agent"
        ("ceramic tile layer", "7122"),  # was 8181 through "ceramic tile production operator"
    ],
)
def test_sixth_round_titles_find_their_unit_group(taxonomy, typed, expected):
    assert search_occupations(typed)[0].code == expected


def test_the_sixth_round_labels_are_written_here_and_wait_for_a_second_reviewer(taxonomy):
    added = {
        ("ru", "директор по финансам"): "1211",
        ("ru", "заведующий детсадом"): "1341",
        ("ru", "слесарь по ремонту сельскохозяйственных машин"): "7233",
        ("zh", "蛋鸡养殖工"): "6122",
        ("kk", "жүк көтергіш жүргізушісі"): "8344",
        ("kk", "орамашы"): "9321",
        ("kk", "жол құрылысы инженері"): "2142",
        ("en", "inbound call centre agent"): "4222",
        ("en", "tile layer"): "7122",
    }
    import csv

    for (language, label), code in added.items():
        with (ROOT / "gaps" / "taxonomy" / "data" / f"labels_{language}.csv").open(encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r["label"] == label]
        assert [(r["isco08"], r["source"], r["review"]) for r in rows] == [(code, "TALENTGAP", "needs_second_reviewer")]
        # Loaded as a written label of that group (ESCO may carry the same words elsewhere).
        loaded = OccupationLabel.objects.filter(language=language, normalized=normalize(label), source="TALENTGAP")
        assert [row.occupation.code for row in loaded] == [code], label


def test_the_fifth_tuning_file_is_kazakh_and_chinese_heavy_and_fresh():
    """sample_tuning5.csv (issue 15, fifth round): at least 200 titles, most of them kk and zh, written
    before that round's changes; none normalizes like a title of another sample file."""
    bench = _accuracy_module()
    fifth = bench.read_sample("tuning5")
    codes = {code for code, level in _isco_levels().items() if level == "4"}
    assert len(fifth) >= 200
    assert all(r["expected_isco"] in codes for r in fifth)
    by_language = {lang: sum(r["language"] == lang for r in fifth) for lang in ("en", "ru", "zh", "kk")}
    assert by_language["zh"] >= 100 and by_language["kk"] >= 60 and by_language["ru"] >= 30
    assert by_language["zh"] + by_language["kk"] > 2 * (by_language["ru"] + by_language["en"])
    titles = [normalize(r["title"]) for r in fifth]
    assert len(set(titles)) == len(titles)
    others = {
        normalize(r["title"])
        for part in ("holdout", "holdout2", *(p for p in bench.TUNING_FILES_ALONE if p != "tuning5"))
        for r in bench.read_sample(part)
    }
    others |= {normalize(r["title"]) for r in bench.read_sample("tuning")[:782]}  # sample_tuning.csv
    assert not others & set(titles)
    assert bench.PARTS["tuning5"][0] in bench.PARTS["tuning"]


def test_the_sixth_tuning_file_covers_every_language_and_major_group_and_is_fresh():
    """sample_tuning6.csv (issue 15, sixth round): written blind before that round's changes, at
    least 60 titles a language with all ten major groups, weighted to major groups 5-9; none twice
    and none normalizing like a title of another sample file (the hold-outs included)."""
    bench = _accuracy_module()
    sixth = bench.read_sample("tuning6")
    codes = {code for code, level in _isco_levels().items() if level == "4"}
    assert len(sixth) >= 240
    assert all(r["expected_isco"] in codes for r in sixth)
    for language in ("en", "ru", "zh", "kk"):
        rows = [r for r in sixth if r["language"] == language]
        assert len(rows) >= 60, language
        assert {r["expected_isco"][0] for r in rows} == set("0123456789"), language
    assert sum(r["expected_isco"][0] in "56789" for r in sixth) > 0.6 * len(sixth)
    titles = [normalize(r["title"]) for r in sixth]
    assert len(set(titles)) == len(titles)
    others = {
        normalize(r["title"])
        for part in (*bench.HOLDOUTS, *(p for p in bench.TUNING_FILES_ALONE if p != "tuning6"))
        for r in bench.read_sample(part)
    }
    others |= {normalize(r["title"]) for r in bench.read_sample("tuning")[:782]}  # sample_tuning.csv
    assert not others & set(titles)
    assert bench.PARTS["tuning6"][0] in bench.PARTS["tuning"]
    assert "tuning6" in bench.TUNING_FILES_ALONE
