"""Real new-form reports from ../shared/real-reports: every hand-checked gold value must come out.

平潭 2022 is a Word-pasted HTML page (2021 form; rowspan 22/8/5/3 group cells, two-paragraph column
heads, header words one character per paragraph) and goes through the whole pipeline. The three
Jiangsu PDFs are the PDF reader's end-to-end tests; here they check the new-form reader on both
views pdf.py gives: the printed text lines alone (values before wrapped labels, the vertical
三/本/年/度 header, page footers inside the table) and the position-rebuilt grids.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import pytest

from extractors import extract, govform
from extractors.codebook import load_codebook
from extractors.labels import normalize_label
from extractors.load import load_document
from extractors.model import Document

PDFS = ["js-huaian-city-2024", "js-huaian-hongze-2023", "js-huaian-hongze-2024"]
#: Table 四 in the gold files: "group | outcome" → cell code (the form's fixed naming).
T4_GROUPS = {
    "行政复议": "review",
    "行政诉讼 / 未经复议直接起诉": "litigation.direct",
    "行政诉讼 / 复议后起诉": "litigation.after_review",
}
T4_OUTCOMES = {
    "结果维持": "upheld",
    "结果纠正": "corrected",
    "其他结果": "other",
    "尚未审结": "pending",
    "总计": "total",
}


def _key(label: str) -> str:
    return re.sub(r"^(\d+)、", r"\1.", normalize_label(label))


def gold_code(section: str, label: str, variant: str) -> str:
    """The codebook code of a gold row, found by its printed labels (row path | column)."""
    cb = load_codebook()
    path, column = (part.strip() for part in label.rsplit("|", 1))
    if section.startswith("四"):
        return f"{T4_GROUPS[path]}.{T4_OUTCOMES[column]}"
    leaf = _key(path.split(" / ")[-1])
    table = "t2" if section.startswith("二") else "t3"
    rows = [i for i in cb.indicators(variant) if i.section == table and leaf in {_key(x) for x in i.labels}]
    assert len(rows) == 1, f"gold label {path!r} does not name exactly one {table} row of {variant}"
    spec = cb.templates[variant]
    cols = [
        c.code for c in spec.columns if any(_key(x).startswith(_key(column)) for x in (c.label, *c.variants))
    ]
    allowed = [c for c in cols if rows[0].columns is None or c in rows[0].columns]
    assert len(allowed) == 1, f"gold column {column!r} does not name exactly one column of {rows[0].code}"
    return f"{rows[0].code}@{allowed[0]}"


def gold(name: str, shared: Path, variant: str) -> list[tuple[str, float | int, str]]:
    with (shared / "real-reports" / name / "gold.csv").open(encoding="utf-8") as fh:
        return [
            (gold_code(r["section"], r["label"], variant), _number(r["value"]), r["unit"])
            for r in csv.DictReader(fh)
        ]


def _number(text: str) -> float | int:
    return float(text) if "." in text else int(text)


def assert_gold(rows, expected) -> None:
    by_code = {}
    for row in rows:
        assert row.code not in by_code, f"{row.code} read twice"
        by_code[row.code] = row
    wrong = [
        (code, value, by_code[code].value if code in by_code else "absent")
        for code, value, _ in expected
        if code not in by_code or by_code[code].value != value
    ]
    assert not wrong, f"{len(wrong)} gold values wrong: {wrong[:10]}"
    for code, _, unit in expected:
        if unit:
            assert by_code[code].unit == unit, code


def test_pingtan_2022_page_every_gold_value(shared_dir):
    data = (shared_dir / "real-reports" / "fj-pingtan-2022" / "page.html").read_bytes()
    report = extract(data, filename="page.html")
    assert report.status == "ok"
    assert (report.template, report.template_variant) == ("gov2021", "gov2021")
    assert "本年制发件数" in (report.template_evidence or "")
    expected = gold("fj-pingtan-2022", shared_dir, "gov2021")
    assert len(expected) == 200
    assert_gold(report.rows, expected)
    assert len(report.rows) == 200
    assert {r.section for r in report.rows} == {"t2", "t3", "t4"}
    assert not [
        f for f in report.findings if f.kind in ("identity_failed", "row_count_mismatch", "missing_value")
    ]


def test_pingtan_2022_rows_in_table_order_with_printed_labels(shared_dir):
    data = (shared_dir / "real-reports" / "fj-pingtan-2022" / "page.html").read_bytes()
    rows = extract(data, filename="page.html").rows
    assert rows[0].code == "disclosure.regulations@issued"
    assert (rows[0].label, rows[0].column) == ("规章", "本年制发件数")
    first_t3 = next(i for i, r in enumerate(rows) if r.section == "t3")
    assert [r.column_code for r in rows[first_t3 : first_t3 + 7]] == [
        "natural_person",
        "legal.commercial",
        "legal.research",
        "legal.public_welfare",
        "legal.law_service",
        "legal.other",
        "total",
    ]
    secret = next(r for r in rows if r.code == "apps.result.denied.state_secret@natural_person")
    assert secret.label == "三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密"
    fees = next(r for r in rows if r.code == "disclosure.admin_fees@amount")
    assert (fees.value, fees.unit) == (9116.36, "万元")
    assert rows[-1].code == "litigation.after_review.total"


@cache
def _pdf_document(path: str) -> Document:
    doc, problem = load_document(Path(path).read_bytes(), filename="report.pdf")
    assert doc is not None, problem
    return doc


@pytest.mark.parametrize("name", PDFS)
@pytest.mark.parametrize("view", ["lines", "grids"])
def test_jiangsu_pdf_every_gold_value(shared_dir, name, view):
    doc = _pdf_document(str(shared_dir / "real-reports" / name / "report.pdf"))
    if view == "lines":
        doc = Document(kind="pdf", lines=doc.lines)
    else:
        doc = Document(kind="pdf", lines=[], tables=doc.tables)
    result = govform.read(doc, load_codebook())
    assert result is not None
    assert result.variant == "gov2021"
    expected = gold(name, shared_dir, "gov2021")
    assert_gold(result.rows, expected)
    assert len(result.rows) == len(expected)
    assert not [f for f in result.findings if f.kind == "row_count_mismatch"]


def test_hongze_2023_keeps_the_totals_the_source_gets_wrong(shared_dir):
    data = (shared_dir / "real-reports" / "js-huaian-hongze-2023" / "report.pdf").read_bytes()
    report = extract(data, filename="report.pdf")
    values = {r.code: r.value for r in report.rows}
    assert (values["review.upheld"], values["review.corrected"], values["review.total"]) == (10, 1, 0)
    failed = {f.code for f in report.findings if f.kind == "identity_failed"}
    assert {"review.total", "litigation.after_review.total"} <= failed
    assert "（六）其他处理 printed as one row" in (report.template_evidence or "")


@pytest.mark.parametrize("name", ["fj-pingtan-2017", "fj-pingtan-letter-2014", "fj-pingtan-taxbureau-2013"])
def test_pages_without_a_new_form_table_give_nothing(shared_dir, name):
    data = (shared_dir / "real-reports" / name / "page.html").read_bytes()
    doc, _ = load_document(data, filename="page.html")
    assert doc is not None
    assert govform.read(doc, load_codebook()) is None
