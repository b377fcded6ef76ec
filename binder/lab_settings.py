"""Turn off JupyterLab's news feed and update check for the workshop.

JupyterLab 4 asks every new user "Would you like to get notified about official Jupyter
news?", which covers the notebook in the middle of a lesson and, if accepted, makes
requests to jupyter.org. This script sets the defaults of the
``@jupyterlab/apputils-extension:notification`` plugin (``fetchNews = "false"``,
``checkForUpdates = false``) in JupyterLab's ``overrides.json``, keeping whatever else
that file already holds. Binder's ``postBuild`` runs it; so can anyone who installs the
workshop on a shared server::

    python binder/lab_settings.py                      # {sys.prefix}/share/jupyter/lab/settings
    python binder/lab_settings.py --prefix /opt/env    # another environment
    python binder/lab_settings.py --settings-dir DIR   # JupyterLab's --LabApp.app_settings_dir

References
----------
JupyterLab documentation, "Advanced usage: overrides.json"; the plugin's schema
``@jupyterlab/apputils-extension/notification.json`` (``fetchNews`` is one of the
strings "true", "false", "none"; ``checkForUpdates`` is a boolean).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["OVERRIDES", "main", "merge_overrides", "settings_dir"]

#: The settings this script writes, by JupyterLab plugin id.
OVERRIDES: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def settings_dir(prefix: str | Path) -> Path:
    """Return JupyterLab's application settings folder of an environment.

    Parameters
    ----------
    prefix
        The environment's ``sys.prefix``.

    Returns
    -------
    Path
        ``{prefix}/share/jupyter/lab/settings``, where JupyterLab reads ``overrides.json``.
    """
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings"


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Return ``old`` updated by ``new``, merging nested dictionaries (no mutation)."""
    merged = dict(old)
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def merge_overrides(
    folder: str | Path, *, overrides: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Merge ``overrides`` into ``folder/overrides.json`` and return the file's content.

    Parameters
    ----------
    folder
        JupyterLab's application settings folder (created if missing).
    overrides
        Settings by plugin id; default :data:`OVERRIDES`.

    Returns
    -------
    dict
        The settings now in the file: the old ones, with ``overrides`` merged in.

    Raises
    ------
    SystemExit
        When an existing ``overrides.json`` is not a JSON object: the message names the
        file and says what to do, and the file is left as it was.
    """
    path = Path(folder) / "overrides.json"
    current: dict[str, Any] = {}
    if path.exists():
        text = path.read_text(encoding="utf-8")
        try:
            current = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as error:
            raise SystemExit(
                f"{path} is not valid JSON ({error}). Fix or remove it, then run this script again."
            ) from None
        if not isinstance(current, dict):
            raise SystemExit(
                f"{path} holds a JSON {type(current).__name__}, not an object of "
                "settings by plugin id. Fix or remove it, then run this script again."
            )
    merged = _merge(current, OVERRIDES if overrides is None else overrides)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temporary file, then rename: a failed write never leaves half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".overrides-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(merged, stream, indent=2, sort_keys=True)
        stream.write("\n")
    Path(temporary).replace(path)
    return merged


def main(argv: list[str] | None = None) -> int:
    """Command line: merge the workshop's settings into JupyterLab's ``overrides.json``.

    Parameters
    ----------
    argv
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--prefix", default=sys.prefix, help="environment prefix (default: this Python's)"
    )
    where.add_argument("--settings-dir", help="JupyterLab's app_settings_dir, used as it is")
    args = parser.parse_args(argv)
    folder = Path(args.settings_dir) if args.settings_dir else settings_dir(args.prefix)
    merge_overrides(folder)
    print(f"JupyterLab news and update checks turned off in {folder / 'overrides.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
