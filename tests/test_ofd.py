"""OFD attachments (GB/T 33190) read through `extractors.extract` like a PDF.

The fixtures are built by tests/fixtures/attachments/make_attachments.py: a gov2019 report laid
out on A4 pages (tables 二, 三, 四 with wrapped labels and merged group cells), once with one
TextObject per printed line and once with one TextObject per glyph scaled by a CTM (as some
converters write it). Every cell is compared with the numbers the generator used.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

from extractors import extract, ofd, pdf
from extractors.load import load_document

HERE = Path(__file__).resolve().parent / "fixtures" / "attachments"
NAMES = ["sd-licheng-2019", "sd-licheng-2019-glyphs"]
NS = "http://www.ofdspec.org/2016"


def expected(name: str = "sd-licheng-2019") -> list[tuple[str, float | None]]:
    with (HERE / f"{name}.expected.csv").open(encoding="utf-8") as handle:
        return [(r["code"], float(r["value"]) if r["value"] else None) for r in csv.DictReader(handle)]


@pytest.fixture(scope="module", params=NAMES)
def report(request):
    return extract((HERE / f"{request.param}.ofd").read_bytes(), filename=f"{request.param}.ofd")


def test_every_cell_in_table_order(report):
    assert (report.status, report.content_type, report.template_variant) == ("ok", "ofd", "gov2019")
    want = expected()
    assert len(want) == 198
    assert [(r.code, r.value) for r in report.rows] == want
    assert {r.section for r in report.rows} == {"t2", "t3", "t4"}
    assert not [f for f in report.findings if f.kind in ("identity_failed", "unknown_label", "row_count_mismatch")]


def test_metadata_from_the_printed_text(report):
    assert report.meta.year == 2019
    assert report.meta.district == "历城区"
    assert report.meta.title == "济南市历城区2019年政府信息公开工作年度报告"


def test_legacy_form_over_a_page_break_labels_flush_left():
    name = "sd-licheng-2016-legacy"
    report = extract((HERE / f"{name}.ofd").read_bytes(), filename=f"{name}.ofd")
    assert (report.status, report.template_variant, report.meta.year) == ("ok", "legacy-2014", 2016)
    assert [(r.code, r.value) for r in report.rows] == expected(name)
    assert {r.code: r.unit for r in report.rows}["org.budget"] == "万元"
    doc, _ = load_document((HERE / f"{name}.ofd").read_bytes())
    assert "1.按时办结数 件 52" in doc.lines  # the unit column stays a word of its own
    assert not [f for f in report.findings if f.kind in ("identity_failed", "unknown_label", "row_count_mismatch")]


@pytest.mark.parametrize("name", NAMES)
def test_lines_tables_and_doc_info(name):
    doc, problem = load_document((HERE / f"{name}.ofd").read_bytes())
    assert problem == ("", "")
    assert doc.kind == "ofd"
    assert doc.lines[0] == "济南市历城区2019年政府信息公开工作年度报告"
    assert "一、本年新收政府信息公开申请数量 107 10 1 1 5 1 125" in doc.lines
    assert "政府集中采购 12 251000" in doc.lines
    assert not [line for line in doc.lines if line.startswith("- ")]  # page footers dropped
    assert doc.lines[-1] == "2020年1月20日"
    assert doc.meta["ofd_title"] == "济南市历城区2019年政府信息公开工作年度报告"
    assert doc.meta["ofd_creationdate"] == "2020-01-20"
    t3 = next(t for t in doc.tables if any("（一）予以公开" in cell for row in t.grid for cell in row))
    row = next(r for r in t3.grid if "（一）予以公开" in r)
    assert row[-7:] == ["48", "6", "1", "0", "2", "1", "58"]
    assert doc.lines[t3.line_index - 1] == "三、收到和处理政府信息公开申请情况"


def test_ruled_tables_cut_along_their_borders():
    doc, _ = load_document((HERE / "sd-licheng-2016-legacy.ofd").read_bytes())
    (legacy,) = doc.tables  # one table although it goes over a page break
    assert legacy.grid[0] == ["统计指标", "单位", "统计数"]
    assert ["1.按时办结数", "件", "52"] in legacy.grid
    assert legacy.grid[-1] == ["（三）接受培训人员数", "人次", "150"]
    doc, _ = load_document((HERE / "sd-licheng-2019.ofd").read_bytes())
    t3 = next(t for t in doc.tables if t.grid[0][3] == "申请人情况")
    assert (len(t3.grid), len(t3.grid[0])) == (26, 10)
    group = [r for r, row in enumerate(t3.grid) if row[0] == "三、本年度办理结果"]
    result_rows = {code.split("@")[0] for code, _ in expected() if code.startswith("apps.result.")}
    assert len(group) == len(result_rows)
    assert {t3.spans[r][0] for r in group} == {(group[0], 0)}


def _without_borders(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, re.sub(rb"<ofd:PathObject .*?</ofd:PathObject>", b"", body))
    return out.getvalue()


@pytest.mark.parametrize("name", ["sd-licheng-2019", "sd-licheng-2016-legacy"])
def test_without_cell_borders_the_word_grid_reads_every_cell(name):
    data = _without_borders((HERE / f"{name}.ofd").read_bytes())
    assert b"PathObject" not in zipfile.ZipFile(io.BytesIO(data)).read("Doc_0/Pages/Page_0/Content.xml")
    report = extract(data, filename=f"{name}.ofd")
    assert report.status == "ok"
    assert [(r.code, r.value) for r in report.rows] == expected(name)


def test_path_segments_follow_boundary_and_ctm():
    from lxml import etree

    path = etree.fromstring(
        f'<ofd:PathObject xmlns:ofd="{NS}" Boundary="10 20 30 10" CTM="2 0 0 2 1 0">'
        "<ofd:AbstractData>M 0 0 L 10 0 B 1 1 2 2 10 5 L 0 5 C</ofd:AbstractData></ofd:PathObject>"
    )
    assert ofd._path_segments(path) == [
        (11.0, 20.0, 31.0, 20.0),  # M 0 0 L 10 0, scaled by 2, moved by 1 and the boundary
        (31.0, 30.0, 11.0, 30.0),  # the curve only moved the pen to (10, 5)
        (11.0, 30.0, 11.0, 20.0),  # C closes back to the start
    ]


@pytest.mark.parametrize(
    ("text", "values"),
    [("g 3 3.5 1", [3.5, 3.5, 3.5, 1.0]), ("2.1 g 2 4.2", [2.1, 4.2, 4.2]), ("", []), ("g x", [])],
)
def test_delta_runs(text, values):
    assert ofd._deltas(text) == values


def _package(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return out.getvalue()


def _minimal(content: str) -> dict[str, str]:
    return {
        "OFD.xml": f'<ofd:OFD xmlns:ofd="{NS}"><ofd:DocBody><ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot>'
        "</ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f'<ofd:Document xmlns:ofd="{NS}"><ofd:Pages>'
        '<ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>',
        "Doc_0/Pages/Page_0/Content.xml": f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer>{content}'
        "</ofd:Layer></ofd:Content></ofd:Page>",
    }


def test_minimal_package_with_absolute_docroot_and_no_deltas():
    text = (
        '<ofd:TextObject Boundary="20 30 100 6" Size="5"><ofd:TextCode X="0" Y="4.4">收到申请数</ofd:TextCode>'
        '</ofd:TextObject><ofd:TextObject Boundary="90 30 10 6" Size="5"><ofd:TextCode X="0" Y="4.4">12'
        "</ofd:TextCode></ofd:TextObject>"
    )
    doc, problem = load_document(_package(_minimal(text)))
    assert problem == ("", "")
    assert doc.lines == ["收到申请数 12"]


@pytest.mark.parametrize("base_loc", ["Doc_0/Pages/Page_0/Content.xml", "/Doc_0/Pages/Page_0/Content.xml"])
def test_page_named_from_the_package_root(base_loc):
    files = _minimal('<ofd:TextObject Boundary="20 30 100 6" Size="5"><ofd:TextCode X="0" Y="4.4">申请'
                     "</ofd:TextCode></ofd:TextObject>")
    files["Doc_0/Document.xml"] = files["Doc_0/Document.xml"].replace("Pages/Page_0/Content.xml", base_loc)
    doc, problem = load_document(_package(files))
    assert problem == ("", "")
    assert doc.lines == ["申请"]


def test_truncated_ofd_is_unreadable_not_a_traceback():
    data = (HERE / "sd-licheng-2019.ofd").read_bytes()
    for cut in (len(data) // 2, len(data) - 100):
        report = extract(data[:cut], filename="cut.ofd")
        assert report.status == "unreadable", report.message
        assert report.message.startswith("the OFD document")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: {**f, "OFD.xml": f'<ofd:OFD xmlns:ofd="{NS}"/>'}, "has no DocBody"),
        (lambda f: {k: v for k, v in f.items() if "Content" not in k}, "is damaged (KeyError"),
        (lambda f: {**f, "Doc_0/Document.xml": "<ofd:Document"}, "is damaged (XMLSyntaxError"),
    ],
)
def test_broken_packages_say_why(mutate, message):
    report = extract(_package(mutate(_minimal(""))), filename="broken.ofd")
    assert report.status == "unreadable"
    assert message in report.message


def test_ofd_without_text_is_empty():
    report = extract(_package(_minimal('<ofd:ImageObject Boundary="0 0 210 297" ResourceID="5"/>')))
    assert report.status == "empty"
    assert "no text" in report.message


def test_oversized_package_is_refused(monkeypatch):
    monkeypatch.setattr(ofd, "MAX_UNZIPPED_BYTES", 1000)
    report = extract((HERE / "sd-licheng-2019.ofd").read_bytes())
    assert report.status == "unreadable"
    assert "unpacks to more than" in report.message


def test_ogi_extract_walks_attachments_and_prints_their_rows(tmp_path, capsys):
    import json
    import shutil

    from ogi.cli import main

    for name in ("sd-licheng-2019.ofd", "js-haimen-2016-legacy.xls", "zj-yuhang-2021-t3.xlsx"):
        shutil.copy(HERE / name, tmp_path / name)
    assert main(["extract", "--json", "--quiet", str(tmp_path)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    got = {Path(o["source"]).name: (o["status"], o["template"], len(o["rows"])) for o in out}
    assert got == {
        "js-haimen-2016-legacy.xls": ("ok", "legacy", 58),
        "sd-licheng-2019.ofd": ("ok", "gov2019", 198),
        "zj-yuhang-2021-t3.xlsx": ("ok", "gov2021", 175),
    }


def test_mutated_bytes_and_numbers_never_raise():
    """Seeded damage: random bytes, then coordinates replaced by nan/inf/huge/garbage in the XML."""
    import random

    rng = random.Random(2)
    data = (HERE / "sd-licheng-2019.ofd").read_bytes()
    for _ in range(20):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        assert extract(bytes(damaged)).status == "unreadable"
    for _ in range(6):
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                body = re.sub(
                    r"\d+\.\d+",
                    lambda m: rng.choice([m.group(0), "nan", "inf", "-1e308", "", "x", "1e400", "0"]),
                    src.read(info.filename).decode(),
                )
                dst.writestr(info.filename, body)
        report = extract(out.getvalue())
        assert report.status in ("ok", "partial", "no_table", "not_report", "empty", "unreadable")


@pytest.mark.parametrize("module", [ofd, pdf])
def test_the_readers_share_page_code_through_public_names(module):
    """ofd.py and pdf.py use the table code (page_layout, word_tables, page_breaks) by its public
    names: a private helper of another module is a contract nobody wrote down."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(module))
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("extractors")
        for alias in node.names
    }
    private_from = [name for name in imported if name.startswith("_")]
    private_attr = [
        f"{node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in imported
        and node.attr.startswith("_")
    ]
    assert (private_from, private_attr) == ([], [])
