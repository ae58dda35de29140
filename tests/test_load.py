"""load_document: every encoding and layout a real site serves reduces to the same lines and grids.

The page fixtures (tests/fixtures/pages, made by make_pages.py) wrap the seed's report in site
chrome and save it in the encodings and layouts found in the wild; the real 平潭 pages in
../shared check Word-pasted markup and merged cells as published.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from extractors import docx
from extractors.load import decode_page, html_to_document, load_document
from extractors.model import Document

TITLE = "2016年崇川区政府信息公开工作年度报告"
TABLE_TITLE = "2016年度政府信息公开情况统计表"
FOOTER = "关于我们"


@pytest.fixture(scope="module")
def pages(fixtures_dir: Path) -> Path:
    return fixtures_dir / "pages"


@pytest.fixture(scope="module")
def seed_table(shared_dir: Path) -> list[str]:
    """The seed's table lines, from its title to the line before the footer."""
    lines = [line.strip() for line in (shared_dir / "seeds" / "000_f790e48fa2eae4e6.txt")
             .read_text(encoding="utf-8").splitlines() if line.strip()]
    end = next(i for i, line in enumerate(lines) if line.startswith(FOOTER))
    return lines[lines.index(TABLE_TITLE):end]


def _load(path: Path, **kwargs) -> Document:
    doc, problem = load_document(path.read_bytes(), filename=path.name, **kwargs)
    assert problem == ("", ""), problem
    assert doc is not None
    return doc


def _html(markup: str) -> Document:
    doc, problem = load_document(markup.encode("utf-8"))
    assert doc is not None, problem
    return doc


# --- decoding -------------------------------------------------------------------------------------

DECODING = [
    # fixture, encoding read, finding expected (mislabelled pages say so)
    ("chongchuan-2016-utf8.html", "utf-8", None),
    ("chongchuan-2016-utf8-bom.html", "utf-8", None),  # BOM wins over the page's gb2312 meta
    ("chongchuan-2016-gbk.html", "gb18030", None),  # meta gb2312 read as its superset
    ("chongchuan-2016-gbk-undeclared.html", "gb18030", None),
    ("chongchuan-2016-gb18030.html", "gb18030", None),
    ("chongchuan-2016-gbk-as-utf8.html", "gb18030", "declares utf-8 but the bytes are gb18030"),
    ("chongchuan-2016-utf8-as-gbk.html", "utf-8", "declares gb18030 but the bytes are utf-8"),
]


@pytest.mark.parametrize(("name", "encoding", "finding"), DECODING)
def test_decoding_matrix(pages, seed_table, name, encoding, finding):
    doc = _load(pages / name)
    assert doc.kind == "html"
    assert doc.encoding == encoding
    assert TITLE in doc.lines
    assert not any("\ufffd" in line for line in doc.lines)
    start = doc.lines.index(TABLE_TITLE)
    assert doc.lines[start:start + len(seed_table)] == seed_table
    messages = [f.message for f in doc.findings if f.kind == "decode_fallback"]
    assert len(messages) == (finding is not None)
    if finding:
        assert finding in messages[0]


@pytest.mark.parametrize("meta", ["", '<meta charset="utf-8">'])
def test_big5_mirror_page(meta):
    title = "2016年崇川區政府資訊公開工作年度報告"
    page = (f"<html><head>{meta}<title>{title}</title></head><body><p>{title}</p>"
            "<table><tr><td>三、依申請公開情況</td><td></td></tr><tr><td>（一）收到申請數</td>"
            "<td>139</td></tr></table><p>全區政府信息公開工作有序高效推進。</p></body></html>")
    doc, _ = load_document(page.encode("cp950"))
    assert doc is not None
    assert doc.encoding == "cp950"
    assert doc.lines[0] == title
    assert doc.tables[0].grid[1] == ["（一）收到申請數", "139"]


def test_gb18030_four_byte_characters_survive(pages):
    doc = _load(pages / "chongchuan-2016-gb18030.html")
    assert any("王𠮷、龑先生" in line for line in doc.lines)


