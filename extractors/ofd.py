"""OFD (GB/T 33190, the Chinese fixed-layout format) attachments → Document, like a PDF's text layer.

Why: government offices publish reports as .ofd (the domestic PDF: Suwell/Foxit/WPS exports)
besides PDF and Word. An OFD file is a ZIP of XML: `OFD.xml` → `DocBody/DocRoot` names the
document's `Document.xml`, whose `Pages/Page@BaseLoc` name each page's `Content.xml`. Text is
`TextObject` elements (a `Boundary` box in millimetres, a font `Size`, an optional `CTM`) holding
`TextCode` runs: X/Y of the first glyph's baseline inside the box and `DeltaX` advances
("g 3 3.5" = three advances of 3.5). Producers cut text anywhere: a line per object, a cell per
object, or one object per glyph. So glyphs are placed on the page first, then regrouped the
way pdfplumber groups a PDF's characters: words by small gaps on one baseline, lines by baseline.

From there the table code pdf.py uses builds the grids, fed through a page-like adapter in
points (`page_layout.PageLike`), so OFD tables read exactly as their PDF twins would: tables whose
cell borders are drawn (stroked straight `PathObject` segments) are cut along them with
pdfplumber's edge/intersection finder and `page_layout.grid_from_cells` (merged cells → spans);
text outside them goes to the unruled reader (`word_tables.with_word_tables`: columns from the
numbers' x-positions, wrapped and stacked labels); tables cut by a page break are joined
(`page_breaks.join_tables`). Page numbers in the top/bottom margin are dropped like in pdf.py.
A damaged or oversized package raises `OfdUnreadableError` (load.py: status "unreadable").
"""

from __future__ import annotations

import io
import math
import posixpath
import zipfile
from dataclasses import dataclass
from typing import Any

from lxml import etree
from pdfplumber import table as table_finder

from extractors import docx
from extractors.labels import fold_whitespace
from extractors.model import Document, Finding
from extractors.page_breaks import join_tables
from extractors.page_layout import MARGIN, PAGE_NUMBER, Grid, Line, Word, grid_from_cells, layout_error
from extractors.spreadsheet import zip_member_names
from extractors.word_tables import with_word_tables

Problem = tuple[str, str]
#: Largest uncompressed XML part read, and largest package (a ZIP bomb must not exhaust memory).
MAX_XML_BYTES = 32 * 1024 * 1024
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
MAX_PAGES = 500
MM_TO_PT = 72 / 25.4
#: Glyphs on one baseline closer than this share of the font size belong to one word.
WORD_GAP = 0.3
_DAMAGED = (*docx.DAMAGED_PACKAGE, IndexError)
_INFO = {
    "Title": "ofd_title",
    "Author": "ofd_author",
    "Subject": "ofd_subject",
    "CreationDate": "ofd_creationdate",
    "ModDate": "ofd_moddate",
    "Creator": "ofd_creator",
}
_A4 = (210.0, 297.0)


class OfdUnreadableError(ValueError):
    """The file is an OFD package that cannot be read (message says why)."""


@dataclass(slots=True)
class Glyph:
    """One character placed on the page (millimetres, y downward from the page top)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def size(self) -> float:
        return self.bottom - self.top


# ------------------------------------------------------------------------------------ entry points


def is_ofd(data: bytes) -> bool:
    """A ZIP with an OFD.xml entry file at its root (also when the ZIP is cut short)."""
    return any(name.lstrip("/").lower() == "ofd.xml" for name in zip_member_names(data))


def load(data: bytes) -> tuple[Document | None, Problem] | None:
    """load.py's route: None when `data` is not an OFD file, else (document, problem)."""
    if not is_ofd(data):
        return None
    try:
        doc = ofd_to_document(data)
    except OfdUnreadableError as error:
        return None, ("unreadable", str(error)[:300])
    if not doc.lines:
        return None, ("empty", "the OFD document has no text (scanned pages need OCR)")
    return doc, ("", "")


