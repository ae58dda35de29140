"""Bytes → Document: sniff the kind (HTML, text, PDF, garbage), decode, and reduce to lines + tables.

OWNER: legacy/foundation helper (HTML and text); PDFs are delegated to `extractors.pdf`.
"""

from __future__ import annotations

from collections.abc import Mapping

from extractors.model import Document


def load_document(
    data: bytes, *, headers: Mapping[str, str] | None = None, filename: str | None = None
) -> tuple[Document | None, tuple[str, str]]:
    """Return (document, ("", "")) or (None, (status, message)) for input that is not a page.

    status is one of "empty", "unreadable", "needs_ocr" (see `extractors.model.Status`).
    """
    raise NotImplementedError
