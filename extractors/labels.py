"""Label and text normalization shared by every reader: printed labels → comparable keys.

Printed labels of the same row differ in width (（一） vs (一)), dots (1﹒ vs 1. vs 1、), spaces
(Word pads with NBSP and U+3000), colons (其中： vs 其中:) and numbering. Readers match them against
codebook labels and variants, so all of them normalize through the same few functions here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

from extractors.yaml_data import load_yaml

#: Invisible characters Word and CMS editors leave inside labels and numbers.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
#: A line break between two CJK characters is a source-code wrap, not a space (CSS Text 3 rule).
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f\v]*\n\s*(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
_ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH}]")

#: Dots that mean "." in numbering: SMALL FULL STOP, FULLWIDTH FULL STOP, ONE DOT LEADER, middle dots.
#: (NFKC already turns U+FE52 SMALL FULL STOP, U+FF0E and U+2024 into "."; middle dots are left.)
_MIDDLE_DOTS = re.compile("[\u00b7\u30fb]")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
#: Circled numbers would become bare digits under NFKC ("①当面" → "1当面"); keep them numbering.
_CIRCLED_RE = re.compile(f"[{_CIRCLED}]")

_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CN_NUM = "零〇一二两三四五六七八九十"

_CJK_WORD = "\u4e00-\u9fff"
#: Characters that make a leading figure a quantity ("15日内", "2个工作日"), not numbering ("1专职人员数").
_COUNTERS = "年月日个人件条次项天万元号家名位周岁类种倍成余多"
#: Numbering prefixes, most specific first. Applied to NFKC-normalized text (brackets are ASCII).
_NUMBERING = (
    ("item", re.compile(rf"^\s*\(\s*([{_CN_NUM}]+|\d+)\s*\)\s*[、.,:]?\s*")),
    ("section", re.compile(rf"^\s*第?([{_CN_NUM}]+)\s*(?:[、.,:]|部分)\s*")),
    (
        "subitem",
        re.compile(rf"^\s*(\d{{1,2}})(?:\s*[、.,:)]\s*(?=\D)|\s+(?=\D)|(?=[{_CJK_WORD}])(?![{_COUNTERS}]))"),
    ),
)
_LEADING_QIZHONG = re.compile(r"^\s*其中\s*[:,]?\s*")
_NOT_KEY = re.compile(r"[\W_]+")
#: The only CJK ideographs `label_key` may drop from a label: numerals and 第…部分 of its numbering
#: (第二部分, （十一）) and a leading 其中. Readers use it to tell which characters a key must keep.
KEY_DROPPABLE = _CN_NUM + "第部分其中"

Level = Literal["section", "item", "subitem"]


@dataclass(frozen=True, slots=True)
class Numbering:
    """A label's numbering prefix: 一、 (section), （一） (item), 1. / 1、 / ① (subitem)."""

    level: Level
    ordinal: int | None  # 1 for 一/（一）/1./①; None when the numeral is not understood
    text: str  # the prefix as it stands in the normalized label (no spaces), e.g. "(一)"


def fold_whitespace(text: str) -> str:
    """Fold NBSP/U+3000/zero-width characters and runs of whitespace into single spaces, strip ends.

    Regexes, not str.translate: this runs on every text node of every page (Unicode whitespace already
    covers NBSP, U+3000 and the typographic spaces). Most texts only need their ends stripped: once
    stripped, printable text (every character folded or dropped here is non-printable, except the
    ASCII space) without a double space is already folded, and the regexes are skipped.
    """
    stripped = text.strip()
    if stripped.isprintable() and "  " not in stripped:
        return stripped
    text = _ZERO_WIDTH_RE.sub("", text)
    if "\n" in text:
        text = _CJK_BREAK.sub("", text)
    return _SPACES.sub(" ", text).strip()


#: Distinct texts remembered by the label functions: a page's labels recur on every page of the
#: same form, so most calls are repeats (tens of thousands per 15 pages); the bound keeps memory flat.
_CACHE = 1 << 15


@lru_cache(maxsize=_CACHE)
def normalize_label(text: str) -> str:
    """The printed label in a comparable form: NFKC, ASCII brackets/colons/dots, no whitespace,
    simplified characters (mirror pages print the forms in traditional ones).

    Keeps numbering and wording (so 1、 and 1. still differ); see `label_key` for fuzzy matching.
    """
    return _squeeze(_nfkc(text))


