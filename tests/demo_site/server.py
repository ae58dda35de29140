"""A tiny HTTP server for the offline demo sites, on 127.0.0.1 and an ephemeral port.

Static files come from tests/fixtures/demo_site/www; the dynamic endpoints answer the way the real
platforms do (from www/_dynamic.json): Hanweb `dataproxy.jsp` (POST, startrecord/endrecord, form
body with columnid), the Hanweb xxgk `xxgkAnnualReport.jsp?area=&fbtime=`, TrueCMS `getMessage.do`
(JSONP, 404 without the column page as Referer), Hanweb JPaaS `front/page/build/unit` (paging only
inside `paramJson`), gkmlpt `/gkmlpt/api/all/<column>?page=&sid=`,
plus a 301 redirect, a 404, a WAF 403, a cloud-WAF cookie challenge (302 to the same address with
Set-Cookie, on the TrueCMS site), a login wall and a GBK site whose HTTP header names no charset. Every
request is recorded in `hits` so tests can prove what the crawler did and did not fetch.

    .venv/bin/python -m tests.demo_site.server      # serve until Ctrl-C, print the address
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "demo_site"
WWW = ROOT / "www"
TYPES = {".html": "text/html", ".shtml": "text/html", ".pdf": "application/pdf", ".txt": "text/plain",
         ".json": "application/json", "": "text/html"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Hit:
    method: str
    path: str  # path + query
    host: str
    referer: str
    user_agent: str
    status: int


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, www: Path = WWW) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.www = www
        self.dynamic = json.loads((www / "_dynamic.json").read_text(encoding="utf-8"))
        self.hits: list[Hit] = []
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def offsite(self) -> str:
        """The same server under another host name: links there must never be followed."""
        return f"http://localhost:{self.server_address[1]}"

    def paths(self, method: str | None = None) -> list[str]:
        with self.lock:
            return [h.path for h in self.hits if method is None or h.method == method]


class Handler(BaseHTTPRequestHandler):
    server: DemoServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 - silence the default stderr log
        return

    # -- routing -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path, query = url.path, parse_qs(url.query)
        dyn = self.server.dynamic
        if path in dyn.get("redirects", {}):
            return self._send(301, b"", "text/html", {"Location": dyn["redirects"][path]})
        if path in dyn.get("missing", []):
            return self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")
        for prefix, cookie in dyn.get("cookie_waf", []):
            if path.startswith(prefix) and cookie not in self.headers.get("Cookie", ""):
                # a cloud WAF's cookie challenge: 302 to the same address, setting the cookie it wants back
                return self._send(
                    302, b"", "text/html", {"Location": self.path, "Set-Cookie": f"{cookie}; Path=/"}
                )
        if path.startswith(dyn.get("waf_prefix", "/waf/")):
            return self._send(403, (self.server.www / "_waf.html").read_bytes(), "text/html; charset=utf-8")
        if path.endswith("/download.jsp"):
            target = dyn.get("downloads", {}).get(query.get("id", [""])[0])
            if target is None:
                return self._send(404, b"no such file", "text/plain")
            body = (self.server.www / target.lstrip("/")).read_bytes()
            disposition = {"Content-Disposition": "attachment; filename=report.doc"}
            return self._send(200, body, "application/msword", disposition)
        if path.endswith("/xxgkAnnualReport.jsp"):
            return self._xxgk(query)
        if path.endswith("/messageController/getMessage.do"):
            return self._truecms(query)
        if path.endswith("/jpaas-publish-server/front/page/build/unit"):
            return self._jpaas(query)
        if path.startswith("/gkmlpt/api/all/"):
            return self._gkmlpt(path, query)
        return self._static(path)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        if url.path.endswith("/jpage/dataproxy.jsp"):
            return self._dataproxy(parse_qs(url.query), form)
        return self._send(405, b"method not allowed", "text/plain")

    # -- endpoints ---------------------------------------------------------------------------
    def _static(self, path: str) -> None:
        target = (self.server.www / path.lstrip("/")).resolve()
        if self.server.www.resolve() not in target.parents and target != self.server.www.resolve():
            return self._send(404, b"not found", "text/plain")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file() or target.name.startswith("_"):
            return self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")
        body = target.read_bytes().replace(b"{offsite}", self.server.offsite.encode())
        ctype = TYPES.get(target.suffix, "application/octet-stream")
        if ctype.startswith("text/") and not path.startswith(self.server.dynamic.get("gbk_prefix", "/gbk/")):
            ctype += "; charset=utf-8"
        return self._send(200, body, ctype, {"Last-Modified": "Mon, 15 Jan 2024 08:00:00 GMT",
                                             "ETag": f'"{len(body):x}-{target.stat().st_mtime_ns % 99991:x}"'})  # fmt: skip

    def _dataproxy(self, query: dict, form: dict) -> None:
        spec = self.server.dynamic["hanweb"]
        if form.get("columnid", [""])[0] != spec["columnid"]:
            return self._send(
                200, b"<datastore><recordset></recordset></datastore>", "text/xml; charset=utf-8"
            )
        start = int(query.get("startrecord", ["1"])[0])
        end = int(query.get("endrecord", [str(start + 44)])[0])
        records = spec["records"][start - 1 : end]
        xml = (f"<datastore><totalrecord>{len(spec['records'])}</totalrecord><recordset>\n"
               + "".join(f"<record><![CDATA[{r}]]></record>\n" for r in records) + "</recordset></datastore>")  # fmt: skip
        return self._send(200, xml.encode(), "text/xml; charset=utf-8")

    def _xxgk(self, query: dict) -> None:
        spec = self.server.dynamic["xxgk"]
        if query.get("area", [""])[0] != spec["area"]:
            return self._send(
                200, (self.server.www / spec["empty"].lstrip("/")).read_bytes(), "text/html; charset=utf-8"
            )
        page = spec["pages"].get(query.get("fbtime", [""])[0], spec["empty"])
        return self._send(200, (self.server.www / page.lstrip("/")).read_bytes(), "text/html; charset=utf-8")

    def _truecms(self, query: dict) -> None:
        spec = self.server.dynamic["truecms"]
        if spec["referer"] not in (self.headers.get("Referer") or ""):
            return self._send(404, b"404", "text/html")
        if query.get("columnId", [""])[0] != spec["columnId"]:
            payload = {"result": "", "totalRecord": 0}
        else:
            start = int(query.get("startrecord", ["1"])[0])
            end = int(query.get("endrecord", [str(start + 19)])[0])
            items = spec["items"][start - 1 : end]
            html = "<ul>" + "".join(f'<li><a href="{i["url"]}" title="{i["title"]}">{i["title"]}</a></li>'
                                    for i in items) + "</ul>"  # fmt: skip
            payload = {"result": html, "totalRecord": len(spec["items"])}
        callback = query.get("callback", ["callback"])[0]
        body = f"{callback}({json.dumps(payload, ensure_ascii=False)});".encode()
        return self._send(200, body, "application/javascript; charset=utf-8")

    def _jpaas(self, query: dict) -> None:
        spec = self.server.dynamic["jpaas"]
        try:
            paging = json.loads(
                query.get("paramJson", ["{}"])[0]
            )  # paging only inside paramJson, as on real sites
        except ValueError:
            paging = {}
        page, size = int(paging.get("pageNo", 1)), int(paging.get("pageSize", 10))
        if query.get("pageId", [""])[0] != spec["pageId"] or query.get("parseType", [""])[0] != "bulidstatic":
            payload = {"success": False, "data": {"html": ""}}
        else:
            html = "<ul>" + "".join(spec["items"][(page - 1) * size : page * size]) + "</ul>"
            payload = {"success": True, "data": {"html": html}}
        return self._send(
            200, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8"
        )

    def _gkmlpt(self, path: str, query: dict) -> None:
        spec = self.server.dynamic["gkmlpt"]
        column = path.rstrip("/").rsplit("/", 1)[-1]
        if column != spec["column"] or query.get("sid", [""])[0] != spec["sid"]:
            payload = {"articles": [], "classify": {"post_count": 0}}
        else:
            page, per = int(query.get("page", ["1"])[0]), spec["per_page"]
            payload = {"articles": spec["articles"][(page - 1) * per:page * per],
                       "classify": {"id": int(column), "name": "政府信息公开年报", "post_count": len(spec["articles"])}}  # fmt: skip
        return self._send(
            200, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8"
        )

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        with self.server.lock:
            self.server.hits.append(Hit(self.command, self.path, self.headers.get("Host", ""),
                                        self.headers.get("Referer", ""), self.headers.get("User-Agent", ""), status))  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(www: Path = WWW):
    """Run the demo server in a background thread for the duration of a `with` block."""
    server = DemoServer(www)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def registry_path() -> Path:
    return ROOT / "sites.csv"


def expected() -> list[dict]:
    return json.loads((ROOT / "expected.json").read_text(encoding="utf-8"))


if __name__ == "__main__":
    with serve() as srv:
        print(f"demo sites at {srv.base} (registry: {registry_path()}); Ctrl-C to stop")
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
