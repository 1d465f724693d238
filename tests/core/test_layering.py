"""The house's layering, enforced: web -> projects -> gaps/training -> core. A lower app never
imports a higher one (it offers a hook -- a signal or a registry -- instead); and inside matching
the dependency runs one way: gaps.tasks -> gaps.matching.services -> scheduling / persist.

Every import is read from the source (ast), lazy imports inside functions included. Known
exceptions are listed with their reason; a new one must be argued here, never a whole app skipped."""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAYER = {"core": 0, "accounts": 0, "gaps": 1, "training": 1, "projects": 2, "web": 3, "demo": 3, "config": 4}
CHECKED_APPS = ("core", "accounts", "gaps", "training")

# (file, imported module): why it may.
KNOWN_EXCEPTIONS = {
    ("core/permissions.py", "gaps.models"): "who may see what needs the regions and colleges of a user; imported lazily "
                                            "inside the functions (a registry would only hide it); to move with the roles",
    ("core/permissions.py", "training.models"): "as above, for colleges",
    ("core/demo.py", "gaps"): "the demo loads every app's data; being moved to the top-level demo/ app",
    ("core/demo.py", "gaps.models"): "as above",
    ("core/demo.py", "training.models"): "as above",
}

# Inside gaps: (module, must not import, why).
ONE_WAY = [
    ("gaps/matching", "gaps.tasks", "tasks call the services, never the other way (the run sender is registered)"),
    ("gaps/matching/scheduling.py", "gaps.matching.services", "services build on scheduling"),
    ("gaps/matching/persist.py", "gaps.matching.services", "services call persist"),
]


def _imports(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # `from gaps.matching import services` imports gaps.matching.services
                yield node.lineno, f"{module}.{alias.name}"


def _modules(where: str):
    target = ROOT / where
    return [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))


def test_no_app_imports_a_higher_one():
    found = []
    for app in CHECKED_APPS:
        for path in _modules(app):
            rel = str(path.relative_to(ROOT))
            for line, module in _imports(path):
                top = module.split(".")[0]
                if top in LAYER and LAYER[top] > LAYER[app] and (rel, module) not in KNOWN_EXCEPTIONS:
                    # `from gaps import models` is listed by its module; the alias form is the same import.
                    if any((rel, known) in KNOWN_EXCEPTIONS for known in (module.rsplit(".", 1)[0],)):
                        continue
                    found.append(f"{rel}:{line} imports {module}")
    assert found == [], "imports of a higher app (offer a signal or a registry instead):\n" + "\n".join(found)


def test_matching_imports_run_one_way():
    found = []
    for where, forbidden, why in ONE_WAY:
        for path in _modules(where):
            for line, module in _imports(path):
                if module == forbidden or module.startswith(forbidden + "."):
                    found.append(f"{path.relative_to(ROOT)}:{line} imports {module} ({why})")
    assert found == [], "\n".join(found)


def test_the_known_exceptions_are_still_needed():
    """An exception that no longer happens is removed from the list, so the list stays the truth."""
    seen = set()
    for app in CHECKED_APPS:
        for path in _modules(app):
            rel = str(path.relative_to(ROOT))
            seen.update((rel, module) for _line, module in _imports(path))
    stale = [key for key in KNOWN_EXCEPTIONS if (ROOT / key[0]).exists() and key not in seen]
    assert stale == []
