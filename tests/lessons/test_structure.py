"""The lessons follow the lesson conventions (fast: reads the files, starts no kernel).

Anatomy of a lesson (see lessons/INSTRUCTORS.md): an overview cell with questions,
objectives and timings; a parameters cell of plain literals; teaching cells; exercises,
each followed by a learner's cell and a solution cell that loads
``solutions/NN_exercise_K.py``; discussion prompts; a "use your own data" section; key
points last. Metadata ``toolkit`` carries the same questions, objectives, timings and
key points for tools (the instructor guide's agenda is built from them).
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import tokenize
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from .runner import LESSON_FILES, LESSONS, REPO, SOLUTION_LINE, SOLUTIONS, cell_tags

SOLUTION_FIRST_LINE = "# Run this cell to see one possible answer, then run it again to execute it."
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
#: Lessons that must teach reading an error message with a cell meant to fail.
LESSONS_WITH_ERRORS = (1, 2)
#: "Each code cell short (<= ~15 lines)": a little slack, but not a page.
MAX_CODE_LINES = 20


def read(path: Path) -> Any:
    import nbformat

    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


@cache
def lesson(name: str) -> Any:
    path = LESSONS / name
    if not path.is_file():
        pytest.fail(f"lessons/{name} is missing")
    return read(path)


def number(name: str) -> int:
    return int(name[:2])


def tagged(nb: Any, tag: str) -> list[int]:
    return [i for i, cell in enumerate(nb.cells) if tag in cell_tags(cell)]


def repository_notebooks() -> list[Path]:
    """Every notebook in the repository that git would commit (tracked or not ignored)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "*.ipynb"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout.decode()
        paths = [REPO / p for p in listed.split("\0") if p]
    except (OSError, subprocess.CalledProcessError):  # no git, or not a clone
        paths = [
            p
            for p in REPO.rglob("*.ipynb")
            if not any(part.startswith(".") for part in p.relative_to(REPO).parts)
        ]
    return sorted(p for p in paths if p.is_file())


lessons = pytest.mark.parametrize("name", LESSON_FILES)


def test_the_nine_lessons_exist_in_order() -> None:
    found = sorted(p.name for p in LESSONS.glob("[0-9][0-9]-*.ipynb"))
    assert found == list(LESSON_FILES)


def test_repository_notebooks_are_found() -> None:
    notebooks = repository_notebooks()
    for name in LESSON_FILES:
        if (LESSONS / name).is_file():
            assert LESSONS / name in notebooks
    assert not any(".venv" in p.parts for p in notebooks)


@pytest.mark.parametrize(
    "path", repository_notebooks(), ids=lambda p: p.relative_to(REPO).as_posix()
)
def test_committed_notebooks_carry_no_outputs(path: Path) -> None:
    nb = read(path)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{path.relative_to(REPO)}: cells {dirty} have outputs or an execution count; clear "
        "them (JupyterLab: Edit > Clear Outputs of All Cells) before committing"
    )
    leftovers = {"widgets", "papermill"} & set(nb.metadata)
    assert not leftovers, f"{path.relative_to(REPO)}: metadata keeps {sorted(leftovers)}"
    assert not [c for c in nb.cells if "papermill" in c.get("metadata", {})]


@lessons
def test_notebook_format_and_kernel(name: str) -> None:
    import nbformat

    nb = lesson(name)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5)
    assert all(cell.get("id") for cell in nb.cells), "every cell needs an id (nbformat 4.5)"
    assert dict(nb.metadata.get("kernelspec", {})) == KERNELSPEC
    assert nb.metadata.get("language_info", {}).get("name") == "python"


@lessons
def test_metadata(name: str) -> None:
    meta = lesson(name).metadata.get("toolkit")
    assert isinstance(meta, dict), "metadata.toolkit is missing"
    assert type(meta.get("lesson")) is int
    assert meta["lesson"] == number(name)
    assert isinstance(meta.get("title"), str)
    assert meta["title"].strip()
    for key in ("teaching", "exercises"):
        assert type(meta.get(key)) is int, f"{key} must be whole minutes"
        assert meta[key] > 0
    for key in ("questions", "objectives", "keypoints"):
        items = meta.get(key)
        assert isinstance(items, list), key
        assert items, f"metadata.toolkit.{key} is empty"
        assert all(isinstance(t, str) and t.strip() for t in items), key


