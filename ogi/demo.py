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


def say(text: str = "") -> None:
    """The demo's whole point is to show its results on the terminal."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ogi.demo", description=__doc__)
    parser.add_argument("--out", default="output", help="dataset directory (default: output)")
    parser.add_argument("--archive", default="archive", help="archive directory (default: archive)")
    parser.add_argument(
        "--base", default="", help="crawl demo sites already served there instead of serving them"
    )
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.demo_site.server import serve

    if args.base:
        code = _crawl(args.base, args)
    else:
        with serve() as server:
            code = _crawl(server.base, args)
    _show_reports(Path(args.out))
    return code or _quality_report(args)


def _quality_report(args: argparse.Namespace) -> int:
    """Finish like a researcher would: the quality report over what the crawl produced."""
    from ogi.cli import main as ogi_main

    return ogi_main(["report", "--out", args.out, "--archive", args.archive])


def _crawl(base: str, args: argparse.Namespace) -> int:
    from ogi.cli import main as ogi_main
    from tests.demo_site.server import registry_path

    say(f"demo sites served at {base} (registry {registry_path().relative_to(ROOT)})")
    return ogi_main([
        "crawl", "--all", "--registry", str(registry_path()), "--base", base, "--fast",
        "--archive", args.archive, "--out", args.out, "--progress", "plain",
    ])  # fmt: skip


def _show_reports(out: Path) -> None:
    reports = out / "reports.csv"
    if not reports.is_file():
        say(f"(no {reports}: the dataset writer did not run)")
        return
    with reports.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    say(f"\n{len(rows)} documents extracted into {out.resolve()}:")
    for r in sorted(rows, key=_order):
        say(f"  {r.get('year') or '----':>4}  {r.get('district') or '?':<6} {r.get('template') or '-':<8} "
            f"{r.get('status') or '':<10} {r.get('n_values') or 0:>4} values  {r.get('source')}")  # fmt: skip
    for name in ("reports.csv", "values.csv", "panel.csv", "findings.csv", "codebook.csv", "datapackage.json"):
        if (out / name).is_file():
            say(f"  → {out / name}")


def _order(row: dict) -> tuple[str, str, str]:
    return row.get("district") or "", row.get("year") or "", row.get("source") or ""


if __name__ == "__main__":
    sys.exit(main())
