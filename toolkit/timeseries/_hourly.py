"""Hourly values as the other time-series steps need them.

Rolling means, NowCast, profiles, noise levels and traffic counts all start from valid
hourly averages. :func:`hourly_values` gives them: readings as loaded are averaged with
:func:`toolkit.timeseries.average` (recorded in the history); data that is hourly already
is used as it is; anything else gets a clear error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._errors import DataFormatError

if TYPE_CHECKING:
    import numpy as np

    from ..sensordata import SensorData

__all__ = ["hourly_values", "refuse_empty", "usable_hours"]

#: Raw readings further apart than this (seconds) cannot make hourly values.
_SLOWEST_CADENCE_S = 1.1 * 3600


def hourly_values(
    data: SensorData,
    *,
    timezone: str,
    what: str,
    min_coverage: float | None = None,
) -> SensorData:
    """Return hourly averages of ``data``: as given, or averaged from raw readings.

    Parameters
    ----------
    data
        Raw readings, or hourly averages (``period == "1h"``).
    timezone
        Passed to :func:`toolkit.timeseries.average` for raw readings.
    what
        What the caller computes, for messages ("rolling means", "the NowCast").
    min_coverage
        Data capture an hour needs, passed to ``average``; its default when ``None``.

    Returns
    -------
    SensorData
        Hourly averages, with the ``average`` step in the history when one was made.

    Raises
    ------
    DataFormatError
        For empty data, averages over other periods, or raw readings further apart than
        an hour.
    """
    refuse_empty(data, what)
    readings = data.readings
    if "period" in readings.columns:
        periods = sorted({str(p) for p in readings["period"].unique()})
        if periods != ["1h"]:
            raise DataFormatError(
                f"Hourly values are needed for {what}, but these readings are averages "
                "over other periods.",
                found=f"period {', '.join(repr(p) for p in periods)}",
                fix="Start from the readings as loaded (hours are made from them), or "
                "from toolkit.timeseries.average(data, '1h').",
            )
        if "valid" not in readings.columns:
            raise DataFormatError(
                "These hourly values do not say which hours are valid.",
                found=f"columns {list(readings.columns)}",
                fix="Make hourly values with toolkit.timeseries.average(data, '1h').",
            )
        return data
    _refuse_slow_readings(data, what)
    from ._average import DEFAULT_MIN_COVERAGE, average

    share = DEFAULT_MIN_COVERAGE if min_coverage is None else min_coverage
    return average(data, "1h", timezone=timezone, min_coverage=share)


def refuse_empty(data: SensorData, what: str) -> None:
    """Raise a friendly error when ``data`` has no readings."""
    if data.readings.empty:
        raise DataFormatError(
            f"There are no readings to compute {what} from.",
            found="0 readings",
            fix="Check what was loaded (data.summary()) and any selection made before.",
        )


def _refuse_slow_readings(data: SensorData, what: str) -> None:
    """Raise when raw readings come less often than once an hour (no hourly values)."""
    from ..cadence import cadence

    table = cadence(data)
    slow = table[table["cadence_s"] > _SLOWEST_CADENCE_S]
    if slow.empty:
        return
    shown = ", ".join(
        f"{s} {v} every {c / 3600:.1f} h"
        for s, v, c in zip(slow["sensor_id"], slow["variable"], slow["cadence_s"], strict=True)
    )
    raise DataFormatError(
        f"Hourly values are needed for {what}, but some readings come less often than "
        "once an hour.",
        found=shown if len(slow) <= 5 else f"{len(slow)} series, for example {shown[:200]}",
        fix="Leave those series out, for example data.select(variables=[...]) or "
        "data.select(sensors=[...]).",
    )


def usable_hours(hourly: SensorData) -> np.ndarray:
    """Boolean array: hourly values that are valid, present and carry no quality flag."""
    readings = hourly.readings
    ok = readings["valid"].to_numpy(dtype=bool) & readings["value"].notna().to_numpy()
    return ok & ~hourly.flagged.to_numpy()
