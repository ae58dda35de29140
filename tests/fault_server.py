"""A local government site that is large, slow or misbehaving on purpose, for crawl-robustness tests.

Why: the demo site (tests/demo_site) shows the real platforms' shapes; these tests need other
things — hundreds of report pages (distributed crawls), pages slow enough to kill a crawl in the
middle (resume), HTTP validators honoured with 304s (incremental crawls), and every way a server can
fail (faults). Every request is recorded in `hits`, so a test proves what the crawler fetched.

Generated site (`/site/`): TRS-style listings `index.html`, `index_1.html` … with
`createPageHTML(pages, n, "index", "html")` and `per_page` report links each, report pages
`/site/r/NNNN.html`. `etag`/`last_modified` switch the validators (and 304 answers) on and off;
`change(n)` makes report n's content differ from then on.

Faulty site (`/faults/`): a listing linking to one page per fault:

| path | behaviour |
|---|---|
| `flaky.html` | 500 the first `flaky_failures` times, then the report |
| `timeout.html` | answers after `slow_seconds` (longer than the test's DOWNLOAD_TIMEOUT) |
| `reset.html` | TCP reset before any byte |
| `truncated.html` | Content-Length promises more than is sent, then the connection closes |
| `away.html` | 302 to the same server under another host name (`localhost`): offsite |
| `drip.html` | 10 MB dripped slowly, no Content-Length (size cap) |
| `gbk-labelled-utf8.html` | GBK bytes served as `charset=utf-8` (its meta tag says gbk) |
| `gbk-list.html` | (iframe of the listing) a GBK listing served as `charset=utf-8`, linking `gbk-report.html` |
| `/private/report.html` | allowed by nobody: robots.txt disallows `/private/` |
| `ok.html` | a plain report, fetched once and kept |

    .venv/bin/python -m tests.fault_server 600     # serve a 600-report site until Ctrl-C
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]

LAST_MODIFIED = "Mon, 15 Jan 2024 08:00:00 GMT"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
REGISTRY_HEADER = "id,name,province,city,district,adcode,level,listing_url,platform,confidence\n"
FAULT_PAGES = (
    "ok.html", "flaky.html", "timeout.html", "reset.html", "truncated.html", "away.html", "drip.html",
    "gbk-labelled-utf8.html",
)  # fmt: skip
DRIP_BYTES = 10 * 1024 * 1024


@dataclass
class SiteSpec:
    """What the server serves and how badly."""

    n_reports: int = 60
    per_page: int = 20
    etag: bool = True
    last_modified: bool = True
    report_delay: float = 0.0  # seconds before answering a report page (resume tests)
    flaky_failures: int = 2
    slow_seconds: float = 6.0
    drip_chunk: int = 64 * 1024
    drip_pause: float = 0.02
    versions: dict[int, int] = field(default_factory=dict)  # report number → content version
    layout_changed: bool = False  # listings keep their links but lose the report titles (a redesign)
    gate: threading.Event | None = None  # the first listing page waits for it (all workers up)
    ok_status: int = 200  # what `/faults/ok.html` answers (500: a page that broke after it was archived)


@dataclass(frozen=True, slots=True)
class Hit:
    method: str
    path: str
    host: str
    status: int
    conditional: bool  # the request carried If-None-Match or If-Modified-Since


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, spec: SiteSpec | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.spec = spec or SiteSpec()
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def handle_error(self, request, client_address) -> None:
        return  # clients killed or cut off on purpose: no tracebacks on stderr

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def offsite(self) -> str:
        return f"http://localhost:{self.port}"

    def report_path(self, n: int) -> str:
        return f"/site/r/{n:04d}.html"

    def report_urls(self) -> set[str]:
        return {self.base + self.report_path(n) for n in range(1, self.spec.n_reports + 1)}

    def change(self, n: int) -> None:
        """From now on report n has new content (a corrected report re-published at the same URL)."""
        with self.lock:
            self.spec.versions[n] = self.spec.versions.get(n, 0) + 1

    def hits_for(self, prefix: str, status: int | None = None) -> list[Hit]:
        with self.lock:
            return [
                h for h in self.hits if h.path.startswith(prefix) and (status is None or h.status == status)
            ]

    def reset_hits(self) -> None:
        with self.lock:
            self.hits.clear()

    def registry(self, path: Path, *, faults: bool = False, listing: str = "") -> Path:
        """A registry CSV with one site: the generated one, or the faulty one (or another listing path)."""
        listing = listing or ("/faults/index.html" if faults else "/site/index.html")
        site_id, name = ("fault_site", "故障测试区") if faults else ("gen_site", "生成测试区")
        path.write_text(
            REGISTRY_HEADER + f"{site_id},{name},测试省,测试市,{name},999901,district,"
            f"{self.base}{listing},trs,test\n",
            encoding="utf-8",
        )
        return path


def report_html(n: int, version: int = 0) -> bytes:
    title = f"第{n:04d}单位2020年政府信息公开工作年度报告"
    note = f"<p>更正版 {version}</p>" if version else ""
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
        f"<p>本报告由第{n:04d}单位编制。</p>{note}<table><tr><td>收到申请数</td><td>{n}</td></tr>"
        "</table></body></html>"
    ).encode()


def _listing_html(links: list[tuple[str, str]], pages: int = 0, current: int = 0) -> bytes:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    script = f'<script>createPageHTML({pages}, {current}, "index", "html");</script>' if pages else ""
    return f'<html><head><meta charset="utf-8"></head><body><ul>{items}</ul>{script}</body></html>'.encode()


class Handler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002
        return

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        try:
            if path == "/robots.txt":
                return self._send(200, ROBOTS, "text/plain")
            if path.startswith("/site/"):
                return self._site(path)
            if path.startswith("/faults/"):
                return self._fault(path.removeprefix("/faults/"))
            if path.startswith("/private/"):
                return self._send(200, report_html(9999), "text/html; charset=utf-8")
            return self._send(404, b"not found", "text/plain")
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (size cap, timeout)
            return None

    # -- the generated site --------------------------------------------------------------------
    def _site(self, path: str) -> None:
        spec = self.server.spec
        pages = max(1, -(-spec.n_reports // spec.per_page))
        name = path.removeprefix("/site/")
        if name in ("", "index.html") or (name.startswith("index_") and name.endswith(".html")):
            page = 0 if name in ("", "index.html") else int(name[6:-5])
            if page == 0 and spec.gate is not None:
                spec.gate.wait(30)
            if page >= pages:
                return self._send(404, b"not found", "text/html")
            first = page * spec.per_page + 1
            numbers = range(first, min(first + spec.per_page, spec.n_reports + 1))
            text = "查看详情" if spec.layout_changed else "第{n:04d}单位2020年政府信息公开工作年度报告"
            links = [(f"r/{n:04d}.html", text.format(n=n)) for n in numbers]
            return self._send(200, _listing_html(links, pages, page), "text/html; charset=utf-8")
        if name.startswith("r/") and name.endswith(".html"):
            n = int(name[2:-5])
            if not 1 <= n <= spec.n_reports:
                return self._send(404, b"not found", "text/html")
            if spec.report_delay:
                time.sleep(spec.report_delay)
            version = spec.versions.get(n, 0)
            return self._validated(report_html(n, version), f'"r{n}-v{version}"', version)
        return self._send(404, b"not found", "text/html")

    def _validated(self, body: bytes, etag: str, version: int) -> None:
        """200 with validators, or 304 when the client's validators still match."""
        spec = self.server.spec
        last_modified = formatdate(parsedate_to_datetime(LAST_MODIFIED).timestamp() + version * 86400,
                                   usegmt=True)  # fmt: skip
        headers = {}
        if spec.etag:
            headers["ETag"] = etag
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", "", headers)
        if spec.last_modified:
            headers["Last-Modified"] = last_modified
            since = self.headers.get("If-Modified-Since")
            if since and not self.headers.get("If-None-Match"):
                with suppress(TypeError, ValueError):
                    if parsedate_to_datetime(since) >= parsedate_to_datetime(last_modified):
                        return self._send(304, b"", "", headers)
        return self._send(200, body, "text/html; charset=utf-8", headers)

    # -- the faulty site -----------------------------------------------------------------------
    def _fault(self, name: str) -> None:
        spec = self.server.spec
        if name in ("", "index.html"):
            if "only=ok" in self.path:
                return self._send(200, _listing_html([("ok.html", "故障0区2021年政府信息公开工作年度报告")]),
                                  "text/html; charset=utf-8")  # fmt: skip
            links = [(p, f"故障{i}区2021年政府信息公开工作年度报告") for i, p in enumerate(FAULT_PAGES)]
            links.append(("/private/report.html", "保密区2021年政府信息公开工作年度报告"))
            frame = b'<iframe src="gbk-list.html"></iframe></body>'
            body = _listing_html(links).replace(b"</body>", frame)
            return self._send(200, body, "text/html; charset=utf-8")
        if name == "gbk-list.html":  # a GBK listing whose header says utf-8 (its meta tag says gbk)
            html = _listing_html([("gbk-report.html", "编码区2021年政府信息公开工作年度报告")])
            body = html.replace(b'charset="utf-8"', b'charset="gbk"').decode().encode("gbk")
            return self._send(200, body, "text/html; charset=utf-8")
        if name == "gbk-report.html":
            return self._send(200, report_html(6).decode().encode("gbk"), "text/html; charset=gbk")
        with self.server.lock:
            self.server.counts[name] += 1
            count = self.server.counts[name]
        if name == "ok.html":
            if spec.ok_status != 200:
                return self._send(spec.ok_status, b"<html><body>server error</body></html>", "text/html")
            return self._send(200, report_html(1), "text/html; charset=utf-8")
        if name == "flaky.html":
            if count <= spec.flaky_failures:
                return self._send(500, b"<html><body>500 Internal Server Error</body></html>", "text/html")
            return self._send(200, report_html(2), "text/html; charset=utf-8")
        if name == "timeout.html":
            self._record(0)  # recorded on arrival: the answer comes after the client gave up
            time.sleep(spec.slow_seconds)
            return self._send(200, report_html(3), "text/html; charset=utf-8", record=False)
        if name == "reset.html":
            return self._reset()
        if name == "truncated.html":
            return self._send(200, report_html(4)[:60], "text/html; charset=utf-8", length=50_000)
        if name == "away.html":
            target = f"{self.server.offsite}/faults/ok.html?from=away"
            return self._send(302, b"", "text/html", {"Location": target})
        if name == "drip.html":
            return self._drip()
        if name == "gbk-labelled-utf8.html":
            body = report_html(5).replace(b'charset="utf-8"', b'charset="gbk"').decode().encode("gbk")
            return self._send(200, body, "text/html; charset=utf-8")
        return self._send(404, b"not found", "text/html")

    def _reset(self) -> None:
        self._record(0)
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _drip(self) -> None:
        spec = self.server.spec
        self._record(200)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"<p>" + b"x" * (spec.drip_chunk - 7) + b"</p>\n"
        sent = 0
        while sent < DRIP_BYTES:
            self.wfile.write(chunk)
            self.wfile.flush()
            sent += len(chunk)
            time.sleep(spec.drip_pause)
        self.close_connection = True

    # -- plumbing ------------------------------------------------------------------------------
    def _record(self, status: int) -> None:
        conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
        with self.server.lock:
            self.server.hits.append(
                Hit(self.command, self.path, self.headers.get("Host", ""), status, conditional)
            )

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None,
              length: int | None = None, record: bool = True) -> None:  # fmt: skip
        if record:
            self._record(status)
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if status != 304:
            self.send_header("Content-Length", str(len(body) if length is None else length))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if length is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if body:
            self.wfile.write(body)


