"""The machine-readable run summary of a crawl, and the checks that notice a site that went wrong.

Why: crawls run unattended (cron, systemd timers, scrapyd, several machines). Nobody reads the
log; a script or a person reads `ARCHIVE/run-summary.json` (or `OGI_RUN_SUMMARY`): pages fetched,
new / changed / unchanged reports, every failure by kind and URL, and alerts for sites that need a
human — a site that returned nothing, and above all a site that used to list reports and now lists
none (its layout changed: the adapter no longer finds its links). These are the checks Spidermon
monitors would make, done by hand on Scrapy's stats, the spider's per-site counts and the catalog.

- `RunLog`: per-crawler counters shared by our middlewares (incremental states, failures).
- `FailureMiddleware`: downloader middleware placed *after* RetryMiddleware in the response path,
  so it sees final outcomes only: every request that finally failed (exception or HTTP error) is
  recorded with a kind (`timeout`, `connection`, `truncated`, `too_large`, `robots`, `offsite`,
  `dns`, `tls`, `http_5xx`, `http_4xx`, `other`).
- `RunSummary`: extension writing the summary when the spider closes; `summarize()` is pure.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.http import Request, Response

log = logging.getLogger(__name__)

#: How many failed URLs the summary lists (the counts by kind are always complete).
MAX_FAILURES_LISTED = 500
#: A site now listing fewer than this share of the reports the previous run found is flagged.
FEWER_REPORTS_RATIO = 0.5
_LOGS: WeakKeyDictionary[Any, RunLog] = WeakKeyDictionary()


@dataclass
class RunLog:
    """Counters our components share for one crawl."""

    states: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (site, kind, state)
    failures: list[dict[str, str]] = field(default_factory=list)
    failure_kinds: Counter[str] = field(default_factory=Counter)

    def count(self, site: str, kind: str, state: str) -> None:
        self.states[(site, kind, state)] += 1

    def fail(self, request: Request, kind: str, detail: str) -> None:
        self.failure_kinds[kind] += 1
        if len(self.failures) < MAX_FAILURES_LISTED:
            self.failures.append({
                "url": request.url, "site": request.meta.get("site", ""),
                "page_kind": request.meta.get("kind", ""), "kind": kind, "detail": detail[:300],
            })  # fmt: skip


def run_log(crawler) -> RunLog:
    if crawler not in _LOGS:
        _LOGS[crawler] = RunLog()
    return _LOGS[crawler]


def failure_kind(exc: BaseException) -> str:
    """A stable slug for why a download failed."""
    name, text = type(exc).__name__, str(exc)
    lowered = text.lower()
    if name == "IgnoreRequest":
        if "robots" in lowered:
            return "robots"
        return "offsite" if "offsite" in lowered else "ignored"
    checks = (
        ("timeout", ("Timeout", "TimedOut")),
        ("too_large", ("Cancelled", "MaxSize")),
        ("truncated", ("DataLoss", "PotentialDataLoss")),
        ("dns", ("DNSLookup", "DNS")),
        ("tls", ("SSL", "TLS")),
        ("connection", ("ConnectionRefused", "ConnectionLost", "ConnectionDone", "ConnectError",
                        "ResponseNeverReceived", "ResponseFailed", "TCPTimedOut")),
    )  # fmt: skip
    for kind, needles in checks:
        if any(n in name or n in text for n in needles):
            if kind == "connection" and ("_DataLoss" in text or "DataLoss" in text):
                return "truncated"
            return kind
    if "maxsize" in lowered or "max size" in lowered or "larger than download" in lowered:
        return "too_large"
    return "other"


class FailureMiddleware:
    """Downloader middleware recording every final failure (see module docstring for placement)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.log = run_log(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if response.status >= 400:
            kind = "http_5xx" if response.status >= 500 else "http_4xx"
            self.log.fail(request, kind, f"HTTP {response.status}")
        return response

    def process_exception(self, request: Request, exception: BaseException, spider=None) -> None:
        kind = failure_kind(exception)
        self.log.fail(request, kind, f"{type(exception).__name__}: {exception}")
        self.crawler.stats.inc_value(f"ogi/failures/{kind}")


class RunSummary:
    """Extension: writes the run summary JSON when the spider closes."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.archive_dir = Path(settings.get("OGI_ARCHIVE_DIR") or "archive")
        self.path = Path(settings.get("OGI_RUN_SUMMARY") or self.archive_dir / "run-summary.json")
        self.started_at = ""
        self.t0 = 0.0
        self.known_before: dict[str, int] = {}
        self.previous: dict[str, int] = {}
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider=None) -> None:
        self.started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.t0 = time.monotonic()
        self.known_before = reports_known(self.archive_dir)
        self.previous = previous_reports(self.path)

    def closed(self, spider=None, reason: str = "") -> None:
        spider = spider or self.crawler.spider
        sites = [_site_dict(s) for s in getattr(spider, "stats_by_site", {}).values()]
        summary = summarize(
            stats=self.crawler.stats.get_stats(), sites=sites, run=run_log(self.crawler),
            versions=versions_since(self.archive_dir, self.started_at), known_before=self.known_before,
            previous=self.previous, distributed=bool(self.crawler.settings.get("OGI_REDIS_URL")),
        )  # fmt: skip
        summary.update({
            "started_at": self.started_at, "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "finish_reason": reason, "elapsed_seconds": round(time.monotonic() - self.t0, 2),
            "worker": f"{socket.gethostname()}:{os.getpid()}", "archive": str(self.archive_dir),
            "crawl_id": self.crawler.settings.get("OGI_REDIS_CRAWL_ID") or "",
            "jobdir": self.crawler.settings.get("JOBDIR") or "",
        })  # fmt: skip
        write_json(self.path, summary)
        for alert in summary["alerts"]:
            log.warning("ALERT %s: %s", alert["site"], alert["message"])


def _site_dict(stats) -> dict[str, Any]:
    from dataclasses import asdict

    row = asdict(stats)
    row["status"] = stats.final_status() if hasattr(stats, "final_status") else row.get("status")
    return row


def summarize(*, stats: dict[str, Any], sites: list[dict[str, Any]], run: RunLog,
              versions: dict[str, Counter[str]], known_before: dict[str, int],
              previous: dict[str, int] | None = None, distributed: bool = False) -> dict[str, Any]:  # fmt: skip
    """The summary dict (pure: everything comes in as arguments)."""
    by_status = {
        k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("downloader/response_status_count/")
    }
    states = Counter()
    per_site_states: dict[str, Counter[str]] = {}
    for (site, kind, state), n in run.states.items():
        states[f"{kind}/{state}"] += n
        per_site_states.setdefault(site, Counter())[state] += n
    errors = Counter(run.failure_kinds)
    for key, value in stats.items():  # what never reached a downloader middleware
        if key.startswith("ogi/extract/failed"):
            errors["extraction"] += value
    rows, alerts = [], []
    for site in sites:
        sid = site.get("site", "")
        new = versions.get(sid, Counter())
        row = {**site, "new": new["new"], "changed": new["changed"],
               "not_modified": per_site_states.get(sid, Counter())["not_modified"],
               "unchanged": per_site_states.get(sid, Counter())["unchanged"],
               "known_before": known_before.get(sid, 0),
               "previous_run": (previous or {}).get(sid)}  # fmt: skip
        rows.append(row)
        if distributed and not site.get("listings") and not site.get("reports"):
            continue  # another worker of the shared crawl handled this site
        alerts.extend(site_alerts(row))
    total_new = sum(c["new"] for c in versions.values())
    total_changed = sum(c["changed"] for c in versions.values())
    return {
        "pages_fetched": stats.get("downloader/response_count", 0),
        "bytes_fetched": stats.get("downloader/response_bytes", 0),
        "requests": stats.get("downloader/request_count", 0),
        "responses_by_status": dict(sorted(by_status.items())),
        "new_versions": {"new": total_new, "changed": total_changed},
        "revalidated": dict(sorted(states.items())),
        "retries": stats.get("retry/count", 0),
        "errors": {
            "total": sum(errors.values()),
            "by_kind": dict(sorted(errors.items())),
            "failures": run.failures,
        },
        "robots_forbidden": stats.get("robotstxt/forbidden", 0),
        "offsite_filtered": stats.get("offsite/filtered", 0),
        "sites": rows,
        "alerts": alerts,
        "ok": not alerts,
    }


def site_alerts(row: dict[str, Any]) -> list[dict[str, str]]:
    """What a human should look at for one site of this run."""
    sid, status, reports, before = (
        row.get("site", ""),
        row.get("status", ""),
        row.get("reports", 0),
        row.get("known_before", 0),
    )
    if reports == 0 and before and row.get("listings", 0) and status in ("empty", "ok"):
        return [{"site": sid, "kind": "layout_changed",
                 "message": f"listing pages were read but no report link was found; the archive holds "
                            f"{before} reports of this site from earlier crawls: its layout probably changed"}]  # fmt: skip
    if reports == 0:
        return [
            {"site": sid, "kind": "returned_nothing", "message": f"no report found (site status: {status})"}
        ]
    last = row.get("previous_run")
    if last and reports < FEWER_REPORTS_RATIO * last:
        return [{"site": sid, "kind": "fewer_reports",
                 "message": f"{reports} reports listed now, {last} in the previous run"}]  # fmt: skip
    return []


def previous_reports(summary_path: Path) -> dict[str, int]:
    """Reports per site found by the previous run (from its summary), for sites it did read."""
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {s["site"]: s.get("reports", 0) for s in summary.get("sites", []) if s.get("listings")}


def _catalog(archive_dir: Path) -> sqlite3.Connection | None:
    path = archive_dir / "catalog.sqlite"
    if not path.exists():
        return None
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)


def reports_known(archive_dir: Path) -> dict[str, int]:
    """Distinct good report URLs per site already in the catalog."""
    db = _catalog(archive_dir)
    if db is None:
        return {}
    try:
        rows = db.execute(
            "SELECT site_id, COUNT(DISTINCT url) FROM pages WHERE kind = 'report' AND status = 200 GROUP BY site_id"
        ).fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        db.close()
    return {site: n for site, n in rows}


def versions_since(archive_dir: Path, started_at: str) -> dict[str, Counter[str]]:
    """Per site, report/attachment versions first archived since `started_at`: new URL or changed bytes."""
    db = _catalog(archive_dir)
    out: dict[str, Counter[str]] = {}
    if db is None or not started_at:
        return out
    try:
        rows = db.execute(
            "SELECT p.site_id, EXISTS (SELECT 1 FROM pages q WHERE q.url = p.url AND q.status = 200"
            " AND q.first_seen < ?) FROM pages p WHERE p.first_seen >= ? AND p.status = 200"
            " AND p.kind IN ('report', 'attachment')",
            (started_at, started_at),
        ).fetchall()
    except sqlite3.OperationalError:
        return out
    finally:
        db.close()
    for site, existed in rows:
        out.setdefault(site, Counter())["changed" if existed else "new"] += 1
    return out


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    """`python -m crawler.monitors RUN-SUMMARY.json`: print alerts and failures; exit 1 when there are alerts."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m crawler.monitors ARCHIVE/run-summary.json\n")
        return 2
    summary = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    errors = summary.get("errors", {})
    lines = [
        (
            f"crawl {summary.get('finish_reason', '?')}: {summary.get('pages_fetched', 0)} pages fetched, "
            f"{summary.get('new_versions', {}).get('new', 0)} new and {summary.get('new_versions', {}).get('changed', 0)} "
            f"changed reports/attachments, {errors.get('total', 0)} failures {errors.get('by_kind', {})}"
        ),
        *(f"ALERT {a['site']}: {a['kind']}: {a['message']}" for a in summary.get("alerts", [])),
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if summary.get("ok", not summary.get("alerts")) else 1


if __name__ == "__main__":
    raise SystemExit(main())
