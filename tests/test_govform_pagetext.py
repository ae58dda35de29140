"""The page-level shortcuts of the new-form reader give exactly what the line-by-line code gives.

`page_text` normalizes a whole page in one pass and `FormSpec.t3_label_lines` picks the lines that
may print a table-三 row label; both only pay off if they never differ from `norm` line by line and
never drop a line where `t3_hits` finds a whole label. Checked on every fixture and real report,
on random text over the characters the one-pass map accepts, and on row labels printed with
numbering, spacing, width and typo variants.
"""

from __future__ import annotations

import dataclasses
import random
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from extractors import govform
from extractors.codebook import load_codebook
from extractors.govform_lines import _FOOTER, _footer_lines, _segments_of, read_lines
from extractors.govform_spec import (
    FormSpec,
    PageText,
    _char_map,
    _similar,
    _t3_probe,
    form_specs,
    norm,
    page_text,
)
from extractors.load import load_document
from tests.conftest import FIXTURES

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-reports"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def documents() -> list[tuple[str, list[str]]]:
    """(name, lines then cells) of every HTML/text fixture and real HTML report."""
    paths = [p for p in sorted(FIXTURES.rglob("*")) if p.suffix in (".html", ".htm", ".txt")]
    paths += sorted(REAL.glob("*/*.html")) if REAL.is_dir() else []
    out = []
    for path in paths:
        doc, _ = load_document(path.read_bytes(), filename=path.name)
        if doc is not None and doc.lines:
            out.append((path.name, doc.lines + [c for t in doc.tables for r in t.grid for c in r]))
    return out


@cache
def mappable() -> list[str]:
    """Characters the one-pass map accepts (a sample of each block), plus line/word separators."""
    to_map, table = _char_map()
    chars = [chr(cp) for cp in range(1, 0x10000) if not to_map.match(chr(cp)) or chr(cp) in table]
    return chars + ["\n", " ", "1", "、", "(", "）", "（"] * 20


def specs() -> tuple[FormSpec, ...]:
    return form_specs(load_codebook())


def complete_hit(spec: FormSpec, line: str) -> bool:
    return any(complete for _, complete, _ in spec.t3_hits(line, _segments_of))


def test_page_keys_are_norm_of_each_line() -> None:
    checked = 0
    for name, lines in documents():
        page = page_text(lines)
        if page.keys is None:
            continue
        checked += 1
        assert page.keys == [norm(x) for x in lines], name
    assert checked >= 50


@SETTINGS
@given(st.lists(st.text(st.sampled_from(mappable()), max_size=12), min_size=1, max_size=6))
def test_page_keys_on_random_text(lines: list[str]) -> None:
    page = page_text(lines)
    assert page.keys == [norm(x) for x in lines]


def test_unmappable_character_falls_back() -> None:
    """A character outside the map (a supplementary ideograph) leaves the page to `norm` line by line."""
    page = page_text(["吉𠮷", "（一）予以公开"])
    assert page.keys is None
    assert page.key(1) == norm("（一）予以公开")
    assert page.lines_with("予以公开") == [1]


def test_lines_with_matches_a_scan() -> None:
    for _, lines in documents()[:40]:
        page = page_text(lines)
        for word in ("第二十条", "公开", "申请"):
            want = [i for i in range(len(lines)) if word in norm(lines[i])]
            assert page.lines_with(word) == want
            assert page.lines_with(word, 5, 30) == [i for i in want if 5 <= i < 30]


def test_label_lines_hold_every_whole_label_of_real_pages() -> None:
    for spec in specs():
        for name, lines in documents():
            page = page_text(lines)
            found = spec.t3_label_lines(page)
            if found is None:
                continue
            hits = {i for i, line in enumerate(lines) if complete_hit(spec, line)}
            assert hits <= set(found), (name, sorted(hits - set(found))[:5])


def _variants(body: str, numbering: str, rnd: random.Random) -> list[str]:
    """A row label as pages print it: numbering forms, spaces, full width, a typo, words around."""
    typo = list(body)
    if len(typo) > 3:
        typo[rnd.randrange(len(typo))] = rnd.choice("止之其政信")
    return [
        f"{numbering}{body}",
        f"{numbering} {' '.join(body)}",
        f"{numbering}{''.join(typo)}",
        f"{numbering}{body[:-1]}",
        f"三 {numbering}{body} 3 0 1",
        f"说明文字 12 {numbering}{''.join(typo)}补充",
        f"{body}（续）",
        f"说明 5 {body}",
        f"说明 —— {body}",
        f"各部门{body}",
        f"1.（{numbering}{''.join(typo)}",
        f"{numbering}{''.join(typo)}".replace("(", "（").replace(")", "）").replace(".", "．"),
    ]


