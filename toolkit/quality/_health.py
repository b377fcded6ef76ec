"""The health table: how complete and how trustworthy each sensor was, day by day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..sensordata import FLAG_PREFIX

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..sensordata import SensorData

__all__ = ["HEALTH_COLUMNS", "health"]

HEALTH_COLUMNS = (
    "sensor_id",
    "day",
    "timezone",
    "start",
    "end",
    "readings",
    "expected",
    "completeness",
    "flagged",
    "share_flagged",
    "status",
    "top_rules",
)


def health(
    data: SensorData,
    *,
    timezone: str = "local",
    good_completeness: float = 0.75,
    poor_completeness: float = 0.50,
    check_flagged: float = 0.05,
    poor_flagged: float = 0.25,
) -> pd.DataFrame:
    """One row per sensor and local day: readings, completeness, flags and a status.

    Expected readings come from each series' cadence (:func:`toolkit.cadence.cadence`):
    for every variable (and channel) of the sensor, the day's length divided by the
    median interval between its readings, summed over the variables. A day lasts 23 or
    25 hours when clocks change (:mod:`toolkit._periods`), and its expected readings
    follow. A sensor's first and last days count in full, so a sensor installed at noon
    has about half its first day.

    Status, in this order:

    * ``no data``: no readings that day (days between the sensor's first and last day
      with no reading appear with this status);
    * ``poor``: completeness below ``poor_completeness`` (50 %) or more than
      ``poor_flagged`` (25 %) of the readings flagged;
    * ``check``: completeness below ``good_completeness`` (75 %, the data capture a
      daily mean needs in the EU Air Quality Directive 2008/50/EC Annex VII and the
      toolkit's averaging) or more than ``check_flagged`` (5 %) flagged;
    * ``good``: otherwise.

    Parameters
    ----------
    data
        Readings, with ``flag_<rule>`` columns if they were checked.
    timezone
        ``"local"`` (each sensor's zone from ``data.sensors``; see
        ``data.with_timezone``) or an IANA name for all sensors, e.g. ``"UTC"``.
    good_completeness, poor_completeness, check_flagged, poor_flagged
        The status thresholds above (shares, 0-1).

    Returns
    -------
    pandas.DataFrame
        ``sensor_id``, ``day`` (local date, midnight), ``timezone``, ``start`` and ``end``
        (UTC), ``readings``, ``expected``, ``completeness`` (readings / expected, at most
        1), ``flagged`` (readings flagged by any rule), ``share_flagged`` (of the day's
        readings), ``status`` and ``top_rules`` (the rules that flagged most that day,
        with counts, e.g. ``"spikes 12, stuck 3"``).

    Raises
    ------
    TimestampError
        When local days are asked for sensors whose time zone is unknown.
    """
    import numpy as np
    import pandas as pd

    from .._periods import sensor_timezones
    from ..cadence import cadence

    readings = data.readings
    if readings.empty:
        return pd.DataFrame({c: [] for c in HEALTH_COLUMNS})
    zones = sensor_timezones(data, timezone)
    fallback = timezone if timezone not in (None, "local") else "UTC"
    sensor = readings["sensor_id"].astype("category")
    names = [str(c) for c in sensor.cat.categories]
    zone_of = {name: zones.get(name, fallback) for name in names}
    rules = [c[len(FLAG_PREFIX) :] for c in data.flag_columns]
    frame = pd.DataFrame(
        {
            "sensor_id": pd.Categorical.from_codes(sensor.cat.codes, names),
            "day": _local_dates(readings["time"], sensor.cat.codes.to_numpy(), names, zone_of),
            "readings": 1,
            "flagged": data.flagged.to_numpy(),
        }
    )
    for rule in rules:
        frame[rule] = readings[f"{FLAG_PREFIX}{rule}"].to_numpy()
    counts = frame.groupby(["sensor_id", "day"], observed=True).sum().reset_index()
    counts["sensor_id"] = counts["sensor_id"].astype(str)
    days = _all_days(counts, zone_of)
    table = days.merge(counts, on=["sensor_id", "day"], how="left")
    table[["readings", "flagged", *rules]] = (
        table[["readings", "flagged", *rules]].fillna(0).astype(int)
    )
    steps = cadence(readings)
    rate = (1.0 / steps["cadence_s"]).groupby(steps["sensor_id"].astype(str)).sum(min_count=1)
    seconds = (table["end"] - table["start"]).dt.total_seconds()
    table["expected"] = seconds * table["sensor_id"].map(rate).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["completeness"] = np.minimum(table["readings"] / table["expected"], 1.0)
        table["share_flagged"] = table["flagged"] / table["readings"].where(table["readings"] > 0)
    complete = table["completeness"].fillna(0.0)
    share = table["share_flagged"].fillna(0.0)
    table["status"] = np.select(
        [
            table["readings"] == 0,
            (complete < poor_completeness) | (share > poor_flagged),
            (complete < good_completeness) | (share > check_flagged),
        ],
        ["no data", "poor", "check"],
        default="good",
    )
    table["top_rules"] = _top_rules(table[rules]) if rules else ""
    return table[list(HEALTH_COLUMNS)].reset_index(drop=True)


def _local_dates(
    times: pd.Series, codes: np.ndarray, names: list[str], zone_of: dict[str, str]
) -> np.ndarray:
    """Return the local date (midnight, naive) of each reading, in its sensor's zone."""
    import numpy as np

    days = np.empty(len(times), dtype="datetime64[ns]")
    by_zone: dict[str, list[int]] = {}
    for code, name in enumerate(names):
        by_zone.setdefault(zone_of[name], []).append(code)
    for zone, zone_codes in by_zone.items():  # one pass per time zone, not per reading
        rows = np.flatnonzero(np.isin(codes, zone_codes))
        local = times.iloc[rows].dt.tz_convert(zone).dt.tz_localize(None).dt.normalize()
        days[rows] = local.to_numpy()
    return days


def _all_days(counts: pd.DataFrame, zone_of: dict[str, str]) -> pd.DataFrame:
    """Every local day from each sensor's first to its last, with UTC start and end."""
    import pandas as pd

    from .._periods import parse_period, period_bounds

    period = parse_period("day")
    parts = []
    for sensor, days in counts.groupby("sensor_id")["day"]:  # one pass per sensor
        zone = zone_of[str(sensor)]
        dates = pd.date_range(days.min(), days.max(), freq="D")
        noon = pd.DatetimeIndex(dates + pd.Timedelta("12h")).tz_localize(
            zone, ambiguous=True, nonexistent="shift_forward"
        )
        first, after = period_bounds(pd.Series(noon.tz_convert("UTC")), zone, period)
        parts.append(
            pd.DataFrame(
                {"sensor_id": sensor, "day": dates, "timezone": zone, "start": first, "end": after}
            )
        )
    return pd.concat(parts, ignore_index=True)


def _top_rules(counts: pd.DataFrame, top: int = 3) -> list[str]:
    """For each row of rule counts, the rules with most flags: ``"spikes 12, stuck 3"``."""
    texts = []
    for row in counts.itertuples(index=False):  # one per sensor-day, not per reading
        pairs = sorted(
            ((n, rule) for rule, n in zip(counts.columns, row, strict=True) if n > 0),
            key=lambda p: (-p[0], p[1]),
        )
        texts.append(", ".join(f"{rule} {n}" for n, rule in pairs[:top]))
    return texts
