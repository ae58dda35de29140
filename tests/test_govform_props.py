"""Property tests of the text-line reader: mutated pages never raise and never misplace a number.

The base pages are the PDF-like text fixtures (both versions; wrapped labels with numbers between
or before their parts, vertical header, footer inside the table) and the three real Jiangsu PDFs'
text lines (checked against their gold values). Mutations a real page suffers —
a lost number, a lost line, footers or stray words between rows — may cost cells (then with a
finding) but must never put a number under a wrong code. Arbitrary shuffles must not raise.
"""

from __future__ import annotations

import csv
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import govform
from extractors.codebook import load_codebook
from extractors.load import load_document
from extractors.model import Document, Table
from tests.conftest import FIXTURES
from tests.test_govform_real import PDFS, _pdf_document, gold

GOV = FIXTURES / "govform"
BASES = ["zj-xihu-2022-text", "sh-minhang-2019-text", "jx-zhanggong-2023-subtotal"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def base(name: str) -> tuple[tuple[str, ...], dict[str, str], range]:
    lines = tuple((GOV / f"{name}.txt").read_text(encoding="utf-8").splitlines())
    with (GOV / f"{name}.expected.csv").open(encoding="utf-8") as fh:
        want = {r["code"]: r["printed"] for r in csv.DictReader(fh)}
    start = lines.index("二、主动公开政府信息情况") + 1
    end = next(i for i, ln in enumerate(lines) if ln.startswith("五、"))
    return lines, want, range(start, end)


def read(lines: list[str]):
    return govform.read(Document(kind="text", lines=lines), load_codebook())


def _numeric(token: str) -> bool:
    return token.replace(".", "", 1).lstrip("-").isdigit()


def assert_no_wrong_value(result, want: dict[str, str]) -> None:
    assert result is not None
    codes = [r.code for r in result.rows if r.code]
    assert len(codes) == len(set(codes)), "a cell read twice"
    for row in result.rows:
        if row.value is not None and row.code is not None:  # code None: kept as an unknown row
            assert row.code in want, f"unknown code {row.code}"
            assert row.raw == want[row.code], f"{row.code}: read {row.raw!r}, printed {want[row.code]!r}"


@SETTINGS
@given(name=st.sampled_from(BASES), data=st.data())
def test_dropping_one_number_costs_only_that_row(name, data):
    lines, want, region = base(name)
    candidates = [
        i for i in region if not lines[i].startswith("-") and any(_numeric(t) for t in lines[i].split())
    ]
    i = data.draw(st.sampled_from(candidates))
    tokens = lines[i].split()
    numeric = [k for k, t in enumerate(tokens) if _numeric(t)]
    k = data.draw(st.sampled_from(numeric))
    mutated = list(lines)
    mutated[i] = " ".join(tokens[:k] + tokens[k + 1 :])
    result = read(mutated)
    assert_no_wrong_value(result, want)
    lost = {r.code for r in result.rows if r.value is None} | (set(want) - {r.code for r in result.rows})
    hurt_rows = {code.split("@")[0] if "@" in code else "t4" for code in lost}
    assert len(hurt_rows) == 1, f"dropping one number of line {lines[i]!r} cost rows {sorted(hurt_rows)}"
    kinds = {f.kind for f in result.findings}
    assert kinds & {"row_count_mismatch", "missing_value"}


@SETTINGS
@given(name=st.sampled_from(BASES), data=st.data())
def test_losing_a_line_never_misplaces_a_number(name, data):
    lines, want, region = base(name)
    i = data.draw(st.sampled_from(list(region)))
    result = read([*lines[:i], *lines[i + 1 :]])
    assert_no_wrong_value(result, want)


JUNK = ["- 4 -", "第 3 页", "注：本表数据由各部门报送汇总", "（续表）"]


@SETTINGS
@given(name=st.sampled_from(BASES), data=st.data())
def test_footers_and_stray_lines_between_rows_change_nothing(name, data):
    lines, want, region = base(name)
    mutated = list(lines)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.sampled_from(list(region)))
        junk = data.draw(st.sampled_from(JUNK[:2]))
        mutated.insert(at, junk)
    result = read(mutated)
    assert_no_wrong_value(result, want)
    assert {r.code: r.raw for r in result.rows} == want


