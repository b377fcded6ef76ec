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
``report``
    Make a reproducible report: an executed notebook, a self-contained HTML page and
    provenance (``urban-toolkit report --help`` lists every option).

Exit codes: 0 on success; 1 when a file could not be read, a report parameter cannot be
used or a report failed (the message says why); 2 for a wrong command line.
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
        "--file-timezone",
        default=None,
        metavar="ZONE",
        help="IANA zone of the files' clock, for timestamps without one, e.g. Europe/Berlin",
    )
    inspect.add_argument(
        "--sensor-timezone",
        default=None,
        metavar="ZONE",
        help="IANA zone of where the sensors are, for local days (default: from the files "
        "or the sensors' coordinates)",
    )
    inspect.add_argument(
        "--timezone",
        default=None,
        help=argparse.SUPPRESS,  # the old name of --file-timezone (warns)
    )
    inspect.add_argument(
        "--strict", action="store_true", help="stop at the first file that cannot be read"
    )

    commands.add_parser("variables", help="print the canonical variables table")
    commands.add_parser("sources", help="list the formats recognised automatically")
    commands.add_parser("datasets", help="list the bundled teaching data (a synthetic city)")
    _add_report(commands)
    return parser


def _add_report(commands: argparse._SubParsersAction) -> None:
    from argparse import SUPPRESS, BooleanOptionalAction

    report = commands.add_parser(
        "report",
        help="make a report: executed notebook, self-contained HTML page, provenance",
        description=(
            "Make a reproducible community report from sensor files:\n"
            "  report.ipynb     the executed report template\n"
            "  report.html      one self-contained page: no code, no scripts, nothing fetched\n"
            "  provenance.json  every parameter, the SHA-256 of every input, versions\n"
            "Privacy for sharing is on unless --no-share. Options not given take their\n"
            "defaults, or the values in --config (command-line options win)."
        ),
        epilog=(
            "Examples:\n"
            "  urban-toolkit report --city quayford --out reports/quayford\n"
            "  urban-toolkit report --data exports/*.csv --timezone Europe/Berlin "
            "--out reports/ours\n"
            "  urban-toolkit report --config report.yaml --period 2024-10-07/2024-10-13"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=SUPPRESS,
    )
    report.add_argument(
        "--data", nargs="+", metavar="FILE", help="sensor export files, folders or glob patterns"
    )
    report.add_argument(
        "--city", metavar="NAME", help="the bundled teaching city instead of files: quayford"
    )
    report.add_argument("--out", metavar="DIR", help="output folder (default reports/<title>)")
    report.add_argument(
        "--config", metavar="YAML", help="a YAML file of these options (keys: data, timezone...)"
    )
    report.add_argument(
        "--source", metavar="NAME", help="format of every file (default: recognise each file)"
    )
    report.add_argument(
        "--timezone",
        metavar="ZONE",
        help="IANA zone of local days, e.g. Europe/Berlin (default: the sensors' own, else UTC)",
    )
    report.add_argument(
        "--period",
        metavar="FIRST/LAST",
        help="local dates to keep, both included, e.g. 2024-10-07/2024-11-03 (default: all)",
    )
    report.add_argument(
        "--standard",
        metavar="NAME",
        help="air-quality index: us_epa_2024 (default), us_epa_2018, eaqi_2024, eaqi_2017, "
        "uk_daqi_2013, in_naqi_2014",
    )
    report.add_argument(
        "--correction",
        metavar="NAME",
        help="PM2.5 correction for PurpleAir: epa_2021 (default), epa_smoke, ... or none",
    )
    report.add_argument(
        "--neighbourhoods",
        metavar="GEOJSON",
        help="neighbourhood boundaries (with neighbourhood_id and name) for coverage",
    )
    report.add_argument(
        "--demographics",
        metavar="CSV",
        help="residents per neighbourhood (neighbourhood_id, population)",
    )
    report.add_argument("--title", help="the report's title")
    report.add_argument(
        "--share",
        action=BooleanOptionalAction,
        help="privacy for sharing: pseudonymous ids, positions on a grid, no file names "
        "(default: on; --no-share for a private report)",
    )
    report.add_argument(
        "--precision-m",
        dest="precision_m",
        type=float,
        metavar="METRES",
        help="grid size for positions when sharing (default 500)",
    )
    report.add_argument(
        "--template",
        metavar="NAME_OR_IPYNB",
        help="report template: community (default) or your own notebook",
    )
    report.add_argument(
        "--by",
        choices=["sensor", "neighbourhood"],
        help="one report per sensor or per neighbourhood, with out/summary.csv",
    )
    report.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the report already in --out (never a folder that is not a report)",
    )
    report.add_argument(
        "--timeout",
        type=int,
        metavar="SECONDS",
        help="time limit for each step of the template (default 600)",
    )
    report.add_argument("--quiet", dest="progress", action="store_false", help="no progress bars")


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
        if args.command == "report":
            return _report(args)
        return _inspect(args)
    except ToolkitError as error:
        print(f"urban-toolkit: {error}", file=sys.stderr)
        return 1


def _wide_pandas():
    import pandas as pd

    return pd.option_context("display.width", 200, "display.max_colwidth", 60)


def _report(args: argparse.Namespace) -> int:
    import warnings

    from .report import build, read_config

    given = {k: v for k, v in vars(args).items() if k != "command"}
    config = given.pop("config", None)
    values = read_config(config) if config else {}
    values.update(given)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = build(**values)
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    if hasattr(result, "failures"):
        from .report._batch import summary_text

        print(summary_text(result.summary))
        made = len(result.reports)
        print(f"\n{made} report(s) written to {result.folder} (summary.csv lists them).")
        if result.failures:
            print(
                f"urban-toolkit: {len(result.failures)} of {made + len(result.failures)} "
                "report(s) failed; the summary says why.",
                file=sys.stderr,
            )
            return 1
        return 0
    print(f"Report written to {result.folder} in {result.seconds:.0f} s:")
    print(f"  {result.html}  (open in a browser; {result.html_bytes / 1e6:.1f} MB)")
    print(f"  {result.notebook}")
    print(f"  {result.provenance}")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    import warnings

    from .loading import load

    options = {
        key: value
        for key, value in (
            ("file_timezone", args.file_timezone),
            ("sensor_timezone", args.sensor_timezone),
            ("timezone", args.timezone),
        )
        if value
    }
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
