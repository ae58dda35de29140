"""The new-form codebook (gov2019.yaml, gov2021.yaml, crosswalk.yaml) is complete and consistent.

Shape checks against the official forms (row and column counts, the 15 cells of table 四), every
identity term naming a real row × column, identities holding on a clean fixture's numbers and
failing when one cell changes, and every crosswalk code existing in its family.
"""

from __future__ import annotations

import csv
import re

import pytest

from extractors.codebook import load_codebook
from tests.conftest import FIXTURES

VARIANTS = ["gov2019", "gov2021"]


def spec(variant: str):
    return load_codebook().templates[variant]


def cell_codes(variant: str) -> set[str]:
    s = spec(variant)
    t3_cols = [c.code for c in s.columns if c.code in s.raw["t3_column_order"]]
    codes = set()
    for ind in s.indicators:
        if ind.section == "t4":
            codes.add(ind.code)
        elif ind.section == "t3":
            codes |= {f"{ind.code}@{c}" for c in t3_cols}
        elif ind.columns:
            codes |= {f"{ind.code}@{c}" for c in ind.columns}
    return codes


@pytest.mark.parametrize(("variant", "t3_rows", "t2_cells"), [("gov2019", 23, 22), ("gov2021", 25, 10)])
def test_shape_of_the_official_form(variant, t3_rows, t2_cells):
    s = spec(variant)
    value_rows = [i for i in s.indicators if i.section == "t3" and i.kind == "value"]
    assert len(value_rows) == t3_rows
    assert sum(len(i.columns or ()) for i in s.indicators if i.section == "t2") == t2_cells
    t4 = sorted((i for i in s.indicators if i.section == "t4"), key=lambda i: i.extra["position"])
    assert [i.code for i in t4][:5] == [
        "review.upheld",
        "review.corrected",
        "review.other",
        "review.pending",
        "review.total",
    ]
    assert len(t4) == 15
    assert s.raw["t3_column_order"] == [
        "natural_person", "legal.commercial", "legal.research", "legal.public_welfare", "legal.law_service",
        "legal.other", "legal.subtotal", "total",
    ]  # fmt: skip
    assert all(i.label_en for i in s.indicators)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_identity_term_is_a_cell_of_the_form(variant):
    codes = cell_codes(variant)
    for ident in load_codebook().identities(variant):
        unknown = [c for c in ident.codes if c not in codes]
        assert not unknown, (ident.id, unknown)


@pytest.mark.parametrize(
    ("variant", "fixture"), [("gov2019", "sh-minhang-2019-table"), ("gov2021", "zj-xihu-2022-table")]
)
def test_identities_hold_on_clean_numbers_and_fail_on_a_changed_cell(variant, fixture):
    with (FIXTURES / "govform" / f"{fixture}.expected.csv").open(encoding="utf-8") as fh:
        values = {r["code"]: float(re.match(r"-?[\d.]+", r["printed"]).group()) for r in csv.DictReader(fh)}
    identities = load_codebook().identities(variant)
    results = {i.id: i.check(values).status for i in identities}
    assert set(results.values()) <= {"ok", "absent"}
    assert sum(1 for v in results.values() if v == "ok") >= 40
    values["apps.result.denied.process_info@legal.research"] += 1
    failed = {i.id for i in identities if i.check(values).status == "failed"}
    assert failed == {
        "gov.t3.row_total[apps.result.denied.process_info]",
        "gov.t3.results_total[legal.research]",
    }


def test_gov2021_identities_cover_the_single_other_row_printed_by_some_2021_reports():
    ids = {i.id for i in load_codebook().identities("gov2021")}
    assert "gov.t3.row_total[apps.result.other]" in ids
    assert "gov.t3.results_total_single[total]" in ids
    assert "gov.t3.row_subtotal[apps.new]" in ids


def _variant_cells(cb, variant: str) -> set[str]:
    """Codes of a provincial variant named in the crosswalk: every row × every value column."""
    spec_ = cb.templates[variant]
    return {f"{i.code}@{c.code}" for i in spec_.indicators for c in spec_.columns} or {
        i.code for i in spec_.indicators
    }


def test_crosswalk_codes_exist_in_their_family():
    cb = load_codebook()
    families = {"legacy": "legacy-2014", "gov2019": "gov2019", "gov2021": "gov2021"}
    cells = {f: cell_codes(v) for f, v in families.items() if v.startswith("gov")}
    legacy = {i.code for i in cb.indicators("legacy-2014")}
    concepts = {c["concept"] for c in cb.crosswalk}
    assert {"new_requests", "admin_review_total", "litigation_total"} <= concepts
    for concept in cb.crosswalk:
        assert concept["comparability"] in ("same", "approx")
        for family, expr in concept["codes"].items():
            terms = [t.strip() for t in expr.split("+")]
            known = legacy if family == "legacy" else cells.get(family) or _variant_cells(cb, family)
            assert all(t in known for t in terms), (concept["concept"], family, terms)
        if concept["comparability"] == "approx":
            assert concept.get("note"), concept["concept"]
