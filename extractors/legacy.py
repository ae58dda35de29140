"""Reader for the legacy (2008–2018) list-shaped statistics tables: national 2014 form and provincial ones.

OWNER: legacy/foundation helper.
"""

from __future__ import annotations

from extractors.model import Document, TableResult


def read(doc: Document, codebook) -> TableResult | None:
    """Return the legacy table found in `doc`, or None when there is none."""
    return None
