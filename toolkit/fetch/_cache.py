"""The download cache: one absolute folder, files under their final name only when whole.

Layout: ``<cache folder>/<source>/<file>``, plus for each file a hidden note
``.<file>.source.json`` saying where it came from (the URL, without any key) and when.
A file is written to a temporary file in the same folder first and renamed when
complete, so a file under its final name is always whole. Downloads that break off
leave a hidden ``.<file>.part``, which the next attempt resumes (HTTP ``Range``) or
removes.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .._errors import ToolkitError
from . import settings

__all__ = [
    "cache_folder",
    "default_cache_folder",
    "part_path",
    "read_source_note",
    "write_atomic",
    "write_source_note",
]

_APP = "urban-data-toolkit"


def default_cache_folder() -> Path:
    """Return the platform's user cache folder for the toolkit (absolute).

    ``$XDG_CACHE_HOME/urban-data-toolkit`` (default ``~/.cache/urban-data-toolkit``) on
    Linux, ``~/Library/Caches/urban-data-toolkit`` on macOS,
    ``%LOCALAPPDATA%/urban-data-toolkit`` on Windows.
    """
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else Path.home() / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return (base / _APP).expanduser().resolve()


def cache_folder(folder: str | os.PathLike[str] | None = None) -> Path:
    """Return the cache folder to use, absolute, creating it if needed.

    Parameters
    ----------
    folder
        A folder for this call. When ``None``: ``toolkit.fetch.settings.cache_folder``,
        else the environment variable ``URBAN_TOOLKIT_CACHE``, else
        :func:`default_cache_folder`.

    Returns
    -------
    pathlib.Path
        The absolute folder (``~`` expanded, relative paths resolved against the current
        folder once, here).

    Raises
    ------
    ToolkitError
        (a ``PermissionError``) if the folder cannot be created.
    """
    chosen = folder if folder is not None else settings.cache_folder
    if chosen is None:
        chosen = os.environ.get(settings.CACHE_ENV) or None
    path = default_cache_folder() if chosen is None else Path(chosen).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _CacheError(
            "The download cache folder cannot be created.",
            file=str(path),
            found=f"{type(error).__name__}: {error.strerror or error}",
            fix="Choose a folder you can write to: toolkit.fetch.settings.cache_folder = "
            f"'/some/folder', or the environment variable {settings.CACHE_ENV}, or "
            "cache_folder=... in the call.",
        ) from None
    return path


class _CacheError(ToolkitError, PermissionError):
    """The cache folder cannot be used."""


def part_path(final: Path) -> Path:
    """Return the hidden file a download of ``final`` is written into until complete."""
    return final.with_name(f".{final.name}.part")


def _note_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.source.json")


def write_atomic(final: Path, data: bytes) -> Path:
    """Write ``data`` to ``final`` so that ``final`` is either absent or whole.

    The bytes go to a temporary file in the same folder, which is then renamed over
    ``final`` (an atomic step on every common file system). On any error the temporary
    file is removed.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(name).replace(final)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(name).unlink()
        raise
    return final


def write_source_note(final: Path, *, url: str, method: str = "GET", **extra: Any) -> None:
    """Write where ``final`` came from (``url`` must already be redacted) and when."""
    note = {
        "url": url,
        "method": method,
        "downloaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "bytes": final.stat().st_size,
        **extra,
    }
    write_atomic(_note_path(final), json.dumps(note, indent=1).encode("utf-8"))


def read_source_note(final: Path) -> dict[str, Any] | None:
    """Return the note written by :func:`write_source_note`, or ``None``."""
    try:
        note = json.loads(_note_path(final).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return note if isinstance(note, dict) else None


def downloaded_at(final: Path) -> datetime | None:
    """Return when ``final`` was downloaded (from its note, else its modification time)."""
    note = read_source_note(final)
    if note and isinstance(note.get("downloaded_at"), str):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(note["downloaded_at"])
    try:
        return datetime.fromtimestamp(final.stat().st_mtime, tz=UTC)
    except OSError:
        return None
