"""The official statistics forms as the corpus generator needs them, with figures that add up.

The forms come from ../shared/reference/templates.yaml (the reference the codebook was started
from) rather than from extractors/codebook, so the benchmark corpus does not change while the
codebook is being corrected; the labels are the official ones either way. Figures are drawn at
random and then made to satisfy the form's sum identities (totals, the t3 balance), so a page reads
like a real report and the validator's identity checks do their normal, passing work.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT.parent / "shared" / "reference" / "templates.yaml"

#: Variants the corpus is made of, with the family id `Report.template` should come back as.
VARIANTS = {"legacy-2014": "legacy", "gov2019": "gov2019", "gov2021": "gov2021"}

#: (low, high, share of zeros) of the random figures, by unit: counts of documents are large,
#: counts of applications and cases small and often zero, like in real reports.
RANGES = {
    "条": (50, 20000, 0.1),
    "篇": (0, 300, 0.1),
    "次": (0, 60, 0.3),
    "件": (0, 40, 0.45),
    "个": (0, 6, 0.2),
    "人": (1, 12, 0.0),
    "人次": (10, 900, 0.1),
    "万元": (0, 80, 0.4),
}


@dataclass(slots=True)
class Block:
    """One rectangular part of a form: a heading, its columns and its rows."""

    id: str
    heading: str
    columns: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    layout: str  # "list" (label/unit/value), "blocks", "matrix", "single_row_grid"
    header_rows: list[list[str]] = field(default_factory=list)
    corner_note: str = ""


@dataclass(slots=True)
class Form:
    variant: str
    template: str
    name: str
    blocks: list[Block]
    identities: list[tuple[str, list[str], list[str]]]  # (kind, left terms, right terms)

    def cells(self) -> list[tuple[str, str | None]]:
        """Every value cell as (code, unit), in reading order."""
        out: list[tuple[str, str | None]] = []
        for block in self.blocks:
            out.extend(_block_cells(block))
        return out


def _block_cells(block: Block) -> list[tuple[str, str | None]]:
    if block.layout == "list":
        return [(r["code"], r.get("unit")) for r in block.rows if r["kind"] in ("value", "section_value")]
    if block.layout == "single_row_grid":
        return [(c["code"], c.get("unit") or "件") for c in block.columns]
    out = []
    for row in block.rows:
        if row.get("kind", "value") != "value":
            continue
        for col in block.columns:
            out.append((f"{row['code']}@{col['code']}", col.get("unit") or row.get("unit") or "件"))
    return out


@cache
def _reference() -> dict[str, Any]:
    with TEMPLATES.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def load_form(variant: str) -> Form:
    """The form of one variant (`legacy-2014`, `gov2019`, `gov2021`) from the reference file."""
    spec = next(t for t in _reference()["templates"] if t["id"] == variant)
    if spec.get("layout") == "list":
        blocks = [Block("legacy", spec["name"], spec["columns"], spec["rows"], "list")]
    else:
        blocks = [_gov_block(t, b) for t in spec["tables"] for b in (t.get("blocks") or [t])]
    form = Form(variant, VARIANTS[variant], spec["name"], blocks, [])
    form.identities = _expand_identities(spec.get("identities") or [], form)
    return form


def _gov_block(table: dict[str, Any], block: dict[str, Any]) -> Block:
    layout = "blocks" if block is not table else table["layout"]
    heading = block.get("heading") or table.get("heading", "")
    return Block(
        id=block["id"],
        heading=heading,
        columns=block.get("columns") or [],
        rows=block.get("rows") or [],
        layout=layout,
        header_rows=table.get("header_rows") or [],
        corner_note=table.get("corner_note") or "",
    )


def _expand_identities(specs: list[dict[str, Any]], form: Form) -> list[tuple[str, list[str], list[str]]]:
    cells = {code for code, _ in form.cells()}
    value_rows = {code.split("@")[0] for code in cells if "@" in code}
    out = []
    for spec in specs:
        if spec.get("kind") not in ("definitional", "official_note", "expected", "inequality"):
            continue
        for expr in _substitute(spec["expr"], spec.get("for_each") or {}, sorted(value_rows)):
            parsed = _parse(expr, spec["kind"])
            if parsed and all(t in cells for t in parsed[1] + parsed[2]):
                out.append(parsed)
    return out


def _substitute(expr: str, for_each: dict[str, Any], value_rows: list[str]) -> list[str]:
    exprs = [expr]
    for name, values in for_each.items():
        if isinstance(values, str):  # "every value row of table t3 (kind: value)"
            values = value_rows
        exprs = [e.replace("{" + name + "}", str(v)) for e in exprs for v in values]
    return exprs


def _parse(expr: str, kind: str) -> tuple[str, list[str], list[str]] | None:
    op = "<=" if kind == "inequality" else "="
    if op not in expr or "derived" in expr:
        return None
    left, right = expr.split(op, 1)
    terms = [[t.strip() for t in re.split(r"\s\+\s", side) if t.strip()] for side in (left, right)]
    return ("inequality" if op == "<=" else "sum", terms[0], terms[1])


def fill(form: Form, rng: random.Random) -> dict[str, float | int]:
    """Random figures for every cell of `form` that satisfy its sum identities and inequalities."""
    values: dict[str, float | int] = {code: _draw(unit, rng) for code, unit in form.cells()}
    for _ in range(30):
        # Every identity is applied on each pass (no short-circuit): count the changes.
        if sum(_apply(ident, values, rng) for ident in form.identities) == 0:
            return values
    raise RuntimeError(f"identities of {form.variant} do not converge")


def _draw(unit: str | None, rng: random.Random) -> float | int:
    low, high, zeros = RANGES.get(unit or "件", RANGES["件"])
    if rng.random() < zeros:
        return 0
    if unit == "万元":
        return round(rng.uniform(0.1, high), 2)
    # Log-uniform: many small counts, a few large ones.
    return round(low + (high - low) * rng.random() ** 3)


def _apply(
    ident: tuple[str, list[str], list[str]], values: dict[str, float | int], rng: random.Random
) -> bool:
    """Make one identity hold; True when a value had to change."""
    kind, left, right = ident
    if kind == "inequality":
        if values[left[0]] <= values[right[0]]:
            return False
        values[left[0]] = rng.randint(0, int(values[right[0]]))
        return True
    if len(left) == 1:
        target, want = left[0], _total(values, right)
    else:  # a + b = c + d: solve for the last right-hand term, topping up a when it would go negative
        target = right[-1]
        want = _total(values, left) - _total(values, right[:-1])
        if want < 0:
            values[left[0]] = _round(values[left[0]] - want)
            want = 0
    if values[target] == want:
        return False
    values[target] = want
    return True


def _total(values: dict[str, float | int], terms: list[str]) -> float | int:
    return _round(sum(values[t] for t in terms))


def _round(x: float) -> float:
    return round(x, 2) if isinstance(x, float) else x


def check(form: Form, values: dict[str, float | int]) -> list[str]:
    """The identities `values` break (empty when the figures add up): the generator's own test."""
    broken = []
    for kind, left, right in form.identities:
        a, b = _total(values, left), _total(values, right)
        if (kind == "inequality" and a > b) or (kind == "sum" and abs(a - b) > 1e-6):
            broken.append(f"{' + '.join(left)} vs {' + '.join(right)}: {a} != {b}")
    return broken
