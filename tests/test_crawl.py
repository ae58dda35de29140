"""End-to-end crawls of the offline demo sites: what was found, archived, extracted, and never fetched.

The demo server runs in this process (a thread); crawls run as subprocesses (`ogi crawl`,
`scrapy crawl`) because Twisted's reactor cannot be restarted inside one pytest process.
`expected.json` (written by tests/demo_site/build.py with the pages) lists every report on the
demo sites with the figures printed on it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.archive import Catalog, read_pages
from tests.demo_site.server import WWW, expected, registry_path, serve

ROOT = Path(__file__).resolve().parents[1]
OGI = [sys.executable, "-m", "ogi"]
SCRAPY = [sys.executable, "-m", "scrapy.cmdline"]


def _run(cmd: list[str], timeout: int = 90) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, check=False, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One `make demo` run (python -m ogi.demo: `ogi crawl --all` over the demo registry) against a server
    in this process; yields (server, out dir, archive dir, result)."""
    tmp = tmp_path_factory.mktemp("crawl")
    with serve() as server:
        result = _run([sys.executable, "-m", "ogi.demo", "--base", server.base,
                       "--out", str(tmp / "output"), "--archive", str(tmp / "archive")])  # fmt: skip
        yield server, tmp / "output", tmp / "archive", result


def _urls(server, kind: str | None = None) -> set[str]:
    """Expected URLs of one kind, or of every document the dataset holds (reports, notices, attachments)."""
    if kind is None:
        return {e["url"].replace("{base}", server.base) for e in expected() if e.get("kind") != "subcolumn"}
    return {e["url"].replace("{base}", server.base) for e in expected() if e.get("kind") == kind}


