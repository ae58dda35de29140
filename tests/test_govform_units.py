"""Units printed in a column header or row label win over the form's unit (a 10,000x error otherwise).

The 2021 form prints 本年收费金额（单位：万元）, but agencies retype the header in 元 and fill 元; the
2019 form prints no unit for 采购总金额 and agencies add one to the header. Read both as printed,
whether the page keeps its table (grid reader) or lost it (text-lines reader).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import govform
from extractors.codebook import load_codebook
from extractors.govform import printed_unit
from extractors.load import load_document
from extractors.model import Row

GENERALITY = Path(__file__).resolve().parent / "fixtures" / "generality"


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("本年收费金额（单位：元）", "元"),
        ("采购总金额（万元）", "万元"),
        ("采购总金额(元)", "元"),
        ("金额 （ 千元 ）", "千元"),
        ("单位：万元", "万元"),
        ("本年收费金额", None),
        ("（只计这一情形，不计其他情形）", None),
        ("其他（说明）", None),
    ],
)
def test_printed_unit(text: str, unit: str | None) -> None:
    assert printed_unit(text) == unit


def _amount(fixture: str, code: str, flat: bool) -> Row:
    doc, _ = load_document((GENERALITY / fixture).read_bytes(), filename=fixture)
    assert doc is not None
    if flat:
        doc.tables = []  # the same page once its table is lost: one cell per line
    result = govform.read(doc, load_codebook())
    assert result is not None
    return next(r for r in result.rows if r.code == code)


@pytest.mark.parametrize("flat", [False, True], ids=["grid", "lines"])
def test_fee_header_in_yuan_is_kept_and_normalized(flat: bool) -> None:
    row = _amount("bj-haidian-2022-fee-yuan.html", "disclosure.admin_fees@amount", flat)
    assert (row.value, row.unit) == (365200, "元")
    assert (row.value_normalized, row.unit_normalized) == (36.52, "万元")
    assert "元" in (row.column or "")


@pytest.mark.parametrize("flat", [False, True], ids=["grid", "lines"])
def test_procurement_header_unit(flat: bool) -> None:
    row = _amount("nm-saihan-2019-oneheader.html", "disclosure.central_procurement@amount", flat)
    assert (row.value, row.unit, row.value_normalized) == (25.1, "万元", None)
