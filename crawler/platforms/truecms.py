"""TrueCMS (the Nantong district sites): JSONP list endpoint `messageController/getMessage.do`.

The column page loads its list with a GET to `…/messageController/getMessage.do?callback=…&
startrecord=1&endrecord=N&perpage=N&columnId=…`; the reply is JSONP whose JSON wraps the list HTML
(and a record total). The server answers 404 without the column page as Referer. Page sizes are
capped differently per site, so we keep the page's own `perpage` (default 20).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode, urljoin

from scrapy import Request
from scrapy.http import Response

from crawler.platforms.base import Adapter, text_of
from crawler.platforms.common import Link, anchors, report_links
from crawler.registry import Site

ENDPOINT = re.compile(r"['\"]([^'\"]*messageController/getMessage\.do)")
MAX_PAGES = 200


class TrueCMS(Adapter):
    name = "truecms"

    def sniff(self, response: Response) -> bool:
        return b"getMessage.do" in response.body or "getMessage.do" in response.url

    def parse(self, response: Response, site: Site) -> Iterator[Link | Request]:
        if "getMessage.do" in response.url:
            yield from self._reply(response, site)
            return
        html = text_of(response)
        yield from report_links(anchors(html, response.url), site.link_pattern)
        m = ENDPOINT.search(html)
        column = site.param_dict.get("columnId") or _value(r"columnId", html)
        if m and column:
            per = int(_value("perpage", html) or 20)
            base = urljoin(response.url, m.group(1))
            meta = {"truecms": {"base": base, "column": column, "per": per, "referer": response.url}}
            yield self._page(base, column, 1, per, response.url, site, meta)

    def _reply(self, response: Response, site: Site) -> Iterator[Link | Request]:
        data = _jsonp(text_of(response))
        html = "\n".join(_strings(data))
        yield from report_links(anchors(html, response.url), site.link_pattern)
        state = response.meta.get("truecms")
        if not state or response.meta.get("truecms_paged"):
            return
        total = _total(data)
        per = state["per"]
        for start in range(per + 1, min(total, per * MAX_PAGES) + 1, per):
            yield self._page(state["base"], state["column"], start, per, state["referer"], site,
                             {"truecms": state, "truecms_paged": True})  # fmt: skip

    def _page(
        self, base: str, column: str, start: int, per: int, referer: str, site: Site, meta: dict
    ) -> Request:
        query = {"callback": "jsonpCallback", "startrecord": start, "endrecord": start + per - 1,
                 "perpage": per, "columnId": column}  # fmt: skip
        return self.listing(f"{base}?{urlencode(query)}", site, headers={"Referer": referer}, meta=meta)


def _value(key: str, html: str) -> str | None:
    m = re.search(rf"\b{key}['\"]?\s*[:=]\s*['\"]?([\w,-]+)", html)
    return m.group(1) if m else None


def _jsonp(text: str) -> object:
    body = text.strip()
    m = re.match(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", body, re.DOTALL)
    try:
        return json.loads(m.group(1) if m else body)
    except ValueError:
        return {"result": body}


def _strings(data: object) -> Iterator[str]:
    """Every string in the JSON that looks like markup (the list HTML/XML), plus url/title pairs."""
    if isinstance(data, str):
        if "<a" in data or "href" in data:
            yield data
    elif isinstance(data, dict):
        url, title = data.get("url") or data.get("link"), data.get("title") or data.get("name")
        if isinstance(url, str) and isinstance(title, str):
            yield f'<a href="{url}">{title}</a>'
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _total(data: object) -> int:
    if isinstance(data, dict):
        for key, value in data.items():
            if re.fullmatch(r"total(record|count)?s?", key, re.IGNORECASE) and str(value).isdigit():
                return int(value)
    return 0
