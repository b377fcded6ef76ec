"""The embedded columnar engine for big inputs: DuckDB over a Parquet dataset.

``toolkit.load`` uses it on large inputs (``engine="auto"``, or ``engine="duckdb"``):
the files are read in one DuckDB pass, the readings written to a hive-partitioned
Parquet dataset that later loads reuse, and a :class:`LazySensorData` is returned.
Nothing here is imported by ``import toolkit``; DuckDB loads on first use.

``timeseries.average`` and ``quality.check`` given a :class:`LazySensorData` run inside
DuckDB (:func:`average_lazy`, :func:`check_lazy`) with the pandas path's results; the
quality rules in :data:`PANDAS_ONLY` run on the pandas path only.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._average import average_lazy
    from ._connect import connect
    from ._dask import use_dask
    from ._ingest import ingest
    from ._lazy import LazySensorData
    from ._quality import ENGINE_RULES, PANDAS_ONLY, check_lazy

__all__ = [
    "ENGINE_RULES",
    "PANDAS_ONLY",
    "LazySensorData",
    "average_lazy",
    "check_lazy",
    "connect",
    "ingest",
    "use_dask",
]

_LAZY = {
    "LazySensorData": "toolkit.engine._lazy",
    "connect": "toolkit.engine._connect",
    "ingest": "toolkit.engine._ingest",
    "use_dask": "toolkit.engine._dask",
    "average_lazy": "toolkit.engine._average",
    "check_lazy": "toolkit.engine._quality",
    "ENGINE_RULES": "toolkit.engine._quality",
    "PANDAS_ONLY": "toolkit.engine._quality",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    msg = f"module 'toolkit.engine' has no attribute {name!r}; public names are {__all__}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)
