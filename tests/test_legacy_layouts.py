"""The legacy reader on layouts and quirks beyond the seed: glued figures, pinyin, units in labels,
grids without header rows, the Gansu form's 代码 column, and property tests on mutated seed tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import legacy
from extractors.codebook import load_codebook
from extractors.model import Document, Table

#: Hypothesis strategies are built at import time, before fixtures exist: the same path as `shared_dir`.
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_f790e48fa2eae4e6.txt"


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def _read(codebook, lines, tables=()):
    return legacy.read(Document(kind="text", lines=list(lines), tables=list(tables)), codebook)


def _values(result):
    return {r.code: r.value for r in result.rows}


def test_figures_glued_to_labels_or_after_a_colon(codebook):
    lines = [
        "三、依申请公开情况",
        "(一)收到申请数：139件",
        "1.当面申请数：0",
        "2.传真申请数0",
        "3.网络申请数: 12",
        "4.信函申请数127",
        "(二)申请办结数 139",
    ]
    result = _read(codebook, lines)
    assert _values(result) == {
        "requests.received": 139,
        "requests.received.in_person": 0,
        "requests.received.fax": 0,
        "requests.received.online": 12,
        "requests.received.letter": 127,
        "requests.closed": 139,
    }
    assert result.rows[0].unit == "件"


def test_pinyin_inserted_by_a_mirror(codebook):
    lines = [
        "四、行(xing)政(zheng)复(fu)议(yi)数量",
        "3",
        "(一)维持具体行政行为数",
        "2",
        "(二)被依法纠错数",
        "1",
        "(三)其他情形数",
        "0",
    ]
    assert _values(_read(codebook, lines)) == {
        "review.total": 3,
        "review.upheld": 2,
        "review.corrected": 1,
        "review.other": 0,
    }


def test_unit_printed_in_the_label(codebook):
    lines = [
        "七、依申请公开信息收取的费用（元）",
        "1200",
        "八、机构建设和保障经费情况",
        "(一)政府信息公开工作专门机构数",
        "1",
        "(二)设置政府信息公开查阅点数",
        "2",
        "(四)政府信息公开专项经费（单位：万元）",
        "3.5",
    ]
    result = _read(codebook, lines)
    fee = result.rows[0]
    assert (fee.code, fee.value, fee.unit, fee.value_normalized, fee.unit_normalized) == (
        "fees.request_fees",
        1200,
        "元",
        pytest.approx(0.12),
        "万元",
    )
    budget = next(r for r in result.rows if r.code == "org.budget")
    assert (budget.value, budget.unit, budget.value_normalized) == (3.5, "万元", None)


def test_second_figure_on_a_single_value_row_is_reported(codebook):
    lines = [
        "三、依申请公开情况",
        "(一)收到申请数 139 120",
        "1.当面申请数 0",
        "2.传真申请数 0",
        "3.网络申请数 0",
    ]
    result = _read(codebook, lines)
    assert _values(result)["requests.received"] == 139
    (mismatch,) = [f for f in result.findings if f.kind == "row_count_mismatch"]
    assert (mismatch.code, mismatch.expected, mismatch.found) == ("requests.received", 1, 2)


def _table(grid):
    return Table(
        grid=grid, spans=[[(r, c) for c in range(len(row))] for r, row in enumerate(grid)], line_index=0
    )


def test_grid_without_header_row(codebook):
    grid = [
        ["五、行政诉讼数量", "件", "7"],
        ["(一)维持具体行政行为或者驳回原告诉讼请求数", "件", "6"],
        ["(二)被依法纠错数", "件", "1"],
        ["(三)其他情形数", "件", "—"],
        ["六、举报投诉数量", "件", "0"],
    ]
    result = _read(codebook, [c for row in grid for c in row], [_table(grid)])
    assert [(r.code, r.value, r.table) for r in result.rows] == [
        ("litigation.total", 7, 0),
        ("litigation.upheld", 6, 0),
        ("litigation.corrected", 1, 0),
        ("litigation.other", None, 0),
        ("complaints.total", 0, 0),
    ]
    assert [f.code for f in result.findings if f.kind == "missing_value"] == ["litigation.other"]


def test_gansu_form_with_code_column(codebook):
    grid = [
        ["指标名称", "计量单位", "代码", "本期实际", "本年累计"],
        ["申请总数", "条", "10", "4", "12"],
        ["其中:1.当面申请数", "条", "11", "1", "3"],
        ["2.传真申请数", "条", "12", "0", "0"],
        ["3.电子邮件申请数", "条", "13", "1", "2"],
        ["4.网上申请数", "条", "14", "2", "6"],
        ["5.信函申请数", "条", "15", "0", "1"],
        ["6.其他形式申请数", "条", "16", "0", "0"],
        ["行政复议数", "件", "32", "0", "1"],
    ]
    result = _read(codebook, [c for row in grid for c in row], [_table(grid)])
    assert result.variant == "gs-2008"
    values = _values(result)
    assert values["requests.received@period"] == 4
    assert values["requests.received@year"] == 12
    assert values["review.total@year"] == 1
    assert len(result.rows) == 16  # the 代码 column is not a value
    assert {r.column for r in result.rows} == {"本期实际", "本年累计"}


# ------------------------------------------------------------------------------------ property tests


def _seed_chunks() -> tuple[list[str], list[list[str]], dict[str, float | int | None]]:
    """Narrative, the seed table cut into one chunk of lines per row, and the seed's value per code."""
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]
    start, end = lines.index("一、主动公开情况"), lines.index("82") + 1
    chunks: list[list[str]] = []
    for line in lines[start:end]:
        is_value = line.isdigit() or line in ("万元", "人次")
        wraps = line.startswith("(不同")
        if chunks and (is_value or wraps):
            chunks[-1].append(line)
        else:
            chunks.append([line])
    result = legacy.read(Document(kind="text", lines=lines), load_codebook())
    gold = {r.code: r.value for r in result.rows}
    return lines[:start], chunks, gold


