"""Builds the offline demo sites under tests/fixtures/demo_site/ (run once; the output is committed).

Why a generator: the demo must hold real-shaped report pages of several years in both forms
(legacy 2014-2018, gov2019, gov2021), as <table> pages and Word-flattened ones, with figures that
satisfy the forms' identities. Forms and figures come from the benchmark corpus generator
(benchmarks.forms / benchmarks.render, which read ../shared/reference/templates.yaml); this file only
places them into sites shaped like TRS, Hanweb (datastore + dataproxy.jsp, xxgk module), TrueCMS,
a GBK static site and Guangdong gkmlpt, plus a WAF-blocked site and an empty column.

    .venv/bin/python -m tests.demo_site.build

Writes `www/` (static files, served as-is), `www/_dynamic.json` (what the dynamic endpoints of
`server.py` answer), `sites.csv` (the demo registry, `{base}` = the server's address) and
`expected.json` (every report the crawl must find: URL, year, variant, layout, printed figures).
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from benchmarks.forms import check, fill, load_form
from benchmarks.render import Style, block_grid, form_sections
from crawler.registry import COLUMNS

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "demo_site"
WWW = OUT / "www"


@dataclass
class DemoSite:
    id: str
    name: str
    province: str
    city: str
    district: str
    adcode: str
    platform: str
    listing: str  # path under {base}
    encoding: str = "utf-8"
    params: str = ""
    years: str = ""
    reports: list[dict] = field(default_factory=list)


def variant_for(year: int) -> str:
    return "legacy-2014" if year <= 2018 else "gov2019" if year <= 2020 else "gov2021"


def report_html(site: DemoSite, year: int, layout: str, rng: random.Random, extra: str = "",
                with_table: bool = True, word: bool = False, publisher: str | None = None) -> tuple[str, str, dict]:  # fmt: skip
    """(title, html, printed figures) of one report page of `site` for `year`."""
    variant = variant_for(year)
    form = load_form(variant)
    values = fill(form, rng)
    assert not check(form, values), "generated figures must satisfy the identities"
    tables = form_sections(form, values, Style(layout=layout, word=word, fullwidth=False))
    publisher = publisher or site.name
    title = f"{publisher}{year}年政府信息公开工作年度报告"
    published = f"{year + 1}-01-{rng.randint(10, 28):02d}"
    prose = (
        f"<p>本报告根据《中华人民共和国政府信息公开条例》要求，由{escape(publisher)}编制。"
        f"报告所列数据统计期限自{year}年1月1日起至{year}年12月31日止。</p>\n"
    )
    if not with_table:
        body = prose + extra
    elif form.template == "legacy":
        body = (
            prose
            + "<p><strong>一、概述</strong></p>\n<p>全年主动公开政府信息，依申请公开工作平稳有序。</p>\n"
            f'<p style="text-align:center"><strong>{year}年度政府信息公开情况统计表</strong></p>\n'
            + tables["legacy"]
            + extra
        )
    else:
        parts = [prose, "<p><strong>一、总体情况</strong></p>\n<p>本年度政府信息公开工作稳步推进。</p>\n"]
        for heading, key in (("二、主动公开政府信息情况", "t2"), ("三、收到和处理政府信息公开申请情况", "t3"),
                             ("四、政府信息公开行政复议、行政诉讼情况", "t4")):  # fmt: skip
            parts.append(f"<p><strong>{heading}</strong></p>\n{tables[key]}")
        parts.append(
            "<p><strong>五、存在的主要问题及改进情况</strong></p>\n<p>公开内容的规范性仍需加强。</p>\n"
        )
        parts.append("<p><strong>六、其他需要报告的事项</strong></p>\n<p>无。</p>\n" + extra)
        body = "".join(parts)
    html = page_html(site, title, published, body)
    return (
        title,
        html,
        {"values": values, "variant": variant, "template": form.template, "published": published},
    )


def page_html(site: DemoSite, title: str, published: str, body: str, column: str = "政府信息公开年报") -> str:
    return (
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; '
        f'charset={"gb2312" if site.encoding == "gbk" else "utf-8"}">\n<title>{escape(title)}</title>\n'
        f'<meta name="SiteName" content="{escape(site.name)}">\n'
        f'<meta name="SiteIDCode" content="{site.adcode}0001">\n'
        f'<meta name="ColumnName" content="{column}">\n'
        f'<meta name="ArticleTitle" content="{escape(title)}">\n'
        f'<meta name="PubDate" content="{published} 09:30">\n'
        f'<meta name="ContentSource" content="{escape(site.name)}办公室">\n</head>\n<body>\n'
        f'<div class="crumb">您当前所在位置：<a href="/">首页</a> &gt; {column}</div>\n'
        f'<h1 class="title">{escape(title)}</h1>\n'
        f'<div class="info">发布日期：{published}　来源：{escape(site.name)}办公室</div>\n'
        f'<div class="TRS_Editor" id="zoom">\n{body}</div>\n</body>\n</html>\n'
    )


def list_html(
    site: DemoSite, title: str, items: list[tuple[str, str]], script: str = "", after: str = ""
) -> str:
    lis = "".join(f'<li><a href="{escape(h)}" target="_blank" title="{escape(t)}">{escape(t)}</a>'
                  f'<span>2024-01-15</span></li>\n' for h, t in items)  # fmt: skip
    return (
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; '
        f'charset={"gb2312" if site.encoding == "gbk" else "utf-8"}">\n<title>{escape(title)}</title>\n'
        f'<meta name="SiteName" content="{escape(site.name)}">\n'
        f'<meta name="SiteIDCode" content="{site.adcode}0001">\n'
        f'<meta name="ColumnName" content="政府信息公开年报">\n</head>\n<body>\n'
        f'<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>\n'
        f'<h2>{escape(title)}</h2>\n<ul class="list">\n{lis}</ul>\n{after}{script}</body>\n</html>\n'
    )


def write(path: str, text: str | bytes, encoding: str = "utf-8") -> None:
    target = WWW / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text if isinstance(text, bytes) else text.encode(encoding, errors="xmlcharrefreplace"))


class Builder:
    def __init__(self) -> None:
        self.rng = random.Random(20240601)
        self.expected: list[dict] = []
        self.dynamic: dict = {}
        self.sites: list[DemoSite] = []

    def report(self, site: DemoSite, path: str, year: int, layout: str, *, extra: str = "",
               with_table: bool = True, url: str | None = None, word: bool = False,
               publisher: str | None = None) -> str:  # fmt: skip
        title, html, info = report_html(
            site, year, layout, self.rng, extra=extra, with_table=with_table, word=word, publisher=publisher
        )
        write(path, html, site.encoding)
        self.expected.append({
            "site": site.id, "url": "{base}" + (url or path), "year": year, "title": title, "layout": layout,
            "variant": info["variant"] if with_table else None, "template": info["template"] if with_table else None,
            "encoding": site.encoding, "published": info["published"], "adcode": site.adcode,
            "n_values": len(info["values"]) if with_table else 0,
            "values": info["values"] if with_table else {},
        })  # fmt: skip
        return title

    # -- sites -------------------------------------------------------------------------------
    def trs(self) -> None:
        """TRS WCM district: three list pages (createPageHTML), redirect, 404, robots, offsite, PDF."""
        s = DemoSite("demo_fz_gulou", "福州市鼓楼区人民政府", "福建省", "福州市", "鼓楼区", "350102", "trs",
                     "/trs/gulou/zfxxgknb/")  # fmt: skip
        self.sites.append(s)
        col = "/trs/gulou/zfxxgknb/"
        pages: list[list[tuple[str, str]]] = [[], [], []]
        for page, year, layout in ((0, 2023, "table"), (0, 2022, "flat"), (0, 2021, "table"), (1, 2020, "flat"),
                                   (1, 2019, "table"), (2, 2017, "flat"), (2, 2016, "table")):  # fmt: skip
            path = f"{col}{year + 1}01/t{year + 1}0115_{900 + year}.html"
            title = self.report(s, path, year, layout, word=year == 2020)  # one Word-pasted page
            pages[page].append((f"./{year + 1}01/t{year + 1}0115_{900 + year}.html", title))
        # 2018: linked under an old address that redirects (301) to the page
        real = f"{col}201901/t20190120_2018.html"
        title = self.report(s, real, 2018, "table", url=real)
        self.dynamic["redirects"] = {f"{col}201901/t20190120_old.html": real}
        pages[1].insert(2, ("./201901/t20190120_old.html", title))
        # 2015: a short page whose table is in a PDF attachment
        pdf_path = f"{col}201601/P020160118_2015.pdf"
        pdf_title = self.pdf_report(s, 2015, pdf_path)
        link = f'<p>附件：<a href="./P020160118_2015.pdf">{escape(pdf_title)}.pdf</a></p>\n'
        page_path = f"{col}201601/t20160118_2015.html"
        title = self.report(s, page_path, 2015, "table", extra=link, with_table=False)
        pages[2].append(("./201601/t20160118_2015.html", title))
        # a notice that merely mentions the annual report (fetched, must extract as not a report)
        notice = f"{col}202401/t20240105_notice.html"
        ntitle = "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知"
        write(notice, page_html(s, ntitle, "2024-01-05", "<p>各街道、各部门：请于1月31日前完成年度报告编制并报送区政务公开办。</p>\n",
                                column="通知公告"))  # fmt: skip
        self.expected.append({"site": s.id, "url": "{base}" + notice, "year": None, "title": ntitle,
                              "layout": None, "variant": None, "template": None, "kind": "notice"})  # fmt: skip
        pages[0].insert(1, ("./202401/t20240105_notice.html", ntitle))
        # a per-year sub-column whose link reads like a report: the departments' reports of 2023
        sub = f"{col}2023n/"
        depts = [
            ("福州市鼓楼区教育局", "202402/t20240120_31.html"),
            ("福州市鼓楼区卫生健康局", "202402/t20240122_32.html"),
        ]
        titles = [f"{name}2023年政府信息公开工作年度报告" for name, _ in depts]
        for n, (name, rel) in enumerate(depts):
            other = depts[1 - n][1]
            sibling = f'<p class="nav">{"下" if n == 0 else "上"}一篇：<a href="../{other}">{titles[1 - n]}</a></p>\n'
            self.report(s, f"{sub}{rel}", 2023, "table", publisher=name, extra=sibling)
        write(f"{sub}index.html", list_html(s, "2023年部门政府信息公开年报", list(zip(
            [f"./{rel}" for _, rel in depts], titles, strict=True))))  # fmt: skip
        self.expected.append({"site": s.id, "url": "{base}" + sub, "kind": "subcolumn", "year": 2023,
                              "title": "福州市鼓楼区2023年政府信息公开年报（区直部门）"})  # fmt: skip
        pages[0].insert(2, ("./2023n/", "福州市鼓楼区2023年政府信息公开年报（区直部门）"))
        # never fetched: a 404, a path robots.txt disallows, an offsite copy
        pages[2].append(
            ("./201501/t20150120_2014.html", "福州市鼓楼区人民政府2014年政府信息公开工作年度报告")
        )
        pages[1].append(
            ("/trs/private/201401/t20140120_2013.html", "福州市鼓楼区人民政府2013年政府信息公开工作年度报告")
        )
        write(
            "/trs/private/201401/t20140120_2013.html", "<html><body>robots.txt disallows this</body></html>"
        )
        pages[0].append(
            (
                "{offsite}/trs/gulou/zfxxgknb/mirror.html",
                "福州市鼓楼区人民政府2012年政府信息公开工作年度报告(转载)",
            )
        )
        self.dynamic["never"] = ["/trs/private/", "/trs/gulou/zfxxgknb/mirror.html"]
        self.dynamic["missing"] = [f"{col}201501/t20150120_2014.html"]
        for n, items in enumerate(pages):
            items = [*items, ("../../xwzx/202401/t20240110_1.html", "鼓楼区召开政务公开工作推进会")]
            script = f'<script type="text/javascript">createPageHTML(3, {n}, "index", "html");</script>\n'
            write(f"{col}index{'_' + str(n) if n else ''}.html",
                  list_html(s, "政府信息公开年报", items, script))  # fmt: skip

    def pdf_report(self, site: DemoSite, year: int, path: str) -> str:
        """A text-layer PDF of a legacy report (matplotlib's PDF backend, CJK font embedded)."""
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt
        from matplotlib.backends.backend_pdf import PdfPages

        form = load_form(variant_for(year))
        values = fill(form, self.rng)
        grid = block_grid(form.blocks[0], values, Style(layout="table", word=False, fullwidth=False))
        rows = [[c.text for c in row] for row in grid]
        title = f"{site.name}{year}年政府信息公开工作年度报告"
        plt.rcParams["font.family"] = ["Noto Sans CJK SC", "Noto Serif CJK SC", "sans-serif"]
        plt.rcParams["pdf.fonttype"] = 42
        buf = io.BytesIO()
        with PdfPages(buf, metadata={"Title": title, "CreationDate": None, "ModDate": None}) as pdf:
            per_page = 34
            for start in range(0, len(rows), per_page):
                fig = plt.figure(figsize=(8.27, 11.69))
                y = 0.95
                if start == 0:
                    fig.text(0.5, y, title, ha="center", fontsize=13)
                    fig.text(0.5, y - 0.03, f"{year}年度政府信息公开情况统计表", ha="center", fontsize=11)
                    y -= 0.07
                for row in rows[start : start + per_page]:
                    label, unit, value = (row + ["", "", ""])[:3]
                    fig.text(0.06, y, label[:40], fontsize=8)
                    fig.text(0.78, y, unit, fontsize=8)
                    fig.text(0.88, y, value, fontsize=8)
                    y -= 0.025
                pdf.savefig(fig)
                plt.close(fig)
        write(path, buf.getvalue())
        self.expected.append({
            "site": site.id, "url": "{base}" + path, "year": year, "title": title, "layout": "pdf",
            "variant": form.variant, "template": form.template, "kind": "attachment",
            "n_values": len(values), "values": values, "adcode": site.adcode,
        })  # fmt: skip
        return title

    def hanweb(self) -> None:
        """Hanweb JCMS county: datastore in the column page, the rest via dataproxy.jsp POST."""
        s = DemoSite("demo_ja_anfu", "安福县人民政府", "江西省", "吉安市", "安福县", "360829", "hanweb",
                     "/hanweb/col/col58264/index.html")  # fmt: skip
        self.sites.append(s)
        records = []
        for year, layout, art in ((2021, "table", 3350669), (None, "", 3350601), (2020, "flat", 3226312),
                                  (None, "", 3226300), (None, "", 3226290), (None, "", 3226280),
                                  (2019, "table", 3126312), (None, "", 3126300), (2018, "flat", 3026312)):  # fmt: skip
            path = f"/hanweb/art/{(year or 2020) + 1}/1/29/art_58264_{art}.html"
            title = (
                self.report(s, path, year, layout) if year else f"安福县召开第{art % 100}次政务公开工作会议"
            )
            if not year:
                write(
                    path,
                    page_html(
                        s, title, "2021-03-01", "<p>会议要求做好政务公开工作。</p>\n", column="工作动态"
                    ),
                )
            records.append(
                f"<li><a href='{path}' target='_blank' title='{title}'>{title}</a><span>2021-01-29</span></li>"
            )
        first = records[:6]
        datastore = (
            '<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?'
            'page=1&webid=3&path=/&columnid=58264&unitid=214563&webname=安福县人民政府&permissiontype=0"></a>]]>'
            "</nextgroup><recordset>\n"
            + "".join(f"<record><![CDATA[{r}]]></record>\n" for r in first)
            + "</recordset></datastore></script>\n"
            '<script language="javascript">var totalRecord = 9; $("#58264").jpage({ dataStore: "datastore", '
            'perPage: 2, totalRecord: 9, proxyUrl: "/module/web/jpage/dataproxy.jsp", groupSize: 3 });</script>\n'
        )
        write("/hanweb/col/col58264/index.html", list_html(s, "政府信息公开年报", [], after=datastore))
        self.dynamic["hanweb"] = {"columnid": "58264", "records": records}

    def xxgk(self) -> None:
        """Hanweb 信息公开 module: xxgkAnnualReport.jsp?area=UNIT&fbtime=YEAR, one page per unit-year."""
        s = DemoSite("demo_ls_liandu", "丽水市莲都区人民政府", "浙江省", "丽水市", "莲都区", "331102", "hanweb",
                     "/module/xxgk/xxgkAnnualReport.jsp?area=113311020025588789&fbtime=2020", years="2018-2021")  # fmt: skip
        self.sites.append(s)
        pages = {}
        # the 2019 page offers a Word copy through a download script (no file extension in the URL)
        doc_title = "丽水市莲都区人民政府2019年政府信息公开工作年度报告.doc"
        write(
            "/xxgk/attach_77.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"demo Word file" + bytes(500),
        )
        self.dynamic["downloads"] = {"77": "/xxgk/attach_77.doc"}
        download = "/module/xxgk/download.jsp?id=77"
        self.expected.append({"site": s.id, "url": "{base}" + download, "kind": "attachment", "layout": "doc",
                              "year": 2019, "title": doc_title})  # fmt: skip
        for year, layout in ((2019, "table"), (2021, "flat")):
            path = f"/xxgk/113311020025588789/{year}.html"
            extra = f'<p>附件：<a href="{download}">{doc_title}</a></p>\n' if year == 2019 else ""
            self.report(s, path, year, layout, extra=extra,
                        url=f"/module/xxgk/xxgkAnnualReport.jsp?area=113311020025588789&fbtime={year}")  # fmt: skip
            pages[str(year)] = path
        write(
            "/xxgk/empty.html",
            page_html(s, "信息公开年报", "", "<p>暂无该年度数据。</p>\n", column="信息公开"),
        )
        self.dynamic["xxgk"] = {"area": "113311020025588789", "pages": pages, "empty": "/xxgk/empty.html"}

    def truecms(self) -> None:
        """TrueCMS (Nantong): JSONP getMessage.do list, 404 without Referer."""
        s = DemoSite("demo_nt_chongchuan", "南通市崇川区人民政府", "江苏省", "南通市", "崇川区", "320613", "truecms",
                     "/xccqrmzf/xxgknb/")  # fmt: skip
        self.sites.append(s)
        items = []
        for year, layout, uid in ((2022, "table", "0b6f4f8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"),
                                  (None, "", "1c7e5a9f-2b3c-4d5e-9f0a-1b2c3d4e5f60"),
                                  (2021, "flat", "2d8f6bab-3c4d-4e5f-8a1b-2c3d4e5f6071"),
                                  (2020, "table", "3e9a7cbc-4d5e-4f60-9b2c-3d4e5f607182"),
                                  (None, "", "4fab8dcd-5e6f-4071-8c3d-4e5f60718293")):  # fmt: skip
            path = f"/xccqrmzf/xxgknb/content/{uid}.html"
            title = self.report(s, path, year, layout) if year else "崇川区政务公开工作要点"
            if not year:
                write(path, page_html(s, title, "2022-04-01", "<p>要点如下。</p>\n", column="工作动态"))
            items.append({"url": path, "title": title})
        script = (
            '<div id="list"></div>\n<script type="text/javascript">\n'
            'var columnId = "6a1c2e0f5b7d4c1e";\nvar perpage = 2;\n'
            '$.ajax({url: "/truecms/messageController/getMessage.do", dataType: "jsonp",\n'
            "  data: {startrecord: 1, endrecord: perpage, perpage: perpage, columnId: columnId}});\n</script>\n"
        )
        write("/xccqrmzf/xxgknb/index.html", list_html(s, "政府信息公开年报", [], script))
        # cloud-WAF cookie challenges (302 to the same address + Set-Cookie): the whole site, and once more
        # for the article pages (so a report request, not only the start URL, meets one)
        self.dynamic["cookie_waf"] = [["/xccqrmzf/", "wafok=1"], ["/truecms/", "wafok=1"],
                                      ["/xccqrmzf/xxgknb/content/", "artok=1"]]  # fmt: skip
        self.dynamic["truecms"] = {
            "columnId": "6a1c2e0f5b7d4c1e",
            "referer": "/xccqrmzf/xxgknb/",
            "items": items,
        }

    def gbk(self) -> None:
        """A GBK-encoded static county site (no charset in the HTTP header), 下一页 pagination."""
        s = DemoSite("demo_yy_heshan", "益阳市赫山区人民政府", "湖南省", "益阳市", "赫山区", "430903", "other",
                     "/gbk/heshan/ndbg/index.html", encoding="gbk")  # fmt: skip
        self.sites.append(s)
        t19 = self.report(s, "/gbk/heshan/ndbg/202001/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6.shtml", 2019, "table")
        t18 = self.report(s, "/gbk/heshan/ndbg/201901/b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7.shtml", 2018, "flat")
        write("/gbk/heshan/ndbg/index.html", list_html(
            s, "政府信息公开年度报告", [("./202001/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6.shtml", t19)],
            after='<div class="page"><a href="list_2.html">下一页</a></div>\n'), "gbk")  # fmt: skip
        write("/gbk/heshan/ndbg/list_2.html", list_html(
            s, "政府信息公开年度报告", [("./201901/b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7.shtml", t18)],
            after='<div class="page"><a href="index.html">上一页</a></div>\n'), "gbk")  # fmt: skip
        self.dynamic["gbk_prefix"] = "/gbk/"

    def jpaas(self) -> None:
        """Hanweb JPaaS (Zhejiang): unitbuild.js script tag, page-build unit API paged by paramJson."""
        s = DemoSite("demo_hz_binjiang", "杭州市滨江区人民政府", "浙江省", "杭州市", "滨江区", "330108",
                     "hanweb_jpaas", "/jpaas/col/col1229230631/index.html")  # fmt: skip
        self.sites.append(s)
        items = [f'<li><a href="/jpaas/art/2023/3/{n % 28 + 1}/art_1229230631_{4000000 + n}.html">滨江区政务动态{n}</a></li>'
                 for n in range(19)]  # fmt: skip
        for pos, (year, layout, art) in zip((3, 17, 20), ((2021, "table", 3840602), (2020, "flat", 3740602),
                                                         (2018, "table", 3640602)), strict=True):  # fmt: skip
            path = f"/jpaas/art/{year + 1}/1/29/art_1229230631_{art}.html"
            title = self.report(s, path, year, layout)
            items.insert(
                pos, f'<li><a href="{path}" title="{title}">{title}</a><span>{year + 1}-01-29</span></li>'
            )
        query = ("{'webId':'3183','tplSetId':'52bd1ea2f1f847c6','pageType':'column','tagId':'当前栏目list',"
                 "'editType':'null','pageId':'1229230631'}")  # fmt: skip
        script = (f'<div id="list"></div>\n<script src="/module/AuthorizedRead/unitbuild.js" '
                  f'url="/api-gateway/jpaas-publish-server/front/page/build/unit" querydata="{query}"></script>\n')  # fmt: skip
        write("/jpaas/col/col1229230631/index.html", list_html(s, "政府信息公开年报", [], script))
        self.dynamic["jpaas"] = {"pageId": "1229230631", "webId": "3183", "items": items}

    def gkmlpt(self) -> None:
        """Guangdong gkmlpt: /gkmlpt/annualreport page with _CONFIG, JSON list API, post_N pages."""
        s = DemoSite("demo_sz_nanshan", "深圳市南山区人民政府", "广东省", "深圳市", "南山区", "440305", "gkmlpt",
                     "/gkmlpt/annualreport")  # fmt: skip
        self.sites.append(s)
        articles = []
        for year, layout, pid in (
            (2023, "table", 11034567),
            (2022, "flat", 10398765),
            (2019, "table", 7012345),
        ):
            path = f"/gkmlpt/content/{pid // 1000000}/{pid // 1000}/post_{pid}.html"
            title = self.report(s, path, year, layout)
            articles.append({"id": pid, "title": title, "url": path, "publisher": s.name,
                             "date": f"{year + 1}-01-20"})  # fmt: skip
        config = (
            '<script>window._CONFIG = {SID: "755035", SITE_NAME: "深圳市南山区人民政府", '
            'TREE: [{"id": 100, "name": "机构职能", "children": []}, {"id": 2629, "name": "政府信息公开年报"}, '
            '{"id": 2700, "name": "规划计划"}]};</script>\n'
        )
        write("/gkmlpt/annualreport", list_html(s, "政府信息公开年报", [], config))
        self.dynamic["gkmlpt"] = {"sid": "755035", "column": "2629", "per_page": 2, "articles": articles}

    def blocked_and_empty(self) -> None:
        blocked = DemoSite("demo_nt_haimen", "南通市海门区人民政府", "江苏省", "南通市", "海门区", "320614",
                           "truecms", "/waf/hmsrmzf/zfxxgkndbg/")  # fmt: skip
        empty = DemoSite("demo_bj_miyun", "北京市密云区人民政府", "北京市", "北京市", "密云区", "110118", "trs",
                         "/empty/miyun/ndbg/index.html")  # fmt: skip
        login = DemoSite("demo_hz_login", "杭州市某区人民政府", "浙江省", "杭州市", "上城区", "330102", "other",
                         "/login/zfxxgk/ndbg/")  # fmt: skip
        self.sites += [blocked, empty, login]
        write("/login/zfxxgk/ndbg/index.html", "<!DOCTYPE html><html><head><meta charset='utf-8'><title>用户登录</title>"
              "</head><body><form action='/login/check' method='post'><p>请先登录后访问政府信息公开年报</p>"
              "<input name='username'><input type='password' name='password'></form></body></html>")  # fmt: skip
        write("/_waf.html", "<!DOCTYPE html><html><head><title>拒绝执行 | 网站云防护系统</title></head><body>"
              "<h1>您的请求已被网站云防护系统拒绝执行</h1><p>如有疑问请联系网站管理员。</p></body></html>")  # fmt: skip
        self.dynamic["waf_prefix"] = "/waf/"
        write(
            "/empty/miyun/ndbg/index.html",
            list_html(
                empty,
                "政府信息公开年报",
                [
                    ("./202301/t20230110_1.html", "密云区2023年重点工作安排"),
                    ("./202201/t20220110_1.html", "政务公开目录"),
                ],
            ),
        )

    def robots(self) -> None:
        write("/robots.txt", "User-agent: *\nDisallow: /trs/private/\n")

    def registry(self) -> None:
        rows = []
        for s in self.sites:
            row = dict.fromkeys(COLUMNS, "")
            row.update(id=s.id, name=s.name, province=s.province, city=s.city, district=s.district, adcode=s.adcode,
                       level="district" if s.district.endswith("区") else "county",
                       listing_url="{base}" + s.listing, platform=s.platform,
                       evidence="demo site (tests/demo_site/build.py)", confidence="demo", years=s.years,
                       params=s.params)  # fmt: skip
            rows.append(row)
        with (OUT / "sites.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)

    def build(self) -> None:
        if WWW.exists():
            shutil.rmtree(WWW)
        for step in (self.trs, self.hanweb, self.xxgk, self.truecms, self.gbk, self.jpaas, self.gkmlpt, self.blocked_and_empty,
                     self.robots, self.registry):  # fmt: skip
            step()
        (WWW / "_dynamic.json").write_text(
            json.dumps(self.dynamic, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        (OUT / "expected.json").write_text(json.dumps(self.expected, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    Builder().build()
