"""Reader for the legacy (2008–2018) list-shaped statistics tables: national 2014 form and provincial ones.

These tables are one column of labels, an optional unit column and one or two value columns. On
real pages they arrive as a real <table> grid, as a flattened run of lines (Word-pasted pages lose
the table: label / [unit] / value / label ...; units on a few rows only; a blank cell simply
vanishes), or as PDF text lines "label unit value". The reader turns any of these into the same
stream of `Entry` (label as printed, printed unit, value cells), then codes each entry by its
label in the context of the section it stands in — never by its position alone, because local
copies drop, add and reword rows.

Which form (`legacy-2014`, `fj-provincial`, ...) is read, and from which layout, is decided by
trying every legacy-family template of the codebook on every real table and on the text lines, and
keeping the reading that codes the most printed rows (ties: the closest fit, then fewest blanks).
"""

from __future__ import annotations

import copy
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from extractors.codebook import Codebook, Column, Indicator, TemplateSpec, to_simplified
from extractors.labels import KEY_DROPPABLE, fold_whitespace, label_key, numbering_prefix, traditional_map
from extractors.model import Document, Finding, Row, Table, TableResult
from extractors.numbers import BLANK_MARKS, BLANK_WORDS, ParsedNumber, parse_number, units, yuan_factors

FAMILY = "legacy"
#: Lowest label similarity (0–1) at which a printed label is taken for a codebook indicator.
MATCH_THRESHOLD = 0.72
#: Lowest plain edit similarity taken as a typo of a label (维持具有/具体); lower is another row.
FUZZY_FLOOR = 0.82
#: A short local wording (危及“三安全一稳定”) needs this many characters, ...
ABBREV_MIN_CHARS = 5
#: ... the long label's first characters (its verb: 危及, 涉及) ...
ABBREV_HEAD = 2
#: ... and this share of its characters standing in the long label in order.
ABBREV_COVERAGE = 0.7
#: Bonus for a candidate in the section the reader is in (tells 四（二） from 五（二）).
SECTION_BONUS = 0.15
#: Labels longer than this are prose, not table rows.
MAX_LABEL_CHARS = 90
#: A table needs at least this many exactly-matching labels close together.
MIN_ANCHORS = 3
#: Largest gap (in lines) between two anchors of the same table.
ANCHOR_GAP = 24
#: How far above the first anchor column headers (2017年度 / 历年累计) are looked for.
HEADER_LOOKBACK = 12
#: Longest text taken for a figure ("1,234,567.89万元" fits).
MAX_CELL_CHARS = 32
#: Lines read after the last known label (rows a local copy appends); the rest is page chrome.
TAIL_LINES = 24
#: A second run of this many known labels on the page is another copy of the form.
SECOND_TABLE_ANCHORS = 10
#: The header of the Shanghai/Gansu forms' row-number column (01, 02 ...), which holds no values.
CODE_HEADER = "代码"
#: Printed labels whose candidates are remembered per form (cleared when full).
MATCH_CACHE_SIZE = 20_000
#: Page lines whose split and keys are remembered (bounded, so memory stays flat over a long run).
PREPARED_CACHE_SIZE = 1 << 15
#: A result with fewer coded values than this is not a legacy table.
MIN_CODED_VALUES = 3

_PAREN = re.compile(r"[（(][^（()）]*[)）]")
_LEADING_DIGITS = re.compile(r"^\d{1,2}(?=[\u4e00-\u9fff])")
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef()])\s+(?=[\u3000-\u9fff\uff00-\uffef()])")
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPACES = re.compile(r"\s+")  # compiled once: re.sub's own cache lookup cost more than the sub on a cell
_OPEN_PAREN = ("(", "（")
#: A figure glued to its label, after a CJK character or a closing bracket, maybe after a colon.
_GLUED = re.compile(
    r"^(?P<label>.*?[\u4e00-\u9fff)）》”])\s*[:：]?\s*(?P<value>[-+]?\d[\d,，.]*[^\d\s]{0,2})$"
)
#: A unit in brackets or a footnote mark after a figure: "13100（条）", "3*".
_CELL_EXTRAS = re.compile(r"^([-+]?[\d,，.]*\d)\s*(?:[（(]\s*([^()（）\s]{1,3})\s*[)）])?\s*[*＊※]*$")
#: A value column headed by a year ("2016年", "2016年度"), as in copies that add last year's figures.
_YEAR_HEADER = re.compile(r"^((?:19|20)\d{2})\s*年度?(?:数|数据|统计数)?$")
#: Characters a figure or a blank cell ("—", "/", "无") cannot do without.
_CELL_CHARS = re.compile("[0-9０-９\\-‐‑‒–—―─━ー/／_…·.无空]")
_NOTHING = re.compile(r"(?!)")
_PLAIN_FIGURE = re.compile(r"^\d[\d,]*(?:\.\d+)?$")
#: Blank-cell words that start with a character (无, 暂无, 空: these skip the fast path).
_BLANK_WORDS = frozenset(word for word in BLANK_WORDS if _HAS_CJK.match(word))
#: Pinyin a mirror inserted after characters: 政(zheng)府(fu).
_PINYIN = re.compile(r"[(（][a-zA-Z]{1,8}[)）]")
#: A unit printed in the label: （万元）, (单位：万元).
_LABEL_UNIT = re.compile(r"[(（](?:计量)?(?:单位[:：])?\s*([^()（）:：\s]{1,3})\s*[)）]")


@dataclass(slots=True)
class Entry:
    """One printed table row before coding: label parts, printed unit, raw value cells."""

    parts: list[str]
    unit: str | None = None
    cells: list[str] = field(default_factory=list)  # raw cell texts ("" for an empty cell)
    table: int | None = None
    after_table: bool = False  # read after the last known label: page chrome unless numbered like a row
    _label: tuple[int, str] = field(default=(0, ""), repr=False, compare=False)  # (len(parts), label)

    @property
    def label(self) -> str:
        """The parts joined; remembered until a part is appended (parts only ever grow)."""
        size, label = self._label
        if size != len(self.parts) or not size:
            label = _joined_label(tuple(self.parts))
            self._label = (len(self.parts), label)
        return label

    @property
    def has_value(self) -> bool:
        return any(not _parse(c).blank for c in self.cells)


@functools.lru_cache(maxsize=1 << 14)
def _joined_label(parts: tuple[str, ...]) -> str:
    """A label's printed parts joined, spaces between CJK characters dropped (asked for many times)."""
    return _CJK_SPACE.sub("", "".join(p.strip() for p in parts if p.strip()))


# ------------------------------------------------------------------------------------------ matching


@functools.lru_cache(maxsize=1 << 16)
def _keys(text: str) -> tuple[str, str]:
    """Two comparable keys of a label: all of it, and without its parentheticals."""
    text = to_simplified(_PINYIN.sub("", text))
    full = _LEADING_DIGITS.sub("", label_key(text))
    without = _PAREN.sub("", text)
    if without == text:  # most lines: no parenthetical, the bare key is the full one
        return full, full
    bare = _LEADING_DIGITS.sub("", label_key(without))
    return full, bare or full


