"""Tables cut by a page break → one grid again, each placed among the document's printed lines.

Why a module of its own: a statistics table often runs over two or three pages, with a "- 3 -"
footer between its parts, and the table readers (govform, legacy) want one grid per table. The
joining is the same whichever reader (pdf.py, ofd.py) and whichever table code (ruled cells,
word positions) built the parts, so both readers end with `join_tables`.

Two parts are one table when the second starts the next page with the same columns and nothing
is printed between them (footers are already gone). Column heads repeated on the new page are
dropped (even when Word cuts their merged cells differently there), a group cell cut in two
("（四）无" / "法提供") becomes one again, row labels never join ("行政强制" at the top of a page is
a new row). Parts that disagree a little are first made to agree: a column edge one part does not
draw, a word-built part whose blank columns went unseen, group label columns that do not reach the
new page. A join that fails keeps the tables page by page, with a finding.
"""

from __future__ import annotations

import copy
import re

from extractors.model import Finding, Table
from extractors.page_layout import BLANK_MARK, NUMBER, TOL, Grid, Line, label_level, layout_error

#: A row label starts with its enumerator: "三、", "（四）", "1.", "2、", "(1)".
_ENUMERATOR = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．])"
)


def join_tables(grids: list[Grid], lines: list[Line], findings: list[Finding]) -> list[Table]:
    """The pages' grids (in reading order) as the document's tables: parts cut by a page break
    joined, each table's `line_index` the first printed line inside it (or below it)."""
    joined = _join_safely(grids, lines, findings)
    return [Table(grid=g.grid, spans=g.spans, line_index=_line_index(g, lines)) for g in joined]


def _join_safely(grids: list[Grid], lines: list[Line], findings: list[Finding]) -> list[Grid]:
    """Join on copies, so that a layout the joiner did not foresee leaves the page-by-page grids."""
    try:
        return _join_page_breaks(copy.deepcopy(grids), lines)
    except Exception as exc:  # noqa: BLE001 - keep the tables page by page, with a finding
        findings.append(layout_error("tables cut by page breaks could not be joined", exc))
        return grids


def _join_page_breaks(grids: list[Grid], lines: list[Line]) -> list[Grid]:
    """Join a table cut by a page break back into one grid (footers are already gone)."""
    out: list[Grid] = []
    for grid in grids:
        if out and grid.page == out[-1].page + 1 and not grid.extents and not out[-1].extents:
            _align_edges(out[-1], grid)
        if out and grid.extents and out[-1].extents and grid.page == out[-1].page + 1:
            if len(grid.extents) < len(out[-1].extents):
                _remap_columns(out[-1], grid)
            elif len(out[-1].extents) < len(grid.extents):
                _remap_columns(grid, out[-1])
        if out and 0 < grid.n_label < out[-1].n_label and _continues(out[-1], grid, lines, padded=True):
            _pad_labels(grid, out[-1].n_label - grid.n_label)
        if out and _continues(out[-1], grid, lines):
            _append(out[-1], grid)
        else:
            out.append(grid)
    return out


def _continues(first: Grid, second: Grid, lines: list[Line], padded: bool = False) -> bool:
    """`second` carries on `first`: next page, same columns, no text printed between them.

    `padded`: compare the value columns only (`second` may lack group label columns).
    """
    values_a, values_b = first.edges[first.n_label :], second.edges[second.n_label :]
    if second.page != first.page + 1 or len(values_a) != len(values_b):
        return False
    if not padded and first.n_label != second.n_label:
        return False
    if first.extents and second.extents:  # word grids: each column's numbers overlap theirs
        pairs = zip(first.extents, second.extents, strict=True)
        if any(min(a[1], b[1]) - max(a[0], b[0]) <= 0 for a, b in pairs):
            return False
    elif any(abs(a - b) > TOL for a, b in zip(values_a, values_b, strict=True)):
        return False
    between = [
        ln
        for ln in lines
        if (ln.page == first.page and ln.top >= first.bottom - 1)
        or (ln.page == second.page and ln.bottom <= second.top + 1)
    ]
    return all(_repeats_head_text(ln.text, first) for ln in between)


def _repeats_head_text(text: str, grid: Grid) -> bool:
    """A line above the continued part that repeats a piece of the table's head (the first line
    of a note wrapped over the repeated header row, left out of the rebuilt heads)."""
    folded = re.sub(r"\s+", "", text)
    heads, _ = _head_texts(grid)
    return len(folded) >= 4 and any(folded in cell for column in heads for cell in column)


