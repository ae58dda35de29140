"""How `ogi extract` cost grows with the number of pages, with 1 and 2 worker processes.

Cost must grow linearly and peak memory stay flat (the CLI streams; it never holds the corpus), so
that a million pages is only a matter of time. Each size is run with 1 then 2 workers back to
back; small sizes are repeated and the median kept, large ones run once (a 20k run takes minutes).
A run that would not fit the time budget, projected from the in-process extraction rate, is skipped
with its reason rather than silently cut short.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.corpus import CHUNK, chunk_dirs, write_corpus
from benchmarks.measure import ChildRun, NotAvailable, median, run_child

ROOT = Path(__file__).resolve().parents[1]
STARTUP_S = 5.0  # CLI start-up and output writing, for the projection only


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
    """Wall time and peak RSS of `ogi extract` per size and worker count, within `budget_s`.

    `rate_hint` (pages/s, from the in-process extraction stage) projects what each size will cost;
    the CLI also writes the dataset, so the first projection assumes it is 1.5x slower.
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
    spent, rate = startup, rate_hint / 1.5 if rate_hint else None
    fallback = _fallback_sizes(sizes[0], rate, budget_s)
    if fallback:
        # Not even the smallest size fits: smaller ones that do, so 1 vs 2 workers and the growth
        # of cost and memory are still measured (and labelled as such), then the listed sizes' n/a.
        results["fallback_sizes"] = fallback
        sizes = [*fallback, *sizes]
    for n in sizes:
        projected = _projected(n, rate)
        if spent + projected > budget_s:
            results["runs"][str(n)] = (
                f"n/a: projected {projected:.0f} s at {rate:.1f} pages/s exceeds the budget"
            )
            continue
        write_corpus(root, n, seed)  # generated (or reused) before the clock starts
        # Small sizes are repeated (median kept) as often as the budget allows, at least once.
        repeats = (
            max(1, min(repeats_small, int((budget_s - spent) // max(projected, 1.0)))) if n <= CHUNK else 1
        )
        try:
            row = _size(
                root, n, repeats, startup, timeout=max(120.0, 2 * projected) if projected else budget_s
            )
        except NotAvailable as exc:
            results["runs"][str(n)] = f"n/a: {exc}"
            break
        spent += row.pop("spent_s")
        results["runs"][str(n)] = row
        rate = row["1w"]["pages_per_s"]
    results["spent_s"] = round(spent, 1)
    return results | headline(results["runs"], sizes)


def _size(root: Path, n: int, repeats: int, startup: float, timeout: float) -> dict[str, Any]:
    """1 then 2 workers over the first n pages, `repeats` times each."""
    row: dict[str, Any] = {"spent_s": 0.0}
    for workers in (1, 2):
        runs = [extract_run(paths_for(root, n), workers, timeout=timeout) for _ in range(repeats)]
        row["spent_s"] += sum(r.wall_s for r in runs)
        row[f"{workers}w"] = _summary(n, runs, startup)
    row["speedup_2w_vs_1w"] = round(row["2w"]["pages_per_s"] / row["1w"]["pages_per_s"], 3)
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
    return {
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