def _similarity(printed: str, known: str) -> float:
    """How well a printed key matches a codebook key: exact, prefix (truncated), containment, fuzzy."""
    if not printed or not known:
        return 0.0
    if printed == known:
        return 1.0
    short, long_ = (known, printed) if len(known) < len(printed) else (printed, known)
    ratio = len(short) / len(long_)
    if 2 * len(short) / (len(short) + len(long_)) < FUZZY_FLOOR and not (len(short) >= 4 and short in long_):
        # too different in length to be a typo, a truncation or an extension: maybe a local short form
        return _abbreviation(short, long_)
    if len(short) >= 4 and long_.startswith(short):
        return 0.85 + 0.14 * ratio
    if len(short) >= 4 and short in long_:
        return 0.7 + 0.2 * ratio
    # quick_ratio counts the characters the two share; each distinct character of `printed` that
    # `known` lacks leaves at least one of them unshared: a bound found with two cached sets
    shared_at_most = len(printed) - len(_chars(printed) - _chars(known))
    if 2.0 * shared_at_most / (len(printed) + len(known)) < FUZZY_FLOOR:
        return 0.0
    matcher = copy.copy(_sequence_matcher(known))  # a copy: readers may run in threads (crawler)
    matcher.set_seq1(printed)
    if matcher.real_quick_ratio() < FUZZY_FLOOR or matcher.quick_ratio() < FUZZY_FLOOR:
        return 0.0
    fuzzy = matcher.ratio()
    return 0.95 * fuzzy if fuzzy >= FUZZY_FLOOR else 0.0


@functools.lru_cache(maxsize=1 << 14)
def _chars(text: str) -> frozenset[str]:
    return frozenset(text)


@functools.lru_cache(maxsize=1 << 12)
def _sequence_matcher(known: str) -> difflib.SequenceMatcher[str]:
    """A matcher with a codebook key as its second sequence, its index and character counts made
    once: a (shallow) copy then compares any first sequence, reading them and never changing them."""
    matcher = difflib.SequenceMatcher(None, "", known, autojunk=False)
    matcher.quick_ratio()  # counts the key's characters now, for every copy to share
    return matcher


def _abbreviation(short: str, long_: str) -> float:
    """A local short form of a long label: same head word, most of its characters in order.

    危及“三安全一稳定” for 危及国家安全、公共安全、经济安全和社会稳定: the head (危及) is kept and
    安/全/稳/定 follow in order; a numeral summary (三, 一) may replace the enumeration. Scored just
    above the match threshold, so any exact, truncated or typo match of another row wins.
    """
    if len(short) < ABBREV_MIN_CHARS or short[:ABBREV_HEAD] != long_[:ABBREV_HEAD]:
        return 0.0
    # each distinct character of `short` missing from `long_` is one the subsequence cannot take
    if (len(short) - len(_chars(short) - _chars(long_))) / len(short) < ABBREV_COVERAGE:
        return 0.0
    coverage = _common_subsequence(short, long_) / len(short)
    return MATCH_THRESHOLD + 0.05 * coverage if coverage >= ABBREV_COVERAGE else 0.0


def _common_subsequence(a: str, b: str) -> int:
    """Length of the longest common subsequence of two short strings."""
    previous = [0] * (len(b) + 1)
    for char in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if char == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


class _Matcher:
    """Codes printed labels against one template's indicators."""

    def __init__(self, spec: TemplateSpec):
        self.spec = spec
        self.indicators = list(spec.indicators)
        self.keys: list[set[str]] = [
            {k for label in ind.labels for k in _keys(label)} for ind in self.indicators
        ]
        self.exact: set[str] = set().union(*self.keys) if self.keys else set()
        #: key → codes it is a label of: a key of one code seen twice means a second copy of the form
        self.key_codes: dict[str, set[str]] = {}
        for ind, keys in zip(self.indicators, self.keys, strict=True):
            for key in keys:
                self.key_codes.setdefault(key, set()).add(ind.code)
        self._cache: dict[str, list[tuple[float, int]]] = {}
        self._index: dict[int, int] = {}  # id(indicator) → its first position in `indicators`
        for i, ind in enumerate(self.indicators):
            self._index.setdefault(id(ind), i)
        #: (key, indicator index) pairs, and the same by key length and by head, so that a printed
        #: key is compared only with keys `_similarity` can score above 0 (same results, far fewer calls)
        self.pairs = [(key, idx) for idx, keys in enumerate(self.keys) for key in keys if key]
        self.by_len: dict[int, list[tuple[str, int]]] = {}
        self.by_head: dict[str, list[tuple[str, int]]] = {}
        for pair in self.pairs:
            self.by_len.setdefault(len(pair[0]), []).append(pair)
            self.by_head.setdefault(pair[0][:ABBREV_HEAD], []).append(pair)

    def candidates(self, label: str) -> list[tuple[float, int]]:
        """(similarity, indicator index) of every indicator the label may be, best first."""
        if label in self._cache:
            return self._cache[label]
        best: dict[int, float] = {}
        for printed in set(_keys(label)):
            for key, idx in self._comparable(printed):
                sim = _similarity(printed, key)
                if sim > best.get(idx, 0.0):
                    best[idx] = sim
        found = sorted(((sim, idx) for idx, sim in best.items() if sim >= MATCH_THRESHOLD), reverse=True)
        if len(self._cache) > MATCH_CACHE_SIZE:
            self._cache.clear()  # a long batch must not grow it without bound
        self._cache[label] = found
        return found

    def _comparable(self, printed: str) -> set[tuple[str, int]]:
        """The keys `_similarity` may score above 0 against `printed`: lengths close enough for a
        typo, containing or contained in it (4+ characters), or sharing its head (a short form)."""
        if not printed:
            return set()
        size = len(printed)
        pool = {
            pair
            for length, pairs in self.by_len.items()
            if 2 * min(size, length) / (size + length) >= FUZZY_FLOOR
            for pair in pairs
        }
        pool.update(
            pair
            for pair in self.pairs
            if (size >= 4 and printed in pair[0]) or (len(pair[0]) >= 4 and pair[0] in printed)
        )
        pool.update(self.by_head.get(printed[:ABBREV_HEAD], ()))
        return pool

    def best(self, label: str) -> float:
        found = self.candidates(label)
        return found[0][0] if found else 0.0

    def choose(self, label: str, section: str | None, used: set[str], last: int) -> Indicator | None:
        """The indicator for a printed label, preferring the current section, unused codes, table order."""
        scored = []
        for sim, idx in self.candidates(label):
            ind = self.indicators[idx]
            score = sim
            score += SECTION_BONUS if section and ind.section == section else 0.0
            if ind.code in used:
                continue  # a code is read once; a second row like it is an extension of the form
            score += 0.03 if idx > last else 0.0
            scored.append((score, -idx, ind))
        if not scored:
            return None
        return max(scored, key=lambda s: (s[0], s[1]))[2]

    def index(self, ind: Indicator) -> int:
        return self._index[id(ind)]


_MATCHERS: dict[int, tuple[TemplateSpec, _Matcher]] = {}


