"""YAML data files (codebook, validation rules, metadata words) parsed with libyaml's C loader.

Every process that extracts (each `ogi extract` or crawl worker) parses the whole codebook once:
PyYAML's pure-Python SafeLoader takes ~0.25 s for it, the C `CSafeLoader` ~10x less and builds the
same objects. The pure-Python loader is the fallback where PyYAML was built without libyaml.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML text with the safe loader (C when available)."""
    return yaml.load(text, Loader=_LOADER)
