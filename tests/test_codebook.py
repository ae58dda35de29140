"""The codebook is data the whole pipeline trusts: these tests keep the YAML consistent with itself."""

from __future__ import annotations

import pytest

from extractors.codebook import expand_identity, load_codebook, parse_expr


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def test_loads_legacy_form(codebook):
    spec = codebook.templates["legacy-2014"]
    assert spec.template == "legacy"
    assert spec.years["first"] == 2014
    assert len([i for i in spec.indicators if i.has_value]) == 58  # every value row of the seed
    assert codebook.indicator("requests.received").unit == "件"
    assert codebook.indicator("requests.received", "legacy-2014").label == "（一）收到申请数"


def test_every_variant_has_unique_codes_and_english_labels(codebook):
    for variant, spec in codebook.templates.items():
        codes = [i.code for i in spec.indicators]
        assert len(codes) == len(set(codes)), variant
        for ind in spec.indicators:
            assert ind.label, (variant, ind.code)
            assert ind.kind in {"section", "section_value", "header", "group", "value"}, ind.code


@pytest.mark.parametrize("variant", ["legacy-2014", "fj-provincial", "sh-pudong-2008", "gs-2008"])
def test_legacy_family_indicators_document_themselves(codebook, variant):
    sections = {"proactive", "response", "requests", "review", "litigation", "complaints", "fees", "org"}
    sections |= {"training", "consult", "appeals"}
    for ind in codebook.indicators(variant):
        assert ind.label_en, ind.code
        assert ind.section in sections, ind.code
        if ind.has_value and variant in ("legacy-2014", "fj-provincial"):
            assert ind.definition, ind.code


def test_identities_only_name_known_codes(codebook):
    for variant, spec in codebook.templates.items():
        known = {i.code for i in spec.indicators}
        cols = {c.code for c in spec.columns}
        for ident in spec.identities:
            for code in ident.codes:
                row, _, col = code.partition("@")
                assert row in known, (variant, ident.id, code)
                if col:
                    assert col in cols, (variant, ident.id, code)


def test_legacy_identities(codebook):
    ids = {i.id: i for i in codebook.identities("legacy-2014")}
    assert set(ids) >= {
        "legacy.requests.received",
        "legacy.review",
        "legacy.staff",
        "legacy.normative_subset",
    }
    received = ids["legacy.requests.received"]
    assert received.left == ((1, "requests.received"),)
    assert len(received.right) == 4
    assert ids["legacy.normative_subset"].op == "<="


@pytest.mark.parametrize(
    ("expr", "left", "op", "right"),
    [
        ("a = b + c", [(1, "a")], "=", [(1, "b"), (1, "c")]),
        ("a.x + b@y = c.d@total + d", [(1, "a.x"), (1, "b@y")], "=", [(1, "c.d@total"), (1, "d")]),
        ("p.q <= r", [(1, "p.q")], "<=", [(1, "r")]),
        ("x >= y - z", [(1, "x")], ">=", [(1, "y"), (-1, "z")]),
    ],
)
def test_parse_expr(expr, left, op, right):
    assert parse_expr(expr) == (tuple(left), op, tuple(right))


@pytest.mark.parametrize("bad", ["a + b", "a = ", "a = b c", "a == b", "a = b = c", "= b"])
def test_parse_expr_rejects_garbage(bad):
    with pytest.raises(ValueError, match="identity"):
        parse_expr(bad)


def test_for_each_expands_lists_and_selectors(codebook):
    raw = {"id": "t", "expr": "x@{col} = y@{col} + z@{col}", "for_each": {"col": ["a", "b"]}}
    idents = expand_identity(raw)
    assert [i.id for i in idents] == ["t[a]", "t[b]"]
    assert idents[1].codes == ("x@b", "y@b", "z@b")
    sel = {"id": "s", "expr": "{row} <= {row}", "for_each": {"row": {"parent": "org.staff"}}}
    rows = [i.codes[0] for i in expand_identity(sel, codebook.indicators("legacy-2014"))]
    assert rows == ["org.staff.full_time", "org.staff.part_time"]


