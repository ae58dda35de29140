"""pdf_to_document on the three real Jiangsu PDFs (read from ../shared) and on synthetic PDFs.

The real PDFs' gold values are looked up directly in the rebuilt grids (row label path + column
header path → cell), so a wrong column, a lost blank cell, a wrapped label glued to the wrong row
or a table not joined over a page break shows up here, independently of the table reader.
"""

from __future__ import annotations

import csv
import random
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from extractors import pdf as pdf_module
from extractors.model import Document, Table
from extractors.page_layout import PAGE_NUMBER
from extractors.pdf import PdfUnreadableError, join_wrapped, pdf_to_document

REAL = ["js-huaian-city-2024", "js-huaian-hongze-2023", "js-huaian-hongze-2024"]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pdf"
_NUM = re.compile(r"-?\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def real_docs(shared_dir: Path) -> dict[str, tuple[Document, float, int]]:
    """Each real PDF parsed once: (document, seconds, pages)."""
    out = {}
    for name in REAL:
        data = (shared_dir / "real-reports" / name / "report.pdf").read_bytes()
        start = time.perf_counter()
        doc = pdf_to_document(data)
        out[name] = (doc, time.perf_counter() - start, len(re.findall(rb"/Type\s*/Page\b(?!s)", data)))
    return out


@pytest.fixture(scope="module")
def synthetic() -> dict[str, Document]:
    names = ("ruled", "unruled", "repeated-header", "scan")
    return {
        name: pdf_to_document((FIXTURES / f"shili-county-2022-{name}.pdf").read_bytes()) for name in names
    }


# ------------------------------------------------------------------------------ grid lookup


def _is_num(text: str) -> bool:
    return bool(_NUM.fullmatch(text))


def _dedup(cells: list[str]) -> list[str]:
    out: list[str] = []
    for cell in cells:
        if cell and (not out or out[-1] != cell):
            out.append(cell)
    return out


def _first_value(row: list[str]) -> int | None:
    return next((c for c, text in enumerate(row) if _is_num(text)), None)


def _row_labels(table: Table, r: int) -> list[str]:
    row = table.grid[r]
    first = _first_value(row)
    return _dedup([re.sub(r"\s+", "", text) for text in row[: len(row) if first is None else first]])


def _header_path(table: Table, r: int, c: int) -> list[str]:
    """Non-numeric rows just above the value rows that contain row r, read down column c."""
    k = r
    while k > 0 and _first_value(table.grid[k - 1]) is not None:
        k -= 1
    top = k
    while top > 0 and _first_value(table.grid[top - 1]) is None:
        top -= 1
    return _dedup([re.sub(r"\s+", "", table.grid[i][c]) for i in range(top, k)])


def grid_values(doc: Document, row_parts: list[str], column: str) -> list[str]:
    """Every value cell whose row label path and column header path match the gold label.

    Rows with labels (tables 二, 三) must print exactly `row_parts`; table 四's value row has no
    label, so its group (行政复议, 未经复议直接起诉, ...) is read from the column headers.
    """
    found = []
    for table in doc.tables:
        for r, row in enumerate(table.grid):
            first = _first_value(row)
            labels = _row_labels(table, r)
            if first is None or (labels and labels != row_parts):
                continue
            for c in range(first, len(row)):
                if table.spans[r][c] != (r, c):
                    continue
                path = _header_path(table, r, c)
                if path and path[-1].startswith(column) and (labels or path[-2:-1] == row_parts[-1:]):
                    found.append(row[c])
    return found


def read_gold(shared_dir: Path, name: str) -> list[tuple[list[str], str, float]]:
    with (shared_dir / "real-reports" / name / "gold.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        path, column = row["label"].rsplit(" | ", 1)
        out.append(([p.strip() for p in path.split(" / ")], column.strip(), float(row["value"])))
    return out


def _t3(doc: Document) -> Table:
    return next(t for t in doc.tables if len(t.grid[0]) > 3 and t.grid[0][3] == "申请人情况")


# ----------------------------------------------------------------------------- real PDFs


@pytest.mark.parametrize("name", REAL)
def test_every_gold_value_stands_in_its_cell(real_docs, shared_dir, name):
    doc = real_docs[name][0]
    wrong = []
    gold = read_gold(shared_dir, name)
    for row_parts, column, value in gold:
        found = grid_values(doc, row_parts, column)
        if len(found) != 1 or float(found[0]) != value:
            wrong.append((" / ".join(row_parts), column, value, found))
    assert not wrong, f"{len(wrong)}/{len(gold)} gold cells wrong in {name}: {wrong[:5]}"


@pytest.mark.parametrize("name", REAL)
def test_page_footers_are_dropped_and_tables_read_on(real_docs, name):
    lines = real_docs[name][0].lines
    assert not [ln for ln in lines if re.fullmatch(r"-\s*\d+\s*-", ln)]
    after = lines.index(next(ln for ln in lines if ln.startswith("3.补正后申请内容仍不明确")))
    assert "2.没有现成信息需要另行制作" in lines[after - 1], lines[after - 2 : after + 1]


@pytest.mark.parametrize("name", REAL)
def test_lines_keep_a_row_label_with_its_numbers(real_docs, name):
    lines = real_docs[name][0].lines
    assert any(re.fullmatch(r"一、本年新收政府信息公开申请数量( \d+){7}", ln) for ln in lines)
    assert any(re.fullmatch(r"（七）总计( \d+){7}", ln) for ln in lines)


@pytest.mark.parametrize("name", REAL)
def test_table_three_is_one_grid_across_the_page_break(real_docs, name):
    doc = real_docs[name][0]
    t3 = [t for t in doc.tables if any("本年新收政府信息公开申请数量" in c for c in t.grid[3])]
    assert len(t3) == 1
    labels = [_row_labels(t3[0], r) for r in range(len(t3[0].grid))]
    assert labels[3] == ["一、本年新收政府信息公开申请数量"]
    assert labels[-1] == ["四、结转下年度继续办理"]
    # no prose (narrative paragraphs boxed in invisible rectangles) glued onto any grid
    assert not [c for t in doc.tables for row in t.grid for c in row if "。" in c]


@pytest.mark.parametrize(("name", "rows"), [("js-huaian-city-2024", 22), ("js-huaian-hongze-2023", 20)])
def test_vertical_group_label_is_one_merged_cell(real_docs, name, rows):
    t3 = _t3(real_docs[name][0])
    origins = {t3.spans[r][0] for r in range(len(t3.grid)) if t3.grid[r][0] == "三、本年度办理结果"}
    assert len(origins) == 1
    assert sum(1 for r in range(len(t3.grid)) if t3.grid[r][0] == "三、本年度办理结果") == rows


def test_group_cell_cut_by_the_page_break_is_joined(real_docs):
    """淮安市 2024 prints "（四）无" at the foot of page 4 and "法提供" on page 5."""
    t3 = _t3(real_docs["js-huaian-city-2024"][0])
    rows = [r for r in range(len(t3.grid)) if t3.grid[r][1] == "（四）无法提供"]
    assert [t3.grid[r][2] for r in rows] == [
        "1.本机关不掌握相关政府信息",
        "2.没有现成信息需要另行制作",
        "3.补正后申请内容仍不明确",
    ]
    assert len({t3.spans[r][1] for r in rows}) == 1
    assert [t3.grid[rows[0]][c] for c in range(3, 10)] == ["746", "12", "0", "0", "10", "1", "769"]


def test_blank_label_cell_stays_blank_in_its_column(real_docs):
    """洪泽 2023's （六）其他处理 has an empty third label cell; the numbers stay in columns 3..9."""
    t3 = _t3(real_docs["js-huaian-hongze-2023"][0])
    row = next(row for row in t3.grid if row[1] == "（六）其他处理")
    assert row[2] == ""
    assert row[3:] == ["0"] * 7


def test_wrapped_labels_are_joined_to_their_row(real_docs):
    city = real_docs["js-huaian-city-2024"][0]
    assert grid_values(
        city, ["三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"], "自然人"
    ) == ["447"]
    label = "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    assert grid_values(city, ["三、本年度办理结果", "（六）其他处理", label], "总计") == ["71"]
    hongze = real_docs["js-huaian-hongze-2023"][0]
    # printed as "1 0 0 0 0 0 1" on the line BEFORE "1.属于国家秘密"
    assert grid_values(hongze, ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"], "总计") == ["1"]
    assert grid_values(
        hongze, ["三、本年度办理结果", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"], "自然人"
    ) == ["0"]


def test_table_four_header_path_and_printed_totals(real_docs):
    """洪泽 2023 prints 复议 总计 0 next to 维持 10 + 纠正 1: kept as printed."""
    doc = real_docs["js-huaian-hongze-2023"][0]
    assert grid_values(doc, ["行政复议"], "总计") == ["0"]
    assert grid_values(doc, ["行政复议"], "结果维持") == ["10"]
    assert grid_values(doc, ["行政诉讼", "复议后起诉"], "结果维持") == ["5"]


@pytest.mark.parametrize("name", REAL)
def test_line_index_points_at_the_table(real_docs, name):
    doc = real_docs[name][0]
    for table in doc.tables:
        first = join_wrapped(doc.lines[table.line_index])
        assert any(cell and first.replace(" ", "").startswith(cell[:4]) for cell in table.grid[0]), first


def test_speed(real_docs):
    pages = sum(p for _, _, p in real_docs.values())
    seconds = sum(s for _, s, _ in real_docs.values())
    print(f"pdf_to_document: {pages} pages in {seconds:.2f}s = {pages / seconds:.1f} pages/s")
    assert seconds / pages < 1.0


# ------------------------------------------------------------------------- synthetic PDFs


@pytest.mark.parametrize("kind", ["ruled", "unruled", "repeated-header"])
def test_synthetic_table_grid(synthetic, kind):
    """Same table drawn with cell borders, without, and with its column heads repeated on page 2
    (Word's repeat-header-row): the same cells in the same columns, heads once."""
    doc = synthetic[kind]
    assert len(doc.tables) == 1
    grid = doc.tables[0].grid
    first = next(r for r, row in enumerate(grid) if row[0] == "一、本年新收政府信息公开申请数量")
    assert grid[first - 1][3:] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    body = grid[first:]
    assert body[0] == ["一、本年新收政府信息公开申请数量"] * 3 + ["12", "3", "0", "1", "0", "0", "16"]
    assert body[1][3:] == ["2", "—", "0", "/", "0", "0", "2"]  # blank marks stay in their columns
    # a blank cell stays an empty string in its own column
    assert body[2][:3] == ["三、本年度办理结果", "（一）予以公开", "（一）予以公开"]
    assert body[2][3:] == ["5", "1", "", "0", "0", "0", "6"]
    # wrapped labels joined, in their own row
    assert body[3][1] == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert body[5][2] == "2.其他法律行政法规禁止公开"
    assert body[5][3:] == ["0", "1", "0", "0", "0", "0", "1"]
    # the table goes on over the page break; the group cell cut in two is one cell again
    assert [row[1] for row in body[4:7]] == ["（三）不予公开"] * 3
    assert body[6][2] == "3.危及“三安全一稳定”"
    assert [row[1] for row in body[7:9]] == ["（四）无法提供"] * 2
    assert {row[0] for row in body[2:10]} == {"三、本年度办理结果"}
    assert len({doc.tables[0].spans[first + r][0] for r in range(2, 10)}) == 1
    assert body[9][:3] == ["三、本年度办理结果", "（七）总计", "（七）总计"]
    assert body[10] == ["四、结转下年度继续办理"] * 3 + ["2", "1", "0", "0", "0", "0", "3"]
    assert len(body) == 11


def test_running_header_and_footer_dropped(synthetic):
    lines = synthetic["ruled"].lines
    assert "示例县人民政府2022年政府信息公开工作年度报告" not in lines
    assert not [ln for ln in lines if re.fullmatch(r"-\s*\d\s*-", ln)]
    assert lines[0] == "三、收到和处理政府信息公开申请情况"
    assert lines[-1] == "四、政府信息公开行政复议、行政诉讼情况"


def test_scan_without_text_layer_needs_ocr(synthetic):
    doc = synthetic["scan"]
    assert doc.kind == "pdf"
    assert doc.lines == []
    assert [f.kind for f in doc.findings] == ["needs_ocr"]
    assert "OCR" in doc.findings[0].message


def test_encrypted_pdf_is_unreadable_with_a_reason():
    with pytest.raises(PdfUnreadableError, match="encrypted with a password"):
        pdf_to_document((FIXTURES / "shili-county-2022-encrypted.pdf").read_bytes())


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7\n", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer\n%%EOF", b""]
)
def test_broken_pdf_is_unreadable_with_a_reason(data):
    with pytest.raises(PdfUnreadableError, match="damaged or not a PDF"):
        pdf_to_document(data)


def test_join_wrapped():
    assert join_wrapped("结 果\n维持") == "结果维持"
    assert (
        join_wrapped("5.要求行政机关确认或重 新出具\n已获取信息") == "5.要求行政机关确认或重新出具已获取信息"
    )
    assert join_wrapped("2023 年\n12 月") == "2023 年 12 月"


def test_document_info_decoded(real_docs):
    """WPS writes the title as UTF-16 with a BOM; it comes out readable, under pdf_ keys."""
    meta = real_docs["js-huaian-hongze-2023"][0].meta
    assert meta["pdf_title"] == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert meta["pdf_creationdate"].startswith("D:2024")
    assert "title" not in meta


def test_image_page_among_text_pages_is_reported():
    """Text on page 1, the table pasted as a picture on page 2: lines kept, page 2 flagged."""
    doc = pdf_to_document((FIXTURES / "shili-county-2022-mixed.pdf").read_bytes())
    assert doc.lines[1] == "一、总体情况"
    assert [(f.kind, f.severity) for f in doc.findings] == [("needs_ocr", "warning")]
    assert "page 2" in doc.findings[0].message


@pytest.mark.parametrize(
    ("text", "running"),
    [
        ("- 3 -", True),
        ("— 12 —", True),
        ("－3－", True),
        ("第 3 页", True),
        ("第3页 共6页", True),
        ("共 6 页 第 3 页", True),
        ("3 / 6", True),
        ("3", True),
        ("3 0 0 1 0 0 4", False),
        ("行政许可 550", False),
        ("2023 年政府信息公开工作年度报告", False),
    ],
)
def test_page_number_patterns(text, running):
    assert bool(PAGE_NUMBER.match(text)) is running


@pytest.mark.parametrize(("name", "least"), [("js-huaian-city-2024", 194), ("js-huaian-hongze-2023", 186)])
def test_word_positions_alone_rebuild_the_real_tables(shared_dir, monkeypatch, name, least):
    """With the ruling lines ignored, the word-position reader still finds the gold cells.

    This is the path for PDFs whose tables have no drawn borders. 淮安市's table 四 prints its
    group heads (行政复议, 行政诉讼) left-aligned, not centred over their columns, and its column
    heads scrambled over six lines: 6 of its 15 cells are the known misses.
    """
    monkeypatch.setattr(pdf_module, "_ruled_tables", lambda page, number: [])
    doc = pdf_to_document((shared_dir / "real-reports" / name / "report.pdf").read_bytes())
    gold = read_gold(shared_dir, name)
    right = sum(
        1 for parts, column, value in gold if [float(v) for v in grid_values(doc, parts, column)] == [value]
    )
    assert right >= least, f"{right}/{len(gold)}"


def test_row_labels_do_not_join_over_a_page_break():
    """行政处罚 ends page 1, 行政强制 starts page 2: one table, two rows, labels untouched."""
    doc = pdf_to_document((FIXTURES / "shili-county-2022-block-break.pdf").read_bytes())
    assert [t.grid for t in doc.tables] == [
        [["信息内容", "本年处理决定数量"], ["行政处罚", "4119"], ["行政强制", "195"]]
    ]
    assert doc.tables[0].spans[2] == [(2, 0), (2, 1)]
    assert doc.lines == ["第二十条第（六）项", "信息内容 本年处理决定数量", "行政处罚 4119", "行政强制 195"]


def test_text_layer_without_unicode_map_needs_ocr():
    """Fonts embedded without ToUnicode come out as "(cid:N)" or private-use characters."""
    cid = SimpleNamespace(chars=[{"text": f"(cid:{i})"} for i in range(40)] + [{"text": "1"}])
    pua = SimpleNamespace(chars=[{"text": "\ue010"}] * 30 + [{"text": "年"}] * 10)
    fine = SimpleNamespace(chars=[{"text": "年"}] * 40 + [{"text": "(cid:3)"}])
    assert pdf_module._undecodable([cid])
    assert pdf_module._undecodable([pua])
    assert not pdf_module._undecodable([fine])


def test_table_layout_failure_costs_the_grids_not_the_text(monkeypatch):
    """A layout the grid builders did not foresee: lines kept, an extraction_error finding."""

    def boom(page, number):
        raise ValueError("unexpected layout")

    monkeypatch.setattr(pdf_module, "_ruled_tables", boom)
    doc = pdf_to_document((FIXTURES / "shili-county-2022-ruled.pdf").read_bytes())
    assert "一、本年新收政府信息公开申请数量 12 3 0 1 0 0 16" in doc.lines
    assert doc.tables == []
    assert [f.kind for f in doc.findings] == ["extraction_error", "extraction_error"]
    assert "page 1" in doc.findings[0].message


@pytest.mark.parametrize("seed", range(8))
def test_damaged_pdf_bytes_never_escape_as_a_traceback(seed):
    """Bytes flipped at random in a real-looking PDF: a Document or PdfUnreadableError, nothing else."""
    data = bytearray((FIXTURES / "shili-county-2022-ruled.pdf").read_bytes())
    rnd = random.Random(seed)
    for _ in range(20):
        data[rnd.randrange(len(data))] = rnd.randrange(256)
    try:
        doc = pdf_to_document(bytes(data))
    except PdfUnreadableError:
        return
    assert doc.kind == "pdf"


def test_unruled_table_on_a_page_with_a_ruled_one():
    """The word-position reader also runs on the text around a ruled table on the same page."""
    doc = pdf_to_document((FIXTURES / "shili-county-2022-ruled-and-unruled.pdf").read_bytes())
    assert [t.grid for t in doc.tables] == [
        [["信息内容", "本年处理决定数量"], ["行政处罚", "4119"], ["行政强制", "195"]],
        [
            ["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
            ["行政复议", "10", "1", "", "0", "11"],
            ["未经复议直接起诉", "0", "—", "0", "0", "0"],
            ["复议后起诉", "5", "0", "0", "1", "6"],
        ],
    ]
    assert doc.lines[doc.tables[1].line_index] == "结果维持 结果纠正 其他结果 尚未审结 总计"


def test_bare_numbers_are_page_numbers_only_when_they_step_with_the_pages():
    """A figure that ends an unruled page is data; '1', '2', '3' at the page feet are page numbers."""
    from extractors.page_layout import Line
    from extractors.pdf import _page_number_offsets

    def page(i: int, last: str) -> list[Line]:
        return [Line("四、行政复议数量", i, 100, 110), Line(last, i, 800, 810)]

    numbered = [page(0, "1"), page(1, "2"), page(2, "3")]
    margin = {id(ln) for p in numbered for ln in p if ln.top > 700}
    assert _page_number_offsets(numbered, margin) == {1}
    with_figure = [page(0, "60"), page(1, "2"), page(2, "3")]
    margin = {id(ln) for p in with_figure for ln in p if ln.top > 700}
    offsets = _page_number_offsets(with_figure, margin)
    assert offsets == {1}
    lone = [page(0, "60")]
    assert _page_number_offsets(lone, {id(lone[0][1])}) == set()


def test_centred_tails_of_wrapped_labels_are_not_a_group_stack():
    """Short tails of wrapped labels centred under their rows ("信息" / "制作" / "确") line up
    like a one-character-per-line group label, but a label stands left of them: no stack (else
    the page's grid gets an extra label column and is not joined to the page before)."""
    from extractors.page_layout import Word
    from extractors.word_tables import _stack

    h = 10.5
    tails = [Word("信息", 179, 200, 71, 81), Word("制作", 183, 204, 101, 111), Word("确", 183, 194, 131, 141)]
    group = [Word("（四）无法提", 71, 130, 90, 100), Word("供", 93, 104, 101, 111)]
    stack, rest = _stack(tails + group, h)
    assert stack == []
    assert len(rest) == 5
    real = [Word(ch, 54, 65, 600 + 11 * k, 610 + 11 * k) for k, ch in enumerate("三、本年度办理结果")]
    stack, rest = _stack(real + tails + group, h)
    assert "".join(w.text for w in stack) == "三、本年度办理结果"
    assert len(rest) == 5


def test_a_numbered_label_is_not_glued_to_the_group_label_beside_it():
    """Unruled, a group cell's text ends right before its first sub-label ("（三）不予公" then
    "4.保护第三方合法权益" on one line): two labels, not one."""
    from extractors.page_layout import Word
    from extractors.word_tables import _segments

    line = [Word("（三）不予公", 71, 128, 663, 673), Word("4.保护第三方合法权益", 131, 240, 663, 673)]
    assert [w.text for w in _segments(line, 10.5)] == ["（三）不予公", "4.保护第三方合法权益"]
    wrapped = [Word("4.无正当理由大量反复", 131, 240, 210, 220), Word("申请", 243, 265, 210, 220)]
    assert [w.text for w in _segments(wrapped, 10.5)] == ["4.无正当理由大量反复申请"]


def _two_column_page(title_size: float) -> bytes:
    """A cover: the place and the title on the left, the contents on the right (10 pt)."""
    import io

    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    cidfonts = pytest.importorskip("reportlab.pdfbase.cidfonts")
    pdfmetrics = pytest.importorskip("reportlab.pdfbase.pdfmetrics")
    pdfmetrics.registerFont(cidfonts.UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(595, 842), invariant=1)
    c.setFont("STSong-Light", 10)
    for k, text in enumerate(["目录", "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]):
        c.drawString(340, 842 - 224 - 18 * k, text)
    c.setFont("STSong-Light", title_size)
    c.drawString(60, 842 - 244, "淮安市清江浦区")
    c.drawString(60, 842 - 268, "2021年政府信息公开工作年度报告")
    c.setFont("STSong-Light", 9)
    c.drawCentredString(297, 30, "- 1 -")
    c.showPage()
    c.save()
    return out.getvalue()


def test_two_column_cover_reads_the_left_column_first():
    """Title in large type beside the contents: its two lines stay together, the page number whole."""
    lines = pdf_to_document(_two_column_page(16)).lines
    assert lines[:2] == ["淮安市清江浦区", "2021年政府信息公开工作年度报告"]
    assert "一、总体情况" in lines
    assert "淮安市清江浦区 一、总体情况" not in lines


def test_same_type_on_both_sides_keeps_lines_whole():
    """Without a change of type size, text beside text is one printed line (a label and its figure)."""
    lines = pdf_to_document(_two_column_page(10)).lines
    assert any("淮安市清江浦区" in ln and "总体情况" in ln for ln in lines), lines
