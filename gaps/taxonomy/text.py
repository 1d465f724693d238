"""Text folding and analysis shared by the taxonomy loader and the title search.

One function decides what "the same title" means (`normalize`, stored in OccupationLabel.normalized
and used for its uniqueness); `analyze` decides what the search compares: the title's content words
and their light stems, the keys of an exact and a near-exact match, and the weighted word-level and
character-level features (gaps/search.py ranks in that order: exact, near-exact, then words and
characters).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Officials type Kazakh on Russian keyboards as often as not, so the Kazakh-specific letters fold
# onto the Russian letters typed in their place; ё is written е in most Russian text.
_FOLD = str.maketrans({"ё": "е", "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и"})
_NON_WORD = re.compile(r"[^\w]+|_")
_TAG = re.compile(r"<[^<>]{0,100}>")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# Words that say "some job" rather than which one: they count GENERIC_WEIGHT of a content word, and
# a title made of nothing else is never coded on its own (gaps.search). Stored in folded form
# (Kazakh letters as typed on a Russian keyboard).
GENERIC_WEIGHT = 0.25
GENERIC_WORDS = frozenset(
    "worker workers labourer labourers laborer employee employees staff specialist specialists operator operators "
    "operative helper helpers personnel officer "
    # Seniority and training status say how far along someone is, not which job.
    "senior junior trainee apprentice intern experienced qualified certified licensed "
    "старший старшая младший младшая ведущий ведущая стажер стажерка ученик "
    "рабочий рабочая рабочие работник работница работники сотрудник сотрудница специалист специалистка специалисты "
    "оператор операторы мастер персонал служащий служащая "
    "жумысшы жумысшысы жумысшылар кызметкер кызметкери кызметкерлер маман маманы мамандар шебер шебери "
    "персонал операторы".split()
)
# Function words, grade and category qualifiers ("6 разряда", "5th grade", "кат. С", "4 разряд"):
# dropped before anything is compared.
STOP_WORDS = frozenset(
    "a an and or of the for in on at to by with from as de "
    "и или в во на по для с со из к ко от при без до "
    "жане мен бен пен бойынша ушин немесе".split()
)
QUALIFIER_WORDS = frozenset(
    "grade grades class level th st nd rd "
    "разряд разряда разряду разрядов разр класса класс квалификации разрядты дарежели "
    # ordinal endings split off by the hyphen: "4-го разряда", "5-ші разряд"
    "го ого й ой ый ий ая ши шы инши ынши".split()
)
# Numbers and ordinals ("5", "4th", "6-й") are grades; letters with digits ("1С", "3D") are names.
_ORDINAL = re.compile(r"^\d+(st|nd|rd|th|й|я|го|ой|ый|ий|ая|ши|шы|инши|ынши)?$")
# A driving licence category is not a grade: "водитель категории C" drives lorries, "кат. D"
# buses. The letter (Latin or its Cyrillic look-alike) next to one of these words becomes one
# word, "cat:c", whichever script and order it was typed in ("С санатты жүргізуші").
CATEGORY_WORDS = frozenset("category cat licence license категории категория кат санатты санаты санатындагы".split())
_CATEGORY_LETTER = re.compile(r"^[a-eавсде][a-eавсде1]?$")
_LATIN_LOOKALIKE = str.maketrans("авсде", "abcde")
DROPPED_WORDS = STOP_WORDS | QUALIFIER_WORDS | CATEGORY_WORDS
# A Chinese title ends in a job-title suffix (焊工 welder, 驾驶员 driver, 药剂师 pharmacist) that
# hundreds of titles share: stripped from the word-level key, and counted low as a character.
# Colloquial titles end in 的, "the one who": 放羊的 (shepherd), 开车的 (driver), 送快递的.
CJK_GENERIC_SUFFIXES = ("工作人员", "操作工", "操作员", "技术员", "人员", "工人", "师傅", "技工", "工", "员", "师", "手", "者", "人", "的")
CJK_GENERIC_CHARS = frozenset("工员师手者人的")
CJK_GENERIC_BIGRAMS = frozenset(["工人", "人员", "员工", "师傅", "技工", "操作", "作工", "作员", "技术", "术员", "工作", "作人"])

# Light stemming, one ending at a time: Russian case endings ("комбайна", "водителя"), the
# Kazakh possessive and genitive chain ("жүргізушісі", "машинасының") and English plurals. The
# agentive suffixes (-щик, -ші/-шы, -er) stay: they are the job. Kazakh case endings that are also
# Russian word endings (-ка "грузовика", -тер "мастер", -ин "магазин") are left alone; titles rarely
# carry them. Russian feminine job titles fold onto the masculine ones (сварщица -> сварщик,
# учительница -> учитель, повариха -> повар, официантка -> официант).
MIN_STEM = 3
_RUSSIAN_ENDINGS = frozenset(
    "ого его ому ему ая яя ое ее ые ие ый ий ой ую юю ых их ах ях ам ям ов ев ей ом ем ами ями ы и а я у ю е о ь".split()
)
_KAZAKH_GENITIVE = ("нын", "нин", "дын", "дин", "тын", "тин")
_KAZAKH_CHAIN = frozenset(_KAZAKH_GENITIVE + ("сы", "си"))
_ENDINGS = tuple(sorted(_RUSSIAN_ENDINGS | _KAZAKH_CHAIN, key=len, reverse=True))
_VOWELS = "аеиыуо"
_FEMININE = (("тельниц", "тель"), ("авщиц", "авц"), ("щиц", "щик"), ("чиц", "чик"), ("ниц", "ник"), ("нтк", "нт"), ("истк", "ист"), ("их", ""))
# A stem's first letters, as a second, weaker word feature: "электросварщик" and
# "электрогазосварщик", "водитель-экспедитор" and "водительский" share them.
PREFIX_LENGTH = 6
PREFIX_WEIGHT = 0.5

# British and American spellings of the same job-title words share a stem ("call centre operator" is
# "call center operator", "labourer" "laborer"): the American one, after the plural is stripped.
_AMERICAN = {
    "centre": "center", "theatre": "theater", "metre": "meter", "litre": "liter", "fibre": "fiber",
    "labour": "labor", "labourer": "laborer", "colour": "color", "colourist": "colorist", "harbour": "harbor",
    "behaviour": "behavior", "behavioural": "behavioral", "neighbourhood": "neighborhood", "armourer": "armorer",
    "organiser": "organizer", "organisation": "organization", "organisational": "organizational",
    "specialised": "specialized", "sterilisation": "sterilization", "sterilising": "sterilizing",
    "jewellery": "jewelry", "jeweller": "jeweler", "tyre": "tire", "draughtsman": "draftsman",
    "draughtswoman": "draftswoman", "draughtsperson": "draftsperson", "paediatric": "pediatric",
    "paediatrician": "pediatrician", "anaesthetist": "anesthetist", "anaesthesiologist": "anesthesiologist",
    "anaesthesia": "anesthesia", "gynaecologist": "gynecologist", "gynaecology": "gynecology",
    "orthopaedic": "orthopedic", "haematologist": "hematologist", "oesophageal": "esophageal",
    "aluminium": "aluminum", "mould": "mold", "moulder": "molder", "moulding": "molding", "defence": "defense",
    "licence": "license", "programme": "program", "catalogue": "catalog", "cataloguer": "cataloger",
    "plough": "plow", "ploughman": "plowman", "aeroplane": "airplane", "manoeuvre": "maneuver",
    "traveller": "traveler", "travelling": "traveling", "counsellor": "counselor", "counselling": "counseling",
    "modelling": "modeling", "labelling": "labeling", "labeller": "labeler", "fuelling": "fueling",
    "enrolment": "enrollment", "analyse": "analyze", "analyser": "analyzer", "practise": "practice",
    "storey": "story", "grey": "gray", "kerb": "curb", "cheque": "check", "dietician": "dietitian",
    "pyjama": "pajama", "sceptic": "skeptic", "ageing": "aging", "vapour": "vapor", "odour": "odor",
}


def normalize(text: str) -> str:
    """Lower-cased, ё/Kazakh-folded, punctuation-free form with single spaces."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_FOLD)
    return " ".join(_NON_WORD.sub(" ", text).split())


