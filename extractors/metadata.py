"""Report metadata: title, publisher, place and division codes, statistical year, publish date.

A report is only useful in a panel when we know whose report it is and which year it covers, so
every field is read from the best evidence the page offers (TRS/Hanweb meta tags such as
ArticleTitle, PubDate and SiteIDCode; the printed title; "发布时间:" / "来源：" lines; the date in
the URL) and `Metadata.evidence` records which one was used. The statistical year is the year the
report covers (the title's "2016年"), not the publish year (2017). The publisher is never taken from
the host name: spam mirrors re-host real reports under unrelated domains.

Division codes come from `extractors.divisions` (cpca, whose data is about late-2016 vintage, plus a
table of code changes). A field that cannot be found is None with a `metadata_missing` finding
(code = field name); a year guessed from the publish date gets a `metadata_inferred` finding.
Pages in traditional characters (big5 gateways, mirrors) are matched in simplified script: the
title stays as printed, the publisher and place names come out simplified (the panel's spelling).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from extractors import divisions
from extractors.labels import to_simplified
from extractors.model import Document, Finding, Metadata
from extractors.yaml_data import load_yaml

_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_YEAR = re.compile(r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_TRAILING_DATE = re.compile(r"[\[（(]?(?:19|20)\d{2}[-/.]\d{1,2}(?:[-/.]\d{1,2})?-?[\]）)]?$")
_PERIOD = re.compile(
    r"((?:19|20)\d{2})\s*年\s*0?1\s*月\s*0?1\s*日\s*(?:起\s*)?至\s*\1\s*年\s*12\s*月\s*31\s*日"
)
_TABLE_TITLE = re.compile(r"((?:19|20)\d{2})\s*年度?.{0,12}统计表")
_SPACE_NEAR_CJK = re.compile(r"\s+(?=[\u3000-\u9fff\uff00-\uffef])|(?<=[\u3000-\u9fff\uff00-\uffef])\s+")
#: How many lines from the top a title, date or source line may stand at.
_HEAD = 80
_MISSING_SEVERITY = {"year": "warning", "adcode": "warning", "province": "warning"}


@cache
def _words() -> dict[str, Any]:
    with (resources.files("extractors") / "data" / "metadata.yaml").open(encoding="utf-8") as fh:
        return load_yaml(fh.read())


def read_metadata(
    doc: Document, *, url: str | None = None, filename: str | None = None
) -> tuple[Metadata, list[Finding]]:
    """Read who published which year's report, where and when, with the evidence for each field."""
    meta = Metadata()
    findings: list[Finding] = []
    pairs = [_cleaned(line) for line in doc.lines[:_HEAD]]  # where titles, dates and sources stand
    printed = [p for p, _ in pairs]
    head = [h for _, h in pairs]  # matched in simplified script (big5 mirrors)
    meta.title = _title(doc, head, printed, meta.evidence)
    meta.published = _published(doc, head, url, meta.evidence)
    meta.year = _year(doc, meta, findings)
    meta.publisher = _publisher(doc, head, meta.title, meta.evidence)
    _place(doc, head, meta)
    for name in ("title", "publisher", "year", "published", "province", "adcode"):
        if getattr(meta, name) is None:
            findings.append(_missing(name))
    return meta, findings


def clean(text: str) -> str:
    """Fold whitespace the way a reader sees a title: no spaces around CJK ("2024 年" → "2024年")."""
    text = " ".join(text.replace("\u3000", " ").replace("\xa0", " ").split())
    return _SPACE_NEAR_CJK.sub("", text)


@lru_cache(maxsize=1 << 14)
def _cleaned(line: str) -> tuple[str, str]:
    """A head line cleaned, as printed and simplified: cached, as sites print the same menus,
    bylines and footers on every page."""
    printed = clean(line)
    return printed, to_simplified(printed)


def _missing(name: str) -> Finding:
    return Finding(
        kind="metadata_missing",
        code=name,
        severity=_MISSING_SEVERITY.get(name, "info"),
        message=f"the page does not say its {name}",
    )


