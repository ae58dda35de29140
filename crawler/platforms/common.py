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
SPACE = re.compile(r"\s+")
ATTACHMENT_EXT = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".ofd", ".et", ".zip")
#: Any attachment extension anywhere in an href (a pre-urljoin test; ATTACHMENT_EXT decides).
ATTACHMENT_IN = re.compile("|".join(re.escape(ext) for ext in ATTACHMENT_EXT), re.IGNORECASE)
META_NAMES = ("siteidcode", "sitename", "columnname", "articletitle", "pubdate", "contentsource", "url")


@dataclass(frozen=True, slots=True)
class Link:
    """A candidate link found on a listing page (or a report page's attachment)."""

    url: str
    text: str = ""


def is_report_text(text: str, pattern: str = "") -> bool:
    """True when a link text/title reads like an annual information-disclosure report."""
    original = text or ""
    if not pattern and "开" not in original:  # REPORT_TEXT needs 信息公开: most chrome links stop here
        return False
    text = SPACE.sub("", original)
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
        if len(a):  # every text node inside, as parsel's `::text`
            text = " ".join(filter(None, (t.strip() for t in a.itertext())))
        else:
            text = (a.text or "").strip()
        title = (a.get("title") or "").strip()
        text = title if len(title) > len(text) else text
        if want is None or want(href, text):
            links.append(Link(urljoin(base_url, href), text))
    return links


def maybe_attachment(href: str) -> bool:
    """False only for hrefs whose absolute URL cannot end in an attachment extension (no urljoin)."""
    return ATTACHMENT_IN.search(href) is not None or not href.split("#", 1)[0].split("?", 1)[0]


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


def maybe_attachment_link(href: str, text: str) -> bool:
    """The `want` filter that keeps every link `attachments_among` could keep."""
    return _named_file(text) or maybe_attachment(href)


def candidate_links(doc: Doc, base_url: str, pattern: str = "") -> list[Link]:
    """Anchors that may be report or attachment links: one pass over a report page serves both."""
    report = maybe_report(pattern)
    return anchors(doc, base_url, lambda href, text: report(href, text) or maybe_attachment_link(href, text))


def attachment_links(doc: Doc, base_url: str) -> list[Link]:
    """Attachments (PDF, DOC/DOCX, XLS/XLSX, WPS, OFD ...) linked from a report page."""
    return attachments_among(anchors(doc, base_url, want=maybe_attachment_link))


def attachments_among(links: list[Link]) -> list[Link]:
    """The attachments among a page's links, deduplicated.

    By the URL's extension, or by the link text's for download scripts (`download.jsp?id=…` named
    `2019年报.pdf`).
    """
    seen: set[str] = set()
    out = []
    for link in links:
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
