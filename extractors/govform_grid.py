"""New-form tables read from real grids (HTML <table>s, ruled PDF tables): header paths, not positions.

A grid has rowspan/colspan expanded (Document.tables), so each value slot has a column header path
(申请人情况 / 法人或其他组织 / 商业企业) and each row a label path (三、本年度办理结果 / （三）不予公开 /
1.属于国家秘密). Columns are identified by their header text, never by the order the header text is
printed in (表三 prints 总计 before 商业企业 but it is the last value column); rows by their label.
Only when a header cannot be read at all does a table fall back to the form's fixed column order,
and then only if the number of value columns is exactly the form's.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.govform_spec import (
    SEP,
    T3_TOTAL,
    Cell,
    FormSpec,
    RowSpec,
    SectionRead,
    norm,
    parse_cell,
    split_segments,
    total_absent_finding,
)
from extractors.labels import numbering_prefix
from extractors.model import Finding, Table

_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
_T4_OUTCOMES = {
    "结果维持": "upheld",
    "结果纠正": "corrected",
    "其他结果": "other",
    "尚未审结": "pending",
    "总计": "total",
}
_T4_GROUPS = (
    ("未经复议", "litigation.direct"),
    ("复议后起诉", "litigation.after_review"),
    ("行政复议", "review"),
)


@lru_cache(maxsize=16384)
def printed(text: str) -> str:
    """Cell text as printed, with layout spaces between CJK characters removed ("商业 企业").

    Cached: every cell is read by each table reader for each version of the form.
    """
    return _CJK_GAP.sub("", text.strip())


@dataclass(slots=True)
class _Grid(Table):
    """A page's table with what every reader asks of it for every form version worked out once."""

    row_cells: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # by row, as _row_cells
    t4_top: list[int | None] = field(default_factory=list)  # [_t4_top] once known


def read_grids(tables: list[Table], spec: FormSpec, memo: dict | None = None) -> dict[str, SectionRead]:
    """The best read of each new-form table (t2, t3, t4) found in the page's grids.

    `memo`: the page's (one per document), so that each version of the form reuses the grids.
    """
    best: dict[str, SectionRead] = {}
    seen = {"t2": 0, "t3": 0, "t4": 0}
    for index, table in enumerate(_grids(tables, memo)):
        if not table.grid or not table.grid[0]:
            continue
        for read in (
            _read_t2(table, index, spec),
            _read_t3(table, index, spec),
            _shared_t4(table, index, spec, memo),
        ):
            if read is None or not read.cells:
                continue
            current = best.get(read.section)
            if current is not None and _continues(current, read):
                current.cells.extend(read.cells)  # a table cut by a page break, or 二 split per block
                current.findings.extend(read.findings)
                current.complete = current.complete or read.complete or _complete(current, spec)
                continue
            seen[read.section] += read.tables_seen
            if current is None or (read.complete and not current.complete):
                best[read.section] = read
    for section, read in best.items():
        read.tables_seen = max(1, seen[section])
    return best


def _grids(tables: list[Table], memo: dict | None) -> list[_Grid]:
    key = ("grids", tuple(map(id, tables)))  # the same Table objects (alive: they are the page's)
    grids = memo.get(key) if memo is not None else None
    if grids is None:
        grids = [_Grid(t.grid, t.spans, t.line_index) for t in tables]
        if memo is not None:
            memo[key] = grids
    return grids


def _continues(current: SectionRead, more: SectionRead) -> bool:
    """True when `more` holds other rows (cells) of the same table 二 (四): none read twice."""
    if current.complete:
        return False
    have = {c.row_code or c.code for c in current.cells if c.row_code or c.code}
    return not have & {c.row_code or c.code for c in more.cells if c.row_code or c.code}


def _complete(read: SectionRead, spec: FormSpec) -> bool:
    if read.section == "t4":
        return {c.code for c in read.cells} >= {r.code for r in spec.t4}
    if read.section == "t3":
        return spec.t3_complete({c.row_code for c in read.cells if c.row_code})
    return {c.row_code for c in read.cells} >= {r.code for r in spec.section_rows("t2")}


# ------------------------------------------------------------------------------------------- helpers