def _append(first: Grid, second: Grid) -> None:
    """Append `second`'s rows to `first`; a group cell cut by the break becomes one cell again.

    A group cell (one with sub-labels to its right, above and below the break) at the top of the
    second part continues the one above the break when it is empty or does not start a new label
    ("法提供" after "（四）无"). Row labels never join: "行政强制" at the top of a page is a new
    row after "行政处罚", and so is "3.补正后申请内容仍不明确".
    """
    _drop_repeated_header(first, second)
    offset, last = len(first.grid), len(first.grid) - 1
    joined: dict[tuple[int, int], tuple[int, int]] = {}
    for c, origin in enumerate(second.spans[0]):
        if origin != (0, c) or origin in joined:
            continue
        above = first.spans[last][c]
        head, tail = first.grid[last][c], second.grid[0][c]
        width_above = [k for k, s in enumerate(first.spans[last]) if s == above]
        width_below = [k for k, s in enumerate(second.spans[0]) if s == origin]
        if (
            head
            and width_above == width_below
            and _heads_sublabels(first.grid[last], width_above, strict=True)
            and _heads_sublabels(second.grid[0], width_below)
            and (not tail or not (_ENUMERATOR.match(tail) or NUMBER.match(tail)))
        ):
            joined[origin] = above
            _retext(first, above, head + tail)
            joined.update(dict.fromkeys(_unlabelled_run(second, c), above))
    for r, row in enumerate(second.spans):
        first.spans.append([joined.get(s, (s[0] + offset, s[1])) for s in row])
        first.grid.append(list(second.grid[r]))
    for above in joined.values():
        _retext(first, above, first.grid[above[0]][above[1]])
    first.rows = first.rows + second.rows[1:]
    if first.extents and second.extents:
        pairs = zip(first.extents, second.extents, strict=True)
        first.extents = [(min(a[0], b[0]), max(a[1], b[1])) for a, b in pairs]


def _heads_sublabels(row: list[str], width: list[int], strict: bool = False) -> bool:
    """The cell over columns `width` has labels, not values, to its right (a group cell).

    `strict`: the label to its right must be printed (above a break; below it, the sub-label
    cell may itself be an empty continuation).
    """
    right = width[-1] + 1
    if right >= len(row) or NUMBER.match(row[right]) or NUMBER.match(row[width[0]]):
        return False
    return not strict or bool(row[right] and not BLANK_MARK.match(row[right]))


def _drop_repeated_header(first: Grid, second: Grid) -> None:
    """Drop the column heads Word repeats at the top of each page ("repeat as header row").

    The repeat is not always a copy of the first page's rows: its merged cells can be cut
    differently (the label column's note over one row instead of three, "自然人" no longer
    spanning two header rows) and the note can wrap differently, so a row counts as repeated
    when every value-column cell it prints (one at least) stands in the same column among the
    first part's heads (its rows above the first number), and no cell is a number.
    """
    heads, values_from = _head_texts(first)
    k = 0
    while k < len(second.grid) - 1 and _repeats_heads(second.grid[k], heads, values_from):
        k += 1
    if k:
        second.grid = second.grid[k:]
        second.spans = [[(max(r - k, 0), c) for r, c in row] for row in second.spans[k:]]
        second.rows = second.rows[k:]


def _head_texts(grid: Grid) -> tuple[list[set[str]], int]:
    """Per column, the texts of the grid's column heads (its rows above the first number), and
    the first column that holds a number (label columns lie left of it)."""
    heads: list[set[str]] = [set() for _ in range(len(grid.edges) - 1)]
    firsts = [next((c for c, t in enumerate(row) if NUMBER.match(t)), None) for row in grid.grid]
    numbered = [r for r, c in enumerate(firsts) if c is not None]
    if not numbered:
        return heads, len(heads)
    for row in grid.grid[: numbered[0]]:
        for c, cell in enumerate(row[: len(heads)]):
            heads[c].add(re.sub(r"\s+", "", cell))
    return heads, min(c for c in firsts if c is not None)


def _repeats_heads(row: list[str], heads: list[set[str]], values_from: int) -> bool:
    filled = [(c, re.sub(r"\s+", "", t)) for c, t in enumerate(row) if t.strip()]
    if any(NUMBER.match(t) or c >= len(heads) for c, t in filled):
        return False
    values = [(c, t) for c, t in filled if c >= values_from]
    return bool(values) and all(t in heads[c] for c, t in values)


