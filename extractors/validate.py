"""Validation: report status, codebook identities, narrative cross-checks, injected spam words.

OWNER: legacy/foundation helper (engine); identities themselves are data in the codebook.
"""

from __future__ import annotations

from extractors.model import Document, Finding, Report


def classify(doc: Document, report: Report) -> tuple[str, str]:
    """Decide the report status (ok / partial / no_table / not_report) and a one-sentence message."""
    return ("ok", "") if report.rows else ("no_table", "no statistics table found")


def validate(doc: Document, report: Report, codebook) -> list[Finding]:
    return []
