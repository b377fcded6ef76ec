"""Benchmark of the community report on the teaching city: time end to end and HTML size.

Usage::

    .venv/bin/python benchmarks/report.py            # 3 runs (1 if the first takes > 60 s)
    .venv/bin/python benchmarks/report.py --runs 1

Each run is ``toolkit.report.build(city=True, ...)``, the same as ``make report``: reading
the 46 export files (2.5 million readings), privacy, running the template with papermill
(quality checks, averages, corrections, index, WHO days, seven charts as SVG, coverage),
the HTML conversion and its self-containment check, and provenance. The peak memory of
the builder (this process) and of the kernel (its child) are given as maximum resident
set sizes. Budgets (DESIGN.md section 9): under 60 s, HTML under 5 MB. Printed as a
Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 60.0
BUDGET_HTML_BYTES = 5_000_000


def one_run(folder: Path) -> dict[str, float]:
    """Build the teaching-city report into ``folder``; return time and sizes."""
    from toolkit import report

    started = time.perf_counter()
    result = report.build(city=True, out=folder / "quayford", progress=False)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "html_bytes": result.html_bytes,
        "notebook_bytes": result.notebook.stat().st_size,
        "charts": result.html.read_text(encoding="utf-8").count("<figure><svg"),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs (default 3)")
    args = parser.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory(prefix="report-benchmark-") as tmp:
        for number in range(args.runs):
            runs.append(one_run(Path(tmp) / f"run{number}"))
            print(f"run {number + 1}: {runs[-1]['seconds']:.1f} s", file=sys.stderr)
            if runs[-1]["seconds"] > BUDGET_S:
                break
    times = [r["seconds"] for r in runs]
    html = runs[-1]["html_bytes"]
    builder = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kernel = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"Teaching-city report, {len(runs)} run(s), {platform.machine()} with "
        f"{os.cpu_count()} CPU(s), Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}:\n"
    )
    print("| measure | result | budget |")
    print("|---|---:|---:|")
    print(
        f"| `urban-toolkit report --city quayford`, end to end | "
        f"{min(times):.1f}-{max(times):.1f} s (median {statistics.median(times):.1f} s) | "
        f"< {BUDGET_S:.0f} s |"
    )
    print(
        f"| report.html | {html / 1e6:.2f} MB, {runs[-1]['charts']} inline SVG charts | "
        f"< {BUDGET_HTML_BYTES / 1e6:.0f} MB |"
    )
    print(f"| report.ipynb | {runs[-1]['notebook_bytes'] / 1e6:.2f} MB | |")
    print(f"| peak memory: builder / kernel | {builder:.0f} MB / {kernel:.0f} MB | |")
    ok = max(times) < BUDGET_S and html < BUDGET_HTML_BYTES
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
