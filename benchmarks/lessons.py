"""Benchmark of the workshop lessons against their budgets (DESIGN.md section 9).

Usage::

    .venv/bin/python benchmarks/lessons.py            # all nine lessons
    .venv/bin/python benchmarks/lessons.py 03 05      # some of them
    .venv/bin/python benchmarks/lessons.py --json lessons.json
    .venv/bin/python benchmarks/lessons.py --param CITY_FOLDER=/data/our_city \
        --param CITY_TIMEZONE=Africa/Nairobi --param "CITY_NAME=Our city"

What is measured
----------------
Each lesson runs on the teaching city exactly as the lesson tests run it
(``tests/lessons/runner.py``): solution cells replaced by their solution files' code,
executed top to bottom by nbclient in a fresh ``python3`` kernel with the working
directory ``lessons/``. Every lesson gets a new process, one after the other (never two
at once, so they do not compete for the CPU), which reports:

seconds
    Wall time of the execution, from the kernel's start to its shutdown (what a learner
    waits for after "Run All", plus the kernel start).
peak MB
    The kernel's peak resident memory (``ru_maxrss`` of the runner's children, read
    after the kernel has exited), in MiB. Binder restarts a kernel above 2 GB.

With ``--param NAME=VALUE`` (as ``papermill -p``) the lessons run on another city: the
way for an educator to check, before a workshop, that every lesson runs on the city's
files and fits in Binder's memory.

Budgets: each lesson under 60 s and under 700 MB; all of them together under 5 minutes.
A Markdown table (for the README) is printed with PASS or FAIL for each budget; the
exit status is 1 if any budget is missed or a lesson fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.lessons.runner import LESSON_FILES, LESSONS  # noqa: E402

BUDGET_SECONDS = 60.0
BUDGET_MB = 700.0
BUDGET_TOTAL_SECONDS = 300.0


def run_one(name: str, out_dir: Path, params: list[str]) -> dict[str, object]:
    """Run one lesson in a fresh process; return its runner summary (and the lesson)."""
    out = out_dir / name
    command = [sys.executable, "-m", "tests.lessons.runner", str(LESSONS / name), str(out)]
    done = subprocess.run(
        command + [f"--param={p}" for p in params],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        tail = (done.stdout + done.stderr)[-2000:]
        return {"lesson": name, "seconds": None, "peak_mb": None, "error": tail}
    return {"lesson": name, **json.loads(lines[-1])}


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(results: list[dict[str, object]]) -> tuple[str, bool]:
    """Return the Markdown table of ``results`` and whether every budget was met."""
    rows = [
        "| lesson | seconds | peak MB | within budget |",
        "|---|--:|--:|---|",
    ]
    all_ok = True
    total = 0.0
    for result in results:
        seconds, peak = result["seconds"], result["peak_mb"]
        if result["error"] or seconds is None:
            rows.append(f"| {result['lesson']} | - | - | FAIL (did not run to the end) |")
            all_ok = False
            continue
        total += float(seconds)
        ok = float(seconds) < BUDGET_SECONDS and float(peak) < BUDGET_MB
        all_ok &= ok
        rows.append(f"| {result['lesson']} | {seconds:.1f} | {peak:.0f} | {_verdict(ok)} |")
    total_ok = total < BUDGET_TOTAL_SECONDS
    all_ok &= total_ok
    rows.append(f"| **all lessons** | **{total:.1f}** | | {_verdict(total_ok)} |")
    return "\n".join(rows), all_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="two-digit numbers (default: all)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a lesson parameter, e.g. CITY_FOLDER=/data/our_city (repeatable)",
    )
    args = parser.parse_args(argv)
    chosen = [n for n in LESSON_FILES if not args.lessons or n[:2] in args.lessons]
    if not chosen:
        parser.error(f"no lesson matches {args.lessons}; lessons are {LESSON_FILES}")
    missing = [n for n in chosen if not (LESSONS / n).is_file()]
    if missing:
        parser.error(f"missing lessons: {missing}")
    results = []
    with tempfile.TemporaryDirectory(prefix="lesson-benchmark-") as folder:
        for name in chosen:
            result = run_one(name, Path(folder), args.param)
            results.append(result)
            status = "failed" if result["error"] else f"{result['seconds']} s"
            print(f"{name}: {status}, peak {result['peak_mb']} MB", file=sys.stderr)
            if result["error"]:
                print(str(result["error"])[-1500:], file=sys.stderr)
    text, ok = table(results)
    city = "the teaching city" if not args.param else ", ".join(args.param)
    print(
        f"\nLessons on {city}; Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs. Budgets: each lesson under "
        f"{BUDGET_SECONDS:.0f} s and {BUDGET_MB:.0f} MB, all under {BUDGET_TOTAL_SECONDS:.0f} s.\n"
    )
    print(text)
    print(f"\nOverall: {_verdict(ok)}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
