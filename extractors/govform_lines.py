"""New-form tables read from text lines: Word-pasted pages that lost their table, and PDF text.

Two shapes reach this reader as `Document.lines`: one cell per line (a flattened HTML table: the
row label, then its numbers one per line) and one printed line per row (PDF text: "一、本年新收政府
信息公开申请数量 3001 53 0 0 61 4 3119"). PDF text adds the hard cases seen in the Jiangsu reports:
labels wrapped over several lines with the numbers printed between the parts or BEFORE the label,
the vertical 三/本/年/度/办/理/结/果 header one character per line (or glued before a label: "三
2.其他…"), group labels cut in two ("（四）无" … "法提供") and page footers inside the table.

So every line is cut into items — label pieces (split before each numbering) and runs of numbers —
and each run of numbers is anchored on a row label next to it (`_assign`), never placed by counting
numbers across the text. A row whose count of numbers differs from the form's columns keeps no
guessed cell: its cells are emitted empty with a `row_count_mismatch` finding.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.govform_spec import (
    BLOCK_WORD,
    Cell,
    FormSpec,
    PageText,
    RowSpec,
    SectionRead,
    extends,
    is_whole,
    norm,
    split_segments,
    total_absent_finding,
)
from extractors.model import Finding
from extractors.numbers import parse_number

#: Page footers/headers that may stand inside a table: "- 3 -", "第 3 页", "3/6".
_FOOTER = re.compile(r"^(?:[-—–－‐]\s*\d+\s*[-—–－‐]|第\s*\d+\s*页.*|\d+\s*/\s*\d+)$")
#: `_FOOTER` on a stripped line, found in a page's joined text (`PageText.raw_text`: SEP around
#: every line): the SEP before the line, its spaces, the footer, its spaces, the SEP after it.
_FOOTER_LINE = re.compile(
    r"\x00\s*(?:[-—–－‐]\s*\d+\s*[-—–－‐]|第\s*\d+\s*页[^\x00\n]*|\d+\s*/\s*\d+)\s*(?=\x00)"
)
_NUMBERING_TOKEN = re.compile(r"^\d{1,2}[.、．]$")
#: How far (in lines) a table may stretch; guards against reading narrative far away.
_T2_SPAN, _T3_SPAN, _T4_SPAN = 150, 400, 80


@dataclass(slots=True)
class Item:
    """A piece of one line: a row/group label, other text, or a run of numbers."""

    kind: str  # "row", "group", "block", "text", "values"
    line: int
    text: str = ""
    row: RowSpec | None = None
    values: list[str] | None = None
    pieces: list[str] = field(default_factory=list)  # printed label parts (wrapped label joined)
    assigned: list[str] | None = None
    attached: bool = False  # a text item glued to the label it continues
    single: bool = False  # numbers from lines holding one number each (a table flattened cell by cell)
    piece_at: list[int] = field(default_factory=list)  # item index of each attached label part
    by_group: bool = False  # a short label matched only under the group above it (总计)


def read_lines(lines: list[str], spec: FormSpec, page: PageText | None = None) -> dict[str, SectionRead]:
    """The new-form tables found in the text lines, by section.

    `page`: the same lines already passed through `line_view` (footers dropped, keys computed once
    per page for every version of the form); without it the lines are prepared here.
    """
    if page is None:
        page = PageText([ln for ln in lines if not _FOOTER.match(ln.strip())])
    lines = page.lines
    out: dict[str, SectionRead] = {}
    labels = spec.t3_label_lines(page)
    t3_start = _find_row(lines, spec, None, 0, labels)
    t3_end = None
    if t3_start is not None:
        read, t3_end = _read_t3(page, t3_start, spec, labels)
        out["t3"] = read
    t2_start = next(
        (i for i in page.lines_with(BLOCK_WORD, 0, t3_start or len(lines)) if spec.block_of_key(page.key(i))),
        None,
    )
    if t2_start is not None:
        t2_end = min(t3_start or len(lines), t2_start + _T2_SPAN, _heading(page, spec, "t3", t2_start))
        out["t2"] = _read_t2(lines[t2_start:t2_end], spec, [page.key(i) for i in range(t2_start, t2_end)])
    t4_from = t3_end if t3_end is not None else _t4_heading(page, spec)
    if t4_from is not None:
        t4 = _read_t4(lines[t4_from : t4_from + _T4_SPAN], spec, page.memo)
        if t4 is not None:
            out["t4"] = t4
    return {k: v for k, v in out.items() if v.cells or v.findings}


def line_view(page: PageText, count: int) -> PageText:
    """The page's first `count` lines (its text lines, before the cells) without page footers."""
    if page.raw_text is None:
        return page.subset([i for i in range(count) if not _FOOTER.match(page.lines[i].strip())])
    footers = _footer_lines(page.raw_text, page.lines)
    if not footers and count == len(page.lines):
        return page
    return page.subset([i for i in range(count) if i not in footers] if footers else range(count))