@pytest.mark.parametrize("content_type", ["text/html; charset=GBK", "text/html;charset=\"gb2312\""])
def test_charset_from_http_header(pages, content_type):
    doc = _load(pages / "chongchuan-2016-gbk-undeclared.html", headers={"Content-Type": content_type})
    assert doc.encoding == "gb18030"
    assert doc.findings == []
    assert TITLE in doc.lines


def test_scrapy_style_bytes_headers(pages):
    headers = {b"Content-Type": [b"text/html; charset=gbk"]}
    assert _load(pages / "chongchuan-2016-gbk-undeclared.html", headers=headers).encoding == "gb18030"


def test_wrong_header_is_overruled_by_the_bytes(pages):
    doc = _load(pages / "chongchuan-2016-gbk.html", headers={"content-type": "text/html; charset=utf-8"})
    assert doc.encoding == "gb18030"
    assert TITLE in doc.lines
    assert any("HTTP header declares utf-8" in f.message for f in doc.findings)


def test_decode_page_tolerates_a_few_stray_bytes():
    data = ("<p>" + "政府信息公开" * 2000 + "</p>").encode("gb18030")
    cut = 3 + 2 * 2400  # between two characters
    text, encoding, findings = decode_page(data[:cut] + b"\xff" + data[cut:])
    assert encoding == "gb18030"
    assert text.count("政府信息公开") == 2000
    assert [f.message for f in findings] == ["1 undecodable byte(s) replaced (read as gb18030)"]


def test_truncated_multibyte_character_at_the_end():
    data = "<p>主动公开政府信息数</p><p>统计".encode()
    text, encoding, _ = decode_page(data[:-1])
    assert encoding == "utf-8"
    assert "主动公开政府信息数" in text


# --- visible text ---------------------------------------------------------------------------------


def test_chrome_is_dropped_and_meta_kept(pages):
    doc = _load(pages / "chongchuan-2016-gbk.html")
    text = "\n".join(doc.lines)
    for invisible in ("统计代码", "_hmt", "float: left", "友情链接", "隐藏的导航文字", "头部开始", "访问量"):
        assert invisible not in text
    assert "网站首页 | English" in doc.lines  # inline links join into one line
    assert doc.meta["siteidcode"] == "3206020001"
    assert doc.meta["articletitle"] == TITLE
    assert doc.meta["pubdate"] == "2017-02-22 09:30"
    assert doc.meta["columnname"] == "政府信息公开年报"
    assert doc.meta["html_title"].startswith(TITLE)
    assert doc.meta["content-type"] == "text/html; charset=gb2312"


def test_br_separated_cells_are_lines(pages, seed_table):
    doc = _load(pages / "chongchuan-2016-br.html")
    start = doc.lines.index(TABLE_TITLE)
    assert doc.lines[start:start + len(seed_table)] == seed_table
    assert doc.tables == []


def test_whitespace_folding():
    doc = _html("<p>\u3000\u3000其中：&nbsp;主动公开\u200b规范性文件数&#160;</p><div> </div>"
                "<p>政府信息\n   公开</p><p>a\n b</p><p>&nbsp;</p>")
    assert doc.lines == ["其中： 主动公开规范性文件数", "政府信息公开", "a b"]


def test_word_markup_joins_split_numbers():
    doc = _html('<table><tr><td><p class="p"><span style="x">10</span><span>037</span><o:p></o:p>'
                '</p></td><td><p><span>&nbsp;0&nbsp;</span></p></td><td><p>结</p><p>果</p><p>纠</p>'
                "<p>正</p></td><td><p>1</p><p>2</p></td></tr></table>")
    assert doc.lines == ["10037", "0", "结果纠正", "1 2"]
    assert doc.tables[0].grid == [["10037", "0", "结果纠正", "1 2"]]


def test_preformatted_text_keeps_its_lines():
    doc = _html("<p>统计表</p><pre>指标名称      单位   数量\n\n收到申请数    件     139\n  <b>申请办结数</b>    件     139\n</pre>")
    assert doc.lines == ["统计表", "指标名称 单位 数量", "收到申请数 件 139", "申请办结数 件 139"]


