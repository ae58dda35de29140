"""Excel attachments (.xlsx, .xls) → Document: each sheet a span-expanded grid, its cells lines too.

Why: many sites publish the statistics tables of an annual report as a spreadsheet attached to
the report page (or the whole report as one). The table readers only know `Document`, so a
workbook becomes what an HTML page with one <table> per sheet would give: `tables` = one grid per
sheet with merged ranges expanded like rowspan/colspan (merged text repeated in every slot,
`spans` pointing at the range's top-left cell), `lines` = the cells row by row, one per line,
each merged range once. Hidden sheets are left out (their names go to `meta`, `xlsx_hidden_sheets`).
Rows and columns left entirely empty (spacers, the unused first column
of many exports) are dropped so a grid looks like the printed table.

Cells read as displayed, not as stored: 12.0 → "12", 0.5 in a percent format → "50%", a date
→ "2020-01-15", a formula → its cached value (a workbook saved without one gives a blank cell).
.xlsx is read with openpyxl (cached values, merged ranges), .xls (BIFF, also WPS .et) with xlrd.
An old binary Office file is Excel only when its OLE directory names a Workbook/Book stream
(a Word .doc names WordDocument), so .doc files keep load.py's own message.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from extractors.docx import _join
from extractors.labels import fold_whitespace
from extractors.model import Document, Table

Problem = tuple[str, str]
#: The workbook's total uncompressed size past which it is not opened (a ZIP bomb, not a report).
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
#: Rows/columns read per sheet: a statistics table is far smaller; styled empty cells at
#: XFD1048576 must not make us walk a million rows.
MAX_ROWS = 5000
MAX_COLS = 200
MAX_MERGED_SLOTS = 20_000
#: How far into a damaged ZIP local file headers are looked for.
MAX_SNIFF_BYTES = 4 * 1024 * 1024
_LOCAL_HEADER = re.compile(rb"PK\x03\x04")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL_STREAMS = frozenset({"workbook", "book"})
_META = {"title": "title", "creator": "creator", "created": "created", "modified": "modified"}


class SpreadsheetUnreadableError(ValueError):
    """The file is an Excel workbook that cannot be read (message says why)."""


@dataclass(slots=True)
class Sheet:
    """One sheet as read: displayed cell texts by (row, col) and merged ranges (inclusive)."""

    name: str
    hidden: bool = False  # a hidden sheet (lookup lists, scratch work) is not part of the printed report
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1


# ------------------------------------------------------------------------------------ sniffing


def is_xlsx(data: bytes) -> bool:
    """A ZIP with xl/ members (xl/workbook.xml and its sheets: Office Open XML spreadsheet)."""
    return any(name.startswith("xl/") for name in zip_member_names(data))


def zip_member_names(data: bytes) -> set[str]:
    """The member names of a ZIP; for a truncated one (no central directory), the names its
    local file headers carry, so a cut-off attachment is still named for what it is."""
    if not data.startswith(b"PK\x03\x04"):
        return set()
    with contextlib.suppress(Exception), zipfile.ZipFile(io.BytesIO(data)) as archive:
        return set(archive.namelist())  # any damage: fall back to the local headers
    names = set()
    for match in _LOCAL_HEADER.finditer(data, 0, MAX_SNIFF_BYTES):
        start = match.start()
        size = int.from_bytes(data[start + 26 : start + 28], "little")
        names.add(data[start + 30 : start + 30 + size].decode("utf-8", "replace"))
    return names


def is_xls(data: bytes) -> bool:
    """An OLE compound file whose root directory holds an Excel stream and no Word stream."""
    names = _ole_root_names(data)
    return bool(names & _EXCEL_STREAMS) and "worddocument" not in names


def _ole_root_names(data: bytes) -> set[str]:
    if not data.startswith(_OLE_MAGIC):
        return set()
    from xlrd import compdoc

    try:
        doc = compdoc.CompDoc(data, logfile=io.StringIO())
        root = doc.dirlist[0]
        return {doc.dirlist[i].name.lower() for i in root.children}
    except Exception:  # noqa: BLE001 - a damaged OLE file: look for its directory entries directly
        return _ole_entry_names(data)


def _ole_entry_names(data: bytes) -> set[str]:
    """Stream names in directory entries (128-byte records, UTF-16 name + its byte length)."""
    names = set()
    for name in ("Workbook", "Book", "WordDocument"):
        encoded = name.encode("utf-16-le") + b"\0\0"
        for match in re.finditer(re.escape(encoded), data):
            at = match.start()
            if at % 128 == 0 and data[at + 64 : at + 66] == len(encoded).to_bytes(2, "little"):
                names.add(name.lower())
                break
    return names


def load(data: bytes) -> tuple[Document | None, Problem] | None:
    """load.py's route: None when `data` is no workbook, else (document, problem) like load_document."""
    if is_xlsx(data):
        reader, what = xlsx_to_document, "Excel workbook (.xlsx)"
    elif is_xls(data):
        reader, what = xls_to_document, "Excel workbook (.xls)"
    else:
        return None
    try:
        doc = reader(data)
    except SpreadsheetUnreadableError as error:
        return None, ("unreadable", str(error)[:300])
    if not doc.lines:
        return None, ("empty", f"the {what} has no text in its cells")
    return doc, ("", "")


