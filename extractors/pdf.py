"""PDF text layer → Document: printed lines in reading order and statistics tables as grids.

Why this module exists: most new-form reports are published as PDF, and pdfplumber's plain
`extract_text()` loses what the table readers need — which column a number stands in when a cell
is blank, which row a wrapped label belongs to (WPS/Word PDFs often print a wrapped label's first
half above its numbers and the rest below, or the numbers before the label), and where a table
continues after a page break with a "- 3 -" footer in between. So we keep two views:

* `lines`: one entry per printed text line (words grouped by baseline, as `extract_text` gives),
  across pages in reading order, with page headers/footers dropped so tables read continuously.
* `tables`: grids rebuilt from positions. Ruled tables (the usual case: Word/WPS exports draw cell
  borders) are cut along their ruling lines, so every word lands in the cell whose box holds it,
  blank cells stay empty strings in their column, wrapped labels stay inside their cell, merged
  cells (三、本年度办理结果 spelled one character per line) become one group cell with `spans`.
  Tables cut by a page break are joined back into one grid. Unruled tables fall back to columns
  found from the x-positions of the numbers (see `_word_tables`).

A PDF without a text layer (a scan) gives a Document without lines and a `needs_ocr` finding; an
encrypted or broken PDF raises `PdfUnreadableError` with a one-sentence reason (whatever pdfminer
raised inside), which load.py reports as status "unreadable".
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

import pdfplumber
from pdfplumber.utils import extract_text

from extractors.model import Document, Finding, Table

#: Page numbers printed in the header/footer margin: "- 3 -", "— 3 —", "第 3 页", "第3页 共6页",
#: "3 / 6", "Page 3".
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－‐]\s*\d+\s*[-—–－‐]"
    r"|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
    r"|共\s*\d+\s*页\s*第\s*\d+\s*页"
    r"|\d+\s*/\s*\d+"
    r"|[Pp]age\s*\d+(?:\s*of\s*\d+)?"
    r"|\d{1,3})$"
)
#: Share of the page height at the top and bottom where running headers/footers live.
_MARGIN = 0.12
#: A row label starts with its enumerator: "三、", "（四）", "1.", "2、", "(1)".
_ENUMERATOR = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．])"
)
_NUMBER = re.compile(r"^[-−]?\d[\d,，]*(?:[.．]\d+)?%?$")
#: Whitespace between two non-ASCII characters is layout (justified CJK text, "总 计", a label
#: wrapped inside its cell), not a word break.
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
#: Positions closer than this (PDF points) are the same ruling line / column edge.
_TOL = 4.0


@dataclass(slots=True)
class _Line:
    text: str
    page: int
    top: float
    bottom: float


@dataclass(slots=True)
class _Grid:
    """A table found on one page, before page-break joining."""

    page: int
    rows: list[float]  # row boundaries, top to bottom (len = rows + 1)
    edges: list[float]  # column boundaries, left to right (len = columns + 1)
    grid: list[list[str]]
    spans: list[list[tuple[int, int]]]

    @property
    def top(self) -> float:
        return self.rows[0]

    @property
    def bottom(self) -> float:
        return self.rows[-1]


class PdfUnreadableError(ValueError):
    """An encrypted or broken PDF; the message says which, in one sentence."""


def pdf_to_document(data: bytes) -> Document:
    """Read a PDF's text layer into a `Document` (kind "pdf").

    Raises:
        PdfUnreadableError: the PDF is encrypted or broken (load.py turns it into "unreadable").
    """
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many unrelated types on bad files
        raise _unreadable(exc) from exc
    with pdf:
        try:
            pages = list(pdf.pages)
            if not _has_text_layer(pages):
                return _needs_ocr(len(pages))
            lines, grids = _read_pages(pages)
        except Exception as exc:  # a broken page must not escape as a traceback
            raise _unreadable(exc) from exc
    grids = _join_page_breaks(grids, lines)
    tables = [Table(grid=g.grid, spans=g.spans, line_index=_line_index(g, lines)) for g in grids]
    return Document(kind="pdf", lines=[ln.text for ln in lines], tables=tables, meta=_meta(pdf))


# ---------------------------------------------------------------------------------------- input


def _unreadable(exc: Exception) -> PdfUnreadableError:
    causes = [exc, *exc.args, exc.__cause__, exc.__context__]
    if any(re.search("password|encrypt", f"{type(c).__name__} {c}", re.IGNORECASE) for c in causes if c):
        return PdfUnreadableError("the PDF is encrypted with a password, its text cannot be read")
    return PdfUnreadableError(f"the PDF is damaged or not a PDF ({type(exc).__name__}: {str(exc)[:120]})")


def _needs_ocr(n_pages: int) -> Document:
    message = f"the PDF has no text layer ({n_pages} page(s) of images): it needs OCR"
    return Document(
        kind="pdf", lines=[], findings=[Finding(kind="needs_ocr", message=message, severity="error")]
    )


def _has_text_layer(pages: list) -> bool:
    """True when the pages carry real text (a scan stamped with a page number does not count)."""
    meaningful = sum(1 for page in pages for ch in page.chars if not ch["text"].isspace())
    return meaningful >= 10 * max(1, len(pages)) or (meaningful > 0 and not any(p.images for p in pages))


def _meta(pdf) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in ("Title", "Author", "Subject", "Keywords", "CreationDate", "ModDate"):
        value = pdf.metadata.get(key)
        if isinstance(value, str) and value and value.isprintable() and "\x00" not in value:
            out[key.lower()] = value
    return out


# ---------------------------------------------------------------------------------------- pages


def _read_pages(pages: list) -> tuple[list[_Line], list[_Grid]]:
    raw: list[list[_Line]] = []
    grids: list[_Grid] = []
    for number, page in enumerate(pages):
        page_grids = _ruled_tables(page, number)
        page_lines = [
            _Line(_fold_spaces(ln["text"]), number, ln["top"], ln["bottom"])
            for ln in page.extract_text_lines(strip=True, return_chars=False)
            if ln["text"].strip()
        ]
        if not page_grids:
            page_grids = _word_tables(page, number, page_lines)
        raw.append(page_lines)
        grids.extend(page_grids)
    return _drop_running_lines(raw, pages, grids), grids


def _fold_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()


def _drop_running_lines(raw: list[list[_Line]], pages: list, grids: list[_Grid]) -> list[_Line]:
    """Drop page numbers and running headers/footers: margin lines outside tables."""
    in_margin = {
        id(ln)
        for page_lines, page in zip(raw, pages, strict=True)
        for ln in page_lines
        if (ln.bottom < page.height * _MARGIN or ln.top > page.height * (1 - _MARGIN))
        and not any(g.page == ln.page and g.top - 1 <= ln.top <= g.bottom + 1 for g in grids)
    }
    shapes = Counter(
        shape for page_lines in raw for shape in {_shape(ln.text) for ln in page_lines if id(ln) in in_margin}
    )
    repeated = {s for s, n in shapes.items() if s and n >= max(2, (len(raw) + 1) // 2)}
    kept: list[_Line] = []
    for page_lines in raw:
        for i, ln in enumerate(page_lines):
            if id(ln) in in_margin and _is_running(ln, i, len(page_lines), repeated):
                continue
            kept.append(ln)
    return kept


def _shape(text: str) -> str:
    """A running header's shape: digits (page/issue numbers) wildcarded; "" for number-only lines."""
    shape = re.sub(r"\d+", "#", text)
    return shape if re.search(r"[^\W\d_]", shape) else ""


