"""Errors of :mod:`toolkit.fetch`: each says what failed, what was found, and what to do.

They subclass the toolkit's :class:`~toolkit._errors.ToolkitError` and a built-in, so
``except ConnectionError`` / ``except PermissionError`` in user code keep working. No
message ever contains an API key: everything shown is passed through
:func:`toolkit.fetch._keys.redact` first.
"""

from __future__ import annotations

from .._errors import ToolkitError

__all__ = ["ApiKeyError", "FetchError", "OfflineError"]

#: Appended to every "cannot download" fix: there is always a way to keep working.
BUNDLED_DATA_HINT = (
    "To keep working without it, use the bundled teaching data: see toolkit.datasets "
    "(it needs no internet and no key)."
)


class FetchError(ToolkitError, ConnectionError):
    """A download failed: the server refused it, kept failing, or sent a cut-short file."""


class OfflineError(FetchError):
    """The server cannot be reached at all: no internet, or the name cannot be looked up."""


class ApiKeyError(ToolkitError, PermissionError):
    """An API key is missing from its environment variable, or the platform refused it."""
