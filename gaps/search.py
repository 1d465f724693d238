"""Multilingual occupation title search.

Interface used by imports, the API and the pages:

    search_occupations(query, *, language=None, limit=10) -> list[OccupationMatch]
    code_title(title) -> tuple[str | None, float]   # (unit group code or None, confidence 0..1)

How it ranks: every OccupationLabel of a unit group (en/ru/zh/kk, ~36,000 rows) is analysed once
(gaps.taxonomy.text.analyze) into content words, light stems and features. A typed title is then
compared with every label in three tiers, and a label scores its best tier:

1. exact: the same words once function words, grade qualifiers ("6 разряда") and punctuation are
   gone (EXACT_SCORE);
2. near-exact: the same stems in any order ("грузовика водитель"), or the same once generic words
   ("жұмысшы", "worker", "оператор", 工人) are left out (NEAR_SCORE, CONTENT_SCORE; GENERIC_MISMATCH_SCORE
   when both have generic words and they differ: "рабочий X" typed, "мастер X" labelled);
3. similar: a blend of the cosine similarities of IDF-weighted word stems and of character
   n-grams (stem trigrams; CJK characters and pairs), scaled below the near-exact tier. Generic
   words and job-title suffixes count a quarter of a content word, and IDF is counted within a
   script, so that neither "оператор" nor 工 nor the -ші/-шы ending decides a ranking.

A label's score is weighted by its source (ILO titles and examples, OKZ and the project's own
labels over ESCO's many near-synonyms), a unit group scores its best label plus a little of its
second best, and groups under MIN_SCORE or far under the best (RELATIVE_FLOOR) are not returned:
fewer results rather than unrelated ones.

The index lives in process memory, so PostgreSQL and SQLite rank identically. Building it takes a
few seconds, so it is kept prebuilt in OCCUPATION_INDEX_DIR under the SHA-256 of the labels' content
and of this code: a process reads the labels, hashes them and loads the file (well under a second);
it rebuilds only when no file matches. A process notices changed labels by their fingerprint (row
count and highest id; load_taxonomy guarantees both move on any change: the highest id is checked on
every call, the count at most once a second).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Count, Max
from scipy import sparse

from gaps.taxonomy.text import (
    RUSSIAN_MANAGING_HEADS,
    Analysis,
    analyze,
    cjk_heads_something,
    deletions,
    is_cjk,
    latin_to_cyrillic,
    normalize,
    russian_head,
    script_of,
    stem,
    strip_markup,
    within_one_edit,
)

logger = logging.getLogger(__name__)

# Tier scores (see the module docstring). A similar-but-not-exact label scores at most SIMILAR_SCALE,
# so it never outranks a label with the same words.
EXACT_SCORE = 1.0
NEAR_SCORE = 0.95
CONTENT_SCORE = 0.9
# A label with the same content words but other generic words ("мастер лесозаготовок" for "рабочий
# лесозаготовок", "cleaning supervisor" is not generic, but "X specialist" for "X worker" is): the
# generic word may name another level of the same work, so the match counts less.
GENERIC_MISMATCH_SCORE = 0.8
SIMILAR_SCALE = 0.85
WORD_SHARE = 0.5  # of the similar tier: word stems vs character n-grams
# A word no label has, one typo away from one that labels have ("plumer", "електрик"), is read as
# that word; the exact and near-exact tiers then count TYPO_FACTOR of their score. Words shorter
# than TYPO_MIN_LENGTH are too short to correct safely.
TYPO_FACTOR = 0.92
TYPO_MIN_LENGTH = 5
# A Latin word this long or longer that no English label has may be a Russian word typed in Latin
# letters ("prorab", "myasnik"); shorter ones are too likely to be something else.
TRANSLITERATED_MIN_LENGTH = 5
# "Sales representative (industrial products)" also matches "sales representative", but the
# qualifier was there for a reason: the shortened form counts this much of the label.
QUALIFIER_DROPPED_WEIGHT = 0.9
# Authority of a label's source when two unit groups share a wording: ESCO lists tens of thousands
# of near-synonyms, some under neighbouring groups ("carpenter" under 3432 interior decorators).
SOURCE_WEIGHTS = {"ILO": 1.0, "OKZ": 1.0, "TALENTGAP": 1.0, "CN2022": 0.98, "ESCO": 0.95}
# An ESCO label with the same stems as an ILO or written label of another unit group ("health and
# safety officer" is ESCO's under 3117 mine safety and written under 2263) counts this much more
# again: ESCO's noisy synonyms never outrank a label written for the title.
ESCO_CONTESTED_WEIGHT = 0.8
# The head of a Chinese title is at its end (gaps.taxonomy.text.CJK_MANAGING_HEADS): a title that
# does the work and a label that heads it, or the other way round, share their place or product
# (公交公司驾驶员 and 公交公司经理, 福利院护理员 and 福利院院长, 水泥厂生产部经理 and 水泥生产工) but not
# their unit group, so such a label counts this much.
CJK_HEAD_MISMATCH_WEIGHT = 0.75
# A label without the head noun of a typed Russian title (text.russian_head) shares at most its
# qualifier or an attribute: weighed down so that the labels of the head go first.
HEAD_MISMATCH_WEIGHT = 0.85
# The manager words count as one head (начальник участка, директор участка): their stems, once.
_MANAGING_HEAD_STEMS = tuple(sorted({stem(word) for word in RUSSIAN_MANAGING_HEADS}))
# How much a unit group's second-best label adds to its score, and how many leading groups get
# that second look.
SECOND_LABEL_WEIGHT = 0.05
RERANK_CANDIDATES = 20
# Fewer results rather than unrelated ones: nothing under MIN_SCORE, nothing under
# RELATIVE_FLOOR x the best group's score.
MIN_SCORE = 0.3
RELATIVE_FLOOR = 0.5
# A match this good is shown as "strong" (OccupationMatch.strength); below it, "possible".
STRONG_MATCH_SCORE = 0.8

# Calibration of code_title's confidence: a logistic curve over the best group's score, its
# margin over the runner-up and whether the best label comes from a source other than ESCO (whose
# synonyms stray into neighbouring groups), fitted on the tuning part (sample_tuning.csv and
# sample_tuning2.csv, 1,289 titles) plus random strings (bench/search_accuracy.py --calibrate
# prints the fit). Refitted 2026-12-03 on the enlarged tuning part (26 wrong top-1 codes, enough to
# fit on again). The curve orders titles well but is sure of itself: ~97 % of the tuning titles get
# 0.9 or more, and the few between 0.7 and 0.9 are right about half the time, so the threshold
# (OCCUPATION_CODING_THRESHOLD) was chosen on the precision it gives: 0.95 in the second and third
# rounds (99.5 % on the tuning part, but 97.7 % on the hold-out), 0.97 in the fourth, where the
# fourth tuning file, measured before any change it led to, codes 99.1 % right (0.96: 97.8 %).
# The curve was not refitted in the fourth round: the tuning part now has too few wrong top-1
# codes (12 of 1,761) to fit on, and the fit it gives rates almost every title above 0.89.
CONFIDENCE_WEIGHTS = (2.27, 2.56, 1.85, -0.84)  # (score, margin, not ESCO, intercept)
MAX_CONFIDENCE = 0.99
# The curve under-rates one score shape: a title typed exactly as a written label (ILO, OKZ, CN-2022
# or the project's own; not ESCO's synonyms, not a label shorn of its qualifier) that only one unit
# group has, with no other group matching near-exactly (runner-up under NEAR_SCORE). "nurse",
# "кассир", "водитель" have such a label, but a neighbouring group labels a qualified form
# ("junior nurse", "старший кассир"), so the margin is small and the curve gives them 0.968-0.969.
# On the tuning part (five files, 2,008 titles, 2026-12-03) 1,463 titles have that shape and 99.8 %
# of them are right (en 99.6, ru 100, zh 100, kk 99.4 %; the three wrong ones are titles a label and
# the sample file read differently), and all 11 that the curve put under 0.97 are right: such a
# title gets at least this confidence, which codes it at the default threshold. A title read with a
# spelling correction or of generic words only keeps its lower cap (title_candidates).
EXACT_UNIQUE_CONFIDENCE = 0.98
# A title of generic words only ("helper", "рабочий", 工人), or of a head word ("нач.", "manager", 经理)
# with nothing to say what it heads, names no occupation: never coded.
GENERIC_ONLY_CONFIDENCE = 0.2
# A title read with a spelling correction is a guess ("часовщик", a word no label has yet, is one
# letter from "фасовщик"): ranked, offered, but not coded without a person.
CORRECTED_CONFIDENCE = 0.5

# The labels' row count costs a scan of ~36,000 rows (a few ms on PostgreSQL), so a process
# counts at most this often; load_taxonomy drops its own process's index at once (invalidate_index).
INDEX_RECHECK_SECONDS = 1.0
# A typed title longer than this is not a job title; only its start is compared.
MAX_QUERY_CHARS = 200
# Distinct titles remembered by code_title; a 10,000-line import has far fewer.
CODE_CACHE_SIZE = 50_000
# Prebuilt index files kept in OCCUPATION_INDEX_DIR (older ones are removed when one is written).
INDEX_FILES_KEPT = 4
INDEX_FILE_PREFIX = "occupation-index-"
# Changes with the layout of the pickled index, together with the code hashed into its key.
INDEX_FORMAT = 8
_CODE_FILES = (Path(__file__), Path(__file__).parent / "taxonomy" / "text.py")
# "Watchman/woman", "Nursing aide (clinic or hospital)": also indexed as "Watchman", "Nursing aide".
_SLASH_TAIL = re.compile(r"/\S*")
_PARENTHESES = re.compile(r"\([^()]*\)|（[^（）]*）")


@dataclass(frozen=True)
class OccupationMatch:
    code: str
    title_en: str
    score: float  # 0..1, comparable across queries
    matched_label: str
    language: str
    source: str = ""  # of the matched label (a LabelSource value)

    @property
    def strength(self) -> str:
        """"strong" or "possible": what the pages and the API say next to the score."""
        return "strong" if self.score >= STRONG_MATCH_SCORE else "possible"


def _key_hash(key: str) -> int:
    """A stable 64-bit hash (Python's own changes from one process to the next)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little", signed=True)


class _KeyTable:
    """A str -> [int] map as two sorted arrays of key hashes and values.

    A prebuilt index holds a few of these with ~50,000 keys each: as dicts of strings they took
    most of its loading time, as arrays they load at once and a lookup is a binary search.
    """

    def __init__(self, mapping: dict[str, list[int]]):
        pairs = sorted((_key_hash(k), v) for k, values in mapping.items() for v in values)
        self.hashes = np.array([h for h, _v in pairs], dtype=np.int64)
        self.values = np.array([v for _h, v in pairs], dtype=np.int32)

    def get(self, key: str) -> np.ndarray | None:
        h = _key_hash(key)
        lo, hi = np.searchsorted(self.hashes, [h, h], side="left")[0], np.searchsorted(self.hashes, h, side="right")
        return self.values[lo:hi] if hi > lo else None


class _Index:
    """Analysed labels, their exact and near-exact keys, and the word and character matrices."""

    def __init__(self, content_hash: str, rows: list[tuple], titles: dict[str, str]):
        self.content_hash = content_hash
        self.fingerprint: tuple = ()
        # By group, its title first; by code point within (the databases' collations differ, the
        # index must not).
        rows = sorted(((*row[:5], bool(row[5])) for row in rows), key=lambda r: (r[0], not r[5], r[1], r[3]))
        self.titles = titles
        self.codes: list[str] = []
        self.label_text = [r[2] for r in rows]
        self.label_source = [r[4] for r in rows]
        self.label_lang = np.array([r[1] for r in rows] or ["en"], dtype="<U2")[: len(rows)]
        group_starts, label_starts, doc_weight = [], [], []
        exact: dict[str, list[int]] = {}
        compact: dict[str, list[int]] = {}
        near: dict[str, list[int]] = {}
        content: dict[str, list[int]] = {}
        generic_keys: list[int] = []  # per document: a hash of its generic words (0: none)
        heads: list[int] = []  # per document: 1 a Chinese title heading something, 0 one doing the work, -1 not Chinese
        word_rows: list[dict[str, float]] = []
        char_rows: list[dict[str, float]] = []
        doc_script: list[str] = []
        claimed: dict[tuple[str, str], set[str]] = {}  # (language, near key) -> groups of non-ESCO labels
        esco_docs: list[tuple[int, str, str, str]] = []
        for i, (code, lang, label, norm, source, preferred) in enumerate(rows):
            if not self.codes or self.codes[-1] != code:
                self.codes.append(code)
                group_starts.append(len(label_starts))
            label_starts.append(len(doc_weight))
            weight = 1.0 if preferred else SOURCE_WEIGHTS.get(source, 0.95)
            for variant, variant_weight in _variants(label, norm):
                analysis = analyze(variant)
                if not analysis.words:
                    continue
                doc = len(doc_weight)
                doc_weight.append(weight * variant_weight)
                near_key, content_key = analysis.near_key, analysis.content_key
                if source == "ESCO" and not preferred:
                    esco_docs.append((doc, lang, near_key, code))
                elif variant_weight == 1.0:  # a label as written, not one shorn of its qualifier
                    claimed.setdefault((lang, near_key), set()).add(code)
                exact.setdefault(analysis.exact_key, []).append(doc)
                if len(analysis.words) > 1:
                    compact.setdefault(analysis.compact_key, []).append(doc)
                near.setdefault(near_key, []).append(doc)
                if content_key and content_key != near_key:
                    content.setdefault(content_key, []).append(doc)
                generic_keys.append(_key_hash(analysis.generic_key) if analysis.generic_key else 0)
                head = cjk_heads_something(analysis)
                heads.append(-1 if head is None else int(head))
                word_rows.append(analysis.word_features)
                char_rows.append(analysis.char_features)
                doc_script.append(script_of(variant))
            if label_starts[-1] == len(doc_weight):  # nothing to compare ("(…)"): an empty document
                doc_weight.append(0.0)
                generic_keys.append(0)
                heads.append(-1)
                word_rows.append({})
                char_rows.append({})
                doc_script.append("latn")
        for doc, lang, near_key, code in esco_docs:
            owners = claimed.get((lang, near_key))
            if owners and code not in owners:
                doc_weight[doc] *= ESCO_CONTESTED_WEIGHT
        self.n_docs = len(doc_weight)
        self.group_starts = np.array(group_starts, dtype=np.int64)  # into labels
        self.label_starts = np.array(label_starts, dtype=np.int64)  # into docs
        self.doc_weight = np.array(doc_weight, dtype=np.float32)
        self.doc_generic = np.array(generic_keys, dtype=np.int64)
        self.doc_head = np.array(heads, dtype=np.int8)
        docs_per_label = np.diff(np.r_[self.label_starts, self.n_docs])
        self.doc_lang = np.repeat(self.label_lang, docs_per_label)
        self.doc_label = np.repeat(np.arange(len(rows), dtype=np.int32), docs_per_label)
        labels_per_group = np.diff(np.r_[self.group_starts, len(rows)])
        self.doc_group = np.repeat(np.repeat(np.arange(len(self.codes), dtype=np.int32), labels_per_group), docs_per_label)
        self.exact, self.near, self.content = _KeyTable(exact), _KeyTable(near), _KeyTable(content)
        self.compact = _KeyTable(compact)
        scripts = np.array(doc_script or ["latn"])[: self.n_docs]
        self.word_vocab, self.word_idf, self.word_matrix = _weighted_matrix(word_rows, scripts)
        self.char_vocab, self.char_idf, self.char_matrix = _weighted_matrix(char_rows, scripts)
        # Spelling correction: every alphabetic stem the labels have, by how many labels have it,
        # and each of its one-letter deletions pointing back at it.
        df = np.diff(self.word_matrix.indptr)  # labels per word (CSC: one column a word)
        self.stems: list[str] = []
        stem_df: list[int] = []
        deleted: dict[str, list[int]] = {}
        for feature, col in self.word_vocab.items():
            word = feature[2:]
            if feature.startswith("w:") and len(word) >= TYPO_MIN_LENGTH and not is_cjk(word):
                for key in deletions(word) | {word}:
                    deleted.setdefault(key, []).append(len(self.stems))
                self.stems.append(word)
                stem_df.append(int(df[col]))
        self.stem_df = np.array(stem_df, dtype=np.int32)
        self.deleted = _KeyTable(deleted)

    def corrected(self, analysis: Analysis) -> Analysis:
        """The analysis with each unknown word read as the commonest label word one typo away, and a
        Latin word that is neither a label word nor one typo from one read as a Russian word typed in
        Latin letters (text.latin_to_cyrillic: "santekhnik", "stolyar") when the labels have that word
        or one a typo away ("krovelshik" -> кровельщик). Either way the title is a guess, never coded
        without a person (title_candidates)."""
        stems = list(analysis.stems)
        # Only a title with no English job word is read as Russian: in "postman of Kazpost" or "welder
        # (argon)" the English word is the job, and the other word a name or a detail.
        english = any(
            "w:" + s in self.word_vocab and not g and script_of(s) == "latn" and not s.startswith("cat:")
            for s, g in zip(analysis.stems, analysis.generic, strict=True)
        )
        for i, word_stem in enumerate(stems):
            if "w:" + word_stem in self.word_vocab or is_cjk(word_stem):
                continue
            found = self._one_typo_away(word_stem) if len(word_stem) >= TYPO_MIN_LENGTH else None
            if found is None and not english and len(word_stem) >= TRANSLITERATED_MIN_LENGTH:
                cyrillic = latin_to_cyrillic(word_stem)
                if cyrillic is not None:
                    cyrillic = stem(cyrillic)
                    if "w:" + cyrillic in self.word_vocab:
                        found = cyrillic
                    elif len(cyrillic) >= TYPO_MIN_LENGTH:
                        found = self._one_typo_away(cyrillic)
            if found is not None:
                stems[i] = found
        return analysis if stems == analysis.stems else analysis.with_stems(stems)

    def _one_typo_away(self, word_stem: str) -> str | None:
        """The label word one typo from this one that most labels have, or None."""
        found: set[int] = set()
        for key in deletions(word_stem) | {word_stem}:
            hit = self.deleted.get(key)
            if hit is not None:
                found.update(int(v) for v in hit)
        found = {v for v in found if within_one_edit(word_stem, self.stems[v])}
        if not found:
            return None
        # The word most labels have; ties by spelling, so every process reads it alike.
        best = max(sorted(found, key=lambda v: self.stems[v]), key=lambda v: self.stem_df[v])
        return self.stems[best]

    def doc_scores(self, analysis: Analysis) -> np.ndarray | None:
        word = _similarity(self.word_vocab, self.word_idf, self.word_matrix, analysis.word_features)
        char = _similarity(self.char_vocab, self.char_idf, self.char_matrix, analysis.char_features)
        if word is None and char is None:
            return None
        # Chinese has no spaces to find words by: its character pairs are its words, and a CJK
        # query is compared by them alone.
        alphabetic = sum(not is_cjk(w) for w in analysis.words) / len(analysis.words)
        word_share = WORD_SHARE * alphabetic
        scores = np.zeros(self.n_docs, dtype=np.float32)
        if word is not None and word_share:
            scores += word_share * word
        if char is not None:
            scores += (1 - word_share) * char
        scores *= SIMILAR_SCALE
        factor = TYPO_FACTOR if analysis.corrected else 1.0
        content = self.content.get(analysis.content_key) if analysis.content_key else None
        if content is not None:
            # Both have generic words, other ones: "рабочий X" typed, "мастер X" labelled.
            query_generic = _key_hash(analysis.generic_key) if analysis.generic_key else 0
            other = (self.doc_generic[content] != query_generic) & (self.doc_generic[content] != 0) & (query_generic != 0)
            tiers = np.where(other, GENERIC_MISMATCH_SCORE, CONTENT_SCORE).astype(np.float32) * factor
            scores[content] = np.maximum(scores[content], tiers)
        for table, key, tier in (
            (self.content, analysis.near_key, CONTENT_SCORE),  # "дәнекерлеуші" vs "дәнекерлеуші жұмысшы"
            (self.near, analysis.content_key, CONTENT_SCORE),
            (self.near, analysis.near_key, NEAR_SCORE),
            (self.compact, analysis.compact_key, NEAR_SCORE),  # spacing: "асүй" typed, "ас үй" labelled
            (self.exact, analysis.compact_key, NEAR_SCORE),  # and the other way round
            (self.exact, analysis.exact_key, EXACT_SCORE),
        ):
            docs = table.get(key) if key else None
            if docs is not None:
                scores[docs] = np.maximum(scores[docs], tier * factor)
        head = cjk_heads_something(analysis)
        if head is not None:
            scores[(self.doc_head >= 0) & (self.doc_head != int(head))] *= CJK_HEAD_MISMATCH_WEIGHT
        missing = self.lacking_russian_head(analysis)
        if missing is not None:
            scores[missing] *= HEAD_MISMATCH_WEIGHT
        return scores * self.doc_weight

    def lacking_russian_head(self, analysis: Analysis) -> np.ndarray | None:
        """A mask of the documents without the head noun of a Russian title (see text.russian_head), or
        None: no head, or a head no Russian label has (a typo left uncorrected, a word of another language)."""
        i = russian_head(analysis)
        if i is None:
            return None
        stems = _MANAGING_HEAD_STEMS if analysis.words[i] in RUSSIAN_MANAGING_HEADS else (analysis.stems[i],)
        has = np.zeros(self.n_docs, dtype=bool)
        for word_stem in stems:
            col = self.word_vocab.get("w:" + word_stem)
            if col is not None:
                has[self.word_matrix.indices[self.word_matrix.indptr[col] : self.word_matrix.indptr[col + 1]]] = True
        if not (has & (self.doc_lang == "ru")).any():
            return None
        return ~has


def _variants(label: str, norm: str) -> list[tuple[str, float]]:
    """The label's normalized form, and shortened forms with the weight they count."""
    variants = [(norm, 1.0)]
    for pattern, weight in ((_SLASH_TAIL, 1.0), (_PARENTHESES, QUALIFIER_DROPPED_WEIGHT)):
        if pattern.search(label):
            other = normalize(pattern.sub(" ", label))
            if other and all(other != v for v, _w in variants):
                variants.append((other, weight))
    return variants


def _feature_script(feature: str) -> str:
    return script_of(feature[2:] if feature[:2] in ("w:", "p:") else feature)


def _weighted_matrix(rows: list[dict[str, float]], scripts: np.ndarray):
    """Rows of TF x IDF, L2-normalized, as a CSC matrix (a query reads a few columns).

    IDF is counted within the feature's script: English has ~34,000 labels and Kazakh a few
    hundred, so against all labels every Kazakh word would look rare, "жұмысшысы" (worker) included.
    """
    vocab: dict[str, int] = {}
    indptr, indices, values = [0], [], []
    for feats in rows:
        for feat, weight in feats.items():
            indices.append(vocab.setdefault(feat, len(vocab)))
            values.append(weight)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.array(values, dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
        shape=(len(rows), len(vocab)),
    )
    df = np.bincount(matrix.indices, minlength=len(vocab)).astype(np.float32)
    per_script = {s: max(int((scripts == s).sum()), 1) for s in ("latn", "cyrl", "zh")}
    n_docs = np.array([per_script[_feature_script(f)] for f in vocab], dtype=np.float32)
    idf = np.log((n_docs + 1) / (df + 1)) + 1.0
    matrix = matrix.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return vocab, idf.astype(np.float32), sparse.csc_matrix(sparse.diags(1.0 / norms) @ matrix, dtype=np.float32)


def _similarity(vocab: dict, idf: np.ndarray, matrix, features: dict[str, float]) -> np.ndarray | None:
    """Cosine similarity of the query's features with every document.

    The query's few columns are gathered straight from the CSC arrays and summed with bincount:
    scipy's column slicing costs more than the arithmetic.
    """
    if not features:
        return None
    max_idf = float(idf.max()) if len(idf) else 1.0
    cols, weights, squared = [], [], 0.0
    for feat, weight in features.items():
        col = vocab.get(feat)
        # Unknown features still count in the query's norm (at the rarest feature's weight): a
        # title with words no label has is a weaker match than one whose every word is known.
        weighted = weight * (float(idf[col]) if col is not None else max_idf)
        squared += weighted * weighted
        if col is not None:
            cols.append(col)
            weights.append(weighted)
    if not cols:
        return None
    norm = math.sqrt(squared)
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    rows = np.concatenate([indices[indptr[c] : indptr[c + 1]] for c in cols])
    values = np.concatenate([data[indptr[c] : indptr[c + 1]] * (w / norm) for c, w in zip(cols, weights, strict=True)])
    return np.bincount(rows, weights=values, minlength=matrix.shape[0]).astype(np.float32)


# --- The index of this process ----------------------------------------------------------------------

_lock = threading.Lock()
_index: _Index | None = None
_code_cache: dict[str, tuple[str | None, float]] = {}
_checked_at = 0.0
# How the current index came to be: ("built" | "loaded", seconds); bench/search_accuracy.py prints it.
last_index_event: tuple[str, float] = ("none", 0.0)


def _fingerprint() -> tuple:
    from gaps.models import OccupationLabel

    agg = OccupationLabel.objects.aggregate(n=Count("id"), top=Max("id"))
    return (agg["n"], agg["top"])


def _highest_id():
    from django.db import connection

    from gaps.models import OccupationLabel

    # Plain SQL: the ORM's aggregate costs more than the query (this runs on every search).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {OccupationLabel._meta.db_table}")  # noqa: S608 - a model's own table
        return cursor.fetchone()[0]


def _read_labels() -> tuple[list[tuple], dict[str, str]]:
    """The unit groups' labels (by id: the order is the database's, not its collation's) and titles."""
    from django.db import connection

    from gaps.models import Occupation, OccupationLabel

    label_table, occupation_table = OccupationLabel._meta.db_table, Occupation._meta.db_table
    # Plain SQL: ~50,000 rows read through the ORM cost three times as much.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.occupation_id, l.language, l.label, l.normalized, l.source, l.is_preferred "  # noqa: S608
            f"FROM {label_table} l JOIN {occupation_table} o ON o.code = l.occupation_id WHERE o.level = 4 "
            f"ORDER BY l.id"
        )
        rows = cursor.fetchall()
        cursor.execute(f"SELECT code, title_en FROM {occupation_table} WHERE level = 4 ORDER BY code")  # noqa: S608
        titles = dict(cursor.fetchall())
    return rows, titles


