"""OFD (GB/T 33190) attachments → Document. Placeholder until the reader lands (same commit series)."""

from __future__ import annotations

from extractors.model import Document

Problem = tuple[str, str]


def load(data: bytes) -> tuple[Document | None, Problem] | None:
    """load.py's route: None when `data` is not an OFD file."""
    return None