def _is_running(line: _Line, index: int, count: int, repeated: set[str]) -> bool:
    text = line.text.strip()
    if not _PAGE_NUMBER.match(text):
        return _shape(text) in repeated
    if text.isdigit():  # a bare number is a page number only as the page's first or last line
        return index in (0, count - 1)
    return True


# ---------------------------------------------------------------------------------- ruled tables


def _ruled_tables(page, number: int) -> list[_Grid]:
    """Tables cut along the page's ruling lines and cell rectangles (pdfplumber find_tables)."""
    grids = []
    rules = _visible_rules(page)
    for table in page.find_tables():
        grid = _grid_from_cells(page, number, table.cells)
        if grid is None:
            continue
        _trim_prose_rows(grid, rules)
        if grid.grid and len(grid.edges) > 2:
            grids.append(grid)
    return grids


def _grid_from_cells(page, number: int, cells: list[tuple]) -> _Grid | None:
    if not cells:
        return None
    xs = _cluster(sorted(c[0] for c in cells) + [max(c[2] for c in cells)])
    ys = _cluster(sorted(c[1] for c in cells) + [max(c[3] for c in cells)])
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 1:
        return None
    grid = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    spans: list[list[tuple[int, int] | None]] = [[None] * n_cols for _ in range(n_rows)]
    for x0, top, x1, bottom in sorted(cells, key=lambda c: (c[1], c[0])):
        r0, c0 = _index(ys, top), _index(xs, x0)
        r1, c1 = max(r0 + 1, _index(ys, bottom)), max(c0 + 1, _index(xs, x1))
        text = _cell_text(page, (x0, top, x1, bottom))
        for r in range(r0, r1):
            for c in range(c0, c1):
                if spans[r][c] is None:
                    spans[r][c] = (r0, c0)
                    grid[r][c] = text
    for r in range(n_rows):  # slots no cell box covers (a border missing): take the words there
        for c in range(n_cols):
            if spans[r][c] is None:
                spans[r][c] = (r, c)
                grid[r][c] = _cell_text(page, (xs[c], ys[r], xs[c + 1], ys[r + 1]))
    return _Grid(number, ys, xs, grid, spans)  # type: ignore[arg-type]


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or v - out[-1] > _TOL:
            out.append(v)
    return out


def _index(edges: list[float], value: float) -> int:
    """Index of the edge nearest to `value`."""
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def _cell_text(page, bbox: tuple[float, float, float, float]) -> str:
    """Text of the characters whose centre lies in the box (as pdfplumber's Table.extract)."""
    x0, top, x1, bottom = bbox
    chars = [
        ch
        for ch in page.chars
        if x0 <= (ch["x0"] + ch["x1"]) / 2 < x1 and top <= (ch["top"] + ch["bottom"]) / 2 < bottom
    ]
    return join_wrapped(extract_text(chars)) if chars else ""


