"""A real JupyterLab, in a real headless browser, runs lesson 1 and shows its chart and widget.

This is what a workshop participant does on Binder: open the lesson, Run > Run All Cells,
and look. The test starts ``jupyter lab`` from this environment on 127.0.0.1 (no token,
all settings, workspaces, checkpoints and runtime files in a temporary folder, news and
autosave off), drives Debian's Chromium through Playwright (no browser download), and
checks what is on the page:

- every code cell ran, and the only error outputs are in cells tagged
  ``raises-exception`` (each rendered, with the toolkit error's name);
- an Altair chart was drawn: a ``.vega-embed`` with an SVG or canvas inside (the offline
  interactive renderer), or an inline SVG image (the static fallback); which one is
  printed;
- an ipywidgets control was drawn (not the "Loading widget..." placeholder or an
  "Error displaying widget" message);
- JupyterLab's news pop-up did not appear (the overrides of binder/lab_settings.py);
- the lesson file on disk is unchanged (nothing saved its outputs).

A full-page screenshot is saved and its path printed (copied to ``$CI_ARTIFACTS`` too,
when that is set). Without /usr/bin/chromium the test is skipped, except under CI
(``CI`` set), where it fails: CI installs Chromium in .ci/run.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import SCREENSHOTS

REPO = Path(__file__).resolve().parents[2]
LESSON = Path("lessons") / "01-your-sensor-your-file.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KERNEL_READY_S = 120
RUN_ALL_S = 240
RENDER_S = 60
NEWS_QUESTION = "Would you like to get notified about official Jupyter news?"

pytestmark = pytest.mark.browser


def _chromium() -> Path:
    if CHROMIUM.is_file():
        return CHROMIUM
    message = (
        f"{CHROMIUM} not found: install it with "
        "`apt-get install --no-install-recommends chromium` (as root)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the real-browser test, but {message}")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lab_settings_module() -> Any:
    spec = importlib.util.spec_from_file_location("lab_settings", REPO / "binder/lab_settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start JupyterLab on a free local port; yield its base URL; stop it afterwards."""
    _chromium()  # skip or fail before starting a server for nothing
    home = tmp_path_factory.mktemp("jupyterlab")
    app_settings = home / "app-settings"
    lab_settings = _lab_settings_module()
    lab_settings.merge_overrides(app_settings)  # news off, exactly as Binder does
    lab_settings.merge_overrides(
        app_settings,
        overrides={
            # Never write outputs back into the committed lesson.
            "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
            # Render every cell, so the page (and the screenshot) holds the whole lesson.
            "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
        },
    )
    port = _free_port()
    environment = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={REPO}",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.app_settings_dir={app_settings}",
        f"--LabApp.user_settings_dir={home / 'user-settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        # An absolute path: checkpoints go here, not into lessons/.ipynb_checkpoints.
        f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}",
        # No requests to PyPI from the extension manager.
        "--LabApp.extension_manager=readonly",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
        command.append("--allow-root")
    log_path = home / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=home, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(f"jupyter lab exited ({server.returncode}):\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/api/status", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer in 90 s:\n{log_path.read_text()}")
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        print(f"\nJupyterLab log: {log_path}")


KERNEL_READY_JS = """
() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const context = panel && panel.sessionContext;
  const kernel = context && context.session && context.session.kernel;
  return Boolean(context && context.isReady && kernel && kernel.status === 'idle'
                 && kernel.connectionStatus === 'connected' && panel.content);
}
"""

STATE_JS = """
() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) { return null; }
  const session = panel.sessionContext.session;
  const kernel = session && session.kernel ? session.kernel.status : null;
  const cells = panel.content.widgets.map((cell, index) => {
    const model = cell.model;
    const code = model.type === 'code';
    const prompt = cell.node.querySelector('.jp-InputPrompt');
    return {
      index,
      type: model.type,
      tags: (model.getMetadata && model.getMetadata('tags')) || [],
      count: code ? model.executionCount : null,
      state: code && model.executionState ? model.executionState : null,
      prompt: prompt ? prompt.textContent.trim() : '',
      outputs: code ? model.outputs.toJSON().map(o => ({
        type: o.output_type, ename: o.ename || null, name: o.name || null,
      })) : [],
      stderr: Array.from(cell.node.querySelectorAll(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
      )).map(node => node.textContent),
    };
  });
  return {kernel, cells};
}
"""


def _finished(state: dict | None) -> bool:
    if not state or state["kernel"] != "idle":
        return False
    code = [c for c in state["cells"] if c["type"] == "code"]
    return bool(code) and all(
        c["count"] is not None and c["state"] != "running" and "*" not in c["prompt"] for c in code
    )


def _keep(path: Path, what: str) -> None:
    """Print where a screenshot is; copy it to $CI_ARTIFACTS when that is set."""
    print(f"\nScreenshot of {what}: {path}")
    SCREENSHOTS.append((f"Screenshot of {what}", path))
    artifacts = os.environ.get("CI_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(artifacts) / path.name)
        print(f"  copied to {Path(artifacts) / path.name}")
        SCREENSHOTS.append(("  copied to $CI_ARTIFACTS", Path(artifacts) / path.name))


def _screenshot(page: Any, path: Path) -> None:
    """Grow the window to the notebook's height, then take a full-page screenshot."""
    height = page.evaluate(
        "() => { const n = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');"
        " if (!n) { return 0; } n.scrollTop = 0; return n.scrollHeight; }"
    )
    # Chromium draws at most about 16,000 pixels in one picture: the rest is cut off.
    page.set_viewport_size({"width": 1280, "height": max(900, min(int(height) + 200, 16000))})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(path), full_page=True)
    _keep(path, "lesson 1 in JupyterLab")


def _screenshot_cell(page: Any, selector: str, path: Path, what: str) -> None:
    """Screenshot the first cell holding ``selector``, if there is one."""
    cell = page.locator(f".jp-Notebook .jp-Cell:has({selector})").first
    if cell.count():
        cell.scroll_into_view_if_needed()
        cell.screenshot(path=str(path))
        _keep(path, what)


def test_lesson_one_runs_in_jupyterlab_with_chart_and_widget(
    jupyterlab: str, tmp_path: Path
) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    lesson_file = REPO / LESSON
    before = hashlib.sha256(lesson_file.read_bytes()).hexdigest()
    checkpoints = REPO / "lessons" / ".ipynb_checkpoints"
    checkpoints_before = sorted(checkpoints.iterdir()) if checkpoints.is_dir() else []
    console: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(_chromium()), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda error: console.append(f"page error: {error}"))
            page.on(
                "console",
                lambda m: (
                    console.append(f"console {m.type}: {m.text}") if m.type == "error" else None
                ),
            )
            workspace = f"test-{uuid.uuid4().hex[:8]}"
            page.goto(f"{jupyterlab}/lab/workspaces/{workspace}/tree/{LESSON.as_posix()}?reset")
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']",
                timeout=KERNEL_READY_S * 1000,
            )
            # The indicator shows "idle" before the kernel is connected: wait for that too,
            # or Run All finds no kernel and quietly runs nothing.
            page.wait_for_function(KERNEL_READY_JS, timeout=KERNEL_READY_S * 1000)
            started = time.monotonic()
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            # The command's promise settles at the first error (even an expected one),
            # so wait for the cells themselves: all numbered, none queued, kernel idle.
            state = None
            while time.monotonic() - started < RUN_ALL_S:
                page.wait_for_timeout(1000)
                state = page.evaluate(STATE_JS)
                if _finished(state) and time.monotonic() - started > 3:
                    break
            seconds = time.monotonic() - started
            print(f"\nLesson 1 ran in JupyterLab in {seconds:.0f} s")
            if not _finished(state):
                _screenshot(page, tmp_path / "lesson-01-unfinished.png")
                code = [c for c in (state or {}).get("cells", []) if c["type"] == "code"]
                pytest.fail(
                    f"lesson 1 did not finish within {RUN_ALL_S} s (kernel "
                    f"{state and state['kernel']}); code cells as [index, prompt]: "
                    f"{[[c['index'], c['prompt']] for c in code]}\n" + "\n".join(console[-20:])
                )
            # Widgets and charts render after their outputs arrive: give them time.
            chart_selector = ".vega-embed svg, .vega-embed canvas"
            svg_selector = ".jp-OutputArea-output[data-mime-type='image/svg+xml'] svg"
            control_selector = ", ".join(
                f".jp-OutputArea-output {c}"
                for c in (
                    ".widget-dropdown select",
                    ".widget-select select",
                    ".widget-slider",
                    ".widget-toggle-buttons",
                    ".widget-radio-box",
                    ".widget-button",
                    ".widget-checkbox",
                )
            )
            try:
                page.wait_for_selector(f"{chart_selector}, {svg_selector}", timeout=RENDER_S * 1000)
                page.wait_for_selector(control_selector, timeout=RENDER_S * 1000)
            except PlaywrightTimeout:  # report below what the page does show
                pass
            page.wait_for_timeout(2000)
            _screenshot(page, tmp_path / "lesson-01.png")
            _screenshot_cell(page, ".vega-embed", tmp_path / "lesson-01-chart.png", "the chart")
            widget_png = tmp_path / "lesson-01-widget.png"
            _screenshot_cell(page, ".widget-dropdown, .widget-slider", widget_png, "a widget")
            seen = page.evaluate(
                """([chart, svg, control, question]) => {
                  const visible = (n) => { const r = n.getBoundingClientRect();
                                            return r.width > 20 && r.height > 20; };
                  const text = document.body.innerText;
                  return {
                    charts: Array.from(document.querySelectorAll(chart)).filter(visible).length,
                    svgs: Array.from(document.querySelectorAll(svg)).filter(visible).length,
                    controls: Array.from(document.querySelectorAll(control)).length,
                    loading: (text.match(/Loading widget\\.\\.\\./g) || []).length,
                    widget_errors: (text.match(/Error displaying widget/g) || []).length,
                    script_errors: (text.match(/Error loading script/g) || []).length,
                    news: text.includes(question),
                  };
                }""",
                [chart_selector, svg_selector, control_selector, NEWS_QUESTION],
            )
        finally:
            browser.close()
    if console:
        print("Browser console errors:\n" + "\n".join(console[-30:]))

    # Every code cell ran; errors only where the lesson means them, and they show.
    cells = state["cells"]
    meant = {c["index"] for c in cells if "raises-exception" in c["tags"]}
    failed = {c["index"]: c for c in cells if any(o["type"] == "error" for o in c["outputs"])}
    assert meant, "lesson 1 should have a cell meant to fail (tagged raises-exception)"
    assert set(failed) == meant, (
        f"cells with errors {sorted(failed)}, cells meant to fail {sorted(meant)}:\n"
        + json.dumps([failed[i] for i in sorted(set(failed) - meant)], indent=1)[:3000]
    )
    for index in meant:
        ename = next(o["ename"] for o in failed[index]["outputs"] if o["type"] == "error")
        assert any(ename in text for text in failed[index]["stderr"]), (
            f"the {ename} of cell {index} is not shown on the page"
        )

    # A chart and a widget were drawn.
    renderer = "interactive (vega-embed)" if seen["charts"] else "static SVG"
    print(f"Charts drawn: {seen['charts']} interactive, {seen['svgs']} static SVG -> {renderer}")
    assert seen["charts"] + seen["svgs"] > 0, "no Altair chart was drawn"
    assert seen["script_errors"] == 0, "a chart tried to load its scripts from the internet"
    assert seen["controls"] > 0, "no ipywidgets control was drawn"
    assert seen["loading"] == 0, "a widget is stuck at 'Loading widget...'"
    assert seen["widget_errors"] == 0, "a widget could not be displayed"
    assert not seen["news"], "JupyterLab's news pop-up appeared (binder/lab_settings.py)"

    # Nothing was saved into the repository.
    assert hashlib.sha256(lesson_file.read_bytes()).hexdigest() == before
    assert (sorted(checkpoints.iterdir()) if checkpoints.is_dir() else []) == checkpoints_before
