"""The benchmark runner: corpus → extraction vs floor → scaling → crawl → profile → table + JSON.

Each stage runs on its own; one that cannot run yet (a stub extractor, a missing CLI option)
prints "n/a: <reason>" and the others go on. The full run fits in 15 minutes on the 2-core
machine; `--quick` is a small version of every stage, whose figures are not comparable with a
full run's (tests/test_benchmarks.py runs pieces of it on a handful of pages).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import crawl_bench, extract_bench, profile, scale
from benchmarks.corpus import make_page, write_corpus
from benchmarks.measure import NotAvailable
from benchmarks.report import table, write_json

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("extract", "scale", "crawl", "profile")
PROFILE_OFFSET = 900_000  # page indices of the profiling sample, far from every other stage's


@dataclass(frozen=True, slots=True)
class Plan:
    """Sizes of one run; FULL is what `make bench` does, QUICK a few-minute version of it."""

    extract_pages: int
    repeats: int
    extract_budget_s: float
    scale_sizes: tuple[int, ...]
    scale_budget_s: float
    crawl_pages: int
    bench_seconds: float
    polite_seconds: float
    crawl_cap_s: float  # the fast crawl stops after this long (CLOSESPIDER_TIMEOUT) if not done
    profile_pages: int


FULL = Plan(25, 5, 45.0, (1000, 5000, 20000), 700.0, 2000, 8.0, 20.0, 75.0, 15)
QUICK = Plan(6, 2, 20.0, (20, 40), 60.0, 40, 3.0, 5.0, 30.0, 6)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="every stage at tiny sizes (a few minutes)")
    parser.add_argument(
        "--only", default=",".join(STAGES), help=f"comma-separated stages ({','.join(STAGES)})"
    )
    parser.add_argument("--corpus", type=Path, default=ROOT / "output" / "bench-corpus",
                        help="where generated pages are kept between runs (default output/bench-corpus)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "output" / "bench.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--scale-budget", type=float, default=None, help="seconds allowed for the scaling runs"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.scale_budget is not None:
        plan = Plan(**{**{f: getattr(plan, f) for f in plan.__slots__}, "scale_budget_s": args.scale_budget})
    stages = [s.strip() for s in args.only.split(",") if s.strip()]
    results = run(plan, stages, corpus=args.corpus, seed=args.seed, out=args.out, quick=args.quick)
    print(table(results))
    print(f"\nwritten: {args.out}")
    return 0


def run(plan: Plan, stages: list[str], *, corpus: Path, seed: int, out: Path, quick: bool) -> dict[str, Any]:
    """Run the chosen stages and write the JSON; returns the results."""
    started = time.perf_counter()
    results: dict[str, Any] = {"extract_vs_lxml_ratio": None, "scale_2w_vs_1w": None, "peak_rss_mb_20k": None,
                               "crawl_vs_scrapy_bench": None, "notes": {}, "meta": _meta(plan, quick, seed)}  # fmt: skip
    needs_disk = {"scale", "crawl"} & set(stages)
    if needs_disk:
        t = time.perf_counter()
        write_corpus(corpus, plan.crawl_pages, seed)  # the scaling stage adds pages as it needs them
        results["meta"]["corpus_s"] = round(time.perf_counter() - t, 1)
        results["meta"]["corpus_dir"] = str(corpus)
    for stage in stages:
        _stage(stage, results, lambda s=stage: STAGE_FUNCS[s](plan, corpus, results))
        write_json(results, out)  # after every stage, so a killed run keeps what it measured
    results["meta"]["duration_s"] = round(time.perf_counter() - started, 1)
    results["meta"]["loadavg_end"] = os.getloadavg()
    write_json(results, out)
    return results


def _stage(name: str, results: dict[str, Any], fn: Any) -> None:
    t = time.perf_counter()
    print(f"[bench] {name} ...", flush=True)
    try:
        results[name] = fn()
    except NotAvailable as exc:
        results[name] = f"n/a: {exc}"
        results["notes"][name] = f"n/a: {exc}"
    except Exception as exc:  # noqa: BLE001 - one broken stage must not cost the others' figures
        results[name] = f"error: {type(exc).__name__}: {exc}"
        results["notes"][name] = f"error: {traceback.format_exc(limit=3)}"
    results["meta"].setdefault("stage_s", {})[name] = round(time.perf_counter() - t, 1)
    print(f"[bench] {name} done in {time.perf_counter() - t:.1f} s", flush=True)


def _extract(plan: Plan, corpus: Path, results: dict[str, Any]) -> dict[str, Any]:
    n = plan.extract_pages
    rounds = (
        [make_page(i, results["meta"]["seed"]) for i in range(r * n, (r + 1) * n)]
        for r in range(plan.repeats)
    )
    ex = extract_bench.bench_extraction(
        rounds, budget_s=plan.extract_budget_s, min_rounds=min(3, plan.repeats)
    )
    results["extract_vs_lxml_ratio"] = ex["extract_vs_lxml_ratio"]
    try:
        ex["real_pages"] = extract_bench.bench_real(ROOT.parent / "shared")
    except NotAvailable as exc:
        ex["real_pages"] = f"n/a: {exc}"
    return ex


def _scale(plan: Plan, corpus: Path, results: dict[str, Any]) -> dict[str, Any]:
    ex = results.get("extract")
    hint = ex.get("extract_pages_per_s") if isinstance(ex, dict) else None
    sc = scale.bench_scale(corpus, list(plan.scale_sizes), rate_hint=hint, budget_s=plan.scale_budget_s,
                           repeats_small=1 if plan.scale_sizes[-1] < 1000 else 3, seed=results["meta"]["seed"])  # fmt: skip
    largest, planned = sc.get("largest_size"), plan.scale_sizes[-1]
    # The headline keys are defined at the planned largest size (20k in a full run); a smaller
    # run's figures stay in `scale` and the note, never under the headline key.
    if largest == planned:
        results["scale_2w_vs_1w"] = sc["scale_2w_vs_1w"]
        if planned == FULL.scale_sizes[-1]:
            results["peak_rss_mb_20k"] = sc["peak_rss_mb_largest"]
    if results["peak_rss_mb_20k"] is None:
        results["notes"]["peak_rss_mb_20k"] = (
            f"20k run not done; peak {sc.get('peak_rss_mb_largest')} MB at {largest} pages"
        )
    if sc.get("fallback_sizes"):
        results["notes"]["scale"] = (
            f"{plan.scale_sizes[0]} pages do not fit the budget at this extraction rate: "
            f"measured at {' and '.join(map(str, sc['fallback_sizes']))} pages instead"
        )
    if largest != planned:
        results["notes"]["scale_2w_vs_1w"] = (
            f"{planned} pages not run; {sc.get('scale_2w_vs_1w')} at {largest} pages (noisy at that size)"
        )
    return sc


def _crawl(plan: Plan, corpus: Path, results: dict[str, Any]) -> dict[str, Any]:
    cr = crawl_bench.bench_crawl(corpus, plan.crawl_pages, bench_seconds=plan.bench_seconds,
                                 polite_seconds=plan.polite_seconds, cap=plan.crawl_cap_s)  # fmt: skip
    results["crawl_vs_scrapy_bench"] = cr["crawl_vs_scrapy_bench"]
    return cr


def _profile(plan: Plan, corpus: Path, results: dict[str, Any]) -> dict[str, Any]:
    # Pages no other stage (nor the other profiler) has extracted in this process: the extractor
    # caches by content, so every profile must start on unseen pages to show the real work.
    seed, n = results["meta"]["seed"], plan.profile_pages
    tree_pages = [make_page(i, seed) for i in range(PROFILE_OFFSET, PROFILE_OFFSET + n)]
    stats_pages = [make_page(i, seed) for i in range(PROFILE_OFFSET + n, PROFILE_OFFSET + 2 * n)]
    extract_bench.check_extractor([make_page(PROFILE_OFFSET - 1, seed)])
    tree = profile.pyinstrument_tree(tree_pages, ROOT / "output" / "bench-profile.txt")
    return {"pyinstrument_tree": tree} | profile.hot_spots(stats_pages)


STAGE_FUNCS = {"extract": _extract, "scale": _scale, "crawl": _crawl, "profile": _profile}


def _meta(plan: Plan, quick: bool, seed: int) -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], check=False, cwd=ROOT, capture_output=True, text=True
    )
    return {
        "quick": quick,
        "seed": seed,
        "plan": {f: getattr(plan, f) for f in plan.__slots__},
        "commit": commit.stdout.strip() or None,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_start": os.getloadavg(),
    }
