"""Settings of :mod:`toolkit.fetch`: where downloads are kept, and how patient to be.

Change them for a whole session by assignment, osmnx-style::

    from toolkit.fetch import settings
    settings.cache_folder = "/home/me/sensor-downloads"   # absolute; ~ is expanded
    settings.max_retries = 5

Every ``get_<source>`` function also takes ``cache_folder=`` and ``min_interval=`` for a
single call. The cache folder can be set outside Python too, with the environment
variable ``URBAN_TOOLKIT_CACHE`` (read at each call).

API keys are **not** settings: they are read from environment variables only (see
:mod:`toolkit.fetch`), so that they never end up in a notebook, a report or a log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "CACHE_ENV",
    "backoff",
    "cache_folder",
    "max_backoff",
    "max_retries",
    "max_retry_after",
    "timeout",
    "user_agent",
]

#: Environment variable that sets the cache folder when :data:`cache_folder` is ``None``.
CACHE_ENV = "URBAN_TOOLKIT_CACHE"

#: Folder for downloaded files. ``None`` (default): the environment variable
#: ``URBAN_TOOLKIT_CACHE`` if set, else ``urban-data-toolkit`` in the user's cache folder
#: (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS,
#: ``%LOCALAPPDATA%`` on Windows). Always made absolute, so every notebook, whatever its
#: folder, shares one cache.
cache_folder: str | Path | None = None

#: Seconds to wait for a server to answer (connect or send the next bytes).
timeout: float = 60.0

#: How many times a failed request is tried again (HTTP 429, 500, 502, 503, 504, a
#: dropped connection or a cut-short body); a request is sent at most
#: ``max_retries + 1`` times.
max_retries: int = 3

#: First wait before a retry, in seconds; it doubles at each retry (2, 4, 8 s), up to
#: :data:`max_backoff`. A server's ``Retry-After`` header replaces it.
backoff: float = 2.0

#: Longest wait between two retries, in seconds.
max_backoff: float = 60.0

#: Longest ``Retry-After`` the toolkit will sit through, in seconds; a server asking for
#: more gets a clear error ("try again later") instead of a frozen notebook.
max_retry_after: float = 300.0

#: The ``User-Agent`` header: says who is asking, as the platforms' usage policies ask.
user_agent: str = "urban-data-toolkit (Python urllib; community sensor workshop toolkit)"
