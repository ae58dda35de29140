"""Generality audit: realistic page shapes and wording variants must read cell for cell.

The pages in tests/fixtures/generality/ (built by tests/generality_build.py) reproduce how real
reports from places and years outside this repository print the three national forms. Each test
asserts every expected cell (blank cells must come out as missing, never 0), the template and the
year. Cases that fail today are marked xfail(strict=True) with the precise reason, so the mark
turns into a failure as soon as a fix lands; the fixer then removes the mark.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from extractors import extract

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "generality"

#: fixture -> reason it fails today (see the audit report); remove an entry when it passes.
KNOWN_FAILURES: dict[str, str] = {}


def _cases() -> list[dict[str, str]]:
    with (FIXTURES / "cases.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _expected(fixture: str) -> dict[str, float | None]:
    path = FIXTURES / f"{fixture.rsplit('.', 1)[0]}.expected.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code"]: (float(r["value"]) if r["value"] else None) for r in csv.DictReader(f)}


def _params() -> list:
    out = []
    for case in _cases():
        marks = []
        if case["fixture"] in KNOWN_FAILURES:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[case["fixture"]]))
        out.append(pytest.param(case, id=case["fixture"], marks=marks))
    return out


_MISSING = object()


def cell_differences(fixture: str) -> list[str]:
    """Every expected cell that does not come out as expected, as 'code: got X, want Y'."""
    report = extract((FIXTURES / fixture).read_bytes(), filename=fixture)
    got: dict[str, object] = {}
    for row in report.rows:
        if row.code and row.code not in got:
            got[row.code] = row.value
    diffs = []
    for code, want in _expected(fixture).items():
        value = got.get(code, _MISSING)
        if value is _MISSING:
            diffs.append(f"{code}: no row, want {want}")
        elif value is None or want is None:
            if value is not want:
                diffs.append(f"{code}: got {value}, want {want}")
        elif abs(float(value) - want) > 1e-9:  # type: ignore[arg-type]
            diffs.append(f"{code}: got {value}, want {want}")
    return diffs


@pytest.mark.parametrize("case", _params())
def test_every_cell(case: dict[str, str]) -> None:
    diffs = cell_differences(case["fixture"])
    assert not diffs, f"{len(diffs)} cells wrong ({case['note']}):\n" + "\n".join(diffs[:40])


@pytest.mark.parametrize("case", _params())
def test_template_and_year(case: dict[str, str]) -> None:
    report = extract((FIXTURES / case["fixture"]).read_bytes(), filename=case["fixture"])
    assert (report.template, report.meta.year) == (case["template"], int(case["year"]))


def test_blank_cells_are_missing_not_zero() -> None:
    """A page's '——', '/', '无' cells exist in the expected lists as blanks: the check above can fail on them."""
    blanks = [code for case in _cases() for code, v in _expected(case["fixture"]).items() if v is None]
    assert len(blanks) >= 10
