"""What `ogi extract` reads: saved pages, folders of them, and WARC archives written by the crawler.

Every input becomes a `Job`: the bytes to extract plus what is known about them (URL, HTTP headers,
and for archived pages the WARC record they came from). Folders are walked in sorted order so a
rerun sees the same inputs in the same order; WARC response records are replayed with their
Target-URI and HTTP headers, exactly as the crawler received them, so `ogi extract ARCHIVE_DIR`
rebuilds the dataset without the network.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

#: Saved-page extensions picked up when walking a folder (a file named explicitly is always read).
PAGE_SUFFIXES = frozenset(
    {".html", ".htm", ".shtml", ".jhtml", ".xhtml", ".txt", ".pdf", ".docx", ".xlsx", ".xls", ".et", ".ofd"}
)
WARC_SUFFIXES = (".warc", ".warc.gz")
#: WARC record types that carry a page: `response` (HTTP, from a crawl), `resource` (a file).
PAGE_RECORDS = frozenset({"response", "resource"})
#: The crawler's `OGI-Kind` WARC header values of pages that are never reports (crawler/archive.py).
NOT_REPORT_KINDS = frozenset({"listing"})


@dataclass(slots=True)
class Job:
    """One page to extract: bytes plus what is known about where they came from."""

    source: str  # path, or URL for an archived page
    data: bytes | None = None  # None: read `path` in the worker
    path: str | None = None
    url: str | None = None
    headers: dict[str, str] | None = None
    filename: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        return Path(self.path or self.source).read_bytes()


@dataclass(slots=True)
class Skipped:
    """An input that is not a page to extract.

    `expected` skips (a listing page or an error response the crawler archived) are listed in the
    summary but do not make the run fail; an unreadable archive does.
    """

    source: str
    reason: str
    expected: bool = False


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def display_name(path: Path) -> str:
    """The path as text for the dataset: a file name in GBK (unzipped on Windows) is decoded as
    such instead of carrying undecodable surrogates into CSV and JSON."""
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def missing_paths(paths: Iterable[str | Path]) -> list[str]:
    return [str(p) for p in paths if not Path(p).exists()]


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files to read, in a stable order: named files as given, folders walked and sorted."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_walk(path))
        elif path.is_file():
            found.append(path)
    return found


def _walk(folder: Path) -> list[Path]:
    """Pages and archives below `folder`, hidden folders (staging, .git) skipped, sorted."""
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = Path(root) / name
            if is_warc(path) or path.suffix.lower() in PAGE_SUFFIXES:
                files.append(path)
    return sorted(files)


def jobs(files: Iterable[Path]) -> Iterator[Job | Skipped]:
    """One job per saved page, one per page record of each WARC file."""
    for path in files:
        if is_warc(path):
            yield from warc_jobs(path)
        else:
            yield Job(source=display_name(path), path=str(path), filename=display_name(Path(path.name)))


def warc_jobs(path: Path) -> Iterator[Job | Skipped]:
    """Replay the page records of a WARC file (response: URL + HTTP headers; resource: the file)."""
    try:
        with path.open("rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                if record.rec_type not in PAGE_RECORDS:
                    continue
                try:
                    job = _record_job(path, record)
                except Exception as exc:  # noqa: BLE001 -- one bad record (e.g. broken gzip body)
                    uri = record.rec_headers.get_header("WARC-Target-URI") or str(path)
                    job = Skipped(uri, f"archived record unreadable: {type(exc).__name__}: {exc}")
                if isinstance(job, Job):  # the offset is known once the record has been read
                    job.provenance["archive_record"] = f"{path.name}#{records.get_record_offset()}"
                yield job
    except Exception as exc:  # noqa: BLE001 -- a corrupt archive: keep what was read, report the rest
        yield Skipped(str(path), f"archive unreadable after the records above: {type(exc).__name__}: {exc}")


def _record_job(path: Path, record) -> Job | Skipped:
    url = record.rec_headers.get_header("WARC-Target-URI")
    source = url or f"{path}#{record.rec_headers.get_header('WARC-Record-ID')}"
    headers = None
    kind = record.rec_headers.get_header("OGI-Kind")
    if kind in NOT_REPORT_KINDS:
        return Skipped(source, f"archived {kind} page", expected=True)
    if record.rec_type == "response" and record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        if status and not status.startswith("2"):
            return Skipped(source, f"archived HTTP {status} response, not a page", expected=True)
        headers = dict(record.http_headers.headers)
    data = record.content_stream().read()
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        return Skipped(source, f"archived record truncated ({missing} bytes missing)")
    provenance = {
        "url": url,
        "fetched_at": record.rec_headers.get_header("WARC-Date"),
        "site_id": record.rec_headers.get_header("OGI-Site-Id"),
    }
    name = (url or "").rstrip("/").rsplit("/", 1)[-1] or None
    return Job(source=source, data=data, url=url, headers=headers, filename=name, provenance=provenance)
