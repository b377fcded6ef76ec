"""average(): data capture, aggregation rules and local days, checked by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from toolkit._errors import MissingColumnError, TimestampError
from toolkit.sensordata import SensorData
from toolkit.timeseries import average


def _data(times, values, *, variable="pm25", unit="µg/m³", zone="UTC", sensor="s", extra=None):
    readings = pd.DataFrame(
        {
            "sensor_id": sensor,
            "time": pd.to_datetime(times, utc=True),
            "variable": variable,
            "value": np.asarray(values, dtype=float),
            "unit": unit,
        }
    )
    if extra:
        readings = readings.assign(**extra)
    sensors = pd.DataFrame({"sensor_id": [sensor], "timezone": [zone]})
    return SensorData(readings, sensors)


def _minutes(start, n, step="1min"):
    return pd.date_range(start, periods=n, freq=step, tz="UTC")


# --- 1. hourly means on both sides of the 75 % threshold -------------------------------
def test_hour_with_45_of_60_readings_is_valid_and_44_is_not():
    # One reading a minute (cadence 60 s, so 60 expected an hour).
    # Hour 10:00 has 45 readings (75.0 %), hour 11:00 has 44 (73.3 %).
    first = _minutes("2024-05-01T10:00", 45)
    second = _minutes("2024-05-01T11:00", 44)
    values = [10.0] * 44 + [100.0] + [20.0] * 44  # first hour mean: (44*10+100)/45 = 12.0
    hourly = average(_data(first.append(second), values), "1h").readings
    assert hourly["time"].tolist() == [
        pd.Timestamp("2024-05-01T10:00Z"),
        pd.Timestamp("2024-05-01T11:00Z"),
    ]
    assert hourly["n_readings"].tolist() == [45, 44]
    assert hourly["n_expected"].tolist() == [60.0, 60.0]
    assert hourly["coverage"].tolist() == pytest.approx([0.75, 44 / 60])
    assert hourly["valid"].tolist() == [True, False]
    assert hourly["value"].iloc[0] == pytest.approx(12.0)
    assert math.isnan(hourly["value"].iloc[1])  # too little data: no value, and it says why


def test_cadence_comes_from_the_data_not_a_fixed_grid():
    # A Sensor.Community-like cadence of 147 s with jitter: 3600/147 = 24.49 expected.
    rng = np.random.default_rng(1)
    steps = 147 + rng.integers(-3, 4, 24)
    times = pd.Timestamp("2024-05-01T10:00:05Z") + pd.to_timedelta(
        np.cumsum(steps) - steps[0], unit="s"
    )
    hourly = average(_data(times, np.ones(24)), "1h").readings
    assert hourly["n_expected"].iloc[0] == pytest.approx(3600 / 147, rel=0.03)
    assert hourly["valid"].iloc[0]  # 24 readings of ~24.5 expected: about 98 %


def test_flagged_readings_count_as_missing():
    times = _minutes("2024-05-01T10:00", 60)
    flags = np.zeros(60, dtype=bool)
    flags[:20] = True  # 40 of 60 left: 66.7 %, below 75 %
    data = _data(times, np.arange(60), extra={"flag_range": flags})
    hourly = average(data, "1h").readings
    assert hourly["n_readings"].iloc[0] == 40
    assert not hourly["valid"].iloc[0]
    kept = average(data, "1h", exclude_flagged=False).readings
    assert kept["valid"].iloc[0]
    assert kept["value"].iloc[0] == pytest.approx(29.5)  # mean of 0..59


# --- 2. local days across both DST changes ---------------------------------------------
def _hourly_readings(zone, day, hours_present, value_of_hour):
    """One reading per local hour of a local day (at 10 past), for chosen hour indexes."""
    start = pd.Timestamp(day).tz_localize(zone, nonexistent="shift_forward")
    end = (pd.Timestamp(day) + pd.Timedelta(days=1)).tz_localize(zone)
    hours = pd.date_range(
        start.tz_convert("UTC"), end.tz_convert("UTC"), freq="1h", inclusive="left"
    )
    chosen = [hours[i] + pd.Timedelta(minutes=10) for i in hours_present]
    return chosen, [value_of_hour(i) for i in hours_present], len(hours)


@pytest.mark.parametrize(
    ("zone", "day", "hours_in_day", "start_utc"),
    [
        ("Europe/Berlin", "2024-03-31", 23, "2024-03-30T23:00Z"),  # clocks forward
        ("Europe/Berlin", "2024-10-27", 25, "2024-10-26T22:00Z"),  # clocks back
        ("America/Santiago", "2024-09-08", 23, "2024-09-08T04:00Z"),  # 24:00 -> 01:00
        ("America/Santiago", "2024-04-06", 25, "2024-04-06T03:00Z"),  # 24:00 -> 23:00
    ],
)
def test_local_day_means_across_dst(zone, day, hours_in_day, start_utc):
    times, values, n = _hourly_readings(zone, day, range(hours_in_day), lambda i: i)
    assert n == hours_in_day
    daily = average(_data(times, values, zone=zone), "day", cadence=3600).readings
    assert len(daily) == 1
    row = daily.iloc[0]
    assert row["time"] == pd.Timestamp(start_utc)
    assert row["end"] - row["time"] == pd.Timedelta(hours=hours_in_day)
    assert row["n_expected"] == hours_in_day
    assert row["n_readings"] == hours_in_day
    assert row["value"] == pytest.approx((hours_in_day - 1) / 2)  # mean of 0..n-1


@pytest.mark.parametrize(
    ("zone", "day", "hours_in_day", "enough", "too_few"),
    [
        ("Europe/Berlin", "2024-03-31", 23, 18, 17),  # 18/23 = 78 %, 17/23 = 74 %
        ("Europe/Berlin", "2024-10-27", 25, 19, 18),  # 19/25 = 76 %, 18/25 = 72 %
        ("America/Santiago", "2024-09-08", 23, 18, 17),
        ("America/Santiago", "2024-04-06", 25, 19, 18),
    ],
)
def test_a_short_or_long_day_needs_75_percent_of_its_own_hours(
    zone, day, hours_in_day, enough, too_few
):
    for present, valid in ((enough, True), (too_few, False)):
        times, values, _ = _hourly_readings(zone, day, range(present), lambda i: 2.0 * i)
        row = average(_data(times, values, zone=zone), "day", cadence=3600).readings.iloc[0]
        assert row["coverage"] == pytest.approx(present / hours_in_day)
        assert bool(row["valid"]) is valid
        if valid:
            assert row["value"] == pytest.approx(present - 1)  # mean of 0, 2, ..., 2(n-1)


def test_day_mean_is_the_mean_of_hours_not_of_readings():
    # One reading of 10 at the top of every hour, plus 59 extra readings of 100 in the
    # first hour. Hour 0 averages (10 + 59 * 100) / 60 = 98.5; the day is the mean of its
    # 24 hours, (98.5 + 23 * 10) / 24 = 13.6875. A plain mean of all 83 readings would
    # give (24 * 10 + 59 * 100) / 83 = 73.98 and let one busy hour speak for the day.
    hours = pd.date_range("2024-05-01T00:00Z", periods=24, freq="1h")
    extra = pd.date_range("2024-05-01T00:01Z", periods=59, freq="1min")
    times = hours.append(extra).sort_values()
    values = [100.0 if t in set(extra) else 10.0 for t in times]
    daily = average(_data(times, values), "day", timezone="UTC", cadence=3600).readings
    assert daily["n_readings"].iloc[0] == 24
    assert daily["value"].iloc[0] == pytest.approx(13.6875)


# --- 3. aggregation rules, by hand --------------------------------------------------------
def test_energy_mean_of_60_and_70_db_is_67_4():
    data = _data(
        ["2024-05-01T10:00Z", "2024-05-01T10:30Z"], [60.0, 70.0], variable="laeq", unit="dB(A)"
    )
    value = average(data, "1h", cadence=1800).readings["value"].iloc[0]
    assert round(value, 1) == 67.4  # 10 log10((10^6 + 10^7) / 2) = 67.40


def test_counts_are_summed():
    data = _data(
        ["2024-05-01T10:00Z", "2024-05-01T10:20Z", "2024-05-01T10:40Z"],
        [10, 20, 5],
        variable="count_car",
        unit="count",
    )
    assert average(data, "1h", cadence=1200).readings["value"].iloc[0] == 35


def test_vector_mean_of_350_and_10_degrees_is_0():
    data = _data(
        ["2024-05-01T10:00Z", "2024-05-01T10:30Z"],
        [350.0, 10.0],
        variable="wind_direction",
        unit="°",
    )
    assert average(data, "1h", cadence=1800).readings["value"].iloc[0] == pytest.approx(
        0.0, abs=1e-9
    )


def test_opposite_directions_have_no_mean():
    data = _data(
        ["2024-05-01T10:00Z", "2024-05-01T10:30Z"],
        [0.0, 180.0],
        variable="wind_direction",
        unit="°",
    )
    assert math.isnan(average(data, "1h", cadence=1800).readings["value"].iloc[0])


def test_max_and_min_rules():
    data = _data(
        ["2024-05-01T10:00Z", "2024-05-01T10:30Z"], [61.0, 74.5], variable="la_max", unit="dB(A)"
    )
    assert average(data, "1h", cadence=1800).readings["value"].iloc[0] == 74.5


# --- 4. periods, zones and records ----------------------------------------------------------
def test_hours_follow_half_hour_zones():
    data = _data(["2024-01-01T00:10Z"], [5.0], zone="Asia/Kolkata")  # 05:40 local
    row = average(data, "1h", cadence=3600).readings.iloc[0]
    assert row["time"] == pd.Timestamp("2023-12-31T23:30Z")  # 05:00 local


def test_the_repeated_hour_when_clocks_go_back_is_two_hours():
    # 00:30 and 01:30 UTC are both 02:30 local in Berlin on 2024-10-27.
    data = _data(["2024-10-27T00:30Z", "2024-10-27T01:30Z"], [1.0, 3.0], zone="Europe/Berlin")
    hourly = average(data, "1h", cadence=3600).readings
    assert hourly["time"].tolist() == [
        pd.Timestamp("2024-10-27T00:00Z"),
        pd.Timestamp("2024-10-27T01:00Z"),
    ]
    assert hourly["value"].tolist() == [1.0, 3.0]


def test_eight_hour_blocks_need_six_valid_hours():
    hours = pd.date_range("2024-05-01T00:00Z", periods=14, freq="1h")  # 6 in the second block
    blocks = average(_data(hours, np.arange(14)), "8h", timezone="UTC", cadence=3600).readings
    assert blocks["time"].tolist() == [
        pd.Timestamp("2024-05-01T00:00Z"),
        pd.Timestamp("2024-05-01T08:00Z"),
    ]
    assert blocks["n_readings"].tolist() == [8, 6]
    assert blocks["valid"].tolist() == [True, True]  # 6 of 8 is exactly 75 %
    assert blocks["value"].tolist() == pytest.approx([3.5, 10.5])


def test_weeks_start_on_monday_and_months_on_the_first():
    hours = pd.date_range("2024-05-01T00:00Z", periods=24 * 14, freq="1h")  # Wed 1 May
    data = _data(hours, np.ones(len(hours)))
    weeks = average(data, "week", timezone="UTC", cadence=3600).readings
    assert weeks["time"].iloc[0] == pd.Timestamp("2024-04-29T00:00Z")  # Monday
    assert weeks["n_expected"].iloc[0] == 168
    assert weeks["n_readings"].iloc[0] == 24 * 5  # Wednesday to Sunday
    months = average(data, "month", timezone="UTC", cadence=3600).readings
    assert months["time"].iloc[0] == pd.Timestamp("2024-05-01T00:00Z")
    assert months["n_expected"].iloc[0] == 31 * 24


def test_channels_are_averaged_apart():
    data = _data(
        _minutes("2024-05-01T10:00", 4, "15min").append(_minutes("2024-05-01T10:00", 4, "15min")),
        [1, 1, 1, 1, 3, 3, 3, 3],
        extra={"channel": ["A"] * 4 + ["B"] * 4},
    )
    hourly = average(data, "1h").readings
    assert sorted(zip(hourly["channel"].astype(str), hourly["value"], strict=True)) == [
        ("A", 1.0),
        ("B", 3.0),
    ]


def test_input_is_not_mutated_and_the_step_is_recorded():
    data = _data(_minutes("2024-05-01T10:00", 60), np.arange(60.0))
    before = data.readings.copy()
    result = average(data, "1h", min_coverage=0.5)
    pd.testing.assert_frame_equal(data.readings, before)
    assert len(data.history) == 0
    step = result.history[-1]
    assert step.name == "average"
    assert step.parameters["min_coverage"] == 0.5
    assert step.parameters["period"] == "1h"
    assert step.parameters["cadence_s"] == {"s pm25": 60.0}
    assert step.parameters["rules"] == {"pm25": "mean"}
    assert "2008/50/EC" in step.citation
    assert step.touched == 60


def test_local_time_needs_a_zone():
    data = _data(["2024-05-01T10:00Z"], [1.0], zone=None)
    with pytest.raises(TimestampError, match="time zone of some sensors is unknown") as err:
        average(data, "day")
    assert "with_timezone" in str(err.value)
    assert average(data, "day", timezone="UTC").readings["n_expected"].iloc[0] == 24


def test_bad_period_and_coverage_and_averaging_twice():
    data = _data(["2024-05-01T10:00Z"], [1.0])
    with pytest.raises(ValueError, match="'fortnight' is not an averaging period"):
        average(data, "fortnight")
    with pytest.raises(ValueError, match="min_coverage must be a share"):
        average(data, "1h", min_coverage=75)
    hourly = average(data, "1h", cadence=3600)
    with pytest.raises(MissingColumnError, match="averages already"):
        average(hourly, "day")
