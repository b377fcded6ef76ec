"""profile(): diurnal and weekly profiles in local time, checked by hand across DST."""

import math

import numpy as np
import pandas as pd
import pytest

from toolkit._errors import DataFormatError, TimestampError, UnknownVariableError
from toolkit.sensordata import SensorData, normalise_readings
from toolkit.timeseries._profiles import profile

# Berlin: CET (+01:00) until 31 March 2024 01:00 UTC, then CEST (+02:00). The hourly
# value starting 01:00 UTC is 02:00 local in winter and 03:00 local in summer.
DST_TIMES = ["2024-03-29T01:00Z", "2024-03-30T01:00Z", "2024-04-01T01:00Z", "2024-04-02T01:00Z"]
DST_VALUES = [10.0, 20.0, 30.0, 50.0]  # Friday, Saturday (02:00); Monday, Tuesday (03:00)


def _hourly(times, values, *, variable="pm25", unit="µg/m³", zone="Europe/Berlin", sensor="s"):
    readings = pd.DataFrame(
        {
            "sensor_id": sensor,
            "time": pd.to_datetime(times, utc=True),
            "variable": variable,
            "value": np.asarray(values, dtype=float),
            "unit": unit,
            "period": "1h",
            "valid": True,
        }
    )
    return _data(readings, zone)


def _data(readings, zone="Europe/Berlin"):
    sensors = pd.DataFrame({"sensor_id": readings["sensor_id"].unique(), "timezone": zone})
    return SensorData(normalise_readings(readings), sensors)


def _berlin():
    return _hourly(DST_TIMES, DST_VALUES)


# --- local hours across DST ------------------------------------------------------------
def test_diurnal_profile_uses_the_local_wall_clock_across_dst():
    table = profile(_berlin(), by="hour")
    assert table["hour"].tolist() == [2, 3]
    assert table["n_hours"].tolist() == [2, 2]
    assert table["mean"].tolist() == [15.0, 40.0]
    assert table["value"].tolist() == [15.0, 40.0]  # statistic="mean"
    assert table["median"].tolist() == [15.0, 40.0]
    # Linear interpolation: p25 of (10, 20) = 10 + 0.25·10; of (30, 50) = 30 + 0.25·20.
    assert table["p25"].tolist() == [12.5, 35.0]
    assert table["p75"].tolist() == [17.5, 45.0]
    # sd(10, 20) = √50, so 1.96·√50/√2 = 1.96·5 = 9.8; sd(30, 50) = √200 -> 1.96·10 = 19.6
    assert table["ci95_low"].tolist() == pytest.approx([5.2, 20.4])
    assert table["ci95_high"].tolist() == pytest.approx([24.8, 59.6])
    assert table["unit"].tolist() == ["µg/m³", "µg/m³"]
    assert table["sensor_id"].tolist() == ["s", "s"]


def test_repeated_hour_when_clocks_go_back_counts_twice():
    # 27 October 2024: 00:00 UTC is 02:00 CEST and 01:00 UTC is 02:00 CET.
    data = _hourly(["2024-10-27T00:00Z", "2024-10-27T01:00Z", "2024-10-27T02:00Z"], [1.0, 3, 7])
    table = profile(data, by="hour")
    assert table["hour"].tolist() == [2, 3]
    assert table["n_hours"].tolist() == [2, 1]
    assert table["mean"].tolist() == [2.0, 7.0]
    assert math.isnan(table["ci95_low"].iloc[1])  # one hour: no interval


def test_weekly_profile_uses_the_local_date():
    # 2 April 2024 23:00 UTC is already Wednesday 01:00 in Berlin.
    data = _hourly([*DST_TIMES, "2024-04-02T23:00Z"], [*DST_VALUES, 70.0])
    table = profile(data, by="weekday")
    assert table["weekday"].tolist() == [0, 1, 2, 4, 5]
    assert table["weekday_name"].astype(str).tolist() == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Friday",
        "Saturday",
    ]
    assert table["mean"].tolist() == [30.0, 50.0, 70.0, 10.0, 20.0]
    assert table["n_hours"].eq(1).all()
    assert table["ci95_low"].isna().all()
    assert table["ci95_high"].isna().all()


