"""The legacy reader on the seed (every value), its re-layouts under tests/fixtures/legacy/ and real pages.

The expected rows below were written by reading the seed's table by hand
(../shared/seeds/000_f790e48fa2eae4e6.txt), not by running the reader.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from extractors import extract, labels, legacy
from extractors.codebook import load_codebook
from extractors.model import Document, Report

SEED = "seeds/000_f790e48fa2eae4e6.txt"

#: (code, label as printed, unit, value) for every row of the seed's table, in table order.
SEED_ROWS = [
    ("proactive.total", "(一)主动公开政府信息数(不同渠道和方式公开相同信息计1条)", "条", 13100),
    ("proactive.normative", "其中:主动公开规范性文件数", "条", 1),
    ("proactive.normative_issued", "制发规范性文件总数", "件", 1),
    ("proactive.channels.gazette", "1﹒政府公报公开政府信息数", "条", 0),
    ("proactive.channels.website", "2.政府网站公开政府信息数", "条", 9540),
    ("proactive.channels.weibo", "3﹒政务微博公开政府信息数", "条", 0),
    ("proactive.channels.wechat", "4﹒政务微信公开政府信息数", "条", 360),
    ("proactive.channels.other", "5﹒其他方式公开政府信息数", "条", 410),
    ("response.hotspots", "(一)回应公众关注热点或重大舆情数(不同方式回应同一热点或舆情计1次)", "次", 21),
    ("response.channels.press_conf", "1﹒参加或举办新闻发布会总次数", "次", 13),
    ("response.channels.press_conf.principal", "其中:主要负责同志参加新闻发布会次数", "次", 1),
    ("response.channels.online_interview", "2﹒政府网站在线访谈次数", "次", 6),
    ("response.channels.online_interview.principal", "其中:主要负责同志参加政府网站在线访谈次", "次", 2),
    ("response.channels.interpretations", "3﹒政策解读稿件发布数", "篇", 32),
    ("response.channels.weibo_wechat", "4﹒微博微信回应事件数", "次", 0),
    ("response.channels.other", "5﹒其他方式回应事件数", "次", 0),
    ("requests.received", "(一)收到申请数", "件", 139),
    ("requests.received.in_person", "1﹒当面申请数", "件", 0),
    ("requests.received.fax", "2﹒传真申请数", "件", 0),
    ("requests.received.online", "3﹒网络申请数", "件", 0),
    ("requests.received.letter", "4﹒信函申请数", "件", 139),
    ("requests.closed", "(二)申请办结数", "件", 139),
    ("requests.closed.on_time", "1﹒按时办结数", "件", 127),
    ("requests.closed.extended", "2﹒延期办结数", "件", 12),
    ("requests.replies", "(三)申请答复数", "件", 132),
    ("requests.replies.already_public", "1﹒属于已主动公开范围数", "件", 18),
    ("requests.replies.granted", "2﹒同意公开答复数", "件", 60),
    ("requests.replies.partial", "3﹒同意部分公开答复数", "件", 2),
    ("requests.replies.denied", "4﹒不同意公开答复数", "件", 25),
    ("requests.replies.denied.state_secret", "其中:涉及国家秘密", "件", 0),
    ("requests.replies.denied.commercial_secret", "涉及商业秘密", "件", 0),
    ("requests.replies.denied.privacy", "涉及个人隐私", "件", 0),
    ("requests.replies.denied.security_stability", "危及国家安全、公共安全、经济安全和社会稳定", "件", 0),
    ("requests.replies.denied.not_gov_info", "不是《条例》所指政府信息", "件", 22),
    ("requests.replies.denied.other_legal", "法律法规规定的其他情形", "件", 3),
    ("requests.replies.not_this_agency", "5﹒不属于本行政机关公开数", "件", 8),
    ("requests.replies.nonexistent", "6﹒申请信息不存在数", "件", 7),
    ("requests.replies.notice_amend", "7﹒告知作出更改补充数", "件", 12),
    ("requests.replies.notice_other_channel", "8﹒告知通过其他途径办理数", "件", 0),
    ("review.total", "四、行政复议数量", "件", 14),
    ("review.upheld", "(一)维持具体行政行为数", "件", 10),
    ("review.corrected", "(二)被依法纠错数", "件", 4),
    ("review.other", "(三)其他情形数", "件", 0),
    ("litigation.total", "五、行政诉讼数量", "件", 7),
    ("litigation.upheld", "(一)维持具有行政行为或者驳回原告诉讼请求数", "件", 6),
    ("litigation.corrected", "(二)被依法纠错数", "件", 1),
    ("litigation.other", "(三)其他情形数", "件", 0),
    ("complaints.total", "六、举报投诉数量", "件", 0),
    ("fees.request_fees", "七、依申请公开信息收取的费用", "万元", 0),
    ("org.dedicated_units", "(一)政府信息公开工作专门机构数", "个", 2),
    ("org.reading_points", "(二)设置政府信息公开查阅点数", "个", 3),
    ("org.staff", "(三)从事政府信息公开工作人员数", "人", 5),
    ("org.staff.full_time", "1专职人员数(不包括政府公报及政府网站工作人员数)", "人", 1),
    ("org.staff.part_time", "2﹒兼职人员数", "人", 4),
    (
        "org.budget",
        "(四)政府信息公开专项经费(不包括用于政府公报编辑管理及政府网站建设维护等方面的经费)",
        "万元",
        None,
    ),
    ("training.meetings", "(一)召开政府信息公开工作会议或专题会议数", "次", 3),
    ("training.classes", "(二)举办各类培训班数", "次", 2),
    ("training.trainees", "(三)接受培训人员数", "人次", 82),
]

SECTIONS = {
    "proactive",
    "response",
    "requests",
    "review",
    "litigation",
    "complaints",
    "fees",
    "org",
    "training",
}


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def seed_text(shared_dir: Path) -> str:
    return (shared_dir / SEED).read_text(encoding="utf-8")


def _rows(result_rows):
    return [(r.code, r.label, r.unit, r.value) for r in result_rows]


def _findings(findings, kind):
    return [f for f in findings if f.kind == kind]


# ------------------------------------------------------------------------------------------- the seed


def test_seed_as_text_every_value(seed_text, codebook):
    doc = Document(kind="text", lines=seed_text.splitlines())
    result = legacy.read(doc, codebook)
    assert result is not None
    assert (result.template, result.variant) == ("legacy", "legacy-2014")
    assert _rows(result.rows) == SEED_ROWS
    assert {r.section for r in result.rows} == SECTIONS
    assert all(r.section == codebook.indicator(r.code, "legacy-2014").section for r in result.rows)
    assert all(r.column is None and r.column_code is None for r in result.rows)
    assert "申请办结数" in result.evidence


def test_seed_blank_cell_is_missing_not_zero(seed_text, codebook):
    result = legacy.read(Document(kind="text", lines=seed_text.splitlines()), codebook)
    budget = next(r for r in result.rows if r.code == "org.budget")
    assert budget.value is None
    assert budget.unit == "万元"  # printed on its own line, with no value after it
    missing = _findings(result.findings, "missing_value")
    assert [f.code for f in missing] == ["org.budget"]
    assert not _findings(result.findings, "unknown_label")


def test_seed_end_to_end(shared_dir):
    report = extract((shared_dir / SEED).read_bytes(), filename=SEED)
    assert report.status == "ok"
    assert (report.template, report.template_variant) == ("legacy", "legacy-2014")
    assert _rows(report.rows) == SEED_ROWS
    kinds = [f.kind for f in report.findings]
    assert "identity_failed" not in kinds
    assert "narrative_mismatch" not in kinds
    assert "spam_injected" in kinds
    assert report.n_values == 57


# ------------------------------------------------------------------------------------ built fixtures


def _seed_with(changes: dict[str, tuple]) -> list[tuple]:
    """The seed's rows with some (code → replacement tuple) changed."""
    return [changes.get(row[0], row) for row in SEED_ROWS]


