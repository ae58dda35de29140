"""Validation: report status, codebook identities, narrative cross-checks, injected spam words.

A researcher needs to know how far to trust each figure, and a log line is lost the moment the run
ends, so every problem found here is a `Finding` stored with the report. The rules themselves are
data: identities live in the codebook (extractors/codebook/*.yaml), and the status words, narrative
patterns and spam words in extractors/data/validation.yaml. This module is only the engine.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any, NamedTuple

from extractors.codebook import Codebook, Identity, load_codebook, parse_expr, to_simplified
from extractors.labels import traditional_map
from extractors.model import Document, Finding, Report, Row
from extractors.yaml_data import load_yaml

Number = int | float
#: A report title names its year: 2016年, 2016年度, 二〇一六年.
_YEAR = re.compile(r"(?:19|20)\d{2}|[二〇一二三四五六七八九○零]{4}(?=年)")


@functools.cache
def rules() -> dict[str, Any]:
    """The checks of extractors/data/validation.yaml."""
    text = resources.files("extractors").joinpath("data/validation.yaml").read_text(encoding="utf-8")
    return load_yaml(text)


# ------------------------------------------------------------------------------------------- status


def classify(doc: Document, report: Report) -> tuple[str, str]:
    """Decide the report status (ok / partial / no_table / not_report) and a one-sentence message."""
    if report.rows:
        return _table_status(report)
    title = page_title(doc, report)
    headings = _report_headings(doc)
    if _is_listing(headings, title):
        years = sorted({_YEAR.search(h).group(0) for h in headings})  # type: ignore[union-attr]
        return (
            "not_report",
            f"a listing of {len(headings)} annual reports ({', '.join(years)}), not a report",
        )
    if title is not None:
        if not is_report_title(title):
            return "not_report", f"not an annual disclosure report: the page is titled {title!r}"
        if _YEAR.search(title) or len(title) > rules()["column_title_max_chars"]:
            return "no_table", f"an annual report ({title}) without a readable statistics table"
    # no title, or only the column's name ("政府信息公开年报"): the page's own heading decides
    if headings:
        return "no_table", f"an annual report ({headings[0]}) without a readable statistics table"
    return "not_report", "no statistics table and no annual-report title on the page"


def _report_headings(doc: Document) -> list[str]:
    """Distinct short lines that are annual-report titles with a year (links of a listing, or the
    page's own heading); 上一篇/下一篇 links are navigation, not titles."""
    skip = tuple(rules()["navigation_prefixes"])
    found: dict[str, None] = {}
    for line in _heading_lines(doc):
        text = line.strip()
        if not text.startswith(skip) and is_report_title(text) and _YEAR.search(text):
            found.setdefault(text, None)
    return list(found)


def _is_listing(headings: list[str], title: str | None) -> bool:
    """Several reports' titles on one page: a listing, whatever its own title says — unless that
    title names one report with its year and the others are too few to be more than related links."""
    if len({_YEAR.search(h).group(0) for h in headings}) >= rules()["listing_min_years"]:  # type: ignore[union-attr]
        return True
    own = title is not None and is_report_title(title) and _YEAR.search(title) is not None
    return not own and len(headings) >= rules()["listing_min_titles"]


def _table_status(report: Report) -> tuple[str, str]:
    coded = {
        (r.row_code or (r.code or "").split("@")[0]) for r in report.rows if r.code and r.value is not None
    }
    expected = _expected_rows(report)
    if not coded:
        return "partial", f"a table was found but none of its {len(report.rows)} cells could be coded"
    if expected and len(coded) < rules()["partial_share"] * expected:
        return (
            "partial",
            f"a {report.template_variant} table was read, but only {len(coded)} of its {expected} rows",
        )
    return "ok", f"{report.template_variant} table read: {report.n_values} values"


def _expected_rows(report: Report) -> int:
    spec = load_codebook().templates.get(report.template_variant or "")
    return sum(1 for ind in spec.indicators if ind.has_value) if spec else 0


def page_title(doc: Document, report: Report) -> str | None:
    """The page's own title: the article title meta, the metadata reader's, or <title> cut at '_'."""
    candidates = [doc.meta.get("articletitle"), report.meta.title, doc.meta.get("html_title")]
    for text in candidates:
        if text and text.strip():
            return _cut_title(text)
    return None


def _cut_title(text: str) -> str:
    title = " ".join(text.split())
    for sep in rules()["title_separators"]:
        head = title.split(sep)[0].strip()
        if len(head) >= 6:
            title = head
    return title


def is_report_title(text: str) -> bool:
    """True for an annual disclosure report's title (年度报告/年报 + 政府信息公开), false for a 函/通知."""
    compact = _compact(text)
    if any(re.search(p, compact) for p in rules()["not_report_titles"]):
        return False
    return any(k in compact for k in rules()["report_kinds"]) and any(
        s in compact for s in rules()["report_subjects"]
    )


def _heading_lines(doc: Document) -> Iterable[str]:
    limit = rules()["max_title_chars"]
    return (line for line in doc.lines[:200] if len(line) <= limit)


# --------------------------------------------------------------------------------------- validation


def validate(doc: Document, report: Report, codebook: Codebook) -> list[Finding]:
    """Every finding about the report's figures: identities, narrative mismatches, spam words."""
    values = values_by_code(report.rows)
    findings = check_identities(report, codebook, values)
    compacted = _compact_all([*doc.lines, *doc.meta.values()])  # once for both checks below
    findings.extend(check_narrative(doc, report, compacted, values))
    findings.extend(check_spam(doc, compacted))
    return findings


def values_by_code(rows: Iterable[Row]) -> dict[str, Number | None]:
    """code → value of the first row with that code (None for a blank cell)."""
    values: dict[str, Number | None] = {}
    for row in rows:
        if row.code and row.code not in values:
            values[row.code] = row.value
    return values


def check_identities(
    report: Report, codebook: Codebook, values: dict[str, Number | None] | None = None
) -> list[Finding]:
    """One finding per identity of the report's form that fails, or cannot be assessed (blank cell).

    `values`: `values_by_code(report.rows)`, if already made.
    """
    if report.template_variant not in codebook.templates:
        return []
    if values is None:
        values = values_by_code(report.rows)
    blank = {code for code, value in values.items() if value is None}
    findings = []
    for ident in codebook.templates[report.template_variant].identities:
        if not values.keys() >= ident.code_set:
            continue  # an operand is not on the page: Identity.check says "absent", nothing to report
        if ident.code_set.isdisjoint(blank) and ident.holds(values):
            continue  # most identities hold: no need for Identity.check's full result
        result = ident.check(values)
        if result.status == "failed":
            findings.append(_failed(ident, result.left, result.right))
        elif result.status == "not_assessable":
            findings.append(
                Finding(
                    kind="identity_not_assessable",
                    message=f"{ident.id}: {', '.join(result.missing)} blank, cannot check {ident.expr}",
                    severity="info",
                    code=result.missing[0],
                )
            )
    return findings


#: Finding kinds about one identity; their message starts with "<identity id>: ".
IDENTITY_KINDS = frozenset({"identity_failed", "identity_not_assessable"})


def identity_id(finding: Finding) -> str | None:
    """The codebook identity an identity finding concerns (its message's "<id>: " prefix)."""
    if finding.kind not in IDENTITY_KINDS:
        return None
    head, sep, _ = finding.message.partition(": ")
    return head if sep else None


def _failed(ident: Identity, left: Number | None, right: Number | None) -> Finding:
    """`found` is the printed side (the total, left), `expected` what its parts give (right)."""
    relation = {"=": "≠", "<=": ">", ">=": "<"}[ident.op]
    return Finding(
        kind="identity_failed",
        message=f"{ident.id}: {ident.expr} does not hold ({_fmt(left)} {relation} {_fmt(right)})",
        severity="warning",
        code=ident.left[0][1],
        expected=right,
        found=left,
    )


def _fmt(value: Number | None) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_narrative(
    doc: Document,
    report: Report,
    compacted: list[str] | None = None,
    values: dict[str, Number | None] | None = None,
) -> list[Finding]:
    """Numbers the prose states that agree with no table value they describe.

    `compacted`: `_compact` of each of the page's lines (then meta values), `values`:
    `values_by_code(report.rows)`, if already made.
    """
    variant = report.template_variant
    if not variant or not report.rows:
        return []
    if values is None:
        values = values_by_code(report.rows)
    lines = _compact_all(doc.lines) if compacted is None else compacted[: len(doc.lines)]
    prose = _paragraphs(doc.lines, rules()["min_narrative_chars"], lines)
    findings = []
    for check in rules()["narrative"]:
        alternatives = [_evaluate(expr, values) for expr in check["compare"].get(variant, [])]
        table = [v for v in alternatives if v is not None]
        if not table:
            continue
        stated = list(_stated(check["patterns"], prose))
        if stated and not any(n == v for n, _ in stated for v in table):
            number, sentence = stated[0]
            findings.append(
                Finding(
                    kind="narrative_mismatch",
                    message=f"{check['id']}: the text says {number} ({sentence}), the table {_fmt(table[-1])}",
                    code=check["compare"][variant][0].split(" ")[0],
                    expected=table[-1],
                    found=number,
                )
            )
    return findings


def _paragraphs(lines: list[str], min_chars: int, compacted: list[str] | None = None) -> list[str]:
    """Runs of prose lines joined (PDF lines wrap mid-sentence: "受理政府" / "信息公开申请 17 件"),
    compacted (`compacted`: the lines' `_compact`, if already made)."""
    if compacted is None:
        compacted = _compact_all(lines)
    out: list[str] = []
    run: list[str] = []
    for line, compact in zip(lines, compacted, strict=True):
        if len(line) >= min_chars:
            run.append(compact)
        elif run:
            out.append("".join(run))
            run = []
    if run:
        out.append("".join(run))
    return out


def _evaluate(expr: str, values: Mapping[str, Number | None]) -> Number | None:
    """Value of "a" or "a + b" over the report's codes; None when an operand is absent or blank."""
    terms = _terms(expr)
    total: Number = 0
    for sign, code in terms:
        value = values.get(code)
        if value is None:
            return None
        total += sign * value
    return total


@functools.lru_cache(maxsize=256)
def _terms(expr: str) -> tuple[tuple[int, str], ...]:
    """The signed codes of a sum ("a + b"), parsed once."""
    return tuple(parse_expr(f"{expr} = x")[0])


def _stated(patterns: list[str], prose: list[str]) -> Iterable[tuple[int, str]]:
    compiled = [_pattern(p) for p in patterns]
    for line in prose:
        for pattern in compiled:
            for match in pattern.finditer(line):
                yield int(match.group("n").replace(",", "")), _snippet(line, match)


def _snippet(line: str, match: re.Match[str]) -> str:
    return line[max(0, match.start() - 12) : match.end()]


def check_spam(doc: Document, compacted: list[str] | None = None) -> list[Finding]:
    """One finding listing the gambling/spam words injected into the page's text.

    `compacted`: `_compact` of each of the page's lines, then meta values, if already made.
    """
    if compacted is None:
        compacted = _compact_all([*doc.lines, *doc.meta.values()])
    text = "".join(compacted).lower()
    if _spam_pattern().search(text) is None:
        return []  # the common case, found in one scan: no word below would be counted
    found: dict[str, int] = {}
    for word in sorted(rules()["spam_words"], key=len, reverse=True):  # longest first: no double counts
        n = text.count(word.lower())
        if n:
            found[word] = n
            text = text.replace(word.lower(), "\0")
    if not found:
        return []
    listed = ", ".join(f"{w} ×{n}" for w, n in sorted(found.items(), key=lambda kv: -kv[1]))
    return [
        Finding(
            kind="spam_injected",
            message=f"the page text carries injected gambling/spam words: {listed}",
            severity="warning",
            found=sum(found.values()),
        )
    ]


@functools.lru_cache(maxsize=1 << 15)
def _compact(text: str) -> str:
    """NFKC, no whitespace, simplified characters: the form the rules in validation.yaml are written in."""
    return to_simplified("".join(unicodedata.normalize("NFKC", text).split())).translate(_extra_simplified())


#: Joins a page's texts so that they are compacted in one pass; NFKC never moves a character across
#: it (a starter that composes with nothing), whitespace removal keeps it.
_SEP = "\x00"


def _compact_all(texts: list[str]) -> list[str]:
    """`_compact` of each text, computed over the texts joined (one C-level pass per step, not a few
    Python calls per line).

    Exact: NFKC works between boundaries `_SEP` is one of; the other steps map character by
    character. The characters any step would change are listed first, in one scan: those NFKC
    changes (full-width punctuation and digits, U+3000) are replaced by their full decomposition —
    the first thing NFKC does to them anyway — so that the text passes NFKC's quick check instead
    of being normalized character by character; simplification runs only if a character it maps
    is there (before or after NFKC).
    """
    if not texts:
        return []
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:
        return [_compact(text) for text in texts]  # a text holds the separator itself
    special = _special_chars()
    found = set(special.pattern.findall(joined))
    decomposed = {char: unicodedata.normalize("NFKD", char) for char in found & special.unstable}
    for char, parts in decomposed.items():
        joined = joined.replace(char, parts)
    joined = "".join(unicodedata.normalize("NFKC", joined).split())
    mapped = (found - special.unstable) | set("".join(decomposed.values()))
    beyond_bmp = any(ord(char) > 0xFFFF for char in found)  # NFKC may change those: not listed
    if special.composed_may_map or beyond_bmp or not mapped.isdisjoint(special.traditional):
        joined = to_simplified(joined)
        if _extra_pattern().search(joined):
            joined = joined.translate(_extra_simplified())
    elif not mapped.isdisjoint(special.extra):
        joined = joined.translate(_extra_simplified())
    return joined.split(_SEP)


class _Special(NamedTuple):
    """What `_compact_all` looks for in a page before compacting it."""

    pattern: re.Pattern[str]  # any character below, or any beyond the Basic Multilingual Plane
    unstable: frozenset[str]  # BMP characters NFKC changes
    traditional: frozenset[str]  # characters to_simplified maps
    extra: frozenset[str]  # characters validation.yaml's own pairs map
    composed_may_map: bool  # NFKC may compose a character the maps above change


@functools.cache
def _special_chars() -> _Special:
    unstable = {
        chr(cp)
        for cp in range(0x10000)
        if not 0xD800 <= cp < 0xE000 and not unicodedata.is_normalized("NFKC", chr(cp))
    }
    traditional = {chr(cp) for cp in traditional_map()}
    extra = {chr(cp) for cp in _extra_simplified()}
    chars = "".join(re.escape(ch) for ch in sorted(unstable | traditional | extra))
    return _Special(
        re.compile(f"[{chars}\U00010000-\U0010ffff]"),
        frozenset(unstable),
        frozenset(traditional),
        frozenset(extra),
        any(_is_composite(ch) for ch in traditional | extra),
    )


def _is_composite(char: str) -> bool:
    """A character NFKC's composition step may produce (a canonical decomposition of 2+ characters)."""
    decomposition = unicodedata.decomposition(char)
    return bool(decomposition) and not decomposition.startswith("<") and " " in decomposition


@functools.cache
def _extra_simplified() -> dict[int, str]:
    pairs = str(rules().get("traditional_extra") or "").split()
    return {ord(pair[0]): pair[1] for pair in pairs if len(pair) == 2}


@functools.cache
def _extra_pattern() -> re.Pattern[str]:
    chars = "".join(chr(cp) for cp in _extra_simplified())
    return re.compile(f"[{re.escape(chars)}]" if chars else r"(?!)")


@functools.cache
def _spam_pattern() -> re.Pattern[str]:
    """Any spam word (lower-cased, as check_spam counts them)."""
    words = sorted({str(w).lower() for w in rules()["spam_words"]}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)) if words else r"(?!)")


@functools.lru_cache(maxsize=64)
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)
