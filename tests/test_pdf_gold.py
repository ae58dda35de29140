"""End to end: `extractors.extract(pdf_bytes)` on the three real Jiangsu PDFs gives every gold value.

The PDFs and their hand-checked gold.csv are read from ../shared/real-reports; gold labels
("row path | column") are mapped to codes by tests/fixtures/pdf/gold_codes.yaml, written by hand.
This runs the whole chain: load → pdf → govform → validate. The source's own arithmetic errors
(洪泽 2023: 复议 总计 printed 0 next to 维持 10 + 纠正 1) must be kept as printed and reported.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from extractors import extract
from extractors.model import Report

REAL = ["js-huaian-city-2024", "js-huaian-hongze-2023", "js-huaian-hongze-2024"]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pdf"
SECTIONS = {"二": "t2", "三": "t3", "四": "t4"}


@pytest.fixture(scope="module")
def codes() -> dict:
    return yaml.safe_load((FIXTURES / "gold_codes.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reports(shared_dir: Path) -> dict[str, Report]:
    """Each real PDF extracted once."""
    out = {}
    for name in REAL:
        path = shared_dir / "real-reports" / name / "report.pdf"
        out[name] = extract(path.read_bytes(), filename=path.name)
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def gold_cells(shared_dir: Path, name: str, codes: dict) -> list[tuple[str, str, float, str]]:
    """(code, gold label, value, unit) for every row of the report's gold.csv."""
    with (shared_dir / "real-reports" / name / "gold.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        section = SECTIONS[row["section"][0]]
        path, column = row["label"].rsplit(" | ", 1)
        key = "/".join(_squash(p) for p in path.split(" / "))
        row_code, col_code = codes[section]["rows"][key], codes[section]["columns"][_squash(column)]
        code = f"{row_code}.{col_code}" if section == "t4" else f"{row_code}@{col_code}"
        out.append((code, row["label"], float(row["value"]), row["unit"]))
    return out


@pytest.mark.parametrize("name", REAL)
def test_report_is_read_as_a_new_form_pdf(reports, name):
    report = reports[name]
    assert report.content_type == "pdf"
    assert report.status == "ok", report.message
    assert report.template in {"gov2019", "gov2021"}
    assert report.meta.year == int(name[-4:])


@pytest.mark.parametrize("name", REAL)
def test_every_gold_value(reports, shared_dir, codes, name):
    by_code: dict[str, list] = {}
    for row in reports[name].rows:
        by_code.setdefault(row.code, []).append(row)
    gold = gold_cells(shared_dir, name, codes)
    wrong = []
    for code, label, value, unit in gold:
        rows = by_code.get(code, [])
        if len(rows) != 1 or rows[0].value is None or float(rows[0].value) != value:
            wrong.append((code, label, value, [r.value for r in rows]))
        elif unit and rows[0].unit != unit:
            wrong.append((code, label, unit, rows[0].unit))
    right = len(gold) - len(wrong)
    assert not wrong, f"{name}: {right}/{len(gold)} gold values right; wrong: {wrong[:6]}"


def test_source_arithmetic_errors_kept_and_reported(reports):
    """洪泽 2023 prints 复议 总计 0 (维持 10 + 纠正 1) and 复议后起诉 总计 0 (维持 5)."""
    report = reports["js-huaian-hongze-2023"]
    values = {r.code: r.value for r in report.rows}
    assert values["review.total"] == 0
    assert values["review.upheld"] == 10
    assert values["litigation.after_review.total"] == 0
    failed = {f.code: f for f in report.findings if f.kind == "identity_failed"}
    assert failed["review.total"].found == 0
    assert failed["review.total"].expected == 11
    assert failed["litigation.after_review.total"].found == 0
    assert failed["litigation.after_review.total"].expected == 5
    assert set(failed) == {"review.total", "litigation.after_review.total"}, sorted(failed)


@pytest.mark.parametrize("name", ["js-huaian-city-2024", "js-huaian-hongze-2024"])
def test_consistent_reports_fail_no_identity(reports, name):
    failed = [f.message for f in reports[name].findings if f.kind == "identity_failed"]
    assert not failed


def test_scanned_pdf_needs_ocr():
    report = extract((FIXTURES / "shili-county-2022-scan.pdf").read_bytes(), filename="scan.pdf")
    assert report.status == "needs_ocr"
    assert "OCR" in report.message
    assert report.rows == []


def test_encrypted_pdf_is_unreadable_with_the_reason():
    report = extract((FIXTURES / "shili-county-2022-encrypted.pdf").read_bytes())
    assert report.status == "unreadable"
    assert "password" in report.message


@pytest.mark.parametrize("data", [b"%PDF-1.7\n", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer\n%%EOF"])
def test_broken_pdf_is_unreadable(data):
    report = extract(data)
    assert report.status == "unreadable"
    assert report.message


def test_table_as_a_picture_is_flagged_not_failed():
    report = extract((FIXTURES / "shili-county-2022-mixed.pdf").read_bytes(), filename="mixed.pdf")
    assert report.status in {"no_table", "not_report"}
    assert [f.message for f in report.findings if f.kind == "needs_ocr"] == [
        "page 2 is an image without a text layer: what it shows (a table?) needs OCR"
    ]


@pytest.fixture(scope="module")
def synthetic_reports() -> dict[str, Report]:
    names = ("ruled", "unruled", "repeated-header")
    return {n: extract((FIXTURES / f"shili-county-2022-{n}.pdf").read_bytes()) for n in names}


@pytest.mark.parametrize("kind", ["ruled", "unruled", "repeated-header"])
def test_synthetic_table_through_the_pipeline(synthetic_reports, kind):
    """The part of table 三 in the synthetic PDFs: every cell coded, blanks kept blank, the rows
    after the page break (and its cut group cell) in their groups."""
    report = synthetic_reports[kind]
    values = {r.code: r.value for r in report.rows}
    assert len(report.rows) == 11 * 7
    assert values["apps.new@natural_person"] == 12
    assert values["apps.new@total"] == 16
    for blank in ("apps.carried_in@legal.commercial", "apps.carried_in@legal.public_welfare"):
        assert blank in values
        assert values[blank] is None
    assert values["apps.result.granted@legal.research"] is None
    missing = {f.code for f in report.findings if f.kind == "missing_value"}
    assert missing == {
        "apps.carried_in@legal.commercial",
        "apps.carried_in@legal.public_welfare",
        "apps.result.granted@legal.research",
    }
    assert values["apps.result.denied.law_prohibited@legal.commercial"] == 1
    assert values["apps.result.denied.security_stability@total"] == 0
    assert values["apps.result.unable.not_held@legal.public_welfare"] == 1
    assert values["apps.result.total@total"] == 15
    assert values["apps.carried_out@legal.commercial"] == 1


def test_synthetic_layouts_agree(synthetic_reports):
    rows = {k: [(r.code, r.value) for r in rep.rows] for k, rep in synthetic_reports.items()}
    assert rows["ruled"] == rows["unruled"] == rows["repeated-header"]
