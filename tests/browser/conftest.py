"""Marker of the real-browser tests, and where their screenshots are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

#: Screenshots taken by the browser tests, listed at the end of the session.
SCREENSHOTS: list[tuple[str, Path]] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives a real JupyterLab in headless Chromium (/usr/bin/chromium)",
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the screenshots' paths even when the tests pass (their output is captured)."""
    if SCREENSHOTS:
        terminalreporter.section("browser screenshots")
        for what, path in SCREENSHOTS:
            terminalreporter.write_line(f"{what}: {path}")
