"""A local government portal serving the generated corpus on 127.0.0.1, for the crawl benchmark.

It looks like a TRS WCM column (the most common platform): `/zwgk/zfxxgknb/index.html` with
`index_1.html` … pages of 20 links and an inline `createPageHTML(N, 0, "index", "html")` call,
report pages at `./YYYYMM/t<date>_<id>.html` served with their real charset, and a robots.txt
that allows everything. Run in its own process (`python -m benchmarks.site CORPUS_DIR --pages N`):
it prints its port on the first line of stdout and stops by itself after `--max-seconds`.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LISTING = "/zwgk/zfxxgknb/"
PER_PAGE = 20
TITLE = re.compile(rb"<title>(.*?)_", re.DOTALL)
CHARSET = re.compile(rb'<meta charset="([\w-]+)"')


class Corpus:
    """The first `n` pages of a corpus directory, addressed by TRS-style URLs."""

    def __init__(self, root: Path, n: int) -> None:
        files = sorted(root.glob("c*/p*.html"))[:n]
        if len(files) < n:
            raise SystemExit(f"corpus at {root} has {len(files)} pages, {n} wanted")
        self.files = files
        self.urls: dict[str, int] = {}
        self.titles: list[str] = []
        self.charsets: list[str] = []
        for i, path in enumerate(files):
            head = path.read_bytes()[:4096]
            charset = CHARSET.search(head)
            self.charsets.append(charset.group(1).decode() if charset else "utf-8")
            title = TITLE.search(head)
            self.titles.append(title.group(1).decode(self.charsets[-1], "replace") if title else path.stem)
            self.urls[self.url(i)] = i

    def url(self, i: int) -> str:
        year = 2015 + i % 10
        return f"{LISTING}{year}{1 + i % 3:02d}/t{year}{1 + i % 3:02d}{1 + i % 28:02d}_{80000 + i}.html"

    def listing(self, page: int) -> bytes:
        count = -(-len(self.files) // PER_PAGE)
        items = "".join(
            f'<li><a href=".{self.url(i)[len(LISTING) - 1 :]}" target="_blank" title="{escape(self.titles[i])}">'
            f"{escape(self.titles[i])}</a><span>2020-01-{1 + i % 28:02d}</span></li>\n"
            for i in range(page * PER_PAGE, min(len(self.files), (page + 1) * PER_PAGE))
        )
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            f'<div class="nav"><a href="/">首页</a> &gt; <a href="{LISTING}">政府信息公开年报</a></div>'
            f'<ul class="list">\n{items}</ul><div class="page"><script>createPageHTML({count}, {page}, "index", '
            f'"html");</script></div></body></html>'
        ).encode()


def handler_for(corpus: Corpus) -> type[BaseHTTPRequestHandler]:
    listing_page = re.compile(re.escape(LISTING) + r"(?:index(?:_(\d+))?\.html)?$")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real portals and scrapy bench's server do

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/robots.txt":
                return self._send(b"User-agent: *\nAllow: /\n", "text/plain")
            m = listing_page.match(path)
            if m:
                return self._send(corpus.listing(int(m.group(1) or 0)), "text/html; charset=utf-8")
            i = corpus.urls.get(path)
            if i is None:
                return self._send(b"<html><body>404 Not Found</body></html>", "text/html", 404)
            return self._send(corpus.files[i].read_bytes(), f"text/html; charset={corpus.charsets[i]}")

        def _send(self, body: bytes, ctype: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence access log
            return

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path, help="corpus directory written by benchmarks.corpus")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=900, help="stop by itself after this long")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(Corpus(args.root, args.pages)))
    server.daemon_threads = True
    timer = threading.Timer(args.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    print(server.server_address[1], flush=True)
    server.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