def test_hidden_elements_and_scripts_inside_body():
    doc = _html('<body><p>可见</p><p style="display: none">不可见</p><p hidden>也不可见</p>'
                "<script>var x = '脚本';</script><noscript>请启用</noscript><p>尾</p></body>")
    assert doc.lines == ["可见", "尾"]


def test_hidden_article_revealed_by_script_is_kept():
    article = "".join(f"<p>第{i}段：政府信息公开工作稳步推进。</p>" for i in range(30))
    doc = _html(f'<div style="display:none" id="content">{article}<table><tr><td>1</td></tr></table></div>'
                '<div style="visibility: hidden"><a href="http://spam">bt365</a></div>')
    assert len(doc.lines) == 31
    assert doc.tables[0].grid == [["1"]]
    assert "bt365" not in doc.lines


def test_text_file_is_one_cell_per_line(shared_dir):
    path = shared_dir / "seeds" / "000_f790e48fa2eae4e6.txt"
    doc = _load(path)
    assert doc.kind == "text"
    assert doc.tables == []
    assert doc.lines[1] == TITLE
    assert "13100" in doc.lines
    assert "" not in doc.lines


def test_text_with_tab_separated_rows():
    text = "统计表\n指标\t单位\t数量\n收到申请数\t件\t139\n专项经费\t万元\t\n说明：无\n孤行\t1\n"
    doc, _ = load_document(text.encode("gbk"), filename="copied.txt")
    assert doc is not None
    assert doc.lines == ["统计表", "指标", "单位", "数量", "收到申请数", "件", "139", "专项经费", "万元", "说明：无",
                         "孤行", "1"]
    (table,) = doc.tables
    assert table.grid == [["指标", "单位", "数量"], ["收到申请数", "件", "139"], ["专项经费", "万元", ""]]
    assert table.line_index == 1


def test_text_with_markup_words_named_txt_stays_text():
    doc, _ = load_document("说明：<p>标签</p> 不是网页\n第二行".encode(), filename="notes.txt")
    assert doc is not None
    assert doc.kind == "text"
    assert doc.lines == ["说明：<p>标签</p> 不是网页", "第二行"]


def test_gzipped_page_is_inflated(pages):
    data = gzip.compress((pages / "chongchuan-2016-gbk.html").read_bytes())
    doc, problem = load_document(data)
    assert problem == ("", "")
    assert doc is not None
    assert TITLE in doc.lines


# --- tables ---------------------------------------------------------------------------------------


def test_rowspan_colspan_expansion_with_origins():
    doc = _html("""<table>
        <tr><th rowspan="2">指标</th><th colspan="2">数量</th></tr>
        <tr><th>本年</th><th>累计</th></tr>
        <tr><td rowspan="2">申请</td><td>1</td><td>2</td></tr>
        <tr><td>3</td><td>4</td></tr>
        <tr><td colspan="3">合计</td></tr>
    </table>""")
    table = doc.tables[0]
    assert table.grid == [
        ["指标", "数量", "数量"],
        ["指标", "本年", "累计"],
        ["申请", "1", "2"],
        ["申请", "3", "4"],
        ["合计", "合计", "合计"],
    ]
    assert table.spans[1] == [(0, 0), (1, 1), (1, 2)]
    assert table.spans[0] == [(0, 0), (0, 1), (0, 1)]
    assert table.spans[3][0] == (2, 0)
    assert table.spans[4] == [(4, 0), (4, 0), (4, 0)]
    assert doc.lines == ["指标", "数量", "本年", "累计", "申请", "1", "2", "3", "4", "合计"]
    assert table.line_index == 0


def test_span_in_the_middle_and_ragged_rows():
    doc = _html("""<table>
        <tr><td>a</td><td rowspan="3">m</td><td>b</td></tr>
        <tr><td>c</td><td>d</td><td>extra</td></tr>
        <tr><td>e</td></tr>
    </table>""")
    assert doc.tables[0].grid == [
        ["a", "m", "b", ""],
        ["c", "m", "d", "extra"],
        ["e", "m", "", ""],
    ]
    assert doc.tables[0].spans[0][3] == (0, 3)  # padding is its own origin


