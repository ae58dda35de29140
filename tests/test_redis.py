"""Distributed crawl: two `ogi crawl --redis URL` workers share one frontier and fetch every page once.

The test starts its own redis-server (installed from Debian's packages by scripts/services.sh, i.e.
`make test`) on 127.0.0.1 and a free port, with persistence off, and stops it afterwards. Two
crawler processes, each with its own archive (as on two machines), crawl a generated site of
520 report pages; the union of their archives must hold every page exactly once, both must have
done part of the work, and the server must have served each report once.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter

import pytest

from tests.fault_server import ROOT, SiteSpec, crawl_cmd, response_records, run_summary, serve

N = 520
pytestmark = pytest.mark.redis


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed: run `make services` (scripts/services.sh) first")
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert proc.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", client
    proc.terminate()
    proc.wait(timeout=10)


def _open_when_both_workers_are_up(client, crawl_id, gate, procs) -> None:
    """Hold the site's first page until both workers have registered in Redis (a loaded machine may
    start one process seconds after the other, and the first could then crawl everything alone)."""
    deadline = time.monotonic() + 60
    while client.scard(f"ogi:{crawl_id}:workers") < 2 and time.monotonic() < deadline:
        assert all(p.poll() is None for p in procs), "a worker ended before the crawl began"
        time.sleep(0.05)
    gate.set()


def test_two_workers_share_one_frontier(tmp_path, redis_url):
    url, client = redis_url
    crawl_id = f"test-{uuid.uuid4().hex[:8]}"
    gate = threading.Event()
    with serve(SiteSpec(n_reports=N, per_page=40, report_delay=0.02, gate=gate)) as server:
        registry = server.registry(tmp_path / "sites.csv")
        archives = [tmp_path / f"worker{i}" / "archive" for i in (1, 2)]
        procs = [
            subprocess.Popen(
                crawl_cmd(
                    registry, archive, "--redis", url, "--crawl-id", crawl_id, "-s", "OGI_REDIS_START_WAIT=3"
                ),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for archive in archives
        ]
        _open_when_both_workers_are_up(client, crawl_id, gate, procs)
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-3000:]
        served = Counter(h.path for h in server.hits_for("/site/r/", 200))

    per_worker = [response_records(a) for a in archives]
    union = Counter()
    for records in per_worker:
        union.update({u: n for u, n in records.items() if "/site/r/" in u})
    assert set(union) == server.report_urls()
    assert set(union.values()) == {1}, [u for u, n in union.items() if n > 1][:5]
    assert all(sum(1 for u in records if "/site/r/" in u) > 0 for records in per_worker), [
        {k: run_summary(a)[k] for k in ("elapsed_seconds", "pages_fetched", "finished_at")} for a in archives
    ]
    assert len(served) == N
    assert set(served.values()) == {1}  # no page fetched twice by the two workers together
    # the listing pages too were fetched once in all (the shared duplicate filter and the claims)
    listings = Counter()
    for records in per_worker:
        listings.update({u: n for u, n in records.items() if "/site/index" in u})
    assert len(listings) == N // 40
    assert set(listings.values()) == {1}
    # the frontier is kept for a while (not flushed by the first worker to finish), then expires
    keys = [k.decode() for k in client.scan_iter(match=f"ogi:{crawl_id}:*")]
    assert f"ogi:{crawl_id}:dupefilter" in keys
    assert all(client.ttl(k) > 0 for k in keys)
    assert not [k for k in keys if ":busy:" in k]
    for archive in archives:
        summary = run_summary(archive)
        assert summary["crawl_id"] == crawl_id
        assert summary["finish_reason"] == "finished"


def test_ogi_crawl_options_become_settings():
    from ogi.cli import build_parser
    from ogi.commands.crawl import crawl_settings

    args = build_parser().parse_args(["crawl", "--all", "--jobdir", "/tmp/job", "--redis", "redis://h:1/0",
                                      "--crawl-id", "w1", "--full"])  # fmt: skip
    settings = crawl_settings(args)
    assert settings["JOBDIR"] == "/tmp/job"
    assert settings["SCHEDULER"] == "scrapy_redis.scheduler.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings["SCHEDULER_QUEUE_KEY"] == "ogi:w1:requests"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert not settings.getbool("OGI_INCREMENTAL")
    plain = crawl_settings(build_parser().parse_args(["crawl", "--all"]))
    assert plain.get("JOBDIR") is None
    assert plain["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert plain.getbool("OGI_INCREMENTAL")


def test_default_crawl_id_is_the_iso_week():
    from datetime import UTC, datetime

    from crawler.redis_support import default_crawl_id

    assert default_crawl_id(datetime(2026, 11, 26, tzinfo=UTC)) == "reports-2026-W48"
    assert default_crawl_id(datetime(2027, 1, 1, tzinfo=UTC)) == "reports-2026-W53"
