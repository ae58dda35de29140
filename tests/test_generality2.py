"""Generality audit 2: page metadata from across the country, and PDF/.docx reports of all three forms.

Area A: tests/fixtures/generality2/meta-*.html (built by tests/generality2_build.py) are article
pages whose title, source line and TRS/Hanweb meta tags vary the way real ones do; meta_cases.csv
gives every expected metadata field (year, published, title, publisher, province, city, district,
adcode, adcode_current). Area B: text-layer PDFs drawn the way WPS/Word exports print the forms,
and a .docx; `<fixture>.expected.csv` lists every cell (empty value = blank, must be missing, not 0)
and doc_cases.csv the template, year, title, publish date and adcode.

Cases that fail today are xfail(strict=True) with the reason, so the mark turns into a failure as
soon as a fix lands; the fixer then removes the entry from KNOWN_FAILURES.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

from extractors import extract
from extractors.model import Report

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "generality2"
META_FIELDS = ["year", "published", "title", "publisher", "province", "city", "district", "adcode", "adcode_current"]
#: finding kinds that a clean table whose numbers satisfy every identity must not raise
SPURIOUS = {"identity_failed", "row_count_mismatch", "second_table", "unparsed_value", "extraction_error",
            "narrative_mismatch"}

#: (test, fixture) -> why it fails today; remove an entry when it passes.
KNOWN_FAILURES: dict[tuple[str, str], str] = {
}


def _read(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _params(test: str, cases_file: str) -> list:
    out = []
    for case in _read(cases_file):
        reason = KNOWN_FAILURES.get((test, case["fixture"]))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case, id=case["fixture"], marks=marks))
    return out


@cache
def _report(fixture: str, url: str | None = None) -> Report:
    return extract((FIXTURES / fixture).read_bytes(), filename=fixture, url=url)


def _text(value: object) -> str:
    return "" if value is None else str(value)


# --- Area A: metadata ------------------------------------------------------------------------


@pytest.mark.parametrize("case", _params("meta", "meta_cases.csv"))
def test_metadata_fields(case: dict[str, str]) -> None:
    meta = _report(case["fixture"], case["url"] or None).meta
    wrong = {k: (_text(getattr(meta, k)), case[k]) for k in META_FIELDS if _text(getattr(meta, k)) != case[k]}
    assert not wrong, f"{case['note']}: (got, want) {wrong}; evidence {meta.evidence}"


def test_metadata_cases_cover_the_hard_shapes() -> None:
    """The expectations themselves must stay demanding: same-named districts, code changes, no-district bodies."""
    cases = _read("meta_cases.csv")
    assert len({c["adcode"] for c in cases if c["district"] == "鼓楼区"}) >= 4
    assert sum(c["adcode"] != c["adcode_current"] for c in cases) >= 3
    assert any(c["district"] == "" and c["city"] == "" for c in cases)
    assert all(c["year"] < c["published"][:4] for c in cases)


# --- Area B: PDFs and .docx ------------------------------------------------------------------


def _expected(fixture: str) -> dict[str, float | None]:
    rows = _read(f"{fixture.rsplit('.', 1)[0]}.expected.csv")
    return {r["code"]: (float(r["value"]) if r["value"] else None) for r in rows}


def cell_differences(fixture: str) -> list[str]:
    got: dict[str, object] = {}
    for row in _report(fixture).rows:
        if row.code and row.code not in got:
            got[row.code] = row.value
    diffs = []
    for code, want in _expected(fixture).items():
        if code not in got:
            diffs.append(f"{code}: no row, want {want}")
            continue
        value = got[code]
        if value is None or want is None:
            if value is not want:
                diffs.append(f"{code}: got {value}, want {want}")
        elif abs(float(value) - want) > 1e-9:  # type: ignore[arg-type]
            diffs.append(f"{code}: got {value}, want {want}")
    return diffs


@pytest.mark.parametrize("case", _params("cells", "doc_cases.csv"))
def test_every_cell(case: dict[str, str]) -> None:
    diffs = cell_differences(case["fixture"])
    assert not diffs, f"{len(diffs)} cells wrong ({case['note']}):\n" + "\n".join(diffs[:40])


@pytest.mark.parametrize("case", _params("template", "doc_cases.csv"))
def test_template_year_and_status(case: dict[str, str]) -> None:
    report = _report(case["fixture"])
    assert (report.status, report.template, report.meta.year) == ("ok", case["template"], int(case["year"]))


@pytest.mark.parametrize("case", _params("docmeta", "doc_cases.csv"))
def test_document_metadata(case: dict[str, str]) -> None:
    meta = _report(case["fixture"]).meta
    got = {"title": meta.title, "published": meta.published, "adcode": meta.adcode, "publisher": bool(meta.publisher)}
    assert got == {"title": case["title"], "published": case["published"], "adcode": case["adcode"], "publisher": True}


@pytest.mark.parametrize("case", _params("clean", "doc_cases.csv"))
def test_no_spurious_findings(case: dict[str, str]) -> None:
    """Numbers drawn to satisfy every identity, and a narrative that cites them, raise no count/identity findings."""
    report = _report(case["fixture"])
    spurious = [f"{f.kind}: {f.message}" for f in report.findings if f.kind in SPURIOUS]
    unexpected = [f"{r.code}={r.value}" for r in report.rows if r.code and r.code not in _expected(case["fixture"])]
    assert not spurious, spurious
    assert not unexpected, unexpected


def test_blank_cells_are_in_the_expectations() -> None:
    """The PDFs print blank and '—' cells: the cell check can fail on a 0 that should be missing."""
    blanks = [code for case in _read("doc_cases.csv") for code, v in _expected(case["fixture"]).items() if v is None]
    assert len(blanks) >= 4
