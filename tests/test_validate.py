"""Validation engine: report status, identities (incl. per column and blanks), narrative checks, spam."""

from __future__ import annotations

import pytest

from extractors import validate
from extractors.codebook import load_codebook
from extractors.model import Document, Finding, Metadata, Report, Row


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def _report(variant: str | None, values: dict[str, int | None], title: str | None = None) -> Report:
    template = {"legacy-2014": "legacy", "fj-provincial": "legacy"}.get(variant or "", variant)
    rows = [Row(code=code, section=None, label=code, value=value) for code, value in values.items()]
    return Report(
        source=None,
        sha256="0" * 64,
        status="ok",
        meta=Metadata(title=title),
        template=template,
        template_variant=variant,
        rows=rows,
    )


def _doc(*lines: str, **meta: str) -> Document:
    return Document(kind="html", lines=list(lines), meta=dict(meta))


def _kinds(findings, kind):
    return [f for f in findings if f.kind == kind]


# ------------------------------------------------------------------------------------------- status


@pytest.mark.parametrize(
    "title",
    [
        "2016年崇川区政府信息公开工作年度报告",
        "平潭综合实验区地方税务局2013年信息公开年度报告",
        "南京市2015年政府信息公开年报",
        "2017年度政务公开工作年度报告",
    ],
)
def test_report_titles(title):
    assert validate.is_report_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "关于2014年政府信息公开工作要点落实情况的函",
        "关于做好2016年政府信息公开工作年度报告编制发布工作的通知",
        "崇川区2016年国民经济和社会发展统计公报",
        "政府信息公开指南",
    ],
)
def test_not_report_titles(title):
    assert not validate.is_report_title(title)


def test_status_ok_with_a_full_table(codebook):
    values = {ind.code: 1 for ind in codebook.indicators("legacy-2014") if ind.has_value}
    status, message = validate.classify(_doc(), _report("legacy-2014", values))
    assert status == "ok"
    assert "legacy-2014" in message


def test_status_partial_when_most_rows_are_missing():
    status, message = validate.classify(
        _doc(), _report("legacy-2014", {"requests.received": 3, "review.total": 1})
    )
    assert status == "partial"
    assert "2 of its 58" in message


def test_status_partial_when_nothing_is_coded():
    report = _report("legacy-2014", {})
    report.rows = [Row(code=None, section=None, label="某指标", value=3)]
    assert validate.classify(_doc(), report)[0] == "partial"


def test_status_no_table_from_title_meta():
    doc = _doc("首页", "正文", articletitle="平潭综合实验区地方税务局2013年信息公开年度报告")
    status, message = validate.classify(doc, _report(None, {}))
    assert status == "no_table"
    assert "地方税务局" in message


def test_status_not_report_from_html_title_cut_at_column_name():
    # the site's column name "政府信息公开年报" follows the title: it must not make a letter a report
    doc = _doc(
        "正文", html_title="关于2014年政府信息公开工作要点落实情况的函_政府信息公开年报_平潭综合实验区"
    )
    status, message = validate.classify(doc, _report(None, {}))
    assert status == "not_report"
    assert "的函" in message


def test_status_from_heading_line_without_any_title():
    doc = _doc("首页 > 年报", "2013年政府信息公开工作年度报告", "一、概述" + "很长的正文" * 20)
    assert validate.classify(doc, _report(None, {}))[0] == "no_table"
    assert validate.classify(_doc("首页", "联系我们"), _report(None, {}))[0] == "not_report"


# --------------------------------------------------------------------------------------- identities


def _seed_values(**changes: int | None) -> dict[str, int | None]:
    values: dict[str, int | None] = {
        "requests.received": 139,
        "requests.received.in_person": 0,
        "requests.received.fax": 0,
        "requests.received.online": 0,
        "requests.received.letter": 139,
        "org.staff": 5,
        "org.staff.full_time": 1,
        "org.staff.part_time": 4,
        "proactive.total": 13100,
        "proactive.normative": 1,
    }
    values.update(changes)
    return values


def test_identities_hold(codebook):
    assert validate.check_identities(_report("legacy-2014", _seed_values()), codebook) == []


def test_identity_failed_carries_both_sides(codebook):
    findings = validate.check_identities(_report("legacy-2014", _seed_values(**{"org.staff": 6})), codebook)
    (failed,) = _kinds(findings, "identity_failed")
    assert (failed.code, failed.found, failed.expected) == ("org.staff", 6, 5)
    assert failed.severity == "warning"
    assert "legacy.staff" in failed.message


def test_blank_operand_is_not_assessable_not_a_failure(codebook):
    findings = validate.check_identities(
        _report("legacy-2014", _seed_values(**{"org.staff.part_time": None, "org.staff": 99})), codebook
    )
    assert not _kinds(findings, "identity_failed")
    (info,) = _kinds(findings, "identity_not_assessable")
    assert (info.code, info.severity) == ("org.staff.part_time", "info")