def strip_markup(text: str) -> str:
    """A typed title without HTML-like tags ("<b>helper</b>" is "helper")."""
    return _TAG.sub(" ", text or "")


def script_of(text: str) -> str:
    """'zh', 'cyrl' or 'latn': which label languages a typed title can be compared with."""
    if _CJK.search(text):
        return "zh"
    if _CYRILLIC.search(text):
        return "cyrl"
    return "latn"


def stem(word: str) -> str:
    """A light stem of a folded alphabetic word (see _ENDINGS)."""
    if not _CYRILLIC.search(word):
        if word in _AMERICAN:
            return _AMERICAN[word]
        if word.endswith("ies") and len(word) > 4:
            word = word[:-3] + "y"
        elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 4:
            word = word[:-1]
        return _AMERICAN.get(word, word)
    word, ending = _strip(word, _ENDINGS)
    if not ending:
        # Kazakh genitive after a short root: үйдің -> үй, астың -> ас
        word, ending = _strip(word, _KAZAKH_GENITIVE, min_stem=2)
    if ending in _KAZAKH_CHAIN:
        # машинасының -> машинасы -> машина -> машин; жүргізушісі -> жүргізуші -> жүргізуш
        word, _ = _strip(word, ("сы", "си"))
        word, _ = _strip(word, tuple(_VOWELS))
    for feminine, masculine in _FEMININE:
        if word.endswith(feminine) and len(word) - len(feminine) + len(masculine) >= MIN_STEM:
            return stem(word[: -len(feminine)] + masculine)
    if word.endswith("ец") and len(word) > 4:
        # The fleeting vowel: продавец, продавца, продавцы -> продавц (кузнец, кузнеца -> кузнц alike).
        word = word[:-2] + "ц"
    return word


