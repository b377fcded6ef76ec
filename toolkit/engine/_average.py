"""``timeseries.average`` inside DuckDB, for readings kept in a Parquet dataset.

The rules are those of :mod:`toolkit.timeseries._average` (read its docstring first);
this module computes the same numbers without bringing the readings into pandas:

1. **Cadence** of each series (sensor, variable, channel): the median step between
   consecutive readings, over at most ``_CADENCE_SAMPLE`` steps spread evenly over the
   series, exactly as the pandas path samples them (the ``k``-th step, counting from 0,
   is used when ``k % stride == 0``, ``stride = max(1, steps // _CADENCE_SAMPLE)``;
   steps of 0 are left out). DuckDB's median of integer steps is exact (the mean of the
   two middle steps for an even count), so the cadence is the same number as numpy's.
2. **Hours** (or periods shorter than an hour): a reading's period starts at
   ``floor((t + offset) / length) · length - offset``, where ``offset`` is the UTC
   offset of the sensor's local clock at the reading's UTC hour. The offsets come from a
   small table with one row per zone and UTC hour present in the data (about 9,000 rows
   per zone and year), computed by pandas with the same time-zone database as the pandas
   path: DuckDB's ICU extension carries its own copy of the tz database, possibly of
   another release, so it does not decide the zone rules here. When every offset is a
   whole number of periods (a zone whole hours from UTC, by the hour) the table is not
   needed. DuckDB groups and aggregates the readings: count, sum, minimum, maximum,
   energy sum and the sums of sines and cosines; the variable's rule picks the value.
3. **Longer periods from hours**: the UTC start and end of the local 8-hour block, day,
   week, month or year of each distinct hour start come from
   :func:`toolkit._periods.period_bounds` (23- and 25-hour days included), again as a
   small table; DuckDB aggregates the valid hours.

A result of at most ``max_rows`` rows (a year of hourly values of 20 stations is about
2 million) comes back as a pandas :class:`~toolkit.sensordata.SensorData`; a larger one
is written to a Parquet dataset and comes back as a
:class:`~toolkit.engine.LazySensorData`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import variables as _variables
from .._errors import MissingColumnError
from ..history import Step
from ._series import connection, prepare, register

if TYPE_CHECKING:
    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["MAX_PANDAS_ROWS", "average_lazy"]

#: Results with at most this many rows come back as a pandas ``SensorData``.
MAX_PANDAS_ROWS = 5_000_000
_HOUR_US = 3_600_000_000


def _floor_mod(x: str, length: int) -> str:
    """Return SQL of ``x mod length`` in [0, length) (DuckDB's ``%`` keeps the sign of ``x``)."""
    return f"((({x}) % {length}) + {length}) % {length}"


def average_lazy(
    data: Any,
    period: str = "1h",
    *,
    timezone: str = "local",
    min_coverage: float = 0.75,
    exclude_flagged: bool = True,
    cadence: float | dict[str, float] | None = None,
    max_rows: int = MAX_PANDAS_ROWS,
    con: Any = None,
) -> Any:
    """Average the readings of a lazy dataset inside DuckDB (see the module docstring).

    Parameters
    ----------
    data
        A :class:`toolkit.engine.LazySensorData`.
    period, timezone, min_coverage, exclude_flagged, cadence
        As for :func:`toolkit.timeseries.average`.
    max_rows
        Largest result returned as a pandas ``SensorData``; a larger one is written to a
        Parquet dataset and returned as a ``LazySensorData``.
    con
        A DuckDB connection to use (a configured one is made when ``None``).

    Returns
    -------
    SensorData or LazySensorData
        The table of :func:`toolkit.timeseries.average` for the same readings (times
        are period starts in UTC, ``end`` UTC, ``coverage`` 0-1), rows ordered by
        sensor, variable, channel and time, and the same history step (its
        parameters add ``engine="duckdb"``).

    Raises
    ------
    ValueError, TimestampError, MissingColumnError, UnknownVariableError
        As the pandas path does.
    """
    import pandas as pd

    from .._periods import parse_period
    from ..timeseries._average import AVERAGED_COLUMNS

    spec = parse_period(period)
    if not 0 <= min_coverage <= 1:
        msg = f"min_coverage must be a share between 0 and 1 (0.75 is 75 %), not {min_coverage}."
        raise ValueError(msg)
    if len(data) == 0:  # nothing on disk to read: the pandas path gives the empty table
        from ..timeseries._average import average

        return average(
            data.to_pandas(),
            period,
            timezone=timezone,
            min_coverage=min_coverage,
            exclude_flagged=exclude_flagged,
            cadence=cadence,
        )
    con = connection(con)
    columns = prepare(con, data, exclude=None if exclude_flagged else [])
    already = [c for c in AVERAGED_COLUMNS if c in columns]
    if already:
        raise MissingColumnError(
            "These readings are averages already.",
            found=f"columns {already}",
            fix="Average the readings as loaded (before averaging), or use the averaged "
            "values directly.",
        )
    series = con.execute("SELECT * FROM _toolkit_series ORDER BY sid").df()
    for name, rule in zip(series["variable"], series["rule"], strict=True):
        if not isinstance(rule, str):
            _variables.get(str(name))  # the pandas path's error for an unknown variable
    zones, in_utc = _zones(data, sorted(set(series["sensor_id"].astype(str))), timezone, spec)
    register(
        con,
        "_toolkit_avg_zones",
        pd.DataFrame({"sensor_id": list(zones), "zone": list(zones.values())}, dtype=object),
    )
    series = _cadences(con, data, series, cadence)
    hour_spec = (
        parse_period("1h") if spec.fixed is None or spec.fixed > pd.Timedelta("1h") else spec
    )
    _hourly(con, hour_spec, min_coverage, series, zones)
    result = "_toolkit_avg_hourly"
    if not spec.follows_each_reading:
        _from_hours(con, spec, min_coverage, series)
        result = "_toolkit_avg_long"
    step = _step(con, result, spec, series, in_utc, timezone, min_coverage, exclude_flagged)
    n_rows = int(con.execute(f"SELECT count(*) FROM {result}").fetchone()[0])
    if n_rows > max_rows:
        return _lazy_result(con, data, result, spec.name, step)
    return _pandas_result(data, _fetch(con, result, spec.name), step)


def _step(
    con: Any,
    result: str,
    spec: Any,
    series: pd.DataFrame,
    in_utc: list[str],
    timezone: str,
    min_coverage: float,
    exclude_flagged: bool,
) -> Step:
    """Return the history step, worded and parametrised as the pandas path's."""
    from ..timeseries._average import _CITATION

    n_flagged, n_usable = (
        int(x or 0)
        for x in con.execute(
            """SELECT sum(n_present - n_readings), sum(n_readings) FROM _toolkit_avg_hourly"""
        ).fetchone()
    )
    n_rows, n_valid = (
        int(x or 0)
        for x in con.execute(f"SELECT count(*), sum(valid::INT) FROM {result}").fetchone()
    )
    names = dict(zip(series["sid"], series["variable"], strict=True))
    present = sorted(
        {names[r[0]] for r in con.execute(f"SELECT DISTINCT sid FROM {result}").fetchall()}
    )
    parameters: dict[str, Any] = {
        "period": spec.name,
        "timezone": timezone,
        "min_coverage": min_coverage,
        "exclude_flagged": exclude_flagged,
        "cadence_s": {
            f"{s} {v}" + (f" {c}" if isinstance(c, str) and c else ""): round(float(x), 1)
            for s, v, c, x in zip(
                series["sensor_id"],
                series["variable"],
                series["channel"],
                series["cadence_s"],
                strict=True,
            )
        },
        "rules": {v: _variables.get(v).aggregation for v in present},
    }
    if in_utc:
        parameters["utc_for_unknown_zones"] = in_utc
    parameters["engine"] = "duckdb"
    unknown = (
        f" The time zone of {len(in_utc)} sensor(s) is unknown "
        f"({', '.join(in_utc[:5])}{' ...' if len(in_utc) > 5 else ''}): their "
        f"{spec.name} periods run in UTC, which are the same instants as local "
        "ones wherever the zone is a whole number of hours from UTC."
        if in_utc
        else ""
    )
    return Step(
        name="average",
        description=(
            f"Averaged {n_usable} readings into {n_rows} {spec.name} values "
            f"({n_valid} valid with at least {min_coverage:.0%} data "
            f"capture); {n_flagged} flagged readings left out.{unknown}"
        ),
        parameters=parameters,
        citation=_CITATION,
        touched=n_usable,
    )


def _zones(
    data: Any, used: list[str], timezone: str, spec: Any
) -> tuple[dict[str, str], list[str]]:
    """Each used sensor's zone, by the pandas path's own rules (and errors)."""
    import pandas as pd

    from ..sensordata import SensorData
    from ..timeseries._average import _zones as pandas_zones

    proxy = SensorData(
        readings=pd.DataFrame({"sensor_id": pd.Series(used, dtype=object)}),
        sensors=data.sensors,
        ledger=data.ledger,
    )
    return pandas_zones(proxy, timezone, spec)


def _cadences(
    con: Any, data: Any, series: pd.DataFrame, given: float | dict[str, float] | None
) -> pd.DataFrame:
    """Add ``cadence_s`` (as the pandas path samples it) to ``series``; register it."""
    import numpy as np

    if isinstance(given, int | float):
        found = series.assign(cadence_s=float(given))
    else:
        measured = _measured_cadences(con, data)
        found = series.merge(measured, on="sid", how="left")
        found["cadence_s"] = found["cadence_s"].astype(float)
        if isinstance(given, dict):
            chosen = found["sensor_id"].map(lambda s: given.get(s, np.nan)).astype(float)
            found["cadence_s"] = chosen.where(
                found["sensor_id"].isin(list(given)), found["cadence_s"]
            )
    register(con, "_toolkit_avg_cadence", found[["sid", "cadence_s"]])
    return found


#: Measured cadences of recent datasets (hourly, then daily means of the same readings
#: measure them once): key -> table of sid, cadence_s.
_CADENCES: dict[tuple[Any, ...], pd.DataFrame] = {}


def _dataset_key(data: Any) -> tuple[Any, ...] | None:
    """Identify the readings of ``data``: glob, filter, and every file's size and mtime."""
    import glob
    import os

    try:
        files = tuple(
            (name, os.stat(name).st_size, os.stat(name).st_mtime_ns)
            for name in sorted(glob.glob(data.readings_glob, recursive=True))
        )
    except OSError:
        return None
    return (data.readings_glob, data.where, files)


def _measured_cadences(con: Any, data: Any) -> pd.DataFrame:
    """Cadence [s] per series number as the pandas path samples it (cached per dataset)."""
    from ..timeseries._average import _CADENCE_SAMPLE

    key = _dataset_key(data)
    if key is not None and key in _CADENCES:
        return _CADENCES[key].copy()
    measured = con.execute(
        f"""WITH steps AS (
                SELECT r.sid, lead(r.us) OVER w - r.us AS step, row_number() OVER w - 1 AS k
                FROM _toolkit_r r
                WINDOW w AS (PARTITION BY r.sid ORDER BY r.us)
            )
            SELECT st.sid, median(st.step * 1000) / 1e9 AS cadence_s
            FROM steps st JOIN _toolkit_series s USING (sid)
            WHERE st.step > 0 AND st.k % greatest(1, (s.n - 1) // {_CADENCE_SAMPLE}) = 0
            GROUP BY st.sid"""
    ).df()
    if key is not None:
        if len(_CADENCES) >= 8:
            _CADENCES.pop(next(iter(_CADENCES)))
        _CADENCES[key] = measured.copy()
    return measured


def _offset_table(con: Any, series: pd.DataFrame, zones: dict[str, str], length_us: int) -> bool:
    """Register ``_toolkit_avg_offsets`` (zone, UTC hour, offset [µs]) when offsets matter.

    The table holds every UTC hour from each zone's first to its last reading, as the
    pandas path's does. Returns ``False`` when every offset met is a whole number of
    periods: local and UTC period boundaries are then the same instants.
    """
    import numpy as np
    import pandas as pd

    parts = []
    zone_of = series["sensor_id"].map(zones)
    for zone in sorted(set(zones.values()) - {"UTC", "Etc/UTC"}):
        rows = series[zone_of == zone]
        if rows.empty:
            continue
        low = int(rows["first_us"].min()) // _HOUR_US
        high = int(rows["last_us"].max()) // _HOUR_US
        present = np.arange(low, high + 1, dtype=np.int64)
        utc = pd.DatetimeIndex(present * _HOUR_US * 1000, tz="UTC")
        offset_ns = utc.tz_convert(zone).tz_localize(None).asi8 - utc.tz_localize(None).asi8
        parts.append(pd.DataFrame({"zone": zone, "hour": present, "offset_us": offset_ns // 1000}))
    if not parts:
        return False
    table = pd.concat(parts, ignore_index=True)
    if not np.any(table["offset_us"].to_numpy(dtype=np.int64) % length_us):
        return False
    register(con, "_toolkit_avg_offsets", table.astype({"hour": "int64", "offset_us": "int64"}))
    return True


def _aggregates(use: str, rules: dict[str, list[int]]) -> str:
    """Return SQL of the per-group sums every rule needs, over the rows where ``use`` holds."""

    def of(rule: str) -> str:
        return "sid IN (" + ", ".join(str(i) for i in rules.get(rule, [-1])) + ")"

    return f"""count(*) FILTER (WHERE {use}) AS n,
        sum(value) FILTER (WHERE {use}) AS s,
        min(value) FILTER (WHERE {use}) AS lo,
        max(value) FILTER (WHERE {use}) AS hi,
        sum(pow(10.0, value / 10.0)) FILTER (WHERE {use} AND {of("energy_mean")}) AS e,
        sum(sin(radians(value))) FILTER (WHERE {use} AND {of("vector_mean")}) AS vs,
        sum(cos(radians(value))) FILTER (WHERE {use} AND {of("vector_mean")}) AS vc"""


def _value_sql() -> str:
    """Return SQL picking each group's value by its rule (NULL when no reading is used).

    The vector mean follows numpy's: degrees in [0, 360), NaN when the directions
    cancel (length of the summed unit vectors below 1e-9 per reading), and 0 for a
    direction within ``numpy.isclose`` of 360.
    """
    degrees = "degrees(atan2(vs, vc))"
    direction = f"({degrees} - 360 * floor({degrees} / 360))"
    return f"""CASE WHEN n = 0 THEN NULL
        WHEN rule = 'sum' THEN s
        WHEN rule = 'energy_mean' THEN 10 * log10(e / n)
        WHEN rule = 'vector_mean' THEN
             CASE WHEN sqrt(vs * vs + vc * vc) < 1e-9 * greatest(n, 1) THEN 'nan'::DOUBLE
                  WHEN abs({direction} - 360.0) <= 1e-8 + 1e-5 * 360.0 THEN 0.0
                  ELSE {direction} END
        WHEN rule = 'min' THEN lo
        WHEN rule = 'max' THEN hi
        ELSE s / n END"""


def _rules(series: pd.DataFrame) -> dict[str, list[int]]:
    """Series numbers per aggregation rule."""
    out: dict[str, list[int]] = {}
    for sid, rule in zip(series["sid"], series["rule"], strict=True):
        out.setdefault(str(rule), []).append(int(sid))
    return out


def _hourly(
    con: Any, spec: Any, min_coverage: float, series: pd.DataFrame, zones: dict[str, str]
) -> None:
    """Create ``_toolkit_avg_hourly``: periods of up to an hour from the readings.

    Besides the averaged columns it keeps ``n_present`` (readings with a number, flagged
    or not) for the history's count of flagged readings left out.
    """
    length = int(spec.fixed.value) // 1000
    if _offset_table(con, series, zones, length):
        hour = f"(r.us - {_floor_mod('r.us', _HOUR_US)}) // {_HOUR_US}"
        shifted = f"""SELECT r.sid, r.us, r.value, r.present, r.usable,
                             coalesce(o.offset_us, 0) AS off
            FROM _toolkit_r r JOIN _toolkit_series s USING (sid)
            JOIN _toolkit_avg_zones z ON z.sensor_id = s.sensor_id
            LEFT JOIN _toolkit_avg_offsets o ON o.zone = z.zone AND o.hour = {hour}"""
    else:
        shifted = "SELECT sid, us, value, present, usable, 0 AS off FROM _toolkit_r"
    limit = f"{float(min_coverage)!r} - 1e-12"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _toolkit_avg_hourly AS
        WITH groups AS (
            SELECT sid, p.us - {_floor_mod("p.us + p.off", length)} AS start_us,
                   {_aggregates("usable", _rules(series))},
                   count(*) FILTER (WHERE present) AS n_present
            FROM ({shifted}) p GROUP BY ALL
        ), covered AS (
            SELECT g.*, s.rule, ({length} / 1e6) / c.cadence_s AS expected,
                   CASE WHEN ({length} / 1e6) / c.cadence_s > 0
                        THEN least(g.n / (({length} / 1e6) / c.cadence_s), 1.0)
                        ELSE 0.0 END AS coverage
            FROM groups g JOIN _toolkit_avg_cadence c USING (sid)
            JOIN _toolkit_series s USING (sid)
        )
        SELECT sid, start_us, start_us + {length} AS end_us,
               CASE WHEN coverage >= {limit} THEN {_value_sql()} END AS value,
               n AS n_readings, expected AS n_expected, coverage,
               coverage >= {limit} AS valid, n_present
        FROM covered"""
    )


def _from_hours(con: Any, spec: Any, min_coverage: float, series: pd.DataFrame) -> None:
    """Create ``_toolkit_avg_long``: 8-hour, daily or longer local periods from hours."""
    import numpy as np
    import pandas as pd

    from .._periods import period_bounds

    starts = con.execute(
        """SELECT DISTINCT z.zone, h.start_us FROM _toolkit_avg_hourly h
           JOIN _toolkit_series s USING (sid)
           JOIN _toolkit_avg_zones z ON z.sensor_id = s.sensor_id ORDER BY 1, 2"""
    ).df()
    parts = [
        pd.DataFrame(
            {"zone": pd.Series([], dtype=object), "start_us": [], "p_start": [], "p_end": []}
        )
    ]
    for zone, rows in starts.groupby("zone", sort=True):
        us = rows["start_us"].to_numpy(dtype=np.int64)
        first, after = period_bounds(
            pd.Series(pd.DatetimeIndex(us * 1000, tz="UTC")), str(zone), spec
        )
        parts.append(
            pd.DataFrame(
                {
                    "zone": str(zone),
                    "start_us": us,
                    "p_start": pd.DatetimeIndex(first).asi8 // 1000,
                    "p_end": pd.DatetimeIndex(after).asi8 // 1000,
                }
            )
        )
    bounds = pd.concat(parts, ignore_index=True).astype(
        {"start_us": "int64", "p_start": "int64", "p_end": "int64"}
    )
    register(con, "_toolkit_avg_bounds", bounds)
    limit = f"{float(min_coverage)!r} - 1e-12"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _toolkit_avg_long AS
        WITH hours AS (
            SELECT h.sid, h.value, h.valid, b.p_start, b.p_end
            FROM _toolkit_avg_hourly h
            JOIN _toolkit_series s USING (sid)
            JOIN _toolkit_avg_zones z ON z.sensor_id = s.sensor_id
            JOIN _toolkit_avg_bounds b ON b.zone = z.zone AND b.start_us = h.start_us
        ), groups AS (
            SELECT sid, p_start, p_end, {_aggregates("valid", _rules(series))},
                   bool_or(valid AND (value IS NULL OR isnan(value))) AS has_nan
            FROM hours GROUP BY sid, p_start, p_end
        ), covered AS (
            SELECT g.*, s.rule, (p_end - p_start) / {_HOUR_US}.0 AS expected,
                   least(g.n / ((p_end - p_start) / {_HOUR_US}.0), 1.0) AS coverage
            FROM groups g JOIN _toolkit_series s USING (sid)
        )
        SELECT sid, p_start AS start_us, p_end AS end_us,
               CASE WHEN coverage >= {limit}
                    THEN CASE WHEN has_nan THEN 'nan'::DOUBLE ELSE {_value_sql()} END
               END AS value,
               n AS n_readings, expected AS n_expected, coverage,
               coverage >= {limit} AS valid
        FROM covered"""
    )


def _result_sql(result: str, period: str) -> str:
    """Return SQL of the averaged readings table (named columns) in a stable order."""
    from ._series import literal

    return f"""SELECT s.sensor_id, make_timestamptz(a.start_us) AS time, s.variable,
                   a.value, s.channel, {literal(period)} AS period,
                   make_timestamptz(a.end_us) AS "end", a.n_readings, a.n_expected,
                   a.coverage, a.valid, a.start_us, a.end_us
            FROM {result} a JOIN _toolkit_series s USING (sid)
            ORDER BY s.sensor_id, s.variable, s.channel NULLS FIRST, a.start_us"""


def _fetch(con: Any, result: str, period: str) -> pd.DataFrame:
    """Return the result table as a pandas readings table with the averaged columns."""
    import numpy as np
    import pandas as pd

    frame = con.execute(_result_sql(result, period)).df()

    def stamps(column: str) -> pd.Series:
        ns = frame[column].to_numpy(dtype=np.int64) * 1000
        return pd.Series(ns.view("M8[ns]"), dtype="datetime64[ns]").dt.tz_localize("UTC")

    units = {v: _variables.get(str(v)).unit for v in frame["variable"].unique()}
    table: dict[str, Any] = {
        "sensor_id": frame["sensor_id"].astype(object),
        "time": stamps("start_us"),
        "variable": frame["variable"].astype(object),
        "value": frame["value"].astype(float).to_numpy(),
        "unit": frame["variable"].map(units).astype(object),
    }
    if frame["channel"].notna().any():
        table["channel"] = pd.Categorical(frame["channel"].where(frame["channel"].notna(), None))
    table.update(
        {
            "period": period,
            "end": stamps("end_us"),
            "n_readings": frame["n_readings"].to_numpy(dtype=np.int64),
            "n_expected": frame["n_expected"].astype(float).to_numpy(),
            "coverage": frame["coverage"].astype(float).to_numpy(),
            "valid": frame["valid"].to_numpy(dtype=bool),
        }
    )
    return pd.DataFrame(table)


def _pandas_result(data: Any, table: pd.DataFrame, step: Step) -> SensorData:
    """Return a pandas ``SensorData`` with the averaged table, the sensors and the history."""
    from ..ledger import Ledger
    from ..sensordata import SensorData, normalise_readings

    return SensorData(
        readings=normalise_readings(table),
        sensors=data.sensors,
        ledger=Ledger(rec.copy() for rec in data.ledger),
        history=data.history.then(step),
    )


def _lazy_result(con: Any, data: Any, result: str, period: str, step: Step) -> Any:
    """Write a large result to a Parquet dataset (beside ``data``'s) and return it lazy.

    The columns are those of the pandas result (``channel`` NULL when none); the folder
    is ``<dataset>/derived/average-<key>``, or one in the toolkit cache.
    """
    import hashlib
    import shutil
    from pathlib import Path

    import pandas as pd

    from ..ledger import Ledger
    from ._dataset import READINGS, readings_glob
    from ._lazy import LazySensorData
    from ._series import literal

    series = con.execute("SELECT sid, variable FROM _toolkit_series").df()
    units = pd.DataFrame(
        {
            "sid": series["sid"],
            "unit": [_variables.get(str(v)).unit for v in series["variable"]],
        }
    )
    register(con, "_toolkit_avg_units", units)
    key = hashlib.sha256(
        repr((data.readings_glob, data.where, step.parameters)).encode()
    ).hexdigest()[:16]
    if getattr(data, "folder", None) is not None:
        base = Path(data.folder) / "derived"
    else:
        from ..fetch._cache import cache_folder

        base = cache_folder() / "derived"
    out = base / f"average-{key}"
    if out.exists():
        shutil.rmtree(out)
    (out / READINGS).mkdir(parents=True)
    con.execute(
        f"""COPY (
            SELECT s.sensor_id, make_timestamptz(a.start_us) AS time, s.variable, a.value,
                   u.unit, s.channel, {literal(period)} AS period,
                   make_timestamptz(a.end_us) AS "end", a.n_readings, a.n_expected,
                   a.coverage, a.valid
            FROM {result} a JOIN _toolkit_series s USING (sid)
            JOIN _toolkit_avg_units u USING (sid)
            ORDER BY s.sensor_id, s.variable, s.channel NULLS FIRST, a.start_us
        ) TO {literal(out / READINGS / "part-0.parquet")} (FORMAT parquet)"""
    )
    return LazySensorData(
        readings_glob(out),
        data.sensors,
        Ledger(rec.copy() for rec in data.ledger),
        data.history.then(step),
    )