@pytest.mark.parametrize(("rowspan", "colspan"), [("99", "1"), ("0", "1"), ("2x", "abc"), ("-1", "0")])
def test_bad_span_attributes_are_clipped(rowspan, colspan):
    doc = _html(f'<table><tr><td rowspan="{rowspan}" colspan="{colspan}">x</td><td>1</td></tr>'
                "<tr><td>2</td></tr></table>")
    grid = doc.tables[0].grid
    assert len(grid) == 2
    assert len({len(row) for row in grid}) == 1
    assert grid[0][0] == "x"


def test_empty_rows_and_cells():
    doc = _html("<table><tr></tr><tr><td></td><td>1</td></tr><tr><td>&nbsp;</td><td> </td></tr></table>")
    assert doc.tables[0].grid == [["", "1"], ["", ""]]
    assert doc.lines == ["1"]


def test_nested_layout_table(pages, seed_table):
    doc = _load(pages / "chongchuan-2016-table.html")
    layout, stats = doc.tables
    assert len(layout.grid) == 1
    assert TITLE in layout.grid[0][0]
    assert "13100" not in layout.grid[0][0]  # the inner table is not repeated in the outer cell
    assert doc.lines.count("13100") == 1
    assert doc.lines[stats.line_index] == "统计指标"
    assert doc.lines[stats.line_index - 1] == TABLE_TITLE
    assert "附件：无" in doc.lines[doc.lines.index("82"):]
    assert stats.grid[0] == ["统计指标", "统计指标", "单位", "统计数"]
    rows = {tuple(row[1:]) for row in stats.grid}
    assert ("1﹒政府公报公开政府信息数", "", "0") in rows
    assert ("七、依申请公开信息收取的费用", "万元", "0") in rows
    assert ("(三)接受培训人员数", "人次", "82") in rows
    blank = [row for row in stats.grid if row[1].startswith("(四)政府信息公开专项经费")]
    assert blank == [["八、机构建设和保障经费情况", blank[0][1], "万元", ""]]
    section = [r for r, row in enumerate(stats.grid) if row[0] == "一、主动公开情况"]
    assert len(section) == 9
    assert {stats.spans[r][0] for r in section} == {(section[0], 0)}


def test_nested_table_inside_a_data_cell():
    doc = _html("<table><tr><td>外</td><td><p>说明</p><table><tr><td>内1</td><td>内2</td></tr></table>"
                "<p>后记</p></td></tr></table>")
    outer, inner = doc.tables
    assert outer.grid == [["外", "说明 后记"]]
    assert inner.grid == [["内1", "内2"]]
    assert doc.lines == ["外", "说明", "内1", "内2", "后记"]
    assert inner.line_index == 2


def test_vertical_header_one_character_per_paragraph_is_one_cell():
    label = "其他法律行政法规禁止公开"
    cell = "".join(f"<p>{ch}</p>" for ch in label)
    doc = _html(f"<table><tr><td>{cell}</td><td>0</td></tr></table>")
    assert doc.tables[0].grid == [[label, "0"]]
    assert doc.lines == [label, "0"]


def test_thead_tbody_tfoot_in_display_order():
    doc = _html("<table><tfoot><tr><td>合计</td><td>3</td></tr></tfoot><thead><tr><th>项目</th><th>数</th>"
                "</tr></thead><tbody><tr><td>甲</td><td>1</td></tr><tr><td>乙</td><td>2</td></tr></tbody></table>")
    assert doc.tables[0].grid == [["项目", "数"], ["甲", "1"], ["乙", "2"], ["合计", "3"]]
    assert doc.lines == ["项目", "数", "甲", "1", "乙", "2", "合计", "3"]


def test_caption_and_stray_text_keep_their_place():
    doc = _html("<p>前</p><table><caption>表一</caption><tbody><tr><td>a</td></tr></tbody>"
                "</table><p>后</p>")
    assert doc.lines == ["前", "表一", "a", "后"]
    assert doc.tables[0].grid == [["a"]]
    assert doc.tables[0].line_index == 2  # the first cell, after the caption


# --- real pages -----------------------------------------------------------------------------------


