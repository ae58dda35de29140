"""Pipelines: which pages are extracted, and that a crashing extraction is a finding, not a stopped crawl."""

from __future__ import annotations

import csv

import pytest
from scrapy.utils.test import get_crawler

import extractors
from crawler.archive import Catalog, Page
from crawler.pipelines import (
    ArchivePipeline,
    CollectPipeline,
    ExtractPipeline,
    extract_page,
    wants_extraction,
)
from crawler.spiders.reports import ReportsSpider


def _page(
    url: str, body: bytes = b"<html><body>x</body></html>", status: int = 200, kind: str = "report"
) -> Page:
    return Page(
        url=url, body=body, status=status, kind=kind, site_id="url_x", headers={"Content-Type": "text/html"}
    )


def test_what_gets_extracted():
    assert wants_extraction(_page("http://x/r.html"))
    assert not wants_extraction(_page("http://x/list.html", kind="listing"))
    assert not wants_extraction(_page("http://x/gone.html", status=404))
    assert wants_extraction(_page("http://x/a.pdf", b"%PDF-1.4", kind="attachment"))
    assert wants_extraction(_page("http://x/download?id=3", b"%PDF-1.4", kind="attachment"))
    assert wants_extraction(_page("http://x/a.docx", b"PK\x03\x04", kind="attachment"))  # → `unreadable`


@pytest.fixture
def crawler(tmp_path, monkeypatch):
    crawler = get_crawler(ReportsSpider, {"OGI_ARCHIVE_DIR": str(tmp_path / "archive"),
                                          "OGI_OUTPUT_DIR": str(tmp_path / "out")})  # fmt: skip
    crawler.spider = ReportsSpider(url="http://x/list.html")
    crawler.spider.crawler = crawler
    crawler.stats.open_spider()
    return crawler


def test_a_crashing_extraction_becomes_a_finding_and_the_crawl_goes_on(crawler, tmp_path, monkeypatch):
    pytest.importorskip("writers.dataset", reason="waiting for writers.dataset (developer 'output')")
    real = extractors.extract

    def flaky(data, **kw):
        if b"boom" in data:
            raise RuntimeError("table reader fell over")
        return real(data, **kw)

    monkeypatch.setattr(extractors, "extract", flaky)
    stages = [ArchivePipeline.from_crawler(crawler), ExtractPipeline.from_crawler(crawler),
              CollectPipeline.from_crawler(crawler)]  # fmt: skip
    for stage in stages:
        getattr(stage, "open_spider", lambda: None)()
    pages = [_page("http://x/boom.html", "<html><body>boom 2019年政府信息公开工作年度报告</body></html>".encode()),
             _page("http://x/fine.html", b"<html><body>fine</body></html>")]  # fmt: skip
    archive_stage, extract_stage, collect_stage = stages
    for page in pages:  # the extract stage runs in a reactor thread during a crawl; here inline
        archive_stage.process_item(page)
        extract_stage.record(extract_page(page), page)
        collect_stage.process_item(page)
    for stage in stages:
        getattr(stage, "close_spider", lambda: None)()
    assert crawler.stats.get_value("ogi/extract/failed") == 1
    site_stats = crawler.spider.stats_by_site["url_x"]
    assert (site_stats.extract_failed, site_stats.extracted) == (1, 1)
    with (tmp_path / "out" / "findings.csv").open(encoding="utf-8") as fh:
        findings = list(csv.DictReader(fh))
    assert [f["kind"] for f in findings if f["kind"] == "extraction_error"] == ["extraction_error"]
    with (tmp_path / "out" / "reports.csv").open(encoding="utf-8") as fh:
        reports = {r["source"]: r for r in csv.DictReader(fh)}
    assert reports["http://x/boom.html"]["status"] == "unreadable"
    assert reports["http://x/fine.html"]["status"] != "unreadable"
    catalog = Catalog(tmp_path / "archive" / "catalog.sqlite")
    statuses = {r["url"]: r["extraction_status"] for r in catalog.rows()}
    assert statuses["http://x/boom.html"] == "unreadable"
