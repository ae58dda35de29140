"""PDF text layer → Document: printed lines in reading order and statistics tables as grids.

Why this module exists: most new-form reports are published as PDF, and pdfplumber's plain
`extract_text()` loses what the table readers need — which column a number stands in when a cell
is blank, which row a wrapped label belongs to (WPS/Word PDFs often print a wrapped label's first
half above its numbers and the rest below, or the numbers before the label), and where a table
continues after a page break with a "- 3 -" footer in between. So we keep two views:

* `lines`: one entry per printed text line (words grouped by baseline, as `extract_text` gives),
  across pages in reading order, with page numbers and running headers/footers dropped so tables
  read continuously. A two-column cover (title in large type beside the contents) is read column
  by column, so the title's lines stay together.
* `tables`: grids rebuilt from positions. Ruled tables (the usual case: Word/WPS exports draw cell
  borders) are cut along their ruling lines, so every word lands in the cell whose box holds it,
  blank cells stay empty strings in their column, wrapped labels stay inside their cell, merged
  cells (三、本年度办理结果 spelled one character per line) become one group cell with `spans`.
  Unruled tables get their columns from the x-ranges of the numbers (plus a column head printed
  over no number: a column blank on every row) and their rows from the lines that end in numbers
  (see `_word_tables`). A table cut by a page break is joined back into one grid: column heads
  repeated on the new page are dropped (even when Word cuts their merged cells differently there),
  a group cell cut in two ("（四）无" / "法提供") becomes one again, row labels never join.

A PDF without a usable text layer (a scan, or glyphs without a Unicode map) gives a Document
without lines and a `needs_ocr` finding; an image-only page among text pages adds a `needs_ocr`
warning (a table pasted as a picture). An encrypted or broken PDF raises `PdfUnreadableError`
with a one-sentence reason, which load.py reports as status "unreadable". The document info goes
to `meta` as `pdf_title`, `pdf_author`, `pdf_creationdate`, ... Nothing here prints or writes.
"""

from __future__ import annotations

import contextlib
import copy
import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

import pdfplumber
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text
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
#: What forms print in a cell left blank (the word path keeps it in its column; numbers.py reads it).
_BLANK_MARK = re.compile(r"^(?:[-—–－/／]{1,2}|无)$")
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
    try:
        pages = list(pdf.pages)
        if not _has_text_layer(pages):
            return _needs_ocr(f"the PDF has no text layer ({len(pages)} page(s) of images)")
        if _undecodable(pages):
            return _needs_ocr("the PDF's text cannot be decoded (its fonts carry no Unicode map)")
        findings = [_image_page(n) for n, page in enumerate(pages) if _is_image_page(page)]
        lines, grids = _read_pages(pages, findings)
        meta = _meta(pdf)
    except Exception as exc:  # a broken page must not escape as a traceback
        raise _unreadable(exc) from exc
    finally:
        with contextlib.suppress(Exception):  # closing re-parses the pages of a broken file
            pdf.close()
    grids = _join_safely(grids, lines, findings)
    tables = [Table(grid=g.grid, spans=g.spans, line_index=_line_index(g, lines)) for g in grids]
    return Document(kind="pdf", lines=[ln.text for ln in lines], tables=tables, meta=meta, findings=findings)


# ---------------------------------------------------------------------------------------- input


def _unreadable(exc: Exception) -> PdfUnreadableError:
    causes = [exc, *exc.args, exc.__cause__, exc.__context__]
    if any(re.search("password|encrypt", f"{type(c).__name__} {c}", re.IGNORECASE) for c in causes if c):
        return PdfUnreadableError("the PDF is encrypted with a password, its text cannot be read")
    return PdfUnreadableError(f"the PDF is damaged or not a PDF ({type(exc).__name__}: {str(exc)[:120]})")


def _needs_ocr(why: str) -> Document:
    message = f"{why}: it needs OCR"
    return Document(
        kind="pdf", lines=[], findings=[Finding(kind="needs_ocr", message=message, severity="error")]
    )


def _has_text_layer(pages: list) -> bool:
    """True when the pages carry real text (a scan stamped with a page number does not count)."""
    meaningful = sum(1 for page in pages for ch in page.chars if not ch["text"].isspace())
    return meaningful >= 10 * max(1, len(pages)) or (meaningful > 0 and not any(p.images for p in pages))


def _undecodable(pages: list) -> bool:
    """Most characters come out as "(cid:123)" or private-use code points: the glyphs have no
    Unicode mapping, so the text layer is as good as none."""
    chars = [ch["text"] for page in pages for ch in page.chars if not ch["text"].isspace()]
    return bool(chars) and sum(1 for t in chars if _is_glyph_id(t)) > 0.3 * len(chars)


def _is_glyph_id(text: str) -> bool:
    return text.startswith("(cid:") or any("\ue000" <= ch <= "\uf8ff" for ch in text)


def _is_image_page(page) -> bool:
    """A scanned page inside a PDF that has text elsewhere (often the statistics table)."""
    area = sum((im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) for im in page.images)
    text = sum(1 for ch in page.chars if not ch["text"].isspace())
    return area >= 0.3 * page.width * page.height and text < 20


def _image_page(number: int) -> Finding:
    message = f"page {number + 1} is an image without a text layer: what it shows (a table?) needs OCR"
    return Finding(kind="needs_ocr", message=message, severity="warning")


def _meta(pdf) -> dict[str, str]:
    """The document info as `pdf_title`, `pdf_author`, `pdf_creationdate`, ... (like `html_title`).

    Prefixed because a PDF's info title is often a template's ("政府信息公开工作年度报告", no
    place, no year) and must not pass for a CMS's <meta name="title">.

    WPS writes UTF-16 strings with a byte-order mark, which pdfplumber's metadata shows as
    "ÿþ..." mojibake, so the raw values are decoded here.
    """
    out: dict[str, str] = {}
    for info in pdf.doc.info:
        for key, raw in info.items():
            value = _decode_info(resolve1(raw))
            if key in _INFO_KEYS and value:
                out["pdf_" + key.lower()] = value
    return out


