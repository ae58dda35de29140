"""The crawler deployed to a real scrapyd and scheduled through its JSON API, as docs/RUNNING.md says.

Issue 5 asks for a crawler "deployable to scrapyd". This proves it end to end rather than trusting
a scrapy.cfg line: the egg is built by `scrapyd-deploy --build-egg` from a copy of the project (the
command writes a setup.py and build/ next to scrapy.cfg, which must not land in the shared working
tree), uploaded with addversion.json to a scrapyd started on 127.0.0.1 in a temporary directory,
and the `reports` spider is scheduled over the offline demo sites with schedule.json. The job runs
from the egg (a zip on the runner's sys.path), so it also proves that the registry, codebook and
templates travel inside the egg and are readable from there.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from crawler.archive import Catalog
from tests.demo_site.server import expected, registry_path, serve

pytest.importorskip("scrapyd", reason="scrapyd comes with the deploy extra (pip install -e '.[test]')")
pytest.importorskip("scrapyd_client", reason="scrapyd-client comes with the deploy extra")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PROJECT = "ogi-reports"
#: What a crawl needs besides code; every one must be inside the egg.
PACKAGE_DATA = ("crawler/sites.csv", "extractors/codebook/gov2021.yaml", "extractors/codebook/crosswalk.yaml",
                "extractors/data/metadata.yaml", "writers/templates/datapackage.yaml")  # fmt: skip
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "RETRY_TIMES": "1", "DOWNLOAD_TIMEOUT": "15",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}  # fmt: skip
JOB_WAIT = 90  # seconds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _build_egg(tmp: Path, bot_name: str = "") -> Path:
    """`scrapyd-deploy --build-egg` in a copy of the project: what an operator runs, minus the upload.

    `bot_name` marks the copy's settings so that a job's log shows it ran the egg's code (a project
    installed non-editable in scrapyd's environment would shadow the egg, see docs/RUNNING.md)."""
    src = tmp / "src"
    src.mkdir()
    for name in ("crawler", "extractors", "writers", "ogi"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "scrapy.cfg", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    if bot_name:
        with (src / "crawler" / "settings.py").open("a", encoding="utf-8") as fh:
            fh.write(f"\nBOT_NAME = {bot_name!r}\n")
    egg = tmp / f"{PROJECT}.egg"
    result = subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=src,
                            capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert egg.is_file()
    return egg


def _api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None, files: bytes | None = None) -> dict:
    if files is not None:  # addversion.json: multipart with the egg
        boundary = "ogi-egg-boundary"
        parts = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in data or []
        )
        body = parts + (f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; filename="project.egg"\r\n'
                        f"Content-Type: application/octet-stream\r\n\r\n").encode() + files + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
        req = urllib.request.Request(f"{base}/{endpoint}", data=body,
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})  # fmt: skip
    elif data is not None:
        req = urllib.request.Request(f"{base}/{endpoint}", data=urllib.parse.urlencode(data).encode())
    else:
        req = urllib.request.Request(f"{base}/{endpoint}")
    with urllib.request.urlopen(req, timeout=30) as resp:  # 127.0.0.1 only
        answer = json.loads(resp.read().decode("utf-8"))
    assert answer.get("status") == "ok", answer
    return answer


