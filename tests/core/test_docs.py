"""docs/ keeps up with the code.

Every management command of the project's own apps has its entry in docs/commands.md, and every
setting that config/settings reads from the environment is mentioned somewhere in docs/, so that
adding a command or a setting without documenting it fails the suite instead of leaving the
documents silently behind. Every relative link of README.md, docs/*.md, bench/README.md and
docker/README.md points to a file that exists and, into a Markdown file, to one of its headings.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR).resolve()
DOCS = ROOT / "docs"
SETTINGS_DIR = ROOT / "config" / "settings"


def docs_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(DOCS.rglob("*.md")))


def project_commands() -> set[str]:
    """Commands that `manage.py help` lists under the project's own apps (not Django's or a library's).

    A project app is a package directly in the repository's root (gaps/, training/, ...); the
    libraries live deeper (.venv/lib/.../site-packages/), even when the virtualenv is inside it.
    """
    own = set()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.parent == ROOT:
            own.add(config.name)
    return {name for name, app in get_commands().items() if app in own}


def _is_environ(node: ast.AST) -> bool:
    """`os.environ` or a bare `environ`."""
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (isinstance(node, ast.Name) and node.id == "environ")


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def env_names(source: str) -> set[str]:
    """The environment variables a settings module reads, found in its syntax tree.

    config/env.py's helpers (`env_str("NAME", ...)`, `env_int`, and any other `env_*`),
    `os.environ.get("NAME")`, `os.environ["NAME"]`, `os.getenv("NAME")`, `"NAME" in os.environ`,
    and `env="NAME"` keywords (dj_database_url.config).
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            func_name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            first = _string(node.args[0]) if node.args else None
            if first and func_name.startswith("env_"):
                names.add(first)
            elif first and isinstance(func, ast.Attribute) and func.attr in {"get", "setdefault", "pop"} and _is_environ(func.value):
                names.add(first)
            elif first and func_name == "getenv":
                names.add(first)
            for keyword in node.keywords:
                if keyword.arg == "env" and _string(keyword.value):
                    names.add(_string(keyword.value))
        elif isinstance(node, ast.Subscript) and _is_environ(node.value) and _string(node.slice):
            names.add(_string(node.slice))
        elif isinstance(node, ast.Compare) and _string(node.left) and any(_is_environ(c) for c in node.comparators):
            names.add(_string(node.left))
    return names


