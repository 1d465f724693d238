"""The message catalogues in locale/ are complete, consistent, and compiled.

Runs without GNU gettext: the .po files are read by a small parser here and the .mo files by
Python's own gettext module, which is what a deployment without gettext tools has.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
LANGUAGES = {"en": "en", "zh_Hans": "zh-hans", "ru": "ru", "kk": "kk"}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]*\}")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (dict by plural index or None), flags."""
    entries: list[dict] = []
    entry: dict | None = None
    key = None

    def flush():
        if entry is not None and entry.get("msgid") is not None:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            entry, key = None, None
            continue
        if entry is None:
            entry = {"msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set(), "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$', line):
            name, index, text = match.groups()
            text = bytes(text, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
            if name.startswith("msgstr"):
                key = ("msgstr", int(index) if index is not None else None)
                entry["msgstr"][key[1]] = text
            else:
                key = (name, None)
                entry[name] = text
        elif line.startswith('"'):
            text = bytes(line[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
            if key[0] == "msgstr":
                entry["msgstr"][key[1]] += text
            else:
                entry[key[0]] += text
    flush()
    return [e for e in entries if not e["obsolete"]]


def catalogue(locale_dir: str) -> list[dict]:
    return parse_po(LOCALE / locale_dir / "LC_MESSAGES" / "django.po")


@pytest.mark.parametrize("locale_dir", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(locale_dir):
    entries = catalogue(locale_dir)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert len(messages) > 100
    untranslated = [e["msgid"] for e in messages if not e["msgstr"] or any(not s.strip() for s in e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert untranslated == [], f"{locale_dir}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{locale_dir}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def plural_count(header: dict) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", header["msgstr"][None])
    assert match, "the header has no Plural-Forms with nplurals"
    return int(match.group(1))


@pytest.mark.parametrize("locale_dir", LANGUAGES)
def test_every_plural_entry_has_as_many_forms_as_the_header_says(locale_dir):
    """ru has 4 forms (the 4th for fractions, "1,5 строки"): an entry with 3 makes msgfmt fail."""
    entries = catalogue(locale_dir)
    expected = plural_count(entries[0])
    wrong = [
        (e["msgid"], sorted(e["msgstr"])) for e in entries[1:]
        if e["msgid_plural"] is not None and sorted(e["msgstr"]) != list(range(expected))
    ]
    assert wrong == [], f"{locale_dir}: nplurals={expected}, but {len(wrong)} entries differ, e.g. {wrong[:3]}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("locale_dir", LANGUAGES)
def test_msgfmt_check_accepts_the_catalogue(locale_dir):
    """GNU msgfmt --check: header, plural forms, format strings (what compilemessages runs)."""
    po = LOCALE / locale_dir / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(po)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_all_languages_translate_the_same_messages():
    ids = {loc: {(e["msgid"], e["msgid_plural"]) for e in catalogue(loc)} for loc in LANGUAGES}
    for loc, messages in ids.items():
        assert messages == ids["en"], f"{loc} differs from en: {sorted(messages ^ ids['en'])[:5]}"


@pytest.mark.parametrize("locale_dir", [loc for loc in LANGUAGES if loc != "en"])
def test_translations_keep_their_placeholders(locale_dir):
    for entry in catalogue(locale_dir)[1:]:
        expected = set(PLACEHOLDER.findall(entry["msgid"]))
        for text in entry["msgstr"].values():
            assert set(PLACEHOLDER.findall(text)) == expected, (entry["msgid"], text)


@pytest.mark.parametrize("locale_dir", LANGUAGES)
def test_compiled_mo_matches_the_po(locale_dir):
    """A .po edited without recompiling would silently show old text: compare the two."""
    mo_path = LOCALE / locale_dir / "LC_MESSAGES" / "django.mo"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue(locale_dir)[1:]:
        context = entry.get("msgctxt")
        if entry["msgid_plural"] is None:
            found = compiled.pgettext(context, entry["msgid"]) if context else compiled.gettext(entry["msgid"])
            assert found == entry["msgstr"][None], entry["msgid"]
        else:
            found = (compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], 1) if context
                     else compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1))
            assert found == entry["msgstr"][0], entry["msgid"]


def test_every_translate_tag_of_the_web_templates_is_in_the_catalogue():
    known = {e["msgid"] for e in catalogue("ru")}
    tag = re.compile(r"""\{%\s*translate\s+(["'])(.+?)\1""")
    missing = []
    for template in (ROOT / "web" / "templates").rglob("*.html"):
        for _, text in tag.findall(template.read_text(encoding="utf-8")):
            if text not in known:
                missing.append(f"{template.name}: {text}")
    assert missing == [], "run makemessages and translate: " + "; ".join(missing)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "提交报告"), ("ru", "Отправить отчёт"), ("kk", "Есепті жіберу"), ("en", "Submit report")],
)
def test_django_serves_the_translation(language, expected):
    with translation.override(language):
        assert translation.gettext("Submit report") == expected
