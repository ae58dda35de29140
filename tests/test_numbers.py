"""parse_number: every way a figure is printed gives the same value; a blank is never 0."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.numbers import ParsedNumber, parse_number, units, yuan_factors

FULL_WIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("10037", 10037, None),
    ("０", 0, None),
    ("１３１００", 13100, None),
    ("1,234", 1234, None),
    ("1，234", 1234, None),
    ("１，２３４，５６７", 1234567, None),
    ("96171.6", 96171.6, None),
    ("0.00", 0.0, None),
    ("-8", -8, None),
    ("－8", -8, None),
    ("\u22128", -8, None),
    ("+5", 5, None),
    ("251000元", 251000, "元"),
    ("13100条", 13100, "条"),
    ("5人", 5, "人"),
    ("82人次", 82, "人次"),
    ("0.5万元", 0.5, "万元"),
    ("96.5%", 96.5, "%"),
    (" 1 0 0 ", 100, None),
    ("10 037", 10037, None),
    ("\u00a012\u3000", 12, None),
    ("&nbsp;0&nbsp;", 0, None),
    ("139 件", 139, "件"),
])
def test_numbers(text, value, unit):
    parsed = parse_number(text)
    assert parsed.value == value
    assert type(parsed.value) is type(value)  # ints stay int, decimals float
    assert parsed.unit == unit
    assert parsed.blank is False


@pytest.mark.parametrize("text", ["", " ", "—", "——", "-", "--", "－", "/", "／", "无", "暂无", "&nbsp;",
                                  "\u3000", "\u00a0", "――", "─", "N/A", None])
def test_blanks(text):
    parsed = parse_number(text)
    assert parsed == ParsedNumber(value=None, unit=None, raw=parsed.raw, blank=True)


@pytest.mark.parametrize("text", ["abc", "100多", "约100", "3件（其中2件已办结）", "1,23", "1e5", "一", "十二",
                                  "12-13", "1.2.3", "3个工作日", "9" * 40, "1,2345", "."])
def test_not_numbers(text):
    parsed = parse_number(text)
    assert parsed.value is None
    assert parsed.blank is False  # so callers emit unparsed_value, not missing_value


def test_raw_is_the_folded_cell_text():
    assert parse_number("\u3000１３，１００\u00a0条 ").raw == "１３，１００ 条"


def test_units_data():
    assert {"件", "条", "万元", "元", "人次"} <= units()
    assert yuan_factors()["万元"] == 10000


@given(st.text(max_size=40))
def test_never_raises_and_blank_is_never_a_value(text):
    parsed = parse_number(text)
    assert isinstance(parsed, ParsedNumber)
    if parsed.blank:
        assert parsed.value is None
    if parsed.value is None:
        assert parsed.unit is None
    else:
        assert not parsed.blank


@given(
    st.integers(min_value=-10**12, max_value=10**12),
    st.sampled_from(["plain", "thousands", "full-width", "full-width-thousands", "spaced"]),
    st.sampled_from(["", "件", "条", "元", "万元", "人次"]),
)
def test_formatted_integers_round_trip(number, style, unit):
    text = {
        "plain": str(number),
        "thousands": f"{number:,}",
        "full-width": str(number).translate(FULL_WIDTH),
        "full-width-thousands": f"{number:,}".translate(FULL_WIDTH),
        "spaced": " " + " ".join(str(number)) + " ",
    }[style] + unit
    parsed = parse_number(text)
    assert parsed.value == number
    assert isinstance(parsed.value, int)
    assert parsed.unit == (unit or None)


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_decimals_round_trip(number):
    parsed = parse_number(f"{number:.2f}")
    assert isinstance(parsed.value, float)
    assert parsed.value == pytest.approx(float(number))


@given(st.integers(min_value=0, max_value=10**9), st.text(alphabet="abc多约月年≈", min_size=1, max_size=3),
       st.booleans())
def test_mutated_numbers_are_not_misread(number, junk, before):
    text = junk + str(number) if before else str(number) + junk
    parsed = parse_number(text)
    assert parsed.value is None
    assert parsed.blank is False


@given(st.text(alphabet="0123456789", min_size=1, max_size=35))
def test_plain_figures_take_the_short_way_to_the_same_result(digits):
    """ASCII digit runs skip the regexes; they must read exactly as the regexes read them."""
    from extractors.numbers import _parse_folded

    assert parse_number(digits) == _parse_folded(digits)
    assert parse_number(f" {digits}\u3000") == _parse_folded(digits)


@given(st.text(alphabet="0123456789,.-+ &nbsp;#160\u2212\ufe63\u2796\uff10\uff11\u3000\xa0元件万—无/", max_size=16))
def test_compact_short_ways_match_the_regexes(text):
    """`_compact` skips the entity and minus regexes where they cannot change the text: same result."""
    import unicodedata

    from extractors.numbers import _ENTITIES, _MINUS, _compact

    slow = _MINUS.sub("-", unicodedata.normalize("NFKC", _ENTITIES.sub("", text)))
    assert _compact(text) == "".join(slow.split())