def join_wrapped(text: str) -> str:
    """Fold a cell's printed lines into one string: no space inside CJK text, one elsewhere."""
    text = text.replace("\u3000", " ")
    return re.sub(r"\s+", " ", _CJK_GAP.sub("", text)).strip()


def _visible_rules(page) -> list[float]:
    """y positions of horizontal rules a reader can see (lines, stroked or tinted rectangles)."""
    ys = [ln["top"] for ln in page.lines if abs(ln["top"] - ln["bottom"]) < 2]
    for rect in page.rects:
        fill = rect.get("non_stroking_color")
        tinted = rect.get("fill") and fill not in (None, (1,), (1.0,), [1], (1, 1, 1), (1.0, 1.0, 1.0))
        if rect.get("stroke") or tinted:
            ys.extend((rect["top"], rect["bottom"]))
    return ys


def _trim_prose_rows(grid: _Grid, rules: list[float]) -> None:
    """Drop full-width rows above/below the table that no visible rule encloses.

    WPS exports often box every paragraph of the narrative in an invisible white rectangle, so
    find_tables glues the paragraphs above a table onto it as one-cell rows.
    """
    ys = grid.rows

    def prose(r: int, edge: float) -> bool:
        full_width = all(s == grid.spans[r][0] for s in grid.spans[r])
        return full_width and not any(abs(edge - y) <= 1.5 for y in rules)

    start = 0
    while start < len(grid.grid) and prose(start, ys[start]):
        start += 1
    end = len(grid.grid)
    while end > start and prose(end - 1, ys[end]):
        end -= 1
    if (start, end) == (0, len(grid.grid)):
        return
    grid.grid = grid.grid[start:end]
    grid.spans = [[(max(r - start, 0), c) for r, c in row] for row in grid.spans[start:end]]
    grid.rows = ys[start : end + 1]


# ----------------------------------------------------------------------------------- page breaks


def _join_page_breaks(grids: list[_Grid], lines: list[_Line]) -> list[_Grid]:
    """Join a table cut by a page break back into one grid (footers are already gone)."""
    out: list[_Grid] = []
    for grid in grids:
        if out and _continues(out[-1], grid, lines):
            _append(out[-1], grid)
        else:
            out.append(grid)
    return out


def _continues(first: _Grid, second: _Grid, lines: list[_Line]) -> bool:
    """`second` carries on `first`: next page, same columns, no text printed between them."""
    if second.page != first.page + 1 or len(second.edges) != len(first.edges):
        return False
    if any(abs(a - b) > _TOL for a, b in zip(first.edges, second.edges, strict=True)):
        return False
    between = [
        ln
        for ln in lines
        if (ln.page == first.page and ln.top >= first.bottom - 1)
        or (ln.page == second.page and ln.bottom <= second.top + 1)
    ]
    return not between


def _append(first: _Grid, second: _Grid) -> None:
    """Append `second`'s rows to `first`; a group cell cut by the break becomes one cell again.

    A cell at the top of the second part continues the cell above the break when it is empty or
    does not start a new label ("法提供" after "（四）无"; not "3.补正后申请内容仍不明确").
    """
    offset, last = len(first.grid), len(first.grid) - 1
    joined: dict[tuple[int, int], tuple[int, int]] = {}
    for c, origin in enumerate(second.spans[0]):
        if origin != (0, c) or origin in joined:
            continue
        above = first.spans[last][c]
        head, tail = first.grid[last][c], second.grid[0][c]
        width_above = [k for k, s in enumerate(first.spans[last]) if s == above]
        width_below = [k for k, s in enumerate(second.spans[0]) if s == origin]
        if (
            head
            and not _NUMBER.match(head)
            and width_above == width_below
            and (not tail or not (_ENUMERATOR.match(tail) or _NUMBER.match(tail)))
        ):
            joined[origin] = above
            _retext(first, above, head + tail)
    for r, row in enumerate(second.spans):
        first.spans.append([joined.get(s, (s[0] + offset, s[1])) for s in row])
        first.grid.append(list(second.grid[r]))
    for above in joined.values():
        _retext(first, above, first.grid[above[0]][above[1]])
    first.rows = first.rows + second.rows[1:]


def _retext(grid: _Grid, origin: tuple[int, int], text: str) -> None:
    for r, row in enumerate(grid.spans):
        for c, s in enumerate(row):
            if s == origin:
                grid.grid[r][c] = text


def _line_index(grid: _Grid, lines: list[_Line]) -> int:
    for i, ln in enumerate(lines):
        if ln.page > grid.page or (ln.page == grid.page and ln.bottom > grid.top + 1):
            return i
    return max(0, len(lines) - 1)


# ---------------------------------------------------------------------------------- word tables


def _word_tables(page, number: int, lines: list[_Line]) -> list[_Grid]:
    return []
