"""The package as users meet it: import, public names, console script, repository rules."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import toolkit

ROOT = Path(__file__).parent.parent


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )


def test_import_is_light_and_has_no_side_effects():
    # pandas is loaded only when data is first read, so `import toolkit` stays fast.
    result = _python(
        "import sys, toolkit; "
        "heavy = [m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules]; "
        "print(heavy)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_import_touches_no_network():
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError('network used during import')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "import toolkit\n"
        "toolkit.SensorData, toolkit.load, toolkit.variables.names()\n"
        "print('ok')\n"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_public_names_are_explicit_and_resolve():
    for name in toolkit.__all__:
        assert getattr(toolkit, name) is not None
    with pytest.raises(AttributeError, match="public names are"):
        toolkit.not_a_thing  # noqa: B018


def test_console_script_is_declared():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'urban-toolkit = "toolkit.cli:main"' in text
    assert 'name = "urban-data-toolkit"' in text


def test_notebooks_are_committed_without_outputs():
    tracked = subprocess.run(
        ["git", "ls-files", "*.ipynb"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.split()
    for path in tracked:
        notebook = json.loads((ROOT / path).read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), f"{path} has outputs"
                assert cell.get("execution_count") is None, f"{path} has execution counts"


def test_lock_is_pinned_and_shared():
    lock = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    requirements = [line for line in lock if line and not line.startswith(("#", " "))]
    assert requirements, "binder/requirements.txt is empty"
    assert all("==" in line for line in requirements), "every requirement is pinned"
    makefile = (ROOT / "Makefile").read_text()
    assert "binder/requirements.txt" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()
