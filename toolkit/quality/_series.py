"""Rules that look along each series: stuck values, spikes, duplicate timestamps.

A series is the readings of one sensor, variable and channel (see
:func:`toolkit.cadence.group_codes`), taken in time order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import (
    add_flags,
    counts_by_variable,
    duration_text,
    group_of,
    time_order,
    variable_values,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import numpy as np

    from ..sensordata import SensorData

__all__ = ["SPIKE_GROUPS", "flag_duplicates", "flag_spikes", "flag_stuck"]

#: Groups of the variables table checked for spikes by default. Noise and traffic are
#: left out: a passing lorry or a burst of cyclists is a real, short event, not an error.
SPIKE_GROUPS: tuple[str, ...] = ("particulate matter", "particle number", "gases", "weather")

#: Scale factor that makes the median absolute deviation (MAD) estimate the standard
#: deviation of normally distributed noise: 1 / Φ⁻¹(3/4) ≈ 1.4826.
MAD_TO_SIGMA = 1.4826

#: Default spike floor: this share of each variable's plausible range (variables table).
FLOOR_SHARE = 0.02

_CHUNK = 250_000  # rows per block of the sliding-window arrays (bounds memory use)


def flag_stuck(
    data: SensorData,
    *,
    min_repeats: int = 10,
    min_duration: str = "3h",
    skip_zeros: bool = True,
) -> SensorData:
    """Flag runs of one value repeated for a long time (a stuck or frozen sensor).

    A run is a stretch of consecutive readings of one series (in time order) with exactly
    the same value. Every reading of a run is flagged when the run has at least
    ``min_repeats`` readings **and** lasts at least ``min_duration`` from its first to its
    last reading. This is the "flat line test" of the U.S. IOOS QARTOD manuals, which
    leave its thresholds to the operator's judgement.

    Why these defaults: real air changes measurably at the sensors' resolution within
    an hour or two, but not always faster. In the real Sensor.Community samples a
    DHT22 (0.1 °C resolution) held 18.4 °C for 26 readings (61 minutes) on a calm night
    and a Smart Citizen barometer (0.1 hPa) held its value for 13 minutes; both are
    genuine. Three hours is well beyond that, and the count guard (10 readings) keeps
    hourly data from being flagged after only four equal hours (integer-valued reference
    data repeats). Counting time as well as readings matters because cadences differ
    from 30 s to an hour.

    Parameters
    ----------
    data
        The readings to check; not changed.
    min_repeats
        Fewest equal consecutive readings that make a run suspicious.
    min_duration
        Shortest time from the first to the last reading of a suspicious run (a pandas
        time length, e.g. ``"3h"``, ``"90min"``).
    skip_zeros
        Do not flag runs of exactly 0: darkness at night (light), no bicycles (counts),
        a metal-oxide sensor at its baseline (tvoc) and very clean air repeat 0
        legitimately. Set ``False`` to find dead sensors that report 0.

    Returns
    -------
    SensorData
        With the boolean column ``flag_stuck`` and the step in the history.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData, empty_sensors
    >>> readings = pd.DataFrame({"sensor_id": "s", "variable": "pm25", "unit": "µg/m³",
    ...     "time": pd.date_range("2024-01-01", periods=6, freq="1h", tz="UTC"),
    ...     "value": [3.0, 7.0, 7.0, 7.0, 7.0, 5.0]})
    >>> data = SensorData(readings, empty_sensors())
    >>> flag_stuck(data, min_repeats=4, min_duration="3h").readings["flag_stuck"].tolist()
    [False, True, True, True, True, False]
    """
    import numpy as np
    import pandas as pd

    duration = pd.Timedelta(min_duration)
    n = len(data.readings)
    order, codes, stamps = time_order(data.readings)
    values = data.readings["value"].to_numpy()[order]
    mask = np.zeros(n, dtype=bool)
    if n:
        same = (codes[1:] == codes[:-1]) & (values[1:] == values[:-1])  # NaN never equal
        starts = np.flatnonzero(np.r_[True, ~same])
        ends = np.r_[starts[1:], n] - 1  # last position of each run
        length = ends - starts + 1
        span = stamps[ends] - stamps[starts]
        suspicious = (length >= min_repeats) & (span >= duration.as_unit("ns").value)
        if skip_zeros:
            suspicious &= values[starts] != 0
        run_of = np.repeat(np.arange(len(starts)), length)
        mask[order] = suspicious[run_of]
    return add_flags(
        data,
        {"stuck": mask},
        rule="stuck",
        description=(
            f"Flagged {int(mask.sum())} of {n} readings in runs of one repeated value "
            f"(>= {min_repeats} readings lasting >= {duration_text(duration)}) "
            f"({counts_by_variable(data.readings, mask)})."
        ),
        parameters={
            "min_repeats": min_repeats,
            "min_duration": duration_text(duration),
            "skip_zeros": skip_zeros,
        },
        citation="U.S. IOOS (2015) Manual for Real-Time Quality Control of In-situ "
        "Temperature and Salinity Data v2.0, flat line test, doi:10.7289/V5V40SD4 "
        "(thresholds are the toolkit's choice)",
    )


def flag_spikes(
    data: SensorData,
    *,
    window: int = 7,
    n_sigmas: float = 3.0,
    floor: float | Mapping[str, float] | None = None,
    groups: Sequence[str] = SPIKE_GROUPS,
) -> SensorData:
    """Flag single values far from their neighbours (a Hampel filter).

    For each reading, take the ``window`` readings of its series centred on it (in time
    order; fewer at the ends of a series), their median ``m`` and their median absolute
    deviation ``MAD = median(|x_j - m|)``. The reading is a spike when

        |x - m| > max(n_sigmas × 1.4826 × MAD, floor)

    1.4826 × MAD estimates the standard deviation of the noise while ignoring the spikes
    themselves (Hampel 1974; Pearson 2002). The ``floor`` keeps flat series, where MAD is
    0, from turning every small step into a spike. A reading whose window holds fewer
    than ``window // 2 + 1`` values is not judged.

    Defaults: a window of 7 readings (three either side, the usual Hampel half-width;
    about 15 minutes for a Sensor.Community sensor) and 3 standard deviations (the
    usual Hampel threshold). The default floor is 2 % of each variable's plausible range
    (variables table): 20 µg/m³ for PM2.5, 2.4 °C for temperature, 2 % for humidity.
    With 1 %, a DHT22's humidity dipping 1.1 % for one reading in a steady series (the
    real madavi.de sample, 2018-07-24 13:25) counted as a spike: noise, not an error.
    A spike can be a real short event (someone smoking beside the sensor): the flag is a
    doubt, not a verdict.

    Parameters
    ----------
    data
        The readings to check; not changed.
    window
        Readings in each window, an odd number >= 3.
    n_sigmas
        How many (robust) standard deviations from the median make a spike.
    floor
        Smallest deviation that can be a spike, in the variable's canonical unit: one
        number for all variables, per variable (others keep the default), or ``None``
        for 2 % of each variable's plausible range (:data:`FLOOR_SHARE`).
    groups
        Groups of the variables table to check (default :data:`SPIKE_GROUPS`).

    Returns
    -------
    SensorData
        With the boolean column ``flag_spikes`` and the step in the history.

    Raises
    ------
    ValueError
        If ``window`` is not an odd number of at least 3.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData, empty_sensors
    >>> readings = pd.DataFrame({"sensor_id": "s", "variable": "pm25", "unit": "µg/m³",
    ...     "time": pd.date_range("2024-01-01", periods=7, freq="2min", tz="UTC"),
    ...     "value": [5.0, 6.0, 5.0, 80.0, 6.0, 5.0, 6.0]})
    >>> flag_spikes(SensorData(readings, empty_sensors())).readings["flag_spikes"].tolist()
    [False, False, False, True, False, False, False]

    References
    ----------
    Hampel, F. R. (1974). The influence curve and its role in robust estimation. JASA
    69(346), 383-393. Pearson, R. K. (2002). Outliers in process modeling and
    identification. IEEE Trans. Control Systems Technology 10(1), 55-63.
    """
    import numpy as np

    from .. import variables

    if not isinstance(window, int) or window < 3 or window % 2 == 0:
        msg = (
            f"window must be an odd number of readings, at least 3 (the reading and the "
            f"same number either side); got {window!r}. Try window=7."
        )
        raise ValueError(msg)
    checked = sorted(name for name in data.variables if group_of(name) in set(groups))
    floors: dict[str, float] = {}
    for name in checked:
        row = variables.get(name)
        floors[name] = FLOOR_SHARE * (row.plausible_max - row.plausible_min)
    if isinstance(floor, int | float):
        floors = dict.fromkeys(checked, float(floor))
    elif floor is not None:
        floors.update({k: float(v) for k, v in floor.items() if k in floors})
    nan = float("nan")
    n = len(data.readings)
    order, codes, _ = time_order(data.readings)
    values = data.readings["value"].to_numpy()[order]
    floor_of = variable_values(data.readings, floors, nan).astype(float)[order]
    usable = np.flatnonzero(~np.isnan(floor_of) & np.isfinite(values))
    spikes = _hampel(values[usable], codes[usable], floor_of[usable], window, n_sigmas)
    mask = np.zeros(n, dtype=bool)
    mask[order[usable[spikes]]] = True
    return add_flags(
        data,
        {"spikes": mask},
        rule="spikes",
        description=(
            f"Flagged {int(mask.sum())} of {n} readings far from the median of their "
            f"{window} neighbours ({counts_by_variable(data.readings, mask)})."
        ),
        parameters={
            "window": window,
            "n_sigmas": n_sigmas,
            "floor": floors,
            "groups": list(groups),
        },
        citation="Hampel filter: Hampel (1974) JASA 69:383; Pearson (2002) IEEE TCST 10:55",
    )


def _row_median(block: np.ndarray) -> np.ndarray:
    """Median of each row, ignoring NaN (rows hold at least one number)."""
    import numpy as np

    ordered = np.sort(block, axis=1)  # NaN sorts last
    count = np.sum(~np.isnan(block), axis=1)
    rows = np.arange(len(block))
    low = ordered[rows, np.maximum(count - 1, 0) // 2]
    high = ordered[rows, count // 2]
    return (low + high) / 2


def _hampel(
    values: np.ndarray, codes: np.ndarray, floor: np.ndarray, window: int, n_sigmas: float
) -> np.ndarray:
    """Hampel test of values sorted by series and time; True where a value is a spike."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    half = window // 2
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    padded = np.concatenate([np.full(half, np.nan), values, np.full(half, np.nan)])
    padded_codes = np.concatenate([np.full(half, -1), codes, np.full(half, -1)])
    all_values = sliding_window_view(padded, window)
    all_codes = sliding_window_view(padded_codes, window)
    result = np.zeros(len(values), dtype=bool)
    for start in range(0, len(values), _CHUNK):  # blocks of rows, to bound memory
        stop = min(start + _CHUNK, len(values))
        own = codes[start:stop, None]
        block = np.where(all_codes[start:stop] == own, all_values[start:stop], np.nan)
        median = _row_median(block)
        mad = _row_median(np.abs(block - median[:, None]))
        enough = np.sum(~np.isnan(block), axis=1) >= half + 1
        limit = np.maximum(n_sigmas * MAD_TO_SIGMA * mad, floor[start:stop])
        result[start:stop] = enough & (np.abs(values[start:stop] - median) > limit)
    return result


