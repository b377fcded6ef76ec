"""The readings dataset on disk: hive-partitioned Parquet plus JSON side files.

Layout of a dataset folder (written by :mod:`toolkit.engine._ingest`, read by every
engine function)::

    <folder>/
        readings/source=<source>/month=<YYYY-MM>/*.parquet
        sensors.parquet     the sensors table (same columns as SensorData.sensors)
        ledger.json         one FileRecord per input file
        history.json        the steps since loading (empty after ingest)
        manifest.json       per input file: path, size, mtime_ns, sha256, format

Readings columns: ``sensor_id VARCHAR``, ``time TIMESTAMPTZ`` (UTC, microseconds),
``variable VARCHAR``, ``value DOUBLE`` (canonical unit), ``unit VARCHAR``, ``channel
VARCHAR`` (NULL when the device has one instrument), then ``flag_<rule> BOOLEAN`` once
checked. The partition columns ``source`` and ``month`` (the UTC month of ``time``) are
only in the folder names.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from ..history import History
    from ..ledger import Ledger

__all__ = [
    "MANIFEST",
    "PARTITIONS",
    "READINGS",
    "READINGS_SCHEMA",
    "read_history",
    "read_ledger",
    "read_manifest",
    "read_sensors",
    "readings_glob",
    "sql_text",
    "write_history",
    "write_ledger",
    "write_manifest",
    "write_sensors",
]

#: Sub-folder of the readings.
READINGS = "readings"
#: Hive partition columns, in folder order.
PARTITIONS = ("source", "month")
#: Name of the manifest file.
MANIFEST = "manifest.json"
#: Readings columns and their DuckDB types, in order.
READINGS_SCHEMA = {
    "sensor_id": "VARCHAR",
    "time": "TIMESTAMPTZ",
    "variable": "VARCHAR",
    "value": "DOUBLE",
    "unit": "VARCHAR",
    "channel": "VARCHAR",
}


def sql_text(value: object) -> str:
    """Quote ``value`` as an SQL string literal (``'`` doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def readings_glob(folder: str | Path) -> str:
    """Return the glob of every readings Parquet file of the dataset in ``folder``."""
    return str(Path(folder) / READINGS / "**" / "*.parquet")


# -- ledger ---------------------------------------------------------------------------
def _record_to_json(record: Any) -> dict[str, Any]:
    out = {}
    for item in dataclasses.fields(record):
        if item.name == "exception":
            continue
        value = getattr(record, item.name)
        if item.name == "sensor_zones":
            value = {k: list(v) for k, v in value.items()}
        out[item.name] = value
    return out


def _record_from_json(entry: dict[str, Any]) -> Any:
    from ..ledger import FileRecord

    names = {f.name for f in dataclasses.fields(FileRecord)} - {"exception"}
    values = {k: v for k, v in entry.items() if k in names}
    values["sensor_zones"] = {k: tuple(v) for k, v in values.get("sensor_zones", {}).items()}
    return FileRecord(**values)


def write_ledger(folder: str | Path, ledger: Ledger) -> None:
    """Write ``ledger`` to ``<folder>/ledger.json`` (the exceptions are not kept).

    Written record by record: a year of daily files is tens of thousands of records,
    and one JSON text of them all would be a second copy of the ledger in memory.
    """
    with Path(folder, "ledger.json").open("w", encoding="utf-8") as handle:
        handle.write("[")
        for i, record in enumerate(ledger):
            if i:
                handle.write(", ")
            handle.write(json.dumps(_record_to_json(record), ensure_ascii=False))
        handle.write("]")


def read_ledger(folder: str | Path) -> Ledger:
    """Read ``<folder>/ledger.json`` into a :class:`~toolkit.ledger.Ledger`."""
    from ..ledger import Ledger

    path = Path(folder, "ledger.json")
    if not path.exists():
        return Ledger()
    return Ledger(_record_from_json(e) for e in json.loads(path.read_text(encoding="utf-8")))


# -- history --------------------------------------------------------------------------
def write_history(folder: str | Path, history: History) -> None:
    """Write ``history`` to ``<folder>/history.json`` (parameters as JSON, else text)."""
    steps = [dataclasses.asdict(step) for step in history]
    text = json.dumps(steps, ensure_ascii=False, default=str)
    Path(folder, "history.json").write_text(text, encoding="utf-8")


def read_history(folder: str | Path) -> History:
    """Read ``<folder>/history.json`` into a :class:`~toolkit.history.History`."""
    from ..history import History, Step

    path = Path(folder, "history.json")
    if not path.exists():
        return History()
    return History(Step(**s) for s in json.loads(path.read_text(encoding="utf-8")))


# -- sensors --------------------------------------------------------------------------
def write_sensors(folder: str | Path, sensors: pd.DataFrame) -> None:
    """Write the sensors table to ``<folder>/sensors.parquet``.

    Columns of mixed or object type are written as text (``None`` stays missing), so
    that any source's extra columns can be stored.
    """
    table = sensors.copy()
    for column in table.columns:
        if table[column].dtype == object or str(table[column].dtype) in ("str", "string"):
            table[column] = table[column].map(lambda v: None if _missing(v) else str(v))
            table[column] = table[column].astype(object)
    table.to_parquet(Path(folder, "sensors.parquet"), index=False)


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT, pd.NA
    except (TypeError, ValueError):
        return False


def read_sensors(folder: str | Path) -> pd.DataFrame:
    """Read ``<folder>/sensors.parquet`` into a sensors table (standard columns first)."""
    import pandas as pd

    from ..sensordata import empty_sensors, normalise_sensors

    path = Path(folder, "sensors.parquet")
    if not path.exists():
        return empty_sensors()
    table = pd.read_parquet(path)
    for column in table.columns:  # text with gaps as object with None, as readers give
        if str(table[column].dtype) in ("str", "string") and table[column].isna().any():
            table[column] = table[column].astype(object).where(table[column].notna(), None)
    return normalise_sensors(table) if len(table) else empty_sensors()


# -- manifest -------------------------------------------------------------------------
def write_manifest(folder: str | Path, entries: list[dict[str, Any]], **extra: Any) -> None:
    """Write ``<folder>/manifest.json``: the input files and the options they were read with."""
    payload = {"version": 1, **extra, "files": entries}
    Path(folder, MANIFEST).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    """Return the manifest of the dataset in ``folder``, or ``None`` when there is none."""
    path = Path(folder, MANIFEST)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
