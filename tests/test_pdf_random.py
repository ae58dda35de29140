"""Randomised tables, drawn with and without cell borders, must come back cell for cell.

Real reports from other places differ in column widths, font sizes, how wide the numbers are,
which cells are blank and which labels wrap, so a reader tuned on three PDFs is not enough. Each
case draws a fresh table with reportlab (seeded, so failures reproduce), half of them cut by a
page break (with or without repeated column heads), and checks that pdf_to_document puts every
label and every value (or blank) in its own row and column. When written, seeds 100-399 all
passed ruled; unruled, 291/300 passed: the misses are a one-row part on one side of the break
whose blank cells leave its columns undecidable without rules.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import pytest

from extractors.pdf import pdf_to_document

canvas_mod = pytest.importorskip("reportlab.pdfgen.canvas")
pdfmetrics = pytest.importorskip("reportlab.pdfbase.pdfmetrics")
cidfonts = pytest.importorskip("reportlab.pdfbase.cidfonts")

FONT = "STSong-Light"
LABELS = [
    "行政许可",
    "行政处罚",
    "行政强制",
    "行政事业性收费",
    "规章",
    "行政规范性文件",
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "（一）予以公开",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "（七）总计",
    "四、结转下年度继续办理",
]
HEADS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计", "本年处理决定数量"]


@dataclass
class Case:
    heads: list[str]
    rows: list[tuple[str, list[str]]]
    size: float
    label_width: float
    widths: list[float]
    page_break: int | None = None  # rows from this one on go to page 2 ("- 1 -" footer between)
    repeat_heads: bool = False  # page 2 repeats the column heads (Word's repeat-header-row)


def make_case(seed: int) -> Case:
    rnd = random.Random(seed)
    n_cols = rnd.randint(1, 7)
    heads = rnd.sample(HEADS, n_cols)
    labels = rnd.sample(LABELS, rnd.randint(2, 9))
    rows = []
    for label in labels:
        values = []
        for _ in range(n_cols):
            kind = rnd.random()
            if kind < 0.12:
                values.append("")
            elif kind < 0.2:
                values.append(rnd.choice(["—", "/"]))
            elif kind < 0.3:
                values.append(f"{rnd.randint(0, 99999)}.{rnd.randint(1, 99)}")
            else:
                values.append(str(rnd.choice([0, 0, 1, rnd.randint(0, 99), rnd.randint(100, 9999999)])))
        if not any(v and v[0].isdigit() for v in values):
            values[0] = "7"
        rows.append((label, values))
    size = rnd.choice([9, 10.5, 12])
    widths = [
        max(rnd.uniform(2.2, 5.5) * size, max(len(v) for _, vs in rows for v in [vs[k]]) * size * 0.55 + 6)
        for k in range(n_cols)
    ]
    page_break = rnd.randint(1, len(rows) - 1) if rnd.random() < 0.5 else None
    return Case(heads, rows, size, rnd.uniform(6, 17) * size, widths, page_break, rnd.random() < 0.5)


def fit(text: str, width: float, size: float) -> list[str]:
    """Wrap a label inside its cell, as Word does (CJK characters are one em wide)."""
    n = max(1, int((width - 4) // size))
    return [text[i : i + n] for i in range(0, len(text), n)]


def draw(case: Case, ruled: bool) -> bytes:
    pdfmetrics.registerFont(cidfonts.UnicodeCIDFont(FONT))
    out = io.BytesIO()
    width, height = 595.0, 842.0
    c = canvas_mod.Canvas(out, pagesize=(width, height), invariant=1)
    c.setFont(FONT, case.size)
    c.setLineWidth(0.6)
    xs = [50.0, 50.0 + case.label_width]
    for w in case.widths:
        xs.append(xs[-1] + w)
    pitch = case.size * 2.6
    top = 120.0

    def cell(k: int, y: float, h: float, lines: list[str]) -> None:
        if ruled:
            c.rect(xs[k], height - y - h, xs[k + 1] - xs[k], h, stroke=1, fill=0)
        lead = case.size * 1.2
        base = y + h / 2 - lead * len(lines) / 2 + case.size * 0.85
        for i, text in enumerate(lines):
            c.drawCentredString((xs[k] + xs[k + 1]) / 2, height - base - i * lead, text)

    def head_row(y: float) -> float:
        heads = [fit(head, xs[k + 2] - xs[k + 1], case.size) for k, head in enumerate(case.heads)]
        h = pitch + case.size * 1.2 * (max(len(lines) for lines in heads) - 1)
        cell(0, y, h, ["信息内容"])
        for k, lines in enumerate(heads, start=1):
            cell(k, y, h, lines)
        return y + h

    def footer(number: int) -> None:
        c.drawCentredString(width / 2, 30, f"- {number} -")

    c.drawString(50, height - 80, "示例县人民政府2023年政府信息公开工作年度报告")
    y = head_row(top)
    for r, (label, values) in enumerate(case.rows):
        if r == case.page_break:
            footer(1)
            c.showPage()
            c.setFont(FONT, case.size)
            c.setLineWidth(0.6)
            y = head_row(72.0) if case.repeat_heads else 72.0
        lines = fit(label, case.label_width, case.size)
        h = pitch + case.size * 1.2 * (len(lines) - 1)
        cell(0, y, h, lines)
        for k, value in enumerate(values, start=1):
            cell(k, y, h, [value] if value else [])
        y += h
    footer(2 if case.page_break else 1)
    c.showPage()
    c.save()
    return out.getvalue()


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
@pytest.mark.parametrize("seed", range(20))
def test_random_table_comes_back_cell_for_cell(seed, ruled):
    case = make_case(seed)
    doc = pdf_to_document(draw(case, ruled))
    assert len(doc.tables) == 1, [t.grid for t in doc.tables]
    grid = doc.tables[0].grid
    body = {row[0]: row[1:] for row in grid if row[0] in {label for label, _ in case.rows}}
    assert list(body) == [label for label, _ in case.rows], grid
    for label, values in case.rows:
        assert body[label] == values, (label, grid)
    if ruled:  # unruled heads wrapped over lines are a best effort (a group head or a wrap?)
        assert grid[0][1:] == case.heads


# --------------------------------------------------------------- table 三 cut by a page break

T3 = [  # (group, sub-group, row label) of the 2021 form's table 三; "" = the cell above goes on
    ("一、本年新收政府信息公开申请数量", None, None),
    ("二、上年结转政府信息公开申请数量", None, None),
    ("三、本年度办理结果", "（一）予以公开", None),
    ("三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    *[
        ("三、本年度办理结果", "（三）不予公开", label)
        for label in [
            "1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "3.危及“三安全一稳定”",
            "4.保护第三方合法权益",
            "5.属于三类内部事务信息",
            "6.属于四类过程性信息",
            "7.属于行政执法案卷",
            "8.属于行政查询事项",
        ]
    ],
    *[
        ("三、本年度办理结果", "（四）无法提供", label)
        for label in ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
    ],
    *[
        ("三、本年度办理结果", "（五）不予处理", label)
        for label in [
            "1.信访举报投诉类申请",
            "2.重复申请",
            "3.要求提供公开出版物",
            "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息",
        ]
    ],
    *[
        ("三、本年度办理结果", "（六）其他处理", label)
        for label in [
            "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3、其他",
        ]
    ],
    ("三、本年度办理结果", "（七）总计", None),
    ("四、结转下年度继续办理", None, None),
]
T3_HEADS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def draw_t3(
    seed: int,
    *,
    ruled: bool = True,
    blanks: float = 0.0,
    form_heads: bool = False,
    empty_columns: tuple[int, ...] = (),
) -> tuple[bytes, list[list[str]]]:
    """Table 三 cut by a page break at a random row; returns the PDF and its expected rows.

    `ruled=False` prints the same words without borders; `blanks`: share of value cells left
    empty; `form_heads`: the form's three header rows (note / 申请人情况 / 自然人 法人或其他组织
    总计 / its five sub-heads), and when page 2 repeats them (always, then) Word cuts their merged
    cells differently there (note over one row, 自然人 and 总计 over one row each);
    `empty_columns`: value columns left blank on every row (no request from 科研机构 all year).
    """
    rnd = random.Random(seed)
    size = rnd.choice([9, 10.5])
    xs = [50.0, 50 + 2 * size, 50 + 2 * size + rnd.uniform(4, 6) * size]
    xs.append(xs[-1] + rnd.uniform(9, 13) * size)
    for _ in T3_HEADS:
        xs.append(xs[-1] + rnd.uniform(2.6, 3.4) * size)
    values = [[str(rnd.choice([0, 0, 1, rnd.randint(2, 999)])) for _ in T3_HEADS] for _ in T3]
    repeat_heads = rnd.random() < 0.4 or form_heads
    if blanks:
        for row in values:
            for k in range(len(row)):
                if rnd.random() < blanks:
                    row[k] = ""
        values[0][0] = values[0][0] or "1"  # the first row keeps the first column's x-range
    for row in values:
        for k in empty_columns:
            row[k] = ""
    lead, pitch = size * 1.2, size * 2.4
    pdfmetrics.registerFont(cidfonts.UnicodeCIDFont(FONT))
    out = io.BytesIO()
    width, height = 595.0, 842.0
    c = canvas_mod.Canvas(out, pagesize=(width, height), invariant=1)

    def text(x0: float, x1: float, top: float, bottom: float, lines: list[str]) -> None:
        base = (top + bottom) / 2 - lead * len(lines) / 2 + size * 0.85
        for i, line in enumerate(lines):
            c.drawCentredString((x0 + x1) / 2, height - base - i * lead, line)

    def box(c0: int, c1: int, top: float, bottom: float, lines: list[str]) -> None:
        if ruled:
            c.rect(xs[c0], height - bottom, xs[c1] - xs[c0], bottom - top, stroke=1, fill=0)
        text(xs[c0], xs[c1], top, bottom, lines)

    def heads(top: float, again: bool = False) -> float:
        if form_heads:
            heads = [fit(head, xs[5 + k] - xs[4 + k], size)[:2] for k, head in enumerate(T3_FORM_HEADS)]
            return _form_heads(box, note, heads, [top, top + first, top + first + pitch, top + head_h], again)
        box(0, 3, top, top + pitch, ["信息内容"])
        for k, head in enumerate(T3_HEADS):
            box(3 + k, 4 + k, top, top + pitch, fit(head, xs[4 + k] - xs[3 + k], size)[:1])
        return top + pitch

    def leaf_lines(r: int) -> list[str]:
        group, sub, label = T3[r]
        if sub is None:
            return fit(group, xs[3] - xs[0], size)
        return fit(label or sub, xs[3] - (xs[2] if label else xs[1]), size)

    heights = [pitch + lead * (len(leaf_lines(r)) - 1) for r in range(len(T3))]
    note = fit(T3_NOTE, xs[3] - xs[0], size)
    first = max(pitch, lead * (len(note) + 0.8))  # Word grows a row to fit its text
    head_h = first + 2 * pitch if form_heads else pitch
    fits = [
        k
        for k in range(3, len(T3))
        if 120 + head_h + sum(heights[:k]) < 790 and 72 + pitch + head_h + sum(heights[k:]) < 790
    ]
    cut = rnd.choice(fits)
    tops, y, page = {}, 0.0, 0
    for r in range(len(T3)):
        if r in (0, cut):
            page, y = (0, 120.0 + head_h) if r == 0 else (1, 72.0 + (head_h if repeat_heads else 0))
        h = pitch + lead * (len(leaf_lines(r)) - 1)
        tops[r] = (page, y, y + h)
        y += h
    for part in (0, 1):
        if part:
            c.drawCentredString(width / 2, 30, "- 1 -")
            c.showPage()
        c.setFont(FONT, size)
        c.setLineWidth(0.6)
        if part == 0 or repeat_heads:
            heads(120.0 if part == 0 else 72.0, again=part == 1)
        rows = [r for r in range(len(T3)) if tops[r][0] == part]
        for r in rows:
            _, top, bottom = tops[r]
            group, sub, label = T3[r]
            first_col = 0 if sub is None else (1 if label is None else 2)
            box(first_col, 3, top, bottom, leaf_lines(r))
            for k, value in enumerate(values[r]):
                box(3 + k, 4 + k, top, bottom, [value])
        for col, key in ((0, 0), (1, 1)):  # group cells: one box per page part, text split over them
            spans: dict[str, list[int]] = {}
            for r in rows:
                if T3[r][1] is not None and (col == 0 or T3[r][2] is not None):
                    spans.setdefault(T3[r][key], []).append(r)
            for name, members in spans.items():
                top, bottom = tops[members[0]][1], tops[members[-1]][2]
                if ruled:
                    c.rect(xs[col], height - bottom, xs[col + 1] - xs[col], bottom - top, stroke=1, fill=0)
                all_rows = [r for r in range(len(T3)) if T3[r][key] == name and (col == 0 or T3[r][2])]
                lines = list(name) if col == 0 else fit(name, xs[2] - xs[1], size)
                own = _share(lines, all_rows, members, cut)
                text(xs[col], xs[col + 1], top, bottom, own)
    c.drawCentredString(width / 2, 30, "- 2 -")
    c.showPage()
    c.save()
    expected = []
    for r, (group, sub, label) in enumerate(T3):
        cells = [group] * 3 if sub is None else [group, sub, label or sub]
        expected.append(cells + values[r])
    return out.getvalue(), expected


T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_FORM_HEADS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]


def _form_heads(box, note: list[str], heads: list[list[str]], rows: list[float], again: bool) -> float:
    """The form's header rows; `again`: as Word repeats them on the next page."""
    if again:  # the note over the first header row only; 自然人 / 总计 no longer span two rows
        box(0, 3, rows[0], rows[1], note)
        box(0, 3, rows[1], rows[3], [])
        box(3, 4, rows[1], rows[2], ["自然人"])
        box(9, 10, rows[1], rows[2], ["总计"])
        box(3, 4, rows[2], rows[3], [])
        box(9, 10, rows[2], rows[3], [])
    else:
        box(0, 3, rows[0], rows[3], note)
        box(3, 4, rows[1], rows[3], ["自然人"])
        box(9, 10, rows[1], rows[3], ["总计"])
    box(3, 10, rows[0], rows[1], ["申请人情况"])
    box(4, 9, rows[1], rows[2], ["法人或其他组织"])
    for k, lines in enumerate(heads):
        box(4 + k, 5 + k, rows[2], rows[3], lines)
    return rows[3]


