#!/usr/bin/env python
"""How much of a quarter's results a region's resubmission changes: the ground for a re-match in place.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/talentgap_bench \\
        .venv/bin/python bench/rematch_delta.py [--quarter 2026Q3] [--region CODE] [--change-share 0.10] [--add-lines 2]

Reads the quarter's input once (gaps.matching.fetch), matches it in memory (gaps.matching.engine, no
writes), changes one region's report as bench/match_quarter.py's resubmission does (`--change-share`
of its lines get a new headcount, `--add-lines` copies of its lines are added, seed 7), matches again,
and counts the line outcomes, flags, recommendations and gaps that differ between the two (compared
by content, `detail` aside). A re-match in place (issue 16) has to compute and write only these; a run
that rewrites everything writes all of them. Writes nothing to the database.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _key(row) -> tuple:
    values = dict(row.__dict__) if hasattr(row, "__dict__") else dataclasses.asdict(row)
    values.pop("detail", None)
    return tuple(sorted((k, repr(v)) for k, v in values.items()))


def _diff(name: str, before, after) -> tuple[Counter, Counter]:
    a, b = Counter(before), Counter(after)
    gone, new = a - b, b - a
    print(f"{name}: {sum(a.values()):,} before, {sum(b.values()):,} after; {sum(gone.values()):,} gone, "
          f"{sum(new.values()):,} new")
    return gone, new


def _kinds(rows) -> str:
    counts = Counter(dict(row)["kind"].strip("'") for row in rows)
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "none"


def resubmitted(inp, region: str, *, change_share: float, add_lines: int, seed: int = 7):
    """The input after `region` resubmitted its report as bench/match_quarter.py's `resubmit` does."""
    rng = random.Random(seed)
    lines = sorted((l for l in inp.lines if l.region_code == region), key=lambda l: (l.line_no, l.id))
    others = [l for l in inp.lines if l.region_code != region]
    changed = {l.id for l in rng.sample(lines, round(len(lines) * change_share))}
    new = [dataclasses.replace(l, headcount=max(1, min(100_000, l.headcount + rng.choice([-1, 1])
                                                          * rng.randint(1, max(1, l.headcount // 2)))))
           if l.id in changed else l for l in lines]
    last, top = max(l.line_no for l in lines), max(l.id for l in inp.lines)
    for k, line in enumerate(rng.sample(lines, min(add_lines, len(lines))), start=1):
        new.append(dataclasses.replace(line, id=top + k, line_no=last + k, headcount=rng.randint(1, 50)))
    return dataclasses.replace(inp, lines=type(inp.lines)(others + new)), len(new), len(changed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", default="2026Q3")
    parser.add_argument("--region", help="default: the median region by line count")
    parser.add_argument("--change-share", type=float, default=0.10)
    parser.add_argument("--add-lines", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/talentgap_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from match_quarter import median_region

    from gaps.matching import engine, fetch

    started = time.perf_counter()
    inp = fetch.fetch_quarter_input(args.quarter)
    print(f"input: {len(inp.lines):,} lines, {len(inp.cohorts):,} cohorts ({time.perf_counter() - started:.1f} s)")
    region = args.region or median_region(args.quarter)
    started = time.perf_counter()
    before = engine.match_quarter(inp)
    print(f"full match in memory: {time.perf_counter() - started:.1f} s")
    changed_input, n_lines, n_changed = resubmitted(inp, region, change_share=args.change_share, add_lines=args.add_lines)
    started = time.perf_counter()
    after = engine.match_quarter(changed_input)
    print(f"{region} resubmitted {n_lines} lines ({n_changed} with a new headcount, {args.add_lines} added); "
          f"matched again in memory: {time.perf_counter() - started:.1f} s")
    gone, new = _diff("line outcomes", [(i, o.covered, o.shortfall) for i, o in before.outcomes.items()],
                      [(i, o.covered, o.shortfall) for i, o in after.outcomes.items()])
    region_ids = {l.id for l in changed_input.lines if l.region_code == region}
    moved = {row[0] for row in gone} | {row[0] for row in new}
    print(f"  lines whose outcome changed: {len(moved):,}, of them in {region}: {len(moved & region_ids):,}")
    gone, new = _diff("flags", map(_key, before.flags), map(_key, after.flags))
    print(f"  gone: {_kinds(gone)}; new: {_kinds(new)}")
    gone, new = _diff("recommendations", map(_key, before.recommendations), map(_key, after.recommendations))
    print(f"  gone: {_kinds(gone)}; new: {_kinds(new)}")
    _diff("gaps", map(_key, before.gaps), map(_key, after.gaps))


if __name__ == "__main__":
    main()
