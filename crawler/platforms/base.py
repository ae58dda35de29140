"""The adapter interface every platform module implements."""

from __future__ import annotations

from collections.abc import Iterator
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.http import HtmlResponse, Response

from crawler.platforms.common import Doc, Link, anchors, parse_html, report_links
from crawler.registry import Site

_TREES: WeakKeyDictionary[Response, Doc] = WeakKeyDictionary()


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
    """What link and meta look-ups read: the parsed tree of an HTML response, else its text.

    The tree is parsed once per response and kept only as long as the response lives, so the spider
    and its adapter share one parse of a page instead of parsing 150 KB again for each look-up.
    (Not `response.selector`: it references the response back, a cycle that keeps large lxml trees
    alive until a full garbage collection.) A page holding CDATA sections stays text: `anchors`
    unwraps them before parsing.
    """
    if not isinstance(response, HtmlResponse):
        return text_of(response)
    tree = _TREES.get(response)
    if tree is None:
        text = response.text
        tree = _TREES[response] = text if "<![CDATA[" in text else parse_html(text)
    return tree
