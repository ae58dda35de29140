"""Build tests/fixtures/generality/: realistic variants of the three national forms, as real pages print them.

Run from the project root: `.venv/bin/python tests/generality_build.py`. The pages are committed
byte-exact; the test reads them as bytes and compares every cell with `<fixture>.expected.csv`
(code,value; an empty value means the cell is blank and must come out as missing, not 0).
`cases.csv` gives each fixture's expected template and year.

Why: extraction is judged on reports from places and years we do not have. These pages reproduce
the shapes of real ones (Word-pasted MsoNormalTable with spans and &nbsp;, TRS_Editor divs, tables
inside layout tables, one <p> per cell, <br>-separated cells, GBK, plain text) and the wording
quirks of ../shared/reference/TEMPLATES.md §3, §5, §7. Numbers satisfy the forms' identities.
"""

from __future__ import annotations

import csv
import html
import itertools
import re
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "fixtures" / "generality"
TEMPLATES = ROOT.parents[1] / "shared" / "reference" / "templates.yaml"
CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS = ["natural_person", "legal.commercial", "legal.research", "legal.public_welfare", "legal.law_service", "legal.other"]
APPLICANT_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
FW = str.maketrans("0123456789.-", "０１２３４５６７８９．－")

Cell = tuple[str, int, int]  # text, rowspan, colspan
Grid = list[list[Cell]]


def c(text: str, rs: int = 1, cs: int = 1) -> Cell:
    return (text, rs, cs)


# ------------------------------------------------------------------------------------ legacy data

# (code or None for a section/header row, printed label, unit, printed value); value "" = no cell value.
LEGACY = [
    ("proactive", "一、主动公开情况", "", None),
    ("proactive.total", "（一）主动公开政府信息数|（不同渠道和方式公开相同信息计1条）", "条", "2350"),
    ("proactive.normative", "其中：主动公开规范性文件数", "条", "12"),
    ("proactive.normative_issued", "制发规范性文件总数", "件", "9"),
    ("proactive.channels", "（二）通过不同渠道和方式公开政府信息的情况", "", None),
    ("proactive.channels.gazette", "{1}政府公报公开政府信息数", "条", "40"),
    ("proactive.channels.website", "{2}政府网站公开政府信息数", "条", "1800"),
    ("proactive.channels.weibo", "{3}政务微博公开政府信息数", "条", "320"),
    ("proactive.channels.wechat", "{4}政务微信公开政府信息数", "条", "150"),
    ("proactive.channels.other", "{5}其他方式公开政府信息数", "条", "60"),
    ("response", "二、回应解读情况", "", None),
    ("response.hotspots", "（一）回应公众关注热点或重大舆情数|（不同方式回应同一热点或舆情计1次）", "次", "8"),
    ("response.channels", "（二）通过不同渠道和方式回应解读的情况", "", None),
    ("response.channels.press_conf", "{1}参加或举办新闻发布会总次数", "次", "5"),
    ("response.channels.press_conf.principal", "其中：主要负责同志参加新闻发布会次数", "次", "2"),
    ("response.channels.online_interview", "{2}政府网站在线访谈次数", "次", "4"),
    ("response.channels.online_interview.principal", "其中：主要负责同志参加政府网站在线访谈次数", "次", "1"),
    ("response.channels.interpretations", "{3}政策解读稿件发布数", "篇", "16"),
    ("response.channels.weibo_wechat", "{4}微博微信回应事件数", "次", "25"),
    ("response.channels.other", "{5}其他方式回应事件数", "次", "3"),
    ("requests", "三、依申请公开情况", "", None),
    ("requests.received", "（一）收到申请数", "件", "57"),
    ("requests.received.in_person", "{1}当面申请数", "件", "12"),
    ("requests.received.fax", "{2}传真申请数", "件", "0"),
    ("requests.received.online", "{3}网络申请数", "件", "38"),
    ("requests.received.letter", "{4}信函申请数", "件", "7"),
    ("requests.closed", "（二）申请办结数", "件", "55"),
    ("requests.closed.on_time", "{1}按时办结数", "件", "52"),
    ("requests.closed.extended", "{2}延期办结数", "件", "3"),
    ("requests.replies", "（三）申请答复数", "件", "55"),
    ("requests.replies.already_public", "{1}属于已主动公开范围数", "件", "6"),
    ("requests.replies.granted", "{2}同意公开答复数", "件", "30"),
    ("requests.replies.partial", "{3}同意部分公开答复数", "件", "5"),
    ("requests.replies.denied", "{4}不同意公开答复数", "件", "4"),
    ("requests.replies.denied.state_secret", "其中：涉及国家秘密", "件", "0"),
    ("requests.replies.denied.commercial_secret", "涉及商业秘密", "件", "1"),
    ("requests.replies.denied.privacy", "涉及个人隐私", "件", "2"),
    ("requests.replies.denied.security_stability", "危及国家安全、公共安全、经济安全和社会稳定", "件", "0"),
    ("requests.replies.denied.not_gov_info", "不是《条例》所指政府信息", "件", "1"),
    ("requests.replies.denied.other_legal", "法律法规规定的其他情形", "件", "0"),
    ("requests.replies.not_this_agency", "{5}不属于本行政机关公开数", "件", "5"),
    ("requests.replies.nonexistent", "{6}申请信息不存在数", "件", "3"),
    ("requests.replies.notice_amend", "{7}告知作出更改补充数", "件", "1"),
    ("requests.replies.notice_other_channel", "{8}告知通过其他途径办理数", "件", "1"),
    ("review.total", "四、行政复议数量", "件", "3"),
    ("review.upheld", "（一）维持具体行政行为数", "件", "2"),
    ("review.corrected", "（二）被依法纠错数", "件", "1"),
    ("review.other", "（三）其他情形数", "件", "0"),
    ("litigation.total", "五、行政诉讼数量", "件", "2"),
    ("litigation.upheld", "（一）维持具体行政行为或者驳回原告诉讼请求数", "件", "1"),
    ("litigation.corrected", "（二）被依法纠错数", "件", "0"),
    ("litigation.other", "（三）其他情形数", "件", "1"),
    ("complaints.total", "六、举报投诉数量", "件", "4"),
    ("fees.request_fees", "七、依申请公开信息收取的费用", "万元", "0"),
    ("org", "八、机构建设和保障经费情况", "", None),
    ("org.dedicated_units", "（一）政府信息公开工作专门机构数", "个", "1"),
    ("org.reading_points", "（二）设置政府信息公开查阅点数", "个", "3"),
    ("org.staff", "（三）从事政府信息公开工作人员数", "人", "6"),
    ("org.staff.full_time", "{1}专职人员数（不包括政府公报及政府网站工作人员数）", "人", "2"),
    ("org.staff.part_time", "{2}兼职人员数", "人", "4"),
    ("org.budget", "（四）政府信息公开专项经费|（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）", "万元", "5.5"),
    ("training", "九、政府信息公开会议和培训情况", "", None),
    ("training.meetings", "（一）召开政府信息公开工作会议或专题会议数", "次", "3"),
    ("training.classes", "（二）举办各类培训班数", "次", "2"),
    ("training.trainees", "（三）接受培训人员数", "人次", "150"),
]
NUMBERING = {"dot": "{}.", "dun": "{}、", "fwdot": "{}．", "paren": "（{}）", "none": "{}"}


def legacy_rows(numbering: str = "dot", drop: tuple[str, ...] = (), values: dict[str, str] | None = None,
                labels: dict[str, str] | None = None, extra_after: dict[str, list[tuple[str, str, str]]] | None = None,
                ) -> list[tuple[str | None, str, str, str | None]]:
    """The legacy form's rows with a numbering style, dropped sections, changed cells and local extra rows."""
    out: list[tuple[str | None, str, str, str | None]] = []
    for code, label, unit, value in LEGACY:
        if any(code == d or code.startswith(d + ".") for d in drop):
            continue
        label = (labels or {}).get(code, label)
        for n in "12345678":
            label = label.replace("{" + n + "}", NUMBERING[numbering].format(n))
        value = (values or {}).get(code, value)
        out.append((code, label, unit, value))
        for extra_label, extra_unit, extra_value in (extra_after or {}).get(code, []):
            out.append((None, extra_label, extra_unit, extra_value))
    return out


def legacy_expected(rows: list[tuple[str | None, str, str, str | None]]) -> dict[str, str]:
    return {code: _expected_value(v) for code, _, _, v in rows if code and v is not None}


def _expected_value(printed: str) -> str:
    text = printed.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-")).replace("万元", "").replace("元", "").replace(",", "").strip()
    return "" if text in ("", "——", "—", "/", "无", "-") else text