def _matcher(spec: TemplateSpec) -> _Matcher:
    cached = _MATCHERS.get(id(spec))
    if cached is None or cached[0] is not spec:
        cached = (spec, _Matcher(spec))
        _MATCHERS[id(spec)] = cached
    return cached[1]


# ----------------------------------------------------------------------------------------- the form


@dataclass(slots=True)
class _Form:
    """What the reader needs to know about one template, beyond its indicators."""

    spec: TemplateSpec
    matcher: _Matcher
    columns: tuple[Column, ...]  # value columns; empty for the single-value national form
    code_column: bool  # the form prints a 代码 column before the values (Shanghai/Gansu models)
    header_words: frozenset[str]
    unit_headers: frozenset[str]
    value_headers: frozenset[str]
    value_codes: int  # how many rows print a value: the most rows a reading with this form codes
    ncols: int  # value cells a row has (1 for the single-value national form)
    ncells: int  # cells a printed row has after its label (the 代码 cell too)
    _headers: dict[str, bool] = field(default_factory=dict)  # is_header answers (bounded, see _form)

    def column_for(self, header: str) -> Column | None:
        if not self.columns:
            return None  # the one-value national form: no column headers to find
        text = re.sub(r"\s+", "", fold_whitespace(header))
        for col in self.columns:
            if text in (col.label, *col.variants) or (col.pattern and re.fullmatch(col.pattern, text)):
                return col
        return None

    def is_header(self, text: str) -> bool:
        """A header cell/line: 统计指标 / 单位 / 统计数, 指标名称 / 计量单位 / 2017年度 / 历年累计."""
        known = self._headers.get(text)
        if known is None:
            words = fold_whitespace(text).split()
            known = bool(words) and all(w in self.header_words or self.column_for(w) for w in words)
            self._headers[text] = known
        return known


_FORMS: dict[int, tuple[TemplateSpec, _Form]] = {}


def _form(spec: TemplateSpec) -> _Form:
    """The template's form, kept like its matcher: its header answers serve every page of a run."""
    cached = _FORMS.get(id(spec))
    if cached is None or cached[0] is not spec:
        cached = (spec, _new_form(spec))
        _FORMS[id(spec)] = cached
    if len(cached[1]._headers) > MATCH_CACHE_SIZE:
        cached[1]._headers.clear()  # a long batch must not grow it without bound
    return cached[1]


def _new_form(spec: TemplateSpec) -> _Form:
    def words(key: str) -> frozenset[str]:
        return frozenset(spec.raw.get(key) or ())

    code_column = bool(spec.raw.get("code_column"))
    return _Form(
        spec,
        _matcher(spec),
        spec.columns,
        code_column,
        words("header_words"),
        words("unit_headers"),
        words("value_headers"),
        len({ind.code for ind in spec.indicators if ind.has_value}),
        max(1, len(spec.columns)),
        max(1, len(spec.columns)) + (1 if code_column else 0),
    )


# --------------------------------------------------------------------------------------- public API


def read(doc: Document, codebook: Codebook) -> TableResult | None:
    """Return the legacy table found in `doc`, or None when there is none."""
    foreign = _foreign_chars(_known_chars(codebook))
    prepared = _drop_remarks(_prepare_lines(doc.lines, foreign), doc, _remark_headers(codebook))
    if not prepared.keyed and not doc.tables:
        return None  # no line can be an anchor of any form, and there is no grid to read
    best: _Reading | None = None
    best_rank: tuple[int, ...] = ()
    grids: dict[str, list[_Reading]] = {}  # variant → readings of real tables
    for variant in codebook.variants(FAMILY):
        form = _form(codebook.templates[variant])
        if best_rank and form.value_codes < best_rank[0]:
            continue  # it cannot code as many rows as the best reading so far: it cannot rank above it
        for reading in _readings(doc, form, prepared):
            if reading.from_grid:
                grids.setdefault(variant, []).append(reading)
            rank = reading.rank()
            if best is None or rank > best_rank:
                best, best_rank = reading, rank
    if best is None or best.coded_cells < MIN_CODED_VALUES:
        return None
    result = best.result()  # only the reading kept is turned into rows and findings
    if best.from_grid:
        result.findings.extend(_second_grids(best, grids.get(result.variant, [])))
    return result


def _known_chars(codebook: Codebook) -> frozenset[str]:
    """Every character of the exact label keys of the legacy-family forms."""
    return _chars_of(tuple(_matcher(codebook.templates[variant]) for variant in codebook.variants(FAMILY)))


@functools.lru_cache(maxsize=8)
def _chars_of(matchers: tuple[_Matcher, ...]) -> frozenset[str]:
    """Per set of (cached) matchers: the same frozenset each page, so its hash is computed once."""
    return frozenset(ch for matcher in matchers for key in matcher.exact for ch in key)


@functools.lru_cache(maxsize=8)
def _foreign_chars(known: frozenset[str]) -> re.Pattern[str]:
    """CJK ideographs no exact label key of the legacy forms holds, even once simplified: a line that
    prints one (a news headline, a place name) cannot be an anchor, so its keys are not computed."""
    allowed = set(known) | set(KEY_DROPPABLE)  # every other ideograph of a label stands in its keys
    table = traditional_map()
    allowed |= {chr(cp) for cp in table if _orbit(chr(cp), table) & allowed}  # 們 → 们, if 们 is known
    gaps: list[str] = []  # the ideographs block (all letters) minus the allowed characters
    start = 0x4E00
    for cp in sorted(ord(ch) for ch in allowed if 0x4E00 <= ord(ch) <= 0x9FFF):
        if cp > start:
            gaps.append(f"{chr(start)}-{chr(cp - 1)}")
        start = cp + 1
    if start <= 0x9FFF:
        gaps.append(f"{chr(start)}-\u9fff")
    return re.compile(f"[{''.join(gaps)}]")


def _orbit(ch: str, table: dict[int, str]) -> set[str]:
    """A character and all it becomes under repeated simplification (label_key simplifies again)."""
    seen = {ch}
    while len(ch) == 1 and (ch := table.get(ord(ch), ch)) not in seen:
        seen.add(ch)
    return seen | set(ch)


def _remark_headers(codebook: Codebook) -> frozenset[str]:
    """Headers of remarks/notes columns (备注, 说明) declared by any legacy-family form."""
    words: set[str] = set()
    for variant in codebook.variants(FAMILY):
        words.update(codebook.templates[variant].raw.get("remark_headers") or ())
    return frozenset(words)


def _drop_remarks(prepared: _Prepared, doc: Document, headers: frozenset[str]) -> _Prepared:
    """Blank the text lines that are cells of a real table's remarks column ("其中网上申请38件"):
    a note beside a row is never a row of its own, however much it looks like a label and a figure."""
    drop = {i for table in doc.tables for i in _remark_lines(table, doc.lines, headers)}
    if drop:
        prepared.blank(drop)
    return prepared