FULLWIDTH = _seed_with(
    {
        "org.budget": (
            "org.budget",
            "(四)政府信息公开专项经费(不包括用于政府公报编辑管理及政府网站建设维护等方面的经费)",
            "元",
            251000,
        ),
    }
)
FULLWIDTH.insert(8, (None, "6﹒政务客户端公开政府信息数", None, 55))

BADTOTALS = _seed_with(
    {
        "requests.received": ("requests.received", "(一)收到申请数", "件", 140),
        "org.staff": ("org.staff", "(三)从事政府信息公开工作人员数", "人", 6),
        "response.channels.press_conf.principal": (
            "response.channels.press_conf.principal",
            "其中:主要负责同志参加新闻发布会次数",
            "次",
            15,
        ),
    }
)

#: fixture → (expected rows, kinds that must be present, kinds that must be absent)
PAGE_FIXTURES = {
    "js-chongchuan-2016-flat-gbk.html": (SEED_ROWS, {"missing_value", "spam_injected"}, {"identity_failed"}),
    "js-chongchuan-2016-table.html": (SEED_ROWS, {"missing_value"}, {"identity_failed", "unknown_label"}),
    "js-chongchuan-2016-fullwidth-wrapped.html": (
        FULLWIDTH,
        {"unknown_label", "unit_converted"},
        {"identity_failed", "missing_value"},
    ),
    "js-chongchuan-2016-badtotals.txt": (
        BADTOTALS,
        {"identity_failed", "narrative_mismatch"},
        {"unknown_label"},
    ),
    # ruled PDF: values centred between a label's two lines, a page break with a "- 5 -" footer
    "js-chongchuan-2016-ruled.pdf": (SEED_ROWS, {"missing_value"}, {"identity_failed", "unknown_label"}),
}


