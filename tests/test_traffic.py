"""toolkit.traffic: Telraam counts, uptime-aware, on small hand-written reports.

The fixtures are Telraam API reports (``POST /v1/reports/traffic``, per-hour) written by
hand and read with ``read_telraam``; every expected value is counted by hand below.
"""

import io
import json
import math

import pandas as pd
import pytest

from toolkit import traffic
from toolkit._errors import DataFormatError, TimestampError
from toolkit.readers.telraam import read_telraam
from toolkit.sensordata import SensorData, normalise_readings

BRUSSELS = "Europe/Brussels"


def _record(local, uptime, *, car=0.0, heavy=0.0, bike=0.0, pedestrian=0.0, v85=None,
            zone=BRUSSELS):  # fmt: skip
    """One hourly record; ``local`` is the local start of the hour. Left gets 40 %."""
    date = pd.Timestamp(local, tz=zone).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.000Z")
    record = {"instance_id": -1, "segment_id": 9000001, "date": date, "interval": "hourly",
              "uptime": uptime, "direction": 1, "v85": v85, "timezone": zone}  # fmt: skip
    for mode, count in (("car", car), ("heavy", heavy), ("bike", bike), ("pedestrian", pedestrian)):
        record[mode] = count
        record[f"{mode}_lft"] = 0.4 * count
        record[f"{mode}_rgt"] = 0.6 * count
    return record


def _read(records):
    text = json.dumps({"status_code": 200, "message": "ok", "report": records})
    return read_telraam(io.BytesIO(text.encode()))


def _week():
    """Three days of a Telraam V1 in Brussels (summer, UTC+2), counted by hand.

    * Wednesday 1 June 2022: camera off (uptime 0, zeros) 00-04 and 22-23; counting
      05-21 at uptime 0.8, except 06:00 at uptime 0.3 (low). Cars 20 an hour, 100 at
      08:00 and 80 at 17:00; heavy 2, bikes 5, pedestrians 3 an hour. The low hour has
      cars 50, heavy 10 (scaled up by Telraam), which must not count.
      Valid hours: 16. Cars: 14·20 + 100 + 80 = 460; heavy 32; bikes 80; pedestrians 48.
    * Thursday 2 June: counting 05-11 only (uptime 0.8; cars 20, 100 at 08:00), then no
      records at all (the camera stopped). Valid hours 7; cars 6·20 + 100 = 220.
    * Saturday 4 June: counting 05-21 at uptime 1.0; cars 30 an hour, 90 at 11:00 and
      at 15:00 (a tie); heavy 1, bikes 10, pedestrians 6. Valid 17; cars 15·30 + 180 = 630.
    """
    records = []
    for hour in range(24):
        local = f"2022-06-01 {hour:02d}:00"
        if hour < 5 or hour > 21:
            records.append(_record(local, 0))
        elif hour == 6:
            records.append(_record(local, 0.3, car=50.0, heavy=10.0, bike=5.0, pedestrian=3.0))
        else:
            car = {8: 100.0, 17: 80.0}.get(hour, 20.0)
            records.append(
                _record(local, 0.8, car=car, heavy=2.0, bike=5.0, pedestrian=3.0, v85=45.0)
            )
    for hour in range(5, 12):
        car = 100.0 if hour == 8 else 20.0
        records.append(_record(f"2022-06-02 {hour:02d}:00", 0.8, car=car, heavy=2.0, v85=45.0))
    for hour in range(5, 22):
        car = 90.0 if hour in (11, 15) else 30.0
        records.append(
            _record(
                f"2022-06-04 {hour:02d}:00",
                1.0,
                car=car,
                heavy=1.0,
                bike=10.0,
                pedestrian=6.0,
                v85=40.0,
            )
        )
    return _read(records)