def test_inequality_failure(codebook):
    findings = validate.check_identities(
        _report("legacy-2014", _seed_values(**{"proactive.normative": 20000})), codebook
    )
    (failed,) = _kinds(findings, "identity_failed")
    assert (failed.code, failed.found, failed.expected) == ("proactive.normative", 20000, 13100)


def test_matrix_identities_per_column(codebook):
    values = {
        "requests.received@year": 5,
        "requests.received.in_person@year": 1,
        "requests.received.online@year": 1,
        "requests.received.letter_fax@year": 1,
        "requests.received@cumulative": 9,
        "requests.received.in_person@cumulative": 3,
        "requests.received.online@cumulative": 3,
        "requests.received.letter_fax@cumulative": 3,
    }
    findings = validate.check_identities(_report("fj-provincial", values), codebook)
    failed = _kinds(findings, "identity_failed")
    assert [(f.code, f.found, f.expected) for f in failed] == [("requests.received@year", 5, 3)]


def test_new_form_identities_through_the_same_engine(codebook):
    values = {
        "review.total": 4,
        "review.upheld": 1,
        "review.corrected": 1,
        "review.other": 1,
        "review.pending": 0,
    }
    findings = validate.check_identities(_report("gov2021", values), codebook)
    assert [(f.code, f.found, f.expected) for f in _kinds(findings, "identity_failed")] == [
        ("review.total", 4, 3)
    ]


def test_unknown_variant_checks_nothing(codebook):
    assert validate.check_identities(_report("xx-unknown", {"a": 1}), codebook) == []


# ---------------------------------------------------------------------------------------- narrative

PROSE = (
    "今年以来,区政府通过网站、公开栏等途径主动公开信息13100条。其中,重大建设项目信息公开信息达3540条。",
    "共收到公众的依申请公开政府信息139件,按照条例规定一一作了答复。共办理涉及政府信息公开的行政复议14起。",
    "共办理信息公开行政诉讼7起,其中维持具体行政行为或者驳回原告诉讼请求数6件。",
)


def test_narrative_agrees():
    values = {"proactive.total": 13100, "requests.received": 139, "review.total": 14, "litigation.total": 7}
    assert validate.check_narrative(_doc(*PROSE), _report("legacy-2014", values)) == []


def test_narrative_mismatch_found():
    values = {"proactive.total": 13100, "requests.received": 139, "review.total": 12, "litigation.total": 7}
    (finding,) = validate.check_narrative(_doc(*PROSE), _report("legacy-2014", values))
    assert finding.kind == "narrative_mismatch"
    assert (finding.code, finding.found, finding.expected) == ("review.total", 14, 12)
    assert "行政复议14起" in finding.message


def test_narrative_with_a_blank_table_value_is_not_compared():
    values = {"review.total": None}
    assert validate.check_narrative(_doc(*PROSE), _report("legacy-2014", values)) == []


@pytest.mark.parametrize(("new", "carried", "mismatch"), [(70, 5, False), (75, 3, False), (80, 3, True)])
def test_narrative_new_form_received(new, carried, mismatch):
    doc = _doc("2021年,本机关共收到政府信息公开申请75件,均按时答复。")
    values = {"apps.new@total": new, "apps.carried_in@total": carried}
    findings = validate.check_narrative(doc, _report("gov2021", values))
    assert bool(findings) is mismatch
    if mismatch:
        assert (findings[0].found, findings[0].code) == (75, "apps.new@total")


def test_table_cells_are_not_narrative():
    doc = _doc("(一)收到申请数", "150")  # label and value on their own lines: a table, not prose
    assert validate.check_narrative(doc, _report("legacy-2014", {"requests.received": 139})) == []


# --------------------------------------------------------------------------------------------- spam


def test_spam_words_found_once_each():
    doc = _doc(
        "拓宽信息公开渠道。主要有bt365在线投注网站、区档案馆。", "在“bt365在线投注”政府门户网站公布了清单。"
    )
    (finding,) = validate.check_spam(doc)
    assert finding.kind == "spam_injected"
    assert finding.found == 4
    assert "bt365 ×2" in finding.message
    assert "投注网" not in finding.message  # inside 在线投注网站: counted once, as 在线投注


def test_spam_in_title_meta():
    assert validate.check_spam(_doc("正文", html_title="澳门新葡京_2016年政府信息公开年报"))


@pytest.mark.parametrize(
    "text", ["福利彩票公益金使用情况", "加强棋牌室治安管理", "2016年政府信息公开年度报告"]
)
def test_legitimate_words_are_not_spam(text):
    assert validate.check_spam(_doc(text)) == []