def _footer_lines(raw_text: str, lines: list[str]) -> set[int]:
    """Indices of the footer lines, from one scan of the joined text (a footer line is rare)."""
    found = [m.start() for m in _FOOTER_LINE.finditer(raw_text)]
    if not found:
        return set()
    starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    return {bisect.bisect_right(starts, at) - 1 for at in found}


# ------------------------------------------------------------------------------------------ itemizing


@lru_cache(maxsize=8192)
def tokens(line: str) -> tuple[tuple[str, str | tuple[str, ...]], ...]:
    """A line as alternating ("L", label text) and ("V", (number texts)) chunks, in printed order."""
    return tuple((k, tuple(c) if k == "V" else c) for k, c in _chunks_of(line))


#: A number glued to the label before it ("申请数量3001"): split it off.
_GLUED = re.compile(r"^(.*[\u4e00-\u9fff）)])(-?\d[\d,]*(?:\.\d+)?)$")


def _chunks_of(line: str) -> list[tuple[str, str | list[str]]]:
    chunks: list[tuple[str, str | list[str]]] = []
    for token in _unglue(line.split()):
        kind = "V" if _is_value(token) else "L"
        if chunks and chunks[-1][0] == kind:
            last = chunks[-1][1]
            chunks[-1] = (kind, [*last, token] if kind == "V" else f"{last} {token}")  # type: ignore[list-item]
        else:
            chunks.append((kind, [token] if kind == "V" else token))
    return chunks


def _unglue(tokens: list[str]) -> list[str]:
    out = []
    for token in tokens:
        glued = _GLUED.match(token)
        out.extend(glued.groups() if glued else (token,))
    return out


#: Tokens made only of these (Han characters, CJK punctuation) hold no digit even after NFKC, so
#: they can never be a number or a dash: no need to parse them (most tokens of narrative prose).
_NO_DIGIT = re.compile("[\u4e00-\u9fff\u3001\u3002\u300a\u300b\u201c\u201d\uff08\uff09\uff0c\uff1a\uff1b]+")


@lru_cache(maxsize=8192)
def _is_value(token: str) -> bool:
    if _NUMBERING_TOKEN.match(token) or _NO_DIGIT.fullmatch(token):
        return False
    parsed = parse_number(token)
    return parsed.value is not None or (parsed.blank and token.strip() in {"-", "—", "——", "/", "－"})


def _itemize(lines: list[str], start: int, end: int, section: str, spec: FormSpec) -> list[Item]:
    items: list[Item] = []
    last = -1
    group: RowSpec | None = None  # the last group label seen (三、本年度办理结果, （三）不予公开)
    for i in range(start, end):
        chunks = tokens(lines[i])
        for kind, chunk in chunks:
            if kind == "V":
                _add_values(items, i, list(chunk), len(chunks) == 1)
                continue
            for seg in split_segments(str(chunk)) if section == "t3" else [str(chunk)]:
                match = spec.match_row(seg, section, last)
                child = spec.child_row(group.code, seg) if match is None and group else None
                row = match.row if match else child
                if row is None:
                    items.append(Item("text", i, text=seg))
                    continue
                last = spec.row_index(section, row.code)
                kind_ = "row" if row.has_value else "group"
                group = row if kind_ == "group" else group
                items.append(Item(kind_, i, text=seg, row=row, pieces=[seg], by_group=child is not None))
    return [_demote(items, k) if item.by_group else item for k, item in enumerate(items)]


def _demote(items: list[Item], k: int) -> Item:
    """A short label known only under its group (总计) is a row only when its numbers follow it."""
    if k + 1 < len(items) and items[k + 1].kind == "values":
        return items[k]
    return Item("text", items[k].line, text=items[k].text)