_code_digest: bytes | None = None


def _content_hash(rows: list[tuple], titles: dict[str, str]) -> str:
    """SHA-256 of the labels, the titles and the search's own code: what a prebuilt index is filed under."""
    global _code_digest
    if _code_digest is None:
        _code_digest = hashlib.sha256(b"".join(path.read_bytes() for path in _CODE_FILES)).digest()
    digest = hashlib.sha256(f"format {INDEX_FORMAT}\x1e".encode() + _code_digest)
    digest.update("\x1e".join("\x1f".join(map(str, row)) for row in rows).encode())
    digest.update("\x1e".join(f"{code}\x1f{title}" for code, title in titles.items()).encode())
    return digest.hexdigest()


def _index_dir() -> Path | None:
    value = getattr(settings, "OCCUPATION_INDEX_DIR", "")
    return Path(value) if value else None


def _index_path(directory: Path, content_hash: str) -> Path:
    return directory / f"{INDEX_FILE_PREFIX}{content_hash[:40]}.pickle"


def _load_prebuilt(content_hash: str) -> _Index | None:
    directory = _index_dir()
    if directory is None:
        return None
    path = _index_path(directory, content_hash)
    try:
        with path.open("rb") as fh:
            info = os.fstat(fh.fileno())
            # Only a file this user wrote and nobody else may change is unpickled.
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                logger.warning("occupation index %s: not owned by this user or writable by others; ignored", path)
                return None
            index = pickle.load(fh)  # noqa: S301 - our own file, checked above
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or foreign file: build a new one
        logger.warning("occupation index %s could not be read; rebuilding it", path, exc_info=True)
        return None
    if not isinstance(index, _Index) or index.content_hash != content_hash:
        return None
    return index