def _remark_lines(table: Table, lines: Sequence[str], headers: frozenset[str]) -> set[int]:
    """Indices in `lines` of the flattened cells of the table's remarks column, if it has one."""
    columns = {
        c for row in table.grid[:6] for c, text in enumerate(row) if _SPACES.sub("", text) in headers
    }
    if not columns:
        return set()
    notes = {
        text
        for r, row in enumerate(table.grid)
        for c, text in enumerate(row)
        if c in columns and _HAS_CJK.search(text) and not _is_cell(text) and _origin(table, r, c)[1] in columns
    }  # "无" / "——" in a remarks cell reads like a blank value cell elsewhere: those lines stay
    origins = {_origin(table, r, c) for r, row in enumerate(table.grid) for c, text in enumerate(row) if text}
    end = min(len(lines), table.line_index + len(origins))
    return {i for i in range(table.line_index, end) if lines[i] in notes}


def _second_grids(best: _Reading, grids: list[_Reading]) -> list[Finding]:
    """Other real tables on the page that hold the same form (a department's copy): reported, not read."""
    return [
        Finding(
            kind="second_table",
            message=f"another {reading.form.spec.variant} table ({reading.form.spec.variant} from "
            f"{reading.where}) was not read",
            severity="info",
        )
        for reading in grids
        if reading is not best
        and reading.planned
        and reading.planned[0].entry.table != best.planned[0].entry.table
        and reading.coded_codes() >= SECOND_TABLE_ANCHORS
    ]


class _Planned(NamedTuple):
    """An entry the coding keeps: its indicator (None: a row the codebook does not know), the
    section it stands in, and its cells one per form column."""

    entry: Entry
    ind: Indicator | None
    section: str | None
    cells: list[str]


class _Reading:
    """One reading of the page with one form (a real table, or the text lines): entries coded, but
    rows and findings made only for the reading `read` keeps (most readings are discarded)."""

    def __init__(self, entries: list[Entry], headers: dict[str, str], form: _Form, where: str):
        self.entries, self.headers, self.form, self.where = entries, headers, form, where
        self.from_grid = where.startswith("table ")
        self.planned = _plan(entries, form)
        self.extra: list[Finding] = []  # findings about the page beyond the rows (second tables)
        self._values = [[_parse(text).value for text in p.cells] for p in self.planned]
        self.coded_cells = sum(
            sum(v is not None for v in values)
            for p, values in zip(self.planned, self._values, strict=True)
            if p.ind is not None
        )

    def rank(self) -> tuple[int, ...]:
        """Which reading of the page is right: most printed rows coded, then the closest fit (labels
        printed exactly as the form has them, its column headers found), fewest blanks, a real table's
        grid over the same table's text lines (its columns are known), most cells.

        Counting rows, not cells, keeps a two-column form from winning on a one-column table just
        because each of its rows yields two cells (one of them blank).
        """
        exact = self.form.matcher.exact
        coded: set[str] = set()
        labels: set[str] = set()
        blanks = cells = 0
        for p, values in zip(self.planned, self._values, strict=True):
            empty = values.count(None)
            blanks += empty
            cells += len(values)
            if p.ind is not None:
                if empty < len(values):
                    coded.add(p.ind.code)
                if _keys(p.entry.label)[0] in exact:
                    labels.add(p.entry.label)
        score = 2 * self.coded_cells + cells
        return len(coded), len(labels) + len(self.headers), -blanks, self.from_grid, score

    def coded_codes(self) -> int:
        """How many distinct cell codes hold a value."""
        columns = _columns(self.form)
        return len(
            {
                (p.ind.code, col.code if col else None)
                for p, values in zip(self.planned, self._values, strict=True)
                if p.ind is not None
                for col, value in zip(columns, values, strict=True)
                if value is not None
            }
        )

    def result(self) -> TableResult:
        """The reading as rows and findings."""
        result = _code_entries(self.entries, self.headers, self.form, self.where, self.planned)
        result.findings.extend(self.extra)
        return result


def _readings(doc: Document, form: _Form, prepared: _Prepared) -> Iterable[_Reading]:
    """Every reading of the page with one form: each real table, then the text lines."""
    for index, table in enumerate(doc.tables):
        entries, headers = _grid_entries(table, index, form, prepared.cell_keys(index, table))
        if entries:
            yield _Reading(entries, headers, form, f"table {index}")
    runs = _anchor_runs(prepared, form)
    entries, headers = _line_entries(prepared, form, doc.tables, runs)
    if entries:
        reading = _Reading(entries, headers, form, "text lines")
        reading.extra = _second_tables(runs, form)
        yield reading


def _read_form(
    doc: Document, form: _Form, prepared: _Prepared
) -> Iterable[tuple[TableResult, dict[str, str]]]:
    """Every reading of the page with one form, as rows and findings (all of them: for tests)."""
    for reading in _readings(doc, form, prepared):
        yield reading.result(), reading.headers


# -------------------------------------------------------------------------------------- line reading


@functools.lru_cache(maxsize=1 << 16)
def _parse(text: str) -> ParsedNumber:
    """parse_number over the simplified text ("251000萬元" is 251000 万元), raw kept as printed."""
    parsed = parse_number(to_simplified(text))
    if parsed.value is None and not parsed.blank:
        tidy = _CELL_EXTRAS.sub(r"\1\2", to_simplified(fold_whitespace(text)))  # "13100（条）", "3*"
        if tidy != text:
            parsed = parse_number(tidy)
    if parsed.raw == text:
        return parsed
    return ParsedNumber(parsed.value, parsed.unit, fold_whitespace(text), parsed.blank)


def _is_unit(token: str) -> bool:
    return _unit_of(token) is not None


@functools.lru_cache(maxsize=1 << 12)
def _unit_of(token: str) -> str | None:
    """The unit a token is (simplified: 萬元 → 万元), or None (asked twice per token per page)."""
    unit = to_simplified(token)
    return unit if unit in units() else None


def _is_cell(token: str) -> bool:
    if _PLAIN_FIGURE.match(token):
        return True
    if len(token) > MAX_CELL_CHARS or not _CELL_CHARS.search(token):
        return False  # a word with no digit, dash or 无 is not a figure: skip parsing it
    if _HAS_CJK.match(token) and token not in _BLANK_WORDS:
        return False  # figures do not start with a character ("公告123")
    parsed = _parse(token)
    return parsed.value is not None or (parsed.blank and bool(token.strip()))


def _split_line(line: str) -> tuple[str, list[str]]:
    """Split "（一）收到申请数 件 139" into its label and its trailing unit/value tokens."""
    text = fold_whitespace(line)
    if _is_cell(text) or _is_unit(text):
        return "", [text]
    tokens = text.split(" ")
    tail: list[str] = []
    while len(tokens) > 1 or (tail and tokens):  # a lone token is the text: no figure, no unit
        if not (_is_cell(tokens[-1]) or _is_unit(tokens[-1])):
            break
        tail.insert(0, tokens.pop())  # "件 139" is a unit and a value, no label
    if tail or len(text) > MAX_LABEL_CHARS:
        return " ".join(tokens), tail
    glued = _GLUED.match(text)  # "收到申请数：139件", "收到申请数139"
    if glued and _HAS_CJK.search(glued["label"]) and _is_cell(glued["value"]):
        return glued["label"], [glued["value"]]
    return text, []


