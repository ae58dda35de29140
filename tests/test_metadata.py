"""Metadata: the seed and the real pages give the year, date, publisher and division codes a
researcher would write down by hand; synthetic pages pin each fallback."""

from __future__ import annotations

import json

import pytest

from extractors import divisions
from extractors.metadata import read_metadata
from extractors.model import Document
from tests._docs import document


def _kinds(findings) -> set[tuple[str, str | None]]:
    return {(f.kind, f.code) for f in findings}


def test_seed(shared_dir):
    doc = document(shared_dir / "seeds" / "000_f790e48fa2eae4e6.txt")
    meta, findings = read_metadata(doc, url=None, filename="000_f790e48fa2eae4e6.txt")
    assert meta.year == 2016  # the title's year, not the publish year
    assert meta.published == "2017-02-22"
    assert meta.title == "2016年崇川区政府信息公开工作年度报告"
    assert meta.publisher == "崇川区人民政府"
    assert (meta.province, meta.city, meta.district) == ("江苏省", "南通市", "崇川区")
    assert meta.adcode == "320602"
    assert meta.adcode_current == "320613"
    assert "cpca" in meta.evidence["adcode"]
    assert "2016" in meta.evidence["adcode"]
    assert findings == []


def _real(shared_dir, name: str):
    folder = shared_dir / "real-reports" / name
    truth = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    doc = document(folder / truth["file"])
    meta, findings = read_metadata(doc, url=truth.get("url"), filename=truth["file"])
    return truth, meta, findings


@pytest.mark.parametrize(
    "name",
    [
        "fj-pingtan-2017",
        "fj-pingtan-2022",
        "js-huaian-city-2024",
        "js-huaian-hongze-2023",
        "js-huaian-hongze-2024",
    ],
)
def test_real_reports_year_place_code(shared_dir, name):
    truth, meta, _ = _real(shared_dir, name)
    assert meta.year == truth["year"]
    assert meta.adcode == truth["adcode"]
    assert meta.province == truth["province"]
    assert meta.title == truth["title"]
    if truth["adcode"].endswith("00"):
        assert meta.district is None
    else:
        assert meta.district


def test_pingtan_dates_from_meta(shared_dir):
    _, meta, _ = _real(shared_dir, "fj-pingtan-2017")
    assert meta.published == "2018-01-23"
    assert meta.evidence["published"] == "meta pubdate"
    assert meta.city == "福州市"


def test_department_report_keeps_its_body(shared_dir):
    _, meta, _ = _real(shared_dir, "fj-pingtan-taxbureau-2013")
    assert meta.publisher == "平潭综合实验区地方税务局"
    assert meta.year == 2013
    assert meta.adcode == "350128"


def test_pdf_title_wrapped_over_two_lines(shared_dir):
    _, meta, findings = _real(shared_dir, "js-huaian-hongze-2023")
    assert meta.publisher == "洪泽区人民政府"
    assert meta.title == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert meta.adcode_current == "320813"
    assert meta.published == "2024-02-26"  # no date printed: the PDF's creation date, said so
    assert meta.evidence["published"] == "PDF creation date"
    assert findings == []


def _doc(*lines: str, **meta: str) -> Document:
    return Document(kind="html", lines=list(lines), meta=dict(meta))


def test_publish_date_from_trs_url_and_year_from_table_title():
    doc = _doc("工作报告", "2017年度政府信息公开情况统计表", "统计指标")
    meta, findings = read_metadata(
        doc, url="https://www.example.gov.cn/zwgk/201801/t20180123_80506.htm", filename=None
    )
    assert meta.published == "2018-01-23"
    assert meta.evidence["published"] == "date in the URL"
    assert meta.year == 2017
    assert meta.evidence["year"] == "table title"
    assert ("metadata_inferred", "year") not in _kinds(findings)


def test_year_falls_back_to_publish_year_minus_one_with_finding():
    doc = _doc("信息公开工作报告", "发布日期：2019-03-01")
    meta, findings = read_metadata(doc, url=None, filename=None)
    assert meta.year == 2018
    assert ("metadata_inferred", "year") in _kinds(findings)


