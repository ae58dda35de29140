"""Writes `output/report/index.html` and its PNG figures: what the dataset holds and how far to trust it.

A researcher decides in minutes whether the data are usable: which districts × years we hold and
which are missing, what went wrong where (findings by kind, failed identities per district), whether
the headline series look plausible across the 2019 form change (the crosswalk joins legacy and new
codes), and where each number came from (every report links to its source URL and archived copy).

Reads only the tables in output/ (reports/values/findings CSV), so it can be rerun on any dataset.
Output is deterministic: sorted inputs, no timestamps, PNGs without a software/date stamp.
"""

from __future__ import annotations

import functools
import html
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.colors import ListedColormap

from extractors.yaml_data import load_yaml
from writers.codebook_export import write_atomic

TEMPLATES = resources.files("writers") / "templates"  # a zip path inside a scrapyd egg
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
_CODE = re.compile(r"^[A-Za-z_][\w.@]*$")
_WARC_RECORD = re.compile(r"(?P<file>[\w][\w.\-]*\.warc(?:\.gz)?)(?:#(?P<offset>\d+))?")


@functools.cache
def report_spec() -> dict[str, Any]:
    """Headline concepts, coverage colours, severities (writers/templates/report.yaml)."""
    return load_yaml((TEMPLATES / "report.yaml").read_text(encoding="utf-8"))


@dataclass
class Data:
    """The output tables the report reads (empty frames when a table is absent)."""

    reports: pd.DataFrame
    values: pd.DataFrame
    findings: pd.DataFrame


def write_quality_report(
    out_dir: str | Path, *, codebook: Any = None, archive_dir: str | Path | None = None
) -> Path:
    """Write `out_dir/report/index.html` + PNGs from the tables in `out_dir`; returns the HTML path.

    `archive_dir` is the raw archive (default: `archive/` next to `out_dir`), used to link each
    report's `archive_record` (`<warc file>#<offset>`) to its WARC file.
    """
    out = Path(out_dir)
    data = load_tables(out)
    report_dir = out / "report"
    report_dir.mkdir(parents=True, exist_ok=True)
    crosswalk = _crosswalk(codebook)
    series = headline_series(data, crosswalk)
    font = cjk_font()
    with plt.rc_context(_style(font)):  # leave the caller's matplotlib settings alone
        figures = {
            "coverage.png": _coverage_figure(data.reports, font),
            "findings.png": _findings_figure(data.findings),
            "identity.png": _identity_figure(data, font),
            "headline.png": _headline_figure(series, font),
        }
        for name, fig in figures.items():
            _save(fig, report_dir / name)
    archive = Path(archive_dir) if archive_dir else out.parent / "archive"
    page = _html(data, series, archive, report_dir, crosswalk)
    path = report_dir / "index.html"
    write_atomic(path, page.encode("utf-8"))
    return path


# -------------------------------------------------------------------------------------------- data


def load_tables(out: Path) -> Data:
    """Read reports/values/findings.csv with ids and codes kept as strings."""
    text = {"report_id": str, "adcode": str, "adcode_current": str, "code": str, "archive_record": str}

    def read(name: str, columns: list[str] | None = None) -> pd.DataFrame:
        path = out / f"{name}.csv"
        if not path.is_file():
            return pd.DataFrame()
        return pd.read_csv(path, dtype=text, keep_default_na=False, na_values=[""], usecols=columns)

    reports = read("reports")
    if reports.empty:
        raise FileNotFoundError(f"{out / 'reports.csv'} is missing or empty: write the dataset first")
    reports["place"] = [_place(r) for r in reports.itertuples()]
    reports = reports.sort_values(["place", "year", "report_id"], na_position="last").reset_index(drop=True)
    return Data(reports, read("values", ["report_id", "code", "value"]), read("findings"))


def _place(row: Any) -> str | None:
    """A place's display name: the district (else city, province) with its code, or whichever is known."""
    names = (getattr(row, key, None) for key in ("district", "city", "province"))
    name = next((n for n in names if isinstance(n, str) and n), None)
    code = getattr(row, "adcode", None)
    code = code if isinstance(code, str) else None
    if name and code:
        return f"{name} {code}"
    return name or code