def _add_values(items: list[Item], line: int, values: list[str], whole_line: bool) -> None:
    """A run of numbers; one-cell-per-line pages print a row's numbers on consecutive lines."""
    single = whole_line and len(values) == 1
    last = items[-1] if items else None
    if single and last is not None and last.kind == "values" and last.single and last.values is not None:
        last.values.extend(values)
    else:
        items.append(Item("values", line, values=values, single=single))


def _attach_texts(items: list[Item]) -> None:
    """Glue wrapped label parts to the label they continue ("…只计这一情" + "形，不计其他情形）")."""
    for i, item in enumerate(items):
        if item.kind != "text":
            continue
        for prev in reversed(items[max(0, i - 6) : i]):
            if prev.row is not None and extends(prev.row, "".join(prev.pieces), item.text):
                prev.pieces.append(item.text)
                prev.piece_at.append(i)
                item.attached = True
                break


# ------------------------------------------------------------------------------------ numbers → rows


def _assign(items: list[Item], width: int, carriers: frozenset[str] = frozenset()) -> list[Finding]:
    """Anchor every run of numbers on the row label it belongs to.

    A run goes to the label just before it when that label has no numbers yet (label then
    numbers, or numbers between the two parts of a wrapped label); otherwise to the next label
    that has no numbers on its own line (numbers printed before a wrapped label); a group label
    takes numbers only when no row label can (（六）其他处理 printed as a single row). Numbers
    printed after words the codebook does not know make an unknown row (`Item.kind` "unknown").
    """
    findings: list[Finding] = []
    for pos, item in enumerate(items):
        if item.kind != "values" or not item.values:
            continue
        for chunk in _chunks(item.values, width):
            target = _target(items, pos, carriers)
            if target is not None:
                target.assigned = chunk
                continue
            label = _unknown_label(items, pos)
            if label is not None:
                label.kind, label.assigned = "unknown", chunk
                findings.append(Finding("unknown_label", f"row {label.text!r} is not in the codebook"))
                continue
            message = f"numbers {' '.join(chunk)} are not next to a row label"
            findings.append(Finding("row_count_mismatch", message, found=len(chunk)))
    return findings


def _unknown_label(items: list[Item], pos: int) -> Item | None:
    """Words printed right before the numbers on their line that match no label: a local row."""
    prev, values = (items[pos - 1] if pos else None), items[pos]
    if prev is None or prev.kind != "text" or prev.attached or len(norm(prev.text)) <= 1:
        return None
    same_line = prev.line == values.line or (values.single and prev.line == values.line - 1)
    return prev if same_line else None


def _chunks(values: list[str], width: int) -> list[list[str]]:
    if len(values) <= width or width <= 0:
        return [values]
    return [values[:width], *_chunks(values[width:], width)]


def _target(items: list[Item], pos: int, carriers: frozenset[str]) -> Item | None:
    index = next((k for k in range(pos - 1, -1, -1) if items[k].kind in ("row", "group")), None)
    before = items[index] if index is not None else None
    if before is not None and before.assigned is None and not _stray(items[index + 1 : pos]):
        if before.kind == "row":
            after = _next_free_row(items, pos, strict=True)
            return before if after is None or _owns(before, items, pos) else after
        if (
            before.kind == "group"
            and _next_free_row(items, pos, strict=False) is None
            and _carries(before, carriers)
        ):
            return before
    return _next_free_row(items, pos, strict=False)


def _stray(between: list[Item]) -> bool:
    """Words between a label and numbers that continue no label: the numbers' own label is lost."""
    return any(it.kind == "text" and not it.attached and len(it.text) > 1 for it in between)


def _owns(before: Item, items: list[Item], pos: int) -> bool:
    """True when numbers at `pos` belong to the label before them rather than to the next one.

    They do when printed on the label's own line, or when the label is still incomplete (the
    numbers stand between two parts of a wrapped label). A whole label followed by numbers and
    then a label without numbers of its own is the "numbers before their label" layout.
    """
    return items[pos].line == before.line or not _whole_before(before, items, pos)


def _next_free_row(items: list[Item], pos: int, strict: bool) -> Item | None:
    """The row label right after a run of numbers, if those numbers can be its own.

    None when another run of numbers comes first, when the label has numbers on its own line
    (or, `strict`, anywhere right after it), or when a line of stray words stands between (a
    label is missing there).
    """
    stray: int | None = None
    for k in range(pos + 1, len(items)):
        it = items[k]
        if it.kind == "values":
            return None
        if it.kind == "text" and not it.attached and len(it.text) > 1 and stray is None:
            stray = it.line
        if it.kind == "row":
            owned = (
                _owns_values(items, k)
                if strict
                else _inline(items, k) or _wraps_over(items, k) or _cells_below(items, k)
            )
            free = it.assigned is None and not owned and (stray is None or stray == it.line)
            return it if free else None
    return None


