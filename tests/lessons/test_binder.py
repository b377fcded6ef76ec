"""Binder accepts binder/ and builds the environment the workshop was tested in.

``repo2docker --no-build --debug`` prints the Dockerfile Binder would build, without
Docker; the tests read it. postBuild is run with a stand-in ``python`` that records what
it is asked to do (so nothing is installed here), and its JupyterLab settings step is
run for real against a temporary prefix.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .runner import LESSONS, REPO

BINDER = REPO / "binder"
POSTBUILD = BINDER / "postBuild"
LOCK = BINDER / "requirements.txt"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def _repo2docker() -> str:
    beside = Path(sys.executable).parent / "repo2docker"
    found = str(beside) if beside.is_file() else shutil.which("repo2docker")
    if not found:
        pytest.fail("repo2docker is not installed (jupyter-repo2docker is in the lock)")
    return found


@pytest.fixture(scope="module")
def dockerfile(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The Dockerfile repo2docker would build from this repository (printed, not built)."""
    before = {p: sorted(os.listdir(p)) for p in (REPO, BINDER)}
    done = subprocess.run(
        [_repo2docker(), "--no-build", "--debug", str(REPO)],
        cwd=tmp_path_factory.mktemp("repo2docker"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    after = {p: sorted(os.listdir(p)) for p in (REPO, BINDER)}
    assert after == before, "repo2docker wrote into the repository"
    assert "FROM " in output, output[-3000:]
    return output


def test_binder_uses_python_3_12(dockerfile: str) -> None:
    assert "Python version unspecified" not in dockerfile
    assert "python=3.12" in dockerfile
    # The base environment's lock file, named environment.py-3.12-linux-64.lock (in the
    # Dockerfile its path is escaped: "." as "-2e", "-" as "-2d").
    assert re.search(r"environment(\.|-2e)py(-|-2d)3(\.|-2e)12(-|-2d)linux", dockerfile)


def test_binder_installs_the_lock_before_copying_the_repository(dockerfile: str) -> None:
    pip = dockerfile.find('pip install --no-cache-dir -r "binder/requirements.txt"')
    copy = dockerfile.find("COPY --chown=0:0 src/ ${REPO_DIR}/")
    assert pip != -1, "the lock binder/requirements.txt is not installed"
    assert copy != -1
    # Before the copy: editing a lesson does not re-run the pip install (faster builds).
    assert pip < copy


def test_binder_runs_postbuild_after_copying_the_repository(dockerfile: str) -> None:
    run = dockerfile.find("RUN ./binder/postBuild")
    assert run != -1, "postBuild is not run"
    assert run > dockerfile.find("COPY --chown=0:0 src/ ${REPO_DIR}/")


def test_binder_uses_no_conda_environment_file(dockerfile: str) -> None:
    # With binder/environment.yml, repo2docker silently ignores requirements.txt.
    assert "environment.yml" not in dockerfile
    assert "env update" not in dockerfile
    for other in ("environment.yml", "Pipfile", "Dockerfile", "apt.txt", "start"):
        assert not (BINDER / other).exists(), f"binder/{other} changes what Binder builds"
    assert not (REPO / ".binder").exists()


def test_runtime_is_python_3_12() -> None:
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.12"


def _lock_pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for number, line in enumerate(LOCK.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        assert not text.startswith(("-", ".", "/", "file:")), (
            f"binder/requirements.txt:{number} is a local or option line: {line!r}"
        )
        assert " @ " not in text, f"binder/requirements.txt:{number} is a direct reference"
        requirement = text.split(";", 1)[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9._-]+)(\[[^\]]*\])?==([A-Za-z0-9.+!-]+)", requirement)
        assert match, f"binder/requirements.txt:{number} is not pinned with ==: {line!r}"
        pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(3)
    return pins


def test_lock_pins_every_line_and_has_no_local_references() -> None:
    pins = _lock_pins()
    assert len(pins) > 50
    for needed in ("jupyterlab", "ipywidgets", "altair", "papermill", "setuptools"):
        assert needed in pins, needed


def test_lock_satisfies_the_package_requirements() -> None:
    import tomllib

    from packaging.requirements import Requirement
    from packaging.version import Version

    pins = _lock_pins()
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = list(project["project"]["dependencies"])
    for extra in project["project"].get("optional-dependencies", {}).values():
        wanted += extra
    # postBuild builds the package with --no-build-isolation: the lock's setuptools.
    wanted += project["build-system"]["requires"]
    for text in wanted:
        requirement = Requirement(text)
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{requirement.name} is required but not in the lock"
        assert Version(pins[name]) in requirement.specifier, (
            f"the lock pins {name}=={pins[name]}, outside {text!r}"
        )


def test_postbuild_is_an_executable_bash_script_that_stops_on_errors() -> None:
    raw = POSTBUILD.read_bytes()
    assert b"\r" not in raw, "postBuild has Windows line endings (bash\\r: not found)"
    lines = raw.decode().splitlines()
    assert lines[0] == "#!/bin/bash"
    assert any(re.fullmatch(r"set -(e|euo pipefail)", line.strip()) for line in lines)
    assert POSTBUILD.stat().st_mode & stat.S_IXUSR, "chmod +x binder/postBuild"
    attributes = (REPO / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "binder/* text eol=lf" in attributes
    staged = subprocess.run(
        ["git", "ls-files", "-s", "binder/postBuild"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    if staged:  # once committed, git must keep the executable bit
        assert staged.startswith("100755"), staged


def _run_postbuild(tmp_path: Path, *, fail: bool) -> tuple[subprocess.CompletedProcess, list]:
    """Run postBuild with a stand-in ``python`` that records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.jsonl"
    stub = bin_dir / "python"
    stub.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"with open({str(log)!r}, 'a') as f:\n"
        "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"sys.exit({3 if fail else 0})\n",
        encoding="utf-8",
    )
    stub.chmod(0o755)
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [str(POSTBUILD)], cwd=REPO, env=environment, capture_output=True, text=True, check=False
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return done, calls


def test_postbuild_installs_the_package_then_turns_off_the_news(tmp_path: Path) -> None:
    done, calls = _run_postbuild(tmp_path, fail=False)
    assert done.returncode == 0, done.stderr
    assert calls == [
        ["-m", "pip", "install", "--no-deps", "--no-build-isolation", "-e", "."],
        ["binder/lab_settings.py"],
    ]


def test_postbuild_fails_the_build_when_a_step_fails(tmp_path: Path) -> None:
    done, calls = _run_postbuild(tmp_path, fail=True)
    assert done.returncode != 0
    assert len(calls) == 1, "postBuild went on after a failing step"


def _lab_settings(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BINDER / "lab_settings.py"), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_lab_settings_turns_off_news_in_the_prefix(tmp_path: Path) -> None:
    done = _lab_settings("--prefix", str(tmp_path))
    assert done.returncode == 0, done.stderr
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = json.loads(path.read_text(encoding="utf-8"))
    assert settings == {NOTIFICATION: {"fetchNews": "false", "checkForUpdates": False}}


def test_lab_settings_keeps_existing_overrides(tmp_path: Path) -> None:
    existing = {
        NOTIFICATION: {"doNotDisturbMode": True, "fetchNews": "true"},
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
    }
    (tmp_path / "overrides.json").write_text(json.dumps(existing), encoding="utf-8")
    done = _lab_settings("--settings-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    settings = json.loads((tmp_path / "overrides.json").read_text(encoding="utf-8"))
    assert settings == {
        NOTIFICATION: {"doNotDisturbMode": True, "fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
    }


def test_lab_settings_refuses_a_broken_file_and_leaves_it(tmp_path: Path) -> None:
    (tmp_path / "overrides.json").write_text("{not json", encoding="utf-8")
    done = _lab_settings("--settings-dir", str(tmp_path))
    assert done.returncode != 0
    assert "is not valid JSON" in done.stderr
    assert "Fix or remove it" in done.stderr
    assert (tmp_path / "overrides.json").read_text(encoding="utf-8") == "{not json"


def test_lab_settings_match_jupyterlab_schema() -> None:
    """The values written are valid for the installed JupyterLab's notification schema."""
    schema_path = (
        Path(sys.prefix) / "share/jupyter/lab/schemas/@jupyterlab/apputils-extension"
    ) / "notification.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))["properties"]
    assert "false" in [choice["const"] for choice in schema["fetchNews"]["oneOf"]]
    assert schema["checkForUpdates"]["type"] == "boolean"


def test_readme_launch_links_open_an_existing_lesson() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"https://mybinder\.org/v2/gh/[^\s)\]`]+", readme)
    assert links, "README has no Binder launch link"
    for link in links:
        target = re.search(r"urlpath=lab/tree/([^\s&#)]+)", link)
        assert target, f"the Binder link should open a lesson in JupyterLab: {link}"
        assert (REPO / target.group(1)).is_file(), f"{link} opens a file that does not exist"
        assert (REPO / target.group(1)).parent == LESSONS
