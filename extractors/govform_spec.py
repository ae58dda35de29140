"""The new-form codebook (gov2019 / gov2021) reshaped for reading: label matching, blocks, columns.

The readers in govform_grid.py and govform_lines.py never compare raw strings: every printed label
goes through `FormSpec.match_row`, which knows the form's numbering (一、 / （一） / 1.), the
codebook's label variants, wrapped labels (a printed prefix of the label) and small typos
(2.其他法律行政止公开). Everything the matching knows comes from extractors/codebook/gov20xx.yaml.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from extractors.labels import normalize_label, numbering_prefix, strip_numbering, traditional_map
from extractors.model import Finding
from extractors.numbers import ParsedNumber, parse_number

#: Section codes of the new form's three tables.
SECTIONS = ("t2", "t3", "t4")
#: Table 三's 总计 column: some pages print only the six applicant columns.
T3_TOTAL = "total"
#: Where a label may be cut into label pieces: before each numbering (（一）, 一、, 1., 1、).
_BOUNDARY = re.compile(
    r"\([一二三四五六七八九十]{1,2}\)|(?<![\d.])\d{1,2}[.、](?!\d)|[一二三四五六七八九十]{1,2}、"
)
#: Printed labels remembered per form (label matching is the reader's hot spot).
_MATCH_CACHE = 50_000
#: Unnumbered printed labels must spell a whole label (rank 3+) at least this long to count.
_WHOLE, _MIN_UNNUMBERED = 3, 4
#: Every table-二 block heading names this article (第二十条第（一）项 ...): lines without it are no heading.
BLOCK_WORD = "第二十条"
#: Fuzzy ratio above which a same-numbered label is taken as a misprint of the official one.
_FUZZY = 0.75


@lru_cache(maxsize=16384)
def parse_cell(text: str | None) -> ParsedNumber:
    """`parse_number`, cached: a form's cells print the same few numbers (0, 1, ...) on every page."""
    return parse_number(text)


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """A printed label in comparable form (NFKC, ASCII brackets, no whitespace, 1、 → 1.)."""
    text = normalize_label(text)
    return re.sub(r"^(\d{1,2})、", r"\1.", text)


@dataclass(frozen=True, slots=True)
class RowSpec:
    """One row of a new-form table (or one cell of table 四) with the labels it may be printed under."""

    code: str
    section: str
    label: str
    kind: str
    parent: str | None
    unit: str | None
    columns: tuple[str, ...] | None
    block: str | None
    group: str | None  # table 四: 行政复议 / 行政诉讼 / 未经复议直接起诉 ...
    position: int | None  # table 四: the cell's place among the 15 values
    numbering: tuple[str, int | None] | None
    bodies: tuple[str, ...]  # normalized labels without numbering: official first, then variants
    fulls: tuple[str, ...]  # normalized labels with numbering

    @property
    def has_value(self) -> bool:
        return self.kind in ("value", "section_value")


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    code: str
    label: str
    section: str | None
    unit: str | None
    keys: tuple[str, ...]
    normalize_to: str | None = None


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """A 第二十条第（X）项 block of table 二: its heading, rows and value columns (in printed order)."""

    id: str
    label: str
    key: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Match:
    row: RowSpec
    complete: bool  # the printed text covers the whole label (not just a wrapped first part)