@pytest.fixture(scope="module")
def legacy_fixtures(fixtures_dir: Path) -> Path:
    return fixtures_dir / "legacy"


@pytest.mark.parametrize("name", sorted(PAGE_FIXTURES))
def test_fixture_every_value(legacy_fixtures, name):
    expected, present, absent = PAGE_FIXTURES[name]
    report = extract((legacy_fixtures / name).read_bytes(), filename=name)
    assert report.status == "ok", report.message
    assert report.template_variant == "legacy-2014"
    assert [(r.code, r.label, r.value) for r in report.rows] == [(c, lab, v) for c, lab, _, v in expected]
    kinds = {f.kind for f in report.findings}
    assert present <= kinds
    assert not (absent & kinds)
    assert report.meta.year == 2016


@pytest.mark.parametrize(
    "name",
    [
        "js-chongchuan-2016-flat-gbk.html",
        "js-chongchuan-2016-badtotals.txt",
        "js-chongchuan-2016-fullwidth-wrapped.html",
        "js-chongchuan-2016-ruled.pdf",
    ],
)
def test_fixture_units_printed_or_from_codebook(legacy_fixtures, name):
    expected = PAGE_FIXTURES[name][0]
    report = extract((legacy_fixtures / name).read_bytes(), filename=name)
    assert [r.unit for r in report.rows] == [u for _, _, u, _ in expected]


def test_real_table_with_unit_column_and_rowspans(legacy_fixtures, codebook):
    report = extract((legacy_fixtures / "js-chongchuan-2016-table.html").read_bytes())
    assert all(r.table == 0 for r in report.rows)
    printed = {r.code: r.unit for r in report.rows}
    assert printed["training.trainees"] == "人次"
    assert printed["org.budget"] == "万元"
    assert printed["org.staff.full_time"] == "人"
    assert "table 0" in report.template_evidence


def test_foreign_unit_is_kept_and_normalized(legacy_fixtures):
    report = extract((legacy_fixtures / "js-chongchuan-2016-fullwidth-wrapped.html").read_bytes())
    budget = next(r for r in report.rows if r.code == "org.budget")
    assert (budget.value, budget.unit, budget.raw) == (251000, "元", "２５１０００元")
    assert (budget.value_normalized, budget.unit_normalized) == (pytest.approx(25.1), "万元")
    converted = _findings(report.findings, "unit_converted")
    assert [f.code for f in converted] == ["org.budget"]
    assert all(r.value_normalized is None for r in report.rows if r.code != "org.budget")
    proactive = report.rows[0]
    assert (proactive.value, proactive.raw) == (13100, "１３，１００")