def _share(lines: list[str], all_rows: list[int], members: list[int], cut: int) -> list[str]:
    """The lines of a group cell printed on this page part: Word starts the text in the part
    that holds its first row and lets the rest flow on into the next part."""
    if all_rows[0] >= cut or all_rows[-1] < cut:
        return lines
    room = sum(1 for r in all_rows if r < cut)
    return lines[:room] if members[0] < cut else lines[room:]


@pytest.mark.parametrize("seed", range(10))
def test_table_three_cut_anywhere_by_a_page_break(seed):
    """Ruled table 三 cut at any row: group cells (三、本年度办理结果, （三）不予公开 ...) split in
    two parts come back as one cell over all their rows. Seeds 100-299 all passed when written.
    Unruled, the same tables come back 88% row for row (the word path's known limit)."""
    data, expected = draw_t3(seed)
    doc = pdf_to_document(data)
    assert len(doc.tables) == 1
    grid = doc.tables[0].grid
    body = grid[next(r for r, row in enumerate(grid) if row[0] == T3[0][0]) :]
    assert body == expected


def _t3_body(data: bytes) -> tuple[int, list[list[str]]]:
    doc = pdf_to_document(data)
    if not doc.tables:
        return 0, []
    grid = doc.tables[0].grid
    start = next((r for r, row in enumerate(grid) if row[0] == T3[0][0]), len(grid))
    return len(doc.tables), grid[start:]


