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


def check_round_file(part: str, language: str, *, at_least: int, other_files_at_least: int) -> Path:
    """A tuning round's file of one language (bench part `part`, one file): at least `at_least` titles of
    that language, every expected code a unit group, all ten major groups, more than 60 % in major
    groups 5-9; none twice and none normalizing like a title of any other sample file, in any language
    (every part's files and every `sample_*.csv` beside it, the hold-outs included); in the tuning part.
    Returns the file's path."""
    from gaps.taxonomy.text import normalize

    module = bench()
    (own,) = (p.resolve() for p in module.PARTS[part])
    rows = module.read_sample(part)
    assert len(rows) >= at_least
    assert {r["language"] for r in rows} == {language}
    assert all(r["expected_isco"] in unit_groups() for r in rows)
    assert {r["expected_isco"][0] for r in rows} == set("0123456789")
    assert sum(r["expected_isco"][0] in "56789" for r in rows) > 0.6 * len(rows)
    titles = [normalize(r["title"]) for r in rows]
    assert len(set(titles)) == len(titles)
    other_files = {p.resolve() for paths in module.PARTS.values() for p in paths} - {own}
    other_files |= {p.resolve() for p in own.parent.glob("sample_*.csv")} - {own}
    assert len(other_files) >= other_files_at_least
    others = set()
    for path in other_files:
        with path.open(encoding="utf-8", newline="") as fh:
            others |= {normalize(r["title"]) for r in csv.DictReader(fh)}
    assert not others & set(titles)
    assert own in {p.resolve() for p in module.PARTS["tuning"]}
    return own