def _archived(archive: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    for page in read_pages([archive]):
        out.setdefault(page.kind, []).append(page)
    return out


def test_exactly_the_reports_are_found_and_archived(demo):
    server, _, archive, _ = demo
    pages = _archived(archive)
    reports = {p.url for p in pages["report"] if p.status == 200}
    assert reports == _urls(server) - _urls(server, "attachment")
    attachments = {p.url: p for p in pages["attachment"]}
    assert set(attachments) == _urls(server, "attachment")  # by extension, or a download script's link text
    (doc,) = [p for p in attachments.values() if "download.jsp" in p.url]
    assert doc.body.startswith(b"\xd0\xcf\x11\xe0")
    assert "fbtime=2019" in doc.referrer  # xxgk module pages get their attachments fetched too
    # a link named like a report that leads to a per-year column is read as a listing, not a report
    assert _urls(server, "subcolumn") <= {p.url for p in pages["listing"]}
    (pdf,) = [p for p in pages["attachment"] if p.url.endswith(".pdf")]
    assert pdf.body.startswith(b"%PDF")
    assert pdf.referrer.endswith("/201601/t20160118_2015.html")


def test_archived_bytes_are_the_served_bytes(demo):
    server, _, archive, _ = demo
    files = {hashlib.sha256(p.read_bytes()).hexdigest() for p in WWW.rglob("*") if p.is_file()}
    pages = _archived(archive)
    for page in pages["report"] + pages["attachment"]:
        if page.status == 200 and "xxgkAnnualReport" not in page.url:
            assert page.sha256 in files, page.url  # GBK pages stay GBK, nothing re-encoded
    catalog = Catalog(archive / "catalog.sqlite")
    rows = catalog.rows(kind="report")
    assert {r["url"] for r in rows} >= _urls(server) - _urls(server, "attachment")
    assert all(r["warc_file"] and r["first_seen"] for r in rows)
    gbk = [p for p in pages["report"] if "/gbk/" in p.url]
    assert gbk
    assert all("年度报告".encode("gbk") in p.body for p in gbk)


def test_robots_offsite_redirect_404_and_referer_rules_held(demo):
    server, _, archive, _ = demo
    hits = list(server.hits)
    assert not [h for h in hits if h.path.startswith("/trs/private/")], "robots.txt Disallow was ignored"
    assert not [h for h in hits if not h.host.startswith("127.0.0.1")], "an offsite link was followed"
    assert all("ogi-reports" in h.user_agent and "+http" in h.user_agent for h in hits)
    truecms = [h for h in hits if "getMessage.do" in h.path]
    assert truecms
    assert all(h.status == 200 and "/xccqrmzf/xxgknb/" in h.referer for h in truecms)
    jpaas = [h.path for h in hits if "jpaas-publish-server" in h.path]
    assert [json.loads(parse_qs(urlsplit(p).query)["paramJson"][0])["pageNo"] for p in jpaas] == [1, 2]
    posts = [h.path for h in hits if h.method == "POST"]
    assert posts
    assert all("dataproxy.jsp" in p and "startrecord=7" in p for p in posts)
    paths = [h.path for h in hits]
    assert paths.count("/trs/gulou/zfxxgknb/201901/t20190120_old.html") == 1  # redirect seen once...
    assert "/trs/gulou/zfxxgknb/201901/t20190120_2018.html" in paths  # ...and followed
    served = [h.path for h in hits if h.status != 302]
    assert len(served) == len(set(served)), "a page was fetched twice"
    not_found = [p for p in _archived(archive)["report"] if p.status == 404]
    assert [urlsplit(p.url).path for p in not_found] == ["/trs/gulou/zfxxgknb/201501/t20150120_2014.html"]
    catalog = Catalog(archive / "catalog.sqlite")
    (moved,) = [r for r in catalog.rows(kind="report") if r["requested_url"] != r["url"]]
    assert moved["requested_url"].endswith("/t20190120_old.html")
    assert moved["final_url"].endswith("/t20190120_2018.html")


def test_cloud_waf_cookie_challenge_is_passed(demo):
    """A first visit gets 302-to-itself + Set-Cookie; the crawler comes back with the cookie."""
    server, *_ = demo
    first = [h for h in server.hits if h.path == "/xccqrmzf/xxgknb/"]
    assert [h.status for h in first] == [302, 200]
    challenged = [
        h.path for h in server.hits if h.path.startswith(("/xccqrmzf/", "/truecms/")) and h.status == 302
    ]
    assert len(challenged) == 2  # the listing's and the first article's; the cookie jar keeps both cookies
    assert challenged[1].startswith("/xccqrmzf/xxgknb/content/")
    articles = [
        h.path for h in server.hits if h.path.startswith("/xccqrmzf/xxgknb/content/") and h.status == 200
    ]
    assert len(articles) == len(set(articles)) == 3  # the report request that met the challenge got through


def test_site_statuses_and_summary(demo):
    _, _, archive, _ = demo
    summary = json.loads((archive / "crawl-summary.json").read_text(encoding="utf-8"))
    by_site = {s["site"]: s for s in summary["sites"]}
    assert by_site["demo_nt_haimen"]["status"] == "blocked"  # WAF 403: not "no reports"
    assert by_site["demo_bj_miyun"]["status"] == "empty"
    assert by_site["demo_hz_login"]["status"] == "login_wall"
    counts = {}
    for e in expected():
        if e.get("kind") not in {"attachment", "subcolumn"}:
            counts[e["site"]] = counts.get(e["site"], 0) + 1
    for site, n in counts.items():
        assert (by_site[site]["status"], by_site[site]["reports"]) == ("ok", n), site
    assert by_site["demo_fz_gulou"]["attachments"] == 1
    assert by_site["demo_fz_gulou"]["ignored"] == 1
    assert by_site["demo_fz_gulou"]["offsite"] == 1
    assert by_site["demo_fz_gulou"]["not_found"] == 1
    assert sum(s["siteid_mismatch"] for s in summary["sites"]) == 0  # SiteIDCode confirms each district


def _reports_csv(out: Path) -> list[dict]:
    path = out / "reports.csv"
    if not path.is_file():
        pytest.skip("writers.dataset did not write reports.csv (waiting for developer 'output')")
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_fetched_document_is_in_the_dataset_with_provenance(demo):
    server, out, archive, _ = demo
    rows = {r["source"]: r for r in _reports_csv(out)}
    assert set(rows) == _urls(server)
    for url, row in rows.items():
        assert row["fetched_at"], url
        assert row["archive_record"], url
    notice = rows[next(iter(_urls(server, "notice")))]
    assert notice["status"] == "not_report"
    (doc,) = [r for url, r in rows.items() if "download.jsp" in url]
    assert doc["status"] == "unreadable"  # a Word copy: kept and listed, not read
    catalog = Catalog(archive / "catalog.sqlite")
    assert {r["extraction_status"] for r in catalog.rows(kind="report", status=200)} <= {
        "ok", "partial", "no_table", "not_report", "needs_ocr", "empty", "unreadable"}  # fmt: skip


def _values(out: Path) -> dict[str, dict[str, float]]:
    with (out / "values.csv").open(encoding="utf-8") as fh:
        got: dict[str, dict[str, float]] = {}
        for r in csv.DictReader(fh):
            if r["code"] and r["value"] != "":
                got.setdefault(r["report_id"], {})[r["code"]] = float(r["value"])
    return got


@pytest.mark.parametrize("template", ["legacy", "gov2019", "gov2021"])
def test_extracted_figures_match_the_printed_ones(demo, template):
    server, out, _, _ = demo
    rows = {r["source"]: r for r in _reports_csv(out)}
    cases = [e for e in expected() if e.get("template") == template]
    read = [e for e in cases if rows[e["url"].replace("{base}", server.base)]["status"] == "ok"]
    if template != "legacy" and not read:
        pytest.skip(f"extractors read no {template} demo page yet (waiting for extractors.govform)")
    assert len(read) == len(cases), [e["url"] for e in cases if e not in read]
    values = _values(out)
    for e in cases:
        row = rows[e["url"].replace("{base}", server.base)]
        assert (row["year"], row["template"]) == (str(e["year"]), template), e["url"]
        got = values.get(row["report_id"], {})
        wrong = {c: (v, got.get(c)) for c, v in e["values"].items() if got.get(c) != pytest.approx(float(v))}
        assert not wrong, (e["url"], list(wrong.items())[:5])


def test_archive_replays_into_the_same_dataset(demo, tmp_path):
    """`ogi extract ARCHIVE` rebuilds the crawl's dataset: same documents (listings are not documents)."""
    _, out, archive, _ = demo
    original = _reports_csv(out)
    help_text = subprocess.run(
        [*OGI, "extract", "--help"], check=False, cwd=ROOT, capture_output=True, text=True
    )
    if help_text.returncode != 0:
        pytest.skip("`ogi extract` is not there yet (developer 'output')")
    replay = tmp_path / "replay"
    extract_cmd = [*OGI, "extract", str(archive), "--out", str(replay)]
    subprocess.run(extract_cmd, check=False, cwd=ROOT, capture_output=True, timeout=120)
    replayed = _reports_csv(replay)
    listings = {p.url for p in read_pages([archive], kinds=["listing"])}
    if listings & {r["source"] for r in replayed}:
        pytest.xfail("ogi extract replays listing pages too (WARC header OGI-Kind: listing), so its dataset "
                     "has more documents than the crawl's; waiting for developer 'output'")  # fmt: skip
    keep = ("report_id", "source", "year", "template", "status", "n_values", "sha256")
    assert sorted(tuple(r.get(k) for k in keep) for r in replayed) == sorted(
        tuple(r.get(k) for k in keep) for r in original)  # fmt: skip


def test_scrapy_crawl_one_site_and_scrapy_list_check(tmp_path):
    assert _run([*SCRAPY, "list"]).stdout.split() == ["reports"]
    _run([*SCRAPY, "check", "reports"])
    with serve() as server:
        result = _run([*SCRAPY, "crawl", "reports", "-a", "site=demo_yy_heshan", "-a", f"registry={registry_path()}",
                       "-a", f"base={server.base}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
                       "-s", "OGI_EXTRACT=0", "-s", "OGI_COLLECT=0", "-s", f"OGI_ARCHIVE_DIR={tmp_path}"])  # fmt: skip
        del result
        paths = server.paths()
    assert "/gbk/heshan/ndbg/list_2.html" in paths  # 下一页 followed
    assert sum("/gbk/heshan/ndbg/20" in p for p in paths) == 2
    assert not [p for p in paths if not p.startswith(("/gbk/", "/robots.txt"))]


def test_one_listing_url_with_platform_sniffed(tmp_path):
    with serve() as server:
        result = _run([*OGI, "crawl", "--url", f"{server.base}/hanweb/col/col58264/index.html", "--fast",
                       "--no-extract", "--archive", str(tmp_path / "a"), "--out", str(tmp_path / "o")])  # fmt: skip
    reports = sorted(p.url for p in read_pages([tmp_path / "a"], kinds=["report"]))
    want = sorted(e["url"].replace("{base}", server.base) for e in expected() if e["site"] == "demo_ja_anfu")
    assert reports == want
    assert "ok" in result.stdout


def test_unknown_site_is_a_usage_error():
    cmd = [*OGI, "crawl", "--site", "no_such_site"]
    result = subprocess.run(cmd, check=False, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert "no_such_site" in result.stderr


def test_make_demo_says_what_and_where(demo):
    """`make demo` prints the server, the per-site table, each document and the paths of the results."""
    server, out, archive, result = demo
    assert f"demo sites served at {server.base}" in result.stdout
    assert str(out.resolve()) in result.stdout
    assert str(archive.resolve()) in result.stdout
    assert f"{len(_urls(server))} documents extracted" in result.stdout
    for line in ("demo_nt_haimen", "blocked", "demo_bj_miyun", "empty", "login_wall"):
        assert line in result.stdout  # the per-site summary table
    assert (out / "reports.csv").as_posix() in result.stdout.replace("\\", "/")
