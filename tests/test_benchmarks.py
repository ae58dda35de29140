"""Smoke test of the benchmark harness on a handful of pages: what it generates, serves and reports.

No timing assertions: figures depend on the machine's load. What is checked is that the corpus is
what the benchmark claims (realistic sizes, both layouts and encodings, figures that add up, grids
with the official spans), that the local portal serves it, and that the runner writes every
headline key, with either a figure or an "n/a" note.
"""

from __future__ import annotations

import io
import json
import sys
import urllib.request
from pathlib import Path

import lxml.html
import pandas as pd
import pytest

from benchmarks import extract_bench
from benchmarks.corpus import MAX_BYTES, MIN_BYTES, make_page, write_corpus
from benchmarks.crawl_bench import Site, parse_stats
from benchmarks.forms import check, load_form
from benchmarks.measure import NotAvailable, run_child
from benchmarks.report import TARGETS
from benchmarks.run import QUICK, Plan, run
from benchmarks.scale import _fallback_sizes, headline, paths_for


@pytest.fixture(scope="module")
def pages():
    """Thirty corpus pages, built once per module (not at import: building reads ../shared)."""
    return [make_page(i) for i in range(30)]


def test_pages_are_deterministic_and_realistic(pages):
    assert make_page(3).data == pages[3].data
    assert make_page(3, seed=1).data != pages[3].data
    for page in pages:
        assert MIN_BYTES * 0.9 <= len(page.data) <= MAX_BYTES * 1.3, page.name
        text = page.data.decode(page.encoding)
        assert f'charset="{page.encoding}"' in text
        assert page.district in text
        assert str(page.year) in text
    kinds = {(p.layout, p.encoding) for p in pages}
    assert kinds >= {("table", "utf-8"), ("flat", "utf-8"), ("table", "gbk")}
    assert {p.template for p in pages} == {"legacy", "gov2019", "gov2021"}


def test_figures_satisfy_the_form_identities(pages):
    for page in pages:
        form = load_form(page.variant)
        assert form.identities, page.variant
        assert check(form, page.truth) == [], page.name
        assert set(page.truth) == {code for code, _ in form.cells()}


def test_check_catches_a_broken_total(pages):
    page = next(p for p in pages if p.variant == "legacy-2014")
    broken = dict(page.truth, **{"requests.received": page.truth["requests.received"] + 1})
    assert any("requests.received" in b for b in check(load_form(page.variant), broken))


def test_new_form_grid_has_the_official_spans(pages):
    page = next(p for p in pages if p.variant == "gov2021" and p.layout == "table")
    frames = pd.read_html(io.BytesIO(page.data), flavor="lxml")
    t4 = frames[-1]
    assert t4.shape == (4, 15)  # three header rows (行政复议 / 行政诉讼 groups) and one value row
    assert list(t4.iloc[0, :2]) == ["行政复议", "行政复议"]
    assert int(t4.iloc[3, 4]) == page.truth["review.total"]
    t3 = frames[-2]
    assert t3.shape[1] == 3 + 7  # three label columns, seven applicant columns
    row = t3[t3[2].astype(str).str.startswith("（七）总计")].iloc[0]
    assert int(row[9]) == page.truth["apps.result.total@total"]


def test_flat_page_has_no_table_but_every_cell_as_its_own_paragraph(pages):
    page = next(p for p in pages if p.layout == "flat" and p.variant == "legacy-2014")
    tree = lxml.html.fromstring(page.data)
    assert not tree.xpath("//table")
    lines = [t.strip() for t in tree.xpath("//p//text()") if t.strip()]
    at = lines.index("（一）收到申请数")
    assert lines[at + 1 : at + 3] == ["件", str(page.truth["requests.received"])]


def test_extraction_stage_reports_rates_and_accuracy(pages):
    pages = pages[:4]
    try:
        ex = extract_bench.bench_extraction([pages[:2], pages[2:]], min_rounds=2)
    except NotAvailable as exc:
        pytest.skip(f"extractor not ready: {exc}")
    assert ex["pages"] == 4
    assert ex["repeats"] == 2
    assert ex["extract_vs_lxml_ratio"] > 0
    assert ex["truth_values"] == sum(len(p.truth) for p in pages)
    assert 0 <= ex["extract_values_matched"] <= ex["truth_values"]
    assert ex["pandas_numeric_values"] > 0  # table-layout pages give pandas something


