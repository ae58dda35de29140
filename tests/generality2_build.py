"""Build tests/fixtures/generality2/: metadata pages from across the country and text-layer PDFs/.docx.

Run from the project root: `.venv/bin/python tests/generality2_build.py` (needs reportlab, in the
test extra). Everything is committed byte-exact; tests/test_generality2.py only reads it.

Why: extraction is judged on real reports from places and years not in this repository.
Area A (meta-*.html + meta_cases.csv): the title, source line and TRS/Hanweb meta tags vary the way
real pages do (department and street reports, county-level cities, provinces, autonomous counties,
banners, same-named districts told apart by the rest of the page, renamed/merged districts,
development zones without a code, 二〇二一年, <title>-only titles, a city portal hosting a
district's report). The expected fields stand beside each case in meta_cases.csv.
Area B (*.pdf, *.docx + <name>.expected.csv): the three national forms as WPS/Word exports print
them (ruled and unruled, split over pages with page numbers, repeated header rows, wrapped labels,
blank cells and '—', the 8-column 小计 variant, a landscape page, a two-column cover). Expected
values come from the same numbers the tables are drawn from (tests/generality_build.py).
"""

from __future__ import annotations

import csv
import html
import io
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
import generality_build as gb

OUT = ROOT / "fixtures" / "generality2"
META_FIELDS = ["year", "published", "title", "publisher", "province", "city", "district", "adcode", "adcode_current"]

# ------------------------------------------------------------------------------------ Area A


def meta_page(*, title_tag: str, h1: str | None, metas: dict[str, str], info: str = "", body: str = "") -> bytes:
    """A TRS/Hanweb-like article page: navigation chrome, meta tags, title, info line, text."""
    tags = "\n".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in metas.items())
    head = f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>{html.escape(title_tag)}</title>\n{tags}\n</head>\n"
    nav = ('<body><div class="top"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a></div>\n'
           '<div class="location">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>\n')
    h = f"<h1 class=\"title\">{html.escape(h1)}</h1>\n" if h1 else ""
    inf = f"<div class=\"info\">{info}</div>\n" if info else ""
    text = body or "<p>　　本年度报告根据《中华人民共和国政府信息公开条例》要求编制。全文包括总体情况、主动公开政府信息情况等。</p>"
    return (head + nav + h + inf + f'<div class="TRS_Editor">{text}</div>\n'
            '<div class="foot">主办：人民政府办公室 网站标识码：3206000001 <a>上一篇</a></div></body></html>\n').encode("utf-8")


def trs_meta(title: str, date: str, site: str | None = None, source: str | None = None, sitename: str | None = None) -> dict[str, str]:
    m = {"ArticleTitle": title, "PubDate": f"{date} 09:30"}
    if site:
        m["SiteIDCode"] = site
    if sitename:
        m["SiteName"] = sitename
    if source is not None:
        m["ContentSource"] = source
    return m


def E(year, published, title, publisher, province, city, district, adcode, current=None) -> dict[str, str]:
    vals = [year, published, title, publisher, province, city, district, adcode, current or adcode]
    return {k: "" if v is None else str(v) for k, v in zip(META_FIELDS, vals, strict=True)}


