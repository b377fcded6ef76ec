"""rolling_mean(): time-based windows of hourly values, checked by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from toolkit._errors import DataFormatError, TimestampError, UnknownVariableError
from toolkit.sensordata import SensorData, normalise_readings
from toolkit.timeseries._rolling import rolling_mean

START = pd.Timestamp("2024-06-01T00:00Z")


def _hourly(values, *, variable="o3", unit="µg/m³", invalid=(), zone="UTC", sensor="s"):
    """Hourly averages from START, one per item; None = no row, index in invalid = not valid."""
    rows = [(i, v) for i, v in enumerate(values) if v is not None]
    hours = [i for i, _ in rows]
    valid = np.array([i not in invalid for i in hours])
    value = np.array([v for _, v in rows], dtype=float)
    readings = pd.DataFrame(
        {
            "sensor_id": sensor,
            "time": START + pd.to_timedelta(hours, unit="h"),
            "variable": variable,
            "value": np.where(valid, value, np.nan),
            "unit": unit,
            "period": "1h",
            "end": START + pd.to_timedelta(np.array(hours) + 1, unit="h"),
            "n_readings": 60,
            "n_expected": 60.0,
            "coverage": np.where(valid, 1.0, 0.5),
            "valid": valid,
        }
    )
    return _data(readings, zone)


def _data(readings, zone="UTC"):
    sensors = pd.DataFrame({"sensor_id": readings["sensor_id"].unique(), "timezone": zone})
    return SensorData(normalise_readings(readings), sensors)


def _row(table, hour):
    return table.loc[table["time"] == START + pd.Timedelta(hours=hour)].iloc[0]


# --- windows, labels and the six-of-eight rule -----------------------------------------
def test_eight_hour_means_labelled_by_start_with_six_of_eight_hours():
    data = _hourly([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    table = rolling_mean(data).readings
    # One window per hour from the first to the last hourly value.
    assert table["time"].tolist() == [START + pd.Timedelta(hours=h) for h in range(10)]
    assert (table["end"] - table["time"]).eq(pd.Timedelta(hours=8)).all()
    assert table["period"].eq("8h rolling").all()
    assert table["n_readings"].tolist() == [8, 8, 8, 7, 6, 5, 4, 3, 2, 1]
    assert table["n_expected"].eq(8.0).all()
    assert table["coverage"].tolist() == pytest.approx(
        [1, 1, 1, 7 / 8, 6 / 8, 5 / 8, 0.5, 3 / 8, 0.25, 1 / 8]
    )
    assert table["valid"].tolist() == [True] * 5 + [False] * 5
    # 1..8 -> 4.5; 2..9 -> 5.5; 3..10 -> 6.5; 4..10 -> 7; 5..10 -> 7.5
    assert table["value"].iloc[:5].tolist() == pytest.approx([4.5, 5.5, 6.5, 7.0, 7.5])
    assert table["value"].iloc[5:].isna().all()


def test_missing_and_invalid_hours_count_as_missing_not_skipped():
    # Hours 0-4 present, 5-9 absent (no rows), 10-17 present; hour 12 invalid.
    values = [1.0] * 5 + [None] * 5 + [3.0] * 8
    table = rolling_mean(_hourly(values, invalid={12})).readings
    assert len(table) == 18  # every hour from 0 to 17, gaps included
    assert _row(table, 0)["n_readings"] == 5  # hours 0-4 of 0-7
    assert not _row(table, 0)["valid"]
    assert _row(table, 3)["n_readings"] == 3  # hours 3, 4 and 10 of 3-10
    assert _row(table, 10)["n_readings"] == 7  # 10-17 without the invalid 12
    assert _row(table, 10)["valid"]
    assert _row(table, 10)["value"] == pytest.approx(3.0)
    # Hour 2: hours 2, 3, 4 (value 1) and nothing else of 2-9: invalid.
    assert _row(table, 2)["n_readings"] == 3


def test_24_hour_windows_need_18_hours():
    ok = [10.0] * 18 + [None] * 6  # exactly 18 of 24
    short = [10.0] * 17 + [None] * 6 + [20.0]  # 17 valid hours of 0-23, then hour 23 invalid
    first_ok = rolling_mean(_hourly(ok), hours=24).readings.iloc[0]
    assert first_ok["n_readings"] == 18
    assert first_ok["valid"]
    assert first_ok["value"] == pytest.approx(10.0)
    assert first_ok["end"] - first_ok["time"] == pd.Timedelta(hours=24)
    first_short = rolling_mean(_hourly(short, invalid={23}), hours=24).readings.iloc[0]
    assert first_short["n_readings"] == 17
    assert not first_short["valid"]
    assert math.isnan(first_short["value"])


def test_other_lengths_and_coverage_round_up():
    # 10 hours at 75 %: 7.5 hours -> 8 needed.
    table = rolling_mean(_hourly([2.0] * 8), hours=10).readings
    assert table["n_readings"].iloc[0] == 8
    assert table["valid"].iloc[0]
    assert not table["valid"].iloc[1]  # 7 hours
    step = rolling_mean(_hourly([2.0] * 8), hours=10).history[-1]
    assert step.parameters["min_valid_hours"] == 8


# --- aggregation rules -----------------------------------------------------------------
def test_decibels_use_the_energy_mean():
    data = _hourly([60.0, 70.0] * 4, variable="laeq", unit="dB(A)")
    first = rolling_mean(data).readings.iloc[0]
    assert first["value"] == pytest.approx(10 * math.log10((4 * 10**6 + 4 * 10**7) / 8))
    assert first["value"] == pytest.approx(67.4036, abs=1e-4)  # not the arithmetic 65


def test_wind_direction_uses_the_vector_mean():
    data = _hourly([350.0, 10.0] * 4, variable="wind_direction", unit="°")
    first = rolling_mean(data).readings.iloc[0]
    assert first["value"] == pytest.approx(0.0, abs=1e-9)  # not the arithmetic 180
    east = rolling_mean(_hourly([80.0, 100.0] * 4, variable="wind_direction", unit="°"))
    assert east.readings["value"].iloc[0] == pytest.approx(90.0)


def test_minimum_and_maximum_keep_their_rule():
    values = [50.0, 55, 70, 52, 51, 53, 54, 56]
    high = rolling_mean(_hourly(values, variable="la_max", unit="dB(A)")).readings
    low = rolling_mean(_hourly(values, variable="la_min", unit="dB(A)")).readings
    assert high["value"].iloc[0] == 70.0
    assert low["value"].iloc[0] == 50.0
    assert high["value"].iloc[2] == 70.0  # hours 2-9: 70, 52, 51, 53, 54, 56 (6 of 8)


def test_counts_are_refused_with_the_other_variables_named():
    counts = _hourly([5.0] * 8, variable="count_car", unit="count")
    with pytest.raises(DataFormatError, match="Rolling means of counts are not made") as info:
        rolling_mean(counts)
    assert "average(data, '8h')" in str(info.value)


# --- channels, DST and raw readings ----------------------------------------------------
def test_channels_stay_apart():
    a = _hourly([10.0] * 8, variable="pm25_atm").readings.assign(channel="A")
    b = _hourly([30.0] * 8, variable="pm25_atm").readings.assign(channel="B")
    data = _data(pd.concat([a, b], ignore_index=True))
    table = rolling_mean(data).readings
    first = table[table["time"] == START]
    assert dict(zip(first["channel"], first["value"], strict=True)) == {"A": 10.0, "B": 30.0}


def test_windows_are_real_hours_across_a_dst_change():
    # Berlin clocks go forward at 01:00 UTC on 31 March 2024: hours stay hours.
    start = pd.Timestamp("2024-03-30T22:00Z")
    times = start + pd.to_timedelta(range(8), unit="h")
    readings = pd.DataFrame(
        {
            "sensor_id": "s",
            "time": times,
            "variable": "o3",
            "value": np.arange(8.0),
            "unit": "µg/m³",
            "period": "1h",
            "valid": True,
        }
    )
    data = _data(readings, "Europe/Berlin")
    first = rolling_mean(data).readings.iloc[0]
    assert first["n_readings"] == 8
    assert first["value"] == pytest.approx(3.5)
    assert first["end"] == pd.Timestamp("2024-03-31T06:00Z")


def _raw(zone="UTC", flags=None):
    times = pd.date_range("2024-06-01", periods=8 * 60, freq="1min", tz="UTC")
    readings = pd.DataFrame(
        {
            "sensor_id": "s",
            "time": times,
            "variable": "o3",
            "value": (np.arange(8 * 60) // 60 + 1).astype(float),  # hour h holds h + 1
            "unit": "µg/m³",
        }
    )
    if flags is not None:
        readings["flag_test"] = flags
    return _data(readings, zone)


def test_raw_readings_are_averaged_into_hours_first_and_recorded():
    rolled = rolling_mean(_raw())
    assert [s.name for s in rolled.history] == ["average", "rolling_mean"]
    assert rolled.history[0].parameters["period"] == "1h"
    assert rolled.readings["value"].iloc[0] == pytest.approx(4.5)  # mean of 1..8


def test_flagged_hours_count_as_missing_and_flags_remove_nothing():
    flags = np.zeros(8 * 60, dtype=bool)
    flags[120:180] = True  # the whole of hour 2 (value 3)
    data = _raw(flags=flags)
    before = data.readings.copy()
    first = rolling_mean(data).readings.iloc[0]
    assert first["n_readings"] == 7
    assert first["value"] == pytest.approx((1 + 2 + 4 + 5 + 6 + 7 + 8) / 7)
    pd.testing.assert_frame_equal(data.readings, before)  # nothing removed or changed
    assert int(data.readings["flag_test"].sum()) == 60


def test_input_is_not_mutated_and_the_step_is_recorded():
    data = _hourly([1.0] * 8)
    before = data.readings.copy()
    rolled = rolling_mean(data, hours=8)
    pd.testing.assert_frame_equal(data.readings, before)
    assert len(data.history) == 0
    step = rolled.history[-1]
    assert step.name == "rolling_mean"
    assert step.parameters["hours"] == 8
    assert step.parameters["min_coverage"] == 0.75
    assert step.parameters["min_valid_hours"] == 6
    assert step.parameters["timezone"] == "local"
    assert "2008/50/EC" in step.citation
    assert step.touched == 8


def test_variables_can_be_chosen():
    a = _hourly([1.0] * 8).readings
    b = _hourly([5.0] * 8, variable="laeq", unit="dB(A)").readings
    data = _data(pd.concat([a, b], ignore_index=True))
    rolled = rolling_mean(data, variables="laeq")
    assert rolled.variables == ["laeq"]


# --- friendly errors -------------------------------------------------------------------
def test_errors_are_friendly():
    with pytest.raises(ValueError, match="whole number of hours"):
        rolling_mean(_hourly([1.0]), hours=2.5)
    with pytest.raises(ValueError, match="whole number of hours"):
        rolling_mean(_hourly([1.0]), hours=0)
    with pytest.raises(ValueError, match="min_coverage must be a share"):
        rolling_mean(_hourly([1.0]), min_coverage=75)
    with pytest.raises(DataFormatError, match="no readings to compute 8-hour rolling means"):
        rolling_mean(SensorData.empty())
    with pytest.raises(UnknownVariableError, match=r"'pm2\.5' is not a canonical variable"):
        rolling_mean(_hourly([1.0]), variables="pm2.5")
    with pytest.raises(DataFormatError, match="not in this data"):
        rolling_mean(_hourly([1.0]), variables="pm25")


def test_hours_of_sensors_without_a_zone_run_in_utc_and_days_need_one():
    from toolkit.timeseries import average

    data = _raw(zone=None)
    # Hours start at the same instants in UTC wherever the zone is whole hours away.
    unknown = rolling_mean(data)
    assert unknown.readings["valid"].iloc[0]
    assert unknown.readings.equals(rolling_mean(data, timezone="UTC").readings)
    assert any("periods run in UTC" in step.description for step in unknown.history)
    with pytest.raises(TimestampError, match="time zone of some sensors is unknown") as info:
        average(data, "day")
    assert "sensor_timezone=" in str(info.value)


def test_daily_values_and_slow_readings_are_refused():
    daily = _hourly([1.0]).readings.assign(period="day")
    with pytest.raises(DataFormatError, match="averages over other periods") as info:
        rolling_mean(_data(daily))
    assert "'day'" in str(info.value)
    times = pd.date_range("2024-06-01", periods=5, freq="1D", tz="UTC")
    slow = pd.DataFrame(
        {"sensor_id": "s", "time": times, "variable": "o3", "value": 1.0, "unit": "µg/m³"}
    )
    with pytest.raises(DataFormatError, match="less often than once an hour") as info:
        rolling_mean(_data(slow))
    assert "every 24.0 h" in str(info.value)


# --- a real Sensor.Community export ----------------------------------------------------
@pytest.mark.real_samples
def test_real_sensor_community_windows_match_their_hours(real_samples):
    import toolkit
    from toolkit.timeseries import average

    data = toolkit.load(
        real_samples / "sensor_community" / "2017-08-30_sds011_sensor_5331.csv"
    ).with_timezone("Europe/Berlin")
    before = data.readings.copy()
    rolled = rolling_mean(data, variables="pm25")
    pd.testing.assert_frame_equal(data.readings, before)
    hourly = average(data.select(variables="pm25"), "1h").readings.set_index("time")
    table = rolled.readings
    assert table["valid"].any()
    for _, row in table[table["valid"]].iterrows():  # a few rows: check each by hand
        hours = [row["time"] + pd.Timedelta(hours=k) for k in range(8)]
        values = [hourly["value"][t] for t in hours if t in hourly.index and hourly["valid"][t]]
        assert row["n_readings"] == len(values) >= 6
        assert row["value"] == pytest.approx(sum(values) / len(values))
