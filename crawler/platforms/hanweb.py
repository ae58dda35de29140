"""Hanweb 大汉 JCMS: the `<datastore>` XML list and `dataproxy.jsp` paging; the xxgk annual-report module.

A column page (`/col/col<ID>/index.html`) carries its first batch of links inside
`<datastore><recordset><record><![CDATA[<li><a href=…>…</a></li>]]></record>…`, the record total in
the page's script (`totalRecord`), and the paging endpoint (`proxyUrl`, default
`/module/web/jpage/dataproxy.jsp`) plus its form parameters (in the `<nextgroup>` link or the script).
Further batches are POSTs to that endpoint with `startrecord`/`endrecord`/`perpage` in the query and
`col=1&appid=1&webid=…&columnid=…&unitid=…` in a form body; the reply is the same XML.

The 信息公开 module serves each unit's report at
`/module/xxgk/xxgkAnnualReport.jsp?area=<unit code>&fbtime=<year>`: one address per unit and year,
so a registry entry with the unit code yields every year without any listing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scrapy import Request
from scrapy.http import Response

from crawler.platforms.base import Adapter, text_of
from crawler.platforms.common import Link, anchors, report_links
from crawler.registry import Site

DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.DOTALL | re.IGNORECASE)
RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL | re.IGNORECASE)
NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.DOTALL | re.IGNORECASE)
FORM_KEYS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)
DEFAULT_FORM = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
MAX_BATCHES = 200


class Hanweb(Adapter):
    name = "hanweb"

    def sniff(self, response: Response) -> bool:
        return b"<datastore>" in response.body or b"dataproxy.jsp" in response.body

    def parse(self, response: Response, site: Site) -> Iterator[Link | Request]:
        html = text_of(response)
        records = [unescape(r) if "&lt;a" in r else r for r in RECORD.findall(html)]
        yield from report_links(anchors("\n".join(records), response.url), site.link_pattern)
        if not records:  # not a datastore page after all (e.g. an article list): read it as static
            yield from report_links(anchors(html, response.url), site.link_pattern)
        if response.meta.get("hanweb_batch") or not DATASTORE.search(html):
            return
        yield from self._batches(html, len(records), response, site)

    def _batches(self, html: str, first: int, response: Response, site: Site) -> Iterator[Request]:
        total = _int(r"totalRecord\s*[:=]\s*['\"]?(\d+)", html) or _int(r"<totalrecord>(\d+)", html) or 0
        per = _int(r"perPage\s*[:=]\s*['\"]?(\d+)", html) or 15
        proxy, form = _endpoint(html)
        step = per * 3
        start = first + 1
        for _ in range(MAX_BATCHES):
            if start > total:
                break
            query = urlencode(
                {"startrecord": start, "endrecord": min(start + step - 1, total), "perpage": per}
            )
            url = urljoin(response.url, proxy) + ("&" if "?" in proxy else "?") + query
            yield self.listing(
                url, site, method="POST", body=urlencode(form),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Requested-With": "XMLHttpRequest",
                    "Referer": response.url,
                },
                meta={"hanweb_batch": True},
            )  # fmt: skip
            start += step


def _endpoint(html: str) -> tuple[str, dict[str, str]]:
    """The dataproxy path and its form parameters, from <nextgroup> or the page script."""
    form = dict(DEFAULT_FORM)
    proxy = "/module/web/jpage/dataproxy.jsp"
    m = re.search(r"proxyUrl\s*[:=]\s*['\"]([^'\"]+)['\"]", html)
    if m:
        proxy = m.group(1)
    group = NEXTGROUP.search(html)
    href = re.search(r"href=['\"]([^'\"]+)['\"]", group.group(1)) if group else None
    if href:
        parts = urlsplit(unescape(href.group(1)))
        proxy = parts.path or proxy
        form.update({k: v for k, v in parse_qsl(parts.query) if k in FORM_KEYS})
    for key in FORM_KEYS:
        m = re.search(rf"\b{key}\s*[:=]\s*['\"]?([^'\",;&\s}}]+)", html)
        if key not in form and m:
            form[key] = m.group(1)
    return proxy, form


def _int(pattern: str, text: str) -> int | None:
    m = re.search(pattern, text, re.IGNORECASE)
    return int(m.group(1)) if m else None


class HanwebXxgk(Adapter):
    """`xxgkAnnualReport.jsp?area=UNIT&fbtime=YEAR`: every year of one unit, no listing needed."""

    name = "hanweb_xxgk"
    first_year = 2008

    def sniff(self, response: Response) -> bool:
        return "xxgkAnnualReport.jsp" in response.url

    def start(self, site: Site, url: str) -> list[Request]:
        if "xxgkAnnualReport.jsp" not in url:
            return super().start(site, url)
        first, last = site.year_range or (self.first_year, datetime.now(UTC).year)
        return [
            self.listing(_with_year(url, year), site, meta={"xxgk_year": year})
            for year in range(first, last + 1)
        ]

    def parse(self, response: Response, site: Site) -> Iterator[Link | Request]:
        """The page *is* the report of one unit and year: hand it back as a report link."""
        year = response.meta.get("xxgk_year", "")
        yield Link(response.url, f"{year}年政府信息公开工作年度报告 (xxgkAnnualReport)")


def _with_year(url: str, year: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "fbtime"]
    query.append(("fbtime", str(year)))
    return urlunsplit(parts._replace(query=urlencode(query)))