class _Line(NamedTuple):
    """A line of the page split for the reader; keys only for short CJK labels (others are prose).
    Shared by every page printing the same line (see _prepare_line): never mutate its tail."""

    label: str
    tail: list[str]  # trailing unit/figure tokens
    key: str = ""  # _keys(label)[0]; "" when the label cannot be an exact one
    bare: str = ""  # _keys(label)[1]; likewise


_BLANK_LINE = _Line("", [])


class _Prepared:
    """The page's lines as the reader sees them, split only where a form reads them.

    Anchors (lines whose keys are exact labels) are looked for on every line, but most lines of a
    page (menus, prose, footers) print a character no legacy label key has: `_anchor_test` tells
    them apart in one regex call, and such a line is split only if it falls in a table's window.
    """

    __slots__ = ("_blank", "_cell_keys", "_foreign", "_lines", "_texts", "keyed")

    def __init__(self, texts: Sequence[str], foreign: re.Pattern[str]):
        self._texts = texts
        self._foreign = foreign
        self._lines: dict[int, _Line] = {}  # index → the line split (only those asked for)
        self._blank: frozenset[int] = frozenset()
        self._cell_keys: dict[int, list[str]] = {}  # table index → its cells' full keys (see cell_keys)
        #: (index, key, bare) of the lines that have keys, in page order
        self.keyed: list[tuple[int, str, str]] = []
        shared = _line_cache(foreign)
        can_anchor = _anchor_test(foreign).fullmatch
        for i, text in enumerate(texts):
            line = shared.get(text)  # the form's own lines, "0", "件": split on an earlier page
            if line is None:
                if len(text) > 4 * MAX_LABEL_CHARS or not can_anchor(text) or not _HAS_CJK.search(text):
                    continue  # no keys: split later, if at all
                line = _cached_line(text, foreign, shared)
            self._lines[i] = line
            if line.key:
                self.keyed.append((i, line.key, line.bare))

    def cell_keys(self, index: int, table: Table) -> list[str]:
        """The full keys of a real table's distinct cells that can be exact ones (label-sized, no
        `_sure_foreign` ideograph: a full key keeps every ideograph, brackets' included), once for all forms."""
        found = self._cell_keys.get(index)
        if found is None:
            test = _cell_test(self._foreign).fullmatch
            cells = {cell for row in table.grid for cell in row if cell and len(cell) <= MAX_LABEL_CHARS}
            found = self._cell_keys[index] = [_keys(cell)[0] for cell in cells if test(cell)]
        return found

    def blank(self, indices: set[int]) -> None:
        """Read these lines as empty (remarks cells): no keys, no label, no figures."""
        self._blank = self._blank | indices
        self.keyed = [k for k in self.keyed if k[0] not in indices]

    def __len__(self) -> int:
        return len(self._texts)

    def line(self, i: int) -> _Line:
        if i in self._blank:
            return _BLANK_LINE
        found = self._lines.get(i)
        if found is None:
            text = self._texts[i]
            if len(text) > 4 * MAX_LABEL_CHARS:
                found = _Line(text, [])
            else:
                shared = _line_cache(self._foreign)
                found = shared.get(text)  # split on an earlier page: the same split
                if found is None:
                    found = _cached_line(text, self._foreign, shared)
            self._lines[i] = found
        return found

    def window(self, start: int, stop: int) -> list[_Line]:
        """Lines start..stop-1 (clipped to the page), split."""
        return [self.line(i) for i in range(max(0, start), min(stop, len(self._texts)))]

    def __iter__(self) -> Iterator[_Line]:
        return iter(self.window(0, len(self._texts)))


def _prepare_lines(lines: Sequence[str], foreign: re.Pattern[str] = _NOTHING) -> _Prepared:
    """Every line's match keys, once for all forms (keys only where they can be exact ones:
    `foreign` matches characters no form label has); lines split on demand."""
    return _Prepared(lines, foreign)


_LINE_CACHES: dict[int, tuple[re.Pattern[str], dict[str, _Line]]] = {}


def _line_cache(foreign: re.Pattern[str]) -> dict[str, _Line]:
    """Split lines by text for one `foreign` pattern (kept by identity: hashing a pattern is slow)."""
    cached = _LINE_CACHES.get(id(foreign))
    if cached is None or cached[0] is not foreign:
        cached = (foreign, {})
        _LINE_CACHES[id(foreign)] = cached
    return cached[1]


def _cached_line(text: str, foreign: re.Pattern[str], shared: dict[str, _Line]) -> _Line:
    """`_prepare_line`, remembered by text: most lines of a report ("0", "件", the form's own labels)
    are printed alike in every report, so a run over many pages splits each only once."""
    if len(shared) >= PREPARED_CACHE_SIZE:
        shared.clear()  # bounded, so memory stays flat over a long run
    line = shared[text] = _prepare_line(text, foreign)
    return line


def _prepare_line(line: str, foreign: re.Pattern[str]) -> _Line:
    """One line split and keyed."""
    label, tail = _split_line(line)
    if label and len(label) <= MAX_LABEL_CHARS and _HAS_CJK.search(label):
        if foreign.search(_PAREN.sub("", to_simplified(_PINYIN.sub("", label)))):
            return _Line(label, tail)  # its keys (as `_keys` makes them) keep that character
        return _Line(label, tail, *_keys(label))
    return _Line(label, tail)


