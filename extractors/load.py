"""Bytes → Document: sniff the kind (HTML, text, PDF, garbage), decode, and reduce to lines + tables.

Every table reader works on the same `Document` whatever the page was, so this module absorbs the
mess of real pages once: wrong or missing charsets (GBK pages labelled utf-8 and the reverse),
Word-pasted markup that splits one number over several spans, layout tables wrapping the whole
page, merged cells, 50 MB pages, PDFs and files that are not pages at all.

Decoding order: BOM > HTTP header charset > <meta> charset > detection, with two corrections
for mislabelled pages: bytes that are valid UTF-8 are read as UTF-8 whatever the label says (GBK
text is practically never valid UTF-8), and bytes that fail the declared codec are tried as
GB18030. gbk/gb2312 are read as their superset gb18030 (as w3lib does).

The HTML tree is built with `lxml.etree.HTMLParser` (BeautifulSoup over lxml gives the same tree
~20x slower) and read in one libxslt pass that prints the visible text with marks for lines,
tables, rows and cells; Python then only handles lines and cells (`_StreamReader`). `_Walker`, the
element-by-element Python walk that defines the result, reads the rare pages the marks cannot
stand for, and the tests check the two agree on random markup.
"""

from __future__ import annotations

import codecs
import functools
import json
import re
import zlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import PurePath
from typing import Any

from lxml import etree

from extractors import docx
from extractors.labels import fold_whitespace
from extractors.model import Document, Finding, Table

Problem = tuple[str, str]
OK: Problem = ("", "")

#: Pages larger than this (after dropping inline base64 images) are cut here, with a finding.
MAX_PAGE_BYTES = 5 * 1024 * 1024
#: Longest merged cell honoured; larger spans are malformed markup, not layout.
MAX_COLSPAN = 200