def _wraps_over(items: list[Item], k: int) -> bool:
    """True when the label at `k` is cut and numbers follow it (they stand between its parts)."""
    row = items[k].row
    return row is not None and not is_whole(row, items[k].text) and _owns_values(items, k)


def _cells_below(items: list[Item], k: int) -> bool:
    """True when the label at `k` is followed by its numbers one per line (a flattened table's cells)."""
    return k + 1 < len(items) and items[k + 1].kind == "values" and items[k + 1].single


def _inline(items: list[Item], k: int) -> bool:
    """True when numbers follow the label at `k` on its own printed line."""
    for it in items[k + 1 :]:
        if it.line != items[k].line or it.kind in ("row", "group"):
            return False
        if it.kind == "values":
            return True
    return False


def _owns_values(items: list[Item], k: int) -> bool:
    """True when numbers follow the label at `k` before the next label (on its line or below)."""
    for it in items[k + 1 :]:
        if it.kind in ("row", "group"):
            return False
        if it.kind == "values":
            return True
    return False


def _whole_before(item: Item, items: list[Item], pos: int) -> bool:
    """True when the label's printed parts standing before `pos` already spell the whole label."""
    parts = [item.text] + [p for p, at in zip(item.pieces[1:], item.piece_at, strict=False) if at < pos]
    return item.row is not None and is_whole(item.row, "".join(parts))


def _carries(item: Item, carriers: frozenset[str]) -> bool:
    """A group label may hold numbers only where another version of the form prints it as a row."""
    return item.row is not None and item.row.code in carriers


# -------------------------------------------------------------------------------------------- table 三


def _find_row(
    lines: list[str], spec: FormSpec, code: str | None, start: int, only: list[int] | None = None
) -> int | None:
    """The first line from `start` printing table 三's row `code` (None: any of its value rows).

    `only`: the lines that can print a whole row label at all (`FormSpec.t3_label_lines`), sorted.
    """
    for i in range(start, len(lines)) if only is None else only[bisect.bisect_left(only, start) :]:
        for row, complete, has_value in _t3_hits(lines[i], spec):
            if complete and (row == code or code is None and has_value):
                return i
    return None


def _t3_hits(line: str, spec: FormSpec) -> tuple[tuple[str, bool, bool], ...]:
    return spec.t3_hits(line, _segments_of)


@lru_cache(maxsize=8192)
def _segments_of(line: str) -> tuple[str, ...]:
    """A line's label segments, in printed order (cached: both versions of the form read each line)."""
    return tuple(seg for kind, chunk in tokens(line) if kind == "L" for seg in split_segments(str(chunk)))


def _heading(page: PageText, spec: FormSpec, section: str, start: int) -> int:
    """The line of a table's heading (三、收到和处理政府信息公开申请情况) from `start`, or the end."""
    keys = tuple(spec.section_keys.get(section, ()))
    return next((i for i in range(start, len(page.lines)) if page.key(i).startswith(keys)), len(page.lines))


def _read_t3(
    page: PageText, start: int, spec: FormSpec, labels: list[int] | None = None
) -> tuple[SectionRead, int]:
    lines = page.lines
    end = _t3_end(page, start, spec)
    items = _itemize(lines, start, end, "t3", spec)
    items = _first_table(items)
    _attach_texts(items)
    header = lines[max(0, start - 14) : start]
    with_total = _prints_total(header)
    columns = spec.t3_columns(with_subtotal=_has_subtotal(header, items), with_total=with_total)
    read = SectionRead("t3", "lines", findings=_assign(items, len(columns), spec.carriers))
    if not with_total:
        read.findings.append(total_absent_finding())
    found: set[str] = set()
    for item in items:
        if item.kind == "unknown":
            _emit_unknown(read, item, columns, spec)
        if item.row is None or (item.kind == "group" and item.assigned is None) or item.row.code in found:
            continue
        found.add(item.row.code)
        _emit(read, item, columns, spec, _t3_label(item, spec))
    if not any(item.assigned for item in items):
        read.cells.clear()  # labels without a single number: prose that quotes the form, not a table
        read.findings.clear()
    read.complete = bool(read.cells) and spec.t3_complete(found)
    again = _find_row(lines, spec, "apps.new", end, labels)
    read.tables_seen = 2 if again is not None else 1
    return read, end