def test_real_pingtan_2017(shared_dir):
    doc = _load(shared_dir / "real-reports" / "fj-pingtan-2017" / "page.html")
    assert doc.encoding == "utf-8"
    assert doc.meta["articletitle"] == "平潭综合实验区2017年度政府信息公开工作年度报告"
    assert doc.meta["siteidcode"] == "3590000001"
    assert doc.meta["pubdate"] == "2018-01-23 08:51"
    (table,) = doc.tables
    assert table.grid[0] == ["指标名称", "计量单位", "2017年度", "历年累计"]  # '201'+'7'+'年度' joined
    assert ["主动公开文件数", "条", "2122", "10037"] in table.grid
    assert ["其中：1、政府网站公开数", "条", "2122", "10037"] in table.grid
    assert table.grid[-1] == ["行政诉讼数", "件", "0", "0"]
    assert len(table.grid) == 16
    assert doc.lines[table.line_index] == "指标名称"
    assert doc.lines[table.line_index - 1] == "六、政府信息公开情况统计表"
    narrative = [line for line in doc.lines if line.startswith("2017年全区主动公开政府信息2122条。")]
    assert len(narrative) == 1
    assert "各乡镇主动公开政府信息613条，占28.89%，政府信息公开量较大的部门是" in narrative[0]


def test_real_pingtan_2022_merged_cells(shared_dir):
    doc = _load(shared_dir / "real-reports" / "fj-pingtan-2022" / "page.html")
    t2, t3, t4 = doc.tables
    assert ["行政规范性文件", "88", "55", "698"] in t2.grid
    assert ["行政事业性收费", "9116.36", "9116.36", "9116.36"] in t2.grid
    results = [r for r, row in enumerate(t3.grid) if row[0] == "三、本年度办理结果"]
    assert len(results) == 22  # one merged cell spanning 22 rows, expanded
    assert {t3.spans[r][0] for r in results} == {(results[0], 0)}
    assert t3.grid[2][3:] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert t3.grid[1][4] == "法人或其他组织"
    assert t3.grid[results[-1]][1:] == ["（七）总计", "（七）总计", "72", "3", "0", "0", "0", "0", "75"]
    not_held = [row for row in t3.grid if row[2] == "1.本机关不掌握相关政府信息"]
    assert not_held == [["三、本年度办理结果", "（四）无法提供", "1.本机关不掌握相关政府信息",
                         "37", "0", "0", "0", "0", "0", "37"]]
    assert t4.grid[2][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert t4.grid[3] == ["0", "1", "1", "0", "2", "1", "0", "0", "0", "1", "0", "0", "0", "0", "0"]
    assert all(len(row) == len(t3.grid[0]) for row in t3.grid)


@pytest.mark.parametrize("name", ["fj-pingtan-taxbureau-2013", "fj-pingtan-letter-2014"])
def test_real_pages_without_table(shared_dir, name):
    doc = _load(shared_dir / "real-reports" / name / "page.html")
    assert doc.tables == []
    assert doc.meta["articletitle"] in doc.lines
    assert len(doc.lines) > 50


def test_pdf_is_delegated(fixtures_dir):
    doc = _load(fixtures_dir / "pdf" / "shili-county-2022-ruled.pdf")
    assert doc.kind == "pdf"
    assert doc.tables


def test_scanned_pdf_needs_ocr(fixtures_dir):
    doc, (status, message) = load_document((fixtures_dir / "pdf" / "shili-county-2022-scan.pdf").read_bytes())
    assert doc is None
    assert status == "needs_ocr"
    assert "OCR" in message


def test_word_docx_attachment(pages):
    doc = _load(pages / "chongchuan-2016.docx")
    assert doc.kind == "docx"
    assert doc.meta == {"docx_title": TITLE, "docx_creator": "区政府办公室", "docx_created": "2017-02-20T08:00:00Z"}
    assert doc.lines[0] == TITLE
    assert doc.lines[7:9] == ["联系电话： 0513-1234567", "邮编：226001"]  # w:tab, w:br
    (table,) = doc.tables
    assert doc.lines[table.line_index] == "统计指标"
    assert table.grid[0] == ["统计指标", "统计指标", "单位", "统计数"]
    assert table.grid[1][1:] == ["(一)主动公开政府信息数(不同渠道和方式公开相同信息计1条)", "", "13100"]  # 131+00
    section = [r for r, row in enumerate(table.grid) if row[0] == "一、主动公开情况"]
    assert len(section) == 9  # vMerge restart + 8 continuations
    assert {table.spans[r][0] for r in section} == {(section[0], 0)}
    assert doc.lines.count("一、主动公开情况") == 1
    assert table.grid[-1][1:] == ["(三)接受培训人员数", "人次", "82"]
    assert doc.lines[-1] == "附件：无"


def test_damaged_and_non_word_zips(pages):
    data = (pages / "chongchuan-2016.docx").read_bytes()
    _, (status, message) = load_document(data[: len(data) // 2])
    assert status == "unreadable"
    assert "ZIP" in message or "damaged" in message
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    _, (status, message) = load_document(buffer.getvalue())
    assert (status, "ZIP" in message) == ("unreadable", True)


def test_oversized_word_xml_is_refused(pages, monkeypatch):
    monkeypatch.setattr(docx, "MAX_XML_BYTES", 1000)
    _, (status, message) = load_document((pages / "chongchuan-2016.docx").read_bytes())
    assert status == "unreadable"
    assert "larger than" in message


def test_html_to_document_on_fragment():
    doc = html_to_document("<td>孤立单元格</td>文本")
    assert doc.lines == ["孤立单元格", "文本"]


# --- span expansion against the HTML table algorithm ---------------------------------------------

SPANNED_ROWS = st.lists(
    st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3)), max_size=4), min_size=1, max_size=6
)