def _strip(word: str, endings: tuple[str, ...], min_stem: int = MIN_STEM) -> tuple[str, str]:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= min_stem:
            return word[: -len(ending)], ending
    return word, ""


def cjk_core(run: str) -> str:
    """A Chinese title without its job-title suffix: 电焊工 -> 电焊, 药剂师 -> 药剂."""
    for suffix in CJK_GENERIC_SUFFIXES:
        if run.endswith(suffix) and len(run) > len(suffix):
            return run[: -len(suffix)]
    return run


@dataclass
class Analysis:
    """What the search compares of one normalized title."""

    words: list[str] = field(default_factory=list)  # content words (alphabetic) and CJK runs, in order
    stems: list[str] = field(default_factory=list)  # one per word
    generic: list[bool] = field(default_factory=list)  # one per word
    word_features: dict[str, float] = field(default_factory=dict)
    char_features: dict[str, float] = field(default_factory=dict)
    corrected: int = 0  # how many stems were replaced by a spelling correction (gaps.search)

    @property
    def exact_key(self) -> str:
        return " ".join(self.words)

    @property
    def near_key(self) -> str:
        """Stems in any order: "водитель грузовика" = "грузовика водитель" = "водители грузовиков"."""
        return " ".join(sorted(set(self.stems)))

    @property
    def content_key(self) -> str:
        """The near-exact key without generic words ("дәнекерлеуші жұмысшы" = "дәнекерлеуші")."""
        return " ".join(sorted({s for s, g in zip(self.stems, self.generic, strict=True) if not g}))

    @property
    def compact_key(self) -> str:
        """The words run together: "ас үй" = "асүй", "қонақ үй" = "қонақүй", "call centre" = "callcentre"."""
        return "".join(self.words)

    @property
    def only_generic(self) -> bool:
        return bool(self.words) and all(self.generic)

    def with_stems(self, stems: list[str]) -> Analysis:
        """The same title with some stems replaced (spelling corrections); features recomputed."""
        changed = sum(a != b for a, b in zip(self.stems, stems, strict=True))
        result = Analysis(words=list(self.words), stems=list(stems), generic=list(self.generic), corrected=changed)
        _fill_features(result)
        return result