def _origin(table: Table, r: int, c: int) -> tuple[int, int]:
    if table.spans and r < len(table.spans) and c < len(table.spans[r]):
        return table.spans[r][c]
    return (r, c)


def _row_cells(table: Table, r: int) -> list[tuple[int, str]]:
    """(column, text) of the row's cells, one per merged cell (colspan copies dropped).

    A shared list when the table is a `_Grid`: callers only read it.
    """
    if isinstance(table, _Grid):
        found = table.row_cells.get(r)
        if found is None:
            found = table.row_cells[r] = _cells_of_row(table, r)
        return found
    return _cells_of_row(table, r)


def _cells_of_row(table: Table, r: int) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    seen: set[tuple[int, int]] = set()
    for c, text in enumerate(table.grid[r]):
        origin = _origin(table, r, c)
        if origin in seen:
            continue
        seen.add(origin)
        out.append((c, printed(text)))
    return out


@lru_cache(maxsize=8192)
def _is_number(text: str) -> bool:
    """Cached: grid cells repeat the same few numbers (0, 1, ...) on every page."""
    return parse_cell(text).value is not None


def _label_path(table: Table, r: int, label_cols: range) -> list[str]:
    path: list[str] = []
    for c in label_cols:
        text = printed(table.grid[r][c])
        if text and (not path or norm(path[-1]) != norm(text)):
            path.append(text)
    return path


def _match_path(path: list[str], section: str, spec: FormSpec, after: int) -> RowSpec | None:
    """The row a label path names: its deepest label ("（三）不予公开 1.属于国家秘密" in one cell too)."""
    for depth, text in enumerate(reversed(path)):
        segments = split_segments(text)
        for segment in reversed(segments):
            match = spec.match_row(segment, section, after)
            if match and depth and not match.row.has_value:
                return spec.child_row(match.row.code, path[-1]) or match.row  # 三、… / 总计
            if match:
                return match.row
        if depth == 0 and numbering_prefix(segments[-1]) is not None:
            return None  # a numbered sub-row the form does not have: not its group's own numbers
    return None


def _index(spec: FormSpec, section: str, row: RowSpec) -> int:
    return spec.row_index(section, row.code)


# -------------------------------------------------------------------------------------------- table 二


def _read_t2(table: Table, index: int, spec: FormSpec) -> SectionRead | None:
    read = SectionRead("t2", "grid")
    block = None
    columns: list[tuple[int, str, str]] = []
    found: set[str] = set()
    for r in range(len(table.grid)):
        cells = [(c, t) for c, t in _row_cells(table, r) if t]
        if not cells:
            continue
        heading = spec.block_of(cells[0][1])
        if heading:
            block, columns = heading, []
            continue
        first = cells[0][1]
        if found and _starts_t3(cells, spec):
            break  # one <table> holding tables 二 to 四: table 二 ends where 三 starts
        match = spec.match_row(first, "t2")
        if match is None and not any(_is_number(t) for _, t in cells[1:]):
            mapped = _t2_header(cells[1:], spec, block.columns if block else _t2_codes(spec))
            if mapped:
                columns = mapped
            continue
        if match is None:
            if block is not None and any(_is_number(t) for _, t in cells[1:]):
                use = columns or _default_columns(cells[1:], block.columns, spec)
                pairs = (
                    _t2_values(table, r, cells[0][0], use) if use else [(None, None, t) for _, t in cells[1:]]
                )
                _unknown_row(read, printed(first), pairs, index)
            continue
        row = match.row
        if row.code in found:
            read.tables_seen += 1  # the rows start again: a second table 二 in the same grid
            break
        if block is None or row.code not in block.rows:
            if block is not None:
                columns = []
            block = next((b for b in spec.blocks if row.code in b.rows), block)
        use = columns or _default_columns(cells[1:], block.columns if block else (), spec)
        for code, header, raw in _t2_values(table, r, cells[0][0], use):
            read.cells.append(
                Cell("t2", f"{row.code}@{code}", row.code, code, printed(first), header, raw, index)
            )
        found.add(row.code)
    read.complete = found >= {r.code for r in spec.section_rows("t2")}
    return read if found else None