def _reference_grid(rows: list[list[tuple[int, int]]]) -> tuple[list[list[str]], list[list[tuple[int, int]]]]:
    """The HTML spec's table-forming algorithm: each cell takes the next free slot of its row.

    Only well-formed tables are compared (malformed ones are covered by test_bad_input).
    """
    slots: dict[tuple[int, int], tuple[str, tuple[int, int]]] = {}
    for r, cells in enumerate(rows):
        c = 0
        for k, (rowspan, colspan) in enumerate(cells):
            while (r, c) in slots:
                c += 1
            for rr in range(r, min(r + rowspan, len(rows))):
                for cc in range(c, c + colspan):
                    assume((rr, cc) not in slots)  # overlapping cells are a table model error
                    slots[(rr, cc)] = (f"r{r}c{k}", (r, c))
            c += colspan
    used = sorted({r for r, _ in slots})
    width = max((c for _, c in slots), default=-1) + 1
    renumber = {r: i for i, r in enumerate(used)}
    grid, spans = [], []
    for i, r in enumerate(used):
        grid.append([slots[(r, c)][0] if (r, c) in slots else "" for c in range(width)])
        spans.append([(renumber[slots[(r, c)][1][0]], slots[(r, c)][1][1]) if (r, c) in slots else (i, c)
                      for c in range(width)])
    return grid, spans


@given(SPANNED_ROWS)
def test_span_expansion_matches_the_html_algorithm(rows):
    markup = "<table>" + "".join(
        "<tr>" + "".join(f'<td rowspan="{rs}" colspan="{cs}">r{r}c{k}</td>' for k, (rs, cs) in enumerate(cells))
        + "</tr>" for r, cells in enumerate(rows)) + "</table>"
    doc = html_to_document(markup)
    expected_grid, expected_spans = _reference_grid(rows)
    table = doc.tables[0]
    assert table.grid == expected_grid
    assert table.spans == expected_spans


# --- article carried in a script (Guangdong gkmlpt post pages) ------------------------------------


