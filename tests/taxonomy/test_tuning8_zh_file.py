"""The eighth round of issue 15, Chinese: one tuning file of qualified zh titles, written blind (from
isco08.csv and the ILO definitions, before its writer read the labels, the search code or any other
sample file's titles) and committed before the round's changes. The rules its misses changed are
tested beside it (test_tuning8_zh.py)."""

from __future__ import annotations

import csv

from gaps.taxonomy.text import normalize

from .samples import bench as _bench
from .samples import unit_groups as _unit_groups


def test_eighth_round_zh_file_covers_every_major_group_and_is_fresh():
    """At least 250 zh titles, all ten major groups, more than 60 % in major groups 5-9; none twice and
    none normalizing like a title of any other sample file (the hold-outs and every other language's
    files included); in the tuning part and alone as part tuning8_zh."""
    bench = _bench()
    own = bench.PARTS["tuning8_zh"][0].resolve()
    rows = bench.read_sample("tuning8_zh")
    assert len(rows) >= 250
    assert {r["language"] for r in rows} == {"zh"}
    assert all(r["expected_isco"] in _unit_groups() for r in rows)
    assert {r["expected_isco"][0] for r in rows} == set("0123456789")
    assert sum(r["expected_isco"][0] in "56789" for r in rows) > 0.6 * len(rows)
    titles = [normalize(r["title"]) for r in rows]
    assert len(set(titles)) == len(titles)
    other_files = {p.resolve() for part in bench.PARTS.values() for p in part} - {own}
    assert len(other_files) >= 17  # six tuning files, four seventh-round ones, seven hold-out files
    others = set()
    for path in other_files:
        with path.open(encoding="utf-8", newline="") as fh:
            others |= {normalize(r["title"]) for r in csv.DictReader(fh)}
    assert not others & set(titles)
    assert own in {p.resolve() for p in bench.PARTS["tuning"]}
