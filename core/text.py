"""What people read, built in one place: dates, days left, money, percentages, counts and names.

Pages, API `detail` sentences, mails, exports and commands all call these, so that one reader sees
one date style, one money style and the same names everywhere, in their language:

- dates: one unambiguous style per language (en "15 Aug 2026", ru "15 августа 2026 г.",
  kk "15 там. 2026 ж.", zh-hans "2026年8月15日"), the same as Django's `{{ d|date }}` (core/formats);
- money: the amount grouped as the reader groups thousands, then the ISO 4217 code
  ("350,000 KZT", "350 000 KZT"); whole amounts without decimals, cents only when there are any;
  a salary range once with its CNY equivalent ("≈ 4,900–7,000 CNY") unless it is in CNY already;
- percentages: rounded half up, one rule for every page and export;
- names before codes: occupations, regions, colleges and programs by name in the reader's
  language, the code small beside them.

core does not import gaps or training: they register their name lookups here
(`register_names`, from their AppConfig.ready), and the names are cached per process (a page of
thousands of rows reads no table per row) and reloaded when the data changes (`names_changed`:
the models' saves call it through signals; other processes see it through the cache within
NAMES_RECHECK_SECONDS, and every process reloads after NAMES_MAX_AGE_SECONDS whatever happens).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import dateformat, formats, numberformat, timezone, translation
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# --- Languages ------------------------------------------------------------------------------------

# The languages of the pages (settings.LANGUAGES) and the suffix of the data columns that hold
# names in each (Region.name_zh, Occupation.title_zh).
DATA_SUFFIX = {"en": "en", "zh-hans": "zh", "ru": "ru", "kk": "kk"}
# Where a name is missing in the reader's language, the next language to show it in. Kazakh
# readers read Russian (an official language of Kazakhstan) before English.
NAME_FALLBACKS = {"en": ("en",), "ru": ("ru", "en"), "zh": ("zh", "en"), "kk": ("kk", "ru", "en")}


def page_language(language: str | None = None) -> str:
    """The Django language code to write in: the given one, else the active one, else English."""
    code = (language or translation.get_language() or "en").lower()
    if code in DATA_SUFFIX:
        return code
    if code.startswith("zh"):
        return "zh-hans"
    base = code.split("-")[0]
    return base if base in DATA_SUFFIX else "en"


def data_language(language: str | None = None) -> str:
    """The suffix of the data columns in that language: en, ru, zh or kk."""
    return DATA_SUFFIX[page_language(language)]


class _In:
    """translation.override that does nothing when the language is already active (cheap in loops)."""

    def __init__(self, language: str | None):
        self.language = page_language(language) if language else None
        self.override = None

    def __enter__(self):
        if self.language and self.language != page_language():
            self.override = translation.override(self.language)
            self.override.__enter__()
        return self

    def __exit__(self, *exc):
        if self.override is not None:
            self.override.__exit__(*exc)


# --- Texts people write, with translations ---------------------------------------------------------

AS_WRITTEN = "_as_written"


def in_reader_language(written: str, translations: Mapping | None, language: str | None = None) -> str:
    """A stored text (a project's title, a condition, a college's name, a program's title) in the
    reader's language (default: the active one) where a translation of it exists, else as stored.

    `translations` is {language code of settings.LANGUAGES: text, ..., "_as_written": the stored
    text the translations were made from}. Once a person edits the stored text (it no longer equals
    "_as_written") their wording is shown to everyone: the translations are of an older text.
    """
    translations = translations or {}
    if translations.get(AS_WRITTEN) != written:
        return written
    return translations.get(page_language(language)) or written


def translations_as_written(written: str, translations: Mapping | None) -> dict:
    """The translations that still apply to `written` by data language (en, zh, ru, kk), non-empty only
    ({} once a person edited the text): what core.text's name lookups of colleges and programs read."""
    translations = translations or {}
    if translations.get(AS_WRITTEN) != written:
        return {}
    return {DATA_SUFFIX[code]: str(value) for code, value in translations.items() if code in DATA_SUFFIX and value}


# --- Dates ------------------------------------------------------------------------------------------

# Django's Kazakh catalogue abbreviates January "қан" (a different word); this project's catalogue
# overrides it with "қаң" (the format "b" of core/formats/kk reads this message).
gettext_noop("jan")

DASH = "–"  # between the two ends of a range: 15 Aug – 15 Oct 2026, 350,000–500,000
NOTHING = "—"  # in a table cell that has no value


def format_date(d: dt.date | dt.datetime | None, *, language: str | None = None) -> str:
    """A date in the reader's one date style ("15 Aug 2026"); "" for None.

    The same string as `{{ d|date }}` and `{{ d|date:"SHORT_DATE_FORMAT" }}` in the same language.
    A datetime is shown as its date in the server's time zone.
    """
    if d is None:
        return ""
    if isinstance(d, dt.datetime):
        d = timezone.localtime(d).date() if timezone.is_aware(d) else d.date()
    with _In(language):
        return dateformat.format(d, formats.get_format("DATE_FORMAT"))


def format_datetime(value: dt.datetime | None, *, language: str | None = None) -> str:
    """A moment with its date in the reader's style, a 24-hour time and the time zone."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    with _In(language):
        return dateformat.format(value, formats.get_format("DATETIME_FORMAT"))


def format_date_range(start: dt.date | None, end: dt.date | None, *, language: str | None = None) -> str:
    """"15 Aug 2026 – 15 Oct 2026"; one end missing: "from …" / "until …"; neither: ""."""
    with _In(language):
        if start and end:
            if start == end:
                return format_date(start)
            return f"{format_date(start)} {DASH} {format_date(end)}"
        if start:
            return gettext("from %(date)s") % {"date": format_date(start)}
        if end:
            return gettext("until %(date)s") % {"date": format_date(end)}
        return ""


def format_month(d: dt.date, *, with_year: bool = True, language: str | None = None) -> str:
    """A month for chart axes: "Aug 2026" / "авг. 2026" / "там. 2026" / "2026年8月"; no year: "Aug"."""
    with _In(language):
        lang = page_language()
        if lang == "zh-hans":
            return f"{d.year}年{d.month}月" if with_year else f"{d.month}月"
        month = dateformat.format(d, "b")  # the abbreviation, lower case: aug, авг, там
        if lang == "en":
            month = month.capitalize()
        elif not (lang == "ru" and d.month == 5):  # "май" is never abbreviated
            month = f"{month}."
        return f"{month} {d.year}" if with_year else month


def quarter_name(quarter: str, *, language: str | None = None) -> str:
    """A quarter code (2026Q3) as people say it: "Q3 2026", "3-й квартал 2026 г.", "2026年第3季度"."""
    try:
        year, number = quarter[:4], int(quarter[5])
    except (TypeError, ValueError, IndexError):
        return str(quarter)
    with _In(language):
        return gettext("Q%(number)s %(year)s") % {"number": number, "year": year}


def days_between(d: dt.date, today: dt.date) -> int:
    return (d - today).days


def format_days_left(d: dt.date, *, today: dt.date, language: str | None = None) -> str:
    """"15 days left", "today", "2 days late" (plurals in every language)."""
    days = days_between(d, today)
    with _In(language):
        if days == 0:
            return gettext("today")
        if days > 0:
            return ngettext("%(n)s day left", "%(n)s days left", days) % {"n": format_number(days)}
        return ngettext("%(n)s day late", "%(n)s days late", -days) % {"n": format_number(-days)}


def format_act_by(d: dt.date, *, today: dt.date, language: str | None = None) -> str:
    """What every sentence that asks someone to act ends with: the last day, and whether it passed.

    "act by 18 Dec 2026 (15 days left)", "act by 3 Dec 2026 (today)",
    "too late: the last day was 2 Dec 2026".
    """
    with _In(language):
        if d < today:
            return gettext("too late: the last day was %(date)s") % {"date": format_date(d)}
        return gettext("act by %(date)s (%(left)s)") % {"date": format_date(d), "left": format_days_left(d, today=today)}


def tidy_sentence(sentence: str) -> str:
    """One full stop where a date ending in an abbreviation ends a sentence: "к 1 января 2027 г.." and
    "2 жел. 2026 ж.." read as typos (the ru and kk date styles end in "г." / "ж."); an ellipsis stays.
    No space after Chinese full-width punctuation: sentences joined with a space ("…名工人。 工资：…") read
    as a gap in Chinese, whose full stop carries its own space."""
    return _CJK_PUNCT_SPACE.sub(r"\1", _DOUBLED_STOP.sub(".", sentence))


_DOUBLED_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")
_CJK_PUNCT_SPACE = re.compile(r"([。！？；：，、）])[ \t\n]+")


def is_past(d: dt.date | None, *, today: dt.date) -> bool:
    return d is not None and d < today


# --- Numbers and money -----------------------------------------------------------------------------


def round_half_up(value, digits: int = 0) -> Decimal:
    """The one rounding rule of every figure people read: half away from zero (2.5 -> 3)."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def format_number(value, digits: int | None = 0, *, language: str | None = None) -> str:
    """A number with the reader's digit grouping and decimal mark, rounded half up to `digits`
    decimals ("1,234.5" / "1 234,5"); digits=None keeps the decimals it has. "" for None."""
    number = _to_decimal(value)
    if number is None:
        return "" if value is None or value == "" else str(value)
    if digits is not None:
        number = round_half_up(number, digits)
    with _In(language):
        lang = page_language()
        # numberformat.format directly (formats.number_format would truncate, not round).
        return numberformat.format(
            number,
            formats.get_format("DECIMAL_SEPARATOR", lang, use_l10n=True),
            decimal_pos=digits,
            grouping=formats.get_format("NUMBER_GROUPING", lang, use_l10n=True),
            thousand_sep=formats.get_format("THOUSAND_SEPARATOR", lang, use_l10n=True),
            force_grouping=True,
            use_l10n=True,
        )


def _money_digits(amount: Decimal) -> int:
    # Whole amounts are written without decimals (salaries, budgets); cents only when there are any.
    return 0 if amount == amount.to_integral_value() else 2


def format_amount(amount, *, language: str | None = None) -> str:
    """A money amount without its currency, as format_money writes it ("350,000", "350 000,50")."""
    value = _to_decimal(amount)
    if value is None:
        return ""
    return format_number(value, _money_digits(value), language=language)


def format_money(amount, currency: str, *, language: str | None = None) -> str:
    """"350,000 KZT" (en, zh-hans) / "350 000 KZT" (ru, kk): the reader's grouping, then the ISO code.

    One rule everywhere: the ISO 4217 code after the amount (never a symbol: ¥ is both CNY and JPY),
    joined by a no-break space so the two never part at a line end.
    """
    value = _to_decimal(amount)
    if value is None:
        return ""
    return f"{format_amount(value, language=language)}\u00a0{currency}".strip()


def _amount_range(low, high, currency: str, *, digits: int | None = None, language=None) -> str:
    low, high = _to_decimal(low), _to_decimal(high)
    if digits is None:
        digits = max(_money_digits(low), _money_digits(high)) if low is not None and high is not None else 0
    if low is None or high is None:
        only = low if high is None else high
        return f"{format_number(only, digits, language=language)}\u00a0{currency}"
    if round_half_up(low, digits) == round_half_up(high, digits):
        return f"{format_number(low, digits, language=language)}\u00a0{currency}"
    return f"{format_number(low, digits, language=language)}{DASH}{format_number(high, digits, language=language)}\u00a0{currency}"


def format_money_range(low, high, currency: str, *, language: str | None = None) -> str:
    """"350,000–500,000 KZT" (one amount when both ends are equal)."""
    if _to_decimal(low) is None and _to_decimal(high) is None:
        return ""
    return _amount_range(low, high, currency, language=language)


def format_salary_range(low, high, currency: str, *, cny_min=None, cny_max=None, monthly: bool = True,
                        language: str | None = None) -> str:
    """"350,000–500,000 KZT a month (≈ 4,900–7,000 CNY)": the range in its own currency, then its
    CNY equivalent once, in whole yuan (none when the currency is CNY or no rate was known)."""
    if _to_decimal(low) is None and _to_decimal(high) is None:
        return ""
    with _In(language):
        text = _amount_range(low, high, currency)
        if monthly:
            text = gettext("%(amount)s a month") % {"amount": text}
        if currency != "CNY" and (_to_decimal(cny_min) is not None or _to_decimal(cny_max) is not None):
            text = gettext("%(salary)s (≈ %(cny)s)") % {"salary": text, "cny": _amount_range(cny_min, cny_max, "CNY", digits=0)}
        return text


def cny_equivalent(low, high, *, language: str | None = None) -> str:
    """"≈ 4,900–7,000 CNY" alone (a table's second line under the original currency)."""
    if _to_decimal(low) is None and _to_decimal(high) is None:
        return ""
    return f"≈ {_amount_range(low, high, 'CNY', digits=0, language=language)}"


# How a percentage is written: the sign stuck to the number in English and Chinese, after a
# no-break space in Russian and Kazakh (their typographic rule).
_PERCENT = {"en": "{}%", "zh-hans": "{}%", "ru": "{}\u00a0%", "kk": "{}\u00a0%"}


def format_percent_value(percent, *, digits: int = 0, signed: bool = False, language: str | None = None) -> str:
    """A value already in percent (12.345 -> "12%"), rounded half up; signed: "+12%" / "−3%"."""
    value = _to_decimal(percent)
    if value is None:
        return ""
    value = round_half_up(value, digits)
    with _In(language):
        text = format_number(abs(value) if signed else value, digits)
        if signed and value != 0:
            text = ("+" if value > 0 else "\u2212") + text
        return _PERCENT[page_language()].format(text)


def format_percent(fraction, *, digits: int = 0, signed: bool = False, language: str | None = None) -> str:
    """A share (0.8125) as a percentage ("81%", "81 %"), rounded half up: the one percentage rule."""
    value = _to_decimal(fraction)
    if value is None:
        return ""
    return format_percent_value(value * 100, digits=digits, signed=signed, language=language)


def format_count(n: int, singular: str, plural: str, *, language: str | None = None, **extra) -> str:
    """"1 flag", "5 flags" (ngettext, so Russian gets its four forms): the message holds %(n)s.

    `format_count` is an xgettext keyword of this project (core/management/commands/makemessages.py),
    so `format_count(n, "%(n)s flag", "%(n)s flags")` is extracted for translation like ngettext.
    """
    with _In(language):
        return ngettext(singular, plural, n) % {"n": format_number(n), **extra}


def plural_noop(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural pair for extraction without translating it (the plural gettext_noop); pass the pair to
    `format_count` later. `plural_noop` is an xgettext keyword of this project like `format_count`."""
    return singular, plural


# --- Names before codes ------------------------------------------------------------------------------

NAMES_RECHECK_SECONDS = 5  # how stale another process's change may look
NAMES_MAX_AGE_SECONDS = 300  # reload even if no change was heard of (bulk updates send no signal)
_VERSION_KEY = "core.text.names.version"

Names = Mapping[str, str]  # data language (en, ru, zh, kk) -> name; "" for a stored name (plus its translations, if any)
Lookup = Callable[[Collection[Hashable] | None], Mapping[Hashable, Names]]


@dataclass
class _Kind:
    lookup: Lookup
    load_all: bool
    names: dict = field(default_factory=dict)
    complete: bool = False
    loaded_at: float = 0.0


_REGISTRY: dict[str, _Kind] = {}
_LOCK = threading.RLock()
_state = {"version": None, "checked": 0.0}


def register_names(kind: str, lookup: Lookup, *, load_all: bool = True, models: Iterable = ()) -> None:
    """Register where the names of a kind of thing come from (called from an AppConfig.ready).

    `lookup(keys)` returns {key: {language: name}} for the given keys, or for every key when keys is
    None. With load_all, the first use loads every name of the kind in one query (occupations,
    regions, colleges: hundreds to thousands of rows); otherwise names are read for the keys asked
    (`prime_names` reads a whole page's in one query). Saving or deleting one of `models` calls
    names_changed().
    """
    from django.db.models.signals import post_delete, post_save

    with _LOCK:
        _REGISTRY[kind] = _Kind(lookup=lookup, load_all=load_all)
    for model in models:
        uid = f"core.text.names:{kind}:{model._meta.label}"
        post_save.connect(_changed_receiver, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(_changed_receiver, sender=model, weak=False, dispatch_uid=uid + ":delete")


def _changed_receiver(sender, **kwargs):
    names_changed()


def names_changed() -> None:
    """Forget every cached name, here and (through the cache) in the other processes."""
    from django.core.cache import cache

    _clear_local()
    try:
        cache.add(_VERSION_KEY, 0, timeout=None)
        _state["version"] = cache.incr(_VERSION_KEY)
    except Exception:  # noqa: BLE001 - a cache down: the other processes reload within NAMES_MAX_AGE_SECONDS
        _state["version"] = None
    _state["checked"] = time.monotonic()


def forget_names() -> None:
    """Forget this process's cached names (tests call it between tests: each has its own data)."""
    _clear_local()
    _state["checked"] = 0.0


def _clear_local() -> None:
    with _LOCK:
        for entry in _REGISTRY.values():
            entry.names = {}
            entry.complete = False
            entry.loaded_at = 0.0


def _check_fresh() -> None:
    now = time.monotonic()
    if now - _state["checked"] < NAMES_RECHECK_SECONDS:
        return
    _state["checked"] = now
    from django.core.cache import cache

    try:
        version = cache.get(_VERSION_KEY)
    except Exception:  # noqa: BLE001 - fails open like core.cache
        version = None
    if version != _state["version"]:
        _state["version"] = version
        _clear_local()
        return
    with _LOCK:
        for entry in _REGISTRY.values():
            if entry.loaded_at and now - entry.loaded_at > NAMES_MAX_AGE_SECONDS:
                entry.names, entry.complete, entry.loaded_at = {}, False, 0.0


def _entry(kind: str) -> _Kind | None:
    _check_fresh()
    return _REGISTRY.get(kind)


def names_for(kind: str, keys: Iterable[Hashable]) -> dict[Hashable, Names]:
    """The names of these keys (one query at most for the missing ones); unknown keys are absent."""
    entry = _entry(kind)
    if entry is None:
        return {}
    keys = [key for key in keys if key is not None and key != ""]
    with _LOCK:
        if entry.load_all and not entry.complete:
            entry.names = {key: dict(names) for key, names in entry.lookup(None).items()}
            entry.complete = True
            entry.loaded_at = time.monotonic()
        elif not entry.load_all:
            missing = {key for key in keys if key not in entry.names}
            if missing:
                found = entry.lookup(missing)
                for key in missing:
                    entry.names[key] = dict(found.get(key) or {})  # {} remembers "no such thing"
                entry.loaded_at = entry.loaded_at or time.monotonic()
        names = entry.names
    return {key: names[key] for key in keys if names.get(key)}


def prime_names(kind: str, keys: Iterable[Hashable]) -> None:
    """Read the names of a page's keys in one query before rendering its rows one by one."""
    names_for(kind, keys)


def name_in(names: Names | None, language: str | None = None) -> tuple[str, str | None]:
    """(name, the data language it is in) by the reader's fallback chain; ("", None) when none."""
    if not names:
        return "", None
    if "" in names:  # a name stored in one language (a college's, a program's title), translated or not
        wanted = data_language(language)
        return (names[wanted], None) if names.get(wanted) else (names[""], None)
    for lang in NAME_FALLBACKS[data_language(language)]:
        if names.get(lang):
            return names[lang], lang
    for lang, name in names.items():
        if name:
            return name, lang
    return "", None


@dataclass(frozen=True)
class Name:
    """A name as shown: its text, its code, and the language it is in when that is not the reader's."""

    text: str
    code: str
    fallback_language: str | None = None  # data language (en/ru/zh/kk) of a fallback name

    @property
    def found(self) -> bool:
        return self.text != self.code

    def __str__(self) -> str:
        return self.text

    @property
    def label(self) -> str:
        return label(self.text, self.code)


def label(text: str, code: str) -> str:
    """"Name (code)"; the code alone when there is no name."""
    if not text or text == code:
        return str(code)
    return f"{text} ({code})"


# Where PostgreSQL has ICU, names are sorted by its collation of the reader's language (Chinese by
# pinyin, Russian and Kazakh by their alphabets, case ignored first). Elsewhere sort_key does what
# it can in Python.
ICU_COLLATIONS = {"en": "en-x-icu", "ru": "ru-x-icu", "kk": "kk-x-icu", "zh": "zh-x-icu"}
_icu_found: dict[str, bool] = {}

# The order of the letters where Unicode's differs from the alphabet's: Russian ё sorted as е (as
# dictionaries do), Kazakh's own letters (ә, ғ, қ, ң, ө, ұ, ү, һ, і) among the Russian ones rather
# than after я.
_ALPHABETS = {
    "ru": "абвгдежзийклмнопрстуфхцчшщъыьэюя",
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
}
_ALPHABET_KEYS = {lang: {ch: chr(0xE000 + i) for i, ch in enumerate(letters)} for lang, letters in _ALPHABETS.items()}
_ALPHABET_KEYS["ru"]["ё"] = _ALPHABET_KEYS["ru"]["е"]


def sort_key(name: str, *, language: str | None = None) -> str:
    """What to sort names by without ICU: case-insensitive, Cyrillic in the reader's alphabet. Latin
    sorts before Cyrillic; Chinese by Unicode's radical-and-stroke order (no pinyin table here)."""
    folded = (name or "").casefold()
    keys = _ALPHABET_KEYS.get(data_language(language))
    if keys is None:
        return folded
    return "".join(keys.get(ch, ch) for ch in folded)


def _icu_collation(language: str | None) -> str | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    collation = ICU_COLLATIONS[data_language(language)]
    if collation not in _icu_found:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [collation])
            _icu_found[collation] = cursor.fetchone() is not None
    return collation if _icu_found[collation] else None


def sorted_by_name(items: Iterable, name: Callable, *, code: Callable | None = None,
                   language: str | None = None) -> list:
    """`items` in the order of their names as the reader reads them, then by code: a list of
    colleges, regions or programs reads in the order the reader expects. One query to PostgreSQL's
    ICU collation of the reader's language (for a list of names, not a table), else sort_key."""
    items = list(items)
    names = [str(name(item)) for item in items]
    codes = [str(code(item)) if code else "" for item in items]
    collation = _icu_collation(language) if items else None
    if collation is None:
        order = sorted(range(len(items)), key=lambda i: (sort_key(names[i], language=language), codes[i]))
        return [items[i] for i in order]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(  # the collation's name comes from ICU_COLLATIONS, never from a request
            "SELECT n FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(name, code, n) "
            f'ORDER BY name COLLATE "{collation}", code, n', [names, codes])
        return [items[n - 1] for (n,) in cursor.fetchall()]


def _name(kind: str, key: Hashable, code: str, language: str | None) -> Name:
    if key is None or key == "":
        return Name("", "")
    names = names_for(kind, [key]).get(key)
    text, lang = name_in(names, language)
    if not text:
        return Name(code, code)
    wanted = data_language(language)
    return Name(text, code, lang if lang not in (None, wanted) else None)


def occupation(code: str | None, *, language: str | None = None) -> Name:
    return _name("occupation", code, code or "", language)


def occupation_name(code: str | None, *, language: str | None = None) -> str:
    """The unit group's title in the reader's language (else Russian for Kazakh, else English), else the code."""
    return occupation(code, language=language).text


def occupation_label(code: str | None, *, language: str | None = None) -> str:
    """"Mobile farm and forestry plant operators (8341)"."""
    return occupation(code, language=language).label


def region(code: str | None, *, language: str | None = None) -> Name:
    return _name("region", code, code or "", language)


def region_name(code: str | None, *, language: str | None = None) -> str:
    return region(code, language=language).text


def region_label(code: str | None, *, language: str | None = None) -> str:
    """"East Kazakhstan Region (KZ-VOS)"."""
    return region(code, language=language).label


def college(code: str | None, *, language: str | None = None) -> Name:
    return _name("college", code, code or "", language)


def college_name(code: str | None, *, language: str | None = None) -> str:
    return college(code, language=language).text


def college_label(code: str | None, *, language: str | None = None) -> str:
    return college(code, language=language).label


def program(college_code: str | None, program_code: str | None, *, language: str | None = None) -> Name:
    code = f"{college_code}/{program_code}" if college_code and program_code else (program_code or "")
    if not (college_code and program_code):
        return Name(code, code)
    return _name("program", (college_code, program_code), code, language)


def program_title(college_code: str | None, program_code: str | None, *, language: str | None = None) -> str:
    """The program's title, else "COLLEGE/PROGRAM"."""
    return program(college_code, program_code, language=language).text


def program_label(college_code: str | None, program_code: str | None, *, language: str | None = None) -> str:
    """"Fruit and vegetable grading and quality control (CN-GS-AVTC/FV-GRADE)"."""
    return program(college_code, program_code, language=language).label


# --- Languages and certifications by name -----------------------------------------------------------

# Language names as they sit inside a sentence ("taught in Russian or Kazakh"; Russian writes them
# in lower case: "русский или казахский"). Codes not listed fall back to Django's language names.
LANGUAGE_NAMES = {
    "en": pgettext_lazy("language name in a sentence", "English"),
    "ru": pgettext_lazy("language name in a sentence", "Russian"),
    "kk": pgettext_lazy("language name in a sentence", "Kazakh"),
    "zh": pgettext_lazy("language name in a sentence", "Chinese"),
    "uz": pgettext_lazy("language name in a sentence", "Uzbek"),
    "ky": pgettext_lazy("language name in a sentence", "Kyrgyz"),
    "tg": pgettext_lazy("language name in a sentence", "Tajik"),
    "tk": pgettext_lazy("language name in a sentence", "Turkmen"),
    "ug": pgettext_lazy("language name in a sentence", "Uyghur"),
    "mn": pgettext_lazy("language name in a sentence", "Mongolian"),
    "tr": pgettext_lazy("language name in a sentence", "Turkish"),
}


def language_name(iso: str, *, language: str | None = None) -> str:
    """"Russian" / "русский" / "俄语" / "орыс тілі" for ru; the code when the language is unknown."""
    code = (iso or "").strip().lower()
    with _In(language):
        if code in LANGUAGE_NAMES:
            return str(LANGUAGE_NAMES[code])
        try:
            return translation.get_language_info(code)["name_translated"]
        except KeyError:
            return code


def languages_phrase(codes: Iterable[str], *, conjunction: str = "or", language: str | None = None) -> str:
    """"Russian or Kazakh", "Russian, Kazakh or Chinese" (conjunction "and": "… and …")."""
    with _In(language):
        names = [language_name(code) for code in dict.fromkeys(c for c in codes if c)]
        return join_phrase(names, conjunction=conjunction)


def join_list(items: Iterable, *, separator: str = "list", language: str | None = None) -> str:
    """Items joined as a list is written, without a conjunction: "a, b, c" / "a、b、c"; separator
    "items" for items that carry codes or commas of their own: "a 1234; b 5678" / "a 1234；b 5678"."""
    with _In(language):
        if separator == "items":
            sep = pgettext("between list items", "; ")
        else:
            sep = pgettext("list separator", ", ")
        return sep.join(str(item) for item in items)


def join_phrase(items: list[str], *, conjunction: str = "or", language: str | None = None) -> str:
    """Items joined as a sentence joins them: "a, b or c" / "a、b或c"."""
    with _In(language):
        items = [str(item) for item in items]
        if not items:
            return ""
        if len(items) == 1:
            return items[0]
        head = pgettext("list separator", ", ").join(items[:-1])
        if conjunction == "and":
            return gettext("%(items)s and %(last)s") % {"items": head, "last": items[-1]}
        return gettext("%(items)s or %(last)s") % {"items": head, "last": items[-1]}


CERTIFICATION_NAMES = {
    "KZ": _("Kazakhstan's national skill assessment"),
    "CN-VSL": _("China's vocational skill level certificate"),
}


def certification_name(code: str, *, language: str | None = None) -> str:
    """"Kazakhstan's national skill assessment" for KZ; an unknown certification by its code."""
    code = (code or "").strip()
    with _In(language):
        known = CERTIFICATION_NAMES.get(code.upper())
        return str(known) if known else code


def certification_label(code: str, *, language: str | None = None) -> str:
    """"Kazakhstan's national skill assessment (KZ)"."""
    return label(certification_name(code, language=language), (code or "").strip())


def certifications_phrase(codes: Iterable[str], *, conjunction: str = "and", language: str | None = None) -> str:
    with _In(language):
        return join_phrase([certification_name(c) for c in dict.fromkeys(c for c in codes if c)], conjunction=conjunction)
