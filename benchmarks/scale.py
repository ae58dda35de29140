"""How `ogi extract` cost grows with the number of pages, with 1 and 2 worker processes.

Cost must grow linearly and peak memory stay flat (the CLI streams; it never holds the corpus), so
that a million pages is only a matter of time. Each size is run with 1 then 2 workers back to
back. The plan adapts to the extractor's speed: the first size is projected from the in-process
extraction rate, the others from the pace just measured; the smallest size runs first (the
reference for growth), then the largest that fit the budget (20k is the headline), and a size that
does not fit is reported as skipped with its projection rather than silently cut short. With the
extractor at ~17 ms/page in the CLI (2026-11-26), 1k and 20k x (1, 2 workers) fill the full run's
700 s budget and 5k is skipped; a faster extractor fits all three.
Pages past the first 2,000 are derived from them in ~1 ms each (benchmarks.corpus.derive_page).
`ogi extract` prints the CPU of its main process and of its workers: with 2 workers on 2 shared
cores the wall-clock ratio moves with the neighbours' load, the CPU split does not.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.corpus import CHUNK, chunk_dirs, write_corpus
from benchmarks.measure import ChildRun, NotAvailable, median, run_child

ROOT = Path(__file__).resolve().parents[1]
STARTUP_S = 5.0  # CLI start-up and output writing, for the projection only
#: Before anything ran: the CLI (reading, writing the dataset) vs in-process extraction, and
#: 2 workers vs 1; replaced by the measured rates as soon as the first size has run.
CLI_SLOWDOWN = 1.3
FIRST_SPEEDUP_2W = 1.6
#: `ogi extract`'s summary line with the CPU of its own process and of its workers.
CPU_LINE = re.compile(r"CPU ([\d.]+) s in this process(?:, ([\d.]+) s in workers)?")


@dataclass(slots=True)
class Pace:
    """Seconds per page of `ogi extract` with 1 and with 2 workers, for projecting what a size costs."""

    one: float | None  # None: unknown (no hint), every size is tried
    two: float | None

    @classmethod
    def from_hint(cls, rate_hint: float | None) -> Pace:
        if not rate_hint:
            return cls(None, None)
        one = CLI_SLOWDOWN / rate_hint
        return cls(one, one / FIRST_SPEEDUP_2W)

    def projected(self, n: int) -> float:
        if self.one is None or self.two is None:
            return 0.0
        return 2 * STARTUP_S + n * (self.one + self.two)


def check_cli() -> None:
    """Raise NotAvailable unless `ogi extract` exists and takes --out and --workers."""
    help_text = subprocess.run(
        [sys.executable, "-m", "ogi", "extract", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if help_text.returncode != 0:
        raise NotAvailable("`ogi extract` is not there yet")
    missing = [opt for opt in ("--out", "--workers") if opt not in help_text.stdout]
    if missing:
        raise NotAvailable(f"`ogi extract` has no {', '.join(missing)} option yet")


def extract_run(paths: list[Path], workers: int, timeout: float) -> ChildRun:
    with tempfile.TemporaryDirectory(prefix="ogi-bench-out-") as out:
        cmd = [
            sys.executable,
            "-m",
            "ogi",
            "extract",
            *map(str, paths),
            "--out",
            out,
            "--workers",
            str(workers),
        ]
        run = run_child(cmd, timeout=timeout, cwd=ROOT)
    if run.timed_out or run.returncode not in (0, 1):
        tail = (run.stderr_tail or run.stdout_tail).strip().splitlines()
        reason = "timed out" if run.timed_out else f"exit {run.returncode}"
        raise NotAvailable(f"`ogi extract` {reason}: {tail[-1][:300] if tail else 'no output'}")
    return run


def paths_for(root: Path, n: int) -> list[Path]:
    """The corpus sub-directories (or, below one chunk, the files) making up the first n pages."""
    if n >= CHUNK:
        return chunk_dirs(root, n)
    return sorted((root / "c000").glob("p*.html"))[:n]


def bench_scale(root: Path, sizes: list[int], *, rate_hint: float | None, budget_s: float,
                repeats_small: int = 3, seed: int = 0) -> dict[str, Any]:  # fmt: skip
    """Wall time, CPU and peak RSS of `ogi extract` per size and worker count, within `budget_s`.

    `rate_hint` (pages/s, from the in-process extraction stage) projects the first size's cost;
    after each size the measured pace projects the rest. The smallest size always runs if it fits
    (the reference for growth); of the others the largest that fit are kept (20k is the headline),
    the rest are reported as skipped with their projection. Small sizes are repeated (median) only
    with budget to spare once the larger ones are provided for.
    """
    check_cli()
    write_corpus(root, 1, seed)
    # Fixed cost (imports, codebook, dataset writer) of one run: 1 page, 1 worker.
    startup = extract_run(paths_for(root, 1), 1, timeout=300).wall_s
    results: dict[str, Any] = {
        "sizes": sizes,
        "budget_s": budget_s,
        "startup_s": round(startup, 2),
        "runs": {},
    }
    spent, pace = startup, Pace.from_hint(rate_hint)
    fallback = _fallback_sizes(sizes[0], 1 / pace.one if pace.one else None, budget_s)
    if fallback:
        # Not even the smallest size fits: smaller ones that do, so 1 vs 2 workers and the growth
        # of cost and memory are still measured (and labelled as such), then the listed sizes' n/a.
        results["fallback_sizes"] = fallback
        sizes = [*fallback, *sizes]
    todo = list(sizes)
    while todo:
        chosen = _fit(todo, pace, budget_s - spent)
        for n in todo:
            if n not in chosen:
                results["runs"][str(n)] = f"n/a: projected {pace.projected(n):.0f} s exceeds the budget"
        if not chosen:
            break
        n, todo = chosen[0], chosen[1:]
        write_corpus(root, n, seed)  # drawn, derived or reused before the clock starts
        left = budget_s - spent - sum(pace.projected(m) for m in todo)
        repeats = max(1, min(repeats_small, int(left // max(pace.projected(n), 1.0)))) if n <= CHUNK else 1
        if pace.one is None:
            repeats = 1  # cost unknown: measure once, then plan
        try:
            timeout = max(120.0, 2 * pace.projected(n)) if pace.one is not None else budget_s
            row = _size(root, n, repeats, startup, timeout=timeout)
        except NotAvailable as exc:
            results["runs"][str(n)] = f"n/a: {exc}"
            break
        spent += row.pop("spent_s")
        results["runs"][str(n)] = row
        pace = Pace(row["1w"]["marginal_ms_per_page"] / 1000, row["2w"]["marginal_ms_per_page"] / 1000)
    results["spent_s"] = round(spent, 1)
    return results | headline(results["runs"], sizes)


def _fit(todo: list[int], pace: Pace, left: float) -> list[int]:
    """The sizes to run, ascending: the smallest if it fits, then the largest ones that still fit."""
    chosen: list[int] = []
    first, *rest = sorted(todo)
    for n in [first, *reversed(rest)]:
        if sum(pace.projected(m) for m in chosen) + pace.projected(n) <= left:
            chosen.append(n)
    return sorted(chosen)


def _size(root: Path, n: int, repeats: int, startup: float, timeout: float) -> dict[str, Any]:
    """1 then 2 workers over the first n pages, `repeats` times each."""
    row: dict[str, Any] = {"spent_s": 0.0, "repeats": repeats}
    for workers in (1, 2):
        runs = [extract_run(paths_for(root, n), workers, timeout=timeout) for _ in range(repeats)]
        row["spent_s"] += sum(r.wall_s for r in runs)
        row[f"{workers}w"] = _summary(n, runs, startup)
    row["speedup_2w_vs_1w"] = round(row["2w"]["pages_per_s"] / row["1w"]["pages_per_s"], 3)
    cpu1, cpu2 = row["1w"]["cpu_ms_per_page"], row["2w"]["cpu_ms_per_page"]
    # What 2 cores could give if the neighbours left them free: 1-worker CPU over the 2-worker
    # run's busiest share (its main process, or half of all its CPU).
    main2 = row["2w"].get("main_cpu_ms_per_page")
    if cpu1 and cpu2 and main2 is not None:
        row["cpu_bound_speedup_2w_vs_1w"] = round(cpu1 / max(cpu2 / 2, main2), 3)
    return row


def _fallback_sizes(smallest: int, rate: float | None, budget_s: float) -> list[int]:
    """Two smaller sizes (n/4 and n) that together fit 3/4 of the budget, when `smallest` does not.

    Two, so that the growth of cost and memory with size is still measured, not only one point.
    """
    if not rate or _projected(smallest, rate) <= budget_s:
        return []
    # projected(n) + projected(n/4) = 4 startups + 1.25 n (1 + 1/1.6) / rate <= 0.75 budget
    n = int((0.75 * budget_s - 4 * STARTUP_S) * rate / (1.25 * (1 + 1 / 1.6))) // 100 * 100
    return [n // 4, n] if n >= 100 else []


def _projected(n: int, rate: float | None) -> float:
    if not rate:
        return 0.0
    return 2 * STARTUP_S + n / rate + n / (1.6 * rate)


def _summary(n: int, runs: list[ChildRun], startup: float) -> dict[str, Any]:
    wall = median([r.wall_s for r in runs])
    out = {
        "wall_s": round(wall, 2),
        "wall_s_runs": [round(r.wall_s, 2) for r in runs],
        "pages_per_s": round(n / wall, 1),
        "ms_per_page": round(1000 * wall / n, 2),
        # Without the fixed start-up cost: what each further page costs (linearity is read here).
        "marginal_ms_per_page": round(1000 * max(0.0, wall - startup) / n, 2),
        "cpu_ms_per_page": round(1000 * median([r.cpu_s for r in runs]) / n, 2),
        "peak_tree_rss_mb": max(r.peak_tree_rss_mb for r in runs),
        "max_process_rss_mb": max(r.max_process_rss_mb for r in runs),
        "exit_code": runs[-1].returncode,
    }
    main_cpu = [_cpu_split(r.stderr_tail) for r in runs]
    if all(c is not None for c in main_cpu):
        # The main process alone (reading inputs, spooling, writing the tables): with N workers it
        # is the serial part that bounds the speed-up.
        out["main_cpu_ms_per_page"] = round(1000 * median([c[0] for c in main_cpu]) / n, 2)  # type: ignore[index]
        out["workers_cpu_ms_per_page"] = round(1000 * median([c[1] for c in main_cpu]) / n, 2)  # type: ignore[index]
    return out


def _cpu_split(stderr: str) -> tuple[float, float] | None:
    """(CPU s of the main process, of its workers) from `ogi extract`'s summary, if it printed them."""
    found = CPU_LINE.search(stderr)
    return (float(found[1]), float(found[2] or 0.0)) if found else None


