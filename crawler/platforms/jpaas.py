"""Hanweb JPaaS (newer 大汉, Zhejiang/Jiangsu `col1229…` columns): the page-build unit API.

The column page carries `<script src="…/AuthorizedRead/unitbuild.js" url="…" queryData="{…}">`;
the list comes from GET `/api-gateway/jpaas-publish-server/front/page/build/unit` with
`parseType=bulidstatic` (sic), the queryData fields (webId, tplSetId, pageType, tagId, pageId …)
and the paging **only** inside `paramJson={"pageNo":N,"pageSize":M}` (a bare pageNo is ignored).
The reply is `{"data": {"html": "<ul>…</ul>"}}`; there is no total, so a full page asks for the
next one and a short or empty page ends the walk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode, urljoin

from parsel import Selector
from scrapy import Request
from scrapy.http import Response

from crawler.platforms.base import Adapter, text_of
from crawler.platforms.common import Link, anchors, report_links
from crawler.registry import Site

DEFAULT_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
PAGE_SIZE = 20
MAX_PAGES = 100


class Jpaas(Adapter):
    name = "hanweb_jpaas"

    def sniff(self, response: Response) -> bool:
        return b"unitbuild.js" in response.body or b"jpaas-publish-server" in response.url.encode()

    def parse(self, response: Response, site: Site) -> Iterator[Link | Request]:
        if "jpaas-publish-server" in response.url:
            yield from self._reply(response, site)
            return
        html = text_of(response)
        yield from report_links(anchors(html, response.url), site.link_pattern)
        unit = _unit(html)
        if unit is not None:
            api, query = unit
            yield self._page(urljoin(response.url, api), query, 1, response.url, site)

    def _reply(self, response: Response, site: Site) -> Iterator[Link | Request]:
        try:
            data = json.loads(text_of(response))
        except ValueError:
            return
        html = ((data.get("data") or {}) if isinstance(data, dict) else {}).get("html") or ""
        links = anchors(html, response.url)
        yield from report_links(links, site.link_pattern)
        state = response.meta["jpaas"]
        if len(links) >= PAGE_SIZE and state["page"] < MAX_PAGES:
            yield self._page(state["api"], state["query"], state["page"] + 1, state["referer"], site)

    def _page(self, api: str, query: dict, page: int, referer: str, site: Site) -> Request:
        params = {"parseType": "bulidstatic", "pageType": "column", "editType": "null", **query,
                  "paramJson": json.dumps({"pageNo": page, "pageSize": PAGE_SIZE}, separators=(",", ":"))}  # fmt: skip
        state = {"api": api, "query": query, "page": page, "referer": referer}
        return self.listing(
            f"{api}?{urlencode(params)}", site, headers={"Referer": referer}, meta={"jpaas": state}
        )


def _unit(html: str) -> tuple[str, dict[str, str]] | None:
    """The API path and query fields from the page's unitbuild.js script tag."""
    for script in Selector(text=html, type="html").xpath("//script[contains(@src, 'unitbuild.js')]"):
        attrs = {k.lower(): v for k, v in script.attrib.items()}
        raw = attrs.get("querydata", "")
        try:
            query = json.loads(re.sub(r"'", '"', raw)) if raw else {}
        except ValueError:
            continue
        return attrs.get("url") or DEFAULT_API, {k: str(v) for k, v in query.items()}
    return None