def test_bad_totals_identities(legacy_fixtures):
    report = extract((legacy_fixtures / "js-chongchuan-2016-badtotals.txt").read_bytes())
    failed = {f.code: (f.found, f.expected) for f in _findings(report.findings, "identity_failed")}
    assert failed == {
        "requests.received": (140, 139),
        "org.staff": (6, 5),
        "response.channels.press_conf.principal": (15, 13),
    }
    mismatch = _findings(report.findings, "narrative_mismatch")
    assert [(f.code, f.found, f.expected) for f in mismatch] == [("requests.received", 139, 140)]


def test_notice_is_not_a_report(legacy_fixtures):
    report = extract((legacy_fixtures / "js-chongchuan-2017-notice.html").read_bytes())
    assert report.status == "not_report"
    assert report.rows == []
    assert "通知" in report.message


def test_page_chrome_is_not_read_as_rows(legacy_fixtures):
    for name in ("js-chongchuan-2016-flat-gbk.html", "js-chongchuan-2016-fullwidth-wrapped.html"):
        report = extract((legacy_fixtures / name).read_bytes())
        assert 1234567 not in [r.value for r in report.rows]  # the visitor counter under the table
        assert report.rows[-1].code == "training.trainees"


# ------------------------------------------------------------------------------------- real pages


def _gold(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_fj_pingtan_2017_every_gold_value(shared_dir):
    folder = shared_dir / "real-reports" / "fj-pingtan-2017"
    report = extract((folder / "page.html").read_bytes(), filename="page.html")
    assert report.status == "ok", report.message
    assert (report.template, report.template_variant) == ("legacy", "fj-provincial")
    got = [(f"{r.label} | {r.column}", r.unit, r.value) for r in report.rows]
    want = [
        (g["label"], g["unit"], int(g["value"]) if g["value"] else None) for g in _gold(folder / "gold.csv")
    ]
    assert got == want
    assert all(r.code == f"{r.row_code}@{r.column_code}" for r in report.rows)
    assert {r.column_code for r in report.rows} == {"year", "cumulative"}
    assert not _findings(report.findings, "identity_failed")
    assert not _findings(report.findings, "unknown_label")


def test_fj_pingtan_2017_codes(shared_dir):
    report = extract((shared_dir / "real-reports" / "fj-pingtan-2017" / "page.html").read_bytes())
    values = {r.code: r.value for r in report.rows}
    assert values["proactive.total@year"] == 2122
    assert values["proactive.total@cumulative"] == 10037
    assert values["proactive.channels.website@cumulative"] == 10037
    assert values["review.total@year"] == 0
    assert values["complaints.litigation_reports@cumulative"] == 0


@pytest.mark.parametrize(
    ("folder", "status"),
    [("fj-pingtan-taxbureau-2013", "no_table"), ("fj-pingtan-letter-2014", "not_report")],
)
def test_real_pages_without_values(shared_dir, folder, status):
    report: Report = extract((shared_dir / "real-reports" / folder / "page.html").read_bytes())
    assert report.status == status, report.message
    assert report.rows == []
    assert report.n_values == 0
    assert report.message


@pytest.mark.parametrize("folder", ["fj-pingtan-taxbureau-2013", "fj-pingtan-letter-2014", "fj-pingtan-2022"])
def test_legacy_reader_reads_nothing_from_other_pages(shared_dir, codebook, folder):
    from extractors.load import load_document

    doc, _ = load_document((shared_dir / "real-reports" / folder / "page.html").read_bytes())
    assert legacy.read(doc, codebook) is None


def test_fj_pingtan_2017_flattened_as_word_pasted_lines(shared_dir, codebook):
    """The same page once its <table> is lost: label / unit / 2017年度 / 历年累计, one cell per line."""
    from extractors.load import load_document

    folder = shared_dir / "real-reports" / "fj-pingtan-2017"
    doc, _ = load_document((folder / "page.html").read_bytes())
    result = legacy.read(Document(kind="html", lines=doc.lines), codebook)
    got = [(f"{r.label} | {r.column}", r.unit, r.value) for r in result.rows]
    want = [(g["label"], g["unit"], int(g["value"])) for g in _gold(folder / "gold.csv")]
    assert got == want
    assert "text lines" in result.evidence


def test_unruled_pdf_figures_before_their_labels(legacy_fixtures):
    """Without rules, one-line labels sit lower than their figures: each figure comes out on the
    line BEFORE its label (two-line labels keep theirs in the middle). No figure may shift rows."""
    report = extract((legacy_fixtures / "js-chongchuan-2016-unruled.pdf").read_bytes())
    seed = {code: value for code, _, _, value in SEED_ROWS}
    assert [r.code for r in report.rows] == list(seed)
    wrong = [(r.code, r.value) for r in report.rows if r.value is not None and r.value != seed[r.code]]
    assert wrong == []
    # 60 (同意公开答复数) stands alone at the foot of page 1: it does not step with the pages, so
    # it is a figure, not a page number, and must come out in its own row.
    assert {r.code: r.value for r in report.rows}["requests.replies.granted"] == 60
    missing = {r.code for r in report.rows if r.value is None}
    assert missing == {"org.budget"}
    assert not [f for f in report.findings if f.kind == "identity_failed"]


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        ("危及国家安全和社会稳定", "requests.replies.denied.security_stability"),
        ("4.危及安全和社会稳定", "requests.replies.denied.security_stability"),
        ("涉及国家秘密", "requests.replies.denied.state_secret"),
        ("其中网上申请38件", None),
        ("危及公共卫生", None),
    ],
)
def test_short_local_wordings_match_their_long_label(codebook, printed, code):
    """A local short form keeps the long label's head and most of its characters in order; other
    text sharing only a head word stays unmatched."""
    form = legacy._form(codebook.templates["legacy-2014"])
    ind = form.matcher.choose(printed, "requests", set(), -1)
    assert (ind.code if ind else None) == code


