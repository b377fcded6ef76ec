"""How often each sensor reports: its cadence, detected from the data.

Data capture ("coverage") compares the readings present in a period with the readings
expected, and the expected number comes from the cadence: a Sensor.Community sensor that
reports every ~147 s should give about 24.5 readings an hour. Counting against each
sensor's own cadence, rather than padding the series onto a fixed grid, keeps sensors
with jittery timestamps from being judged incomplete (the pitfall of padding described
in DESIGN.md section 11).

The cadence of a sensor and variable is the median interval between consecutive
readings, which ignores gaps and occasional bursts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from .sensordata import SensorData

__all__ = ["GROUP_COLUMNS", "cadence", "group_codes"]

#: Readings are grouped per sensor, variable and (where present) channel.
GROUP_COLUMNS = ("sensor_id", "variable", "channel")


def group_codes(readings: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Give each (sensor, variable, channel) series a number.

    Returns
    -------
    codes : pandas.Series
        An integer per reading, the same for readings of the same series.
    keys : pandas.DataFrame
        One row per code: ``sensor_id``, ``variable`` and ``channel`` (empty when none).
    """
    import numpy as np
    import pandas as pd

    columns = [c for c in GROUP_COLUMNS if c in readings.columns]
    combined = np.zeros(len(readings), dtype=np.int64)
    for column in columns:
        values = readings[column]
        codes = (
            values.cat.codes.to_numpy()
            if isinstance(values.dtype, pd.CategoricalDtype)
            else pd.factorize(values)[0]
        )
        width = int(codes.max(initial=0)) + 2
        combined = combined * width + (codes.astype(np.int64) + 1)  # missing (-1) -> 0
    n = len(combined)
    starts = (
        np.flatnonzero(np.r_[True, combined[1:] != combined[:-1]])
        if n
        else np.zeros(0, dtype=np.int64)
    )
    if len(np.unique(combined[starts])) == len(starts):
        # Each series in one run (as readers give them): number the runs, no hashing.
        codes = np.cumsum(np.r_[False, combined[1:] != combined[:-1]]) if n else starts
        first = starts
    else:
        codes, uniques = pd.factorize(combined)
        first = np.empty(len(uniques), dtype=np.int64)
        first[codes[::-1]] = np.arange(n)[::-1]  # earliest row of each series wins
    keys = readings.iloc[first][columns].reset_index(drop=True)
    for column in columns:
        keys[column] = keys[column].astype(object)
    if "channel" not in keys.columns:
        keys["channel"] = None
    return pd.Series(codes, index=readings.index), keys


def cadence(data: SensorData | pd.DataFrame) -> pd.DataFrame:
    """Detect how often each sensor reports each variable.

    Parameters
    ----------
    data
        A ``SensorData`` or its readings table.

    Returns
    -------
    pandas.DataFrame
        One row per sensor, variable and channel: ``cadence_s`` (median seconds between
        consecutive readings; NaN with fewer than two distinct times), ``intervals`` (how
        many intervals that median is taken over), ``readings``.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData
    >>> times = pd.date_range("2024-01-01", periods=5, freq="147s", tz="UTC")
    >>> readings = pd.DataFrame({"sensor_id": "s", "time": times, "variable": "pm25",
    ...                          "value": 1.0, "unit": "µg/m³"})
    >>> cadence(readings)["cadence_s"].tolist()
    [147.0]
    """
    import numpy as np
    import pandas as pd

    readings = data if isinstance(data, pd.DataFrame) else data.readings
    codes, keys = group_codes(readings)
    code = codes.to_numpy()
    stamps = pd.DatetimeIndex(readings["time"]).as_unit("ns").asi8
    n = len(code)
    order = np.arange(n)
    same = code[1:] == code[:-1]
    # Readers keep each series in time order; sort only when that is not so.
    if not (np.all(stamps[1:][same] >= stamps[:-1][same]) and int((~same).sum()) == len(keys) - 1):
        order = np.lexsort((stamps, code))
    code, stamps = code[order], stamps[order]
    same = code[1:] == code[:-1]
    steps = np.diff(stamps)
    usable = same & (steps > 0)
    seconds = pd.Series(steps[usable] / 1e9)
    median = seconds.groupby(code[1:][usable]).median()
    count = seconds.groupby(code[1:][usable]).size()
    table = keys.copy()
    table["cadence_s"] = median.reindex(range(len(keys))).to_numpy()
    table["intervals"] = count.reindex(range(len(keys)), fill_value=0).to_numpy()
    table["readings"] = np.bincount(code, minlength=len(keys))
    return table
