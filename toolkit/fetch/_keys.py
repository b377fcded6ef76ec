"""API keys: read from environment variables only, and never shown.

A key is read at the moment a request is sent, from the environment variable named in
:data:`KEY_VARIABLES`, and goes into a request *header*, never into a URL. It is not a
parameter of any function, not stored in any object, file name, cached file, log line,
ledger note or error message: every text the fetchers show passes through
:func:`redact`.

Setting a key so that it is not saved anywhere:

* in a terminal, before starting Jupyter: ``export PURPLEAIR_API_KEY=...``
  (Windows PowerShell: ``$env:PURPLEAIR_API_KEY = "..."``);
* in a notebook, typed into a hidden prompt::

      import getpass, os
      os.environ["PURPLEAIR_API_KEY"] = getpass.getpass("PurpleAir API key: ")

* ``%env PURPLEAIR_API_KEY=...`` in a notebook cell also works, but the key is then
  written in the notebook: delete the cell before saving or sharing it.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from ._errors import BUNDLED_DATA_HINT, ApiKeyError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["KEY_VARIABLES", "REDACTED", "Secret", "api_key", "how_to_set", "redact"]

#: Source -> the environment variable its API key is read from.
KEY_VARIABLES: dict[str, str] = {
    "openaq": "OPENAQ_API_KEY",
    "purpleair": "PURPLEAIR_API_KEY",
    "telraam": "TELRAAM_API_KEY",
}
#: Where each platform hands out keys (free for personal and educational use).
_WHERE = {
    "openaq": "an OpenAQ account (https://explore.openaq.org, account settings)",
    "purpleair": "the PurpleAir developer portal (https://develop.purpleair.com); use a READ key",
    "telraam": "your Telraam account (https://telraam.net)",
}
_NAMES = {"openaq": "OpenAQ", "purpleair": "PurpleAir", "telraam": "Telraam"}
#: What a key is replaced with wherever text is shown.
REDACTED = "***"
# Query parameters that carry secrets on some APIs; their values are always hidden.
_SECRET_PARAMS = re.compile(r"(?i)([?&](?:api_?key|key|token|access_token)=)[^&#\s]*")
_SHORTEST_SECRET = 4


class Secret(str):
    """A key: an ordinary string to send, but ``'***'`` when represented.

    Debuggers, verbose tracebacks and ``repr`` of a headers dictionary show ``'***'``.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(REDACTED)


def how_to_set(variable: str) -> str:
    """Return the ways to set ``variable`` without saving the key in a notebook."""
    return (
        f"set the environment variable {variable}. In a terminal before starting Jupyter: "
        f"export {variable}=your-key. In a notebook, without saving the key: "
        f'import getpass, os; os.environ["{variable}"] = getpass.getpass(). '
        f"(%env {variable}=your-key also works, but delete that cell before saving.)"
    )


def api_key(source: str) -> Secret:
    """Return the API key of ``source`` from its environment variable.

    Parameters
    ----------
    source
        ``"openaq"``, ``"purpleair"`` or ``"telraam"``.

    Returns
    -------
    Secret
        The key (a ``str`` whose ``repr`` hides it), without surrounding spaces or quotes.

    Raises
    ------
    ApiKeyError
        If the variable is not set or empty; the message names the variable, says how to
        set it and points to the bundled teaching data.
    """
    variable = KEY_VARIABLES[source]
    value = os.environ.get(variable, "").strip().strip("'\"").strip()
    if not value:
        raise ApiKeyError(
            f"Downloading from {_NAMES[source]} needs an API key, and none is set.",
            found=f"the environment variable {variable} is "
            + ("empty" if variable in os.environ else "not set"),
            fix=f"Get a free key from {_WHERE[source]}, then {how_to_set(variable)} "
            "Never write the key into a notebook or a script. " + BUNDLED_DATA_HINT,
        )
    return Secret(value)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with every secret, and secret-looking URL parameters, hidden.

    Parameters
    ----------
    text
        Any text about to be shown, logged or written (a URL, a message, a server reply).
    secrets
        The key values to hide; strings shorter than 4 characters are ignored.

    Examples
    --------
    >>> redact("https://x.org/a?api_key=abc123&page=2")
    'https://x.org/a?api_key=***&page=2'
    >>> redact("refused key 5A6B-77", ["5A6B-77"])
    'refused key ***'
    """
    out = _SECRET_PARAMS.sub(lambda m: m.group(1) + REDACTED, str(text))
    for secret in secrets:
        if secret and len(secret) >= _SHORTEST_SECRET:
            out = out.replace(secret, REDACTED)
    return out
