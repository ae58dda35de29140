"""datapackage.json: a Frictionless descriptor of output/ that `frictionless validate` accepts.

The validator is run as the researcher would run it (the CLI), on a small output folder written
the way the dataset writer writes it, and must also reject broken keys.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.research_sample import build_output, fixture_codebook
from writers.datapackage import UNDOCUMENTED, build_descriptor, write_package

FRICTIONLESS = Path(sys.executable).with_name("frictionless")


def validate(descriptor: Path) -> dict:
    """Run `frictionless validate --json` and return its report."""
    proc = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", str(descriptor)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.stdout, proc.stderr
    return json.loads(proc.stdout)


def errors(report: dict) -> list[str]:
    return [f"{t['name']}: {e['type']}: {e['note']}" for t in report["tasks"] for e in t["errors"]]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = build_output(tmp_path_factory.mktemp("pkg") / "output")
    write_package(out, fixture_codebook())
    return out


@pytest.fixture(scope="module")
def descriptor(out) -> dict:
    return json.loads((out / "datapackage.json").read_text(encoding="utf-8"))


def test_frictionless_validate_passes(out):
    report = validate(out / "datapackage.json")
    assert report["valid"], errors(report)
    assert report["stats"]["tasks"] == len(json.loads((out / "datapackage.json").read_text())["resources"])


def test_every_table_and_district_file_is_a_resource(out, descriptor):
    resources = {r["name"]: r["path"] for r in descriptor["resources"]}
    assert list(resources) == ["reports", "values", "panel", "findings", "codebook", "districts"]
    districts = sorted(p.relative_to(out).as_posix() for p in out.glob("districts/*/*.csv"))
    assert len(districts) > 1
    assert resources["districts"] == districts  # one multipart table


def test_district_files_read_as_one_table_equal_to_values(out):
    tasks = {t["name"]: t for t in validate(out / "datapackage.json")["tasks"]}
    assert tasks["districts"]["valid"]
    assert tasks["districts"]["stats"]["rows"] == tasks["values"]["stats"]["rows"] > 0


def test_fields_match_the_files_and_are_documented(out, descriptor):
    for res in descriptor["resources"]:
        first = res["path"][0] if isinstance(res["path"], list) else res["path"]
        with (out / first).open(encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        fields = res["schema"]["fields"]
        assert [f["name"] for f in fields] == header, res["name"]
        undocumented = [f["name"] for f in fields if f["description"] == UNDOCUMENTED]
        assert not undocumented, (res["name"], undocumented)
        assert all(f["name"] == f["name"].strip() for f in fields)


def test_types_keys_and_missing_values(descriptor):
    res = {r["name"]: r["schema"] for r in descriptor["resources"]}
    types = {f["name"]: f["type"] for f in res["values"]["fields"]}
    assert (types["value"], types["year"], types["position"], types["adcode"]) == (
        "number",
        "integer",
        "integer",
        "string",
    )
    assert res["reports"]["primaryKey"] == ["report_id"]
    assert res["values"]["primaryKey"] == ["report_id", "position"]
    assert res["codebook"]["primaryKey"] == ["code"]
    fks = {(fk["fields"][0], fk["reference"]["resource"]) for fk in res["values"]["foreignKeys"]}
    assert fks == {("report_id", "reports"), ("code", "codebook")}
    assert res["findings"]["foreignKeys"][0]["reference"] == {"resource": "reports", "fields": ["report_id"]}
    assert all(s["missingValues"] == [""] for s in res.values())


def test_panel_code_columns_are_numbers_described_by_the_codebook(descriptor):
    panel = {
        f["name"]: f
        for f in next(r for r in descriptor["resources"] if r["name"] == "panel")["schema"]["fields"]
    }
    assert panel["apps.new@total"]["type"] == "number"
    assert (
        panel["apps.new@total"]["description"]
        == "一、本年新收政府信息公开申请数量 | 总计 — New applications [total] (件)"
    )
    assert panel["district"]["type"] == "string"


def test_provenance_is_described(descriptor):
    text = json.dumps(descriptor, ensure_ascii=False)
    for column in ("source", "fetched_at", "sha256", "archive_record", "extractor_version", "raw", "label"):
        assert f'"name": "{column}"' in text
    assert "archive_record" in descriptor["description"]
    assert "raw cell text" in descriptor["description"]


def test_descriptor_is_deterministic(out):
    first = (out / "datapackage.json").read_bytes()
    write_package(out, fixture_codebook())
    assert (out / "datapackage.json").read_bytes() == first
    assert build_descriptor(out) == json.loads(first)


def _broken_copy(out: Path, tmp_path: Path, table: str, edit) -> Path:
    import shutil

    copy = tmp_path / "output"
    shutil.copytree(out, copy)
    path = copy / f"{table}.csv"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return copy / "datapackage.json"


def test_unknown_code_breaks_the_codebook_foreign_key(out, tmp_path):
    broken = _broken_copy(out, tmp_path, "values", lambda t: t.replace(",review.total,", ",review.totl,", 1))
    report = validate(broken)
    assert not report["valid"]
    assert any("foreign-key" in e and e.startswith("values") for e in errors(report))


def test_duplicate_report_and_bad_status_are_rejected(out, tmp_path):
    def edit(text: str) -> str:
        lines = text.splitlines(keepends=True)
        return "".join([*lines, lines[1].replace(",ok,", ",fine,")])

    report = validate(_broken_copy(out, tmp_path, "reports", edit))
    found = errors(report)
    assert any("primary-key" in e for e in found), found
    assert any("constraint-error" in e for e in found), found


@pytest.mark.slow
def test_real_reports_give_a_valid_package_and_report(tmp_path, shared_dir):
    """The real pages and PDFs in ../shared, extracted with the project codebook: every code the
    extractors emit must be in codebook.csv (foreign key), and the report must list every page."""
    from tests.research_sample import build_real_output
    from writers.quality_report import write_quality_report

    try:
        out = build_real_output(tmp_path / "output", shared_dir)
    except NotImplementedError as exc:
        pytest.skip(f"an extractor is still a stub: {exc}")
    write_package(out)
    report = validate(out / "datapackage.json")
    assert report["valid"], errors(report)
    page = write_quality_report(out).read_text(encoding="utf-8")
    with (out / "reports.csv").open(encoding="utf-8") as fh:
        ids = [row["report_id"] for row in csv.DictReader(fh)]
    assert len(ids) == len(list(shared_dir.glob("real-reports/*"))) + len(
        list(shared_dir.glob("seeds/*.txt"))
    )
    assert all(rid in page for rid in ids)