def _prints_total(header: list[str]) -> bool:
    """False when the column header names the applicant columns but no 总计 (six columns only)."""
    key = norm("".join(header))
    return "总计" in key or not ("商业企业" in key and "自然人" in key)


def _has_subtotal(header: list[str], items: list[Item]) -> bool:
    """The 8-column variant: rows print 8 numbers, or (one cell per line) the header says 小计."""
    widths = Counter(len(it.values) for it in items if it.kind == "values" and it.values and not it.single)
    if widths:
        return widths.most_common(1)[0][0] == 8
    return "小计" in norm("".join(header))


def _t3_end(page: PageText, start: int, spec: FormSpec) -> int:
    """The line after table 三: after the numbers of 四、结转下年度继续办理, or at table 四's heading."""
    lines = page.lines
    stop = min(len(lines), start + _T3_SPAN)
    t4_keys = tuple(spec.section_keys.get("t4", ()))
    for i in range(start + 1, stop):
        key = page.key(i)
        rows = {row for row, _, _ in _t3_hits(lines[i], spec)}
        if key.startswith(t4_keys) or "apps.new" in rows:
            return i
        if "apps.carried_out" in rows:
            j = i + 1
            while j < stop and not any(k == "L" for k, _ in tokens(lines[j])):
                j += 1  # its numbers may follow on their own line(s)
            return j
    return stop


def _first_table(items: list[Item]) -> list[Item]:
    """Items up to where the rows start again (a second table 三 printed right after the first)."""
    seen: set[str] = set()
    for k, item in enumerate(items):
        if (
            item.row is not None
            and item.kind == "row"
            and item.row.code in seen
            and item.row.code == "apps.new"
        ):
            return items[:k]
        if item.row is not None:
            seen.add(item.row.code)
    return items


def _t3_label(item: Item, spec: FormSpec) -> str:
    path = []
    parent = item.row.parent if item.row else None
    while parent:
        row = spec.by_code.get(parent)
        if row is None:
            break
        path.insert(0, row.label)
        parent = row.parent
    return " / ".join([*path, _printed(item)])


def _printed(item: Item) -> str:
    return re.sub(r"\s+", "", "".join(item.pieces) or item.text)


def _emit(
    read: SectionRead,
    item: Item,
    columns: list[str],
    spec: FormSpec,
    label: str,
    headers: dict[str, str] | None = None,
) -> None:
    row = item.row
    assert row is not None
    values = item.assigned
    if values is not None and len(values) != len(columns):
        read.findings.append(
            Finding(
                "row_count_mismatch",
                f"row {label!r} prints {len(values)} numbers ({' '.join(values)}), the form has {len(columns)} columns",
                code=row.code,
                expected=len(columns),
                found=len(values),
            )
        )
        values = None
        raws: list[str | None] = [None] * len(columns)
    else:
        raws = list(values) if values is not None else [""] * len(columns)
    for code, raw in zip(columns, raws, strict=True):
        header = (headers or {}).get(code) or (spec.columns[code].label if code in spec.columns else code)
        read.cells.append(Cell(read.section, f"{row.code}@{code}", row.code, code, label, header, raw))


def _emit_unknown(read: SectionRead, item: Item, columns: list[str], spec: FormSpec) -> None:
    """A local row's numbers, each under its column when the row prints one per column."""
    label = _printed(item)
    values = item.assigned or []
    codes: list[str | None] = list(columns) if len(values) == len(columns) else [None] * len(values)
    for code, raw in zip(codes, values, strict=True):
        header = spec.columns[code].label if code in spec.columns else None
        read.cells.append(Cell(read.section, None, None, code, label, header, raw))


# -------------------------------------------------------------------------------------------- table 二


