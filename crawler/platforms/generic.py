"""Static list pages (TRS WCM and most "other" sites): links by text, index_N pagination.

TRS publishes `index.html`, `index_1.html` … `index_{N-1}.html` and writes N into an inline
`createPageHTML(N, current, "index", "html")` call; other static sites have a 下一页 link. Same-origin
iframes (list pages that are shells around the real list) are followed as listings too. A page
whose links were all seen before ends the walk ("stop on pages with nothing new").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.platforms.base import Adapter, text_of, tree_of
from crawler.platforms.common import Doc, Link, anchors, report_links, root_of
from crawler.registry import Site

#: `createPageHTML(count, current, "index", "html")`; newer TRS puts a div id first:
#: `createPageHTML('page_div', count, current, 'index', 'shtml', total)`.
CREATE_PAGE = re.compile(
    r"createPage(?:HTML)?\(\s*(?:[\"'][\w-]*[\"']\s*,\s*)?(\w+)\s*,\s*(\w+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']"
)
NEXT_TEXT = ("下一页", "下页", "next")


class Generic(Adapter):
    name = "generic"

    def parse(self, response: Response, site: Site) -> Iterator[Link | Request]:
        html, tree = text_of(response), tree_of(response)
        links = anchors(tree, response.url)
        yield from report_links(links, site.link_pattern)
        yield from self._trs_pages(html, response, site)
        yield from self._next_page(links, response, site)
        yield from self._iframes(tree, response, site)

    def _trs_pages(self, html: str, response: Response, site: Site) -> Iterator[Request]:
        m = CREATE_PAGE.search(html)
        if not m or response.meta.get("page_of"):
            return
        count = _js_int(m.group(1), html)
        if count is None:
            return
        prefix, ext = m.group(3), m.group(4)
        for n in range(1, min(count, 500)):
            url = urljoin(response.url, f"{prefix}_{n}.{ext}")
            yield self.listing(url, site, meta={"page_of": response.url})

    def _next_page(self, links: list[Link], response: Response, site: Site) -> Iterator[Request]:
        if not response.meta.get("has_new", True):
            return
        for link in links:
            if link.text.strip().lower() in NEXT_TEXT and _same_host(link.url, response.url):
                yield self.listing(link.url, site)

    def _iframes(self, tree: Doc, response: Response, site: Site) -> Iterator[Request]:
        for frame in root_of(tree, unwrap_cdata=False).iter("iframe"):
            src = frame.get("src")
            if src is None:
                continue
            url = urljoin(response.url, src.strip())
            if _same_host(url, response.url):
                yield self.listing(url, site)


def _js_int(token: str, html: str) -> int | None:
    """A createPageHTML argument: a literal, or a `var name = N` defined on the page."""
    if token.isdigit():
        return int(token)
    m = re.search(rf"\b{re.escape(token)}\s*=\s*(\d+)", html)
    return int(m.group(1)) if m else None


def _same_host(a: str, b: str) -> bool:
    return urlsplit(a).netloc == urlsplit(b).netloc