# --- uptime: missing, not zero -----------------------------------------------------------
def test_camera_off_and_low_uptime_hours_are_missing_not_zero():
    hourly = traffic.counts(_week())
    cars = hourly[(hourly["variable"] == "count_car") & (hourly["date"] == "2022-06-01")]
    at = cars.set_index("hour")
    assert math.isnan(at.loc[2, "count"])  # uptime 0: zeros in the report
    assert at.loc[2, "status"] == "camera off (uptime 0)"
    assert at.loc[2, "uptime"] == 0.0
    assert math.isnan(at.loc[6, "count"])  # uptime 0.3: 50 cars scaled up, not trusted
    assert at.loc[6, "status"] == "low uptime"
    assert at.loc[6, "uptime"] == pytest.approx(30.0)
    assert at.loc[8, "count"] == 100.0
    assert at.loc[8, "status"] == "counted"
    assert at.loc[8, "local_time"] == "2022-06-01T08:00+0200"
    assert cars["valid"].sum() == 16
    assert set(hourly["method"]) == {traffic.hourly_traffic(_week()).readings["method"].iloc[0]}


def test_exactly_half_uptime_is_kept_and_min_uptime_can_be_changed():
    records = [
        _record("2022-06-01 09:00", 0.5, car=10.0),
        _record("2022-06-01 10:00", 0.25, car=40.0),
    ]
    data = _read(records)
    hourly = traffic.counts(data)
    cars = hourly[hourly["variable"] == "count_car"]
    # telraamStats keeps uptime >= 0.5; 0.25 is below.
    assert cars["count"].tolist()[0] == 10.0
    assert math.isnan(cars["count"].tolist()[1])
    looser = traffic.counts(data, min_uptime=0.2)
    assert looser[looser["variable"] == "count_car"]["count"].tolist() == [10.0, 40.0]
    # Uptime 0 stays missing whatever min_uptime says.
    night = traffic.counts(_read([_record("2022-06-01 02:00", 0)]), min_uptime=0)
    assert night["valid"].sum() == 0
    assert set(night["status"]) == {"camera off (uptime 0)"}


def test_other_quality_flags_also_make_an_hour_missing():
    data = _read(
        [_record("2022-06-01 09:00", 1.0, car=10.0), _record("2022-06-01 10:00", 1.0, car=999.0)]
    )
    readings = data.readings.assign(flag_range=data.readings["value"] > 500)
    flagged = SensorData(readings, data.sensors)
    cars = traffic.counts(flagged)
    cars = cars[cars["variable"] == "count_car"]
    assert cars["count"].tolist()[0] == 10.0
    assert math.isnan(cars["count"].tolist()[1])
    assert cars["status"].tolist() == ["counted", "no value or flagged"]
    assert len(flagged.readings) == len(readings)  # nothing removed
    assert flagged.readings["flag_range"].sum() == 2  # count_car 999, count_car_right 599.4


def test_the_existing_fixture_report(data_dir):
    data = read_telraam(data_dir / "telraam" / "report_hourly.json")
    hourly = traffic.hourly_traffic(data).readings
    cars = hourly[hourly["variable"] == "count_car"]
    assert cars["status"].astype(str).tolist() == [
        "camera off (uptime 0)",
        "low uptime",
        "counted",
    ]
    assert cars["value"].isna().tolist() == [True, True, False]
    assert cars["value"].iloc[2] == 250.0
    uptime = hourly[hourly["variable"] == "uptime"]
    assert uptime["status"].astype(str).tolist() == [
        "camera off (uptime 0)",
        "low uptime",
        "counted",
    ]
    assert uptime["valid"].all()  # the uptime itself is a measurement


# --- daily totals ------------------------------------------------------------------------
def test_daily_totals_only_from_complete_days():
    daily = traffic.counts(_week(), per="day")
    cars = daily[daily["variable"] == "count_car"].set_index("date")
    assert list(cars.index) == ["2022-06-01", "2022-06-02", "2022-06-04"]
    # The fullest day of June has 17 valid hours: a day needs ceil(0.75·17) = 13.
    assert cars["reference_hours"].tolist() == [17, 17, 17]
    assert cars["n_valid"].tolist() == [16, 7, 17]
    assert cars["valid"].tolist() == [True, False, True]
    assert cars.loc["2022-06-01", "count"] == 460.0
    assert math.isnan(cars.loc["2022-06-02", "count"])
    assert cars.loc["2022-06-04", "count"] == 630.0
    # How many hours were missing and why.
    assert cars["n_hours"].tolist() == [24, 24, 24]
    assert cars["n_low_uptime"].tolist() == [1, 0, 0]
    assert cars["n_missing"].tolist() == [7, 17, 7]  # camera off, or no record at all
    # The local day: midnight to midnight in Brussels (22:00 UTC the day before).
    assert cars["time"].dt.strftime("%d %H:%M").tolist() == ["31 22:00", "01 22:00", "03 22:00"]
    assert (
        "fullest day of the same local month"
        in traffic.counts(_week(), per="day").attrs["day_rule"]
    )


