"""The one entry point: bytes → Document → metadata → template readers → validation → Report.

Every stage is a pure function in its own module; this file only wires them in order and turns
unexpected input into a status and a message instead of a traceback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from extractors import govform, legacy, load, metadata, validate
from extractors.codebook import load_codebook
from extractors.model import Finding, Report, TableResult

EXTRACTOR_VERSION = "0.1.0"

#: Readers tried on every document; the one that reads the most coded values wins.
READERS = (legacy.read, govform.read)


def extract(
    data: bytes,
    *,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    filename: str | None = None,
) -> Report:
    """Extract one report from the raw bytes of a saved page (HTML, plain text or PDF).

    Args:
        data: the page exactly as fetched or saved.
        url: where it came from (used as `source` and as metadata evidence).
        headers: HTTP response headers, if known (Content-Type charset is honoured).
        filename: the saved file's name, if any (its extension hints the kind; used as `source`
            when there is no URL).
    """
    sha = hashlib.sha256(data).hexdigest()
    report = Report(source=url or filename, sha256=sha, status="ok", extractor_version=EXTRACTOR_VERSION)
    doc, problem = load.load_document(data, headers=headers, filename=filename)
    if doc is None:
        report.status, report.message = problem
        report.findings.append(Finding(kind=report.status, message=report.message, severity="error"))
        return report
    report.content_type = doc.kind
    report.findings.extend(doc.findings)
    codebook = load_codebook()
    report.meta, meta_findings = metadata.read_metadata(doc, url=url, filename=filename)
    report.findings.extend(meta_findings)
    best = _best_table(doc, codebook)
    if best is not None:
        report.template, report.template_variant = best.template, best.variant
        report.template_evidence = best.evidence
        report.rows = best.rows
        report.findings.extend(best.findings)
    report.status, report.message = validate.classify(doc, report)
    report.findings.extend(validate.validate(doc, report, codebook))
    return report


def _best_table(doc, codebook) -> TableResult | None:
    results = [r for r in (reader(doc, codebook) for reader in READERS) if r is not None and r.rows]
    return max(results, key=lambda r: r.score, default=None)