def ofd_to_document(data: bytes) -> Document:
    """Read an OFD package; raises OfdUnreadableError for damaged or oversized files."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise OfdUnreadableError(
                    f"the OFD document unpacks to more than {MAX_UNZIPPED_BYTES >> 20} MB"
                )
            package = _Package(archive)
            meta, pages = package.read()
    except OfdUnreadableError:
        raise
    except _DAMAGED as error:
        raise OfdUnreadableError(
            f"the OFD document is damaged ({type(error).__name__}: {error})"[:300]
        ) from error
    return _document(pages, meta)


# ------------------------------------------------------------------------------------ package


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: Any, name: str) -> Any:
    return next((e for e in element if _local(e) == name), None)


def _children(element: Any, name: str) -> list[Any]:
    return [e for e in element if _local(e) == name]


def _floats(text: str | None) -> list[float]:
    out = []
    for piece in (text or "").split():
        try:
            out.append(float(piece))
        except ValueError:
            return out
    return out


class _Package:
    """Resolves OFD.xml → Document.xml → page Content.xml inside the ZIP."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = {name.lstrip("/").lower(): name for name in archive.namelist()}

    def xml(self, path: str) -> Any:
        name = self.names.get(posixpath.normpath(path).lstrip("/").lower())
        if name is None:
            raise KeyError(f"the package has no {path}")
        if self.archive.getinfo(name).file_size > MAX_XML_BYTES:
            raise OfdUnreadableError(f"the OFD part {path} is larger than {MAX_XML_BYTES >> 20} MB")
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True
        )
        return etree.fromstring(self.archive.read(name), parser)

    def resolve(self, base: str, location: str) -> str:
        """A part named relative to Document.xml's folder ("/..." from the package root); some
        producers write root-relative names without the slash, so those are tried second."""
        if location.startswith("/"):
            return location
        joined = posixpath.join(base, location)
        if (
            posixpath.normpath(joined).lower() in self.names
            or posixpath.normpath(location).lower() not in self.names
        ):
            return joined
        return location

    def read(self) -> tuple[dict[str, str], list[_Page]]:
        root = self.xml("OFD.xml")
        body = _child(root, "DocBody")
        if body is None:
            raise OfdUnreadableError("the OFD document has no DocBody (not an OFD file)")
        meta = _doc_info(_child(body, "DocInfo"))
        doc_root = _child(body, "DocRoot")
        if doc_root is None or not (doc_root.text or "").strip():
            raise OfdUnreadableError("the OFD document names no DocRoot")
        doc_path = doc_root.text.strip()
        document = self.xml(doc_path)
        base = posixpath.dirname(doc_path.lstrip("/"))
        common = _child(document, "CommonData")
        box = _page_box(_child(common if common is not None else document, "PageArea"))
        pages = []
        page_list = _child(document, "Pages")
        for page in (_children(page_list, "Page") if page_list is not None else [])[:MAX_PAGES]:
            content = self.xml(self.resolve(base, page.get("BaseLoc") or ""))
            area = _child(content, "Area")
            page_box = _page_box(area) if area is not None else box
            pages.append(_Page(page_box[1], *_page_objects(content)))
        return meta, pages


def _doc_info(info: Any) -> dict[str, str]:
    if info is None:
        return {}
    meta = {}
    for element in info:
        key = _INFO.get(_local(element))
        text = fold_whitespace(element.text or "")
        if key and text:
            meta[key] = text
    return meta


def _page_box(area: Any) -> tuple[float, float]:
    """(width, height) of the page in millimetres (A4 when not stated)."""
    physical = _child(area, "PhysicalBox") if area is not None else None
    numbers = _floats(physical.text if physical is not None else None)
    return (numbers[2], numbers[3]) if len(numbers) == 4 and numbers[3] > 0 else _A4


# ------------------------------------------------------------------------------------ glyphs


@dataclass(slots=True)
class _Page:
    height: float  # millimetres
    glyphs: list[Glyph]
    rules: list[tuple[float, float, float, float]]  # stroked straight segments x0, y0, x1, y1 (mm)


def _page_objects(content: Any) -> tuple[list[Glyph], list[tuple[float, float, float, float]]]:
    glyphs: list[Glyph] = []
    rules: list[tuple[float, float, float, float]] = []
    for element in content.iter():
        name = _local(element)
        if name == "TextObject":
            glyphs.extend(_text_object(element))
        elif name == "PathObject" and (element.get("Stroke") or "true").lower() != "false":
            rules.extend(_path_segments(element))
    return glyphs, rules