def headline_series(data: Data, crosswalk: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per report with a table: place, year and one column per headline concept."""
    concepts = {c["concept"]: c.get("codes") or {} for c in crosswalk}
    wanted = {
        term.strip().removeprefix("derived ")
        for item in report_spec()["headline"]
        for expr in concepts.get(item["concept"], {}).values()
        for term in str(expr).split("+")
    }
    values = data.values
    by_report = _values_by_report(values[values["code"].isin(wanted)] if not values.empty else values)
    rows = []
    for rep in data.reports.itertuples():
        if rep.report_id not in by_report or pd.isna(rep.year):
            continue
        values = by_report[rep.report_id]
        row: dict[str, Any] = {"report_id": rep.report_id, "place": rep.place, "year": int(rep.year)}
        for item in report_spec()["headline"]:
            codes = concepts.get(item["concept"], {})
            expr = codes.get(getattr(rep, "template_variant", None)) or codes.get(rep.template)
            row[item["concept"]] = evaluate(expr, values)
        rows.append(row)
    concepts_shown = [h["concept"] for h in report_spec()["headline"]]
    frame = pd.DataFrame(rows, columns=["report_id", "place", "year", *concepts_shown])
    return frame.astype(dict.fromkeys(concepts_shown, "float64"))


def evaluate(expr: str | None, values: dict[str, float | None]) -> float | None:
    """Value of a crosswalk expression ("a", "a + b", "derived a") over one report's values.

    None when a term is blank or absent, or the expression is not a plain sum of codes.
    """
    if not expr:
        return None
    terms = [t.strip() for t in str(expr).removeprefix("derived ").split("+")]
    if not all(_CODE.match(t) for t in terms):
        return None
    found = [values.get(t) for t in terms]
    if any(v is None or pd.isna(v) for v in found):
        return None
    return float(sum(found))  # type: ignore[arg-type]


def _values_by_report(values: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    if values.empty:
        return {}
    coded = values[values["code"].notna()]
    out: dict[str, dict[str, float | None]] = {}
    for rid, code, value in zip(coded["report_id"], coded["code"], coded["value"], strict=True):
        out.setdefault(rid, {}).setdefault(code, None if pd.isna(value) else float(value))
    return out


def _crosswalk(codebook: Any) -> list[dict[str, Any]]:
    if codebook is None:
        try:
            from extractors.codebook import load_codebook

            codebook = load_codebook()
        except NotImplementedError:
            return []
    return list(getattr(codebook, "crosswalk", None) or [])


def coverage_grid(reports: pd.DataFrame) -> pd.DataFrame:
    """place × year → best status held ("missing" where no report), years from first to last held."""
    placed = reports.dropna(subset=["place", "year"])
    statuses = [c["status"] for c in report_spec()["coverage"]]
    if placed.empty:
        return pd.DataFrame()
    rank = {s: i for i, s in enumerate(statuses)}
    placed = placed.assign(year=placed["year"].astype(int), rank=placed["status"].map(rank))
    placed = placed.dropna(subset=["rank"])
    if placed.empty:
        return pd.DataFrame()
    best = placed.groupby(["place", "year"])["rank"].min().unstack("year")
    years = range(int(placed["year"].min()), int(placed["year"].max()) + 1)
    best = best.reindex(columns=list(years)).sort_index()
    return best.apply(lambda col: col.map(lambda r: "missing" if pd.isna(r) else statuses[int(r)]))


# ----------------------------------------------------------------------------------------- figures


def cjk_font() -> str | None:
    """The first installed font that has Chinese glyphs (for place names), or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in names), None)


def _style(font: str | None) -> dict[str, Any]:
    """Matplotlib settings of the figures; without a CJK font places are shown by code."""
    return {
        "font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
        "axes.unicode_minus": False,
        "figure.dpi": 100,
    }


def _label(place: str, font: str | None) -> str:
    """Chinese names need a CJK font; without one keep the ASCII division code."""
    if font or place.isascii():
        return place
    code = place.split()[-1]
    return code if code.isascii() else "?"