def test_gkmlpt_article_in_script_json_is_unwrapped(pages):
    """The body is an empty app mount; the report is only the escaped HTML of _CONFIG.DETAIL.content."""
    doc = _load(pages / "chongchuan-2016-gkmlpt.html")
    assert TITLE in doc.lines
    assert TABLE_TITLE in doc.lines
    assert len(doc.tables) == 1
    assert doc.tables[0].grid[0] == ["统计指标", "单位", "统计数"]
    assert doc.lines[doc.tables[0].line_index] == "统计指标"  # grid and lines still line up
    assert (doc.meta["detail_title"], doc.meta["detail_date"]) == (TITLE, "2017-02-22 09:30")
    assert not any("<" in line or "\\u" in line for line in doc.lines)


def test_gkmlpt_page_reads_like_the_table_page(pages):
    from extractors import extract

    gk = extract((pages / "chongchuan-2016-gkmlpt.html").read_bytes(), filename="post_1234567.html")
    table = extract((pages / "chongchuan-2016-table.html").read_bytes(), filename="table.html")
    assert (gk.status, gk.template, gk.meta.year, gk.meta.published) == ("ok", "legacy", 2016, "2017-02-22")
    assert [(r.code, r.value) for r in gk.rows] == [(r.code, r.value) for r in table.rows]


def test_script_content_is_ignored_when_the_body_has_the_article(pages):
    """A visible article wins: a script's copy (a preview, a share widget) is not read twice."""
    body = "".join(f"<p>{line}</p>" for line in [TITLE, *["本机关认真贯彻落实政府信息公开条例。" * 3] * 10])
    script = '<script>var DETAIL = {"title": "别的标题", "content": "<p>' + "脚本里的文章" * 60 + '</p>"};</script>'
    doc = _html(f"<html><head>{script}</head><body>{body}</body></html>")
    assert "detail_title" not in doc.meta
    assert not any("脚本里的文章" in line for line in doc.lines)
    doc = _html(f"<html><head>{script}</head><body><div id='app'></div></body></html>")
    assert doc.meta["detail_title"] == "别的标题"
    assert any("脚本里的文章" in line for line in doc.lines)


def test_tab_rows_stay_as_printed():
    """The contract for tab grids: a row missing its rowspan-covered cell is not shifted or guessed."""
    from extractors.load import text_to_document

    doc = text_to_document("三、本年度办理结果\t（一）予以公开\t5\t1\t\n\t（二）部分公开\t2\t0\t\n（三）不予公开\t1\t1\t\n")
    assert [row[:4] for row in doc.tables[0].grid] == [
        ["三、本年度办理结果", "（一）予以公开", "5", "1"],
        ["", "（二）部分公开", "2", "0"],
        ["（三）不予公开", "1", "1", ""],
    ]
    assert doc.tables[0].spans[2] == [(2, c) for c in range(5)]


# --- the fast walk (XSLT marks) equals the reference walk (_Walker) ------------------------------

_TEXTS = st.sampled_from([
    "", " ", "\n  ", "统计", "收到申请数", "12", "1,234", "a b", "\u3000其中：", "\xa0", "\u200b", "中\n文",
    "line1\nline2", "  x  ", "长" * 310, "&nbsp;", "&lt;b&gt;", "&#64976;", "\ufdd0f",
])
_TAGS = ["p", "div", "span", "b", "br", "font", "a", "li", "ul", "h2", "center", "pre", "table", "tbody",
         "thead", "tfoot", "tr", "td", "th", "caption", "col", "colgroup", "o:p", "script", "select", "label"]
_ATTRIBUTES = st.sampled_from([
    "", ' style="display:none"', ' style="DISPLAY: none"', ' style="Display:none"', ' style="color:red"',
    ' style="display:none" hidden',
    ' style="visibility : hidden"', " hidden", ' rowspan="2"', ' colspan="3"', ' rowspan="0"',
    ' colspan=" 2"', ' rowspan="x"', ' colspan="３"', ' rowspan="2" colspan="2"', ' colspan="999"',
    ' HIDDEN="hidden"',
])


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, attributes, body, tail: f"<{tag}{attributes}>{''.join(body)}</{tag}>{tail}",
        st.sampled_from(_TAGS), _ATTRIBUTES, st.lists(children, max_size=4), _TEXTS,
    )


_MARKUP = st.recursive(_TEXTS, _element, max_leaves=40)


