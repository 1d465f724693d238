"""Multilingual occupation title search.

Interface used by imports and the API:

    search_occupations(query, *, language=None, limit=10) -> list[OccupationMatch]
    code_title(title) -> tuple[str | None, float]   # (unit group code or None, confidence 0..1)

How it works: every OccupationLabel of a unit group (en/ru/zh/kk, ~36,000 rows) becomes a TF-IDF
vector of character features (CJK character uni/bigrams; words and their boundary trigrams for
alphabetic scripts, see gaps.taxonomy.text). A query is scored against every label by cosine
similarity, and a unit group scores what its best label scores. The index lives in process memory,
so PostgreSQL and SQLite rank identically; it is built on first use (1-2 s) and rebuilt when the
labels' fingerprint (row count and highest id) changes, which load_taxonomy guarantees on any change
(the highest id is checked on every call, the count at most once a second).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Count, Max
from scipy import sparse

from gaps.taxonomy.text import features, normalize, script_of

# Calibration of code_title's confidence: a logistic curve over the best label's cosine similarity
# and its margin over the runner-up unit group, fitted on gaps/taxonomy/data/eval_titles.csv
# (bench/search_accuracy.py --calibrate prints the fit), so that a confidence of 0.7 means about
# 70% of titles coded at that confidence are coded right.
CONFIDENCE_WEIGHTS = (5.4, 6.6, -3.0)  # (similarity, margin, intercept)
MAX_CONFIDENCE = 0.99
# How much a unit group's second-best label adds to its score, and how many leading groups get
# that second look.
SECOND_LABEL_WEIGHT = 0.05
RERANK_CANDIDATES = 20
# The labels' row count costs a scan of ~36,000 rows (a few ms on PostgreSQL), so a process
# counts at most this often; load_taxonomy drops its own process's index at once (invalidate_index).
INDEX_RECHECK_SECONDS = 1.0
# A typed title longer than this is not a job title; only its start is compared.
MAX_QUERY_CHARS = 200
# Distinct titles remembered by code_title; a 10,000-line import has far fewer.
CODE_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class OccupationMatch:
    code: str
    title_en: str
    score: float  # 0..1, comparable across queries
    matched_label: str
    language: str


class _Index:
    """Label vectors (rows sorted by occupation) and what is needed to rank unit groups over them."""

    def __init__(self, fingerprint: tuple, rows: list[tuple[str, str, str, str]], titles: dict[str, str]):
        self.fingerprint = fingerprint
        self.titles = titles
        self.codes: list[str] = []
        self.label_text = [r[2] for r in rows]
        self.label_lang = np.array([r[1] for r in rows], dtype=object)
        starts, occupation_of = [], np.empty(len(rows), dtype=np.int32)
        vocab: dict[str, int] = {}
        indptr, indices, values = [0], [], []
        for i, (code, _lang, _label, norm) in enumerate(rows):
            if not self.codes or self.codes[-1] != code:
                self.codes.append(code)
                starts.append(i)
            occupation_of[i] = len(self.codes) - 1
            for feat, weight in features(norm).items():
                indices.append(vocab.setdefault(feat, len(vocab)))
                values.append(weight)
            indptr.append(len(indices))
        self.vocab = vocab
        self.starts = np.array(starts, dtype=np.int64)
        self.occupation_of = occupation_of
        matrix = sparse.csr_matrix(
            (np.array(values, dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
            shape=(len(rows), len(vocab)),
        )
        # Smoothed inverse document frequency: a feature in every label ("оператор", "worker", 工)
        # says little about which occupation is meant. Counted within the feature's script, since
        # English has ~34,000 labels and Kazakh a few hundred: against all labels every Kazakh
        # word would look rare, "жұмысшысы" (worker) included.
        df = np.bincount(matrix.indices, minlength=len(vocab)).astype(np.float32)
        scripts = np.array([script_of(norm) for _c, _l, _t, norm in rows] or ["latn"])
        per_script = {s: int((scripts == s).sum()) for s in ("latn", "cyrl", "zh")}
        feature_script = np.empty(len(vocab), dtype=object)
        for feat, col in vocab.items():
            feature_script[col] = script_of(feat)
        n_docs = np.array([max(per_script[s], 1) for s in feature_script], dtype=np.float32)
        self.idf = np.log((n_docs + 1) / (df + 1)) + 1.0
        self.max_idf = float(self.idf.max()) if len(vocab) else 1.0
        matrix = matrix.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self.matrix = sparse.csc_matrix(sparse.diags(1.0 / norms) @ matrix, dtype=np.float32)

    def label_scores(self, query_norm: str) -> np.ndarray | None:
        cols, weights, squared = [], [], 0.0
        for feat, weight in features(query_norm).items():
            col = self.vocab.get(feat)
            # Unknown features still count in the query's norm (at the rarest feature's weight):
            # a title with words no label has is a weaker match than one whose every word is known.
            weighted = weight * (self.idf[col] if col is not None else self.max_idf)
            squared += weighted * weighted
            if col is not None:
                cols.append(col)
                weights.append(weighted)
        if not cols:
            return None
        q = np.array(weights, dtype=np.float32) / math.sqrt(squared)
        return np.asarray(self.matrix[:, cols] @ q).ravel()


_lock = threading.Lock()
_index: _Index | None = None
_code_cache: dict[str, tuple[str | None, float]] = {}
_checked_at = 0.0


def _fingerprint() -> tuple:
    from gaps.models import OccupationLabel

    agg = OccupationLabel.objects.aggregate(n=Count("id"), top=Max("id"))
    return (agg["n"], agg["top"])


def _highest_id():
    from gaps.models import OccupationLabel

    return OccupationLabel.objects.aggregate(top=Max("id"))["top"]


def _get_index() -> _Index:
    global _index, _checked_at
    index = _index
    now = time.monotonic()
    # The highest id is read from the primary key's index (well under a millisecond) on every
    # call: any insert moves it, and since sequences never go back, so does a rolled-back one.
    # The row count, which catches pure deletions, costs a scan and is read once a second.
    if index is not None and now - _checked_at < INDEX_RECHECK_SECONDS and index.fingerprint[1] == _highest_id():
        return index
    fingerprint = _fingerprint()
    _checked_at = now
    if index is not None and index.fingerprint == fingerprint:
        return index
    with _lock:
        if _index is not None and _index.fingerprint == fingerprint:
            return _index
        from gaps.models import Occupation, OccupationLabel

        rows = list(
            OccupationLabel.objects.filter(occupation__level=4)
            .order_by("occupation_id", "-is_preferred", "id")
            .values_list("occupation_id", "language", "label", "normalized")
        )
        titles = dict(Occupation.objects.filter(level=4).values_list("code", "title_en"))
        _index = _Index(fingerprint, rows, titles)
        _code_cache.clear()
        return _index


def invalidate_index() -> None:
    """Drop this process's index; other processes notice the labels' new fingerprint by themselves."""
    global _index
    with _lock:
        _index = None
        _code_cache.clear()


def _languages_for(language: str | None) -> set[str] | None:
    if not language:
        return None
    # Kazakh officials type Russian titles as often as Kazakh ones, and Kazakh labels cover fewer
    # occupations, so a Kazakh search also looks at Russian labels.
    return {"kk", "ru"} if language == "kk" else {language}


def _rank(query: str, language: str | None, limit: int) -> list[OccupationMatch]:
    norm = normalize((query or "")[:MAX_QUERY_CHARS])
    if not norm or limit <= 0:
        return []
    index = _get_index()
    if not index.codes:
        return []
    scores = index.label_scores(norm)
    if scores is None:
        return []
    allowed = _languages_for(language)
    if allowed is not None:
        scores = np.where(np.isin(index.label_lang, list(allowed)), scores, 0.0)
    best = np.maximum.reduceat(scores, index.starts)
    # A unit group scores its best label's similarity plus a little of its second best: when two
    # groups share a label ("baker" is an ESCO label of 3434 and 7512), the one that other labels
    # also support goes first. Only the leading candidates need the second look.
    candidates = np.argsort(-best, kind="stable")[: max(limit, RERANK_CANDIDATES)]
    ranked = []
    for occ in candidates:
        if best[occ] <= 0:
            break
        start = index.starts[occ]
        end = index.starts[occ + 1] if occ + 1 < len(index.starts) else len(scores)
        segment = scores[start:end]
        top_row = int(np.argmax(segment))
        second = float(np.partition(segment, -2)[-2]) if len(segment) > 1 else 0.0
        ranked.append((float(best[occ]) + SECOND_LABEL_WEIGHT * second, int(occ), start + top_row))
    ranked.sort(key=lambda item: -item[0])
    matches = []
    for score, occ, label_row in ranked[:limit]:
        code = index.codes[occ]
        matches.append(
            OccupationMatch(
                code=code,
                title_en=index.titles.get(code, ""),
                score=round(min(score, 1.0), 4),  # the bonus may push an exact match past 1
                matched_label=index.label_text[label_row],
                language=index.label_lang[label_row],
            )
        )
    return matches


def search_occupations(query: str, *, language: str | None = None, limit: int = 10) -> list[OccupationMatch]:
    """Unit groups ranked for a title typed in English, Russian, Chinese or Kazakh, best first.

    `language` narrows the labels compared (Kazakh includes Russian); scores are cosine similarities.
    """
    return _rank(query, language, limit)


def title_confidence(best: float, runner_up: float) -> float:
    """Calibrated probability that the best-scoring unit group is the right one."""
    if best <= 0:
        return 0.0
    a, b, c = CONFIDENCE_WEIGHTS
    # Capped: a sample of ~200 titles cannot support a claim of certainty.
    return min(round(1.0 / (1.0 + math.exp(-(a * best + b * (best - runner_up) + c))), 3), MAX_CONFIDENCE)


def code_title(title: str) -> tuple[str | None, float]:
    """The unit group a free-text title resolves to, or None below OCCUPATION_CODING_THRESHOLD.

    Results are cached per normalized title for the life of the index, so an import calls the
    search once per distinct title.
    """
    norm = normalize((title or "")[:MAX_QUERY_CHARS])
    if not norm:
        return None, 0.0
    _get_index()  # rebuilds (and clears the cache) if the labels changed
    cached = _code_cache.get(norm)
    if cached is None:
        top = _rank(norm, None, 2)
        if not top:
            cached = (None, 0.0)
        else:
            runner_up = top[1].score if len(top) > 1 else 0.0
            cached = (top[0].code, title_confidence(top[0].score, runner_up))
        if len(_code_cache) >= CODE_CACHE_SIZE:
            _code_cache.clear()
        _code_cache[norm] = cached
    code, confidence = cached
    if confidence < settings.OCCUPATION_CODING_THRESHOLD:
        return None, confidence
    return code, confidence