@pytest.fixture
def scrapyd(tmp_path):
    """A scrapyd on 127.0.0.1 and a free port, with its eggs, logs and queues under tmp_path."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\nmax_proc = 1\npoll_interval = 0.5\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "OGI_REDIS"))}
    log = (home / "scrapyd.out").open("wb")
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _api(base, "daemonstatus.json")
                break
            except OSError:
                assert proc.poll() is None, (home / "scrapyd.out").read_text(errors="replace")[-3000:]
                assert time.monotonic() < deadline, "scrapyd did not answer within 30 s"
                time.sleep(0.3)
        yield base, home
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_finished(base: str, jobid: str) -> None:
    deadline = time.monotonic() + JOB_WAIT
    while time.monotonic() < deadline:
        jobs = _api(base, f"listjobs.json?project={PROJECT}")
        if any(j["id"] == jobid for j in jobs["finished"]):
            return
        time.sleep(0.5)
    pytest.fail(f"scrapyd job {jobid} not finished within {JOB_WAIT} s: {jobs}")


def test_egg_carries_the_package_data(tmp_path):
    egg = _build_egg(tmp_path)
    names = set(zipfile.ZipFile(egg).namelist())
    missing = [p for p in PACKAGE_DATA if p not in names]
    assert not missing, f"not in the egg: {missing}"
    entry_points = zipfile.ZipFile(egg).read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]" in entry_points  # how scrapyd finds the settings module
    assert "settings = crawler.settings" in entry_points


def test_scheduled_crawl_archives_and_extracts_the_demo_reports(scrapyd, tmp_path):
    base, home = scrapyd
    egg = _build_egg(tmp_path, bot_name="ogi-reports-egg")
    added = _api(base, "addversion.json", [("project", PROJECT), ("version", "1")], files=egg.read_bytes())
    assert added["spiders"] == 1
    assert _api(base, f"listspiders.json?project={PROJECT}")["spiders"] == ["reports"]
    archive, out = tmp_path / "archive", tmp_path / "output"
    sites = ("demo_fz_gulou", "demo_yy_heshan")
    with serve() as server:
        settings = {**FAST, "OGI_ARCHIVE_DIR": str(archive), "OGI_OUTPUT_DIR": str(out)}
        form = [("project", PROJECT), ("spider", "reports"), ("jobid", "weekly-test"),
                ("site", ",".join(sites)), ("registry", str(registry_path())), ("base", server.base),
                *(("setting", f"{k}={v}") for k, v in settings.items())]  # fmt: skip
        assert _api(base, "schedule.json", form)["jobid"] == "weekly-test"
        _wait_finished(base, "weekly-test")
        paths = server.paths()
    job_log = next((home / "logs").rglob("weekly-test.log"), None)
    log_text = job_log.read_text(encoding="utf-8", errors="replace") if job_log else "(no job log)"
    assert paths, f"the job fetched nothing; its log:\n{log_text[-4000:]}"
    assert "Traceback" not in log_text, log_text[-4000:]
    assert "(bot: ogi-reports-egg)" in log_text  # the job ran the deployed egg, not a copy installed beside it
    cases = {e["url"].replace("{base}", server.base): e for e in expected()
             if e["site"] in sites and e.get("kind") is None}  # fmt: skip
    rows = Catalog(archive / "catalog.sqlite").rows(kind="report", status=200)
    assert set(cases) <= {r["url"] for r in rows}, log_text[-4000:]
    extracted = {r["url"]: r["extraction_status"] for r in rows}
    tables = {u: e for u, e in cases.items() if e.get("template")}
    assert {u: extracted[u] for u in tables} == dict.fromkeys(tables, "ok")  # the codebook was read from the egg
    summary = json.loads((archive / "run-summary.json").read_text(encoding="utf-8"))
    assert summary["pages_fetched"] >= len(cases)
    _assert_dataset(out, tables)


def _assert_dataset(out: Path, tables: dict[str, dict]) -> None:
    """The dataset written at the end of the job (templates read from the egg) holds the printed figures."""
    assert (out / "datapackage.json").is_file()
    with (out / "reports.csv").open(encoding="utf-8") as fh:
        ids = {r["source"]: r["report_id"] for r in csv.DictReader(fh)}
    values: dict[str, dict[str, float]] = {}
    with (out / "values.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["code"] and r["value"] != "":
                values.setdefault(r["report_id"], {})[r["code"]] = float(r["value"])
    for url, e in tables.items():
        got = values.get(ids[url], {})
        wrong = {c: (v, got.get(c)) for c, v in e["values"].items() if got.get(c) != pytest.approx(float(v))}
        assert not wrong, (url, list(wrong.items())[:5])
