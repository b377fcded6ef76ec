"""`SensorData`: the one container every reader returns and every step passes on.

A ``SensorData`` has four parts:

``readings``
    A tidy, long table, one row per value: ``sensor_id``, ``time`` (UTC), ``variable``
    (a canonical name, see :mod:`toolkit.variables`), ``value`` (float, in the canonical
    unit) and ``unit``; plus ``channel`` where one device has two instruments (PurpleAir
    ``A`` and ``B``). Later steps add quality flags beside the values, never instead.
``sensors``
    One row per sensor: ``sensor_id`` (prefixed by the source, so unique across
    sources), ``name``, ``source``, ``latitude``, ``longitude`` [degrees, WGS 84],
    ``model``, ``location_type`` (outdoor/indoor), ``timezone`` (IANA name, or empty
    when unknown), and what else the source gives.
``ledger``
    What happened at load time, per file (:class:`toolkit.ledger.Ledger`).
``history``
    Every step that changed the data since (:class:`toolkit.history.History`).

Functions never change a ``SensorData``; they return a new one.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._errors import MissingColumnError
from .history import History, Step
from .ledger import Ledger

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import pandas as pd

__all__ = [
    "FLAG_PREFIX",
    "READING_COLUMNS",
    "SENSOR_COLUMNS",
    "SensorData",
    "concat",
    "concat_readings",
    "empty_readings",
    "empty_sensors",
    "normalise_readings",
    "normalise_sensors",
]

#: Columns every readings table has, in this order (``channel`` is optional).
READING_COLUMNS = ("sensor_id", "time", "variable", "value", "unit")
#: Columns every sensors table has, in this order; sources may add more after them.
SENSOR_COLUMNS = (
    "sensor_id",
    "name",
    "source",
    "latitude",
    "longitude",
    "model",
    "location_type",
    "timezone",
)
_CATEGORICAL = ("sensor_id", "variable", "unit", "channel")
#: Quality flags are boolean reading columns named ``flag_<rule>``: True means the rule
#: doubts the value. They sit beside the value and never replace or remove it.
FLAG_PREFIX = "flag_"


def empty_readings() -> pd.DataFrame:
    """Return an empty readings table with the right columns and types."""
    import pandas as pd

    return pd.DataFrame(
        {
            "sensor_id": pd.Categorical([], categories=pd.Index([], dtype="str")),
            "time": pd.DatetimeIndex([], tz="UTC", dtype="datetime64[ns, UTC]"),
            "variable": pd.Categorical([], categories=pd.Index([], dtype="str")),
            "value": pd.Series([], dtype="float64"),
            "unit": pd.Categorical([], categories=pd.Index([], dtype="str")),
        }
    )


def empty_sensors() -> pd.DataFrame:
    """Return an empty sensors table with the standard columns."""
    import pandas as pd

    frame = pd.DataFrame({c: pd.Series([], dtype="object") for c in SENSOR_COLUMNS})
    return frame.astype({"latitude": "float64", "longitude": "float64"})


def normalise_readings(readings: pd.DataFrame) -> pd.DataFrame:
    """Return a readings table with the standard column order and types.

    Parameters
    ----------
    readings
        A table with at least :data:`READING_COLUMNS`; ``time`` must be tz-aware.

    Returns
    -------
    pandas.DataFrame
        A new table: categorical ids, variables, units and channels; float values; times
        as ``datetime64[ns, UTC]``; a fresh 0..n-1 index.

    Raises
    ------
    MissingColumnError
        If a standard column is missing.
    """
    import pandas as pd

    missing = [c for c in READING_COLUMNS if c not in readings.columns]
    if missing:
        raise MissingColumnError(
            "A readings table lacks standard columns.",
            found=f"missing {missing}; columns are {list(readings.columns)}",
            fix="Build readings with sensor_id, time (UTC), variable, value and unit.",
        )
    # A shallow copy: pandas' copy-on-write keeps the caller's table unchanged, and a
    # table that is already in shape (as readers build it) costs nothing to pass on.
    out = readings.copy(deep=False)
    if not isinstance(out.index, pd.RangeIndex) or out.index.start != 0:
        out = out.reset_index(drop=True)
    for column in _CATEGORICAL:
        if column not in out.columns:
            continue
        if not isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype("category")
        if out[column].cat.categories.dtype != "str":
            out[column] = _str_categories(out[column].array)
    if str(out["time"].dtype) != "datetime64[ns, UTC]":
        out["time"] = pd.to_datetime(out["time"], utc=True).astype("datetime64[ns, UTC]")
    if out["value"].dtype != "float64":
        out["value"] = out["value"].astype("float64")
    extra = [c for c in out.columns if c not in READING_COLUMNS]
    order = [*READING_COLUMNS, *extra]
    return out if list(out.columns) == order else out[order]


def normalise_sensors(sensors: pd.DataFrame) -> pd.DataFrame:
    """Return a sensors table with the standard columns first, one row per sensor id."""
    out = sensors.copy()
    for column in SENSOR_COLUMNS:
        if column not in out.columns:
            out[column] = None
    out = out.astype({"latitude": "float64", "longitude": "float64"})
    extra = [c for c in out.columns if c not in SENSOR_COLUMNS]
    out = out[[*SENSOR_COLUMNS, *extra]]
    out = out.groupby("sensor_id", sort=False, dropna=False).last().reset_index()
    return out.reset_index(drop=True)


@dataclass(frozen=True, repr=False)
class SensorData:
    """Readings, sensors, ledger and history of one or more sensors (see module docstring).

    Create one with a reader (:func:`toolkit.load`, ``toolkit.readers.read_*``); every
    step returns a new ``SensorData`` and records itself in :attr:`history`.

    Examples
    --------
    >>> data = SensorData.empty()
    >>> len(data)
    0
    """

    readings: pd.DataFrame
    sensors: pd.DataFrame
    ledger: Ledger = field(default_factory=Ledger)
    history: History = field(default_factory=History)

    # -- construction -----------------------------------------------------------------
    @classmethod
    def empty(cls) -> SensorData:
        """Return a ``SensorData`` with no readings and no sensors."""
        return cls(empty_readings(), empty_sensors(), Ledger(), History())

    def replace(
        self,
        *,
        readings: pd.DataFrame | None = None,
        sensors: pd.DataFrame | None = None,
        step: Step | None = None,
    ) -> SensorData:
        """Return a new ``SensorData`` with parts replaced and ``step`` added to history.

        Parameters
        ----------
        readings, sensors
            New tables; the current ones are kept (shared, not copied) when ``None``.
        step
            The step that made the change; required whenever the readings change, so
            that nothing changes without being recorded.

        Returns
        -------
        SensorData
            A new object; this one is unchanged.
        """
        if readings is not None and step is None:
            msg = "Changing the readings needs a Step describing the change, for the history."
            raise ValueError(msg)
        history = self.history.then(step) if step is not None else self.history
        return SensorData(
            readings=self.readings if readings is None else readings,
            sensors=self.sensors if sensors is None else sensors,
            ledger=Ledger(rec.copy() for rec in self.ledger),
            history=history,
        )

    # -- looking ----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.readings)

    @property
    def variables(self) -> list[str]:
        """The canonical variables present, in order of first appearance."""
        return [str(v) for v in self.readings["variable"].drop_duplicates()]

    @property
    def sensor_ids(self) -> list[str]:
        """The sensor ids in the sensors table."""
        return [str(s) for s in self.sensors["sensor_id"]]

    @property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """First and last reading time (UTC), or ``None`` when there are no readings."""
        if self.readings.empty:
            return None
        times = self.readings["time"]
        return times.min(), times.max()

    @property
    def flag_columns(self) -> list[str]:
        """The quality-flag columns of the readings (``flag_<rule>``), in order."""
        return [c for c in self.readings.columns if str(c).startswith(FLAG_PREFIX)]

    @property
    def flagged(self) -> pd.Series:
        """Boolean Series, aligned with readings: True where any quality rule doubts a value."""
        import numpy as np
        import pandas as pd

        columns = self.flag_columns
        if not columns:
            return pd.Series(np.zeros(len(self.readings), dtype=bool), index=self.readings.index)
        return self.readings[columns].any(axis=1)

    def with_timezone(
        self,
        timezone: str,
        *,
        sensors: str | Sequence[str] | None = None,
    ) -> SensorData:
        """Say which time zone sensors are in, for local days and hours of the day.

        Readings stay in UTC; the zone decides where local days begin and end.

        Parameters
        ----------
        timezone
            IANA zone name, for example ``"Europe/Berlin"`` or ``"America/Santiago"``.
        sensors
            The sensor ids to set; every sensor when ``None``.

        Returns
        -------
        SensorData
            With the ``timezone`` column of ``sensors`` set, and the step in the history.

        Raises
        ------
        TimestampError
            If ``timezone`` is not an IANA zone name.
        """
        from ._time import check_timezone

        check_timezone(timezone)
        wanted = (
            self.sensor_ids
            if sensors is None
            else [sensors]
            if isinstance(sensors, str)
            else list(sensors)
        )
        unknown = sorted(set(wanted) - set(self.sensor_ids))
        if unknown:
            raise MissingColumnError(
                f"No sensor with id {', '.join(map(repr, unknown))} in this data.",
                found=f"sensor ids {self.sensor_ids[:10]}",
                fix="Use one of the ids in data.sensors['sensor_id'].",
            )
        table = self.sensors.copy()
        mask = table["sensor_id"].isin(wanted)
        table["timezone"] = table["timezone"].astype(object).where(~mask, timezone)
        step = Step(
            name="with_timezone",
            description=f"Set the time zone of {int(mask.sum())} sensor(s) to {timezone}.",
            parameters={"timezone": timezone, "sensors": wanted},
        )
        return SensorData(
            self.readings, table, Ledger(r.copy() for r in self.ledger), self.history.then(step)
        )

    def select(
        self,
        *,
        sensors: str | Sequence[str] | None = None,
        variables: str | Sequence[str] | None = None,
        start: Any = None,
        end: Any = None,
    ) -> SensorData:
        """Keep some sensors, variables or a time window; the filter is recorded.

        Parameters
        ----------
        sensors
            Sensor id or ids to keep; all when ``None``.
        variables
            Canonical variable name or names to keep; all when ``None``.
        start, end
            Keep readings with ``start <= time < end``. Strings or naive timestamps are
            read as UTC; give an offset (``"2024-03-01T00:00+01:00"``) for local times.

        Returns
        -------
        SensorData
            The selection, with a ``select`` step in its history. With ``sensors``, the
            sensors table lists only the chosen sensors; otherwise it is kept whole (a
            sensor with no readings in a time window is still part of the network).
        """
        import pandas as pd

        from . import variables as _variables

        mask = pd.Series(True, index=self.readings.index)
        parameters: dict[str, Any] = {}
        if sensors is not None:
            wanted = [sensors] if isinstance(sensors, str) else list(sensors)
            unknown = sorted(set(wanted) - set(self.sensor_ids))
            if unknown:
                raise MissingColumnError(
                    f"No sensor with id {', '.join(map(repr, unknown))} in this data.",
                    found=f"sensor ids {self.sensor_ids[:10]}",
                    fix="Use one of the ids in data.sensors['sensor_id'].",
                )
            mask &= self.readings["sensor_id"].isin(wanted)
            parameters["sensors"] = wanted
        if variables is not None:
            wanted_vars = [variables] if isinstance(variables, str) else list(variables)
            for name in wanted_vars:
                _variables.get(name)
            mask &= self.readings["variable"].isin(wanted_vars)
            parameters["variables"] = wanted_vars
        for name, bound in (("start", start), ("end", end)):
            if bound is None:
                continue
            stamp = pd.Timestamp(bound)
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
            mask &= (
                self.readings["time"] >= stamp
                if name == "start"
                else (self.readings["time"] < stamp)
            )
            parameters[name] = stamp.isoformat()
        kept = self.readings.loc[mask].reset_index(drop=True)
        for column in _CATEGORICAL:
            if column in kept.columns:
                kept[column] = kept[column].cat.remove_unused_categories()
        step = Step(
            name="select",
            description=f"Kept {len(kept)} of {len(self.readings)} readings.",
            parameters=parameters,
            touched=len(self.readings) - len(kept),
        )
        if sensors is None:
            return self.replace(readings=kept, step=step)
        chosen = self.sensors[self.sensors["sensor_id"].isin(parameters["sensors"])]
        return self.replace(readings=kept, sensors=chosen.reset_index(drop=True), step=step)

    def to_wide(self) -> pd.DataFrame:
        """Return the readings as a spreadsheet-like table: one column per variable.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``sensor_id`` and ``time`` (UTC); columns named
            ``"<variable> [<unit>]"``, with `` <channel>`` after the variable where a
            device has channels (``"pm25_atm A [µg/m³]"``). Where one sensor has more than
            one value for the same variable at the same time, nothing is averaged away:
            an extra index level ``duplicate`` (0, 1, ...) keeps them all.
        """
        readings = self.readings
        if readings.empty:
            import pandas as pd

            return pd.DataFrame(
                index=pd.MultiIndex.from_arrays([[], []], names=["sensor_id", "time"])
            )
        label = readings["variable"].astype(str)
        if "channel" in readings.columns:
            channel = readings["channel"].astype(str).where(readings["channel"].notna(), "")
            label = label.where(channel == "", label + " " + channel)
        label = label + " [" + readings["unit"].astype(str) + "]"
        frame = readings.assign(column=label, sensor_id=readings["sensor_id"].astype(str))
        keys = ["sensor_id", "time", "column"]
        frame["duplicate"] = frame.groupby(keys, sort=False).cumcount()
        index = ["sensor_id", "time"]
        if frame["duplicate"].max() > 0:
            index.append("duplicate")
        wide = frame.pivot(index=index, columns="column", values="value")
        wide.columns.name = None
        return wide.sort_index()

    def summary(self) -> str:
        """Return a few plain sentences: sensors, period, variables and the ledger."""
        n_sensors = len(self.sensors)
        period = self.period
        span = (
            f"from {period[0]:%Y-%m-%d %H:%M} to {period[1]:%Y-%m-%d %H:%M} UTC"
            if period
            else "no readings"
        )
        variables = ", ".join(self.variables) or "none"
        dropped = sum(sum(r.readings_dropped.values()) for r in self.ledger)
        failed = len(self.ledger.failed)
        text = (
            f"SensorData: {len(self)} readings from {n_sensors} sensor(s), {span}.\n"
            f"Variables: {variables}.\n"
            f"Loaded from {len(self.ledger)} file(s): {dropped} value(s) dropped with "
            f"reasons, {failed} file(s) failed (see .ledger).\n"
            f"{len(self.history)} step(s) since loading (see .history)."
        )
        return text

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        sensors = self.sensors[[c for c in SENSOR_COLUMNS if c in self.sensors.columns]]
        counts = (
            self.readings.groupby(["variable", "unit"], observed=True)
            .size()
            .rename("readings")
            .reset_index()
        )
        return (
            f"<div><p><b>{html.escape(self.summary().splitlines()[0])}</b></p>"
            "<details open><summary><b>Sensors</b></summary>"
            f"{sensors.head(50).to_html(index=False, na_rep='', escape=True)}</details>"
            "<details open><summary><b>Variables</b></summary>"
            f"{counts.to_html(index=False, escape=True)}</details>"
            f"{self.ledger._repr_html_()}{self.history._repr_html_()}</div>"
        )


def concat(datas: Iterable[SensorData]) -> SensorData:
    """Combine several ``SensorData`` into one (for example several files or sources).

    Parameters
    ----------
    datas
        The objects to combine. Their ledgers are joined; their histories must be equal
        (typically empty, straight after loading).

    Returns
    -------
    SensorData
        All readings, one row per sensor id (later files fill in what earlier ones left
        empty), and all ledger records.

    Raises
    ------
    ValueError
        If the histories differ: combining data processed differently would hide how.
    """
    import pandas as pd

    items = list(datas)
    if not items:
        return SensorData.empty()
    if len(items) == 1:  # nothing to combine (one file): hand it on as it is
        return items[0]
    if any(d.history != items[0].history for d in items[1:]):
        msg = (
            "Cannot combine SensorData with different histories: the result could not say "
            "how each reading was made. Combine right after loading, then process."
        )
        raise ValueError(msg)
    readings = concat_readings([d.readings for d in items])
    sensor_frames = [d.sensors for d in items if not d.sensors.empty]
    sensors = (
        normalise_sensors(pd.concat(sensor_frames, ignore_index=True))
        if sensor_frames
        else empty_sensors()
    )
    ledger = Ledger(rec.copy() for d in items for rec in d.ledger)
    return SensorData(readings, sensors, ledger, History(items[0].history))


def concat_readings(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack readings tables, joining their categories and keeping ``channel`` if any has it.

    Parameters
    ----------
    frames
        Readings tables (empty ones are skipped).

    Returns
    -------
    pandas.DataFrame
        One normalised readings table, in the order given.
    """
    import pandas as pd
    from pandas.api.types import union_categoricals

    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_readings()
    if len(frames) == 1:
        return normalise_readings(frames[0])
    has_channel = any("channel" in f.columns for f in frames)
    columns: dict[str, Any] = {}
    for column in (*READING_COLUMNS, *(("channel",) if has_channel else ())):
        parts = [
            f[column]
            if column in f.columns
            else pd.Series(pd.Categorical([None] * len(f)), index=f.index)
            for f in frames
        ]
        if column in _CATEGORICAL:
            columns[column] = union_categoricals(
                [_str_categories(pd.Categorical(p)) for p in parts], ignore_order=True
            )
        else:
            columns[column] = pd.concat(parts, ignore_index=True)
    return normalise_readings(pd.DataFrame(columns))


def _str_categories(values: pd.Categorical) -> pd.Categorical:
    """Return the categorical with text categories of one dtype, so that tables combine."""
    import pandas as pd

    if values.categories.dtype == "str":
        return values
    categories = pd.Index([str(c) for c in values.categories], dtype="str")
    return pd.Categorical.from_codes(values.codes, categories, validate=False)
