"""A small output/ folder for the research-package tests (codebook, data package, loading, report).

The reports are synthetic but shaped like real ones (崇川区 2016–2019 across the 2019 form change,
洪泽区 2023–2024, a Fujian two-column form, a page that is not a report), so the tests exercise the
crosswalk join, a coverage gap (崇川区 2018), failed identities, blank cells and provenance columns.
The tables are written by writers.dataset.DatasetWriter, as in a real run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from extractors.codebook import load_codebook
from extractors.model import Finding, Metadata, Report, Row

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_CODEBOOK = ROOT / "tests" / "fixtures" / "research" / "codebook"


def fixture_codebook() -> Any:
    """The trimmed legacy + gov2021 codebook under tests/fixtures/research/codebook/."""
    return load_codebook(str(FIXTURE_CODEBOOK))


def _report(key: str, meta: Metadata, template: str | None, variant: str | None, rows, findings, status="ok"):
    sha = hashlib.sha256(key.encode()).hexdigest()
    return Report(
        source=f"http://www.example.gov.cn/xxgk/{key}.html",
        sha256=sha,
        status=status,
        message="" if status == "ok" else "The page is a letter, not an annual report.",
        meta=meta,
        template=template,
        template_variant=variant,
        rows=rows,
        findings=findings,
        extractor_version="0.1.0",
        content_type="html",
    )


def _legacy_rows(received: int | None, review: int, upheld: int, litigation: int) -> list[Row]:
    raw = "" if received is None else str(received)
    return [
        Row("requests.received", "requests", "（一）收到申请数", unit="件", value=received, raw=raw),
        Row("review.total", "review", "行政复议数量", unit="件", value=review, raw=str(review)),
        Row("review.upheld", "review", "（一）维持具体行政行为数", unit="件", value=upheld, raw=str(upheld)),
        Row(
            "litigation.total",
            "litigation",
            "六、行政诉讼数量",
            unit="件",
            value=litigation,
            raw=str(litigation),
        ),
    ]


def _gov_rows(new_np: int, new_total: int, review: int, direct: int, after: int) -> list[Row]:
    def cell(col: str, header: str, value: int) -> Row:
        return Row(
            f"apps.new@{col}", "t3", "一、本年新收政府信息公开申请数量", column=header, unit="件",
            value=value, raw=str(value), row_code="apps.new", column_code=col,
        )  # fmt: skip

    return [
        cell("natural_person", "自然人", new_np),
        cell("total", "总计", new_total),
        Row("review.total", "t4", "行政复议 总计", unit="件", value=review, raw=str(review)),
        Row(
            "litigation.direct.total", "t4", "未经复议直接起诉 总计", unit="件", value=direct, raw=str(direct)
        ),
        Row("litigation.after_review.total", "t4", "复议后起诉 总计", unit="件", value=after, raw=str(after)),
        Row(None, "t4", "行政复议 其他结果（新）", unit="件", value=1, raw="1"),
    ]


def _meta(district: str, adcode: str, year: int | None, city: str, province: str) -> Metadata:
    publisher = f"{city}{district}人民政府"
    title = f"{publisher}{year}年政府信息公开工作年度报告" if year else f"{publisher}来信"
    return Metadata(
        title, publisher, province, city, district, adcode, adcode, year, f"{(year or 2014) + 1}-03-20"
    )


def sample_reports() -> list[Report]:
    """The synthetic reports, oldest first."""
    cc = ("崇川区", "320602", "南通市", "江苏省")
    hz = ("洪泽区", "320813", "淮安市", "江苏省")
    failed = Finding(
        "identity_failed", "review.total ≠ upheld + corrected + other", "warning", "review.total", 3, 2
    )
    return [
        _report(
            "chongchuan-2016", _meta(cc[0], cc[1], 2016, cc[2], cc[3]), "legacy", "legacy-2014",
            _legacy_rows(None, 3, 1, 1),
            [Finding("missing_value", "blank cell", "info", "requests.received"), failed,
             Finding("spam_injected", "gambling words in the narrative", "error")],
        ),
        _report("chongchuan-2017", _meta(cc[0], cc[1], 2017, cc[2], cc[3]), "legacy", "legacy-2014",
                _legacy_rows(31, 1, 1, 0), []),
        _report("chongchuan-2019", _meta(cc[0], cc[1], 2019, cc[2], cc[3]), "gov2021", "gov2021",
                _gov_rows(38, 40, 2, 1, 1),
                [Finding("unknown_label", "row not in the codebook", "warning")]),
        _report("hongze-2023", _meta(hz[0], hz[1], 2023, hz[2], hz[3]), "gov2021", "gov2021",
                _gov_rows(70, 80, 2, 1, 3), []),
        _report("hongze-2024", _meta(hz[0], hz[1], 2024, hz[2], hz[3]), "gov2021", "gov2021",
                _gov_rows(90, 95, 2, 1, 3),
                [Finding("identity_failed", "apps balance", "warning", "apps.new@total", 95, 96)]),
        _report("pingtan-letter", _meta("平潭综合实验区", "350128", None, "福州市", "福建省"), None, None, [],
                [Finding("not_report", "a letter", "error")], status="not_report"),
    ]  # fmt: skip


def provenance(report: Report) -> dict[str, str]:
    """What a crawl would know about the fetch: time and archived copy."""
    return {
        "fetched_at": "2026-11-20T08:00:00Z",
        "archive_record": f"ogi-20261120T080000Z-1-0.warc.gz#{int(report.sha256[:4], 16)}",
    }


def build_output(out_dir: Path, reports: list[Report] | None = None) -> Path:
    """Write reports/values/panel/findings (+ districts/) for `reports` into `out_dir` (DatasetWriter)."""
    from writers.dataset import DatasetWriter

    reports = sample_reports() if reports is None else reports
    writer = DatasetWriter(out_dir)
    for report in reports:
        writer.add(report, provenance(report))
    writer.close()
    return out_dir


def build_real_output(out_dir: Path, shared: Path) -> Path:
    """Extract the real pages and PDFs in ../shared (and the seed) into `out_dir`, as `ogi extract` would."""
    import json

    from extractors import extract
    from writers.dataset import DatasetWriter

    writer = DatasetWriter(out_dir)
    for folder in sorted((shared / "real-reports").iterdir()):
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        url = meta.get("url") if str(meta.get("url", "")).startswith("http") else None
        writer.add(extract((folder / meta["file"]).read_bytes(), url=url, filename=meta["file"]))
    for seed in sorted((shared / "seeds").glob("*.txt")):
        writer.add(extract(seed.read_bytes(), filename=seed.name))
    writer.close()
    return out_dir