_NUMBERINGS = {
    "section": ["{cn}、", "{cn}.", "第{cn}部分", "{cn}，"],
    "item": ["({cn})", "（{cn}）", "({n})", "({cn})、"],
    "subitem": ["{n}.", "{n}、", "{n})", "{n} ", "{n}", "{n}，"],
}
_CN = "零一二三四五六七八九十"


@pytest.mark.parametrize("variant", ["gov2019", "gov2021"])
def test_label_lines_hold_printed_label_variants(variant: str) -> None:
    spec = next(s for s in specs() if s.variant == variant)
    rnd = random.Random(7)
    lines: list[str] = []
    for row in spec.section_rows("t3"):
        level, ordinal = row.numbering or ("subitem", 1)
        for form in _NUMBERINGS[level]:
            numbering = form.format(cn=_CN[ordinal or 1], n=ordinal or 1)
            for body in row.bodies:
                lines.extend(_variants(body, numbering, rnd))
    page = page_text(lines)
    found = set(spec.t3_label_lines(page) or ())
    hits = [i for i, line in enumerate(lines) if complete_hit(spec, line)]
    assert len(hits) > len(lines) // 3  # the variants do print whole labels
    missed = [lines[i] for i in hits if i not in found]
    assert not missed


@SETTINGS
@given(st.data())
def test_label_lines_hold_labels_inside_random_text(data: st.DataObject) -> None:
    spec = data.draw(st.sampled_from(specs()))
    labels = [f for r in spec.section_rows("t3") for f in r.fulls]
    pieces = st.one_of(st.sampled_from(labels), st.text(st.sampled_from(mappable()), max_size=6))
    lines = data.draw(st.lists(st.lists(pieces, max_size=4).map("".join), min_size=1, max_size=5))
    page = page_text(lines)
    found = spec.t3_label_lines(page)
    if found is not None:
        assert {i for i, line in enumerate(lines) if complete_hit(spec, line)} <= set(found)


def test_read_lines_same_with_and_without_page() -> None:
    """The line reader given a prepared page reads what it reads preparing the lines itself."""
    for spec in specs():
        for name, lines in documents()[:80]:
            plain = read_lines(lines, spec)
            viewed = read_lines(lines, spec, govform.line_view(page_text(lines), len(lines)))
            assert repr(plain) == repr(viewed), name


def test_fallback_page_reads_the_same() -> None:
    """A page the map refuses is read line by line with the same result."""
    spec = specs()[0]
    lines = (FIXTURES / "govform" / "zj-xihu-2022-text.txt").read_text(encoding="utf-8").splitlines()
    viewed = read_lines(lines, spec, govform.line_view(page_text(lines), len(lines)))
    refused = read_lines(lines, spec, govform.line_view(PageText(lines), len(lines)))
    assert repr(viewed) == repr(refused)


@settings(max_examples=2000, deadline=None)
@given(
    st.text(st.sampled_from("abcdef"), min_size=2, max_size=8),
    st.text(st.sampled_from("abcdefgh"), min_size=4, max_size=12),
)
@example("abc", "agbhc")  # no two label characters side by side
@example("abcd", "agbd")
def test_fuzzy_matches_share_a_near_pair(body: str, printed: str) -> None:
    """Every printed piece fuzzily like a label holds two of its characters at most one apart."""
    row = dataclasses.replace(specs()[0].section_rows("t3")[0], bodies=(body,))
    probe = _t3_probe([row])
    assert probe is not None
    if _similar(printed, body):
        assert probe.near.search(printed), (printed, body)


def test_fuzzy_match_without_a_shared_pair_is_found() -> None:
    """'予X以开' is fuzzily （一）予以公开 though no two of its characters stand together in the label."""
    spec = specs()[0]
    line = "（一）予中以开"
    assert complete_hit(spec, line)
    assert spec.t3_label_lines(page_text(["说明", line])) == [1]


def test_footer_lines_found_in_the_joined_text_as_line_by_line() -> None:
    """line_view's one-scan footer search drops exactly the lines _FOOTER matches once stripped."""
    extra = ["- 3 -", " —12— ", "第 3 页", "第3页 共9页", "3/6", " 12 / 40 ", "第3页\n共9页", "-3-x", "3/6页"]
    for _, lines in [*documents()[:60], ("synthetic", ["正文", *extra, "（一）予以公开 3", *extra])]:
        page = page_text(lines)
        if page.raw_text is None:
            continue
        want = {i for i, line in enumerate(lines) if _FOOTER.match(line.strip())}
        assert _footer_lines(page.raw_text, lines) == want
