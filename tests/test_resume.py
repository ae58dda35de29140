"""Pause and resume: `ogi crawl --jobdir DIR` killed mid-way and restarted archives every report once.

The generated site answers report pages slowly (tests/fault_server.py, `report_delay`) and the crawl
runs two requests at a time, so it can be stopped in the middle: with SIGKILL (no clean-up at all:
Scrapy's queue state is lost, `crawler.incremental.JobdirGuard` sets the job directory aside and the
catalog carries the crawl) and with SIGTERM (Scrapy's graceful stop: the queue is saved and resumed).
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from crawler.incremental import CLEAN_MARKER
from tests.fault_server import ROOT, SiteSpec, crawl_cmd, response_records, run_crawl, serve

N = 36


def _archived_reports(archive: Path) -> int:
    path = archive / "catalog.sqlite"
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT COUNT(*) FROM pages WHERE kind = 'report' AND status = 200").fetchone()[
                0
            ]
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0


def _stop_midway(cmd: list[str], archive: Path, sig: int, at_least: int = 8) -> int:
    """Start the crawl, wait until some reports are archived, send `sig`; returns how many were archived."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 40
        while _archived_reports(archive) < at_least:
            assert proc.poll() is None, "the crawl ended before it could be stopped"
            assert time.monotonic() < deadline, "the crawl archived nothing in time"
            time.sleep(0.05)
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return _archived_reports(archive)


def _check_every_report_once(server, archive: Path) -> None:
    records = response_records(archive)
    reports = {u: n for u, n in records.items() if "/site/r/" in u}
    assert set(reports) == server.report_urls()
    assert set(reports.values()) == {1}, {u: n for u, n in reports.items() if n != 1}
    db = sqlite3.connect(archive / "catalog.sqlite")
    rows = db.execute("SELECT url, COUNT(*) FROM pages WHERE kind = 'report' GROUP BY url").fetchall()
    assert len(rows) == N
    assert {n for _, n in rows} == {1}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_crawl_stopped_midway_and_restarted_archives_every_report_once(tmp_path, sig):
    archive, jobdir = tmp_path / "archive", tmp_path / "job"
    with serve(SiteSpec(n_reports=N, per_page=16, report_delay=0.1)) as server:
        cmd = crawl_cmd(server.registry(tmp_path / "sites.csv"), archive, "--jobdir", str(jobdir),
                        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")  # fmt: skip
        before = _stop_midway(cmd, archive, sig)
        assert 0 < before < N  # really stopped in the middle
        time.sleep(0.5)  # let the server finish answering requests of the stopped crawl
        first_hits = len(server.hits_for("/site/r/", 200))
        killed = sig == signal.SIGKILL
        assert (jobdir / CLEAN_MARKER).exists() is not killed
        server.reset_hits()
        run_crawl(cmd)
        _check_every_report_once(server, archive)
        again = server.hits_for("/site/r/", 200)
        # reports archived before the stop are never downloaded again (a 304 at most) ...
        archived_urls = _urls_archived_first(archive, before)
        assert not {server.base + h.path for h in again} & archived_urls
        # ... and the restart downloads each of the others at most once (those fetched but not yet
        # archived at the kill included; records written but not yet catalogued are recovered)
        assert len(again) == len({h.path for h in again}) <= N - len(archived_urls)
        assert first_hits >= len(archived_urls)
        assert any(p.name.startswith("unclean-") for p in jobdir.iterdir()) is killed
        assert (jobdir / CLEAN_MARKER).exists()


def _urls_archived_first(archive: Path, n: int) -> set[str]:
    db = sqlite3.connect(archive / "catalog.sqlite")
    rows = db.execute(
        "SELECT url FROM pages WHERE kind = 'report' AND status = 200 ORDER BY rowid LIMIT ?", (n,)
    ).fetchall()
    return {u for (u,) in rows}


# -- recovery of records a killed crawl wrote but never catalogued ------------------------------
def test_recovery_indexes_complete_uncatalogued_records_and_ignores_a_truncated_tail(tmp_path):
    from crawler.archive import Archive, Page
    from crawler.incremental import CatalogReader, recover_archive
    from tests.fault_server import report_html

    archive = Archive(tmp_path / "a")
    pages = [Page(url=f"http://127.0.0.1:9/site/r/{n:04d}.html", body=report_html(n), kind="report",
                  site_id="gen_site", headers={"ETag": f'"r{n}"'}) for n in range(1, 5)]  # fmt: skip
    for page in pages:
        archive.add(page)
    archive.close()
    (warc,) = (tmp_path / "a" / "warc").glob("*.warc.gz")
    good = warc.read_bytes()
    warc.write_bytes(good + good[pages[1].warc_offset : pages[2].warc_offset - 40])  # killed mid-write
    db = sqlite3.connect(tmp_path / "a" / "catalog.sqlite")
    db.execute("DELETE FROM pages WHERE url IN (?, ?)", (pages[2].url, pages[3].url))  # killed before commit
    db.commit()
    db.close()

    assert recover_archive(tmp_path / "a", skip_live=False) == 2
    reader = CatalogReader(tmp_path / "a")
    for page in pages[2:]:
        known = reader.known(page.url)
        assert known["etag"] == page.headers["ETag"]
        assert known["warc_offset"] == page.warc_offset
        assert reader.read(known["warc_file"], known["warc_offset"])[0] == page.body
    reader.close()
    assert recover_archive(tmp_path / "a", skip_live=False) == 0  # done once, remembered


@pytest.mark.parametrize(("last", "kept", "aside"), [
    (None, False, True),          # killed: no marker → set aside
    ("shutdown", True, False),    # stopped cleanly (Ctrl-C, SIGTERM) → resumed
    ("finished", False, False),   # done → next run starts afresh
])  # fmt: skip
def test_jobdir_guard(tmp_path, last, kept, aside):
    from scrapy.utils.test import get_crawler

    from crawler.incremental import JobdirGuard

    job = tmp_path / "job"
    (job / "requests.queue").mkdir(parents=True)
    (job / "requests.seen").write_bytes(b"\x00\x01x")
    if last is not None:
        (job / CLEAN_MARKER).write_text(f"{last}\n", encoding="utf-8")
    JobdirGuard.from_crawler(get_crawler(settings_dict={"JOBDIR": str(job)}))
    assert (job / "requests.seen").exists() is kept
    assert (job / "requests.queue").exists() is kept
    assert any(p.name.startswith("unclean-") for p in job.iterdir()) is aside
    assert not (job / CLEAN_MARKER).exists()  # until this crawl closes