def meta_cases() -> list[tuple[str, str, bytes, dict[str, str]]]:
    """(fixture, note, page bytes, expected fields)."""
    out = []

    def add(name, note, data, exp, url=""):
        out.append((name, note, data, {**exp, "url": url}))

    t = "南通市崇川区教育体育局2021年政府信息公开工作年度报告"
    add("meta-js-chongchuan-jiaoti-2021.html", "department report; SiteIDCode of the district",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-01-18", "3206130003", "南通市崇川区教育体育局"),
                  info="发布时间：2022-01-18 来源：南通市崇川区教育体育局"),
        E(2021, "2022-01-18", t, "南通市崇川区教育体育局", "江苏省", "南通市", "崇川区", "320613"))
    t = "北京市海淀区人民政府办公室2020年政府信息公开工作年度报告"
    add("meta-bj-haidian-office-2020.html", "district government office; plain page (no meta tags), date in the info line",
        meta_page(title_tag=t + "_北京市海淀区人民政府", h1=t, metas={}, info="发布日期：2021-01-29　 信息来源：海淀区政府办"),
        E(2020, "2021-01-29", t, "北京市海淀区人民政府办公室", "北京市", "北京市", "海淀区", "110108"))
    t = "宁海路街道办事处2020年度政府信息公开工作年度报告"
    add("meta-js-gulou-ninghailu-2020.html", "street report naming no district; source line names 南京市鼓楼区",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2021-01-26", None, "南京市鼓楼区宁海路街道办事处"),
                  info="发布日期：2021-01-26 来源：南京市鼓楼区宁海路街道办事处"),
        E(2020, "2021-01-26", t, "宁海路街道办事处", "江苏省", "南京市", "鼓楼区", "320106"))
    t = "昆山市人民政府2021年政府信息公开工作年度报告"
    add("meta-js-kunshan-2021.html", "county-level city",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-01-27", "3205830001", "昆山市人民政府办公室")),
        E(2021, "2022-01-27", t, "昆山市人民政府", "江苏省", "苏州市", "昆山市", "320583"))
    t = "义乌市2022年政府信息公开工作年度报告"
    add("meta-zj-yiwu-2022.html", "county-level city, bare place name in the title, no meta tags",
        meta_page(title_tag=t, h1=t, metas={}, info="发布时间：2023-01-30 来源：义乌市人民政府办公室"),
        E(2022, "2023-01-30", t, "义乌市人民政府办公室", "浙江省", "金华市", "义乌市", "330782"))
    t = "苏州市人民政府2021年政府信息公开工作年度报告"
    add("meta-js-suzhou-city-2021.html", "prefecture-level city: no district",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-01-28", "3205000001", "苏州市人民政府办公室")),
        E(2021, "2022-01-28", t, "苏州市人民政府", "江苏省", "苏州市", None, "320500"))
    t = "江苏省人民政府办公厅2020年政府信息公开工作年度报告"
    add("meta-js-province-office-2020.html", "provincial department: no city, no district",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2021-01-29", "3200000001", "江苏省人民政府办公厅")),
        E(2020, "2021-01-29", t, "江苏省人民政府办公厅", "江苏省", None, None, "320000"))
    t = "长阳土家族自治县2021年政府信息公开工作年度报告"
    add("meta-hb-changyang-2021.html", "autonomous county, bare name in the title",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-01-20")),
        E(2021, "2022-01-20", t, "长阳土家族自治县人民政府", "湖北省", "宜昌市", "长阳土家族自治县", "420528"))
    t = "鄂托克前旗人民政府2020年政府信息公开工作年度报告"
    add("meta-nm-etuokeqian-2020.html", "banner (旗)",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2021-01-25")),
        E(2020, "2021-01-25", t, "鄂托克前旗人民政府", "内蒙古自治区", "鄂尔多斯市", "鄂托克前旗", "150623"))
    for slug, city, prov, code, site in (("fj-gulou-fuzhou", "福州市", "福建省", "350102", "3501020001"),
                                         ("js-gulou-xuzhou", "徐州市", "江苏省", "320302", "3203020002"),
                                         ("ha-gulou-kaifeng", "开封市", "河南省", "410204", "4102040001")):
        t = "鼓楼区人民政府2021年政府信息公开工作年度报告"
        add(f"meta-{slug}-2021-siteid.html", f"鼓楼区 of {city}: only SiteIDCode tells",
            meta_page(title_tag=t + "_鼓楼区人民政府", h1=t, metas=trs_meta(t, "2022-01-21", site)),
            E(2021, "2022-01-21", t, "鼓楼区人民政府", prov, city, "鼓楼区", code))
    t = "鼓楼区2019年政府信息公开工作年度报告"
    add("meta-fj-gulou-fuzhou-2019-source.html", "鼓楼区 told by the source line (福州市鼓楼区人民政府办公室), no SiteIDCode",
        meta_page(title_tag=t, h1=t, metas={}, info="发布时间：2020-01-15　来源：福州市鼓楼区人民政府办公室"),
        E(2019, "2020-01-15", t, "福州市鼓楼区人民政府办公室", "福建省", "福州市", "鼓楼区", "350102"))
    t = "朝阳区人民政府2022年政府信息公开工作年度报告"
    add("meta-jl-chaoyang-changchun-2022.html", "朝阳区 of 长春市: SiteName meta names the city",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2023-01-30", None, None, "长春市朝阳区人民政府")),
        E(2022, "2023-01-30", t, "朝阳区人民政府", "吉林省", "长春市", "朝阳区", "220104"))
    t = "北京市朝阳区2022年政府信息公开工作年度报告"
    add("meta-bj-chaoyang-2022.html", "朝阳区 of 北京市 named in full",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2023-01-31", "1101050001")),
        E(2022, "2023-01-31", t, "北京市朝阳区人民政府", "北京市", "北京市", "朝阳区", "110105"))
    t = "普陀区人民政府2020年政府信息公开工作年度报告"
    add("meta-zj-putuo-zhoushan-2020.html", "普陀区 of 舟山市: the first paragraph names 舟山市普陀区",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2021-01-28"),
                  body="<p>　　本报告由舟山市普陀区人民政府办公室根据《中华人民共和国政府信息公开条例》编制。</p>"),
        E(2020, "2021-01-28", t, "普陀区人民政府", "浙江省", "舟山市", "普陀区", "330903"))
    t = "上海市普陀区人民政府2020年政府信息公开工作年度报告"
    add("meta-sh-putuo-2020.html", "普陀区 of 上海市",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2021-03-30", "3101070001")),
        E(2020, "2021-03-30", t, "上海市普陀区人民政府", "上海市", "上海市", "普陀区", "310107"))
    t = "西湖区人民政府2021年度政府信息公开工作年度报告"
    add("meta-jx-xihu-nanchang-2021.html", "西湖区 of 南昌市 via SiteIDCode; 2021年度",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-01-24", "3601030001")),
        E(2021, "2022-01-24", t, "西湖区人民政府", "江西省", "南昌市", "西湖区", "360103"))
    t = "杭州市西湖区人民政府2021年政府信息公开工作年度报告"
    add("meta-zj-xihu-hangzhou-2021.html", "西湖区 of 杭州市 named in full",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-01-26", "3301060001")),
        E(2021, "2022-01-26", t, "杭州市西湖区人民政府", "浙江省", "杭州市", "西湖区", "330106"))
    t = "崇川区2019年政府信息公开工作年度报告"
    add("meta-js-chongchuan-2019.html", "崇川区 before the 2020 merger: old code in force, new code today",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2020-01-20", "3206020001", "南通市崇川区人民政府办公室")),
        E(2019, "2020-01-20", t, "南通市崇川区人民政府办公室", "江苏省", "南通市", "崇川区", "320602", "320613"))
    t = "南通市港闸区人民政府2019年政府信息公开工作年度报告"
    add("meta-js-gangzha-2019.html", "港闸区, merged into 崇川区 in 2020",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2020-01-17", "3206110001")),
        E(2019, "2020-01-17", t, "南通市港闸区人民政府", "江苏省", "南通市", "港闸区", "320611", "320613"))
    t = "海门市人民政府2019年政府信息公开工作年度报告"
    add("meta-js-haimen-2019.html", "海门市 (county-level city until 2020, now 海门区)",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2020-01-21")),
        E(2019, "2020-01-21", t, "海门市人民政府", "江苏省", "南通市", "海门市", "320684", "320614"))
    t = "南通经济技术开发区管理委员会2021年政府信息公开工作年度报告"
    add("meta-js-nantong-kfq-2021.html", "development zone without a code of its own: the city's code, no district",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-01-25", "3206000001")),
        E(2021, "2022-01-25", t, "南通经济技术开发区管理委员会", "江苏省", "南通市", None, "320600"))
    t = "无锡市锡山区人民政府二〇二一年政府信息公开工作年度报告"
    add("meta-js-xishan-2021-cnyear.html", "year written 二〇二一年",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-01-19")),
        E(2021, "2022-01-19", t, "无锡市锡山区人民政府", "江苏省", "无锡市", "锡山区", "320205"))
    t = "常州市武进区2020年度政府信息公开工作年度报告"
    add("meta-js-wujin-2020-titletag.html", "title only in <title> with a site suffix; date only in the info line",
        meta_page(title_tag=t + "_常州市武进区人民政府", h1=None, metas={}, info="发布时间：2021-01-22 10:12"),
        E(2020, "2021-01-22", t, "常州市武进区人民政府", "江苏省", "常州市", "武进区", "320412"))
    t = "如东县2021年政府信息公开工作年度报告"
    add("meta-js-rudong-2021-cityportal.html", "district report hosted on the city portal: SiteIDCode 320600 disagrees",
        meta_page(title_tag=t + "_南通市人民政府", h1=t, metas=trs_meta(t, "2022-01-28", "3206000001", None, "南通市人民政府")),
        E(2021, "2022-01-28", t, "如东县人民政府", "江苏省", "南通市", "如东县", "320623"))
    t = "2016年崇川区政府信息公开工作年度报告"
    add("meta-js-chongchuan-2016-yearfirst.html", "year first in the title, published 2017; pub year must not be taken",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2017-02-22", "3206020001")),
        E(2016, "2017-02-22", t, "崇川区人民政府", "江苏省", "南通市", "崇川区", "320602", "320613"))
    t = "2021年政府信息公开工作年度报告"
    add("meta-js-sucheng-2021-placeless.html", "title names no place; only the <title> suffix and SiteName do",
        meta_page(title_tag=t + "_宿迁市宿城区人民政府", h1=t, metas={"PubDate": "2022-01-26 08:00", "SiteName": "宿迁市宿城区人民政府"}),
        E(2021, "2022-01-26", t, "宿迁市宿城区人民政府", "江苏省", "宿迁市", "宿城区", "321302"))
    t = "关于2020年度政府信息公开工作年度报告的说明"
    add("meta-gd-tianhe-2020-pubyear.html", "published 2021 with the site's 2021 news; the title's 2020 wins",
        meta_page(title_tag="广州市天河区人民政府门户网站", h1="广州市天河区人民政府2020年政府信息公开工作年度报告",
                  metas={"PubDate": "2021-01-29 17:00", "SiteIDCode": "4401060001"}, info="发布日期：2021-01-29 来源：天河区政务服务数据管理局"),
        E(2020, "2021-01-29", "广州市天河区人民政府2020年政府信息公开工作年度报告", "广州市天河区人民政府", "广东省", "广州市", "天河区", "440106"))
    t = "通州区人民政府2021年政府信息公开工作年度报告"
    add("meta-bj-tongzhou-2021-siteid.html", "通州区 of 北京市 (not 南通市): only SiteIDCode tells",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-01-27", "1101120001")),
        E(2021, "2022-01-27", t, "通州区人民政府", "北京市", "北京市", "通州区", "110112"))
    t = "南通市通州区人民政府2021年政府信息公开工作年度报告"
    add("meta-js-tongzhou-2021.html", "通州区 of 南通市 named in full",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-01-24")),
        E(2021, "2022-01-24", t, "南通市通州区人民政府", "江苏省", "南通市", "通州区", "320612"))
    t = "普陀区2021年政府信息公开工作年度报告"
    add("meta-sh-putuo-2021-source.html", "bare 普陀区 told by ContentSource 上海市普陀区人民政府办公室",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-03-28", None, "上海市普陀区人民政府办公室")),
        E(2021, "2022-03-28", t, "上海市普陀区人民政府办公室", "上海市", "上海市", "普陀区", "310107"))
    t = "浦东新区人民政府2021年政府信息公开工作年度报告"
    add("meta-sh-pudong-2021.html", "浦东新区 has a code of its own",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-03-30", "3101150001")),
        E(2021, "2022-03-30", t, "浦东新区人民政府", "上海市", "上海市", "浦东新区", "310115"))
    t = "苏州市财政局2021年政府信息公开工作年度报告"
    add("meta-js-suzhou-finance-2021.html", "city department: no district",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2022-01-21", "3205000001", "苏州市财政局")),
        E(2021, "2022-01-21", t, "苏州市财政局", "江苏省", "苏州市", None, "320500"))
    t = "恩施土家族苗族自治州人民政府2020年政府信息公开工作年度报告"
    add("meta-hb-enshi-2020.html", "autonomous prefecture",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2021-01-29")),
        E(2020, "2021-01-29", t, "恩施土家族苗族自治州人民政府", "湖北省", "恩施土家族苗族自治州", None, "422800"))
    t = "浙江省人民政府2022年政府信息公开工作年度报告"
    add("meta-zj-province-2022.html", "province",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2023-01-31", "3300000001")),
        E(2022, "2023-01-31", t, "浙江省人民政府", "浙江省", None, None, "330000"))
    t = "余杭区2021年度政府信息公开工作年度报告"
    add("meta-zj-yuhang-2021-hanweb-url.html", "Hanweb page: no meta date, only the URL /art/2022/1/20/ (one-digit month)",
        meta_page(title_tag=t + "_杭州市余杭区人民政府", h1=t, metas={"SiteName": "杭州市余杭区人民政府"}),
        E(2021, "2022-01-20", t, "余杭区人民政府", "浙江省", "杭州市", "余杭区", "330110"),
        url="http://www.yuhang.gov.cn/art/2022/1/20/art_1229511_59012345.html")
    t = "鹿城区人民政府2021年政府信息公开工作年度报告"
    add("meta-zj-lucheng-2021-cndate.html", "date printed 发布时间：2022年01月20日 on the info line, no meta tags",
        meta_page(title_tag=t, h1=t, metas={}, info="发布时间：2022年01月20日　来源：温州市鹿城区人民政府办公室"),
        E(2021, "2022-01-20", t, "鹿城区人民政府", "浙江省", "温州市", "鹿城区", "330302"))
    t = "杭州市西湖区人民政府2020年政府信息公开工作年度报告"
    add("meta-zj-xihu-2020-dupdate.html", "report for 2020 published 2021; nav shows 2021 news and a 2021 date line first",
        meta_page(title_tag=t, h1=t, metas=trs_meta(t, "2021-01-15", "3301060001"),
                  body="<p>　　按照《中华人民共和国政府信息公开条例》规定，现公布2020年度报告。</p><p>2021年1月15日</p>"),
        E(2020, "2021-01-15", t, "杭州市西湖区人民政府", "浙江省", "杭州市", "西湖区", "330106"))
    return out


