"""Reader for the new national form (gov2019: 2019–2020 reports; gov2021: 2021 on): tables 二, 三, 四.

Why a reader of its own: the new form is three tables (blocks, a 7- or 8-column matrix, one row of 15
cells) whose cells are named by a row code and a column code, and pages print them in every shape —
real <table>s with merged headers, Word-pasted text one cell per line, PDF text one row per line.
This module only decides which version of the form a page uses and turns what the two readers found
(`govform_grid` for grids, `govform_lines` for text lines; the best read of each table wins) into
`Row`s; all labels, codes, units and columns come from extractors/codebook/gov20xx.yaml.

The version is decided from the table's own rows and columns, never from the year: the page is read
with each version and the one whose own labels (本年制发件数 vs 本年新制作数量 ...) and cells fit it
best wins. So 2020 reports that already print the 2021 rows are gov2021, and 2023 reports that keep
the single （六）其他处理 row stay gov2021 (their table 二 is the 2021 one) with the difference named
in the evidence. When a grid and the text lines read a table equally well but differently, the
reading that keeps the form's identities wins.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extractors.govform_grid import read_grids
from extractors.govform_lines import line_view, read_lines
from extractors.govform_spec import (
    SECTIONS,
    SEP,
    Cell,
    FormSpec,
    PageText,
    SectionRead,
    form_specs,
    norm,
    page_text,
    parse_cell,
)
from extractors.labels import normalize_label
from extractors.model import Document, Finding, Row, TableResult
from extractors.numbers import units, yuan_factors

#: Family markers (labels both versions print) needed before a page counts as a new-form report.
_MIN_FAMILY_MARKERS = 2


def read(doc: Document, codebook) -> TableResult | None:
    """Return the new-form tables found in `doc`, or None when there are none."""
    specs = form_specs(codebook)
    if not specs or not doc.lines and not doc.tables:
        return None
    page = page_text(doc.lines)
    markers = printed_markers(doc, specs, (page, page_text(_cells(doc))))
    if markers is None:
        return None
    view = line_view(page, len(doc.lines))
    reads = [(spec, _best_sections(doc, spec, view)) for spec in specs]  # view.memo: shared work
    spec, sections = max(reads, key=lambda sr: _fit(sr[0], sr[1], markers))
    if not any(read.cells for read in sections.values()):
        return None
    rows, findings = _rows(sections, spec)
    evidence = "; ".join([_evidence(spec, markers[spec.variant]), *_layout_evidence(sections, spec)])
    return TableResult(
        template=spec.template, variant=spec.variant, evidence=evidence, rows=rows, findings=findings
    )


# ----------------------------------------------------------------------------------------- detection

#: A label only one version prints outweighs this many cells read (it decides unless the tables
#: themselves clearly fit the other version better).
_MARKER_WEIGHT = 10
#: The version whose （六）其他处理 is one row: preferred when a page prints no version-specific label.
_SINGLE_OTHER_VARIANT = "gov2019"


def printed_markers(
    doc: Document, specs: tuple[FormSpec, ...], pages: tuple[PageText, ...] = ()
) -> dict[str, list[str]] | None:
    """Per version, the labels only that version prints which this page prints; None if not a new form.

    `pages`: the page's lines and its cells, each normalized once (`page_text`).
    """
    pages = pages or (page_text(doc.lines), page_text(_cells(doc)))
    text = "".join(p.text if p.text is not None else SEP + SEP.join(map(norm, p.lines)) for p in pages)
    family = [m for m in specs[0].family_markers if m in text]
    if len(family) < _MIN_FAMILY_MARKERS:
        return None
    return {spec.variant: [m for m in spec.markers if m in text] for spec in specs}


def _cells(doc: Document) -> list[str]:
    return [cell for table in doc.tables for row in table.grid for cell in row]


def _fit(spec: FormSpec, sections: dict[str, SectionRead], markers: dict[str, list[str]]) -> tuple[int, bool]:
    """How well a version explains the page: cells read under its codes, and its own labels."""
    filled = sum(1 for read in sections.values() for c in read.cells if c.code and c.raw)
    return filled + _MARKER_WEIGHT * len(markers[spec.variant]), spec.variant == _SINGLE_OTHER_VARIANT


def _evidence(spec: FormSpec, markers: list[str]) -> str:
    if markers:
        return f"{spec.variant}: {', '.join(markers)}"
    return f"{spec.variant}: no version-specific label printed; its rows and columns fit the tables best"


def _layout_evidence(sections: dict[str, SectionRead], spec: FormSpec) -> list[str]:
    notes = [f"{s} from {sections[s].source}" for s in SECTIONS if s in sections]
    single = spec.by_code.get("apps.result.other")
    t3 = sections.get("t3", SectionRead("t3", ""))
    if single is not None and not single.has_value and any(c.row_code == single.code for c in t3.cells):
        notes.append("（六）其他处理 printed as one row (2019 layout)")
    return notes


# ------------------------------------------------------------------------------------------- reading


def _best_sections(doc: Document, spec: FormSpec, view: PageText) -> dict[str, SectionRead]:
    grids = read_grids(doc.tables, spec, view.memo) if doc.tables else {}
    lines = read_lines(doc.lines, spec, view) if doc.lines else {}
    best: dict[str, SectionRead] = {}
    for section in SECTIONS:
        candidates = [r for r in (grids.get(section), lines.get(section)) if r is not None]
        if not candidates:
            continue
        chosen = _choose(candidates, spec)
        if section == "t3":
            chosen.tables_seen = max(r.tables_seen for r in candidates)
        best[section] = chosen
    return best


def _choose(candidates: list[SectionRead], spec: FormSpec) -> SectionRead:
    """The reading with the best (complete, score, fewest broken identities), the first on ties.

    Identities are checked only between readings tied on the first two that read different
    values (checking is the costly part; equal values break the same identities).
    """
    ranks = [(r.complete, r.score) for r in candidates]
    top = max(ranks)
    tied = [r for r, rank in zip(candidates, ranks, strict=True) if rank == top]
    if len(tied) == 1:
        return tied[0]
    values = [_values(r) for r in tied]
    if all(v == values[0] for v in values[1:]):
        return tied[0]
    return tied[max(range(len(tied)), key=lambda i: -_failures(values[i], spec))]


def _values(read: SectionRead) -> dict[str, int | float | None]:
    values: dict[str, int | float | None] = {}
    for cell in read.cells:
        if cell.code and cell.raw is not None:
            values[cell.code] = parse_cell(cell.raw).value
    return values


def _failures(values: dict[str, int | float | None], spec: FormSpec) -> int:
    """Identities of the form a reading breaks: the arbiter when grid and text readings differ."""
    return sum(1 for identity in spec.identities if identity.check(values).status == "failed")


def _rows(sections: dict[str, SectionRead], spec: FormSpec) -> tuple[list[Row], list[Finding]]:
    rows: list[Row] = []
    findings: list[Finding] = []
    for section in SECTIONS:
        read = sections.get(section)
        if read is None:
            continue
        findings.extend(read.findings)
        for cell in read.cells:
            row, cell_findings = _row(cell, spec)
            rows.append(row)
            findings.extend(cell_findings)
    repeated = [_SECTION_NAME[s] for s in SECTIONS if s in sections and sections[s].tables_seen > 1]
    if repeated:
        message = f"the page prints table {'/'.join(repeated)} more than once (e.g. a department's own); the first was read"
        findings.append(Finding("second_table", message, severity="info"))
    return rows, findings


_SECTION_NAME = {"t2": "二", "t3": "三", "t4": "四"}


def _row(cell: Cell, spec: FormSpec) -> tuple[Row, list[Finding]]:
    unit = _form_unit(cell, spec)
    row = Row(
        code=cell.code,
        section=cell.section,
        label=cell.label,
        column=cell.column,
        unit=unit,
        raw=cell.raw,
        row_code=cell.row_code,
        column_code=cell.column_code,
        table=cell.table,
    )
    if cell.raw is None:
        return row, []  # the reader could not place a number here; its finding is already made
    parsed = parse_cell(cell.raw)
    row.raw = parsed.raw or None  # as legacy rows: a blank cell has no text
    if parsed.value is None:
        where = f"{cell.label} | {cell.column}" if cell.column else cell.label
        kind = "missing_value" if parsed.blank else "unparsed_value"
        message = (
            f"{where}: the cell is blank" if parsed.blank else f"{where}: cell {cell.raw!r} is not a number"
        )
        return row, [Finding(kind, message, code=cell.code)]
    row.value = parsed.value
    row.unit = parsed.unit or printed_unit(cell.column) or printed_unit(cell.label) or row.unit
    return row, _normalize_unit(row, cell, spec)


#: A unit printed at the end of a column header or row label: "（单位：元）", "（万元）", "(元)".
_PRINTED_UNIT = re.compile(r"\((?:计量)?(?:单位:?)?([^()]{1,3})\)$|单位:([^()]{1,3})$")


@lru_cache(maxsize=4096)
def printed_unit(text: str | None) -> str | None:
    """The unit a header or label prints for its cells, if any: it wins over the form's unit.

    Cached: every cell of a column (and every page of a form) asks about the same few headers.
    """
    if not text:
        return None
    match = _PRINTED_UNIT.search(normalize_label(text))
    unit = match and (match.group(1) or match.group(2))
    return unit if unit in units() else None


def _form_unit(cell: Cell, spec: FormSpec) -> str | None:
    column = spec.columns.get(cell.column_code or "")
    if column is not None and column.section == cell.section and column.unit:
        return column.unit
    row = spec.by_code.get(cell.row_code or "") or next((r for r in spec.t4 if r.code == cell.code), None)
    return row.unit if row else None


def _normalize_unit(row: Row, cell: Cell, spec: FormSpec) -> list[Finding]:
    """A money cell printed in another unit than the form's: convert into `value_normalized`."""
    column = spec.columns.get(cell.column_code or "")
    target = (column.unit or column.normalize_to) if column else None
    factors = yuan_factors()
    if row.unit == target or row.unit not in factors or target not in factors or row.value is None:
        return []
    normalized = row.value * factors[row.unit] / factors[target]
    row.value_normalized = int(normalized) if float(normalized).is_integer() else round(normalized, 6)
    row.unit_normalized = target
    message = f"{cell.label} | {cell.column}: printed {row.raw}, normalized to {target}"
    return [Finding("unit_converted", message, severity="info", code=cell.code,
                    expected=row.value_normalized, found=row.value)]  # fmt: skip