def headline(runs: dict[str, Any], sizes: list[int]) -> dict[str, Any]:
    """scale_2w_vs_1w and peak RSS at the largest size; memory growth and linearity vs the smallest."""
    done = [n for n in sizes if isinstance(runs.get(str(n)), dict)]
    if not done:
        return {}
    big, small = runs[str(done[-1])], runs[str(done[0])]
    peak = max(big["1w"]["peak_tree_rss_mb"], big["2w"]["peak_tree_rss_mb"])
    if len(done) < 2:  # one size: no growth to speak of
        return {
            "largest_size": done[-1],
            "scale_2w_vs_1w": big["speedup_2w_vs_1w"],
            "peak_rss_mb_largest": peak,
        }
    peak_small = max(small["1w"]["peak_tree_rss_mb"], small["2w"]["peak_tree_rss_mb"])
    return {
        "largest_size": done[-1],
        "scale_2w_vs_1w": big["speedup_2w_vs_1w"],
        "peak_rss_mb_largest": peak,
        "peak_rss_growth_mb": round(peak - peak_small, 1),
        "ms_per_page_growth_1w": round(big["1w"]["ms_per_page"] / small["1w"]["ms_per_page"], 3),
        "marginal_ms_per_page_growth_1w": round(
            big["1w"]["marginal_ms_per_page"] / max(0.01, small["1w"]["marginal_ms_per_page"]), 3
        ),
        "cpu_ms_per_page_growth_1w": round(big["1w"]["cpu_ms_per_page"] / small["1w"]["cpu_ms_per_page"], 3),
    }