def test_daily_totals_by_direction_and_a_fixed_rule():
    daily = traffic.counts(_week(), per="day", min_valid_hours=7)
    first = daily[daily["date"] == "2022-06-01"]
    by = {(m, d): c for m, d, c in zip(first["mode"], first["direction"], first["count"],
                                       strict=True)}  # fmt: skip
    # Left is 40 % and right 60 % of each hour: 0.4·460 = 184, 0.6·460 = 276.
    assert by[("car", "both")] == pytest.approx(460.0)
    assert by[("car", "left")] == pytest.approx(184.0)
    assert by[("car", "right")] == pytest.approx(276.0)
    assert by[("heavy", "both")] == pytest.approx(32.0)
    assert by[("bike", "both")] == pytest.approx(80.0)
    assert by[("pedestrian", "both")] == pytest.approx(48.0)
    # Table order: modes car, heavy, bike, pedestrian; directions both, left, right.
    assert first["mode"].tolist()[:4] == ["car", "car", "car", "heavy"]
    assert first["direction"].tolist()[:3] == ["both", "left", "right"]
    # With a fixed rule of 7 valid hours, Thursday's 7 hours are enough.
    thursday = daily[(daily["date"] == "2022-06-02") & (daily["variable"] == "count_car")]
    assert thursday["count"].tolist() == [220.0]
    assert thursday["reference_hours"].tolist() == [7]


def test_local_days_when_clocks_change_last_23_and_25_hours():
    records = [
        _record("2022-03-27 10:00", 1.0, car=5.0),  # clocks go forward: 23 hours
        _record("2022-03-27 11:00", 1.0, car=7.0),
        _record("2022-10-30 10:00", 1.0, car=5.0),  # clocks go back: 25 hours
    ]
    daily = traffic.counts(_read(records), per="day")
    cars = daily[daily["variable"] == "count_car"]
    assert cars["date"].tolist() == ["2022-03-27", "2022-10-30"]
    assert cars["n_hours"].tolist() == [23, 25]
    assert cars["n_missing"].tolist() == [21, 24]
    assert cars["count"].tolist() == [12.0, 5.0]


# --- modal split, profiles, peak hours ----------------------------------------------------
def test_modal_split_of_complete_days():
    split = traffic.modal_split(_week())
    # Wednesday and Saturday (Thursday is incomplete):
    # cars 460 + 630 = 1090; heavy 32 + 17 = 49; bikes 80 + 170 = 250;
    # pedestrians 48 + 102 = 150; in all 1539.
    assert split["mode"].tolist() == ["car", "heavy", "bike", "pedestrian"]
    assert split["count"].tolist() == pytest.approx([1090.0, 49.0, 250.0, 150.0])
    assert split["share"].tolist() == pytest.approx(
        [1090 / 1539, 49 / 1539, 250 / 1539, 150 / 1539]
    )
    assert split["share"].sum() == pytest.approx(1.0)
    assert split["n_days"].tolist() == [2, 2, 2, 2]
    per_day = traffic.modal_split(_week(), per="day")
    wednesday = per_day[per_day["date"] == "2022-06-01"]
    assert wednesday["share"].tolist() == pytest.approx([460 / 620, 32 / 620, 80 / 620, 48 / 620])
    assert set(per_day["date"]) == {"2022-06-01", "2022-06-04"}
    assert split.attrs["history"][-1].name == "modal_split"


def test_weekday_and_weekend_profiles_in_local_time():
    table = traffic.profiles(_week(), variables="count_car")
    weekday = table[table["day_type"] == "weekday"].set_index("hour")
    # 08:00 local (06:00 UTC): Wednesday 100 and Thursday 100; 17:00 only Wednesday.
    assert weekday.loc[8, "mean"] == 100.0
    assert weekday.loc[8, "n_hours"] == 2
    assert weekday.loc[17, "mean"] == 80.0
    assert weekday.loc[17, "n_hours"] == 1
    # 06:00: Wednesday's low-uptime 50 is not used, only Thursday's 20.
    assert (weekday.loc[6, "mean"], weekday.loc[6, "n_hours"]) == (20.0, 1)
    assert 2 not in weekday.index  # camera off: no value, not zero
    weekend = table[table["day_type"] == "weekend"].set_index("hour")
    assert weekend.loc[11, "mean"] == 90.0
    assert set(table["unit"]) == {"count"}


