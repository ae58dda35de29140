"""Extraction throughput against its floor (a bare lxml parse) and its peer (pandas.read_html).

The three are timed round-robin on the same in-memory pages in the same run (lxml, extractor,
pandas, lxml, extractor, ...), so a neighbour's load spike hits all of them alike and the ratio
extractor/lxml stays meaningful on a shared machine. The extractor's output is also checked
against the figures the generator printed, so a fast extractor that reads nothing shows up as such.
"""

from __future__ import annotations

import io
import time
import unicodedata
import warnings
from collections import Counter
from typing import Any

import lxml.html

from benchmarks.corpus import Page
from benchmarks.measure import NotAvailable, median, timed


def _extract_fn():
    try:
        from extractors import extract
    except ImportError as exc:  # pragma: no cover - the package is part of the repo
        raise NotAvailable(f"extractors.extract cannot be imported: {exc}") from exc
    return extract


def _extract_all(pages: list[Page]) -> list[tuple[Any, float]]:
    """(report, seconds) per page; perf_counter per page costs well under 1 µs."""
    extract = _extract_fn()
    out = []
    for p in pages:
        start = time.perf_counter()
        report = extract(p.data, filename=p.name)
        out.append((report, time.perf_counter() - start))
    return out


def _lxml_all(pages: list[Page]) -> None:
    for p in pages:
        lxml.html.fromstring(p.data)


def _pandas_all(pages: list[Page]) -> int:
    """pandas.read_html on every page; returns how many numeric cells it got out."""
    import pandas as pd

    found = 0
    for p in pages:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frames = pd.read_html(io.BytesIO(p.data), flavor="lxml")
        except ValueError:  # "No tables found": a flattened page
            continue
        found += sum(_numeric_cells(f) for f in frames)
    return found


def _numeric_cells(frame: Any) -> int:
    count = 0
    for value in frame.to_numpy().ravel():
        text = unicodedata.normalize("NFKC", str(value)).strip()
        try:
            float(text)
        except ValueError:
            continue
        if text.lower() != "nan":
            count += 1
    return count


def check_extractor(pages: list[Page]) -> None:
    """Raise NotAvailable when the extractor is still a stub (so the stage prints n/a)."""
    try:
        _extract_fn()(pages[0].data, filename=pages[0].name)
    except NotImplementedError as exc:
        raise NotAvailable(f"extractors.extract not implemented yet ({exc or 'stub'})") from exc


def bench_extraction(
    pages: list[Page], repeats: int = 3, with_pandas: bool = True, budget_s: float = float("inf")
) -> dict[str, Any]:
    """Pages/s of the extractor, of a bare lxml parse and of pandas.read_html, and the ratio.

    Runs `repeats` rounds, but stops after three once `budget_s` is spent (a slow extractor).
    """
    check_extractor(pages)
    n, mb = len(pages), sum(len(p.data) for p in pages) / 1e6
    runs: dict[str, list[float]] = {"lxml": [], "extract": [], "pandas": []}
    cpu: dict[str, list[float]] = {"lxml": [], "extract": []}
    pandas_values = 0
    started = time.perf_counter()
    for done in range(repeats):
        if done >= min(3, repeats) and time.perf_counter() - started > budget_s:
            break
        runs["lxml"].append(timed(lambda: _lxml_all(pages), cpu["lxml"]))
        reports: list[Any] = []
        runs["extract"].append(timed(lambda r=reports: r.extend(_extract_all(pages)), cpu["extract"]))
        if with_pandas:
            holder: list[int] = []
            runs["pandas"].append(timed(lambda h=holder: h.append(_pandas_all(pages))))
            pandas_values = holder[0]
    ratios = [lx / ex for lx, ex in zip(runs["lxml"], runs["extract"], strict=True)]
    out: dict[str, Any] = {
        "pages": n,
        "corpus_mb": round(mb, 2),
        "repeats": len(runs["extract"]),
        "lxml_s_runs": _r(runs["lxml"]),
        "extract_s_runs": _r(runs["extract"]),
        "lxml_pages_per_s": round(n / median(runs["lxml"]), 1),
        "extract_pages_per_s": round(n / median(runs["extract"]), 1),
        "extract_mb_per_s": round(mb / median(runs["extract"]), 2),
        "extract_vs_lxml_ratio": round(median(ratios), 4),
        "extract_vs_lxml_ratio_runs": _r(ratios, 4),
        # The same ratio on CPU seconds: what it would be on an idle machine.
        "extract_vs_lxml_ratio_cpu": round(
            median([a / b for a, b in zip(cpu["lxml"], cpu["extract"], strict=True)]), 4
        ),
        "extract_cpu_ms_per_page": round(1000 * median(cpu["extract"]) / n, 1),
        "lxml_cpu_ms_per_page": round(1000 * median(cpu["lxml"]) / n, 2),
    }
    if with_pandas:
        out |= {
            "pandas_s_runs": _r(runs["pandas"]),
            "pandas_pages_per_s": round(n / median(runs["pandas"]), 1),
            "pandas_vs_lxml_ratio": round(
                median([a / b for a, b in zip(runs["lxml"], runs["pandas"], strict=True)]), 4
            ),
            "pandas_numeric_values": pandas_values,
        }
    # The last timed run's reports and per-page times: no extra pass.
    out |= accuracy(pages, [r for r, _ in reports]) | {"extract_ms_per_page_by_kind": by_kind(pages, reports)}
    if with_pandas:
        out["pandas_values_share_of_truth"] = round(pandas_values / max(1, out["truth_values"]), 4)
    return out


def _r(xs: list[float], digits: int = 3) -> list[float]:
    return [round(x, digits) for x in xs]


def by_kind(pages: list[Page], reports: list[tuple[Any, float]]) -> dict[str, float]:
    """Median ms per page by variant and layout (which kind of page is slow)."""
    times: dict[str, list[float]] = {}
    for page, (_, secs) in zip(pages, reports, strict=True):
        times.setdefault(f"{page.variant}/{page.layout}", []).append(secs * 1000)
    return {kind: round(median(ts), 1) for kind, ts in sorted(times.items())}


def accuracy(pages: list[Page], reports: list[Any]) -> dict[str, Any]:
    """How much of what the generator printed came back: values by code, template, status."""
    truth = matched = got = right_template = 0
    statuses: Counter[str] = Counter()
    for page, report in zip(pages, reports, strict=True):
        statuses[report.status] += 1
        right_template += report.template == page.template
        values = {r.code: r.value for r in report.rows if r.code and r.value is not None}
        got += sum(1 for r in report.rows if r.value is not None)
        truth += len(page.truth)
        matched += sum(1 for code, v in page.truth.items() if code in values and abs(values[code] - v) < 1e-6)
    return {
        "truth_values": truth,
        "extract_values": got,
        "extract_values_matched": matched,
        "extract_match_rate": round(matched / max(1, truth), 4),
        "extract_template_right": round(right_template / max(1, len(pages)), 4),
        "extract_status_counts": dict(sorted(statuses.items())),
    }
