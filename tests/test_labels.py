"""Label normalization: the spellings of one printed row label compare equal, different rows don't."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.labels import (
    Numbering,
    cn_numeral,
    fold_whitespace,
    label_key,
    normalize_label,
    numbering_prefix,
    strip_numbering,
    to_simplified,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("（一）收到申请数", "(一)收到申请数"),
    ("1﹒政府公报公开政府信息数", "1.政府公报公开政府信息数"),
    ("1．当面申请数", "1.当面申请数"),
    ("其中：主动公开规范性文件数", "其中:主动公开规范性文件数"),
    ("\u3000三、 依申请公开情况\u00a0", "三、依申请公开情况"),
    ("合\u3000\u3000计", "合计"),
    ("１２３４５热线", "12345热线"),
    ("①当面申请", "1.当面申请"),
    ("收到\u200b申请数", "收到申请数"),
    ("（一）收到申請數", "(一)收到申请数"),  # a big5 gateway's copy
])
def test_normalize_label(text, expected):
    assert normalize_label(text) == expected


def test_fold_whitespace():
    assert fold_whitespace("\u3000\u3000其中：\u00a0\u00a0主动公开\u200b数 \n") == "其中： 主动公开数"
    assert fold_whitespace("政府信息\n    公开") == "政府信息公开"  # a source line wrap
    assert fold_whitespace("2017 年\t 度") == "2017 年 度"
    assert fold_whitespace("line\nbreak") == "line break"


@pytest.mark.parametrize(("label", "level", "ordinal", "rest"), [
    ("一、主动公开情况", "section", 1, "主动公开情况"),
    ("十二、其他需要报告的事项", "section", 12, "其他需要报告的事项"),
    ("二十一、附表", "section", 21, "附表"),
    ("（一）收到申请数", "item", 1, "收到申请数"),
    ("(三) 申请答复数", "item", 3, "申请答复数"),
    ("（10）其他", "item", 10, "其他"),
    ("1﹒当面申请数", "subitem", 1, "当面申请数"),
    ("2.网络申请数", "subitem", 2, "网络申请数"),
    ("3、信函申请数", "subitem", 3, "信函申请数"),
    ("4 传真申请数", "subitem", 4, "传真申请数"),
    ("12．其他", "subitem", 12, "其他"),
    ("②同意公开", "subitem", 2, "同意公开"),
    ("1专职人员数", "subitem", 1, "专职人员数"),  # the seed: the dot lost in the source
])
def test_numbering(label, level, ordinal, rest):
    prefix = numbering_prefix(label)
    assert isinstance(prefix, Numbering)
    assert (prefix.level, prefix.ordinal) == (level, ordinal)
    assert strip_numbering(label) == rest


@pytest.mark.parametrize("label", ["2017年度", "12345热线", "政府信息公开", "10人", "1.5万元", "历年累计", "其中：网站",
                                   "15日内答复数", "2个工作日", "3年"])
def test_no_numbering(label):
    assert numbering_prefix(label) is None
    assert strip_numbering(label) == normalize_label(label)


def test_strip_numbering_repeats_and_keeps_a_bare_prefix():
    assert strip_numbering("（一）1.当面申请") == "当面申请"
    assert strip_numbering("三、") == "三、"


@pytest.mark.parametrize("spellings", [
    ["其中：1、政府网站公开数", "1﹒政府网站公开数", "（一）政府网站公开数", "政府网站公开数"],
    ["(一)收到申请数", "（一）收到申请数", "一、收到申请数", " 收到申请数 "],
    ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"],
])
def test_label_key_matches_spellings(spellings):
    assert len({label_key(text) for text in spellings}) == 1


def test_traditional_forms_match():
    assert label_key("三、依申請公開情況") == label_key("三、依申请公开情况")
    assert label_key("（四）政府信息公開專項經費") == label_key("(四)政府信息公开专项经费")
    assert label_key("其中：主動公開規範性文件數") == label_key("其中：主动公开规范性文件数")
    assert to_simplified("行政復議數量") == "行政复议数量"


def test_label_key_keeps_rows_apart():
    keys = [label_key(t) for t in ["1.当面申请数", "2.传真申请数", "（一）维持具体行政行为数", "（二）被依法纠错数"]]
    assert len(set(keys)) == 4


@pytest.mark.parametrize(("text", "value"), [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("二十三", 23),
                                             ("两", 2), ("7", 7), ("", None), ("十十", None), ("abc", None)])
def test_cn_numeral(text, value):
    assert cn_numeral(text) == value


LABEL_CHARS = st.sampled_from(list("一二三十（）()、.．﹒:：其中 \u3000\u00a0申请数公开123①"))


@given(st.text(LABEL_CHARS, max_size=20) | st.text(max_size=20))
def test_normalization_is_idempotent_and_total(text):
    normalized = normalize_label(text)
    assert normalize_label(normalized) == normalized
    assert not any(ch.isspace() for ch in normalized)
    key = label_key(text)
    assert key == "" or key.isalnum()
    assert numbering_prefix(text) is None or numbering_prefix(text).text
    assert len(strip_numbering(text)) <= len(normalized)
    assert fold_whitespace(fold_whitespace(text)) == fold_whitespace(text)


def test_one_to_simplified_implementation():
    """codebook.to_simplified is labels.to_simplified: one map, one behaviour."""
    from extractors import codebook, labels

    assert codebook.to_simplified is labels.to_simplified
    assert labels.to_simplified("依申請公開 萬元") == "依申请公开 万元"


@given(st.text(alphabet=" \u3000\xa0\t\n\u200b\u00adab1 中文（）：﹒①", max_size=12))
def test_fold_whitespace_short_way_matches_the_regexes(text):
    """Already-folded text (stripped, printable, no double space) skips the regexes: same result."""
    from extractors.labels import _CJK_BREAK, _SPACES, _ZERO_WIDTH_RE

    slow = _SPACES.sub(" ", _CJK_BREAK.sub("", _ZERO_WIDTH_RE.sub("", text))).strip()
    assert fold_whitespace(text) == slow


_LABEL_CHARS = " \u3000\xa0\t\n\u200b\ufeff\u00adab1２（）：﹒．①⑳·・\u0387\uff65¯¨開數请统计政府信息（一）其中"


@given(st.text(alphabet=_LABEL_CHARS, max_size=14))
def test_label_short_ways_match_the_regexes(text):
    """`_nfkc`/`_squeeze` skip regexes that cannot change the text: same result as applying them all."""
    import unicodedata

    from extractors.labels import (
        _CIRCLED_RE,
        _MIDDLE_DOTS,
        _SPACES,
        _ZERO_WIDTH_RE,
        _circled_to_dotted,
        _nfkc,
        _squeeze,
        to_simplified,
    )

    slow = to_simplified(_ZERO_WIDTH_RE.sub("", text))
    slow = unicodedata.normalize("NFKC", _CIRCLED_RE.sub(_circled_to_dotted, slow))
    slow = _SPACES.sub(" ", _MIDDLE_DOTS.sub(".", slow)).strip()
    assert _nfkc(text) == slow
    assert _squeeze(text) == unicodedata.normalize("NFKC", _SPACES.sub("", text))