def test_hour_by_weekday_profile():
    table = profile(_berlin(), by="hour_weekday")
    cells = list(zip(table["weekday"], table["hour"], table["mean"], strict=True))
    assert cells == [(0, 3, 30.0), (1, 3, 50.0), (4, 2, 10.0), (5, 2, 20.0)]
    assert list(table.columns[:6]) == [
        "sensor_id",
        "variable",
        "unit",
        "weekday",
        "weekday_name",
        "hour",
    ]


def test_a_fixed_zone_for_all_sensors():
    table = profile(_berlin(), by="hour", timezone="UTC")
    assert table["hour"].tolist() == [1]
    assert table["mean"].tolist() == [27.5]  # (10 + 20 + 30 + 50) / 4
    assert table.attrs["zones"] == {"s": "UTC"}


def test_median_as_the_statistic():
    data = _hourly(["2024-06-03T10:00Z", "2024-06-04T10:00Z", "2024-06-05T10:00Z"], [1, 2, 9])
    table = profile(data, statistic="median", timezone="UTC")
    assert table["value"].tolist() == [2.0]
    assert table["mean"].tolist() == [4.0]
    assert table.attrs["statistic"] == "median"


# --- aggregation rules -----------------------------------------------------------------
def test_decibels_use_the_energy_mean_and_an_energy_interval():
    data = _hourly(DST_TIMES[:2], [60.0, 70.0], variable="laeq", unit="dB(A)")
    row = profile(data).iloc[0]
    assert row["mean"] == pytest.approx(10 * math.log10((10**6 + 10**7) / 2))  # 67.40 dB
    assert row["median"] == 65.0  # ranks do not need energies
    # Energies 1e6 and 1e7: mean 5.5e6, sd 4.5e6·√2, half-width 1.96·4.5e6 = 8.82e6.
    assert math.isnan(row["ci95_low"])  # 5.5e6 - 8.82e6 < 0 has no level
    assert row["ci95_high"] == pytest.approx(10 * math.log10(5.5e6 + 8.82e6))
    assert row["unit"] == "dB(A)"


def test_wind_direction_gives_the_vector_mean_only():
    data = _hourly(DST_TIMES[:2], [350.0, 10.0], variable="wind_direction", unit="°")
    row = profile(data).iloc[0]
    assert row["mean"] == pytest.approx(0.0, abs=1e-9)
    assert math.isnan(row["median"])
    assert math.isnan(row["ci95_low"])


def test_counts_give_the_mean_count_per_hour():
    data = _hourly(DST_TIMES[:2], [100.0, 200.0], variable="count_car", unit="count")
    assert profile(data)["mean"].tolist() == [150.0]
    assert profile(data).attrs["rules"] == {"count_car": "sum"}


# --- raw readings, pooling, attrs, no mutation -----------------------------------------
def _raw(zone="UTC", flags=None):
    # Sensor a: one reading a minute (60 an hour) of 10; sensor b: one every 10 minutes of 40.
    a = pd.DataFrame(
        {
            "sensor_id": "a",
            "time": pd.date_range("2024-06-03T08:00Z", periods=60, freq="1min"),
            "value": 10.0,
        }
    )
    b = pd.DataFrame(
        {
            "sensor_id": "b",
            "time": pd.date_range("2024-06-03T08:00Z", periods=6, freq="10min"),
            "value": 40.0,
        }
    )
    readings = pd.concat([a, b], ignore_index=True).assign(variable="pm25", unit="µg/m³")
    if flags is not None:
        readings["flag_test"] = flags
    return _data(readings, zone)