def _meta_value(doc: Document, keys: list[str]) -> tuple[str, str] | None:
    for key in keys:
        value = clean(doc.meta.get(key, "") or "")
        if value:
            return key, value
    return None


# --- title -------------------------------------------------------------------------------------


def _title(doc: Document, head: list[str], printed: list[str], evidence: dict[str, str]) -> str | None:
    """The CMS's ArticleTitle (trusted as is), else a title-like line, else <title> minus the site.

    Lines are matched in simplified script (`head`) and the title is returned as printed.
    """
    found = _meta_value(doc, _words()["meta_title"])
    if found and (found[0] == "articletitle" or _is_title(found[1])):
        evidence["title"] = f"meta {found[0]}"
        return found[1]
    line = _title_line(head, printed)
    if line:
        evidence["title"] = "title line"
        return line
    html_title = clean(doc.meta.get("html_title", "") or "")
    if html_title:
        evidence["title"] = "<title> without the site name"
        return _strip_site_suffix(html_title)
    return None


def _is_title(text: str) -> bool:
    words = _words()
    text = to_simplified(text)
    return (
        len(text) <= 80
        and any(m in text for m in words["title_markers"])
        and not any(r in text for r in words["title_rejects"])
    )


def _title_line(head: list[str], printed: list[str]) -> str | None:
    """The first title-like line naming a year (menus print "政府信息公开年报" without one), else
    the first without; joined with its wrapped half, a list's trailing date cut; as printed."""
    titles = [i for i, line in enumerate(head) if _is_title(line)]
    candidates = [i for i in titles if _YEAR.search(head[i])] or titles
    if not candidates:
        return _title_cut_mid_word(head, printed)
    i = candidates[0]
    line = printed[i - 1] + printed[i] if _wraps(head, i) else printed[i]
    return _TRAILING_DATE.sub("", line)


def _title_cut_mid_word(head: list[str], printed: list[str]) -> str | None:
    """A PDF cover wraps inside the marker: "…2017年政府信息公开工作年度" / "报告"."""
    for i in range(len(head) - 1):
        if len(head[i + 1]) <= 8 and _YEAR.search(head[i]) and _is_title(head[i] + head[i + 1]):
            return _TRAILING_DATE.sub("", printed[i] + printed[i + 1])
    return None


def _wraps(lines: list[str], i: int) -> bool:
    """PDF titles wrap: "淮安市人民政府" / "2024年政府信息公开工作年度报告"."""
    if i > 0 and _YEAR.match(lines[i]):
        prev = lines[i - 1]
        body = prev.endswith(tuple(_words()["org_suffixes"])) or _is_place(prev)
        return len(prev) <= 30 and not re.search(r"\d", prev) and body
    return False


def _strip_site_suffix(title: str) -> str:
    parts = [p.strip() for p in re.split(r"\s*(?:_|\||｜| - | — |-{2,})\s*", title) if p.strip()]
    for part in parts:
        if _is_title(part):
            return part
    return parts[0] if parts else title


# --- dates -------------------------------------------------------------------------------------


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _published(doc: Document, head: list[str], url: str | None, evidence: dict[str, str]) -> str | None:
    found = _meta_value(doc, _words()["meta_published"])
    if found and (m := _DATE.search(found[1])) and (iso := _iso(*m.groups())):
        evidence["published"] = f"meta {found[0]}"
        return iso
    labelled = _labelled_date()
    for line in head:
        if (m := labelled.search(line)) and (iso := _iso(*m.groups())):
            evidence["published"] = f"line '{line[:40]}'"
            return iso
    for pattern in _words()["url_dates"]:
        if url and (m := re.search(pattern, url)) and (iso := _iso(*m.groups())):
            evidence["published"] = "date in the URL"
            return iso
    return _signature_date(doc, evidence) or _file_date(doc, evidence)


