"""The dataset writer: Reports in, `output/` tables out (CSV and Parquet, sorted, atomic, streaming).

Why it looks like this:

* **Streaming.** A national crawl is tens of thousands of reports, so `add()` never keeps them: each
  report is appended as one JSON line to a spool file chosen by (district, year, first two hex
  digits of its id). `close()` reads the spool one small part at a time, in sorted order, and
  streams every table out; memory stays flat whatever the corpus size.
* **Deterministic.** Rows are ordered by (adcode, year, report_id) and, within a report, by cell
  position; `unknown` sorts after every code and year. The same reports give byte-identical files
  whatever order they were added in (pyarrow writes no timestamps); of two inputs with the same
  bytes (same report_id) the first added is kept.
* **Panel in the form's units.** A panel cell is `value_normalized` where the printed cell used
  another unit than the form's (251000元 in a 万元 row), else `value`; values.csv keeps both.
* **Atomic.** Everything is written into a staging folder inside the output folder and swapped in
  at the end (`writers.atomic`); a run that dies leaves the previous dataset as it was.
* **Safe paths.** District folders are named by 6-digit code or `unknown` (`writers.paths`), never by
  a name read from a page.

Columns are the contract in docs/ARCHITECTURE.md § output/ (and writers/templates/datapackage.yaml).
"""

from __future__ import annotations

import csv
import heapq
import json
import math
import os
import re
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Self

import pyarrow as pa
import pyarrow.parquet as pq

