"""Names read from pages never become paths unsanitized; writes are atomic (issue 5 part 6).

Spam mirrors and broken CMSs put anything in titles, district names and meta tags: "../", absolute
paths, NUL bytes, 10 000-character names, right-to-left marks. Every file the writer creates must
stay inside the output folder under a name it chose.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.model import Metadata, Report, Row
from writers import paths
from writers.dataset import DatasetWriter

HOSTILE = [
    "../../etc/passwd",
    "/etc/cron.d/x",
    "..",
    ".",
    "",
    "a\x00b",
    "C:\\Windows\\system32",
    "崇川区/../../逃逸",
    "区" * 10_000,
    "\u202eexe.txt",
    "con",
    "nul.txt",
    "~/.ssh/authorized_keys",
    "$(rm -rf ~)",
]


def hostile_report(i: int, name: str) -> Report:
    meta = Metadata(
        title=name,
        publisher=name,
        province=name,
        city=name,
        district=name,
        adcode=name,  # a broken extractor or a forged meta tag may put anything here
        adcode_current=name,
        year=2016,
    )
    return Report(
        source=name,
        sha256=hashlib.sha256(f"{i}{name}".encode("utf-8", "surrogatepass")).hexdigest(),
        status="ok",
        meta=meta,
        rows=[Row(name, name, name, column=name, unit=name, value=1, raw=name)],
        message=name,
    )


def test_hostile_names_stay_inside_the_output_folder(tmp_path):
    out = tmp_path / "out"
    writer = DatasetWriter(out)
    for i, name in enumerate(HOSTILE):
        writer.add(hostile_report(i, name))
    writer.close()
    created = [p for p in tmp_path.rglob("*")]
    assert all(out in p.parents or p == out for p in created)
    districts = sorted(p.name for p in (out / "districts").iterdir())
    assert districts == ["unknown"]
    assert sorted(p.name for p in (out / "districts" / "unknown").iterdir()) == ["2016.csv", "2016.parquet"]
    reports = pd.read_parquet(out / "reports.parquet")
    assert len(reports) == len(HOSTILE)
    assert not reports["title"].dropna().str.contains("\x00").any()  # NUL dropped from cells
    csv = pd.read_csv(out / "reports.csv", keep_default_na=False)
    assert len(csv) == len(HOSTILE)


def test_segments_accept_only_codes_and_years():
    assert paths.district_segment("320602") == "320602"
    assert paths.year_segment(2016) == "2016"
    for bad in ["32060", "3206020", "../320602", "320602/..", " 320602", None, 320602]:
        assert paths.district_segment(bad) == paths.UNKNOWN
    for bad in ["2016", 16, 12016, True, None, "../2016"]:
        assert paths.year_segment(bad) == paths.UNKNOWN


@pytest.mark.parametrize("name", HOSTILE)
def test_slug_of_hostile_names(name):
    seg = paths.slug(name)
    assert seg
    assert "/" not in seg
    assert "\\" not in seg
    assert "\x00" not in seg
    assert ".." not in seg
    assert not seg.startswith(".")
    assert len(seg.encode("utf-8")) <= paths.MAX_NAME_BYTES
    assert seg.lower().split(".")[0] not in {"con", "nul"}


def test_slug_keeps_chinese_and_distinguishes_long_names():
    assert paths.slug("平潭综合实验区地方税务局") == "平潭综合实验区地方税务局"
    assert paths.slug("区" * 500 + "甲") != paths.slug("区" * 500 + "乙")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_slug_is_always_one_safe_segment(tmp_path_factory, name):
    base = tmp_path_factory.getbasetemp()
    seg = paths.slug(name)
    assert paths.inside(base, seg).parent == base.resolve()
    assert len(seg.encode("utf-8")) <= paths.MAX_NAME_BYTES
    assert seg not in {".", ".."}


def test_inside_refuses_escapes(tmp_path):
    assert paths.inside(tmp_path, "a", "b") == (tmp_path / "a" / "b").resolve()
    for bad in (["..", "x"], ["/etc"], ["a", "..", "..", "b"]):
        with pytest.raises(ValueError, match="escapes"):
            paths.inside(tmp_path, *bad)


def test_sigkilled_extract_leaves_previous_dataset(shared_dir, tmp_path):
    """A real `ogi extract` killed with SIGKILL mid-run: the old dataset is untouched."""
    out = tmp_path / "out"
    seed = shared_dir / "seeds" / "000_f790e48fa2eae4e6.txt"
    cmd = [sys.executable, "-m", "ogi", "extract", "--quiet", "--out", str(out)]
    subprocess.run([*cmd, str(seed)], check=True, timeout=120)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    proc = subprocess.Popen([*cmd, str(shared_dir / "real-reports"), str(seed)])
    deadline = time.monotonic() + 60
    while not list(out.glob(".ogi-staging-*")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL  # killed mid-run: the PDFs take seconds to read
    assert list(out.glob(".ogi-staging-*"))  # its half-built dataset stayed in staging ...
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    subprocess.run([*cmd, str(seed)], check=True, timeout=120)
    assert not list(out.glob(".ogi-staging-*"))  # ... which the next run removed
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
