"""The adapter interface every platform module implements."""

from __future__ import annotations

from collections.abc import Iterator

from scrapy import Request
from scrapy.http import HtmlResponse, Response

from crawler.platforms.common import Doc, Link, anchors, report_links
from crawler.registry import Site


class Adapter:
    """Reads one platform's listings. Subclasses override `sniff` and `parse`."""

    name = "base"

    def sniff(self, response: Response) -> bool:
        """True when the response shows this platform's fingerprint."""
        return False

    def start(self, site: Site, url: str) -> list[Request]:
        """The first requests for one listing URL of a site (default: GET it, platform to be sniffed)."""
        return [self.listing(url, site, meta={"platform": None})]

    def parse(self, response: Response, site: Site) -> Iterator[Link | Request]:
        """Report links and further listing requests found in a listing response."""
        yield from report_links(anchors(text_of(response), response.url), site.link_pattern)

    def listing(self, url: str, site: Site, **kwargs) -> Request:
        """A request for another listing page/endpoint, routed back to this adapter."""
        meta = {"site": site.id, "platform": self.name, "kind": "listing", **kwargs.pop("meta", {})}
        return Request(url, meta=meta, dont_filter=False, **kwargs)


def text_of(response: Response) -> str:
    """The response decoded (Scrapy honours header/meta/BOM; GB labels are mapped to gb18030)."""
    try:
        return response.text
    except AttributeError:
        return response.body.decode("utf-8", "replace")


def tree_of(response: Response) -> Doc:
    """What link and meta look-ups read: Scrapy's own parsed tree of an HTML response, else its text.

    `response.selector` is parsed once and cached on the response, so the spider and its adapter
    share one parse of a page instead of parsing 150 KB again for each look-up. A page holding
    CDATA sections stays text: `anchors` unwraps them before parsing.
    """
    if isinstance(response, HtmlResponse):
        text = response.text
        return text if "<![CDATA[" in text else response.selector.root
    return text_of(response)
