"""Averaging periods and where they begin and end, in local time, safely across DST.

Readings are stored in UTC; people read days, weeks and hours in their own time. This
module turns a period name (``"1h"``, ``"8h"``, ``"day"``...) and a time zone into the
start and end (in UTC) of the period each reading falls in.

Conventions
-----------
* Periods are labelled by their start.
* Periods of up to one hour follow the local clock of each reading: with a zone half an
  hour off UTC (India, +05:30), local hours start at :30 UTC. When clocks go back, the
  repeated local hour is two separate hours, each 60 minutes long.
* Longer periods (8 hours, days, weeks starting on Monday, months, years) run from local
  wall-clock boundary to boundary, so a local day lasts 23 hours on the day clocks go
  forward and 25 hours on the day they go back. A boundary that does not exist (in
  America/Santiago clocks jump from 24:00 to 01:00, so that day begins at 01:00) moves
  forward to the first instant that does; a boundary that happens twice takes the
  first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._errors import TimestampError
from ._time import check_timezone

if TYPE_CHECKING:
    import pandas as pd

    from .sensordata import SensorData

__all__ = ["PERIOD_NAMES", "Period", "parse_period", "period_bounds", "sensor_timezones"]

_CALENDAR = {
    "day": "day",
    "daily": "day",
    "1d": "day",
    "d": "day",
    "24h": "day",
    "week": "week",
    "weekly": "week",
    "1w": "week",
    "w": "week",
    "month": "month",
    "monthly": "month",
    "1mo": "month",
    "mo": "month",
    "ms": "month",
    "year": "year",
    "yearly": "year",
    "annual": "year",
    "1y": "year",
    "y": "year",
}
#: Period names understood, besides fixed lengths such as ``"10min"``, ``"1h"``, ``"8h"``.
PERIOD_NAMES = (
    "1min",
    "5min",
    "10min",
    "15min",
    "30min",
    "1h",
    "8h",
    "day",
    "week",
    "month",
    "year",
)


@dataclass(frozen=True)
class Period:
    """An averaging period: a fixed length (``fixed``) or a calendar unit (``calendar``)."""

    name: str
    fixed: pd.Timedelta | None = None
    calendar: str | None = None

    @property
    def follows_each_reading(self) -> bool:
        """True for periods of at most one hour, which follow each reading's own offset."""
        import pandas as pd

        return self.fixed is not None and self.fixed <= pd.Timedelta("1h")

    @property
    def nominal_hours(self) -> float:
        """Length in hours on an ordinary day (months: 30 days; years: 365)."""
        if self.fixed is not None:
            return self.fixed.total_seconds() / 3600
        return {"day": 24, "week": 168, "month": 720, "year": 8760}[self.calendar or "day"]


def parse_period(period: str) -> Period:
    """Read a period name.

    Parameters
    ----------
    period
        ``"10min"``, ``"1h"``, ``"8h"`` (any length that divides a day), or a calendar
        period: ``"day"``, ``"week"``, ``"month"``, ``"year"`` (``"1D"``, ``"24h"``...).

    Returns
    -------
    Period

    Raises
    ------
    ValueError
        For a name that is neither, listing the names that work.
    """
    import pandas as pd

    key = str(period).strip().lower().replace(" ", "")
    if key in _CALENDAR:
        return Period(name=_CALENDAR[key], calendar=_CALENDAR[key])
    try:
        length = pd.Timedelta(key)
    except ValueError:
        length = None
    day = pd.Timedelta("1D")
    if length is not None and pd.Timedelta(0) < length < day and day % length == pd.Timedelta(0):
        hours, rest = divmod(length, pd.Timedelta("1h"))
        name = f"{hours}h" if rest == pd.Timedelta(0) else f"{int(length.total_seconds() // 60)}min"
        return Period(name=name, fixed=length)
    msg = (
        f"{period!r} is not an averaging period the toolkit knows. Use a length that "
        f"divides a day ('10min', '1h', '8h') or a calendar period ('day', 'week', "
        f"'month', 'year'); for example period='1h'."
    )
    raise ValueError(msg)


