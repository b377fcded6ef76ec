"""A DuckDB connection configured for the toolkit: memory limit, threads, spill folder.

DuckDB keeps to ``memory_limit`` by spilling intermediate results to ``temp_dir``, so a
year of readings can be read and averaged on a machine (or a Binder session) with less
memory than the data. The limit is, in this order: the ``memory_limit=`` argument, the
environment variable ``URBAN_TOOLKIT_MEMORY`` (``"800MB"``, ``"2GB"`` or a number of
bytes), or 60 % of the memory this process may use (the cgroup limit of a container,
else the machine's RAM), capped at :data:`DEFAULT_CAP` (512 MiB: measured, 19.7 M readings in
14,321 daily files ingest with a 0.38-0.44 GB peak at this limit, and no faster at 1 GiB
(18 s and 0.45 GB against 17 s on the same idle-ish machine); well inside Binder's 2 GB).

All times are handled in UTC inside the connection (``SET TimeZone = 'UTC'``); local
days are computed with explicit zones (ICU is built into DuckDB's wheel, no download).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

__all__ = ["DEFAULT_CAP", "MEMORY_ENV", "connect", "default_memory_limit", "parse_size"]

#: Environment variable giving the memory limit (``"800MB"``, ``"2GB"``, bytes).
MEMORY_ENV = "URBAN_TOOLKIT_MEMORY"
#: Largest default memory limit [bytes]; give ``memory_limit=`` or the variable for more.
DEFAULT_CAP = 512 << 20
_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4}
_UNITS |= {"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}


def parse_size(text: str | int) -> int:
    """Return a size in bytes from ``"800MB"``, ``"2 GiB"``, ``"1.5GB"`` or a number.

    Raises
    ------
    ValueError
        If the text is not a size.
    """
    if isinstance(text, int):
        return text
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([a-zA-Z]*)\s*", str(text))
    if not match or match.group(2).lower() not in _UNITS:
        msg = f"{text!r} is not a memory size; write it like '800MB', '2GB' or 1500000000."
        raise ValueError(msg)
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _available_memory() -> int | None:
    """Return the memory this process may use [bytes]: the cgroup limit, else physical RAM."""
    for name in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(name).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:  # "max" or a huge number: no limit
            return int(text)
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None


def default_memory_limit() -> int:
    """Return the memory limit used when none is given [bytes] (see the module docstring)."""
    given = os.environ.get(MEMORY_ENV)
    if given:
        return parse_size(given)
    available = _available_memory()
    if available is None:  # pragma: no cover - not POSIX
        return DEFAULT_CAP
    return min(int(0.6 * available), DEFAULT_CAP)


def _temp_dir() -> Path:
    from ..fetch._cache import cache_folder

    folder = cache_folder() / "duckdb-spill"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def connect(
    *,
    memory_limit: str | int | None = None,
    threads: int | None = None,
    temp_dir: str | os.PathLike[str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Return a new in-memory DuckDB connection set up for the toolkit.

    Parameters
    ----------
    memory_limit
        Bytes, or a size such as ``"800MB"``; default :func:`default_memory_limit`.
    threads
        Worker threads; DuckDB's default (one per core) when ``None``.
    temp_dir
        Where DuckDB spills what does not fit in memory; default
        ``<toolkit cache>/duckdb-spill``.

    Returns
    -------
    duckdb.DuckDBPyConnection
        With ``TimeZone = 'UTC'``, the memory limit and spill folder set, and no
        extension downloads (everything used is built in).
    """
    import duckdb

    limit = parse_size(memory_limit) if memory_limit is not None else default_memory_limit()
    config: dict[str, str | int | bool] = {
        "memory_limit": f"{max(limit // (1 << 20), 64)}MiB",
        "temp_directory": str(temp_dir if temp_dir is not None else _temp_dir()),
        "autoinstall_known_extensions": False,
    }
    if threads is not None:
        config["threads"] = int(threads)
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET TimeZone = 'UTC'")
    return con
