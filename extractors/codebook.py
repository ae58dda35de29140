"""Loads the codebook (extractors/codebook/*.yaml): indicators, label variants, units, identities.

Everything a reader or the validator needs to know about a statistics form (its labels, codes, units
and accounting identities) lives in YAML next to this module, so a new form or a new label variant
seen in the wild is a data change, not a code change. Format: docs/ARCHITECTURE.md § Codebook.

A template file holds one form (`variant: legacy-2014`) or several (`templates: [...]`, as in
provincial.yaml). `crosswalk.yaml` holds the list of concepts shared across forms. Identities are
plain equations over codes ("a = b + c", "a + b = c + d", "a <= b"); `for_each` placeholders are
expanded here so that callers only ever see concrete equations.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from extractors.labels import to_simplified  # noqa: F401  (one implementation, re-exported for the readers)
from extractors.yaml_data import load_yaml

CODEBOOK_DIR = resources.files("extractors") / "codebook"  # a zip path inside a scrapyd egg
CROSSWALK_FILE = "crosswalk.yaml"

Number = int | float
Comparison = Literal["=", "<=", ">="]
#: A term of an identity side: (+1 or -1, code).
Term = tuple[int, str]


@dataclass(frozen=True, slots=True)
class Column:
    """A value column of a matrix or multi-column form (e.g. 自然人, 历年累计)."""

    code: str
    label: str
    variants: tuple[str, ...] = ()
    pattern: str | None = None  # regex a printed header may match instead of a fixed label
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Indicator:
    """One row (or row × column family) of a form, with the labels it is printed under."""

    code: str
    label: str
    section: str | None = None
    label_en: str | None = None
    variants: tuple[str, ...] = ()
    unit: str | None = None
    parent: str | None = None
    kind: str = "value"  # section | section_value | header | group | value
    columns: tuple[str, ...] | None = None  # matrix rows: column codes that apply (None: all)
    definition: str | None = None
    note: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # any other key of the YAML row

    @property
    def has_value(self) -> bool:
        """True when the form prints a number on this row."""
        return self.kind in ("value", "section_value")

    @property
    def labels(self) -> tuple[str, ...]:
        """The official label followed by every variant seen in the wild."""
        return (self.label, *self.variants)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of evaluating one identity over a report's values."""

    status: Literal["ok", "failed", "not_assessable", "absent"]
    left: Number | None = None
    right: Number | None = None
    missing: tuple[str, ...] = ()  # operands that were printed blank
    absent: tuple[str, ...] = ()  # operands with no row at all


