"""Writes `output/datapackage.json`: a Frictionless Data package describing every table in output/.

With it a researcher (or `frictionless validate output/datapackage.json`) can check types, units,
keys and the links between tables without reading our code: values.report_id → reports,
values.code → codebook, findings/panel → reports. The descriptor is built from the files actually
present (their header rows), so it never describes a column that is not there; what each column
means is data, in writers/templates/datapackage.yaml.

`write_package(out_dir)` writes the codebook and then the descriptor: call it once the tables are
written (the dataset writer's close()).
"""

from __future__ import annotations

import csv
import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from extractors.yaml_data import load_yaml
from writers.codebook_export import write_atomic, write_codebook

SPEC_FILE = resources.files("writers") / "templates" / "datapackage.yaml"  # a zip path inside a scrapyd egg
#: The main tables, in the order they are listed in the package.
TABLES = ("reports", "values", "panel", "findings", "codebook")
#: Columns of panel.csv that are not indicator codes.
PANEL_ID_COLUMNS = {"report_id", "year", "adcode", "adcode_current", "province", "city", "district"}
PANEL_ID_COLUMNS |= {"publisher", "template", "template_variant"}
UNDOCUMENTED = "undocumented column"


@functools.cache
def package_spec() -> dict[str, Any]:
    """The field catalogue and per-table keys (writers/templates/datapackage.yaml)."""
    return load_yaml(SPEC_FILE.read_text(encoding="utf-8"))


def build_descriptor(out_dir: str | Path) -> dict[str, Any]:
    """The datapackage.json content for the tables present in `out_dir`."""
    out = Path(out_dir)
    spec = package_spec()
    present = {name: out / f"{name}.csv" for name in TABLES if (out / f"{name}.csv").is_file()}
    codes = _codebook_labels(present.get("codebook"))
    resources = [
        _resource(name, path.name, _header(path), spec, present, codes) for name, path in present.items()
    ]
    parts = sorted(out.glob("districts/*/*.csv"))
    if parts:
        # one multipart resource: the files are read as one table, each file's header row skipped
        rels = [p.relative_to(out).as_posix() for p in parts]
        path: str | list[str] = rels if len(rels) > 1 else rels[0]
        resources.append(_resource("districts", path, _header(parts[0]), spec, present, codes))
    package = dict(spec["package"])
    package["resources"] = resources
    return package


def write_datapackage(out_dir: str | Path) -> Path:
    """Write `out_dir/datapackage.json` describing the CSV tables already in `out_dir`."""
    out = Path(out_dir)
    text = json.dumps(build_descriptor(out), ensure_ascii=False, indent=2) + "\n"
    path = out / "datapackage.json"
    write_atomic(path, text.encode("utf-8"))
    return path


def write_package(out_dir: str | Path, codebook: Any = None) -> Path:
    """Write codebook.csv/.parquet, then datapackage.json; returns the descriptor's path."""
    write_codebook(out_dir, codebook)
    return write_datapackage(out_dir)


# ------------------------------------------------------------------------------------------ internals


def _resource(
    kind: str,
    path: str | list[str],
    columns: list[str],
    spec: dict[str, Any],
    present: dict[str, Path],
    codes: dict[str, str],
    name: str | None = None,
) -> dict[str, Any]:
    table = spec["resources"].get(kind, {})
    fields = [_field(kind, col, spec, codes) for col in columns]
    schema: dict[str, Any] = {"fields": fields, "missingValues": list(spec["missing_values"])}
    if table.get("primary_key") and set(table["primary_key"]) <= set(columns):
        schema["primaryKey"] = list(table["primary_key"])
    foreign = [fk for fk in table.get("foreign_keys", []) if _fk_applies(fk, columns, present)]
    if foreign:
        schema["foreignKeys"] = [_foreign_key(fk) for fk in foreign]
    return {
        "name": name or kind,
        "path": path,
        "type": "table",
        "scheme": "file",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": " ".join(str(table.get("description", "")).split()),
        "schema": schema,
    }


def _field(kind: str, column: str, spec: dict[str, Any], codes: dict[str, str]) -> dict[str, Any]:
    base: dict[str, Any] = {}
    if kind == "codebook":
        base.update(spec.get("codebook_fields", {}).get(column, {}))
    if not base:
        base.update(spec["fields"].get(column, {}))
    base.update(spec["resources"].get(kind, {}).get("fields", {}).get(column, {}))
    if not base and kind == "panel" and column not in PANEL_ID_COLUMNS:
        base = {
            "type": "number",
            "description": codes.get(column) or f"indicator {column} (see codebook.csv)",
        }
    field: dict[str, Any] = {"name": column, "type": base.get("type", "string")}
    field["description"] = base.get("description", UNDOCUMENTED)
    if base.get("constraints"):
        field["constraints"] = dict(base["constraints"])
    return field


def _fk_applies(fk: dict[str, Any], columns: list[str], present: dict[str, Path]) -> bool:
    target = fk["reference"]["resource"]
    return fk["fields"] in columns and target in present


def _foreign_key(fk: dict[str, Any]) -> dict[str, Any]:
    ref = fk["reference"]
    return {"fields": [fk["fields"]], "reference": {"resource": ref["resource"], "fields": [ref["fields"]]}}


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh), [])


def _codebook_labels(path: Path | None) -> dict[str, str]:
    """code → "label_zh [column] — label_en (unit)", to describe the panel's indicator columns."""
    if path is None:
        return {}
    out = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            zh = row.get("label_zh", "") + (
                f" | {row['column_label_zh']}" if row.get("column_label_zh") else ""
            )
            en = f" — {row['label_en']}" if row.get("label_en") else ""
            unit = f" ({row['unit']})" if row.get("unit") else ""
            out[row["code"]] = f"{zh}{en}{unit}"
    return out
