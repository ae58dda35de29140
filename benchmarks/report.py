"""The benchmark's results as a table on stdout and as output/bench.json.

The JSON keeps every raw figure behind each headline ratio (runs, medians, references), so two
runs can be diffed and a surprising ratio traced to its two sides. A stage that could not run
keeps its headline key with `null` and says why in `notes`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

#: Headline keys, their targets (issue 7) and how to compare.
TARGETS = {
    "extract_vs_lxml_ratio": (">=", 0.25),
    "scale_2w_vs_1w": (">=", 1.8),
    "peak_rss_mb_20k": ("<", 500.0),
    "crawl_vs_scrapy_bench": (">=", 0.70),
}


def met(key: str, value: Any) -> str:
    if value is None:
        return "n/a"
    op, target = TARGETS[key]
    ok = value >= target if op == ">=" else value < target
    return "yes" if ok else "NO"


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def table(results: dict[str, Any]) -> str:
    """A plain-text table: each figure, its reference, the target and whether it is met."""
    rows: list[tuple[str, str, str, str]] = [("figure", "value", "reference (same run)", "target")]
    rows += _headline_rows(results)
    rows += _extract_rows(results.get("extract"))
    rows += _scale_rows(results.get("scale"))
    rows += _crawl_rows(results.get("crawl"))
    widths = [max(_width(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "-" * min(120, sum(widths) + 6))
    notes = results.get("notes") or {}
    lines += [f"{k}: {v}" for k, v in notes.items()]
    return "\n".join(lines)


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def _headline_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    out = []
    for key, (op, target) in TARGETS.items():
        value = results.get(key)
        out.append((key, _fmt(value), "", f"{op} {target}  met: {met(key, value)}"))
    return out


def _extract_rows(ex: Any) -> list[tuple[str, str, str, str]]:
    if not isinstance(ex, dict):
        return [("extraction", str(ex or "not run"), "", "")]
    n = ex["pages"]
    rows = [
        ("extract pages/s", _fmt(ex["extract_pages_per_s"]), f"lxml.fromstring {_fmt(ex['lxml_pages_per_s'])}/s",
         f"{n} pages, {ex['corpus_mb']} MB, median of {ex['repeats']}"),
        ("extract CPU ms/page", _fmt(ex["extract_cpu_ms_per_page"]), f"lxml {ex['lxml_cpu_ms_per_page']} ms/page",
         f"ratio on CPU time {_fmt(ex['extract_vs_lxml_ratio_cpu'])} (what an idle machine would show)"),
        ("extract values matched", f"{ex['extract_values_matched']}/{ex['truth_values']}",
         f"match rate {_fmt(ex['extract_match_rate'])}", f"template right {_fmt(ex['extract_template_right'])}"),
    ]  # fmt: skip
    real = ex.get("real_pages")
    if isinstance(real, dict) and real:
        cells = ", ".join(f"{k} {v['extract_cpu_ms']:.0f}" for k, v in real.items())
        rows.append(("real pages, extract CPU ms", cells, "../shared/real-reports, one cold pass each",
                     "lxml " + ", ".join(f"{v['lxml_cpu_ms']:.1f}" for v in real.values())))  # fmt: skip
    if "pandas_pages_per_s" in ex:
        rows.append(("pandas.read_html pages/s", _fmt(ex["pandas_pages_per_s"]),
                     f"{ex['pandas_numeric_values']} numeric cells ({_fmt(ex['pandas_values_share_of_truth'])} of truth)",
                     f"vs lxml {_fmt(ex['pandas_vs_lxml_ratio'])}"))  # fmt: skip
    return rows


def _scale_rows(sc: Any) -> list[tuple[str, str, str, str]]:
    if not isinstance(sc, dict):
        return [("ogi extract scaling", str(sc or "not run"), "", "")]
    rows = []
    for n, row in sc["runs"].items():
        if not isinstance(row, dict):
            rows.append((f"ogi extract {n} pages", row, "", ""))
            continue
        for w in ("1w", "2w"):
            r = row[w]
            split = (f" (main {r['main_cpu_ms_per_page']}, workers {r['workers_cpu_ms_per_page']})"
                     if "main_cpu_ms_per_page" in r else "")  # fmt: skip
            rows.append((f"ogi extract {n} pages {w}", f"{_fmt(r['pages_per_s'])} pages/s",
                         f"wall {_fmt(r['wall_s'])} s, {r['ms_per_page']} ms/page, CPU {r['cpu_ms_per_page']} ms/page{split}",
                         f"peak RSS {r['peak_tree_rss_mb']} MB (largest process {r['max_process_rss_mb']})"))  # fmt: skip
        if "speedup_2w_vs_1w" in row:
            bound = row.get("cpu_bound_speedup_2w_vs_1w")
            rows.append((f"ogi extract {n} pages 2w/1w", _fmt(row["speedup_2w_vs_1w"]), "wall-clock rates, same run",
                         f"CPU-bound estimate {_fmt(bound)} (1w CPU / the 2w run's busiest share)"))  # fmt: skip
    if "peak_rss_growth_mb" in sc:
        rows.append(("peak RSS growth smallest→largest", f"{sc['peak_rss_growth_mb']} MB",
                     f"marginal ms/page growth (1w) {sc['marginal_ms_per_page_growth_1w']}×",
                     f"flat; linear (start-up {sc['startup_s']} s excluded)"))  # fmt: skip
    return rows


def _crawl_rows(cr: Any) -> list[tuple[str, str, str, str]]:
    if not isinstance(cr, dict):
        return [("crawl", str(cr or "not run"), "", "")]
    fast = cr["crawl_fast"]
    rows = [("crawl pages/s (politeness off)", _fmt(cr["crawl_pages_per_s"]),
             f"scrapy bench {_fmt(cr['scrapy_bench_pages_per_s'])}/s",
             (f"{fast['pages']} pages, {fast['reports_in_output']} reports in output, wall {fast['wall_s']} s, "
             f"{fast['cpu_ms_per_page']} CPU ms/page"))]  # fmt: skip
    if cr.get("crawl_cpu_ms_per_page") is not None:
        rows.append(("crawl CPU ms/page (all processes)", _fmt(cr["crawl_cpu_ms_per_page"]),
                     f"scrapy bench {_fmt(cr.get('scrapy_bench_cpu_ms_per_page'))} CPU ms/page",
                     (f"scrapy bench CPU / crawl CPU {_fmt(cr.get('crawl_cpu_vs_scrapy_bench'))}; "
                     f"{cr.get('extract_workers')} extraction worker(s)")))  # fmt: skip
    plumbing = cr.get("crawl_no_extract")
    if isinstance(plumbing, dict):
        rows.append(("crawl pages/s (no extraction)", _fmt(plumbing["pages_per_s"]),
                     f"{_fmt(cr['crawl_no_extract_vs_scrapy_bench'])} of scrapy bench",
                     f"spider + archive + output only; {plumbing['cpu_ms_per_page']} CPU ms/page"))  # fmt: skip
    polite = cr.get("crawl_polite")
    if isinstance(polite, dict):
        rows.append(("crawl pages/s (polite defaults)", _fmt(polite["pages_per_s"]),
                     f"{_fmt(cr['polite_vs_fast'])} of the fast crawl",
                     f"bounded: first {polite['elapsed_s']} s, {polite['pages']} pages"))  # fmt: skip
    else:
        rows.append(("crawl (polite defaults)", str(polite), "", ""))
    return rows


def markdown(results: dict[str, Any]) -> str:
    """The same table as Markdown, for docs/BENCHMARKS.md (`python -m benchmarks.report FILE`)."""
    rows = [("figure", "value", "reference (same run)", "note")]
    rows += _headline_rows(results) + _extract_rows(results.get("extract"))
    rows += _scale_rows(results.get("scale")) + _crawl_rows(results.get("crawl"))
    meta = results.get("meta", {})
    head = (
        f"Run of {meta.get('started')} at commit {meta.get('commit')}, {meta.get('duration_s')} s, "
        f"load average {_load(meta.get('loadavg_start'))} → {_load(meta.get('loadavg_end'))} "
        f"on {meta.get('cpus')} cores{' (quick)' if meta.get('quick') else ''}.\n\n"
    )
    lines = ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in rows]
    lines.insert(1, "|---|---|---|---|")
    notes = "".join(f"\n- `{k}`: {v}" for k, v in (results.get("notes") or {}).items())
    return head + "\n".join(lines) + ("\n" + notes if notes else "") + "\n"


def _load(values: Any) -> str:
    return f"{values[0]:.1f}" if values else "?"


if __name__ == "__main__":
    import sys

    print(markdown(json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "output/bench.json").read_text())))