#: AbstractData operators and their operand counts (GB/T 33190 §9.1): S/M move, L line, Q/B/A curves.
_PATH_OPERANDS = {"S": 2, "M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}


def _path_segments(obj: Any) -> list[tuple[float, float, float, float]]:
    """The straight stroked segments of a path, on the page (curves only move the pen)."""
    box = _floats(obj.get("Boundary"))
    data = _child(obj, "AbstractData")
    if len(box) < 2 or data is None:
        return []
    transform = _transform(obj.get("CTM"), box)
    tokens = (data.text or "").split()
    segments = []
    pen = start = (0.0, 0.0)
    i = 0
    while i < len(tokens) and len(segments) < 10_000:
        op, count = tokens[i], _PATH_OPERANDS.get(tokens[i])
        args = _floats(" ".join(tokens[i + 1 : i + 1 + (count or 0)]))
        if count is None or len(args) < count:
            break
        i += 1 + count
        if op in ("S", "M"):
            pen = start = (args[0], args[1])
        elif op == "C":
            segments.append((*transform(*pen), *transform(*start)))
            pen = start
        else:
            if op == "L":
                segments.append((*transform(*pen), *transform(args[0], args[1])))
            pen = (args[-2], args[-1])
    return segments


def _transform(ctm_text: str | None, box: list[float]) -> Any:
    ctm = _floats(ctm_text)
    a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return lambda x, y: (a * x + c * y + e + box[0], b * x + d * y + f + box[1])


def _text_object(obj: Any) -> list[Glyph]:
    box = _floats(obj.get("Boundary"))
    if len(box) < 2:
        return []
    ctm = _floats(obj.get("CTM"))
    a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    scale = math.sqrt(abs(a * d - b * c)) or 1.0
    size = (_floats(obj.get("Size")) or [3.5])[0]
    glyphs = []
    x = y = 0.0
    for code in _children(obj, "TextCode"):
        text = code.text or ""
        x = (_floats(code.get("X")) or [x])[0]
        y = (_floats(code.get("Y")) or [y])[0]
        dx = _deltas(code.get("DeltaX"))
        dy = _deltas(code.get("DeltaY"))
        for i, char in enumerate(text):
            if not char.isspace():
                px, py = a * x + c * y + e + box[0], b * x + d * y + f + box[1]
                height = size * scale
                width = height * (1.0 if ord(char) > 0x2E7F else 0.5)
                glyphs.append(Glyph(char, px, px + width, py - 0.86 * height, py + 0.14 * height))
            x += dx[i] if i < len(dx) else size * (1.0 if ord(char) > 0x2E7F else 0.5)
            y += dy[i] if i < len(dy) else 0.0
    return glyphs


def _deltas(text: str | None) -> list[float]:
    """DeltaX/DeltaY with the "g N value" repetition expanded."""
    out: list[float] = []
    pieces = (text or "").split()
    i = 0
    while i < len(pieces) and len(out) < 100_000:
        if pieces[i] == "g" and i + 2 < len(pieces):
            count, value = _floats(pieces[i + 1]), _floats(pieces[i + 2])
            out.extend(value * int(min(count[0], 100_000)) if count and value else [])
            i += 3
            continue
        value = _floats(pieces[i])
        out.extend(value)
        i += 1
    return out


# ------------------------------------------------------------------------------------ layout


def _words(glyphs: list[Glyph]) -> list[Word]:
    """Glyphs → words (`page_layout.Word`, as the table code reads a PDF's): same baseline
    (centres within a third of the size), small gaps."""
    words: list[Word] = []
    for line in _baselines(glyphs):
        current: list[Glyph] = []
        for glyph in line:
            if current and glyph.x0 - current[-1].x1 > WORD_GAP * glyph.size:
                words.append(_word(current))
                current = []
            current.append(glyph)
        if current:
            words.append(_word(current))
    return words


def _baselines(items: list[Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for item in sorted(items, key=lambda g: ((g.top + g.bottom) / 2, g.x0)):
        centre = (item.top + item.bottom) / 2
        if rows and abs(centre - (rows[-1][0].top + rows[-1][0].bottom) / 2) <= (item.bottom - item.top) / 3:
            rows[-1].append(item)
        else:
            rows.append([item])
    return [sorted(row, key=lambda g: g.x0) for row in rows]


def _word(glyphs: list[Glyph]) -> Word:
    return Word(
        "".join(g.text for g in glyphs),
        glyphs[0].x0,
        max(g.x1 for g in glyphs),
        min(g.top for g in glyphs),
        max(g.bottom for g in glyphs),
    )


class _PageAdapter:
    """An OFD page as the table code reads a pdfplumber page (`page_layout.PageLike`), in
    points: its height, words and characters; `filter` keeps the objects a predicate accepts."""

    def __init__(self, words: list[dict[str, Any]], chars: list[dict[str, Any]], height: float) -> None:
        self.height = height
        self.words = words
        self.chars = chars

    @classmethod
    def of(cls, page: _Page, words: list[Word]) -> _PageAdapter:
        def pt(o: Any) -> dict[str, Any]:
            x0, x1, top, bottom = (o.x0 * MM_TO_PT, o.x1 * MM_TO_PT, o.top * MM_TO_PT, o.bottom * MM_TO_PT)
            return {
                "text": o.text,
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": bottom,
                "doctop": top,
                "upright": True,
                "width": x1 - x0,
                "height": bottom - top,
                "size": bottom - top,
                "fontname": "",
                "matrix": (1, 0, 0, 1, x0, bottom),
            }

        return cls([pt(w) for w in words], [pt(g) for g in page.glyphs], page.height * MM_TO_PT)

    def extract_words(self, **_: Any) -> list[dict[str, Any]]:
        return self.words

    def filter(self, keep: Any) -> _PageAdapter:
        return _PageAdapter(
            [w for w in self.words if keep(w)], [c for c in self.chars if keep(c)], self.height
        )


def _edges(rules: list[tuple[float, float, float, float]]) -> list[dict[str, Any]]:
    """Horizontal and vertical rules as pdfplumber edges (points)."""
    edges = []
    for x0, y0, x1, y1 in rules:
        x0, y0, x1, y1 = (v * MM_TO_PT for v in (x0, y0, x1, y1))
        if abs(y1 - y0) < 1 and abs(x1 - x0) > 2:
            orientation, box = "h", (min(x0, x1), y0, max(x0, x1), y0)
        elif abs(x1 - x0) < 1 and abs(y1 - y0) > 2:
            orientation, box = "v", (x0, min(y0, y1), x0, max(y0, y1))
        else:
            continue
        edges.append(
            {
                "x0": box[0],
                "top": box[1],
                "x1": box[2],
                "bottom": box[3],
                "width": box[2] - box[0],
                "height": box[3] - box[1],
                "orientation": orientation,
                "object_type": "line",
            }
        )
    return edges


def _ruled_grids(
    page: _PageAdapter, rules: list[tuple[float, float, float, float]], number: int
) -> list[Grid]:
    """Tables cut along their drawn cell borders, as pdf.py cuts a PDF's ruled tables."""
    edges = _edges(rules)
    if len(edges) < 4:
        return []
    merged = table_finder.merge_edges(edges, 3, 3, 3, 3)
    cells = table_finder.intersections_to_cells(table_finder.edges_to_intersections(merged, 3, 3))
    grids = []
    for table in table_finder.cells_to_tables(cells):
        grid = grid_from_cells(page, number, table)
        if grid is not None and grid.grid and len(grid.edges) > 2 and any(any(row) for row in grid.grid):
            grids.append(grid)
    return grids


def _page_grids(page: _Page, words: list[Word], number: int) -> list[Grid]:
    """Ruled tables first; unruled ones from the words outside them (as pdf.py's pages)."""
    adapter = _PageAdapter.of(page, words)
    return with_word_tables(adapter, number, _ruled_grids(adapter, page.rules, number))


def _document(pages: list[_Page], meta: dict[str, str]) -> Document:
    lines: list[Line] = []
    grids: list[Grid] = []
    findings: list[Finding] = []
    for number, page in enumerate(pages):
        words = _words(page.glyphs)
        lines.extend(_page_lines(words, number, page.height))
        try:
            grids.extend(_page_grids(page, words, number))
        except Exception as exc:  # noqa: BLE001 - a layout we did not foresee costs the page's grids
            findings.append(layout_error(f"page {number + 1}: its table grid could not be rebuilt", exc))
    tables = join_tables(grids, lines, findings)
    return Document(kind="ofd", lines=[ln.text for ln in lines], tables=tables, meta=meta, findings=findings)


def _page_lines(words: list[Word], number: int, height_mm: float) -> list[Line]:
    """Printed lines in points (as pdf.py's), page numbers in the margins dropped."""
    out = []
    for row in _baselines(words):
        text = " ".join(w.text for w in row).strip()
        top, bottom = min(w.top for w in row), max(w.bottom for w in row)
        in_margin = bottom < MARGIN * height_mm or top > (1 - MARGIN) * height_mm
        if text and not (in_margin and PAGE_NUMBER.match(text)):
            out.append(Line(text, number, top * MM_TO_PT, bottom * MM_TO_PT))
    return out
