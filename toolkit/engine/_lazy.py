"""`LazySensorData`: a `SensorData` whose readings stay in a Parquet dataset on disk.

:func:`toolkit.load` returns one for large inputs (see ``engine=``). It has the parts of
:class:`toolkit.SensorData` that analyses use: ``sensors``, ``ledger`` and ``history``
are the same (small, in memory); the readings are not loaded but described by
:attr:`~LazySensorData.readings_glob` (the Parquet files) and
:attr:`~LazySensorData.where` (an SQL filter: what ``select`` kept). ``select`` and
``with_timezone`` return new objects and record their step in the history, as on
``SensorData``; ``quality.check`` and ``timeseries.average`` run inside DuckDB when
given one. :meth:`~LazySensorData.to_pandas` makes a ``SensorData`` of a small
selection.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import MissingColumnError
from ..history import History, Step
from ..ledger import Ledger
from ._dataset import PARTITIONS, sql_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    import duckdb
    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["LazySensorData", "shared_connection"]


@functools.lru_cache(maxsize=1)
def shared_connection() -> duckdb.DuckDBPyConnection:
    """Return the process's DuckDB connection for small queries (made on first use)."""
    from ._connect import connect

    return connect()


def _listed(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(sql_text(v) for v in values)})"


@dataclass(frozen=True, repr=False, eq=False)
class LazySensorData:
    """Readings in a Parquet dataset, with sensors, ledger and history in memory.

    Attributes
    ----------
    readings_glob
        Glob of the readings Parquet files (hive-partitioned by ``source`` and
        ``month``; see :mod:`toolkit.engine._dataset`).
    sensors
        One row per sensor, as :attr:`toolkit.SensorData.sensors`.
    ledger
        What happened to every file at load time.
    history
        Every step since loading.
    where
        SQL condition on the readings columns that the object's readings satisfy
        (``""``: all of them); built by :meth:`select`.
    folder
        The dataset folder (``None`` for a derived dataset without one).

    Notes
    -----
    Times are UTC (``TIMESTAMPTZ``), values in canonical units, as in ``SensorData``.
    """

    readings_glob: str
    sensors: pd.DataFrame
    ledger: Ledger = field(default_factory=Ledger)
    history: History = field(default_factory=History)
    where: str = ""
    folder: Path | None = None

    #: Tells dispatching functions which engine holds the readings.
    engine = "duckdb"

    # -- construction -----------------------------------------------------------------
    @classmethod
    def open(cls, folder: str | Path) -> LazySensorData:
        """Open the dataset in ``folder`` (written by :func:`toolkit.engine.ingest`)."""
        from ._dataset import read_history, read_ledger, read_sensors, readings_glob

        folder = Path(folder)
        return cls(
            readings_glob(folder),
            read_sensors(folder),
            read_ledger(folder),
            read_history(folder),
            "",
            folder,
        )

    def _with(self, **changes: Any) -> LazySensorData:
        import dataclasses

        changes.setdefault("ledger", Ledger(r.copy() for r in self.ledger))
        return dataclasses.replace(self, **changes)

    # -- the readings, in DuckDB ------------------------------------------------------
    def source_sql(self) -> str:
        """Return the SQL of the readings table (unfiltered): a ``read_parquet`` of the glob."""
        return f"read_parquet({sql_text(self.readings_glob)}, hive_partitioning = true)"

    def sql(self) -> str:
        """Return the SQL ``SELECT`` of the readings, :attr:`where` applied, no partitions.

        Columns: ``sensor_id, time, variable, value, unit, channel`` and any
        ``flag_<rule>`` columns.
        """
        hidden = ", ".join(sql_text(p) for p in PARTITIONS)
        query = f"SELECT COLUMNS(lambda c: c NOT IN ({hidden})) FROM {self.source_sql()}"
        return f"{query} WHERE {self.where}" if self.where else query

    def _ordered_sql(self) -> str:
        """Return the SQL of the readings sorted by sensor, time, variable and channel.

        Rows that tie (two identical repeats) keep the dataset's reading order (file,
        then row within the file), so which of them a rule flagged stays where it was.
        """
        hidden = ", ".join(sql_text(p) for p in (*PARTITIONS, "filename", "file_row_number"))
        source = (
            f"read_parquet({sql_text(self.readings_glob)}, hive_partitioning = true, "
            "filename = true, file_row_number = true)"
        )
        inner = f"SELECT * FROM {source}" + (f" WHERE {self.where}" if self.where else "")
        return (
            f"SELECT COLUMNS(lambda c: c NOT IN ({hidden})) FROM ({inner}) "
            "ORDER BY sensor_id, time, variable, channel, filename, file_row_number"
        )

    def relation(self, con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyRelation:
        """Return the readings as a DuckDB relation on ``con``, with the filters applied.

        Parameters
        ----------
        con
            A connection (:func:`toolkit.engine.connect`); the shared one when ``None``.
        """
        return (con or shared_connection()).sql(self.sql())

    def _scalar(self, query: str) -> Any:
        return shared_connection().execute(query).fetchall()[0][0]  # type: ignore[index]

    def _has_files(self) -> bool:
        import glob

        return bool(glob.glob(self.readings_glob, recursive=True))

    # -- looking ----------------------------------------------------------------------
    @functools.cached_property
    def _count(self) -> int:
        if not self._has_files():
            return 0
        return int(self._scalar(f"SELECT count(*) FROM ({self.sql()})"))

    def __len__(self) -> int:
        return self._count

    @property
    def variables(self) -> list[str]:
        """The canonical variables present, in order of their first reading in time."""
        if not self._has_files():
            return []
        rows = (
            shared_connection()
            .execute(
                f"SELECT variable, min(time) AS first FROM ({self.sql()}) "
                "GROUP BY variable ORDER BY first, variable"
            )
            .fetchall()
        )
        return [str(r[0]) for r in rows]

    @property
    def sensor_ids(self) -> list[str]:
        """The sensor ids in the sensors table."""
        return [str(s) for s in self.sensors["sensor_id"]]

    @property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """First and last reading time (UTC), or ``None`` when there are no readings."""
        import pandas as pd

        if not self._has_files():
            return None
        first, last = (
            shared_connection()
            .execute(f"SELECT min(time), max(time) FROM ({self.sql()})")
            .fetchall()[0]
        )
        if first is None:
            return None
        return pd.Timestamp(first).tz_convert("UTC"), pd.Timestamp(last).tz_convert("UTC")

    @property
    def columns(self) -> list[str]:
        """The readings columns (``sensor_id, time, variable, value, unit, channel``, flags)."""
        if not self._has_files():
            return ["sensor_id", "time", "variable", "value", "unit", "channel"]
        return [str(r[0]) for r in shared_connection().execute(f"DESCRIBE {self.sql()}").fetchall()]

    @property
    def flag_columns(self) -> list[str]:
        """The quality-flag columns of the readings (``flag_<rule>``), in order."""
        from ..sensordata import FLAG_PREFIX

        return [c for c in self.columns if c.startswith(FLAG_PREFIX)]

    # -- steps ------------------------------------------------------------------------
    def _check_sensors(self, wanted: list[str]) -> None:
        unknown = sorted(set(wanted) - set(self.sensor_ids))
        if unknown:
            raise MissingColumnError(
                f"No sensor with id {', '.join(map(repr, unknown))} in this data.",
                found=f"sensor ids {self.sensor_ids[:10]}",
                fix="Use one of the ids in data.sensors['sensor_id'].",
            )

    def with_timezone(
        self, timezone: str, *, sensors: str | Sequence[str] | None = None
    ) -> LazySensorData:
        """Say which time zone sensors are in, for local days and hours of the day.

        As :meth:`toolkit.SensorData.with_timezone`: readings stay in UTC; the
        ``timezone`` column of ``sensors`` is set and the step recorded. This object is
        not changed.

        Raises
        ------
        TimestampError
            If ``timezone`` is not an IANA zone name.
        MissingColumnError
            If a sensor id is not in the data.
        """
        from .._time import check_timezone

        check_timezone(timezone)
        wanted = self.sensor_ids if sensors is None else _listed(sensors)
        self._check_sensors(wanted)
        table = self.sensors.copy()
        mask = table["sensor_id"].isin(wanted)
        table["timezone"] = table["timezone"].astype(object).where(~mask, timezone)
        step = Step(
            name="with_timezone",
            description=f"Set the time zone of {int(mask.sum())} sensor(s) to {timezone}.",
            parameters={"timezone": timezone, "sensors": wanted},
        )
        return self._with(sensors=table, history=self.history.then(step))

    def select(
        self,
        *,
        sensors: str | Sequence[str] | None = None,
        variables: str | Sequence[str] | None = None,
        start: Any = None,
        end: Any = None,
    ) -> LazySensorData:
        """Keep some sensors, variables or a time window; the filter is recorded.

        Same parameters and meaning as :meth:`toolkit.SensorData.select` (``start <=
        time < end``; naive bounds are UTC). Nothing is read or written: the filter is
        added to :attr:`where`. Counting the readings kept for the history runs one
        query on the dataset.

        Returns
        -------
        LazySensorData
            With a ``select`` step in its history; with ``sensors``, the sensors table
            lists only the chosen sensors.
        """
        import pandas as pd

        from .. import variables as _variables

        conditions = [self.where] if self.where else []
        parameters: dict[str, Any] = {}
        if sensors is not None:
            wanted = _listed(sensors)
            self._check_sensors(wanted)
            conditions.append(_in("sensor_id", wanted))
            parameters["sensors"] = wanted
        if variables is not None:
            wanted_vars = _listed(variables)
            for name in wanted_vars:
                _variables.get(name)
            conditions.append(_in("variable", wanted_vars))
            parameters["variables"] = wanted_vars
        for name, bound in (("start", start), ("end", end)):
            if bound is None:
                continue
            stamp = pd.Timestamp(bound)
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
            literal = f"TIMESTAMPTZ {sql_text(stamp.isoformat())}"
            conditions.append(f"time >= {literal}" if name == "start" else f"time < {literal}")
            parameters[name] = stamp.isoformat()
        where = " AND ".join(f"({c})" for c in conditions)
        chosen = self._with(where=where)
        before, kept = len(self), len(chosen)
        step = Step(
            name="select",
            description=f"Kept {kept} of {before} readings.",
            parameters=parameters,
            touched=before - kept,
        )
        table = self.sensors
        if sensors is not None:
            table = table[table["sensor_id"].isin(parameters["sensors"])].reset_index(drop=True)
        return chosen._with(sensors=table, history=self.history.then(step), ledger=chosen.ledger)

    # -- converting -------------------------------------------------------------------
    def to_pandas(self, *, max_readings: int | None = 50_000_000) -> SensorData:
        """Load the (selected) readings into a :class:`toolkit.SensorData`.

        Parameters
        ----------
        max_readings
            Refuse to load more readings than this (they might not fit in memory);
            ``None`` for no limit. Select sensors, variables or a period first.

        Returns
        -------
        SensorData
            Readings sorted by sensor, time, variable (and channel), with the same
            sensors, ledger and history.

        Raises
        ------
        MemoryError
            With the count and what to do, when there are more than ``max_readings``.
        """
        import pandas as pd

        from ..sensordata import SensorData, empty_readings, normalise_readings

        n = len(self)
        if max_readings is not None and n > max_readings:
            msg = (
                f"{n} readings are more than max_readings={max_readings}: loading them "
                "into pandas may not fit in memory. Select fewer sensors, variables or a "
                "shorter period first (data.select(...)), or give max_readings=None."
            )
            raise MemoryError(msg)
        if n == 0:
            readings = empty_readings()
        else:
            query = self._ordered_sql()
            frame = shared_connection().sql(query).to_arrow_table().to_pandas()
            if "channel" in frame.columns and frame["channel"].isna().all():
                frame = frame.drop(columns="channel")
            frame["time"] = pd.to_datetime(frame["time"], utc=True).astype("datetime64[ns, UTC]")
            readings = normalise_readings(frame)
        return SensorData(
            readings, self.sensors.copy(), Ledger(r.copy() for r in self.ledger), self.history
        )

    # -- display ----------------------------------------------------------------------
    def summary(self) -> str:
        """Return a few plain sentences: sensors, period, variables and the ledger."""
        period = self.period
        span = (
            f"from {period[0]:%Y-%m-%d %H:%M} to {period[1]:%Y-%m-%d %H:%M} UTC"
            if period
            else "no readings"
        )
        dropped = sum(sum(r.readings_dropped.values()) for r in self.ledger)
        return (
            f"LazySensorData: {len(self)} readings from {len(self.sensors)} sensor(s), "
            f"{span}.\nVariables: {', '.join(self.variables) or 'none'}.\n"
            f"Loaded from {len(self.ledger)} file(s): {dropped} value(s) dropped with "
            f"reasons, {len(self.ledger.failed)} file(s) failed (see .ledger).\n"
            f"Readings kept on disk: {self.readings_glob} (DuckDB engine).\n"
            f"{len(self.history)} step(s) since loading (see .history)."
        )

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        from ..sensordata import SENSOR_COLUMNS

        sensors = self.sensors[[c for c in SENSOR_COLUMNS if c in self.sensors.columns]]
        if self._has_files():
            counts = (
                shared_connection()
                .sql(
                    f"SELECT variable, unit, count(*) AS readings FROM ({self.sql()}) "
                    "GROUP BY ALL ORDER BY variable, unit"
                )
                .df()
            )
            table = counts.to_html(index=False, escape=True)
        else:
            table = "<p>no readings</p>"
        return (
            f"<div><p><b>{html.escape(self.summary().splitlines()[0])}</b></p>"
            "<details open><summary><b>Sensors</b></summary>"
            f"{sensors.head(50).to_html(index=False, na_rep='', escape=True)}</details>"
            f"<details open><summary><b>Variables</b></summary>{table}</details>"
            f"{self.ledger._repr_html_()}{self.history._repr_html_()}</div>"
        )