def settings_env_names() -> dict[str, set[str]]:
    """Variable -> the settings files that read it."""
    found: dict[str, set[str]] = {}
    for path in sorted(SETTINGS_DIR.glob("*.py")):
        for name in env_names(path.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(path.name)
    return found


def mentioned(name: str, text: str) -> bool:
    """As a whole word: CACHE_URL is not mentioned by TEST_CACHE_URL."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


# --- the finders find what they must (so an empty list cannot pass for a documented one) ----------


def test_env_names_finds_every_way_the_settings_read_the_environment():
    source = """
import os
import dj_database_url
from config.env import env_bool, env_int, env_str
A = env_str("A_STR", "x")
B = env_int("B_INT", 1)
C = env_country_amounts("C_AMOUNTS", "KZ=1")
D = os.environ.get("D_GET", "")
E = os.environ["E_ITEM"]
F = os.getenv("F_GETENV")
G = "G_IN" in os.environ
H = dj_database_url.config(env="H_URL", default="sqlite://")
os.environ.setdefault("I_SETDEFAULT", "1")
J = int(os.environ.get("J_NESTED", "3")) if os.environ.get("J_COND") == "1" else 0
NOT_ONE = some_call("NOT_AN_ENV_NAME")
"""
    assert env_names(source) == {
        "A_STR", "B_INT", "C_AMOUNTS", "D_GET", "E_ITEM", "F_GETENV", "G_IN", "H_URL", "I_SETDEFAULT",
        "J_NESTED", "J_COND",
    }


def test_the_finders_see_the_real_settings_and_commands():
    names = settings_env_names()
    for expected in ("DATABASE_URL", "SECRET_KEY", "TRUSTED_PROXY_COUNT", "CELERY_BROKER_URL", "EMAIL_FILE_PATH",
                     "SECURE_HSTS_SECONDS", "TALENTGAP_REQUIRE_POSTGRES"):
        assert expected in names, f"{expected} was not found in config/settings/*.py"
    commands = project_commands()
    for expected in ("import_gaps", "import_programs", "match", "mismatches", "load_demo", "refresh_project_results"):
        assert expected in commands, f"{expected} is not among the project's commands {sorted(commands)}"
    # Django's and the libraries' commands are not the project's to document.
    assert not commands & {"migrate", "createsuperuser", "axes_reset", "spectacular", "collectstatic"}


def test_mentioned_is_a_whole_word():
    assert mentioned("CACHE_URL", "set `CACHE_URL` to a Redis")
    assert not mentioned("CACHE_URL", "bin/test reads TEST_CACHE_URL")
    assert not mentioned("MATCH_CHUNKS", "MATCH_CHUNKS_MAX")


# --- the documents ---------------------------------------------------------------------------------


def test_every_command_of_the_project_has_its_entry_in_docs_commands_md():
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    missing = sorted(name for name in project_commands() if not re.search(rf"`{re.escape(name)}(?![A-Za-z0-9_])", text))
    assert not missing, (
        "management commands of the project that docs/commands.md does not document (as `name`): "
        + ", ".join(missing)
    )


def test_every_setting_read_from_the_environment_is_mentioned_in_docs():
    text = docs_text()
    missing = sorted(
        f"{name} ({', '.join(sorted(files))})" for name, files in settings_env_names().items() if not mentioned(name, text)
    )
    assert not missing, (
        "environment variables read in config/settings that docs/ never mentions "
        "(docs/operations.md, 'Every setting read from the environment'): " + ", ".join(missing)
    )


def test_the_index_links_every_document():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    documents = sorted(path.name for path in DOCS.glob("*.md") if path.name != "README.md")
    assert documents, "docs/ has no documents"
    unlinked = [name for name in documents if f"]({name})" not in index]
    assert not unlinked, "docs/README.md does not link: " + ", ".join(unlinked)


# --- relative links ------------------------------------------------------------------------------

LINKED_DOCUMENTS = ("README.md", "docs/*.md", "bench/README.md", "docker/README.md")
_FENCE = re.compile(r"^(```|~~~)")
_LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def markdown_documents() -> list[Path]:
    paths: list[Path] = []
    for pattern in LINKED_DOCUMENTS:
        paths.extend(sorted(ROOT.glob(pattern)))
    return paths


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def heading_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: its text lowercased, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in _prose_lines(path.read_text(encoding="utf-8")):
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        anchor = heading_anchor(match.group(1))
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def relative_links(path: Path) -> list[tuple[int, str]]:
    """(line number, target) of every link in the prose that is not a URL with a scheme."""
    links = []
    for number, line in _prose_lines(path.read_text(encoding="utf-8")):
        prose = re.sub(r"``[^`]*``|`[^`]*`", lambda m: m.group(0) if "](" not in m.group(0) else "", line)
        for target in _LINK.findall(prose):
            if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                links.append((number, target))
    return links


def test_the_link_finders_find_links_and_anchors_as_github_renders_them(tmp_path):
    assert heading_anchor("Faults: what survives what") == "faults-what-survives-what"
    assert heading_anchor("Matching runs (`MatchRun`)") == "matching-runs-matchrun"
    assert heading_anchor('The time zone, and what "today" is') == "the-time-zone-and-what-today-is"
    assert heading_anchor("4. How matching decides") == "4-how-matching-decides"
    assert heading_anchor("Title search accuracy: `search_accuracy.py`") == "title-search-accuracy-search_accuracypy"
    document = tmp_path / "doc.md"
    document.write_text(
        "# Top\n\n## Notes\n\n## Notes\n\n"
        "See [the contract](docs/contract.md#2-who), [`ops`](operations.md), [web](https://example.org/a.md),\n"
        "[mail](mailto:a@b.c) and [here](#notes-1); ![a picture](img.png) is not a link.\n"
        "```\n[not a link](nowhere.md)\n```\n",
        encoding="utf-8",
    )
    assert anchors(document) == {"top", "notes", "notes-1"}
    assert [target for _, target in relative_links(document)] == ["docs/contract.md#2-who", "operations.md", "#notes-1"]


def test_every_relative_link_in_the_documents_points_to_a_file_and_anchor_that_exist():
    documents = markdown_documents()
    assert ROOT / "README.md" in documents and ROOT / "docs" / "contract.md" in documents
    broken = []
    checked = 0
    for document in documents:
        for number, target in relative_links(document):
            checked += 1
            file_part, _, anchor = target.partition("#")
            linked = (document.parent / file_part).resolve() if file_part else document
            where = f"{document.relative_to(ROOT)}:{number}: {target}"
            if not linked.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{where} (no heading with this anchor in {linked.relative_to(ROOT)})")
    assert checked > 20, f"only {checked} relative links found: the finder is broken"
    assert not broken, "relative links that point nowhere:\n" + "\n".join(broken)