def test_peak_hours_per_weekday_and_weekend_with_ties():
    peaks = traffic.peak_hours(_week(), variables="count_car")
    weekday = peaks[peaks["day_type"] == "weekday"]
    assert weekday[["hour", "hours", "mean_count", "n_hours"]].values.tolist() == [
        [8, "08:00-09:00", 100.0, 2]
    ]
    weekend = peaks[peaks["day_type"] == "weekend"]
    assert weekend["hour"].tolist() == [11, 15]  # a tie: both are given
    every = traffic.peak_hours(_week())
    assert set(every["variable"]) == {"count_car", "count_heavy", "count_bike", "count_pedestrian"}
    # min_hours: only hours seen on at least two weekdays count.
    two = traffic.peak_hours(_week(), variables="count_car", min_hours=2)
    assert two[two["day_type"] == "weekday"]["hour"].tolist() == [8]
    assert two[two["day_type"] == "weekend"].empty
    with pytest.raises(DataFormatError, match="they need counts"):
        traffic.peak_hours(_week(), variables="speed_v85")


# --- v85 -------------------------------------------------------------------------------
def _speeds():
    # Hours with v85 30, 40, 50 km/h and 10, 10, 80 cars; a low-uptime hour at 90 km/h.
    return _read(
        [
            _record("2022-06-01 09:00", 1.0, car=10.0, v85=30.0),
            _record("2022-06-01 10:00", 1.0, car=10.0, v85=40.0),
            _record("2022-06-01 11:00", 1.0, car=80.0, v85=50.0),
            _record("2022-06-01 12:00", 0.2, car=40.0, v85=90.0),
            _record("2022-06-01 13:00", 1.0, car=0.0, v85=None),  # no cars: no v85
        ]
    )


def test_v85_summary_unweighted_and_weighted_by_hand():
    plain = traffic.v85_summary(_speeds(), limit_kmh=35)
    # Each hour once: 30, 40, 50. Median: the 2nd of 3 = 40; p10: 1st = 30; p90: 3rd.
    row = plain.iloc[0]
    assert row["n_hours"] == 3
    assert (row["median"], row["p10"], row["p90"], row["mean"]) == (40.0, 30.0, 50.0, 40.0)
    assert (row["min"], row["max"]) == (30.0, 50.0)  # the 90 of the low-uptime hour is out
    assert row["share_above_limit"] == pytest.approx(2 / 3)
    assert math.isnan(row["cars"])
    assert "each valid hour once" in row["method"]
    heavy = traffic.v85_summary(_speeds(), weighted=True, limit_kmh=35).iloc[0]
    # Weights 10, 10, 80 (100 cars): cumulative 10, 20, 100; half (50) is reached at 50.
    assert heavy["cars"] == 100.0
    assert heavy["median"] == 50.0
    assert heavy["p10"] == 30.0  # 10 of 100 reached at the first hour
    assert heavy["p25"] == 50.0
    assert heavy["mean"] == pytest.approx((30 * 10 + 40 * 10 + 50 * 80) / 100)  # 47
    assert heavy["share_above_limit"] == pytest.approx(0.9)
    assert bool(heavy["weighted"])


def test_v85_by_day_type():
    table = traffic.v85_summary(_week(), by="day_type")
    assert table["day_type"].tolist() == ["weekday", "weekend"]
    assert table["median"].tolist() == [45.0, 40.0]
    assert table["n_hours"].tolist() == [16 + 7, 17]


# --- quarter hours, errors, inputs -------------------------------------------------------
def test_quarter_hour_reports_sum_into_hours():
    records = []
    for minute, car, uptime in ((0, 10.0, 1.0), (15, 20.0, 1.0), (30, 30.0, 1.0), (45, 40.0, 0.1)):
        record = _record(f"2022-06-01 09:{minute:02d}", uptime, car=car)
        record["interval"] = "quarterly"
        records.append(record)
    hourly = traffic.hourly_traffic(_read(records))
    cars = hourly.readings[hourly.readings["variable"] == "count_car"]
    # 3 of 4 quarters valid (75 %): 10 + 20 + 30 = 60; the low-uptime quarter is left out.
    assert cars["value"].tolist() == [60.0]
    assert cars["n_readings"].tolist() == [3]
    assert hourly.history[-1].parameters["interval_s"] == {"telraam:9000001": 900.0}


