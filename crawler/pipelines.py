"""Item pipelines: archive every page, extract reports, collect them into the dataset.

Order matters and each stage is independent of the spider's internals:

1. `ArchivePipeline` writes every page (listings, reports, attachments, error pages) to WARC and
   the catalog, before anything can go wrong with it.
2. `ExtractPipeline` runs `extractors.extract` on report pages and PDF attachments. One failing
   extraction never stops the crawl: it becomes a Report with an `extraction_error` finding (so a
   row in findings.csv) and a count in the crawl stats.
3. `CollectPipeline` hands each extracted report, with its provenance, to the same
   `writers.dataset.DatasetWriter` that `ogi extract` uses, and closes it when the spider closes.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from twisted.internet.threads import deferToThread

from crawler.archive import Archive, Page

log = logging.getLogger(__name__)


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
    from extractors import Finding, Report, extract

    try:
        return extract(page.body, url=page.url, headers=page.headers), None
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop a crawl
        message = f"extractor crashed: {type(exc).__name__}: {exc}"
        report = Report(
            source=page.url, sha256=hashlib.sha256(page.body).hexdigest(), status="unreadable", message=message,
            findings=[Finding(kind="extraction_error", message=message, severity="error")],
        )  # fmt: skip
        return report, exc


def wants_extraction(page: Page) -> bool:
    if page.status != 200 or not page.body:
        return False
    if page.kind == "report":
        return True
    # every attachment goes to the extractors: what they cannot read (DOC, OFD ...) is then a document
    # with status `unreadable` in the dataset, just as `ogi extract ARCHIVE` would report it
    return page.kind == "attachment"


class ExtractPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.enabled, self.stats = crawler.settings.getbool("OGI_EXTRACT", True), crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: Page, spider=None):
        """Extract in a worker thread (a long PDF must not stall the downloads), record in the reactor."""
        if not self.enabled or not wants_extraction(item):
            return item
        deferred = deferToThread(extract_page, item)
        deferred.addCallback(self.record, item)
        return deferred

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
