"""Page geometry the two fixed-layout readers share: the boxes text is placed in, and cells → grid.

Why a module of its own: a PDF page (pdfplumber) and an OFD page (glyphs placed from its XML) look
alike once their text is in points — words with boxes, printed lines with a page and a height,
table cells as rectangles. pdf.py and ofd.py both hand these boxes to the same table code (this
module's `grid_from_cells` for ruled tables, word_tables.py for unruled ones, page_breaks.py for
tables cut by a page break), so a report reads the same whether it was published as PDF or OFD,
and a fix to the table code serves both. Nothing here opens a file: it only reads boxes.

What the table code asks of a page is `PageLike`: pdfplumber's `Page` has it, and ofd.py's page
adapter provides it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pdfplumber.utils import extract_text

from extractors.model import Finding

#: Page numbers printed in the header/footer margin: "- 3 -", "— 3 —", "第 3 页", "第3页 共6页",
#: "3 / 6", "Page 3".
PAGE_NUMBER = re.compile(
    r"^(?:[-—–－‐]\s*\d+\s*[-—–－‐]"
    r"|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
    r"|共\s*\d+\s*页\s*第\s*\d+\s*页"
    r"|\d+\s*/\s*\d+"
    r"|[Pp]age\s*\d+(?:\s*of\s*\d+)?"
    r"|\d{1,3})$"
)
#: Share of the page height at the top and bottom where running headers/footers live.
MARGIN = 0.12
#: A printed figure: "12", "1,234", "3.5", "−2", "80%".
NUMBER = re.compile(r"^[-−]?\d[\d,，]*(?:[.．]\d+)?%?$")
#: What forms print in a cell left blank (the word path keeps it in its column; numbers.py reads it).
BLANK_MARK = re.compile(r"^(?:[-—–－/／]{1,2}|无)$")
#: Whitespace between two non-ASCII characters is layout (justified CJK text, "总 计", a label
#: wrapped inside its cell), not a word break.
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
#: Positions closer than this (PDF points) are the same ruling line / column edge.
TOL = 4.0


class PageLike(Protocol):
    """What the table code reads of a page, in points (pdfplumber's `Page`; ofd.py's adapter)."""

    @property
    def height(self) -> float: ...

    @property
    def chars(self) -> list[dict[str, Any]]: ...

    def extract_words(self, **options: Any) -> list[dict[str, Any]]: ...

    def filter(self, keep: Callable[[dict[str, Any]], bool]) -> Any: ...


@dataclass(slots=True)
class Line:
    """A printed text line: its page (from 0) and vertical extent in points, for placing tables."""

    text: str
    page: int
    top: float
    bottom: float


@dataclass(slots=True)
class Grid:
    """A table found on one page, before page-break joining."""

    page: int
    rows: list[float]  # row boundaries, top to bottom (len = rows + 1)
    edges: list[float]  # column boundaries, left to right (len = columns + 1)
    grid: list[list[str]]
    spans: list[list[tuple[int, int]]]
    n_label: int = 0  # leading label columns whose edges come from words, not rules (not compared)
    extents: list[tuple[float, float]] = field(
        default_factory=list
    )  # word grids: numbers' x-range per column

    @property
    def top(self) -> float:
        return self.rows[0]

    @property
    def bottom(self) -> float:
        return self.rows[-1]


@dataclass(slots=True)
class Word:
    """A word's box in points; `on_value_line`: it stands on a line that ends in a table row's
    figures (word_tables.py: a label printed there belongs to that row)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    on_value_line: bool = False

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


#: Row-label enumerators by level (see `label_level`).
_LEVELS = (
    (1, re.compile(r"^[一二三四五六七八九十]+\s*、")),
    (2, re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[)）]")),
    (3, re.compile(r"^\d+\s*[、.．]\D")),
)


def label_level(text: str) -> int:
    """A row label's enumerator level: 1 "一、", 2 "（一）", 3 "1." / "1、", 0 none. The level
    says which labels head groups of rows, in a table read from words and over a page break."""
    return next((level for level, pattern in _LEVELS if pattern.match(text)), 0)


def in_boxes(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    """The object's centre lies in one of the boxes (a ruled table: its words are read there)."""
    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def layout_error(what: str, exc: Exception) -> Finding:
    """A warning for a table layout the code did not foresee: it costs the grids, not the text."""
    message = f"{what} ({type(exc).__name__}: {str(exc)[:120]})"
    return Finding(kind="extraction_error", message=message, severity="warning")


# ------------------------------------------------------------------------------ ruled cells → grid


def grid_from_cells(page: PageLike, number: int, cells: list[tuple]) -> Grid | None:
    """A ruled table's cell rectangles (x0, top, x1, bottom) → its grid on page `number`.

    Every character lands in the cell whose box holds its centre, so a blank cell stays "" in its
    column and a wrapped label stays in its cell; a merged cell fills every slot it covers, with
    `spans` pointing at its top-left slot. None when the cells make no row or column.
    """
    if not cells:
        return None
    xs = _cluster(sorted(c[0] for c in cells) + [max(c[2] for c in cells)])
    ys = _cluster(sorted(c[1] for c in cells) + [max(c[3] for c in cells)])
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 1:
        return None
    chars = _chars_within(page, (xs[0], ys[0], xs[-1], ys[-1]))
    grid = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    spans: list[list[tuple[int, int] | None]] = [[None] * n_cols for _ in range(n_rows)]
    for x0, top, x1, bottom in sorted(cells, key=lambda c: (c[1], c[0])):
        r0, c0 = _index(ys, top), _index(xs, x0)
        r1, c1 = max(r0 + 1, _index(ys, bottom)), max(c0 + 1, _index(xs, x1))
        text = _cell_text(chars, (x0, top, x1, bottom))
        for r in range(r0, r1):
            for c in range(c0, c1):
                if spans[r][c] is None:
                    spans[r][c] = (r0, c0)
                    grid[r][c] = text
    for r in range(n_rows):  # slots no cell box covers (a border missing): take the words there
        for c in range(n_cols):
            if spans[r][c] is None:
                spans[r][c] = (r, c)
                grid[r][c] = _cell_text(chars, (xs[c], ys[r], xs[c + 1], ys[r + 1]))
    return Grid(number, ys, xs, grid, spans)  # type: ignore[arg-type]


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or v - out[-1] > TOL:
            out.append(v)
    return out


def _index(edges: list[float], value: float) -> int:
    """Index of the edge nearest to `value`."""
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def _chars_within(
    page_or_chars: PageLike | list[dict], bbox: tuple[float, float, float, float]
) -> list[dict]:
    """The characters whose centre lies in the box (as pdfplumber's Table.extract decides)."""
    x0, top, x1, bottom = bbox
    chars = page_or_chars if isinstance(page_or_chars, list) else page_or_chars.chars
    return [
        ch
        for ch in chars
        if x0 <= (ch["x0"] + ch["x1"]) / 2 < x1 and top <= (ch["top"] + ch["bottom"]) / 2 < bottom
    ]


def _cell_text(chars: list[dict], bbox: tuple[float, float, float, float]) -> str:
    inside = _chars_within(chars, bbox)
    return join_wrapped(extract_text(inside)) if inside else ""


def join_wrapped(text: str) -> str:
    """Fold a cell's printed lines into one string: no space inside CJK text, one elsewhere."""
    text = text.replace("\u3000", " ")
    return re.sub(r"\s+", " ", _CJK_GAP.sub("", text)).strip()