_INFO_KEYS = ("Title", "Author", "Subject", "Keywords", "Creator", "CreationDate", "ModDate")


def _decode_info(value: object) -> str:
    if isinstance(value, bytes):
        if value[:2] in (b"\xfe\xff", b"\xff\xfe"):
            text = value.decode("utf-16", errors="replace")
        else:
            try:
                text = value.decode("utf-8")
            except UnicodeDecodeError:
                text = decode_text(value)
    else:
        text = value if isinstance(value, str) else ""
    text = text.replace("\x00", "").strip()
    return text if text.isprintable() else ""


# ---------------------------------------------------------------------------------------- pages


def _read_pages(pages: list, findings: list[Finding]) -> tuple[list[_Line], list[_Grid]]:
    raw: list[list[_Line]] = []
    grids: list[_Grid] = []
    for number, page in enumerate(pages):
        page_grids = _page_tables(page, number, findings)
        gutter = None if page_grids else _cover_gutter(page)
        parts = [page] if gutter is None else _columns_of(page, gutter)
        page_lines = [
            _Line(_fold_spaces(ln["text"]), number, ln["top"], ln["bottom"])
            for part in parts
            for ln in part.extract_text_lines(strip=True, return_chars=False)
            if ln["text"].strip()
        ]
        raw.append(page_lines)
        grids.extend(page_grids)
    return _drop_running_lines(raw, pages, grids), grids


def _columns_of(page, gutter: float) -> list:
    """The page in reading order: top margin, left column, right column, bottom margin."""
    top, bottom = page.height * _MARGIN, page.height * (1 - _MARGIN)
    boxes = [(0, 0, page.width, top), (0, top, gutter, bottom), (gutter, top, page.width, bottom)]
    boxes.append((0, bottom, page.width, page.height))
    return [page.filter(lambda obj, box=box: _in_boxes(obj, [box])) for box in boxes]