def test_pooled_profile_weights_hours_not_readings():
    table = profile(_raw(), pool_sensors=True)
    # Hours: a = 10, b = 40 -> 25; readings would give (60·10 + 6·40) / 66 = 12.7.
    assert table["sensor_id"].tolist() == ["all sensors"]
    assert table["mean"].tolist() == [25.0]
    assert table["n_hours"].tolist() == [2]
    assert table.attrs["pooled"] is True
    per_sensor = profile(_raw())
    assert dict(zip(per_sensor["sensor_id"], per_sensor["mean"], strict=True)) == {
        "a": 10.0,
        "b": 40.0,
    }


def test_rules_are_in_attrs():
    attrs = profile(_raw()).attrs
    assert attrs["period"] == "1h"
    assert attrs["by"] == "hour"
    assert attrs["timezone"] == "local"
    assert attrs["statistic"] == "mean"
    assert attrs["min_coverage"] == 0.75  # from the average step
    assert "1.96" in attrs["confidence"]
    assert "independent" in attrs["confidence"]
    assert profile(_raw(), min_coverage=0.9).attrs["min_coverage"] == 0.9
    assert profile(_berlin()).attrs["min_coverage"] is None  # hourly values given: unknown


def test_flagged_readings_count_as_missing_and_input_is_not_mutated():
    flags = np.zeros(66, dtype=bool)
    flags[:30] = True  # half of sensor a's hour: below 75 %, so the hour is not valid
    data = _raw(flags=flags)
    before = data.readings.copy()
    table = profile(data)
    assert table["sensor_id"].tolist() == ["b"]
    pd.testing.assert_frame_equal(data.readings, before)
    assert len(data.history) == 0


def test_channels_stay_apart_unless_pooled():
    a = _berlin().readings.assign(channel="A")
    b = _berlin().readings.assign(channel="B", value=lambda f: f["value"] * 2)
    data = _data(pd.concat([a, b], ignore_index=True))
    table = profile(data)
    assert table["channel"].tolist() == ["A", "A", "B", "B"]
    assert table["mean"].tolist() == [15.0, 40.0, 30.0, 80.0]
    pooled = profile(data, pool_sensors=True)
    assert "channel" not in pooled.columns
    assert pooled["mean"].tolist() == [22.5, 60.0]


# --- friendly errors -------------------------------------------------------------------
def test_errors_are_friendly():
    with pytest.raises(ValueError, match="by must be one of 'hour', 'weekday'"):
        profile(_berlin(), by="month")
    with pytest.raises(ValueError, match="statistic must be 'mean' or 'median'"):
        profile(_berlin(), statistic="max")
    with pytest.raises(DataFormatError, match="no readings to compute profiles"):
        profile(SensorData.empty())
    with pytest.raises(UnknownVariableError, match="is not a canonical variable"):
        profile(_berlin(), variables="pm2_5")
    with pytest.raises(TimestampError, match="time zone of some sensors is unknown"):
        profile(_hourly(DST_TIMES, DST_VALUES, zone=None))
    daily = _berlin().readings.assign(period="day")
    with pytest.raises(DataFormatError, match="averages over other periods"):
        profile(_data(daily))


# --- a real Sensor.Community export ----------------------------------------------------
@pytest.mark.real_samples
def test_real_sensor_community_profile_in_berlin_time(real_samples):
    import toolkit
    from toolkit.timeseries import average

    data = toolkit.load(
        real_samples / "sensor_community" / "2017-08-30_sds011_sensor_5331.csv"
    ).with_timezone("Europe/Berlin")
    table = profile(data, variables="pm25")
    hourly = average(data.select(variables="pm25"), "1h").readings
    hourly = hourly[hourly["valid"]]
    # One day of data: each local hour (UTC + 2 in August) holds one hourly value.
    assert table["n_hours"].eq(1).all()
    assert sorted(table["hour"]) == sorted((hourly["time"].dt.hour + 2) % 24)
    assert sorted(table["mean"]) == pytest.approx(sorted(hourly["value"]))
    assert table["ci95_low"].isna().all()
