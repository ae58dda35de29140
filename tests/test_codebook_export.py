"""codebook.csv: one row per code a value can carry, with labels, units and the legacy ↔ new-form crosswalk."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from extractors.codebook import load_codebook
from tests.research_sample import fixture_codebook
from writers.codebook_export import COLUMNS, codebook_frame, write_codebook


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return codebook_frame(fixture_codebook()).set_index("code", drop=False)


def test_columns_and_unique_codes(frame):
    assert list(frame.columns) == COLUMNS
    assert frame["code"].is_unique


def test_matrix_rows_are_expanded_into_cell_codes(frame):
    cell = frame.loc["apps.new@total"]
    assert (cell.row_code, cell.column_code, cell.column_label_zh) == ("apps.new", "total", "总计")
    assert cell.label_zh == "一、本年新收政府信息公开申请数量"
    assert cell.label_en == "New applications [total]"
    assert cell.unit == "件"
    assert "apps.new@natural_person" in frame.index
    assert "apps.new" not in frame.index  # a matrix row only carries values in its cells


def test_headings_and_single_cells_are_not_expanded(frame):
    assert frame.loc["apps.result", "kind"] == "group"
    assert pd.isna(frame.loc["apps.result", "column_code"])
    assert "review.upheld" in frame.index  # table 四 cell (columns: [])
    assert not any(code.startswith("review.upheld@") for code in frame.index)


def test_code_shared_by_two_forms_is_one_row_listing_both(frame):
    row = frame.loc["review.total"]
    assert row.templates == "legacy;gov2021"
    assert row.variants == "legacy-2014;gov2021"
    assert row.label_zh == "行政复议数量"  # oldest form first
    assert row.other_labels_zh == "行政复议 总计"
    assert row.crosswalk == "same code in legacy, gov2021"


def test_crosswalk_points_to_the_other_form(frame):
    legacy = frame.loc["requests.received"]
    assert (legacy.concept, legacy.crosswalk, legacy.comparability) == (
        "new_requests",
        "gov2021: apps.new@total",
        "approx",
    )
    assert "applicant type" in legacy.crosswalk_note
    assert frame.loc["apps.new@total", "crosswalk"] == "legacy: requests.received"
    assert pd.isna(frame.loc["apps.new@natural_person", "concept"])


def test_part_of_a_sum_says_so(frame):
    part = frame.loc["litigation.direct.total"]
    assert part.concept == "litigation_total"
    assert part.crosswalk == (
        "this form: litigation.direct.total + litigation.after_review.total; legacy: litigation.total"
    )


def test_write_codebook_is_deterministic(tmp_path):
    path = write_codebook(tmp_path, fixture_codebook())
    first = path.read_bytes()
    parquet = (tmp_path / "codebook.parquet").read_bytes()
    write_codebook(tmp_path, fixture_codebook())
    assert path.read_bytes() == first
    assert (tmp_path / "codebook.parquet").read_bytes() == parquet
    assert first.startswith(b"code,row_code,column_code,")
    back = pd.read_csv(path)
    assert len(back) == len(codebook_frame(fixture_codebook()))
    assert pd.read_parquet(tmp_path / "codebook.parquet")["code"].tolist() == back["code"].tolist()


# ------------------------------------------------------------------------- the project's codebook


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    try:
        codebook = load_codebook()
    except NotImplementedError:
        pytest.skip("extractors.codebook.load_codebook is still a stub")
    return codebook_frame(codebook)


def test_real_codebook_exports_every_value_row(real):
    codebook = load_codebook()
    codes = set(real["code"])
    assert real["code"].is_unique
    for variant, spec in codebook.templates.items():
        for ind in spec.indicators:
            if ind.has_value:
                assert ind.code in codes or any(c.startswith(ind.code + "@") for c in codes), (
                    variant,
                    ind.code,
                )


def test_real_crosswalk_codes_exist_in_the_codebook(real):
    """A typo in crosswalk.yaml would silently break the cross-form series."""
    codes = set(real["code"])
    token = re.compile(r"[A-Za-z_][\w.]*(?:@[\w.]+)?")
    for concept in load_codebook().crosswalk:
        for form, expr in (concept.get("codes") or {}).items():
            for code in token.findall(str(expr)):
                if code != "derived":
                    assert code in codes, (concept["concept"], form, code)


def test_real_codebook_joins_requests_across_2019(real):
    row = real.set_index("code").loc["requests.received"]
    assert row.concept == "new_requests"
    assert "apps.new@total" in row.crosswalk


def test_crosswalk_expressions_are_split_into_codes():
    from writers.codebook_export import _tokens

    assert _tokens("derived apps.new@legal.commercial + review.total") == {
        "apps.new@legal.commercial",
        "review.total",
    }
    assert _tokens("disclosure.normative_docs@new_made / @new_published") == {
        "disclosure.normative_docs@new_made"
    }
