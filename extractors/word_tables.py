"""Unruled tables → grids, from where the words stand: columns from the numbers' x-positions.

Why a module of its own: some reports print their statistics table without cell borders (or with
borders no reader can see as lines), and then there are no cells to cut along, only words on a
page. This reader rebuilds the grid from positions alone, and it is the one bulky, heuristic part
of reading a fixed-layout page, so it stands apart from the file formats that feed it: pdf.py
(pdfplumber pages) and ofd.py (its page adapter) both call `with_word_tables`, on the words
outside their ruled tables.

How: each line ending in numbers is a table row. The numbers' x-ranges, clustered over the whole
table, give the value columns, so a blank cell is a column without a number on that line; a
column head printed over no number adds a column left blank on every row. Label fragments printed
above/below their value line (WPS/Word often print a wrapped label's first half above its numbers
and the rest below) go to the nearest value line; the label hierarchy (一、 / （一） / 1.) and a
stack of one-character lines (三/、/本/年/度…) give the group columns and how many rows each group
spans. Header lines right above the first row become the column heads.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from extractors.page_layout import (
    BLANK_MARK,
    MARGIN,
    NUMBER,
    PAGE_NUMBER,
    Grid,
    PageLike,
    Word,
    in_boxes,
    join_wrapped,
    label_level,
)


def with_word_tables(page: PageLike, number: int, ruled: list[Grid]) -> list[Grid]:
    """The page's grids, top to bottom: its `ruled` ones and the unruled tables in the words
    outside them (a ruled table's own words are read in its cells, not a second time here)."""
    boxes = [(g.edges[0] - 1, g.top - 1, g.edges[-1] + 1, g.bottom + 1) for g in ruled]
    rest = page.filter(lambda obj: not in_boxes(obj, boxes)) if boxes else page
    return sorted(ruled + _word_tables(rest, number), key=lambda g: g.top)


def _word_tables(page: PageLike, number: int) -> list[Grid]:
    """Unruled tables: columns from the x-positions of the numbers, rows from the value lines.

    Each line ending in numbers is a table row. The numbers' x-ranges, clustered over the whole
    table, give the value columns, so a blank cell is a column without a number on that line.
    Label fragments printed above/below their value line (wrapped labels) go to the nearest
    value line; the label hierarchy (一、 / （一） / 1.) and a stack of one-character lines
    (三/、/本/年/度…) give the group columns and how many rows each group spans.
    """
    words = [
        Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"])
        for w in page.extract_words(x_tolerance=2, y_tolerance=3)
        if w["text"].strip()
    ]
    if not words:
        return []
    lines = _word_lines(words)
    height = sorted(w.bottom - w.top for w in words)[len(words) // 2]
    vals = _value_cells_by_line(lines, height)
    grids = []
    for region in _regions(lines, vals, height, page.height):
        grid = _region_grid(number, lines, vals, region, height)
        if grid is not None:
            grids.append(grid)
    return grids


def _word_lines(words: list[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.cy, w.x0)):
        if lines and abs(word.cy - lines[-1][0].cy) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _value_cells_by_line(lines: list[list[Word]], height: float) -> list[list[Word]]:
    """For each line, the value cells it ends with ([] for a line that is not a table row).

    A line ending in two or more cells, or in one number standing well apart from its label, is
    a row. A lone number (a row whose label wraps around it) or one close to its label is a row
    only when a row nearby has a cell at the same x: that is what a column is.
    """
    trailing = [_trailing_cells(line) for line in lines]
    for i in (0, len(lines) - 1):  # "3", "- 3 -", "3 / 6" heading or closing the page: its number
        if PAGE_NUMBER.match(" ".join(w.text for w in lines[i])):
            trailing[i] = []
    strong = [_strong(line, cells) for line, cells in zip(lines, trailing, strict=True)]
    out = []
    for i, cells in enumerate(trailing):
        if strong[i] or not cells:
            out.append(cells if strong[i] else [])
            continue
        near = [
            j
            for j in range(len(lines))
            if j != i and trailing[j] and abs(lines[j][0].top - lines[i][0].top) < 8 * height
        ]
        aligned = any(_overlaps(cells[-1], cell) for j in near for cell in trailing[j])
        out.append(cells if aligned else [])
    return out


def _trailing_cells(line: list[Word]) -> list[Word]:
    """The numbers and blank marks ("—", "/") a line ends with, if one of them is a number."""
    k = len(line)
    while k > 0 and (NUMBER.match(line[k - 1].text) or BLANK_MARK.match(line[k - 1].text)):
        k -= 1
    cells = line[k:]
    if not any(NUMBER.match(w.text) for w in cells):
        return []
    if k and cells[0].x0 - line[k - 1].x1 < 0.3 * (cells[0].bottom - cells[0].top):
        return []  # glued to the text before it: a number in a sentence
    return cells


def _strong(line: list[Word], cells: list[Word]) -> bool:
    if len(cells) >= 2:
        return True
    if not cells or len(cells) == len(line):
        return False
    label = line[len(line) - len(cells) - 1]
    return cells[0].x0 - label.x1 > 1.5 * (cells[0].bottom - cells[0].top)


def _overlaps(a: Word, b: Word) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0


def _regions(
    lines: list[list[Word]], vals: list[list[Word]], height: float, page_height: float
) -> list[list[int]]:
    """Runs of value lines (indices into `lines`) close together and in the same columns."""
    regions: list[list[int]] = []
    for i, line in enumerate(lines):
        if not vals[i]:
            continue
        if regions:
            last = regions[-1][-1]
            left = min(w.x0 for j in regions[-1] for w in vals[j])
            between = lines[last + 1 : i]
            gap = line[0].top - lines[last][0].bottom
            intrudes = any(w.cx > left - 2 for ln in between for w in ln)
            if gap < 8 * height and not intrudes:
                regions[-1].append(i)
                continue
        regions.append([i])
    return [
        r
        for r in regions
        if len(r) >= 2
        or len(vals[r[0]]) >= 3
        or _header_lines(lines, vals, r, vals[r[0]][0].x0 - 2, height)
        or _opens_page(lines, r[0], page_height)
    ]


def _opens_page(lines: list[list[Word]], first: int, page_height: float) -> bool:
    """The row is the first thing on its page (a running header aside): the last row of a table
    that went over the page break."""
    return all(ln[-1].bottom < MARGIN * page_height for ln in lines[:first])


def _columns(vals: list[list[Word]], region: list[int]) -> tuple[list[float], list[tuple[float, float]]]:
    """Value column edges and the numbers' x-range in each: overlapping x-ranges are one column."""
    spans = sorted((w.x0, w.x1) for i in region for w in vals[i])
    clusters: list[list[float]] = []
    for x0, x1 in spans:
        if clusters and x0 <= clusters[-1][1] + 2:
            clusters[-1][1] = max(clusters[-1][1], x1)
        else:
            clusters.append([x0, x1])
    extents = [(a, b) for a, b in clusters]
    return _edges(extents), extents


def _edges(extents: list[tuple[float, float]]) -> list[float]:
    inner = [(a[1] + b[0]) / 2 for a, b in itertools.pairwise(extents)]
    return [extents[0][0] - 2, *inner, extents[-1][1] + 2]


def _blank_columns(
    extents: list[tuple[float, float]], heads: list[Word], label_right: float
) -> list[tuple[float, float]]:
    """Add the columns left blank on every row: a column head printed over no number, in a gap
    between value columns wide enough for one more (or one pitch beside the first or last
    column, clear of the row labels, which end at `label_right`).

    Without it, a table whose 科研机构 column is empty all year gets six value columns, and every
    row reads as one cell short.
    """
    if len(extents) < 2 or not heads:
        return extents
    centres = [(a + b) / 2 for a, b in extents]
    steps = sorted(b - a for a, b in itertools.pairwise(centres))
    pitch = steps[len(steps) // 4]  # a quartile: blank columns make some steps two pitches wide
    free = sorted(
        (w for w in heads if w.x0 > label_right + 2 and not any(min(w.x1, b) - max(w.x0, a) > 0 for a, b in extents)),
        key=lambda w: w.x0,
    )
    spots: list[list[float]] = []  # [x0, x1, characters]
    for w in free:
        if spots and w.x0 <= spots[-1][1]:
            spots[-1][1] = max(spots[-1][1], w.x1)
            spots[-1][2] += len(w.text)
        else:
            spots.append([w.x0, w.x1, len(w.text)])
    # a head names its column (自然人, 科研机构); one stray character ("等") is a wrapped tail
    added = [(a, b) for a, b, n in spots if n >= 2 and _fits_a_column((a + b) / 2, centres, pitch)]
    return sorted(extents + added)


def _fits_a_column(x: float, centres: list[float], pitch: float) -> bool:
    left = [c for c in centres if c < x]
    right = [c for c in centres if c > x]
    if not left or not right:  # beside the first or the last column
        return 0.6 * pitch <= (right[0] - x if right else x - left[-1]) <= 1.4 * pitch
    return right[0] - left[-1] >= 1.6 * pitch and min(x - left[-1], right[0] - x) >= 0.6 * pitch


def _region_grid(
    number: int, lines: list[list[Word]], vals: list[list[Word]], region: list[int], height: float
) -> Grid | None:
    edges, extents = _columns(vals, region)
    header = _header_lines(lines, vals, region, edges[0], height)
    label_right = max((w.x1 for i in region for w in lines[i] if w not in vals[i]), default=0.0)
    with_heads = _blank_columns(extents, [w for i in header for w in lines[i]], label_right)
    if len(with_heads) > len(extents):
        edges, extents = _edges(with_heads), with_heads
    first, last = region[0], region[-1]
    lo = max(header[-1] + 1 if header else 0, first - 2)
    around = [
        i
        for i in range(lo, min(len(lines), last + 3))
        if first <= i <= last or (not vals[i] and _near(lines, i, first, last, height))
    ]
    labels = [
        Word(w.text, w.x0, w.x1, w.top, w.bottom, i in region)
        for i in around
        for w in lines[i]
        if w.x1 <= edges[0] + 2 and not (i in region and w in vals[i])
    ]
    centers = [vals[i][0].cy for i in region]
    stack, rest = _stack(labels, height)
    body = _label_cells(_pieces(_segments(rest, height), height, centers), stack, centers)
    n_label = len(body[0])
    grid = [cells + _value_cells(vals[i], edges) for cells, i in zip(body, region, strict=True)]
    spans = _spans(grid, n_label)
    head = _header_grid(lines, header, edges, n_label)
    spans = _spans(head, n_label, across=True) + [[(r + len(head), c) for r, c in row] for row in spans]
    top = min([w.top for i in header for w in lines[i]] + [w.top for i in around for w in lines[i]]) - 1
    bottom = max(w.bottom for i in around for w in lines[i]) + 1
    rows = [top] * (len(head) + 1) + [(a + b) / 2 for a, b in itertools.pairwise(centers)] + [bottom]
    label_edges = [edges[0] - 1] * n_label
    return Grid(number, rows, label_edges + edges, head + grid, spans, n_label=n_label, extents=extents)


def _near(lines: list[list[Word]], i: int, first: int, last: int, height: float) -> bool:
    """A label line just above the first / below the last value line (a wrapped label)."""
    if i < first:
        return lines[first][0].top - lines[i][-1].bottom < 1.2 * height
    if i > last:
        return lines[i][0].top - lines[last][-1].bottom < 1.2 * height
    return True


def _header_lines(
    lines: list[list[Word]], vals: list[list[Word]], region: list[int], left: float, height: float
) -> list[int]:
    """The column header lines right above the first value line (close, some over the values)."""
    out: list[int] = []
    first = region[0]
    i = first - 1
    while (
        i >= 0
        and not vals[i]
        and not any(w.cx > left for w in lines[i])
        and lines[i + 1][0].top - lines[i][0].bottom < 1.2 * height
    ):
        i -= 1  # the first row's own label, wrapped above its numbers
    body = [w for k in range(max(0, first - 2), region[-1] + 1) for w in lines[k]]
    width = max(w.x1 for w in body) - min(w.x0 for w in body)
    pitches = sorted(lines[b][0].top - lines[a][0].top for a, b in itertools.pairwise(region))
    reach = max(3.5 * height, 1.1 * pitches[len(pitches) // 2]) if pitches else 6 * height
    while i >= 0 and len(out) < 8 and not vals[i]:
        below = lines[out[-1]] if out else lines[first]
        if below[0].top - max(w.bottom for w in lines[i]) > reach:
            break
        if any(w.x1 - w.x0 > 0.6 * width or w.text.endswith("。") for w in lines[i]):
            break  # a paragraph of the narrative
        out.append(i)
        i -= 1
    while out and not any(w.cx > left for w in lines[out[-1]]):
        out.pop()
    return sorted(out)


def _stack(words: list[Word], height: float) -> tuple[list[Word], list[Word]]:
    """A group label printed one character per line (三/、/本/年/度/办/理/结/果)."""
    singles = sorted((w for w in words if len(w.text) <= 2), key=lambda w: w.top)
    best: list[Word] = []
    for seed in singles:
        chain = [seed]
        for w in singles:
            overlap = min(w.x1, seed.x1) - max(w.x0, seed.x0)
            narrow = min(w.x1 - w.x0, seed.x1 - seed.x0)
            if w.top > chain[-1].top and overlap > 0.5 * narrow and w.top - chain[-1].bottom < 2.5 * height:
                chain.append(w)
        if len(chain) > len(best):
            best = chain
    ids = {id(w) for w in best}
    others = [w for w in words if id(w) not in ids]
    # two characters make a stack only as the leftmost column (the end of one cut by a page break)
    leftmost = len(best) == 2 and others and max(w.x1 for w in best) < min(w.x0 for w in others)
    if (len(best) < 3 and not leftmost) or _label_left_of(best, others):
        return [], words
    return best, others


def _label_left_of(stack: list[Word], others: list[Word]) -> bool:
    """A label printed left of the stack, within its height: the stack is not the outer group
    column but the centred tails of wrapped labels ("信息" / "制作" / "确" under their rows)."""
    if not stack:
        return False
    x0, top, bottom = min(w.x0 for w in stack), stack[0].top, stack[-1].bottom
    return any(w.x1 <= x0 + 1 and w.bottom > top and w.top < bottom for w in others)


@dataclass(slots=True)
class _Piece:
    """A row label as printed: its first line and the wrapped lines that go on from it."""

    words: list[Word]
    level: int  # 1 "一、", 2 "（一）", 3 "1." / "1、", 0 no enumerator (a fragment or a plain label)

    @property
    def text(self) -> str:
        return join_wrapped(" ".join(w.text for w in self.words))

    @property
    def cy(self) -> float:
        return (self.words[0].top + self.words[-1].bottom) / 2


def _pieces(words: list[Word], height: float, centers: list[float]) -> list[_Piece]:
    """Label lines into labels: an enumerated line starts one; an unnumbered line goes on the one
    just above it in the same column when both belong to the same value line (a wrapped label),
    and starts a label of its own otherwise ("规章" then "行政规范性文件")."""
    pieces: list[_Piece] = []
    numbered = [w for w in words if label_level(w.text) == 3]
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        level = label_level(word.text)
        host = None
        if level == 0:
            host = next(
                (p for p in reversed(pieces) if _continues_label(p, word, height, centers, numbered)), None
            )
        if host is None:
            pieces.append(_Piece([word], level))
        else:
            host.words.append(word)
    return pieces


def _continues_label(
    piece: _Piece, word: Word, height: float, centers: list[float], numbered: list[Word]
) -> bool:
    last = piece.words[-1]
    if word.top - last.bottom >= 2.5 * height or min(word.x1, last.x1) - max(word.x0, last.x0) <= 0:
        return False
    if word.on_value_line and any(w.on_value_line for w in piece.words):
        return False  # each value line has its own label
    in_group_column = bool(numbered) and word.x1 <= min(n.x0 for n in numbered)
    if piece.level == 2 and (
        word.top - last.bottom < 0.8 * height or in_group_column or _beside(piece, numbered)
    ):
        return True  # a group head wrapped in its cell ("（五）不" / "予处理")
    return _nearest(centers, word.cy) == _nearest(centers, piece.cy)


def _beside(piece: _Piece, numbered: list[Word]) -> bool:
    """The label shares a line with a numbered label to its right: it heads their group."""
    return any(
        n.x0 > w.x1 and min(w.bottom, n.bottom) - max(w.top, n.top) > 0.3 * (w.bottom - w.top)
        for w in piece.words
        for n in numbered
    )


def _nearest(centers: list[float], y: float) -> int:
    return min(range(len(centers)), key=lambda r: abs(centers[r] - y))


def _segments(words: list[Word], height: float) -> list[Word]:
    """Words of one line close together are one label ("4.无正当理由大量反复 申请")."""
    out: list[Word] = []
    for line in _word_lines(words):
        for word in line:
            prev = out[-1] if out else None
            glued = word.x0 - prev.x1 < 0.9 * height if prev else False
            if prev and abs(prev.cy - word.cy) <= 3 and glued and not label_level(word.text):
                text = join_wrapped(f"{prev.text} {word.text}")
                on_value_line = prev.on_value_line or word.on_value_line
                out[-1] = Word(text, prev.x0, word.x1, prev.top, word.bottom, on_value_line)
            else:
                out.append(word)
    return out


def _label_cells(pieces: list[_Piece], stack: list[Word], centers: list[float]) -> list[list[str]]:
    """Label columns of each value row: [stack group] [（一） group] row label.

    A "（三）不予公开" printed next to numbered rows heads the group of rows from its "1." on; one
    printed on a row of its own ("（一）予以公开") is that row's label over both columns.
    """
    n = len(centers)
    own: list[list[_Piece]] = [[] for _ in range(n)]
    for piece in pieces:
        own[_nearest(centers, piece.cy)].append(piece)
    _return_tails(own)
    numbered = [any(p.level == 3 for p in row) for row in own]

    def heads_group(piece: _Piece, r: int) -> bool:
        leaf_x0 = min((p.words[0].x0 for p in own[r] if p.level == 3), default=0.0)
        left_of_leaf = max(w.x1 for w in piece.words) < leaf_x0
        return numbered[r] and (piece.level == 2 or (piece.level == 0 and left_of_leaf))

    groups = [p for r, row in enumerate(own) for p in row if heads_group(p, r)]
    mid = [""] * n
    for piece in groups:
        for r in _run(own, _nearest(centers, piece.cy)):
            mid[r] = piece.text
    top_level = [any(p.level == 1 for p in row) for row in own]
    cells = []
    for r, row in enumerate(own):
        leaf = join_wrapped(" ".join(p.text for p in row if p not in groups))
        if not groups:
            cells.append([leaf])
        elif top_level[r] or not numbered[r]:
            cells.append([leaf, leaf])
        else:
            cells.append([mid[r], leaf])
        if stack:
            cells[-1].insert(0, cells[-1][0] if top_level[r] else "")
    if stack:
        text = join_wrapped("".join(w.text for w in stack))
        for r in _stack_rows(stack, centers, top_level):
            cells[r][0] = text
    return cells


def _return_tails(own: list[list[_Piece]]) -> None:
    """A label starts with its enumerator ("3、其他"), so an unnumbered fragment printed above it,
    in the same column, is the end of the row above's wrapped label (a tall row's last line can
    lie nearer to the next row's numbers than to its own)."""
    for r in range(1, len(own)):
        heads = [p for p in own[r] if p.level in (1, 3)]
        if not heads:
            continue
        top, x0, x1 = heads[0].words[0].top, heads[0].words[0].x0, max(w.x1 for w in heads[0].words)
        tails = [
            p
            for p in own[r]
            if p.level == 0
            and p.words[-1].bottom <= top
            and min(p.words[0].x1, x1) - max(p.words[0].x0, x0) > 0
        ]
        for piece in tails:
            own[r].remove(piece)
            above = [p for p in own[r - 1] if p.level in (0, 1, 3)]
            if above:
                above[-1].words.extend(piece.words)
            else:
                own[r - 1].append(piece)


def _run(own: list[list[_Piece]], r: int) -> list[int]:
    """Rows of the group around row r: numbered rows from its "1." to before the next "1."."""

    def numbered(k: int) -> bool:
        return any(p.level == 3 for p in own[k])

    def restarts(k: int) -> bool:
        return any(p.level == 3 and re.match(r"^1\s*[、.．]", p.text) for p in own[k])

    start = r
    while start > 0 and numbered(start - 1) and not restarts(start):
        start -= 1
    end = r
    while end + 1 < len(own) and numbered(end + 1) and not restarts(end + 1):
        end += 1
    return list(range(start, end + 1))


def _stack_rows(stack: list[Word], centers: list[float], top_level: list[bool]) -> list[int]:
    anchors = [r for r, y in enumerate(centers) if stack[0].top - 2 <= y <= stack[-1].bottom + 2]
    if not anchors:
        anchors = [_nearest(centers, (stack[0].top + stack[-1].bottom) / 2)]
    start, end = anchors[0], anchors[-1]
    while start > 0 and not top_level[start - 1]:
        start -= 1
    while end + 1 < len(centers) and not top_level[end + 1]:
        end += 1
    return [r for r in range(start, end + 1) if not top_level[r]]


def _value_cells(numbers: list[Word], edges: list[float]) -> list[str]:
    cells = [""] * (len(edges) - 1)
    for word in numbers:
        c = max(0, min(len(cells) - 1, sum(1 for e in edges[1:-1] if word.cx > e)))
        cells[c] = f"{cells[c]} {word.text}".strip()
    return cells


def _header_grid(
    lines: list[list[Word]], header: list[int], edges: list[float], n_label: int
) -> list[list[str]]:
    """Header lines → rows: words wider than a column head a group row; the rest join per column."""
    if not header:
        return []
    n = len(edges) - 1
    label = join_wrapped(" ".join(w.text for i in header for w in lines[i] if w.x1 <= edges[0] + 2))
    group_rows: list[list[str]] = []
    bottom = [""] * n
    for i in header:
        heads = [w for w in lines[i] if w.x1 > edges[0] + 2]
        # a line with a head for most columns is the column heads' line, whatever the overlaps
        wide = [w for w in heads if _crosses_edge(w, edges)] if 2 * len(heads) < n else []
        if wide:
            group_rows.append(_group_row(wide, edges))
        for w in lines[i]:
            if w.x1 > edges[0] + 2 and w not in wide:
                c = max(0, min(n - 1, sum(1 for e in edges[1:-1] if w.cx > e)))
                bottom[c] = join_wrapped(f"{bottom[c]} {w.text}")
    rows = [*group_rows, bottom]
    return [[label] * n_label + [join_wrapped(t) for t in row] for row in rows]


def _crosses_edge(word: Word, edges: list[float]) -> bool:
    """The word runs over a column edge (or from the labels into the values): a group head."""
    into_labels = word.x0 < edges[0] - 0.5 * (word.x1 - word.x0) < edges[0] < word.x1 - 2
    return into_labels or any(word.x0 + 2 < e < word.x1 - 2 for e in edges[1:-1])


def _group_row(words: list[Word], edges: list[float]) -> list[str]:
    """A group header is centred over the columns it spans: widen it symmetrically as far as
    its neighbours allow ("行政复议" over 5 columns, "行政诉讼" over the next 10)."""
    n = len(edges) - 1

    def at(x: float) -> float:  # x in column units: 2.5 = the middle of column 2
        c = max(0, min(n - 1, sum(1 for e in edges[1:-1] if x > e)))
        return c + (x - edges[c]) / (edges[c + 1] - edges[c])

    centers = [at(w.cx) for w in words]
    row, left = [""] * n, 0.0
    for k, (word, f) in enumerate(zip(words, centers, strict=True)):
        right = (f + centers[k + 1]) / 2 if k + 1 < len(words) else float(n)
        half = max(0.5, min(f - left, right - f))
        for c in range(n):
            if f - half <= c + 0.5 <= f + half:
                row[c] = word.text
        left = f + half
    return row


def _spans(grid: list[list[str]], n_label: int, across: bool = False) -> list[list[tuple[int, int]]]:
    """Origins of merged label cells: equal neighbours in the label columns (and header rows)."""
    spans = [[(r, c) for c in range(len(row))] for r, row in enumerate(grid)]
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if not text or (c >= n_label and not across):
                continue
            if c > 0 and row[c - 1] == text:
                spans[r][c] = spans[r][c - 1]
            elif r > 0 and grid[r - 1][c] == text and (c < n_label or across):
                spans[r][c] = spans[r - 1][c]
    return spans