@cache
def _labelled_date() -> re.Pattern[str]:
    """A date after a label such as 发布时间: (labels from metadata.yaml)."""
    labels = "|".join(map(re.escape, _words()["date_labels"]))
    return re.compile(rf"(?:{labels})\s*[:：]?\s*" + _DATE.pattern)


def _signature_date(doc: Document, evidence: dict[str, str]) -> str | None:
    """A report often ends with its date on a line of its own ("2025年1月20日")."""
    for line in reversed(doc.lines[-15:]):
        text = clean(line)
        m = _DATE.fullmatch(text.rstrip("日")) if text.endswith("日") else None
        if m and (iso := _iso(*m.groups())):
            evidence["published"] = "date line at the end"
            return iso
    return None


def _file_date(doc: Document, evidence: dict[str, str]) -> str | None:
    """Last resort: the date the PDF was made (its info dictionary), usually days before release."""
    m = re.match(r"D:((?:19|20)\d{2})(\d{2})(\d{2})", doc.meta.get("pdf_creationdate", ""))
    if m and (iso := _iso(*m.groups())):
        evidence["published"] = "PDF creation date"
        return iso
    return None


def _year_in(text: str) -> int | None:
    for m in _YEAR.finditer(text):
        year = int(m.group(1).translate(_CN_DIGITS))
        if 1990 <= year <= date.today().year:
            return year
    return None


def _year(doc: Document, meta: Metadata, findings: list[Finding]) -> int | None:
    if meta.title and (year := _year_in(meta.title)):
        meta.evidence["year"] = "title"
        return year
    for pattern, where in ((_PERIOD, "statistics period"), (_TABLE_TITLE, "table title")):
        for line in doc.lines:  # the patterns allow any whitespace, so no folding needed
            if m := pattern.search(to_simplified(line)):
                meta.evidence["year"] = where
                return int(m.group(1))
    if meta.published:
        meta.evidence["year"] = "publish year - 1"
        findings.append(
            Finding(
                kind="metadata_inferred",
                code="year",
                severity="warning",
                message=f"no year printed in the title or table; assumed the year before publication "
                f"({meta.published})",
            )
        )
        return int(meta.published[:4]) - 1
    return None


# --- publisher ---------------------------------------------------------------------------------


def _publisher(doc: Document, head: list[str], title: str | None, evidence: dict[str, str]) -> str | None:
    words = _words()
    strong = _labelled(head, words["publisher_labels_strong"])
    if strong:
        evidence["publisher"] = "labelled line (发布机构)"
        return strong
    body = _title_body(to_simplified(title)) if title else None
    if body and _is_org(body):
        evidence["publisher"] = "title"
        return body
    found = _meta_value(doc, words["meta_source"])
    source = _labelled(head, words["publisher_labels"]) or (
        found[1] if found and _good_body(found[1]) else None
    )
    if source:
        evidence["publisher"] = "source line (来源)"
        return source
    if body:
        evidence["publisher"] = "title"
        return body + "人民政府" if _is_place(body) else body
    site = _site_name(doc)
    if site:
        evidence["publisher"] = "site name (SiteName / <title> suffix)"
    return site


def _site_name(doc: Document) -> str | None:
    """The site's own name when it is an organisation: meta SiteName, else a <title> part."""
    found = _meta_value(doc, _words()["meta_site_name"])
    names = [found[1]] if found else []
    names += re.split(r"\s*(?:_|\||｜| - | — |-{2,})\s*", clean(doc.meta.get("html_title", "") or ""))
    for name in names:
        name = clean(name)
        if _good_body(name) and _is_org(to_simplified(name)):
            return name
    return None


def _labelled(head: list[str], labels: list[str]) -> str | None:
    pattern = _label_pattern(tuple(labels))
    for line in head:
        for m in pattern.finditer(line):
            value = re.split(r"发布|时间|日期|浏览|字号|点击|作者", m.group(1))[0]
            if _good_body(value):
                return value
    return None


@lru_cache(maxsize=16)
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    """A value after one of the labels and a colon (来源：…)."""
    return re.compile(rf"(?:{'|'.join(map(re.escape, labels))})\s*[:：]\s*([^\s:：|]+)")