def _squeeze(text: str) -> str:
    """Spaces removed, then NFKC again (NFKC turns "¯" into space + combining mark)."""
    if " " in text or not text.isprintable():  # printable text without " " has no whitespace
        text = _SPACES.sub("", text)
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=_CACHE)
def to_simplified(text: str) -> str:
    """Traditional characters (big5 gateways, mirrors) → the simplified ones the codebook uses
    (開→开, 數→数, 請→请). For matching only: labels stay as printed in the rows.

    The one implementation (codebook.to_simplified is this function).
    """
    if _traditional_pattern().search(text) is None:
        return text  # the common case, found by one regex scan in C
    return text.translate(traditional_map())


@cache
def traditional_map() -> dict[int, str]:
    """extractors/data/traditional.yaml as a str.translate table (code point → simplified)."""
    path = resources.files("extractors").joinpath("data/traditional.yaml")
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    if isinstance(data.get("pairs"), str):  # also the compact form "萬万 與与 ...": traditional then simplified
        data = {pair[0]: pair[1] for pair in data["pairs"].split() if len(pair) == 2}
    return {ord(str(k)): str(v) for k, v in data.items() if len(str(k)) == 1 and isinstance(v, str)}


@cache
def _traditional_pattern() -> re.Pattern[str]:
    chars = "".join(sorted(chr(c) for c in traditional_map()))
    return re.compile(f"[{re.escape(chars)}]" if chars else r"(?!)")


@lru_cache(maxsize=_CACHE)
def _nfkc(text: str) -> str:
    """NFKC with dots unified, whitespace folded (single spaces kept: "1 当面" is numbered) and
    traditional characters simplified."""
    if not text.isprintable():  # zero-width characters are not printable: most labels have none
        text = _ZERO_WIDTH_RE.sub("", text)
    text = _CIRCLED_RE.sub(_circled_to_dotted, to_simplified(text))
    text = unicodedata.normalize("NFKC", text)  # also folds NBSP, U+3000 and thin spaces to " "
    if "\u00b7" in text or "\u30fb" in text:
        text = _MIDDLE_DOTS.sub(".", text)
    if text.isprintable() and "  " not in text:  # no whitespace but single spaces: only the ends
        return text.strip()
    return _SPACES.sub(" ", text).strip()


def _circled_to_dotted(match: re.Match[str]) -> str:
    return f"{_CIRCLED.index(match.group(0)) + 1}."


def cn_numeral(text: str) -> int | None:
    """Value of a small Chinese or Arabic numeral (一 → 1, 十二 → 12, 二十一 → 21, 7 → 7)."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_NUM for ch in text):
        return None
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[ch]) for ch in text)) if len(text) <= 3 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


@lru_cache(maxsize=1 << 14)
def numbering_prefix(label: str) -> Numbering | None:
    """The numbering a label starts with, or None."""
    match = _match_numbering(_nfkc(label))
    if match is None:
        return None
    level, found = match
    prefix = _SPACES.sub("", found.group(0))
    return Numbering(level=level, ordinal=cn_numeral(found.group(1)), text=prefix)


def _match_numbering(text: str) -> tuple[Level, re.Match[str]] | None:
    for level, pattern in _NUMBERING:
        found = pattern.match(text)
        if found:
            return level, found  # type: ignore[return-value]
    return None


@lru_cache(maxsize=_CACHE)
def strip_numbering(label: str) -> str:
    """The normalized label without its leading numbering (一、 / （一） / 1. / 1﹒ / 1、 / ①), repeated."""
    return _strip_normalized(_nfkc(label))


def _strip_normalized(text: str) -> str:
    """strip_numbering of a text `_nfkc` already normalized."""
    for _ in range(3):
        match = _match_numbering(text)
        if match is None or match[1].end() >= len(text):
            break
        text = text[match[1].end() :]
    return _squeeze(text)


@lru_cache(maxsize=_CACHE)
def label_key(label: str) -> str:
    """A loose key for matching a printed label to codebook labels and variants.

    Normalized, leading 其中: and numbering dropped, punctuation and symbols removed:
    "其中：1﹒政府网站公开数" and "1、政府网站公开数" both give "政府网站公开数".
    """
    text = _LEADING_QIZHONG.sub("", _nfkc(label))
    # _nfkc is idempotent except on traditional characters NFKC itself produced (compatibility
    # ideographs): only then must the text be normalized again (the hot path of label matching).
    text = _strip_normalized(text if _traditional_pattern().search(text) is None else _nfkc(text))
    text = _LEADING_QIZHONG.sub("", text)
    return _NOT_KEY.sub("", text)
