"""Small hand-made SensorData for the quality tests."""

from __future__ import annotations

import pandas as pd

from toolkit.sensordata import SensorData, concat_readings, normalise_sensors

UNITS = {
    "pm25": "µg/m³",
    "pm10": "µg/m³",
    "pm25_cf1": "µg/m³",
    "pm25_atm": "µg/m³",
    "no2": "µg/m³",
    "temperature": "°C",
    "humidity": "%",
    "laeq": "dB(A)",
    "light": "lux",
    "count_bike": "count",
}


def series(
    values,
    *,
    start="2024-01-01T00:00Z",
    freq="2min",
    times=None,
    sensor="s1",
    variable="pm25",
    channel=None,
) -> pd.DataFrame:
    """One series as a readings table: values at regular times from ``start`` (UTC)."""
    if times is None:
        times = pd.date_range(start, periods=len(values), freq=freq)
    frame = pd.DataFrame(
        {
            "sensor_id": sensor,
            "time": pd.to_datetime(list(times), utc=True),
            "variable": variable,
            "value": [float(v) for v in values],
            "unit": UNITS[variable],
        }
    )
    if channel is not None:
        frame["channel"] = channel
    return frame


def make(*frames: pd.DataFrame, timezone: str | None = None) -> SensorData:
    """A SensorData from readings tables; one sensors row per id (zone optional)."""
    readings = concat_readings(list(frames))
    ids = [str(s) for s in readings["sensor_id"].cat.categories]
    sensors = normalise_sensors(pd.DataFrame({"sensor_id": ids, "timezone": timezone}))
    return SensorData(readings, sensors)


def snapshot(data: SensorData) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Deep copies of what a rule must not change."""
    return data.readings.copy(deep=True), data.sensors.copy(deep=True), len(data.history)


def assert_unchanged(data: SensorData, before: tuple[pd.DataFrame, pd.DataFrame, int]) -> None:
    """The input still holds what it held (no column added, nothing changed)."""
    pd.testing.assert_frame_equal(data.readings, before[0])
    pd.testing.assert_frame_equal(data.sensors, before[1])
    assert len(data.history) == before[2]


def assert_only_flags_added(before: SensorData, after: SensorData) -> None:
    """Flags never remove or change readings: same rows, same values, extra flag columns."""
    assert len(after.readings) == len(before.readings)
    for column in before.readings.columns:
        pd.testing.assert_series_equal(after.readings[column], before.readings[column])
    extra = [c for c in after.readings.columns if c not in before.readings.columns]
    assert all(c.startswith("flag_") for c in extra)
    assert all(after.readings[c].dtype == bool for c in after.flag_columns)
