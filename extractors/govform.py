"""Reader for the new national form (gov2019: 2019–2020 reports; gov2021: 2021 on): tables 二, 三, 四.

OWNER: new-form helper.
"""

from __future__ import annotations

from extractors.model import Document, TableResult


def read(doc: Document, codebook) -> TableResult | None:
    """Return the new-form tables found in `doc`, or None when there are none."""
    return None