def test_validate_runs_every_check(codebook):
    doc = _doc(*PROSE, "主要有bt365在线投注网站")
    findings = validate.validate(doc, _report("legacy-2014", _seed_values(**{"org.staff": 7})), codebook)
    assert {f.kind for f in findings} == {"identity_failed", "spam_injected"}


def test_narrative_sentence_wrapped_over_pdf_lines():
    doc = Document(
        kind="pdf",
        lines=[
            "申请答复工作规范高效。2024 年，区政府办代表区政府受理政府",
            "信息公开申请 17 件，均已在法定期限内予以答复。",
        ],
    )
    (finding,) = validate.check_narrative(
        doc, _report("gov2021", {"apps.new@total": 95, "apps.carried_in@total": 0})
    )
    assert (finding.found, finding.expected) == (17, 95)


# ------------------------------------------------------------------------------------- real reports

SEED = "seeds/000_f790e48fa2eae4e6.txt"


@pytest.mark.parametrize(
    ("path", "mismatches"),
    [
        ("real-reports/fj-pingtan-2022/page.html", []),  # 收到…申请75件 = 本年新收 74 + 上年结转 1
        ("real-reports/fj-pingtan-2017/page.html", []),  # 主动公开政府信息2122条 and its parts 1509/613
        ("real-reports/js-huaian-hongze-2024/report.pdf", [("apps.new@total", 17)]),  # 受理…17件 vs 95
        (SEED, []),
    ],
)
def test_narrative_on_real_reports(shared_dir, path, mismatches):
    from extractors import extract

    report = extract((shared_dir / path).read_bytes(), filename=path)
    assert report.status == "ok"
    found = [(f.code, f.found) for f in report.findings if f.kind == "narrative_mismatch"]
    assert found == mismatches
    spam = [f for f in report.findings if f.kind == "spam_injected"]
    assert bool(spam) is (path == SEED)


def test_listing_page_is_not_a_report():
    links = [f"{y}年崇川区政府信息公开工作年度报告" for y in (2014, 2015, 2016, 2017)]
    doc = _doc("首页", *links, "共4条", html_title="政府信息公开年报_南通市崇川区人民政府")
    status, message = validate.classify(doc, _report(None, {}))
    assert status == "not_report"
    assert "listing" in message


def test_column_name_title_defers_to_the_page_heading():
    doc = _doc("首页", "2016年崇川区政府信息公开工作年度报告", "正文……", html_title="政府信息公开年报_崇川区")
    assert validate.classify(doc, _report(None, {}))[0] == "no_table"
    doc = _doc("首页", "暂无内容", html_title="政府信息公开年报_崇川区")
    assert validate.classify(doc, _report(None, {}))[0] == "not_report"


def test_report_title_without_year_but_naming_its_body():
    doc = _doc("正文", articletitle="淮安市洪泽区人民政府政府信息公开工作年度报告")
    assert validate.classify(doc, _report(None, {}))[0] == "no_table"


def test_listing_of_one_years_department_reports_is_not_a_report():
    """A listing is a listing whether its links span years or bodies: same status, same message."""
    bodies = ("区教育局", "区财政局", "区卫健委", "区民政局")
    links = [f"{b}2019年政府信息公开工作年度报告 2020-01-20" for b in bodies]
    for title in ("政府信息公开年报_崇川区", None):
        meta = {"html_title": title} if title else {}
        status, message = validate.classify(_doc("首页", *links, "共4条", **meta), _report(None, {}))
        assert (status, "listing" in message) == ("not_report", True), (title, message)


def test_report_page_with_neighbour_links_is_not_a_listing():
    """上一篇/下一篇 links to other years' reports do not make a report page a listing."""
    doc = _doc(
        "2016年崇川区政府信息公开工作年度报告",
        "正文……",
        "上一篇：2015年崇川区政府信息公开工作年度报告",
        "下一篇：2017年崇川区政府信息公开工作年度报告",
        articletitle="2016年崇川区政府信息公开工作年度报告",
    )
    assert validate.classify(doc, _report(None, {}))[0] == "no_table"


def test_identity_findings_start_with_the_identity_id():
    """The identity id stands at a stable place (message prefix) for failed and unassessable checks."""
    codebook = load_codebook()
    values = {"requests.received": 9, "requests.received.in_person": 1, "requests.received.fax": None,
              "requests.received.online": 2, "requests.received.letter": 3,
              "review.total": 5, "review.upheld": 1, "review.corrected": 1, "review.other": 1}
    findings = validate.check_identities(_report("legacy-2014", values), codebook)
    known = {ident.id for ident in codebook.identities("legacy-2014")}
    ids = {f.kind: validate.identity_id(f) for f in findings}
    assert ids == {"identity_not_assessable": "legacy.requests.received", "identity_failed": "legacy.review"}
    assert all(validate.identity_id(f) in known and f.message.startswith(f"{validate.identity_id(f)}: ")
               for f in findings)
    assert validate.identity_id(Finding(kind="missing_value", message="x: blank")) is None


