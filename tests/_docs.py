"""Test helper: a Document from a real file, read the way the pipeline reads it (extractors.load)."""

from __future__ import annotations

from pathlib import Path

from extractors.load import load_document
from extractors.model import Document


def document(path: Path) -> Document:
    doc, problem = load_document(path.read_bytes(), filename=path.name)
    assert doc is not None, problem
    return doc
