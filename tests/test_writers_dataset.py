"""DatasetWriter: what is written reads back, CSV and Parquet agree, reruns are byte-identical,
a crash keeps the previous dataset, and memory stays flat however many reports are added."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.model import Finding, Metadata, Report, Row
from writers import dataset, rows
from writers.dataset import DatasetWriter


def make_report(n: int, adcode: str | None = "320602", year: int | None = 2016, rows: int = 4) -> Report:
    meta = Metadata(
        title=f"{year}年崇川区政府信息公开工作年度报告",
        publisher="崇川区人民政府",
        province="江苏省",
        city="南通市",
        district="崇川区",
        adcode=adcode,
        adcode_current="320613" if adcode == "320602" else adcode,
        year=year,
        published="2017-02-22",
    )
    cells = [
        Row(f"code.{i}", "requests", f"标签{i}", unit="件", value=n * 10 + i, raw=str(n * 10 + i))
        for i in range(rows - 2)
    ]
    cells.append(
        Row("fees.amount", "fees", "收费", unit="万元", value=25.1, raw="251000元", value_normalized=25.1)
    )
    cells.append(Row("fees.blank", "fees", "专项经费", unit="万元", value=None, raw=""))
    return Report(
        source=f"page-{n}.html",
        sha256=hashlib.sha256(f"page {n}".encode()).hexdigest(),
        status="ok",
        meta=meta,
        template="legacy",
        template_variant="legacy-2014",
        rows=cells,
        findings=[Finding("missing_value", "blank cell", code="fees.blank")],
        extractor_version="test",
        content_type="html",
    )


def write(out: Path, reports: list[Report], provenance: dict | None = None) -> dict:
    writer = DatasetWriter(out)
    for report in reports:
        writer.add(report, provenance)
    return writer.close()


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_round_trip_csv_and_parquet_agree(tmp_path):
    reports = [make_report(1), make_report(2, "320611", 2017), make_report(3, None, None)]
    summary = write(
        tmp_path, reports, {"fetched_at": "2026-01-02T03:04:05Z", "archive_record": ["a.warc.gz", 7]}
    )
    assert summary["reports"] == 3
    assert summary["values"] == 9
    for table, key in (("reports", ["report_id"]), ("values", ["report_id", "position"]), ("findings", None)):
        csv = pd.read_csv(tmp_path / f"{table}.csv", dtype={"adcode": str, "adcode_current": str})
        parquet = pd.read_parquet(tmp_path / f"{table}.parquet")
        assert list(csv.columns) == list(parquet.columns)
        assert len(csv) == len(parquet)
        for column in csv.columns:
            left, right = csv[column].tolist(), parquet[column].tolist()
            assert [None if pd.isna(v) else str(v) for v in left] == [
                None if pd.isna(v) else str(v) for v in right
            ], (table, column)
        if key:
            assert not parquet.duplicated(key).any()
    reports_df = pd.read_parquet(tmp_path / "reports.parquet")
    assert list(reports_df.columns) == list(dataset.REPORT_COLUMNS)
    assert reports_df["archive_record"].tolist() == ["a.warc.gz#7"] * 3
    values = pd.read_parquet(tmp_path / "values.parquet")
    assert list(values.columns) == list(dataset.VALUE_COLUMNS)
    blank = values[values["code"] == "fees.blank"]
    assert blank["value"].isna().all()  # a blank cell stays missing, never 0
    panel = pd.read_parquet(tmp_path / "panel.parquet")
    assert panel.columns[: len(dataset.PANEL_ID_COLUMNS)].tolist() == list(dataset.PANEL_ID_COLUMNS)
    assert panel.columns[len(dataset.PANEL_ID_COLUMNS) :].tolist() == sorted(values["code"].dropna().unique())
    first = panel.set_index("report_id").loc[reports[0].report_id]
    assert first["code.0"] == 10
    assert first["fees.amount"] == 25.1
    assert pd.isna(first["fees.blank"])


def test_sorted_by_district_year_report_and_position(tmp_path):
    reports = [make_report(i, adcode, year) for i, (adcode, year) in enumerate(
        [("350128", 2017), (None, 2016), ("320602", 2016), ("320602", 2015), ("320602", None)]
    )]  # fmt: skip
    write(tmp_path, reports)
    rep = pd.read_csv(tmp_path / "reports.csv", dtype={"adcode": str})
    keys = list(zip(rep["adcode"].fillna("~"), rep["year"].fillna(9999), rep["report_id"], strict=True))
    assert keys == sorted(keys)
    values = pd.read_csv(tmp_path / "values.csv", dtype={"adcode": str})
    for _, group in values.groupby("report_id", sort=False):
        assert group["position"].tolist() == list(range(len(group)))


def test_district_files(tmp_path):
    write(tmp_path, [make_report(1), make_report(2), make_report(3, "320611", 2017), make_report(4, None)])
    files = sorted(str(p.relative_to(tmp_path / "districts")) for p in (tmp_path / "districts").rglob("*.*"))
    assert files == [
        "320602/2016.csv",
        "320602/2016.parquet",
        "320611/2017.csv",
        "320611/2017.parquet",
        "unknown/2016.csv",
        "unknown/2016.parquet",
    ]
    chongchuan = pd.read_parquet(tmp_path / "districts" / "320602" / "2016.parquet")
    assert len(chongchuan) == 8
    assert set(chongchuan["adcode"]) == {"320602"}


def test_rerun_is_byte_identical_whatever_the_order(tmp_path):
    reports = [make_report(i, adcode) for i, adcode in enumerate(["320602", "350128", None, "320611"] * 3)]
    write(tmp_path / "a", reports)
    write(tmp_path / "b", list(reversed(reports)))
    write(tmp_path / "a", reports)  # rerun over an existing dataset
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_duplicate_bytes_are_written_once(tmp_path):
    writer = DatasetWriter(tmp_path)
    assert writer.add(make_report(1))
    assert not writer.add(make_report(1))
    summary = writer.close()
    assert summary["duplicates"] == 1
    assert len(pd.read_parquet(tmp_path / "reports.parquet")) == 1


def test_empty_dataset_still_has_every_table(tmp_path):
    write(tmp_path, [])
    for table in dataset.TABLES:
        assert pd.read_parquet(tmp_path / f"{table}.parquet").empty
        assert (tmp_path / f"{table}.csv").read_text(encoding="utf-8").count("\n") == 1


def test_crash_mid_write_keeps_previous_dataset(tmp_path, monkeypatch):
    write(tmp_path, [make_report(1), make_report(2)])
    (tmp_path / "codebook.csv").write_text("code\n", encoding="utf-8")  # someone else's file
    before = snapshot(tmp_path)
    calls = {"n": 0}
    real_write = dataset.TableSink.write_text

    def failing_write(self, text):
        calls["n"] += 1
        if calls["n"] > 5:
            raise KeyboardInterrupt("simulated crash")
        real_write(self, text)

    monkeypatch.setattr(dataset.TableSink, "write_text", failing_write)
    writer = DatasetWriter(tmp_path)
    for i in range(3, 10):
        writer.add(make_report(i, "350128", 2018))
    with pytest.raises(KeyboardInterrupt):
        writer.close()
    assert snapshot(tmp_path) == before
    assert not list(tmp_path.glob(".ogi-staging-*"))


def test_killed_process_keeps_previous_dataset_and_next_run_cleans_up(tmp_path):
    write(tmp_path, [make_report(1)])
    before = snapshot(tmp_path)
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path[:0] = [{str(Path(__file__).parents[1])!r}]
        from tests.test_writers_dataset import make_report
        from writers import atomic
        from writers.dataset import DatasetWriter
        atomic.swap_in = lambda *a, **k: os._exit(9)  # dies after staging, before the swap
        w = DatasetWriter({str(tmp_path)!r})
        for i in range(2, 40):
            w.add(make_report(i))
        w.close()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 9, result.stderr
    assert list(tmp_path.glob(".ogi-staging-*"))  # the dead run's staging is there ...
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.startswith(".ogi-staging-")} == before
    write(tmp_path, [make_report(1)])
    assert not list(tmp_path.glob(".ogi-staging-*"))  # ... and the next run removes it
    assert snapshot(tmp_path) == before


def _peak_memory(out: Path, n: int) -> tuple[int, int]:
    """Peak traced memory (bytes) while adding n reports, and while closing."""
    writer = DatasetWriter(out)
    reports = (make_report(i, None if i % 3 else "320602", 2016, rows=30) for i in range(n))
    tracemalloc.start()
    try:
        for report in reports:
            writer.add(report)
        _, peak_add = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        writer.close()
        _, peak_close = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak_add, peak_close


def test_memory_stays_flat(tmp_path, monkeypatch):
    monkeypatch.setattr(dataset, "BATCH_CELLS", 5_000)
    small = _peak_memory(tmp_path / "small", 150)
    large = _peak_memory(tmp_path / "large", 900)
    # six times the reports (27 000 values) may not take much more memory to add or to write
    assert large[0] < small[0] * 1.5 + 2**19  # only the set of seen report ids grows
    assert large[1] < small[1] * 1.5
    assert len(pd.read_parquet(tmp_path / "large" / "values.parquet", columns=["position"])) == 900 * 30


def test_no_file_is_left_open_or_half_named(tmp_path):
    write(tmp_path, [make_report(1)])
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]
    assert leftovers == []
    assert os.listdir(tmp_path)


def test_reports_without_values_get_no_district_file(tmp_path):
    empty = make_report(9, "350128", 2014)
    empty.rows, empty.status = [], "not_report"
    write(tmp_path, [make_report(1), empty])
    assert sorted(p.name for p in (tmp_path / "districts").iterdir()) == ["320602"]
    assert len(pd.read_parquet(tmp_path / "reports.parquet")) == 2
    assert len(pd.read_parquet(tmp_path / "panel.parquet")) == 1


_cells = st.one_of(st.none(), st.text(max_size=30))
_numbers = st.one_of(st.none(), st.integers(-(10**9), 10**9), st.floats(-1e9, 1e9, allow_nan=False))


@settings(max_examples=25, deadline=None)
@given(labels=st.lists(st.tuples(_cells, _cells, _numbers), min_size=1, max_size=6), title=_cells)
def test_any_text_and_numbers_read_back_the_same_from_csv_and_parquet(tmp_path_factory, labels, title):
    out = tmp_path_factory.mktemp("prop")
    report = make_report(1)
    report.meta.title = title
    report.rows = [
        Row("c.x", "s", label or "", unit=unit, value=value, raw=label) for label, unit, value in labels
    ]
    write(out, [report])
    for table in ("reports", "values"):
        csv = pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False)
        parquet = pd.read_parquet(out / f"{table}.parquet")
        for column in csv.columns:
            for left, right in zip(csv[column], parquet[column], strict=True):
                if pd.isna(right):
                    assert left == ""
                elif isinstance(right, float):
                    assert float(left) == right
                else:
                    assert left == str(right)


def _traced_peaks(out: Path, n: int) -> tuple[int, int]:
    """Peak traced bytes above the start while adding n reports, and while closing (issue 7)."""
    reports = (make_report(i, ("320602", "110101")[i % 2], 2014 + i % 3, rows=12) for i in range(n))
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        writer = DatasetWriter(out)
        for report in reports:
            writer.add(report)
        peak_add = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.reset_peak()
        writer.close()
        peak_close = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return peak_add, peak_close


def test_peak_memory_at_3k_reports_is_that_at_1k_plus_a_constant(tmp_path):
    """Nothing the writer keeps grows with the corpus: no set of ids, no Python-row buffers."""
    _traced_peaks(tmp_path / "warm", 50)  # imports, caches and interned path parts, once
    small = _traced_peaks(tmp_path / "1k", 1_000)
    large = _traced_peaks(tmp_path / "3k", 3_000)
    assert large[0] < small[0] + 2**17, (small, large)  # 2 000 more ids in a set would be ~210 KB
    assert large[1] < small[1] + 2**20, (small, large)  # 2 000 more panel rows as Python ~1.7 MB
    assert len(pd.read_parquet(tmp_path / "3k" / "panel.parquet", columns=["year"])) == 3_000


def test_big_spool_parts_are_sorted_in_chunks_with_the_same_bytes(tmp_path, monkeypatch):
    """A part bigger than SORT_CHUNK_BYTES is sorted in chunks and merged: same files, no leftovers."""
    reports = [make_report(i, None, None, rows=6) for i in range(300)]  # all in unknown/unknown
    write(tmp_path / "whole", reports)
    monkeypatch.setattr(dataset, "SORT_CHUNK_BYTES", 2_000)
    write(tmp_path / "chunked", reports[::-1])
    assert snapshot(tmp_path / "chunked") == snapshot(tmp_path / "whole")
    assert not list((tmp_path / "chunked").rglob("*.sorted*"))


def test_district_parquet_files_are_runs_of_values_in_exact_row_groups(tmp_path, monkeypatch):
    """District files are cut from the values conversion: same rows as values, row groups of
    ceil(BATCH_CELLS / columns) rows however pyarrow cuts the CSV into blocks (issue 7)."""
    monkeypatch.setattr(dataset, "BATCH_CELLS", 10 * len(dataset.VALUE_COLUMNS))  # 10 rows a group
    monkeypatch.setattr(dataset, "CSV_BLOCK_BYTES", 3_000)  # blocks end mid-district
    places = [("320602", 2016), ("320611", 2017), (None, None)]
    reports = [make_report(i, *places[i % 3], rows=7) for i in range(12)]
    reports[4].rows[0].label = '多行\n标签, 带 "引号"'  # a quoted field with a newline
    write(tmp_path, reports)
    values = pd.read_parquet(tmp_path / "values.parquet")
    files = sorted((tmp_path / "districts").rglob("*.parquet"))
    assert [str(f.relative_to(tmp_path / "districts")) for f in files] == [
        "320602/2016.parquet", "320611/2017.parquet", "unknown/unknown.parquet",
    ]  # fmt: skip
    parts = [pd.read_parquet(f) for f in files]
    assert pd.concat(parts, ignore_index=True).equals(values)
    for f, part in zip(files, parts, strict=True):
        meta = pq.ParquetFile(f).metadata
        assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [10, 10, 8]
        assert len(part) == 28
        assert len(pd.read_csv(f.with_suffix(".csv"))) == 28
    assert values["label"].str.contains("\n", na=False).sum() == 1


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=2, max_size=5))
def test_fast_cell_rendering_is_what_csv_writer_writes(texts):
    """`prepare` renders values rows without csv.writer (3x faster, issue 7): same text, any input."""
    cleaned = [rows._text(t) for t in texts]
    assert ",".join(rows._field(t) for t in cleaned) + "\n" == rows._csv_text([cleaned])
    numbers = [None, 3, -0.5, 13100.0, 1e300, float("inf"), float("nan"), True, "7"]
    assert ",".join(rows._number_cell(n) for n in numbers) + "\n" == rows._csv_text(
        [[rows._number(n) for n in numbers]]
    )
