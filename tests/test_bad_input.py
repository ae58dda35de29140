"""Bad input: every file gets a clear status and message, never a traceback.

Empty files, binary garbage, other document formats, truncated and huge pages, pages without a
table, and random or mutated bytes (hypothesis) go through `load_document` and the whole
`extractors.extract` pipeline.
"""

from __future__ import annotations

import random
import time
import zlib
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import extract
from extractors.load import MAX_PAGE_BYTES, html_to_document, load_document
from extractors.model import Document, Status

STATUSES = set(get_args(Status))
LOAD_STATUSES = {"empty", "unreadable", "needs_ocr"}


@pytest.fixture(scope="module")
def pingtan_2017(shared_dir: Path) -> bytes:
    return (shared_dir / "real-reports" / "fj-pingtan-2017" / "page.html").read_bytes()


def _assert_clear_outcome(data: bytes, **kwargs) -> tuple[Document | None, tuple[str, str]]:
    doc, (status, message) = load_document(data, **kwargs)
    if doc is None:
        assert status in LOAD_STATUSES
        assert message
    else:
        assert isinstance(doc, Document)
        assert (status, message) == ("", "")
        assert all(isinstance(line, str) and line and line == line.strip() for line in doc.lines)
        for table in doc.tables:
            assert len({len(row) for row in table.grid}) <= 1  # rectangular
            assert len(table.spans) == len(table.grid)
            assert 0 <= table.line_index <= len(doc.lines)
    return doc, (status, message)


@pytest.mark.parametrize("data", [b"", b"   \r\n\t  ", b"\n" * 1000])
def test_empty(data):
    doc, (status, message) = load_document(data, filename="empty.html")
    assert doc is None
    assert status == "empty"
    report = extract(data, filename="empty.html")
    assert report.status == "empty"
    assert report.message == message
    assert report.rows == []


@pytest.mark.parametrize("markup", [b"<html><head><title></title></head><body></body></html>",
                                    b"<html><body><script>var a = 1;</script><p>&nbsp;</p></body></html>"])
def test_page_without_visible_text(markup):
    doc, (status, _) = load_document(markup)
    assert doc is None
    assert status == "empty"


def test_binary_garbage():
    data = random.Random(2016).randbytes(50_000)
    doc, (status, message) = load_document(data, filename="report.html")
    assert doc is None
    assert status == "unreadable"
    assert "binary" in message or "not text" in message
    assert extract(data).status == "unreadable"


