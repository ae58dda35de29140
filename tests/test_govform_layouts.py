"""The generality fixes hold in both readers: the page's own table (grid) and the same page flattened.

tests/test_generality.py reads each audit page as published; here the new-form pages are also read
with their <table>s dropped (one cell per line, as a Word-pasted page that lost its table reads),
so a fix made in one reader only shows up as a failure.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from extractors import govform
from extractors.codebook import load_codebook
from extractors.govform_spec import form_specs
from extractors.load import load_document
from extractors.model import TableResult

GENERALITY = Path(__file__).resolve().parent / "fixtures" / "generality"


def read(fixture: str, flat: bool) -> TableResult:
    doc, _ = load_document((GENERALITY / fixture).read_bytes(), filename=fixture)
    assert doc is not None
    if flat:
        doc.tables = []
    result = govform.read(doc, load_codebook())
    assert result is not None
    return result


def expected(fixture: str) -> dict[str, float | None]:
    path = GENERALITY / f"{fixture.rsplit('.', 1)[0]}.expected.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code"]: (float(r["value"]) if r["value"] else None) for r in csv.DictReader(f)}


def differences(result: TableResult, want: dict[str, float | None]) -> list[str]:
    got: dict[str, object] = {}
    for row in result.rows:
        got.setdefault(row.code or "", row.value)
    diffs = [
        f"{code}: got {got.get(code, 'no row')}, want {v}"
        for code, v in want.items()
        if got.get(code, "x") != v
    ]
    diffs += [f"{code}: not expected" for code in got if code and code not in want]
    return diffs


@pytest.mark.parametrize("flat", [False, True], ids=["grid", "lines"])
def test_table_three_without_total_column(flat: bool) -> None:
    """Six applicant columns only: read them; total cells absent (no row, no missing_value), one info."""
    result = read("fj-huli-2020-no-total-column.html", flat)
    assert not differences(result, expected("fj-huli-2020-no-total-column.html"))
    assert not any(r.column_code == "total" for r in result.rows if r.section == "t3")
    kinds = [f.kind for f in result.findings]
    assert kinds.count("column_not_printed") == 1
    assert "row_count_mismatch" not in kinds
    assert "missing_value" not in kinds


def test_tab_copy_rows_without_their_group_cells() -> None:
    """A browser copy to tabs drops the cells rowspan group labels cover; a blank first value stays put."""
    fixture = "sh-hongkou-2019-tabs.txt"
    text = (GENERALITY / fixture).read_text(encoding="utf-8")
    row = "2.其他法律行政法规禁止公开\t1\t"
    assert row in text
    doc, _ = load_document(
        text.replace(row, "2.其他法律行政法规禁止公开\t\t").encode("utf-8"), filename=fixture
    )
    assert doc is not None
    result = govform.read(doc, load_codebook())
    assert result is not None
    want = expected(fixture) | {"apps.result.denied.law_prohibited@natural_person": None}
    assert not differences(result, want)


T4_PAGES = [
    "cq-yubei-2020-separate-tables.html",  # 行政复议 and 行政诉讼 as two tables
    "yn-guandu-2021-t4-vertical.html",  # one outcome per row: 类别 | 结果 | 数量
    "sd-licheng-2021-t4-scrambled.html",  # group names below the outcome names
    "bj-haidian-2022-fee-yuan.html",  # header in one table, the numbers in the next
]


@pytest.mark.parametrize("flat", [False, True], ids=["grid", "lines"])
@pytest.mark.parametrize("fixture", T4_PAGES)
def test_table_four_by_labels(fixture: str, flat: bool) -> None:
    result = read(fixture, flat)
    want = {code: v for code, v in expected(fixture).items() if code.startswith(("review.", "litigation."))}
    assert len(want) == 15
    t4 = [r for r in result.rows if r.section == "t4"]
    assert [r.code for r in t4 if r.code in want] == list(dict.fromkeys(r.code for r in t4))
    assert {r.code: r.value for r in t4} == want
    assert "row_count_mismatch" not in [f.kind for f in result.findings]


def test_table_four_printed_twice_keeps_the_first() -> None:
    """A department's own table 四 after the report's: the first is read, the second is named."""
    fixture = "yn-guandu-2021-t4-vertical.html"
    text = (GENERALITY / fixture).read_text(encoding="utf-8")
    rows = "<tr><td>行政复议</td><td>结果维持</td><td>9</td></tr><tr><td>行政复议</td><td>结果纠正</td><td>9</td></tr>"
    doc, _ = load_document(text.replace("</table>", rows + "</table>", 3).encode("utf-8"), filename=fixture)
    assert doc is not None
    result = govform.read(doc, load_codebook())
    assert result is not None
    assert {r.code: r.value for r in result.rows if r.section == "t4"}["review.upheld"] == 3


@pytest.mark.parametrize("flat", [False, True], ids=["grid", "lines"])
def test_retyped_total_row_under_its_group(flat: bool) -> None:
    """'总计' alone under 三、本年度办理结果 is （七）总计 (the column header 总计 is not)."""
    fixture = "gs-chengguan-2020-retyped.html"
    assert not differences(read(fixture, flat), expected(fixture))


NEW_FORM_PAGES = sorted(
    p.name
    for p in GENERALITY.glob("*.html")
    if (p.with_name(p.name.rsplit(".", 1)[0] + ".expected.csv"))
    .read_text(encoding="utf-8")
    .count("apps.new@")
)


@pytest.mark.parametrize("flat", [False, True], ids=["grid", "lines"])
def test_group_rows_never_carry_values(flat: bool) -> None:
    """No cell is ever coded with a group row (apps.result@…) unless another version prints it as a row."""
    specs = form_specs(load_codebook())
    groups = {r.code for s in specs for r in s.rows if not r.has_value} - {
        c for s in specs for c in s.carriers
    }
    assert len(NEW_FORM_PAGES) >= 15
    bad = [
        f"{fixture}: {row.code}={row.value}"
        for fixture in NEW_FORM_PAGES
        for row in read(fixture, flat).rows
        if row.row_code in groups
    ]
    assert not bad


@pytest.mark.parametrize("flat", [False, True], ids=["grid", "lines"])
@pytest.mark.parametrize("fixture", ["fj-jinan-2021-pagebreak.html", "gd-nanshan-2022-midgroup-break.html"])
def test_table_three_continued_after_a_page_break(fixture: str, flat: bool) -> None:
    """The rows continued in a second <table> join the first: every cell, no second_table."""
    result = read(fixture, flat)
    assert not differences(result, expected(fixture))
    assert "second_table" not in [f.kind for f in result.findings]
    if not flat:
        assert "t3 from grid" in result.evidence


@pytest.mark.parametrize("flat", [False, True], ids=["grid", "lines"])
def test_unknown_row_keeps_its_columns(flat: bool) -> None:
    """Hubei's extra row 其他主动公开文件: uncoded, each value under its printed column."""
    result = read("hb-wuhan-2020-annotated.html", flat)
    extra = [(r.column_code, r.column, r.value) for r in result.rows if r.code is None]
    assert extra == [
        ("new_made", "本年新制作数量", 15),
        ("new_published", "本年新公开数量", 15),
        ("total_published", "对外公开总数量", 120),
    ]
    assert [f.kind for f in result.findings].count("unknown_label") == 1


@pytest.mark.parametrize("fixture", NEW_FORM_PAGES)
def test_flattened_pages_never_misassign(fixture: str) -> None:
    """Flattened, a page loses its blank cells: rows may stay unread, but no number lands in another cell."""
    want = expected(fixture)
    got: dict[str, object] = {}
    for row in read(fixture, flat=True).rows:
        got.setdefault(row.code or "", row.value)
    wrong = [
        f"{code}: got {value}, want {want.get(code, 'no such cell')}"
        for code, value in got.items()
        if code and value is not None and want.get(code) != value
    ]
    assert not wrong
