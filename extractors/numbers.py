"""Cell text → number: the one place that decides what a printed figure means.

Government tables print the same figure many ways (full-width digits, "1，234", "251000元",
"—" or "无" for nothing). A blank cell must never become 0, and a cell that is not a number must be
told apart from a blank one, so callers can report `missing_value` vs `unparsed_value`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from extractors.labels import fold_whitespace
from extractors.yaml_data import load_yaml

#: Cell texts that mean "nothing printed here" once spaces are removed (legacy.py reads them too).
BLANK_WORDS = frozenset({"", "无", "暂无", "空", "n/a", "na", "null", "none"})
#: Dash/slash characters; a cell made only of these is blank ("—", "——", "-", "/", "--").
BLANK_MARKS = frozenset("-‐‑‒–—―─━ー一/／\\_…·.")
_ENTITIES = re.compile(r"&(?:nbsp|#160|#xa0|ensp|emsp|thinsp);?", re.IGNORECASE)
_MINUS = re.compile("[\u2212\ufe63\u2796]")
_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)(.*)")
_MAX_DIGITS = 30  # longer digit runs are ids or garbage, not statistics
_MAX_CELL = 80  # longer text is a sentence, not a figure (skips NFKC on narrative lines)


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """A parsed cell: `value` None with `blank` True for an empty/dash cell, False for non-numbers."""

    value: int | float | None
    unit: str | None
    raw: str
    blank: bool


@cache
def units() -> frozenset[str]:
    """Units that may follow a figure (extractors/data/units.yaml)."""
    return frozenset(_units_data()["units"])


@cache
def yuan_factors() -> dict[str, int]:
    """Money units → their value in 元, for normalizing 元/万元 cells."""
    return dict(_units_data()["to_yuan"])


@cache
def _units_data() -> dict:
    text = resources.files("extractors").joinpath("data/units.yaml").read_text(encoding="utf-8")
    return load_yaml(text)


#: Distinct cell texts remembered: tables repeat the same few figures ("0", "1", "—") on every page.
_CACHE = 1 << 14


@lru_cache(maxsize=_CACHE)
def parse_number(text: str | None) -> ParsedNumber:
    """Parse one cell's text. Never raises; never returns 0 for a blank cell.

    The result is immutable, so repeated texts share one (cached).
    """
    raw = fold_whitespace(text or "")
    if raw.isdigit() and raw.isascii() and len(raw) <= _MAX_DIGITS:  # plain figure: what the regexes give
        return ParsedNumber(value=int(raw), unit=None, raw=raw, blank=False)
    return _parse_folded(raw)


def _parse_folded(raw: str) -> ParsedNumber:
    """`parse_number` of folded text, by the regexes (any text)."""
    if len(raw) > _MAX_CELL:
        return ParsedNumber(value=None, unit=None, raw=raw, blank=False)
    compact = _compact(raw)
    if _is_blank(compact):
        return ParsedNumber(value=None, unit=None, raw=raw, blank=True)
    match = _NUMBER.fullmatch(compact)
    if match is None:
        return ParsedNumber(value=None, unit=None, raw=raw, blank=False)
    sign, digits, unit = match.groups()
    if unit and unit not in units() or len(digits) > _MAX_DIGITS:
        return ParsedNumber(value=None, unit=None, raw=raw, blank=False)
    return ParsedNumber(value=_to_number(sign, digits), unit=unit or None, raw=raw, blank=False)


def _compact(raw: str) -> str:
    """Entities dropped, NFKC, minus signs unified, no whitespace; each regex only where it can
    change the text (an entity starts with "&", the minus signs are not ASCII)."""
    text = _ENTITIES.sub("", raw) if "&" in raw else raw
    if not text.isascii():
        text = _MINUS.sub("-", unicodedata.normalize("NFKC", text))
    return "".join(text.split())


def _is_blank(compact: str) -> bool:
    if compact.lower() in BLANK_WORDS:
        return True
    return all(ch in BLANK_MARKS for ch in compact) and compact not in {".", "一"}


def _to_number(sign: str, digits: str) -> int | float:
    digits = digits.replace(",", "")
    value: int | float = float(digits) if "." in digits else int(digits)
    return -value if sign == "-" else value