@dataclass(slots=True)
class FormSpec:
    """Everything a new-form reader needs from one codebook variant."""

    template: str
    variant: str
    markers: tuple[str, ...]
    family_markers: tuple[str, ...]
    rows: list[RowSpec]
    columns: dict[str, ColumnSpec]
    blocks: list[BlockSpec]
    t3_order: tuple[str, ...]
    t4: list[RowSpec]
    section_keys: dict[str, tuple[str, ...]]
    by_code: dict[str, RowSpec] = field(default_factory=dict)
    identities: tuple[Any, ...] = ()  # the form's accounting rules (codebook Identity objects)
    carriers: frozenset[str] = frozenset()  # group rows that print numbers in another version
    _matches: dict[tuple[str, str], list[tuple[int, int, Match]]] = field(default_factory=dict)
    _sections: dict[str, list[RowSpec]] = field(default_factory=dict)
    _index: dict[str, tuple[dict[Any, list[int]], dict[str, list[int]]]] = field(default_factory=dict)
    _line_hits: dict[str, tuple[tuple[str, bool, bool], ...]] = field(default_factory=dict)
    _probe: Any = None  # the page-level search for table 三's labels (form_specs sets it)
    _columns_for: dict[tuple[str, tuple[str, ...]], str | None] = field(default_factory=dict)
    _row_positions: dict[str, dict[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_code = {r.code: r for r in self.rows}
        self._sections = {s: [r for r in self.rows if r.section == s] for s in {r.section for r in self.rows}}

    def row_index(self, section: str, code: str) -> int:
        """The index of row `code` in `section_rows(section)` (codes are unique in a form)."""
        index = self._row_positions.get(section)
        if index is None:
            index = self._row_positions[section] = {
                r.code: i for i, r in enumerate(self.section_rows(section))
            }
        return index[code]

    def section_rows(self, section: str) -> list[RowSpec]:
        """The rows of one table in form order (a shared list: do not modify)."""
        return self._sections.get(section, [])

    def t3_complete(self, found: set[str]) -> bool:
        """Every value row of table 三 was read (a group printed with its own numbers covers its rows)."""
        covered = found | {r.code for r in self.section_rows("t3") if r.parent in found}
        return covered >= {r.code for r in self.section_rows("t3") if r.has_value}

    def t3_columns(self, with_subtotal: bool, with_total: bool = True) -> list[str]:
        return [
            c
            for c in self.t3_order
            if (with_subtotal or c != "legal.subtotal") and (with_total or c != T3_TOTAL)
        ]

    def t3_applicants(self) -> set[str]:
        """The six applicant columns every table 三 prints (总计 and 小计 are sometimes left out)."""
        return set(self.t3_columns(with_subtotal=False, with_total=False))

    def block_of(self, text: str) -> BlockSpec | None:
        """The table-二 block whose heading (第二十条第（X）项) the text is."""
        return self.block_of_key(norm(text))

    def block_of_key(self, key: str) -> BlockSpec | None:
        """`block_of` for a text already normalized with `norm`."""
        if BLOCK_WORD not in key:
            return None
        return next((b for b in self.blocks if b.key in key or key.endswith(b.key[4:])), None)

    def column_for(self, text: str, candidates: list[str] | tuple[str, ...]) -> str | None:
        """The column code among `candidates` whose label or variant the printed header is.

        Cached per (header, candidates): every header cell of every grid is asked about.
        """
        cache_key = (text, tuple(candidates))
        if cache_key not in self._columns_for:
            if len(self._columns_for) > _MATCH_CACHE:
                self._columns_for.clear()
            self._columns_for[cache_key] = self._column_for(text, candidates)
        return self._columns_for[cache_key]

    def _column_for(self, text: str, candidates: list[str] | tuple[str, ...]) -> str | None:
        key = norm(text)
        if not key:
            return None
        for code in candidates:
            col = self.columns.get(code)
            if col and key in col.keys:
                return code
        for code in candidates:
            col = self.columns.get(code)
            if col and any(key.startswith(k) for k in col.keys if len(k) >= 4):
                return code
        return None

    def child_row(self, group: str, text: str) -> RowSpec | None:
        """The row under `group` (or a group above it) whose label body the text is, numbering dropped.

        A retyped table prints "总计" for （七）总计 under 三、本年度办理结果: too short to be matched
        on its own (总计 is also a column header), certain under its group.
        """
        key = norm(text)
        found = numbering_prefix(key)
        body = strip_numbering(key) if found else key
        parent: str | None = group
        while parent:  # the group itself, then the groups it stands under
            children = [r for r in self.rows if r.parent == parent and body in r.bodies]
            if children:
                return children[0] if len(children) == 1 else None
            parent = self.by_code[parent].parent if parent in self.by_code else None
        return None

    def match_row(self, text: str, section: str, after: int = -1) -> Match | None:
        """The row of `section` this printed label (or its wrapped first part) stands for.

        `after` is the index (in `section_rows`) of the last row matched: among equally good
        candidates the first one after it wins, so labels are read in table order.
        """
        scored = self._scored(text, section)
        if not scored:
            return None
        best = scored[0][0]
        ties = [(index, match) for quality, index, match in scored if quality == best]
        if best == 1 and len({m.row.code for _, m in ties}) > 1:
            return None  # a one-character prefix that fits several rows proves nothing
        return next((m for index, m in ties if index > after), ties[0][1])

    def _scored(self, text: str, section: str) -> list[tuple[int, int, Match]]:
        """Every row the label may stand for, as (rank, row index, match), best rank first.

        Cached per printed label: the table-order tie-break in `match_row` needs no new scoring.
        """
        cache_key = (text, section)
        found = self._matches.get(cache_key)
        if found is None:
            if len(self._matches) > _MATCH_CACHE:
                self._matches.clear()  # specs live as long as the process: keep the cache bounded
            found = self._matches[cache_key] = self._score_rows(text, section)
        return found

    def t3_hits(
        self, line: str, segments: Callable[[str], tuple[str, ...]]
    ) -> tuple[tuple[str, bool, bool], ...]:
        """Table 三 rows a text line prints, as (code, complete, has value), given its label segments.

        Cached per line: the row search scans every line of the page (prose included) several
        times, for both versions of the form; each line is cut and matched once per version.
        """
        found = self._line_hits.get(line)
        if found is None:
            if len(self._line_hits) > _MATCH_CACHE:
                self._line_hits.clear()
            hits = []
            for seg in segments(line):
                match = self.match_row(seg, "t3")
                if match:
                    hits.append((match.row.code, match.complete, match.row.has_value))
            found = self._line_hits[line] = tuple(hits)
        return found

    def t3_label_lines(self, page: PageText) -> list[int] | None:
        """Lines of the page that may print a whole table-三 row label (None: any line may).

        A superset of the lines where `t3_hits` finds a complete match, found by one regex scan of
        the joined page text instead of cutting and matching every line (`_T3Probe` says why it
        is a superset). Kept on the page: every version of the form asks the same question.
        """
        if page.text is None:
            return None
        probe = self._probe
        if probe is None:
            return None
        found = page.memo.get(id(probe))
        if found is None:
            found = page.memo[id(probe)] = probe.lines(page)
        return found

    def _candidates(self, section: str, number: tuple[str, int | None] | None, body: str) -> list[int]:
        """Indices of the rows a label can match at all, in table order (an index, same results).

        Rows with the same numbering, and when the label prints none, numbered rows whose label
        body starts with the label's first character (only whole labels count there).
        """
        index = self._index.get(section)
        if index is None:
            index = self._index[section] = _row_index(self.section_rows(section))
        by_number, by_first = index
        found = by_number.get(number, [])
        if number is None and len(body) >= _MIN_UNNUMBERED:
            found = sorted({*found, *by_first.get(body[0], [])})
        return found

    def _score_rows(self, text: str, section: str) -> list[tuple[int, int, Match]]:
        key = norm(text)
        if not key:
            return []
        found = numbering_prefix(key)
        number = (found.level, found.ordinal) if found else None
        body = strip_numbering(key) if found else key
        if not body or (found and body == key):
            return []
        scored: list[tuple[int, int, Match]] = []
        rows = self.section_rows(section)
        for index in self._candidates(section, number, body):
            row = rows[index]
            if row.numbering != number and not _unnumbered_ok(number, row, body):
                continue
            same = row.numbering == number
            quality = _body_quality(body, row.bodies) if same else _whole_quality(body, row.bodies)
            if quality and (same or quality[0] >= _WHOLE):
                scored.append((quality[0], index, Match(row, quality[1])))
        scored.sort(key=lambda s: -s[0])  # stable: rows of one rank stay in table order
        return scored


#: Numerals of a numbering (labels._NUMBERING: （一） 一、 第一部分), in normalized text.
_CN_NUMERALS = "零〇一二两三四五六七八九十"
#: A fuzzy match needs a printed body at least this long (`_body_quality`).
_MIN_FUZZY_BODY = 4


@dataclass(frozen=True, slots=True)
class _T3Probe:
    """Page-level search for the lines that may print a whole table-三 row label.

    A complete match (rank ≥ 2 in `_score_rows`) of a label piece is either a label body spelled
    out (exact, or followed by more words), or a numbered piece fuzzily like a label (`_similar`).
    Label pieces start at a token (line start or after whitespace: `[SEP ]` in the spaced text) or
    at a numbering inside a token (`_BOUNDARY`). So a line qualifies when a label body starts a
    token, or a numbering starts a token or stands at a boundary and the line holds two characters
    of a label at most one apart (`near`): every spelled-out body holds its first two, and a fuzzy
    match holds such a pair (`_t3_probe`). Lines are decided once: a line without such a pair
    holds no body either.
    """

    scan: re.Pattern[str]  # groups: body (a label starting a token), dot (a . or 、 to check)
    near: re.Pattern[str]  # two characters of a label, next to each other or one apart
    every: bool  # unnumbered rows exist: any line holding a pair qualifies

    def lines(self, page: PageText) -> list[int]:
        """Indices of the qualifying lines of a mapped page."""
        keys, spaced, joined = page.keys, page.spaced, page.spaced_text
        if keys is None or spaced is None or joined is None:
            return list(range(len(page.lines)))  # not mapped: every line may
        if self.every:
            return [i for i, key in enumerate(keys) if self.near.search(key)]
        starts = list(itertools.accumulate((len(x) + 1 for x in spaced), initial=1))
        found: list[int] = []
        at = self.scan.search(joined)
        while at is not None:
            line = bisect.bisect_right(starts, at.end() - 1) - 1
            kind = at.lastgroup
            if kind == "dot" and not _after_numeral(joined, at.start(), at.group()):
                at = self.scan.search(joined, at.end())
                continue
            if kind == "body" or self.near.search(keys[line]):
                found.append(line)
            at = self.scan.search(joined, starts[line + 1] - 1)  # this line is decided
        return found


def _after_numeral(text: str, at: int, mark: str) -> bool:
    """True when the . or 、 at `at` follows a digit (1. 1、) or, for 、, a numeral (一、): a boundary."""
    k = at - 1
    while k >= 0 and text[k] == " ":
        k -= 1
    return k >= 0 and ("0" <= text[k] <= "9" or mark == "、" and text[k] in _CN_NUMERALS)


def _t3_probe(rows: list[RowSpec]) -> _T3Probe | None:
    """The probe for these rows, or None when `_FUZZY` is too low for the pair argument to hold.

    difflib's ratio 2M/T ≥ F (M matched characters in blocks, T both lengths): when every block is
    one character, blocks need a gap between them in one of the strings, so M - 1 ≤ T - 2M, and
    with M ≥ F·T/2 that leaves T ≤ 1 / (1.5·F - 1) (8 at F = 0.75). Longer pairs share two adjacent
    characters; shorter ones (a label of ≤ 4 characters) two of the label's characters at most one
    apart in the printed piece (any i < j of a short label, adjacent or with one between).
    Digits are ASCII in keys (`_char_key`), so [0-9] sees every digit there.
    """
    if 1.5 * _FUZZY <= 1:
        return None
    longest_bigram_free = 1 / (1.5 * _FUZZY - 1)
    bodies = sorted({b for r in rows for b in r.bodies if b}, key=len, reverse=True)
    short = [b for b in bodies if len(b) <= longest_bigram_free - _MIN_FUZZY_BODY]
    pairs = {b[i : i + 2] for b in bodies for i in range(len(b) - 1)}
    pairs |= {b[i] + b[j] for b in short for i, j in itertools.combinations(range(len(b)), 2)}
    gapped = {b[i] + b[j] for b in short for i, j in itertools.combinations(range(len(b)), 2)}
    near = [f"{re.escape(p[0])}{re.escape(p[1])}" for p in sorted(pairs)]
    near += [f"{re.escape(p[0])}.{re.escape(p[1])}" for p in sorted(gapped)]
    spaced = [" *".join(map(re.escape, b)) for b in bodies]
    free = [x for b, x in zip(bodies, spaced, strict=True) if b[0] in f"({_CN_NUMERALS}" or b[0].isdigit()]
    cn = f"[{_CN_NUMERALS}]"
    numbering = (  # labels._NUMBERING on a key (no space after a subitem's digits)
        rf"\( *(?:[{_CN_NUMERALS} ]+|[0-9 ]+)\)|第? *{cn}[ {_CN_NUMERALS}]*(?:[、.,:]|部 *分)"
        rf"|[0-9](?: *[0-9])? *[、.,:)\u4e00-\u9fff]"
    )
    # One character class first, so that the regex engine skips to the next candidate character:
    # a token start (SEP, space) then a label or a numbering; "(" of a （一） cut; the mark of a
    # 1. 1、 一、 cut when a numeral or space stands before it (`_after_numeral` checks the rest).
    sep = re.escape(SEP)
    scan = (
        rf"[{sep} (.、](?:(?<=[{sep} ])(?:(?P<body>{'|'.join(spaced)})|{numbering})"
        rf"|(?<=\() *[一二三四五六七八九十]|(?P<dot>(?<=[0-9{_CN_NUMERALS} ][.、])))"
    )
    if free:
        scan += f"|(?P<free>{'|'.join(free)})"  # a label that itself starts like a numbering
    return _T3Probe(
        scan=re.compile(scan),
        near=re.compile("|".join(near), re.DOTALL),
        every=any(r.numbering is None for r in rows),  # unnumbered rows: fuzzy needs no numbering
    )


def _row_index(rows: list[RowSpec]) -> tuple[dict[Any, list[int]], dict[str, list[int]]]:
    """Row indices by numbering, and numbered rows' indices by the first character of each body."""
    by_number: dict[Any, list[int]] = {}
    by_first: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_number.setdefault(row.numbering, []).append(i)
        if row.numbering is not None:
            for first in {b[0] for b in row.bodies if b}:
                by_first.setdefault(first, []).append(i)
    return by_number, by_first


def _unnumbered_ok(number: tuple[str, int | None] | None, row: RowSpec, body: str) -> bool:
    """A page that drops a row's numbering (本年新收… for 一、本年新收…): whole labels of 4+ characters."""
    return number is None and row.numbering is not None and len(body) >= _MIN_UNNUMBERED


def _body_quality(body: str, bodies: tuple[str, ...]) -> tuple[int, bool] | None:
    """How well a printed label body fits a row: (rank, complete) or None.

    Ranks: 4 exact, 3 printed text starts with the label (extra words), 2 fuzzy (typo),
    1 printed text is a wrapped first part of the label.
    """
    best: tuple[int, bool] | None = None
    for candidate in bodies:
        if body == candidate:
            return (4, True)
        if body.startswith(candidate) and len(candidate) >= 2:
            rank: tuple[int, bool] = (3, True)
        elif candidate.startswith(body):
            rank = (1, False)  # a wrapped label's first part, never "complete"
        elif (
            len(body) >= _MIN_FUZZY_BODY
            and (best is None or best < _FUZZY_RANK)
            and _similar(body, candidate)
        ):
            rank = _FUZZY_RANK
        else:
            continue
        if best is None or rank > best:
            best = rank
    return best


_FUZZY_RANK = (2, True)


def _whole_quality(body: str, bodies: tuple[str, ...]) -> tuple[int, bool] | None:
    """`_body_quality` where only whole labels count (ranks 3-4): a label printed without its numbering."""
    best: tuple[int, bool] | None = None
    for candidate in bodies:
        if body == candidate:
            return (4, True)
        if best is None and len(candidate) >= 2 and body.startswith(candidate):
            best = (3, True)
    return best


def _similar(body: str, candidate: str) -> bool:
    """difflib's ratio ≥ _FUZZY, after two exact upper bounds that rule out most pairs cheaply.

    ratio = 2·matches / (len(a) + len(b)), and matches ≤ the shorter length and ≤ the characters
    the two strings share (as multisets): when either bound is under _FUZZY the ratio is too.
    """
    total = len(body) + len(candidate)
    if 2 * min(len(body), len(candidate)) < _FUZZY * total:
        return False
    if 2 * _shared(body, candidate) < _FUZZY * total:
        return False
    return difflib.SequenceMatcher(None, body, candidate).ratio() >= _FUZZY


@lru_cache(maxsize=4096)
def _chars(text: str) -> Counter[str]:
    return Counter(text)


def _shared(a: str, b: str) -> int:
    ca, cb = _chars(a), _chars(b)
    return sum(min(n, cb[ch]) for ch, n in ca.items() if ch in cb)


def split_segments(text: str) -> list[str]:
    """Cut one printed line (labels only, numbers removed) before every numbering.

    "（四）无 1.本机关不掌握相关政府信息" → ["(四)无", "1.本机关不掌握相关政府信息"];
    "法提供 2.没有现成信息需要另行制作" → ["法提供", "2.没有现成信息需要另行制作"].
    """
    return list(_segments(text))


@lru_cache(maxsize=16384)
def _segments(text: str) -> tuple[str, ...]:
    """`split_segments`, cached: both versions of the form cut the same printed lines."""
    key = normalize_label(text)
    cuts = [m.start() for m in _BOUNDARY.finditer(key)]
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
    cuts.append(len(key))
    return tuple(key[a:b] for a, b in itertools.pairwise(cuts) if key[a:b])


@cache
def form_specs(codebook: Any) -> tuple[FormSpec, ...]:
    """The new-form variants of the codebook (gov2019, gov2021, ...), each ready for reading."""
    templates = codebook.templates
    specs = [_form_spec(templates[v]) for v in codebook.variants() if templates[v].template.startswith("gov")]
    valued = {r.code for spec in specs for r in spec.rows if r.has_value}
    probe = _t3_probe([r for spec in specs for r in spec.section_rows("t3")])  # one scan for all versions
    for spec in specs:
        spec.carriers = frozenset(r.code for r in spec.rows if not r.has_value and r.code in valued)
        spec._probe = probe
    return tuple(specs)


def _form_spec(spec: Any) -> FormSpec:
    raw = spec.raw
    rows = [_row_spec(ind) for ind in spec.indicators]
    columns = {c.code: _column_spec(c, raw) for c in spec.columns}
    blocks = [
        BlockSpec(b["id"], b["label"], norm(b["label"]), tuple(b["rows"]), tuple(b["columns"]))
        for b in raw.get("blocks", [])
    ]
    sections = {
        s["code"]: tuple(norm(v) for v in (s["label"], *s.get("variants", [])))
        for s in raw.get("sections", [])
    }
    t4 = sorted((r for r in rows if r.section == "t4"), key=lambda r: r.position or 0)
    return FormSpec(
        template=spec.template,
        variant=spec.variant,
        markers=tuple(norm(m) for m in spec.markers),
        family_markers=tuple(norm(m) for m in raw.get("family_markers", [])),
        rows=[r for r in rows if r.section != "t4"],
        columns=columns,
        blocks=blocks,
        t3_order=tuple(raw.get("t3_column_order", [])),
        t4=t4,
        section_keys=sections,
        identities=tuple(spec.identities),
    )


def _row_spec(ind: Any) -> RowSpec:
    labels = [norm(label) for label in ind.labels]
    found = numbering_prefix(labels[0])
    numbering = (found.level, found.ordinal) if found else None
    bodies = tuple(dict.fromkeys(strip_numbering(x) if found else x for x in labels))
    return RowSpec(
        code=ind.code,
        section=ind.section,
        label=ind.label,
        kind=ind.kind,
        parent=ind.parent,
        unit=ind.unit,
        columns=ind.columns,
        block=ind.extra.get("block"),
        group=ind.extra.get("group"),
        position=ind.extra.get("position"),
        numbering=numbering,
        bodies=bodies,
        fulls=tuple(labels),
    )


def _column_spec(col: Any, raw: dict) -> ColumnSpec:
    extra = next((c for c in raw.get("columns", []) if c.get("code") == col.code), {})
    keys = tuple(dict.fromkeys(norm(x) for x in (col.label, *col.variants)))
    return ColumnSpec(
        code=col.code,
        label=col.label,
        section=extra.get("section"),
        unit=col.unit,
        keys=keys,
        normalize_to=extra.get("normalize_to"),
    )


def extends(row: RowSpec, printed: str, more: str) -> bool:
    """True when `more` continues a wrapped label: printed + more is still (a prefix of) the label."""
    joined = norm(printed + more)
    body = strip_numbering(joined) if row.numbering else joined
    return any(b.startswith(body) or body.startswith(b) and len(body) <= len(b) for b in row.bodies)


def is_whole(row: RowSpec, printed: str) -> bool:
    """True when the printed text is the row's whole label (official or a variant), not a part."""
    key = norm(printed)
    body = strip_numbering(key) if row.numbering else key
    return body in row.bodies


@dataclass(slots=True)
class Cell:
    """One value cell found by a reader, before numbers are parsed (govform.py turns it into a Row)."""

    section: str
    code: str | None  # full cell code (apps.new@total, review.upheld); None for an unknown row
    row_code: str | None
    column_code: str | None
    label: str  # printed row label (header path joined with " / ")
    column: str | None  # printed column header
    raw: str | None  # cell text; None when the reader could not place a number in this cell
    table: int | None = None


@dataclass(slots=True)
class SectionRead:
    """What one reader (grid or lines) found for one table of the form."""

    section: str
    source: str  # "grid" or "lines"
    cells: list[Cell] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)
    complete: bool = False  # every row of the form was found
    tables_seen: int = 1  # statistics tables of this kind on the page (2 → second_table)

    @property
    def score(self) -> int:
        filled = sum(1 for c in self.cells if c.code and c.raw not in (None, ""))
        return filled * 2 + len(self.cells)


def total_absent_finding() -> Finding:
    """One info finding for a table 三 printed without its 总计 column (its cells are absent, not blank)."""
    return Finding(
        "column_not_printed",
        "table 三 prints only the six applicant columns (no 总计 column): its total cells are absent, not blank",
        severity="info",
        code=T3_TOTAL,
    )


# ----------------------------------------------------------------------------------------- page text

#: Separator of the lines in a joined page text: a character no label holds and normalization keeps.
SEP = "\x00"
#: Unicode blocks whose characters may be normalized one by one (each one is still checked).
_MAPPABLE_BLOCKS = (
    (0x09, 0x0D), (0x1C, 0x7E), (0x85, 0x85), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x23FF),
    (0x2460, 0x27BF), (0x3000, 0x303F), (0x3200, 0x32FF), (0x4E00, 0x9FFF), (0xFE30, 0xFE6F),
    (0xFF01, 0xFF60), (0xFFE0, 0xFFEE),
)  # fmt: skip
#: Scripts whose letters compose with a following letter under NFKC (Indic vowel signs, Hangul
#: jamo, halfwidth kana): no mapped character may produce them.
_COMPOSING = ((0x0900, 0x1FFF), (0x3130, 0x318F), (0xAC00, 0xD7AF), (0xFF61, 0xFFDC))