@lessons
def test_overview_cell_comes_first_and_matches_the_metadata(name: str) -> None:
    nb = lesson(name)
    meta = nb.metadata["toolkit"]
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert "overview" in cell_tags(first)
    assert tagged(nb, "overview") == [0]
    text = first.source
    assert text.startswith(f"# Lesson {meta['lesson']}: {meta['title']}")
    for heading in ("**Questions**", "**Objectives**", "**Time**"):
        assert heading in text
    for item in meta["questions"] + meta["objectives"]:
        assert item in text, f"the overview does not say {item!r}"
    assert re.search(rf"teaching {meta['teaching']} min", text), "teaching minutes"
    assert re.search(rf"exercises {meta['exercises']} min", text), "exercise minutes"


def _literal_assignments(source: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign), (
            f"the parameters cell may only assign literals; found {ast.unparse(node)!r}"
        )
        assert len(node.targets) == 1, ast.unparse(node)
        assert isinstance(node.targets[0], ast.Name), ast.unparse(node)
        try:
            values[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError:
            pytest.fail(f"not a plain literal: {ast.unparse(node)!r}")
    return values


def _comment_lines(source: str) -> set[int]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {t.start[0] for t in tokens if t.type == tokenize.COMMENT}


@lessons
def test_one_parameters_cell_of_plain_literals(name: str) -> None:
    nb = lesson(name)
    where = tagged(nb, "parameters")
    assert len(where) == 1, f"expected exactly one parameters cell, found {len(where)}"
    index = where[0]
    cell = nb.cells[index]
    assert cell.cell_type == "code"
    assert index <= 3, "the parameters cell belongs near the top"
    assert all(c.cell_type == "markdown" for c in nb.cells[:index]), (
        "only a short markdown introduction may come before the parameters cell"
    )
    values = _literal_assignments(cell.source)
    assert {"CITY_FOLDER", "CITY_TIMEZONE"} <= set(values)
    assert values["CITY_FOLDER"] is None, "CITY_FOLDER = None means the teaching city"
    assert isinstance(values["CITY_TIMEZONE"], str)
    if "CITY_NAME" in values:
        assert values["CITY_NAME"] is None
    comments = _comment_lines(cell.source)
    for node in ast.parse(cell.source).body:
        assert {node.lineno, node.lineno - 1} & comments, (
            f"say in plain words what {ast.unparse(node.targets[0])} means (a comment)"
        )


@lessons
def test_papermill_reads_every_parameter_with_its_help(name: str) -> None:
    # `papermill --help-notebook` and -p rely on papermill parsing each line; it gives up on
    # a line whose comment holds "=", and -p then warns "Passed unknown parameter".
    import papermill

    cell = lesson(name).cells[tagged(lesson(name), "parameters")[0]]
    listed = papermill.inspect_notebook(str(LESSONS / name))
    assert set(listed) == set(_literal_assignments(cell.source))
    assert all(entry["help"] for entry in listed.values()), "every parameter explains itself"


@lessons
def test_exercises_are_followed_by_a_learner_cell_and_a_solution(name: str) -> None:
    nb = lesson(name)
    where = tagged(nb, "exercise")
    assert where, "a lesson needs at least one exercise"
    for k, index in enumerate(where, start=1):
        cell = nb.cells[index]
        assert cell.cell_type == "markdown"
        assert cell.source.lstrip().startswith(f"### Exercise {k}"), (
            f"exercise cells are numbered 1, 2, ...: cell {index} should be Exercise {k}"
        )
        assert "<details><summary>Hint</summary>" in cell.source.replace("\n", "")
        learner, solution = nb.cells[index + 1], nb.cells[index + 2]
        assert learner.cell_type == "code"
        assert learner.source.strip() == "# Your answer here"
        assert solution.cell_type == "code"
        assert "solution" in cell_tags(solution)
        lines = solution.source.strip().splitlines()
        assert len(lines) == 2, solution.source
        assert lines[0] == SOLUTION_FIRST_LINE
        match = SOLUTION_LINE.match(lines[1])
        assert match, f"expected '# %load solutions/NN_exercise_K.py', got {lines[1]!r}"
        assert (int(match.group(2)), int(match.group(3))) == (number(name), k)
        path = LESSONS / match.group(1)
        assert path.is_file(), f"{path.relative_to(REPO)} is missing"
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert len(tagged(nb, "solution")) == len(where), "a solution cell without an exercise"


@lessons
def test_discussion_own_data_and_key_points(name: str) -> None:
    nb = lesson(name)
    discussions = tagged(nb, "discussion")
    assert discussions, "a lesson needs at least one discussion cell"
    for index in discussions:
        assert nb.cells[index].cell_type == "markdown"
        assert nb.cells[index].source.lstrip().startswith("### Discuss")
    own = tagged(nb, "own-data")
    assert own, "say how to run this lesson on your own files (a cell tagged own-data)"
    assert all(nb.cells[i].cell_type == "markdown" for i in own)
    last = nb.cells[-1]
    assert last.cell_type == "markdown"
    assert "keypoints" in cell_tags(last)
    assert last.source.lstrip().startswith("## Key points")
    for point in nb.metadata["toolkit"]["keypoints"]:
        assert point in last.source, f"key point missing from the last cell: {point!r}"


@lessons
def test_cells_meant_to_fail_are_explained(name: str) -> None:
    nb = lesson(name)
    where = tagged(nb, "raises-exception")
    if number(name) in LESSONS_WITH_ERRORS:
        assert where, "this lesson teaches reading an error: it needs a raises-exception cell"
    for index in where:
        assert nb.cells[index].cell_type == "code"
        assert nb.cells[index - 1].cell_type == "markdown", "explain first that it will fail"
        after = nb.cells[index + 1 : index + 3]
        assert [c.cell_type for c in after] == ["markdown", "code"], (
            "after the error: how to read the message (markdown), then doing it right (code)"
        )


@lessons
def test_code_cells_are_short_and_use_no_relative_data_paths(name: str) -> None:
    nb = lesson(name)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert len(lines) <= MAX_CODE_LINES, f"cell {index} has {len(lines)} lines"
        assert "../datasets" not in cell.source, f"cell {index}: use toolkit.datasets"


@lessons
def test_charts_use_the_offline_renderer_first(name: str) -> None:
    nb = lesson(name)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    code += [
        path.read_text(encoding="utf-8")
        for path in SOLUTIONS.glob(f"{number(name):02d}_exercise_*.py")
    ]
    chart_calls = re.compile(r"\bcharts\.(?!use_offline_renderer)\w+\(")
    if not any(chart_calls.search(source) for source in code):
        return
    renderer = [i for i, s in enumerate(code) if "use_offline_renderer()" in s]
    assert len(renderer) == 1, "call toolkit.charts.use_offline_renderer() once"
    first_chart = min(i for i, s in enumerate(code) if chart_calls.search(s))
    assert renderer[0] <= first_chart, "enable the offline renderer before the first chart"


def test_lesson_one_shows_a_chart_and_a_widget() -> None:
    code = "\n".join(c.source for c in lesson(LESSON_FILES[1]).cells if c.cell_type == "code")
    assert re.search(r"\bcharts\.(?!use_offline_renderer)\w+\(", code), "no chart in lesson 1"
    assert re.search(r"\bwidgets\.\w+\(|ipywidgets", code), "no widget in lesson 1"


@cache
def teaching_city_specifics() -> dict[str, set[str]]:
    """Sensor ids, station codes and neighbourhood names of Quayford, from its files."""
    import csv
    import gzip
    import json

    from toolkit import datasets

    with gzip.open(datasets.path("stations"), "rt", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    geo = json.loads(datasets.path("neighbourhoods").read_text(encoding="utf-8"))
    ids = {r["sensor_id"] for r in rows}
    return {
        "sensor ids": ids | {i.split(":")[-1] for i in ids},
        "station codes": {r["station_code"] for r in rows},
        "neighbourhood names": {f["properties"]["name"] for f in geo["features"]},
        "city name": {"Quayford"},
    }


def test_teaching_city_specifics_are_read() -> None:
    found = teaching_city_specifics()
    # From datasets/README.md and the planted-problems table: the stuck sensor S07 and
    # the port district Harbourside.
    assert "S07" in found["station codes"]
    assert "Harbourside" in found["neighbourhood names"]
    assert "sensorcommunity:900107" in found["sensor ids"]


def _string_constants(source: str) -> list[str]:
    """String constants in Python code (f-strings' literal parts included)."""
    from IPython.core.inputtransformer2 import TransformerManager

    # Cells may hold IPython syntax (%magics, !commands): turn it into Python first.
    tree = ast.parse(TransformerManager().transform_cell(source))
    constants = (n for n in ast.walk(tree) if isinstance(n, ast.Constant))
    return [n.value for n in constants if isinstance(n.value, str)]


@lessons
def test_code_does_not_hard_code_the_teaching_city(name: str) -> None:
    """Sensors, neighbourhoods and dates are picked from the data, never typed in.

    The second city shares Quayford's layout (even its sensor ids and neighbourhood
    names), so running on it cannot catch this; reading the code can.
    """
    nb = lesson(name)
    sources = {
        f"cell {i}": c.source
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and "parameters" not in cell_tags(c)
    }
    sources |= {
        p.name: p.read_text(encoding="utf-8")
        for p in SOLUTIONS.glob(f"{number(name):02d}_exercise_*.py")
    }
    period = re.compile(r"\b2024-(10-(0[7-9]|[1-3]\d)|11-0[1-4])\b")
    problems = []
    for where, source in sources.items():
        for text in _string_constants(source):
            for kind, values in teaching_city_specifics().items():
                for value in values:
                    if re.search(rf"(?<![\w:]){re.escape(value)}(?![\w])", text):
                        problems.append(f"{where}: {kind} {value!r} in {text[:80]!r}")
            if period.search(text):
                problems.append(f"{where}: a date of the teaching period in {text[:80]!r}")
    assert not problems, "pick these from the data instead:\n" + "\n".join(problems)


def test_every_solution_file_belongs_to_an_exercise() -> None:
    referenced = set()
    for name in LESSON_FILES:
        path = LESSONS / name
        if not path.is_file():
            continue
        for cell in read(path).cells:
            for line in cell.source.splitlines():
                match = SOLUTION_LINE.match(line.strip())
                if match:
                    referenced.add(match.group(1))
    files = {f"solutions/{p.name}" for p in SOLUTIONS.glob("*.py")}
    assert files, "lessons/solutions/ holds no solution files"
    assert files <= referenced, f"solution files no lesson loads: {sorted(files - referenced)}"
    assert all(re.fullmatch(r"solutions/\d\d_exercise_\d+\.py", f) for f in files)


def test_instructor_guide_timings_match_the_lessons() -> None:
    """The guide's timing table (and so its agendas) follows each lesson's metadata."""
    guide = (LESSONS / "INSTRUCTORS.md").read_text(encoding="utf-8")
    rows = {
        int(m.group(1)): (m.group(2).strip(), int(m.group(3)), int(m.group(4)), int(m.group(5)))
        for m in re.finditer(
            r"^\| (\d) \| ([^|]+) \| (\d+) \| (\d+) \| (\d+) \|$", guide, flags=re.MULTILINE
        )
    }
    assert sorted(rows) == [number(name) for name in LESSON_FILES]
    for name in LESSON_FILES:
        meta = lesson(name).metadata["toolkit"]
        title, teaching, exercises, total = rows[number(name)]
        assert (title, teaching, exercises) == (meta["title"], meta["teaching"], meta["exercises"])
        assert total == teaching + exercises
    totals = re.search(
        r"\*\*all nine\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\*", guide
    )
    assert totals, "the timing table needs its 'all nine' row"
    assert [int(t) for t in totals.groups()] == [
        sum(r[1] for r in rows.values()),
        sum(r[2] for r in rows.values()),
        sum(r[1] + r[2] for r in rows.values()),
    ]
    two_days = guide[guide.index("### Two days") : guide.index("### One day")]
    for name in LESSON_FILES:
        meta = lesson(name).metadata["toolkit"]
        assert re.search(
            rf"\| Lesson {meta['lesson']}: [^|]+ \| {meta['teaching'] + meta['exercises']} \|",
            two_days,
        ), f"the two-day agenda should give lesson {meta['lesson']} its full time"
