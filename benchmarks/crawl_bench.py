"""Crawl throughput: our full crawl of a local portal against `scrapy bench`, in the same run.

`scrapy bench` measures what Scrapy itself can do on this machine (a local server of tiny link
pages, no pipelines); it runs before our crawl, after it and after the polite crawl (median of the
three), so the ratio compares like with like under the same load. Our crawl is the real thing: the `reports`
spider with its archive, extraction and collect pipelines, over ≥ 2,000 generated report pages
served by benchmarks.site. It runs once with politeness off (the crawler's OGI_FAST_SETTINGS) and
once, bounded in time, with the default polite settings, to show what politeness costs; and once,
bounded, without extraction (OGI_EXTRACT=False), to separate the crawler's own cost from the
extractor's.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Self

from benchmarks.measure import ChildRun, NotAvailable, median, run_child

ROOT = Path(__file__).resolve().parents[1]
STATS = re.compile(r"Dumping Scrapy stats:\s*(\{.*?\})\s*$", re.DOTALL | re.MULTILINE)
STAT_FIELDS = ("response_received_count", "elapsed_time_seconds", "item_scraped_count", "finish_reason")


def parse_stats(log: str) -> dict[str, Any]:
    """The few figures we need from the stats dict Scrapy dumps at close (INFO log)."""
    m = STATS.search(log)
    if not m:
        return {}
    out: dict[str, Any] = {}
    for key in STAT_FIELDS:
        found = re.search(rf"'{re.escape(key)}':\s*([^,\n}}]+)", m.group(1))
        if found:
            try:
                out[key] = ast.literal_eval(found.group(1).strip())
            except (ValueError, SyntaxError):
                out[key] = found.group(1).strip()
    return out


def _rate(stats: dict[str, Any]) -> float | None:
    pages, secs = stats.get("response_received_count"), stats.get("elapsed_time_seconds")
    return round(pages / secs, 2) if pages and secs else None


def scrapy_bench(seconds: float) -> dict[str, Any]:
    """One `scrapy bench` run (outside the project, so no project settings apply)."""
    with tempfile.TemporaryDirectory() as cwd:
        run = run_child(
            [
                sys.executable,
                "-m",
                "scrapy",
                "bench",
                "-s",
                f"CLOSESPIDER_TIMEOUT={seconds}",
                "-s",
                "LOG_LEVEL=INFO",
            ],
            timeout=seconds + 60,
            cwd=Path(cwd),
        )
    stats = parse_stats(run.stderr_tail + run.stdout_tail)
    if not _rate(stats):
        raise NotAvailable(f"scrapy bench gave no stats (exit {run.returncode}): {_last_line(run)}")
    return {"pages_per_s": _rate(stats), "pages": stats["response_received_count"],
            "elapsed_s": round(stats["elapsed_time_seconds"], 2), "peak_rss_mb": run.peak_tree_rss_mb,
            "cpu_ms_per_page": round(1000 * run.cpu_s / max(1, stats["response_received_count"]), 1)}  # fmt: skip


def _last_line(run: ChildRun) -> str:
    lines = [ln for ln in (run.stderr_tail or run.stdout_tail).splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "no output"


class Site:
    """benchmarks.site in a child process, for the duration of a `with` block."""

    def __init__(self, corpus_root: Path, pages: int, max_seconds: float) -> None:
        cmd = [sys.executable, "-m", "benchmarks.site", str(corpus_root), "--pages", str(pages),
               "--max-seconds", str(max_seconds)]  # fmt: skip
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().strip() if self.proc.stdout else b""
        if not line.isdigit():
            err = self.proc.stderr.read().decode("utf-8", "replace")[-300:] if self.proc.stderr else ""
            self.proc.kill()
            raise NotAvailable(f"benchmark site did not start: {err or 'no port'}")
        self.base = f"http://127.0.0.1:{int(line)}"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def fast_settings() -> dict[str, Any]:
    """The crawler's own no-politeness overrides for local servers (logging kept at INFO for stats)."""
    try:
        from crawler import settings
    except ImportError as exc:
        raise NotAvailable(f"crawler.settings cannot be imported: {exc}") from exc
    fast = dict(getattr(settings, "OGI_FAST_SETTINGS", None) or {})
    if not fast:
        fast = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}
    return fast | {"LOG_LEVEL": "INFO"}


