"""The spider's judgement of a site: blocked, login wall, not found, empty, unreachable, ok."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.spiders.reports import ReportsSpider, SiteStats

WAF = "<html><head><title>拒绝执行 | 网站云防护系统</title></head><body>您的请求已被拒绝</body></html>"
LOGIN = "<html><body><form><p>请先登录</p><input type='password' name='password'></form></body></html>"


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [(403, WAF, "blocked"), (200, WAF, "blocked"), (521, "<html>origin down</html>", "blocked"),
     (200, LOGIN, "login"), (404, "<html>404</html>", "not_found"), (500, "<html>oops</html>", "error"),
     (200, "<html><body>" + "政府信息公开工作年度报告" * 50 + "</body></html>", None),
     (200, LOGIN.replace("</form>", "</form>" + "<p>本年度政府信息公开工作稳步推进。</p>" * 60), None)],
)  # fmt: skip
def test_problem_pages_are_named(status, body, problem):
    spider = ReportsSpider(url="http://gov.example/list/")
    response = HtmlResponse("http://gov.example/list/", status=status, body=body.encode(), encoding="utf-8",
                            request=Request("http://gov.example/list/"))  # fmt: skip
    assert spider._problem(response) == problem


@pytest.mark.parametrize(
    ("counts", "status"),
    [({"listings": 2, "reports": 3}, "ok"), ({"listings": 1, "blocked": 1}, "blocked"),
     ({"listings": 1, "login": 1}, "login_wall"), ({"listings": 2}, "empty"),
     ({"listings": 1, "not_found": 1}, "not_found"), ({"errors": 3}, "unreachable"), ({}, "empty")],
)  # fmt: skip
def test_site_status_from_counts(counts, status):
    assert SiteStats("s", **counts).final_status() == status


def test_spider_takes_its_sites_and_domains_from_the_registry():
    spider = ReportsSpider(province="广东")
    assert spider.sites
    assert all(s.province == "广东省" for s in spider.sites)
    assert "www.gd.gov.cn" in spider.allowed_domains
    assert ReportsSpider(url="https://www.example.gov.cn/a/").allowed_domains == ["www.example.gov.cn"]


def test_same_address_redirect_passes_the_duplicate_filter():
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import SameUrlRedirectMiddleware

    crawler = get_crawler(ReportsSpider, {"REDIRECT_ENABLED": True})
    crawler.spider = ReportsSpider(url="http://gov.example/list/")
    mw = SameUrlRedirectMiddleware.from_crawler(crawler)
    request = Request("http://gov.example/r.html")
    challenge = Response(request.url, status=302, headers={"Location": "/r.html", "Set-Cookie": "wafok=1"})
    again = mw.process_response(request, challenge)
    assert again.url == request.url
    assert again.dont_filter  # else the scheduler drops it as already seen
    moved = mw.process_response(request, Response(request.url, status=301, headers={"Location": "/new.html"}))
    assert moved.url == "http://gov.example/new.html"
    assert not moved.dont_filter  # ordinary redirects stay deduplicated


def test_every_registry_site_yields_start_requests():
    """The real registry (105 publishers) turns into requests without a crash, each kept on its host."""
    import asyncio

    spider = ReportsSpider(all="1")

    async def collect():
        return [r async for r in spider.start()]

    requests = asyncio.run(collect())
    by_site = {}
    for r in requests:
        by_site.setdefault(r.meta["site"], []).append(r)
    assert set(by_site) == {s.id for s in spider.sites if s.start_urls}
    for site in spider.sites:
        for r in by_site.get(site.id, []):
            assert r.errback is not None
            assert r.url.split("/")[2].split(":")[0] in site.domains, (site.id, r.url)
    xxgk = [r for r in requests if "xxgkAnnualReport.jsp" in r.url]
    assert len({r.url for r in xxgk}) == len(xxgk) > 10  # one request per unit and year
