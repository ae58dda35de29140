"""`ogi sites`: list the publishers in the site registry (crawler/sites.csv), filtered if asked.

The registry is the researcher's handle on the crawl; this shows what is in it and how far each
address can be trusted (the `confidence` column), without opening the CSV.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys

from crawler.registry import COLUMNS, load_sites

BRIEF = ("id", "name", "province", "level", "platform", "confidence")


def register(subparsers) -> None:
    p = subparsers.add_parser("sites", help="list the site registry", description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--registry", default="", help="registry CSV (default: crawler/sites.csv)")
    p.add_argument("--province", default="", help="only sites of this province (prefix, e.g. 江苏)")
    p.add_argument(
        "--platform", default="", help="only sites of this platform (trs, hanweb, truecms, gkmlpt ...)"
    )
    p.add_argument(
        "--level", default="", help="only this level (district, county, city, province, department)"
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    sites = load_sites(args.registry or None)
    sites = [
        s for s in sites
        if (not args.province or s.province.startswith(args.province))
        and (not args.platform or s.platform == args.platform)
        and (not args.level or s.level == args.level)
    ]  # fmt: skip
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(s.to_row() for s in sites)
    elif args.format == "json":
        for s in sites:
            print(json.dumps(s.to_row(), ensure_ascii=False))
    else:
        _table(sites)
    return 0


def _table(sites) -> None:
    rows = [[getattr(s, c) for c in BRIEF] for s in sites]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*BRIEF, title=f"{len(sites)} sites")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        return
    print("\t".join(BRIEF))
    for row in rows:
        print("\t".join(row))
    print(f"# {len(sites)} sites", file=sys.stderr)