from extractors.model import Report
from writers import atomic, paths
from writers.datapackage import write_package

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
#: The files and folder this writer owns in the output folder (others write codebook.csv etc.).
TABLES = ("reports", "values", "panel", "findings")
DISTRICTS = "districts"
#: Cells buffered per table before a Parquet row group is written (rows = cells / columns), so the
#: wide panel (hundreds of columns) flushes as often as it must to keep memory flat.
BATCH_CELLS = 400_000
#: Cells kept as Python rows before they are packed into Arrow arrays. A row group's cells wait as
#: compact Arrow columns (a few bytes a cell), not as Python objects (~60 bytes a cell), so the
#: buffer costs little even when the panel or findings table needs the whole corpus to fill it.
#: The row groups written are the same as with one big buffer: the files stay byte-identical.
PACK_CELLS = 20_000
#: Spool text sorted in memory at once; a bigger spool part is sorted in chunks and merged.
SORT_CHUNK_BYTES = 8 * 2**20
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class DatasetWriter:
    """Collect reports and write output/ on `close()`.

    >>> w = DatasetWriter("output")
    >>> w.add(report, {"fetched_at": "...", "url": "...", "archive_record": "...", "site_id": "..."})
    >>> summary = w.close()
    """

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        self._staging = atomic.new_staging(self.out_dir)
        self._spool = self._staging / "spool"
        self._seen = SeenIds(self._staging / "seen.sqlite")
        self._codes: set[str] = set()
        self._status: Counter[str] = Counter()
        self._counts: Counter[str] = Counter()
        self._summary: dict[str, Any] | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def add(self, report: Report, provenance: Mapping[str, Any] | None = None) -> bool:
        """Spool one report; returns False (and keeps the first) when its bytes were seen already."""
        if self._summary is not None:
            raise RuntimeError("DatasetWriter is closed")
        rid = report.report_id
        if not self._seen.add(rid):
            self._counts["duplicates"] += 1
            return False
        record = _record(report, provenance or {})
        self._codes.update(r[6] for r in record["values"] if r[6])
        self._status[report.status] += 1
        self._counts["values"] += report.n_values
        self._counts["findings"] += len(report.findings)
        # plain strings, not Path: pathlib interns every part it parses, for the life of the process
        part = os.path.join(
            self._spool, paths.district_segment(report.meta.adcode), paths.year_segment(report.meta.year)
        )
        os.makedirs(part, exist_ok=True)
        prefix = rid[:2] if re.fullmatch(r"[0-9a-f]{2}", rid[:2]) else "xx"
        with open(os.path.join(part, f"{prefix}.jsonl"), "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        return True

    def close(self) -> dict[str, Any]:
        """Write every table into the staging folder, swap it into the output folder, sum up."""
        if self._summary is not None:
            return self._summary
        try:
            self._seen.close()
            self._write_all()
            atomic.swap_in(self._staging, self.out_dir, [*_table_files(), DISTRICTS])
        except BaseException:
            self.abort()
            raise
        # Every dataset carries its codebook and data package (issue 6): a researcher who gets
        # only this folder can still read and validate it.
        write_package(self.out_dir)
        self._summary = {
            "out_dir": str(self.out_dir),
            "reports": len(self._seen),
            "values": self._counts["values"],
            "findings": self._counts["findings"],
            "duplicates": self._counts["duplicates"],
            "status": dict(sorted(self._status.items())),
            "codes": len(self._codes),
        }
        return self._summary

    def abort(self) -> None:
        """Drop everything spooled; the output folder keeps its previous dataset."""
        self._seen.close()
        shutil.rmtree(self._staging, ignore_errors=True)
        self._summary = self._summary or {"aborted": True}

    def _write_all(self) -> None:
        codes = sorted(self._codes)
        sinks = {
            "reports": TableSink(self._staging / "reports", REPORT_COLUMNS),
            "values": TableSink(self._staging / "values", VALUE_COLUMNS),
            "panel": TableSink(
                self._staging / "panel", PANEL_ID_COLUMNS + tuple(codes), FLOAT_COLUMNS | set(codes)
            ),
            "findings": TableSink(self._staging / "findings", FINDING_COLUMNS),
        }
        (self._staging / DISTRICTS).mkdir()
        for group in _sorted_dirs(self._spool, depth=2):
            district = LazySink(self._staging / DISTRICTS / group.parent.name / group.name, VALUE_COLUMNS)
            for part in sorted(group.glob("*.jsonl")):
                for record in _load_sorted(part):
                    _emit(record, codes, sinks, district)
            district.close()
        for sink in sinks.values():
            sink.close()


class SeenIds:
    """The report ids added so far, on disk: a national run is a million ids (~100 MB as a set).

    An SQLite table in the staging folder (deleted with it) with a small page cache, so memory
    stays flat; `add` is one indexed insert. No journal, no fsync: the file dies with the run.
    """

    def __init__(self, path: Path) -> None:
        self._db: sqlite3.Connection | None = sqlite3.connect(path, isolation_level=None)
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000;"
            "CREATE TABLE seen (id TEXT PRIMARY KEY) WITHOUT ROWID; BEGIN;"
        )
        self._count = 0

    def add(self, rid: str) -> bool:
        """Record `rid`; False when it was there already."""
        if self._db is None:
            raise RuntimeError("SeenIds is closed")
        if self._db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (rid,)).rowcount == 0:
            return False
        self._count += 1
        return True

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class TableSink:
    """One table written as `<stem>.csv` and `<stem>.parquet` with the same columns and rows."""

    def __init__(self, stem: Path, columns: Iterable[str], floats: Iterable[str] = FLOAT_COLUMNS) -> None:
        stem.parent.mkdir(parents=True, exist_ok=True)
        self.columns = tuple(columns)
        self.schema = pa.schema([(c, _arrow_type(c, frozenset(floats))) for c in self.columns])
        self._csv_file = stem.with_suffix(".csv").open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._csv_file, lineterminator="\n")
        self._csv.writerow(self.columns)
        self._parquet = pq.ParquetWriter(stem.with_suffix(".parquet"), self.schema, compression="zstd")
        self._buffer: list[list[Any]] = []  # rows not yet packed
        self._packed: list[list[pa.Array]] = []  # packed chunks, one array per column
        self._rows = 0  # rows waiting for the next row group (packed and not)
        self._row_groups = 0

    def write(self, row: list[Any]) -> None:
        # csv writes None as "" and ints and strings as they are; only floats need our format
        self._csv.writerow([_csv_float(v) if type(v) is float else v for v in row])
        self._buffer.append(row)
        self._rows += 1
        if self._rows * len(self.columns) >= BATCH_CELLS:
            self._flush()
        elif len(self._buffer) * len(self.columns) >= PACK_CELLS:
            self._pack()

    def close(self) -> None:
        if self._rows or not self._row_groups:
            self._flush()
        self._parquet.close()
        self._csv_file.close()

    def _pack(self) -> None:
        """Turn the buffered Python rows into one Arrow array per column."""
        columns = list(zip(*self._buffer, strict=True)) if self._buffer else [()] * len(self.columns)
        self._packed.append(
            [_arrow_array(col, field.type) for col, field in zip(columns, self.schema, strict=True)]
        )
        self._buffer = []

    def _flush(self) -> None:
        if self._buffer or not self._packed:
            self._pack()
        chunks, self._packed = self._packed, []
        arrays = [
            chunks[0][i] if len(chunks) == 1 else pa.concat_arrays([chunk[i] for chunk in chunks])
            for i in range(len(self.columns))
        ]
        self._parquet.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self._row_groups += 1
        self._rows = 0


class LazySink:
    """A TableSink created on the first row: a district-year without values gets no files."""

    def __init__(self, stem: Path, columns: Iterable[str]) -> None:
        self._args = (stem, tuple(columns))
        self._sink: TableSink | None = None

    def write(self, row: list[Any]) -> None:
        if self._sink is None:
            self._sink = TableSink(*self._args)
        self._sink.write(row)

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()