def test_identity_check_outcomes(codebook):
    ident = next(i for i in codebook.identities("legacy-2014") if i.id == "legacy.staff")
    assert ident.check({"org.staff": 5, "org.staff.full_time": 1, "org.staff.part_time": 4}).status == "ok"
    failed = ident.check({"org.staff": 6, "org.staff.full_time": 1, "org.staff.part_time": 4})
    assert (failed.status, failed.left, failed.right) == ("failed", 6, 5)
    blank = ident.check({"org.staff": 5, "org.staff.full_time": None, "org.staff.part_time": 4})
    assert blank.status == "not_assessable"
    assert blank.missing == ("org.staff.full_time",)
    assert ident.check({"org.staff": 5}).status == "absent"
    ineq = next(i for i in codebook.identities("legacy-2014") if i.id == "legacy.normative_subset")
    assert ineq.check({"proactive.normative": 3, "proactive.total": 2}).status == "failed"
    assert ineq.check({"proactive.normative": 2, "proactive.total": 2}).status == "ok"


def _write(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")


def test_loader_reads_template_lists_and_crosswalk(tmp_path):
    _write(
        tmp_path,
        "forms.yaml",
        """
templates:
  - template: legacy
    variant: x-one
    columns: [{code: year, label: 本年}, {code: cum, label: 累计}]
    indicators:
      - {code: a, label: 甲, kind: value}
      - {code: a.b, label: 乙, parent: a, kind: value}
      - {code: s, label: 一、总, kind: section}
    identities:
      - {id: t, expr: "a@{col} >= a.b@{col}", for_each: {col: [year, cum]}, kind: inequality}
      - {id: u, expr: "{row}@year <= {row}@cum", for_each: {row: {kind: value}}, kind: inequality}
  - template: legacy
    variant: x-two
    indicators: [{code: a, label: 甲甲}]
""",
    )
    _write(
        tmp_path, "crosswalk.yaml", "crosswalk:\n  - {concept: a, codes: {legacy: a}, comparability: same}\n"
    )
    cb = load_codebook(str(tmp_path))
    assert cb.variants() == ["x-one", "x-two"]
    assert [i.id for i in cb.identities("x-one")] == ["t[year]", "t[cum]", "u[a]", "u[a.b]"]
    assert cb.indicator("a.b@cum", "x-one").label == "乙"
    assert cb.indicator("a", "x-two").label == "甲甲"
    assert cb.crosswalk == [{"concept": "a", "codes": {"legacy": "a"}, "comparability": "same"}]
    assert cb.templates["x-one"].column("cum").label == "累计"


def test_loader_rejects_duplicates_and_bad_identities(tmp_path):
    one = "template: legacy\nvariant: dup\nindicators: [{code: a, label: 甲}]\n"
    _write(tmp_path, "a.yaml", one)
    _write(tmp_path, "b.yaml", one)
    with pytest.raises(ValueError, match="defined twice"):
        load_codebook(str(tmp_path))
    (tmp_path / "b.yaml").unlink()
    _write(tmp_path, "c.yaml", "template: legacy\nvariant: bad\nidentities: [{id: z, expr: 'a == b'}]\n")
    with pytest.raises(ValueError, match="identity"):
        load_codebook(str(tmp_path))
    _write(tmp_path, "c.yaml", "variant: novariant\n")
    with pytest.raises(ValueError, match="'template' and 'variant'"):
        load_codebook(str(tmp_path))


def test_traditional_characters_fold_to_simplified():
    from extractors.codebook import to_simplified

    assert to_simplified("(一)收到申請數") == "(一)收到申请数"
    assert to_simplified("行政復議數量 萬元") == "行政复议数量 万元"
    assert to_simplified("2016年崇川区") == "2016年崇川区"