def _unlabelled_run(grid: Grid, c: int) -> list[tuple[int, int]]:
    """Empty group cells under row 0 whose rows go on numbering ("3." after "2."): same group.

    Only word-built grids leave such cells unmerged (a ruled grid draws the merged cell).
    """
    out = []
    for r in range(1, len(grid.grid)):
        row = grid.grid[r]
        nxt = row[c + 1] if c + 1 < len(row) else ""
        if row[c] or grid.spans[r][c] != (r, c) or label_level(nxt) != 3 or re.match(r"^1\s*[、.．]", nxt):
            break
        out.append((r, c))
    return out


def _align_edges(first: Grid, second: Grid) -> None:
    """Ruled parts of one table can miss a column edge: a part whose rows all span two columns
    (only "（一）予以公开"-like rows above the break) draws no line between them. Split the
    coarser part's columns at the edges the other part has, when all its own edges match."""
    for coarse, fine in ((first, second), (second, first)):
        if len(coarse.edges) >= len(fine.edges):
            continue
        matched = [any(abs(e - f) <= TOL for f in fine.edges) for e in coarse.edges]
        ends = abs(coarse.edges[0] - fine.edges[0]) <= TOL and abs(coarse.edges[-1] - fine.edges[-1]) <= TOL
        if not all(matched) or not ends:
            return
        for x in fine.edges:
            if not any(abs(e - x) <= TOL for e in coarse.edges):
                _split_column(coarse, x)


def _split_column(grid: Grid, x: float) -> None:
    c = next(k for k in range(len(grid.edges) - 1) if grid.edges[k] < x < grid.edges[k + 1])
    for r in range(len(grid.grid)):
        shifted = [(a, b + 1 if b > c else b) for a, b in grid.spans[r]]
        grid.spans[r] = shifted[: c + 1] + [shifted[c]] + shifted[c + 1 :]
        grid.grid[r].insert(c + 1, grid.grid[r][c])
    grid.edges.insert(c + 1, x)


def _remap_columns(first: Grid, second: Grid) -> None:
    """A word grid whose rows leave some columns blank found fewer columns than the other part of
    its table (over a page break): put each of its columns under the one of `first` its numbers
    overlap (if all do, in order)."""
    target = []
    for a in second.extents:
        hits = [k for k, b in enumerate(first.extents) if min(a[1], b[1]) - max(a[0], b[0]) > 0]
        if len(hits) != 1 or (target and hits[0] <= target[-1]):
            return
        target.append(hits[0])
    n, m = second.n_label, len(first.extents)
    for r, row in enumerate(second.grid):
        values = [""] * m
        for k, c in enumerate(target):
            values[c] = row[n + k]
        second.grid[r] = row[:n] + values
        second.spans[r] = second.spans[r][:n] + [(r, n + c) for c in range(m)]
    second.edges = second.edges[:n] + first.edges[first.n_label :]
    second.extents = list(first.extents)


def _pad_labels(grid: Grid, k: int) -> None:
    """Give a word-built grid `k` more (group) label columns on the left, as on the page before.

    The page before had group columns (a one-character-per-line stack) that do not reach this
    page: their cells go on down this page until a top-level row ("四、…") spans all labels
    (as repeated column heads do).
    """
    spans: list[list[tuple[int, int]]] = []
    cells: list[list[str]] = []
    heads = next((r for r, row in enumerate(grid.grid) if any(NUMBER.match(t) for t in row)), 0)

    def widen(origin: tuple[int, int]) -> tuple[int, int]:
        return (origin[0], 0) if origin[1] == k else origin

    for r, row in enumerate(grid.grid):
        shifted = [(a, b + k) for a, b in grid.spans[r]]
        if r < heads or label_level(row[grid.n_label - 1]) == 1:  # heads, "四、…": over every label column
            cells.append([row[0]] * k + row)
            spans.append([widen(shifted[0])] * k + [widen(s) for s in shifted])
        else:
            above = spans[-1][:k] if r and cells[-1][0] == "" else [(r, c) for c in range(k)]
            cells.append([""] * k + row)
            spans.append(above + shifted)
    grid.grid, grid.spans = cells, spans
    grid.edges = [grid.edges[0]] * k + grid.edges
    grid.n_label += k


def _retext(grid: Grid, origin: tuple[int, int], text: str) -> None:
    for r, row in enumerate(grid.spans):
        for c, s in enumerate(row):
            if s == origin:
                grid.grid[r][c] = text


def _line_index(grid: Grid, lines: list[Line]) -> int:
    for i, ln in enumerate(lines):
        if ln.page > grid.page or (ln.page == grid.page and ln.bottom > grid.top + 1):
            return i
    return max(0, len(lines) - 1)
