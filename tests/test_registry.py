"""The site registry: seeded from ../shared/reference/sites.csv, readable, selectable, extensible by data."""

from __future__ import annotations

import csv
import re
import subprocess
import sys

import pytest

from crawler.registry import (
    COLUMNS,
    DEFAULT_REGISTRY,
    RegistryError,
    adhoc_site,
    load_sites,
    select,
    write_registry,
)


def test_registry_keeps_every_seed_row_with_its_evidence(shared_dir):
    with (shared_dir / "reference" / "sites.csv").open(encoding="utf-8") as fh:
        seed = {row["id"]: row for row in csv.DictReader(fh)}
    sites = {s.id: s for s in load_sites()}
    assert set(sites) == set(seed)
    for sid, row in seed.items():
        site = sites[sid]
        assert (site.listing_url, site.adcode, site.platform) == (
            row["listing_url"],
            row["adcode"],
            row["platform"],
        )
        assert site.evidence == row["evidence"]
        assert site.confidence == row["confidence"]


def test_registry_rows_are_usable():
    sites = load_sites()
    assert len({s.id for s in sites}) == len(sites)
    for site in sites:
        assert re.fullmatch(r"\d{6}", site.adcode), site.id
        assert all(u.startswith(("http://", "https://")) for u in site.start_urls), site.id
        if site.start_urls:
            assert site.domains, site.id


def test_select_by_id_province_and_all():
    sites = load_sites()
    assert [s.id for s in select(sites, ids=["nantong_chongchuan"])] == ["nantong_chongchuan"]
    jiangsu = select(sites, province="江苏")
    assert jiangsu
    assert all(s.province == "江苏省" for s in jiangsu)
    assert select(sites, everything=True) == sites
    assert select(sites) == []
    with pytest.raises(KeyError, match="no_such_site"):
        select(sites, ids=["no_such_site"])


def test_a_district_is_added_by_editing_data_only(tmp_path):
    row = dict.fromkeys(COLUMNS, "")
    row.update(id="demo_new_county", name="某县人民政府", province="江西省", adcode="360829",
               listing_url="{base}/col/col1/index.html", platform="hanweb", years="2019-2021",
               params="sid=1;column=2")  # fmt: skip
    path = tmp_path / "sites.csv"
    write_registry([row], path)
    (site,) = load_sites(path, base="http://127.0.0.1:8000/")
    assert site.start_urls == ["http://127.0.0.1:8000/col/col1/index.html"]
    assert site.domains == ["127.0.0.1"]
    assert site.year_range == (2019, 2021)
    assert site.param_dict == {"sid": "1", "column": "2"}


def test_malformed_registry_is_refused(tmp_path):
    row = dict.fromkeys(COLUMNS, "")
    row.update(id="dup")
    path = tmp_path / "sites.csv"
    write_registry([row, row], path)
    with pytest.raises(RegistryError, match="twice"):
        load_sites(path)
    row.update(id="Bad Id")
    write_registry([row], path)
    with pytest.raises(RegistryError, match="snake_case"):
        load_sites(path)


def test_adhoc_site_from_a_listing_url():
    site = adhoc_site("https://www.example.gov.cn/zwgk/zfxxgknb/", "trs")
    assert site.id == "url_www_example_gov_cn"
    assert site.domains == ["www.example.gov.cn"]
    assert site.platform == "trs"


def test_ogi_sites_lists_the_registry():
    out = subprocess.run([sys.executable, "-m", "ogi", "sites", "--province", "广东", "--format", "csv"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    rows = list(csv.DictReader(out.splitlines()))
    expected = [s.id for s in load_sites(DEFAULT_REGISTRY) if s.province == "广东省"]
    assert [r["id"] for r in rows] == expected
    assert len(expected) > 5
    assert rows[0]["confidence"]
