"""Faults: a server misbehaving on purpose (tests/fault_server.py) and a crawl that shrugs it off.

One crawl of the faulty site, with short timeouts and a 1 MB size cap set for the test: what is
worth retrying is retried (500s, timeouts, resets, truncated bodies), robots.txt is obeyed, the crawl
never leaves its domain, the 10 MB drip is cut at the cap, a GBK listing labelled utf-8 is still
read, every failure is in the run summary with its kind, and no exception escapes. A second crawl,
where a page already archived now fails, loses nothing of what was archived.
"""

from __future__ import annotations

import time

import pytest

from crawler.incremental import CatalogReader
from crawler.monitors import failure_kind
from tests.fault_server import (
    DRIP_BYTES,
    SiteSpec,
    crawl_cmd,
    response_records,
    run_crawl,
    run_summary,
    serve,
)

SETTINGS = ("-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=2", "-s", "DOWNLOAD_MAXSIZE=1048576",
            "-s", "DOWNLOAD_WARNSIZE=0")  # fmt: skip


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    archive = tmp / "archive"
    spec = SiteSpec(slow_seconds=5.0, flaky_failures=2)
    with serve(spec) as server:
        t0 = time.monotonic()
        result = run_crawl(crawl_cmd(server.registry(tmp / "sites.csv", faults=True), archive, *SETTINGS))
        elapsed = time.monotonic() - t0
        first = {
            "hits": list(server.hits),
            "records": response_records(archive),
            "summary": run_summary(archive),
        }
        # the page archived above breaks; a crawl of it must not lose the archived copy
        spec.ok_status = 500
        server.reset_hits()
        again = run_crawl(crawl_cmd(server.registry(tmp / "again.csv", listing="/faults/index.html?only=ok"),
                                    archive, *SETTINGS))  # fmt: skip
        second = {
            "hits": list(server.hits),
            "records": response_records(archive),
            "summary": run_summary(archive),
            "records_ok": response_records(archive, status=200),
        }
        yield server, archive, first, second, result, again, elapsed


def _hits(run, name):
    return [h for h in run["hits"] if h.path.split("?")[0] == f"/faults/{name}"]


def _archived(server, run, name, status=None):
    records = run["records_ok"] if status == 200 else run["records"]
    return records.get(f"{server.base}/faults/{name}", 0)


def _failed(run, name):
    return {f["kind"] for f in run["summary"]["errors"]["failures"] if f["url"].endswith(f"/faults/{name}")}


def test_no_exception_escapes(faulty):
    *_, result, again, _ = faulty
    for run in (result, again):
        assert "Traceback" not in run.stderr, run.stderr[-3000:]


def test_500s_then_success_is_retried_and_archived(faulty):
    server, _, first, *_ = faulty
    assert [h.status for h in _hits(first, "flaky.html")] == [500, 500, 200]
    assert _archived(server, first, "flaky.html") == 1
    assert _failed(first, "flaky.html") == set()


@pytest.mark.parametrize(("name", "kind"), [("timeout.html", "timeout"), ("reset.html", "connection"),
                                            ("truncated.html", "truncated")])  # fmt: skip
def test_transient_failures_are_retried_then_reported(faulty, name, kind):
    server, _, first, *_ = faulty
    assert len(_hits(first, name)) >= 3  # first try + RETRY_TIMES=2 (Twisted may add its own retry)
    assert _archived(server, first, name) == 0  # nothing half-downloaded is archived
    assert _failed(first, name) == {kind}
    assert first["summary"]["errors"]["by_kind"][kind] >= 1


def test_size_cap_cuts_the_drip(faulty):
    server, _, first, *_, elapsed = faulty
    assert _failed(first, "drip.html") == {"too_large"}
    assert _archived(server, first, "drip.html") == 0
    assert len(_hits(first, "drip.html")) == 1  # not worth retrying
    assert elapsed < 60  # the whole 10 MB at this pace would take far longer than the cap allows
    assert DRIP_BYTES > 1048576


def test_robots_and_offsite_hold(faulty):
    _, _, first, *_ = faulty
    assert not [h for h in first["hits"] if h.path.startswith("/private/")]
    assert not [h for h in first["hits"] if h.host.startswith("localhost")]
    assert [h.status for h in _hits(first, "away.html")] == [302]
    assert first["summary"]["robots_forbidden"] >= 1
    kinds = first["summary"]["errors"]["by_kind"]
    assert kinds.get("robots", 0) >= 1
    assert kinds.get("offsite", 0) + first["summary"]["offsite_filtered"] >= 1


def test_wrong_charset_header_does_not_hide_links_or_change_bytes(faulty):
    server, archive, first, *_ = faulty
    assert _archived(server, first, "gbk-report.html") == 1  # found through the GBK listing labelled utf-8
    assert _archived(server, first, "gbk-labelled-utf8.html") == 1
    reader = CatalogReader(archive)
    known = reader.known(f"{server.base}/faults/gbk-labelled-utf8.html")
    body, _ = reader.read(known["warc_file"], known["warc_offset"])
    reader.close()
    assert body.decode("gbk").startswith("<html>")  # archived as served, not re-encoded


