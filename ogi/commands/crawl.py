"""`ogi crawl`: fetch annual reports of registry sites (or one listing URL) into the archive and output/.

Runs the Scrapy spider `reports` in this process with the project's settings. On a terminal it
shows live per-site counts (listings, reports, attachments, errors, status); under cron (no TTY)
it logs a plain line per site now and then. Either way it ends with a per-site summary table and
writes ARCHIVE/crawl-summary.json.

Examples:
    ogi crawl --site nantong_chongchuan
    ogi crawl --province 江苏 --out output/ --archive archive/
    ogi crawl --url https://www.example.gov.cn/zwgk/zfxxgknb/ --platform trs
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Self

from crawler.registry import adhoc_site, load_sites, select

COLUMNS = (
    "site",
    "status",
    "listings",
    "reports",
    "attachments",
    "extracted",
    "errors",
    "ignored",
    "offsite",
)
HEADERS = {
    "status": "status    ",
    "listings": "lists",
    "attachments": "files",
    "extracted": "read",
    "ignored": "robots",
}


def register(subparsers) -> None:
    p = subparsers.add_parser("crawl", help="crawl report listings into the archive and output/",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--site", action="append", default=[], help="registry id (repeatable, or comma-separated)"
    )
    which.add_argument("--province", help="every registry site of this province (e.g. 江苏 or 江苏省)")
    which.add_argument("--all", action="store_true", help="every registry site")
    which.add_argument("--url", help="one listing URL with no registry entry")
    p.add_argument("--platform", default="", help="platform adapter (generic, hanweb, hanweb_xxgk, truecms, gkmlpt); "
                                                  "sniffed from the page when not given")  # fmt: skip
    p.add_argument("--out", default="output", help="dataset directory (default: output)")
    p.add_argument("--archive", default="archive", help="WARC + catalog directory (default: archive)")
    p.add_argument("--registry", default="", help="registry CSV (default: crawler/sites.csv)")
    p.add_argument("--base", default="", help="value of the {base} placeholder in the registry's URLs")
    p.add_argument("--fast", action="store_true", help="no politeness delays: for local test servers only")
    p.add_argument("--no-extract", action="store_true", help="archive only; run `ogi extract ARCHIVE` later")
    p.add_argument("--extract-workers", type=int, default=None, metavar="N",
                   help="extraction processes beside the crawler (default 1; 0: a thread of the crawl process)")  # fmt: skip
    p.add_argument("--progress", choices=("auto", "live", "plain", "none"), default="auto")
    p.add_argument("--jobdir", default="", help="Scrapy JOBDIR: pause (Ctrl-C once) and resume a crawl")
    p.add_argument(
        "--redis", default="", metavar="URL", help="share the frontier with other workers (scrapy-redis)"
    )
    p.add_argument("--crawl-id", default="", help="with --redis: workers with the same id share a crawl "
                                                  "(default: this ISO week)")  # fmt: skip
    p.add_argument("--full", action="store_true", help="not incremental: download known pages again")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        sites = _sites(args)
    except (KeyError, ValueError, OSError) as exc:
        print(f"ogi crawl: {exc}", file=sys.stderr)
        return 2
    if not sites:
        print("ogi crawl: no site selected", file=sys.stderr)
        return 2
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.reports import ReportsSpider

    settings = crawl_settings(args)
    progress = Progress(args.progress)
    if progress.mode == "live":  # the live table owns the terminal: only warnings in between
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    logging.root.handlers.clear()  # Scrapy installs its own root handler with LOG_LEVEL/LOG_FILE
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ReportsSpider)
    crawler.signals.connect(progress.tick, signal=_item_scraped())
    process.crawl(crawler, **_spider_args(args))
    with progress:
        progress.spider_getter = lambda: crawler.spider
        process.start()
    spider = crawler.spider
    print_summary(spider.stats_by_site.values(), sys.stdout.isatty())
    print(f"archive: {Path(args.archive).resolve()}  (summary: crawl-summary.json)")
    _print_alerts(settings)
    if getattr(spider, "dataset_summary", None) is not None:
        print(f"dataset: {Path(args.out).resolve()}  ({describe_dataset(spider.dataset_summary)})")
    return 0


def crawl_settings(args: argparse.Namespace):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    if args.fast:
        settings.setdict(settings.getdict("OGI_FAST_SETTINGS"), priority="cmdline")
    settings.set("OGI_ARCHIVE_DIR", args.archive, priority="cmdline")
    settings.set("OGI_OUTPUT_DIR", args.out, priority="cmdline")
    settings.set("OGI_EXTRACT", not args.no_extract, priority="cmdline")
    settings.set("OGI_COLLECT", not args.no_extract, priority="cmdline")
    if args.extract_workers is not None:
        settings.set("OGI_EXTRACT_WORKERS", max(0, args.extract_workers), priority="cmdline")
    _ops_settings(settings, args)
    for pair in args.set:
        name, _, value = pair.partition("=")
        settings.set(name.strip(), value, priority="cmdline")
    return settings


def _ops_settings(settings, args: argparse.Namespace) -> None:
    """--jobdir, --redis, --crawl-id, --full (issue 5; see docs/RUNNING.md)."""
    if getattr(args, "jobdir", ""):
        settings.set("JOBDIR", args.jobdir, priority="cmdline")
    if getattr(args, "redis", ""):
        from crawler.redis_support import redis_settings

        settings.setdict(redis_settings(args.redis, args.crawl_id), priority="cmdline")
    if getattr(args, "full", False):
        settings.set("OGI_INCREMENTAL", False, priority="cmdline")


def _print_alerts(settings) -> None:
    """One line per alert of the run summary (crawler/monitors.py), if it was written."""
    import json

    path = Path(settings.get("OGI_RUN_SUMMARY") or Path(settings.get("OGI_ARCHIVE_DIR")) / "run-summary.json")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for alert in summary.get("alerts", []):
        print(f"ALERT {alert['site']}: {alert['kind']}: {alert['message']}")
    print(f"run summary: {path.resolve()}  ({summary.get('errors', {}).get('total', 0)} failures)")


def _sites(args: argparse.Namespace):
    if args.url:
        return [adhoc_site(args.url, args.platform)]
    registry = load_sites(args.registry or None, base=args.base or None)
    ids = [i.strip() for s in args.site for i in s.split(",") if i.strip()]
    return select(registry, ids=ids, province=args.province, everything=args.all)


def _spider_args(args: argparse.Namespace) -> dict[str, str]:
    ids = ",".join(i.strip() for s in args.site for i in s.split(",") if i.strip())
    return {"site": ids, "province": args.province or "", "all": "1" if args.all else "", "url": args.url or "",
            "platform": args.platform, "registry": args.registry, "base": args.base}  # fmt: skip


def _item_scraped():
    from scrapy import signals

    return signals.item_scraped


class Progress:
    """Live per-site table on a terminal; a plain line per changed site every 10 s otherwise."""

    def __init__(self, mode: str) -> None:
        if mode == "auto":
            mode = "live" if sys.stderr.isatty() else "plain"
        self.mode = mode
        self.spider_getter = lambda: None
        self._live = None
        self._last_print = 0.0
        self._printed: dict[str, tuple] = {}

    def __enter__(self) -> Self:
        if self.mode == "live":
            from rich.console import Console
            from rich.live import Live

            self._live = Live(
                get_renderable=self._table, console=Console(stderr=True), refresh_per_second=4, transient=True
            )
            self._live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._live is not None:
            self._live.__exit__(*exc)

    def _table(self):
        return rich_table(getattr(self.spider_getter(), "stats_by_site", {}).values(), "ogi crawl")

    def tick(self, *args, **kwargs) -> None:
        if self.mode != "plain" or time.monotonic() - self._last_print < 10:
            return
        self._last_print = time.monotonic()
        for s in getattr(self.spider_getter(), "stats_by_site", {}).values():
            row = tuple(getattr(s, c) for c in COLUMNS)
            if self._printed.get(s.site) != row:
                self._printed[s.site] = row
                print("progress " + " ".join(f"{c}={v}" for c, v in zip(COLUMNS, row, strict=True)),
                      file=sys.stderr, flush=True)  # fmt: skip


def describe_dataset(summary) -> str:
    """One line from the dataset writer's summary (whatever keys it has)."""
    if not isinstance(summary, dict):
        return str(summary)
    status = summary.get("status") or {}
    parts = [f"{summary.get('reports', '?')} documents", f"{summary.get('values', '?')} values"]
    if status:
        parts.append("status " + ", ".join(f"{k}={v}" for k, v in sorted(status.items())))
    return "; ".join(parts)


def rich_table(stats, title: str):
    """The per-site counts as a compact rich Table (fits 80 columns for a dozen sites)."""
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for column in COLUMNS:
        table.add_column(
            HEADERS.get(column, column),
            no_wrap=True,
            min_width=None if column == "site" else len(HEADERS.get(column, column)),
            justify="left" if column in {"site", "status"} else "right",
        )
    for s in stats:
        table.add_row(*(str(getattr(s, c)) for c in COLUMNS))
    return table


def print_summary(stats, use_rich: bool) -> None:
    """The per-site summary at the end of a crawl."""
    stats = list(stats)
    if use_rich:
        from rich.console import Console

        Console().print(rich_table(stats, "crawl summary"))
        return
    widths = [max(len(c), *(len(str(getattr(s, c))) for s in stats)) for c in COLUMNS]
    print("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)))
    for s in stats:
        print("  ".join(str(getattr(s, c)).ljust(w) for c, w in zip(COLUMNS, widths, strict=True)))
