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
from collections.abc import Iterable
from pathlib import Path
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
    rounds: Iterable[list[Page]],
    with_pandas: bool = True,
    budget_s: float = float("inf"),
    min_rounds: int = 3,
) -> dict[str, Any]:
    """Pages/s of the extractor, of a bare lxml parse and of pandas.read_html, and the ratio.

    Each round is a fresh set of pages: the extractor caches by content (labels, lines), so running
    the same pages again would measure its caches, not its work (10x faster on a rerun). Within a
    round, lxml, the extractor and pandas see the same bytes. Rounds stop once `budget_s` is spent
    and at least `min_rounds` are done.
    """
    rates: dict[str, list[float]] = {"lxml": [], "extract": [], "pandas": []}
    cpu_ms: dict[str, list[float]] = {"lxml": [], "extract": []}
    ratios: list[float] = []
    cpu_ratios: list[float] = []
    seen: list[Page] = []
    reports: list[tuple[Any, float]] = []
    pandas_values = 0
    started = time.perf_counter()
    for pages in rounds:
        if len(rates["extract"]) >= min_rounds and time.perf_counter() - started > budget_s:
            break
        n, cpu_l, cpu_e, got = len(pages), [], [], []
        lx = timed(lambda p=pages: _lxml_all(p), cpu_l)
        try:
            ex = timed(lambda p=pages, g=got: g.extend(_extract_all(p)), cpu_e)
        except NotImplementedError as exc:
            raise NotAvailable(f"extractors.extract not implemented yet ({exc or 'stub'})") from exc
        rates["lxml"].append(n / lx)
        rates["extract"].append(n / ex)
        cpu_ms["lxml"].append(1000 * cpu_l[0] / n)
        cpu_ms["extract"].append(1000 * cpu_e[0] / n)
        ratios.append(lx / ex)
        cpu_ratios.append(cpu_l[0] / cpu_e[0])
        if with_pandas:
            holder: list[int] = []
            rates["pandas"].append(n / timed(lambda p=pages, h=holder: h.append(_pandas_all(p))))
            pandas_values += holder[0]
        seen.extend(pages)
        reports.extend(got)
    return _summary(seen, rates, cpu_ms, ratios, cpu_ratios, reports) | (
        _pandas_summary(rates, pandas_values, sum(len(p.truth) for p in seen)) if with_pandas else {}
    )


def _summary(
    seen: list[Page],
    rates: dict[str, list[float]],
    cpu_ms: dict[str, list[float]],
    ratios: list[float],
    cpu_ratios: list[float],
    reports: list[tuple[Any, float]],
) -> dict[str, Any]:
    mb = sum(len(p.data) for p in seen) / 1e6
    return {
        "pages": len(seen),
        "pages_per_round": len(seen) // max(1, len(ratios)),
        "corpus_mb": round(mb, 2),
        "repeats": len(ratios),
        "lxml_pages_per_s_runs": _r(rates["lxml"], 1),
        "extract_pages_per_s_runs": _r(rates["extract"], 2),
        "lxml_pages_per_s": round(median(rates["lxml"]), 1),
        "extract_pages_per_s": round(median(rates["extract"]), 2),
        "extract_mb_per_s": round(median(rates["extract"]) * mb / max(1, len(seen)), 3),
        "extract_vs_lxml_ratio": round(median(ratios), 4),
        "extract_vs_lxml_ratio_runs": _r(ratios, 4),
        # The same ratio on CPU seconds: what it would be on an idle machine.
        "extract_vs_lxml_ratio_cpu": round(median(cpu_ratios), 4),
        "extract_cpu_ms_per_page": round(median(cpu_ms["extract"]), 1),
        "lxml_cpu_ms_per_page": round(median(cpu_ms["lxml"]), 2),
        **accuracy(seen, [r for r, _ in reports]),
        "extract_ms_per_page_by_kind": by_kind(seen, reports),
    }


def _pandas_summary(rates: dict[str, list[float]], values: int, truth: int) -> dict[str, Any]:
    return {
        "pandas_pages_per_s_runs": _r(rates["pandas"], 1),
        "pandas_pages_per_s": round(median(rates["pandas"]), 1),
        "pandas_vs_lxml_ratio": round(
            median([p / lx for p, lx in zip(rates["pandas"], rates["lxml"], strict=True)]), 4
        ),
        "pandas_numeric_values": values,
        "pandas_values_share_of_truth": round(values / max(1, truth), 4),
    }


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


def bench_real(shared: Path) -> dict[str, Any]:
    """The same comparison on the real HTML pages in ../shared/real-reports, one cold pass each.

    A check that the generated corpus is not kinder (or harsher) than real pages. The extractor
    is timed once per page (a second pass would hit its content caches); lxml, which has none,
    is the best of 5.
    """
    files = sorted(shared.glob("real-reports/*/page.html"))
    if not files:
        raise NotAvailable(f"no real pages under {shared}/real-reports")
    extract = _extract_fn()
    out: dict[str, Any] = {}
    for path in files:
        data = path.read_bytes()
        lx = min(_cpu(lambda d=data: lxml.html.fromstring(d)) for _ in range(5))
        holder: list[Any] = []
        ex = _cpu(lambda d=data, p=path, h=holder: h.append(extract(d, filename=p.name)))
        out[path.parent.name] = {"kb": len(data) // 1024, "extract_cpu_ms": round(1000 * ex, 1),
                                 "lxml_cpu_ms": round(1000 * lx, 2), "ratio_cpu": round(lx / ex, 4),
                                 "status": holder[0].status, "values": holder[0].n_values}  # fmt: skip
    return out


def _cpu(fn: Any) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start