#: Texts where compacting the page in one pass could go wrong: NFKC composing or reordering across
#: two texts, full-width forms, traditional characters (the forms' map and validation.yaml's extra
#: pairs), whitespace of every kind, the separator itself.
TRICKY_TEXTS = [
    "收到申请数１３９件，行政复议２起",
    "365bet",
    "\u030c投注",  # a caron: composes with the "t" ending the text before, if the two touch
    "e",
    "\u0301\u0323",  # two marks NFKC reorders, and composes with the "e" before them if they touch
    "ｂｔ３６５在線投註",
    "\u3000娛樂城\u00a0 賭球\t",
    "資訊公開 年報",
    "",
    "ﾊﾟ ｶﾞ \u1100\u1161",  # half-width kana with voicing marks; Hangul jamo that compose
    "㊀㍿①Ⅻ…℃",
    "a\x00b",
    "𝐛𝐞𝐭𝟑𝟔𝟓",
    "\u2fa8户开放",  # a Kangxi radical NFKC turns into a traditional character (門), then 门
    "\U0002f809案",  # likewise beyond the BMP (備)
]


def test_compacting_a_page_at_once_equals_compacting_each_text(fixtures_dir, shared_dir):
    """`_compact_all` compacts a page's texts joined, in one pass per step: the same as `_compact`
    of each text, whatever the characters at their ends."""
    from extractors.load import load_document

    pages = [TRICKY_TEXTS, TRICKY_TEXTS[:2], TRICKY_TEXTS[2:6], [], [""], ["a\x00b"], TRICKY_TEXTS[:-2]]
    pages += [[text] for text in TRICKY_TEXTS]  # each alone: no other text's characters to trigger a step
    for path in [*sorted(fixtures_dir.glob("legacy/*.html")), *sorted(shared_dir.glob("real-reports/*/*.html"))]:
        doc, _ = load_document(path.read_bytes(), filename=path.name)
        pages.append([*doc.lines, *doc.meta.values()])
    for texts in pages:
        assert validate._compact_all(texts) == [validate._compact(text) for text in texts]
    assert validate._compact_all(["365bet", "\u030c"]) == ["365bet", "\u030c"]  # not "365beť"


def test_spam_words_across_texts_and_scripts():
    """Spam words are counted on the page's compacted text: split over two lines, in full-width or
    traditional characters, in the meta tags."""
    doc = _doc("正文 ｂｔ３６５ 在線", "投註 娛樂城", html_title="BT365")
    (finding,) = validate.check_spam(doc)
    assert finding.found == 4
    assert "bt365 ×2" in finding.message
    assert "在线投注 ×1" in finding.message


def test_compacting_a_page_at_once_applies_the_extra_pairs(monkeypatch):
    """validation.yaml's own traditional → simplified pairs apply in the one-pass compaction too."""
    monkeypatch.setattr(validate, "_extra_simplified", lambda: {ord("甲"): "乙"})
    monkeypatch.setattr(validate, "_extra_pattern", lambda: validate.re.compile("[甲]"))
    monkeypatch.setattr(validate, "_special_chars", validate._special_chars.__wrapped__)  # not cached
    texts = ["甲乙丙 一", "丙甲"]
    assert validate._compact_all(texts) == [validate._compact.__wrapped__(t) for t in texts] == ["乙乙丙一", "丙乙"]


def test_fast_identity_test_agrees_with_identity_check(codebook):
    """`Identity.holds` decides "ok" the way Identity.check does, on figures that fit exactly, miss by one,
    by a rounding error, or are fractions (万元 cells)."""
    import random

    rng = random.Random(7)
    compared = failed = 0
    for variant in codebook.templates:
        for ident in codebook.templates[variant].identities:
            for _ in range(20):
                values = {code: rng.choice([rng.randint(0, 50), rng.random() * 9, 0.1 + 0.2]) for code in ident.code_set}
                fit = sum(sign * values[code] for sign, code in ident.right)
                target = ident.left[0][1]
                if len(ident.left) == 1 and target not in {code for _, code in ident.right}:
                    values[target] = rng.choice([fit, fit + 1, fit - 1, fit + 1e-9, round(fit, 2), 0.3])
                ok = ident.check(values).status == "ok"
                assert ident.holds(values) == ok, (ident.id, values)
                compared += 1
                failed += not ok
    assert compared > 1000
    assert 0 < failed < compared
