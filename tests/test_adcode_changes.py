"""Mergers recorded in extractors/data/adcode_changes.csv give the old code in force and today's code.

莱芜市 was abolished in January 2019 (国函〔2019〕4号): its two districts moved to 济南市, 莱城区 as
莱芜区 (370116) and 钢城区 under a new code (370117). A report of 2017 keeps the code it had then.
"""

from __future__ import annotations

import pytest

from extractors import extract


def _page(title: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>".encode()


@pytest.mark.parametrize(
    ("title", "city", "adcode", "current"),
    [
        ("莱芜市莱城区2017年政府信息公开工作年度报告", "莱芜市", "371202", "370116"),
        ("济南市莱芜区2020年政府信息公开工作年度报告", "济南市", "370116", "370116"),
        ("莱芜市钢城区2016年政府信息公开工作年度报告", "莱芜市", "371203", "370117"),
        ("济南市钢城区2021年政府信息公开工作年度报告", "济南市", "370117", "370117"),
    ],
)
def test_laiwu_merger(title: str, city: str, adcode: str, current: str) -> None:
    meta = extract(_page(title), filename="report.html").meta
    assert (meta.city, meta.adcode, meta.adcode_current) == (city, adcode, current)
    if adcode != current:
        assert "adcode_changes.csv" in meta.evidence["adcode"]
