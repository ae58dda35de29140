"""A report rendered as the dataset's rows: CSV text of its reports/values/findings rows and its
panel cells (`prepare`), column by column as docs/ARCHITECTURE.md § output/ lists them.

Pure and light (no pyarrow, no pandas): `ogi extract --workers N` runs it in the worker processes,
which then need nothing but the extractor, and sends the parent one compact `Prepared` tuple per
page. `writers.dataset` files the lines and turns them into CSV and Parquet.

Cells are written as csv.writer writes them (None as "", floats as a person prints them); the
values rows, ~130 per report, are rendered without csv.writer (`_field`, `_number_cell`, checked
against it in tests/test_writers_dataset.py) because they are most of the work.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from extractors.model import Report
from writers import paths

REPORT_COLUMNS = (
    "report_id", "source", "title", "publisher", "province", "city", "district", "adcode",
    "adcode_current", "year", "template", "template_variant", "published", "sha256",
    "extractor_version", "content_type", "n_values", "n_findings", "status", "message",
    "fetched_at", "archive_record",
)  # fmt: skip
VALUE_COLUMNS = (
    "report_id", "year", "adcode", "district", "template", "position", "code", "section", "label",
    "column", "row_code", "column_code", "unit", "value", "raw", "value_normalized", "unit_normalized",
)  # fmt: skip
PANEL_ID_COLUMNS = (
    "report_id", "year", "adcode", "adcode_current", "province", "city", "district", "publisher",
    "template", "template_variant",
)  # fmt: skip
FINDING_COLUMNS = ("report_id", "kind", "severity", "code", "expected", "found", "message")
INT_COLUMNS = frozenset({"year", "position", "n_values", "n_findings"})
FLOAT_COLUMNS = frozenset({"value", "value_normalized", "expected", "found"})

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_QUOTED = re.compile(r'[,"\n]')  # what makes csv.writer quote a field (lineterminator "\n")


class Prepared(NamedTuple):
    """A report as the dataset stores it: what `add` needs to count and file it, plus one spool line.

    A plain tuple of strings and ints, so it crosses a process boundary for a few microseconds
    (a pickled Report with its rows costs ~30x more to send and to receive).
    """

    report_id: str
    district: str  # path segment: 6-digit code or "unknown"
    year: str  # path segment: 4-digit year or "unknown"
    status: str
    n_values: int
    n_findings: int
    codes: tuple[str, ...]  # distinct value codes, for the panel's columns
    line: str  # the spool line: JSON-encoded id, a tab, the rendered tables (see `prepare`)


def prepare(report: Report, provenance: Mapping[str, Any] | None = None) -> Prepared:
    """Render one report for the dataset: CSV text of its reports/values/findings rows and its
    panel cells. Pure and picklable, so `ogi extract` runs it in the worker that extracted it."""
    report_row = _report_row(report, provenance or {})
    by_code = _panel_by_code(report)
    panel = None
    if report.rows:
        panel_ids = dict(zip(REPORT_COLUMNS, report_row, strict=True))
        panel = _csv_text([[panel_ids[c] for c in PANEL_ID_COLUMNS]])[:-1]
    payload = [
        _csv_text([report_row]),
        _values_text(report),
        _csv_text(_finding_rows(report)),
        panel,
        {code: _cell(v) for code, v in by_code.items() if v is not None},
        len(report.rows),
    ]
    rid = report.report_id
    line = (
        json.dumps(rid, ensure_ascii=False)
        + "\t"
        + json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        + "\n"
    )
    return Prepared(
        rid,
        paths.district_segment(report.meta.adcode),
        paths.year_segment(report.meta.year),
        report.status,
        report.n_values,
        len(report.findings),
        tuple(by_code),
        line,
    )


def _csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV lines: None as "", floats as a person prints them, the rest as csv writes it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([_csv_float(v) if type(v) is float else v for v in row] for row in rows)
    return buffer.getvalue()


def _cell(value: float) -> str:
    """A panel cell as CSV text (numbers never need quoting)."""
    return _csv_float(value) if type(value) is float else str(value)


def _csv_float(value: float) -> str:
    """Numbers as printed by a person (13100, not 13100.0)."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _text(value: Any) -> str | None:
    """Strings from pages, minus NUL and other control characters that break CSV readers, and
    with lone surrogates (undecodable file names) replaced, so every cell is valid UTF-8."""
    if value is None:
        return None
    text = value if type(value) is str else str(value)
    if not text.isprintable():  # C-speed test; printable text has no control characters or surrogates
        text = _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))
    return text or None