def _arrow_type(column: str, floats: frozenset[str]) -> pa.DataType:
    if column in INT_COLUMNS:
        return pa.int64()
    if column in floats:
        return pa.float64()
    return pa.string()


def _arrow_array(values: Iterable[Any], dtype: pa.DataType) -> pa.Array:
    if pa.types.is_floating(dtype):
        values = [None if v is None else float(v) for v in values]
    return pa.array(list(values), type=dtype)


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
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("", str(value)))
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


def _record(report: Report, provenance: Mapping[str, Any]) -> dict[str, Any]:
    """The report as spooled: its reports.csv row, values rows and findings rows, in column order."""
    m = report.meta
    rid, year = report.report_id, _year(m.year)
    row = {
        "report_id": rid,
        "source": report.source or provenance.get("url"),
        "title": m.title,
        "publisher": m.publisher,
        "province": m.province,
        "city": m.city,
        "district": m.district,
        "adcode": m.adcode,
        "adcode_current": m.adcode_current,
        "year": year,
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
    values = [
        [rid, year, _text(m.adcode), _text(m.district), report.template, i, _text(r.code), _text(r.section)]
        + [_text(r.label), _text(r.column), _text(r.row_code), _text(r.column_code), _text(r.unit)]
        + [_number(r.value), _text(r.raw), _number(r.value_normalized), _text(r.unit_normalized)]
        for i, r in enumerate(report.rows)
    ]
    findings = [
        [rid, _text(f.kind), _text(f.severity), _text(f.code), _number(f.expected), _number(f.found)]
        + [_text(f.message)]
        for f in report.findings
    ]
    report_row = [row[c] if c in INT_COLUMNS else _text(row[c]) for c in REPORT_COLUMNS]
    return {"report": report_row, "values": values, "findings": findings}


def _emit(record: dict[str, Any], codes: list[str], sinks: dict[str, TableSink], district: LazySink) -> None:
    report = dict(zip(REPORT_COLUMNS, record["report"], strict=True))
    sinks["reports"].write(record["report"])
    for row in record["values"]:
        sinks["values"].write(row)
        district.write(row)
    for row in record["findings"]:
        sinks["findings"].write(row)
    if record["values"]:
        sinks["panel"].write([report[c] for c in PANEL_ID_COLUMNS] + _panel_values(record["values"], codes))


def _panel_values(values: list[list[Any]], codes: list[str]) -> list[Any]:
    """One figure per code, in the form's unit (value_normalized where the cell printed another)."""
    by_code: dict[str, Any] = {}
    for row in values:
        code, value, normalized = row[6], row[13], row[15]
        if code and code not in by_code:
            by_code[code] = normalized if normalized is not None else value
    return [by_code.get(code) for code in codes]


def _load_sorted(part: Path) -> Iterator[dict[str, Any]]:
    """The part's records by report id, one parsed at a time; a part bigger than SORT_CHUNK_BYTES
    (say every unreadable page lands in unknown/unknown) is sorted in chunks and merged."""
    chunks: list[Path] = []
    lines: list[str] = []
    size = 0
    with part.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                lines.append(line)
                size += len(line)
            if size >= SORT_CHUNK_BYTES:
                chunks.append(_spill(part, len(chunks), lines))
                lines, size = [], 0
    if not chunks:
        yield from (json.loads(line) for line in sorted(lines, key=_line_id))
        return
    if lines:
        chunks.append(_spill(part, len(chunks), lines))
    with ExitStack() as stack:
        files = [stack.enter_context(chunk.open(encoding="utf-8")) for chunk in chunks]
        for line in heapq.merge(*files, key=_line_id):
            yield json.loads(line)
    for chunk in chunks:
        chunk.unlink()


def _spill(part: Path, index: int, lines: list[str]) -> Path:
    chunk = part.with_name(f"{part.name}.sorted{index}")
    chunk.write_text("".join(sorted(lines, key=_line_id)), encoding="utf-8")
    return chunk


def _line_id(line: str) -> str:
    return json.loads(line)["report"][0]


def _sorted_dirs(root: Path, depth: int) -> list[Path]:
    """Folders `depth` levels below `root`, codes and years first, `unknown` last."""
    if not root.is_dir():
        return []
    level = [root]
    for _ in range(depth):
        level = [child for folder in level for child in sorted(folder.iterdir()) if child.is_dir()]
    return level


def _table_files() -> list[str]:
    return [f"{name}.{ext}" for name in TABLES for ext in ("csv", "parquet")]