def test_runner_writes_every_headline_key(tmp_path):
    plan = Plan(**{**{f: getattr(QUICK, f) for f in QUICK.__slots__}, "extract_pages": 3, "repeats": 1})
    out = tmp_path / "bench.json"
    results = run(plan, ["extract"], corpus=tmp_path / "corpus", seed=0, out=out, quick=True)
    saved = json.loads(out.read_text(encoding="utf-8"))
    for key in TARGETS:
        assert key in saved
    assert saved["meta"]["quick"] is True
    value = results["extract_vs_lxml_ratio"]
    assert (value is not None and value > 0) or "extract" in saved["notes"]


def test_site_serves_listing_pages_and_reports(tmp_path):
    write_corpus(tmp_path, 25, workers=1)
    with Site(tmp_path, 25, max_seconds=60) as site:
        first = urllib.request.urlopen(f"{site.base}/zwgk/zfxxgknb/index.html", timeout=10).read()
        second = urllib.request.urlopen(f"{site.base}/zwgk/zfxxgknb/index_1.html", timeout=10).read()
        links = lxml.html.fromstring(first).xpath("//ul[@class='list']//a/@href")
        assert len(links) == 20
        assert b"createPageHTML(2, 0" in first
        assert len(lxml.html.fromstring(second).xpath("//ul[@class='list']//a")) == 5
        report = urllib.request.urlopen(f"{site.base}/zwgk/zfxxgknb/{links[0][2:]}", timeout=10)
        assert report.read() == min(tmp_path.glob("c000/p*.html")).read_bytes()
        assert "charset=" in report.headers["Content-Type"]


def test_corpus_on_disk_is_reused(tmp_path):
    write_corpus(tmp_path, 5, workers=1)
    first = sorted(tmp_path.glob("c000/*.html"))
    stamp = first[0].stat().st_mtime_ns
    write_corpus(tmp_path, 5, workers=1)
    assert first[0].stat().st_mtime_ns == stamp
    assert paths_for(tmp_path, 3) == first[:3]


def test_scrapy_stats_are_parsed():
    log = (
        "2026-01-01 [scrapy.statscollectors] INFO: Dumping Scrapy stats:\n"
        "{'downloader/request_count': 553,\n 'elapsed_time_seconds': 4.15,\n 'finish_reason': 'closespider_timeout',\n"
        " 'response_received_count': 553,\n 'start_time': datetime.datetime(2026, 1, 1)}\n"
        "2026-01-01 [scrapy.core.engine] INFO: Spider closed\n"
    )
    stats = parse_stats(log)
    assert stats["response_received_count"] == 553
    assert stats["elapsed_time_seconds"] == pytest.approx(4.15)
    assert stats["finish_reason"] == "closespider_timeout"
    assert parse_stats("no stats here") == {}


def test_child_memory_is_measured_over_the_process_tree():
    code = (
        "import subprocess, sys; x = bytearray(60 * 2**20); "
        "subprocess.run([sys.executable, '-c', 'import time; y = bytearray(60 * 2**20); time.sleep(0.6)'])"
    )
    run_ = run_child([sys.executable, "-c", code], timeout=30)
    assert run_.returncode == 0
    assert run_.peak_tree_rss_mb >= 120  # parent and child together
    assert 60 <= run_.max_process_rss_mb < run_.peak_tree_rss_mb
    assert run_.cpu_s > 0  # the grandchild's CPU is counted once it is reaped


def test_scale_headline_uses_the_largest_size():
    runs = {
        "10": {"1w": {"peak_tree_rss_mb": 100.0, "ms_per_page": 10.0, "cpu_ms_per_page": 9.0,
                      "marginal_ms_per_page": 8.0},
               "2w": {"peak_tree_rss_mb": 150.0, "ms_per_page": 6.0}, "speedup_2w_vs_1w": 1.6},
        "20": {"1w": {"peak_tree_rss_mb": 110.0, "ms_per_page": 11.0, "cpu_ms_per_page": 9.9,
                      "marginal_ms_per_page": 8.8},
               "2w": {"peak_tree_rss_mb": 160.0, "ms_per_page": 6.0}, "speedup_2w_vs_1w": 1.7},
    }  # fmt: skip
    head = headline(runs, [10, 20, 40])
    assert head["largest_size"] == 20
    assert head["scale_2w_vs_1w"] == 1.7
    assert head["peak_rss_mb_largest"] == 160.0
    assert head["peak_rss_growth_mb"] == 10.0
    assert head["cpu_ms_per_page_growth_1w"] == pytest.approx(1.1)
    assert head["marginal_ms_per_page_growth_1w"] == pytest.approx(1.1)


