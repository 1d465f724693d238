"""The fourth hold-out of issue 15: one file a language, written blind by an independent writer (from
isco08.csv and the ILO definitions alone), sharing no normalized title with any other sample file,
and never in the tuning part."""

from __future__ import annotations

import csv

import pytest

from gaps.taxonomy.text import normalize

from .samples import ROOT
from .samples import bench as _bench
from .samples import unit_groups as _unit_groups


@pytest.mark.parametrize("language", ["en", "ru", "zh", "kk"])
def test_each_fourth_hold_out_file_is_fresh_and_never_tuned_on(language):
    bench = _bench()
    own = (ROOT / "gaps" / "taxonomy" / "data" / f"sample_holdout4_{language}.csv").resolve()
    assert own in {p.resolve() for p in bench.PARTS["holdout4"]}
    assert "holdout4" in bench.HOLDOUTS
    assert all(own not in {p.resolve() for p in paths} for part, paths in bench.PARTS.items() if part != "holdout4")
    with own.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 110
    assert {r["language"] for r in rows} == {language}
    assert all(r["expected_isco"] in _unit_groups() for r in rows)
    assert {r["expected_isco"][0] for r in rows} == set("0123456789")
    titles = [normalize(r["title"]) for r in rows]
    assert len(set(titles)) == len(titles)
    others = set()
    for path in {p.resolve() for paths in bench.PARTS.values() for p in paths} - {own}:
        with path.open(encoding="utf-8", newline="") as fh:
            others |= {normalize(r["title"]) for r in csv.DictReader(fh)}
    assert not others & set(titles)
