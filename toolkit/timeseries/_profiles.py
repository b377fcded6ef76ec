"""Diurnal and weekly profiles: the typical value at each hour of the day or day of week.

A profile answers "when is it worst?". It is made from **valid hourly values** (raw
readings are averaged into hours first), so that a sensor or an hour with more readings
does not weigh more, and it is read on the **local wall clock** of each sensor: the
hourly value starting 01:00 UTC belongs to 03:00 in Berlin in summer and to 02:00 in
winter. On the day clocks go forward the skipped local hour has no value; on the day they
go back the repeated hour gives two values, both counted at that local hour.

Statistics per sensor (or all sensors pooled), variable and hour, weekday or both:

* ``mean``: arithmetic mean; for decibels the energy mean ``10·log10(mean(10^(L/10)))``
  (ISO 1996-1); for wind direction the vector mean of unit vectors.
* ``median``, ``p25``, ``p75``: percentiles with linear interpolation between values
  (pandas' default; type 7 of Hyndman & Fan 1996). Decibels are ranked as they are.
* ``ci95_low``, ``ci95_high``: a 95 % confidence interval of the mean by the normal
  approximation, ``mean ± 1.96·sd/√n`` (``sd`` with ``n - 1``). It assumes the hourly
  values are independent; consecutive hours are not (pollution lingers), so the interval
  is too narrow and is a rough guide only. NaN when ``n < 2``. For decibels it is
  computed on the energy scale and converted back (a lower bound at or below zero energy
  is NaN).
* ``n_hours``: how many valid hourly values.

Counts (rule ``sum``) give the mean count per hour; minima and maxima (``la_min``,
``la_max``) the mean of the hourly minima or maxima. Wind directions give the vector mean
only: their median, percentiles and interval are NaN (angles wrap around at 360°).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import variables as _variables
from .._periods import sensor_timezones
from ._hourly import hourly_values, refuse_empty, usable_hours
from ._rolling import choose_variables

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["PROFILE_BY", "WEEKDAYS", "profile"]

#: Profiles :func:`profile` can make.
PROFILE_BY = ("hour", "weekday", "hour_weekday")
#: Day names, Monday (0) to Sunday (6), as in ISO 8601 and pandas.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_STATISTICS = ("mean", "median")
#: The ``sensor_id`` of a profile of all sensors pooled.
POOLED = "all sensors"
_Z95 = 1.96  # two-sided 95 % quantile of the standard normal distribution, rounded


def profile(
    data: SensorData,
    *,
    by: str = "hour",
    timezone: str = "local",
    statistic: str = "mean",
    variables: str | list[str] | None = None,
    pool_sensors: bool = False,
    min_coverage: float | None = None,
) -> pd.DataFrame:
    """Make a diurnal, weekly or hour-by-weekday profile in local time.

    Parameters
    ----------
    data
        Raw readings (averaged into hours first, with ``average(data, "1h")``) or hourly
        averages (readings with ``period == "1h"``).
    by
        ``"hour"`` (0-23, local), ``"weekday"`` (Monday-Sunday, local) or
        ``"hour_weekday"`` (both: 168 cells).
    timezone
        ``"local"`` (default): each sensor's own zone from ``data.sensors``; or an IANA
        name (``"UTC"``, ``"Europe/Berlin"``) for all sensors.
    statistic
        ``"mean"`` or ``"median"``: the statistic copied into the ``value`` column (the
        one charts draw). All statistics are always given.
    variables
        The variable or variables to use; every variable of the data when ``None``.
    pool_sensors
        Pool the hourly values of all sensors (and channels) into one profile per
        variable, with ``sensor_id`` ``"all sensors"``; one profile per sensor when
        ``False``.
    min_coverage
        Data capture an hour needs when raw readings are averaged (``average``'s
        default, 0.75, when ``None``). Hourly averages keep their own ``valid``.

    Returns
    -------
    pandas.DataFrame
        One row per sensor (or pooled), variable, [channel] and profile cell with data:
        ``sensor_id``, ``variable``, [``channel``], ``unit`` (of every statistic),
        ``hour`` and/or ``weekday`` (0 = Monday) and ``weekday_name``, ``value``,
        ``mean``, ``median``, ``p25``, ``p75``, ``ci95_low``, ``ci95_high``, ``n_hours``.
        ``attrs`` hold the rules: ``period`` ("1h": the values profiled), ``by``,
        ``timezone`` and ``zones`` (sensor -> zone), ``statistic``, ``min_coverage``,
        ``pooled``, ``confidence`` and ``rules`` (aggregation per variable).

    Raises
    ------
    ValueError
        For an unknown ``by`` or ``statistic``.
    DataFormatError
        For empty data, averages over other periods than an hour, or raw readings
        further apart than an hour.
    UnknownVariableError
        For a name that is not a canonical variable.
    TimestampError
        When local time is asked for sensors whose zone is unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> times = pd.to_datetime(["2024-03-29T01:00Z", "2024-04-01T01:00Z"])
    >>> hourly = pd.DataFrame({"sensor_id": "s", "time": times, "variable": "pm25",
    ...     "value": [10.0, 30.0], "unit": "µg/m³", "period": "1h", "valid": True})
    >>> sensors = pd.DataFrame({"sensor_id": ["s"], "timezone": ["Europe/Berlin"]})
    >>> table = profile(SensorData(hourly, sensors), by="hour")
    >>> table["hour"].tolist(), table["mean"].tolist()  # 02:00 CET, then 03:00 CEST
    ([2, 3], [10.0, 30.0])
    """
    import numpy as np
    import pandas as pd

    if by not in PROFILE_BY:
        msg = f"by must be one of {', '.join(map(repr, PROFILE_BY))}, not {by!r}."
        raise ValueError(msg)
    if statistic not in _STATISTICS:
        msg = f"statistic must be 'mean' or 'median', not {statistic!r}."
        raise ValueError(msg)
    what = "profiles"
    refuse_empty(data, what)
    zones = sensor_timezones(data, timezone)
    chosen = choose_variables(data, variables, what)
    hourly = hourly_values(chosen, timezone=timezone, what=what, min_coverage=min_coverage)
    readings = hourly.readings
    ok = usable_hours(hourly)
    rows = readings.loc[ok]
    hour = np.zeros(len(rows), dtype=np.int64)
    weekday = np.zeros(len(rows), dtype=np.int64)
    zone_of_row = _per_row(rows["sensor_id"], zones)
    for zone in sorted(set(zones.values())):  # a loop over time zones, not readings
        mine = zone_of_row == zone
        local = rows.loc[mine, "time"].dt.tz_convert(zone)
        hour[mine] = local.dt.hour.to_numpy()
        weekday[mine] = local.dt.day_of_week.to_numpy()
    frame = _prepared(rows, pool_sensors)
    keys = ["sensor_id", "variable"]
    if "channel" in frame.columns:
        keys.append("channel")
    cells = {"hour": ["hour"], "weekday": ["weekday"], "hour_weekday": ["weekday", "hour"]}[by]
    for name in cells:
        frame[name] = hour if name == "hour" else weekday
    table = _statistics(frame, [*keys, *cells])
    table["value"] = table[statistic]
    if "weekday" in cells:
        table.insert(
            table.columns.get_loc("weekday") + 1,
            "weekday_name",
            pd.Categorical.from_codes(table["weekday"].to_numpy(), categories=list(WEEKDAYS)),
        )
    for key in keys:  # the table is small: plain text keys sort alphabetically
        table[key] = table[key].astype(str)  # a missing channel stays missing
    units = {str(v): _variables.get(str(v)).unit for v in table["variable"].unique()}
    table.insert(len(keys), "unit", table["variable"].map(units))
    order = [*keys, "unit", *cells]
    if "weekday" in cells:
        order.insert(order.index("weekday") + 1, "weekday_name")
    stats = ["value", "mean", "median", "p25", "p75", "ci95_low", "ci95_high", "n_hours"]
    table = table[[*order, *stats]].sort_values([*keys, *cells]).reset_index(drop=True)
    table.attrs = {
        "period": "1h",
        "by": by,
        "timezone": timezone,
        "zones": dict(sorted(zones.items())),
        "statistic": statistic,
        "min_coverage": _hourly_min_coverage(hourly, min_coverage),
        "pooled": pool_sensors,
        "confidence": "95 % normal approximation, mean ± 1.96·sd/√n, hours assumed "
        "independent (too narrow when they are not); NaN when n < 2",
        "rules": {str(v): _variables.get(str(v)).aggregation for v in units},
    }
    return table


def _prepared(rows: pd.DataFrame, pool_sensors: bool) -> pd.DataFrame:
    """Return the grouping keys and the value in the forms the statistics need."""
    import numpy as np
    import pandas as pd

    value = rows["value"].to_numpy(dtype=float)
    variable = rows["variable"].astype("category").cat.remove_unused_categories()
    rules = {str(v): _variables.get(str(v)).aggregation for v in variable.cat.categories}
    rule = _per_row(variable, rules)
    energy = rule == "energy_mean"
    vector = rule == "vector_mean"
    with np.errstate(over="ignore"):
        linear = np.where(energy, np.power(10.0, np.where(energy, value, 0.0) / 10.0), value)
    radians = np.deg2rad(np.where(vector, value, 0.0))
    frame = pd.DataFrame(
        {
            "sensor_id": (
                pd.Categorical([POOLED] * len(rows))
                if pool_sensors
                else rows["sensor_id"].astype("category").cat.remove_unused_categories().array
            ),
            "variable": variable.array,
            "value": np.where(vector, np.nan, value),  # no percentiles of angles
            "linear": np.where(vector, np.nan, linear),
            "sin": np.where(vector, np.sin(radians), np.nan),
            "cos": np.where(vector, np.cos(radians), np.nan),
            "energy": energy,
            "vector": vector,
        }
    )
    if "channel" in rows.columns and not pool_sensors and rows["channel"].notna().any():
        frame["channel"] = rows["channel"].astype("category").cat.remove_unused_categories().array
    return frame


def _statistics(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Return one row of statistics per group of ``keys``."""
    import numpy as np

    groups = frame.groupby(keys, dropna=False, sort=True, observed=True)
    table = groups.agg(
        n_hours=("variable", "size"),
        linear_mean=("linear", "mean"),
        linear_sd=("linear", "std"),
        median=("value", "median"),
        sin=("sin", "mean"),
        cos=("cos", "mean"),
        energy=("energy", "first"),
        vector=("vector", "first"),
    )
    table["p25"] = groups["value"].quantile(0.25)
    table["p75"] = groups["value"].quantile(0.75)
    table = table.reset_index()
    n = table["n_hours"].to_numpy()
    mean = table["linear_mean"].to_numpy()
    half = _Z95 * table["linear_sd"].to_numpy() / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    low, high = mean - half, mean + half
    energy = table["energy"].to_numpy(dtype=bool)
    vector = table["vector"].to_numpy(dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["mean"] = np.where(energy, 10 * np.log10(mean), mean)
        table["ci95_low"] = np.where(energy, np.where(low > 0, 10 * np.log10(low), np.nan), low)
        table["ci95_high"] = np.where(energy, 10 * np.log10(high), high)
        sin, cos = table["sin"].to_numpy(), table["cos"].to_numpy()
        direction = np.rad2deg(np.arctan2(sin, cos)) % 360
    direction = np.where(np.isclose(direction, 360.0), 0.0, direction)
    direction = np.where(np.hypot(sin, cos) < 1e-9, np.nan, direction)
    table["mean"] = np.where(vector, direction, table["mean"])
    for column in ("ci95_low", "ci95_high"):
        table[column] = np.where(vector, np.nan, table[column])
    return table


def _per_row(column: pd.Series, mapping: dict[str, Any]) -> np.ndarray:
    """Map a (categorical) column through ``mapping`` once per category, not per row."""
    import numpy as np
    import pandas as pd

    if not isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype("category")
    per_category = np.array(
        [mapping.get(str(c)) for c in column.cat.categories] + [None], dtype=object
    )
    return per_category[column.cat.codes.to_numpy()]  # code -1 (missing) -> None


def _hourly_min_coverage(hourly: SensorData, given: float | None) -> Any:
    """Return the data capture the hourly values were made with, if the history says."""
    for step in reversed(hourly.history):
        if step.name == "average" and step.parameters.get("period") == "1h":
            return step.parameters.get("min_coverage", given)
    return given
