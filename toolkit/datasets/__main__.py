"""Regenerate the teaching city: ``python -m toolkit.datasets [--out DIR] [--seed N]``."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator from the command line; return the exit code."""
    from . import DEFAULT_SEED, NAME, generate

    parser = argparse.ArgumentParser(
        prog="python -m toolkit.datasets",
        description=f"Write the files of {NAME}, the synthetic teaching city (CC0).",
    )
    parser.add_argument(
        "--out", default=None, help="folder to write (default: the repository's datasets/)"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()
    files = generate(args.out, seed=args.seed)
    total = sum(int(f["bytes"]) for f in files.values())
    print(
        f"Wrote {len(files)} files, {total / 1e6:.1f} MB, seed {args.seed}, "
        f"in {time.perf_counter() - began:.1f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
