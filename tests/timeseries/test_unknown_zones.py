"""Averaging sensors whose time zone is unknown (a madavi.de file has no coordinates)."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit._errors import TimestampError
from toolkit.sensordata import SensorData
from toolkit.timeseries import average


def data(zone):
    # Two hours of one reading a minute: 10 µg/m³ in the first hour, 20 in the second.
    times = pd.date_range("2024-06-01T10:00Z", periods=120, freq="1min")
    readings = pd.DataFrame(
        {
            "sensor_id": "madavi:esp8266-1",
            "time": times,
            "variable": "pm25",
            "value": [10.0] * 60 + [20.0] * 60,
            "unit": "µg/m³",
        }
    )
    sensors = pd.DataFrame({"sensor_id": ["madavi:esp8266-1"], "timezone": [zone]})
    return SensorData(readings, sensors)


def test_hours_of_a_sensor_without_a_zone_are_utc_hours_and_the_history_says_so():
    hourly = average(data(None), "1h")
    assert hourly.readings["time"].tolist() == [
        pd.Timestamp("2024-06-01T10:00Z"),
        pd.Timestamp("2024-06-01T11:00Z"),
    ]
    assert hourly.readings["value"].tolist() == [10.0, 20.0]
    step = hourly.history[-1]
    assert step.parameters["utc_for_unknown_zones"] == ["madavi:esp8266-1"]
    assert "run in UTC" in step.description
    # The same values as in UTC, or in any zone a whole number of hours away.
    for zone in ("UTC", "Europe/Berlin"):
        other = average(data(zone), "1h").readings
        assert other["value"].tolist() == [10.0, 20.0]
        assert other["time"].tolist() == hourly.readings["time"].tolist()


@pytest.mark.parametrize("period", ["8h", "day", "month"])
def test_periods_longer_than_an_hour_still_need_the_zone(period):
    with pytest.raises(TimestampError, match="time zone of some sensors is unknown"):
        average(data(None), period)


def test_half_hour_zones_are_not_utc_hours():
    # Kathmandu is UTC+05:45: its local hours start at :15 UTC, unlike an unknown zone's.
    nepal = average(data("Asia/Kathmandu"), "1h").readings
    assert nepal["time"].iloc[0] == pd.Timestamp("2024-06-01T09:15Z")
