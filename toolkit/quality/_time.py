"""Rules about time: gaps in a series, and clocks that are wrong."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._common import add_flags, counts_by_variable, duration_text, series_codes, time_order

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["EARLIEST", "GAP_FACTOR", "flag_clock", "flag_gaps", "gaps"]

#: A gap is an interval longer than this many times the series' cadence. 2.5 lies halfway
#: between one missed reading (an interval of about 2 cadences, usually a lost Wi-Fi
#: packet) and two missed readings (about 3 cadences), so jittery timestamps (a
#: Sensor.Community sensor reports every 145-154 s) never make a gap by themselves.
GAP_FACTOR = 2.5

#: Readings before this date are taken to come from a clock that was never set. Real-time
#: clock chips restart at 2000-01-01 after losing power, and many devices at the Unix
#: epoch (1970-01-01); no citizen-sensing network is older than 2001.
EARLIEST = "2001-01-01"


def _gap_positions(
    readings: pd.DataFrame, factor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Find gaps: sorted order, series codes, stamps, gap mask over intervals, cadences."""
    import numpy as np

    from ..cadence import cadence

    order, codes, stamps = time_order(readings)
    table = cadence(readings)  # row i describes series code i (same numbering)
    seconds = table["cadence_s"].to_numpy(dtype=float)
    if len(codes) < 2:
        return order, codes, stamps, np.zeros(0, dtype=bool), seconds
    same = codes[1:] == codes[:-1]
    limit = factor * seconds[codes[1:]] * 1e9  # NaN for a series with one time: no gap
    with np.errstate(invalid="ignore"):
        is_gap = same & (np.diff(stamps) > limit)
    return order, codes, stamps, is_gap, seconds


def gaps(data: SensorData, *, factor: float = GAP_FACTOR) -> pd.DataFrame:
    """List the gaps in each series: intervals longer than ``factor`` × its cadence.

    The cadence of a series is the median interval between its readings
    (:func:`toolkit.cadence.cadence`). A gap is reported by the two readings around it.

    Parameters
    ----------
    data
        The readings to look at.
    factor
        How many cadences an interval must exceed to be a gap (default
        :data:`GAP_FACTOR` = 2.5: two or more readings missing in a row).

    Returns
    -------
    pandas.DataFrame
        One row per gap: ``sensor_id``, ``variable``, ``channel`` (empty when none),
        ``start`` (time of the last reading before the gap, UTC), ``end`` (time of the
        first reading after it), ``duration``, ``cadence_s`` and ``missing`` (about how
        many readings are missing: duration / cadence - 1, rounded).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData, empty_sensors
    >>> times = pd.to_datetime(["2024-01-01 00:00", "2024-01-01 00:01", "2024-01-01 00:02",
    ...                         "2024-01-01 00:10", "2024-01-01 00:11"], utc=True)
    >>> readings = pd.DataFrame({"sensor_id": "s", "variable": "pm25", "unit": "µg/m³",
    ...                          "time": times, "value": 1.0})
    >>> gaps(SensorData(readings, empty_sensors()))[["start", "end", "missing"]]
                          start                       end  missing
    0 2024-01-01 00:02:00+00:00 2024-01-01 00:10:00+00:00        7
    """
    import numpy as np
    import pandas as pd

    readings = data.readings
    order, codes, stamps, is_gap, seconds = _gap_positions(readings, factor)
    before = np.flatnonzero(is_gap)
    rows = order[before]
    start = pd.to_datetime(stamps[before], utc=True)
    end = pd.to_datetime(stamps[before + 1], utc=True)
    duration = pd.Series(end - start)
    cadence_s = seconds[codes[before]]
    channel: Any = (
        readings["channel"].to_numpy()[rows]
        if "channel" in readings.columns
        else [None] * len(rows)
    )
    return pd.DataFrame(
        {
            "sensor_id": readings["sensor_id"].astype(str).to_numpy()[rows],
            "variable": readings["variable"].astype(str).to_numpy()[rows],
            "channel": pd.Series(channel, dtype=object).where(pd.notna(channel), None),
            "start": start,
            "end": end,
            "duration": duration,
            "cadence_s": cadence_s,
            "missing": np.round(duration.dt.total_seconds().to_numpy() / cadence_s - 1).astype(int),
        }
    )


