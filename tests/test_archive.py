"""The raw archive: standard WARC records any warcio reader can replay, indexed in a SQLite catalog."""

from __future__ import annotations

import gzip
import hashlib
import json

from warcio.archiveiterator import ArchiveIterator

from crawler.archive import Archive, Catalog, Page, read_pages, warc_files

GBK_PAGE = (
    "<html><head><meta charset='gb2312'></head><body>崇川区2016年政府信息公开工作年度报告</body></html>"
)


def _page(url="http://127.0.0.1/a.html", body=None, kind="report"):
    body = GBK_PAGE.encode("gbk") if body is None else body
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip", "ETag": '"abc"',
               "Last-Modified": "Mon, 15 Jan 2024 08:00:00 GMT"}  # fmt: skip
    return Page(url=url, body=body, headers=headers, site_id="demo", kind=kind,
                referrer="http://127.0.0.1/list.html")  # fmt: skip


def test_pages_replay_byte_exact_with_our_metadata(tmp_path):
    archive = Archive(tmp_path)
    written = archive.add(_page())
    pdf = archive.add(_page("http://127.0.0.1/r.pdf", b"%PDF-1.4 fake", kind="attachment"))
    archive.close()
    pages = list(read_pages([tmp_path]))
    assert [p.url for p in pages] == ["http://127.0.0.1/a.html", "http://127.0.0.1/r.pdf"]
    first = pages[0]
    assert first.body == GBK_PAGE.encode("gbk")  # bytes as fetched, never re-encoded
    assert (first.site_id, first.kind, first.referrer) == ("demo", "report", "http://127.0.0.1/list.html")
    assert "Content-Encoding" not in first.headers  # the stored body is decoded: no false gzip claim
    assert first.headers["Content-Type"] == "text/html"
    assert first.archive_record == written.archive_record
    assert pages[1].kind == "attachment"
    assert pages[1].archive_record == pdf.archive_record
    assert next(iter(read_pages([tmp_path], kinds=["attachment"]))).url.endswith(".pdf")


def test_warc_records_are_standard(tmp_path):
    archive = Archive(tmp_path)
    archive.add(_page())
    archive.close()
    (path,) = warc_files([tmp_path])
    records = []
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh):
            records.append((rec.rec_type, rec.rec_headers, rec.content_stream().read()))
    assert [r[0] for r in records] == ["warcinfo", "response", "request", "metadata"]
    _, response, body = records[1]
    sha = hashlib.sha256(body).hexdigest()
    assert response.get_header("WARC-Target-URI") == "http://127.0.0.1/a.html"
    assert response.get_header("OGI-Sha256") == sha
    assert response.get_header("OGI-Site-Id") == "demo"
    assert records[2][1].get_header("WARC-Concurrent-To") == response.get_header("WARC-Record-ID")
    meta = json.loads(records[3][2])
    assert meta["sha256"] == sha
    assert meta["referrer"] == "http://127.0.0.1/list.html"
    with gzip.open(path) as fh:
        assert fh.read().startswith(b"WARC/1.")


def test_unchanged_page_is_a_revisit_and_a_changed_page_a_new_version(tmp_path):
    archive = Archive(tmp_path)
    archive.add(_page())
    again = archive.add(_page())
    changed = archive.add(_page(body=b"<html>v2</html>"))
    archive.close()
    assert again.revisit
    assert not changed.revisit
    assert [p.body for p in read_pages([tmp_path])] == [GBK_PAGE.encode("gbk"), b"<html>v2</html>"]
    catalog = Catalog(tmp_path / "catalog.sqlite")
    rows = catalog.rows(url="http://127.0.0.1/a.html")
    assert len(rows) == 2
    first = catalog.get("http://127.0.0.1/a.html", hashlib.sha256(GBK_PAGE.encode("gbk")).hexdigest())
    assert first["fetch_count"] == 2
    assert first["etag"] == '"abc"'
    assert first["last_modified"].startswith("Mon")
    assert catalog.latest("http://127.0.0.1/a.html")["sha256"] in {r["sha256"] for r in rows}


def test_catalog_records_extraction_status_and_finds_by_hash(tmp_path):
    archive = Archive(tmp_path)
    page = archive.add(_page())
    archive.catalog.set_extraction(page.url, page.sha256, "ok", "table read", page.sha256[:16])
    archive.close()
    catalog = Catalog(tmp_path / "catalog.sqlite")
    (row,) = catalog.by_sha256(page.sha256)
    assert (row["extraction_status"], row["report_id"], row["kind"]) == ("ok", page.sha256[:16], "report")
    assert row["warc_file"]
    assert row["warc_offset"] > 0
    assert row["first_seen"] == row["last_seen"]


def test_warc_files_rotate_by_size(tmp_path):
    archive = Archive(tmp_path, max_bytes=100)
    for n in range(3):
        archive.add(_page(f"http://127.0.0.1/{n}.html", body=f"<html>{n}</html>".encode()))
    archive.close()
    assert len(warc_files([tmp_path])) == 3
    assert [p.url for p in read_pages(warc_files([tmp_path]))] == [
        f"http://127.0.0.1/{n}.html" for n in range(3)
    ]


def test_each_record_is_its_own_gzip_member_at_the_chosen_level(tmp_path):
    """Readers seek to `warc_offset` and gunzip from there: every record must start a member."""
    body = ("<html><body>" + "政府信息公开 2019 年度报告 " * 2000 + "</body></html>").encode()
    sizes = {}
    for level in (1, 9):
        archive = Archive(tmp_path / str(level), gzip_level=level)
        pages = [archive.add(_page(f"http://127.0.0.1/{i}.html", body + bytes([i]))) for i in range(3)]
        archive.close()
        (path,) = warc_files([tmp_path / str(level)])
        data = path.read_bytes()
        sizes[level] = len(data)
        for page in pages:
            assert data[page.warc_offset : page.warc_offset + 2] == b"\x1f\x8b"
            with path.open("rb") as fh:
                fh.seek(page.warc_offset)
                record = next(iter(ArchiveIterator(fh)))
                assert record.rec_type == "response"
                assert record.content_stream().read() == page.body
        assert gzip.decompress(data).count(b"WARC/1.") == 1 + 3 * 3  # warcinfo + 3 records per page
    assert sizes[9] < sizes[1]
