"""`ogi extract`: exit codes, the public --json schema on the seed, folders with bad files, WARC
archives replayed with their URL and headers, 1 vs 2 workers, and interrupted runs."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ogi.cli import main
from ogi.commands import extract as extract_cmd
from tests.test_writers_dataset import snapshot

SEED = Path("seeds") / "000_f790e48fa2eae4e6.txt"
PINGTAN = Path("real-reports") / "fj-pingtan-2017" / "page.html"
PINGTAN_URL = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201801/t20180123_80506.htm"
LETTER = Path("real-reports") / "fj-pingtan-letter-2014" / "page.html"
TOP_KEYS = [
    "source", "sha256", "status", "message", "template", "template_variant", "year", "published",
    "title", "publisher", "province", "city", "district", "adcode", "adcode_current", "rows", "findings",
]  # fmt: skip
ROW_KEYS = [
    "code",
    "section",
    "label",
    "column",
    "unit",
    "value",
    "raw",
    "value_normalized",
    "unit_normalized",
]
FINDING_KEYS = ["kind", "severity", "code", "message", "expected", "found"]


def run_json(capsys, *args: str) -> tuple[int, list[dict]]:
    code = main(["extract", "--json", "--quiet", *args])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def test_json_schema_on_the_seed(shared_dir, capsys):
    code, objs = run_json(capsys, str(shared_dir / SEED))
    assert code == 0
    assert len(objs) == 1
    seed = objs[0]
    assert list(seed)[: len(TOP_KEYS)] == TOP_KEYS  # the documented keys, in order; later keys are additions
    assert seed["status"] == "ok"
    assert seed["template"] == "legacy"
    assert seed["year"] == 2016
    assert seed["adcode"] == "320602"
    assert seed["adcode_current"] == "320613"
    assert seed["published"] == "2017-02-22"
    assert (seed["province"], seed["city"], seed["district"]) == ("江苏省", "南通市", "崇川区")
    assert len(seed["rows"]) >= 50
    for row in seed["rows"]:
        assert list(row) == ROW_KEYS
        assert row["code"]
        assert row["unit"]
        assert row["value"] is None or isinstance(row["value"], int | float)
    first = seed["rows"][0]
    assert (first["code"], first["value"], first["unit"]) == ("proactive.total", 13100, "条")
    assert sum(1 for r in seed["rows"] if r["value"] is None) >= 1  # the blank 专项经费 cell stays missing
    for finding in seed["findings"]:
        assert list(finding) == FINDING_KEYS
    assert "cpca" in seed["evidence"]["adcode"]


def test_json_alone_writes_no_dataset(shared_dir, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _ = run_json(capsys, str(shared_dir / SEED))
    assert code == 0
    assert not (tmp_path / "output").exists()


def test_exit_1_when_an_input_is_not_a_report(shared_dir, capsys):
    code, objs = run_json(capsys, str(shared_dir / SEED), str(shared_dir / LETTER))
    assert code == 1
    assert [o["status"] for o in objs] == ["ok", "not_report"]
    assert objs[1]["rows"] == []


def test_exit_2_on_usage_errors(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "nope.html")]) == 2
    (tmp_path / "empty-folder").mkdir()
    assert main(["extract", str(tmp_path / "empty-folder")]) == 2
    (tmp_path / "empty-folder" / "page.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    assert main(["extract", str(tmp_path / "empty-folder"), "--out", str(tmp_path / "a-file")]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["extract", "--workers", "0", str(tmp_path)])
    assert exc.value.code == 2
    assert "no such file" in capsys.readouterr().err


def test_folder_with_bad_files_continues(shared_dir, tmp_path, capsys):
    pages = tmp_path / "pages" / "nested"
    pages.mkdir(parents=True)
    shutil.copy(shared_dir / SEED, pages / "chongchuan-2016.txt")
    (pages / "empty.html").write_bytes(b"")
    (pages / "garbage.pdf").write_bytes(bytes(range(256)) * 40)
    (pages / "truncated.htm").write_bytes((shared_dir / PINGTAN).read_bytes()[:3000])
    (pages / "notes.odt").write_bytes(b"ignored: not a page extension")
    out = tmp_path / "out"
    code = main(["extract", str(tmp_path / "pages"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "not read" in err
    assert "empty.html" in err
    reports = pd.read_csv(out / "reports.csv", dtype={"adcode": str})
    assert len(reports) == 4
    assert set(reports["status"]) >= {"ok", "empty"}
    seed = reports[reports["source"].str.endswith("chongchuan-2016.txt")].iloc[0]
    assert (seed["year"], seed["adcode"]) == (2016, "320602")
    values = pd.read_csv(out / "values.csv")
    assert (values["report_id"] == seed["report_id"]).sum() == seed["n_values"] + (
        values[values["report_id"] == seed["report_id"]]["value"].isna().sum()
    )
    assert (out / "districts" / "320602" / "2016.parquet").exists()


def _warc(path: Path, shared_dir: Path) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)

        def response(
            url: str, body: bytes, status: str = "200 OK", ctype: str = "text/html", kind: str = "report"
        ) -> None:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2026-03-01T10:00:00Z", "OGI-Kind": kind},
            )
            writer.write_record(record)

        response(PINGTAN_URL, (shared_dir / PINGTAN).read_bytes(), ctype="text/html; charset=utf-8")
        response("https://www.example.gov.cn/missing.htm", b"<html>not found</html>", status="404 Not Found")
        response(
            "https://www.example.gov.cn/ndbg/index.html",
            "<html>2016年度报告 list</html>".encode(),
            kind="listing",
        )
        response(
            "https://www.nantong.example.gov.cn/2017/02/22/seed.txt",
            (shared_dir / SEED).read_bytes(),
            ctype="text/plain; charset=utf-8",
        )


def test_gbk_file_name_is_decoded_not_carried_as_surrogates(shared_dir, tmp_path, capsys):
    folder = tmp_path / "pages"
    folder.mkdir()
    gbk_name = os.fsdecode(bytes(folder) + b"/" + "崇川区报告.txt".encode("gbk"))
    shutil.copy(shared_dir / SEED, gbk_name)
    out = tmp_path / "out"
    code = main(["extract", str(folder), "--out", str(out), "--json", "--quiet"])
    assert code == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["source"].endswith("崇川区报告.txt")
    assert pd.read_csv(out / "reports.csv")["source"].iloc[0].endswith("崇川区报告.txt")


def test_warc_archive_is_replayed_with_url_and_headers(shared_dir, tmp_path, capsys):
    archive = tmp_path / "archive"
    archive.mkdir()
    _warc(archive / "crawl-00001.warc.gz", shared_dir)
    out = tmp_path / "out"
    code = main(["extract", str(archive), "--out", str(out), "--json"])
    captured = capsys.readouterr()
    objs = [json.loads(line) for line in captured.out.splitlines()]
    assert code == 0  # the 404 record is passed over (the crawler reports fetch errors), and said so
    assert "archived HTTP 404" in captured.err
    assert "archived listing page" in captured.err
    assert [o["source"] for o in objs] == [
        PINGTAN_URL,
        "https://www.nantong.example.gov.cn/2017/02/22/seed.txt",
    ]
    assert objs[0]["adcode"] == "350128"
    assert objs[0]["year"] == 2017
    assert objs[1]["adcode"] == "320602"
    reports = pd.read_csv(out / "reports.csv", dtype={"adcode": str}).set_index("source")
    pingtan = reports.loc[PINGTAN_URL]
    assert pingtan["fetched_at"] == "2026-03-01T10:00:00Z"
    assert pingtan["archive_record"].startswith("crawl-00001.warc.gz#")
    assert pingtan["status"] == "ok"


def test_truncated_archive_keeps_the_records_before_the_damage(shared_dir, tmp_path, capsys):
    whole = tmp_path / "whole.warc.gz"
    _warc(whole, shared_dir)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size - 500])
    code = main(["extract", "--json", str(cut)])
    captured = capsys.readouterr()
    assert code == 1
    assert [json.loads(line)["source"] for line in captured.out.splitlines()] == [PINGTAN_URL]
    assert "truncated" in captured.err


def test_one_and_two_workers_give_identical_datasets(shared_dir, tmp_path, capsys):
    paths = [
        str(shared_dir / SEED),
        *(str(shared_dir / "real-reports" / d) for d in ("fj-pingtan-2017", "fj-pingtan-letter-2014")),
    ]
    assert main(["extract", *paths, "--out", str(tmp_path / "one"), "--quiet"]) == 1
    assert main(["extract", *paths, "--out", str(tmp_path / "two"), "--quiet", "--workers", "2"]) == 1
    assert main(["extract", *paths, "--out", str(tmp_path / "one"), "--quiet"]) == 1  # rerun in place
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert one == two
    assert "reports.parquet" in one


def test_interrupted_extract_keeps_previous_dataset(shared_dir, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert main(["extract", str(shared_dir / SEED), "--out", str(out), "--quiet"]) == 0
    before = snapshot(out)
    real = extract_cmd.extract
    calls = {"n": 0}

    def dies_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(extract_cmd, "extract", dies_on_second)
    assert main(["extract", str(shared_dir / "real-reports"), "--out", str(out), "--quiet"]) == 130
    assert "previous dataset is unchanged" in capsys.readouterr().err
    assert snapshot(out) == before
    assert not list(out.glob(".ogi-staging-*"))


def test_extractor_crash_is_one_bad_page(shared_dir, tmp_path, monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise ValueError("reader bug")

    monkeypatch.setattr(extract_cmd, "extract", boom)
    code, objs = run_json(capsys, str(shared_dir / SEED), str(shared_dir / LETTER))
    assert code == 1
    assert [o["status"] for o in objs] == ["unreadable", "unreadable"]
    assert objs[0]["findings"][0]["kind"] == "extraction_error"
    assert "reader bug" in objs[0]["message"]


def test_console_entry_point(shared_dir, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "ogi", "extract", str(shared_dir / SEED), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "1 inputs" in result.stderr
    assert "s in this process" in result.stderr  # the CPU line the scaling bench reads
    assert result.stdout == ""


def test_one_unreadable_record_does_not_stop_the_archive(shared_dir, tmp_path, monkeypatch):
    from ogi import inputs

    archive = tmp_path / "a.warc.gz"
    _warc(archive, shared_dir)
    real = inputs._record_job

    def first_breaks(path, record):
        if record.rec_headers.get_header("WARC-Target-URI") == PINGTAN_URL:
            raise OSError("broken body")
        return real(path, record)

    monkeypatch.setattr(inputs, "_record_job", first_breaks)
    items = list(inputs.warc_jobs(archive))
    assert isinstance(items[0], inputs.Skipped)
    assert "broken body" in items[0].reason
    assert not items[0].expected
    assert [i.source for i in items if isinstance(i, inputs.Job)] == [
        "https://www.nantong.example.gov.cn/2017/02/22/seed.txt"
    ]


def test_folder_walk_picks_pages_archives_and_word_files_only(tmp_path):
    from ogi import inputs

    names = [
        "a.HTML",
        "b.shtml",
        "c.jhtml",
        "d.txt",
        "e.pdf",
        "f.docx",
        "g.warc.gz",
        "h.warc",
        "i.odt",
        "j.csv",
    ]
    for name in names:
        (tmp_path / "x" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "x" / name).write_bytes(b"")
    (tmp_path / "x" / ".ogi-staging-1-a").mkdir()
    (tmp_path / "x" / ".ogi-staging-1-a" / "hidden.html").write_bytes(b"")
    found = [p.name for p in inputs.discover([tmp_path / "x"])]
    assert found == ["a.HTML", "b.shtml", "c.jhtml", "d.txt", "e.pdf", "f.docx", "g.warc.gz", "h.warc"]


def test_the_summary_keeps_only_the_first_not_read_pages():
    """The parent keeps no per-page state: 25 not-read pages are counted, 20 are named (issue 7)."""
    tally = extract_cmd.Tally()
    for i in range(extract_cmd.LIST_LIMIT + 5):
        tally.add(extract_cmd.Outcome(f"page-{i}.html", "not_report", "menu", 0, 1, None, None))
    text = tally.render(None, None, 1.0)
    assert len(tally.not_read) == extract_cmd.LIST_LIMIT
    assert not tally.all_read
    assert f"not read ({extract_cmd.LIST_LIMIT + 5}):" in text
    assert "page-19.html" in text
    assert "page-20.html" not in text
    assert "... and 5 more (see reports.csv)" in text