def analyze(normalized: str) -> Analysis:
    """Words, stems, keys and features of a normalized title.

    Alphabetic words: digits, single letters, function words and grade qualifiers are dropped;
    each remaining word gives its stem (and the stem's first PREFIX_LENGTH letters, weaker) as word
    features, and its stem's character trigrams (padded at the start only, so the endings every
    title shares weigh nothing) as character features. Chinese has no spaces: each run of CJK
    characters is a word (its stem without the job-title suffix), and its characters and
    character pairs are the character features.
    """
    result = Analysis()
    for token in _tokens(normalized):
        if _CJK.match(token):
            generic = token in CJK_GENERIC_SUFFIXES
            result.stems.append(token if generic else cjk_core(token))
        else:
            generic = token in GENERIC_WORDS
            result.stems.append(stem(token))
        result.words.append(token)
        result.generic.append(generic)
    _fill_features(result)
    return result


def _fill_features(result: Analysis) -> None:
    # Runs once per label at index build (~36,000 times): dict updates inlined.
    words, chars = result.word_features, result.char_features
    for token, word_stem, generic in zip(result.words, result.stems, result.generic, strict=True):
        weight = GENERIC_WEIGHT if generic else 1.0
        key = "w:" + word_stem
        words[key] = words.get(key, 0.0) + weight
        if _CJK.match(token):
            for ch in token:
                chars[ch] = chars.get(ch, 0.0) + (GENERIC_WEIGHT if ch in CJK_GENERIC_CHARS else 1.0)
            for i in range(len(token) - 1):
                bigram = token[i : i + 2]
                chars[bigram] = chars.get(bigram, 0.0) + (GENERIC_WEIGHT if bigram in CJK_GENERIC_BIGRAMS else 1.0)
            continue
        if token.startswith("cat:"):
            continue  # a licence category is a word, not letters to compare
        if len(word_stem) > PREFIX_LENGTH:
            key = "p:" + word_stem[:PREFIX_LENGTH]
            words[key] = words.get(key, 0.0) + PREFIX_WEIGHT * weight
        # Trigrams of the stem, padded at the start only: a typo costs two or three of them.
        padded = " " + word_stem
        for i in range(len(padded) - 2):
            key = padded[i : i + 3]
            chars[key] = chars.get(key, 0.0) + weight


def is_cjk(text: str) -> bool:
    return bool(_CJK.match(text))


def deletions(word: str) -> set[str]:
    """The word with one letter left out, each way (the keys of the search's spelling correction)."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or swap of neighbours apart."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    # b is a with one letter inserted
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _tokens(normalized: str) -> list[str]:
    tokens = []
    parts = normalized.split()
    consumed: set[int] = set()
    for i, part in enumerate(parts):
        if part not in CATEGORY_WORDS:
            continue
        for j in (i + 1, i - 1):
            if 0 <= j < len(parts) and j not in consumed and _CATEGORY_LETTER.match(parts[j]):
                tokens.append("cat:" + parts[j].translate(_LATIN_LOOKALIKE))
                consumed.add(j)
                break
    for i, part in enumerate(parts):
        if i in consumed:
            continue
        if not _CJK.search(part):
            if len(part) > 1 and part not in DROPPED_WORDS and not _ORDINAL.match(part):
                tokens.append(part)
            continue
        # "java程序员": the Latin and the Chinese parts are words of their own.
        for piece in _CJK_RUN.split(part):
            if len(piece) > 1 and piece not in DROPPED_WORDS and not _ORDINAL.match(piece):
                tokens.append(piece)
        tokens.extend(_CJK_RUN.findall(part))
    return tokens
