"""Turning values read from pages into path segments that cannot escape the output folder.

District, title and publisher names come from pages anyone can publish (spam mirrors included), so
they never reach the file system as they are: the district folders are named by the 6-digit
division code or `unknown`, the year files by a 4-digit year or `unknown`, and anything else goes
through `slug()` (no separators, no dot-dot, no NUL or control characters, bounded length).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

UNKNOWN = "unknown"
#: Bytes, not characters: most file systems cap a name at 255 bytes and CJK takes 3 in UTF-8.
MAX_NAME_BYTES = 96
_ADCODE = re.compile(r"\d{6}")
_YEAR = re.compile(r"(19|20)\d{2}")
_UNSAFE = re.compile(r"[^\w.\-]+")
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


def district_segment(adcode: object) -> str:
    """The folder of a district: its 6-digit code, or `unknown` for anything else."""
    return adcode if isinstance(adcode, str) and _ADCODE.fullmatch(adcode) else UNKNOWN


def year_segment(year: object) -> str:
    """The file stem of a year: four digits (1900-2099), or `unknown`."""
    text = str(year) if isinstance(year, int) and not isinstance(year, bool) else ""
    return text if _YEAR.fullmatch(text) else UNKNOWN


def slug(name: object, fallback: str = UNKNOWN) -> str:
    """A safe single path segment for any text (unicode letters kept, everything else folded to '-').

    Over-long names are cut and get a short hash of the whole name, so two long names that share
    a prefix stay distinct.
    """
    text = unicodedata.normalize("NFKC", str(name or ""))
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _UNSAFE.sub("-", text).strip("-._")
    text = re.sub(r"\.{2,}", ".", text)
    if not text or text.lower().split(".")[0] in _WINDOWS_RESERVED:
        return fallback if not text else f"_{text}"
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        digest = hashlib.sha256(str(name).encode("utf-8", "surrogatepass")).hexdigest()[:10]
        head = encoded[: MAX_NAME_BYTES - 11].decode("utf-8", "ignore").rstrip("-._")
        text = f"{head}-{digest}"
    return text


def inside(base: Path, *segments: str) -> Path:
    """`base / segments`, refusing any result that resolves outside `base`."""
    root = base.resolve()
    path = root.joinpath(*segments).resolve()
    if path != root and root not in path.parents:
        raise ValueError(f"path {path} escapes {root}")
    return path
