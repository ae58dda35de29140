"""PDF text layer → Document (pdfplumber words with positions → lines and table grids).

OWNER: PDF helper.
"""

from __future__ import annotations

from extractors.model import Document


def pdf_to_document(data: bytes) -> Document:
    raise NotImplementedError
