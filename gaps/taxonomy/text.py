"""Text folding and features shared by the taxonomy loader and the title search.

One function decides what "the same title" means (`normalize`, stored in OccupationLabel.normalized
and used for its uniqueness), one decides what the search compares (`features`).
"""

from __future__ import annotations

import re
import unicodedata

# Officials type Kazakh on Russian keyboards as often as not, so the Kazakh-specific letters fold
# onto the Russian letters typed in their place; ё is written е in most Russian text.
_FOLD = str.maketrans({"ё": "е", "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и"})
_NON_WORD = re.compile(r"[^\w]+|_")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Characters kept by the crude prefix stem (see features()).
STEM_LENGTH = 6
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


# Head nouns that say "some job" rather than which one. IDF cannot learn this for Russian, Kazakh
# and Chinese, whose label sets are small enough that "жұмысшысы" (worker) looks rare, so the
# search scales these down by GENERIC_WEIGHT (stored in normalized form).
GENERIC_WEIGHT = 0.3
GENERIC_WORDS = frozenset(
    "worker workers labourer labourers employee employees staff specialist specialists "
    "рабочий рабочие работник работники работница сотрудник специалист специалисты мастер "
    "жумысшы жумысшысы кызметкер кызметкери маман маманы шебер шебери".split()
)
GENERIC_CJK = frozenset(["工人", "人员", "员工", "师傅", "技工"])


def normalize(text: str) -> str:
    """Lower-cased, ё/Kazakh-folded, punctuation-free form with single spaces."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_FOLD)
    return " ".join(_NON_WORD.sub(" ", text).split())


def script_of(text: str) -> str:
    """'zh', 'cyrl' or 'latn': which label languages a typed title can be compared with."""
    if _CJK.search(text):
        return "zh"
    if re.search(r"[\u0400-\u04ff]", text):
        return "cyrl"
    return "latn"


def features(normalized: str) -> dict[str, float]:
    """Weighted features of a normalized title.

    Chinese has no spaces, so runs of CJK characters give character unigrams and bigrams.
    Alphabetic words give the whole word plus its character trigrams with word boundaries:
    trigrams survive typos, Russian/Kazakh case endings ("комбайна", "комбайнер") and
    word order, which is what officials' free text varies in.
    """
    feats: dict[str, float] = {}

    def add(key: str, weight: float) -> None:
        feats[key] = feats.get(key, 0.0) + weight

    for run in _CJK_RUN.findall(normalized):
        for ch in run:
            add(ch, 1.0)
        for i in range(len(run) - 1):
            bigram = run[i : i + 2]
            add(bigram, GENERIC_WEIGHT if bigram in GENERIC_CJK else 1.0)
    rest = _CJK_RUN.sub(" ", normalized)
    for word in rest.split():
        if word.isdigit():
            continue
        weight = GENERIC_WEIGHT if word in GENERIC_WORDS else 1.0
        add("w:" + word, weight)
        # A crude stem: Russian and Kazakh inflect by suffix ("комбайна", "комбайнер",
        # "жүргізушісі"), English derives by suffix ("harvester", "harvesting").
        if len(word) > STEM_LENGTH:
            add("p:" + word[:STEM_LENGTH], weight)
        padded = f" {word} "
        for i in range(len(padded) - 2):
            add(padded[i : i + 3], 0.5 * weight)
    return feats