def _t2_values(
    table: Table, r: int, label_col: int, columns: list[tuple[int, str, str]]
) -> list[tuple[str, str, str | None]]:
    """(column code, printed header, cell text) of a table-二 row.

    Values are paired with the header's columns by counting the row's cells when the counts agree
    (Shanghai 2019 merges a value cell over two header columns), else by grid position.
    """
    values = [text for c, text in _row_cells(table, r) if c > label_col]
    if len(values) == len(columns):
        return [(code, header, text) for (_, code, header), text in zip(columns, values, strict=True)]
    row = table.grid[r]
    return [(code, header, printed(row[c]) if c < len(row) else None) for c, code, header in columns]


def _starts_t3(cells: list[tuple[int, str]], spec: FormSpec) -> bool:
    keys = spec.section_keys.get("t3", ()) + spec.section_keys.get("t4", ())
    if any(norm(text).startswith(k) for _, text in cells for k in keys):
        return True
    return any((m := spec.match_row(text, "t3")) is not None and m.complete for _, text in cells)


def _t2_codes(spec: FormSpec) -> tuple[str, ...]:
    return tuple(code for code, col in spec.columns.items() if col.section == "t2")


def _t2_header(
    cells: list[tuple[int, str]], spec: FormSpec, candidates: tuple[str, ...]
) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []
    for c, text in cells:
        code = spec.column_for(text, candidates)
        if code and code not in {k for _, k, _ in out}:
            out.append((c, code, text))
    return out


def _default_columns(
    cells: list[tuple[int, str]], codes: tuple[str, ...], spec: FormSpec
) -> list[tuple[int, str, str]]:
    """Without a readable header: the block's columns in form order, if the cell count agrees."""
    if len(cells) != len(codes):
        return []
    return [(c, code, spec.columns[code].label) for (c, _), code in zip(cells, codes, strict=True)]


def _unknown_row(
    read: SectionRead, label: str, cells: list[tuple[str | None, str | None, str | None]], index: int
) -> None:
    """A row the codebook does not know: uncoded, but each value keeps its column."""
    for code, header, text in cells:
        read.cells.append(Cell(read.section, None, None, code, label, header, text, index))
    read.findings.append(
        Finding("unknown_label", f"row {label!r} of table {read.section} is not in the codebook")
    )


# -------------------------------------------------------------------------------------------- table 三


def _read_t3(table: Table, index: int, spec: FormSpec) -> SectionRead | None:
    anchor = next((r for r in range(len(table.grid)) if _t3_row(table, r, spec)), None)
    if anchor is None:
        return None
    columns = _t3_columns(table, anchor, spec)
    if not columns:
        return None
    first_value = min(c for c, _, _ in columns)
    read = SectionRead("t3", "grid")
    if T3_TOTAL not in {code for _, code, _ in columns}:
        read.findings.append(total_absent_finding())
    last = -1
    found: set[str] = set()
    for r in range(anchor, len(table.grid)):
        path = _label_path(table, r, range(first_value)) or _label_path(
            table, r, range(_first_number(table, r))
        )
        if not path:
            continue
        row = _match_path(path, "t3", spec, last)
        shift = _ragged_shift(table, r, row, first_value, spec) if row is not None else 0
        if shift:
            path = _label_path(table, r, range(min(first_value - shift, _first_number(table, r))))
        values = [(c, code, header, _slot(table, r, c - shift)) for c, code, header in columns]
        if row is not None and row.code in found and row.code == "apps.new":
            read.tables_seen += 1  # the rows start again: a second table in one grid
            break
        if (
            row is not None
            and not row.has_value
            and row.code not in spec.carriers
            and any(_is_number(v) for *_, v in values)
        ):
            row = None  # numbers under a group label alone: a local row, never the group's code
        if row is None or row.code in found:  # unknown, or a sub-row the form does not have
            if any(_is_number(v) for *_, v in values):
                _unknown_row(
                    read, " / ".join(path), [(code, header, v) for _, code, header, v in values], index
                )
            continue
        position = _index(spec, "t3", row)
        if not row.has_value and not any(v for *_, v in values):
            continue  # a group label without numbers of its own
        last = position
        found.add(row.code)
        label = " / ".join(path)
        for _, code, header, value in values:
            read.cells.append(Cell("t3", f"{row.code}@{code}", row.code, code, label, header, value, index))
        if row.code == "apps.carried_out":
            break
    read.complete = spec.t3_complete(found)
    return read