# ------------------------------------------------------------------------------------- readers


def xlsx_to_document(data: bytes) -> Document:
    """Read an .xlsx; raises SpreadsheetUnreadableError for damaged, encrypted or oversized files."""
    import openpyxl

    _check_zip_size(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
        sheets = [_openpyxl_sheet(ws) for ws in book.worksheets]
        meta = _openpyxl_meta(book)
    except Exception as error:  # openpyxl raises many unrelated types on bad files
        raise SpreadsheetUnreadableError(
            _damaged("Excel workbook (.xlsx, a ZIP of XML parts)", error)
        ) from error
    return _document("xlsx", sheets, meta)


def xls_to_document(data: bytes) -> Document:
    """Read a BIFF .xls; raises SpreadsheetUnreadableError for damaged or encrypted files."""
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, logfile=io.StringIO(), on_demand=True, ragged_rows=True
        )  # ragged: a damaged cell index at column 16000 must not pad every row to it
        sheets = [_xlrd_sheet(book, book.sheet_by_index(i)) for i in range(book.nsheets)]
        meta = {"xls_creator": fold_whitespace(book.user_name or "")}
    except Exception as error:  # xlrd raises many unrelated types on bad files
        raise SpreadsheetUnreadableError(_damaged("Excel workbook (.xls)", error)) from error
    return _document("xls", sheets, {k: v for k, v in meta.items() if v})


def _damaged(what: str, error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    if "encrypt" in text.lower() or "password" in text.lower():
        return f"the {what} is password-protected"
    return f"the {what} is damaged ({text})"[:300]


def _check_zip_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except Exception as error:  # a damaged ZIP raises many types (NotImplementedError, ...)
        raise SpreadsheetUnreadableError(
            _damaged("Excel workbook (.xlsx, a ZIP of XML parts)", error)
        ) from error
    if size > MAX_UNZIPPED_BYTES:
        raise SpreadsheetUnreadableError(
            f"the Excel workbook unpacks to more than {MAX_UNZIPPED_BYTES >> 20} MB; not read"
        )


def _openpyxl_sheet(ws: Any) -> Sheet:
    sheet = Sheet(name=str(ws.title), hidden=getattr(ws, "sheet_state", "visible") != "visible")
    if not hasattr(ws, "merged_cells"):  # a chart sheet
        return sheet
    for cell in _stored_cells(ws):
        if cell.row <= MAX_ROWS and cell.column <= MAX_COLS:
            text = _display(cell.value, cell.number_format or "")
            if text:
                sheet.cells[(cell.row - 1, cell.column - 1)] = text
    sheet.merges = [
        (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges
    ]
    return sheet


def _stored_cells(ws: Any) -> list[Any]:
    """The cells the file stores. A styled empty cell far away (XFD1048576) makes max_row huge;
    walking the grid up to it would create a million cells, so the stored ones are read."""
    stored = getattr(ws, "_cells", None)
    if isinstance(stored, dict):
        return list(stored.values())
    rows, cols = min(ws.max_row or 0, MAX_ROWS), min(ws.max_column or 0, MAX_COLS)
    return [cell for row in ws.iter_rows(min_row=1, max_row=rows, max_col=cols) for cell in row]


def _openpyxl_meta(book: Any) -> dict[str, str]:
    props = book.properties
    meta = {}
    for attr, key in _META.items():
        value = getattr(props, attr, None)
        text = value.isoformat() if isinstance(value, datetime) else fold_whitespace(str(value or ""))
        if text:
            meta[f"xlsx_{key}"] = text
    return meta


def _xlrd_sheet(book: Any, ws: Any) -> Sheet:
    import xlrd

    sheet = Sheet(name=str(ws.name), hidden=bool(getattr(ws, "visibility", 0)))
    for r in range(min(ws.nrows, MAX_ROWS)):
        for c in range(min(ws.row_len(r), MAX_COLS)):
            cell = ws.cell(r, c)
            if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                continue
            text = _xlrd_text(book, cell)
            if text:
                sheet.cells[(r, c)] = text
    sheet.merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in ws.merged_cells]
    return sheet


def _xlrd_text(book: Any, cell: Any) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return _display(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode), "")
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return _display(cell.value, "")
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    return _display(cell.value, _xlrd_format(book, cell))


