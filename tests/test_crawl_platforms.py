"""Platform adapters on hand-made responses: which links are reports, which requests page further."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse

from crawler.platforms import adapter_for, named
from crawler.platforms.common import Link, adcode_from_siteid, is_report_text, meta_tags
from crawler.platforms.gkmlpt import Gkmlpt
from crawler.platforms.hanweb import Hanweb, HanwebXxgk
from crawler.platforms.truecms import TrueCMS
from crawler.registry import Site

SITE = Site(id="s", listing_url="http://gov.example/col/")


def _html(url: str, body: str, meta: dict | None = None, encoding: str = "utf-8") -> HtmlResponse:
    request = Request(url, meta={"site": "s", **(meta or {})})
    return HtmlResponse(url, body=body.encode(encoding), encoding=encoding, request=request)


def _split(found) -> tuple[list[Link], list[Request]]:
    found = list(found)
    return [f for f in found if isinstance(f, Link)], [f for f in found if isinstance(f, Request)]


def test_report_link_texts():
    yes = ["崇川区2016年政府信息公开工作年度报告", "2019年政府信息公开年报", "2020年度区发改委政府信息公开工作年度报告",
           "南京市鼓楼区2021年度政府信息公开工作年度报告（附件）"]  # fmt: skip
    no = ["关于报送年度报告的通知", "政府信息公开指南", "政府信息公开工作年度报告", "2019年政府工作报告", ""]
    assert all(is_report_text(t) for t in yes)
    assert not any(is_report_text(t) for t in no)
    assert is_report_text("anything 2019", r"anything \d{4}")  # a registry link_pattern overrides


def test_meta_tags_and_siteidcode():
    html = ('<html><head><meta name="SiteIDCode" content="3206130001"><meta name="ArticleTitle" content="T">'
            '<meta name="PubDate" content="2024-01-15 09:30"><meta name="keywords" content="x"></head></html>')  # fmt: skip
    tags = meta_tags(html)
    assert tags == {"SiteIDCode": "3206130001", "ArticleTitle": "T", "PubDate": "2024-01-15 09:30"}
    assert adcode_from_siteid(tags["SiteIDCode"]) == "320613"
    assert adcode_from_siteid("bm0100001") is None


def test_trs_list_yields_reports_and_every_index_page_once():
    body = ('<ul><li><a href="./202401/t20240115_1.html">鼓楼区2023年政府信息公开工作年度报告</a></li>'
            '<li><a href="./202401/t20240110_2.html">鼓楼区召开会议</a></li>'
            '<li><a href="/x.pdf" title="鼓楼区2022年政府信息公开工作年度报告">附件</a></li></ul>'
            '<script>createPageHTML(4, 0, "index", "html");</script>')  # fmt: skip
    response = _html("http://gov.example/col/index.html", body)
    adapter = adapter_for(response, "trs")
    links, requests = _split(adapter.parse(response, SITE))
    assert [link.url for link in links] == [
        "http://gov.example/col/202401/t20240115_1.html",
        "http://gov.example/x.pdf",
    ]
    assert [r.url for r in requests] == [f"http://gov.example/col/index_{n}.html" for n in (1, 2, 3)]
    deeper = _html("http://gov.example/col/index_1.html", body.replace("4, 0", "4, 1"), requests[0].meta)
    assert _split(adapter.parse(deeper, SITE))[1] == []  # later pages do not re-announce the pagination


def test_generic_next_page_stops_when_nothing_new():
    body = '<a href="list_2.html">下一页</a><a href="a.html">2019年政府信息公开工作年度报告</a>'
    response = _html("http://gov.example/col/index.html", body)
    assert [r.url for r in _split(named("generic").parse(response, SITE))[1]] == [
        "http://gov.example/col/list_2.html"
    ]
    stale = _html("http://gov.example/col/list_9.html", body, {"has_new": False})
    assert _split(named("generic").parse(stale, SITE))[1] == []


HANWEB_PAGE = (
    '<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1'
    '&webid=3&path=/&columnid=58264&unitid=214563&webname=安福县&permissiontype=0"></a>]]></nextgroup><recordset>'
    "<record><![CDATA[<li><a href='/art/2022/1/29/art_58264_1.html'>安福县2021年政府信息公开工作年度报告</a></li>]]></record>"
    "<record><![CDATA[<li><a href='/art/2022/1/29/art_58264_2.html'>安福县召开会议</a></li>]]></record>"
    '</recordset></datastore></script><script>var totalRecord = 25; $("#x").jpage({perPage: 2, totalRecord: 25,'
    ' proxyUrl: "/module/web/jpage/dataproxy.jsp"});</script>'
)


def test_hanweb_datastore_and_dataproxy_batches():
    response = _html("http://gov.example/col/col58264/index.html", HANWEB_PAGE)
    adapter = adapter_for(response, "")
    assert isinstance(adapter, Hanweb)
    links, requests = _split(adapter.parse(response, SITE))
    assert [link.url for link in links] == ["http://gov.example/art/2022/1/29/art_58264_1.html"]
    starts = [parse_qs(urlsplit(r.url).query)["startrecord"][0] for r in requests]
    assert starts == ["3", "9", "15", "21"]  # first batch had 2 records; then 3 × perPage per POST
    first = requests[0]
    form = parse_qs(first.body.decode())
    assert first.method == "POST"
    assert form["columnid"] == ["58264"]
    assert form["unitid"] == ["214563"]
    assert first.headers["Referer"] == b"http://gov.example/col/col58264/index.html"
    assert parse_qs(urlsplit(first.url).query)["endrecord"] == ["8"]
    reply = TextResponse(first.url, body=HANWEB_PAGE.encode(), encoding="utf-8", request=first)
    assert _split(adapter.parse(reply, SITE))[1] == []  # batches do not start new batches


def test_hanweb_xxgk_asks_every_year_of_a_unit():
    site = Site(id="s", listing_url="http://gov.example/module/xxgk/xxgkAnnualReport.jsp?fbtime=2017&area=U1",
                years="2018-2020")  # fmt: skip
    requests = HanwebXxgk().start(site, site.listing_url)
    assert [parse_qs(urlsplit(r.url).query) for r in requests] == [
        {"area": ["U1"], "fbtime": [str(y)]} for y in (2018, 2019, 2020)
    ]


def test_truecms_jsonp_with_referer_and_paging():
    page = ('<div id="list"></div><script>var columnId = "abc123"; var perpage = 2;'
            '$.ajax({url: "/truecms/messageController/getMessage.do", dataType: "jsonp"});</script>')  # fmt: skip
    response = _html("http://gov.example/unit/xxgknb/", page)
    adapter = adapter_for(response, "")
    assert isinstance(adapter, TrueCMS)
    _, (first,) = _split(adapter.parse(response, SITE))
    query = parse_qs(urlsplit(first.url).query)
    assert query["columnId"] == ["abc123"]
    assert query["startrecord"] == ["1"]
    assert query["endrecord"] == ["2"]
    assert first.headers["Referer"] == b"http://gov.example/unit/xxgknb/"
    html = '<ul><li><a href="/unit/xxgknb/content/1.html">2022年政府信息公开工作年度报告</a></li></ul>'
    reply_body = "jsonpCallback(" + json.dumps({"result": html, "totalRecord": 5}) + ");"
    reply = TextResponse(first.url, body=reply_body.encode(), encoding="utf-8", request=first)
    links, more = _split(adapter.parse(reply, SITE))
    assert [link.url for link in links] == ["http://gov.example/unit/xxgknb/content/1.html"]
    assert [parse_qs(urlsplit(r.url).query)["startrecord"][0] for r in more] == ["3", "5"]
    assert all(r.headers["Referer"] == b"http://gov.example/unit/xxgknb/" for r in more)


def test_gkmlpt_config_tree_then_json_api():
    page = ('<script>window._CONFIG = {SID: "755035", TREE: [{"id": 100, "name": "机构职能"},'
            ' {"id": 2629, "name": "政府信息公开年报"}]};</script>')  # fmt: skip
    response = _html("http://gov.example/gkmlpt/annualreport", page)
    adapter = adapter_for(response, "")
    assert isinstance(adapter, Gkmlpt)
    _, (api,) = _split(adapter.parse(response, SITE))
    assert api.url == "http://gov.example/gkmlpt/api/all/2629?page=1&sid=755035"
    data = {"articles": [{"title": "2023年政府信息公开工作年度报告", "url": "/gkmlpt/content/1/1000/post_1000.html"},
                         {"title": "某项通知", "url": "/gkmlpt/content/1/1001/post_1001.html"}],
            "classify": {"post_count": 5}}  # fmt: skip
    reply = TextResponse(api.url, body=json.dumps(data).encode(), encoding="utf-8", request=api)
    links, more = _split(adapter.parse(reply, SITE))
    assert [link.url for link in links] == ["http://gov.example/gkmlpt/content/1/1000/post_1000.html"]
    assert [r.url for r in more] == [
        f"http://gov.example/gkmlpt/api/all/2629?page={n}&sid=755035" for n in (2, 3)
    ]


def test_gbk_listing_is_decoded():
    body = '<meta charset="gb2312"><a href="a.shtml">赫山区2019年政府信息公开工作年度报告</a>'
    response = HtmlResponse(
        "http://gov.example/l.html", body=body.encode("gbk"), request=Request("http://gov.example/l.html")
    )
    links, _ = _split(named("generic").parse(response, SITE))
    assert [link.text for link in links] == ["赫山区2019年政府信息公开工作年度报告"]


def test_jpaas_unit_api_pages_inside_paramjson():
    page = ('<script src="/module/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/build/'
            "unit\" querydata=\"{'webId':'3183','pageId':'1229230631','tplSetId':'t1','tagId':'当前栏目list'}\"></script>")  # fmt: skip
    response = _html("http://gov.example/col/col1229230631/index.html", page)
    adapter = adapter_for(response, "")
    assert adapter.name == "hanweb_jpaas"
    _, (first,) = _split(adapter.parse(response, SITE))
    query = parse_qs(urlsplit(first.url).query)
    assert query["parseType"] == ["bulidstatic"]
    assert query["pageId"] == ["1229230631"]
    assert json.loads(query["paramJson"][0]) == {"pageNo": 1, "pageSize": 20}
    full = "<ul>" + "".join(f'<li><a href="/art/{n}.html">动态{n}</a></li>' for n in range(19))
    full += '<li><a href="/art/r.html">2021年政府信息公开工作年度报告</a></li></ul>'
    reply = TextResponse(first.url, body=json.dumps({"data": {"html": full}}).encode(), encoding="utf-8",
                         request=first)  # fmt: skip
    links, (second,) = _split(adapter.parse(reply, SITE))
    assert [link.url for link in links] == ["http://gov.example/art/r.html"]
    assert json.loads(parse_qs(urlsplit(second.url).query)["paramJson"][0])["pageNo"] == 2
    short = TextResponse(
        second.url, body=b'{"data": {"html": "<ul></ul>"}}', encoding="utf-8", request=second
    )
    assert _split(adapter.parse(short, SITE)) == ([], [])  # a short page ends the walk


def test_every_registry_platform_has_an_adapter():
    from crawler.registry import load_sites

    for site in load_sites():
        assert named(site.platform).name in {"generic", "hanweb", "hanweb_jpaas", "truecms", "gkmlpt"}, (
            site.id
        )


@pytest.mark.parametrize(
    ("case", "is_report"),
    [("fj-pingtan-2017", True), ("fj-pingtan-2022", True), ("fj-pingtan-taxbureau-2013", True),
     ("fj-pingtan-letter-2014", False)],
)  # fmt: skip
def test_real_trs_pages_titles_and_meta_tags(shared_dir, case, is_report):
    """Real pages of a TRS column: the titles a listing shows decide what is fetched; meta tags are read."""
    folder = shared_dir / "real-reports" / case
    title = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["title"]
    assert is_report_text(title) is is_report
    url = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201801/t20180123_80506.htm"
    response = HtmlResponse(url, body=(folder / "page.html").read_bytes(), request=Request(url))
    tags = meta_tags(response.text)
    assert tags["ColumnName"] == "政府信息公开年报"
    assert adcode_from_siteid(tags["SiteIDCode"]) == "359000"  # 平潭综合实验区's own code
    assert tags["ArticleTitle"] == title


def test_gkmlpt_tree_nodes_in_any_field_order_and_nested():
    page = ('<script>window._CONFIG = {"SID": "2", "TREE": [{"name": "政府信息公开年报", "id": 2629, "children": '
            '[{"id": 3001, "name": "2022年年报"}]}, {"id": 5, "name": "规划计划"}]};</script>')  # fmt: skip
    response = _html("http://gov.example/gkmlpt/annualreport", page)
    _, requests = _split(Gkmlpt().parse(response, SITE))
    assert [r.url.split("?")[0].rsplit("/", 1)[-1] for r in requests] == ["2629", "3001"]


def test_truecms_payload_holding_xml_cdata_records():
    html = "<records><record><![CDATA[<li><a href='/u/xxgknb/content/9.html'>2019年政府信息公开年报</a></li>]]></record></records>"
    request = Request(
        "http://gov.example/truecms/messageController/getMessage.do?startrecord=1",
        meta={"truecms_paged": True},
    )
    reply = TextResponse(request.url, body=("cb(" + json.dumps({"result": html}) + ")").encode(), encoding="utf-8",
                         request=request)  # fmt: skip
    links, _ = _split(TrueCMS().parse(reply, SITE))
    assert [link.url for link in links] == ["http://gov.example/u/xxgknb/content/9.html"]


TRICKY_LINKS = (
    '<a href="../up/a.PDF#page=2">附件一</a><a href="?id=7">下载</a><a href="">空</a>'
    '<a href="download.jsp?id=9">2019年报.pdf</a><a href="/x/b.docx;jsessionid=1">b</a>'
    '<a href="//cdn.example/c.xls">c</a><a href="javascript:void(0)">js</a><a href="d.pdf/..">d</a>'
    '<a href="./2023/t1.html"><span>鼓楼区2023年</span>政府信息公开工作年度报告</a>'
    '<a href="e.html" title="2022年政府信息公开工作年度报告">更多</a><a href="2021.pdf"></a>'
)


@pytest.mark.parametrize("base", ["http://gov.example/col/report.pdf", "http://gov.example/col/index.html"])
def test_filtered_anchors_keep_every_candidate(base):
    """The cheap pre-urljoin filters must never drop a link the exact tests would keep."""
    from crawler.platforms.common import (
        anchors,
        attachment_links,
        attachments_among,
        candidate_links,
        is_attachment,
        maybe_report,
        parse_html,
        report_links,
    )

    every = anchors(TRICKY_LINKS, base)
    exact = [ln for ln in every if is_attachment(ln.url) or ln.text.strip().lower().endswith(".pdf")]
    assert attachment_links(parse_html(TRICKY_LINKS), base) == list(dict.fromkeys(exact))
    assert report_links(anchors(TRICKY_LINKS, base, maybe_report()), "") == report_links(every)
    assert "http://gov.example/col/2023/t1.html" in [ln.url for ln in report_links(every)]
    both = candidate_links(TRICKY_LINKS, base)  # the spider's one pass for both look-ups
    assert report_links(both) == report_links(every)
    assert attachments_among(both) == attachment_links(TRICKY_LINKS, base)
    if base.endswith(".pdf"):  # "?id=7" keeps the page's own path: an attachment only a urljoin reveals
        assert "http://gov.example/col/report.pdf?id=7" in [ln.url for ln in exact]


def test_anchor_text_is_every_text_node_inside_the_link():
    from crawler.platforms.common import anchors

    links = anchors('<a href="a.html"> 2019年<b>政府信息公开</b><!-- x -->年报 </a>', "http://g.example/")
    assert [(ln.url, ln.text) for ln in links] == [("http://g.example/a.html", "2019年 政府信息公开 年报")]