@dataclass(slots=True)
class PageText:
    """A page's lines normalized in one pass over the joined text, when every character allows it.

    Why: `normalize_label` costs about 0.1 µs per character (NFKC and the traditional-character
    scan), i.e. milliseconds per page, and the readers need every line's key only to find the few
    lines worth reading. When every character of the page is one whose normalization does not
    depend on its neighbours (`_char_map`), `normalize_label(line)` is the concatenation of its
    characters' normalizations, which one regex substitution over the joined text computes.
    Otherwise (`text` None) callers normalize line by line as before.

    The joined texts start with SEP and put SEP between lines; the lists are split on first use.
    """

    lines: list[str]
    text: str | None = None  # the keys (norm of each line)
    spaced_text: str | None = None  # each line normalized, its whitespace kept (one " " per character)
    raw_text: str | None = None  # the lines as they are, with a SEP after the last one too
    memo: dict[Any, Any] = field(default_factory=dict)  # readers' per-page results (by their key)
    _keys: list[str] | None = None
    _spaced: list[str] | None = None
    _starts: list[int] | None = None

    @property
    def keys(self) -> list[str] | None:
        """norm(line) for each line; None when the page was not mapped."""
        if self._keys is None and self.text is not None:
            self._keys = self.text.split(SEP)[1:]
        return self._keys

    @property
    def spaced(self) -> list[str] | None:
        """Each line's key with its whitespace kept as " " (`_char_map`); None when not mapped."""
        if self._spaced is None and self.spaced_text is not None:
            self._spaced = self.spaced_text.split(SEP)[1:]
        return self._spaced

    def key(self, i: int) -> str:
        """norm(lines[i])."""
        keys = self.keys
        return keys[i] if keys is not None else norm(self.lines[i])

    def lines_with(self, word: str, start: int = 0, end: int | None = None) -> list[int]:
        """Indices of the lines in [start, end) whose key contains `word` (no separator in it)."""
        end = len(self.lines) if end is None else end
        keys, text = self.keys, self.text
        if keys is None or text is None:
            return [i for i in range(start, end) if word in norm(self.lines[i])]
        if self._starts is None:
            self._starts = list(itertools.accumulate((len(k) + 1 for k in keys), initial=1))
        starts = self._starts
        found: list[int] = []
        at = text.find(word, starts[min(start, len(keys))])
        while at >= 0:
            line = bisect.bisect_right(starts, at) - 1
            if line >= end:
                break
            found.append(line)
            at = text.find(word, starts[line + 1])
        return found

    def subset(self, keep: list[int] | range) -> PageText:
        """The same text for some of the lines (in the order given)."""
        lines = [self.lines[i] for i in keep]
        keys, spaced = self.keys, self.spaced
        if keys is None or spaced is None:
            return PageText(lines)
        some_keys, some_spaced = [keys[i] for i in keep], [spaced[i] for i in keep]
        return PageText(
            lines,
            SEP + SEP.join(some_keys),
            SEP + SEP.join(some_spaced),
            _keys=some_keys,
            _spaced=some_spaced,
        )


