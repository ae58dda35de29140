"""New-form fixtures of both versions in every layout: every cell, codes, template, identities, units.

The fixtures and their expected CSVs are built by tests/fixtures/govform/build_fixtures.py from the
official forms (../shared/reference/templates.yaml) with numbers that satisfy every identity;
`broken` fixtures change a few printed cells, `blanks` leaves cells empty. Each test reads the
fixture bytes through the whole pipeline (`extractors.extract`).
"""

from __future__ import annotations

import csv
import re
from functools import cache

import pytest

from extractors import extract, govform
from extractors.codebook import load_codebook
from extractors.load import load_document
from extractors.model import Document, Table
from tests.conftest import FIXTURES

GOV = FIXTURES / "govform"
#: fixture → (template, number of cells)
CASES = {
    "sh-minhang-2019-table.html": ("gov2019", 198),
    "sh-minhang-2019-flat.html": ("gov2019", 198),
    "sh-minhang-2019-text.txt": ("gov2019", 198),
    "zj-xihu-2022-table.html": ("gov2021", 200),
    "zj-xihu-2022-flat.html": ("gov2021", 200),
    "zj-xihu-2022-text.txt": ("gov2021", 200),
    "ah-ningguo-2020-flat.html": ("gov2021", 200),
    "jx-zhanggong-2023-subtotal.html": ("gov2021", 225),
    "jx-zhanggong-2023-subtotal.txt": ("gov2021", 225),
    "zj-xihu-2022-two-tables.html": ("gov2021", 200),
    "sh-minhang-2020-broken.html": ("gov2019", 198),
    "zj-xihu-2021-broken.txt": ("gov2021", 200),
    "sh-shanghai-2019-blanks.html": ("gov2019", 198),
}


@cache
def report(name: str):
    return extract((GOV / name).read_bytes(), filename=name)