def crawl(base: str, settings: dict[str, Any], *, timeout: float) -> dict[str, Any]:
    """One `scrapy crawl reports` of the local portal into a throw-away archive and output."""
    with tempfile.TemporaryDirectory(prefix="ogi-bench-crawl-") as tmp:
        overrides = {"OGI_ARCHIVE_DIR": f"{tmp}/archive", "OGI_OUTPUT_DIR": f"{tmp}/output", **settings}
        cmd = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "reports",
            "-a",
            f"url={base}/zwgk/zfxxgknb/index.html",
        ]
        for key, value in overrides.items():
            cmd += ["-s", f"{key}={value}"]
        run = run_child(cmd, timeout=timeout, cwd=ROOT, env=_worktree_env())
        reports = _count_rows(Path(tmp) / "output" / "reports.csv")
    stats = parse_stats(run.stderr_tail + run.stdout_tail)
    if not _rate(stats):
        raise NotAvailable(f"crawl failed (exit {run.returncode}): {_last_line(run)}")
    return {
        "pages_per_s": _rate(stats),
        "pages": stats["response_received_count"],
        "items": stats.get("item_scraped_count", 0),
        "reports_in_output": reports,
        "elapsed_s": round(stats["elapsed_time_seconds"], 2),
        "wall_s": round(run.wall_s, 2),
        "pages_per_s_wall": round(stats["response_received_count"] / run.wall_s, 2),
        "finish_reason": stats.get("finish_reason"),
        "peak_rss_mb": run.peak_tree_rss_mb,
        "cpu_s": run.cpu_s,
        "cpu_ms_per_page": round(1000 * run.cpu_s / max(1, stats["response_received_count"]), 1),
        "timed_out": run.timed_out,
    }


def _worktree_env() -> dict[str, str]:
    """The environment of a crawl: this checkout's code first, in the crawler and its extraction workers.

    cwd=ROOT already puts it first for `python -m scrapy`; an inherited PYTHONPATH naming another
    checkout would still win for spawned workers, so ROOT leads it explicitly.
    """
    rest = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), rest) if p)}


def _count_rows(path: Path) -> int | None:
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as fh:
        return max(0, sum(1 for _ in fh) - 1)


def bench_crawl(corpus_root: Path, pages: int, *, bench_seconds: float, polite_seconds: float,
                cap: float) -> dict[str, Any]:  # fmt: skip
    """Fast crawl vs `scrapy bench` (three runs around it), then a time-bounded polite crawl.

    The fast crawl stops after `cap` seconds if it has not finished (then `crawl_complete` is false
    and the rate is that of the pages it did fetch, still a valid rate).
    """
    before = scrapy_bench(bench_seconds)
    with Site(corpus_root, pages, max_seconds=cap * 2 + polite_seconds + 300) as site:
        fast = crawl(site.base, fast_settings() | {"CLOSESPIDER_TIMEOUT": cap}, timeout=cap + 180)
        after = scrapy_bench(bench_seconds)
        plumbing = _optional(
            site.base, fast_settings() | {"OGI_EXTRACT": False, "CLOSESPIDER_TIMEOUT": polite_seconds}
        )
        polite = _optional(site.base, {"LOG_LEVEL": "INFO", "CLOSESPIDER_TIMEOUT": polite_seconds})
    last = scrapy_bench(bench_seconds)
    bench_rate = median([before["pages_per_s"], after["pages_per_s"], last["pages_per_s"]])
    bench_cpu = median([before["cpu_ms_per_page"], after["cpu_ms_per_page"], last["cpu_ms_per_page"]])
    out: dict[str, Any] = {
        "site_report_pages": pages,
        "scrapy_bench_pages_per_s": round(bench_rate, 2),
        "scrapy_bench_runs": [before, after, last],
        "crawl_fast": fast,
        "crawl_pages_per_s": fast["pages_per_s"],
        "crawl_vs_scrapy_bench": round(fast["pages_per_s"] / bench_rate, 4),
        # CPU per page of the whole crawl tree (extraction workers included) against scrapy bench's:
        # what survives a loaded machine, where pages/s of either side moves with the neighbours
        "scrapy_bench_cpu_ms_per_page": bench_cpu,
        "crawl_cpu_ms_per_page": fast["cpu_ms_per_page"],
        "crawl_cpu_vs_scrapy_bench": round(bench_cpu / fast["cpu_ms_per_page"], 4) if fast["cpu_ms_per_page"] else None,
        "extract_workers": int(fast_settings().get("OGI_EXTRACT_WORKERS", 1)),
        "crawl_complete": bool(fast["reports_in_output"] and fast["reports_in_output"] >= pages),
    }
    out["crawl_no_extract"] = plumbing  # spider + archive + output only: the crawler's own cost
    if isinstance(plumbing, dict):
        out["crawl_no_extract_vs_scrapy_bench"] = round(plumbing["pages_per_s"] / bench_rate, 4)
        if plumbing["cpu_ms_per_page"]:
            out["crawl_no_extract_cpu_vs_scrapy_bench"] = round(bench_cpu / plumbing["cpu_ms_per_page"], 4)
    if isinstance(polite, dict):
        out |= {"crawl_polite": polite, "crawl_polite_pages_per_s": polite["pages_per_s"],
                "polite_vs_fast": round(polite["pages_per_s"] / fast["pages_per_s"], 4)}  # fmt: skip
    else:
        out["crawl_polite"] = polite
    return out


def _optional(base: str, settings: dict[str, Any]) -> dict[str, Any] | str:
    """A secondary, time-bounded crawl (CLOSESPIDER_TIMEOUT in `settings`): its n/a does not sink the stage."""
    try:
        return crawl(base, settings, timeout=float(settings["CLOSESPIDER_TIMEOUT"]) + 120)
    except NotAvailable as exc:
        return f"n/a: {exc}"