def crawl_cmd(registry: Path, archive: Path, *extra: str, out: Path | None = None) -> list[str]:
    """`ogi crawl` of every site of `registry`, fast settings, archive only (no extraction)."""
    out = out or archive.parent / "output"
    return [sys.executable, "-m", "ogi", "crawl", "--all", "--registry", str(registry), "--fast", "--no-extract",
            "--archive", str(archive), "--out", str(out), "--progress", "none", *extra]  # fmt: skip


def run_crawl(cmd: list[str], timeout: float = 90) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def response_records(archive: Path, *, status: int | None = None) -> Counter[str]:
    """How many complete `response` records (payload matches OGI-Sha256) each URL has; revisits excluded.

    Reads record by record and stops at a truncated tail (a crawl killed mid-write) instead of failing.
    """
    counts: Counter[str] = Counter()
    for path in sorted((archive / "warc").glob("*.warc*")):
        # a truncated gzip member / record at the end of a killed crawl's file ends that file
        with path.open("rb") as fh, suppress(Exception):
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    body = record.content_stream().read()
                    if status is not None and int(record.http_headers.get_statuscode() or 0) != status:
                        continue
                    if hashlib.sha256(body).hexdigest() == record.rec_headers.get_header("OGI-Sha256"):
                        counts[record.rec_headers.get_header("WARC-Target-URI")] += 1
    return counts


def run_summary(archive: Path) -> dict:
    return json.loads((archive / "run-summary.json").read_text(encoding="utf-8"))


@contextmanager
def serve(spec: SiteSpec | None = None):
    """Run a FaultServer in a background thread for the duration of a `with` block."""
    server = FaultServer(spec)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    import sys

    with serve(SiteSpec(n_reports=int(sys.argv[1]) if len(sys.argv) > 1 else 60)) as srv:
        print(f"generated site at {srv.base}/site/index.html, faults at {srv.base}/faults/index.html")
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
