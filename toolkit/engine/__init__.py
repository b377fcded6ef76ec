"""The embedded columnar engine for big inputs: DuckDB over a Parquet dataset.

``toolkit.load`` uses it on large inputs (``engine="auto"``, or ``engine="duckdb"``):
the files are read in one DuckDB pass, the readings written to a hive-partitioned
Parquet dataset that later loads reuse, and a :class:`LazySensorData` is returned.
Nothing here is imported by ``import toolkit``; DuckDB loads on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._connect import connect
    from ._ingest import ingest
    from ._lazy import LazySensorData

__all__ = ["LazySensorData", "connect", "ingest"]

_LAZY = {
    "LazySensorData": "toolkit.engine._lazy",
    "connect": "toolkit.engine._connect",
    "ingest": "toolkit.engine._ingest",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    msg = f"module 'toolkit.engine' has no attribute {name!r}; public names are {__all__}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)
