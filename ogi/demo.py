"""`make demo` (`python -m ogi.demo`): crawl the bundled offline demo sites end to end.

Serves tests/fixtures/demo_site on 127.0.0.1 (an ephemeral port; the demo registry's `{base}`
placeholder points at it), runs `ogi crawl --all` over it into archive/ and output/, then prints
what was found and where. No network beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ogi.demo", description=__doc__)
    parser.add_argument("--out", default="output", help="dataset directory (default: output)")
    parser.add_argument("--archive", default="archive", help="archive directory (default: archive)")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from ogi.cli import main as ogi_main
    from tests.demo_site.server import registry_path, serve

    with serve() as server:
        code = ogi_main([
            "crawl", "--all", "--registry", str(registry_path()), "--base", server.base, "--fast",
            "--archive", args.archive, "--out", args.out, "--progress", "plain",
        ])  # fmt: skip
    _print_reports(Path(args.out))
    return code


def _print_reports(out: Path) -> None:
    reports = out / "reports.csv"
    if not reports.is_file():
        return
    with reports.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for _r in sorted(
        rows, key=lambda r: (r.get("district") or "", r.get("year") or "", r.get("source") or "")
    ):
        pass  # fmt: skip
    for name in ("values.csv", "panel.csv", "findings.csv"):
        if (out / name).is_file():
            pass


if __name__ == "__main__":
    sys.exit(main())
