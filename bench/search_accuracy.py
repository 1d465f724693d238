#!/usr/bin/env python
"""Top-1 / top-3 accuracy of the occupation title search on the labelled sample, per language.

    DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python bench/search_accuracy.py [--load] [--misses] [--calibrate]
                                                                        [--file gaps/taxonomy/data/eval_titles_holdout.csv]

Reads gaps/taxonomy/data/eval_titles.csv (title, language, expected_isco): titles written apart
from the labels, the way officials type them (other wordings, typos, word orders, inflections).
Searches run as imports run them: without a language hint. Uses the database of the settings
(SQLite by default); `--load` runs load_taxonomy first. Also prints how code_title's confidence
behaves at OCCUPATION_CODING_THRESHOLD (coded share, precision of what is coded), a calibration
table, and the time per query. `--calibrate` fits the logistic curve behind code_title's
confidence (gaps.search.CONFIDENCE_WEIGHTS) on the sample and prints the weights.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

EVAL_FILE = ROOT / "gaps" / "taxonomy" / "data" / "eval_titles.csv"
LANGUAGES = ("en", "ru", "zh", "kk")


def read_sample(path: Path = EVAL_FILE) -> list[dict]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def evaluate(rows: list[dict]) -> dict:
    """Per-language counts plus, per title, (best score, runner-up score, right?) for calibration."""
    from gaps.search import search_occupations

    stats = {lang: {"n": 0, "top1": 0, "top3": 0} for lang in LANGUAGES}
    points, misses = [], []
    for row in rows:
        matches = search_occupations(row["title"], limit=3)
        codes = [m.code for m in matches]
        s = stats[row["language"]]
        s["n"] += 1
        s["top1"] += bool(codes) and codes[0] == row["expected_isco"]
        s["top3"] += row["expected_isco"] in codes
        best = matches[0].score if matches else 0.0
        runner_up = matches[1].score if len(matches) > 1 else 0.0
        points.append((best, runner_up, bool(codes) and codes[0] == row["expected_isco"]))
        if not codes or codes[0] != row["expected_isco"]:
            misses.append((row, matches))
    return {"stats": stats, "points": points, "misses": misses}


def accuracy_by_language(rows: list[dict] | None = None) -> dict[str, tuple[float, float]]:
    """{language: (top-1, top-3)}; used by the regression test in tests/taxonomy/."""
    result = evaluate(rows or read_sample())["stats"]
    return {lang: (s["top1"] / s["n"], s["top3"] / s["n"]) for lang, s in result.items() if s["n"]}


def gibberish_points(n_per_script: int = 40, seed: int = 7) -> list[tuple[float, float, bool]]:
    """Scores of random strings in each script: titles with no right answer, which must not be coded.

    The labelled sample only holds real titles, so without these the fit never sees what "matches
    nothing" looks like and would code noise.
    """
    import random

    from gaps.search import search_occupations

    rng = random.Random(seed)
    alphabets = ["abcdefghijklmnopqrstuvwxyz", "абвгдежзиклмнопрстуфхцшыэюя", "的一是在不了有和人这中大为上个国我以要他时来用们"]
    points = []
    for alphabet in alphabets:
        for _ in range(n_per_script):
            words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(3, 9))) for _ in range(rng.randint(1, 3))]
            sep = "" if alphabet[0] == "的" else " "
            matches = search_occupations(sep.join(words), limit=2)
            best = matches[0].score if matches else 0.0
            points.append((best, matches[1].score if len(matches) > 1 else 0.0, False))
    return points


def fit_confidence(points: list[tuple[float, float, bool]]) -> tuple[float, float, float]:
    """Logistic regression of 'top-1 is right' on (score, margin), by plain gradient descent."""
    import numpy as np

    points = points + gibberish_points()
    x = np.array([[p[0], p[0] - p[1], 1.0] for p in points])
    y = np.array([1.0 if p[2] else 0.0 for p in points])
    w = np.zeros(3)
    for _ in range(20000):
        pred = 1 / (1 + np.exp(-x @ w))
        # A little L2 keeps the weights sane on a sample of ~200 titles.
        w -= 0.5 * (x.T @ (pred - y) / len(y) + 0.001 * np.r_[w[:2], 0])
    return tuple(round(float(v), 2) for v in w)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", action="store_true", help="run load_taxonomy first")
    parser.add_argument(
        "--file", type=Path, default=EVAL_FILE,
        help="labelled titles (default: eval_titles.csv; eval_titles_holdout.csv was written after the "
        "search was tuned on the default sample and never used for tuning)",
    )
    parser.add_argument("--misses", action="store_true", help="list the titles whose top-1 is wrong")
    parser.add_argument("--calibrate", action="store_true", help="fit and print CONFIDENCE_WEIGHTS")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from gaps.search import search_occupations, title_confidence

    if args.load:
        call_command("migrate", verbosity=0)
        call_command("load_taxonomy")
    rows = read_sample(args.file)
    search_occupations("warm up")  # builds the index; its one-off cost is not a query's
    started = time.perf_counter()
    result = evaluate(rows)
    per_query_ms = (time.perf_counter() - started) * 1000 / max(len(rows), 1)

    print(f"Occupation title search on {len(rows)} labelled titles ({args.file.name}), no language hint:")
    print(f"{'language':<10}{'titles':>8}{'top-1':>9}{'top-3':>9}")
    for lang in LANGUAGES:
        s = result["stats"][lang]
        if s["n"]:
            print(f"{lang:<10}{s['n']:>8}{s['top1'] / s['n']:>9.1%}{s['top3'] / s['n']:>9.1%}")
    total = {k: sum(s[k] for s in result["stats"].values()) for k in ("n", "top1", "top3")}
    print(f"{'all':<10}{total['n']:>8}{total['top1'] / total['n']:>9.1%}{total['top3'] / total['n']:>9.1%}")
    print(f"Time per query after warm-up: {per_query_ms:.1f} ms")

    threshold = settings.OCCUPATION_CODING_THRESHOLD
    confidences = [(title_confidence(best, second), right) for best, second, right in result["points"]]
    coded = [right for conf, right in confidences if conf >= threshold]
    print(
        f"code_title at threshold {threshold}: {len(coded) / len(confidences):.1%} of titles coded, "
        f"{(sum(coded) / len(coded)) if coded else 0:.1%} of those right; the rest stored UNCODED."
    )
    print("Calibration (confidence band: titles, share right):")
    bands = defaultdict(list)
    for conf, right in confidences:
        bands[min(int(conf * 5), 4)].append(right)
    for band in sorted(bands):
        values = bands[band]
        print(f"  {band / 5:.1f}-{(band + 1) / 5:.1f}: {len(values):>4}  {sum(values) / len(values):.0%}")
    noise = gibberish_points()
    noise_coded = sum(title_confidence(best, second) >= threshold for best, second, _ in noise)
    print(f"Random strings coded at the threshold: {noise_coded} of {len(noise)}")
    if args.calibrate:
        print("Fitted CONFIDENCE_WEIGHTS (similarity, margin, intercept):", fit_confidence(result["points"]))
    if args.misses:
        print("Top-1 misses:")
        for row, matches in result["misses"]:
            got = ", ".join(f"{m.code} {m.score:.2f} ({m.matched_label})" for m in matches[:3]) or "nothing"
            print(f"  [{row['language']}] {row['title']!r} expected {row['expected_isco']}: {got}")


if __name__ == "__main__":
    main()
