"""Incremental crawls: the archive's catalog is the crawl's memory, so a rerun fetches only what changed.

Why: crawls run every week for years. Report pages, once published, almost never change, and
government servers are slow; downloading every report again each week would be rude and long.
So every GET of a report page or attachment is checked against the catalog
(`ARCHIVE/catalog.sqlite`, written by `crawler.archive`):

- known with validators → a conditional request (`If-None-Match` / `If-Modified-Since`). A `304`
  is answered from the archive: the spider and the pipelines see the archived bytes (flag
  `not_modified`), the archive records a revisit, no body crosses the network;
- known without validators → downloaded, and the sha256 says whether it changed (the archive writes
  a `revisit` record for identical bytes, a new version — a new catalog row — for changed bytes);
- unknown → downloaded as new.

Listing pages are always fetched: they are how new reports are found. `OGI_RECHECK_DAYS = N`
(default 0: always ask) answers pages confirmed within the last N days from the archive without
asking the server at all.

`JobdirGuard` makes `JOBDIR` (pause/resume) safe against SIGKILL: Scrapy saves its disk queue's
state only on a clean close, while its duplicate filter file grows as requests are *queued* — after
a hard kill the restored filter would hide requests whose queue entries were lost. A job directory
without our clean-close marker is therefore set aside and the crawl restarts from the listings; the
catalog (committed page by page) makes that restart cheap and keeps every report archived once.

`ArchiveRecovery` closes the last gap a hard kill leaves: a page whose WARC records were written
but whose catalog row was not yet committed. At start-up, the tail of each WARC file written by a
process that is gone (beyond the last record the catalog knows) is read back; every complete
response record (its payload matches its `OGI-Sha256`) missing from the catalog is indexed, so it
is revalidated rather than downloaded and archived a second time. A truncated record at the very
end (killed mid-write) fails that check and is ignored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import Catalog, Page
from crawler.monitors import run_log

log = logging.getLogger(__name__)

#: Page kinds (request.meta["kind"]) that are revalidated instead of downloaded again.
INCREMENTAL_KINDS = frozenset({"report", "attachment"})
CONDITIONAL_HEADERS = (b"If-None-Match", b"If-Modified-Since")
#: Wire-level headers that must not be replayed with an archived (already decoded) body.
_REPLAY_DROP = {"content-encoding", "transfer-encoding", "content-length"}
CLEAN_MARKER = "ogi-clean-close"


class CatalogReader:
    """Read-only look-ups in an archive's catalog (the archive pipeline is its only writer)."""

    def __init__(self, archive_dir: str | Path) -> None:
        self.root = Path(archive_dir)
        self.path = self.root / "catalog.sqlite"
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection | None:
        if self._db is None and self.path.exists():
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            self._db.row_factory = sqlite3.Row
        return self._db

    def known(self, url: str) -> dict[str, object] | None:
        """The newest good (status 200) version archived under this URL (or asked as this URL)."""
        db = self._conn()
        if db is None:
            return None
        try:
            row = db.execute(
                "SELECT url, sha256, etag, last_modified, last_seen, warc_file, warc_offset, site_id"
                " FROM pages WHERE (url = ? OR requested_url = ?) AND status = 200 AND warc_file IS NOT NULL"
                " ORDER BY last_seen DESC LIMIT 1",
                (url, url),
            ).fetchone()
        except sqlite3.OperationalError:  # no table yet: a first crawl
            return None
        return dict(row) if row else None

    def read(self, warc_file: str, offset: int) -> tuple[bytes, list[tuple[str, str]]] | None:
        """Body and HTTP headers of the response record at `warc_file#offset`, or None if gone."""
        path = self.root / "warc" / warc_file
        try:
            with path.open("rb") as fh:
                fh.seek(offset)
                for record in ArchiveIterator(fh):
                    if record.rec_type != "response":
                        return None
                    headers = record.http_headers.headers if record.http_headers else []
                    return record.content_stream().read(), list(headers)
        except Exception as exc:  # noqa: BLE001 - a damaged archive file means "ask the server again"
            log.warning("archived record %s#%s unreadable: %s", warc_file, offset, exc)
        return None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class IncrementalMiddleware:
    """Downloader middleware: conditional requests for known pages, 304s answered from the archive."""

    def __init__(self, crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("OGI_INCREMENTAL", True):
            raise NotConfigured
        self.crawler = crawler
        self.catalog = CatalogReader(settings.get("OGI_ARCHIVE_DIR") or "archive")
        self.recheck = timedelta(days=settings.getfloat("OGI_RECHECK_DAYS", 0))
        self.stats = crawler.stats
        crawler.signals.connect(self.catalog.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> Response | None:
        if request.method != "GET" or request.meta.get("kind") not in INCREMENTAL_KINDS:
            return None
        if request.meta.get("ogi_fresh"):
            return None
        known = self.catalog.known(request.url)
        request.meta["ogi_known"] = known
        if not known:
            return None
        if self.recheck and _seen_within(str(known["last_seen"]), self.recheck):
            response = self._from_archive(request, request.url, known, flag="recently_checked")
            if response is not None:
                self._count(request, "recently_checked")
                return response
        if known.get("etag"):
            request.headers[b"If-None-Match"] = str(known["etag"])
        if known.get("last_modified"):
            request.headers[b"If-Modified-Since"] = str(known["last_modified"])
        return None

    def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        if request.meta.get("kind") not in INCREMENTAL_KINDS or request.method != "GET":
            return response
        known = request.meta.get("ogi_known")
        if response.status == 304 and known:
            replayed = self._from_archive(request, response.url, known, flag="not_modified")
            if replayed is not None:
                self._count(request, "not_modified")
                return replayed
            # archived copy unreadable: ask again, unconditionally, and keep the fresh bytes
            self.stats.inc_value("ogi/incremental/archive_missing")
            headers = {k: v for k, v in request.headers.items() if k not in CONDITIONAL_HEADERS}
            meta = {**request.meta, "ogi_fresh": True, "ogi_known": None}
            return request.replace(headers=headers, meta=meta, dont_filter=True)
        if response.status == 200:
            if not known:
                self._count(request, "new")
            else:
                same = hashlib.sha256(response.body).hexdigest() == known["sha256"]
                self._count(request, "unchanged" if same else "changed")
        return response

    def _from_archive(self, request: Request, url: str, known: dict, flag: str) -> Response | None:
        found = self.catalog.read(str(known["warc_file"]), int(known["warc_offset"]))
        if found is None:
            return None
        body, pairs = found
        if hashlib.sha256(body).hexdigest() != known["sha256"]:  # damaged copy: never replay it
            return None
        headers = Headers([(k, v) for k, v in pairs if k.lower() not in _REPLAY_DROP])
        cls = responsetypes.from_args(headers=headers, url=str(known["url"]), body=body)
        request.meta["ogi_unchanged"] = True
        return cls(url=str(known["url"]) or url, status=200, headers=headers, body=body, request=request,
                   flags=[flag])  # fmt: skip

    def _count(self, request: Request, state: str) -> None:
        self.stats.inc_value(f"ogi/incremental/{state}")
        run_log(self.crawler).count(request.meta.get("site", ""), request.meta.get("kind", ""), state)


def _seen_within(stamp: str, window: timedelta) -> bool:
    try:
        seen = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return False
    return datetime.now(UTC) - seen < window


class JobdirGuard:
    """Extension: resume a JOBDIR stopped cleanly; set aside one left by a kill; drop a finished one.

    A finished job's duplicate filter would hide next run's listing pages (all seen), so a job
    directory whose last crawl ended `finished` starts afresh.
    """

    STATE = ("requests.seen", "requests.queue", "spider.state")

    def __init__(self, crawler, jobdir: Path) -> None:
        self.jobdir = jobdir
        marker = jobdir / CLEAN_MARKER
        state = [p for p in self.STATE if (jobdir / p).exists()]
        last_reason = marker.read_text(encoding="utf-8").strip() if marker.exists() else ""
        if state and not marker.exists():
            aside = jobdir / f"unclean-{time.strftime('%Y%m%dT%H%M%S')}"
            aside.mkdir(parents=True, exist_ok=True)
            for name in state:
                shutil.move(str(jobdir / name), str(aside / name))
            crawler.stats.set_value("ogi/jobdir/unclean_restart", 1)
            log.warning(
                "JOBDIR %s: the previous crawl did not stop cleanly (killed?); its queue state was set "
                "aside in %s and the crawl restarts from the listings (the catalog skips what is archived)",
                jobdir, aside.name,
            )  # fmt: skip
        elif state and last_reason == "finished":
            for name in state:
                target = jobdir / name
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink()
            log.info("JOBDIR %s: the previous crawl finished; this one starts afresh", jobdir)
        elif state:
            crawler.stats.set_value("ogi/jobdir/resumed", 1)
            log.info("JOBDIR %s: resuming a crawl stopped with %r", jobdir, last_reason)
        marker.unlink(missing_ok=True)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured
        path = Path(jobdir)
        path.mkdir(parents=True, exist_ok=True)
        return cls(crawler, path)

    def closed(self, spider=None, reason: str = "") -> None:
        # spider_closed comes after the scheduler saved its queue and closed its duplicate filter
        (self.jobdir / CLEAN_MARKER).write_text(f"{reason}\n", encoding="utf-8")


#: `<prefix>-<UTC stamp>-<pid>-<n>.warc.gz`, as crawler.archive names its files.
WARC_NAME = re.compile(r"-(\d{14})-(\d+)-\d+\.warc(\.gz)?$")
RECOVERY_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ogi_recovery (warc_file TEXT PRIMARY KEY, size INTEGER NOT NULL)"
)


def _writer_alive(name: str) -> bool:
    m = WARC_NAME.search(name)
    if not m:
        return False
    pid = int(m.group(2))
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_archive(archive_dir: str | Path, *, skip_live: bool = True) -> int:
    """Index complete records that a killed crawl wrote but never catalogued; returns how many.

    Files whose writer process is still alive (on this host) are skipped unless `skip_live` is False.
    """
    root = Path(archive_dir)
    files = sorted((root / "warc").glob("*.warc*")) if (root / "warc").is_dir() else []
    if not files:
        return 0
    catalog = Catalog(root / "catalog.sqlite")
    try:
        catalog.db.execute(RECOVERY_SCHEMA)
        done = dict(catalog.db.execute("SELECT warc_file, size FROM ogi_recovery").fetchall())
        ends = dict(catalog.db.execute(
            "SELECT warc_file, MAX(warc_offset + warc_length) FROM pages GROUP BY warc_file"
        ).fetchall())  # fmt: skip
        found = 0
        for path in files:
            size = path.stat().st_size
            if done.get(path.name) == size or (skip_live and _writer_alive(path.name)):
                continue
            found += _index_tail(catalog, path, int(ends.get(path.name) or 0))
            catalog.db.execute("INSERT OR REPLACE INTO ogi_recovery VALUES (?, ?)", (path.name, size))
            catalog.db.commit()
        return found
    finally:
        catalog.close()


def _index_tail(catalog: Catalog, path: Path, start: int) -> int:
    """Read `path` from `start`; catalogue complete response records the catalog lacks."""
    groups: list[tuple[Page, int]] = []
    end = start
    with path.open("rb") as fh:
        fh.seek(start)
        iterator = ArchiveIterator(fh)
        try:
            for record in iterator:
                body = record.content_stream().read()
                offset = iterator.get_record_offset()
                iterator.read_to_end(record)
                record_end = offset + iterator.get_record_length()
                if record.rec_type in ("response", "revisit"):
                    page = _page(record, body, path.name, offset)
                    if page is None:  # truncated: the kill hit this record
                        break
                    groups.append((page, offset))
                end = record_end
        except Exception as exc:  # noqa: BLE001 - a broken tail ends the readable part of the file
            log.info("%s: unreadable tail after offset %s (%s)", path.name, end, exc)
    added = 0
    for i, (page, offset) in enumerate(groups):
        if page.revisit or catalog.get(page.url, page.sha256):
            continue
        length = (groups[i + 1][1] if i + 1 < len(groups) else end) - offset
        catalog.insert(page, length)
        added += 1
        log.warning(
            "recovered %s from %s#%s (archived by a crawl that was killed)", page.url, path.name, offset
        )
    return added


def _page(record, body: bytes, warc_name: str, offset: int) -> Page | None:
    rec = record.rec_headers
    if record.rec_type == "revisit":
        return Page(url=rec.get_header("WARC-Target-URI"), body=b"", revisit=True)
    if hashlib.sha256(body).hexdigest() != (rec.get_header("OGI-Sha256") or ""):
        return None
    http = record.http_headers
    return Page(
        url=rec.get_header("WARC-Target-URI"), body=body,
        status=int(http.get_statuscode() or 0) if http else 0,
        headers=dict(http.headers) if http else {},
        site_id=rec.get_header("OGI-Site-Id") or "", kind=rec.get_header("OGI-Kind") or "page",
        referrer=rec.get_header("OGI-Referrer") or "", fetched_at=rec.get_header("WARC-Date") or "",
        warc_file=warc_name, warc_offset=offset,
    )  # fmt: skip


def index_requested_urls(archive_dir: str | Path) -> None:
    """Revalidation looks pages up by the URL asked for too (redirects): give that column an index."""
    path = Path(archive_dir) / "catalog.sqlite"
    if not path.exists():
        return
    catalog = Catalog(path)
    try:
        catalog.db.execute("CREATE INDEX IF NOT EXISTS pages_requested_url ON pages (requested_url)")
        catalog.db.commit()
    finally:
        catalog.close()


class ArchiveRecovery:
    """Extension: run `recover_archive` on the crawl's archive before anything is fetched."""

    def __init__(self, crawler) -> None:
        archive = crawler.settings.get("OGI_ARCHIVE_DIR") or "archive"
        index_requested_urls(archive)
        found = recover_archive(archive)
        if found:
            crawler.stats.set_value("ogi/archive/recovered", found)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)