def test_friendly_errors():
    week = _week()
    noise = SensorData(
        normalise_readings(
            pd.DataFrame(
                {
                    "sensor_id": "s",
                    "time": pd.to_datetime(["2022-06-01T09:00Z"]),
                    "variable": "laeq",
                    "value": [50.0],
                    "unit": "dB(A)",
                }
            )
        ),
        pd.DataFrame({"sensor_id": ["s"], "timezone": ["UTC"]}),
    )
    with pytest.raises(DataFormatError, match="There are no traffic counts in this data"):
        traffic.counts(noise)
    no_uptime = week.select(variables=["count_car"])
    with pytest.raises(DataFormatError, match="come without uptime"):
        traffic.counts(no_uptime)
    with pytest.raises(ValueError, match=r"for 50 % use 0\.5"):
        traffic.counts(week, min_uptime=50)
    with pytest.raises(ValueError, match="per must be '1h' or 'day'"):
        traffic.counts(week, per="week")
    with pytest.raises(ValueError, match="min_valid_hours must be a whole number"):
        traffic.counts(week, per="day", min_valid_hours=0)
    with pytest.raises(DataFormatError, match="not from averages"):
        traffic.counts(traffic.hourly_traffic(week))
    with pytest.raises(DataFormatError, match="There is no v85"):
        traffic.v85_summary(week.select(variables=["count_car", "uptime"]))
    with pytest.raises(DataFormatError, match="needs the car counts"):
        traffic.v85_summary(week.select(variables=["speed_v85", "uptime"]), weighted=True)
    with pytest.raises(DataFormatError, match="not traffic counts or speeds"):
        traffic.profiles(week, variables="pm25")
    daily = [_record(f"2022-06-0{d} 00:00", 1.0, car=500.0) for d in (1, 2, 3)]
    for record in daily:
        record["interval"] = "daily"
    with pytest.raises(DataFormatError, match="intervals 24 h apart"):
        traffic.counts(_read(daily))
    with pytest.raises(DataFormatError, match="no readings"):
        traffic.counts(SensorData.empty())


def test_local_time_needs_a_zone():
    week = _week()
    sensors = week.sensors.assign(timezone=None)
    nozone = SensorData(week.readings, sensors)
    with pytest.raises(TimestampError, match="time zone of some sensors is unknown"):
        traffic.counts(nozone)
    with pytest.raises(TimestampError, match="with_timezone"):
        traffic.peak_hours(nozone)


def test_inputs_unchanged_nothing_removed_and_history_recorded():
    week = _week()
    before = week.readings.copy()
    hourly = traffic.hourly_traffic(week)
    for function in (traffic.counts, traffic.modal_split, traffic.profiles,
                     traffic.peak_hours, traffic.v85_summary):  # fmt: skip
        function(week)
    pd.testing.assert_frame_equal(week.readings, before)
    assert traffic.UPTIME_FLAG not in week.readings.columns
    assert len(week.history) == 0
    # Every interval of the report is still there as an hour, missing ones with NaN.
    n_intervals = week.readings.groupby(["variable", "time"], observed=True).ngroups
    assert len(hourly.readings) == n_intervals
    assert [s.name for s in hourly.history] == ["flag_low_uptime", "average", "hourly_traffic"]
    step = hourly.history[-1]
    assert step.parameters["min_uptime"] == 0.5
    assert step.parameters["timezone"] == "local"
    assert "telraamStats" in step.citation
    # Camera-off hours: Wednesday 0-4 and 22-23 (7 hours) of 12 count variables; the
    # low-uptime hour: 1 hour of 12 count variables.
    assert step.touched == 7 * 12 + 1 * 12
    assert hourly.history[0].parameters == {"min_uptime": 0.5, "flag": traffic.UPTIME_FLAG}
    daily = traffic.counts(week, per="day")
    assert daily.attrs["history"][-1].name == "counts"
    assert daily.attrs["history"][-1].parameters["min_valid_hours"] is None
