"""Every lesson runs top to bottom, on the teaching city and on a second city.

Run (a), "teaching-city": the lesson as committed, with each solution cell replaced by
its solution file's code, on Quayford. Run (b), "second-city": the same, with
``CITY_FOLDER`` (and ``CITY_NAME`` where the lesson has it) injected by papermill into a
city made by ``toolkit.datasets.generate(folder, seed=11)``. Both are executed by
nbclient in a fresh kernel with the working directory ``lessons/`` (see runner.py).

Only the cells tagged ``raises-exception`` may fail, and each of them must: with one of
the toolkit's own errors, whose message says what to do.

Select these tests with ``pytest -m lessons``; leave them out with ``-m "not lessons"``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

import pytest

from .runner import LESSON_FILES, RUNS, SECOND_CITY_NAME, cell_tags

if TYPE_CHECKING:
    from .conftest import Executed

pytestmark = pytest.mark.lessons

#: Warnings no learner should meet: they are about our code, not about their data.
UNWANTED_WARNINGS = ("FutureWarning", "DeprecationWarning", "PendingDeprecationWarning")


@cache
def toolkit_error_names() -> frozenset[str]:
    """Names of every ToolkitError subclass defined anywhere in the toolkit package."""
    import importlib
    import pkgutil

    import toolkit
    from toolkit._errors import ToolkitError

    for module in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)

    def subclasses(cls: type) -> set[type]:
        found = set(cls.__subclasses__())
        for sub in list(found):
            found |= subclasses(sub)
        return found

    return frozenset(cls.__name__ for cls in subclasses(ToolkitError))


def test_toolkit_error_names_are_collected() -> None:
    names = toolkit_error_names()
    # A few from _errors.py and a few defined in other modules, written out by hand.
    assert {"TimestampError", "UnknownVariableError", "UnknownLayoutError"} <= names
    assert {"UnknownStandardError", "UnknownCorrectionError", "EquityError"} <= names
    assert "ValueError" not in names
    assert "ToolkitError" not in names  # the base class is never raised by itself


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _describe(index: int, cell: Any, output: Any) -> str:
    head = "\n".join(cell.source.splitlines()[:6])
    trace = _strip_ansi("\n".join(output.get("traceback", [])))[-2500:]
    return (
        f"cell {index} (tags {sorted(cell_tags(cell))}):\n{head}\n--- raised "
        f"{output.get('ename')}: {output.get('evalue')}\n{trace}"
    )


def _text_outputs(nb: Any) -> list[str]:
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(output.get("text", ""))
            elif "data" in output:
                data = output["data"]
                texts.append(str(data.get("text/plain", "")) + str(data.get("text/html", "")))
            elif output.get("output_type") == "error":
                texts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return texts


def _result(executed_lessons: dict[tuple[str, str], Executed], lesson: str, run: str) -> Executed:
    result = executed_lessons.get((lesson, run))
    if result is None:
        pytest.fail(f"lessons/{lesson} does not exist, so it could not be run")
    if result.notebook is None:
        pytest.fail(f"the runner wrote no notebook for {lesson} ({run}):\n{result.log[-4000:]}")
    return result


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("lesson", LESSON_FILES)
def test_lesson_runs_top_to_bottom(
    lesson: str, run: str, executed_lessons: dict[tuple[str, str], Executed]
) -> None:
    result = _result(executed_lessons, lesson, run)
    nb = result.notebook
    unexpected = [
        _describe(i, cell, out)
        for i, cell in enumerate(nb.cells)
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error" and "raises-exception" not in cell_tags(cell)
    ]
    assert not unexpected, f"{lesson} ({run}) failed:\n\n" + "\n\n".join(unexpected)
    stopped = result.summary.get("error")
    assert stopped is None, f"{lesson} ({run}) stopped: {stopped}\n{result.log[-3000:]}"
    assert result.returncode == 0, result.log[-3000:]
    not_run = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not c.execution_count]
    assert not not_run, f"{lesson} ({run}): code cells {not_run} were never executed"


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("lesson", LESSON_FILES)
def test_cells_meant_to_fail_fail_with_a_toolkit_error(
    lesson: str, run: str, executed_lessons: dict[tuple[str, str], Executed]
) -> None:
    nb = _result(executed_lessons, lesson, run).notebook
    for index, cell in enumerate(nb.cells):
        if "raises-exception" not in cell_tags(cell):
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        assert errors, (
            f"{lesson} ({run}): cell {index} is tagged raises-exception but did not raise:\n"
            f"{cell.source}"
        )
        error = errors[0]
        assert error.ename in toolkit_error_names(), (
            f"{lesson} ({run}): cell {index} should fail with one of the toolkit's friendly "
            f"errors (a ToolkitError), but raised {error.ename}: {error.evalue}"
        )
        assert "What to do" in error.evalue, (
            f"{lesson} ({run}): the {error.ename} in cell {index} does not say what to do:\n"
            f"{error.evalue}"
        )


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("lesson", LESSON_FILES)
def test_no_deprecation_or_future_warnings_reach_learners(
    lesson: str, run: str, executed_lessons: dict[tuple[str, str], Executed]
) -> None:
    nb = _result(executed_lessons, lesson, run).notebook
    found = [
        f"cell {i}: {out.get('text', '')[:600]}"
        for i, cell in enumerate(nb.cells)
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
        and out.get("name") == "stderr"
        and any(w in out.get("text", "") for w in UNWANTED_WARNINGS)
    ]
    assert not found, f"{lesson} ({run}) shows warnings meant for developers:\n" + "\n".join(found)


@pytest.mark.parametrize("lesson", LESSON_FILES)
def test_second_city_run_used_the_second_city(
    lesson: str, executed_lessons: dict[tuple[str, str], Executed]
) -> None:
    """The injected parameters reached the code: the second city's data was analysed."""
    teaching = _result(executed_lessons, lesson, "teaching-city")
    second = _result(executed_lessons, lesson, "second-city")
    injected = [c for c in second.notebook.cells if "injected-parameters" in cell_tags(c)]
    assert len(injected) == 1, "papermill did not inject the parameters cell"
    assert str(second.parameters["CITY_FOLDER"]) in injected[0].source
    tagged = [i for i, c in enumerate(second.notebook.cells) if "parameters" in cell_tags(c)]
    where = second.notebook.cells.index(injected[0])
    assert tagged == [where - 1], "the injected cell must come right after the parameters cell"

    texts_second = _text_outputs(second.notebook)
    if "CITY_NAME" in second.parameters:
        assert any(SECOND_CITY_NAME in text for text in texts_second), (
            f"{lesson}: nothing it printed or displayed on the second city names it "
            f"({SECOND_CITY_NAME!r}); show the city's name (e.g. print(city.name)) so "
            "learners can see which city they are looking at"
        )

    def normalised(texts: list[str], name: str) -> list[str]:
        return [t.replace(name, "<city>") for t in texts]

    # The two cities have the same layout but other values: if every output were the
    # same but for the city's name, the lesson analysed Quayford both times.
    assert normalised(texts_second, SECOND_CITY_NAME) != normalised(
        _text_outputs(teaching.notebook), "Quayford"
    ), f"{lesson}: the second city gave exactly the same outputs as Quayford"
