"""Hand-made SensorData with known answers for the widget tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.sensordata import SensorData, concat_readings, normalise_sensors

UNITS = {
    "pm25": "µg/m³",
    "pm25_cf1": "µg/m³",
    "pm25_atm": "µg/m³",
    "humidity": "%",
    "temperature": "°C",
    "laeq": "dB(A)",
    "wind_direction": "°",
}


def readings(sensor, times, values, variable="pm25", channel=None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "sensor_id": sensor,
            "time": pd.DatetimeIndex(times).tz_convert("UTC"),
            "variable": variable,
            "value": np.asarray(values, dtype=float),
            "unit": UNITS[variable],
        }
    )
    if channel is not None:
        frame["channel"] = channel
    return frame


def make(*frames, timezone="Europe/London", sources=None) -> SensorData:
    """A SensorData; every sensor in ``timezone`` (None: unknown), ``sources`` per id."""
    table = concat_readings(list(frames))
    ids = [str(s) for s in table["sensor_id"].cat.categories]
    sensors = pd.DataFrame({"sensor_id": ids, "timezone": timezone})
    if sources is not None:
        sensors["source"] = [sources.get(i, "") for i in ids]
    return SensorData(table, normalise_sensors(sensors))


def ten_minutes(start, days) -> pd.DatetimeIndex:
    """Readings every 10 minutes for ``days`` local days from ``start`` (London)."""
    return pd.date_range(start, periods=days * 24 * 6, freq="10min", tz="Europe/London")


def weekly(weekday_value=20.0, weekend_value=10.0, *, variable="pm25", sensors=("s1", "s2")):
    """Two weeks from Monday 3 June 2024 (BST): one value on weekdays, one at weekends.

    Weekdays and weekends are those of the London wall clock: Friday 23:10 UTC is already
    Saturday in London, so a weekday test done in UTC would mix the values.
    """
    times = ten_minutes("2024-06-03", 14)
    values = np.where(times.day_of_week >= 5, weekend_value, weekday_value)
    return make(*(readings(s, times, values, variable) for s in sensors))


def hours_signal(n_hours) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Times every 10 minutes for ``n_hours`` and a signal that changes hour by hour."""
    times = pd.date_range("2024-10-07", periods=n_hours * 6, freq="10min", tz="UTC")
    hour = np.arange(len(times)) // 6
    return times, 10 + 5 * np.sin(2 * np.pi * hour / 24) + (hour % 5)


def neighbours(bias=10.0, n_hours=72) -> SensorData:
    """Four sensors: s1 = base + 0.5, s2 = base - 0.5, s3 = base, s4 = base + ``bias``.

    By hand, the median of the others is base for s4 (difference = bias), base for s1
    (+0.5), base + 0.5 for s2 (-1.0) and base + 0.5 for s3 (-0.5).
    """
    times, base = hours_signal(n_hours)
    offsets = {"s1": 0.5, "s2": -0.5, "s3": 0.0, "s4": bias}
    return make(*(readings(s, times, base + d) for s, d in offsets.items()), timezone="UTC")


def daily(values_by_sensor, *, start="2024-10-07", variable="pm25") -> SensorData:
    """Readings every 10 minutes, one constant value per UTC day, per sensor."""
    frames = []
    for sensor, values in values_by_sensor.items():
        times = pd.date_range(start, periods=len(values) * 144, freq="10min", tz="UTC")
        frames.append(readings(sensor, times, np.repeat(values, 144), variable))
    return make(*frames, timezone="UTC")


def purpleair(hours=48, *, humidity=True) -> SensorData:
    """Two PurpleAir sensors (channels A and B of pm25_cf1 and pm25_atm) and a third sensor."""
    times, base = hours_signal(hours)
    frames = []
    for sensor in ("purpleair:1", "purpleair:2"):
        for channel in ("A", "B"):
            frames.append(readings(sensor, times, base, "pm25_cf1", channel))
            frames.append(readings(sensor, times, base * 0.8, "pm25_atm", channel))
        if humidity:
            frames.append(readings(sensor, times, np.full(len(times), 50.0), "humidity"))
    frames.append(readings("sc:1", times, base, "pm25"))
    frames.append(readings("sc:1", times, np.full(len(times), 12.0), "temperature"))
    sources = {"purpleair:1": "PurpleAir", "purpleair:2": "PurpleAir", "sc:1": "Sensor.Community"}
    return make(*frames, timezone="UTC", sources=sources)


def snapshot(data: SensorData):
    return data.readings.copy(deep=True), data.sensors.copy(deep=True), len(data.history)


def assert_unchanged(data: SensorData, before) -> None:
    pd.testing.assert_frame_equal(data.readings, before[0])
    pd.testing.assert_frame_equal(data.sensors, before[1])
    assert len(data.history) == before[2]
