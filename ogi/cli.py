"""`ogi` command: one sub-command per module in ogi/commands, each exposing `register(subparsers)`.

The only place (with ogi/commands) allowed to print and to configure logging.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

#: Sub-command modules, in the order `ogi --help` lists them.
COMMANDS = ("extract", "crawl", "sites", "report")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ogi",
        description="Turn Chinese government information-disclosure annual reports into a panel dataset.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"ogi.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"ogi.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # pdfminer warns on every damaged PDF; the report's findings say it once
        logging.getLogger("pdfminer").setLevel(logging.ERROR)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