def flag_duplicates(data: SensorData) -> SensorData:
    """Flag several readings of one series at the same time.

    Readings of one sensor, variable and channel with the same timestamp are duplicates.
    When all of them hold the same value, the repeat adds nothing: all but the first (in
    reading order) are flagged, so the value still counts once. When their values
    differ, nobody can tell which is right: all of them are flagged. The step's
    description says how many of each kind were found.

    Parameters
    ----------
    data
        The readings to check; not changed.

    Returns
    -------
    SensorData
        With the boolean column ``flag_duplicates`` and the step in the history.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData, empty_sensors
    >>> t = pd.Timestamp("2024-01-01", tz="UTC")
    >>> readings = pd.DataFrame({"sensor_id": "s", "variable": "pm25", "unit": "µg/m³",
    ...     "time": [t, t, t + pd.Timedelta("2min"), t + pd.Timedelta("2min")],
    ...     "value": [5.0, 5.0, 6.0, 9.0]})
    >>> flag_duplicates(SensorData(readings, empty_sensors())).readings["flag_duplicates"].tolist()
    [False, True, True, True]
    """
    import numpy as np
    import pandas as pd

    n = len(data.readings)
    order, codes, stamps = time_order(data.readings)
    values = data.readings["value"].to_numpy()[order]
    mask = np.zeros(n, dtype=bool)
    repeats = conflicts = 0
    if n:
        new = np.r_[True, (codes[1:] != codes[:-1]) | (stamps[1:] != stamps[:-1])]
        group = np.cumsum(new) - 1
        frame = pd.DataFrame({"g": group, "v": values})
        by = frame.groupby("g", sort=False)["v"]
        size = by.transform("size").to_numpy()
        count = by.transform("count").to_numpy()  # values that are not NaN
        low = by.transform("min").to_numpy()
        high = by.transform("max").to_numpy()
        identical = ((low == high) & (count == size)) | (count == 0)
        first = new  # sorting is stable, so the first of each group is first in reading order
        repeat = (size > 1) & identical & ~first
        conflict = (size > 1) & ~identical
        repeats, conflicts = int(repeat.sum()), int(conflict.sum())
        mask[order] = repeat | conflict
    return add_flags(
        data,
        {"duplicates": mask},
        rule="duplicates",
        description=(
            f"Flagged {int(mask.sum())} of {n} readings that share a timestamp with another "
            f"reading of the same series: {repeats} identical repeat(s) (all but the first "
            f"of each set) and {conflicts} conflicting value(s) (every reading of a set "
            f"whose values differ)."
        ),
        parameters={"keys": ["sensor_id", "variable", "channel", "time"]},
    )
