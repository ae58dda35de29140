"""Where the extractor's time goes, on the benchmark corpus.

Two views: pyinstrument's sampled call tree (output/bench-profile.txt, for reading; low overhead,
so the proportions are right) and cProfile's per-function totals (the top entries go into
bench.json, so a change in a hot spot shows up in a diff of two runs). cProfile inflates code that
makes many small calls; trust pyinstrument when the two disagree.
"""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path
from typing import Any

from benchmarks.corpus import Page


def _run(pages: list[Page]) -> None:
    from extractors import extract

    for p in pages:
        extract(p.data, filename=p.name)


def pyinstrument_tree(pages: list[Page], out: Path) -> str:
    """Write pyinstrument's text tree to `out`; returns a status line."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return "n/a: pyinstrument not installed (pip install -e '.[bench]')"
    profiler = Profiler(interval=0.001)
    profiler.start()
    _run(pages)
    profiler.stop()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
    return str(out)


def hot_spots(pages: list[Page], top: int = 15) -> dict[str, Any]:
    """cProfile over the pages: the top functions by own time and the extractor stages by total time."""
    prof = cProfile.Profile()
    prof.enable()
    _run(pages)
    prof.disable()
    stats = pstats.Stats(prof)
    entries = stats.stats  # type: ignore[attr-defined]  # {(file, line, func): (cc, nc, tt, ct, callers)}
    total = sum(v[2] for v in entries.values()) or 1.0
    rows = [(_name(k), v[1], v[2], v[3]) for k, v in entries.items()]
    by_own = sorted(rows, key=lambda r: -r[2])[:top]
    stages = sorted(
        (r for r in rows if r[0].startswith("extractors/") and r[3] / total > 0.02), key=lambda r: -r[3]
    )
    return {
        "profiled_pages": len(pages),
        "total_s": round(total, 3),
        "top_own_time": [_row(r, total) for r in by_own],
        "extractor_functions_cumulative": [_row(r, total) for r in stages[:top]],
    }


def _name(key: tuple[str, int, str]) -> str:
    file, line, func = key
    parts = Path(file).parts
    for anchor in ("extractors", "site-packages"):
        if anchor in parts:
            parts = parts[parts.index(anchor) + (anchor == "site-packages") :]
            break
    else:
        parts = parts[-2:]
    return f"{'/'.join(parts)}:{line}:{func}" if file != "~" else func


def _row(r: tuple[str, int, float, float], total: float) -> dict[str, Any]:
    name, calls, own, cum = r
    return {"function": name, "calls": calls, "own_s": round(own, 3), "cum_s": round(cum, 3),
            "own_share": round(own / total, 3), "cum_share": round(cum / total, 3)}  # fmt: skip