NARRATIVE, CHUNKS, GOLD = _seed_chunks() if SEED.exists() else ([], [], {})
CHROME = [
    "首页",
    "政务公开",
    "您当前所在位置: 首页 > 年报",
    "关于我们|联系我们",
    "访问量:",
    "12345",
    "打印本页",
    "【关闭】",
]


def _figures_first(chunk: list[str]) -> list[str]:
    label = chunk[:2] if len(chunk) > 1 and chunk[1].startswith("(不同") else chunk[:1]
    return [*chunk[len(label) :], *label]


@pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/seeds")
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    keep=st.lists(st.booleans(), min_size=len(CHUNKS), max_size=len(CHUNKS)),
    before=st.lists(st.sampled_from(CHROME), max_size=4),
    after=st.lists(st.sampled_from(CHROME), max_size=4),
    figures_first=st.booleans(),
)
def test_dropping_rows_never_shifts_values(keep, before, after, figures_first):
    """Rows a copy drops are missing; every row still read keeps its own value (no positional shift),
    whether figures follow their labels (Word) or precede them (unruled PDF text).

    Section headings (一、… 九、) stay: without 五、 nothing on the page tells 五（二）被依法纠错数
    from 四（二）被依法纠错数.
    """
    kept = [chunk for chunk, k in zip(CHUNKS, keep, strict=True) if k or chunk[0][1] == "、"]
    if figures_first:  # label, [wrap], [unit], figure → [unit], figure, label, [wrap]
        kept = [_figures_first(chunk) for chunk in kept]
    lines = [*before, *NARRATIVE[-2:], *[ln for chunk in kept for ln in chunk], *after]
    result = legacy.read(Document(kind="text", lines=lines), load_codebook())
    if result is None:
        return
    for row in result.rows:
        if row.code is not None:
            assert row.value == GOLD[row.code], row
        else:
            assert row.value not in (12345,), row


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(
        st.text(alphabet="一二三四、（）()数申请收到行政复议诉讼0123456789.件万元 \n", max_size=30),
        max_size=40,
    )
)
def test_random_text_never_crashes(lines):
    result = legacy.read(Document(kind="text", lines=lines), load_codebook())
    if result is not None:
        assert all(r.code is None or "." in r.code or r.code.isidentifier() for r in result.rows)


