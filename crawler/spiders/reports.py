"""The `reports` spider: from registry entries to raw pages (listings, reports, attachments).

It fetches and yields raw pages only; pipelines archive, extract and collect. Platform knowledge
lives in `crawler.platforms`; site knowledge in the registry. Per site it keeps live counts
(pages, reports, attachments, errors) and a status — `ok`, `empty` (listings read, no report
link), `blocked` (WAF page or 403/412/521), `login_wall`, `not_found`, `unreachable` — so a site
that shuts us out is never mistaken for a site without reports.

    scrapy crawl reports -a site=ID[,ID]   | -a province=江苏 | -a all=1
    scrapy crawl reports -a url=LISTING_URL [-a platform=hanweb]
    (-a registry=PATH -a base=http://127.0.0.1:PORT for registries using the {base} placeholder)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from crawler.archive import Page, utcnow
from crawler.platforms import adapter_for, named
from crawler.platforms.base import text_of, tree_of
from crawler.platforms.common import (
    Link,
    adcode_from_siteid,
    anchors,
    attachments_among,
    candidate_links,
    is_attachment,
    meta_tags,
    report_links,
)
from crawler.platforms.hanweb import HanwebXxgk
from crawler.registry import Site, adhoc_site, load_sites, select

#: Text of WAF block pages and login walls (Chinese cloud WAFs, 安全狗, 云锁, 创宇盾 ...).
BLOCK_TEXT = re.compile(
    r"拒绝执行|网站云防护|访问被拒绝|访问受限|安全狗|云锁|创宇盾|Web应用防火墙|WAF|请求被拦截|Access Denied"
)
LOGIN_TEXT = re.compile(r"请(先)?登录|用户登录|统一身份认证")
#: An xxgk unit-year page that holds a report names the year and the report (empty years do not).
XXGK_REPORT = re.compile(r"(19|20)\d{2}\s*年.{0,40}(年度报告|年报)")
BLOCK_STATUS = {401, 403, 412, 418, 429, 503, 521}


@dataclass(slots=True)
class SiteStats:
    """Live counts for one site; the summary table and crawl-summary.json are made of these."""

    site: str
    name: str = ""
    listings: int = 0
    reports: int = 0
    attachments: int = 0
    errors: int = 0
    ignored: int = 0  # refused by robots.txt (or another downloader filter)
    offsite: int = 0  # links to hosts outside the site's domains, not followed
    blocked: int = 0
    login: int = 0
    not_found: int = 0
    extracted: int = 0
    extract_failed: int = 0
    siteid_mismatch: int = 0  # report pages whose SiteIDCode names another division than the registry
    status: str = "pending"

    def final_status(self) -> str:
        if self.reports:
            return "ok"
        if self.blocked:
            return "blocked"
        if self.login:
            return "login_wall"
        if self.listings and not self.not_found:
            return "empty"
        if self.not_found:
            return "not_found"
        return "unreachable" if self.errors else "empty"


class ReportsSpider(scrapy.Spider):
    """Crawl the annual-report listings of registry sites (see module docstring for arguments)."""

    name = "reports"
    handle_httpstatus_list = (400, 401, 403, 404, 405, 410, 412, 418, 429, 451, 500, 502, 503, 504, 521)

    def __init__(self, site: str = "", province: str = "", all: str = "", url: str = "",  # noqa: A002
                 platform: str = "", registry: str = "", base: str = "", **kwargs) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.registry_path, self.base = registry, base
        self.platform_arg = platform
        self._args = {"site": site, "province": province, "all": all, "url": url}
        self.sites: list[Site] = []
        self.by_id: dict[str, Site] = {}
        self.stats_by_site: dict[str, SiteStats] = {}
        self._seen_links: dict[str, set[str]] = {}
        self._queued: set[str] = set()
        self.allowed_domains: list[str] = []
        self._select_sites()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        kwargs.setdefault("registry", crawler.settings.get("OGI_REGISTRY") or "")
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.write_summary, signal=scrapy.signals.spider_closed)
        return spider

    def _select_sites(self) -> None:
        a = self._args
        if a["url"]:
            self.sites = [adhoc_site(a["url"], self.platform_arg)]
        else:
            ids = [i.strip() for i in a["site"].split(",") if i.strip()]
            every = str(a["all"]).lower() in {"1", "true", "yes"}
            registry = load_sites(self.registry_path or None, base=self.base or None)
            self.sites = select(registry, ids=ids, province=a["province"] or None, everything=every)
        self.by_id = {s.id: s for s in self.sites}
        self.stats_by_site = {s.id: SiteStats(s.id, s.name) for s in self.sites}
        self._seen_links = {s.id: set() for s in self.sites}
        self.allowed_domains = sorted({d for s in self.sites for d in s.domains})

    async def start(self):
        if not self.sites:
            self.logger.warning("no site selected: give site=ID, province=NAME, all=1 or url=URL")
        for site in self.sites:
            for url in site.start_urls:
                for request in self._start_requests(site, url):
                    yield request

    def _start_requests(self, site: Site, url: str) -> list[Request]:
        if "xxgkAnnualReport.jsp" in url:
            adapter = HanwebXxgk()
        else:
            adapter = named(self.platform_arg or site.platform)
        requests = adapter.start(site, url)
        if self.platform_arg:  # given on the command line: trusted, not sniffed
            requests = [r.replace(meta={**r.meta, "platform": adapter.name}) for r in requests]
        if not site.listing_urls:  # only a report URL is known: fetch it as a report
            requests = [self._report_request(site, Link(url, site.name), referrer="")]
        return [self._with_errback(r.replace(dont_filter=True)) for r in requests]  # start URLs, as Scrapy's

    # -- callbacks ---------------------------------------------------------------------------
    def parse(self, response: Response, **kwargs) -> Iterator[Page | Request]:
        """A listing page or list endpoint: archive it, then follow what its adapter finds."""
        site = self.by_id[response.meta["site"]]
        stats = self.stats_by_site[site.id]
        stats.listings += 1
        problem = self._problem(response)
        if problem:
            self._count_problem(stats, problem, response)
            yield self._page(response, site, "listing")
            return
        adapter = adapter_for(response, self.platform_arg or site.platform)
        if isinstance(adapter, HanwebXxgk):
            yield from self._xxgk_page(response, site)
            return
        response.meta["has_new"] = self._mark_seen(site, response)
        yield self._page(response, site, "listing")
        yield from self._follow(adapter.parse(response, site), site, stats, response)
        self._update_status(stats)

    def _follow(self, found: Iterator[Link | Request], site: Site, stats: SiteStats, response: Response):
        """Report links become report requests (on-site, once); adapter requests go out as they are."""
        for item in found:
            if isinstance(item, Request):
                yield self._with_errback(item)
            elif not _on_site(item.url, site):
                stats.offsite += 1
                self.logger.info("%s: offsite link not followed: %s", site.id, item.url)
            elif item.url not in self._queued:
                self._queued.add(item.url)
                yield self._report_request(site, item, referrer=response.url)

    def parse_report(self, response: Response) -> Iterator[Page | Request]:
        site = self.by_id[response.meta["site"]]
        stats = self.stats_by_site[site.id]
        problem = self._problem(response)
        if problem:
            self._count_problem(stats, problem, response)
            yield self._page(response, site, "report")
            return
        links = self._candidate_links(response, site)
        column_links = self._column_links(response, site, links)
        if len(column_links) >= 2 and _little_text(response):
            # a link named like a report led to a (per-year, per-unit) column: read it as a listing
            stats.listings += 1
            response.meta["has_new"] = self._mark_seen(site, response)
            yield self._page(response, site, "listing")
            yield from self._follow(named("generic").parse(response, site), site, stats, response)
            self._update_status(stats)
            return
        yield from self._report(response, site, stats, links)
        # 上一篇/下一篇 and "related" links to other reports of the same column
        yield from self._follow(iter(column_links), site, stats, response)
        self._update_status(stats)

    def _report(self, response: Response, site: Site, stats: SiteStats,
                links: list[Link] | None = None) -> Iterator[Page | Request]:  # fmt: skip
        """A report page: archive it, then fetch its attachments (PDF, DOC, XLS, WPS, OFD ...)."""
        stats.reports += 1
        page = self._page(response, site, "report")
        self._check_siteid(page, site, stats)
        yield page
        if not isinstance(response, TextResponse) or is_attachment(response.url):
            return
        if links is None:
            links = self._candidate_links(response, site)
        for link in attachments_among(links):
            if link.url not in self._queued:
                self._queued.add(link.url)
                meta = {
                    "site": site.id,
                    "kind": "attachment",
                    "referrer": response.url,
                    "link_text": link.text,
                }
                yield self._with_errback(Request(link.url, callback=self.parse_attachment, meta=meta))

    def _candidate_links(self, response: Response, site: Site) -> list[Link]:
        """The links of a report page that may be reports or attachments, found in one pass.

        Report pages carry hundreds of chrome links; only candidates get made absolute.
        """
        if not isinstance(response, TextResponse) or is_attachment(response.url):
            return []
        return candidate_links(tree_of(response), response.url, site.link_pattern)

    def _column_links(self, response: Response, site: Site, links: list[Link]) -> list[Link]:
        """Report links on a page that stay inside one of the site's listing folders."""
        if not isinstance(response, TextResponse) or is_attachment(response.url):
            return []
        prefixes = [u.rsplit("/", 1)[0] + "/" for u in site.listing_urls]
        links = report_links(links, site.link_pattern)
        return [link for link in links if link.url != response.url and link.url.startswith(tuple(prefixes))]

    def parse_attachment(self, response: Response) -> Iterator[Page]:
        site = self.by_id[response.meta["site"]]
        stats = self.stats_by_site[site.id]
        if response.status >= 400:
            stats.errors += 1
        else:
            stats.attachments += 1
        yield self._page(response, site, "attachment")

    def on_error(self, failure) -> None:
        request = failure.request
        stats = self.stats_by_site.get(request.meta.get("site", ""))
        if stats is None:
            return
        if failure.check(IgnoreRequest):
            stats.ignored += 1
            self.crawler.stats.inc_value("ogi/ignored")
        else:
            stats.errors += 1
            self.crawler.stats.inc_value(f"ogi/errors/{type(failure.value).__name__}")
            self.logger.warning("%s: %s failed: %s", stats.site, request.url, failure.value)
        self._update_status(stats)

    # -- helpers -----------------------------------------------------------------------------
    def _xxgk_page(self, response: Response, site: Site) -> Iterator[Page | Request]:
        """One unit-year of the Hanweb xxgk module: a report (with its attachments) when it holds one."""
        if XXGK_REPORT.search(text_of(response)):
            yield from self._report(response, site, self.stats_by_site[site.id])
        else:
            yield self._page(response, site, "listing")
        self._update_status(self.stats_by_site[site.id])

    def _check_siteid(self, page: Page, site: Site, stats: SiteStats) -> None:
        """SiteIDCode's first six digits are the site's division code: it should be the registry's."""
        code = adcode_from_siteid(page.meta_tags.get("SiteIDCode", ""))
        if code and site.adcode and code != site.adcode:
            stats.siteid_mismatch += 1
            self.crawler.stats.inc_value("ogi/siteid_mismatch")
            self.logger.warning(
                "%s: %s says SiteIDCode %s, registry adcode %s", site.id, page.url, code, site.adcode
            )

    def _report_request(self, site: Site, link: Link, referrer: str) -> Request:
        meta = {"site": site.id, "kind": "report", "referrer": referrer, "link_text": link.text}
        return self._with_errback(Request(link.url, callback=self.parse_report, meta=meta))

    def _with_errback(self, request: Request) -> Request:
        return request if request.errback else request.replace(errback=self.on_error)

    def _mark_seen(self, site: Site, response: Response) -> bool:
        """Remember a listing's links; False when it had nothing new (end of pagination)."""
        if not isinstance(response, TextResponse):
            return False
        urls = {link.url for link in anchors(tree_of(response), response.url)}
        seen = self._seen_links[site.id]
        new = urls - seen
        seen |= urls
        return bool(new)

    def _problem(self, response: Response) -> str | None:
        """`blocked`, `login`, `not_found`, `error`, or None for a usable page."""
        head = response.body[:20000].decode("utf-8", "ignore")
        if response.status in BLOCK_STATUS or (len(response.body) < 20000 and BLOCK_TEXT.search(head)):
            return "blocked" if response.status != 503 or BLOCK_TEXT.search(head) else "error"
        if LOGIN_TEXT.search(head) and "password" in head.lower() and _little_text(response):
            return "login"
        if response.status in (404, 410):
            return "not_found"
        return "error" if response.status >= 400 else None

    def _count_problem(self, stats: SiteStats, problem: str, response: Response) -> None:
        field = {"blocked": "blocked", "login": "login", "not_found": "not_found"}.get(problem, "errors")
        setattr(stats, field, getattr(stats, field) + 1)
        self.crawler.stats.inc_value(f"ogi/{problem}")
        self.logger.warning("%s: %s %s (%s)", stats.site, response.status, response.url, problem)
        self._update_status(stats)

    def _update_status(self, stats: SiteStats) -> None:
        stats.status = stats.final_status()

    def _page(self, response: Response, site: Site, kind: str) -> Page:
        request = response.request
        has_text = isinstance(response, TextResponse) and bool(text_of(response))
        return Page(
            url=response.url,
            body=response.body,
            status=response.status,
            headers=_headers(response.headers),
            request_method=request.method if request else "GET",
            request_headers=_headers(request.headers) if request else {},
            request_body=request.body if request else b"",
            site_id=site.id,
            kind=kind,
            referrer=response.meta.get("referrer", ""),
            meta_tags=meta_tags(tree_of(response)) if has_text and kind != "attachment" else {},
            link_text=response.meta.get("link_text", ""),
            fetched_at=utcnow(),
            requested_url=(response.meta.get("redirect_urls") or [""])[0],
        )

    def write_summary(self, spider) -> None:
        """Per-site outcome as JSON (ARCHIVE/crawl-summary.json unless OGI_SUMMARY says otherwise)."""
        settings = self.crawler.settings
        path = Path(
            settings.get("OGI_SUMMARY") or Path(settings.get("OGI_ARCHIVE_DIR")) / "crawl-summary.json"
        )
        for stats in self.stats_by_site.values():
            self._update_status(stats)
        summary = {
            "finished_at": utcnow(),
            "sites": [asdict(s) for s in self.stats_by_site.values()],
            "dataset": getattr(self, "dataset_summary", None),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        tmp.replace(path)


def _little_text(response: Response, limit: int = 600) -> bool:
    """True for a page whose text outside links is short: a list or a wall, not a report."""
    if not isinstance(response, TextResponse):
        return False
    tree = tree_of(response)
    sel = response.selector if isinstance(tree, str) else Selector(root=tree)  # the spider's one parse
    texts = sel.xpath(
        "//body//text()[not(ancestor::a) and not(ancestor::script) and not(ancestor::style)]"
    ).getall()
    return len("".join(t.strip() for t in texts)) < limit


def _on_site(url: str, site: Site) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == d or host.endswith("." + d) for d in site.domains)


def _headers(headers) -> dict[str, str]:
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in headers.items()}