_HTML_EXTENSIONS = frozenset({".htm", ".html", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php"})
_TEXT_EXTENSIONS = frozenset({".txt", ".text", ".csv", ".tsv"})
_BINARY_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (e.g. .xlsx), not a Word .docx"),
    (b"\xd0\xcf\x11\xe0", "an old binary Office document (.doc/.xls; save it as .docx to read it)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHINESE_ALIASES = frozenset({"gbk", "gb2312", "gb18030", "cp936", "euc-cn", "euccn", "hz-gb-2312"})
#: Labels that Chinese sites put on pages by mistake; the bytes are tried as UTF-8/GB18030 first.
_WEAK_LABELS = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii"})
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_SNIFF = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|meta|title|div|p|table|tr|td|span|br|font|center|a)\b",
    re.IGNORECASE,
)
_DATA_URI = re.compile(rb"data:[\w/+.-]{1,40};base64,[A-Za-z0-9+/=\s]{256,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_C1_CONTROL = re.compile(b"\xc2[\x80-\x9f]")
_ASCII_BYTES = bytes(range(128))
#: Bytes the strict UTF-8 decoder reads at a time when counting a page's errors.
_DECODE_WINDOW = 8192
_CJK_CHAR = re.compile("[\u4e00-\u9fff]")
#: Frequent characters of reports in both scripts: a correct decoding is full of them, mojibake is not.
_COMMON_CJK = re.compile(
    "[的一是在不了有和人中大上年月日工作公开開政府信息情况況数數申请請报報告度区區县縣市省部门門"
    "办辦理法规規关關于於为為及等本其全进進行会會对對国國发發]"
)
_INLINE_TAG = re.compile(
    rb"</?(?:span|font|b|i|u|em|strong|a|o:p|sup|sub|small|big|strike|s|ins|del)\b[^>]*>", re.IGNORECASE
)
_INVISIBLE_BLOCK = re.compile(rb"<(script|style|noscript|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ANY_TAG = re.compile(rb"<[^>]*>")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAX_HIDDEN_CHARS = 300


def _tag_set(names: str) -> frozenset[str]:
    return frozenset(names.split())


#: Elements whose content is never visible text.
_SKIP = _tag_set(
    "head script style noscript template iframe object embed svg math canvas audio video select"
    " textarea button map xml"
)
#: Elements that start and end a line of text (everything else is inline and joins its neighbours).
_BLOCK = _tag_set(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table caption section article aside header"
    " footer nav main form fieldset legend blockquote pre address center hr figure figcaption body html"
    " title option label tbody thead tfoot"
)
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})
_CELL_TAGS = frozenset({"td", "th"})
#: Tags `_Walker.walk` reads in a way of their own even when they have no children.
_OWN_HANDLING = frozenset({"table", "pre"})
_SPAN_DIGITS = re.compile(r"\s*(\d{1,5})")
#: A cell with more text pieces (or characters) than this is page layout, not a table cell.
_MAX_CELL_PIECES = 8
_MAX_CELL_CHARS = 400
_MAX_DEPTH = 250  # deeper subtrees are read as plain text (Python's recursion limit)


def load_document(
    data: bytes, *, headers: Mapping[str, Any] | None = None, filename: str | None = None
) -> tuple[Document | None, Problem]:
    """Return (document, ("", "")) or (None, (status, message)) for input that is not a page.

    status is one of "empty", "unreadable", "needs_ocr" (see `extractors.model.Status`).
    """
    if not data or not data.strip():
        return None, ("empty", "the file is empty")
    if b"%PDF-" in data[:1024] and not data.lstrip().startswith(b"<"):
        return _load_pdf(data)
    if data[:2] == b"\x1f\x8b":
        return _load_gzip(data, headers, filename)
    if data.startswith(b"PK\x03\x04") and docx.is_docx(data):
        return _load_docx(data)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # Excel (.xlsx/.xls) and OFD attachments
        from extractors import ofd, spreadsheet

        routed = spreadsheet.load(data) or ofd.load(data)
        if routed is not None:
            return routed
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            return None, ("unreadable", f"the file is {what}, not a web page, text or PDF")
    if _nul_ratio(data) > 0.01 and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, ("unreadable", "the file is binary data, not a web page, text or PDF")
    return _load_markup(data, headers, filename)


def decode_page(data: bytes, headers: Mapping[str, Any] | None = None) -> tuple[str, str, list[Finding]]:
    """Decode a page's bytes: (text, encoding used, findings about mislabelled or broken bytes)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), encoding, []
    declared, source = _declared_charset(data, headers)
    text, encoding = _decode_guessing(data, declared)
    findings: list[Finding] = []
    if text is None:
        encoding = min(("utf-8", "gb18030"), key=lambda enc: _count_errors(data, enc))
        text = data.decode(encoding, errors="replace")
    replaced = text.count("\ufffd") - data.count(b"\xef\xbf\xbd") if "\ufffd" in text else 0
    if replaced > 0:
        findings.append(
            Finding(
                kind="decode_fallback",
                severity="info" if replaced <= 2 else "warning",
                message=f"{replaced} undecodable byte(s) replaced (read as {encoding})",
            )
        )
    if declared and encoding != declared and not data.isascii():
        findings.append(
            Finding(
                kind="decode_fallback",
                severity="info",
                message=f"the {source} declares {declared} but the bytes are {encoding}; read as {encoding}",
            )
        )
    return text, encoding, findings


def html_to_document(text: str) -> Document:
    """Parse decoded HTML into lines, table grids and meta tags."""
    return _utf8_to_document(text.encode("utf-8", "replace"), text)


def text_to_document(text: str) -> Document:
    """Plain text (one cell per line, like the seed) into a Document.

    Rows of tab-separated cells (a table copied from a browser or a spreadsheet) become a Table
    as well, and their cells are flattened one per line like an HTML table's.
    """
    lines: list[str] = []
    tables: list[Table] = []
    rows: list[list[str]] = []
    for raw in [*text.splitlines(), ""]:
        if "\t" in raw and raw.strip():
            rows.append([fold_whitespace(cell) for cell in raw.split("\t")])
            continue
        if rows:
            tables.extend(_tab_table(rows, lines))
            rows = []
        line = fold_whitespace(raw)
        if line:
            lines.append(line)
    return Document(kind="text", lines=lines, tables=tables)


def _tab_table(rows: list[list[str]], lines: list[str]) -> list[Table]:
    """Flatten tab-separated rows into `lines`; two or more rows also make a Table."""
    first = len(lines)
    lines.extend(cell for row in rows for cell in row if cell)
    if len(rows) < 2:
        return []
    width = max(len(row) for row in rows)
    grid = [row + [""] * (width - len(row)) for row in rows]
    spans = [[(r, c) for c in range(width)] for r in range(len(grid))]
    return [Table(grid=grid, spans=spans, line_index=first)]


# --- sniffing -------------------------------------------------------------------------------------


def _load_markup(
    data: bytes, headers: Mapping[str, Any] | None, filename: str | None
) -> tuple[Document | None, Problem]:
    data, findings = _cap_size(data)
    text, encoding, decode_findings = decode_page(data, headers)
    if _looks_binary(text):
        return None, ("unreadable", "the file is not text (binary data or an unknown encoding)")
    try:
        if not _is_html(text, filename):
            doc = text_to_document(text)
        elif encoding == "utf-8" and not data.startswith(codecs.BOM_UTF8) and "\ufffd" not in text:
            doc = _utf8_to_document(data, text)  # the bytes as they are: no re-encoding
        else:
            doc = html_to_document(text)
    except (etree.ParserError, ValueError) as error:
        return None, ("unreadable", f"the page could not be parsed: {error}")
    doc.encoding = encoding
    doc.findings = [*findings, *decode_findings, *doc.findings]
    if not doc.lines and not doc.tables:
        return None, ("empty", "the page has no visible text")
    return doc, OK


def _load_pdf(data: bytes) -> tuple[Document | None, Problem]:
    from extractors import pdf

    try:
        doc = pdf.pdf_to_document(data)
    except NotImplementedError:
        return None, ("unreadable", "PDF reading is not available yet")
    except ValueError as error:  # pdf.PdfUnreadableError: damaged or encrypted, with a message
        return None, ("unreadable", str(error)[:300] or "the PDF could not be read")
    except Exception as error:  # noqa: BLE001 - any pdfplumber failure means the PDF is unreadable
        return None, ("unreadable", f"the PDF could not be read: {type(error).__name__}: {error}"[:300])
    if not doc.lines and any(f.kind == "needs_ocr" for f in doc.findings):
        return None, ("needs_ocr", "the PDF has no text layer (scanned pages need OCR)")
    if not doc.lines and not doc.tables:
        return None, ("empty", "the PDF has no text")
    return doc, OK


def _load_docx(data: bytes) -> tuple[Document | None, Problem]:
    try:
        doc = docx.docx_to_document(data)
    except docx.DocxUnreadableError as error:
        return None, ("unreadable", str(error)[:300])
    if not doc.lines and not doc.tables:
        return None, ("empty", "the Word document has no text")
    return doc, OK


def _load_gzip(
    data: bytes, headers: Mapping[str, Any] | None, filename: str | None
) -> tuple[Document | None, Problem]:
    try:
        inflated = zlib.decompressobj(wbits=31).decompress(data, MAX_PAGE_BYTES * 8)
    except zlib.error:
        inflated = b""
    if not inflated:
        return None, ("unreadable", "the file is a damaged gzip archive")
    if inflated[:2] == b"\x1f\x8b":
        return None, ("unreadable", "the file is a nested gzip archive")
    return load_document(inflated, headers=headers, filename=filename)


def _cap_size(data: bytes) -> tuple[bytes, list[Finding]]:
    if len(data) <= MAX_PAGE_BYTES:
        return data, []
    size = len(data)
    data = _DATA_URI.sub(b"data:,", data)
    if len(data) <= MAX_PAGE_BYTES:
        return data, []
    cut = data.rfind(b"<", MAX_PAGE_BYTES // 2, MAX_PAGE_BYTES)
    data = data[: cut if cut > 0 else MAX_PAGE_BYTES]
    message = f"the page is {size / 2**20:.0f} MB; only its first {len(data) / 2**20:.0f} MB were read"
    return data, [Finding(kind="input_truncated", message=message)]


def _is_html(text: str, filename: str | None) -> bool:
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix in _HTML_EXTENSIONS:
        return True
    if suffix in _TEXT_EXTENSIONS:
        return False
    return _HTML_SNIFF.search(text, 0, 65536) is not None


def _nul_ratio(data: bytes) -> float:
    sample = data[:65536]
    return sample.count(0) / len(sample)


def _looks_binary(text: str) -> bool:
    sample = text[:16384]
    return _count_controls(sample) > max(8, len(sample) // 50)


def _count_controls(text: str) -> int:
    """`len(_CONTROL.findall(text))`, counted on the UTF-8 bytes (a regex over str is slower): the
    C0 controls and DEL are single bytes found in no other character, U+0080-U+009F are C2 80-9F."""
    data = text.encode("utf-8", "surrogatepass")
    single = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return single + len(_C1_CONTROL.findall(data)) + text.count("\ufffd")


# --- decoding -------------------------------------------------------------------------------------


def _declared_charset(data: bytes, headers: Mapping[str, Any] | None) -> tuple[str | None, str]:
    header = _resolve(_header_charset(headers))
    if header:
        return header, "HTTP header"
    head = data[:32768]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    meta = _resolve(match.group(1).decode("ascii", "replace")) if match else None
    return meta, "meta tag"


def _header_charset(headers: Mapping[str, Any] | None) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if name.lower() != "content-type":
            continue
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        match = _HEADER_CHARSET.search(str(value))
        return match.group(1) if match else None
    return None


def _resolve(label: str | None) -> str | None:
    """Codec name for a charset label; gbk/gb2312 → gb18030; None when Python does not know it."""
    if not label:
        return None
    label = label.strip().lower().removeprefix("x-")
    if label in _CHINESE_ALIASES or label.startswith("gb"):
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if name in _CHINESE_ALIASES else name


def _decode_guessing(data: bytes, declared: str | None) -> tuple[str | None, str]:
    """Decode with the first plausible codec; (None, "") when none decodes cleanly."""
    if data.isascii():
        ascii_label = not declared or declared.startswith(("utf-16", "utf-32"))
        return data.decode("ascii"), "utf-8" if ascii_label else declared  # type: ignore[return-value]
    if declared is None or declared in {"utf-8", "gb18030"}:
        candidates = ["utf-8", "gb18030"]
    elif declared in _WEAK_LABELS:
        candidates = ["utf-8", "gb18030", declared]
    else:
        candidates = ["utf-8", declared, "gb18030"]
    tolerance = _Tolerance(data)
    for encoding in candidates:
        text = _decode_tolerant(data, encoding, tolerance)
        if text is None:
            continue
        if encoding == "gb18030" and declared != "gb18030":
            return _gb_or_big5(data, text, tolerance)
        return text, encoding
    return None, ""


def _gb_or_big5(data: bytes, gb_text: str, tolerance: _Tolerance) -> tuple[str, str]:
    """Undeclared double-byte Chinese: GBK, or Big5 from a traditional-character gateway/mirror?

    Big5 bytes also decode as GB18030 (into rare characters), so the reading in which common
    report characters are more frequent wins.
    """
    big5_text = _decode_tolerant(data, "cp950", tolerance)
    if big5_text is not None and _common_share(big5_text) > _common_share(gb_text):
        return big5_text, "cp950"
    return gb_text, "gb18030"


def _common_share(text: str) -> float:
    sample = text[:20000]
    cjk = len(_CJK_CHAR.findall(sample))
    return len(_COMMON_CJK.findall(sample)) / cjk if cjk else 0.0


class _Tolerance:
    """How many stray bytes a page may have: one per 2000 non-ASCII bytes (at least one), counted
    on first use only: pages in their declared encoding never need it."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    @functools.cached_property
    def errors(self) -> int:
        return max(1, _non_ascii(self._data) // 2000)


def _decode_tolerant(data: bytes, encoding: str, tolerance: _Tolerance) -> str | None:
    """Strict decode, forgiving a cut multibyte character at the end and a few stray bytes."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 4:
            try:
                return data[: error.start].decode(encoding) + "\ufffd"
            except UnicodeDecodeError:
                return None
    except LookupError:
        return None
    if encoding == "utf-8":
        within = _utf8_within(data, tolerance)
    else:
        within = _count_errors(data, encoding) <= tolerance.errors
    return data.decode(encoding, errors="replace") if within else None


def _utf8_within(data: bytes, tolerance: _Tolerance) -> bool:
    """`_utf8_errors(data) <= tolerance.errors`, mostly without counting the page's non-ASCII bytes
    (a copy of the page) for the tolerance: it is at least 1 and at most `_tolerance_bound`, so
    counting up to that bound settles GBK pages (thousands of errors) and clean ones alike."""
    bound = _tolerance_bound(data)
    errors = _utf8_errors(data, stop_above=bound)
    if errors <= 1:
        return True
    return errors <= bound and errors <= tolerance.errors


def _tolerance_bound(data: bytes) -> int:
    """An upper bound of `_Tolerance(data).errors`: every byte counted as non-ASCII."""
    return max(1, len(data) // 2000)


def _count_errors(data: bytes, encoding: str) -> int:
    replaced = data.decode(encoding, errors="replace").count("\ufffd")
    return max(0, replaced - data.count(b"\xef\xbf\xbd"))


def _utf8_errors(data: bytes, stop_above: int) -> int:
    """`_count_errors(data, "utf-8")`, but counting stops above `stop_above` (a GBK page has
    thousands): the undecodable sequences, found window by window by the strict decoder.

    In UTF-8 every EF BF BD decodes to a real U+FFFD, so the errors are exactly the replacement
    characters `_count_errors` counts beyond them.
    """
    view = memoryview(data)
    errors = at = 0
    while at < len(data):
        end = at + _DECODE_WINDOW
        try:
            _, used = codecs.utf_8_decode(view[at:end], "strict", end >= len(data))
        except UnicodeDecodeError as error:
            errors += 1
            if errors > stop_above:
                break
            at += error.end
            continue
        at += used
    return errors


def _non_ascii(data: bytes) -> int:
    return len(data.translate(None, _ASCII_BYTES))


# --- HTML walk ------------------------------------------------------------------------------------


def _utf8_to_document(data: bytes, text: str | None) -> Document:
    """Parse UTF-8 HTML; `text` is the same page decoded, when the caller has it (a cheaper look
    for the noncharacter the fast walk uses as its mark)."""
    data = data.replace(b"\x00", b"")
    root, too_deep = _parse_html(data)
    findings: list[Finding] = []
    for simplify, what in _SIMPLIFICATIONS:
        if not too_deep:
            break
        data, text = simplify(data), None
        root, too_deep = _parse_html(data)
        message = f"the page nests tags deeper than the parser allows; {what} to read it"
        findings = [Finding(kind="markup_simplified", message=message, severity="info")]
    if root is None:
        return Document(kind="html", lines=[], findings=findings)
    meta, scripts = _read_meta(root, with_scripts=_CONTENT_WORD.search(data) is not None)
    _prune_invisible(root)
    lines, tables = _read_body(root, _marks_in_page(data, text))
    doc = Document(kind="html", lines=lines, tables=tables, meta=meta, findings=findings)
    if scripts and not tables and _few_chars(doc.lines):
        return _with_script_content(doc, scripts)
    return doc


# --- article held in a script (Guangdong gkmlpt: _CONFIG.DETAIL = {..., "content": "<p>..."}) -------

#: A page with fewer CJK characters than this outside scripts shows no article of its own.
_MIN_BODY_CHARS = 200
#: A JSON string holding the article: "content": "<p>..." (JSON-escaped HTML).
_CONTENT_KEY = re.compile(r'"(?:content|Content|CONTENT|htmlContent|contentHtml)"\s*:\s*(?=")')
#: Keys of the object holding `content` that give the article's title and publish date.
_TITLE_KEYS = ("title", "Title", "TITLE")
_DATE_KEYS = ("date", "publish_time", "pubDate", "publishDate", "releaseDate", "PubDate")
_JSON = json.JSONDecoder()
#: Pages without this word hold no article script worth a look (a literal search beats `in`).
_CONTENT_WORD = re.compile(b"content")
#: How many "{" before a `content` key are tried as the start of the object holding it.
_MAX_OBJECT_TRIES = 64


def _is_article_script(text: str | None) -> bool:
    """An inline script that may carry the article as a JSON string."""
    return text is not None and len(text) > _MIN_BODY_CHARS and _CONTENT_KEY.search(text) is not None


def _few_chars(lines: list[str]) -> bool:
    """Fewer than _MIN_BODY_CHARS CJK characters in `lines` (counting stops once there are enough)."""
    seen = 0
    for line in lines:
        seen += len(_CJK_CHAR.findall(line))
        if seen >= _MIN_BODY_CHARS:
            return False
    return True


def _json_at(text: str, start: int) -> Any:
    try:
        return _JSON.raw_decode(text, start)[0]
    except ValueError:
        return None


def _script_fields(scripts: list[str]) -> tuple[str, str | None, str | None]:
    """The longest HTML `content` string in the scripts, and the title and date of its object."""
    best, title, when = "", None, None
    for script in scripts:
        for match in _CONTENT_KEY.finditer(script):
            value = _json_at(script, match.end())
            if isinstance(value, str) and len(value) > len(best) and "<" in value:
                best = value
                holder = _holding_object(script, match.start(), value)
                title = next((v for k in _TITLE_KEYS if isinstance(v := holder.get(k), str)), None)
                when = next((str(v) for k in _DATE_KEYS if isinstance(v := holder.get(k), str | int)), None)
    return best, title, when


def _holding_object(script: str, key_at: int, content: str) -> dict[str, Any]:
    """The JSON object (`_CONFIG.DETAIL = {...}`) whose `content` starts at `key_at`, or {}."""
    at = key_at
    for _ in range(_MAX_OBJECT_TRIES):
        at = script.rfind("{", 0, at)
        if at < 0:
            break
        found = _json_at(script, at)
        if isinstance(found, dict) and content in found.values():
            return found
    return {}


def _with_script_content(doc: Document, scripts: list[str]) -> Document:
    """Read the article a script carries (the visible body is an empty app mount) after the page's
    own lines; its title and date go to `meta` as `detail_title` / `detail_date`."""
    content, title, when = _script_fields(scripts)
    if _few_chars([content]):
        return doc
    inner = _utf8_to_document(content.encode("utf-8", "replace"), content)
    head = [fold_whitespace(title)] if title and fold_whitespace(title) else []
    offset = len(doc.lines) + len(head)
    tables = [Table(t.grid, t.spans, t.line_index + offset) for t in inner.tables]
    meta = {**inner.meta, **doc.meta}
    if head:
        meta.setdefault("detail_title", head[0])
    if when:
        meta.setdefault("detail_date", _script_date(when))
    return Document(
        kind="html",
        lines=[*doc.lines, *head, *inner.lines],
        tables=tables,
        meta=meta,
        findings=[*doc.findings, *inner.findings],
    )


def _script_date(value: str) -> str:
    """A CMS date: "2017-02-22 09:30" as is, a Unix timestamp (s or ms) as an ISO date (UTC+8)."""
    if value.isdigit() and len(value) in (10, 13):
        seconds = int(value) // (1000 if len(value) == 13 else 1)
        return (datetime.fromtimestamp(seconds, tz=UTC) + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    return value


def _parse_html(data: bytes) -> tuple[Any, bool]:
    """(root or None, whether libxml2 gave up on the nesting depth and dropped the rest)."""
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True, no_network=True
    )
    root = etree.fromstring(data, parser)
    return root, any("Excessive depth" in error.message for error in parser.error_log)


def _prune_invisible(root: Any) -> None:
    """Remove what a browser never shows (scripts, styles, <head>...) in one C call."""
    etree.strip_elements(root, *_SKIP, with_tail=False)


def _may_hide(style: str) -> bool:
    """Cheap substring test before the regex: Word pastes put a long style on every element."""
    return "isplay" in style or "ISPLAY" in style or "isibility" in style or "ISIBILITY" in style


def _is_hidden(element: Any) -> bool:
    """Hidden by an inline style or the hidden attribute, and small enough to be chrome.

    A hidden element is kept when it holds a table or much text: some sites hide the article
    until a script reveals it, and the report must not vanish with the script.
    """
    style = element.get("style")
    if (style is None or not _may_hide(style) or not _HIDDEN.search(style)) and element.get("hidden") is None:
        return False
    return element.find(".//table") is None and len("".join(element.itertext())) < _MAX_HIDDEN_CHARS


def _drop_inline_tags(data: bytes) -> bytes:
    return _INLINE_TAG.sub(b"", data)


def _flatten_tags(data: bytes) -> bytes:
    return _ANY_TAG.sub(b"<br>", _INVISIBLE_BLOCK.sub(b"", data))


#: Ever blunter rewrites for pages nested too deep for libxml2 (thousands of unclosed <font>s).
_SIMPLIFICATIONS = (
    (_drop_inline_tags, "inline formatting tags were dropped"),
    (_flatten_tags, "all markup was dropped (tables are read as text lines)"),
)


# --- the body's text in one C pass -----------------------------------------------------------------
#
# libxslt walks the tree and prints its visible text with marks where `_Walker` would flush a line
# and where tables, rows, cells and <pre> blocks start and end; Python then handles lines and cells,
# not every element. A mark is U+FDD0 (a noncharacter: Unicode reserves it for internal use like
# this) and a letter. Pages the marks cannot stand for exactly (nesting deeper than `_MAX_DEPTH`,
# U+FDD0 in the page itself) go through `_Walker`, the reference this path must equal.

_MARK_CHAR = "\ufdd0"
_FLUSH = _MARK_CHAR + "f"  # a line ends here (lower case: not split by `_MARK`)
_SEPARATOR = _MARK_CHAR + "s"  # between a cell's rowspan, colspan and text
_TABLE_START, _TABLE_END, _ROW, _CELL, _SPANNING_CELL, _CELL_END = "T", "X", "R", "C", "S", "E"
_PRE, _PRE_WITH_TABLE, _PRE_END = "P", "Q", "Z"
_CELL_MARKS = frozenset({_CELL, _SPANNING_CELL})
_MARK = re.compile(_MARK_CHAR + "([A-Z])")
#: Below this many pieces, `_fold_stripped` folds them one by one rather than halving again.
_FOLD_ONE_BY_ONE = 8
#: U+FDD0 in a page's bytes, as UTF-8 or as a character reference (two searches beat one regex).
_MARK_BYTES = re.compile(_MARK_CHAR.encode())
_MARK_REFERENCE = re.compile(rb"&#(?:[xX]0*[fF][dD][dD]0|0*64976)")
#: Two facts about a fresh tree in one XPath call (each call walks the tree and costs as much as
#: the facts): `_HAS_HIDDEN_ATTRIBUTE` when an element has a hidden attribute, plus `_TOO_DEEP_FLAG`
#: when an element sits deeper than `_Walker` walks element by element (it reads it as text).
_HAS_HIDDEN_ATTRIBUTE, _TOO_DEEP_FLAG = 1, 2
_TREE_FLAGS = etree.XPath(
    f"number(boolean(//@hidden)) * {_HAS_HIDDEN_ATTRIBUTE}"
    f" + number(boolean({'*/' * _MAX_DEPTH}*)) * {_TOO_DEEP_FLAG}"
)
_HIDING_ATTRIBUTES = etree.XPath("//@style | //@hidden")
#: The page's style attributes as plain strings: most pages hide nothing, and this (with
#: `_TREE_FLAGS`) tells so without an object per attribute.
_STYLE_VALUES = etree.XPath("//@style", smart_strings=False)


def _marks_in_page(data: bytes, text: str | None) -> bool:
    """Whether the page itself holds the mark character (then it cannot be told from the marks)."""
    if (_MARK_CHAR in text) if text is not None else _MARK_BYTES.search(data) is not None:
        return True
    return _MARK_REFERENCE.search(data) is not None


def _read_body(root: Any, marks_in_page: bool) -> tuple[list[str], list[Table]]:
    """The visible lines and tables of a pruned tree (what `_Walker` gives, several times faster)."""
    flags = int(_TREE_FLAGS(root))
    if marks_in_page or flags & _TOO_DEEP_FLAG:
        walker = _Walker()
        walker.walk(root, 0)
        walker.flush()
        return walker.lines, [table for table in walker.tables if table is not None]
    _drop_hidden(root, any_hidden_attribute=bool(flags & _HAS_HIDDEN_ATTRIBUTE))
    return _StreamReader().read(str(_marked_text()(root)))


def _drop_hidden(root: Any, any_hidden_attribute: bool) -> None:
    """Remove the hidden elements `_Walker` would skip (keeping their tails), all decided first:
    removing one changes the text length of the hidden elements around it.

    `any_hidden_attribute`: whether an element of the tree has a hidden attribute (the caller
    learnt it in the same XPath call as the tree's depth)."""
    if not any_hidden_attribute:
        styles = "\n".join(_STYLE_VALUES(root))
        if not (_may_hide(styles) and _HIDDEN.search(styles) is not None):
            return  # a style that hides would match in the joined text too (false alarms just cost time)
    candidates = dict.fromkeys(  # an element with both a style and a hidden attribute comes twice
        attribute.getparent()
        for attribute in _HIDING_ATTRIBUTES(root)
        if attribute.attrname == "hidden" or _may_hide(attribute)
    )
    hidden = [element for element in candidates if _is_hidden(element) and _hiding_checked(element)]
    for element in hidden:
        parent = element.getparent()
        if element.tail:
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)


def _hiding_checked(element: Any) -> bool:
    """Whether `_Walker` asks `_is_hidden` of this element where it stands: of every child it walks,
    of a table's rows and of a row's cells, but not of the root, a table's row groups and captions,
    nor inside a <pre> (read as text)."""
    parent = element.getparent()
    if parent is None or next(element.iterancestors("pre"), None) is not None:
        return False
    if parent.tag == "tr" and _in_table_rows(parent):
        return element.tag in _CELL_TAGS
    if parent.tag == "table" or (parent.tag in _ROW_GROUPS and _in_table_rows(parent)):
        return element.tag == "tr"
    return True


def _in_table_rows(element: Any) -> bool:
    """A <tr> or row group that `_table_rows` reads as part of its table (not one inside a cell's div)."""
    parent = element.getparent()
    while parent is not None and parent.tag in _ROW_GROUPS:
        parent = parent.getparent()
    return parent is not None and parent.tag == "table"


def _out(mark: str) -> str:
    """XSLT printing a mark (a code letter or a two-character mark)."""
    text = mark if mark.startswith(_MARK_CHAR) else _MARK_CHAR + mark
    return f"<xsl:text>&#x{ord(text[0]):X};{text[1:]}</xsl:text>"


def _stylesheet() -> str:
    """The templates of `_Walker`, built from the same tag sets: blocks flush before and after,
    tables list their rows (footers last) and the cells of each, <pre> is printed as it stands."""
    blocks = "|".join(sorted(_BLOCK - _OWN_HANDLING))
    groups = "|".join(sorted(_ROW_GROUPS - {"tfoot"}))
    cells = "|".join(sorted(_CELL_TAGS))
    rows = '<xsl:apply-templates select="*[not(self::tfoot)]" mode="rows"/><xsl:apply-templates select="tfoot" mode="group"/>'
    pre = '<xsl:value-of select="."/>' + _out(_PRE_END)
    templates = [
        f'<xsl:template match="{blocks}">{_out(_FLUSH)}<xsl:apply-templates/>{_out(_FLUSH)}</xsl:template>',
        f'<xsl:template match="pre">{_out(_PRE)}{pre}</xsl:template>',
        f'<xsl:template match="pre[descendant::table]" priority="1">{_out(_PRE_WITH_TABLE)}{pre}</xsl:template>',
        f'<xsl:template match="table">{_out(_TABLE_START)}{rows}{_out(_TABLE_END)}</xsl:template>',
        f'<xsl:template match="*" mode="group">{rows}</xsl:template>',
        f'<xsl:template match="{groups}" mode="rows"><xsl:apply-templates select="." mode="group"/></xsl:template>',
        '<xsl:template match="colgroup|col|tfoot" mode="rows"/>',
        f'<xsl:template match="tr" mode="rows">{_out(_ROW)}<xsl:apply-templates select="{cells}" mode="cell"/></xsl:template>',
        f'<xsl:template match="*" mode="rows"><xsl:apply-templates select="."/>{_out(_FLUSH)}</xsl:template>',
        f'<xsl:template match="*" mode="cell">{_out(_CELL)}<xsl:apply-templates/>{_out(_CELL_END)}</xsl:template>',
        (
            f'<xsl:template match="*[@rowspan or @colspan]" mode="cell" priority="1">{_out(_SPANNING_CELL)}'
            f'<xsl:value-of select="@rowspan"/>{_out(_SEPARATOR)}<xsl:value-of select="@colspan"/>'
            f"{_out(_SEPARATOR)}<xsl:apply-templates/>{_out(_CELL_END)}</xsl:template>"
        ),
    ]
    return (
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:output method="text" encoding="utf-8"/>' + "".join(templates) + "</xsl:stylesheet>"
    )


@functools.cache
def _marked_text() -> etree.XSLT:
    return etree.XSLT(etree.XML(_stylesheet()), access_control=etree.XSLTAccessControl.DENY_ALL)


class _OpenCell:
    """A cell whose closing mark has not come yet."""

    __slots__ = ("colspan", "first", "nested", "rowspan")

    def __init__(self, first: int, rowspan: int, colspan: int) -> None:
        self.first = first  # index of its first line
        self.nested = False  # holds a table
        self.rowspan = rowspan
        self.colspan = colspan


class _OpenTable:
    """A table whose closing mark has not come yet."""

    __slots__ = ("first", "index", "rows")

    def __init__(self, index: int) -> None:
        self.index = index  # its place in the document's tables (outer tables first)
        self.first: int | None = None  # line of its first cell
        self.rows: list[list[tuple[str, int, int]]] = []


def _folded_pieces(chunk: str) -> list[str]:
    """`fold_whitespace` of each piece between flush marks, blank ones dropped."""
    return _fold_stripped([*filter(None, map(str.strip, chunk.split(_FLUSH)))])


def _fold_stripped(pieces: list[str]) -> list[str]:
    """`fold_whitespace` of stripped pieces, in C calls for runs of pieces already folded (printable,
    no double space), as most are: a page's few pieces with a U+3000 or a line break are found by
    halving the run."""
    joined = "".join(pieces)
    if joined.isprintable() and "  " not in joined:
        return pieces
    if len(pieces) <= _FOLD_ONE_BY_ONE:
        return [line for line in map(fold_whitespace, pieces) if line]
    half = len(pieces) // 2
    return _fold_stripped(pieces[:half]) + _fold_stripped(pieces[half:])


class _StreamReader:
    """Lines and tables from the marked text: the same bookkeeping as `_Walker`, once per mark."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.owners: list[object] = []  # the cell each line was written in (as `_Walker`)
        self.tables: list[Table | None] = []
        self._open_tables: list[_OpenTable] = []
        self._cells: list[_OpenCell] = []
        self._handlers = {
            _TABLE_START: self._table_start,
            _TABLE_END: self._table_end,
            _ROW: self._row,
            _CELL: self._cell,
            _SPANNING_CELL: self._spanning_cell,
            _CELL_END: self._cell_end,
            _PRE: self._pre,
            _PRE_WITH_TABLE: self._pre_with_table,
            _PRE_END: self._text,
        }

    def read(self, marked: str) -> tuple[list[str], list[Table]]:
        parts = _MARK.split(marked)
        self._text(parts[0])
        handlers = self._handlers
        at, last = 1, len(parts) - 2
        while at <= last:
            mark = parts[at]
            if mark in _CELL_MARKS and at < last and parts[at + 2] == _CELL_END:  # a cell with text only
                self._text_cell(mark, parts[at + 1])
                if parts[at + 3]:  # usually nothing between a cell and the next mark: no line
                    self._text(parts[at + 3])
                at += 4
            else:
                handlers[mark](parts[at + 1])
                at += 2
        return self.lines, [table for table in self.tables if table is not None]

    def _text(self, chunk: str) -> None:
        """Text between marks: one line per piece between flush marks (blank pieces are no line)."""
        owner = self._cells[-1] if self._cells else None
        if _FLUSH in chunk:
            lines = _folded_pieces(chunk)
            self.lines += lines
            self.owners += [owner] * len(lines)
            return
        line = chunk.strip()  # one piece (a cell's text): `_fold_stripped` without the list
        if line and not (line.isprintable() and "  " not in line):
            line = fold_whitespace(line)
        if line:
            self.lines.append(line)
            self.owners.append(owner)

    def _pre(self, chunk: str) -> None:
        """<pre>: its own line breaks are the lines."""
        owner = self._cells[-1] if self._cells else None
        for piece in chunk.splitlines():
            line = fold_whitespace(piece)
            if line:
                self.lines.append(line)
                self.owners.append(owner)

    def _pre_with_table(self, chunk: str) -> None:
        if self._cells:
            self._cells[-1].nested = True
        self._pre(chunk)

    def _table_start(self, chunk: str) -> None:
        if self._cells:
            self._cells[-1].nested = True
        self._open_tables.append(_OpenTable(len(self.tables)))
        self.tables.append(None)
        self._text(chunk)

    def _table_end(self, chunk: str) -> None:
        table = self._open_tables.pop()
        grid, spans = _expand_spans(table.rows)
        line_index = len(self.lines) if table.first is None else table.first
        self.tables[table.index] = Table(grid=grid, spans=spans, line_index=line_index)
        self._text(chunk)

    def _row(self, chunk: str) -> None:
        self._open_tables[-1].rows.append([])
        self._text(chunk)

    def _text_cell(self, mark: str, chunk: str) -> None:
        """A whole cell holding text only (no table, no <pre>): what `_cell`, `_text` and
        `_cell_end` do, at once. Its lines are owned by its table: no open cell can claim them."""
        rowspan = colspan = 1
        if mark == _SPANNING_CELL:
            spans = chunk.split(_SEPARATOR, 2)
            rowspan, colspan, chunk = _span(spans[0], 1), min(_span(spans[1], 1), MAX_COLSPAN) or 1, spans[2]
        table = self._open_tables[-1]
        if table.first is None:
            table.first = len(self.lines)
        if _FLUSH in chunk:  # a cell's <p>s: most cells still hold a single non-blank piece
            stripped = [*filter(None, map(str.strip, chunk.split(_FLUSH)))]
            if len(stripped) > 1:
                self._pieces_cell(table, stripped, rowspan, colspan)
                return
            chunk = stripped[0] if stripped else ""
        line = chunk.strip()  # one piece: the cell's text and line, even when over _MAX_CELL_CHARS
        if line and not (line.isprintable() and "  " not in line):
            line = fold_whitespace(line)
        if line:
            self.lines.append(line)
            self.owners.append(table)
        table.rows[-1].append((line, rowspan, colspan))

    def _pieces_cell(self, table: _OpenTable, stripped: list[str], rowspan: int, colspan: int) -> None:
        """A text-only cell of several non-blank pieces (stripped): one line, or its pieces when
        the cell is page layout."""
        pieces = _fold_stripped(stripped)
        if _is_layout_cell(False, pieces):
            text = " ".join(pieces)
        else:
            text = _join_pieces(pieces)
            pieces = [text] if text else []
        self.lines += pieces
        self.owners += [table] * len(pieces)
        table.rows[-1].append((text, rowspan, colspan))

    def _cell(self, chunk: str) -> None:
        """A cell without rowspan/colspan attributes opens: its first text."""
        self._open_cell(1, 1)
        self._text(chunk)

    def _spanning_cell(self, chunk: str) -> None:
        """A cell with rowspan/colspan attributes opens: their values, then its first text."""
        rowspan, colspan, chunk = chunk.split(_SEPARATOR, 2)
        self._open_cell(_span(rowspan, default=1), min(_span(colspan, default=1), MAX_COLSPAN) or 1)
        self._text(chunk)

    def _open_cell(self, rowspan: int, colspan: int) -> None:
        table = self._open_tables[-1]
        if table.first is None:
            table.first = len(self.lines)
        self._cells.append(_OpenCell(len(self.lines), rowspan, colspan))

    def _cell_end(self, chunk: str) -> None:
        """The cell's lines become one line (its text), unless the cell is page layout."""
        cell = self._cells.pop()
        count = len(self.lines) - cell.first
        if count == 1 and not cell.nested and len(self.lines[-1]) <= _MAX_CELL_CHARS:
            text = self.lines[-1]  # one short line of its own: already the cell's line
        elif count == 0:
            text = ""
        else:
            text = self._cell_text(cell)
        self._open_tables[-1].rows[-1].append((text, cell.rowspan, cell.colspan))
        self._text(chunk)

    def _cell_text(self, cell: _OpenCell) -> str:
        pieces = self.lines[cell.first :]
        if _is_layout_cell(cell.nested, pieces):
            owners = self.owners[cell.first :]
            return " ".join(line for line, owner in zip(pieces, owners, strict=True) if owner is cell)
        del self.lines[cell.first :], self.owners[cell.first :]
        text = _join_pieces(pieces)
        if text:
            self.lines.append(text)
            self.owners.append(cell)
        return text


class _Walker:
    """One pass over the tree: visible text into `lines`, every <table> into a grid.

    The reference reading (`_read_body` takes a faster way that must give the same result); used
    for pages nested deeper than `_MAX_DEPTH` or holding the mark character.

    Each line remembers the table cell it was written in (`owners`), so a layout cell wrapping a
    nested statistics table can report its own text without repeating the inner table's.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.owners: list[int | None] = []
        self.tables: list[Table | None] = []
        self._buffer: list[str] = []
        self._cells: list[int] = []
        self._next_cell = 0

    def flush(self) -> None:
        if not self._buffer:
            return
        text = fold_whitespace("".join(self._buffer))
        self._buffer.clear()
        if text:
            self.lines.append(text)
            self.owners.append(self._cells[-1] if self._cells else None)

    def walk(self, element: Any, depth: int) -> None:
        """Text of `element` into the buffer; blocks flush a line before and after.

        The hot path of the whole extraction (once per element of every page), hence inlined.
        """
        tag = element.tag
        if tag == "table":
            self._table(element, depth)
            return
        if depth > _MAX_DEPTH:
            self._buffer.append("".join(element.itertext()))
            return
        if tag == "pre":
            self._preformatted(element)
            return
        buffer = self._buffer
        block = tag in _BLOCK
        if block and buffer:
            self.flush()
        text = element.text
        if text:
            buffer.append(text)
        self._children(element, depth)
        if block and buffer:
            self.flush()

    def _children(self, element: Any, depth: int) -> None:
        """Walk the visible children and keep their tails; childless ones are read here directly.

        Most elements of a page are leaves (a span, a cell's <p>): doing what `walk` would do for
        them without the call is the cheapest part of the walk to save.
        """
        buffer = self._buffer
        shallow = depth < _MAX_DEPTH
        for child in element:
            if (child.get("style") is None and child.get("hidden") is None) or not _is_hidden(child):
                tag = child.tag
                if len(child) or not shallow or tag in _OWN_HANDLING:
                    self.walk(child, depth + 1)
                elif tag in _BLOCK:
                    if buffer:
                        self.flush()
                    text = child.text
                    if text:
                        buffer.append(text)
                        self.flush()
                else:
                    text = child.text
                    if text:
                        buffer.append(text)
            tail = child.tail
            if tail:
                buffer.append(tail)

    def _preformatted(self, element: Any) -> None:
        """<pre>: its own line breaks are the lines (sites paste text tables in <pre>)."""
        self.flush()
        for line in "".join(element.itertext()).splitlines():
            self._buffer.append(line)
            self.flush()

    def _contents(self, element: Any, depth: int) -> None:
        """Text of the element's children (not a block of its own): used for table cells."""
        if element.text:
            self._buffer.append(element.text)
        self._children(element, depth)

    def _table(self, table: Any, depth: int) -> None:
        self.flush()
        index = len(self.tables)
        self.tables.append(None)  # keep document order: outer tables before the ones they contain
        first_line: int | None = None  # where the first cell's text goes (after any caption)
        rows: list[list[tuple[str, int, int]]] = []
        for row in _table_rows(table, self, depth):
            cells = [cell for cell in row if cell.tag in _CELL_TAGS and not _is_hidden(cell)]
            if cells and first_line is None:
                self.flush()
                first_line = len(self.lines)
            rows.append([self._cell(cell, depth) for cell in cells])
        self.flush()
        grid, spans = _expand_spans(rows)
        line_index = len(self.lines) if first_line is None else first_line
        self.tables[index] = Table(grid=grid, spans=spans, line_index=line_index)

    def _cell(self, cell: Any, depth: int) -> tuple[str, int, int]:
        rowspan = _span(cell.get("rowspan"), default=1)
        colspan = min(_span(cell.get("colspan"), default=1), MAX_COLSPAN) or 1
        self.flush()
        first = len(self.lines)
        cell_id = self._next_cell = self._next_cell + 1
        self._cells.append(cell_id)
        self._contents(cell, depth + 1)
        self.flush()
        pieces = self.lines[first:]
        if _is_layout_cell(next(cell.iterdescendants("table"), None) is not None, pieces):
            own = [line for line, owner in zip(pieces, self.owners[first:], strict=True) if owner == cell_id]
            self._cells.pop()
            return " ".join(own), rowspan, colspan
        del self.lines[first:], self.owners[first:]
        text = _join_pieces(pieces)
        if text:
            self.lines.append(text)
            self.owners.append(cell_id)
        self._cells.pop()
        return text, rowspan, colspan


def _table_rows(table: Any, walker: _Walker, depth: int) -> Iterator[list[Any]]:
    """The <tr>s of this table (directly or in thead/tbody/tfoot), in order, as lists of children.

    Anything else inside the table (a caption, stray paragraphs) is walked as text where it stands.
    """
    footers = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            if not _is_hidden(child):
                yield list(child)
        elif tag == "tfoot":
            footers.append(child)  # HTML 4 put <tfoot> before <tbody>; browsers show it last
        elif tag in _ROW_GROUPS:
            yield from _table_rows(child, walker, depth + 1)
        elif tag not in {"colgroup", "col"}:
            walker.walk(child, depth + 1)
            walker.flush()
    for footer in footers:
        yield from _table_rows(footer, walker, depth + 1)


def _is_layout_cell(holds_table: bool, pieces: list[str]) -> bool:
    """A cell that wraps page content (many paragraphs, much text, a nested table), not a value.

    Many one- or two-character pieces are a vertical header printed a character per line
    (结/果/纠/正), which is still one cell.
    """
    chars = sum(map(len, pieces))
    if chars > _MAX_CELL_CHARS or (len(pieces) > _MAX_CELL_PIECES and chars > 2 * len(pieces)):
        return True
    return holds_table


def _join_pieces(pieces: list[str]) -> str:
    """Join a cell's paragraphs: "商业"+"企业" → "商业企业", but "1"+"2" stays "1 2"."""
    if not pieces:
        return ""
    text = pieces[0]
    for piece in pieces[1:]:
        glue = " " if _is_word_char(text[-1]) and _is_word_char(piece[0]) else ""
        text += glue + piece
    return text


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _span(value: str | None, default: int) -> int:
    if not value:
        return default
    if len(value) <= 5 and value.isdecimal():  # the common case, as the regex reads it
        return int(value)
    digits = _SPAN_DIGITS.match(value)
    return int(digits.group(1)) if digits else default


def _expand_spans(
    rows: list[list[tuple[str, int, int]]],
) -> tuple[list[list[str]], list[list[tuple[int, int]]]]:
    """Rectangular grid with rowspan/colspan copies and their origins (pandas io/html style).

    Rowspans are clipped at the table's last row (rowspan=0 means "to the end"), rows without
    any slot are dropped, short rows are padded with "" slots that are their own origin.
    """
    grid: list[list[str]] = []
    spans: list[list[tuple[int, int]]] = []
    pending: list[_Pending] = []  # slots carried down from rowspans above, by column
    for source_row, cells in enumerate(rows):
        row = _GridRow(len(grid), pending)
        rows_left = len(rows) - source_row
        texts, origins = row.texts, row.origins
        for text, rowspan, colspan in cells:
            if row.waiting:
                row.take()
            rowspan = rows_left if rowspan == 0 else min(rowspan, rows_left)
            origin = (row.r, len(texts))
            if rowspan > 1:
                for _ in range(colspan):
                    row.add(text, origin, rowspan)
            elif colspan == 1:  # the common cell: inline, no call
                texts.append(text)
                origins.append(origin)
            else:
                texts += [text] * colspan
                origins += [origin] * colspan
        if row.waiting:
            row.take(everything=True)
        pending = row.carry
        if texts:
            grid.append(texts)
            spans.append(origins)
    width = max(map(len, grid), default=0)
    for r, texts in enumerate(grid):
        if len(texts) < width:
            spans[r] += [(r, c) for c in range(len(texts), width)]
            texts += [""] * (width - len(texts))
    return grid, spans


_Pending = tuple[int, str, int, tuple[int, int]]  # (column, text, rows still covered, origin)


class _GridRow:
    """One grid row being built: its slots, their origins and what it carries to the next row."""

    def __init__(self, r: int, pending: list[_Pending]) -> None:
        self.r = r
        self.texts: list[str] = []
        self.origins: list[tuple[int, int]] = []
        self.carry: list[_Pending] = []
        self.waiting = pending  # rowspans from above not placed yet, by column (consumed)

    def add(self, text: str, origin: tuple[int, int], rowspan: int) -> None:
        self.texts.append(text)
        self.origins.append(origin)
        if rowspan > 1:
            self.carry.append((len(self.texts) - 1, text, rowspan - 1, origin))

    def take(self, everything: bool = False) -> None:
        """Fill the slots covered by rowspans from above that come before the next cell (or all)."""
        pending = self.waiting
        while pending and (everything or pending[0][0] <= len(self.texts)):
            column, text, rows_left, origin = pending.pop(0)
            while len(self.texts) < column:  # a gap in a short row: an empty slot of its own
                self.add("", (self.r, len(self.texts)), 1)
            self.add(text, origin, rows_left)


def _read_meta(root: Any, with_scripts: bool) -> tuple[dict[str, str], list[str]]:
    """The <meta>/<title> values and, when asked, the article scripts' texts: one pass."""
    meta: dict[str, str] = {}
    scripts: list[str] = []
    for element in root.iter("meta", "title", "script") if with_scripts else root.iter("meta", "title"):
        if element.tag == "script":
            text = element.text
            if _is_article_script(text):
                scripts.append(text)
            continue
        if element.tag == "title":
            if "html_title" not in meta:
                meta["html_title"] = fold_whitespace("".join(element.itertext()))
            continue
        name = element.get("name") or element.get("http-equiv") or element.get("property")
        content = element.get("content")
        if name and content is not None:
            key = name.strip().lower()
            if not meta.get(key):
                meta[key] = fold_whitespace(content)
    return meta, scripts