def test_unit_and_value_on_one_line(codebook):
    lines = ["六、举报投诉数量", "件 2", "七、依申请公开信息收取的费用", "万元 0.5", "(一)收到申请数", "件 9"]
    result = _read(codebook, lines)
    assert [(r.code, r.unit, r.value) for r in result.rows] == [
        ("complaints.total", "件", 2),
        ("fees.request_fees", "万元", 0.5),
        ("requests.received", "件", 9),
    ]


@pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/seeds")
def test_second_copy_of_the_form_is_reported_not_merged(codebook):
    table = [ln for chunk in CHUNKS for ln in chunk]
    department = [ln if not ln.isdigit() else str(int(ln) + 1000) for ln in table[:40]]  # a shorter copy
    result = _read(codebook, [*table, "附件：区教育局政府信息公开情况统计表", *department])
    assert {r.code: r.value for r in result.rows} == GOLD
    (second,) = [f for f in result.findings if f.kind == "second_table"]
    assert second.severity == "info"


def _to_traditional(text: str) -> str:
    from extractors.labels import traditional_map

    back = {simp: chr(trad) for trad, simp in traditional_map().items()}
    return "".join(back.get(ch, ch) for ch in text)


@pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/seeds")
def test_traditional_characters_of_a_big5_gateway(codebook):
    lines = [_to_traditional(ln) for chunk in CHUNKS for ln in chunk]
    assert "(一)收到申請數" in lines  # the page really is in traditional characters
    result = _read(codebook, lines)
    assert {r.code: r.value for r in result.rows} == GOLD
    assert result.rows[0].label.startswith("(一)主動公開政府信息數")  # labels stay as printed


def test_traditional_title_is_a_report():
    from extractors import validate

    assert validate.is_report_title(_to_traditional("2016年崇川区政府信息公开工作年度报告"))
    assert validate.is_report_title("2016年崇川區政府資訊公開工作年度報告")
    assert not validate.is_report_title(_to_traditional("关于2014年政府信息公开工作要点落实情况的函"))


def test_gansu_form_as_text_lines_with_code_column(codebook):
    lines = [
        "指标名称 计量单位 代码 本期实际 本年累计",
        "主动公开信息数 条 01 120 480",
        "其中:全文电子化的主动公开信息数 条 02 100 400",
        "新增的行政规范性文件数 条 03 3 9",
        "申请总数 条 10 4 12",
        "其中:1.当面申请数 条 11 1 3",
        "对申请的答复总数 条 17 4 11",
    ]
    result = _read(codebook, lines)
    assert result.variant == "gs-2008"
    assert [(r.code, r.value) for r in result.rows][:4] == [
        ("proactive.total@period", 120),
        ("proactive.total@year", 480),
        ("proactive.full_text_electronic@period", 100),
        ("proactive.full_text_electronic@year", 400),
    ]
    assert _values(result)["requests.replies@year"] == 11
    assert not [f for f in result.findings if f.kind == "row_count_mismatch"]


def test_cells_with_bracketed_units_and_footnote_marks(codebook):
    grid = [
        ["统计指标", "统计数"],
        ["六、举报投诉数量", "2*"],
        ["七、依申请公开信息收取的费用", "1500（元）"],
        ["(一)收到申请数", "139（件）"],
        ["(二)申请办结数", "约130"],
    ]
    result = _read(codebook, [c for row in grid for c in row], [_table(grid)])
    assert [(r.code, r.value, r.unit, r.raw) for r in result.rows] == [
        ("complaints.total", 2, "件", "2*"),
        ("fees.request_fees", 1500, "元", "1500（元）"),
        ("requests.received", 139, "件", "139（件）"),
        ("requests.closed", None, "件", "约130"),
    ]
    assert [f.code for f in result.findings if f.kind == "unparsed_value"] == ["requests.closed"]
    assert [f.code for f in result.findings if f.kind == "unit_converted"] == ["fees.request_fees"]


