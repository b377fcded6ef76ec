"""Run a workshop lesson the way the tests and the lesson benchmark do.

One lesson, one fresh process, one fresh kernel::

    python -m tests.lessons.runner lessons/02-can-we-trust-it.ipynb /tmp/out.ipynb \
        [--param CITY_FOLDER=/tmp/city2 --param CITY_NAME="Second city"] [--keep-solutions]

What happens, in order:

1. Each cell tagged ``solution`` gets the code of the file its ``# %load`` line names
   (``lessons/solutions/NN_exercise_K.py``), unless ``--keep-solutions``.
2. Parameters, if any, are injected by papermill after the cell tagged ``parameters``
   (a new cell tagged ``injected-parameters``), exactly as ``papermill -p`` does.
3. nbclient executes the notebook top to bottom in a new ``python3`` kernel with the
   working directory ``lessons/``, a 300 s limit per cell, honouring ``raises-exception``
   (a tagged cell may fail; any other error stops the run).
4. The executed notebook is written to the output path with
   ``metadata.lesson_run = {"seconds", "peak_mb", "error"}``: wall time of the execution,
   the kernel's peak resident memory (``ru_maxrss`` of this process's children, read
   after the kernel has exited, in MiB) and the error that stopped the run, or null.

The process exits 0 when the notebook ran to the end, 1 when a cell stopped it.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

__all__ = [
    "LESSONS",
    "LESSON_FILES",
    "REPO",
    "RUNS",
    "SECOND_CITY_NAME",
    "SECOND_CITY_SEED",
    "SOLUTIONS",
    "SOLUTION_LINE",
    "cell_tags",
    "execute",
    "inline_solutions",
    "lesson_paths",
    "main",
    "parse_param",
    "run",
    "slowest_cell",
    "solution_path",
]

REPO = Path(__file__).resolve().parents[2]
LESSONS = REPO / "lessons"
SOLUTIONS = LESSONS / "solutions"
#: The second line of every solution cell (the learner removes the leading "# ").
SOLUTION_LINE = re.compile(r"^# %load (solutions/(\d\d)_exercise_(\d+)\.py)$")
CELL_TIMEOUT = 300  # seconds per cell
#: The lessons, in order, as the lesson conventions name them.
LESSON_FILES = (
    "00-start-here.ipynb",
    "01-your-sensor-your-file.ipynb",
    "02-can-we-trust-it.ipynb",
    "03-the-dashboards-number.ipynb",
    "04-patterns-in-time.ipynb",
    "05-where-are-the-sensors.ipynb",
    "06-who-benefits.ipynb",
    "07-questioning-the-number.ipynb",
    "08-our-report.ipynb",
)
#: The two ways every lesson is run.
RUNS = ("teaching-city", "second-city")
SECOND_CITY_NAME = "Second city"
SECOND_CITY_SEED = 11


def lesson_paths() -> list[Path]:
    """Return the lesson notebooks ``lessons/NN-*.ipynb``, in order."""
    return sorted(LESSONS.glob("[0-9][0-9]-*.ipynb"))


def cell_tags(cell: Any) -> set[str]:
    """Return the tags of a notebook cell (an empty set when it has none)."""
    return set(cell.get("metadata", {}).get("tags", []))


def solution_path(cell: Any) -> Path | None:
    """Return the solution file a ``solution`` cell loads, or None if it names none.

    >>> cell = {"source": "# Run this cell ...\\n# %load solutions/03_exercise_2.py"}
    >>> solution_path(cell).relative_to(LESSONS).as_posix()
    'solutions/03_exercise_2.py'
    """
    for line in str(cell.get("source", "")).splitlines():
        match = SOLUTION_LINE.match(line.strip())
        if match:
            return LESSONS / match.group(1)
    return None


def inline_solutions(nb: Any) -> Any:
    """Return a copy of ``nb`` whose ``solution`` cells hold their solution files' code."""
    import copy

    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        if "solution" not in cell_tags(cell):
            continue
        path = solution_path(cell)
        if path is None or not path.is_file():
            raise FileNotFoundError(
                f"cell {index} is tagged 'solution' but loads no existing file "
                f"(source: {cell.source!r}); expected '# %load solutions/NN_exercise_K.py'"
            )
        cell.source = path.read_text(encoding="utf-8")
    return nb


def parse_param(text: str) -> tuple[str, Any]:
    """Parse ``NAME=VALUE``: VALUE as a Python literal if it is one, else as a string.

    >>> parse_param("CITY_NAME=Second city")
    ('CITY_NAME', 'Second city')
    >>> parse_param("SENSOR=None")
    ('SENSOR', None)
    """
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value


def execute(nb: Any, *, cwd: Path = LESSONS, timeout: int = CELL_TIMEOUT) -> str | None:
    """Execute ``nb`` in place in a new python3 kernel; return the stopping error or None."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        return re.sub(r"\x1b\[[0-9;]*m", "", f"{type(error).__name__}: {error}")
    return None


def slowest_cell(nb: Any) -> list[float] | None:
    """Return ``[index, seconds]`` of the cell that took longest, from nbclient's timings."""
    from datetime import datetime

    timings = []
    for index, cell in enumerate(nb.cells):
        times = cell.get("metadata", {}).get("execution", {})
        if "iopub.status.busy" in times and "iopub.status.idle" in times:
            start, end = (
                datetime.fromisoformat(times[k].replace("Z", "+00:00"))
                for k in ("iopub.status.busy", "iopub.status.idle")
            )
            timings.append([index, round((end - start).total_seconds(), 2)])
    return max(timings, key=lambda pair: pair[1]) if timings else None


def run(
    notebook: Path,
    out: Path,
    *,
    parameters: dict[str, Any] | None = None,
    solutions: bool = True,
) -> dict[str, Any]:
    """Prepare and execute one lesson; write it to ``out``; return ``metadata.lesson_run``.

    Call this once per process: the peak memory it reports is that of the largest
    child process this process has waited for, i.e. the kernel.
    """
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(notebook))  # as papermill reads it (adds its metadata)
    if solutions:
        nb = inline_solutions(nb)
    if parameters:
        nb = parameterize_notebook(nb, parameters, kernel_name="python3", language="python")
    start = time.perf_counter()
    error = execute(nb)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    summary = {
        "seconds": round(seconds, 2),
        "peak_mb": round(peak_kib / 1024, 1),
        "error": error,
        "slowest_cell": slowest_cell(nb),
    }
    nb.metadata["lesson_run"] = summary
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run one workshop lesson in a fresh kernel.")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("out", type=Path, help="where to write the executed notebook")
    parser.add_argument("--param", action="append", type=parse_param, default=[], help="NAME=VALUE")
    parser.add_argument(
        "--keep-solutions", action="store_true", help="do not inline the solution files"
    )
    args = parser.parse_args(argv)
    summary = run(
        args.notebook, args.out, parameters=dict(args.param), solutions=not args.keep_solutions
    )
    print(json.dumps(summary))
    return 0 if summary["error"] is None else 1


if __name__ == "__main__":
    sys.exit(main())