def flag_gaps(data: SensorData, *, factor: float = GAP_FACTOR) -> SensorData:
    """Flag the first reading after each gap.

    A device that restarts (power cut, crash, new firmware) often sends a poor first
    value: the fan has just started, the air in the chamber is stale, a heated sensor
    has not warmed up. The first reading after each gap of :func:`gaps` is flagged
    (every reading of the series at that timestamp, when there are duplicates). The
    gaps themselves are listed by :func:`gaps`; the health table counts the missing
    readings as lost completeness.

    Parameters
    ----------
    data
        The readings to check; not changed.
    factor
        As for :func:`gaps` (default 2.5 cadences).

    Returns
    -------
    SensorData
        With the boolean column ``flag_gaps`` and the step in the history.
    """
    import numpy as np

    n = len(data.readings)
    order, codes, stamps, is_gap, _ = _gap_positions(data.readings, factor)
    mask = np.zeros(n, dtype=bool)
    if n:
        after = np.r_[False, is_gap]  # sorted positions that follow a gap
        new = np.r_[True, (codes[1:] != codes[:-1]) | (stamps[1:] != stamps[:-1])]
        moment = np.cumsum(new) - 1  # one number per (series, time)
        mask[order] = np.isin(moment, moment[after])
    return add_flags(
        data,
        {"gaps": mask},
        rule="gaps",
        description=(
            f"Found {int(is_gap.sum())} gap(s) longer than {factor} × the cadence and "
            f"flagged the first reading after each: {int(mask.sum())} reading(s) "
            f"({counts_by_variable(data.readings, mask)})."
        ),
        parameters={"factor": factor, "gaps": int(is_gap.sum())},
    )


def flag_clock(
    data: SensorData,
    *,
    now: Any = None,
    earliest: Any = EARLIEST,
    max_backwards: str = "1h",
) -> SensorData:
    """Flag readings whose timestamps a clock got wrong.

    Four reasons, each counted in the step's description:

    * **out of order**: earlier than the reading before it in the same series, in the
      order the readings were read (readers that sort by time leave none to find);
    * **backwards jump**: more than ``max_backwards`` earlier than the latest time the
      series had already reached: every reading until the clock catches up again (a clock
      reset, a time zone change written as a jump);
    * **in the future**: later than ``now``;
    * **too early**: before ``earliest`` (a clock that was never set).

    Parameters
    ----------
    data
        The readings to check; not changed.
    now
        The present moment (a timestamp; naive ones are read as UTC). The default is the
        current UTC time. It is recorded in the history, so the check can be re-made
        exactly with ``now=<recorded value>``.
    earliest
        The first plausible time (default :data:`EARLIEST`, 2001-01-01 UTC); set it to
        the deployment date for a stricter check.
    max_backwards
        How far back a clock may step before the readings that follow are flagged.

    Returns
    -------
    SensorData
        With the boolean column ``flag_clock`` and the step in the history.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sensordata import SensorData, empty_sensors
    >>> times = pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:02", "2024-01-01 10:01",
    ...                         "2000-01-01 00:00", "2031-01-01 00:00"], utc=True)
    >>> readings = pd.DataFrame({"sensor_id": "s", "variable": "pm25", "unit": "µg/m³",
    ...                          "time": times, "value": 1.0})
    >>> data = SensorData(readings, empty_sensors())
    >>> flag_clock(data, now="2025-01-01").readings["flag_clock"].tolist()
    [False, False, True, True, True]
    """
    import numpy as np
    import pandas as pd

    moment = _utc(pd.Timestamp.now(tz="UTC") if now is None else now)
    first = _utc(earliest)
    back = pd.Timedelta(max_backwards)
    n = len(data.readings)
    codes = series_codes(data.readings)
    stamps = pd.DatetimeIndex(data.readings["time"]).as_unit("ns").asi8
    group_order = np.argsort(codes, kind="stable")  # by series, reading order within
    c, t = codes[group_order], stamps[group_order]
    same = np.r_[False, c[1:] == c[:-1]]
    previous = np.r_[t[:1], t[:-1]]
    reached = pd.Series(t).groupby(c).cummax().to_numpy()
    reached_before = np.r_[t[:1], reached[:-1]]
    reasons = {
        "out of order": np.zeros(n, dtype=bool),
        "backwards jump": np.zeros(n, dtype=bool),
        "in the future": stamps > moment.as_unit("ns").value,
        "too early": stamps < first.as_unit("ns").value,
    }
    reasons["out of order"][group_order] = same & (t < previous)
    reasons["backwards jump"][group_order] = same & (reached_before - t > back.as_unit("ns").value)
    mask = np.zeros(n, dtype=bool)
    for part in reasons.values():
        mask |= part
    counts = ", ".join(f"{name} {int(part.sum())}" for name, part in reasons.items())
    return add_flags(
        data,
        {"clock": mask},
        rule="clock",
        description=(
            f"Flagged {int(mask.sum())} of {n} readings with doubtful timestamps ({counts})."
        ),
        parameters={
            "now": moment.isoformat(),
            "earliest": first.isoformat(),
            "max_backwards": duration_text(back),
        },
    )


def _utc(value: Any) -> pd.Timestamp:
    """Return a timestamp in UTC; naive values are read as UTC."""
    import pandas as pd

    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