def _slot(table: Table, r: int, c: int) -> str:
    row = table.grid[r]
    return printed(row[c]) if 0 <= c < len(row) else ""


def _first_number(table: Table, r: int) -> int:
    row = table.grid[r]
    return next((c for c, text in enumerate(row) if _is_number(text)), len(row))


def _ragged_shift(table: Table, r: int, row: RowSpec, first_value: int, spec: FormSpec) -> int:
    """How many slots a row sits left (> 0) or right (< 0) of the columns its header gives.

    A browser copy to tab-separated text drops the cells a rowspan group label covers
    (三、本年度办理结果, （三）不予公开), so "2.其他法律… | 1 | 0 …" starts two slots left of where the
    grid's columns are; a Word table cut by a page break leaves a rowspan short ("（七）总计" starts
    in the group's column) or prints an empty cell under a rowspan that already covers it (the row
    sits one slot right). The row's own cells tell: its label starts off the column its depth in the
    form puts it in, and the slots it leaves (or takes) at the right end are padding.
    """
    cells = table.grid[r]
    labels = [c for c in range(_first_number(table, r)) if printed(cells[c]) and not _is_number(cells[c])]
    if not labels:
        return 0
    start = _origin(table, r, labels[-1])[1]
    shift = min(_depth(spec, row), first_value - 1) - start
    if shift > 0 and shift < len(cells):
        padding = range(len(cells) - shift, len(cells))
        if all(not printed(cells[c]) and _origin(table, r, c) == (r, c) for c in padding):
            return shift
    if shift < 0 and start >= first_value:
        before = range(start + shift, start)  # the row's own empty cells pushed it right
        if all(not printed(cells[c]) and _origin(table, r, c)[0] == r for c in before):
            return shift
    return 0


def _depth(spec: FormSpec, row: RowSpec) -> int:
    """How many group labels stand left of the row's own label in the form (1.属于国家秘密: 2)."""
    depth, parent = 0, row.parent
    while parent and parent in spec.by_code:
        depth, parent = depth + 1, spec.by_code[parent].parent
    return depth


def _t3_row(table: Table, r: int, spec: FormSpec) -> bool:
    """True when the row is a data row of table 三 (its first one is where the header ends)."""
    for _, text in _row_cells(table, r):
        match = spec.match_row(text, "t3")
        if match is not None and match.complete and match.row.has_value:
            return True
    return False


def _t3_columns(table: Table, anchor: int, spec: FormSpec) -> list[tuple[int, str, str]]:
    """(grid column, column code, printed header) of table 三's value columns, from the header path."""
    candidates = spec.t3_columns(with_subtotal=True)
    mapped: list[tuple[int, str, str]] = []
    for c in range(len(table.grid[anchor])):
        for r in range(anchor - 1, max(-1, anchor - 5), -1):
            text = printed(table.grid[r][c])
            code = spec.column_for(text, candidates)
            if code:
                if code not in {k for _, k, _ in mapped}:
                    mapped.append((c, code, text))
                break
    if len(mapped) >= 7 or spec.t3_applicants() <= {k for _, k, _ in mapped}:
        return mapped  # all columns, or the six applicant columns of a table without 总计
    return _t3_columns_by_count(table, anchor, spec)


def _t3_columns_by_count(table: Table, anchor: int, spec: FormSpec) -> list[tuple[int, str, str]]:
    """Header unreadable: value columns are the trailing numeric ones, if there are exactly 7 or 8."""
    row = table.grid[anchor]
    numeric = [c for c in range(len(row)) if _is_number(row[c])]
    if len(numeric) not in (7, 8) or numeric != list(range(numeric[0], numeric[0] + len(numeric))):
        return []
    codes = spec.t3_columns(with_subtotal=len(numeric) == 8)
    return [(c, code, spec.columns[code].label) for c, code in zip(numeric, codes, strict=True)]


# -------------------------------------------------------------------------------------------- table 四


