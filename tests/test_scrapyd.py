"""The crawler deployed to a real scrapyd and scheduled through its JSON API, as docs/RUNNING.md says.

Issue 5 asks for a crawler "deployable to scrapyd". This proves it end to end rather than trusting
a scrapy.cfg line: scrapyd runs on 127.0.0.1 in a temporary directory with its own scrapyd.conf,
`scrapyd-deploy scrapyd` (the scrapy.cfg target, pointed at that port) builds and uploads the egg,
and the `reports` spider is scheduled over the offline demo sites with schedule.json. Deploying
works on a copy of the project because scrapyd-deploy writes setup.py and build/ next to scrapy.cfg,
which must not land in the shared working tree. The job runs from the egg (a zip on the runner's
sys.path), so this also proves that registry, codebook and templates are read from inside it.
"""

from __future__ import annotations

import configparser
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
                "extractors/data/metadata.yaml", "extractors/data/adcode_changes.csv",
                "writers/templates/datapackage.yaml")  # fmt: skip
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "RETRY_TIMES": "1", "DOWNLOAD_TIMEOUT": "15",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}  # fmt: skip
JOB_WAIT = 90  # seconds
#: Everything here talks to 127.0.0.1 only: no proxy may sit in between.
LOCAL_ENV = {k: v for k, v in os.environ.items()
             if not k.lower().endswith("_proxy") and not k.startswith(("SCRAPY_", "OGI_REDIS"))}  # fmt: skip
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _project_copy(tmp: Path, bot_name: str = "") -> Path:
    """The files an egg is built from. `bot_name` marks the copy's settings so that a job's log shows
    it ran the egg's code (a project installed non-editable in scrapyd's environment would shadow the
    egg, see docs/RUNNING.md)."""
    src = tmp / "src"
    src.mkdir()
    for name in ("crawler", "extractors", "writers", "ogi"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "scrapy.cfg", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    if bot_name:
        with (src / "crawler" / "settings.py").open("a", encoding="utf-8") as fh:
            fh.write(f"\nBOT_NAME = {bot_name!r}\n")
    return src


def _scrapyd_deploy(src: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "scrapyd-deploy"), *args], cwd=src, env=LOCAL_ENV,
                            capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


def _api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with LOCAL.open(urllib.request.Request(f"{base}/{endpoint}", data=body), timeout=30) as resp:
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
    log = (home / "scrapyd.out").open("wb")
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, env=LOCAL_ENV, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(base, proc, home / "scrapyd.out")
        yield base, home
    finally:
        _cancel_running(base)
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_up(base: str, proc: subprocess.Popen, out: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            _api(base, "daemonstatus.json")
            return
        except OSError:
            assert proc.poll() is None, out.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "scrapyd did not answer within 30 s"
            time.sleep(0.3)


def _cancel_running(base: str) -> None:
    """A job still running when a test fails must not outlive it (scrapyd leaves its children be)."""
    try:
        jobs = _api(base, f"listjobs.json?project={PROJECT}")
        for job in jobs["running"] + jobs["pending"]:
            _api(base, "cancel.json", [("project", PROJECT), ("job", job["id"]), ("signal", "KILL")])
    except (OSError, AssertionError):
        return


def _point_target_at(src: Path, base: str) -> None:
    """The copy's [deploy:scrapyd] target, as committed, with the test server's address."""
    cfg = configparser.ConfigParser()
    cfg.read(src / "scrapy.cfg", encoding="utf-8")
    assert cfg.get("deploy:scrapyd", "project") == PROJECT
    cfg.set("deploy:scrapyd", "url", f"{base}/")
    with (src / "scrapy.cfg").open("w", encoding="utf-8") as fh:
        cfg.write(fh)


def _wait_finished(base: str, jobid: str) -> None:
    deadline = time.monotonic() + JOB_WAIT
    while time.monotonic() < deadline:
        jobs = _api(base, f"listjobs.json?project={PROJECT}")
        if any(j["id"] == jobid for j in jobs["finished"]):
            return
        time.sleep(0.5)
    pytest.fail(f"scrapyd job {jobid} not finished within {JOB_WAIT} s: {jobs}")


def test_egg_carries_the_package_data(tmp_path):
    src = _project_copy(tmp_path)
    egg = tmp_path / f"{PROJECT}.egg"
    _scrapyd_deploy(src, "--build-egg", str(egg))
    with zipfile.ZipFile(egg) as z:
        names = set(z.namelist())
        entry_points = z.read("EGG-INFO/entry_points.txt").decode()
    missing = [p for p in PACKAGE_DATA if p not in names]
    assert not missing, f"not in the egg: {missing}"
    assert "[scrapy]" in entry_points  # how scrapyd finds the settings module
    assert "settings = crawler.settings" in entry_points


def test_scheduled_crawl_archives_and_extracts_the_demo_reports(scrapyd, tmp_path):
    base, home = scrapyd
    src = _project_copy(tmp_path, bot_name="ogi-reports-egg")
    _point_target_at(src, base)
    deployed = json.loads(_scrapyd_deploy(src, "scrapyd", "--version", "1").stdout)
    assert (deployed["status"], deployed["spiders"]) == ("ok", 1), deployed
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
    # the job ran the deployed egg, not a copy installed beside it
    assert "(bot: ogi-reports-egg)" in log_text
    cases = {e["url"].replace("{base}", server.base): e for e in expected()
             if e["site"] in sites and e.get("kind") is None}  # fmt: skip
    rows = Catalog(archive / "catalog.sqlite").rows(kind="report", status=200)
    assert set(cases) <= {r["url"] for r in rows}, log_text[-4000:]
    extracted = {r["url"]: r["extraction_status"] for r in rows}
    tables = {u: e for u, e in cases.items() if e.get("template")}
    # the codebook was read from the egg
    assert {u: extracted[u] for u in tables} == dict.fromkeys(tables, "ok")
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
