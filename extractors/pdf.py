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
  borders) are found here with pdfplumber and cut along their ruling lines
  (`page_layout.grid_from_cells`), so every word lands in the cell whose box holds it, blank cells
  stay empty strings in their column, wrapped labels stay inside their cell, merged cells
  (三、本年度办理结果 spelled one character per line) become one group cell with `spans`.
  Unruled tables are read from the words' x-positions (word_tables.py), and tables cut by a page
  break are joined back into one grid (page_breaks.py); ofd.py shares both with this module.

This module keeps what is PDF-specific: opening the file with pdfplumber, its document info, the
text-layer checks, the pages' lines and running headers/footers, and finding ruled tables.

A PDF without a usable text layer (a scan, or glyphs without a Unicode map) gives a Document
without lines and a `needs_ocr` finding; an image-only page among text pages adds a `needs_ocr`
warning (a table pasted as a picture). An encrypted or broken PDF raises `PdfUnreadableError`
with a one-sentence reason, which load.py reports as status "unreadable". The document info goes
to `meta` as `pdf_title`, `pdf_author`, `pdf_creationdate`, ... Nothing here prints or writes.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections import Counter

import pdfplumber
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from extractors.model import Document, Finding
from extractors.page_breaks import join_tables
from extractors.page_layout import (
    MARGIN,
    PAGE_NUMBER,
    Grid,
    Line,
    grid_from_cells,
    in_boxes,
    join_wrapped,
    layout_error,
)
from extractors.word_tables import with_word_tables

#: `join_wrapped` is the cell-text folding every table reader shares; callers import it from here.
__all__ = ["PdfUnreadableError", "join_wrapped", "pdf_to_document"]


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
    tables = join_tables(grids, lines, findings)
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


def _read_pages(pages: list, findings: list[Finding]) -> tuple[list[Line], list[Grid]]:
    raw: list[list[Line]] = []
    grids: list[Grid] = []
    for number, page in enumerate(pages):
        page_grids = _page_tables(page, number, findings)
        gutter = None if page_grids else _cover_gutter(page)
        parts = [page] if gutter is None else _columns_of(page, gutter)
        page_lines = [
            Line(_fold_spaces(ln["text"]), number, ln["top"], ln["bottom"])
            for part in parts
            for ln in part.extract_text_lines(strip=True, return_chars=False)
            if ln["text"].strip()
        ]
        raw.append(page_lines)
        grids.extend(page_grids)
    return _drop_running_lines(raw, pages, grids), grids


def _columns_of(page, gutter: float) -> list:
    """The page in reading order: top margin, left column, right column, bottom margin."""
    top, bottom = page.height * MARGIN, page.height * (1 - MARGIN)
    boxes = [(0, 0, page.width, top), (0, top, gutter, bottom), (gutter, top, page.width, bottom)]
    boxes.append((0, bottom, page.width, page.height))
    return [page.filter(lambda obj, box=box: in_boxes(obj, [box])) for box in boxes]


def _cover_gutter(page) -> float | None:
    """The x of the gutter of a two-column page without tables (a cover: the title in large type
    on the left, the contents in small type on the right), else None.

    Read as one column, its lines interleave ("杭州市萧山区 一、总体情况"), which splits the title.
    Only a gutter no word crosses, with text on both sides of several lines, and different type
    sizes on the two sides counts: a list of labels and figures keeps its lines whole.
    """
    body = (page.height * MARGIN, page.height * (1 - MARGIN))  # page numbers aside
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


def _page_tables(page, number: int, findings: list[Finding]) -> list[Grid]:
    """The page's table grids: ruled tables, then unruled ones in the text around them.

    A layout we did not foresee costs the page's grids (with a finding), not its text.
    """
    try:
        return with_word_tables(page, number, _ruled_tables(page, number))
    except Exception as exc:  # noqa: BLE001 - the text lines are still read; a finding says what was lost
        findings.append(layout_error(f"page {number + 1}: its tables could not be rebuilt", exc))
        return []


def _fold_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()


def _drop_running_lines(raw: list[list[Line]], pages: list, grids: list[Grid]) -> list[Line]:
    """Drop page numbers and running headers/footers: margin lines outside tables."""
    in_margin = {
        id(ln)
        for page_lines, page in zip(raw, pages, strict=True)
        for ln in page_lines
        if (ln.bottom < page.height * MARGIN or ln.top > page.height * (1 - MARGIN))
        and not any(g.page == ln.page and g.top - 1 <= ln.top <= g.bottom + 1 for g in grids)
    }
    shapes = Counter(
        shape for page_lines in raw for shape in {_shape(ln.text) for ln in page_lines if id(ln) in in_margin}
    )
    repeated = {s for s, n in shapes.items() if s and n >= max(2, (len(raw) + 1) // 2)}
    offsets = _page_number_offsets(raw, in_margin)
    kept: list[Line] = []
    for page_lines in raw:
        for i, ln in enumerate(page_lines):
            if id(ln) in in_margin and _is_running(ln, i, len(page_lines), repeated, offsets):
                continue
            kept.append(ln)
    return kept


def _bare_number_candidates(raw: list[list[Line]], in_margin: set[int]) -> list[Line]:
    """Margin lines that are a bare number standing first or last on their page."""
    return [
        ln
        for page_lines in raw
        for i, ln in enumerate(page_lines)
        if id(ln) in in_margin and ln.text.strip().isdigit() and i in (0, len(page_lines) - 1)
    ]


def _page_number_offsets(raw: list[list[Line]], in_margin: set[int]) -> set[int]:
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


def _is_running(line: Line, index: int, count: int, repeated: set[str], offsets: set[int]) -> bool:
    text = line.text.strip()
    if not PAGE_NUMBER.match(text):
        return _shape(text) in repeated
    if text.isdigit():  # a bare number: first or last on its page, and stepping with the pages
        return index in (0, count - 1) and int(text) - line.page in offsets
    return True


# ---------------------------------------------------------------------------------- ruled tables


def _ruled_tables(page, number: int) -> list[Grid]:
    """Tables cut along the page's ruling lines and cell rectangles (pdfplumber find_tables)."""
    grids = []
    rules = _visible_rules(page)
    for table in page.find_tables():
        grid = grid_from_cells(page, number, table.cells)
        if grid is None:
            continue
        _trim_prose_rows(grid, rules)
        if grid.grid and len(grid.edges) > 2:
            grids.append(grid)
    return grids


def _visible_rules(page) -> list[float]:
    """y positions of horizontal rules a reader can see (lines, stroked or tinted rectangles)."""
    ys = [ln["top"] for ln in page.lines if abs(ln["top"] - ln["bottom"]) < 2]
    for rect in page.rects:
        fill = rect.get("non_stroking_color")
        tinted = rect.get("fill") and fill not in (None, (1,), (1.0,), [1], (1, 1, 1), (1.0, 1.0, 1.0))
        if rect.get("stroke") or tinted:
            ys.extend((rect["top"], rect["bottom"]))
    return ys


def _trim_prose_rows(grid: Grid, rules: list[float]) -> None:
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