def test_label_key_drops_only_the_characters_legacy_skips_on():
    """legacy.read skips lines printing an ideograph no label key holds; that is only sound while
    `label_key` drops no ideograph outside labels.KEY_DROPPABLE (numbering, a leading 其中)."""
    from extractors.codebook import load_codebook
    from extractors.labels import label_key

    cb = load_codebook()
    prefixes = ["", "一、", "（十一）", "(二)", "第二部分 ", "其中：", "其中:1﹒", "三十、", "二〇一六年 "]
    dropped: set[str] = set()
    for variant in cb.templates:
        for ind in cb.indicators(variant):
            for label in [ind.label, *getattr(ind, "variants", [])]:
                for prefix in prefixes:
                    text = prefix + label
                    kept = set(label_key(text))
                    dropped |= {ch for ch in text if "\u4e00" <= ch <= "\u9fff" and ch not in kept}
    assert dropped <= set(labels.KEY_DROPPABLE), sorted(dropped - set(labels.KEY_DROPPABLE))


def _page_lines(fixtures_dir: Path, shared_dir: Path) -> list[str]:
    """Every text line of the legacy fixtures, the seed and the real pages (menus, prose, tables)."""
    from extractors.load import load_document

    paths = [*sorted((fixtures_dir / "legacy").glob("*.*")), *sorted(shared_dir.glob("real-reports/*/*.html"))]
    paths.append(shared_dir / SEED)
    lines: list[str] = []
    for path in paths:
        doc, _ = load_document(path.read_bytes(), filename=path.name)
        lines += doc.lines if doc else []
    return lines


#: Lines where a character no label has stands where `_split_line` or `_PAREN` takes it away.
TRICKY_LINES = [
    "（一）收到申请数 件 139",
    "收到申请数：139件",
    "收到申请数139件次",
    "（一）收到申请数（邮件）",
    "收到申请数(shou)",
    "1.当面申请数 暂无",
    "（二）申请办结数 一一",
    "（三）申請答覆數 件 5",
    "其中：涉及国家秘密 ３ 件",
    "三、依申请公开情况 人次",
    "金湖县（一）收到申请数",
    "收到申请数（注）鸡",
]


