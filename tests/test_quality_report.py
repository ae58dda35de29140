"""The quality report: figures and an HTML page a researcher can trust, rendered by a real browser.

Built from a DatasetWriter output of the synthetic sample (tests/research_sample.py): 崇川区 2016–2019
across the form change with 2018 missing, 洪泽区 2023–2024, a page that is not a report.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.research_sample import build_output, fixture_codebook, provenance, sample_reports
from writers.quality_report import (
    coverage_grid,
    evaluate,
    headline_series,
    identity_failures,
    load_tables,
    write_quality_report,
)

FIGURES = ("coverage.png", "findings.png", "identity.png", "headline.png")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
COVERAGE_GREEN = (0x2B, 0x8A, 0x3E)  # "table read" in writers/templates/report.yaml


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = build_output(tmp_path_factory.mktemp("quality") / "output")
    write_quality_report(out, codebook=fixture_codebook())
    return out


@pytest.fixture(scope="module")
def page(out) -> str:
    return (out / "report" / "index.html").read_text(encoding="utf-8")


def test_writes_html_and_figures(out):
    for name in ("index.html", *FIGURES):
        path = out / "report" / name
        assert path.stat().st_size > 1000, name
    for name in FIGURES:
        with Image.open(out / "report" / name) as img:
            assert img.format == "PNG"
            assert img.width >= 500


def test_rerun_is_byte_identical(out):
    before = {n: (out / "report" / n).read_bytes() for n in ("index.html", *FIGURES)}
    write_quality_report(out, codebook=fixture_codebook())
    assert {n: (out / "report" / n).read_bytes() for n in before} == before


def test_every_report_links_to_source_and_archived_copy(page):
    for report in sample_reports():
        assert f'href="{report.source}"' in page
        warc, offset = provenance(report)["archive_record"].split("#")
        assert f'href="../../archive/warc/{warc}#{offset}"' in page
        assert report.report_id in page


def test_page_shows_every_figure(page):
    for name in FIGURES:
        assert f'src="{name}"' in page
    assert re.search(r"<b>6</b>pages read", page)


def test_coverage_marks_missing_years(out, page):
    grid = coverage_grid(load_tables(out).reports)
    assert list(grid.columns) == list(range(2016, 2025))
    assert grid.loc["崇川区 320602", 2017] == "ok"
    assert grid.loc["崇川区 320602", 2018] == "missing"
    assert "平潭综合实验区 350128" not in grid.index  # no year: not a report
    assert "<tr><td>崇川区 320602</td><td>2018, 2020–2024</td></tr>" in page


def test_headline_series_joins_legacy_and_new_form_codes(out):
    series = headline_series(load_tables(out), fixture_codebook().crosswalk).set_index(["place", "year"])
    cc = series.loc["崇川区 320602"]
    assert cc.loc[2017, "new_requests"] == 31  # legacy requests.received
    assert cc.loc[2019, "new_requests"] == 40  # gov2021 apps.new@total
    assert np.isnan(cc.loc[2016, "new_requests"])  # blank cell, not 0
    assert cc.loc[2019, "litigation_total"] == 2  # direct 1 + after review 1
    assert series.loc[("洪泽区 320813", 2024), "admin_review_total"] == 2


def test_identity_failures_per_district(out):
    counts = identity_failures(load_tables(out))
    assert counts["崇川区 320602"] == 1
    assert counts["洪泽区 320813"] == 1
    assert counts["平潭综合实验区 350128"] == 0


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("a", 3.0),
        ("a + b", 5.0),
        ("derived a + b", 5.0),
        ("a + blank", None),
        ("a + absent", None),
        ("a / b", None),
        (None, None),
    ],
)
def test_evaluate_crosswalk_expressions(expr, expected):
    assert evaluate(expr, {"a": 3.0, "b": 2.0, "blank": None}) == expected


def test_report_needs_the_tables(tmp_path):
    with pytest.raises(FileNotFoundError, match="reports.csv"):
        write_quality_report(tmp_path)


@pytest.mark.chromium
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium not installed (run `make services`)")
def test_renders_in_headless_chromium(out, tmp_path):
    shot = tmp_path / "report.png"
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2400", f"--screenshot={shot}",
    ]  # fmt: skip
    url = (out / "report" / "index.html").as_uri()
    subprocess.run([CHROMIUM, *flags, url], capture_output=True, timeout=120, check=False)
    assert shot.is_file(), "chromium wrote no screenshot"
    pixels = np.asarray(Image.open(shot).convert("RGB"))
    assert pixels.shape[:2] == (2400, 1280)
    ink = (pixels < 200).any(axis=2).mean()
    assert ink > 0.01, f"screenshot looks blank ({ink:.2%} dark pixels)"
    green = (np.abs(pixels.astype(int) - COVERAGE_GREEN).sum(axis=2) < 12).sum()
    assert green > 1000, "the coverage figure did not load"


def test_large_datasets_get_summary_figures(out, tmp_path, monkeypatch):
    """Past the limits in report.yaml the figures summarise (provinces, top districts, median band)."""
    import copy

    import writers.quality_report as qr

    spec = copy.deepcopy(qr.report_spec())
    spec["limits"] = {"grid_rows": 1, "bars": 1, "lines": 1}
    monkeypatch.setattr(qr, "report_spec", lambda: spec)
    small = tmp_path / "small"
    shutil.copytree(out, small)
    write_quality_report(small, codebook=fixture_codebook())
    for name in FIGURES:
        assert (small / "report" / name).read_bytes() != (
            out / "report" / name
        ).read_bytes() or name == "findings.png"


@pytest.mark.parametrize(
    ("record", "href"),
    [
        ("ogi-1.warc.gz#42", "../../archive/warc/ogi-1.warc.gz#42"),
        ("ogi-1.warc", "../../archive/warc/ogi-1.warc"),
        (
            "https://web.archive.org/web/2020/http://x.gov.cn/",
            "https://web.archive.org/web/2020/http://x.gov.cn/",
        ),
        ('{"warc":"a.warc.gz"}', None),
        ("../../etc/passwd.warc.gz#1", None),
    ],
)
def test_archive_links(record, href, tmp_path):
    from writers.quality_report import _archive_href

    out = tmp_path / "output"
    assert _archive_href(record, tmp_path / "archive", out / "report") == href


def test_page_explains_how_each_series_is_joined(page):
    assert "legacy: <code>requests.received</code><br>gov2021: <code>apps.new@total</code>" in page
    assert "Legacy counted by channel; gov counts by applicant type." in page


def test_places_fall_back_to_codes_without_a_cjk_font():
    from writers.quality_report import _label

    assert _label("崇川区 320602", None) == "320602"
    assert _label("崇川区 320602", "Noto Sans CJK SC") == "崇川区 320602"
    assert _label("崇川区", None) == "?"
