"""`ogi report [--out DIR]`: the researcher-facing package for an existing output/ folder.

Writes codebook.csv, datapackage.json and report/index.html (+ PNG figures) from the tables the
dataset writer left in DIR, so the package can be refreshed without re-extracting anything.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write codebook.csv, datapackage.json and the quality report (report/index.html)",
        description="Write the codebook, the Frictionless data package and the HTML quality report "
        "for the dataset in --out.",
    )
    parser.add_argument("--out", type=Path, default=Path("output"), help="dataset folder (default: output)")
    parser.add_argument(
        "--archive",
        type=Path,
        default=None,
        help="raw archive folder, for links to archived copies (default: archive/ next to --out)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from writers.datapackage import write_package
    from writers.quality_report import write_quality_report

    out: Path = args.out
    if not (out / "reports.csv").is_file():
        print(
            f"ogi report: {out / 'reports.csv'} not found; run `ogi extract` or `make demo` first",
            file=sys.stderr,
        )
        return 2
    package = write_package(out)
    page = write_quality_report(out, archive_dir=args.archive)
    print(f"{out / 'codebook.csv'}\n{package}\n{page}")
    return 0
