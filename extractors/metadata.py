"""Report metadata: title, publisher, place and division codes (cpca), statistical year, publish date.

OWNER: metadata/output helper.
"""

from __future__ import annotations

from extractors.model import Document, Finding, Metadata


def read_metadata(doc: Document, *, url: str | None, filename: str | None) -> tuple[Metadata, list[Finding]]:
    return Metadata(), []
