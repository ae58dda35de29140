"""Test helper: a Document from a real file through `extractors.load`, or a minimal stand-in.

The stand-in (meta tags, visible text lines, PDF text lines) exists only while load.py/pdf.py are
stubs, so metadata and writer tests can run before the loaders land; once they do, the real loader
is used and the stand-in is dead code to delete.
"""

from __future__ import annotations

from pathlib import Path

from extractors.model import Document


def document(path: Path) -> Document:
    data = path.read_bytes()
    try:
        from extractors.load import load_document

        doc, _ = load_document(data, filename=path.name)
        if doc is not None:
            return doc
    except NotImplementedError:
        pass
    return _stand_in(data, path.suffix.lower())


def _stand_in(data: bytes, suffix: str) -> Document:
    if suffix == ".pdf":
        import io

        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            lines = [ln for page in pdf.pages for ln in (page.extract_text() or "").splitlines()]
        return Document(kind="pdf", lines=[ln.strip() for ln in lines if ln.strip()])
    if suffix in {".html", ".htm"}:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(data, "lxml")
        meta = {m["name"].lower(): m.get("content", "") for m in soup.find_all("meta") if m.get("name")}
        if soup.title:
            meta["html_title"] = soup.title.get_text(strip=True)
        for tag in soup(["script", "style"]):
            tag.decompose()
        lines = [s.strip() for s in soup.get_text("\n").splitlines() if s.strip()]
        return Document(kind="html", lines=lines, meta=meta)
    text = data.decode("utf-8", errors="replace")
    return Document(kind="text", lines=[s.strip() for s in text.splitlines() if s.strip()])