@pytest.mark.parametrize(("data", "what"), [
    (b"PK\x03\x04" + bytes(200), "ZIP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "Office"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
    (b"\xff\xd8\xff\xe0" + bytes(200), "JPEG"),
])
def test_other_formats_are_named(data, what):
    doc, (status, message) = load_document(data)
    assert doc is None
    assert status == "unreadable"
    assert what in message


def test_damaged_pdf_and_gzip():
    _, (status, message) = load_document(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    assert status == "unreadable"
    assert "PDF" in message
    _, (status, message) = load_document(b"\x1f\x8b\x08\x00broken")
    assert status == "unreadable"
    assert "gzip" in message


def test_gzip_bomb_is_capped():
    data = zlib.compress(b"<p>" + b"a" * (MAX_PAGE_BYTES * 9), 1, wbits=31)  # inflates past the 8x limit
    started = time.perf_counter()
    doc, _ = _assert_clear_outcome(data)
    assert time.perf_counter() - started < 30
    assert doc is not None
    assert [f.kind for f in doc.findings] == ["input_truncated"]


@pytest.mark.parametrize("fraction", [0.5, 0.25, 0.9])
def test_truncated_real_page(pingtan_2017, fraction):
    cut = int(len(pingtan_2017) * fraction) | 1  # odd: likely inside a multibyte character
    doc, _ = _assert_clear_outcome(pingtan_2017[:cut], filename="page.html")
    assert doc is not None
    assert doc.meta["articletitle"] == "平潭综合实验区2017年度政府信息公开工作年度报告"
    report = extract(pingtan_2017[:cut], filename="page.html")
    assert report.status in STATUSES


def test_truncated_inside_the_table(pingtan_2017):
    cut = pingtan_2017.index(b">037</span>") + 300  # '10'+'037' in two spans
    doc, _ = _assert_clear_outcome(pingtan_2017[:cut])
    assert doc is not None
    (table,) = doc.tables
    assert ["主动公开文件数", "条", "2122", "10037"] in table.grid


@pytest.mark.slow
def test_fifty_megabyte_page(pingtan_2017):
    filler = ("<p>" + "政府信息公开工作稳步推进，" * 20 + "</p>\n").encode()
    body = pingtan_2017.index(b"<body>") + len(b"<body>")
    data = pingtan_2017[:body] + filler * (50 * 2**20 // len(filler)) + pingtan_2017[body:]
    assert len(data) >= 50 * 2**20
    started = time.perf_counter()
    report = extract(data)  # load + readers + validation on what is kept
    assert time.perf_counter() - started < 60  # a blow-up guard, not a benchmark
    assert report.status in STATUSES
    truncated = [f for f in report.findings if f.kind == "input_truncated"]
    assert len(truncated) == 1
    assert "50 MB" in truncated[0].message


def test_huge_inline_images_are_dropped_not_truncated(pingtan_2017):
    image = b'<img src="data:image/png;base64,' + b"iVBORw0KGgo" * (MAX_PAGE_BYTES // 5) + b'" />'
    data = pingtan_2017.replace(b"<body>", b"<body>" + image, 1)
    doc, _ = _assert_clear_outcome(data)
    assert doc is not None
    assert doc.findings == []
    assert len(doc.tables) == 1


@pytest.mark.parametrize("name", ["fj-pingtan-taxbureau-2013", "fj-pingtan-letter-2014"])
def test_pages_without_a_table(shared_dir, name):
    data = (shared_dir / "real-reports" / name / "page.html").read_bytes()
    doc, _ = _assert_clear_outcome(data)
    assert doc is not None
    assert doc.tables == []
    report = extract(data, filename="page.html")
    assert report.status in {"no_table", "not_report"}
    assert report.message
    assert report.n_values == 0


def test_deep_nesting_does_not_overflow():
    data = b"<div>" * 5000 + "深层文字".encode() + b"</div>" * 5000 + "<p>结尾</p>".encode()
    doc, _ = _assert_clear_outcome(data)
    assert doc is not None
    assert doc.lines == ["深层文字", "结尾"]
    assert [f.kind for f in doc.findings] == ["markup_simplified"]


def test_thousands_of_unclosed_font_tags():
    data = ("<p>前言</p>" + "<font size=3>" * 3000 + "<table><tr><td>收到申请数</td><td>1"
            "<span>0</span></td></tr></table>").encode()
    doc, _ = _assert_clear_outcome(data)
    assert doc is not None
    assert doc.tables[0].grid == [["收到申请数", "10"]]
    assert "inline formatting" in doc.findings[0].message


def test_moderately_deep_nesting_keeps_structure():
    data = b"<div>" * 1000 + "<p>甲</p><p>乙</p>".encode() + b"</div>" * 1000
    doc, _ = _assert_clear_outcome(data)
    assert doc is not None
    assert "甲" in "".join(doc.lines)
    assert doc.findings == []


def test_many_columns_and_rowspans_stay_bounded():
    data = (b'<table><tr><td colspan="99999" rowspan="99999">x</td></tr>' + b"<tr><td>1</td></tr>" * 50
            + b"</table>")
    doc, _ = _assert_clear_outcome(data)
    assert doc is not None
    grid = doc.tables[0].grid
    assert len(grid) == 51
    assert len(grid[0]) <= 201


# --- property-based -------------------------------------------------------------------------------


@given(st.binary(max_size=4000))
@settings(max_examples=150, deadline=None)
def test_random_bytes_never_raise(data):
    _assert_clear_outcome(data)


@given(st.binary(max_size=2000))
@settings(max_examples=50, deadline=None)
def test_random_bytes_through_the_pipeline(data):
    report = extract(data, filename="random.html")
    assert report.status in STATUSES
    assert report.message


TAGS = ["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", '<td rowspan="3">', '<td colspan="2">',
        "<th>", "<p>", "</p>", "<br>", "<div>", "</div>", "<span>", "</span>", "<o:p>", "<script>",
        "</script>", "<!--", "-->", "<style>", "&nbsp;", "\u3000", "一、", "（一）", "收到申请数", "10", "037",
        "\x00", "<meta charset=gbk>", "<tbody>", "<caption>", "<![CDATA[", "<?xml version='1.0'?>"]


@given(st.lists(st.sampled_from(TAGS) | st.text(max_size=5), max_size=80))
@settings(max_examples=200, deadline=None)
def test_random_markup_never_raises(pieces):
    text = "".join(pieces)
    doc = html_to_document(text)
    assert all(line == line.strip() and line for line in doc.lines)
    for table in doc.tables:
        width = len(table.grid[0]) if table.grid else 0
        assert all(len(row) == width for row in table.grid)
        assert all(0 <= r < len(table.grid) and 0 <= c < width for row in table.spans for r, c in row)
    _assert_clear_outcome(text.encode("utf-8", "surrogatepass"))


@given(st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_mutated_word_document_never_raises(fixtures_dir, data):
    document = bytearray((fixtures_dir / "pages" / "chongchuan-2016.docx").read_bytes())
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        at = data.draw(st.integers(0, len(document) - 1), label="at")
        document[at] = data.draw(st.integers(0, 255), label="byte")
    _assert_clear_outcome(bytes(document))


@given(st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_mutated_real_page_never_raises(pingtan_2017, data):
    page = bytearray(pingtan_2017)
    for _ in range(data.draw(st.integers(1, 6), label="mutations")):
        start = data.draw(st.integers(0, len(page) - 1), label="at")
        action = data.draw(st.sampled_from(["delete", "insert", "flip"]), label="action")
        if action == "delete":
            del page[start:start + data.draw(st.integers(1, 5000))]
        elif action == "insert":
            page[start:start] = data.draw(st.binary(min_size=1, max_size=64))
        elif page:
            page[start % len(page)] ^= 0xFF
    _assert_clear_outcome(bytes(page))


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cs", "Lo", "Ll", "Zs", "So"]) | st.just("\ufffd"),
               max_size=300))
def test_control_count_on_bytes_equals_the_regex_count(text):
    """`_looks_binary` counts control characters on the UTF-8 bytes: the same count as the regex."""
    from extractors.load import _CONTROL, _count_controls

    assert _count_controls(text) == len(_CONTROL.findall(text))