@functools.lru_cache(maxsize=8)
def _anchor_test(foreign: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern a line must fully match to have keys (`_prepare_line`): none of the `_sure_foreign`
    ideographs outside its outermost brackets (`_PAREN` may drop what stands inside them). A line
    failing it, or printing no ideograph at all, gets no keys from `_prepare_line`."""
    sure = _sure_foreign(foreign)
    if not sure:
        return re.compile(r"(?s).*")
    return re.compile(rf"(?s)(?:[^{sure}]*|[^{sure}(（]*[(（].*[)）][^{sure})）]*)")


@functools.lru_cache(maxsize=8)
def _cell_test(foreign: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern a table cell must fully match for its full key to be an exact label key."""
    sure = _sure_foreign(foreign)
    return re.compile(rf"(?s)[^{sure}]*" if sure else r"(?s).*")


@functools.lru_cache(maxsize=8)
def _sure_foreign(foreign: re.Pattern[str]) -> str:
    """Ideographs (as character-class ranges) that keep a line from having keys wherever they stand
    outside brackets: foreign with everything they become under simplification (so `_prepare_line`
    sees a foreign character and a key would hold one), and no unit or blank-cell word's character
    (so they cannot sit in the tail `_split_line` cuts off: "139件" with 件 foreign to the labels)."""
    table = traditional_map()
    tail_chars = {ch for word in (*units(), *BLANK_WORDS) for ch in word} | BLANK_MARKS
    sure = [
        cp
        for cp in range(0x4E00, 0xA000)
        if all(
            foreign.fullmatch(ch) and unicodedata.is_normalized("NFKC", ch) and ch not in tail_chars
            for ch in (_orbit(chr(cp), table) if cp in table else chr(cp))  # most map to nothing
        )
    ]
    return _ranges(sure)


def _ranges(codepoints: list[int]) -> str:
    """Sorted code points as regex character-class ranges ("一-丁丅-丈")."""
    out: list[str] = []
    start = prev = None
    for cp in [*codepoints, None]:
        if cp is not None and prev is not None and cp == prev + 1:
            prev = cp
            continue
        if start is not None and prev is not None:
            out.append(chr(start) if start == prev else f"{chr(start)}-{chr(prev)}")
        start = prev = cp
    return "".join(out)


def _anchor_runs(prepared: _Prepared, form: _Form) -> list[list[int]]:
    """Runs of lines whose label is exactly a codebook label, densest first."""
    exact = form.matcher.exact
    anchors = [
        (i, key if key in exact else bare) for i, key, bare in prepared.keyed if key in exact or bare in exact
    ]
    runs: list[list[int]] = []
    seen: set[str] = set()
    for i, key in anchors:
        repeated = key in seen and len(form.matcher.key_codes.get(key, ())) == 1
        if not runs or i - runs[-1][-1] > ANCHOR_GAP or repeated:
            runs.append([])
            seen = set()
        runs[-1].append(i)
        seen.add(key)
    return sorted((r for r in runs if len(r) >= MIN_ANCHORS), key=len, reverse=True)


def _second_tables(runs: list[list[int]], form: _Form) -> list[Finding]:
    """A page with two copies of the form (the report's and a department's): only the densest is read."""
    return [
        Finding(
            kind="second_table",
            message=f"another {form.spec.variant} table ({len(run)} known labels from line {run[0]}) was not read",
            severity="info",
        )
        for run in runs[1:]
        if len(run) >= SECOND_TABLE_ANCHORS
    ]


def _line_entries(
    prepared: _Prepared, form: _Form, tables: Sequence[Table], runs: list[list[int]]
) -> tuple[list[Entry], dict[str, str]]:
    """The densest run of known labels read as rows, figures after their label (Word-pasted pages)
    or before it (PDFs that set a one-line label a little lower than its figures): whichever leaves
    fewer figures unused and fewer rows without one."""
    if not runs:
        return [], {}
    first, last = runs[0][0], runs[0][-1]
    stop = min([run[0] for run in runs[1:] if run[0] > last] + [last + TAIL_LINES + 1, len(prepared)])
    above = prepared.window(first - HEADER_LOOKBACK, first)
    headers = _line_headers(above, form)
    table = _table_at(first, tables)
    years = _line_years(above, form)
    ncells = len(years) if len(years) > 1 else form.ncells
    lines = prepared.window(first, stop)
    after = _walk_lines(lines, last - first, form, table, figures_first=False, ncells=ncells)
    before = _walk_lines(lines, last - first, form, table, figures_first=True, ncells=ncells)
    entries = min((after, before), key=lambda walk: _waste(walk, form))[0]
    if len(years) > 1:  # "2015年 / 2016年": keep the latest year's figure, as the form has one column
        latest = years.index(max(years))
        for entry in entries:
            if len(entry.cells) == len(years):
                entry.cells = [entry.cells[latest]]
    return entries, headers


def _line_years(prepared: list[_Line], form: _Form) -> list[int]:
    """Years heading the value columns of a one-column form printed with last year's figures too."""
    if form.columns:
        return []
    words = [w for label, tail, *_ in prepared for w in [*fold_whitespace(label).split(" "), *tail]]
    return [int(m.group(1)) for w in words if (m := _YEAR_HEADER.match(w))]


def _walk_lines(
    lines: list[_Line],
    last: int,
    form: _Form,
    table: int | None,
    *,
    figures_first: bool,
    ncells: int,
) -> tuple[list[Entry], int]:
    """Entries of the table's lines (up to `ncells` figures each), and how many figures no row took."""
    entries: list[Entry] = []
    pending: Entry | None = None
    early: list[str] = []  # figures printed before the label they belong to (figures_first)
    early_unit: str | None = None
    dropped = 0
    for i, (label, tail, _key, _bare) in enumerate(lines):  # no starred unpack: no list per line
        if label:
            if i > last and len(label) > MAX_LABEL_CHARS:
                break
            if form.is_header(label):
                continue
            if (
                pending is not None
                and (not pending.cells or figures_first)
                and _continues(pending, label, form.matcher)
            ):
                pending.parts.append(label)
                if early and not pending.cells:  # the figures stood between the label's two lines
                    pending.cells, early = early[:ncells], early[ncells:]
            elif pending is not None and pending.cells and _wraps_after_value(pending, label, form.matcher):
                pending.parts.append(label)  # PDF: the value is centred between a label's two lines
            else:
                if i > last and pending is not None and not pending.cells and not tail and not early:
                    break  # two text lines without a value after the table: page chrome
                pending = Entry([label], table=table, after_table=i > last)
                entries.append(pending)
                if figures_first and early and all(_unit_of(t) is not None for t in tail):
                    pending.cells, pending.unit = early[:ncells], pending.unit or early_unit
                    dropped += max(0, len(early) - ncells)
                else:
                    dropped += len(early)
                early, early_unit = [], None
        for token in tail:
            unit = _unit_of(token)
            if unit is not None:
                if figures_first and not label:
                    early_unit = unit
                elif pending is not None and not pending.cells:
                    pending.unit = unit
            elif figures_first and not label:
                early.append(token)
            elif pending is not None and (label or len(pending.cells) < ncells):
                pending.cells.append(token)  # figures on the label's own line all belong to it
            else:
                dropped += 1
    return entries, dropped + len(early)


def _waste(walk: tuple[list[Entry], int], form: _Form) -> int:
    """Figures left unused plus rows of the form left without a figure: zero for a perfect reading."""
    entries, dropped = walk
    waste = dropped
    for entry in entries:
        found = form.matcher.candidates(entry.label)
        if not found:
            continue
        value_row = form.matcher.indicators[found[0][1]].has_value
        if value_row and not entry.cells:
            waste += 1  # a row of the form left blank
        elif not value_row and entry.has_value:
            waste += len(entry.cells)  # figures given to a heading that prints none
    return waste


def _continues(pending: Entry, line: str, matcher: _Matcher) -> bool:
    """Is `line` the wrapped rest of the pending label rather than a new row?"""
    if line.startswith(_OPEN_PAREN) and numbering_prefix(line) is None:
        return True  # "(不同渠道和方式公开相同信息计1条)"
    if numbering_prefix(line) is not None:
        return False
    joined = matcher.best(pending.label + line)
    return joined >= MATCH_THRESHOLD and joined > matcher.best(line) and joined > matcher.best(pending.label)


def _wraps_after_value(entry: Entry, line: str, matcher: _Matcher) -> bool:
    """A parenthetical printed under a row whose value came first: "(一)…信息数" / 13100 / "(不同渠道…)"."""
    if not line.startswith(_OPEN_PAREN) or numbering_prefix(line) is not None:
        return False
    joined = matcher.best(entry.label + line)
    return joined > matcher.best(line) and joined >= matcher.best(entry.label)


def _line_headers(prepared: list[_Line], form: _Form) -> dict[str, str]:
    """Printed column headers (code → text) found just above the table."""
    headers: dict[str, str] = {}
    for label, tail, *_ in prepared:
        for word in [*fold_whitespace(label).split(" "), *tail]:
            col = form.column_for(word)
            if col is not None and col.code not in headers:
                headers[col.code] = _SPACES.sub("", word)
    return headers


def _table_at(line: int, tables: Sequence[Table]) -> int | None:
    """Index of the real table whose flattened cells contain `line`, if any."""
    for index, table in enumerate(tables):
        size = sum(len({*row}) for row in table.grid)
        if table.line_index <= line < table.line_index + size:
            return index
    return None


# -------------------------------------------------------------------------------------- grid reading


@dataclass(slots=True)
class _Layout:
    label_cols: list[int]
    unit_col: int | None
    value_cols: list[int]
    header_rows: set[int]
    headers: dict[str, str]


def _grid_entries(
    table: Table, index: int, form: _Form, cell_keys: list[str]
) -> tuple[list[Entry], dict[str, str]]:
    """The table's rows as entries, if enough of its cells (`cell_keys`: their keys) are the form's labels."""
    grid = table.grid
    if not grid or not any(any(cell for cell in row) for row in grid):
        return [], {}
    exact = form.matcher.exact
    if sum(1 for key in cell_keys if key in exact) < MIN_ANCHORS:
        return [], {}
    layout = _grid_layout(grid, form)
    if not layout.value_cols:
        return [], {}
    entries: list[Entry] = []
    for r, row in enumerate(grid):
        if r in layout.header_rows:
            continue
        for entry in _grid_row_entries(table, r, row, layout, index):
            if entries and _grid_wrap(entries[-1], entry, form.matcher):
                entries[-1].parts.append(entry.parts[0])  # the label's parenthetical in a row of its own
                continue
            entries.append(entry)
    return entries, layout.headers


def _grid_wrap(previous: Entry, entry: Entry, matcher: _Matcher) -> bool:
    """A row holding only the parenthetical rest of the row above's label (its value cell merged)."""
    if not previous.cells or entry.has_value or len(entry.parts) != 1:
        return False
    return _wraps_after_value(previous, entry.label, matcher)


def _origin(table: Table, r: int, c: int) -> tuple[int, int]:
    """The slot a merged cell was copied from (itself when the grid has no span map)."""
    try:
        return table.spans[r][c]
    except (IndexError, TypeError):
        return (r, c)


def _grid_row_entries(table: Table, r: int, row: list[str], layout: _Layout, index: int) -> list[Entry]:
    """The entries of one grid row: a merged group label first (context only), then the row itself.

    Cells copied from a merged cell elsewhere (a label's colspan over the value columns, a value's
    rowspan over the next row) are not values of this row.
    """
    out: list[Entry] = []
    parts: list[str] = []
    seen: set[tuple[int, int]] = set()
    for c in layout.label_cols:
        if c >= len(row) or not row[c].strip():
            continue
        origin = _origin(table, r, c)
        if origin in seen:
            continue
        seen.add(origin)
        if origin[0] != r:
            continue  # a merged group label already emitted at its first row
        if _spans_rows(table, r, c):
            out.append(Entry([row[c]], table=index))  # group label (三、依申请公开情况): context only
        else:
            parts.append(row[c])
    unit = None
    if layout.unit_col is not None and layout.unit_col < len(row):
        unit = to_simplified(fold_whitespace(row[layout.unit_col])) or None
    cells = []
    for c in layout.value_cols:
        origin = _origin(table, r, c)
        text = row[c] if c < len(row) else ""
        copied = origin in seen or origin[1] in layout.label_cols or origin[0] != r  # merged from elsewhere
        cells.append("" if copied else text)
    if parts:
        out.append(Entry(parts, unit=unit, cells=cells, table=index))
    elif out and any(cells):
        out[-1].cells, out[-1].unit = cells, unit
    return out


def _spans_rows(table: Table, r: int, c: int) -> bool:
    """Does the cell at (r, c) continue into the next row (a rowspan group label)?"""
    return (
        r + 1 < len(table.grid)
        and _origin(table, r + 1, c) == _origin(table, r, c)
        and len(table.spans) > r + 1
    )


def _grid_layout(grid: list[list[str]], form: _Form) -> _Layout:
    """Which columns hold labels, the unit and the values: from the header row, else from the cells."""
    width = max(len(row) for row in grid)
    header_rows = {
        r for r, row in enumerate(grid[:6]) if any(c.strip() for c in row) and _is_header_row(row, form)
    }
    headers: dict[str, str] = {}
    unit_col = None
    value_cols: list[int] = []
    code_cols: set[int] = set()
    year_cols: dict[int, int] = {}
    for r in sorted(header_rows):
        for c, text in enumerate(grid[r]):
            word = _SPACES.sub("", text)
            col = form.column_for(word)
            if col is not None:
                headers.setdefault(col.code, word)
                if c not in value_cols:
                    value_cols.append(c)
            elif word in form.unit_headers:
                unit_col = c
            elif word == CODE_HEADER:
                code_cols.add(c)
            elif word in form.value_headers and c not in value_cols:
                value_cols.append(c)
            elif (year := _YEAR_HEADER.match(word)) and not form.columns and c not in value_cols:
                value_cols.append(c)
                year_cols[c] = int(year.group(1))
    if len(year_cols) > 1:  # "2016年 | 2015年": the form has one value column, the latest year's
        latest = max(year_cols, key=lambda c: year_cols[c])
        value_cols = [c for c in value_cols if c not in year_cols or c == latest]
    if not value_cols:
        value_cols, unit_col = _infer_value_cols(grid, header_rows, width)
    if form.code_column:
        value_cols = sorted(code_cols) + value_cols
    first_value = min(value_cols, default=width)
    label_cols = [c for c in range(first_value) if c != unit_col and c not in code_cols]
    return _Layout(label_cols, unit_col, sorted(value_cols), header_rows, headers)


def _is_header_row(row: list[str], form: _Form) -> bool:
    """A row of header words (统计指标 / 单位 / 统计数, 2017年度 / 历年累计), one odd cell allowed."""
    cells = [c for c in row if c.strip()]
    heads = sum(1 for c in cells if form.is_header(c) or _YEAR_HEADER.match(_SPACES.sub("", c)))
    return bool(cells) and heads >= max(2, len(set(cells)) - 1)


def _infer_value_cols(grid: list[list[str]], skip: set[int], width: int) -> tuple[list[int], int | None]:
    """Columns where most non-empty cells are numbers (values) or unit words (unit)."""
    value_cols, unit_col = [], None
    for c in range(width):
        cells = [row[c] for r, row in enumerate(grid) if r not in skip and c < len(row) and row[c].strip()]
        if not cells:
            continue
        numeric = sum(1 for t in cells if _parse(t).value is not None or _parse(t).blank)
        unit_words = sum(1 for t in cells if _is_unit(fold_whitespace(t)))
        if numeric >= 0.6 * len(cells) and c > 0:
            value_cols.append(c)
        elif unit_words >= 0.6 * len(cells) and c > 0:
            unit_col = c
    return value_cols, unit_col


# ------------------------------------------------------------------------------------------- coding


def _plan(entries: list[Entry], form: _Form) -> list[_Planned]:
    """Code each entry by its label in the context of the section it stands in: the entries that
    make rows, with their indicator (None for a row the codebook does not know) and cells."""
    planned: list[_Planned] = []
    section: str | None = None
    used: set[str] = set()
    last = -1
    for entry in entries:
        label = entry.label
        ind = form.matcher.choose(label, section, used, last) if label else None
        if ind is None:
            if entry.has_value and not form.is_header(label) and _keeps_unknown(entry):
                planned.append(_Planned(entry, None, section, _cells(entry, form, None, None)))
            continue
        section = ind.section or section
        if not ind.has_value:
            continue
        used.add(ind.code)
        last = form.matcher.index(ind)
        planned.append(_Planned(entry, ind, section, _cells(entry, form, ind, None)))
    return planned


def _code_entries(
    entries: list[Entry],
    headers: dict[str, str],
    form: _Form,
    where: str,
    planned: list[_Planned] | None = None,
) -> TableResult:
    """Code each entry (see `_plan`, unless already planned); one Row per cell."""
    rows: list[Row] = []
    findings: list[Finding] = []
    for entry, ind, section, _ in _plan(entries, form) if planned is None else planned:
        if ind is None:
            _emit_unknown(entry, section, headers, form, rows, findings)
        else:
            _emit(entry, ind, headers, form, rows, findings)
    variant = form.spec.variant
    evidence = _evidence(entries, headers, form, where)
    return TableResult(
        template=form.spec.template, variant=variant, evidence=evidence, rows=rows, findings=findings
    )


def _cells(entry: Entry, form: _Form, ind: Indicator | None, findings: list[Finding] | None) -> list[str]:
    """The entry's value cells, one per form column (code column dropped, short rows padded); a
    mismatch goes to `findings` unless it is None (planning)."""
    cells = list(entry.cells)
    if form.code_column and cells:
        code_no = str((ind.extra.get("code_no") if ind else None) or "")
        if len(cells) > form.ncols or (code_no and _parse(cells[0]).value == _parse(code_no).value):
            cells = cells[1:]
    if findings is not None and len(cells) != form.ncols and (len(cells) > form.ncols or entry.has_value):
        findings.append(
            Finding(
                kind="row_count_mismatch",
                message=f"row {entry.label!r} has {len(cells)} value cells, the form has {form.ncols}",
                code=ind.code if ind else None,
                expected=form.ncols,
                found=len(cells),
            )
        )
    return (cells + [""] * form.ncols)[: form.ncols]


def _emit(
    entry: Entry,
    ind: Indicator,
    headers: dict[str, str],
    form: _Form,
    rows: list[Row],
    findings: list[Finding],
) -> None:
    for col, text in zip(_columns(form), _cells(entry, form, ind, findings), strict=True):
        code = f"{ind.code}@{col.code}" if col else ind.code
        parsed = _parse(text)
        row = Row(
            code=code,
            section=ind.section,
            label=entry.label,
            column=(headers.get(col.code) or col.label) if col else None,
            unit=parsed.unit or entry.unit or _label_unit(entry.label) or ind.unit,
            value=parsed.value,
            raw=parsed.raw or None,
            row_code=ind.code if col else None,
            column_code=col.code if col else None,
            table=entry.table,
        )
        _check_cell(row, parsed, ind.unit, findings)
        rows.append(row)


def _emit_unknown(
    entry: Entry,
    section: str | None,
    headers: dict[str, str],
    form: _Form,
    rows: list[Row],
    findings: list[Finding],
) -> None:
    """A row the codebook does not know (see `_keeps_unknown`): kept with its printed label, code None
    and a finding."""
    findings.append(
        Finding(
            kind="unknown_label", message=f"row {entry.label!r} is not in the {form.spec.variant} codebook"
        )
    )
    for col, text in zip(_columns(form), _cells(entry, form, None, findings), strict=True):
        parsed = _parse(text)
        row = Row(
            code=None,
            section=section,
            label=entry.label,
            column=(headers.get(col.code) or col.label) if col else None,
            unit=parsed.unit or entry.unit or _label_unit(entry.label),
            value=parsed.value,
            raw=parsed.raw or None,
            column_code=col.code if col else None,
            table=entry.table,
        )
        _check_cell(row, parsed, None, findings)
        rows.append(row)


def _keeps_unknown(entry: Entry) -> bool:
    """Is an entry the codebook does not know a row of the table (rather than prose or chrome)?"""
    if len(entry.label) > MAX_LABEL_CHARS or not _HAS_CJK.search(entry.label):
        return False
    # "总访问量 1234567" under the table is not; rows a copy adds to the form carry numbering
    return not entry.after_table or numbering_prefix(entry.label) is not None


def _label_unit(label: str) -> str | None:
    """A unit the label itself prints, as in "专项经费（万元）"."""
    found = [m for m in _LABEL_UNIT.findall(label) if m in units()]
    return found[-1] if found else None


def _columns(form: _Form) -> list[Column | None]:
    return list(form.columns) if form.columns else [None]


def _check_cell(row: Row, parsed: ParsedNumber, form_unit: str | None, findings: list[Finding]) -> None:
    """Findings for one cell (blank, not a number) and the normalized value for a foreign unit."""
    where = row.code or row.label
    if parsed.blank:
        findings.append(Finding(kind="missing_value", message=f"{where}: the cell is blank", code=row.code))
        return
    if parsed.value is None:
        findings.append(
            Finding(
                kind="unparsed_value", message=f"{where}: cell {parsed.raw!r} is not a number", code=row.code
            )
        )
        return
    factors = yuan_factors()
    if row.unit and form_unit and row.unit != form_unit and row.unit in factors and form_unit in factors:
        normalized = parsed.value * factors[row.unit] / factors[form_unit]
        row.value_normalized = int(normalized) if float(normalized).is_integer() else round(normalized, 6)
        row.unit_normalized = form_unit
        findings.append(
            Finding(
                kind="unit_converted",
                message=f"{where}: printed {parsed.value}{row.unit}, the form's unit is {form_unit}",
                severity="info",
                code=row.code,
                expected=row.value_normalized,
                found=parsed.value,
            )
        )


def _evidence(entries: list[Entry], headers: dict[str, str], form: _Form, where: str) -> str:
    """Where the table was read, its column headers and the form's marker labels found."""
    keys = {k for e in entries for k in _keys(e.label)}
    markers = [m for m in form.spec.markers if any(_keys(m)[0] in k for k in keys if k)]
    parts = [f"{form.spec.variant} from {where}"]
    if headers:
        parts.append("columns " + " / ".join(headers.values()))
    if markers:
        parts.append("labels " + ", ".join(markers[:5]))
    return "; ".join(parts)
