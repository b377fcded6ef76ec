"""Fixtures of the lesson tests: the lesson files, the second city, the executed lessons.

The executions are slow (a fresh kernel per lesson and per city, about half a minute
each), so they happen once per session, two at a time (the machine of record has two
cores), and only for the lessons the selected tests ask for. Each runs in its own
process through ``tests/lessons/runner.py``, which also records the time and the
kernel's peak memory; a table of both is printed at the end of the session.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .runner import LESSONS, REPO, RUNS, SECOND_CITY_NAME, SECOND_CITY_SEED, cell_tags

WORKERS = 2
#: A lesson that has not finished after this long has hung (each cell has 300 s).
RUN_TIMEOUT = 1200

_RESULTS: dict[tuple[str, str], Executed] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "lessons: executes the workshop notebooks in fresh Jupyter kernels (several minutes)",
    )


def read_notebook(path: Path) -> Any:
    import nbformat

    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def parameter_names(nb: Any) -> set[str]:
    """Names assigned in the lesson's cell tagged ``parameters``."""
    import ast

    names: set[str] = set()
    for cell in nb.cells:
        if "parameters" in cell_tags(cell):
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign):
                    names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


@dataclass
class Executed:
    """One execution of one lesson."""

    lesson: str
    run: str
    notebook: Any  # the executed notebook (nbformat), or None if the runner crashed
    returncode: int
    log: str  # the runner's stdout and stderr
    parameters: dict[str, Any]

    @property
    def summary(self) -> dict[str, Any]:
        if self.notebook is None:
            return {}
        return dict(self.notebook.metadata.get("lesson_run", {}))


@pytest.fixture(scope="session")
def second_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second city with Quayford's layout and other values (seed 11), made once."""
    from toolkit.datasets import generate

    folder = tmp_path_factory.mktemp("city2")
    generate(folder, seed=SECOND_CITY_SEED)
    return folder


def _execute(lesson: str, run: str, city: Path, out_dir: Path) -> Executed:
    source = LESSONS / lesson
    out = out_dir / f"{run}-{lesson}"
    parameters: dict[str, Any] = {}
    command = [sys.executable, "-m", "tests.lessons.runner", str(source), str(out)]
    if run == "second-city":
        declared = parameter_names(read_notebook(source))
        parameters = {"CITY_FOLDER": str(city)}
        if "CITY_NAME" in declared:
            parameters["CITY_NAME"] = SECOND_CITY_NAME
        command += [f"--param={name}={value!r}" for name, value in parameters.items()]
    try:
        done = subprocess.run(
            command, cwd=REPO, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
        )
        returncode, log = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as error:
        returncode, log = -1, f"the runner did not finish within {RUN_TIMEOUT} s: {error}"
    notebook = read_notebook(out) if out.is_file() else None
    return Executed(lesson, run, notebook, returncode, log, parameters)


@pytest.fixture(scope="session")
def executed_lessons(
    request: pytest.FixtureRequest, second_city: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], Executed]:
    """Run every (lesson, run) pair that a selected test asks for; return them by pair."""
    wanted: list[tuple[str, str]] = []
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "executed_lessons" in getattr(item, "fixturenames", ()) and "lesson" in params:
            runs = [params["run"]] if "run" in params else list(RUNS)
            wanted += [(params["lesson"], run) for run in runs]
    wanted = [pair for pair in dict.fromkeys(wanted) if (LESSONS / pair[0]).is_file()]
    out_dir = tmp_path_factory.mktemp("executed")
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {
            pair: pool.submit(_execute, pair[0], pair[1], second_city, out_dir) for pair in wanted
        }
        for pair, future in futures.items():
            _RESULTS[pair] = future.result()
    return dict(_RESULTS)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print how long each executed lesson took and its kernel's peak memory."""
    if not _RESULTS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("workshop lessons: time and kernel peak memory")
    write(f"{'lesson':<36} {'run':<14} {'seconds':>8} {'peak MB':>8}  slowest cell  result")
    for (lesson, run), result in sorted(_RESULTS.items()):
        summary = result.summary
        status = "ok" if result.returncode == 0 else f"FAILED ({result.returncode})"
        index, cell_s = summary.get("slowest_cell") or ("-", float("nan"))
        write(
            f"{lesson:<36} {run:<14} {summary.get('seconds', float('nan')):>8.1f} "
            f"{summary.get('peak_mb', float('nan')):>8.0f}  {index!s:>4} {cell_s:>6.1f} s  {status}"
        )