def test_harness_never_writes_into_the_repo_by_default():
    from benchmarks.run import parse_args

    args = parse_args([])
    root = Path(__file__).resolve().parents[1]
    assert args.corpus.is_relative_to(root / "output")
    assert args.out.is_relative_to(root / "output")


def test_scaling_falls_back_to_sizes_that_fit_the_budget():
    assert _fallback_sizes(1000, rate=100.0, budget_s=400) == []  # 1k fits
    small, big = _fallback_sizes(1000, rate=2.0, budget_s=400)
    assert big % 100 == 0
    assert small == big // 4
    assert 100 <= big < 1000
    assert _fallback_sizes(1000, rate=0.1, budget_s=400) == []  # nothing useful fits


def test_a_broken_stage_is_reported_and_the_others_still_run(tmp_path, monkeypatch):
    from benchmarks import run as runner

    def broken(plan, corpus, results):
        raise RuntimeError("boom")

    def unavailable(plan, corpus, results):
        raise NotAvailable("not there yet")

    monkeypatch.setitem(runner.STAGE_FUNCS, "crawl", broken)
    monkeypatch.setitem(runner.STAGE_FUNCS, "profile", unavailable)
    out = tmp_path / "bench.json"
    results = run(QUICK, ["crawl", "profile"], corpus=tmp_path / "c", seed=0, out=out, quick=True)
    assert results["crawl"].startswith("error: RuntimeError: boom")
    assert results["profile"] == "n/a: not there yet"
    assert json.loads(out.read_text(encoding="utf-8"))["notes"]["profile"] == "n/a: not there yet"


def test_headline_keys_only_take_figures_measured_at_the_planned_size(monkeypatch, tmp_path):
    from benchmarks import run as runner

    fake = {
        "largest_size": 100,
        "scale_2w_vs_1w": 2.3,
        "peak_rss_mb_largest": 321.0,
        "fallback_sizes": [25, 100],
    }
    monkeypatch.setattr(runner.scale, "bench_scale", lambda *a, **k: dict(fake))
    results = {"peak_rss_mb_20k": None, "scale_2w_vs_1w": None, "notes": {}, "meta": {"seed": 0}}
    runner._scale(runner.FULL, tmp_path, results)
    assert results["scale_2w_vs_1w"] is None
    assert results["peak_rss_mb_20k"] is None
    assert "2.3 at 100 pages" in results["notes"]["scale_2w_vs_1w"]
    assert "25 and 100" in results["notes"]["scale"]
    fake |= {"largest_size": 20000, "fallback_sizes": []}
    results = {"peak_rss_mb_20k": None, "scale_2w_vs_1w": None, "notes": {}, "meta": {"seed": 0}}
    runner._scale(runner.FULL, tmp_path, results)
    assert results["scale_2w_vs_1w"] == 2.3
    assert results["peak_rss_mb_20k"] == 321.0


def test_derived_pages_are_their_base_page_published_by_a_neighbour():
    """Pages past BASE_PAGES are derived in ~1 ms (issue 7): own bytes and district, same tables."""
    from benchmarks.corpus import BASE_PAGES, derive_page
    from extractors import extract

    for index in (0, 3):  # a UTF-8 and a GBK page of seed 0
        base = make_page(index)
        page = derive_page(base.data, index + 2 * BASE_PAGES)
        assert page != base.data
        assert page.decode(base.encoding).count(base.district) < base.data.decode(base.encoding).count(
            base.district
        )
        a, b = extract(base.data), extract(page)
        assert b.meta.district != a.meta.district
        assert b.meta.city == a.meta.city
        assert [(r.code, r.value) for r in b.rows] == [(r.code, r.value) for r in a.rows]


def test_scaling_keeps_the_smallest_size_and_then_the_largest_that_fit():
    from benchmarks.scale import Pace, _fit

    pace = Pace(0.010, 0.006)  # s/page with 1 and 2 workers: 16 ms a page for both runs
    assert _fit([1000, 5000, 20000], pace, 480) == [1000, 5000, 20000]
    assert _fit([1000, 5000, 20000], pace, 380) == [1000, 20000]  # 20k is the headline
    assert _fit([1000, 5000, 20000], pace, 120) == [1000, 5000]
    assert _fit([1000, 5000, 20000], pace, 20) == []
    assert _fit([1000, 5000, 20000], Pace(None, None), 1) == [1000, 5000, 20000]  # unknown: try
