"""Guangdong gkmlpt (政府信息公开目录管理平台): the JSON list API behind `/gkmlpt/annualreport`.

The page holds `window._CONFIG = {SID: …, TREE: […]}`; the list of a category comes from
`/gkmlpt/api/all/<category>?page=N&sid=<SID>` as JSON (`articles[]` with `title`/`url`,
`classify.post_count`). The category is the URL fragment (`annualreport#2629`), the registry's
`params` (`column=2629`), or the TREE node named 年报/年度报告. Articles are
`/gkmlpt/content/<a>/<b>/post_<id>.html`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.platforms.base import Adapter, text_of
from crawler.platforms.common import Link, anchors, is_report_text, report_links
from crawler.registry import Site

#: A TREE node's own fields (the text between braces, nested children cut off) and its id and name.
TREE_SEGMENT = re.compile(r"[{}]")
TREE_ID = re.compile(r"[\"']?\bid[\"']?\s*:\s*[\"']?(\d+)")
TREE_NAME = re.compile(r"[\"']?\bname[\"']?\s*:\s*[\"']([^\"']*)[\"']")
MAX_PAGES = 200


class Gkmlpt(Adapter):
    name = "gkmlpt"

    def sniff(self, response: Response) -> bool:
        return "/gkmlpt/" in response.url or b"window._CONFIG" in response.body

    def parse(self, response: Response, site: Site) -> Iterator[Link | Request]:
        if "/gkmlpt/api/" in response.url:
            yield from self._api(response, site)
            return
        html = text_of(response)
        yield from report_links(anchors(html, response.url), site.link_pattern)
        sid = site.param_dict.get("sid") or _config(r"SID", html)
        for column in _columns(response, site, html):
            url = urljoin(response.url, f"/gkmlpt/api/all/{column}?page=1&sid={sid}")
            yield self.listing(url, site, meta={"gkmlpt_page": 1})

    def _api(self, response: Response, site: Site) -> Iterator[Link | Request]:
        try:
            data = json.loads(text_of(response))
        except ValueError:
            return
        articles = data.get("articles") or []
        for art in articles:
            title, url = str(art.get("title") or ""), art.get("url") or ""
            if url and is_report_text(title, site.link_pattern):
                yield Link(urljoin(response.url, url), title)
        total = int((data.get("classify") or {}).get("post_count") or data.get("total") or 0)
        if response.meta.get("gkmlpt_page") != 1 or not articles:
            return
        pages = min(math.ceil(total / len(articles)), MAX_PAGES)
        for n in range(2, pages + 1):
            yield self.listing(re.sub(r"page=\d+", f"page={n}", response.url), site, meta={"gkmlpt_page": n})


def _config(key: str, html: str) -> str:
    m = re.search(rf"[\"']?{key}[\"']?\s*:\s*[\"']?(\d+)", html)
    return m.group(1) if m else ""


def _columns(response: Response, site: Site, html: str) -> list[str]:
    if site.param_dict.get("column"):
        return site.param_dict["column"].split(",")
    fragment = urlsplit(response.request.url if response.request else response.url).fragment
    if fragment.isdigit():
        return [fragment]
    columns = []
    for obj in TREE_SEGMENT.split(html):
        cid, name = TREE_ID.search(obj), TREE_NAME.search(obj)
        if cid and name and re.search(r"年报|年度报告", name.group(1)) and cid.group(1) not in columns:
            columns.append(cid.group(1))
    return columns
