"""import_regions and import_rates: upserts, validation, idempotence, commands."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from core.imports.errors import ImportRejected
from gaps.importers import ExchangeRateImporter, RegionImporter
from gaps.models import ExchangeRate, Region

from .conftest import csv_bytes, make_file, run

pytestmark = pytest.mark.django_db

REGION_HEADER = ["region_code", "country", "name_en", "name_ru", "name_zh", "name_kk", "kind"]
REGIONS = [
    REGION_HEADER,
    ["KZ-VOS", "kz", "East Kazakhstan Region", "Восточно-Казахстанская область", "东哈萨克斯坦州", "Шығыс Қазақстан облысы", "oblast"],
    ["CN-HRG", "CN", "Horgos", "Хоргос", "霍尔果斯", "Қорғас", "City"],
]


def rejected(importer, data, filename="upload.csv"):
    with pytest.raises(ImportRejected) as info:
        run(importer, data, filename)
    return [(p.row, p.column, p.message) for p in info.value.problems]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_regions_are_created_in_every_script(kind):
    data, name = make_file(kind, REGIONS)
    result = run(RegionImporter(), data, name)
    assert result["created"] == {"regions": 2}
    east = Region.objects.get(code="KZ-VOS")
    assert (east.country, east.name_zh, east.name_kk, east.kind) == ("KZ", "东哈萨克斯坦州", "Шығыс Қазақстан облысы", "oblast")
    assert Region.objects.get(code="CN-HRG").kind == "city"


def test_regions_upsert_by_code_and_a_second_import_changes_nothing():
    run(RegionImporter(), csv_bytes(REGIONS))
    again = run(RegionImporter(), csv_bytes(REGIONS))
    assert again["created"] == {"regions": 0} and again["updated"] == {"regions": 0} and again["unchanged"] == {"regions": 2}
    history_rows = Region.history.count()
    renamed = [REGION_HEADER[:3] + ["kind"], ["KZ-VOS", "KZ", "East Kazakhstan", "oblast"]]
    result = run(RegionImporter(), csv_bytes(renamed))
    assert result["updated"] == {"regions": 1}
    east = Region.objects.get(code="KZ-VOS")
    # Columns not in the file are left alone.
    assert east.name_en == "East Kazakhstan" and east.name_ru == "Восточно-Казахстанская область"
    assert Region.history.count() == history_rows + 1


def test_region_errors_are_all_listed():
    rows = [
        REGION_HEADER,
        ["KZ-VOS", "KAZ", "East", "", "", "", "oblast"],
        ["KZ VOS", "KZ", "East", "", "", "", "oblast"],
        ["KZ-ALM", "KZ", "", "", "", "", "province"],
        ["KZ-ALM", "KZ", "Almaty", "", "", "", "oblast"],
    ]
    problems = rejected(RegionImporter(), csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems] == [
        (2, "country"), (3, "region_code"), (4, "name_en"), (4, "kind"), (5, "region_code"),
    ]
    assert "Duplicate of row 4" in problems[-1][2]
    assert Region.objects.count() == 0


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_rates_upsert_by_currency_and_date(kind):
    ExchangeRate.objects.create(currency="KZT", date=dt.date(2026, 7, 1), rate_to_cny=Decimal("0.0150"))
    ExchangeRate.objects.create(currency="USD", date=dt.date(2026, 7, 1), rate_to_cny=Decimal("7.1"))
    rows = [["currency", "date", "rate_to_cny"], ["kzt", "2026-07-01", "0.0152"], ["USD", "2026-07-01", "7.10"],
            ["RUB", "2026-07-01", "0.081234567891"]]
    data, name = make_file(kind, rows)
    result = run(ExchangeRateImporter(), data, name)
    assert result["created"] == {"exchange rates": 1}
    assert result["updated"] == {"exchange rates": 1} and result["unchanged"] == {"exchange rates": 1}
    assert ExchangeRate.objects.get(currency="KZT").rate_to_cny == Decimal("0.0152")
    assert ExchangeRate.objects.get(currency="RUB").rate_to_cny == Decimal("0.08123457")  # 8 places kept


def test_rate_errors_are_all_listed():
    rows = [
        ["currency", "date", "rate_to_cny"],
        ["KZT", "2026-07-01", "0"],
        ["KZT", "2026-02-30", "0.015"],
        ["XYZ", "2026-07-02", "0.015"],
        ["USD", "2026-07-01", "-7"],
        ["USD", "2026-07-03", "0.000000001"],  # rounds to 0 at 8 places
        ["EUR", "2026-07-01", "1e3"],
        ["EUR", "2026-07-02", ""],
    ]
    problems = rejected(ExchangeRateImporter(), csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems] == [
        (2, "rate_to_cny"), (3, "date"), (4, "currency"), (5, "rate_to_cny"), (6, "rate_to_cny"),
        (7, "rate_to_cny"), (8, "rate_to_cny"),
    ]
    assert ExchangeRate.objects.count() == 0


def test_duplicate_rates_in_one_file_are_an_error():
    rows = [["currency", "date", "rate_to_cny"], ["KZT", "2026-07-01", "0.015"], ["KZT", "2026-07-01", "0.016"]]
    problems = rejected(ExchangeRateImporter(), csv_bytes(rows))
    assert problems == [(3, "currency", problems[0][2])] and "row 2" in problems[0][2]


def test_import_regions_and_import_rates_commands(tmp_path):
    regions = tmp_path / "regions.csv"
    regions.write_bytes(csv_bytes(REGIONS, bom=True))
    out = io.StringIO()
    call_command("import_regions", str(regions), stdout=out)
    assert out.getvalue().strip() == "regions.csv: 2 regions created, 0 regions updated, 0 regions unchanged"
    rates = tmp_path / "rates.csv"
    rates.write_bytes(csv_bytes([["currency", "date", "rate_to_cny"], ["KZT", "2026-07-01", "abc"]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_rates", str(rates), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("row 2, column rate_to_cny: 'abc' is not a number")


def test_an_import_summary_reads_in_russian_and_chinese():
    """The counted nouns are translated with their plural forms (issue 14): not "2 regions created" in ru/zh."""
    from django.utils import translation

    importer = RegionImporter()
    result = run(importer, csv_bytes(REGIONS))
    with translation.override("ru"):
        assert importer.describe(result) == "создано: 2 региона, обновлено: 0 регионов, без изменений: 0 регионов"
        assert importer.describe(run(RegionImporter(), csv_bytes(REGIONS))).endswith("без изменений: 2 региона")
        counts = {"created": {"programs": 1, "cohorts": 5}, "updated": {"colleges": 21}, "unchanged": {"exchange rates": 3}}
        assert importer.describe(counts) == (
            "создано: 1 программа, создано: 5 наборов, обновлено: 21 колледж, без изменений: 3 курса валют"
        )
        assert importer.describe({"created": {"lines": 1234}, "updated": {}, "unchanged": {}}) == "создано: 1\u00a0234 строки"
    with translation.override("zh-hans"):
        assert importer.describe(result) == "已创建 2 个地区, 已更新 0 个地区, 未变 0 个地区"
        assert importer.describe({"created": {"colleges": 1}, "updated": {"programs": 4}, "unchanged": {}}) == (
            "已创建 1 所院校, 已更新 4 个培训项目"
        )
    with translation.override("kk"):
        assert importer.describe(result).startswith("2 өңір құрылды, 0 өңір жаңартылды")
    with translation.override("en"):
        assert importer.describe(result) == "2 regions created, 0 regions updated, 0 regions unchanged"