@SETTINGS
@given(name=st.sampled_from(BASES), data=st.data())
def test_shuffled_lines_never_raise(name, data):
    lines, _, region = base(name)
    chunk = data.draw(st.permutations(list(lines[region.start : region.stop])))
    result = read([*lines[: region.start], *chunk, *lines[region.stop :]])
    if result is not None:
        codes = [r.code for r in result.rows if r.code]
        assert len(codes) == len(set(codes))
        spec = load_codebook().templates[result.variant]
        known = {i.code for i in spec.indicators}
        assert all(code.split("@")[0] in known for code in codes)


@SETTINGS
@given(
    text=st.lists(
        st.text(alphabet="一二三四（）、.0123456789 总计本年新收政府信息公开申请数量其他处理", max_size=40),
        max_size=30,
    )
)
def test_random_text_never_raises(text):
    read(["一、本年新收政府信息公开申请数量 1 2 3", "二、上年结转政府信息公开申请数量", *text])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(PDFS), data=st.data())
def test_real_pdf_text_losing_a_line_or_a_number_never_misplaces(shared_dir, name, data):
    lines = _pdf_document(str(shared_dir / "real-reports" / name / "report.pdf")).lines
    want = {code: value for code, value, _ in gold(name, shared_dir, "gov2021")}
    start = lines.index("二、主动公开政府信息情况")
    end = next(i for i, ln in enumerate(lines) if ln.startswith("五、"))
    i = data.draw(st.integers(start, end - 1))
    mutated = list(lines)
    tokens = lines[i].split()
    numeric = [k for k, t in enumerate(tokens) if _numeric(t)]
    if numeric and data.draw(st.booleans()):
        k = data.draw(st.sampled_from(numeric))
        mutated[i] = " ".join(tokens[:k] + tokens[k + 1 :])
    else:
        del mutated[i]
    result = read(mutated)
    assert result is not None
    for row in result.rows:
        if row.value is not None and row.code is not None:
            assert row.value == want.get(row.code), (row.code, row.raw)


@cache
def table_doc(name: str) -> tuple[Document, dict[str, str]]:
    doc, _ = load_document((GOV / f"{name}.html").read_bytes(), filename=f"{name}.html")
    with (GOV / f"{name}.expected.csv").open(encoding="utf-8") as fh:
        return doc, {r["code"]: r["printed"] for r in csv.DictReader(fh)}


@SETTINGS
@given(
    name=st.sampled_from(["zj-xihu-2022-table", "sh-minhang-2019-table", "jx-zhanggong-2023-subtotal"]),
    data=st.data(),
)
def test_grid_columns_moved_or_rows_dropped_never_misplace(name, data):
    doc, want = table_doc(name)
    t3 = next(t for t in doc.tables if any("本年新收" in cell for row in t.grid for cell in row))
    width = len(t3.grid[0])
    order = [*range(3), *data.draw(st.permutations(list(range(3, width))))]
    drop = set(data.draw(st.lists(st.integers(3, len(t3.grid) - 1), max_size=3)))
    grid = [[row[c] for c in order] for r, row in enumerate(t3.grid) if r not in drop]
    tables = [Table(grid=grid) if t is t3 else t for t in doc.tables]
    result = govform.read(Document(kind="html", lines=[], tables=tables), load_codebook())
    assert result is not None
    for row in result.rows:
        assert row.code in want
        assert row.raw == want[row.code]
    assert sum(r.section == "t3" for r in result.rows) == (len(t3.grid) - 3 - len(drop)) * (width - 3)


CELL_TEXT = st.sampled_from(
    ["", "0", "12", "—", "总计", "自然人", "商业企业", "其他", "一、本年新收政府信息公开申请数量", "（三）不予公开",
     "1.属于国家秘密", "第二十条第（一）项", "信息内容", "本年制发件数", "规章", "行政复议", "结果维持", "复议后起诉"]
)  # fmt: skip


@SETTINGS
@given(grid=st.lists(st.lists(CELL_TEXT, min_size=1, max_size=12), min_size=1, max_size=12))
def test_random_grids_never_raise(grid):
    width = max(len(row) for row in grid)
    grid = [row + [""] * (width - len(row)) for row in grid]
    lines = ["本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量"]
    result = govform.read(Document(kind="html", lines=lines, tables=[Table(grid=grid)]), load_codebook())
    if result is not None:
        codes = [r.code for r in result.rows if r.code]
        assert len(codes) == len(set(codes))