def _coverage_figure(reports: pd.DataFrame, font: str | None) -> plt.Figure:
    grid = coverage_grid(reports)
    spec = report_spec()["coverage"]
    if grid.empty:
        return _empty_figure("Coverage: no report with a known district and year")
    if len(grid) > report_spec()["limits"]["grid_rows"]:
        return _coverage_summary_figure(reports, grid, font)
    codes = {c["status"]: i for i, c in enumerate(spec)}
    fig, ax = plt.subplots(figsize=(max(6, 0.55 * grid.shape[1] + 3), max(2.5, 0.4 * grid.shape[0] + 1.6)))
    ax.imshow(grid.map(codes.get).to_numpy(dtype=float), cmap=ListedColormap([c["colour"] for c in spec]),
              vmin=0, vmax=len(spec) - 1, aspect="auto")  # fmt: skip
    ax.set_xticks(range(grid.shape[1]), [str(y) for y in grid.columns], rotation=90)
    ax.set_yticks(range(grid.shape[0]), [_label(p, font) for p in grid.index])
    ax.set_xticks([x - 0.5 for x in range(grid.shape[1] + 1)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(grid.shape[0] + 1)], minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c["colour"]) for c in spec]
    ax.legend(handles, [c["label"] for c in spec], loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title("Coverage: reports held per district and year")
    fig.tight_layout()
    return fig


def _coverage_summary_figure(reports: pd.DataFrame, grid: pd.DataFrame, font: str | None) -> plt.Figure:
    """Too many districts for one row each: provinces × years, number of districts with a table read."""
    province = reports.dropna(subset=["place"]).groupby("place")["province"].first().fillna("unknown")
    read = grid.isin(["ok", "partial"]).groupby(province.reindex(grid.index).fillna("unknown")).sum()
    held = grid.ne("missing").any(axis=1).groupby(province.reindex(grid.index).fillna("unknown")).sum()
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * read.shape[1] + 3), max(2.5, 0.4 * read.shape[0] + 1.6)))
    ax.imshow(
        read.to_numpy(dtype=float) / held.to_numpy()[:, None], cmap="Greens", vmin=0, vmax=1, aspect="auto"
    )
    for (i, j), n in np.ndenumerate(read.to_numpy()):
        ax.text(j, i, str(n), ha="center", va="center", fontsize=7)
    ax.set_xticks(range(read.shape[1]), [str(y) for y in read.columns], rotation=90)
    ax.set_yticks(range(read.shape[0]), [f"{_label(str(p), font)} ({held[p]})" for p in read.index])
    ax.set_title(f"Coverage: districts with a table read, per province (of {len(grid)} districts held)")
    fig.tight_layout()
    return fig


def _findings_figure(findings: pd.DataFrame) -> plt.Figure:
    if findings.empty:
        return _empty_figure("Findings: none")
    colours = report_spec()["severity"]
    table = findings.groupby(["kind", "severity"]).size().unstack("severity", fill_value=0)
    table = table.reindex(columns=[s for s in colours if s in table.columns])
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.35 * len(table) + 1.2)))
    table.plot.barh(stacked=True, ax=ax, color=[colours[s] for s in table.columns], width=0.7)
    ax.set_xlabel("findings")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("")
    ax.set_title("Findings by kind and severity")
    fig.tight_layout()
    return fig