def _good_body(value: str) -> bool:
    return (
        2 <= len(value) <= 40
        and not re.search(r"[./]|www|http|\d{3}", value, re.IGNORECASE)
        and value not in _words()["publisher_rejects"]
    )


def _title_body(title: str) -> str | None:
    """The body named in a title: "2016年崇川区政府信息公开…" → 崇川区; "淮安市人民政府2024年…" → 淮安市人民政府."""
    title = clean(title)
    m = _YEAR.search(title)
    if m and m.start() == 0:
        body = re.sub(r"^度", "", title[m.end() :])
    elif m:
        body = title[: m.start()]
    else:
        body = title
    body = re.split(r"政府信息公开|政务公开|信息公开|政府信息|年度报告|工作报告", body)[0]
    body = body.strip(" ：:、，,（(【[")
    if not body or body == title or body.startswith(tuple(_words()["title_body_rejects"])):
        return None
    return body if _good_body(body) else None


def _is_org(body: str) -> bool:
    return body.endswith(tuple(_words()["org_suffixes"])) and not _is_place(body)


def _is_place(body: str) -> bool:
    if body in divisions.aliases():
        return True
    return body.endswith(tuple(_words()["place_suffixes"])) and divisions.is_place_name(body)


# --- place and codes ---------------------------------------------------------------------------


def _place(doc: Document, head: list[str], meta: Metadata) -> None:
    site_code = _site_code(doc)
    texts = _place_texts(doc, head, meta)
    found = _find_code(texts, meta.year, divisions.context([t for _, t in texts]), site_code)
    if found is None and site_code:
        found = (site_code, "SiteIDCode")
    if found is not None:
        _set_codes(meta, found[0], f"{found[1]} via {divisions.CPCA_VINTAGE}", site_code)


def _find_code(
    texts: list[tuple[str, str]], year: int | None, ctx: Counter[str], site_code: str | None
) -> tuple[str, str] | None:
    """The first text naming a place decides. A name from the changes table beats cpca's match
    when cpca found no district, or found the same place under its older, shorter name."""
    for where, text in texts:
        code = divisions.locate(text, ctx, site_code)
        change = divisions.locate_changed(text, year, ctx)
        if change and (code is None or code.endswith("00") or code == change.old_code):
            code = divisions.printed_code(change, text, year)
        if code:
            return code, where
    return None


def _place_texts(doc: Document, head: list[str], meta: Metadata) -> list[tuple[str, str]]:
    """Where a place name may stand, most trusted first."""
    texts = [("publisher", meta.publisher), ("title", meta.title)]
    for key in ("sitename", "contentsource", "columnname"):
        texts.append((f"meta {key}", doc.meta.get(key)))
    texts.append(("first lines", " ".join(head[:12])))
    return [(where, clean(to_simplified(text))) for where, text in texts if text]


def _site_code(doc: Document) -> str | None:
    """SiteIDCode's first six digits are the site owner's division code (when it is a real one)."""
    found = _meta_value(doc, _words()["meta_site_code"])
    if not found:
        return None
    digits = re.sub(r"\D", "", found[1])[:6]
    return digits if len(digits) == 6 and divisions.is_known_code(digits) else None


def _set_codes(meta: Metadata, code: str, where: str, site_code: str | None) -> None:
    meta.adcode = divisions.in_force(code, meta.year)
    meta.adcode_current = divisions.current(meta.adcode)
    meta.province, meta.city, meta.district = divisions.names(meta.adcode)
    evidence = f"{where}: {code}"
    if meta.adcode != code:
        evidence += f"; in force in {meta.year}: {meta.adcode}"
    if meta.adcode_current != meta.adcode:
        evidence += f"; today {meta.adcode_current} (adcode_changes.csv)"
    if site_code:
        agrees = "agrees" if site_code[:4] == code[:4] else "disagrees"
        evidence += f"; SiteIDCode {site_code} {agrees}"
    meta.evidence["adcode"] = evidence