def write_meta() -> None:
    with (OUT / "meta_cases.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["fixture", "url", *META_FIELDS, "note"])
        for name, note, data, exp in meta_cases():
            (OUT / name).write_bytes(data)
            w.writerow([name, exp["url"], *(exp[k] for k in META_FIELDS), note])


# ------------------------------------------------------------------------------------ Area B

FONT = "STSong-Light"
SIZE = 9
LEAD = 11  # line height


def _wrap(text: str, width: float) -> list[str]:
    per = max(1, int((width - 4) // SIZE))
    out: list[str] = []
    for part in text.split("\n"):
        out.extend([part[i:i + per] for i in range(0, len(part), per)] or [""])
    return out or [""]


def _cells(grid: gb.Grid) -> list[tuple[int, int, str, int, int]]:
    """Origin cells (row, col, text, rowspan, colspan) of a span grid."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(grid):
        col = 0
        for text, rs, cs in row:
            while (r, col) in taken:
                col += 1
            out.append((r, col, text, rs, cs))
            taken.update((r + i, col + j) for i in range(rs) for j in range(cs))
            col += cs
    return out


class Pdf:
    """Draws paragraphs and span grids the way a WPS/Word export prints them, page by page."""

    def __init__(self, *, ruled: bool = True, repeat: int = 0, footer: str = "- {} -") -> None:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        self.buf = io.BytesIO()
        self.c = canvas.Canvas(self.buf, pagesize=A4, invariant=1)
        self.c.setTitle("Normal")  # templates leave their own title in the info dictionary
        self.a4 = A4
        self.ruled, self.repeat, self.footer = ruled, repeat, footer
        self.page = 1
        self._start(A4)

    def _start(self, size) -> None:
        self.c.setPageSize(size)
        self.size = size
        self.w, self.h = size
        self.y = self.h - 60
        self.c.setFont(FONT, SIZE)

    def new_page(self, size=None) -> None:
        self.c.setFont(FONT, SIZE)
        self.c.drawCentredString(self.w / 2, 30, self.footer.format(self.page))
        self.c.showPage()
        self.page += 1
        self._start(size or self.size)

    def para(self, text: str, size: int = 11, x: float = 70, width: float | None = None) -> None:
        self.c.setFont(FONT, size)
        width = width or self.w - 2 * x
        per = int(width // size)
        for i in range(0, len(text), per):
            if self.y < 70:
                self.new_page()
                self.c.setFont(FONT, size)
            self.c.drawString(x, self.y, text[i:i + per])
            self.y -= size * 1.6
        self.c.setFont(FONT, SIZE)

    def table(self, grid: gb.Grid, widths: list[float]) -> None:
        cells = _cells(grid)
        xs = [50.0]
        for w in widths:
            xs.append(xs[-1] + w)
        heights = [LEAD + 8] * len(grid)
        for r, col, text, rs, cs in cells:
            if rs == 1:
                heights[r] = max(heights[r], len(_wrap(text, xs[col + cs] - xs[col])) * LEAD + 8)
        tops: dict[int, float] = {}  # rows placed on the current page -> top y
        for r in range(len(grid)):
            if self.y - heights[r] < 60:
                self._draw(cells, xs, tops, heights)
                self.new_page()
                tops = {}
                for hr in range(min(self.repeat, r)):  # Word's repeat-header-row
                    for r0, col, text, _rs, cs in cells:
                        if r0 == hr:
                            self._cell(xs[col], xs[col + cs], self.y, heights[hr], text)
                    self.y -= heights[hr]
            tops[r] = self.y
            self.y -= heights[r]
        self._draw(cells, xs, tops, heights)
        self.y -= 14

    def _draw(self, cells, xs, tops, heights) -> None:
        """Draw the cells (or the parts of spanned cells) whose rows stand on the current page."""
        for r, col, text, rs, cs in cells:
            rows = [i for i in range(r, r + rs) if i in tops]
            if rows:
                self._cell(xs[col], xs[col + cs], tops[rows[0]], sum(heights[i] for i in rows), text if r in tops else "")

    def _cell(self, x0: float, x1: float, top: float, height: float, text: str) -> None:
        if self.ruled:
            self.c.rect(x0, top - height, x1 - x0, height)
        lines = _wrap(text, x1 - x0)
        y = top - height / 2 + (len(lines) * LEAD) / 2 - LEAD + 3
        for line in lines:
            if len(line) <= 3 or not any("\u4e00" <= ch <= "\u9fff" for ch in line):
                self.c.drawCentredString((x0 + x1) / 2, y, line)
            else:
                self.c.drawString(x0 + 3, y, line)
            y -= LEAD

    def bytes(self) -> bytes:
        self.c.setFont(FONT, SIZE)
        self.c.drawCentredString(self.w / 2, 30, self.footer.format(self.page))
        self.c.save()
        return self.buf.getvalue()


T3_W8 = [18, 52, 110] + [38] * 8
T3_W7 = [18, 60, 120] + [40] * 7
T2_W = [200, 95, 95, 95]
T4_W = [48] * 15


def gov_doc(place: str, year: int, version: str, *, ruled=True, repeat=0, subtotal=False, landscape_t4=False,
            blanks: dict[str, str] | None = None, cover=False, footer="- {} -") -> tuple[bytes, dict[str, str]]:
    form = gb.load_form(version)
    n2 = gb.t2_numbers(form)
    rows3 = gb.t3_rows(form)
    n3 = gb.t3_numbers(rows3, subtotal)
    n4 = gb.t4_numbers()
    for code, printed in (blanks or {}).items():
        for n in (n2, n3, n4):
            if code in n:
                n[code] = printed
    title = f"{place}{year}年政府信息公开工作年度报告"
    pdf = Pdf(ruled=ruled, repeat=repeat, footer=footer)
    if cover:  # a two-column cover: the title in the left column, a contents list in the right
        pdf.c.setFont(FONT, 16)
        pdf.c.drawString(60, 600, title[:len(place)])
        pdf.c.drawString(60, 575, title[len(place):])
        pdf.c.setFont(FONT, 10)
        for i, line in enumerate(["目  录", "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]):
            pdf.c.drawString(340, 620 - 18 * i, line)
        pdf.new_page()
    else:
        pdf.para(title, size=16, x=90)
    new = n3["apps.new@total"]
    suits = int(n4["litigation.direct.total"]) + int(n4["litigation.after_review.total"])
    pdf.para(f"　　本年度新收政府信息公开申请{new}件，行政复议{n4['review.total']}起，行政诉讼{suits}起。"
             f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")
    pdf.para("二、主动公开政府信息情况")
    pdf.table(gb.t2_grid(form, n2), T2_W)
    pdf.para("三、收到和处理政府信息公开申请情况")
    pdf.table(gb.t3_grid(rows3, n3, subtotal), T3_W8 if subtotal else T3_W7)
    if landscape_t4:
        from reportlab.lib.pagesizes import A4, landscape
        pdf.new_page(landscape(A4))
    pdf.para("四、政府信息公开行政复议、行政诉讼情况")
    pdf.table(gb.t4_grid(n4), T4_W if landscape_t4 else [33] * 15)
    if landscape_t4:
        pdf.new_page(pdf.a4)
    pdf.para("五、存在的主要问题及改进情况")
    pdf.para(f"{place}人民政府办公室")
    pdf.para(f"{year + 1}年1月20日")
    expected = {**{k: gb._expected_value(v) for k, v in n2.items()}, **{k: gb._expected_value(v) for k, v in n3.items()}, **n4}
    return pdf.bytes(), expected


def legacy_doc(place: str, year: int, *, ruled=True, title_size=16) -> tuple[bytes, dict[str, str]]:
    vals = {"org.budget": "", "proactive.channels.weibo": "—"}
    rows = gb.legacy_rows("dot", values=vals)
    pdf = Pdf(ruled=ruled, repeat=2)
    pdf.para(f"{place}{year}年政府信息公开工作年度报告", size=title_size, x=90)
    pdf.para(f"　　{year}年，本机关主动公开政府信息{ {c: v for c, _, _, v in rows}['proactive.total']}条。")
    pdf.table(gb.legacy_grid(rows, f"{year}年度政府信息公开情况统计表"), [300, 80, 100])
    pdf.para(f"{year + 1}年2月10日")
    return pdf.bytes(), gb.legacy_expected(rows)


def docx_doc(place: str, year: int) -> tuple[bytes, dict[str, str]]:
    """A gov2021 report as a Word .docx (the package shape of tests/fixtures/pages/make_pages.py)."""
    sys.path.insert(0, str(ROOT / "fixtures" / "pages"))
    import make_pages as mp

    form = gb.load_form("gov2021")
    rows3 = gb.t3_rows(form)
    n2, n3, n4 = gb.t2_numbers(form), gb.t3_numbers(rows3, False), gb.t4_numbers()

    def tbl(grid: gb.Grid) -> str:
        cells = _cells(grid)
        ncols = max(col + cs for _r, col, _t, _rs, cs in cells)
        by_row: dict[int, list] = {}
        for r, col, text, rs, cs in cells:
            by_row.setdefault(r, []).append((col, text, rs, cs, "restart" if rs > 1 else None))
            for k in range(1, rs):
                by_row.setdefault(r + k, []).append((col, "", 1, cs, "continue"))
        trs = []
        for r in range(len(grid)):
            tcs = sorted(by_row.get(r, []))
            assert sum(x[3] for x in tcs) == ncols
            trs.append("<w:tr>" + "".join(mp._w_cell(t, span=cs, merge=m) for _c, t, _rs, cs, m in tcs) + "</w:tr>")
        return "<w:tbl>" + "".join(trs) + "</w:tbl>"

    title = f"{place}{year}年政府信息公开工作年度报告"
    body = "".join([mp._w_paragraph(title), mp._w_paragraph("二、主动公开政府信息情况"), tbl(gb.t2_grid(form, n2)),
                    mp._w_paragraph("三、收到和处理政府信息公开申请情况"), tbl(gb.t3_grid(rows3, n3, False)),
                    mp._w_paragraph("四、政府信息公开行政复议、行政诉讼情况"), tbl(gb.t4_grid(n4)),
                    mp._w_paragraph(f"{place}人民政府办公室"), mp._w_paragraph(f"{year + 1}年1月20日")])
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{mp.W_NS}">'
                f"<w:body>{body}</w:body></w:document>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**mp.DOCX_PARTS, "word/document.xml": document}.items():
            text = text.replace("2016年崇川区政府信息公开工作年度报告", "Normal").replace("2017-02-20", f"{year + 1}-01-18")
            archive.writestr(zipfile.ZipInfo(name, date_time=(year + 1, 1, 20, 0, 0, 0)), text.encode("utf-8"))
    return buffer.getvalue(), {**{k: gb._expected_value(v) for k, v in n2.items()}, **n3, **n4}


#: (fixture, template, year, note, build); DOC_META gives the metadata each must yield.
DOCS = [
    ("js-pizhou-2021-ruled.pdf", "gov2021", 2021, ("ruled WPS export, tables split over pages with '- n -' footers, wrapped labels, "
     "a blank cell and a '—' cell, narrative citing numbers"),
     lambda: gov_doc("邳州市", 2021, "gov2021", blanks={"apps.result.partial@legal.research": "",
                                                          "disclosure.admin_fees@amount": "—"})),
    ("js-pizhou-2021-unruled.pdf", "gov2021", 2021, "the same without rules",
     lambda: gov_doc("邳州市", 2021, "gov2021", ruled=False, blanks={"apps.result.partial@legal.research": "",
                                                                     "disclosure.admin_fees@amount": "—"})),
    ("js-xinyi-2021-unruled-noblank.pdf", "gov2021", 2021, "unruled gov2021 with no blank cell (isolates the wrapped-label failure)",
     lambda: gov_doc("新沂市", 2021, "gov2021", ruled=False)),
    ("zj-xiaoshan-2020-subtotal-landscape.pdf", "gov2019", 2020, ("gov2019, 8-column 小计 table 三 with its 3 header rows "
     "repeated on the next page, table 四 on a landscape page, two-column cover page"),
     lambda: gov_doc("杭州市萧山区", 2020, "gov2019", subtotal=True, repeat=3, landscape_t4=True, cover=True)),
    ("sd-laishan-2017-legacy.pdf", "legacy", 2017, ("legacy list form, ruled, header rows repeated, wrapped labels, blank 专项经费 "
     "and '—' 微博"),
     lambda: legacy_doc("烟台市莱山区人民政府", 2017)),
    ("sd-zhifu-2016-legacy-unruled.pdf", "legacy", 2016, "legacy list form without rules, title on one line",
     lambda: legacy_doc("烟台市芝罘区人民政府", 2016, ruled=False, title_size=13)),
    ("hn-yuhua-2019-gov2019-unruled.pdf", "gov2019", 2019, "gov2019 without rules, '第 n 页' footers, 小计 column",
     lambda: gov_doc("长沙市雨花区", 2019, "gov2019", ruled=False, subtotal=True, footer="第 {} 页")),
    ("ah-shushan-2022.docx", "gov2021", 2022, "Word .docx, merged cells as gridSpan/vMerge",
     lambda: docx_doc("合肥市蜀山区", 2022)),
]


DOC_META = {
    "js-pizhou-2021-ruled.pdf": ("邳州市2021年政府信息公开工作年度报告", "2022-01-20", "320382"),
    "js-pizhou-2021-unruled.pdf": ("邳州市2021年政府信息公开工作年度报告", "2022-01-20", "320382"),
    "js-xinyi-2021-unruled-noblank.pdf": ("新沂市2021年政府信息公开工作年度报告", "2022-01-20", "320381"),
    "zj-xiaoshan-2020-subtotal-landscape.pdf": ("杭州市萧山区2020年政府信息公开工作年度报告", "2021-01-20", "330109"),
    "sd-laishan-2017-legacy.pdf": ("烟台市莱山区人民政府2017年政府信息公开工作年度报告", "2018-02-10", "370613"),
    "sd-zhifu-2016-legacy-unruled.pdf": ("烟台市芝罘区人民政府2016年政府信息公开工作年度报告", "2017-02-10", "370602"),
    "hn-yuhua-2019-gov2019-unruled.pdf": ("长沙市雨花区2019年政府信息公开工作年度报告", "2020-01-20", "430111"),
    "ah-shushan-2022.docx": ("合肥市蜀山区2022年政府信息公开工作年度报告", "2023-01-20", "340104"),
}


def write_docs() -> None:
    with (OUT / "doc_cases.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["fixture", "template", "year", "title", "published", "adcode", "note"])
        for name, template, year, note, fn in DOCS:
            data, expected = fn()
            (OUT / name).write_bytes(data)
            with (OUT / f"{name.rsplit('.', 1)[0]}.expected.csv").open("w", encoding="utf-8", newline="") as g:
                ew = csv.writer(g, lineterminator="\n")
                ew.writerow(["code", "value"])
                ew.writerows(expected.items())
            w.writerow([name, template, year, *DOC_META[name], note])


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    write_meta()
    if "--meta-only" not in sys.argv:
        write_docs()
