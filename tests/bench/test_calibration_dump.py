"""bench/calibration_dump.py: the query's script is read as the calibration analysis reads it, and a
hold-out file is refused before any title of it is searched (their per-title results are not to be read)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.calibration_dump import dump, query_script  # noqa: E402


@pytest.mark.parametrize(
    ("title", "script"),
    [
        ("小学教师", "han"),
        ("сатушы", "ru"),  # no Kazakh letter: Cyrillic read as Russian
        ("аспазшы-қазаншы", "kk"),
        ("оператор колл-центра", "ru"),
        ("nurse", "latin"),
        ("оператор ЧПУ CNC", "ru"),
    ],
)
def test_query_script(title, script):
    assert query_script(title) == script


def test_a_hold_out_file_is_refused(tmp_path):
    holdout = tmp_path / "sample_holdout9_zh.csv"
    holdout.write_text("title,language,expected_isco\n厨师,zh,5120\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="hold-out"):
        dump([holdout])
