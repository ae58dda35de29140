"""Loads the codebook (extractors/codebook/*.yaml): indicators, label variants, units, identities.

OWNER: legacy/foundation helper. Format: docs/ARCHITECTURE.md § Codebook.
"""

from __future__ import annotations


def load_codebook():
    raise NotImplementedError
