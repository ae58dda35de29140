"""Word .docx attachment → Document: paragraphs as lines, tables as span-expanded grids.

Many sites publish the annual report as a Word attachment instead of (or besides) a page. A .docx
is a ZIP of XML, so the standard library and lxml read it without Word: `word/document.xml`
holds the body in reading order (paragraphs and tables), merged cells are `gridSpan` (columns)
and `vMerge` (rows, "restart" then continuations), and `docProps/core.xml` has title and dates.
Old binary .doc files are not read (load.py names them in its status message).
"""

from __future__ import annotations

import zipfile
import zlib
from io import BytesIO
from typing import Any

from lxml import etree

from extractors.labels import fold_whitespace
from extractors.model import Document, Table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CORE = {
    "{http://purl.org/dc/elements/1.1/}title": "docx_title",
    "{http://purl.org/dc/elements/1.1/}creator": "docx_creator",
    "{http://purl.org/dc/terms/}created": "docx_created",
    "{http://purl.org/dc/terms/}modified": "docx_modified",
}
#: What a damaged, encrypted or truncated ZIP/XML package raises while being read (OFD too).
DAMAGED_PACKAGE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    etree.XMLSyntaxError,
    KeyError,
    OSError,
    EOFError,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    ValueError,
)
#: Largest uncompressed document.xml read (a ZIP bomb must not exhaust memory).
MAX_XML_BYTES = 64 * 1024 * 1024


class DocxUnreadableError(ValueError):
    """The file is a ZIP but not a readable Word document (message says why)."""


def is_docx(data: bytes) -> bool:
    """A ZIP whose members include word/document.xml."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except DAMAGED_PACKAGE:
        return False


def docx_to_document(data: bytes) -> Document:
    """Read a .docx; raises DocxUnreadableError for damaged or oversized files."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            body = _xml(archive, "word/document.xml")
            core = _xml(archive, "docProps/core.xml") if "docProps/core.xml" in archive.namelist() else None
    except DocxUnreadableError:
        raise
    except DAMAGED_PACKAGE as error:
        raise DocxUnreadableError(
            f"the Word document is damaged ({type(error).__name__}: {error})"[:300]
        ) from error
    reader = _Reader()
    root = body.find(f"{W}body")
    reader.block(root if root is not None else body)
    return Document(kind="docx", lines=reader.lines, tables=reader.tables, meta=_core_meta(core))


def _xml(archive: zipfile.ZipFile, name: str) -> Any:
    if archive.getinfo(name).file_size > MAX_XML_BYTES:
        raise DocxUnreadableError(f"the Word document's {name} is larger than {MAX_XML_BYTES >> 20} MB")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)
    return etree.fromstring(archive.read(name), parser)


def _core_meta(core: Any) -> dict[str, str]:
    if core is None:
        return {}
    meta = {}
    for element in core:
        key = _CORE.get(element.tag)
        text = fold_whitespace(element.text or "")
        if key and text:
            meta[key] = text
    return meta


class _Reader:
    """Walks the body in order: each paragraph a line, each table a grid (its cells lines too)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tables: list[Table | None] = []

    def block(self, container: Any) -> None:
        """Paragraphs and tables of a body, a cell or a content control, in order."""
        for child in container:
            if child.tag == f"{W}p":
                self.lines.extend(_paragraph_lines(child))
            elif child.tag == f"{W}tbl":
                self.table(child)
            elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
                self.block(child)

    def table(self, table: Any) -> None:
        index = len(self.tables)
        self.tables.append(None)  # outer tables before the ones nested in their cells
        first_line = len(self.lines)
        grid: list[list[str]] = []
        spans: list[list[tuple[int, int]]] = []
        for row in table.iter(f"{W}tr"):
            if _owner_table(row) is not table:
                continue
            texts, origins = self._row(row, grid, spans)
            if texts:
                grid.append(texts)
                spans.append(origins)
        _pad(grid, spans)
        self.tables[index] = Table(grid=grid, spans=spans, line_index=first_line)

    def _row(
        self, row: Any, grid: list[list[str]], spans: list[list[tuple[int, int]]]
    ) -> tuple[list[str], list[tuple[int, int]]]:
        r = len(grid)
        texts: list[str] = []
        origins: list[tuple[int, int]] = []
        for cell in row.findall(f"{W}tc"):
            colspan, merge = _cell_properties(cell)
            c = len(texts)
            if merge == "continue" and r > 0 and c < len(grid[r - 1]):
                text, origin = grid[r - 1][c], spans[r - 1][c]  # a vertically merged slot
            else:
                text, origin = self._cell_text(cell), (r, c)
            for _ in range(colspan):
                texts.append(text)
                origins.append(origin)
        return texts, origins

    def _cell_text(self, cell: Any) -> str:
        """The cell's paragraphs joined into one line; nested tables become their own Table."""
        pieces: list[str] = []
        for child in cell:
            if child.tag == f"{W}p":
                pieces.extend(_paragraph_lines(child))
            elif child.tag == f"{W}tbl":
                self._flush_cell(pieces)
                pieces = []
                self.table(child)
        return self._flush_cell(pieces)

    def _flush_cell(self, pieces: list[str]) -> str:
        text = _join(pieces)
        if text:
            self.lines.append(text)
        return text


def _paragraph_lines(paragraph: Any) -> list[str]:
    """A paragraph's text; a manual line break (w:br, w:cr) starts a new line."""
    parts: list[str] = []
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
        tag = node.tag
        if tag == f"{W}t":
            parts.append(node.text or "")
        elif tag == f"{W}tab":
            parts.append(" ")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
        else:
            parts.append("\n")
    return [line for line in (fold_whitespace(raw) for raw in "".join(parts).split("\n")) if line]


def _join(pieces: list[str]) -> str:
    """A cell's paragraphs as one line: "商业"+"企业" → "商业企业", "1"+"2" → "1 2"."""
    text = ""
    for piece in pieces:
        glue = " " if text and _word_char(text[-1]) and _word_char(piece[0]) else ""
        text += glue + piece
    return text


def _word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _cell_properties(cell: Any) -> tuple[int, str | None]:
    """(gridSpan, vMerge state: "restart", "continue" or None)."""
    props = cell.find(f"{W}tcPr")
    if props is None:
        return 1, None
    span = props.find(f"{W}gridSpan")
    merge = props.find(f"{W}vMerge")
    colspan = _int(span.get(f"{W}val")) if span is not None else 1
    state = None if merge is None else (merge.get(f"{W}val") or "continue")
    return max(1, min(colspan, 200)), state


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 5 else 1


def _owner_table(row: Any) -> Any:
    parent = row.getparent()
    while parent is not None and parent.tag != f"{W}tbl":
        parent = parent.getparent()
    return parent


def _pad(grid: list[list[str]], spans: list[list[tuple[int, int]]]) -> None:
    width = max((len(row) for row in grid), default=0)
    for r, (texts, origins) in enumerate(zip(grid, spans, strict=True)):
        origins.extend((r, c) for c in range(len(texts), width))
        texts.extend([""] * (width - len(texts)))