@dataclass(frozen=True, slots=True)
class Identity:
    """An accounting rule of a form, already expanded (no `{col}` placeholders left)."""

    id: str
    expr: str
    kind: str
    left: tuple[Term, ...]
    op: Comparison
    right: tuple[Term, ...]
    note: str | None = None
    #: Derived once (a page checks dozens of identities, nearly all of which hold): the codes as a
    #: set, and each side's codes when all its signs are + (None otherwise; see `_side_sum`).
    code_set: frozenset[str] = field(init=False, repr=False, compare=False)
    _plain: tuple[tuple[str, ...] | None, tuple[str, ...] | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code_set", frozenset(self.codes))
        object.__setattr__(self, "_plain", (_plain_codes(self.left), _plain_codes(self.right)))

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code the identity reads, left side first."""
        return tuple(code for _, code in (*self.left, *self.right))

    def check(self, values: Mapping[str, Number | None], tolerance: float = 1e-6) -> CheckResult:
        """Evaluate the identity over `values` (code → number, None for a blank cell).

        A code missing from `values` means the row is not on the page (`absent`: nothing to say);
        a code present with None means the cell was printed blank (`not_assessable`).
        """
        absent = tuple(c for c in self.codes if c not in values)
        if absent:
            return CheckResult("absent", absent=absent)
        missing = tuple(c for c in self.codes if values[c] is None)
        if missing:
            return CheckResult("not_assessable", missing=missing)
        left, right = self._sums(values)
        return CheckResult("ok" if _compare(left, self.op, right, tolerance) else "failed", left=left, right=right)

    def holds(self, values: Mapping[str, Number | None], tolerance: float = 1e-6) -> bool:
        """`check(values).status == "ok"` without building the result; every operand must be in
        `values` and not None (the caller tests that, with `code_set`)."""
        left, right = self._sums(values)
        return _compare(left, self.op, right, tolerance)

    def _sums(self, values: Mapping[str, Number | None]) -> tuple[Number, Number]:
        return _side_sum(self.left, self._plain[0], values), _side_sum(self.right, self._plain[1], values)


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """One statistics form: how to recognise it, its rows, columns and identities."""

    template: str  # family id used in Report.template ("legacy", "gov2019", ...)
    variant: str  # finer id ("legacy-2014", "fj-provincial", ...)
    name: str | None
    years: Mapping[str, int | None]
    markers: tuple[str, ...]
    columns: tuple[Column, ...]
    indicators: tuple[Indicator, ...]
    identities: tuple[Identity, ...]
    raw: Mapping[str, Any] = field(default_factory=dict)  # the YAML document, for readers' extras

    def column(self, code: str) -> Column | None:
        return next((c for c in self.columns if c.code == code), None)


class Codebook:
    """All forms known to the extractors, indexed by variant id."""

    def __init__(self, templates: Mapping[str, TemplateSpec], crosswalk: list[dict[str, Any]]):
        self.templates: dict[str, TemplateSpec] = dict(templates)
        self.crosswalk: list[dict[str, Any]] = crosswalk

    def indicators(self, variant: str) -> list[Indicator]:
        return list(self.templates[variant].indicators)

    def indicator(self, code: str, variant: str | None = None) -> Indicator | None:
        """The indicator with this code (a matrix cell code is looked up by its row part)."""
        row_code = code.split("@", 1)[0]
        specs = [self.templates[variant]] if variant else self.templates.values()
        for spec in specs:
            for ind in spec.indicators:
                if ind.code in (code, row_code):
                    return ind
        return None

    def identities(self, variant: str) -> list[Identity]:
        return list(self.templates[variant].identities)

    def variants(self, template: str | None = None) -> list[str]:
        """Variant ids, optionally only those of one template family."""
        return [v for v, spec in self.templates.items() if template is None or spec.template == template]


# --------------------------------------------------------------------------------------------- loading


@functools.cache
def load_codebook(directory: str | None = None) -> Codebook:
    """Read every template file and the crosswalk under `directory` (default: extractors/codebook/)."""
    root = Path(directory) if directory else CODEBOOK_DIR
    templates: dict[str, TemplateSpec] = {}
    crosswalk: list[dict[str, Any]] = []
    for path in sorted((p for p in root.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name):
        doc = load_yaml(path.read_text(encoding="utf-8")) or {}
        if path.name == CROSSWALK_FILE:
            crosswalk = list(doc.get("crosswalk", []) if isinstance(doc, dict) else doc)
            continue
        for raw in doc.get("templates", [doc]):
            spec = _template(raw, source=path.name)
            if spec.variant in templates:
                raise ValueError(f"{path.name}: variant {spec.variant!r} defined twice")
            templates[spec.variant] = spec
    return Codebook(templates, crosswalk)


def _template(raw: Mapping[str, Any], source: str) -> TemplateSpec:
    if "template" not in raw or "variant" not in raw:
        raise ValueError(f"{source}: a template needs 'template' and 'variant' keys")
    indicators = tuple(_indicator(r) for r in raw.get("indicators", []))
    columns = tuple(_column(c) for c in raw.get("columns", []) or [])
    identities = tuple(
        ident for r in raw.get("identities", []) or [] for ident in expand_identity(r, indicators)
    )
    return TemplateSpec(
        template=str(raw["template"]),
        variant=str(raw["variant"]),
        name=raw.get("name"),
        years=dict(raw.get("years") or {}),
        markers=tuple(raw.get("markers") or ()),
        columns=columns,
        indicators=indicators,
        identities=identities,
        raw=dict(raw),
    )


_INDICATOR_KEYS = {"code", "label", "section", "label_en", "variants", "unit", "parent", "kind", "columns"}
_INDICATOR_KEYS |= {"definition", "note"}


def _indicator(raw: Mapping[str, Any]) -> Indicator:
    return Indicator(
        code=str(raw["code"]),
        label=str(raw["label"]),
        section=raw.get("section"),
        label_en=raw.get("label_en"),
        variants=tuple(str(v) for v in raw.get("variants") or ()),
        unit=raw.get("unit"),
        parent=raw.get("parent"),
        kind=raw.get("kind", "value"),
        columns=tuple(raw["columns"]) if raw.get("columns") is not None else None,
        definition=raw.get("definition"),
        note=raw.get("note"),
        extra={k: v for k, v in raw.items() if k not in _INDICATOR_KEYS},
    )


def _column(raw: Mapping[str, Any]) -> Column:
    return Column(
        code=str(raw["code"]),
        label=str(raw["label"]),
        variants=tuple(str(v) for v in raw.get("variants") or ()),
        pattern=raw.get("pattern"),
        unit=raw.get("unit"),
    )


# ------------------------------------------------------------------------------------------ identities

_COMPARISON = re.compile(r"\s*(<=|>=|=)\s*")
_TERM = re.compile(r"\s*([+-]?)\s*([A-Za-z_][\w.@]*)\s*")


def parse_expr(expr: str) -> tuple[tuple[Term, ...], Comparison, tuple[Term, ...]]:
    """Parse "a = b + c", "a + b = c + d", "a <= b" (also ">=", "a = b - c") into two term lists.

    Codes may contain dots and "@" ("apps.new@total"). Anything else is a ValueError, so a typo in
    the YAML fails the codebook tests instead of silently checking nothing.
    """
    parts = _COMPARISON.split(expr.strip())
    if len(parts) != 3:
        raise ValueError(f"identity {expr!r}: expected exactly one of =, <=, >=")
    left, op, right = parts
    return _terms(left, expr), op, _terms(right, expr)  # type: ignore[return-value]


def _terms(side: str, expr: str) -> tuple[Term, ...]:
    terms: list[Term] = []
    pos = 0
    while pos < len(side):
        m = _TERM.match(side, pos)
        if not m or m.end() == pos or (terms and not m.group(1)):
            raise ValueError(f"identity {expr!r}: cannot parse {side[pos:]!r}")
        terms.append((-1 if m.group(1) == "-" else 1, m.group(2)))
        pos = m.end()
    if not terms:
        raise ValueError(f"identity {expr!r}: empty side")
    return tuple(terms)


def expand_identity(raw: Mapping[str, Any], indicators: Iterable[Indicator] = ()) -> list[Identity]:
    """Turn one YAML identity into concrete ones, one per combination of its `for_each` values.

    `for_each` maps a placeholder to a list of values, or to a selector over the template's
    indicators (e.g. `{row: {kind: value, section: t3}}` → every matching indicator code).
    The expanded id is the base id with the values in brackets: `gov.t3.balance[total]`.
    """
    for_each = raw.get("for_each") or {}
    names = list(for_each)
    choices = [_for_each_values(for_each[n], list(indicators)) for n in names]
    out = []
    for combo in itertools.product(*choices):
        subst = dict(zip(names, combo, strict=True))
        expr = str(raw["expr"]).format(**subst) if subst else str(raw["expr"])
        left, op, right = parse_expr(expr)
        suffix = f"[{','.join(combo)}]" if combo else ""
        out.append(
            Identity(
                id=f"{raw['id']}{suffix}",
                expr=expr,
                kind=raw.get("kind", "definitional"),
                left=left,
                op=op,
                right=right,
                note=raw.get("note"),
            )
        )
    return out


def _for_each_values(spec: Any, indicators: list[Indicator]) -> list[str]:
    if isinstance(spec, Mapping):
        return [
            ind.code
            for ind in indicators
            if all(_matches(getattr(ind, k, ind.extra.get(k)), v) for k, v in spec.items())
        ]
    return [str(v) for v in spec]


def _matches(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, list):
        return actual in wanted
    return actual == wanted


def _plain_codes(terms: tuple[Term, ...]) -> tuple[str, ...] | None:
    """A side's codes when every sign is +, else None."""
    if terms and all(sign == 1 for sign, _ in terms):
        return tuple(code for _, code in terms)
    return None


def _side_sum(terms: tuple[Term, ...], plain: tuple[str, ...] | None, values: Mapping[str, Number | None]) -> Number:
    """One side's sum; a side of plain additions (most sides) is summed in C (1 * v is v)."""
    if plain is not None:
        return sum(map(values.__getitem__, plain))  # type: ignore[arg-type]
    return sum(sign * values[code] for sign, code in terms)  # type: ignore[operator]


def _compare(left: Number, op: Comparison, right: Number, tolerance: float) -> bool:
    if op == "=":
        return abs(left - right) <= tolerance * max(1.0, abs(left), abs(right))
    if op == "<=":
        return left <= right + tolerance
    return left + tolerance >= right

