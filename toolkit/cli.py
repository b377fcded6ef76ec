"""The ``urban-toolkit`` command.

Subcommands
-----------
``inspect FILES...``
    Load files (any supported export, folders, globs) and print what was found: sensors,
    period, variables, and the ledger of every file (rows kept and dropped, with reasons).
``variables``
    Print the canonical variables table: names, units, averaging rules, plausible ranges.
``sources``
    List the formats that are recognised automatically.
``datasets``
    List the bundled teaching data (a synthetic city) with paths and sizes.

Exit codes: 0 on success; 1 when a file could not be read (the message says why); 2 for
a wrong command line.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="urban-toolkit",
        description="Load, check and question the data of community sensors.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    inspect = commands.add_parser(
        "inspect", help="load files and print sensors, period, variables and the ledger"
    )
    inspect.add_argument("files", nargs="+", help="files, folders or glob patterns")
    inspect.add_argument(
        "--source", default="auto", help="format of every file (default: recognise each file)"
    )
    inspect.add_argument(
        "--timezone", default=None, help="IANA zone of timestamps without one, e.g. Europe/Berlin"
    )
    inspect.add_argument(
        "--strict", action="store_true", help="stop at the first file that cannot be read"
    )

    commands.add_parser("variables", help="print the canonical variables table")
    commands.add_parser("sources", help="list the formats recognised automatically")
    commands.add_parser("datasets", help="list the bundled teaching data (a synthetic city)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv
        Arguments without the program name; ``sys.argv[1:]`` when ``None``.

    Returns
    -------
    int
        0 on success, 1 when data could not be read.
    """
    args = _parser().parse_args(argv)
    from ._errors import ToolkitError

    try:
        if args.command == "variables":
            from . import variables

            with _wide_pandas():
                print(variables.table().to_string(index=False))
            return 0
        if args.command == "datasets":
            from . import datasets

            table = datasets.list()[["name", "kind", "files", "size_bytes", "description"]]
            with _wide_pandas():
                print(table.to_string(index=False))
            return 0
        if args.command == "sources":
            from .loading import sources

            print("\n".join(sources()))
            return 0
        return _inspect(args)
    except ToolkitError as error:
        print(f"urban-toolkit: {error}", file=sys.stderr)
        return 1


def _wide_pandas():
    import pandas as pd

    return pd.option_context("display.width", 200, "display.max_colwidth", 60)


def _inspect(args: argparse.Namespace) -> int:
    import warnings

    from .loading import load

    options = {"timezone": args.timezone} if args.timezone else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = load(
            args.files, args.source, errors="raise" if args.strict else "collect", **options
        )
    print(data.summary())
    print()
    print(data.ledger)
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    return 1 if data.ledger.failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
