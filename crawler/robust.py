"""Downloader middleware that keeps a wrong `charset` header from hiding a site's report links.

Why: many government servers send `Content-Type: text/html; charset=utf-8` (or ISO-8859-1) for pages
written in GBK, with the right charset only in the page's `<meta>`. Scrapy (rightly) trusts the
HTTP header first, so the link texts come out as mojibake and the annual-report pattern never
matches: the site looks empty. When the declared charset cannot decode the body — or is a
single-byte Latin charset that decodes anything — while the page's own meta tag names another
charset that does decode it, the response is re-read with that charset. Only the decoding the
spider sees changes: the archive keeps the original bytes and headers.
"""

from __future__ import annotations

import codecs
import re

from scrapy.http import HtmlResponse, Response

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)
#: Labels that decode any byte string: a wrong one of these never raises, so the meta tag decides.
LATIN = {"iso8859-1", "latin-1", "cp1252", "ascii"}
GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936"}


def codec_name(label: str) -> str | None:
    label = label.strip().lower()
    if label in GB:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decodes(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def better_encoding(content_type: str, body: bytes) -> str | None:
    """The charset to read this page with, when the header's one is wrong; None to keep it."""
    m = HEADER_CHARSET.search(content_type or "")
    declared = codec_name(m.group(1)) if m else None
    if not declared or body.isascii():
        return None
    meta = META_CHARSET.search(body[:4096])
    meta_codec = codec_name(meta.group(1).decode("ascii", "ignore")) if meta else None
    if decodes(body, declared) and (declared not in LATIN or not meta_codec or meta_codec == declared):
        return None
    for candidate in (meta_codec, "utf-8", "gb18030"):
        if candidate and candidate != declared and decodes(body, candidate):
            return candidate
    return None


class CharsetFixMiddleware:
    """See module docstring."""

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls()
        mw.stats = crawler.stats
        return mw

    def process_response(self, request, response: Response, spider=None) -> Response:
        if not isinstance(response, HtmlResponse):
            return response
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        encoding = better_encoding(content_type, response.body)
        if encoding is None:
            return response
        self.stats.inc_value("ogi/charset_fixed")
        return response.replace(encoding=encoding)
