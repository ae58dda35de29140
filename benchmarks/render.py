"""HTML for the statistics tables of one generated report: real <table> grids or Word-flattened cells.

Two layouts, as found on real portals: a `<table>` with the official rowspans/colspans (headers
built from the column groups in templates.yaml), and the "flat" page where a Word paste lost the
table and every cell became its own paragraph. Two cell styles: plain `<td>`, and Word's heavy
inline mso styles (the reason real report pages weigh 150-250 KB).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from benchmarks.forms import Block, Form

WORD_TD = (
    ' valign="center" style="padding:0.0000pt 5.4000pt 0.0000pt 5.4000pt;border-left:1.0000pt solid windowtext;'
    "mso-border-left-alt:0.5000pt solid windowtext;border-right:1.0000pt solid windowtext;"
    "mso-border-right-alt:0.5000pt solid windowtext;border-top:none;mso-border-top-alt:0.5000pt solid "
    'windowtext;border-bottom:1.0000pt solid windowtext;mso-border-bottom-alt:0.5000pt solid windowtext;"'
)
WORD_P = '<p class="MsoNormal" align="center" style="text-align:center;line-height:20pt;margin:0pt;">'
WORD_SPAN = '<span style="font-family:仿宋_GB2312;font-size:12.0000pt;mso-font-kerning:0.0000pt;">'
FLAT_P = '<p style="text-indent:0;text-align:left;line-height:28px;margin:0;">'
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")

LABEL_COLUMNS = 3  # the official t3 form spends three columns on its nested row labels


@dataclass(slots=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass(slots=True)
class Style:
    """How one page prints its tables."""

    layout: str  # "table" | "flat"
    word: bool  # Word's inline styles on every cell
    fullwidth: bool  # digits printed full-width (０１２)


def fmt(value: float, style: Style) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return text.translate(FULLWIDTH) if style.fullwidth else text


def block_grid(block: Block, values: dict[str, float | int], style: Style) -> list[list[Cell]]:
    """The rows of cells of one block, spans included."""
    if block.layout == "list":
        return _list_grid(block, values, style)
    if block.layout == "single_row_grid":
        return _header_rows(block.columns, 0) + [[Cell(fmt(values[c["code"]], style)) for c in block.columns]]
    if block.layout == "matrix":
        return _matrix_grid(block, values, style)
    return _blocks_grid(block, values, style)


def _list_grid(block: Block, values: dict[str, float | int], style: Style) -> list[list[Cell]]:
    rows = [[Cell(c["label"]) for c in block.columns]]
    for row in block.rows:
        if row["kind"] in ("value", "section_value"):
            rows.append(
                [Cell(row["label"]), Cell(row.get("unit") or ""), Cell(fmt(values[row["code"]], style))]
            )
        else:
            rows.append([Cell(row["label"], colspan=3)])
    return rows


def _blocks_grid(block: Block, values: dict[str, float | int], style: Style) -> list[list[Cell]]:
    width = 1 + len(block.columns)
    rows = [
        [Cell(block.heading, colspan=width)],
        [Cell("信息内容")] + [Cell(c["label"]) for c in block.columns],
    ]
    for row in block.rows:
        cells = [Cell(fmt(values[f"{row['code']}@{c['code']}"], style)) for c in block.columns]
        rows.append([Cell(row["label"])] + cells)
    return rows


def _header_rows(columns: list[dict], label_columns: int, corner: str = "") -> list[list[Cell]]:
    """Header rows built from each column's group path ("申请人情况 / 法人或其他组织" + label)."""
    paths = [
        [g.strip() for g in (c.get("group") or "").split("/") if g.strip()] + [c["label"]] for c in columns
    ]
    depth = max(len(p) for p in paths)
    rows: list[list[Cell]] = [[] for _ in range(depth)]
    if label_columns:
        rows[0].append(Cell(corner, rowspan=depth, colspan=label_columns))
    for level in range(depth):
        i = 0
        while i < len(paths):
            path = paths[i]
            if len(path) <= level:
                i += 1
                continue
            j = i + 1
            while j < len(paths) and len(paths[j]) > level and paths[j][: level + 1] == path[: level + 1]:
                j += 1
            leaf = len(path) == level + 1
            rowspan = depth - level if leaf else 1
            rows[level].append(Cell(path[level], rowspan=rowspan, colspan=j - i))
            i = j
    return rows


def _matrix_grid(block: Block, values: dict[str, float | int], style: Style) -> list[list[Cell]]:
    rows = _header_rows(block.columns, LABEL_COLUMNS, block.corner_note)
    by_code = {r["code"]: r for r in block.rows}
    value_rows = [r for r in block.rows if r.get("kind", "value") == "value"]
    chains = {r["code"]: _ancestors(r, by_code) for r in value_rows}
    opened: set[str] = set()
    for row in value_rows:
        cells = []
        for group in chains[row["code"]]:
            if group not in opened:
                opened.add(group)
                span = sum(1 for r in value_rows if group in chains[r["code"]])
                cells.append(Cell(by_code[group]["label"], rowspan=span))
        cells.append(Cell(row["label"], colspan=LABEL_COLUMNS - len(chains[row["code"]])))
        cells.extend(Cell(fmt(values[f"{row['code']}@{c['code']}"], style)) for c in block.columns)
        rows.append(cells)
    return rows


def _ancestors(row: dict, by_code: dict[str, dict]) -> list[str]:
    chain = []
    parent = row.get("parent")
    while parent in by_code:
        chain.insert(0, parent)
        parent = by_code[parent].get("parent")
    return chain


def table_html(grid: list[list[Cell]], style: Style) -> str:
    """One grid as HTML: a <table>, or one paragraph per cell when the page is flattened."""
    if style.layout == "flat":
        p = WORD_P if style.word else FLAT_P
        return "".join(f"{p}<span>{escape(c.text)}</span></p>\n" for row in grid for c in row if c.text)
    td = WORD_TD if style.word else ""
    out = ['<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="100%"><tbody>']
    for row in grid:
        out.append("<tr>")
        for c in row:
            span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                f' colspan="{c.colspan}"' if c.colspan > 1 else ""
            )
            inner = f"{WORD_P}{WORD_SPAN}{escape(c.text)}</span></p>" if style.word else escape(c.text)
            out.append(f"<td{span}{td}>{inner}</td>")
        out.append("</tr>\n")
    out.append("</tbody></table>\n")
    return "".join(out)


def form_sections(form: Form, values: dict[str, float | int], style: Style) -> dict[str, str]:
    """HTML of each table section of the form, keyed by the heading it goes under."""
    sections: dict[str, str] = {}
    for block in form.blocks:
        key = "t3" if block.layout == "matrix" else "t4" if block.layout == "single_row_grid" else "t2"
        if block.layout == "list":
            key = "legacy"
        sections[key] = sections.get(key, "") + table_html(block_grid(block, values, style), style)
    return sections
