"""The dataset writer: Reports in, `output/` tables out (CSV and Parquet, sorted, atomic, streaming).

Why it looks like this:

* **Streaming.** A national crawl is tens of thousands of reports, so `add()` never keeps them: each
  report is appended as one line to a spool file chosen by (district, year, first two hex
  digits of its id). `close()` reads the spool one small part at a time, in sorted order, and
  streams every table out; memory stays flat whatever the corpus size.
* **Rendered where it is extracted.** `writers.rows.prepare()` turns a report into its CSV text
  (and panel cells) once, so `ogi extract --workers N` does that work in the workers and the
  parent only spools lines and concatenates text: a serial parent would cap what N workers can
  gain. Parquet is converted from the finished CSV by pyarrow's streaming reader (C++, same row
  groups and types), which gives the same bytes as building Arrow arrays from Python rows at a
  fraction of the cost; the district files are cut from values.parquet's conversion.
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

import heapq
import json
import os
import re
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from itertools import groupby
from pathlib import Path
from typing import Any, Self

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from extractors.model import Report
from writers import atomic
from writers.rows import (
    FINDING_COLUMNS,
    FLOAT_COLUMNS,
    INT_COLUMNS,
    PANEL_ID_COLUMNS,
    REPORT_COLUMNS,
    VALUE_COLUMNS,
    Prepared,
    _csv_text,
    prepare,
)

#: The files and folder this writer owns in the output folder (others write codebook.csv etc.).
TABLES = ("reports", "values", "panel", "findings")
DISTRICTS = "districts"
#: Cells per Parquet row group (rows = cells / columns, rounded up), so the wide panel (hundreds
#: of columns) gets short row groups and the conversion's memory stays flat.
BATCH_CELLS = 400_000
#: Spool text sorted in memory at once; a bigger spool part is sorted in chunks and merged.
SORT_CHUNK_BYTES = 8 * 2**20
#: CSV bytes pyarrow reads at a time when it converts a table to Parquet.
CSV_BLOCK_BYTES = 2**20

_HEX2 = re.compile(r"[0-9a-f]{2}")


class DatasetWriter:
    """Collect reports and write output/ on `close()`.

    >>> w = DatasetWriter("output")
    >>> w.add(report, {"fetched_at": "...", "url": "...", "archive_record": "...", "site_id": "..."})
    >>> summary = w.close()

    `add_prepared(prepare(report, provenance))` is the same as `add`, split so that the rendering
    can run in another process.
    """

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        self._staging = atomic.new_staging(self.out_dir)
        self._spool = str(self._staging / "spool")
        os.mkdir(self._spool)
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
        return self.add_prepared(prepare(report, provenance))

    def add_prepared(self, item: Prepared) -> bool:
        """Spool one prepared report; False (and the first kept) when its bytes were seen already."""
        if self._summary is not None:
            raise RuntimeError("DatasetWriter is closed")
        rid = item.report_id
        if not self._seen.add(rid):
            self._counts["duplicates"] += 1
            return False
        self._codes.update(item.codes)
        self._status[item.status] += 1
        self._counts["values"] += item.n_values
        self._counts["findings"] += item.n_findings
        # One flat folder (no makedirs per report, one rmdir at the end); plain strings, not Path:
        # pathlib interns every part it parses, for the life of the process.
        prefix = rid[:2] if _HEX2.fullmatch(rid[:2]) else "xx"
        part = os.path.join(self._spool, f"{item.district}.{item.year}.{prefix}.jsonl")
        with open(part, "a", encoding="utf-8") as fh:
            fh.write(item.line)
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
        from writers.datapackage import write_package  # pandas: only now, not in every worker

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
        # A district-year's rows are a run of values.csv: its Parquet file is cut from the values
        # conversion (one CSV parse for both), so only its row count is kept here.
        districts: list[tuple[Path, int]] = []
        for (district_segment, year_segment), parts in _spool_groups(self._spool):
            stem = self._staging / DISTRICTS / district_segment / year_segment
            district = LazySink(stem, VALUE_COLUMNS)
            rows = 0
            for part in parts:
                for payload in _load_sorted(part):
                    rows += _emit(payload, codes, sinks, district)
            district.close()
            if rows:
                districts.append((stem.with_suffix(".parquet"), rows))
        for name, sink in sinks.items():
            sink.close(districts if name == "values" else None)


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
    """One table written as `<stem>.csv`, then (unless `parquet=False`) converted to `<stem>.parquet`.

    Rows arrive as CSV text (rendered by `prepare`, possibly in another process); the Parquet file
    is read back from the finished CSV with the table's schema, so both always hold the same rows.
    """

    def __init__(
        self,
        stem: Path,
        columns: Iterable[str],
        floats: Iterable[str] = FLOAT_COLUMNS,
        *,
        parquet: bool = True,
    ) -> None:
        stem.parent.mkdir(parents=True, exist_ok=True)
        self.columns = tuple(columns)
        self.schema = pa.schema([(c, _arrow_type(c, frozenset(floats))) for c in self.columns])
        self._csv_path = stem.with_suffix(".csv")
        self._parquet_path = stem.with_suffix(".parquet") if parquet else None
        self._csv_file = self._csv_path.open("w", encoding="utf-8", newline="")
        self._csv_file.write(_csv_text([self.columns]))

    def write_text(self, text: str) -> None:
        """Rows already rendered as CSV lines (see `prepare`)."""
        self._csv_file.write(text)

    def close(self, runs: Iterable[tuple[Path, int]] | None = None) -> None:
        """Close the CSV and convert it; `runs` (Parquet path, rows) also get the table's rows in order."""
        self._csv_file.close()
        if self._parquet_path is not None:
            csv_to_parquet(self._csv_path, self._parquet_path, self.schema, runs)