def test_missing_fields_are_none_with_findings():
    meta, findings = read_metadata(_doc("欢迎访问", "没有标题的页面"), url=None, filename=None)
    assert meta.year is None
    assert meta.adcode is None
    assert meta.title is None
    kinds = _kinds(findings)
    for name in ("title", "year", "published", "adcode", "province", "publisher"):
        assert ("metadata_missing", name) in kinds


def test_html_title_minus_site_suffix_and_source_line():
    doc = _doc(
        "首页 > 信息公开",
        "来源：南京市鼓楼区人民政府办公室 发布时间：2016-01-29",
        html_title="2015年鼓楼区政府信息公开工作年度报告_年报_南京市鼓楼区人民政府",
    )
    meta, _ = read_metadata(doc, url=None, filename=None)
    assert meta.title == "2015年鼓楼区政府信息公开工作年度报告"
    assert meta.published == "2016-01-29"
    assert meta.publisher == "南京市鼓楼区人民政府办公室"
    assert meta.adcode == "320106"  # 南京's 鼓楼区, not 开封's or 福州's


def test_publisher_never_from_host_name():
    doc = _doc("2016年政府信息公开工作年度报告")
    meta, _ = read_metadata(doc, url="http://bt365-touzhu.example.com/nantong/2017.htm", filename=None)
    assert meta.publisher is None


def test_ambiguous_district_settled_by_context():
    doc = _doc("福州市鼓楼区2018年政府信息公开工作年度报告")
    meta, _ = read_metadata(doc, url=None, filename=None)
    assert meta.adcode == "350102"
    assert meta.city == "福州市"


def test_site_id_code_is_evidence_when_names_fail():
    doc = _doc("本单位2016年政府信息公开工作年度报告", siteidcode="3206020001")
    meta, _ = read_metadata(doc, url=None, filename=None)
    assert meta.adcode == "320602"
    assert "SiteIDCode" in meta.evidence["adcode"]


def test_old_name_before_its_change_and_new_name_after():
    old, _ = read_metadata(_doc("吴江市2011年政府信息公开工作年度报告"), url=None, filename=None)
    assert (old.adcode, old.adcode_current, old.district) == ("320584", "320509", "吴江市")
    new, _ = read_metadata(_doc("南通市海门区2021年政府信息公开工作年度报告"), url=None, filename=None)
    assert (new.adcode, new.adcode_current, new.district) == ("320614", "320614", "海门区")


def test_chongchuan_after_the_merger_gets_the_new_code():
    meta, _ = read_metadata(_doc("崇川区2021年政府信息公开工作年度报告"), url=None, filename=None)
    assert (meta.adcode, meta.adcode_current) == ("320613", "320613")
    assert meta.district == "崇川区"


def test_code_changes_table_is_consistent():
    for change in divisions.changes():
        assert len(change.old_code) == len(change.new_code) == 6
        assert change.old_code[:2] == change.new_code[:2]  # no change crosses a province
        assert change.year is None or 1990 <= change.year <= 2030  # None: derived, year unknown
    assert divisions.in_force("320602", 2016) == "320602"
    assert divisions.in_force("320602", 2020) == "320613"
    assert divisions.in_force("320613", 2019) == "320602"  # renumbered only: undo before 2020
    assert divisions.current("320611") == "320613"


def test_year_after_the_title_words_and_unlabelled_colon():
    doc = _doc("政府信息公开工作年度报告（2016年）", "发布时间 2017-02-22 10:33")
    meta, _ = read_metadata(doc, url=None, filename=None)
    assert meta.year == 2016
    assert meta.published == "2017-02-22"
    assert meta.publisher is None  # the title names no body; no guess