def test_cheap_anchor_test_never_drops_a_keyed_line(fixtures_dir, shared_dir, codebook):
    """`_prepared.keyed` skips `_prepare_line` on lines failing `_anchor_test`: sound only while no
    such line would get keys (the early exits and lazy splitting rely on it)."""
    foreign = legacy._foreign_chars(legacy._known_chars(codebook))
    test = legacy._anchor_test(foreign)
    lines = _page_lines(fixtures_dir, shared_dir) + TRICKY_LINES
    dropped = [
        line
        for line in lines
        if len(line) <= 4 * legacy.MAX_LABEL_CHARS and not (test.fullmatch(line) and legacy._HAS_CJK.search(line))
    ]
    assert len(dropped) > len(lines) // 4  # the test does skip most prose and page chrome
    assert [line for line in dropped if legacy._prepare_line(line, foreign).key] == []
    assert not test.fullmatch("金湖县（一）收到申请数")  # 县 before the brackets: never keyed
    assert test.fullmatch("收到申请数（邮件）")  # 邮 inside them: left to _prepare_line


def test_lazily_split_lines_equal_the_eager_split(fixtures_dir, shared_dir, codebook):
    """The page's lines split on demand are the lines `_prepare_line` makes, in page order."""
    foreign = legacy._foreign_chars(legacy._known_chars(codebook))
    lines = _page_lines(fixtures_dir, shared_dir)[:3000] + TRICKY_LINES
    prepared = legacy._prepare_lines(lines, foreign)
    eager = [
        legacy._prepare_line(line, foreign) if len(line) <= 4 * legacy.MAX_LABEL_CHARS else (line, [], "", "")
        for line in lines
    ]
    assert [tuple(line) for line in prepared] == [tuple(line) for line in eager]
    assert prepared.keyed == [(i, line[2], line[3]) for i, line in enumerate(eager) if line[2]]


def test_forms_skipped_by_their_row_count_would_not_have_won(fixtures_dir, shared_dir, codebook, monkeypatch):
    """`read` skips a form whose value rows are fewer than the rows the best reading so far coded.
    Reading every form instead must give the same result on every page of the fixtures."""
    from dataclasses import asdict

    from extractors.load import load_document

    paths = [p for p in sorted(fixtures_dir.rglob("*")) if p.suffix in (".html", ".htm", ".shtml", ".txt")]
    paths += sorted(shared_dir.glob("real-reports/*/*.html")) + [shared_dir / SEED]
    docs = [doc for p in paths if (doc := load_document(p.read_bytes(), filename=p.name)[0]) is not None]
    fast = [asdict(r) if (r := legacy.read(doc, codebook)) else None for doc in docs]
    for variant in codebook.variants(legacy.FAMILY):
        monkeypatch.setattr(legacy._form(codebook.templates[variant]), "value_codes", 10**6)
    slow = [asdict(r) if (r := legacy.read(doc, codebook)) else None for doc in docs]
    assert sum(1 for r in fast if r) >= 20  # legacy tables of every form are among them
    assert {r["variant"] for r in fast if r} >= {"legacy-2014", "fj-provincial"}
    assert fast == slow


