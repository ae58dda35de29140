"""Exports the codebook as `output/codebook.csv`, one row per code a value can carry.

A researcher opening `values.csv` sees codes such as `apps.new@total`; this table tells them what
each one means (official Chinese label, English label, unit, definition, place in the form) and which
code of the other form family measures the same concept (the crosswalk between the 2014–2018 legacy
form and the 2019+ forms), so a series can be joined across the 2019 break knowingly. Matrix rows are
expanded into one row per cell code, because that is what `values.code` holds and what the data
package's foreign key points at.

Everything comes from `extractors.codebook` (YAML); this module only flattens it.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

#: Columns of codebook.csv, in order (described field by field in templates/datapackage.yaml).
COLUMNS = [
    "code",
    "row_code",
    "column_code",
    "templates",
    "variants",
    "section",
    "label_zh",
    "column_label_zh",
    "label_en",
    "unit",
    "kind",
    "parent",
    "definition",
    "note",
    "other_labels_zh",
    "concept",
    "crosswalk",
    "comparability",
    "crosswalk_note",
]

_CODE_TOKEN = re.compile(r"(?<![\w.@])[A-Za-z_][\w.]*(?:@[\w.]+)?")
_NOT_CODES = {"derived"}


@dataclass
class _Entry:
    """One code gathered over every variant that prints it."""

    fields: dict[str, Any]
    templates: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def codebook_frame(codebook: Any) -> pd.DataFrame:
    """The codebook as a table: one row per code (matrix cells expanded), in form order."""
    entries: dict[str, _Entry] = {}
    for spec in _specs_in_order(codebook):
        for cell in _cells(spec):
            entry = entries.setdefault(cell["code"], _Entry(fields=cell))
            _add_once(entry.templates, spec.template)
            _add_once(entry.variants, spec.variant)
            _add_once(entry.labels, cell["label_zh"])
    crosswalk = list(getattr(codebook, "crosswalk", None) or [])
    rows = []
    for code, entry in entries.items():
        row = dict(entry.fields)
        row["templates"] = ";".join(entry.templates)
        row["variants"] = ";".join(entry.variants)
        row["other_labels_zh"] = " | ".join(lb for lb in entry.labels if lb != row["label_zh"]) or None
        row.update(_crosswalk_for(code, entry.templates + entry.variants, crosswalk))
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def write_codebook(out_dir: str | Path, codebook: Any = None) -> Path:
    """Write `out_dir/codebook.csv` and `codebook.parquet` (default: the extractors' codebook)."""
    if codebook is None:
        from extractors.codebook import load_codebook

        codebook = load_codebook()
    frame = codebook_frame(codebook)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "codebook.csv"
    write_atomic(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    write_atomic(out / "codebook.parquet", _parquet_bytes(frame))
    return path


# ------------------------------------------------------------------------------------------ internals


def _specs_in_order(codebook: Any) -> list[Any]:
    """Variants oldest form first, so the codebook reads like the history of the forms."""
    specs = list(codebook.templates.values())
    return sorted(specs, key=lambda s: ((s.years or {}).get("first") or 0, s.variant))


def _cells(spec: Any) -> Iterator[dict[str, Any]]:
    """Every code of one form: section/header rows as they are, value rows × their columns."""
    for ind in spec.indicators:
        columns = _columns_of(ind, spec)
        base = {
            "row_code": ind.code,
            "section": ind.section,
            "label_zh": ind.label,
            "label_en": ind.label_en,
            "unit": ind.unit,
            "kind": ind.kind,
            "parent": ind.parent,
            "definition": ind.definition,
            "note": ind.note,
        }
        if not columns:
            yield {**base, "code": ind.code, "column_code": None, "column_label_zh": None}
            continue
        for col in columns:
            yield {
                **base,
                "code": f"{ind.code}@{col.code}",
                "column_code": col.code,
                "column_label_zh": col.label,
                "label_en": _cell_label_en(ind.label_en, col, _column_raw(spec, "label_en")),
                "unit": col.unit or ind.unit,
            }


def _columns_of(ind: Any, spec: Any) -> list[Any]:
    """The columns a row has values in: its own list, else its section's (or all) columns of the form.

    Headings have none. A form column may name the section it belongs to (`section: t3` in the
    YAML): rows of other sections (table 四's single cells) then have no columns.
    """
    if ind.kind not in ("value", "section_value"):
        return []
    by_code = {c.code: c for c in spec.columns}
    if ind.columns is not None:
        return [by_code.get(code) or _BareColumn(code) for code in ind.columns]
    sections = _column_raw(spec, "section")
    return [c for c in spec.columns if sections.get(c.code) in (None, ind.section)]


def _column_raw(spec: Any, key: str) -> dict[str, Any]:
    """code → `key` of the form's YAML columns (keys the loader's Column does not keep)."""
    raw = getattr(spec, "raw", None) or {}
    return {
        str(c["code"]): c.get(key) for c in raw.get("columns") or [] if isinstance(c, dict) and "code" in c
    }


@dataclass(frozen=True)
class _BareColumn:
    """A column code a row names but the form's column list does not describe."""

    code: str
    label: str | None = None
    unit: str | None = None


def _cell_label_en(row_en: str | None, col: Any, col_en_by_code: dict[str, Any]) -> str | None:
    col_en = col_en_by_code.get(col.code) or col.code.replace("_", " ")
    return f"{row_en} [{col_en}]" if row_en else None


def _crosswalk_for(code: str, keys: list[str], crosswalk: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Concepts this code belongs to and the codes the other forms print for them."""
    concepts, others, comparability, notes = [], [], [], []
    for concept in crosswalk:
        codes: dict[str, str] = {str(k): str(v) for k, v in (concept.get("codes") or {}).items()}
        mine = [k for k, expr in codes.items() if k in keys and code in _tokens(expr)]
        if not mine:
            continue
        concepts.append(str(concept.get("concept")))
        own = {codes[k] for k in mine if codes[k].strip() != code}
        others.extend(f"this form: {expr}" for expr in sorted(own))
        theirs = [f"{k}: {expr}" for k, expr in codes.items() if k not in keys]
        others.extend(theirs or [f"same code in {', '.join(mine)}"] if len(mine) > 1 else theirs)
        comparability.append(str(concept.get("comparability") or ""))
        if concept.get("note"):
            notes.append(str(concept["note"]).strip())
    return {
        "concept": " | ".join(concepts) or None,
        "crosswalk": "; ".join(others) or None,
        "comparability": " | ".join(comparability) or None,
        "crosswalk_note": " | ".join(notes) or None,
    }


def _tokens(expr: str) -> set[str]:
    return {t for t in _CODE_TOKEN.findall(expr) if t not in _NOT_CODES}


def _add_once(items: list[str], item: str | None) -> None:
    if item and item not in items:
        items.append(item)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, then rename: readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.astype("string").to_parquet(buf, index=False)
    return buf.getvalue()
