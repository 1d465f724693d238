from __future__ import annotations

import csv
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from gaps.models import Occupation, OccupationLabel
from gaps.models.taxonomy import LabelSource
from gaps.taxonomy import loader
from gaps.taxonomy.loader import TaxonomyDataError, read_taxonomy, sync_taxonomy
from gaps.taxonomy.text import normalize

pytestmark = pytest.mark.django_db


def test_it_loads_the_619_groups_with_levels_and_parents():
    result = sync_taxonomy()

    assert result.occupations_created == 619
    counts = {level: Occupation.objects.filter(level=level).count() for level in (1, 2, 3, 4)}
    assert counts == {1: 10, 2: 43, 3: 130, 4: 436}
    assert Occupation.objects.filter(level=1, parent__isnull=False).count() == 0
    for occupation in Occupation.objects.filter(level__gt=1).select_related("parent"):
        assert occupation.parent.code == occupation.code[:-1]
        assert occupation.parent.level == occupation.level - 1
    harvester = Occupation.objects.get(code="8341")
    assert harvester.parent_id == "834"
    assert harvester.title_en == "Mobile Farm and Forestry Plant Operators"
    assert harvester.definition_en.startswith("Mobile farm and forestry plant operators drive")


def test_it_keeps_every_labels_source_and_covers_four_languages():
    sync_taxonomy()

    by_source = {
        (lang, src)
        for lang, src in OccupationLabel.objects.values_list("language", "source").distinct()
    }
    assert {("en", LabelSource.ILO), ("en", LabelSource.ESCO), ("ru", LabelSource.OKZ), ("zh", LabelSource.CN2022)} <= by_source
    assert {("ru", LabelSource.TALENTGAP), ("zh", LabelSource.TALENTGAP), ("kk", LabelSource.TALENTGAP)} <= by_source
    # Labels belong to unit groups only; each unit group has exactly one preferred English title.
    assert not OccupationLabel.objects.exclude(occupation__level=4).exists()
    assert OccupationLabel.objects.filter(language="en", is_preferred=True).count() == 436
    # CN-2022 names arrive through the crosswalk, with their source kept.
    cn = OccupationLabel.objects.get(occupation_id="8341", language="zh", label="农机驾驶操作员")
    assert cn.source == LabelSource.CN2022
    assert OccupationLabel.objects.get(occupation_id="7212", language="zh", label="焊工").source == LabelSource.CN2022
    assert OccupationLabel.objects.get(occupation_id="8341", language="kk", label="комбайнер").source == LabelSource.TALENTGAP


def test_it_writes_project_titles_and_repairs_truncated_russian_ones():
    sync_taxonomy()

    harvester = Occupation.objects.get(code="8341")
    assert harvester.title_zh == "农林机械操作员"
    assert harvester.title_kk
    # OKZ extract: "...оборудования и оборудования" (cut at a PDF line break).
    assert harvester.title_ru.endswith("оборудования для лесного хозяйства")
    # PDF-split words are joined: "гор нодобывающей" -> "горнодобывающей".
    assert "горнодобывающей" in Occupation.objects.get(code="9311").title_ru
    # The ISCO groups OKZ lacks under the same code get a written title.
    assert Occupation.objects.get(code="2513").title_ru
    repaired = OccupationLabel.objects.get(occupation_id="8341", language="ru", is_preferred=True)
    assert repaired.source == LabelSource.TALENTGAP
    untouched = OccupationLabel.objects.get(occupation_id="7212", language="ru", is_preferred=True)
    assert (untouched.label, untouched.source) == ("Сварщики и газорезчики", LabelSource.OKZ)
    # Every unit group the crosswalk maps has a Chinese title.
    with (loader.DATA_DIR / "cn2022_isco08_crosswalk.csv").open(encoding="utf-8") as fh:
        mapped = {row["isco08"] for row in csv.DictReader(fh)}
    assert not Occupation.objects.filter(code__in=mapped, title_zh="").exists()


def test_a_second_run_changes_nothing_and_a_drifted_row_is_put_back():
    sync_taxonomy()
    ids_before = set(OccupationLabel.objects.values_list("id", flat=True))

    again = sync_taxonomy()

    assert not again.changed
    assert set(OccupationLabel.objects.values_list("id", flat=True)) == ids_before

    Occupation.objects.filter(code="7212").update(title_en="Welders (edited)")
    OccupationLabel.objects.filter(occupation_id="8341", language="ru", label="комбайнер").delete()
    OccupationLabel.objects.create(occupation_id="8341", language="en", label="Stray label", normalized="stray label", source="ESCO")

    repaired = sync_taxonomy()

    assert (repaired.occupations_updated, repaired.labels_created, repaired.labels_deleted) == (1, 1, 1)
    assert Occupation.objects.get(code="7212").title_en == "Welders and Flame Cutters"
    assert OccupationLabel.objects.filter(occupation_id="8341", language="ru", label="комбайнер").exists()
    assert not OccupationLabel.objects.filter(label="Stray label").exists()


def test_the_command_prints_what_it_did():
    out = StringIO()
    call_command("load_taxonomy", stdout=out)
    assert "619 created" in out.getvalue()

    out = StringIO()
    call_command("load_taxonomy", stdout=out)
    assert "up to date" in out.getvalue()


def test_normalized_labels_are_unique_per_occupation_and_language():
    data = read_taxonomy()
    for (code, language, norm), (label, _source, _preferred) in data.labels.items():
        assert normalize(label)[:300] == norm
    assert len(data.labels) == len(set(data.labels))


def test_a_broken_data_file_is_reported_with_file_row_and_column(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    shutil.copytree(loader.DATA_DIR, data_dir)
    path = data_dir / "cn2022_isco08_crosswalk.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[3][2] = "9999"  # file row 4 (the header is row 1), column isco08
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    monkeypatch.setattr(loader, "DATA_DIR", data_dir)

    with pytest.raises(TaxonomyDataError, match=r"cn2022_isco08_crosswalk.csv row 4, column isco08: '9999'"):
        read_taxonomy()


@pytest.mark.parametrize(
    ("name", "column", "value", "message"),
    [
        ("labels_ru.csv", "source", "WIKIPEDIA", r"labels_ru.csv row 3, column source: 'WIKIPEDIA' is not one of"),
        ("labels_kk.csv", "review", "ok", r"labels_kk.csv row 3, column review: 'ok' is not one of"),
        ("titles_zh.csv", "review", "", r"titles_zh.csv row 3, column review: '' is not one of"),
        ("cn2022_isco08_crosswalk.csv", "review", "maybe", r"cn2022_isco08_crosswalk.csv row 3, column review"),
    ],
)
def test_every_project_row_names_its_source_and_review_status(tmp_path, monkeypatch, name, column, value, message):
    data_dir = tmp_path / "data"
    shutil.copytree(loader.DATA_DIR, data_dir)
    path = data_dir / name
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[1][column] = value  # file row 3
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setattr(loader, "DATA_DIR", data_dir)

    with pytest.raises(TaxonomyDataError, match=message):
        read_taxonomy()


def test_a_unit_group_has_one_title_a_language(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    shutil.copytree(loader.DATA_DIR, data_dir)
    path = data_dir / "titles_kk.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows.append(list(rows[1]))  # the first title again, as the last row
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    monkeypatch.setattr(loader, "DATA_DIR", data_dir)

    with pytest.raises(TaxonomyDataError, match=rf"titles_kk.csv row {len(rows)}, column code: {rows[1][0]} has a title already"):
        read_taxonomy()