def expected(name: str) -> list[dict[str, str]]:
    stem = name.rsplit(".", 1)[0]
    with (GOV / f"{stem}.expected.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def printed_value(text: str) -> tuple[int | float | None, str | None]:
    """The number and unit a printed cell stands for ('251000元' → 251000, '元'; '—' → None)."""
    if text in ("", "—"):
        return None, None
    number, unit = re.fullmatch(r"(-?\d+(?:\.\d+)?)(\D*)", text).groups()
    return (float(number) if "." in number else int(number)), unit or None


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_cell_in_table_order(name):
    template, count = CASES[name]
    rep = report(name)
    assert rep.status == "ok"
    assert (rep.template, rep.template_variant) == (template, template)
    want = expected(name)
    assert len(want) == count
    assert [r.code for r in rep.rows] == [w["code"] for w in want]
    for row, w in zip(rep.rows, want, strict=True):
        value, unit = printed_value(w["printed"])
        assert row.value == value, (row.code, row.raw, w["printed"])
        assert row.section == w["section"]
        if unit:
            assert row.unit == unit
        if row.section != "t4":
            assert row.code == f"{row.row_code}@{row.column_code}"
        assert row.label
        assert row.section == "t4" or row.column


@pytest.mark.parametrize("name", [n for n in CASES if "broken" not in n and "blanks" not in n])
def test_identities_hold_on_consistent_fixtures(name):
    kinds = {f.kind for f in report(name).findings}
    assert not kinds & {"identity_failed", "row_count_mismatch", "missing_value", "unknown_label"}


def _failed(name: str) -> set[str]:
    return {f.message.split(":", 1)[0] for f in report(name).findings if f.kind == "identity_failed"}


def test_broken_gov2019_table_fails_exactly_the_touched_identities():
    # printed: 一 总计 +1; （一）予以公开 自然人 +2; 行政复议 总计 +3
    assert _failed("sh-minhang-2020-broken.html") == {
        "gov.t3.row_total[apps.new]",
        "gov.t3.balance[total]",
        "gov.t3.row_total[apps.result.granted]",
        "gov.t3.results_total[natural_person]",
        "gov.t4.review",
    }


def test_broken_gov2021_text_fails_exactly_the_touched_identities():
    # printed: 四、结转下年度 商业企业 +1 and 总计 +1 (row still sums); 直接起诉 总计 +1
    assert _failed("zj-xihu-2021-broken.txt") == {
        "gov.t3.balance[legal.commercial]",
        "gov.t3.balance[total]",
        "gov.t4.litigation.direct",
    }


def test_blank_cells_are_missing_not_zero():
    rep = report("sh-shanghai-2019-blanks.html")
    blanks = [r for r in rep.rows if r.value is None]
    assert len(blanks) == 20  # 19 detail rows without 总计 + one dash in table 二
    assert all(r.raw in (None, "—") for r in blanks)
    missing = {f.code for f in rep.findings if f.kind == "missing_value"}
    assert missing == {r.code for r in blanks}
    assert not [f for f in rep.findings if f.kind == "identity_failed"]
    assert any(f.kind == "identity_not_assessable" for f in rep.findings)


def test_two_tables_read_the_first_and_say_so():
    rep = report("zj-xihu-2022-two-tables.html")
    assert [f.kind for f in rep.findings].count("second_table") == 1


def test_subtotal_column_is_its_own_code():
    rep = report("jx-zhanggong-2023-subtotal.html")
    row = {r.code: r for r in rep.rows}
    legal = ["legal.commercial", "legal.research", "legal.public_welfare", "legal.law_service", "legal.other"]
    assert row["apps.new@legal.subtotal"].value == sum(row[f"apps.new@{c}"].value for c in legal)
    assert row["apps.new@legal.subtotal"].column == "小计"
    assert row["apps.new@total"].column == "总计"


def test_procurement_amount_printed_in_yuan_is_normalized():
    for name in ("sh-minhang-2019-table.html", "sh-minhang-2019-flat.html", "sh-minhang-2019-text.txt"):
        cell = next(r for r in report(name).rows if r.code == "disclosure.central_procurement@amount")
        assert (cell.value, cell.unit, cell.raw) == (251000, "元", "251000元")
        assert (cell.value_normalized, cell.unit_normalized) == (25.1, "万元")


def test_gov2021_fees_in_wan_yuan():
    cell = next(r for r in report("zj-xihu-2022-text.txt").rows if r.code == "disclosure.admin_fees@amount")
    assert (cell.value, cell.unit, cell.value_normalized) == (9116.36, "万元", None)


def test_template_evidence_names_the_deciding_labels():
    assert "本年新制作数量" in report("sh-minhang-2019-table.html").template_evidence
    ningguo = report("ah-ningguo-2020-flat.html")
    assert ningguo.template == "gov2021"
    assert "本年制发件数" in ningguo.template_evidence


def test_rows_have_the_same_fields_as_legacy_rows():
    row = report("zj-xihu-2022-table.html").rows[0]
    assert set(row.to_dict()) == {
        "code",
        "section",
        "label",
        "column",
        "unit",
        "value",
        "raw",
        "row_code",
        "column_code",
        "value_normalized",
        "unit_normalized",
        "table",
    }
    assert row.table == 0


# ------------------------------------------------------------------------ hand-built documents


T3_HEAD = [
    ["（本列数据的勾稽关系为…）"] * 2 + ["申请人情况"] * 7,
    ["（本列数据的勾稽关系为…）"] * 2 + ["总计", "自然人"] + ["法人或其他组织"] * 5,
    ["（本列数据的勾稽关系为…）"] * 2
    + ["总计", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
]


def test_grid_columns_follow_the_header_text_not_the_form_order():
    # a page that moved 总计 to the front: the header path decides, not the position
    grid = [*T3_HEAD, ["一、本年新收政府信息公开申请数量"] * 2 + ["10", "4", "1", "2", "0", "3", "0"]]
    result = govform.read(Document(kind="html", lines=[], tables=[Table(grid=grid)]), load_codebook())
    assert result is not None
    values = {r.column_code: r.value for r in result.rows}
    assert values == {
        "total": 10,
        "natural_person": 4,
        "legal.commercial": 1,
        "legal.research": 2,
        "legal.public_welfare": 0,
        "legal.law_service": 3,
        "legal.other": 0,
    }


def test_unknown_row_keeps_its_label():
    lines = [
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "信息内容 本年新制作数量 本年新公开数量 对外公开总数量",
        "规章 1 1 3",
        "规范性文件 2 2 40",
        "其他主动公开文件 5 5 9",
    ]
    grid = [
        ["第二十条第（一）项"] * 4,
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        ["规章", "1", "1", "3"],
        ["规范性文件", "2", "2", "40"],
        ["其他主动公开文件", "5", "5", "9"],
    ]
    doc = Document(
        kind="html",
        lines=[*lines, "一、本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量"],
        tables=[Table(grid=grid)],
    )
    result = govform.read(doc, load_codebook())
    assert result is not None
    assert result.template == "gov2019"
    unknown = [r for r in result.rows if r.code is None]
    assert [r.label for r in unknown] == ["其他主动公开文件"] * 3
    assert any(f.kind == "unknown_label" for f in result.findings)
    assert {r.code: r.value for r in result.rows if r.code}["disclosure.normative_docs@total_published"] == 40


def test_not_a_new_form_page():
    doc = Document(
        kind="text",
        lines=["2016年度政府信息公开情况统计表", "统计指标", "单位", "统计数", "（一）收到申请数", "139"],
    )
    assert govform.read(doc, load_codebook()) is None


@pytest.mark.parametrize(
    ("name", "variant"), [("sh-minhang-2019-text", "gov2019"), ("zj-xihu-2022-text", "gov2021")]
)
def test_tables_three_and_four_alone_decide_the_version(name, variant):
    lines = (GOV / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    start, end = lines.index("二、主动公开政府信息情况"), lines.index("三、收到和处理政府信息公开申请情况")
    result = govform.read(Document(kind="text", lines=lines[:start] + lines[end:]), load_codebook())
    assert result is not None
    assert result.variant == variant
    assert {r.section for r in result.rows} == {"t3", "t4"}
    want = {w["code"]: w["printed"] for w in expected(f"{name}.txt")}
    assert all(r.raw == want[r.code] for r in result.rows)
    assert len(result.rows) == sum(1 for w in want if not w.startswith("disclosure."))


def test_rows_printed_without_their_numbering_are_still_anchored():
    lines = (GOV / "zj-xihu-2022-text.txt").read_text(encoding="utf-8").splitlines()
    bare = [re.sub(r"^(一|二|四)、(本年新收|上年结转|结转下年度)", r"\2", ln) for ln in lines]
    assert bare != lines
    result = govform.read(Document(kind="text", lines=bare), load_codebook())
    want = {w["code"]: w["printed"] for w in expected("zj-xihu-2022-text.txt")}
    assert {r.code: r.raw for r in result.rows} == want


def test_table_four_with_a_label_column_and_blank_cells():
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    grid = [
        ["项目", *["行政复议"] * 5, *["行政诉讼"] * 10],
        ["项目", *outcomes, *["未经复议直接起诉"] * 5, *["复议后起诉"] * 5],
        ["项目", *outcomes, *outcomes, *outcomes],
        ["数量", "1", "0", "", "0", "1", "2", "1", "0", "0", "3", "0", "0", "0", "1", "1"],
    ]
    doc = Document(
        kind="html", lines=["本年新收政府信息公开申请数量", "复议后起诉"], tables=[Table(grid=grid)]
    )
    result = govform.read(doc, load_codebook())
    cells = {r.code: r.value for r in result.rows}
    assert cells["review.upheld"] == 1
    assert cells["review.other"] is None
    assert cells["litigation.direct.total"] == 3
    assert cells["litigation.after_review.pending"] == 1
    assert len(cells) == 15
    assert [f.code for f in result.findings if f.kind == "missing_value"] == ["review.other"]


def test_numbers_glued_to_their_label_are_split_off():
    lines = (GOV / "sh-minhang-2019-text.txt").read_text(encoding="utf-8").splitlines()
    glued = [re.sub(r"^(（七）总计|一、本年新收政府信息公开申请数量) ", r"\1", ln) for ln in lines]
    assert glued != lines
    result = govform.read(Document(kind="text", lines=glued), load_codebook())
    want = {w["code"]: w["printed"] for w in expected("sh-minhang-2019-text.txt")}
    assert {r.code: r.raw for r in result.rows} == want


def test_group_and_row_label_in_one_cell():
    grid = [
        *T3_HEAD,
        ["一、本年新收政府信息公开申请数量"] * 2 + ["5", "4", "1", "0", "0", "0", "0"],
        ["三、本年度办理结果", "（三）不予公开 1.属于国家秘密", "1", "1", "0", "0", "0", "0", "0"],
    ]
    result = govform.read(Document(kind="html", lines=[], tables=[Table(grid=grid)]), load_codebook())
    secret = {r.column_code: r.value for r in result.rows if r.row_code == "apps.result.denied.state_secret"}
    assert secret == {"total": 1, "natural_person": 1, "legal.commercial": 0, "legal.research": 0,
                      "legal.public_welfare": 0, "legal.law_service": 0, "legal.other": 0}  # fmt: skip


def test_two_tables_in_text_lines_read_the_first():
    lines = (GOV / "zj-xihu-2022-text.txt").read_text(encoding="utf-8").splitlines()
    other = (GOV / "jx-zhanggong-2023-subtotal.txt").read_text(encoding="utf-8").splitlines()
    start = other.index("三、收到和处理政府信息公开申请情况")
    end = next(i for i, ln in enumerate(other) if ln.startswith("五、"))
    cut = next(i for i, ln in enumerate(lines) if ln.startswith("五、"))
    page = [*lines[:cut], "附：区教育局政府信息公开情况统计", *other[start:end], *lines[cut:]]
    result = govform.read(Document(kind="text", lines=page), load_codebook())
    want = {w["code"]: w["printed"] for w in expected("zj-xihu-2022-text.txt")}
    assert {r.code: r.raw for r in result.rows} == want
    assert [f.kind for f in result.findings].count("second_table") == 1


@pytest.mark.parametrize("flat", [False, True])
def test_a_local_row_in_text_lines_is_kept_as_unknown(flat):
    rows = [("规章", "1 1 3"), ("规范性文件", "2 2 40"), ("其他主动公开文件", "5 5 9")]
    if flat:
        body = [x for label, values in rows for x in (label, *values.split())]
    else:
        body = [f"{label} {values}" for label, values in rows]
    lines = ["第二十条第（一）项", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量", *body,
             "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1", "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0"]  # fmt: skip
    result = govform.read(Document(kind="text", lines=lines), load_codebook())
    unknown = [(r.label, r.value) for r in result.rows if r.code is None]
    assert unknown == [("其他主动公开文件", 5), ("其他主动公开文件", 5), ("其他主动公开文件", 9)]
    assert [f.kind for f in result.findings] == ["unknown_label"]
    assert {r.code: r.value for r in result.rows}["disclosure.normative_docs@total_published"] == 40


@pytest.mark.parametrize("spoil", ["grid", "lines"])
def test_when_grid_and_text_disagree_the_reading_that_keeps_the_identities_wins(spoil):
    name = "zj-xihu-2022-table.html"
    doc, _ = load_document((GOV / name).read_bytes(), filename=name)
    want = {w["code"]: w["printed"] for w in expected(name)}
    t3 = next(i for i, t in enumerate(doc.tables) if any("本年新收" in c for row in t.grid for c in row))
    grid = [list(row) for row in doc.tables[t3].grid]
    r = next(i for i, row in enumerate(grid) if row[0].startswith("一、本年新收"))
    a, b = grid[r][3], grid[r][4]  # 自然人 and 商业企业 of 一、 swapped: every row total still holds
    lines = list(doc.lines)
    if spoil == "grid":
        grid[r][3], grid[r][4] = b, a
    else:
        k = next(i for i, ln in enumerate(lines) if ln.startswith("一、本年新收"))
        lines[k + 1], lines[k + 2] = b, a
    tables = [Table(grid=grid) if i == t3 else t for i, t in enumerate(doc.tables)]
    result = govform.read(Document(kind="html", lines=lines, tables=tables), load_codebook())
    assert {row.code: row.raw for row in result.rows} == want


def test_2019_tables_with_the_2021_other_handling_rows_keep_them_as_unknown_rows():
    minhang, _ = load_document((GOV / "sh-minhang-2019-table.html").read_bytes(), filename="a.html")
    xihu, _ = load_document((GOV / "zj-xihu-2022-table.html").read_bytes(), filename="b.html")
    tables = [xihu.tables[1] if i == 1 else t for i, t in enumerate(minhang.tables)]
    result = govform.read(Document(kind="html", lines=[], tables=tables), load_codebook())
    assert result.variant == "gov2019"
    t2 = {w["code"]: w["printed"] for w in expected("sh-minhang-2019-table.html") if w["section"] == "t2"}
    t3 = {w["code"]: w["printed"] for w in expected("zj-xihu-2022-table.html") if w["section"] == "t3"}
    got = {r.code: r.raw for r in result.rows if r.code}
    assert {k: v for k, v in got.items() if k.startswith("disclosure.")} == t2
    assert {k: v for k, v in got.items() if k.startswith("apps.")} == {
        k: v for k, v in t3.items() if not k.startswith("apps.result.other")
    }
    unknown = [r for r in result.rows if r.code is None]
    assert len(unknown) == 21
    assert unknown[0].label.endswith("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")