def _save_prebuilt(index: _Index) -> None:
    directory = _index_dir()
    if directory is None:
        return
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, _index_path(directory, index.content_hash))  # atomic: readers see all or nothing
        files = sorted(directory.glob(f"{INDEX_FILE_PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[INDEX_FILES_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        # A read-only or full disk costs the next process a rebuild, nothing more.
        logger.warning("occupation index could not be saved in %s", directory, exc_info=True)


def _load_or_build(fingerprint: tuple) -> _Index:
    global last_index_event
    started = time.perf_counter()
    rows, titles = _read_labels()
    content_hash = _content_hash(rows, titles)
    if _index is not None and _index.content_hash == content_hash:
        _index.fingerprint = fingerprint
        return _index
    index = _load_prebuilt(content_hash)
    if index is not None:
        last_index_event = ("loaded", time.perf_counter() - started)
    else:
        index = _Index(content_hash, rows, titles)
        last_index_event = ("built", time.perf_counter() - started)
        _save_prebuilt(index)
    index.fingerprint = fingerprint
    return index


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
        index = _load_or_build(fingerprint)
        if index is not _index:
            _code_cache.clear()
        _index = index
        return index


def invalidate_index() -> None:
    """Drop this process's index; other processes notice the labels' new fingerprint by themselves."""
    global _index
    with _lock:
        _index = None
        _code_cache.clear()


def prebuild_index() -> str:
    """Make sure the prebuilt index of the current labels exists (load_taxonomy calls it): "built" or "loaded"."""
    invalidate_index()
    _get_index()
    return last_index_event[0]


# --- Ranking ----------------------------------------------------------------------------------------


def _languages_for(language: str | None) -> set[str] | None:
    if not language:
        return None
    # Kazakh officials type Russian titles as often as Kazakh ones, and Kazakh labels cover fewer
    # occupations, so a Kazakh search also looks at Russian labels.
    return {"kk", "ru"} if language == "kk" else {language}


def _analyze_query(query: str) -> Analysis:
    return analyze(normalize(strip_markup((query or "")[:MAX_QUERY_CHARS])))


def _rank(analysis: Analysis, language: str | None, limit: int) -> list[OccupationMatch]:
    if not analysis.words or limit <= 0:
        return []
    index = _get_index()
    if not index.codes:
        return []
    scores = index.doc_scores(index.corrected(analysis))
    if scores is None:
        return []
    allowed = _languages_for(language)
    if allowed is not None:
        scores = np.where(np.isin(index.doc_lang, list(allowed)), scores, 0.0)
    # Most labels share nothing with the query: only the others are grouped.
    hits = np.flatnonzero(scores > 0)
    if not hits.size:
        return []
    values, groups = scores[hits], index.doc_group[hits]
    best = np.zeros(len(index.codes), dtype=np.float32)
    np.maximum.at(best, groups, values)
    # A unit group scores its best label plus a little of its second best: when two groups share
    # a label ("baker" is an ESCO label of 3434 and 7512), the one that other labels also support
    # goes first. Only the leading candidates need the second look.
    candidates = np.argsort(-best, kind="stable")[: max(limit, RERANK_CANDIDATES)]
    ranked = []
    for occ in candidates:
        if best[occ] < MIN_SCORE:
            break
        mine = groups == occ
        labels, label_values = index.doc_label[hits[mine]], values[mine]
        top = int(np.argmax(label_values))
        others = label_values[labels != labels[top]]
        second = float(others.max()) if others.size else 0.0
        ranked.append((float(best[occ]) + SECOND_LABEL_WEIGHT * second, int(occ), int(labels[top])))
    ranked.sort(key=lambda item: -item[0])
    if not ranked:
        return []
    floor = max(MIN_SCORE, RELATIVE_FLOOR * ranked[0][0])
    matches = []
    for score, occ, label_row in ranked[:limit]:
        if score < floor:
            break
        code = index.codes[occ]
        matches.append(
            OccupationMatch(
                code=code,
                title_en=index.titles.get(code, ""),
                score=round(min(score, 1.0), 4),  # the bonus may push an exact match past 1
                matched_label=index.label_text[label_row],
                language=str(index.label_lang[label_row]),
                source=index.label_source[label_row],
            )
        )
    return matches


def search_occupations(query: str, *, language: str | None = None, limit: int = 10) -> list[OccupationMatch]:
    """Unit groups ranked for a title typed in English, Russian, Chinese or Kazakh, best first.

    `language` narrows the labels compared (Kazakh includes Russian). Scores are 0..1; only
    groups scoring at least MIN_SCORE, and at least RELATIVE_FLOOR of the best, are returned.
    """
    return _rank(_analyze_query(query), language, limit)


def confidence_features(matches: list[OccupationMatch]) -> tuple[float, float, float]:
    """(score, margin over the runner-up, 1 if the best label is not ESCO's) of a ranked list."""
    if not matches:
        return (0.0, 0.0, 0.0)
    best = matches[0].score
    runner_up = matches[1].score if len(matches) > 1 else 0.0
    return (best, best - runner_up, 0.0 if matches[0].source == "ESCO" else 1.0)


def title_confidence(features: tuple[float, float, float]) -> float:
    """Calibrated probability that the best-scoring unit group is the right one."""
    if features[0] <= 0:
        return 0.0
    *weights, intercept = CONFIDENCE_WEIGHTS
    z = intercept + sum(w * x for w, x in zip(weights, features, strict=True))
    # Capped: a sample of a few hundred titles cannot support a claim of certainty (and a code a
    # person picked is stored with confidence 1.0, which keeps the two apart).
    return min(round(1.0 / (1.0 + math.exp(-z)), 3), MAX_CONFIDENCE)


def _exact_unique(analysis: Analysis, top: list[OccupationMatch]) -> bool:
    """The title is a written label's exact words, of the best group only, and no other group is near
    (see EXACT_UNIQUE_CONFIDENCE)."""
    if not analysis.words or (len(top) > 1 and top[1].score >= NEAR_SCORE):
        return False
    index = _get_index()
    docs = index.exact.get(analysis.exact_key)
    if docs is None:
        return False
    # Labels with these words as written, not shorn of a qualifier ("Driver (motorized rickshaw)",
    # 8321, is indexed as "driver" too, but does not say "driver").
    labels = {int(index.doc_label[d]) for d in docs}
    written = [
        label for label in labels if analyze(normalize(index.label_text[label])).exact_key == analysis.exact_key
    ]
    groups = {index.codes[int(index.doc_group[index.label_starts[label]])] for label in written}
    return groups == {top[0].code} and any(index.label_source[label] != "ESCO" for label in written)


def title_candidates(title: str, *, limit: int = 3) -> tuple[list[OccupationMatch], float]:
    """The best unit groups for a typed title and the confidence that the first is right."""
    analysis = _analyze_query(title)
    top = _rank(analysis, None, max(limit, 2))
    if not top:
        return [], 0.0
    confidence = title_confidence(confidence_features(top))
    if _exact_unique(analysis, top):
        confidence = max(confidence, EXACT_UNIQUE_CONFIDENCE)
    if analysis.names_no_occupation:
        confidence = min(confidence, GENERIC_ONLY_CONFIDENCE)
    elif _get_index().corrected(analysis).corrected:
        confidence = min(confidence, CORRECTED_CONFIDENCE)
    return top[:limit], confidence


def code_title(title: str) -> tuple[str | None, float]:
    """The unit group a free-text title resolves to, or None below OCCUPATION_CODING_THRESHOLD.

    Results are cached per normalized title for the life of the index, so an import calls the
    search once per distinct title.
    """
    norm = normalize(strip_markup((title or "")[:MAX_QUERY_CHARS]))
    if not norm:
        return None, 0.0
    _get_index()  # rebuilds (and clears the cache) if the labels changed
    cached = _code_cache.get(norm)
    if cached is None:
        top, confidence = title_candidates(norm, limit=1)
        # A title of generic words only ("helper", "рабочий") is never coded, whatever the threshold.
        generic_only = _analyze_query(norm).names_no_occupation
        cached = (top[0].code if top and not generic_only else None, confidence)
        if len(_code_cache) >= CODE_CACHE_SIZE:
            _code_cache.clear()
        _code_cache[norm] = cached
    code, confidence = cached
    if code is None or confidence < settings.OCCUPATION_CODING_THRESHOLD:
        return None, confidence
    return code, confidence
