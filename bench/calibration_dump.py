#!/usr/bin/env python
"""Per-title confidence of code_title on sample files, for calibrating it out of sample.

    DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python bench/calibration_dump.py \
        --out /tmp/r9.csv gaps/taxonomy/data/sample_tuning9_zh.csv [...]

Writes one CSV row per title: the file, its language and expected code, the top code, its score
and the runner-up's, the confidence title_candidates gives and the parts it is made of (the
logistic curve alone, whether the exact-unique floor applied, whether the title was read with a
spelling correction or names no occupation), the best label (text, language, source), the script
of the query (han, kk = Cyrillic with a Kazakh letter, ru = other Cyrillic, latin) and whether the
top code is right.

Meant to be copied into a checkout of an older commit (a `git worktree add --detach`) and run
there, on the tuning files that commit added: that code had not been tuned on them, so its
confidences on them are out of sample, like a hold-out's (bench/README.md, "Auto-coding calibrated
out of sample"). It only calls functions every version since the seventh round has
(title_candidates, confidence_features, title_confidence, _exact_unique). Never run it on a
hold-out file: their per-title results are not to be read.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

_HAN = re.compile(r"[\u3400-\u9fff]")
_KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
FIELDS = (
    "file", "title", "language", "expected", "top", "right", "in_top3", "score", "runner_up",
    "confidence", "logistic", "exact_unique", "corrected", "no_occupation", "label", "label_language",
    "label_source", "script",
)


def query_script(title: str) -> str:
    """han, kk (Cyrillic with a Kazakh letter), ru (other Cyrillic) or latin."""
    if _HAN.search(title):
        return "han"
    if _KAZAKH_LETTERS.search(title):
        return "kk"
    return "ru" if _CYRILLIC.search(title) else "latin"


def dump(paths: list[Path]) -> list[dict]:
    from gaps import search

    rows = []
    for path in paths:
        if "holdout" in path.name:
            raise SystemExit(f"{path.name}: hold-out files are measured by search_accuracy.py only")
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                top, confidence = search.title_candidates(row["title"], limit=3)
                analysis = search._analyze_query(row["title"])
                best = top[0] if top else None
                rows.append({
                    "file": path.name,
                    "title": row["title"],
                    "language": row["language"],
                    "expected": row["expected_isco"],
                    "top": best.code if best else "",
                    "right": int(bool(best) and best.code == row["expected_isco"]),
                    "in_top3": int(row["expected_isco"] in [m.code for m in top]),
                    "score": best.score if best else 0.0,
                    "runner_up": top[1].score if len(top) > 1 else 0.0,
                    "confidence": confidence,
                    "logistic": search.title_confidence(search.confidence_features(top)),
                    "exact_unique": int(bool(top) and search._exact_unique(analysis, top)),
                    "corrected": int(bool(top) and search._get_index().corrected(analysis).corrected),
                    "no_occupation": int(analysis.names_no_occupation),
                    "label": best.matched_label if best else "",
                    "label_language": best.language if best else "",
                    "label_source": best.source if best else "",
                    "script": query_script(row["title"]),
                })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="CSV to write")
    parser.add_argument("files", nargs="+", type=Path, help="sample files (title, language, expected_isco)")
    args = parser.parse_args()

    import django

    django.setup()
    rows = dump(args.files)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} titles -> {args.out}")


if __name__ == "__main__":
    main()
