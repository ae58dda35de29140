"""Item pipelines: archive every page, extract reports, collect them into the dataset.

Order matters and each stage is independent of the spider's internals:

1. `ArchivePipeline` writes every page (listings, reports, attachments, error pages) to WARC and
   the catalog, before anything can go wrong with it.
2. `ExtractPipeline` runs `extractors.extract` on report pages and PDF attachments, in
   `OGI_EXTRACT_WORKERS` worker processes (0: a reactor thread), so extraction uses another core
   while the reactor crawls. One failing extraction never stops the crawl: it becomes a Report with
   an `extraction_error` finding (so a row in findings.csv) and a count in the crawl stats.
3. `CollectPipeline` hands each extracted report, with its provenance, to the same
   `writers.dataset.DatasetWriter` that `ogi extract` uses, and closes it when the spider closes.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from twisted.internet.defer import Deferred, DeferredSemaphore
from twisted.internet.threads import deferToThread

from crawler.archive import Archive, Page

log = logging.getLogger(__name__)
#: Pages each extraction worker may have queued or in hand (OGI_EXTRACT_WORKERS × this in flight).
PENDING_PER_WORKER = 4


class ArchivePipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.root = crawler.settings.get("OGI_ARCHIVE_DIR") or "archive"
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None) -> None:
        self.archive = Archive(self.root)
        self.crawler.spider.archive = self.archive  # the extract pipeline records statuses in its catalog

    def process_item(self, item: Page, spider=None) -> Page:
        self.archive.add(item)
        return item

    def close_spider(self, spider=None) -> None:
        if self.archive:
            self.archive.close()


def extract_page(page: Page):
    """Run the extractors on one page; any exception becomes an `unreadable` Report, never a crash."""
    from extractors import extract

    try:
        return extract(page.body, url=page.url, headers=page.headers), None
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop a crawl
        return crash_report(page, f"extractor crashed: {type(exc).__name__}: {exc}"), exc


def wants_extraction(page: Page) -> bool:
    if page.status != 200 or not page.body:
        return False
    if page.kind == "report":
        return True
    # every attachment goes to the extractors: what they cannot read (DOC, OFD ...) is then a document
    # with status `unreadable` in the dataset, just as `ogi extract ARCHIVE` would report it
    return page.kind == "attachment"


def crash_report(page: Page, message: str):
    """The Report of a page whose extraction failed: status `unreadable`, one `extraction_error` finding."""
    from extractors import Finding, Report

    return Report(
        source=page.url, sha256=page.sha256, status="unreadable", message=message,
        findings=[Finding(kind="extraction_error", message=message, severity="error")],
    )  # fmt: skip


def extract_job(url: str, body: bytes, headers: dict[str, str]) -> tuple[Any, str | None]:
    """What a worker process runs for one page; the error comes back as text (exceptions may not pickle)."""
    report, exc = extract_page(Page(url=url, body=body, headers=headers))
    return report, None if exc is None else f"{type(exc).__name__}: {exc}"


def _worker_init(parent_pid: int) -> None:
    """Worker start-up: load the extractors once, leave stopping to the crawler, exit when it is gone.

    Ctrl-C reaches the whole process group: the crawler stops gracefully (JOBDIR pause) and still
    needs its workers for the pages in flight, so they ignore SIGINT (and drop the SIGTERM handler
    a forked worker inherits from Scrapy). A crawler killed with SIGKILL cannot stop its pool; its
    workers would wait for work forever (each holds both ends of the job queue), so a thread
    watches for the parent's death.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="ogi-parent-watch", daemon=True).start()
    from extractors.codebook import load_codebook

    load_codebook()  # imported and read once per worker, while the crawl reads its first listings


def start_method() -> str:
    """`fork` while this process runs one thread, else `spawn`.

    Forking is safe in a single-threaded process (no other thread can hold a lock the child would
    inherit locked), and the workers then inherit the imported extractors and the loaded codebook
    instead of spending 2-3 s of CPU each on them. The pool starts when the spider opens, before
    Twisted starts any thread; a pool restarted mid-crawl (after a worker died) is spawned.
    """
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


