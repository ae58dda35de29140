"""Excel attachments (.xlsx, .xls) read through `extractors.extract` like any page.

The fixtures are built by tests/fixtures/attachments/make_attachments.py from the official forms;
every cell is compared with the numbers the generator used (`<fixture>.expected.csv`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from extractors import extract, spreadsheet
from extractors.load import load_document

HERE = Path(__file__).resolve().parent / "fixtures" / "attachments"
CASES = [
    ("js-haimen-2016-legacy", "xlsx", "legacy-2014"),
    ("js-haimen-2016-legacy", "xls", "legacy-2014"),
    ("zj-yuhang-2021-t3", "xlsx", "gov2021"),
    ("zj-yuhang-2021-t3", "xls", "gov2021"),
    ("gd-tianhe-2021-tables", "xlsx", "gov2021"),  # tables 二, 三 (with 小计), 四 on three sheets
]


def expected(name: str) -> list[tuple[str, float | None]]:
    with (HERE / f"{name}.expected.csv").open(encoding="utf-8") as handle:
        return [(r["code"], float(r["value"]) if r["value"] else None) for r in csv.DictReader(handle)]


@pytest.mark.parametrize(("name", "ext", "variant"), CASES)
def test_every_cell_in_table_order(name, ext, variant):
    data = (HERE / f"{name}.{ext}").read_bytes()
    report = extract(data, filename=f"{name}.{ext}")
    assert (report.status, report.content_type, report.template_variant) == ("ok", ext, variant)
    want = expected(name)
    assert [(r.code, r.value) for r in report.rows] == want
    assert not [f for f in report.findings if f.kind in ("identity_failed", "unknown_label", "missing_value")]


@pytest.mark.parametrize("ext", ["xlsx", "xls"])
def test_cells_read_as_displayed(ext):
    report = extract((HERE / f"js-haimen-2016-legacy.{ext}").read_bytes())
    rows = {r.code: r for r in report.rows}
    assert (rows["org.budget"].raw, rows["org.budget"].value, rows["org.budget"].unit) == ("5.50", 5.5, "万元")
    assert (rows["fees.request_fees"].raw, rows["fees.request_fees"].value) == ("0.00", 0)
    assert rows["proactive.total"].label == "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）"  # wrapped


@pytest.mark.parametrize("ext", ["xlsx", "xls"])
def test_merged_ranges_expand_like_rowspan_and_colspan(ext):
    doc, problem = load_document((HERE / f"zj-yuhang-2021-t3.{ext}").read_bytes())
    assert problem == ("", "")
    assert len(doc.tables) == 1  # the empty second sheet gives no table
    grid, spans = doc.tables[0].grid, doc.tables[0].spans
    assert len(grid[0]) == 10  # blank first column and blank first row dropped
    assert grid[0] == ["三、收到和处理政府信息公开申请情况"] * 10
    assert set(spans[0]) == {(0, 0)}
    corner = [(r, c) for r in range(1, 4) for c in range(3)]
    assert {spans[r][c] for r, c in corner} == {(1, 0)}
    assert grid[2][4:9] == ["法人或其他组织"] * 5
    assert grid[3][4:9] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    group = [r for r in range(len(grid)) if grid[r][0] == "三、本年度办理结果"]
    assert len(group) == 22
    assert {spans[r][0] for r in group} == {(group[0], 0)}
    assert group == list(range(group[0], group[0] + 22))
    assert doc.lines.count("三、本年度办理结果") == 1  # a merged range is one line
    assert doc.lines[doc.tables[0].line_index] == "三、收到和处理政府信息公开申请情况"


def test_xlsx_properties_go_to_meta():
    doc, _ = load_document((HERE / "js-haimen-2016-legacy.xlsx").read_bytes())
    assert doc.meta["xlsx_title"] == "江苏省海门市2016年政府信息公开情况统计表"
    assert doc.meta["xlsx_creator"] == "政务公开办"
    assert doc.meta["xlsx_sheets"] == "统计表"


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (12.0, "General", "12"),
        (36.52, "General", "36.52"),
        (0, "0.00", "0.00"),
        (0.5, "0%", "50%"),
        (1234.5, "#,##0.0", "1234.5"),
        (datetime(2020, 1, 15), "yyyy-mm-dd", "2020-01-15"),
        ("（一）收到\n申请数", "General", "（一）收到申请数"),
        (None, "General", ""),
        (float("nan"), "General", ""),
    ],
)
def test_display_text(value, fmt, text):
    assert spreadsheet._display(value, fmt) == text


def _patched_ole(data: bytes, old: str, new: str) -> bytes:
    """The .xls with its root stream renamed (a Word .doc names WordDocument, not Workbook)."""
    name = old.encode("utf-16-le") + b"\0\0"
    at = next(m.start() for m in re.finditer(re.escape(name), data) if m.start() % 128 == 0)
    entry = new.encode("utf-16-le") + b"\0\0"
    size = len(entry).to_bytes(2, "little")
    return data[:at] + entry.ljust(64, b"\0") + size + data[at + 66 :]


def test_old_word_document_keeps_its_message():
    xls = (HERE / "js-haimen-2016-legacy.xls").read_bytes()
    assert spreadsheet.is_xls(xls)
    doc_file = _patched_ole(xls, "Workbook", "WordDocument")
    assert not spreadsheet.is_xls(doc_file)
    report = extract(doc_file, filename="report.doc")
    assert report.status == "unreadable"
    assert "old binary Office document" in report.message


@pytest.mark.parametrize(
    ("ext", "keep", "message"),
    [
        ("xlsx", 0.5, "the Excel workbook (.xlsx"),  # no central directory: named by local headers
        ("xlsx", -200, "the Excel workbook (.xlsx"),
        ("xls", -200, "the Excel workbook (.xls) is damaged"),
        ("xls", 0.5, "the file is an old binary Office document"),  # its directory was cut off
    ],
)
def test_truncated_workbook_is_unreadable_not_a_traceback(ext, keep, message):
    data = (HERE / f"zj-yuhang-2021-t3.{ext}").read_bytes()
    cut = int(len(data) * keep) if keep > 0 else len(data) + keep
    report = extract(data[:cut], filename=f"cut.{ext}")
    assert report.status == "unreadable"
    assert report.message.startswith(message), report.message
    assert len(report.message) <= 300
    assert not report.rows


def test_zip_with_broken_sheet_xml_is_unreadable():
    src = (HERE / "zj-yuhang-2021-t3.xlsx").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as a, zipfile.ZipFile(out, "w") as b:
        for info in a.infolist():
            body = a.read(info.filename)
            b.writestr(info.filename, body[: len(body) // 3] if info.filename.endswith("sheet1.xml") else body)
    report = extract(out.getvalue(), filename="broken.xlsx")
    assert report.status == "unreadable"
    assert report.message.startswith("the Excel workbook (.xlsx")


def test_workbook_without_text_is_empty():
    import openpyxl

    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    report = extract(buffer.getvalue(), filename="blank.xlsx")
    assert (report.status, report.message) == ("empty", "the Excel workbook (.xlsx) has no text in its cells")


def test_oversized_workbook_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_UNZIPPED_BYTES", 1000)
    report = extract((HERE / "zj-yuhang-2021-t3.xlsx").read_bytes())
    assert report.status == "unreadable"
    assert "unpacks to more than" in report.message


def test_far_away_styled_cell_costs_nothing():
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    ws = book.active
    ws["B2"], ws["C2"] = "（一）收到申请数", 12
    ws.cell(row=900_000, column=16_000).font = Font(bold=True)  # formatting, no value
    buffer = io.BytesIO()
    book.save(buffer)
    doc, problem = load_document(buffer.getvalue())
    assert problem == ("", "")
    assert doc.tables[0].grid == [["（一）收到申请数", "12"]]
    assert doc.lines == ["（一）收到申请数", "12"]


@pytest.mark.parametrize("ext", ["xlsx", "xls"])
def test_mutated_bytes_never_raise(ext):
    """Random byte damage (seeded) gives a status and a message, never a traceback or a memory blow-up
    (a damaged .xls cell index once made xlrd pad every row to column 16000)."""
    import random

    rng = random.Random(1)
    data = (HERE / f"js-haimen-2016-legacy.{ext}").read_bytes()
    statuses = set()
    for _ in range(30):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        report = extract(bytes(damaged))
        assert report.status in ("ok", "partial", "no_table", "not_report", "empty", "unreadable")
        assert report.message
        statuses.add(report.status)
    assert "unreadable" in statuses


def test_xls_with_a_far_cell_is_not_padded_to_it():
    import time

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Sheet1")
    ws.write(0, 0, "（一）收到申请数")
    ws.write(0, 1, 12)
    ws.write(65000, 250, "x")  # past MAX_ROWS: ignored; must not pad 65001 rows to 251 columns
    buffer = io.BytesIO()
    book.save(buffer)
    start = time.perf_counter()
    doc, problem = load_document(buffer.getvalue())
    assert time.perf_counter() - start < 2
    assert problem == ("", "")
    assert doc.tables[0].grid == [["（一）收到申请数", "12"]]


@pytest.mark.parametrize("ext", ["xlsx", "xls"])
def test_hidden_sheets_are_left_out(ext, tmp_path):
    if ext == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        book.active["A1"], book.active["B1"] = "（一）收到申请数", 12
        scratch = book.create_sheet("下拉选项")
        scratch["A1"], scratch["B1"] = "（二）办结数", 99
        scratch.sheet_state = "hidden"
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    else:
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        book.add_sheet("表").write(0, 0, "（一）收到申请数")
        scratch = book.add_sheet("下拉选项")
        scratch.write(0, 0, "（二）办结数")
        scratch.visibility = 1  # BOUNDSHEET: hidden
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    doc, _ = load_document(data)
    assert len(doc.tables) == 1
    assert "（二）办结数" not in doc.lines
    assert doc.meta[f"{ext}_hidden_sheets"] == "下拉选项"