def test_every_failure_is_reported(faulty):
    _, _, first, *_ = faulty
    failed = {f["url"].rsplit("/", 1)[-1] for f in first["summary"]["errors"]["failures"]}
    assert {"timeout.html", "reset.html", "truncated.html", "drip.html", "report.html"} <= failed
    assert first["summary"]["errors"]["total"] >= 5
    (site,) = first["summary"]["sites"]
    assert site["status"] == "ok"
    assert site["reports"] == 4  # ok, flaky, gbk-labelled-utf8, gbk-report: nothing offsite or private
    assert first["summary"]["ok"]


def test_a_page_that_breaks_later_loses_nothing_archived(faulty):
    server, archive, first, second, *_ = faulty
    assert [h.status for h in _hits(second, "ok.html")] == [500, 500, 500]
    assert _archived(server, second, "ok.html", 200) == 1  # the good copy is still there
    reader = CatalogReader(archive)
    known = reader.known(f"{server.base}/faults/ok.html")
    assert reader.read(known["warc_file"], known["warc_offset"])[0].startswith(b"<html>")
    reader.close()
    assert _failed(second, "ok.html") == {"http_5xx"}
    for url, n in first["records"].items():
        assert second["records"][url] >= n


@pytest.mark.parametrize(("exc", "kind"), [
    ("twisted.internet.error.TimeoutError", "timeout"),
    ("twisted.internet.error.ConnectionRefusedError", "connection"),
    ("twisted.internet.error.DNSLookupError", "dns"),
])  # fmt: skip
def test_failure_kinds(exc, kind):
    from scrapy.utils.misc import load_object

    assert failure_kind(load_object(exc)()) == kind


# -- the pieces on their own -------------------------------------------------------------------
def test_charset_fix_prefers_the_meta_tag_when_the_header_lies():
    from crawler.robust import better_encoding

    gbk = '<html><head><meta charset="gbk"></head><body>政府信息公开工作年度报告</body></html>'.encode("gbk")
    assert better_encoding("text/html; charset=utf-8", gbk) == "gb18030"
    assert better_encoding("text/html; charset=ISO-8859-1", gbk) == "gb18030"  # decodes, but wrongly
    utf8 = gbk.decode("gbk").replace("gbk", "utf-8").encode()
    assert better_encoding("text/html; charset=utf-8", utf8) is None  # a true header is kept
    assert better_encoding("text/html", gbk) is None  # no header charset: Scrapy's own sniffing decides
    assert better_encoding("text/html; charset=utf-8", b"<html>ascii only</html>") is None


def test_site_alerts():
    from crawler.monitors import site_alerts

    base = {"site": "s", "status": "empty", "listings": 3, "reports": 0}
    assert site_alerts({**base, "known_before": 12})[0]["kind"] == "layout_changed"
    assert site_alerts({**base, "known_before": 0})[0]["kind"] == "returned_nothing"
    blocked = site_alerts({**base, "status": "blocked", "known_before": 12})
    assert blocked[0]["kind"] == "returned_nothing"
    assert "blocked" in blocked[0]["message"]
    ok = {**base, "status": "ok", "known_before": 30}
    assert site_alerts({**ok, "reports": 4, "previous_run": 12})[0]["kind"] == "fewer_reports"
    assert site_alerts({**ok, "reports": 4, "previous_run": None}) == []  # URLs that moved are no alarm
    assert site_alerts({**ok, "reports": 12, "previous_run": 12}) == []


def test_summary_counts_and_distributed_sites():
    from collections import Counter

    from crawler.monitors import RunLog, summarize

    run = RunLog()
    run.count("a", "report", "not_modified")
    run.failure_kinds["timeout"] += 2
    stats = {"downloader/response_count": 7, "downloader/response_status_count/200": 6,
             "downloader/response_status_count/304": 1, "ogi/extract/failed": 1}  # fmt: skip
    sites = [{"site": "a", "status": "ok", "listings": 1, "reports": 1}, {"site": "b", "status": "pending"}]
    summary = summarize(stats=stats, sites=sites, run=run, versions={"a": Counter(new=1)}, known_before={})
    assert summary["pages_fetched"] == 7
    assert summary["responses_by_status"] == {"200": 6, "304": 1}
    assert summary["errors"]["by_kind"] == {"extraction": 1, "timeout": 2}
    assert summary["new_versions"] == {"new": 1, "changed": 0}
    assert [a["site"] for a in summary["alerts"]] == ["b"]
    shared = summarize(stats=stats, sites=sites, run=run, versions={}, known_before={}, distributed=True)
    assert shared["alerts"] == []  # site b was handled by another worker of the shared crawl