#: norm()'s "1、" → "1." at the start of each key of a joined text (every key follows a SEP).
_KEY_NUMBERING = re.compile(r"\x00(\d{1,2})、")


def page_text(lines: list[str]) -> PageText:
    """The lines with their normalized keys computed in one pass when the characters allow it."""
    if not lines:
        return PageText(lines, SEP, SEP, SEP, _keys=[], _spaced=[])
    joined = SEP.join(lines)
    if joined.count(SEP) != len(lines) - 1:
        return PageText(lines)
    to_map, table = _char_map()
    try:
        spaced = to_map.sub(lambda m: table[m.group()], joined)
    except KeyError:
        return PageText(lines)  # a character outside the map
    keys = _KEY_NUMBERING.sub("\x00\\1.", SEP + spaced.replace(" ", ""))
    return PageText(lines, keys, SEP + spaced, SEP + joined + SEP)


@cache
def _char_map() -> tuple[re.Pattern[str], dict[str, str]]:
    """(a character the map changes or does not cover, character → its key text).

    Whitespace maps to " " (its key text is "", but the line reader needs to see where tokens
    start); every other character to `normalize_label` of it alone. A character the pattern finds
    that the table lacks is outside the map.
    """
    same: list[int] = [ord(SEP)]
    table: dict[str, str] = {}
    simplified = traditional_map()
    for low, high in _MAPPABLE_BLOCKS:
        for cp in range(low, high + 1):
            ch = chr(cp)
            if 0x4E00 <= cp <= 0x9FFF and cp not in simplified and unicodedata.is_normalized("NFKC", ch):
                same.append(cp)  # the common case: a simplified CJK character is its own key
                continue
            out = _char_key(ch)
            if out == ch:
                same.append(cp)
            elif out is not None:
                table[ch] = out
    return re.compile(f"[^{_char_class(same)}]"), table


