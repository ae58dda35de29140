"""Incremental crawls: a rerun revisits listings, revalidates reports, and downloads only what changed.

End to end (subprocess crawls of tests/fault_server.py's generated site, which honours ETag and
If-Modified-Since with 304s), plus unit tests of `IncrementalMiddleware` against a real archive.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawler.archive import Archive, Page
from crawler.incremental import IncrementalMiddleware
from crawler.monitors import run_log
from tests.fault_server import (
    SiteSpec,
    crawl_cmd,
    report_html,
    response_records,
    run_crawl,
    run_summary,
    serve,
)

N = 30


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """Four crawls of one site: first, unchanged rerun, after report 5 changed, after a redesign."""
    tmp = tmp_path_factory.mktemp("incremental")
    archive = tmp / "archive"
    out = {}
    with serve(SiteSpec(n_reports=N, per_page=12)) as server:
        cmd = crawl_cmd(server.registry(tmp / "sites.csv"), archive)
        for name in ("first", "rerun", "changed", "relaid"):
            if name == "changed":
                server.change(5)
            if name == "relaid":
                server.spec.layout_changed = True
            server.reset_hits()
            run_crawl(cmd)
            out[name] = {"hits": list(server.hits), "summary": run_summary(archive),
                         "records": response_records(archive)}  # fmt: skip
        yield server, archive, out


def _report_hits(hits, status=None):
    return [h for h in hits if h.path.startswith("/site/r/") and (status is None or h.status == status)]


def test_first_crawl_downloads_every_report_once(crawls):
    server, _, out = crawls
    first = out["first"]
    assert len(_report_hits(first["hits"], 200)) == N
    assert not any(h.conditional for h in _report_hits(first["hits"]))
    assert {u for u, n in first["records"].items() if "/site/r/" in u} == server.report_urls()
    assert first["summary"]["new_versions"] == {"new": N, "changed": 0}


def test_unchanged_rerun_downloads_no_report_page(crawls):
    _, _, out = crawls
    rerun = out["rerun"]
    listings = [h for h in rerun["hits"] if h.path.startswith("/site/index")]
    assert len(listings) == 3  # listings are always revisited: that is how new reports are found
    assert _report_hits(rerun["hits"], 200) == []  # not one report body crossed the network again
    assert len(_report_hits(rerun["hits"], 304)) == N
    assert all(h.conditional for h in _report_hits(rerun["hits"]))
    assert rerun["records"] == out["first"]["records"]  # unchanged listings are revisit records
    assert rerun["summary"]["new_versions"] == {"new": 0, "changed": 0}
    assert rerun["summary"]["revalidated"] == {"report/not_modified": N}


def test_changed_report_is_downloaded_and_kept_as_a_new_version(crawls):
    server, archive, out = crawls
    changed = out["changed"]
    assert [h.path for h in _report_hits(changed["hits"], 200)] == [server.report_path(5)]
    assert changed["summary"]["new_versions"] == {"new": 0, "changed": 1}
    url5 = server.base + server.report_path(5)
    assert changed["records"][url5] == 2  # the old version is kept next to the new one
    db = sqlite3.connect(archive / "catalog.sqlite")
    shas = {r[0] for r in db.execute("SELECT sha256 FROM pages WHERE url = ?", (url5,))}
    assert len(shas) == 2
    others = [u for u in server.report_urls() if u != url5]
    assert all(changed["records"][u] == 1 for u in others)


# -- the middleware on its own -----------------------------------------------------------------
@pytest.fixture
def archived(tmp_path):
    """An archive holding one report page with an ETag, and a middleware reading it."""
    archive = Archive(tmp_path / "archive")
    url = "http://127.0.0.1:9/site/r/0001.html"
    page = Page(url=url, body=report_html(1), headers={"Content-Type": "text/html; charset=utf-8",
                "ETag": '"r1-v0"', "Last-Modified": "Mon, 15 Jan 2024 08:00:00 GMT"},
                site_id="gen_site", kind="report")  # fmt: skip
    archive.add(page)
    archive.close()

    def middleware(**settings):
        crawler = get_crawler(settings_dict={"OGI_ARCHIVE_DIR": str(tmp_path / "archive"), **settings})
        return IncrementalMiddleware.from_crawler(crawler), crawler

    return url, page, middleware


def _request(url, kind="report"):
    return Request(url, meta={"kind": kind, "site": "gen_site"})


def test_known_report_is_asked_conditionally(archived):
    url, _, middleware = archived
    mw, _ = middleware()
    request = _request(url)
    assert mw.process_request(request) is None
    assert request.headers[b"If-None-Match"] == b'"r1-v0"'
    assert request.headers[b"If-Modified-Since"] == b"Mon, 15 Jan 2024 08:00:00 GMT"


def test_listing_and_unknown_pages_are_asked_plainly(archived):
    url, _, middleware = archived
    mw, _ = middleware()
    for request in (_request(url, kind="listing"), _request(url.replace("0001", "0002"))):
        assert mw.process_request(request) is None
        assert b"If-None-Match" not in request.headers


def test_304_is_answered_with_the_archived_bytes(archived):
    url, page, middleware = archived
    mw, crawler = middleware()
    request = _request(url)
    mw.process_request(request)
    response = mw.process_response(request, Response(url, status=304, request=request))
    assert isinstance(response, HtmlResponse)
    assert response.status == 200
    assert response.body == page.body
    assert "not_modified" in response.flags
    assert request.meta["ogi_unchanged"]
    assert "第0001单位" in response.text
    assert run_log(crawler).states[("gen_site", "report", "not_modified")] == 1


def test_304_without_a_readable_archived_copy_asks_again_unconditionally(archived, tmp_path):
    url, _, middleware = archived
    mw, _ = middleware()
    request = _request(url)
    mw.process_request(request)
    for warc in (tmp_path / "archive" / "warc").glob("*.warc.gz"):
        warc.write_bytes(b"")  # the archived copy is gone
    again = mw.process_response(request, Response(url, status=304, request=request))
    assert isinstance(again, Request)
    assert again.dont_filter
    assert b"If-None-Match" not in again.headers
    assert mw.process_request(again) is None
    assert b"If-None-Match" not in again.headers


@pytest.mark.parametrize(("body", "state"), [(report_html(1), "unchanged"), (report_html(1, 2), "changed")])
def test_200_is_compared_by_hash(archived, body, state):
    url, _, middleware = archived
    mw, crawler = middleware()
    request = _request(url)
    mw.process_request(request)
    response = HtmlResponse(url, status=200, body=body, request=request)
    assert mw.process_response(request, response) is response
    assert run_log(crawler).states[("gen_site", "report", state)] == 1


def test_recheck_days_answer_recent_pages_without_the_network(archived):
    url, page, middleware = archived
    mw, _ = middleware(OGI_RECHECK_DAYS=7)
    served = mw.process_request(_request(url))
    assert isinstance(served, HtmlResponse)
    assert served.body == page.body
    assert "recently_checked" in served.flags


def test_recheck_window_is_a_window(archived, tmp_path):
    url, _, middleware = archived
    db = sqlite3.connect(tmp_path / "archive" / "catalog.sqlite")
    old = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    db.execute("UPDATE pages SET last_seen = ?", (old,))
    db.commit()
    mw, _ = middleware(OGI_RECHECK_DAYS=7)
    request = _request(url)
    assert mw.process_request(request) is None
    assert request.headers[b"If-None-Match"] == b'"r1-v0"'


def test_full_crawl_setting_turns_it_off():
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        IncrementalMiddleware.from_crawler(get_crawler(settings_dict={"OGI_INCREMENTAL": False}))


def test_a_site_whose_layout_changed_is_noticed(crawls):
    _, _, out = crawls
    assert out["first"]["summary"]["alerts"] == []
    relaid = out["relaid"]["summary"]
    assert [a["kind"] for a in relaid["alerts"]] == ["layout_changed"]
    assert not relaid["ok"]
    (site,) = relaid["sites"]
    assert site["listings"] == 3  # the listings were read ...
    assert site["reports"] == 0  # ... but held no report link any more
    assert site["known_before"] == N