def legacy_grid(rows, title: str, unit_column: bool = True, wrap: bool = True) -> Grid:
    width = 3 if unit_column else 2
    grid: Grid = [[c(title, 1, width)], [c("统计指标"), *([c("单位")] if unit_column else []), c("统计数")]]
    for _code, label, unit, value in rows:
        text = label.replace("|", "\n" if wrap else "")
        if value is None:
            grid.append([c(text, 1, width)])
        else:
            grid.append([c(text), *([c(unit)] if unit_column else []), c(value)])
    return grid


# ------------------------------------------------------------------------------------ gov data


def load_form(version: str) -> dict:
    doc = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))
    tpl = next(t for t in doc["templates"] if t["id"] == version)
    return {t["id"]: t for t in tpl["tables"]}


T2_VALUES = {
    "new_made": [3, 7], "new_published": [3, 7], "total_published": [41, 286], "issued": [0, 14],
    "repealed": [1, 5], "in_force": [22, 137], "prev_items": [312, 45], "delta_items": [-8, 3],
    "decisions": [15820, 96], "projects": [12], "amount": [251000],
}


def t2_numbers(form: dict, amount: str | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    for block in form["t2"]["blocks"]:
        for i, row in enumerate(block["rows"]):
            for col in block["columns"]:
                vals = T2_VALUES[col["code"]]
                out[f"{row['code']}@{col['code']}"] = str(vals[min(i, len(vals) - 1)] + (3 if "penalty" in row["code"] else 0))
    if "disclosure.admin_fees@amount" in out:
        out["disclosure.admin_fees@amount"] = "36.52"
    if amount and "disclosure.central_procurement@amount" in out:
        out["disclosure.central_procurement@amount"] = amount
    return out


# leaf values per applicant column (natural person, commercial, research, welfare, law service, other)
LEAVES = {
    "apps.result.granted": [48, 6, 1, 0, 2, 1], "apps.result.partial": [5, 1, 0, 0, 0, 0],
    "apps.result.denied.state_secret": [0, 0, 0, 0, 0, 0], "apps.result.denied.law_prohibited": [1, 0, 0, 0, 0, 0],
    "apps.result.denied.security_stability": [0, 0, 0, 0, 0, 0], "apps.result.denied.third_party": [2, 1, 0, 0, 0, 0],
    "apps.result.denied.internal_affairs": [1, 0, 0, 0, 0, 0], "apps.result.denied.process_info": [3, 0, 0, 0, 0, 0],
    "apps.result.denied.enforcement_file": [1, 0, 0, 0, 1, 0], "apps.result.denied.admin_query": [2, 0, 0, 0, 0, 0],
    "apps.result.unable.not_held": [21, 2, 0, 1, 1, 0], "apps.result.unable.needs_creation": [4, 0, 0, 0, 0, 0],
    "apps.result.unable.still_unclear": [2, 0, 0, 0, 0, 0], "apps.result.not_processed.petition": [6, 0, 0, 0, 0, 0],
    "apps.result.not_processed.repeat": [3, 1, 0, 0, 0, 0], "apps.result.not_processed.publication": [1, 0, 0, 0, 0, 0],
    "apps.result.not_processed.mass_repeat": [0, 0, 0, 0, 0, 0], "apps.result.not_processed.confirm_reissue": [1, 0, 0, 0, 0, 0],
    "apps.result.other": [3, 0, 0, 0, 0, 0],
    "apps.result.other.no_correction": [2, 0, 0, 0, 0, 0], "apps.result.other.no_fee": [0, 0, 0, 0, 0, 0],
    "apps.result.other.other": [1, 0, 0, 0, 0, 0],
}
CARRIED_IN = [4, 1, 0, 0, 0, 0]
CARRIED_OUT = [7, 0, 0, 0, 1, 0]


def t3_rows(form: dict, single_six: bool = False) -> list[dict]:
    """Table 三's rows; `single_six` prints gov2019's one-row （六） inside a gov2021 form."""
    rows = list(form["t3"]["rows"])
    if single_six and any(r["code"] == "apps.result.other.other" for r in rows):
        rows = [r for r in rows if not r["code"].startswith("apps.result.other.")]
        rows = [{**r, "kind": "value"} if r["code"] == "apps.result.other" else r for r in rows]
    return rows


def t3_numbers(rows: list[dict], subtotal: bool, blank_detail_total: bool = False) -> dict[str, str]:
    leaf_codes = [r["code"] for r in rows if r["kind"] == "value" and r["code"] in LEAVES]
    per = {code: LEAVES[code] for code in leaf_codes}
    total = [sum(per[k][i] for k in leaf_codes) for i in range(6)]
    per["apps.result.total"] = total
    per["apps.carried_out"] = CARRIED_OUT
    per["apps.carried_in"] = CARRIED_IN
    per["apps.new"] = [total[i] + CARRIED_OUT[i] - CARRIED_IN[i] for i in range(6)]
    out: dict[str, str] = {}
    keep_total = {"apps.new", "apps.carried_in", "apps.result.total", "apps.carried_out"}
    for r in rows:
        if r["kind"] != "value":
            continue
        vals = per[r["code"]]
        for col, v in zip(APPLICANTS, vals, strict=True):
            out[f"{r['code']}@{col}"] = str(v)
        if subtotal:
            out[f"{r['code']}@legal.subtotal"] = str(sum(vals[1:]))
        shown = not blank_detail_total or r["code"] in keep_total
        out[f"{r['code']}@total"] = str(sum(vals)) if shown else ""
    return out


T4 = {"review": [3, 1, 0, 1], "litigation.direct": [2, 0, 1, 0], "litigation.after_review": [1, 0, 0, 1]}
T4_NAMES = ["upheld", "corrected", "other", "pending", "total"]
T4_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def t4_numbers() -> dict[str, str]:
    out = {}
    for group, parts in T4.items():
        for name, v in zip(T4_NAMES, [*parts, sum(parts)], strict=True):
            out[f"{group}.{name}"] = str(v)
    return out


def t2_grid(form: dict, numbers: dict[str, str], shanghai: bool = False, labels: dict[str, str] | None = None,
            extra_rows: dict[str, list[tuple[str, list[str]]]] | None = None) -> Grid:
    """Table 二, 4 grid columns; short blocks widen their last cell (or, Shanghai style, their first value cell)."""
    grid: Grid = []
    for block in form["t2"]["blocks"]:
        cols = block["columns"]
        grid.append([c(block["heading"], 1, 4)])
        grid.append([c("信息内容"), *_spread([(labels or {}).get(col["code"], col["label"]) for col in cols], shanghai)])
        for row in block["rows"]:
            vals = [numbers[f"{row['code']}@{col['code']}"] for col in cols]
            grid.append([c((labels or {}).get(row["code"], row["label"])), *_spread(vals, shanghai)])
            for extra_label, extra_vals in (extra_rows or {}).get(row["code"], []):
                grid.append([c(extra_label), *_spread(extra_vals, shanghai)])
    return grid


def _spread(texts: list[str], shanghai: bool) -> list[Cell]:
    cells = [c(t) for t in texts]
    missing = 3 - len(cells)
    if missing:
        i = 0 if shanghai else len(cells) - 1
        cells[i] = c(texts[i], 1, 1 + missing)
    return cells


def t3_grid(rows: list[dict], numbers: dict[str, str], subtotal: bool, fw: bool = False,
            labels: dict[str, str] | None = None) -> Grid:
    cols = APPLICANTS + (["legal.subtotal"] if subtotal else []) + ["total"]
    n_legal = 6 if subtotal else 5
    grid: Grid = [
        [c(CORNER, 3, 3), c("申请人情况", 1, len(cols))],
        [c("自然人", 2), c("法人或其他组织", 1, n_legal), c("总计", 2)],
        [c(x) for x in APPLICANT_LABELS[1:] + (["小计"] if subtotal else [])],
    ]
    value_rows = [r for r in rows if r["kind"] == "value"]
    in_result = [r for r in value_rows if r["code"].startswith("apps.result.")]
    groups = {r["code"]: [v for v in in_result if v["code"].startswith(r["code"] + ".")] for r in rows if r["kind"] == "group"}
    first_result = True
    for r in rows:
        if r["kind"] != "value":
            continue
        label = (labels or {}).get(r["code"], r["label"])
        vals = [numbers[f"{r['code']}@{col}"] for col in cols]
        vals = [v.translate(FW) if fw else v for v in vals]
        lead: list[Cell] = []
        if not r["code"].startswith("apps.result."):
            lead = [c(label, 1, 3)]
        else:
            if first_result:
                lead.append(c("三、本年度办理结果", len(in_result)))
                first_result = False
            parent = r["code"].rsplit(".", 1)[0]
            if parent in groups and parent != "apps.result":
                if groups[parent][0] is r:
                    group_label = next(g["label"] for g in rows if g["code"] == parent)
                    lead.append(c(group_label, len(groups[parent])))
                lead.append(c(label))
            else:
                lead.append(c(label, 1, 2))
        grid.append(lead + [c(v) for v in vals])
    return grid


def t4_grid(numbers: dict[str, str], scrambled: bool = False) -> Grid:
    vals = [c(numbers[f"{g}.{n}"]) for g in T4 for n in T4_NAMES]
    if scrambled:  # the outcome names printed above the sub-group titles they belong under
        return [
            [c("行政复议", 1, 5), c("行政诉讼", 1, 10)],
            [c(x) for x in T4_LABELS * 3],
            [c("", 1, 5), c("未经复议直接起诉", 1, 5), c("复议后起诉", 1, 5)],
            vals,
        ]
    return [
        [c("行政复议", 1, 5), c("行政诉讼", 1, 10)],
        [c(x, 2) for x in T4_LABELS] + [c("未经复议直接起诉", 1, 5), c("复议后起诉", 1, 5)],
        [c(x) for x in T4_LABELS * 2],
        vals,
    ]


# ------------------------------------------------------------------------------------ layouts


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def table_plain(grid: Grid, attrs: str = 'border="1" cellspacing="0"') -> str:
    out = [f"<table {attrs}><tbody>"]
    for row in grid:
        cells = "".join(f"<td{_span(rs, cs)}>{_e(t).replace(chr(10), '<br/>')}</td>" for t, rs, cs in row)
        out.append(f"<tr>{cells}</tr>")
    return "\n".join(out) + "\n</tbody></table>"


def table_mso(grid: Grid) -> str:
    """Word paste: MsoNormalTable, every cell a <p class=MsoNormal> with spans, blanks as &nbsp;."""
    out = ['<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt">',
           "<tbody>"]
    for i, row in enumerate(grid):
        cells = []
        for t, rs, cs in row:
            parts = t.split("\n")
            inner = "<br/>".join(_mso_runs(p) for p in parts) if t.strip() else "<span lang=\"EN-US\">&nbsp;</span>"
            cells.append(f'<td width="{60 * cs}" valign="center"{_span(rs, cs)} style="border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt">'
                         f'<p class="MsoNormal" align="center" style="text-align:center;line-height:15.0pt">{inner}<o:p></o:p></p></td>')
        out.append(f'<tr style="mso-yfti-irow:{i};height:20.0pt">' + "".join(cells) + "</tr>")
    return "\n".join(out) + "\n</tbody></table>"


def _mso_runs(text: str) -> str:
    """Split a cell's text into Word runs: digits in an EN-US span, the rest in a 仿宋 span with &nbsp; padding."""
    runs, buf, digit = [], "", None
    for ch in text:
        d = ch.isascii() and (ch.isdigit() or ch in ".-")
        if digit is not None and d != digit:
            runs.append((buf, digit))
            buf = ""
        buf, digit = buf + ch, d
    if buf:
        runs.append((buf, digit))
    html_runs = []
    for chunk, is_digit in runs:
        if is_digit:
            html_runs.append(f'<span lang="EN-US" style="font-size:12.0pt;font-family:&quot;Times New Roman&quot;">{_e(chunk)}</span>')
        else:
            html_runs.append(f'<span style="font-size:12.0pt;font-family:仿宋_GB2312">{_e(chunk)}</span>')
    return "".join(html_runs)


def _span(rs: int, cs: int) -> str:
    return (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")


def flat_p(grid: Grid) -> str:
    """The table lost: one <p> per cell, as a Word-to-CMS paste without table markup reads."""
    return "\n".join(f'<p style="text-align:center"><span>{_e(t.replace(chr(10), ""))}</span></p>' for row in grid for t, _, _ in row if t.strip())


def br_rows(grid: Grid) -> str:
    """One <p> per table row with its cells separated by <br>."""
    return "\n".join("<p>" + "<br/>".join(_e(t.replace("\n", "")) for t, _, _ in row if t.strip()) + "</p>" for row in grid)


def text_rows(grid: Grid) -> str:
    """A plain-text copy: one row per line, cells separated by runs of spaces."""
    return "\n".join("  ".join(t.replace("\n", "") for t, _, _ in row if t.strip()) for row in grid)


def trs(body: str) -> str:
    return f'<div class="TRS_Editor"><style>.TRS_Editor P{{line-height:2;font-family:宋体;font-size:12pt;}}</style>\n<div class="Custom_UnionStyle">\n{body}\n</div></div>'


def layout(body: str) -> str:
    """A CMS page that puts the article inside a layout table."""
    return ('<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td width="200" valign="top">'
            '<a href="/xxgk/">信息公开</a><br/><a href="/xxgk/nb/">年度报告</a></td>\n<td valign="top">'
            f'<table width="100%" border="0"><tr><td class="bt_content">\n{body}\n</td></tr></table></td></tr></table>')


def page(title: str, date: str, body: str, charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"/>\n'
            f"<title>{_e(title)}</title>\n"
            f'<meta name="ArticleTitle" content="{_e(title)}"/><meta name="PubDate" content="{date} 10:00"/>\n</head>\n<body>\n'
            f"<h1>{_e(title)}</h1><div class=\"info\">发布日期：{date}</div>\n"
            f"<p>　　本报告根据《中华人民共和国政府信息公开条例》要求编制。</p>\n{body}\n"
            '<p>　　三、政府信息公开行政复议、行政诉讼情况（见下表）</p>\n</body></html>\n')


# ------------------------------------------------------------------------------------ fixtures

CASES: list[tuple[str, str, int, str, Callable[[], tuple[bytes, dict[str, str]]]]] = []


def case(name: str, template: str, year: int, note: str):
    def deco(fn):
        CASES.append((name, template, year, note, fn))
        return fn
    return deco


def _legacy_page(name_place: str, year: int, rows, body_fn, charset="utf-8", date="2016-03-20", unit_column=True) -> bytes:
    title = f"{name_place}{year}年政府信息公开工作年度报告"
    grid = legacy_grid(rows, f"{year}年度政府信息公开情况统计表", unit_column=unit_column)
    return page(title, date, body_fn(grid), charset).encode("gb18030" if charset.lower().startswith("gb") else "utf-8")


@case("hb-xiaogan-2015-mso.html", "legacy", 2015, "Word-pasted MsoNormalTable, 1、 numbering, no 二、回应解读情况 (2015 copy)")
def hb_xiaogan_2015():
    rows = legacy_rows("dun", drop=("response",))
    return _legacy_page("孝感市孝南区人民政府", 2015, rows, table_mso, date="2016-03-28"), legacy_expected(rows)


@case("sc-wenjiang-2017-trs.html", "legacy", 2017, "TRS_Editor inside a layout table, （1） numbering, blanks as ——, /, 无, full-width digits")
def sc_wenjiang_2017():
    vals = {"proactive.channels.weibo": "——", "proactive.channels.wechat": "/", "complaints.total": "无",
            "proactive.total": "２３５０", "requests.received": "５７", "org.budget": "５．５"}
    rows = legacy_rows("paren", values=vals)
    return _legacy_page("成都市温江区人民政府", 2017, rows, lambda g: layout(trs(table_plain(g))), date="2018-03-15"), legacy_expected(rows)


@case("gd-shatian-2018-town.html", "legacy", 2018, "town copy with extra 主动公开 rows, one <p> per cell")
def gd_shatian_2018():
    extra = {"proactive.normative_issued": [("（三）主动公开部门文件数", "条", "85"), ("（四）更新公开目录条数", "条", "310")]}
    rows = legacy_rows("dot", extra_after=extra)
    return _legacy_page("东莞市沙田镇人民政府", 2018, rows, flat_p, date="2019-01-30"), legacy_expected(rows)


@case("ah-feidong-2016-br.html", "legacy", 2016, "table lost, each row one <p> with <br>-separated cells, 1．numbering")
def ah_feidong_2016():
    rows = legacy_rows("fwdot")
    return _legacy_page("肥东县人民政府", 2016, rows, br_rows, date="2017-03-10"), legacy_expected(rows)


@case("hn-liuyang-2014-gbk.txt", "legacy", 2014, "plain-text GBK copy, one row per line (label unit value), no 二, truncated label/typo")
def hn_liuyang_2014():
    labels = {"response.channels.online_interview": "{2}政府网站在线访谈次", "review.upheld": "（一）维持具有行政行为数"}
    rows = legacy_rows("dot", drop=("response",), labels=labels)
    grid = legacy_grid(rows, "2014年度政府信息公开情况统计表", wrap=False)
    text = "浏阳市人民政府2014年政府信息公开工作年度报告\n" + text_rows(grid) + "\n"
    return text.encode("gbk"), legacy_expected(rows)


@case("yn-mengzi-2016-nounit.html", "legacy", 2016, "two-column table (no unit column), units in labels, none numbering (1专职人员数)")
def yn_mengzi_2016():
    labels = {"fees.request_fees": "七、依申请公开信息收取的费用（万元）", "org.budget": "（四）政府信息公开专项经费（万元）"}
    rows = legacy_rows("none", labels=labels)
    return _legacy_page("蒙自市人民政府", 2016, rows, table_mso, date="2017-02-27", unit_column=False), legacy_expected(rows)


def _gov_page(place: str, year: int, version: str, *, t2_style, t3_style, t4_style, subtotal=False, single_six=False,
              blank_total=False, shanghai=False, t2_labels=None, t2_extra=None, t3_labels=None, amount=None,
              scrambled=False, fw=False, charset="utf-8", wrap=lambda s: s) -> tuple[bytes, dict[str, str]]:
    form = load_form(version)
    n2 = t2_numbers(form, amount)
    rows3 = t3_rows(form, single_six)
    n3 = t3_numbers(rows3, subtotal, blank_total)
    n4 = t4_numbers()
    body = "\n".join([
        "<p>　　二、主动公开政府信息情况</p>", t2_style(t2_grid(form, n2, shanghai, t2_labels, t2_extra)),
        "<p>　　三、收到和处理政府信息公开申请情况</p>", t3_style(t3_grid(rows3, n3, subtotal, fw, t3_labels)),
        "<p>　　四、政府信息公开行政复议、行政诉讼情况</p>", t4_style(t4_grid(n4, scrambled)),
    ])
    title = f"{place}{year}年政府信息公开工作年度报告"
    text = page(title, f"{year + 1}-01-25", wrap(body), charset)
    expected = {**{k: _expected_value(v) for k, v in n2.items()}, **n3, **n4}
    return text.encode("gb18030" if charset.lower().startswith("gb") else "utf-8"), expected


@case("sh-xuhui-2019-colspan.html", "gov2019", 2019, "Shanghai: colspan=2 first value cell in short blocks, blank 总计 in detail rows, Word-pasted")
def sh_xuhui_2019():
    return _gov_page("上海市徐汇区人民政府", 2019, "gov2019", t2_style=table_mso, t3_style=table_mso, t4_style=table_mso,
                     shanghai=True, blank_total=True, amount="251000元")


@case("hb-wuhan-2020-annotated.html", "gov2019", 2020, "Hubei-annotated labels, extra row 其他主动公开文件, negative 本年增/减, TRS in layout table")
def hb_wuhan_2020():
    labels = {"disclosure.regulations": "规章(设区的市、自治州人民政府应提供相关数据)",
              "disclosure.normative_docs": "规范性文件(行政机关制定发布的决定、公告、通告、意见、通知……)",
              "prev_items": "上一年项目数量(指2019年事项数)", "decisions": "处理决定数量(指2020年办件量)",
              "delta_items": "本年增/减(减少的用负数表示，如-8)"}
    extra = {"disclosure.normative_docs": [("其他主动公开文件", ["15", "15", "120"])]}
    return _gov_page("武汉市生态环境局", 2020, "gov2019", t2_style=table_plain, t3_style=table_plain, t4_style=table_plain,
                     t2_labels=labels, t2_extra=extra, amount="251000元", wrap=lambda b: layout(trs(b)))


@case("js-wujin-2019-br-gbk.html", "gov2019", 2019, "GBK page, tables lost: each row one <p> with <br>-separated cells")
def js_wujin_2019():
    return _gov_page("常州市武进区人民政府", 2019, "gov2019", t2_style=br_rows, t3_style=br_rows, t4_style=br_rows,
                     amount="38.6万元", charset="gb2312")


@case("zj-yuhang-2022-8col-mso.html", "gov2021", 2022, "8 columns with 法人或其他组织 小计, Word-pasted, （六） sub-rows numbered 1、")
def zj_yuhang_2022():
    labels = {"apps.result.other.no_correction": "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              "apps.result.other.no_fee": "2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
              "apps.result.other.other": "3、其他"}
    return _gov_page("杭州市余杭区人民政府", 2022, "gov2021", t2_style=table_mso, t3_style=table_mso, t4_style=table_mso,
                     subtotal=True, t3_labels=labels)


@case("hn-yuelu-2020-rows2021.html", "gov2021", 2020, "a 2020 report already printed on the 2021 form, one <p> per cell")
def hn_yuelu_2020():
    return _gov_page("长沙市岳麓区人民政府", 2020, "gov2021", t2_style=flat_p, t3_style=flat_p, t4_style=flat_p)


@case("gz-nanming-2023-single-six.html", "gov2021", 2023, "2023 report whose table 三 still has the 2019 single-row （六）其他处理")
def gz_nanming_2023():
    return _gov_page("贵阳市南明区人民政府", 2023, "gov2021", t2_style=table_plain, t3_style=table_plain, t4_style=table_plain,
                     single_six=True)


@case("sd-licheng-2021-t4-scrambled.html", "gov2021", 2021, "table 四 header scrambled (names before group titles), full-width digits in table 三, TRS")
def sd_licheng_2021():
    return _gov_page("济南市历城区人民政府", 2021, "gov2021", t2_style=table_plain, t3_style=table_plain, t4_style=table_plain,
                     scrambled=True, fw=True, wrap=trs)


@case("sh-jingan-2021-blanks.html", "gov2021", 2021, "blank 总计 cells in detail rows (Shanghai habit) on the 2021 form, MsoNormalTable")
def sh_jingan_2021():
    return _gov_page("上海市静安区人民政府", 2021, "gov2021", t2_style=table_mso, t3_style=table_mso, t4_style=table_mso,
                     blank_total=True)


# ------------------------------------------------------------------------------------ round 2: harder shapes


def legacy_renumbered(rows):
    """A 2014/2015 copy that dropped 二、回应解读情况 and renumbered the later sections 二 to 八."""
    shift = dict(zip("三四五六七八九", "二三四五六七八", strict=True))
    out = []
    for code, label, unit, value in rows:
        if label[:1] in shift and label[1:2] == "、":
            label = shift[label[0]] + label[1:]
        out.append((code, label, unit, value))
    return out


@case("hn-changsha-2015-renumbered.html", "legacy", 2015, "2015 copy without 回应解读 whose sections are renumbered 二…八, Word-pasted")
def hn_changsha_2015():
    rows = legacy_renumbered(legacy_rows("dot", drop=("response",)))
    return _legacy_page("长沙市天心区人民政府", 2015, rows, table_mso, date="2016-03-25"), legacy_expected(rows)


@case("jx-nanchang-2017-pagebreak.html", "legacy", 2017, "Word table broken in two by a page break, second part repeats the 统计指标/单位/统计数 header")
def jx_nanchang_2017():
    rows = legacy_rows("dun")
    grid = legacy_grid(rows, "2017年度政府信息公开情况统计表")
    at = next(i for i, r in enumerate(grid) if r[0][0].startswith("（三）申请答复数"))
    body = table_mso(grid[:at]) + '\n<p class="MsoNormal"><span lang="EN-US"><br clear="all" style="page-break-before:always"/></span></p>\n' + table_mso([grid[1], *grid[at:]])
    title = "南昌市西湖区人民政府2017年政府信息公开工作年度报告"
    return page(title, "2018-03-20", body).encode("utf-8"), legacy_expected(rows)


@case("gs-anning-2016-units-in-cells.html", "legacy", 2016, "header 指标名称/计量单位/数量 split over two <tr>; thousands separators; units only on 七/八(四)/九(三); '5.5万元' in a cell; 八(四) unit but no value")
def gs_anning_2016():
    vals = {"proactive.total": "2,350", "proactive.channels.website": "1,800", "fees.request_fees": "0万元", "org.budget": ""}
    rows = legacy_rows("dot", values=vals)
    units = {"fees.request_fees", "org.budget", "training.trainees"}
    grid: Grid = [[c("2016年度政府信息公开情况统计表", 1, 3)], [c("指标名称", 2), c("计量单位", 2), c("数量")], [c("2016年")]]
    for code, label, unit, value in rows:
        text = label.replace("|", "")
        if value is None:
            grid.append([c(text, 1, 3)])
        else:
            grid.append([c(text), c(unit if code in units else ""), c(value)])
    title = "兰州市安宁区人民政府2016年政府信息公开工作年度报告"
    return page(title, "2017-03-02", layout(table_plain(grid))).encode("utf-8"), legacy_expected(rows)


def t3_grid_unmerged(rows: list[dict], numbers: dict[str, str], subtotal: bool) -> Grid:
    """Table 三 retyped in a CMS: one label column, group rows printed as their own rows with empty cells."""
    cols = APPLICANTS + (["legal.subtotal"] if subtotal else []) + ["total"]
    grid: Grid = [[c(CORNER, 2), c("申请人情况", 1, len(cols))],
                  [c(x) for x in APPLICANT_LABELS + (["小计"] if subtotal else []) + ["总计"]]]
    for r in rows:
        if r["kind"] == "value":
            grid.append([c(r["label"]), *[c(numbers[f"{r['code']}@{col}"]) for col in cols]])
        else:
            grid.append([c(r["label"]), *[c("") for _ in cols]])
    return grid


def _gov_custom(place: str, year: int, version: str, build: Callable[[dict, dict, list[dict], dict, dict], str],
                blank_regs: bool = False, subtotal: bool = False, amount: str | None = None) -> tuple[bytes, dict[str, str]]:
    form = load_form(version)
    n2 = t2_numbers(form, amount)
    if blank_regs:  # counties issue no 规章: the row printed with dashes
        for k in [k for k in n2 if k.startswith("disclosure.regulations@")]:
            n2[k] = "——"
    rows3 = t3_rows(form)
    n3 = t3_numbers(rows3, subtotal)
    n4 = t4_numbers()
    body = build(form, n2, rows3, n3, n4)
    text = page(f"{place}{year}年政府信息公开工作年度报告", f"{year + 1}-01-20", body)
    return text.encode("utf-8"), {**{k: _expected_value(v) for k, v in n2.items()}, **n3, **n4}


@case("sc-pidu-2019-unmerged.html", "gov2019", 2019, "table 三 retyped with one label column and group rows as empty rows; 规章 row '——'")
def sc_pidu_2019():
    def build(form, n2, rows3, n3, n4):
        return "\n".join([table_plain(t2_grid(form, n2)), "<p>三、收到和处理政府信息公开申请情况</p>",
                          table_plain(t3_grid_unmerged(rows3, n3, False)), "<p>四、政府信息公开行政复议、行政诉讼情况</p>",
                          table_plain(t4_grid(n4))])
    return _gov_custom("成都市郫都区人民政府", 2019, "gov2019", build, blank_regs=True, amount="0")


@case("fj-jinan-2021-pagebreak.html", "gov2021", 2021, "table 三 broken by a Word page break after （三）不予公开 (second part repeats the header, group label cut)")
def fj_jinan_2021():
    def build(form, n2, rows3, n3, n4):
        grid = t3_grid(rows3, n3, False)
        at = next(i for i, r in enumerate(grid) if any(t.startswith("（四）无法提供") for t, _, _ in r))
        first = [[(t, min(rs, at - i), cs) for t, rs, cs in row] for i, row in enumerate(grid[:at])]
        second = [list(r) for r in grid[:3]]
        for j, row in enumerate(grid[at:]):
            second.append(([c("三、本年度办理结果", len(grid) - at - 2)] if j == 0 else []) + list(row))
        brk = '<p class="MsoNormal"><span lang="EN-US"><br clear="all" style="page-break-before:always"/></span></p>'
        return "\n".join([table_mso(t2_grid(form, n2)), "<p>三、收到和处理政府信息公开申请情况</p>", table_mso(first), brk,
                          table_mso(second), "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_mso(t4_grid(n4))])
    return _gov_custom("福州市晋安区人民政府", 2021, "gov2021", build)


@case("gd-tianhe-2022-br-labels.html", "gov2021", 2022, "header and label cells broken with <br> (本年<br>制发件数, 部分公开…<br>…), t2 header split over two <tr>, 规章 '/'")
def gd_tianhe_2022():
    def build(form, n2, rows3, n3, n4):
        t2: Grid = []
        for block in form["t2"]["blocks"]:
            cols = block["columns"]
            t2.append([c(block["heading"], 1, 4)])
            if len(cols) == 3:
                t2.append([c("信息内容", 2)] + [c(col["label"][:2]) for col in cols])
                t2.append([c(col["label"][2:]) for col in cols])
            else:
                t2.append([c("信息内容"), c(cols[0]["label"][:4] + "\n" + cols[0]["label"][4:], 1, 3)])
            for row in block["rows"]:
                vals = [n2[f"{row['code']}@{col['code']}"] for col in cols]
                t2.append([c(row["label"]), *_spread(vals, False)])
        labels = {r["code"]: r["label"][:8] + "\n" + r["label"][8:] for r in rows3 if len(r["label"]) > 12}
        return "\n".join([table_plain(t2), "<p>三、收到和处理政府信息公开申请情况</p>",
                          table_plain(t3_grid(rows3, n3, False, labels=labels)), "<p>四、政府信息公开行政复议、行政诉讼情况</p>",
                          table_plain(t4_grid(n4))])
    out, exp = _gov_custom("广州市天河区人民政府", 2022, "gov2021", build, blank_regs=True)
    return out.replace("<td>——</td>".encode(), b"<td>/</td>"), exp


@case("zj-shaoxing-2021-one-table.html", "gov2021", 2021, "tables 二 and 三 printed as one 10-column table (section titles as full-width rows), 规章 '——'")
def zj_shaoxing_2021():
    def build(form, n2, rows3, n3, n4):
        t2: Grid = []
        for row in t2_grid(form, n2):
            if len(row) == 1:
                t2.append([c(row[0][0], 1, 10)])
            else:
                t2.append([c(row[0][0], 1, 4), *[c(t, rs, 2 * cs) for t, rs, cs in row[1:]]])
        grid: Grid = [[c("二、主动公开政府信息情况", 1, 10)], *t2, [c("三、收到和处理政府信息公开申请情况", 1, 10)],
                      *t3_grid(rows3, n3, False)]
        return "\n".join([table_plain(grid), "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_plain(t4_grid(n4))])
    return _gov_custom("绍兴市越城区人民政府", 2021, "gov2021", build, blank_regs=True)


# ------------------------------------------------------------------------------------ round 3: mirrors, Word runs, wording

#: simplified -> traditional for the characters of the legacy form (big5 gateways and wiki mirrors)
TRAD = str.maketrans(
    "万专业个为举众会传体务动发关况办复应报围国开总护时机条构济点热类纠线经结络维编网职舆范补规计训议讼设访诉请读谈负责费辑过门闻阅隐项题驳错稳员单统标区县属从当径数政见华泽丰参",
    "萬專業個為舉眾會傳體務動發關況辦復應報圍國開總護時機條構濟點熱類糾線經結絡維編網職輿範補規計訓議訟設訪訴請讀談負責費輯過門聞閱隱項題駁錯穩員單統標區縣屬從當徑數政見華澤豐參",
)


@case("tw-mirror-2016-big5.html", "legacy", 2016, "mirror page in traditional characters, big5-encoded, table kept")
def tw_mirror_2016():
    rows = legacy_rows("dot")
    grid = legacy_grid(rows, "2016年度政府信息公开情况统计表")
    grid = [[(t.translate(TRAD), rs, cs) for t, rs, cs in row] for row in grid]
    title = "泉州市丰泽区人民政府2016年政府信息公开工作年度报告".translate(TRAD)
    text = page(title, "2017-03-01", table_plain(grid), "big5").translate(TRAD)
    return text.encode("big5"), legacy_expected(rows)


def table_word_runs(grid: Grid) -> str:
    """Word at its worst: <th> header cells, numbers split into one span per digit, wrapped labels as two <p>."""
    out = ['<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0"><tbody>']
    for i, row in enumerate(grid):
        cells = []
        for t, rs, cs in row:
            tag = "th" if i < 2 else "td"
            if t.strip().replace(".", "").replace("-", "").isdigit():
                inner = '<p class="MsoNormal" align="center">' + "".join(
                    f'<span lang="EN-US" style="font-size:10.5pt">{ch}</span>' for ch in t) + "</p>"
            elif t.strip():
                inner = "".join(f'<p class="MsoNormal"><span style="font-family:宋体">{_e(part)}</span></p>' for part in t.split("\n"))
            else:
                inner = '<p class="MsoNormal"><span lang="EN-US">&nbsp;</span></p>'
            cells.append(f"<{tag}{_span(rs, cs)}>{inner}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(out) + "\n</tbody></table>"


@case("hb-yichang-2018-wordruns.html", "legacy", 2018, "<th> headers, one <span> per digit, wrapped labels as two <p> in a cell, 备注 column with text")
def hb_yichang_2018():
    rows = legacy_rows("dot")
    grid = legacy_grid(rows, "2018年度政府信息公开情况统计表")
    grid[0] = [c(grid[0][0][0], 1, 4)]
    grid[1] = [*grid[1], c("备注")]
    remarks = {"org.budget": "含网站维护费", "requests.received": "其中网上申请38件", "training.trainees": "含乡镇"}
    for i, (code, *_rest) in enumerate(rows, start=2):
        if len(grid[i]) == 1:
            grid[i] = [c(grid[i][0][0], 1, 4)]
        else:
            grid[i] = [*grid[i], c(remarks.get(code, ""))]
    title = "宜昌市西陵区人民政府2018年政府信息公开工作年度报告"
    return page(title, "2019-03-12", table_word_runs(grid)).encode("utf-8"), legacy_expected(rows)


@case("ln-dadong-2017-wording.html", "legacy", 2017, "local wording: no parenthetical, half-width (一) and 其中:, 危及“三安全一稳定”, 所指的政府信息, numbers without dots")
def ln_dadong_2017():
    labels = {
        "proactive.total": "(一)主动公开政府信息数", "proactive.normative": "其中:主动公开规范性文件数",
        "response.hotspots": "(一)回应公众关注热点或重大舆情数",
        "requests.replies.denied.security_stability": "危及“三安全一稳定”",
        "requests.replies.denied.not_gov_info": "不是《条例》所指的政府信息",
        "requests.replies.denied.state_secret": "其中:涉及国家秘密",
        "org.budget": "(四)政府信息公开专项经费",
        "org.staff.full_time": "{1}专职人员数",
    }
    rows = legacy_rows("none", labels=labels)
    return _legacy_page("沈阳市大东区人民政府", 2017, rows, table_plain, date="2018-03-28"), legacy_expected(rows)


@case("cq-yubei-2020-separate-tables.html", "gov2019", 2020, "each 第二十条 block its own table, table 四 as two tables (复议 / 诉讼), one <span> per digit")
def cq_yubei_2020():
    def build(form, n2, rows3, n3, n4):
        t2 = t2_grid(form, n2)
        starts = [i for i, r in enumerate(t2) if len(r) == 1] + [len(t2)]
        parts = [f"<p>{_e(t2[a][0][0])}</p>\n" + table_word_runs(t2[a + 1:b]) for a, b in itertools.pairwise(starts)]
        vals = [c(n4[f"{g}.{n}"]) for g in T4 for n in T4_NAMES]
        review = [[c("行政复议", 1, 5)], [c(x) for x in T4_LABELS], vals[:5]]
        lit = [[c("行政诉讼", 1, 10)], [c("未经复议直接起诉", 1, 5), c("复议后起诉", 1, 5)], [c(x) for x in T4_LABELS * 2], vals[5:]]
        return "\n".join([*parts, "<p>三、收到和处理政府信息公开申请情况</p>", table_word_runs(t3_grid(rows3, n3, False)),
                          "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_word_runs(review), table_word_runs(lit)])
    return _gov_custom("重庆市渝北区人民政府", 2020, "gov2019", build, amount="1280.5万元")


@case("sh-putuo-2019-flat-dashes.html", "gov2019", 2019, "Shanghai blanks in 总计 printed as —— in a page flattened one <p> per cell")
def sh_putuo_2019():
    def build(form, n2, rows3, n3, n4):
        n3 = {k: (v or "——") for k, v in n3.items()}
        return "\n".join([flat_p(t2_grid(form, n2, True)), "<p>三、收到和处理政府信息公开申请情况</p>",
                          flat_p(t3_grid(rows3, n3, False)), "<p>四、政府信息公开行政复议、行政诉讼情况</p>", flat_p(t4_grid(n4))])
    form = load_form("gov2019")
    data, exp = _gov_custom("上海市普陀区人民政府", 2019, "gov2019", lambda f, a, r, n3, n4: build(f, a, r, _blank_totals(n3), n4),
                            amount="251000元")
    blanks = _blank_totals(t3_numbers(t3_rows(form), False))
    return data, {**exp, **blanks}


def _blank_totals(n3: dict[str, str]) -> dict[str, str]:
    keep = ("apps.new@", "apps.carried_in@", "apps.result.total@", "apps.carried_out@")
    return {k: ("" if k.endswith("@total") and not k.startswith(keep) else v) for k, v in n3.items()}


@case("sx-xiaodian-2022-wording.html", "gov2021", 2022, "local wording: 1、 sub-item numbering, 危及「三安全一稳定」, short （二）部分公开, 法人或者其他组织, 本年收费金额 '0.00'")
def sx_xiaodian_2022():
    def build(form, n2, rows3, n3, n4):
        labels = {}
        for r in rows3:
            lab = r["label"]
            if lab[:2] in ("1.", "2.", "3.", "4.", "5.", "6.", "7.", "8."):
                lab = lab[0] + "、" + lab[2:]
            labels[r["code"]] = lab
        labels["apps.result.partial"] = "（二）部分公开"
        labels["apps.result.denied.security_stability"] = "3、危及「三安全一稳定」"
        grid = t3_grid(rows3, n3, False, labels=labels)
        grid[1] = [(("法人或者其他组织" if t == "法人或其他组织" else t), rs, cs) for t, rs, cs in grid[1]]
        n2 = {**n2, "disclosure.admin_fees@amount": "0.00"}
        return "\n".join([table_plain(t2_grid(form, n2)), "<p>三、收到和处理政府信息公开申请情况</p>", table_plain(grid),
                          "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_plain(t4_grid(n4))])
    data, exp = _gov_custom("太原市小店区人民政府", 2022, "gov2021", build)
    return data, {**exp, "disclosure.admin_fees@amount": "0.00"}


# ------------------------------------------------------------------------------------ round 4: retyped tables, partial pages, titles


@case("gx-xixiangtang-2016-units-in-values.html", "legacy", 2016, "values printed with their unit in the cell ('2350条', '57件'), unit column empty; wrapped parenthetical as its own row carrying the value")
def gx_xixiangtang_2016():
    rows = legacy_rows("dot")
    grid: Grid = [[c("2016年度政府信息公开情况统计表", 1, 3)], [c("统计指标"), c("单位"), c("统计数")]]
    for _code, label, unit, value in rows:
        if value is None:
            grid.append([c(label, 1, 3)])
        elif "|" in label:
            head, tail = label.split("|")
            grid.append([c(head), c(""), c("")])
            grid.append([c(tail), c(""), c(value + unit)])
        else:
            grid.append([c(label), c(""), c(value + unit)])
    title = "南宁市西乡塘区人民政府2016年政府信息公开工作年度报告"
    return page(title, "2017-03-30", table_plain(grid)).encode("utf-8"), legacy_expected(rows)


def t3_grid_oneheader(rows: list[dict], numbers: dict[str, str]) -> Grid:
    """Table 三 retyped with a one-row header in value order and no corner note, unmerged labels."""
    grid: Grid = [[c(""), *[c(x) for x in [*APPLICANT_LABELS, "总计"]]]]
    for r in rows:
        vals = [numbers.get(f"{r['code']}@{col}", "") for col in [*APPLICANTS, "total"]]
        grid.append([c(r["label"]), *[c(v) for v in vals]])
    return grid


@case("nm-saihan-2019-oneheader.html", "gov2019", 2019, "table 三 with a one-row header (自然人…总计) and no corner note; 采购总金额（万元） in the header, value 25.1")
def nm_saihan_2019():
    def build(form, n2, rows3, n3, n4):
        t2 = [[(("采购总金额（万元）" if t == "采购总金额" else t), rs, cs) for t, rs, cs in row] for row in t2_grid(form, n2)]
        return "\n".join([table_plain(t2), "<p>三、收到和处理政府信息公开申请情况</p>",
                          table_plain(t3_grid_oneheader(rows3, n3)), "<p>四、政府信息公开行政复议、行政诉讼情况</p>",
                          table_plain(t4_grid(n4))])
    return _gov_custom("呼和浩特市赛罕区人民政府", 2019, "gov2019", build, amount="25.1")


def _t34_only(place: str, year: int, version: str, title: str) -> tuple[bytes, dict[str, str]]:
    form = load_form(version)
    rows3 = t3_rows(form)
    n3, n4 = t3_numbers(rows3, False), t4_numbers()
    body = "\n".join(["<p>　　二、主动公开政府信息情况</p><p>　　本年度共主动公开政府信息1520条。</p>",
                      "<p>三、收到和处理政府信息公开申请情况</p>", table_mso(t3_grid(rows3, n3, False)),
                      "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_mso(t4_grid(n4))])
    return page(title, f"{year + 1}-01-28", body).encode("utf-8"), {**n3, **n4}


@case("ha-jinshui-2020-t34-only.html", "gov2019", 2020, "gov2019 page with tables 三 and 四 only (table 二 in prose): （六） one row decides")
def ha_jinshui_2020():
    return _t34_only("郑州市金水区", 2020, "gov2019", "郑州市金水区人民政府2020年政府信息公开工作年度报告")


@case("ha-jinshui-2022-t34-only.html", "gov2021", 2022, "gov2021 page with tables 三 and 四 only: （六） with three sub-rows decides")
def ha_jinshui_2022():
    return _t34_only("郑州市金水区", 2022, "gov2021", "郑州市金水区人民政府2022年政府信息公开工作年度报告")


@case("js-haian-2021-title-suffix.html", "gov2021", 2021, "title '政府信息公开工作年度报告（2021年）', year only in brackets after the name")
def js_haian_2021():
    return _t34_only("海安市", 2021, "gov2021", "海安市人民政府政府信息公开工作年度报告（2021年）")


@case("sd-zhangqiu-2017-chinese-year.html", "legacy", 2017, "title with the year in Chinese numerals: 二〇一七年度")
def sd_zhangqiu_2017():
    rows = legacy_rows("dot")
    grid = legacy_grid(rows, "二〇一七年度政府信息公开情况统计表")
    title = "济南市章丘区人民政府二〇一七年度政府信息公开工作年度报告"
    return page(title, "2018-03-26", table_plain(grid)).encode("utf-8"), legacy_expected(rows)


# ------------------------------------------------------------------------------------ round 5: dashes in heading rows, retyped labels


@case("sx-yanta-2018-dash-headings.html", "legacy", 2018, "heading rows print —— in the 单位 and 统计数 columns (as the official form), empty spacer rows")
def sx_yanta_2018():
    rows = legacy_rows("dot")
    grid: Grid = [[c("2018年度政府信息公开情况统计表", 1, 3)], [c("统计指标"), c("单位"), c("统计数")]]
    for _code, label, unit, value in rows:
        text = label.replace("|", "")
        if value is None:
            grid.append([c(text), c("——"), c("——")])
            if text.startswith("三、"):
                grid.append([c("", 1, 3)])
        else:
            grid.append([c(text), c(unit), c(value)])
    title = "西安市雁塔区人民政府2018年政府信息公开工作年度报告"
    return page(title, "2019-03-29", table_mso(grid)).encode("utf-8"), legacy_expected(rows)


@case("gs-chengguan-2020-retyped.html", "gov2019", 2020, "labels retyped without numbering (予以公开, 本年新收…), vertical 三/、/本/年/度… label, '+3' in 本年增/减, '3件' cells in table 二")
def gs_chengguan_2020():
    def build(form, n2, rows3, n3, n4):
        n2 = {k: (("+" + v) if k.endswith("@delta_items") and not v.startswith("-") else v) for k, v in n2.items()}
        n2 = {k: (v + "件" if k.startswith("disclosure.regulations@") else v) for k, v in n2.items()}
        labels = {r["code"]: re.sub(r"^(?:[一二三四]、|（[一二三四五六七]）|\d\.)", "", r["label"]) for r in rows3}
        grid = t3_grid(rows3, n3, False, labels=labels)
        grid = [[(("\n".join("三、本年度办理结果") if t == "三、本年度办理结果" else t), rs, cs) for t, rs, cs in row] for row in grid]
        return "\n".join([table_plain(t2_grid(form, n2)), "<p>三、收到和处理政府信息公开申请情况</p>", table_plain(grid),
                          "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_plain(t4_grid(n4))])
    return _gov_custom("兰州市城关区人民政府", 2020, "gov2019", build, amount="0")


# ------------------------------------------------------------------------------------ round 6: browser copies, two years


def tab_rows(grid: Grid) -> str:
    """A table copied from a browser into a text file: one row per line, cells separated by tabs, blanks kept."""
    lines = []
    for row in grid:
        cells = []
        for t, _, cs in row:
            cells.extend([t.replace("\n", "")] + [""] * (cs - 1))
        lines.append("\t".join(cells))
    return "\n".join(lines)


@case("sh-hongkou-2019-tabs.txt", "gov2019", 2019, "browser copy to text: tab-separated cells, blank 总计 cells kept as empty tabs")
def sh_hongkou_2019():
    form = load_form("gov2019")
    n2 = t2_numbers(form, "251000元")
    rows3 = t3_rows(form)
    n3 = t3_numbers(rows3, False, blank_detail_total=True)
    n4 = t4_numbers()
    text = "\n".join(["上海市虹口区人民政府2019年政府信息公开工作年度报告", "二、主动公开政府信息情况", tab_rows(t2_grid(form, n2)),
                      "三、收到和处理政府信息公开申请情况", tab_rows(t3_grid(rows3, n3, False)),
                      "四、政府信息公开行政复议、行政诉讼情况", tab_rows(t4_grid(n4)), ""])
    return text.encode("utf-8"), {**{k: _expected_value(v) for k, v in n2.items()}, **n3, **n4}


@case("zj-gongshu-2022-tabs.txt", "gov2021", 2022, "browser copy to text of the 2021 form: tab-separated cells, rowspan-covered cells absent, no blanks")
def zj_gongshu_2022():
    form = load_form("gov2021")
    n2 = t2_numbers(form)
    rows3 = t3_rows(form)
    n3, n4 = t3_numbers(rows3, False), t4_numbers()
    text = "\n".join(["杭州市拱墅区人民政府2022年政府信息公开工作年度报告", "二、主动公开政府信息情况", tab_rows(t2_grid(form, n2)),
                      "三、收到和处理政府信息公开申请情况", tab_rows(t3_grid(rows3, n3, False)),
                      "四、政府信息公开行政复议、行政诉讼情况", tab_rows(t4_grid(n4)), ""])
    return text.encode("utf-8"), {**{k: _expected_value(v) for k, v in n2.items()}, **n3, **n4}


@case("hn-furong-2018-tabs.txt", "legacy", 2018, "browser copy to text: tab-separated label, unit, value")
def hn_furong_2018():
    rows = legacy_rows("dot")
    text = "长沙市芙蓉区人民政府2018年政府信息公开工作年度报告\n" + tab_rows(legacy_grid(rows, "2018年度政府信息公开情况统计表", wrap=False)) + "\n"
    return text.encode("utf-8"), legacy_expected(rows)


@case("js-gulou-2017-two-years.html", "legacy", 2017, "two value columns 2016年 | 2017年 (last year beside this year): the report year's column is read")
def js_gulou_2017():
    rows = legacy_rows("dot")
    grid: Grid = [[c("2017年度政府信息公开情况统计表", 1, 4)], [c("统计指标"), c("单位"), c("2016年"), c("2017年")]]
    for _code, label, unit, value in rows:
        if value is None:
            grid.append([c(label.replace("|", ""), 1, 4)])
        else:
            last = str(round(float(value) * 1.5 + 1, 1)).removesuffix(".0")
            grid.append([c(label.replace("|", "")), c(unit), c(last), c(value)])
    title = "南京市鼓楼区人民政府2017年政府信息公开工作年度报告"
    return page(title, "2018-03-30", table_mso(grid)).encode("utf-8"), legacy_expected(rows)


@case("gd-nanshan-2022-midgroup-break.html", "gov2021", 2022, "table 三 cut by a page break inside （三）不予公开: the continued rows carry no group label")
def gd_nanshan_2022():
    def build(form, n2, rows3, n3, n4):
        grid = t3_grid(rows3, n3, False)
        at = next(i for i, r in enumerate(grid) if any(t.startswith("5.属于三类内部事务信息") for t, _, _ in r))
        first = [[(t, min(rs, at - i), cs) for t, rs, cs in row] for i, row in enumerate(grid[:at])]
        second = [list(r) for r in grid[:3]]
        for j, row in enumerate(grid[at:]):
            lead = [c("", len(grid) - at - 2), c("", 4)] if j == 0 else ([c("", 1)] if j < 4 else [])
            second.append(lead + list(row))
        brk = '<p class="MsoNormal"><span lang="EN-US"><br clear="all" style="page-break-before:always"/></span></p>'
        return "\n".join([table_mso(t2_grid(form, n2)), "<p>三、收到和处理政府信息公开申请情况</p>", table_mso(first), brk,
                          table_mso(second), "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_mso(t4_grid(n4))])
    return _gov_custom("深圳市南山区人民政府", 2022, "gov2021", build)


# ------------------------------------------------------------------------------------ round 7: units in headers, spaced labels


@case("bj-haidian-2022-fee-yuan.html", "gov2021", 2022, "本年收费金额（单位：元） with 365200 in 元 (the form prints 万元); t4 header in one table, its values in the next (page break)")
def bj_haidian_2022():
    def build(form, n2, rows3, n3, n4):
        t2 = [[(("本年收费金额（单位：元）" if t.startswith("本年收费金额") else t), rs, cs) for t, rs, cs in row] for row in t2_grid(form, n2)]
        t4 = t4_grid(n4)
        brk = '<p class="MsoNormal"><span lang="EN-US"><br clear="all" style="page-break-before:always"/></span></p>'
        return "\n".join([table_mso(t2), "<p>三、收到和处理政府信息公开申请情况</p>", table_mso(t3_grid(rows3, n3, False)),
                          "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_mso(t4[:3]), brk, table_mso(t4[3:])])
    form = load_form("gov2021")
    data, exp = _gov_custom("北京市海淀区人民政府", 2022, "gov2021", lambda f, a, r, n3, n4: build(f, {**a, "disclosure.admin_fees@amount": "365200"}, r, n3, n4))
    del form
    return data, {**exp, "disclosure.admin_fees@amount": "365200"}


GOV2021_FEE_UNIT = {"bj-haidian-2022-fee-yuan.html": "元"}


@case("hb-jiangan-2017-fees-yuan.html", "legacy", 2017, "七 and 八(四) printed in 元 in the unit column (300 元, 55000 元) instead of 万元")
def hb_jiangan_2017():
    rows = legacy_rows("dot", values={"fees.request_fees": "300", "org.budget": "55000"})
    rows = [(code, label, ("元" if code in ("fees.request_fees", "org.budget") else unit), value) for code, label, unit, value in rows]
    return _legacy_page("武汉市江岸区人民政府", 2017, rows, table_plain, date="2018-03-22"), legacy_expected(rows)


LEGACY_FEE_UNIT = {"hb-jiangan-2017-fees-yuan.html": "元"}


def _spaced(text: str) -> str:
    """Word justification: short labels padded with full-width or ASCII spaces between characters."""
    if len(text) <= 4 and not text.isdigit():
        return "　".join(text) if len(text) == 2 else " ".join(text)
    return text


@case("fj-siming-2020-spaced.html", "gov2019", 2020, "short labels and headers spaced out by Word (自 然 人, 总　计, 规　章, 其　他)")
def fj_siming_2020():
    def build(form, n2, rows3, n3, n4):
        t2 = [[(_spaced(t), rs, cs) for t, rs, cs in row] for row in t2_grid(form, n2)]
        grid = [[(_spaced(t), rs, cs) for t, rs, cs in row] for row in t3_grid(rows3, n3, False)]
        t4 = [[(_spaced(t), rs, cs) for t, rs, cs in row] for row in t4_grid(n4)]
        return "\n".join([table_plain(t2), "<p>三、收到和处理政府信息公开申请情况</p>", table_plain(grid),
                          "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_plain(t4)])
    return _gov_custom("厦门市思明区人民政府", 2020, "gov2019", build, amount="251000元")


@case("fj-huli-2020-no-total-column.html", "gov2019", 2020, "table 三 printed without its 总计 column (six applicant columns only)")
def fj_huli_2020():
    def build(form, n2, rows3, n3, n4):
        grid = t3_grid(rows3, n3, False)
        grid[0] = [grid[0][0], (grid[0][1][0], 1, 6)]
        grid[1] = grid[1][:-1]
        grid = grid[:3] + [row[:-1] for row in grid[3:]]
        return "\n".join([table_plain(t2_grid(form, n2)), "<p>三、收到和处理政府信息公开申请情况</p>", table_plain(grid),
                          "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_plain(t4_grid(n4))])
    data, exp = _gov_custom("厦门市湖里区人民政府", 2020, "gov2019", build, amount="251000元")
    return data, {k: v for k, v in exp.items() if not (k.startswith("apps.") and k.endswith("@total"))}


# ------------------------------------------------------------------------------------ round 8: typing habits, 2019 in the old form


@case("gz-yunyan-2019-legacy-form.html", "legacy", 2019, "a 2019 report still printed on the legacy form (allowed by the 60号 transition rule)")
def gz_yunyan_2019():
    rows = legacy_rows("dot")
    return _legacy_page("贵阳市云岩区人民政府", 2019, rows, table_mso, date="2020-01-20"), legacy_expected(rows)


@case("ah-yaohai-2016-fw-commas.html", "legacy", 2016, "full-width thousands commas typed by hand: '2，350', '1，800'")
def ah_yaohai_2016():
    rows = legacy_rows("dot", values={"proactive.total": "2，350", "proactive.channels.website": "1，800"})
    exp = {**legacy_expected(rows), "proactive.total": "2350", "proactive.channels.website": "1800"}
    return _legacy_page("合肥市瑶海区人民政府", 2016, rows, table_plain, date="2017-03-15"), exp


@case("hb-hongshan-2020-fw-minus.html", "gov2019", 2020, "本年增/减 typed with a full-width minus '－8' and a plus '＋3'")
def hb_hongshan_2020():
    def build(form, n2, rows3, n3, n4):
        n2 = {k: (v.replace("-", "－") if k.endswith("@delta_items") and v.startswith("-") else
                  ("＋" + v if k.endswith("@delta_items") else v)) for k, v in n2.items()}
        return "\n".join([table_plain(t2_grid(form, n2)), "<p>三、收到和处理政府信息公开申请情况</p>",
                          table_plain(t3_grid(rows3, n3, False)), "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_plain(t4_grid(n4))])
    return _gov_custom("武汉市洪山区人民政府", 2020, "gov2019", build, amount="251000元")


@case("yn-guandu-2021-t4-vertical.html", "gov2021", 2021, "table 四 retyped vertically: one row per outcome (类别 | 结果 | 数量), groups merged down")
def yn_guandu_2021():
    def build(form, n2, rows3, n3, n4):
        names = {"review": "行政复议", "litigation.direct": "行政诉讼（未经复议直接起诉）", "litigation.after_review": "行政诉讼（复议后起诉）"}
        t4: Grid = [[c("类别"), c("结果"), c("数量（件）")]]
        for group, title in names.items():
            for i, (name, label) in enumerate(zip(T4_NAMES, T4_LABELS, strict=True)):
                t4.append(([c(title, 5)] if i == 0 else []) + [c(label), c(n4[f"{group}.{name}"])])
        return "\n".join([table_plain(t2_grid(form, n2)), "<p>三、收到和处理政府信息公开申请情况</p>",
                          table_plain(t3_grid(rows3, n3, False)), "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_plain(t4)])
    return _gov_custom("昆明市官渡区人民政府", 2021, "gov2021", build)


@case("sc-jinjiang-2018-no-year-title.html", "legacy", 2018, "title without a year; the period is in the first paragraph (2018年1月1日起至12月31日止) and the table title")
def sc_jinjiang_2018():
    rows = legacy_rows("dot")
    body = ("<p>　　本报告中所列数据的统计期限自2018年1月1日起至12月31日止。如对本报告有任何疑问，请与本机关联系。</p>\n"
            + table_plain(legacy_grid(rows, "2018年度政府信息公开情况统计表")))
    return page("成都市锦江区人民政府政府信息公开工作年度报告", "2019-03-25", body).encode("utf-8"), legacy_expected(rows)


@case("gd-yuexiu-2021-no-year-title.html", "gov2021", 2021, "title without a year, published 2022-01-30; the period is only in the opening paragraph")
def gd_yuexiu_2021():
    form = load_form("gov2021")
    rows3 = t3_rows(form)
    n2, n3, n4 = t2_numbers(form), t3_numbers(rows3, False), t4_numbers()
    body = "\n".join(["<p>　　本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。</p>", "<p>二、主动公开政府信息情况</p>",
                      table_plain(t2_grid(form, n2)), "<p>三、收到和处理政府信息公开申请情况</p>", table_plain(t3_grid(rows3, n3, False)),
                      "<p>四、政府信息公开行政复议、行政诉讼情况</p>", table_plain(t4_grid(n4))])
    data = page("广州市越秀区人民政府政府信息公开工作年度报告", "2022-01-30", body).encode("utf-8")
    return data, {**{k: _expected_value(v) for k, v in n2.items()}, **n3, **n4}


#: valued rows the codebook does not know, printed on purpose (local additions): kept with code None
EXTRA_ROWS = {"gd-shatian-2018-town.html": 2, "hb-wuhan-2020-annotated.html": 3}


#: the unit a money cell is printed in (in the cell, in its column header, or by the form); checked as Row.unit
GOV2019_AMOUNT_UNIT = {
    "sh-xuhui-2019-colspan.html": "元", "hb-wuhan-2020-annotated.html": "元", "js-wujin-2019-br-gbk.html": "万元",
    "cq-yubei-2020-separate-tables.html": "万元", "sh-putuo-2019-flat-dashes.html": "元", "nm-saihan-2019-oneheader.html": "万元",
    "fj-siming-2020-spaced.html": "元", "hb-hongshan-2020-fw-minus.html": "元", "fj-huli-2020-no-total-column.html": "元",
}


def money_unit(name: str, code: str) -> str:
    if code in ("fees.request_fees", "org.budget"):
        return LEGACY_FEE_UNIT.get(name, "万元")
    if code == "disclosure.admin_fees@amount":
        return GOV2021_FEE_UNIT.get(name, "万元")
    if code == "disclosure.central_procurement@amount":
        return GOV2019_AMOUNT_UNIT.get(name, "")
    return ""


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "cases.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["fixture", "template", "year", "extra_rows", "note"])
        for name, template, year, note, fn in CASES:
            data, expected = fn()
            (OUT / name).write_bytes(data)
            with (OUT / f"{name.rsplit('.', 1)[0]}.expected.csv").open("w", encoding="utf-8", newline="") as g:
                ew = csv.writer(g, lineterminator="\n")
                ew.writerow(["code", "value", "unit"])
                ew.writerows((code, value, money_unit(name, code)) for code, value in expected.items())
            w.writerow([name, template, year, EXTRA_ROWS.get(name, 0), note])


if __name__ == "__main__":
    main()