def _char_key(ch: str) -> str | None:
    """The text `ch` stands for in a key when that does not depend on its neighbours, else None."""
    if ch.isspace():
        return " " if normalize_label(ch) == "" and normalize_label(f"a{ch}b") == "ab" else None
    if unicodedata.combining(ch):
        return None
    out = normalize_label(ch)
    produced = unicodedata.normalize("NFKC", ch) + out
    if any(unicodedata.combining(x) or _composing(x) for x in produced):
        return None
    if any(normalize_label(x) != x or x.isspace() or x == SEP for x in out):
        return None  # keys are normalized again (norm of a segment): they must stay as they are
    if any(x.isdecimal() and not x.isascii() for x in out):
        return None  # keep every digit of a key ASCII (the line probe searches [0-9])
    return out


def _composing(ch: str) -> bool:
    return any(low <= ord(ch) <= high for low, high in _COMPOSING)


def _char_class(codes: list[int]) -> str:
    """A regex character class body for the code points (as ranges)."""
    parts: list[str] = []
    for _, run in itertools.groupby(enumerate(sorted(set(codes))), key=lambda p: p[1] - p[0]):
        points = [cp for _, cp in run]
        first, last = re.escape(chr(points[0])), re.escape(chr(points[-1]))
        parts.append(first if len(points) == 1 else f"{first}-{last}")
    return "".join(parts)