def _identity_figure(data: Data, font: str | None) -> plt.Figure:
    counts = identity_failures(data)
    if counts.empty or counts.sum() == 0:
        return _empty_figure("Failed identities: none")
    limit, total = report_spec()["limits"]["bars"], len(counts)
    title = "Failed identities per district"
    if total > limit:
        counts = counts.sort_values(kind="stable").iloc[-limit:]
        title += f" (the {limit} with most, of {total})"
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.35 * len(counts) + 1.2)))
    ax.barh([_label(p, font) for p in counts.index], counts.to_numpy(), color="#c92a2a")
    ax.set_xlabel("failed checks (identities and narrative cross-checks)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def identity_failures(data: Data) -> pd.Series:
    """place → number of identity/narrative findings, every place held listed (0 when none)."""
    places = data.reports["place"].fillna("unknown")
    if data.findings.empty:
        return pd.Series(0, index=sorted(set(places)), dtype=int)
    kinds = report_spec()["identity_kinds"]
    failed = data.findings[data.findings["kind"].isin(kinds)]
    place_of = dict(zip(data.reports["report_id"], places, strict=True))
    counts = failed["report_id"].map(place_of).fillna("unknown").value_counts()
    counts = counts.reindex(sorted(set(places) | set(counts.index)), fill_value=0)
    return counts.sort_index(ascending=False).astype(int)


def _headline_figure(series: pd.DataFrame, font: str | None) -> plt.Figure:
    items = report_spec()["headline"]
    if series.empty:
        return _empty_figure("Headline series: no report with a statistics table")
    years = list(range(int(series["year"].min()), int(series["year"].max()) + 1))
    fig, axes = plt.subplots(1, len(items), figsize=(4.2 * len(items), 3.8), squeeze=False, sharex=True)
    many = series["place"].nunique() > report_spec()["limits"]["lines"]
    for ax, item in zip(axes[0], items, strict=True):
        if many:
            _plot_spread(ax, series, item["concept"], years)
        else:
            _plot_lines(ax, series, item["concept"], years, font)
        if not ax.lines:
            ax.text(0.5, 0.5, "no values", ha="center", va="center", transform=ax.transAxes, color="#868e96")
        ax.set_title(f"{item['title']}\n{item['title_zh'] if font else item['concept']}", fontsize=10)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylim(bottom=0)
        if years[0] <= 2018 < years[-1]:
            ax.axvline(2018.5, color="#adb5bd", linestyle=":", linewidth=1)
    handles, labels = axes[0][0].get_legend_handles_labels()
    for ax in axes[0][1:]:
        for h, lb in zip(*ax.get_legend_handles_labels(), strict=True):
            if lb not in labels:
                handles.append(h)
                labels.append(lb)
    if labels:
        fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), frameon=False)
    fig.suptitle("Headline series (dotted line: 2019 form change; crosswalk-joined)", fontsize=11)
    fig.tight_layout(rect=(0, 0.08 + 0.04 * (len(labels) // 5), 1, 1))
    return fig


def _plot_lines(ax: plt.Axes, series: pd.DataFrame, concept: str, years: list[int], font: str | None) -> None:
    """One line per district: one point per year (its first report), gaps where a year is not held."""
    for place, part in series.groupby("place", sort=True):
        line = part.groupby("year")[concept].first().reindex(years)
        if line.notna().any():
            ax.plot(years, line.to_numpy(dtype=float), marker="o", label=_label(str(place), font))


def _plot_spread(ax: plt.Axes, series: pd.DataFrame, concept: str, years: list[int]) -> None:
    """Median and interquartile range over districts per year, with the number of districts."""
    by_year = series.dropna(subset=[concept]).groupby("year")[concept]
    stats = pd.DataFrame({"q1": by_year.quantile(0.25), "median": by_year.median(), "q3": by_year.quantile(0.75),
                          "n": by_year.size()}).reindex(years)  # fmt: skip
    ax.fill_between(years, stats["q1"].to_numpy(dtype=float), stats["q3"].to_numpy(dtype=float),
                    color="#a5d8ff", label="interquartile range")  # fmt: skip
    ax.plot(
        years, stats["median"].to_numpy(dtype=float), marker="o", color="#1c7ed6", label="median district"
    )
    for year, row in stats.dropna(subset=["median"]).iterrows():
        ax.annotate(f"n={int(row['n'])}", (year, row["median"]), fontsize=6, xytext=(0, 5),
                    textcoords="offset points", ha="center")  # fmt: skip


def _empty_figure(title: str) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(6, 1.5))
    ax.axis("off")
    ax.text(0.5, 0.5, title, ha="center", va="center")
    return fig


def _save(fig: plt.Figure, path: Path) -> None:
    """PNG without the Software/date stamp, through a temp file: reruns are byte-identical."""
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, format="png", metadata={"Software": None}, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)


# -------------------------------------------------------------------------------------------- html


def _html(
    data: Data, series: pd.DataFrame, archive: Path, report_dir: Path, crosswalk: list[dict[str, Any]]
) -> str:
    reports = data.reports
    status_counts = reports["status"].value_counts().sort_index()
    n_values = int(data.values["value"].notna().sum()) if not data.values.empty else 0
    grid = coverage_grid(reports)
    fields = {
        "n_reports": len(reports),
        "n_places": reports["place"].nunique(),
        "years": _year_span(reports),
        "n_values": n_values,
        "n_findings": len(data.findings),
        "status_rows": "".join(f"<tr><td>{_e(s)}</td><td>{n}</td></tr>" for s, n in status_counts.items()),
        "missing": _missing_rows(grid),
        "findings_rows": _findings_rows(data.findings),
        "series_table": _series_table(series),
        "concept_rows": _concept_rows(crosswalk),
        "report_rows": "\n".join(_report_row(r, archive, report_dir) for r in reports.itertuples()),
    }
    page = Template((TEMPLATES / "report.html").read_text(encoding="utf-8"))
    return page.substitute({k: str(v) for k, v in fields.items()})


def _missing_rows(grid: pd.DataFrame) -> str:
    """One table row per place: the years without a report, as ranges (2013–2015, 2018)."""
    rows = []
    for place in grid.index:
        years = [int(y) for y in grid.columns if grid.loc[place, y] == "missing"]
        if years:
            rows.append(f"<tr><td>{_e(place)}</td><td>{_e(_ranges(years))}</td></tr>")
    return "".join(rows) or "<tr><td colspan=2>none</td></tr>"


def _ranges(years: list[int]) -> str:
    spans: list[list[int]] = []
    for year in sorted(years):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _year_span(reports: pd.DataFrame) -> str:
    years = reports["year"].dropna()
    return f"{int(years.min())}–{int(years.max())}" if not years.empty else "none"


def _findings_rows(findings: pd.DataFrame) -> str:
    if findings.empty:
        return ""
    table = findings.groupby(["kind", "severity"]).size().reset_index(name="n")
    table = table.sort_values(["n", "kind"], ascending=[False, True])
    return "".join(
        f"<tr><td>{_e(r.kind)}</td><td>{_e(r.severity)}</td><td>{r.n}</td></tr>" for r in table.itertuples()
    )


def _concept_rows(crosswalk: list[dict[str, Any]]) -> str:
    """How each headline concept is read from each form, and how comparable the forms are."""
    by_name = {c.get("concept"): c for c in crosswalk}
    rows = []
    for item in report_spec()["headline"]:
        concept = by_name.get(item["concept"], {})
        codes = "<br>".join(f"{_e(k)}: <code>{_e(v)}</code>" for k, v in (concept.get("codes") or {}).items())
        note = " ".join(str(concept.get("note") or "").split())
        cells = [
            _e(item["title"]),
            codes or "not in the crosswalk",
            _e(concept.get("comparability")),
            _e(note),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "".join(rows)


def _series_table(series: pd.DataFrame) -> str:
    items = report_spec()["headline"]
    head = "".join(f"<th>{_e(i['title'])}<br><small>{_e(i['title_zh'])}</small></th>" for i in items)
    body = []
    for r in series.sort_values(["place", "year"]).itertuples(index=False):
        cells = "".join(f"<td class=num>{_num(getattr(r, i['concept']))}</td>" for i in items)
        body.append(f"<tr><td>{_e(r.place)}</td><td>{r.year}</td>{cells}</tr>")
    return f"<table><tr><th>district</th><th>year</th>{head}</tr>{''.join(body)}</table>"


def _report_row(r: Any, archive: Path, report_dir: Path) -> str:
    source = _s(getattr(r, "source", None))
    link = f'<a href="{_e(source)}">source</a>' if source.startswith(("http://", "https://")) else _e(source)
    record = _s(getattr(r, "archive_record", None))
    href = _archive_href(record, archive, report_dir) if record else None
    archived = f'<a href="{_e(href)}">{_e(record)}</a>' if href else (_e(record) or "—")
    cells = [
        f"<code>{_e(r.report_id)}</code>", _e(_s(r.place)), _num(r.year), _e(_s(r.template)),
        _e(_s(r.status)), _num(getattr(r, "n_values", None)), _num(getattr(r, "n_findings", None)),
        f"{_e(_s(getattr(r, 'title', None)))}<br>{link}", archived,
    ]  # fmt: skip
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _archive_href(record: str, archive: Path, report_dir: Path) -> str | None:
    """`<warc file>#<offset>` → relative link to the WARC file (offset kept as the fragment).

    A URL is linked as it is; any other form (e.g. a JSON record) is shown, not linked.
    """
    if record.startswith(("http://", "https://", "file://")):
        return record
    match = _WARC_RECORD.fullmatch(record)
    if not match:
        return None
    rel = Path(os.path.relpath(archive / "warc" / match["file"], report_dir)).as_posix()
    return f"{rel}#{match['offset']}" if match["offset"] else rel


def _s(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _num(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def _e(text: Any) -> str:
    return html.escape(_s(text))