def _read_both_ways(markup: str):
    from extractors import load

    trees = []
    for _ in range(2):
        root, _ = load._parse_html(markup.encode("utf-8"))
        load._prune_invisible(root)
        trees.append(root)
    walker = load._Walker()
    walker.walk(trees[0], 0)
    walker.flush()
    reference = walker.lines, [table for table in walker.tables if table is not None]
    fast = load._read_body(trees[1], marks_in_page=load._marks_in_page(markup.encode(), markup))
    return reference, fast


@given(st.lists(_MARKUP, min_size=1, max_size=6))
def test_fast_walk_reads_what_the_reference_walker_reads(parts):
    """Random markup (nested tables, footers, spans, hidden rows and cells, <pre>, Word tags)."""
    (lines, tables), (fast_lines, fast_tables) = _read_both_ways("<html><body>" + "".join(parts) + "</body></html>")
    assert fast_lines == lines
    assert [(t.grid, t.spans, t.line_index) for t in fast_tables] == [
        (t.grid, t.spans, t.line_index) for t in tables
    ]


@pytest.mark.parametrize("markup", [
    "<div>" * 300 + "<p>深</p><p>页</p>" + "</div>" * 300,  # deeper than _Walker walks: read as text
    "<div>" * 300 + '<p hidden>藏</p><p>页</p>' + "</div>" * 300 + '<p style="display:none">x</p>',
    '<p>页面自带\ufdd0f标记</p><table><tr><td>1</td><td rowspan="2">2</td></tr><tr><td>3</td></tr></table>',
    '<table><tr><td style="display:none">藏</td><td>1</td></tr><tr hidden><td>2</td></tr></table>',
    "<table><tfoot><tr><td>脚</td></tr></tfoot><tbody><tr><td>身</td></tr></tbody><caption>题</caption></table>",
    '<table><tr><td><div hidden>x</div>外<table><caption>内题</caption><tr><td>内</td></tr></table></td></tr></table>',
    "<table><tr><td><pre>a\n<table><tr><td>b</td></tr></table>c</pre></td></tr></table>",
    "<pre>a<p style=\"display:none\">b</p></pre>",
    '<p>a<span style="display:none" hidden>x</span>b</p><div hidden style="display:none"><p hidden>y</p>z</div>w',
])
def test_fast_walk_on_edge_cases(markup):
    (lines, tables), (fast_lines, fast_tables) = _read_both_ways(markup)
    assert fast_lines == lines
    assert [(t.grid, t.spans, t.line_index) for t in fast_tables] == [
        (t.grid, t.spans, t.line_index) for t in tables
    ]


@given(
    st.lists(
        st.sampled_from(["报告".encode("gb18030"), "报告".encode(), b"<p>ab</p>", b"\xff", b"\xe6\x8a"]),
        max_size=3000,
    )
)
def test_utf8_tolerance_shortcut_decides_as_the_full_count(pieces):
    """`_utf8_within` (counting errors up to a bound) decides as counting against the exact tolerance."""
    from extractors import load

    data = b"".join(pieces)
    tolerance = load._Tolerance(data)
    expected = load._utf8_errors(data, stop_above=tolerance.errors) <= tolerance.errors
    assert load._utf8_within(data, load._Tolerance(data)) is expected


@given(st.integers(0, 3000), st.integers(0, 40), st.integers(0, 3000), st.integers(0, 3000))
@example(markup=3000, stray=5, utf8=0, gbk=0)  # more errors than tolerated, fewer than the bound
@example(markup=3000, stray=2, utf8=700, gbk=0)  # as many as tolerated
def test_utf8_tolerance_shortcut_on_mostly_clean_pages(markup, stray, utf8, gbk):
    """Pages of markup and UTF-8 text with a few stray bytes (the tolerance decides) or GBK text."""
    from extractors import load

    data = b"<p>ab</p>" * markup + "报告".encode() * utf8 + b"\xff" * stray + "报告".encode("gb18030") * gbk
    tolerance = load._Tolerance(data)
    expected = load._utf8_errors(data, stop_above=tolerance.errors) <= tolerance.errors
    assert load._utf8_within(data, load._Tolerance(data)) is expected