class ExtractPool:
    """Extraction in worker processes, results back on the reactor thread as Deferreds.

    Why processes: the extractor is CPU-bound Python; in a thread it holds the GIL against the
    reactor, so a crawl used one core. Workers are started once (see `start_method`), at most `max_pending` pages wait for or sit in the pool (memory stays flat;
    Scrapy stops downloading while its items are pending), and a worker that dies (OOM on a huge
    PDF) costs its page an `extraction_error`, not the crawl.
    """

    def __init__(self, workers: int, max_pending: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._slots = DeferredSemaphore(max(1, max_pending))

    def start(self) -> None:
        """Start every worker now (they load the extractors while the first listings download)."""
        pool = self._pool()
        for _ in range(self.workers):
            pool.submit(os.getpid)

    def submit(self, page: Page) -> Deferred:
        """A Deferred firing with (report, error text or None) on the reactor thread."""
        return self._slots.run(self._submit, page)

    def _submit(self, page: Page) -> Deferred:
        from twisted.internet import reactor

        done: Deferred = Deferred()
        future = self._pool().submit(extract_job, page.url, page.body, page.headers)
        future.add_done_callback(lambda f: reactor.callFromThread(self._finish, f, done, page))
        return done

    def _finish(self, future: Future, done: Deferred, page: Page) -> None:
        try:
            result = future.result()
        except BrokenProcessPool as exc:
            self.close(wait=False)  # the next page starts a fresh pool
            result = (crash_report(page, f"extraction worker died: {exc}"), f"worker died: {exc}")
        except Exception as exc:  # noqa: BLE001 - e.g. a result that does not pickle
            result = (crash_report(page, f"extractor crashed: {type(exc).__name__}: {exc}"), str(exc))
        done.callback(result)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            method = start_method()
            if method == "fork":  # the workers inherit the codebook instead of reading it each
                from extractors.codebook import load_codebook

                load_codebook()
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context(method),
                initializer=_worker_init, initargs=(os.getpid(),),
            )  # fmt: skip
        return self._executor

    def close(self, *, wait: bool = True) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=not wait)
            self._executor = None


class ExtractPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.enabled, self.stats = settings.getbool("OGI_EXTRACT", True), crawler.stats
        workers = settings.getint("OGI_EXTRACT_WORKERS", 1)
        self.pool = ExtractPool(workers, workers * PENDING_PER_WORKER) if workers > 0 else None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: Page, spider=None):
        """Extract off the reactor (a long PDF must not stall the downloads), record in the reactor."""
        if not self.enabled or not wants_extraction(item):
            return item
        deferred = self.pool.submit(item) if self.pool else deferToThread(extract_page, item)
        deferred.addCallback(self.record, item)
        return deferred

    def open_spider(self, spider=None) -> None:
        if self.enabled and self.pool is not None:
            self.pool.start()

    def close_spider(self, spider=None) -> None:
        if self.pool is not None:
            self.pool.close()

    def record(self, result: tuple, item: Page) -> Page:
        """Attach an extraction result to its page; count it; note its status in the catalog."""
        item.report, exc = result
        spider = self.crawler.spider
        site_stats = getattr(spider, "stats_by_site", {}).get(item.site_id)
        if exc is not None:
            log.warning("extraction failed for %s: %s", item.url, exc)
            self.stats.inc_value("ogi/extract/failed")
            if site_stats:
                site_stats.extract_failed += 1
        else:
            self.stats.inc_value(f"ogi/extract/{item.report.status}")
            if site_stats:
                site_stats.extracted += 1
        archive = getattr(spider, "archive", None)
        if archive is not None:
            archive.catalog.set_extraction(
                item.url, item.sha256, item.report.status, item.report.message, item.report.report_id
            )
        return item


def provenance(page: Page) -> dict[str, str]:
    """What the dataset keeps about where a report came from."""
    return {
        "source": page.url,
        "fetched_at": page.fetched_at,
        "archive_record": page.archive_record,
        "site_id": page.site_id,
        "referrer": page.referrer,
        "kind": page.kind,
    }


class CollectPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.out_dir = Path(crawler.settings.get("OGI_OUTPUT_DIR") or "output")
        self.enabled = crawler.settings.getbool("OGI_COLLECT", True)
        self.writer = None
        self._seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None) -> None:
        if not self.enabled:
            return
        try:
            from writers.dataset import DatasetWriter
        except ImportError:
            log.warning("writers.dataset is not available yet: the dataset is not written (archive is)")
            self.enabled = False
            return
        self.writer = DatasetWriter(self.out_dir)

    def process_item(self, item: Page, spider=None) -> Page:
        report = item.report
        if self.writer is None or report is None or report.sha256 in self._seen:
            return item
        self._seen.add(report.sha256)
        self.writer.add(report, provenance=provenance(item))
        return item

    def close_spider(self, spider=None) -> None:
        if self.writer is None:
            return
        self.crawler.spider.dataset_summary = self.writer.close()