def _read_t2(lines: list[str], spec: FormSpec, keys: list[str] | None = None) -> SectionRead:
    """Table 二 from its lines; `keys`: norm of each line when the caller has them."""
    read = SectionRead("t2", "lines")
    items = _t2_items(lines, spec, keys if keys is not None else [norm(line) for line in lines])
    block_columns: dict[int, list[str]] = {}
    headers: dict[str, str] = {}  # column code -> header as printed (it may print the unit)
    columns: list[str] = []
    header = ""
    for k, item in enumerate(items):
        if item.kind == "block":
            block = spec.block_of(item.text)
            columns, header = list(block.columns) if block else [], ""
        elif item.kind == "text":
            header += item.text
            columns = _t2_header(header, columns, spec) or columns
        elif item.kind == "row":
            if item.row and item.row.columns and not set(columns) <= set(item.row.columns):
                columns = list(item.row.columns)
            headers.update(_printed_headers(header, columns, spec))
        block_columns[k] = columns
    read.findings.extend(_assign(items, 0))
    found: set[str] = set()
    for k, item in enumerate(items):
        if item.kind == "unknown":
            _emit_unknown(read, item, block_columns.get(k, []), spec)
        if item.kind == "row" and item.row and item.row.code not in found:
            found.add(item.row.code)
            _emit(read, item, block_columns.get(k, []), spec, _printed(item), headers)
    if not any(item.assigned for item in items):
        return SectionRead("t2", "lines")  # block headings quoted in prose, no numbers
    read.complete = found >= {r.code for r in spec.section_rows("t2")}
    return read


def _t2_items(lines: list[str], spec: FormSpec, keys: list[str]) -> list[Item]:
    items: list[Item] = []
    for i, line in enumerate(lines):
        if spec.block_of_key(keys[i]):
            items.append(Item("block", i, text=line))
            continue
        chunks = tokens(line)
        for kind, chunk in chunks:
            if kind == "V":
                _add_values(items, i, list(chunk), len(chunks) == 1)
                continue
            match = spec.match_row(str(chunk), "t2")
            if match is not None and match.complete:
                items.append(Item("row", i, text=str(chunk), row=match.row, pieces=[str(chunk)]))
            else:
                items.append(Item("text", i, text=str(chunk)))
    return items


#: A unit in brackets right after a printed column header: 本年收费金额(单位:元), 采购总金额(万元).
_HEADER_UNIT = re.compile(r"\((?:单位:?)?[^()]{1,3}\)")


def _printed_headers(header: str, columns: list[str], spec: FormSpec) -> dict[str, str]:
    """Column code -> its header as printed, when the header text adds a bracketed unit to it."""
    key = norm(header)
    out: dict[str, str] = {}
    for code in columns:
        col = spec.columns.get(code)
        for k in sorted(col.keys if col else (), key=len, reverse=True):
            at = key.rfind(k)
            unit = _HEADER_UNIT.match(key, at + len(k)) if at >= 0 else None
            if unit:
                printed = k + unit.group(0)
                out[code] = col.label if col and norm(col.label) == printed else printed
                break
    return out


def _t2_header(header: str, current: list[str], spec: FormSpec) -> list[str]:
    """Block columns in the order their headers are printed (table 二 keeps header = value order)."""
    key = norm(header)
    pos = {}
    for code in current:
        col = spec.columns.get(code)
        hits = [key.find(k) for k in (col.keys if col else ()) if k in key]
        if hits:
            pos[code] = min(hits)
    if len(pos) != len(current):
        return []
    return sorted(pos, key=pos.__getitem__)


# -------------------------------------------------------------------------------------------- table 四


def _t4_heading(page: PageText, spec: FormSpec) -> int | None:
    keys = tuple(spec.section_keys.get("t4", ()))
    return next((i for i in range(len(page.lines)) if page.key(i).startswith(keys)), None)


def _t4_header(text: str) -> bool:
    key = norm(text)
    return "行政复议" in key and ("维持" in key or "审结" in key or "复议后起诉" in key)


def _read_t4(lines: list[str], spec: FormSpec, memo: dict | None = None) -> SectionRead | None:
    """Table 四 by its words: each run of numbers fills the outcomes (and groups) named before it.

    The form's one row (15 numbers after the whole header), the table split in two (行政复议 then
    行政诉讼, each header followed by its numbers) and a table retyped vertically (行政复议 结果维持 3,
    结果纠正 1 …) all read as: the outcome words since the last numbers, shared out among the group
    words since the last numbers (or the group still open), one number each.

    The words are the same for every version of the form: `memo` (the page's) keeps the reading
    of the same lines for the next version.
    """
    key = ("t4 lines", tuple(lines))
    state = memo.get(key) if memo is not None else None
    if state is None:
        state = _t4_state(lines)
        if memo is not None:
            memo[key] = state
    if not state.cells and not state.findings:
        return None
    read = SectionRead("t4", "lines", findings=list(state.findings))
    names = {row.code: row for row in spec.t4}
    for code, raw in state.cells.items():
        row = names[code]
        read.cells.append(Cell("t4", code, None, None, row.group or "", row.label, raw))
    read.complete = set(state.cells) >= set(names)
    return read