@pytest.mark.parametrize(
    ("title", "adcode", "names"),
    [
        ("北京市朝阳区人民政府2019年政府信息公开工作年度报告", "110105", ("北京市", "北京市", "朝阳区")),
        ("江苏省财政厅2019年政府信息公开工作年度报告", "320000", ("江苏省", None, None)),
        ("南通市公安局2017年政府信息公开工作年度报告", "320600", ("江苏省", "南通市", None)),
    ],
)
def test_levels_of_government(title, adcode, names):
    meta, _ = read_metadata(_doc(title), url=None, filename=None)
    assert meta.adcode == adcode
    assert (meta.province, meta.city, meta.district) == names
    assert meta.publisher == title.split("20")[0]


@pytest.mark.parametrize(
    ("title", "adcode", "current"),
    [
        ("三明市梅列区2019年政府信息公开工作年度报告", "350402", "350404"),  # merged in 2021
        ("三明市三元区2022年政府信息公开工作年度报告", "350404", "350404"),  # renumbered in 2021
        ("南通市港闸区2018年政府信息公开工作年度报告", "320611", "320613"),  # merged into 崇川区 2020
        ("海安县2016年政府信息公开工作年度报告", "320621", "320685"),  # county → city 2018
    ],
)
def test_codes_then_and_now(title, adcode, current):
    meta, _ = read_metadata(_doc(title), url=None, filename=None)
    assert (meta.adcode, meta.adcode_current) == (adcode, current)


def test_trs_attachment_date_and_listing_line_dates():
    doc = Document(kind="pdf", lines=["福州市鼓楼区人民政府2015年政府信息公开工作年度报告2016-01-18"])
    url = "http://www.gl.gov.cn/zfxxgknb/201601/P020160118391234567890.pdf"
    meta, _ = read_metadata(doc, url=url, filename=None)
    assert meta.title == "福州市鼓楼区人民政府2015年政府信息公开工作年度报告"
    assert meta.published == "2016-01-18"
    assert meta.adcode == "350102"


def test_menu_item_is_not_the_title():
    doc = _doc(
        "首页", "政府信息公开年度报告", "政务公开", "南通市崇川区2018年政府信息公开工作年度报告", "正文"
    )
    meta, _ = read_metadata(doc, url=None, filename=None)
    assert meta.title == "南通市崇川区2018年政府信息公开工作年度报告"
    assert meta.year == 2018


@pytest.mark.parametrize(
    ("title", "adcode", "current", "district"),
    [
        ("新津县2018年政府信息公开工作年度报告", "510132", "510118", "新津县"),  # old name, old code
        ("成都市新津区2022年政府信息公开工作年度报告", "510118", "510118", "新津区"),  # new name
        ("赣州市赣县区2020年政府信息公开工作年度报告", "360704", "360704", "赣县区"),  # cpca sees 赣县
    ],
)
def test_renames_since_cpcas_vintage_follow_the_printed_name(title, adcode, current, district):
    meta, _ = read_metadata(_doc(title), url=None, filename=None)
    assert (meta.adcode, meta.adcode_current, meta.district) == (adcode, current, district)


def test_district_created_after_cpcas_table():
    meta, _ = read_metadata(_doc("杭州市钱塘区2022年政府信息公开工作年度报告"), url=None, filename=None)
    assert (meta.adcode, meta.city, meta.district) == ("330114", "杭州市", "钱塘区")
    assert meta.publisher == "杭州市钱塘区人民政府"  # a bare place name in the title: its government


@pytest.mark.parametrize(
    "title",
    ["泉州市豐澤區人民政府2016年政府信息公開工作年度報告", "2016年豐澤區政府信息公開工作年報"],
)
def test_traditional_characters_page(title):
    """A big5 mirror without meta tags: title, year, date and place are found in traditional script."""
    doc = Document(
        kind="html",
        lines=["首頁 > 政務公開", title, "發佈時間：2017-03-01", "根據《條例》要求，現將本年度報告公佈如下。"],
    )
    meta, _ = read_metadata(doc)
    assert meta.title == title  # as printed
    assert meta.year == 2016
    assert meta.published == "2017-03-01"
    assert (meta.city, meta.district, meta.adcode) == ("泉州市", "丰泽区", "350503")
    assert meta.publisher is not None
    assert meta.publisher.startswith(("泉州市丰泽区", "丰泽区"))  # simplified, the panel's spelling