def test_grid_label_wrapped_into_a_second_row_with_a_merged_value_cell(codebook):
    grid = [
        ["统计指标", "单位", "统计数"],
        ["一、主动公开情况", "一、主动公开情况", "一、主动公开情况"],
        ["(一)主动公开政府信息数", "条", "13100"],
        ["(不同渠道和方式公开相同信息计1条)", "条", "13100"],
        ["其中:主动公开规范性文件数", "条", "1"],
        ["制发规范性文件总数", "件", "1"],
    ]
    spans = [[(r, c) for c in range(3)] for r in range(len(grid))]
    spans[1] = [(1, 0)] * 3  # the section heading spans the row
    spans[3][1], spans[3][2] = (2, 1), (2, 2)  # unit and value cells span the label's two rows
    table = Table(grid=grid, spans=spans, line_index=0)
    result = _read(codebook, [], [table])  # the grid alone
    assert "table 0" in result.evidence
    assert [(r.code, r.label, r.value) for r in result.rows] == [
        ("proactive.total", "(一)主动公开政府信息数(不同渠道和方式公开相同信息计1条)", 13100),
        ("proactive.normative", "其中:主动公开规范性文件数", 1),
        ("proactive.normative_issued", "制发规范性文件总数", 1),
    ]
    assert not [f for f in result.findings if f.kind == "unknown_label"]


def test_second_real_table_of_the_same_form_is_reported(codebook):
    rows = [
        ["五、行政诉讼数量", "件", "7"],
        ["(一)维持具体行政行为或者驳回原告诉讼请求数", "件", "6"],
        ["(二)被依法纠错数", "件", "1"],
        ["(三)其他情形数", "件", "0"],
        ["六、举报投诉数量", "件", "0"],
        ["七、依申请公开信息收取的费用", "万元", "0"],
        ["八、机构建设和保障经费情况", "", ""],
        ["(一)政府信息公开工作专门机构数", "个", "2"],
        ["(二)设置政府信息公开查阅点数", "个", "3"],
        ["(三)从事政府信息公开工作人员数", "人", "5"],
        ["1.专职人员数", "人", "1"],
        ["2.兼职人员数", "人", "4"],
    ]
    department = [[label, unit, str(int(v) + 1) if v else v] for label, unit, v in rows[:-1]]
    result = _read(codebook, [], [_table(rows), _table(department)])
    assert result.rows[0].table == 0  # the complete one
    assert _values(result)["org.staff"] == 5
    (second,) = [f for f in result.findings if f.kind == "second_table"]
    assert "table 1" in second.message
    single = _read(codebook, [], [_table(rows)])
    assert not [f for f in single.findings if f.kind == "second_table"]


def test_copy_with_last_years_column_reads_the_latest_year(codebook):
    grid = [
        ["统计指标", "单位", "2015年", "2016年"],
        ["(一)收到申请数", "件", "120", "139"],
        ["1.当面申请数", "件", "20", "0"],
        ["2.传真申请数", "件", "0", "0"],
        ["3.网络申请数", "件", "50", "0"],
        ["4.信函申请数", "件", "50", "139"],
    ]
    result = _read(codebook, [], [_table(grid)])
    assert _values(result) == {
        "requests.received": 139,
        "requests.received.in_person": 0,
        "requests.received.fax": 0,
        "requests.received.online": 0,
        "requests.received.letter": 139,
    }
    assert not [f for f in result.findings if f.kind == "row_count_mismatch"]


@pytest.mark.parametrize("flat", [True, False])
def test_copy_with_last_years_column_as_lines(codebook, flat):
    rows = [("(一)收到申请数", "120", "139"), ("1.当面申请数", "20", "0"), ("2.传真申请数", "0", "0")]
    rows += [("3.网络申请数", "50", "0"), ("4.信函申请数", "50", "139")]
    header = ["2016年度政府信息公开情况统计表", "统计指标", "2015年", "2016年"]
    body = [x for row in rows for x in row] if flat else [" ".join(row) for row in rows]
    result = _read(codebook, [*header, *body])
    assert _values(result) == {
        "requests.received": 139,
        "requests.received.in_person": 0,
        "requests.received.fax": 0,
        "requests.received.online": 0,
        "requests.received.letter": 139,
    }