def _xlrd_format(book: Any, cell: Any) -> str:
    try:
        return book.format_map[book.xf_list[cell.xf_index].format_key].format_str or ""
    except (IndexError, KeyError, AttributeError, TypeError):
        return ""


# ------------------------------------------------------------------------------------ cell text


def _display(value: Any, number_format: str) -> str:
    """A cell's value as the sheet shows it (close enough for numbers and labels)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int | float):
        return _number(float(value), number_format)
    return _join([fold_whitespace(part) for part in str(value).splitlines() if part.strip()])


def _number(value: float, number_format: str) -> str:
    if not math.isfinite(value):
        return ""
    percent = "%" in number_format.replace("\\%", "").replace('"%"', "")
    if percent:
        value *= 100
    decimals = _format_decimals(number_format)
    if decimals is not None and decimals > 0:
        text = f"{value:.{decimals}f}"
    elif value == int(value) and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = f"{round(value, 10):.10f}".rstrip("0").rstrip(".")
    return text + ("%" if percent else "")


def _format_decimals(number_format: str) -> int | None:
    """Fixed decimals a number format prints ("0.00" → 2, "#,##0" → 0, "General" → None)."""
    head = number_format.split(";", 1)[0]
    if "0" not in head:
        return None
    _, dot, tail = head.partition(".")
    return len(tail) - len(tail.lstrip("0")) if dot else 0


# ------------------------------------------------------------------------------------ document


def _document(kind: str, sheets: list[Sheet], meta: dict[str, str]) -> Document:
    lines: list[str] = []
    tables: list[Table] = []
    for sheet in sheets:
        if sheet.hidden:
            continue
        table = _sheet_table(sheet, len(lines))
        if table is None:
            continue
        lines.extend(_cell_lines(table))
        tables.append(table)
    for key, hidden in ((f"{kind}_sheets", False), (f"{kind}_hidden_sheets", True)):
        names = [s.name for s in sheets if s.cells and s.hidden == hidden]
        if names:
            meta[key] = " | ".join(names)
    return Document(kind=kind, lines=lines, tables=tables, meta=meta)  # type: ignore[arg-type]


def _sheet_table(sheet: Sheet, line_index: int) -> Table | None:
    """The sheet's grid with merged ranges expanded, empty rows/columns dropped."""
    if not sheet.cells:
        return None
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in sheet.merges:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_MERGED_SLOTS or r0 >= MAX_ROWS or c0 >= MAX_COLS:
            continue  # a damaged or sheet-wide range, not a table's merged cell
        for r in range(r0, min(r1, MAX_ROWS - 1) + 1):
            for c in range(c0, min(c1, MAX_COLS - 1) + 1):
                origin[(r, c)] = (r0, c0)
    used = {origin.get(key, key) for key in sheet.cells}
    keep_rows = sorted({r for (r, c), o in origin.items() if o in used} | {r for r, _ in used})
    keep_cols = sorted({c for (r, c), o in origin.items() if o in used} | {c for _, c in used})
    row_at = {r: i for i, r in enumerate(keep_rows)}
    col_at = {c: i for i, c in enumerate(keep_cols)}
    grid: list[list[str]] = []
    spans: list[list[tuple[int, int]]] = []
    for r in keep_rows:
        texts, origins = [], []
        for c in keep_cols:
            o = origin.get((r, c), (r, c))
            o = o if o in used else (r, c)  # an empty merged range: blank slots of their own
            texts.append(sheet.cells.get(o, ""))
            origins.append((row_at[o[0]], col_at[o[1]]))
        grid.append(texts)
        spans.append(origins)
    return Table(grid=grid, spans=spans, line_index=line_index)


def _cell_lines(table: Table) -> Iterator[str]:
    """Row by row, one line per cell; a merged range once, at its top-left slot."""
    for r, (texts, origins) in enumerate(zip(table.grid, table.spans, strict=True)):
        for c, text in enumerate(texts):
            if text and origins[c] == (r, c):
                yield text