@pytest.mark.parametrize("seed", range(8))
def test_form_heads_repeated_with_merges_cut_differently_are_dropped(seed):
    """Word repeats table 三's three header rows on page 2 but cuts their merged cells otherwise
    (the note over one row, 自然人/总计 over one): they are heads, not values of the group row
    continued across the break. Seeds 100-139 all pass ruled (none did before the fix)."""
    data, expected = draw_t3(seed, form_heads=True, blanks=0.1)
    assert _t3_body(data) == (1, expected)


def test_unruled_table_three_over_a_page_break_mostly_comes_back_whole():
    """Unruled, with blank cells and repeated form heads: one grid, row for row, for most cuts
    (measured when written: 14/16 here, 7/16 before the repeated-heads fix; the misses are group
    labels split at the break). A blank cell stays blank in its column instead of shifting."""
    cases = [draw_t3(seed, ruled=False, blanks=0.1, form_heads=seed % 2 == 0) for seed in range(200, 216)]
    whole = sum(_t3_body(data) == (1, expected) for data, expected in cases)
    assert whole >= 12, f"{whole}/16 unruled tables came back whole"


@pytest.mark.parametrize(("seed", "empty"), [(0, (2,)), (1, (1, 2)), (2, (2, 4)), (3, (5,)), (4, (0,)), (5, (0,)), (7, (6,))])
def test_unruled_column_blank_on_every_row_keeps_its_place(seed, empty):
    """No request from 科研机构 all year: unruled, no number marks that column; its head does,
    so every row still has seven cells with the blank one in its place (before: six, shifted)."""
    data, expected = draw_t3(seed, ruled=False, form_heads=seed % 2 == 0, empty_columns=empty)
    n_tables, body = _t3_body(data)
    assert n_tables == 1
    assert [row[3:] for row in body] == [row[3:] for row in expected]