def test_shanghai_model_monthly_form(codebook):
    lines = [
        "指标名称 计算单位 代码 本月累计 本年累计",
        "主动信息公开 条 01 35 420",
        "其中：全文电子化的主动公开信息数 条 02 30 400",
        "公文类信息数 条 03 10 120",
        "申请总次数 条 12 2 25",
        "其中：1.当面申请数 条 13 1 10",
        "2.传真申请数 条 14 0 1",
        "3.电子邮件申请数 条 15 0 4",
        "4.网上申请数 条 16 1 8",
        "5.信函申请数 条 17 0 2",
        "6.其它形式申请数 条 18 0 0",
    ]
    result = _read(codebook, lines)
    assert result.variant == "sh-pudong-2008"
    values = _values(result)
    assert (values["proactive.total@month"], values["proactive.total@year"]) == (35, 420)
    assert values["requests.received.email@year"] == 4
    assert {r.column for r in result.rows} == {"本月累计", "本年累计"}
    from extractors import validate
    from extractors.model import Report

    report = Report(
        source=None, sha256="0" * 64, status="ok", template_variant="sh-pudong-2008", rows=result.rows
    )
    assert not [f for f in validate.check_identities(report, codebook) if f.kind == "identity_failed"]
    report.rows = [r if r.code != "requests.received@year" else _replace_value(r, 26) for r in result.rows]
    failed = [f for f in validate.check_identities(report, codebook) if f.kind == "identity_failed"]
    assert [(f.code, f.found, f.expected) for f in failed] == [("requests.received@year", 26, 25)]


def _replace_value(row, value):
    from dataclasses import replace

    return replace(row, value=value)


def test_remarks_column_never_yields_rows(codebook):
    """A 备注 cell "其中网上申请38件" reads like a label and a figure: neither the grid nor the
    flattened lines may make it a row, and the grid reading wins the tie with the lines."""
    grid = [
        ["统计指标", "单位", "统计数", "备注"],
        ["(一)收到申请数", "件", "57", "其中网上申请38件"],
        ["1.当面申请数", "件", "10", ""],
        ["2.传真申请数", "件", "0", ""],
        ["3.网络申请数", "件", "38", "含邮件申请"],
        ["4.信函申请数", "件", "9", ""],
        ["(二)申请办结数", "件", "55", ""],
    ]
    lines = [c for row in grid for c in row if c]
    result = _read(codebook, lines, [_table(grid)])
    assert [(r.code, r.value) for r in result.rows] == [
        ("requests.received", 57),
        ("requests.received.in_person", 10),
        ("requests.received.fax", 0),
        ("requests.received.online", 38),
        ("requests.received.letter", 9),
        ("requests.closed", 55),
    ]
    assert result.evidence.startswith("legacy-2014 from table 0")
    doc = Document(kind="html", lines=lines, tables=[_table(grid)])
    prepared = legacy._drop_remarks(legacy._prepare_lines(lines), doc, legacy._remark_headers(codebook))
    form = legacy._form(codebook.templates["legacy-2014"])
    readings = {res.evidence.split(";")[0]: res for res, _ in legacy._read_form(doc, form, prepared)}
    text = readings["legacy-2014 from text lines"]
    assert [r.label for r in text.rows if r.code is None] == []


def test_remarks_column_blank_words_do_not_hide_blank_value_cells(codebook):
    """A remark "无" is also how a value cell prints a blank: the text reading keeps that line."""
    grid = [
        ["统计指标", "单位", "统计数", "备注"],
        ["(一)收到申请数", "件", "57", "无"],
        ["1.当面申请数", "件", "无", "无"],
        ["2.传真申请数", "件", "0", ""],
    ]
    lines = [c for row in grid for c in row if c]
    doc = Document(kind="html", lines=lines, tables=[_table(grid)])
    prepared = legacy._drop_remarks(legacy._prepare_lines(lines), doc, legacy._remark_headers(codebook))
    assert [line.tail for line in prepared].count(["无"]) == lines.count("无") == 3