def _number(value: Any) -> int | float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value if not (isinstance(value, float) and math.isnan(value)) else None
    return None


def _year(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _archive_record(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):
        return json.dumps(dict(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if isinstance(value, list | tuple):
        return "#".join(str(v) for v in value)
    return str(value)


def _report_row(report: Report, provenance: Mapping[str, Any]) -> list[Any]:
    """The report's reports.csv row, in column order."""
    m = report.meta
    row = {
        "report_id": report.report_id,
        "source": report.source or provenance.get("url"),
        "title": m.title,
        "publisher": m.publisher,
        "province": m.province,
        "city": m.city,
        "district": m.district,
        "adcode": m.adcode,
        "adcode_current": m.adcode_current,
        "year": _year(m.year),
        "template": report.template,
        "template_variant": report.template_variant,
        "published": m.published,
        "sha256": report.sha256,
        "extractor_version": report.extractor_version,
        "content_type": report.content_type,
        "n_values": report.n_values,
        "n_findings": len(report.findings),
        "status": report.status,
        "message": report.message,
        "fetched_at": provenance.get("fetched_at"),
        "archive_record": _archive_record(provenance.get("archive_record")),
    }
    return [row[c] if c in INT_COLUMNS else _text(row[c]) for c in REPORT_COLUMNS]


def _finding_rows(report: Report) -> list[list[Any]]:
    rid = report.report_id
    return [
        [rid, _text(f.kind), _text(f.severity), _text(f.code), _number(f.expected), _number(f.found)]
        + [_text(f.message)]
        for f in report.findings
    ]


def _values_text(report: Report) -> str:
    """values.csv lines of the report, one per cell, as csv.writer would write them.

    The hot loop of `prepare` (a report has ~130 cells): the columns shared by the report are
    rendered once, the row's printed description (code ... unit, the same on every report of a
    form) comes from a cache, and only the figures are rendered per cell.
    """
    m = report.meta
    head = _csv_text([[report.report_id, _year(m.year), _text(m.adcode), _text(m.district), report.template]])
    head = head[:-1]
    return "".join(
        f"{head},{i},{_described(r.code, r.section, r.label, r.column, r.row_code, r.column_code, r.unit)},"
        f"{_number_cell(r.value)},{_field(_text(r.raw))},{_number_cell(r.value_normalized)},"
        f"{_field(_text(r.unit_normalized))}\n"
        for i, r in enumerate(report.rows)
    )


@lru_cache(maxsize=16_384)
def _described(*cells: str | None) -> str:
    return ",".join(_field(_text(c)) for c in cells)


def _field(text: str | None) -> str:
    """A text cell as csv.writer writes it in a row of several (QUOTE_MINIMAL, "\n" line ends)."""
    if text is None:
        return ""
    return '"' + text.replace('"', '""') + '"' if _QUOTED.search(text) else text


def _number_cell(value: Any) -> str:
    """A figure as `_csv_text` writes it (blank for None, NaN and non-numbers)."""
    if value is None:  # the common cases first: ~130 cells a report
        return ""
    if type(value) is int:
        return str(value)
    number = _number(value)
    if number is None:
        return ""
    if isinstance(number, float):
        return _csv_float(number) if type(number) is float else repr(number)  # csv uses repr for floats
    return str(number)


def _panel_by_code(report: Report) -> dict[str, Any]:
    """One figure per code, in the form's unit (value_normalized where the cell printed another);
    the first cell of a code wins, blank or not."""
    by_code: dict[str, Any] = {}
    for row in report.rows:
        code = _text(row.code)
        if code and code not in by_code:
            normalized = _number(row.value_normalized)
            by_code[code] = normalized if normalized is not None else _number(row.value)
    return by_code
