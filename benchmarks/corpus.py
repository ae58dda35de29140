"""Deterministic corpus of realistic report pages for the benchmarks (never written into the repo).

A page is what a county portal serves: 50-200 KB of navigation, long narrative prose, sidebar
links, scripts and footer around one statistics table (legacy 2014-2018 list form, gov2019 or
gov2021), printed as a real <table> or Word-flattened one cell per paragraph, in UTF-8 or GBK.
District, year, figures and chrome vary per page; figures satisfy the form's identities. Page i of
seed s is always the same bytes, so a corpus on disk can be reused by later runs.

Drawing a page costs ~36 ms of CPU, so only the first BASE_PAGES are drawn; the scaling stage's
20k pages beyond them are derived (`derive_page`): page i is page i % BASE_PAGES republished by
another district of the same city, with a stamp, so its bytes (and report id) are its own but its
tables are the base page's. A 20k corpus then takes seconds to write, not five minutes.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import yaml

from benchmarks.forms import fill, load_form
from benchmarks.render import Style, form_sections

SITE = Path(__file__).with_name("data") / "site.yaml"
GENERATOR_VERSION = 1
CHUNK = 1000  # pages per sub-directory, so the 1k / 5k / 20k sets are prefixes of one corpus
BASE_PAGES = 2000  # pages drawn from scratch (the crawl stage's 2,000); later ones are derived
DERIVED_VERSION = 1  # bump when derive_page changes: derived chunks are then rewritten
_CHARSET = re.compile(rb'<meta charset="([\w-]+)">')
_SITE_NAME = re.compile(r'<meta name="SiteName" content="([^"<>]+?)人民政府">')
MIN_BYTES, MAX_BYTES = 50_000, 200_000
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(slots=True)
class Page:
    """One generated page and what an extractor should read from it."""

    index: int
    name: str  # file name: p<index>-<year>-<variant>.html
    data: bytes
    encoding: str
    variant: str
    template: str
    layout: str
    year: int
    district: str
    truth: dict[str, float | int]  # code -> value printed on the page


@cache
def _site() -> dict[str, Any]:
    with SITE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def variant_for(year: int) -> str:
    return "legacy-2014" if year <= 2018 else "gov2019" if year <= 2020 else "gov2021"


def make_page(index: int, seed: int = 0) -> Page:
    """Page `index` of the corpus of `seed`: the same bytes on every call."""
    rng = random.Random(f"{seed}:{index}")
    site = _site()
    province = rng.choice(sorted(site["places"]))
    city = rng.choice(sorted(site["places"][province]))
    district = rng.choice(site["places"][province][city])
    mix = site["mix"]
    year = rng.randint(*mix["years"])
    variant = variant_for(year)
    form = load_form(variant)
    values = fill(form, rng)
    style = Style(
        layout="table" if rng.random() < mix["table"] else "flat",
        word=rng.random() < mix["word_styles"],
        fullwidth=rng.random() < mix["fullwidth_digits"],
    )
    encoding = "gbk" if rng.random() < mix["gbk"] else "utf-8"
    ctx = {
        "province": province,
        "city": city,
        "district": district,
        "year": year,
        "site_code": f"{rng.randint(1000000000, 9999999999)}",
        "icp": f"苏ICP备{rng.randint(10**7, 10**8)}号",
        "police": f"{rng.randint(10**13, 10**14)}号",
    }
    target = rng.randint(MIN_BYTES, MAX_BYTES)
    html = _page_html(form.template, form_sections(form, values, style), ctx, target, rng)
    data = html.replace("{charset}", encoding).encode(encoding, errors="xmlcharrefreplace")
    name = f"p{index:06d}-{year}-{variant}.html"
    return Page(index, name, data, encoding, variant, form.template, style.layout, year, district, values)


def _page_html(
    template: str, tables: dict[str, str], ctx: dict[str, Any], target: int, rng: random.Random
) -> str:
    title = (
        f"{ctx['district']}人民政府{ctx['year']}年政府信息公开工作年度报告"
        if template != "legacy"
        else f"{ctx['district']}{ctx['year']}年政府信息公开工作年度报告"
    )
    published = f"{ctx['year'] + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
    head = _head(title, published, ctx, rng)
    body = _body(template, tables, ctx, rng)
    chrome = len((head + body).encode("utf-8"))
    sidebar = _sidebar(ctx, rng, max(0, target - chrome - 3000))
    return (
        f'<!DOCTYPE html>\n<html>\n{head}<body>\n{_nav(ctx, rng)}<div class="main">\n'
        f'<div class="crumb">您当前所在位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
        f'<a href="/zwgk/zfxxgknb/">政府信息公开年报</a></div>\n<div class="article">\n'
        f'<h1 class="article_title">{escape(title)}</h1>\n<div class="article_info">发布时间：{published}'
        f"　来源：{escape(ctx['district'])}人民政府办公室　浏览次数：{rng.randint(50, 9000)}</div>\n"
        f'<div class="article_con TRS_Editor">\n{body}</div>\n</div>\n{sidebar}</div>\n{_footer(ctx)}'
        f"</body>\n</html>\n"
    )


def _fill(text: str, ctx: dict[str, Any], rng: random.Random) -> str:
    """`{name}` placeholders filled from ctx, `{n}`/`{m}` with fresh numbers; other braces (JS) kept."""
    extra = {"n": rng.randint(20, 600), "m": rng.randint(2, 12)}
    return PLACEHOLDER.sub(lambda m: str({**ctx, **extra}.get(m[1], m[0])), text)


def _head(title: str, published: str, ctx: dict[str, Any], rng: random.Random) -> str:
    scripts = "".join(
        f'<script type="text/javascript">\n{_fill(s, ctx, rng)}\n</script>\n' for s in _site()["scripts"]
    )
    css = "".join(
        f".c{i} {{ margin: {i}px; padding: 0 {i % 7}px; font-size: {12 + i % 6}px; }}\n" for i in range(60)
    )
    return (
        f'<head>\n<meta charset="{{charset}}">\n<meta http-equiv="X-UA-Compatible" content="IE=Edge">\n'
        f"<title>{escape(title)}_{escape(ctx['district'])}人民政府</title>\n"
        f'<meta name="SiteName" content="{escape(ctx["district"])}人民政府">\n'
        f'<meta name="ColumnName" content="政府信息公开年报">\n'
        f'<meta name="ArticleTitle" content="{escape(title)}">\n<meta name="PubDate" content="{published}">\n'
        f'<meta name="ContentSource" content="{escape(ctx["district"])}人民政府办公室">\n'
        f'<link rel="stylesheet" href="/css/common.css">\n<style>\n{css}</style>\n{scripts}</head>\n'
    )


def _nav(ctx: dict[str, Any], rng: random.Random) -> str:
    links = "".join(
        f'<li class="nav_item"><a href="/col/col{rng.randint(1000, 99999)}/index.html" '
        f'target="_blank" title="{item}">{item}</a></li>\n'
        for item in _site()["nav"] * 2
    )
    return (
        f'<div class="header"><div class="logo"><a href="/">{escape(ctx["district"])}人民政府</a></div>\n'
        f'<form class="search" action="/ssp/main/index.html"><input type="text" name="key" '
        f'placeholder="请输入搜索内容"><button>搜索</button></form>\n<ul class="nav">\n{links}</ul></div>\n'
    )


def _prose(ctx: dict[str, Any], rng: random.Random, sentences: int) -> str:
    pool = _site()["prose"]
    text = "".join(_fill(rng.choice(pool), ctx, rng) for _ in range(sentences))
    return f'<p style="text-indent:2em;line-height:30px;"><span style="font-size:16px;">{escape(text)}</span></p>\n'


def _body(template: str, tables: dict[str, str], ctx: dict[str, Any], rng: random.Random) -> str:
    site = _site()
    out = [_prose(ctx, rng, 3)]
    if template == "legacy":
        for heading in site["headings_legacy"]:
            out.append(f"<p><strong>{heading}</strong></p>\n" + _prose(ctx, rng, rng.randint(4, 12)))
        out.append(
            f'<p style="text-align:center"><strong>{ctx["year"]}年度政府信息公开情况统计表</strong></p>\n'
        )
        out.append(tables["legacy"])
        return "".join(out)
    for heading in site["headings_gov"]:
        out.append(f"<p><strong>{heading}</strong></p>\n")
        key = {"二": "t2", "三": "t3", "四": "t4"}.get(heading[0])
        out.append(tables[key] if key else _prose(ctx, rng, rng.randint(4, 12)))
    return "".join(out)


def _sidebar(ctx: dict[str, Any], rng: random.Random, budget: int) -> str:
    """Related-article lists until the page reaches its target size (real sidebars are long)."""
    out, size = ['<div class="sidebar"><h3>相关文章</h3><ul>\n'], 0
    related = _site()["related"]
    while size < budget:
        item = (
            f'<li><a href="/art/{ctx["year"]}/{rng.randint(1, 12)}/{rng.randint(1, 28)}/'
            f'art_{rng.randint(1000, 9999)}_{rng.randint(10**6, 10**7)}.html" target="_blank">'
            f'{escape(_fill(rng.choice(related), ctx, rng))}</a><span class="date">{ctx["year"]}-'
            f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}</span></li>\n"
        )
        out.append(item)
        size += len(item.encode("utf-8"))
    out.append("</ul></div>\n")
    return "".join(out)


def _footer(ctx: dict[str, Any]) -> str:
    lines = "".join(f"<p>{escape(_fill(line, ctx, random.Random(0)))}</p>\n" for line in _site()["footer"])
    return f'<div class="footer">\n{lines}</div>\n'


def pages(n: int, seed: int = 0, start: int = 0) -> Iterator[Page]:
    for i in range(start, start + n):
        yield make_page(i, seed)


def chunk_dirs(root: Path, n: int) -> list[Path]:
    """The sub-directories that together hold the first `n` pages (n a multiple of CHUNK or < CHUNK)."""
    return [root / f"c{c:03d}" for c in range(max(1, -(-n // CHUNK)))]


def write_corpus(root: Path, n: int, seed: int = 0, workers: int = 2) -> list[Path]:
    """Write pages 0..n-1 under `root` in chunks of CHUNK; reuse what a previous run left.

    Returns the chunk directories. A manifest records seed and generator version, so a corpus
    written by another version is rebuilt rather than silently reused. Pages from BASE_PAGES on
    are derived from the first BASE_PAGES (see the module docstring).
    """
    root.mkdir(parents=True, exist_ok=True)
    manifest = root / "manifest.json"
    meta = {"seed": seed, "generator": GENERATOR_VERSION, "chunk": CHUNK}
    done = json.loads(manifest.read_text()) if manifest.exists() else {}
    same = {k: done.get(k) for k in meta} == meta
    drawn = done.get("pages", 0) if same else 0
    derived = done.get("derived", 0) if same and done.get("derived_version") == DERIVED_VERSION else 0
    if drawn < min(n, BASE_PAGES):
        drawn = min(n, BASE_PAGES)
        _in_pool(_write_range, root, _ranges(done.get("pages", 0) if same else 0, drawn), seed, workers)
        derived = 0  # derived pages follow their base pages
    if n > BASE_PAGES and derived < n:
        _in_pool(_derive_range, root, _ranges(max(derived, BASE_PAGES), n), seed, workers)
        derived = n
    if not same or (drawn, derived) != (done.get("pages", 0), done.get("derived", 0)):
        record = {**meta, "pages": min(drawn, BASE_PAGES) if derived else drawn}
        if derived:
            record |= {"derived_version": DERIVED_VERSION, "derived": derived}
        manifest.write_text(json.dumps(record))
    return chunk_dirs(root, n)


def _ranges(start: int, stop: int) -> list[tuple[int, int]]:
    """(first, end) page ranges of the chunks from the one holding `start` up to `stop`."""
    return [(s, min(s + CHUNK, stop)) for s in range(start - start % CHUNK, stop, CHUNK)]


def _in_pool(fn: Any, root: Path, ranges: list[tuple[int, int]], seed: int, workers: int) -> None:
    if not ranges:
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(fn, [root] * len(ranges), ranges, [seed] * len(ranges)))


def _write_range(root: Path, bounds: tuple[int, int], seed: int) -> None:
    start, stop = bounds
    directory = root / f"c{start // CHUNK:03d}"
    directory.mkdir(exist_ok=True)
    for page in pages(stop - start, seed, start):
        _save(directory / page.name, page.data)


def _derive_range(root: Path, bounds: tuple[int, int], seed: int) -> None:
    """Pages bounds[0]..bounds[1]-1, each derived from its base page (already on disk)."""
    start, stop = bounds
    directory = root / f"c{start // CHUNK:03d}"
    directory.mkdir(exist_ok=True)
    for index in range(start, stop):
        base = index % BASE_PAGES
        (source,) = (root / f"c{base // CHUNK:03d}").glob(f"p{base:06d}-*.html")
        suffix = source.name.split("-", 1)[1]
        _save(directory / f"p{index:06d}-{suffix}", derive_page(source.read_bytes(), index))


def _save(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def derive_page(data: bytes, index: int) -> bytes:
    """Page `index` made from the base page `data`: the same page published by another district of
    its city (every mention of the district replaced) and stamped with `index`, in its encoding."""
    charset = _CHARSET.search(data[:4096])
    encoding = charset[1].decode("ascii") if charset else "utf-8"
    html = data.decode(encoding)
    found = _SITE_NAME.search(html)
    if found:
        district = found[1]
        neighbours = _city_of(district)
        other = neighbours[(neighbours.index(district) + index // BASE_PAGES) % len(neighbours)]
        html = html.replace(district, other)
    stamp = f"<head>\n<!-- benchmark page {index}, derived from page {index % BASE_PAGES} -->"
    return html.replace("<head>", stamp, 1).encode(encoding, errors="xmlcharrefreplace")


def _city_of(district: str) -> list[str]:
    """The districts of the city `district` belongs to (itself alone if it is not in site.yaml)."""
    for cities in _site()["places"].values():
        for districts in cities.values():
            if district in districts:
                return list(districts)
    return [district]
