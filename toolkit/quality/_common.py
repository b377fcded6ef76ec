"""Shared plumbing of the quality rules: series order, adding a flag, recording the step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..history import Step
from ..sensordata import FLAG_PREFIX

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy as np
    import pandas as pd

    from ..sensordata import SensorData

__all__ = [
    "add_flags",
    "counts_by_variable",
    "duration_text",
    "group_of",
    "local_periods",
    "plain",
    "sensor_values",
    "series_codes",
    "time_order",
    "variable_values",
]


def series_codes(readings: pd.DataFrame) -> np.ndarray:
    """One integer per reading, the same within a (sensor, variable, channel) series."""
    from ..cadence import group_codes

    return group_codes(readings)[0].to_numpy()


def time_order(readings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort readings by series, then time (ties keep reading order).

    Returns
    -------
    order, codes, stamps
        ``order`` indexes the readings in that order; ``codes`` (series numbers) and
        ``stamps`` (UTC nanoseconds) are already put in that order.
    """
    import numpy as np
    import pandas as pd

    codes = series_codes(readings)
    stamps = pd.DatetimeIndex(readings["time"]).as_unit("ns").asi8
    order = np.lexsort((stamps, codes))  # lexsort is stable: equal times keep their order
    return order, codes[order], stamps[order]


def variable_values(
    readings: pd.DataFrame, per_variable: Mapping[str, Any], default: Any
) -> np.ndarray:
    """Look up a per-variable setting for every reading (vectorised through the categories).

    Parameters
    ----------
    readings
        A readings table (``variable`` is categorical).
    per_variable
        Variable name -> value.
    default
        Value for variables not in ``per_variable``.

    Returns
    -------
    numpy.ndarray
        One value per reading (object array when the values are not numbers).
    """
    import numpy as np

    variable = _categorical(readings["variable"])
    categories = [str(c) for c in variable.categories]
    lookup = np.array([per_variable.get(c, default) for c in categories] + [default])
    return lookup[variable.codes]  # code -1 (missing) picks the trailing default


def group_of(name: str) -> str | None:
    """Return the variables-table group of a variable (None for a name not in the table)."""
    from .. import variables
    from .._errors import UnknownVariableError

    try:
        return variables.get(name).group
    except UnknownVariableError:
        return None


def counts_by_variable(readings: pd.DataFrame, mask: np.ndarray) -> str:
    """Say how many readings of each variable a mask selects, e.g. ``"pm25 3, pm10 1"``."""
    import pandas as pd

    if not mask.any():
        return "none"
    counts = pd.Series(readings["variable"].astype(str).to_numpy()[mask]).value_counts()
    return ", ".join(f"{name} {n}" for name, n in counts.items())


def plain(value: Any) -> Any:
    """Turn a parameter into plain Python (lists, floats, strings) for the history."""
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return duration_text(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    return value


def duration_text(length: pd.Timedelta) -> str:
    """Write a time length as people do, e.g. ``"3h"``, ``"1h 30min"``, ``"2min 30s"``."""
    rest = int(length.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0s"


def add_flags(
    data: SensorData,
    flags: Mapping[str, np.ndarray],
    *,
    rule: str,
    description: str,
    parameters: Mapping[str, Any],
    citation: str = "",
) -> SensorData:
    """Return new data with boolean ``flag_<name>`` columns set and the step recorded.

    Parameters
    ----------
    data
        The data to flag; not changed.
    flags
        Column name without the prefix (``"range"``) -> boolean array aligned with the
        readings. A column that exists already is replaced (the latest run of a rule
        wins; the history keeps every run).
    rule
        The rule's name; the step is called ``flag_<rule>``.
    description
        One plain sentence of what was flagged and how many.
    parameters
        Every parameter that decides the result, defaults included.
    citation
        The published source of the rule, or ``""``.

    Returns
    -------
    SensorData
        With the flag columns and a history step whose ``touched`` is the number of
        readings flagged by any of the columns.
    """
    import numpy as np

    readings = data.readings.copy(deep=False)
    touched = np.zeros(len(readings), dtype=bool)
    for name, mask in flags.items():
        column = np.asarray(mask, dtype=bool)
        readings[f"{FLAG_PREFIX}{name}"] = column
        touched |= column
    step = Step(
        name=f"flag_{rule}",
        description=description,
        parameters={k: plain(v) for k, v in parameters.items()},
        citation=citation,
        touched=int(touched.sum()),
    )
    return data.replace(readings=readings, step=step)


def sensor_values(
    readings: pd.DataFrame, per_sensor: Mapping[str, Any], default: Any
) -> np.ndarray:
    """Look up a per-sensor setting for every reading (vectorised through the categories)."""
    import numpy as np

    sensor = _categorical(readings["sensor_id"])
    categories = [str(c) for c in sensor.categories]
    lookup = np.array([per_sensor.get(c, default) for c in categories] + [default], dtype=object)
    return lookup[sensor.codes]


def _categorical(column: pd.Series) -> pd.Categorical:
    """Return the column as a Categorical (readers give one; hand-made tables may not)."""
    import pandas as pd

    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.array
    return pd.Categorical(column)


def local_periods(
    data: SensorData, readings: pd.DataFrame, timezone: str | None, period: str
) -> tuple[pd.Series, pd.Series]:
    """Start and end (UTC) of the local period each reading falls in.

    Parameters
    ----------
    data
        The data the readings belong to (its sensors table holds the zones).
    readings
        The readings (all of ``data.readings``, or some of them).
    timezone
        ``"local"`` for each sensor's zone, or an IANA name for all (see
        :func:`toolkit._periods.sensor_timezones`).
    period
        A period name understood by :func:`toolkit._periods.parse_period`.

    Returns
    -------
    start, end : pandas.Series
        ``datetime64[ns, UTC]``, in the order of ``readings``, with a 0..n-1 index.
    """
    import numpy as np
    import pandas as pd

    from .._periods import parse_period, period_bounds, sensor_timezones

    chosen = parse_period(period)
    zones = sensor_timezones(data, timezone)
    fallback = timezone if timezone not in (None, "local") else "UTC"
    zone_of = sensor_values(readings, zones, fallback)
    start = np.empty(len(readings), dtype="datetime64[ns]")
    end = np.empty(len(readings), dtype="datetime64[ns]")
    times = readings["time"].reset_index(drop=True)
    for zone in pd.unique(zone_of):  # one pass per time zone, not per reading
        rows = np.flatnonzero(zone_of == zone)
        first, after = period_bounds(times.iloc[rows], str(zone), chosen)
        start[rows] = first.dt.tz_localize(None).to_numpy()
        end[rows] = after.dt.tz_localize(None).to_numpy()
    return (
        pd.Series(start).dt.tz_localize("UTC"),
        pd.Series(end).dt.tz_localize("UTC"),
    )
