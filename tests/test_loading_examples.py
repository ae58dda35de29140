"""docs/LOADING.md: every Python block runs, in order, against a generated output/ folder.

So the loading examples (pandas, Parquet folder, DuckDB, provenance join) cannot rot; the R block is
not run (no R on CI) but the files it reads must exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.research_sample import build_output, fixture_codebook
from writers.datapackage import write_package

DOC = Path(__file__).resolve().parents[1] / "docs" / "LOADING.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def blocks(language: str) -> list[str]:
    return [code for lang, code in BLOCK.findall(DOC.read_text(encoding="utf-8")) if lang == language]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("loading")
    write_package(build_output(root / "output"), fixture_codebook())
    return root


@pytest.fixture(scope="module")
def namespace(workdir) -> dict:
    ns: dict = {}
    mp = pytest.MonkeyPatch()
    mp.chdir(workdir)
    try:
        for i, code in enumerate(blocks("python")):
            exec(compile(code, f"LOADING.md python block {i + 1}", "exec"), ns)  # noqa: S102
    finally:
        mp.undo()
    return ns


def test_doc_has_python_duckdb_and_r_examples():
    python = "\n".join(blocks("python"))
    assert "pd.read_csv(" in python
    assert "pd.read_parquet(" in python
    assert "import duckdb" in python
    assert blocks("r")


def test_pandas_examples_load_every_row(namespace, workdir):
    out = workdir / "output"
    assert len(namespace["values"]) == len(pd.read_parquet(out / "values.parquet")) > 0
    assert len(namespace["reports"]) == len(pd.read_parquet(out / "reports.parquet"))
    assert namespace["reports"]["adcode"].dropna().str.fullmatch(r"\d{6}").all()  # kept as text
    assert len(namespace["long"]) == sum(len(pd.read_csv(p)) for p in out.glob("districts/*/*.csv"))
    assert len(namespace["panel"]) == namespace["values"]["report_id"].nunique()


def test_crosswalk_example_joins_both_forms(namespace):
    requests = namespace["requests"]
    assert requests.loc["崇川区", 2017] == 31  # legacy requests.received
    assert requests.loc["崇川区", 2019] == 40  # gov2021 apps.new@total
    assert pd.isna(requests.loc["崇川区", 2016])  # the blank 2016 cell stays blank, not 0


def test_duckdb_examples(namespace):
    by_year = namespace["by_year"].set_index("year")
    assert by_year.loc[2017, "total"] == 31
    assert by_year.loc[2024, "total"] == 95
    per_district = namespace["per_district"]
    assert per_district["cells"].sum() == len(namespace["long"])
    assert per_district.set_index(["adcode", "year"]).loc[("320602", 2019), "cells"] == 6


def test_provenance_example_traces_every_value(namespace):
    trace = namespace["trace"]
    assert len(trace) == len(namespace["values"])
    for column in ("source", "fetched_at", "sha256", "archive_record", "extractor_version", "raw", "label"):
        assert column in trace.columns
    assert trace["source"].notna().all()
    assert all(sha.startswith(rid) for sha, rid in zip(trace["sha256"], trace["report_id"], strict=True))


def test_r_example_reads_files_that_exist(workdir):
    for path in re.findall(r'"(output/[^"]+)"', "\n".join(blocks("r"))):
        assert (workdir / path).exists(), path
