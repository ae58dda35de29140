"""The generality fixes hold in both readers: the page's own table (grid) and the same page flattened.

tests/test_generality.py reads each audit page as published; here the new-form pages are also read
with their <table>s dropped (one cell per line, as a Word-pasted page that lost its table reads),
so a fix made in one reader only shows up as a failure.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from extractors import govform
from extractors.codebook import load_codebook
from extractors.load import load_document
from extractors.model import TableResult

GENERALITY = Path(__file__).resolve().parent / "fixtures" / "generality"


def read(fixture: str, flat: bool) -> TableResult:
    doc, _ = load_document((GENERALITY / fixture).read_bytes(), filename=fixture)
    assert doc is not None
    if flat:
        doc.tables = []
    result = govform.read(doc, load_codebook())
    assert result is not None
    return result


def expected(fixture: str) -> dict[str, float | None]:
    path = GENERALITY / f"{fixture.rsplit('.', 1)[0]}.expected.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code"]: (float(r["value"]) if r["value"] else None) for r in csv.DictReader(f)}


def differences(result: TableResult, want: dict[str, float | None]) -> list[str]:
    got: dict[str, object] = {}
    for row in result.rows:
        got.setdefault(row.code or "", row.value)
    diffs = [
        f"{code}: got {got.get(code, 'no row')}, want {v}"
        for code, v in want.items()
        if got.get(code, "x") != v
    ]
    diffs += [f"{code}: not expected" for code in got if code and code not in want]
    return diffs


@pytest.mark.parametrize("flat", [False, True], ids=["grid", "lines"])
def test_table_three_without_total_column(flat: bool) -> None:
    """Six applicant columns only: read them; total cells absent (no row, no missing_value), one info."""
    result = read("fj-huli-2020-no-total-column.html", flat)
    assert not differences(result, expected("fj-huli-2020-no-total-column.html"))
    assert not any(r.column_code == "total" for r in result.rows if r.section == "t3")
    kinds = [f.kind for f in result.findings]
    assert kinds.count("column_not_printed") == 1
    assert "row_count_mismatch" not in kinds
    assert "missing_value" not in kinds


def test_tab_copy_rows_without_their_group_cells() -> None:
    """A browser copy to tabs drops the cells rowspan group labels cover; a blank first value stays put."""
    fixture = "sh-hongkou-2019-tabs.txt"
    text = (GENERALITY / fixture).read_text(encoding="utf-8")
    row = "2.其他法律行政法规禁止公开\t1\t"
    assert row in text
    doc, _ = load_document(
        text.replace(row, "2.其他法律行政法规禁止公开\t\t").encode("utf-8"), filename=fixture
    )
    assert doc is not None
    result = govform.read(doc, load_codebook())
    assert result is not None
    want = expected(fixture) | {"apps.result.denied.law_prohibited@natural_person": None}
    assert not differences(result, want)
