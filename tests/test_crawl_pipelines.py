"""Pipelines: which pages are extracted, and that a crashing extraction is a finding, not a stopped crawl."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

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


def _exited(pid: int) -> bool:
    """Gone, or a zombie nobody reaps (in a container the new parent may never wait for it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status


WORKER_HOST = """
import multiprocessing, os, time
from concurrent.futures import ProcessPoolExecutor
from crawler.pipelines import _worker_init, extract_job
pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init,
                           initargs=(os.getpid(),))
report, error = pool.submit(extract_job, "http://x/r.html", b"<html><body>x</body></html>", {}).result()
print(pool.submit(os.getpid).result(), report.status != "unreadable", error, flush=True)
time.sleep(120)
"""


def test_extraction_workers_exit_when_the_crawler_is_killed():
    """A SIGKILLed crawl cannot shut its pool down: its workers must notice and go, not linger forever."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    host = subprocess.Popen([sys.executable, "-c", WORKER_HOST], cwd=root, env=env, stdout=subprocess.PIPE, text=True)
    try:
        worker, read, error = host.stdout.readline().split()
        assert (read, error) == ("True", "None")  # the job ran in the worker and its report came back
        os.kill(int(worker), signal.SIGINT)  # Ctrl-C: the crawler stops gracefully, its workers carry on
        time.sleep(1.0)
        assert not _exited(int(worker))
    finally:
        host.kill()
        host.wait()
    deadline = time.monotonic() + 15
    while not _exited(int(worker)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _exited(int(worker))


def test_extraction_workers_option_and_defaults(crawler):
    from ogi.cli import build_parser
    from ogi.commands.crawl import crawl_settings

    def workers(*argv: str) -> int:
        return crawl_settings(build_parser().parse_args(["crawl", "--all", *argv])).getint("OGI_EXTRACT_WORKERS")

    assert workers() == 1
    assert workers("--extract-workers", "0") == 0
    assert workers("--extract-workers", "3") == 3
    assert ExtractPipeline.from_crawler(crawler).pool is not None  # default: a process pool


def test_a_dead_extraction_worker_costs_its_page_a_finding_not_the_crawl():
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from twisted.internet.defer import Deferred

    from crawler.pipelines import ExtractPool

    pool = ExtractPool(1, 4)
    pool._pool()  # started
    future: Future = Future()
    future.set_exception(BrokenProcessPool("a worker was killed (OOM?)"))
    done, results = Deferred(), []
    done.addCallback(results.append)
    page = _page("http://x/huge.pdf", b"%PDF-1.4 ...", kind="attachment")
    pool._finish(future, done, page)
    (report, error), = results
    assert report.status == "unreadable"
    assert "worker died" in error
    assert [f.kind for f in report.findings] == ["extraction_error"]
    assert report.sha256 == page.sha256
    assert pool._executor is None  # the next page starts a fresh pool


def test_workers_are_forked_only_from_a_single_threaded_process():
    from crawler.pipelines import start_method

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert start_method() == "spawn"
    finally:
        stop.set()
        other.join()
    if threading.active_count() == 1:
        assert start_method() == "fork"