def _read_t4(table: Table, index: int, spec: FormSpec) -> SectionRead | None:
    """Table 四 by labels: each value cell is named by the group and outcome words around it.

    The words above a cell (its column's header path) and left of it (its row's) name it, nearest
    first, so the form's one-row layout, a header scrambled in order, the table split in two
    (行政复议 / 行政诉讼) and a table retyped vertically (类别 | 结果 | 数量) all read the same.
    """
    top = _t4_top(table)
    if top is None:
        return None
    codes = {r.code: r for r in spec.t4}
    read = SectionRead("t4", "grid")
    mapped: list[tuple[str, str]] = []
    for r in range(top, len(table.grid)):
        slots = [(c, raw) for c, raw in _row_cells(table, r) if _is_value_slot(raw)]
        if not any(_is_number(raw) for _, raw in slots):
            continue
        named = [(code, raw) for c, raw in slots if (code := _t4_code(table, top, r, c)) in codes]
        if len(named) < len(slots) and len(slots) == len(spec.t4) and not mapped:
            named = [
                (row.code, raw) for (_, raw), row in zip(slots, spec.t4, strict=True)
            ]  # header unreadable
        named = _one_per_code(named)
        if any(code in {k for k, _ in mapped} for code, _ in named):
            read.tables_seen += 1  # the cells start again: a second table 四 in the same grid
            break
        mapped.extend(named)
    if not mapped:
        return None
    for code, raw in mapped:
        row = codes[code]
        label = _OUTCOME_LABEL[code.rsplit(".", 1)[1]]
        read.cells.append(Cell("t4", code, None, None, row.group or "", label, raw, index))
    read.complete = len({code for code, _ in mapped}) == len(spec.t4)
    return read


def _shared_t4(table: Table, index: int, spec: FormSpec, memo: dict | None) -> SectionRead | None:
    """`_read_t4`, read once per page for every form version with the same table-四 cells.

    Table 四 is read by its words; the form only names the cells (codes and groups, in order).
    A copy is returned: read_grids extends and updates the reads it keeps.
    """
    if memo is None:
        return _read_t4(table, index, spec)
    key = ("t4 grid", index, tuple((r.code, r.group) for r in spec.t4))
    if key not in memo:
        memo[key] = _read_t4(table, index, spec)
    read = memo[key]
    return (
        None
        if read is None
        else dataclasses.replace(read, cells=list(read.cells), findings=list(read.findings))
    )


def _one_per_code(named: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One cell per code in a row: a printed number wins over empty slots the same words name."""
    out: dict[str, str] = {}
    for code, raw in named:
        if code not in out or not _is_number(out[code]) and _is_number(raw):
            out[code] = raw
    return list(out.items())


def _is_value_slot(text: str) -> bool:
    return not text or _is_number(text) or parse_cell(text).blank


_OUTCOME_LABEL = {v: k for k, v in _T4_OUTCOMES.items()}


def _t4_top(table: Table) -> int | None:
    """The first row of table 四 (a group label: 行政复议, 行政诉讼, 复议后起诉 …) in the grid."""
    if not isinstance(table, _Grid):
        return _find_t4_top(table)
    if not table.t4_top:
        table.t4_top.append(_find_t4_top(table))
    return table.t4_top[0]


def _find_t4_top(table: Table) -> int | None:
    for r, row in enumerate(table.grid):
        keys = SEP.join(map(norm, row))  # a word never spans two cells: SEP is in no word
        if any(word in keys for word in _T4_TOP_WORDS):
            below = norm("".join(cell for later in table.grid[r : r + 4] for cell in later))
            if any(outcome in below for outcome in _T4_OUTCOMES if outcome != "总计"):
                return r
    return None


_T4_TOP_WORDS = ("行政复议", "行政诉讼", "复议后起诉", "未经复议")


def _t4_code(table: Table, top: int, r: int, c: int) -> str | None:
    """group.outcome of the value cell at (r, c): the nearest words above it and left of it."""
    above = [table.grid[k][c] for k in range(r - 1, top - 1, -1) if c < len(table.grid[k])]
    left = [table.grid[r][k] for k in range(c - 1, -1, -1)]
    words = [norm(w) for w in above + left if w and not _is_number(w)]
    group = next((code for w in words for word, code in _T4_GROUPS if word in w), None)
    outcome = next((_T4_OUTCOMES[w] for w in words if w in _T4_OUTCOMES), None)
    return f"{group}.{outcome}" if group and outcome else None
