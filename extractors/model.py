"""The report object that every extractor returns: metadata, table rows and findings.

These dataclasses are the contract between the extractors, the validator, the writers and the
CLI's public JSON. Field names here become column names in `output/`, so change them only with
the writers and the data package in the same commit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]

#: Report-level outcome. `ok`: a statistics table was read. `no_table`: an annual report whose
#: page has no statistics table we could read. `not_report`: the page is not an annual report.
#: `needs_ocr`: a PDF without a text layer. `empty`/`unreadable`: nothing or garbage.
Status = Literal["ok", "partial", "no_table", "not_report", "needs_ocr", "empty", "unreadable"]


@dataclass(slots=True)
class Row:
    """One value cell of a statistics table, in the order it stands in the table.

    `value` is the number as printed, in the unit in `unit`; `None` means the cell was blank or
    unreadable (never silently 0). When a cell prints a unit other than the form's, the figure
    converted to the form's unit goes to `value_normalized`/`unit_normalized`.
    """

    code: str | None  # canonical indicator code, e.g. "requests.received" or "apps.new@total"
    section: str | None  # section code, e.g. "requests" (legacy) or "t3" (new form)
    label: str  # row label as printed, wrapped parts joined
    column: str | None = None  # printed column header (matrix tables); None for label/value forms
    unit: str | None = None  # as printed, else the codebook unit
    value: float | int | None = None
    raw: str | None = None  # the cell text as printed (after whitespace folding)
    row_code: str | None = None  # matrix row part of `code`
    column_code: str | None = None  # matrix column part of `code`
    value_normalized: float | int | None = None
    unit_normalized: str | None = None
    table: int | None = None  # index of the table on the page (0-based) the row was read from

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Finding:
    """Something the researcher must know about a report: data, not a log line.

    `kind` is a short stable slug (see docs/FINDINGS.md), `code` the indicator it concerns (if any),
    `expected`/`found` the two sides of a failed check.
    """

    kind: str
    message: str
    severity: Severity = "warning"
    code: str | None = None
    expected: float | int | None = None
    found: float | int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Metadata:
    """What the page says about itself: who published which year's report, and when."""

    title: str | None = None
    publisher: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    adcode: str | None = None  # division code in force in the report's year
    adcode_current: str | None = None  # today's code (after mergers/renames)
    year: int | None = None  # statistical year the report covers
    published: str | None = None  # ISO date (YYYY-MM-DD) the report was published
    evidence: dict[str, str] = field(default_factory=dict)  # field -> where it came from


@dataclass(slots=True)
class Report:
    """Everything extracted from one saved page (HTML, text or PDF)."""

    source: str | None  # URL or path
    sha256: str
    status: Status
    message: str = ""  # one human sentence on the status (why no table, why not a report...)
    meta: Metadata = field(default_factory=Metadata)
    template: str | None = None  # "legacy", "gov2019", "gov2021"; None without a table
    template_variant: str | None = None  # finer id, e.g. "legacy-2014", "fj-provincial"
    template_evidence: str | None = None  # the labels that decided the template
    rows: list[Row] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    extractor_version: str = ""
    content_type: str | None = None  # "html", "text", "pdf"

    @property
    def report_id(self) -> str:
        """Stable id: the first 16 hex digits of the raw page's sha256."""
        return self.sha256[:16]

    @property
    def n_values(self) -> int:
        return sum(1 for r in self.rows if r.value is not None)


@dataclass(slots=True)
class Table:
    """A table as a rectangular grid: rowspan/colspan expanded, merged text repeated in each slot.

    `spans[r][c]` is the (row, col) of the origin cell a slot was copied from, so a reader can tell a
    merged group label (三、本年度办理结果 spanning 22 rows) from a label printed on every row.
    `line_index` is the index in `Document.lines` of the table's first cell, so readers can look at
    the headings just above it.
    """

    grid: list[list[str]]
    spans: list[list[tuple[int, int]]] = field(default_factory=list)
    line_index: int = 0


@dataclass(slots=True)
class Document:
    """A page reduced to what table readers need, whatever it came from (HTML, text, PDF).

    `lines`: the visible text in reading order, one paragraph / table cell / <br>-separated piece /
    text line per entry, whitespace folded, empty pieces dropped. Tables appear here too, flattened
    row by row, one cell per line, exactly as a Word-pasted page reads once its table is lost.
    For PDFs each entry is one printed text line (a row's label and its numbers on one line).
    `tables`: every real table (HTML <table> or a grid rebuilt from PDF word positions).
    `meta`: <meta name=... content=...> pairs (names lower-cased), plus "html_title" for <title>.
    """

    kind: Literal["html", "text", "pdf", "docx", "xlsx", "xls", "ofd"]
    lines: list[str]
    tables: list[Table] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    findings: list[Finding] = field(default_factory=list)  # e.g. decoding problems, needs OCR


@dataclass(slots=True)
class TableResult:
    """What one template reader found in a Document."""

    template: str  # "legacy", "gov2019", "gov2021"
    variant: str  # e.g. "legacy-2014", "fj-provincial", "gov2021"
    evidence: str  # labels/columns that identified the template, for the researcher
    rows: list[Row] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def score(self) -> int:
        """How much of the table was read: coded values first, then any values."""
        return sum(1 for r in self.rows if r.code and r.value is not None) * 2 + len(self.rows)