def _t4_state(lines: list[str]) -> _T4State:
    state = _T4State()
    for kind, text in _t4_events(lines):
        if kind == "L":
            if not state.word(text):
                break
        elif not state.numbers(text):
            break
    state.flush()
    return state


def _t4_events(lines: list[str]) -> Iterator[tuple[str, str]]:
    """The lines as a flat sequence of ("L", word) and ("V", number) in printed order.

    Lazy: table 四 ends a few lines in, and the prose after it need not be cut into tokens.
    """
    for line in lines:
        for kind, chunk in tokens(line):
            if kind == "V":
                yield from (("V", str(v)) for v in chunk)
            else:
                yield from (("L", word) for word in str(chunk).split())


_T4_GROUP_WORDS = (
    ("未经复议", "litigation.direct"),
    ("复议后起诉", "litigation.after_review"),
    ("行政复议", "review"),
)
_T4_OUTCOME_WORDS = {
    "结果维持": "upheld",
    "结果纠正": "corrected",
    "其他结果": "other",
    "尚未审结": "pending",
    "总计": "total",
}
_T4_ORDER = [
    f"{g}.{o}"
    for g in ("review", "litigation.direct", "litigation.after_review")
    for o in _T4_OUTCOME_WORDS.values()
]
#: Header words of table 四 that name no cell but belong to it (the 行政诉讼 title, a 类别 | 结果 | 数量 head).
_T4_OTHER_WORDS = ("行政诉讼", "类别", "结果", "数量", "情况", "单位", "件")


@dataclass(slots=True)
class _T4State:
    groups: list[str] = field(default_factory=list)  # group codes named since the last numbers
    outcomes: list[str] = field(default_factory=list)  # outcome codes named since the last numbers
    group: str | None = None  # the group still open (vertical layout: named once, then its outcomes)
    run: list[str] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    done: bool = False

    def word(self, text: str) -> bool:
        """Take a header word; False when the words leave table 四 (after its numbers)."""
        self.flush()
        if self.done:
            return False
        key = norm(text)
        group = next((code for word, code in _T4_GROUP_WORDS if word in key), None)
        if "情况" in key:  # the table's title (四、…行政复议、行政诉讼情况), not a group label
            return not self.cells
        if group:
            if not self.groups or self.groups[-1] != group:
                self.groups.append(group)
        elif key in _T4_OUTCOME_WORDS:
            self.outcomes.append(_T4_OUTCOME_WORDS[key])
        elif self.cells and not any(w in key for w in _T4_OTHER_WORDS):
            return False
        return True

    def numbers(self, text: str) -> bool:
        if not self.outcomes and not self.cells and not self.groups:
            return True  # numbers before table 四's header are not its own
        self.run.append(text)
        return not self.done

    def flush(self) -> None:
        """Share the run of numbers out among the outcomes and groups named before it."""
        if not self.run:
            return
        run, self.run = self.run, []
        slots = self._slots(len(run))
        if slots is None or any(code in self.cells for code in slots):
            message = f"table 四 prints {len(run)} numbers ({' '.join(run)}) under {len(self.outcomes)} outcome labels"
            self.findings.append(
                Finding("row_count_mismatch", message, expected=len(self.outcomes), found=len(run))
            )
            self.done = True
            return
        self.cells.update(zip(slots, run, strict=True))
        self.group = self.groups[-1] if self.groups else self.group
        self.groups, self.outcomes = [], []
        self.done = len(self.cells) >= len(_T4_ORDER)

    def _slots(self, n: int) -> list[str] | None:
        if n == len(_T4_ORDER) and not self.cells and len(self.outcomes) != n:
            return list(_T4_ORDER)  # the whole table's numbers after a header that was not read
        if n != len(self.outcomes) or not n:
            return None
        groups = self.groups or ([self.group] if self.group else [])
        if not groups or n % len(groups):
            return None
        size = n // len(groups)
        return [f"{groups[i // size]}.{outcome}" for i, outcome in enumerate(self.outcomes)]