def _cover_gutter(page) -> float | None:
    """The x of the gutter of a two-column page without tables (a cover: the title in large type
    on the left, the contents in small type on the right), else None.

    Read as one column, its lines interleave ("杭州市萧山区 一、总体情况"), which splits the title.
    Only a gutter no word crosses, with text on both sides of several lines, and different type
    sizes on the two sides counts: a list of labels and figures keeps its lines whole.
    """
    body = (page.height * _MARGIN, page.height * (1 - _MARGIN))  # page numbers aside
    words = [w for w in page.extract_words(x_tolerance=2, y_tolerance=3) if body[0] < w["top"] < body[1]]
    if len(words) < 4:
        return None
    for g in range(int(page.width * 0.3), int(page.width * 0.7), 4):
        if any(w["x0"] < g < w["x1"] for w in words):
            continue
        left = [w for w in words if w["x1"] <= g]
        right = [w for w in words if w["x0"] >= g]
        if len(left) < 2 or len(right) < 2:
            continue
        shared = sum(1 for a in left if any(abs(a["top"] - b["top"]) < 4 for b in right))
        size_l = sorted(w["bottom"] - w["top"] for w in left)[len(left) // 2]
        size_r = sorted(w["bottom"] - w["top"] for w in right)[len(right) // 2]
        if shared >= 1 and abs(size_l - size_r) > 0.25 * min(size_l, size_r):
            return float(g)
    return None


def _page_tables(page, number: int, findings: list[Finding]) -> list[_Grid]:
    """The page's table grids: ruled tables, then unruled ones in the text around them.

    A layout we did not foresee costs the page's grids (with a finding), not its text.
    """
    try:
        ruled = _ruled_tables(page, number)
        boxes = [(g.edges[0] - 1, g.top - 1, g.edges[-1] + 1, g.bottom + 1) for g in ruled]
        rest = page.filter(lambda obj: not _in_boxes(obj, boxes)) if boxes else page
        return sorted(ruled + _word_tables(rest, number), key=lambda g: g.top)
    except Exception as exc:  # noqa: BLE001 - the text lines are still read; a finding says what was lost
        findings.append(_layout_error(f"page {number + 1}: its tables could not be rebuilt", exc))
        return []


def _in_boxes(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    """The object's centre lies in one of the boxes (a ruled table: its words are read there)."""
    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _join_safely(grids: list[_Grid], lines: list[_Line], findings: list[Finding]) -> list[_Grid]:
    try:
        return _join_page_breaks(copy.deepcopy(grids), lines)
    except Exception as exc:  # noqa: BLE001 - keep the tables page by page, with a finding
        findings.append(_layout_error("tables cut by page breaks could not be joined", exc))
        return grids


def _layout_error(what: str, exc: Exception) -> Finding:
    message = f"{what} ({type(exc).__name__}: {str(exc)[:120]})"
    return Finding(kind="extraction_error", message=message, severity="warning")


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
    offsets = _page_number_offsets(raw, in_margin)
    kept: list[_Line] = []
    for page_lines in raw:
        for i, ln in enumerate(page_lines):
            if id(ln) in in_margin and _is_running(ln, i, len(page_lines), repeated, offsets):
                continue
            kept.append(ln)
    return kept


def _bare_number_candidates(raw: list[list[_Line]], in_margin: set[int]) -> list[_Line]:
    """Margin lines that are a bare number standing first or last on their page."""
    return [
        ln
        for page_lines in raw
        for i, ln in enumerate(page_lines)
        if id(ln) in in_margin and ln.text.strip().isdigit() and i in (0, len(page_lines) - 1)
    ]


def _page_number_offsets(raw: list[list[_Line]], in_margin: set[int]) -> set[int]:
    """Offsets (printed number − page index) that behave like page numbering.

    A bare number at the foot of a page is either a page number or a table value that happens to
    end the page (an unruled table's last figure). Page numbers step with the pages, so their
    offset repeats from page to page; a lone value's does not. With a single candidate, only a
    number close to its page index counts as a page number.
    """
    candidates = _bare_number_candidates(raw, in_margin)
    counts = Counter(int(ln.text.strip()) - ln.page for ln in candidates)
    if len(candidates) == 1:
        return {o for o in counts if 0 <= o <= 2}
    return {o for o, n in counts.items() if n >= 2}


def _shape(text: str) -> str:
    """A running header's shape: digits (page/issue numbers) wildcarded; "" for number-only lines."""
    shape = re.sub(r"\d+", "#", text)
    return shape if re.search(r"[^\W\d_]", shape) else ""


def _is_running(line: _Line, index: int, count: int, repeated: set[str], offsets: set[int]) -> bool:
    text = line.text.strip()
    if not _PAGE_NUMBER.match(text):
        return _shape(text) in repeated
    if text.isdigit():  # a bare number: first or last on its page, and stepping with the pages
        return index in (0, count - 1) and int(text) - line.page in offsets
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


def _chars_within(page_or_chars, bbox: tuple[float, float, float, float]) -> list[dict]:
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
        if out and grid.page == out[-1].page + 1 and not grid.extents and not out[-1].extents:
            _align_edges(out[-1], grid)
        if out and grid.extents and out[-1].extents and grid.page == out[-1].page + 1:
            if len(grid.extents) < len(out[-1].extents):
                _remap_columns(out[-1], grid)
            elif len(out[-1].extents) < len(grid.extents):
                _remap_columns(grid, out[-1])
        if out and 0 < grid.n_label < out[-1].n_label and _continues(out[-1], grid, lines, padded=True):
            _pad_labels(grid, out[-1].n_label - grid.n_label)
        if out and _continues(out[-1], grid, lines):
            _append(out[-1], grid)
        else:
            out.append(grid)
    return out


def _continues(first: _Grid, second: _Grid, lines: list[_Line], padded: bool = False) -> bool:
    """`second` carries on `first`: next page, same columns, no text printed between them.

    `padded`: compare the value columns only (`second` may lack group label columns).
    """
    values_a, values_b = first.edges[first.n_label :], second.edges[second.n_label :]
    if second.page != first.page + 1 or len(values_a) != len(values_b):
        return False
    if not padded and first.n_label != second.n_label:
        return False
    if first.extents and second.extents:  # word grids: each column's numbers overlap theirs
        pairs = zip(first.extents, second.extents, strict=True)
        if any(min(a[1], b[1]) - max(a[0], b[0]) <= 0 for a, b in pairs):
            return False
    elif any(abs(a - b) > _TOL for a, b in zip(values_a, values_b, strict=True)):
        return False
    between = [
        ln
        for ln in lines
        if (ln.page == first.page and ln.top >= first.bottom - 1)
        or (ln.page == second.page and ln.bottom <= second.top + 1)
    ]
    return all(_repeats_head_text(ln.text, first) for ln in between)


def _repeats_head_text(text: str, grid: _Grid) -> bool:
    """A line above the continued part that repeats a piece of the table's head (the first line
    of a note wrapped over the repeated header row, left out of the rebuilt heads)."""
    folded = re.sub(r"\s+", "", text)
    heads, _ = _head_texts(grid)
    return len(folded) >= 4 and any(folded in cell for column in heads for cell in column)


def _append(first: _Grid, second: _Grid) -> None:
    """Append `second`'s rows to `first`; a group cell cut by the break becomes one cell again.

    A group cell (one with sub-labels to its right, above and below the break) at the top of the
    second part continues the one above the break when it is empty or does not start a new label
    ("法提供" after "（四）无"). Row labels never join: "行政强制" at the top of a page is a new
    row after "行政处罚", and so is "3.补正后申请内容仍不明确".
    """
    _drop_repeated_header(first, second)
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
            and width_above == width_below
            and _heads_sublabels(first.grid[last], width_above, strict=True)
            and _heads_sublabels(second.grid[0], width_below)
            and (not tail or not (_ENUMERATOR.match(tail) or _NUMBER.match(tail)))
        ):
            joined[origin] = above
            _retext(first, above, head + tail)
            joined.update(dict.fromkeys(_unlabelled_run(second, c), above))
    for r, row in enumerate(second.spans):
        first.spans.append([joined.get(s, (s[0] + offset, s[1])) for s in row])
        first.grid.append(list(second.grid[r]))
    for above in joined.values():
        _retext(first, above, first.grid[above[0]][above[1]])
    first.rows = first.rows + second.rows[1:]
    if first.extents and second.extents:
        pairs = zip(first.extents, second.extents, strict=True)
        first.extents = [(min(a[0], b[0]), max(a[1], b[1])) for a, b in pairs]


def _heads_sublabels(row: list[str], width: list[int], strict: bool = False) -> bool:
    """The cell over columns `width` has labels, not values, to its right (a group cell).

    `strict`: the label to its right must be printed (above a break; below it, the sub-label
    cell may itself be an empty continuation).
    """
    right = width[-1] + 1
    if right >= len(row) or _NUMBER.match(row[right]) or _NUMBER.match(row[width[0]]):
        return False
    return not strict or bool(row[right] and not _BLANK_MARK.match(row[right]))


def _drop_repeated_header(first: _Grid, second: _Grid) -> None:
    """Drop the column heads Word repeats at the top of each page ("repeat as header row").

    The repeat is not always a copy of the first page's rows: its merged cells can be cut
    differently (the label column's note over one row instead of three, "自然人" no longer
    spanning two header rows) and the note can wrap differently, so a row counts as repeated
    when every value-column cell it prints (one at least) stands in the same column among the
    first part's heads (its rows above the first number), and no cell is a number.
    """
    heads, values_from = _head_texts(first)
    k = 0
    while k < len(second.grid) - 1 and _repeats_heads(second.grid[k], heads, values_from):
        k += 1
    if k:
        second.grid = second.grid[k:]
        second.spans = [[(max(r - k, 0), c) for r, c in row] for row in second.spans[k:]]
        second.rows = second.rows[k:]


def _head_texts(grid: _Grid) -> tuple[list[set[str]], int]:
    """Per column, the texts of the grid's column heads (its rows above the first number), and
    the first column that holds a number (label columns lie left of it)."""
    heads: list[set[str]] = [set() for _ in range(len(grid.edges) - 1)]
    firsts = [next((c for c, t in enumerate(row) if _NUMBER.match(t)), None) for row in grid.grid]
    numbered = [r for r, c in enumerate(firsts) if c is not None]
    if not numbered:
        return heads, len(heads)
    for row in grid.grid[: numbered[0]]:
        for c, cell in enumerate(row[: len(heads)]):
            heads[c].add(re.sub(r"\s+", "", cell))
    return heads, min(c for c in firsts if c is not None)


def _repeats_heads(row: list[str], heads: list[set[str]], values_from: int) -> bool:
    filled = [(c, re.sub(r"\s+", "", t)) for c, t in enumerate(row) if t.strip()]
    if any(_NUMBER.match(t) or c >= len(heads) for c, t in filled):
        return False
    values = [(c, t) for c, t in filled if c >= values_from]
    return bool(values) and all(t in heads[c] for c, t in values)


def _unlabelled_run(grid: _Grid, c: int) -> list[tuple[int, int]]:
    """Empty group cells under row 0 whose rows go on numbering ("3." after "2."): same group.

    Only word-built grids leave such cells unmerged (a ruled grid draws the merged cell).
    """
    out = []
    for r in range(1, len(grid.grid)):
        row = grid.grid[r]
        nxt = row[c + 1] if c + 1 < len(row) else ""
        if row[c] or grid.spans[r][c] != (r, c) or _level(nxt) != 3 or re.match(r"^1\s*[、.．]", nxt):
            break
        out.append((r, c))
    return out


def _align_edges(first: _Grid, second: _Grid) -> None:
    """Ruled parts of one table can miss a column edge: a part whose rows all span two columns
    (only "（一）予以公开"-like rows above the break) draws no line between them. Split the
    coarser part's columns at the edges the other part has, when all its own edges match."""
    for coarse, fine in ((first, second), (second, first)):
        if len(coarse.edges) >= len(fine.edges):
            continue
        matched = [any(abs(e - f) <= _TOL for f in fine.edges) for e in coarse.edges]
        ends = abs(coarse.edges[0] - fine.edges[0]) <= _TOL and abs(coarse.edges[-1] - fine.edges[-1]) <= _TOL
        if not all(matched) or not ends:
            return
        for x in fine.edges:
            if not any(abs(e - x) <= _TOL for e in coarse.edges):
                _split_column(coarse, x)


def _split_column(grid: _Grid, x: float) -> None:
    c = next(k for k in range(len(grid.edges) - 1) if grid.edges[k] < x < grid.edges[k + 1])
    for r in range(len(grid.grid)):
        shifted = [(a, b + 1 if b > c else b) for a, b in grid.spans[r]]
        grid.spans[r] = shifted[: c + 1] + [shifted[c]] + shifted[c + 1 :]
        grid.grid[r].insert(c + 1, grid.grid[r][c])
    grid.edges.insert(c + 1, x)


def _remap_columns(first: _Grid, second: _Grid) -> None:
    """A word grid whose rows leave some columns blank found fewer columns than the other part of
    its table (over a page break): put each of its columns under the one of `first` its numbers
    overlap (if all do, in order)."""
    target = []
    for a in second.extents:
        hits = [k for k, b in enumerate(first.extents) if min(a[1], b[1]) - max(a[0], b[0]) > 0]
        if len(hits) != 1 or (target and hits[0] <= target[-1]):
            return
        target.append(hits[0])
    n, m = second.n_label, len(first.extents)
    for r, row in enumerate(second.grid):
        values = [""] * m
        for k, c in enumerate(target):
            values[c] = row[n + k]
        second.grid[r] = row[:n] + values
        second.spans[r] = second.spans[r][:n] + [(r, n + c) for c in range(m)]
    second.edges = second.edges[:n] + first.edges[first.n_label :]
    second.extents = list(first.extents)


def _pad_labels(grid: _Grid, k: int) -> None:
    """Give a word-built grid `k` more (group) label columns on the left, as on the page before.

    The page before had group columns (a one-character-per-line stack) that do not reach this
    page: their cells go on down this page until a top-level row ("四、…") spans all labels
    (as repeated column heads do).
    """
    spans: list[list[tuple[int, int]]] = []
    cells: list[list[str]] = []
    heads = next((r for r, row in enumerate(grid.grid) if any(_NUMBER.match(t) for t in row)), 0)

    def widen(origin: tuple[int, int]) -> tuple[int, int]:
        return (origin[0], 0) if origin[1] == k else origin

    for r, row in enumerate(grid.grid):
        shifted = [(a, b + k) for a, b in grid.spans[r]]
        if r < heads or _level(row[grid.n_label - 1]) == 1:  # heads, "四、…": over every label column
            cells.append([row[0]] * k + row)
            spans.append([widen(shifted[0])] * k + [widen(s) for s in shifted])
        else:
            above = spans[-1][:k] if r and cells[-1][0] == "" else [(r, c) for c in range(k)]
            cells.append([""] * k + row)
            spans.append(above + shifted)
    grid.grid, grid.spans = cells, spans
    grid.edges = [grid.edges[0]] * k + grid.edges
    grid.n_label += k


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


@dataclass(slots=True)
class _Word:
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


@dataclass(slots=True)
class _Piece:
    """A row label as printed: its first line and the wrapped lines that go on from it."""

    words: list[_Word]
    level: int  # 1 "一、", 2 "（一）", 3 "1." / "1、", 0 no enumerator (a fragment or a plain label)

    @property
    def text(self) -> str:
        return join_wrapped(" ".join(w.text for w in self.words))

    @property
    def cy(self) -> float:
        return (self.words[0].top + self.words[-1].bottom) / 2


_LEVELS = (
    (1, re.compile(r"^[一二三四五六七八九十]+\s*、")),
    (2, re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[)）]")),
    (3, re.compile(r"^\d+\s*[、.．]\D")),
)


def _level(text: str) -> int:
    return next((level for level, pattern in _LEVELS if pattern.match(text)), 0)


def _word_tables(page, number: int) -> list[_Grid]:
    """Unruled tables: columns from the x-positions of the numbers, rows from the value lines.

    Each line ending in numbers is a table row. The numbers' x-ranges, clustered over the whole
    table, give the value columns, so a blank cell is a column without a number on that line.
    Label fragments printed above/below their value line (wrapped labels) go to the nearest
    value line; the label hierarchy (一、 / （一） / 1.) and a stack of one-character lines
    (三/、/本/年/度…) give the group columns and how many rows each group spans.
    """
    words = [
        _Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"])
        for w in page.extract_words(x_tolerance=2, y_tolerance=3)
        if w["text"].strip()
    ]
    if not words:
        return []
    lines = _word_lines(words)
    height = sorted(w.bottom - w.top for w in words)[len(words) // 2]
    vals = _value_cells_by_line(lines, height)
    grids = []
    for region in _regions(lines, vals, height, page.height):
        grid = _region_grid(number, lines, vals, region, height)
        if grid is not None:
            grids.append(grid)
    return grids


def _word_lines(words: list[_Word]) -> list[list[_Word]]:
    lines: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: (w.cy, w.x0)):
        if lines and abs(word.cy - lines[-1][0].cy) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _value_cells_by_line(lines: list[list[_Word]], height: float) -> list[list[_Word]]:
    """For each line, the value cells it ends with ([] for a line that is not a table row).

    A line ending in two or more cells, or in one number standing well apart from its label, is
    a row. A lone number (a row whose label wraps around it) or one close to its label is a row
    only when a row nearby has a cell at the same x: that is what a column is.
    """
    trailing = [_trailing_cells(line) for line in lines]
    for i in (0, len(lines) - 1):  # "3", "- 3 -", "3 / 6" heading or closing the page: its number
        if _PAGE_NUMBER.match(" ".join(w.text for w in lines[i])):
            trailing[i] = []
    strong = [_strong(line, cells) for line, cells in zip(lines, trailing, strict=True)]
    out = []
    for i, cells in enumerate(trailing):
        if strong[i] or not cells:
            out.append(cells if strong[i] else [])
            continue
        near = [
            j
            for j in range(len(lines))
            if j != i and trailing[j] and abs(lines[j][0].top - lines[i][0].top) < 8 * height
        ]
        aligned = any(_overlaps(cells[-1], cell) for j in near for cell in trailing[j])
        out.append(cells if aligned else [])
    return out


def _trailing_cells(line: list[_Word]) -> list[_Word]:
    """The numbers and blank marks ("—", "/") a line ends with, if one of them is a number."""
    k = len(line)
    while k > 0 and (_NUMBER.match(line[k - 1].text) or _BLANK_MARK.match(line[k - 1].text)):
        k -= 1
    cells = line[k:]
    if not any(_NUMBER.match(w.text) for w in cells):
        return []
    if k and cells[0].x0 - line[k - 1].x1 < 0.3 * (cells[0].bottom - cells[0].top):
        return []  # glued to the text before it: a number in a sentence
    return cells


def _strong(line: list[_Word], cells: list[_Word]) -> bool:
    if len(cells) >= 2:
        return True
    if not cells or len(cells) == len(line):
        return False
    label = line[len(line) - len(cells) - 1]
    return cells[0].x0 - label.x1 > 1.5 * (cells[0].bottom - cells[0].top)


def _overlaps(a: _Word, b: _Word) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0


def _regions(
    lines: list[list[_Word]], vals: list[list[_Word]], height: float, page_height: float
) -> list[list[int]]:
    """Runs of value lines (indices into `lines`) close together and in the same columns."""
    regions: list[list[int]] = []
    for i, line in enumerate(lines):
        if not vals[i]:
            continue
        if regions:
            last = regions[-1][-1]
            left = min(w.x0 for j in regions[-1] for w in vals[j])
            between = lines[last + 1 : i]
            gap = line[0].top - lines[last][0].bottom
            intrudes = any(w.cx > left - 2 for ln in between for w in ln)
            if gap < 8 * height and not intrudes:
                regions[-1].append(i)
                continue
        regions.append([i])
    return [
        r
        for r in regions
        if len(r) >= 2
        or len(vals[r[0]]) >= 3
        or _header_lines(lines, vals, r, vals[r[0]][0].x0 - 2, height)
        or _opens_page(lines, r[0], page_height)
    ]


def _opens_page(lines: list[list[_Word]], first: int, page_height: float) -> bool:
    """The row is the first thing on its page (a running header aside): the last row of a table
    that went over the page break."""
    return all(ln[-1].bottom < _MARGIN * page_height for ln in lines[:first])


def _columns(vals: list[list[_Word]], region: list[int]) -> tuple[list[float], list[tuple[float, float]]]:
    """Value column edges and the numbers' x-range in each: overlapping x-ranges are one column."""
    spans = sorted((w.x0, w.x1) for i in region for w in vals[i])
    clusters: list[list[float]] = []
    for x0, x1 in spans:
        if clusters and x0 <= clusters[-1][1] + 2:
            clusters[-1][1] = max(clusters[-1][1], x1)
        else:
            clusters.append([x0, x1])
    extents = [(a, b) for a, b in clusters]
    return _edges(extents), extents


def _edges(extents: list[tuple[float, float]]) -> list[float]:
    inner = [(a[1] + b[0]) / 2 for a, b in itertools.pairwise(extents)]
    return [extents[0][0] - 2, *inner, extents[-1][1] + 2]


def _blank_columns(
    extents: list[tuple[float, float]], heads: list[_Word], label_right: float
) -> list[tuple[float, float]]:
    """Add the columns left blank on every row: a column head printed over no number, in a gap
    between value columns wide enough for one more (or one pitch beside the first or last
    column, clear of the row labels, which end at `label_right`).

    Without it, a table whose 科研机构 column is empty all year gets six value columns, and every
    row reads as one cell short.
    """
    if len(extents) < 2 or not heads:
        return extents
    centres = [(a + b) / 2 for a, b in extents]
    steps = sorted(b - a for a, b in itertools.pairwise(centres))
    pitch = steps[len(steps) // 4]  # a quartile: blank columns make some steps two pitches wide
    free = sorted(
        (w for w in heads if w.x0 > label_right + 2 and not any(min(w.x1, b) - max(w.x0, a) > 0 for a, b in extents)),
        key=lambda w: w.x0,
    )
    spots: list[list[float]] = []  # [x0, x1, characters]
    for w in free:
        if spots and w.x0 <= spots[-1][1]:
            spots[-1][1] = max(spots[-1][1], w.x1)
            spots[-1][2] += len(w.text)
        else:
            spots.append([w.x0, w.x1, len(w.text)])
    # a head names its column (自然人, 科研机构); one stray character ("等") is a wrapped tail
    added = [(a, b) for a, b, n in spots if n >= 2 and _fits_a_column((a + b) / 2, centres, pitch)]
    return sorted(extents + added)


def _fits_a_column(x: float, centres: list[float], pitch: float) -> bool:
    left = [c for c in centres if c < x]
    right = [c for c in centres if c > x]
    if not left or not right:  # beside the first or the last column
        return 0.6 * pitch <= (right[0] - x if right else x - left[-1]) <= 1.4 * pitch
    return right[0] - left[-1] >= 1.6 * pitch and min(x - left[-1], right[0] - x) >= 0.6 * pitch


def _region_grid(
    number: int, lines: list[list[_Word]], vals: list[list[_Word]], region: list[int], height: float
) -> _Grid | None:
    edges, extents = _columns(vals, region)
    header = _header_lines(lines, vals, region, edges[0], height)
    label_right = max((w.x1 for i in region for w in lines[i] if w not in vals[i]), default=0.0)
    with_heads = _blank_columns(extents, [w for i in header for w in lines[i]], label_right)
    if len(with_heads) > len(extents):
        edges, extents = _edges(with_heads), with_heads
    first, last = region[0], region[-1]
    lo = max(header[-1] + 1 if header else 0, first - 2)
    around = [
        i
        for i in range(lo, min(len(lines), last + 3))
        if first <= i <= last or (not vals[i] and _near(lines, i, first, last, height))
    ]
    labels = [
        _Word(w.text, w.x0, w.x1, w.top, w.bottom, i in region)
        for i in around
        for w in lines[i]
        if w.x1 <= edges[0] + 2 and not (i in region and w in vals[i])
    ]
    centers = [vals[i][0].cy for i in region]
    stack, rest = _stack(labels, height)
    body = _label_cells(_pieces(_segments(rest, height), height, centers), stack, centers)
    n_label = len(body[0])
    grid = [cells + _value_cells(vals[i], edges) for cells, i in zip(body, region, strict=True)]
    spans = _spans(grid, n_label)
    head = _header_grid(lines, header, edges, n_label)
    spans = _spans(head, n_label, across=True) + [[(r + len(head), c) for r, c in row] for row in spans]
    top = min([w.top for i in header for w in lines[i]] + [w.top for i in around for w in lines[i]]) - 1
    bottom = max(w.bottom for i in around for w in lines[i]) + 1
    rows = [top] * (len(head) + 1) + [(a + b) / 2 for a, b in itertools.pairwise(centers)] + [bottom]
    label_edges = [edges[0] - 1] * n_label
    return _Grid(number, rows, label_edges + edges, head + grid, spans, n_label=n_label, extents=extents)


def _near(lines: list[list[_Word]], i: int, first: int, last: int, height: float) -> bool:
    """A label line just above the first / below the last value line (a wrapped label)."""
    if i < first:
        return lines[first][0].top - lines[i][-1].bottom < 1.2 * height
    if i > last:
        return lines[i][0].top - lines[last][-1].bottom < 1.2 * height
    return True


def _header_lines(
    lines: list[list[_Word]], vals: list[list[_Word]], region: list[int], left: float, height: float
) -> list[int]:
    """The column header lines right above the first value line (close, some over the values)."""
    out: list[int] = []
    first = region[0]
    i = first - 1
    while (
        i >= 0
        and not vals[i]
        and not any(w.cx > left for w in lines[i])
        and lines[i + 1][0].top - lines[i][0].bottom < 1.2 * height
    ):
        i -= 1  # the first row's own label, wrapped above its numbers
    body = [w for k in range(max(0, first - 2), region[-1] + 1) for w in lines[k]]
    width = max(w.x1 for w in body) - min(w.x0 for w in body)
    pitches = sorted(lines[b][0].top - lines[a][0].top for a, b in itertools.pairwise(region))
    reach = max(3.5 * height, 1.1 * pitches[len(pitches) // 2]) if pitches else 6 * height
    while i >= 0 and len(out) < 8 and not vals[i]:
        below = lines[out[-1]] if out else lines[first]
        if below[0].top - max(w.bottom for w in lines[i]) > reach:
            break
        if any(w.x1 - w.x0 > 0.6 * width or w.text.endswith("。") for w in lines[i]):
            break  # a paragraph of the narrative
        out.append(i)
        i -= 1
    while out and not any(w.cx > left for w in lines[out[-1]]):
        out.pop()
    return sorted(out)


def _stack(words: list[_Word], height: float) -> tuple[list[_Word], list[_Word]]:
    """A group label printed one character per line (三/、/本/年/度/办/理/结/果)."""
    singles = sorted((w for w in words if len(w.text) <= 2), key=lambda w: w.top)
    best: list[_Word] = []
    for seed in singles:
        chain = [seed]
        for w in singles:
            overlap = min(w.x1, seed.x1) - max(w.x0, seed.x0)
            narrow = min(w.x1 - w.x0, seed.x1 - seed.x0)
            if w.top > chain[-1].top and overlap > 0.5 * narrow and w.top - chain[-1].bottom < 2.5 * height:
                chain.append(w)
        if len(chain) > len(best):
            best = chain
    ids = {id(w) for w in best}
    others = [w for w in words if id(w) not in ids]
    # two characters make a stack only as the leftmost column (the end of one cut by a page break)
    leftmost = len(best) == 2 and others and max(w.x1 for w in best) < min(w.x0 for w in others)
    if (len(best) < 3 and not leftmost) or _label_left_of(best, others):
        return [], words
    return best, others


def _label_left_of(stack: list[_Word], others: list[_Word]) -> bool:
    """A label printed left of the stack, within its height: the stack is not the outer group
    column but the centred tails of wrapped labels ("信息" / "制作" / "确" under their rows)."""
    if not stack:
        return False
    x0, top, bottom = min(w.x0 for w in stack), stack[0].top, stack[-1].bottom
    return any(w.x1 <= x0 + 1 and w.bottom > top and w.top < bottom for w in others)


def _pieces(words: list[_Word], height: float, centers: list[float]) -> list[_Piece]:
    """Label lines into labels: an enumerated line starts one; an unnumbered line goes on the one
    just above it in the same column when both belong to the same value line (a wrapped label),
    and starts a label of its own otherwise ("规章" then "行政规范性文件")."""
    pieces: list[_Piece] = []
    numbered = [w for w in words if _level(w.text) == 3]
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        level = _level(word.text)
        host = None
        if level == 0:
            host = next(
                (p for p in reversed(pieces) if _continues_label(p, word, height, centers, numbered)), None
            )
        if host is None:
            pieces.append(_Piece([word], level))
        else:
            host.words.append(word)
    return pieces


def _continues_label(
    piece: _Piece, word: _Word, height: float, centers: list[float], numbered: list[_Word]
) -> bool:
    last = piece.words[-1]
    if word.top - last.bottom >= 2.5 * height or min(word.x1, last.x1) - max(word.x0, last.x0) <= 0:
        return False
    if word.on_value_line and any(w.on_value_line for w in piece.words):
        return False  # each value line has its own label
    in_group_column = bool(numbered) and word.x1 <= min(n.x0 for n in numbered)
    if piece.level == 2 and (
        word.top - last.bottom < 0.8 * height or in_group_column or _beside(piece, numbered)
    ):
        return True  # a group head wrapped in its cell ("（五）不" / "予处理")
    return _nearest(centers, word.cy) == _nearest(centers, piece.cy)


def _beside(piece: _Piece, numbered: list[_Word]) -> bool:
    """The label shares a line with a numbered label to its right: it heads their group."""
    return any(
        n.x0 > w.x1 and min(w.bottom, n.bottom) - max(w.top, n.top) > 0.3 * (w.bottom - w.top)
        for w in piece.words
        for n in numbered
    )


def _nearest(centers: list[float], y: float) -> int:
    return min(range(len(centers)), key=lambda r: abs(centers[r] - y))


def _segments(words: list[_Word], height: float) -> list[_Word]:
    """Words of one line close together are one label ("4.无正当理由大量反复 申请")."""
    out: list[_Word] = []
    for line in _word_lines(words):
        for word in line:
            prev = out[-1] if out else None
            glued = word.x0 - prev.x1 < 0.9 * height if prev else False
            if prev and abs(prev.cy - word.cy) <= 3 and glued and not _level(word.text):
                text = join_wrapped(f"{prev.text} {word.text}")
                on_value_line = prev.on_value_line or word.on_value_line
                out[-1] = _Word(text, prev.x0, word.x1, prev.top, word.bottom, on_value_line)
            else:
                out.append(word)
    return out


def _label_cells(pieces: list[_Piece], stack: list[_Word], centers: list[float]) -> list[list[str]]:
    """Label columns of each value row: [stack group] [（一） group] row label.

    A "（三）不予公开" printed next to numbered rows heads the group of rows from its "1." on; one
    printed on a row of its own ("（一）予以公开") is that row's label over both columns.
    """
    n = len(centers)
    own: list[list[_Piece]] = [[] for _ in range(n)]
    for piece in pieces:
        own[_nearest(centers, piece.cy)].append(piece)
    _return_tails(own)
    numbered = [any(p.level == 3 for p in row) for row in own]

    def heads_group(piece: _Piece, r: int) -> bool:
        leaf_x0 = min((p.words[0].x0 for p in own[r] if p.level == 3), default=0.0)
        left_of_leaf = max(w.x1 for w in piece.words) < leaf_x0
        return numbered[r] and (piece.level == 2 or (piece.level == 0 and left_of_leaf))

    groups = [p for r, row in enumerate(own) for p in row if heads_group(p, r)]
    mid = [""] * n
    for piece in groups:
        for r in _run(own, _nearest(centers, piece.cy)):
            mid[r] = piece.text
    top_level = [any(p.level == 1 for p in row) for row in own]
    cells = []
    for r, row in enumerate(own):
        leaf = join_wrapped(" ".join(p.text for p in row if p not in groups))
        if not groups:
            cells.append([leaf])
        elif top_level[r] or not numbered[r]:
            cells.append([leaf, leaf])
        else:
            cells.append([mid[r], leaf])
        if stack:
            cells[-1].insert(0, cells[-1][0] if top_level[r] else "")
    if stack:
        text = join_wrapped("".join(w.text for w in stack))
        for r in _stack_rows(stack, centers, top_level):
            cells[r][0] = text
    return cells


def _return_tails(own: list[list[_Piece]]) -> None:
    """A label starts with its enumerator ("3、其他"), so an unnumbered fragment printed above it,
    in the same column, is the end of the row above's wrapped label (a tall row's last line can
    lie nearer to the next row's numbers than to its own)."""
    for r in range(1, len(own)):
        heads = [p for p in own[r] if p.level in (1, 3)]
        if not heads:
            continue
        top, x0, x1 = heads[0].words[0].top, heads[0].words[0].x0, max(w.x1 for w in heads[0].words)
        tails = [
            p
            for p in own[r]
            if p.level == 0
            and p.words[-1].bottom <= top
            and min(p.words[0].x1, x1) - max(p.words[0].x0, x0) > 0
        ]
        for piece in tails:
            own[r].remove(piece)
            above = [p for p in own[r - 1] if p.level in (0, 1, 3)]
            if above:
                above[-1].words.extend(piece.words)
            else:
                own[r - 1].append(piece)


def _run(own: list[list[_Piece]], r: int) -> list[int]:
    """Rows of the group around row r: numbered rows from its "1." to before the next "1."."""

    def numbered(k: int) -> bool:
        return any(p.level == 3 for p in own[k])

    def restarts(k: int) -> bool:
        return any(p.level == 3 and re.match(r"^1\s*[、.．]", p.text) for p in own[k])

    start = r
    while start > 0 and numbered(start - 1) and not restarts(start):
        start -= 1
    end = r
    while end + 1 < len(own) and numbered(end + 1) and not restarts(end + 1):
        end += 1
    return list(range(start, end + 1))


def _stack_rows(stack: list[_Word], centers: list[float], top_level: list[bool]) -> list[int]:
    anchors = [r for r, y in enumerate(centers) if stack[0].top - 2 <= y <= stack[-1].bottom + 2]
    if not anchors:
        anchors = [_nearest(centers, (stack[0].top + stack[-1].bottom) / 2)]
    start, end = anchors[0], anchors[-1]
    while start > 0 and not top_level[start - 1]:
        start -= 1
    while end + 1 < len(centers) and not top_level[end + 1]:
        end += 1
    return [r for r in range(start, end + 1) if not top_level[r]]


def _value_cells(numbers: list[_Word], edges: list[float]) -> list[str]:
    cells = [""] * (len(edges) - 1)
    for word in numbers:
        c = max(0, min(len(cells) - 1, sum(1 for e in edges[1:-1] if word.cx > e)))
        cells[c] = f"{cells[c]} {word.text}".strip()
    return cells


def _header_grid(
    lines: list[list[_Word]], header: list[int], edges: list[float], n_label: int
) -> list[list[str]]:
    """Header lines → rows: words wider than a column head a group row; the rest join per column."""
    if not header:
        return []
    n = len(edges) - 1
    label = join_wrapped(" ".join(w.text for i in header for w in lines[i] if w.x1 <= edges[0] + 2))
    group_rows: list[list[str]] = []
    bottom = [""] * n
    for i in header:
        heads = [w for w in lines[i] if w.x1 > edges[0] + 2]
        # a line with a head for most columns is the column heads' line, whatever the overlaps
        wide = [w for w in heads if _crosses_edge(w, edges)] if 2 * len(heads) < n else []
        if wide:
            group_rows.append(_group_row(wide, edges))
        for w in lines[i]:
            if w.x1 > edges[0] + 2 and w not in wide:
                c = max(0, min(n - 1, sum(1 for e in edges[1:-1] if w.cx > e)))
                bottom[c] = join_wrapped(f"{bottom[c]} {w.text}")
    rows = [*group_rows, bottom]
    return [[label] * n_label + [join_wrapped(t) for t in row] for row in rows]


def _crosses_edge(word: _Word, edges: list[float]) -> bool:
    """The word runs over a column edge (or from the labels into the values): a group head."""
    into_labels = word.x0 < edges[0] - 0.5 * (word.x1 - word.x0) < edges[0] < word.x1 - 2
    return into_labels or any(word.x0 + 2 < e < word.x1 - 2 for e in edges[1:-1])


def _group_row(words: list[_Word], edges: list[float]) -> list[str]:
    """A group header is centred over the columns it spans: widen it symmetrically as far as
    its neighbours allow ("行政复议" over 5 columns, "行政诉讼" over the next 10)."""
    n = len(edges) - 1

    def at(x: float) -> float:  # x in column units: 2.5 = the middle of column 2
        c = max(0, min(n - 1, sum(1 for e in edges[1:-1] if x > e)))
        return c + (x - edges[c]) / (edges[c + 1] - edges[c])

    centers = [at(w.cx) for w in words]
    row, left = [""] * n, 0.0
    for k, (word, f) in enumerate(zip(words, centers, strict=True)):
        right = (f + centers[k + 1]) / 2 if k + 1 < len(words) else float(n)
        half = max(0.5, min(f - left, right - f))
        for c in range(n):
            if f - half <= c + 0.5 <= f + half:
                row[c] = word.text
        left = f + half
    return row


def _spans(grid: list[list[str]], n_label: int, across: bool = False) -> list[list[tuple[int, int]]]:
    """Origins of merged label cells: equal neighbours in the label columns (and header rows)."""
    spans = [[(r, c) for c in range(len(row))] for r, row in enumerate(grid)]
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if not text or (c >= n_label and not across):
                continue
            if c > 0 and row[c - 1] == text:
                spans[r][c] = spans[r][c - 1]
            elif r > 0 and grid[r - 1][c] == text and (c < n_label or across):
                spans[r][c] = spans[r - 1][c]
    return spans