def test_cheap_cell_test_never_drops_an_exact_cell(fixtures_dir, shared_dir, codebook):
    """A table's anchors are counted only over cells passing `_cell_test`: no cell failing it may
    have a full key that is an exact label of a legacy form."""
    from extractors.load import load_document

    foreign = legacy._foreign_chars(legacy._known_chars(codebook))
    test = legacy._cell_test(foreign)
    exact = set().union(*(legacy._matcher(codebook.templates[v]).exact for v in codebook.variants(legacy.FAMILY)))
    paths = [p for p in sorted(fixtures_dir.rglob("*")) if p.suffix in (".html", ".htm", ".shtml")]
    cells = {"收到申请数（县）", "（一）收到申请数", "金湖县收到申请数", "申請辦結數"}
    for path in [*paths, *sorted(shared_dir.glob("real-reports/*/*.html"))]:
        doc, _ = load_document(path.read_bytes(), filename=path.name)
        cells |= {cell for table in (doc.tables if doc else []) for row in table.grid for cell in row if cell}
    dropped = [cell for cell in cells if not test.fullmatch(cell)]
    assert len(dropped) > 100
    assert [cell for cell in dropped if legacy._keys(cell)[0] in exact] == []
    assert not test.fullmatch("收到申请数（县）")  # unlike a line's bare key, the full key keeps 县


def _similarity_reference(printed: str, known: str) -> float:
    """legacy._similarity as written before its speed-ups (a fresh SequenceMatcher per pair)."""
    import difflib

    if not printed or not known:
        return 0.0
    if printed == known:
        return 1.0
    short, long_ = sorted((printed, known), key=len)
    ratio = len(short) / len(long_)
    if 2 * len(short) / (len(short) + len(long_)) < legacy.FUZZY_FLOOR and not (len(short) >= 4 and short in long_):
        if len(short) < legacy.ABBREV_MIN_CHARS or short[: legacy.ABBREV_HEAD] != long_[: legacy.ABBREV_HEAD]:
            return 0.0
        coverage = legacy._common_subsequence(short, long_) / len(short)
        return legacy.MATCH_THRESHOLD + 0.05 * coverage if coverage >= legacy.ABBREV_COVERAGE else 0.0
    if len(short) >= 4 and long_.startswith(short):
        return 0.85 + 0.14 * ratio
    if len(short) >= 4 and short in long_:
        return 0.7 + 0.2 * ratio
    matcher = difflib.SequenceMatcher(None, printed, known, autojunk=False)
    if matcher.real_quick_ratio() < legacy.FUZZY_FLOOR or matcher.quick_ratio() < legacy.FUZZY_FLOOR:
        return 0.0
    fuzzy = matcher.ratio()
    return 0.95 * fuzzy if fuzzy >= legacy.FUZZY_FLOOR else 0.0


def test_label_similarity_equals_the_plain_difflib_reading(codebook):
    """`_similarity` reuses a SequenceMatcher per codebook key and rules out pairs by the characters
    they do not share: the same scores as a fresh SequenceMatcher on typos, truncations and other rows."""
    import random

    rng = random.Random(3)
    keys = sorted({k for v in codebook.variants(legacy.FAMILY) for k in legacy._matcher(codebook.templates[v]).exact})
    printed = []
    for key in keys:
        chars = list(key)
        i = rng.randrange(len(chars))
        printed += [key, key[:-1], key[1:], "".join(chars[:i] + chars[i + 1 :]), key[:i] + "数" + key[i + 1 :]]
        printed.append("".join(rng.sample(chars, len(chars))))
        printed += [key[:2] + key[2::2], key[:2] + key[3::2] + "县", key[:3] + key[-3:]]  # local short forms
    scores = [(p, k, legacy._similarity(p, k)) for p in printed for k in rng.sample(keys, 25)]
    assert [s for _, _, s in scores] == [_similarity_reference(p, k) for p, k, _ in scores]
    assert sum(1 for _, _, s in scores if 0 < s < 0.95) > 100  # fuzzy and partial matches among them
    assert sum(1 for _, _, s in scores if legacy.MATCH_THRESHOLD <= s < 0.8) > 10  # short forms too


def test_cached_sequence_matchers_are_never_changed(codebook):
    """The crawler reads pages in threads: `_similarity` compares a copy of a key's cached matcher,
    never the shared one (whose first sequence another thread could swap mid-comparison)."""
    key = "维持具体行政行为数"
    shared = legacy._sequence_matcher(key)
    assert legacy._similarity("维持具有行政行为数", key) > legacy.MATCH_THRESHOLD  # a typo: compared in full
    assert legacy._sequence_matcher(key) is shared
    assert shared.a == ""
    assert shared.matching_blocks is None
