"""The sample files' bench module and the ISCO-08 unit groups, for the tests that check sample files."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bench():
    """bench/search_accuracy.py as a module (its PARTS, HOLDOUTS and read_sample)."""
    spec = importlib.util.spec_from_file_location("search_accuracy", ROOT / "bench" / "search_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unit_groups() -> set[str]:
    with (ROOT / "gaps" / "taxonomy" / "data" / "isco08.csv").open(encoding="utf-8") as fh:
        return {row["code"] for row in csv.DictReader(fh) if row["level"] == "4"}