class LazySink:
    """A district-year's CSV, created on the first row: a district-year without values gets no files.
    (Its Parquet file is cut from values.parquet's conversion, see `csv_to_parquet`.)"""

    def __init__(self, stem: Path, columns: Iterable[str]) -> None:
        self._args = (stem, tuple(columns))
        self._sink: TableSink | None = None

    def write_text(self, text: str) -> None:
        if self._sink is None:
            self._sink = TableSink(*self._args, parquet=False)
        self._sink.write_text(text)

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()


def csv_to_parquet(
    csv_path: Path, parquet_path: Path, schema: pa.Schema, runs: Iterable[tuple[Path, int]] | None = None
) -> None:
    """Stream a CSV written by this module into Parquet with `schema`; `runs` are further Parquet
    files, each taking the next `rows` rows (the district files: runs of values.csv).

    "" is null: `_text` never writes an empty string. The allocator's free blocks are handed back
    after every block: otherwise its high-water mark creeps up with the file's size (reading 28 MB
    of CSV: +66 MB RSS, +21 MB with this).
    """
    pool = pa.default_memory_pool()
    routed = runs is not None
    todo = iter(runs or ())
    run: RowGroups | None = None
    left = 0
    # read, not memory-mapped: mapped pages of a 500 MB values.csv would count as our memory
    with pa.OSFile(str(csv_path)) as source, RowGroups(parquet_path, schema) as whole:
        reader = pa_csv.open_csv(
            source,
            read_options=pa_csv.ReadOptions(block_size=CSV_BLOCK_BYTES),  # threads: the workers are done
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=schema,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            pool.release_unused()
            whole.add(batch)
            offset = 0 if routed else batch.num_rows
            while offset < batch.num_rows:
                if not left:
                    if run is not None:
                        run.close()
                    path, left = next(todo)
                    run = RowGroups(path, schema)
                take = min(left, batch.num_rows - offset)
                run.add(batch.slice(offset, take))  # type: ignore[union-attr]
                offset, left = offset + take, left - take
        if run is not None:
            run.close()
    if routed and (left or next(todo, None) is not None):
        raise RuntimeError(f"{csv_path.name}: the row counts of the runs do not add up to the table's")


class RowGroups:
    """A Parquet file whose row groups hold exactly ceil(BATCH_CELLS / columns) rows (the last one
    the rest; an empty table one empty group), however the rows arrive: the file does not depend
    on how pyarrow cut the CSV into blocks, and the wide panel gets short groups (flat memory)."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        self._schema = schema
        self._size = -(-BATCH_CELLS // len(schema))
        self._pending: list[pa.RecordBatch] = []
        self._rows = self._groups = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, batch: pa.RecordBatch) -> None:
        self._pending.append(batch)
        self._rows += batch.num_rows
        while self._rows >= self._size:
            table = pa.Table.from_batches(self._pending, self._schema)
            self._writer.write_table(table.slice(0, self._size).combine_chunks())
            self._groups += 1
            rest = table.slice(self._size)
            self._pending, self._rows = rest.to_batches(), rest.num_rows

    def close(self) -> None:
        if self._writer.is_open:
            if self._rows or not self._groups:
                self._writer.write_table(pa.Table.from_batches(self._pending, self._schema).combine_chunks())
            self._writer.close()


def _arrow_type(column: str, floats: frozenset[str]) -> pa.DataType:
    if column in INT_COLUMNS:
        return pa.int64()
    if column in floats:
        return pa.float64()
    return pa.string()


def _emit(payload: list[Any], codes: list[str], sinks: dict[str, TableSink], district: LazySink) -> int:
    """One spooled report into every table (its text as rendered; the panel row laid out here,
    where the full set of codes is known). Returns its number of values rows."""
    report, values, findings, panel_ids, cells, n_rows = payload
    sinks["reports"].write_text(report)
    if values:
        sinks["values"].write_text(values)
        district.write_text(values)
    if findings:
        sinks["findings"].write_text(findings)
    if panel_ids is not None:
        row = ",".join([panel_ids, *(cells.get(code, "") for code in codes)])
        sinks["panel"].write_text(row + "\n")
    return n_rows


def _load_sorted(part: Path) -> Iterator[list[Any]]:
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
        yield from (_payload(line) for line in sorted(lines, key=_line_id))
        return
    if lines:
        chunks.append(_spill(part, len(chunks), lines))
    with ExitStack() as stack:
        files = [stack.enter_context(chunk.open(encoding="utf-8")) for chunk in chunks]
        for line in heapq.merge(*files, key=_line_id):
            yield _payload(line)
    for chunk in chunks:
        chunk.unlink()


def _spill(part: Path, index: int, lines: list[str]) -> Path:
    chunk = part.with_name(f"{part.name}.sorted{index}")
    chunk.write_text("".join(sorted(lines, key=_line_id)), encoding="utf-8")
    return chunk


def _line_id(line: str) -> str:
    """The report id a spool line starts with (JSON-encoded, before the tab)."""
    return json.loads(line[: line.index("\t")])


def _payload(line: str) -> list[Any]:
    return json.loads(line[line.index("\t") + 1 :])


def _spool_groups(spool: str) -> Iterator[tuple[tuple[str, str], list[Path]]]:
    """Spool parts grouped by (district, year), in output order: codes and years first, `unknown`
    last. Part names are `<district>.<year>.<prefix>.jsonl` with fixed-width segments (6-digit
    code or "unknown", 4-digit year or "unknown", 2 hex digits or "xx"), so sorting the names
    sorts by district, then year, then prefix."""
    names = sorted(name for name in os.listdir(spool) if name.endswith(".jsonl"))
    for key, group in groupby(names, key=lambda name: tuple(name.split(".")[:2])):
        yield (key[0], key[1]), [Path(spool, name) for name in group]


def _table_files() -> list[str]:
    return [f"{name}.{ext}" for name in TABLES for ext in ("csv", "parquet")]
