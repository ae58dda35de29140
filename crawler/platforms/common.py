"""What every platform adapter shares: which links are annual reports, attachments, meta tags.

A report link is recognised by its text (or title attribute, or the URL of an attachment): it
names an information-disclosure annual report (政府信息公开 … 年度报告 / 年报) and a year. Anything
else on a listing page (news, notices, other columns) is left alone, so a crawl stays small.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement
from parsel import Selector

#: Link text of an annual report: 信息公开 + 年度报告/年报 (either order) and a 4-digit year.
REPORT_TEXT = re.compile(
    r"(信息公开.{0,12}(年度报告|年报|年度工作报告|工作报告|年度报表))|((年度报告|年报).{0,6}信息公开)"
)
YEAR = re.compile(r"(19|20)\d{2}")
ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".ofd", ".et", ".zip")
META_NAMES = ("siteidcode", "sitename", "columnname", "articletitle", "pubdate", "contentsource", "url")


@dataclass(frozen=True, slots=True)
class Link:
    """A candidate link found on a listing page (or a report page's attachment)."""

    url: str
    text: str = ""


def is_report_text(text: str, pattern: str = "") -> bool:
    """True when a link text/title reads like an annual information-disclosure report."""
    original = text or ""
    text = re.sub(r"\s+", "", original)
    if pattern:
        return re.search(pattern, original) is not None or re.search(pattern, text) is not None
    return bool(REPORT_TEXT.search(text) and YEAR.search(text))


def is_attachment(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(ATTACHMENT_EXT)


Doc = str | HtmlElement
#: A cheap test on (href, text) before the (costly) urljoin: report pages carry hundreds of chrome links.
Want = Callable[[str, str], bool]


def parse_html(html: str) -> HtmlElement:
    """The lxml tree of an HTML text, parsed as parsel (and so Scrapy's `response.selector`) does."""
    return Selector(text=html or "<html></html>", type="html").root


def root_of(doc: Doc, *, unwrap_cdata: bool = True) -> HtmlElement:
    """The tree of a page given as text (parsed here) or already parsed (a spider parses a page once)."""
    if isinstance(doc, str):
        if unwrap_cdata and "<![CDATA[" in doc:  # Hanweb records, TrueCMS JSONP: an HTML parser would drop them as comments
            doc = doc.replace("<![CDATA[", "").replace("]]>", "")
        return parse_html(doc)
    return doc


def anchors(doc: Doc, base_url: str, want: Want | None = None) -> list[Link]:
    """Every <a href> of an HTML text (or parsed tree) as (absolute URL, text or title), in page order.

    CDATA wrappers (Hanweb records, TrueCMS JSONP payloads holding XML) are unwrapped first: an HTML
    parser would otherwise drop their content as a comment. `want(href, text)`, when given, keeps
    only the anchors it accepts, tested before their URL is made absolute (the costly part).
    """
    links = []
    for a in root_of(doc).iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = " ".join(t.strip() for t in a.itertext() if t.strip())  # every text node inside, as `::text`
        title = (a.get("title") or "").strip()
        text = title if len(title) > len(text) else text
        if want is None or want(href, text):
            links.append(Link(urljoin(base_url, href), text))
    return links


def maybe_attachment(href: str) -> bool:
    """False only for hrefs whose absolute URL cannot end in an attachment extension (no urljoin)."""
    path = href.split("#", 1)[0].split("?", 1)[0]
    low = href.lower()
    return not path or any(ext in low for ext in ATTACHMENT_EXT)


def maybe_report(pattern: str = "") -> Want:
    """The `want` filter that keeps every link `report_links` could keep."""

    def want(href: str, text: str) -> bool:
        return is_report_text(text, pattern) if text else maybe_attachment(href)

    return want


def report_links(links: list[Link], pattern: str = "") -> list[Link]:
    """Links whose text (or, for attachments, file name) names an annual report, deduplicated."""
    seen: set[str] = set()
    out = []
    for link in links:
        name = link.text or (urlsplit(link.url).path.rsplit("/", 1)[-1] if is_attachment(link.url) else "")
        if link.url not in seen and is_report_text(name, pattern):
            seen.add(link.url)
            out.append(link)
    return out


def _named_file(text: str) -> bool:
    return text.strip().lower().endswith(ATTACHMENT_EXT)


def attachment_links(doc: Doc, base_url: str) -> list[Link]:
    """Attachments (PDF, DOC/DOCX, XLS/XLSX, WPS, OFD ...) linked from a report page.

    By the URL's extension, or by the link text's for download scripts (`download.jsp?id=…` named
    `2019年报.pdf`).
    """
    seen: set[str] = set()
    out = []
    for link in anchors(doc, base_url, want=lambda href, text: _named_file(text) or maybe_attachment(href)):
        if (is_attachment(link.url) or _named_file(link.text)) and link.url not in seen:
            seen.add(link.url)
            out.append(link)
    return out


def meta_tags(doc: Doc) -> dict[str, str]:
    """The government-site meta tags (SiteIDCode, ArticleTitle, PubDate, ColumnName ...)."""
    out = {}
    for m in root_of(doc, unwrap_cdata=False).iter("meta"):
        name = (m.get("name") or "").strip()
        if name.lower() in META_NAMES:
            out[name] = (m.get("content") or "").strip()
    return out


def adcode_from_siteid(site_id_code: str) -> str | None:
    """SiteIDCode's first six digits are the division code of local governments (bm… for ministries)."""
    m = re.match(r"(\d{6})\d{4}$", (site_id_code or "").strip())
    return m.group(1) if m else None