def sensor_timezones(data: SensorData, timezone: str | None) -> dict[str, str]:
    """Decide the zone of each sensor's local time.

    Parameters
    ----------
    data
        The data whose sensors are meant.
    timezone
        ``"local"`` (or ``None``) for each sensor's own zone from ``data.sensors``; or an
        IANA name (``"UTC"``, ``"Europe/Berlin"``) for all sensors.

    Returns
    -------
    dict
        Sensor id -> IANA zone name.

    Raises
    ------
    TimestampError
        When local time is asked for sensors whose zone is unknown, or a name is wrong.
    """
    if timezone not in (None, "local"):
        check_timezone(timezone, also="'local' (each sensor's own zone)")
        return dict.fromkeys(data.sensor_ids, timezone)
    zones = dict(zip(data.sensors["sensor_id"].astype(str), data.sensors["timezone"], strict=True))
    used = {str(s) for s in data.readings["sensor_id"].unique()}
    missing = sorted(s for s in used if not isinstance(zones.get(s), str) or not zones[s])
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        why = next(
            (
                how.removeprefix("unknown: ")
                for record in data.ledger
                for sensor, (zone, how) in record.sensor_zones.items()
                if sensor == missing[0] and not zone
            ),
            "",
        )
        raise TimestampError(
            "Local time was asked for, but the time zone of some sensors is unknown.",
            found=f"no time zone for {shown}" + (f"; for {missing[0]}: {why}" if why else ""),
            fix="Say where the sensors are when loading: "
            "toolkit.load(path, sensor_timezone='Europe/Berlin'); or afterwards: "
            "data = data.with_timezone('Europe/Berlin'); or use timezone='UTC' here "
            "(days and hours then run in UTC).",
        )
    return {s: zones[s] for s in used}


def _wall_start(wall: pd.Series, period: Period) -> pd.Series:
    """Floor naive wall-clock times to the start of their period."""
    if period.fixed is not None:
        return wall.dt.floor(period.fixed)
    day = wall.dt.normalize()
    if period.calendar == "day":
        return day
    if period.calendar == "week":
        import pandas as pd

        return day - pd.to_timedelta(wall.dt.day_of_week, unit="D")
    if period.calendar == "month":
        return wall.dt.to_period("M").dt.start_time
    return wall.dt.to_period("Y").dt.start_time


def _next_wall(starts: pd.Series, period: Period) -> pd.Series:
    import pandas as pd

    if period.fixed is not None:
        return starts + period.fixed
    step = {
        "day": pd.DateOffset(days=1),
        "week": pd.DateOffset(weeks=1),
        "month": pd.DateOffset(months=1),
        "year": pd.DateOffset(years=1),
    }[period.calendar]
    return starts + step


def _localize_boundaries(wall: pd.Series, timezone: str) -> pd.Series:
    """Wall-clock boundaries -> UTC: a missing instant moves forward, a double takes the first."""
    import pandas as pd

    index = pd.DatetimeIndex(wall)
    local = index.tz_localize(timezone, ambiguous=[True] * len(index), nonexistent="shift_forward")
    return local.tz_convert("UTC")


def period_bounds(
    times: pd.Series,
    timezone: str,
    period: Period,
) -> tuple[pd.Series, pd.Series]:
    """Start and end (UTC) of the period each time falls in, in a zone's local time.

    Parameters
    ----------
    times
        UTC timestamps (``datetime64[ns, UTC]``).
    timezone
        IANA zone whose local clock defines the periods.
    period
        From :func:`parse_period`.

    Returns
    -------
    start, end : pandas.Series
        UTC timestamps aligned with ``times``; ``end - start`` is the real length of each
        period (for example 23 hours for the local day when clocks go forward).
    """
    import numpy as np
    import pandas as pd

    times = times.reset_index(drop=True)
    if timezone in ("UTC", "Etc/UTC"):
        local = times.dt.tz_localize(None)
        offset = pd.Series(np.zeros(len(times), dtype="timedelta64[ns]"))
    else:
        local = times.dt.tz_convert(timezone).dt.tz_localize(None)
        offset = local - times.dt.tz_localize(None)
    if period.follows_each_reading:
        start_wall = local.dt.floor(period.fixed)
        start = (start_wall - offset).dt.tz_localize("UTC").astype("datetime64[ns, UTC]")
        return start, start + period.fixed
    start_wall = _wall_start(local, period)
    codes, uniques = pd.factorize(start_wall)
    uniques = pd.Series(pd.DatetimeIndex(uniques))
    if timezone in ("UTC", "Etc/UTC"):
        first = uniques.dt.tz_localize("UTC")
        after = _next_wall(uniques, period).dt.tz_localize("UTC")
    else:
        first = pd.Series(_localize_boundaries(uniques, timezone))
        after = pd.Series(_localize_boundaries(_next_wall(uniques, period), timezone))
    valid = codes >= 0
    start = pd.Series(pd.NaT, index=times.index, dtype="datetime64[ns, UTC]")
    end = pd.Series(pd.NaT, index=times.index, dtype="datetime64[ns, UTC]")
    start[valid] = first.to_numpy()[codes[valid]]
    end[valid] = after.to_numpy()[codes[valid]]
    return start.astype("datetime64[ns, UTC]"), end.astype("datetime64[ns, UTC]")
