"""The seventh round of issue 15: one tuning file a language, each written blind (from isco08.csv and
the ILO definitions, before its writer read the labels or the search code) by a different writer, and
committed before that language's changes. The rules each file's misses changed are tested beside it
(test_tuning7_<lang>.py)."""

from __future__ import annotations

import csv

import pytest

from gaps.taxonomy.text import normalize

from .samples import bench as _bench
from .samples import unit_groups as _unit_groups


@pytest.mark.parametrize("language", ["en", "ru", "zh", "kk"])
def test_each_seventh_round_file_covers_every_major_group_and_is_fresh(language):
    """At least 150 titles of its language, all ten major groups, more than 60 % in major groups 5-9;
    none twice and none normalizing like a title of any other sample file (the hold-outs and the
    other languages' seventh-round files included: a loan word both a ru and a kk writer typed is
    counted once); in the tuning part."""
    bench = _bench()
    own = bench.PARTS[f"tuning7_{language}"][0].resolve()
    rows = bench.read_sample(f"tuning7_{language}")
    assert len(rows) >= 150
    assert {r["language"] for r in rows} == {language}
    assert all(r["expected_isco"] in _unit_groups() for r in rows)
    assert {r["expected_isco"][0] for r in rows} == set("0123456789")
    assert sum(r["expected_isco"][0] in "56789" for r in rows) > 0.6 * len(rows)
    titles = [normalize(r["title"]) for r in rows]
    assert len(set(titles)) == len(titles)
    other_files = {p.resolve() for part in bench.PARTS.values() for p in part} - {own}
    assert len(other_files) >= 12  # six tuning files, three seventh-round ones, three hold-outs
    others = set()
    for path in other_files:
        with path.open(encoding="utf-8", newline="") as fh:
            others |= {normalize(r["title"]) for r in csv.DictReader(fh)}
    assert not others & set(titles)
    assert own in {p.resolve() for p in bench.PARTS["tuning"]}
    assert own in {p.resolve() for p in bench.PARTS["tuning7"]}
