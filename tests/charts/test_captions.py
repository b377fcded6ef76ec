"""toolkit.captions: plain sentences, checked against sentences written by hand."""

import altair as alt
import numpy as np
import pandas as pd
import pytest

from toolkit import captions, charts
from toolkit.captions import caption
from toolkit.indices import aqi, exceedances
from toolkit.sensordata import SensorData, normalise_readings
from toolkit.timeseries import profile

from .helpers import averages, make, series

WHO = "the WHO global air quality guidelines (2021) AQG level (15 µg/m³)"


def _data(*frames):
    readings = normalise_readings(pd.concat(frames, ignore_index=True))
    ids = sorted({str(s) for s in readings["sensor_id"].unique()})
    return SensorData(readings, pd.DataFrame({"sensor_id": ids, "timezone": "UTC"}))


# -- exceedances ------------------------------------------------------------------------
def test_exceedances_at_several_sensors():
    # s1: 10, 16, 20 and one day without enough data; s2: 14, 15.5, 30, 40. Above 15:
    # 2 + 3 = 5 of 3 + 4 = 7 valid sensor-days; 7 of 8 days could be counted (>= 75 %).
    s1 = averages([10.0, 16.0, 20.0, 99.0], valid=[True, True, True, False])
    s2 = averages([14.0, 15.5, 30.0, 40.0], sensor="s2")
    table = exceedances(_data(s1, s2), guideline="who_2021_pm25_24h")
    assert caption(table) == (
        f"Daily mean PM2.5 at 2 sensors was above {WHO} on 5 of 7 sensor-days with enough "
        "data. A day counts when at least 75 % of its hours have a valid value."
    )
    assert caption(table, place="in Quayford").startswith(
        "Daily mean PM2.5 at 2 sensors in Quayford was above"
    )


def test_exceedances_with_few_countable_days():
    # 2 of 4 days valid: fewer than 75 % of the span.
    days = averages([10.0, 16.0, 1.0, 1.0], valid=[True, True, False, False])
    assert caption(exceedances(_data(days), guideline="who_2021_pm25_24h")) == (
        f"Daily mean PM2.5 at sensor s1 was above {WHO} on 1 of 2 days with enough data. "
        "Only 2 of the 4 days in the period had enough data, so the count may be low (a day "
        "counts when at least 75 % of its hours have a valid value)."
    )


def test_exceedances_with_too_little_data():
    days = averages([20.0, 30.0], valid=[False, False])
    assert caption(exceedances(_data(days), guideline="who_2021_pm25_24h")) == (
        f"There is too little data to say whether the daily mean PM2.5 at sensor s1 was above "
        f"{WHO}: no day had enough data (a day counts when at least 75 % of its hours have a "
        "valid value)."
    )


def test_exceedances_of_a_number_and_of_an_allowance():
    days = averages([10.0, 30.0, 30.0])
    table = exceedances(_data(days), guideline=25.0, variable="pm25", averaging="24h")
    assert caption(table).startswith(
        "Daily mean PM2.5 at sensor s1 was above a threshold of 25 µg/m³ on 2 of 3 days"
    )
    pm10 = averages([60.0, 10.0], variable="pm10")
    assert caption(exceedances(_data(pm10), guideline="eu_2008_pm10_24h")) == (
        "Daily mean PM10 at sensor s1 was above the EU ambient air quality directive "
        "(2008/50/EC) limit value (50 µg/m³) on 1 of 2 days with enough data. A day counts "
        "when at least 75 % of its hours have a valid value; 35 such days are allowed per "
        "calendar year, and that number was not exceeded."
    )


# -- averages and readings --------------------------------------------------------------
def test_averages():
    hours = averages(
        [10.0, 20.0, 5.0],
        period="1h",
        step="1h",
        start="2024-03-04T00:00Z",
        valid=[True, True, False],
    )
    assert caption(_data(hours)) == (
        "Hourly mean PM2.5 at sensor s1 on 4 March 2024: 2 of 3 hours had enough data (at "
        "least 75 % of the expected readings). Those values range from 10.0 to 20.0 µg/m³."
    )
    days = averages([10.0, 20.0], start="2024-03-04T00:00Z")
    two = _data(days, averages([1.0, 2.0], sensor="s2", start="2024-03-04T00:00Z"))
    assert caption(two) == (
        "Daily mean PM2.5 at 2 sensors from 4 March 2024 to 5 March 2024: 4 of 4 sensor-days "
        "had enough data (at least 75 % of the hours with a valid value). Those values range "
        "from 1.0 to 20.0 µg/m³."
    )


def test_averages_with_too_little_data():
    hours = averages(
        [10.0, 20.0, 5.0],
        period="1h",
        step="1h",
        start="2024-03-04T00:00Z",
        valid=[False, False, False],
    )
    assert caption(_data(hours)) == (
        "There is too little data for hourly mean PM2.5 at sensor s1: none of the 3 hours on "
        "4 March 2024 had enough data (at least 75 % of the expected readings)."
    )


def test_readings():
    frame = series([4.0, 12.5, 7.0])
    frame["flag_spikes"] = [False, True, False]
    assert caption(make(frame)) == (
        "3 PM2.5 readings at sensor s1 on 4 March 2024; 1 flagged by "
        "quality rules. They range from 4.0 to 12.5 µg/m³."
    )
    assert caption(make(series([np.nan, np.nan]))) == (
        "2 PM2.5 readings at sensor s1: every value is missing, so there is too little data "
        "to say anything."
    )
    assert caption(SensorData.empty()) == (
        "There are no readings: nothing was loaded, or everything was left out."
    )


# -- an index ---------------------------------------------------------------------------
def test_index():
    # 2024 AQI: 12.0 -> 56 (Moderate), 35.45 -> 100 (Moderate), 60.0 -> 154 (Unhealthy).
    result = aqi(_data(averages([12.0, 35.45, 60.0])))
    assert caption(result) == (
        "By the US EPA AQI (2024, EPA-454/B-24-002), the daily index at sensor s1 was Moderate "
        "on 2 and Unhealthy on 1 of 3 days with enough data (at least 75 % of the hours). The "
        "highest was 154 (Unhealthy) on 3 July 2024."
    )


def test_index_with_too_little_data():
    result = aqi(_data(averages([12.0, 13.0], valid=[False, False])))
    assert caption(result) == (
        "There is too little data for the US EPA AQI (2024, EPA-454/B-24-002) at sensor s1: "
        "no day had enough data for an index (at least 75 % of its hours)."
    )


# -- profiles ---------------------------------------------------------------------------
def _hourly(values_at):
    frames = []
    for hour, values in values_at.items():
        times = [f"2024-03-0{4 + d}T{hour:02d}:00Z" for d in range(len(values))]
        frames.append(
            pd.DataFrame(
                {
                    "sensor_id": "s1",
                    "time": pd.to_datetime(times),
                    "variable": "pm25",
                    "value": values,
                    "unit": "µg/m³",
                    "period": "1h",
                    "valid": True,
                }
            )
        )
    return _data(*frames)


def test_profile():
    # 08:00 on three days: 30, 32, 34 (mean 32); 03:00: 5, 6, 7 (mean 6).
    table = profile(_hourly({8: [30.0, 32.0, 34.0], 3: [5.0, 6.0, 7.0]}))
    assert caption(table) == (
        "On average, on the UTC clock, PM2.5 was highest at 08:00 (32.0 µg/m³) and lowest at "
        "03:00 (6.0 µg/m³). It rests on 6 valid hourly values from sensor s1 (at least 75 % "
        "of the expected readings each)."
    )


def test_profile_with_too_little_data():
    table = profile(_hourly({8: [30.0, 32.0], 3: [5.0, 6.0]}))  # two values an hour
    assert caption(table) == (
        "There is too little data for a daily profile of PM2.5: no hour of the day has 3 or "
        "more valid hourly values (at least 75 % of the expected readings each)."
    )


# -- health and corrections -------------------------------------------------------------
def test_health():
    table = pd.DataFrame(
        {
            "sensor_id": ["s1", "s1", "s2", "s2"],
            "day": pd.to_datetime(["2024-03-04", "2024-03-05"] * 2),
            "status": ["good", "good", "check", "no data"],
            "completeness": [1.0, 0.9, 0.6, 0.0],
        }
    )
    assert caption(table) == (
        "Of 4 sensor-days at 2 sensors: 2 good, 1 to check and 1 without data. A good day has "
        "at least 75 % of its expected readings and at most 5 % flagged by quality rules; a "
        "poor day has under 50 % or more than 25 % flagged."
    )
    assert caption(table.iloc[:2]).startswith("All 2 days at sensor s1 were good.")
    stricter = caption(table, thresholds={"good_completeness": 0.9})
    assert "A good day has at least 90 % of its expected readings" in stricter


def test_corrections():
    table = pd.DataFrame(
        {
            "correction": ["EPA US-wide 2021 (Barkjohn et al. 2021)", "Other"],
            "input": ["pm25_cf1", "pm25_atm"],
            "values": [4, pd.NA],
            "corrected": [3, pd.NA],
            "missing": [1, pd.NA],
            "raw_mean": [20.0, np.nan],
            "mean": [10.5, np.nan],
            "note": ["", "The correction Other needs pm25_atm readings, and there are none."],
        }
    ).astype({"values": "Int64", "corrected": "Int64", "missing": "Int64"})
    table.attrs["period"] = "1h"
    assert caption(table) == (
        "EPA US-wide 2021 (Barkjohn et al. 2021) changed the mean of 3 hourly values of PM2.5 "
        "(CF=1, raw) from 20.0 to 10.5 µg/m³; 1 of 4 got no value. Other gave no value: the "
        "correction Other needs pm25_atm readings, and there are none."
    )
    none = table.assign(corrected=pd.array([0, pd.NA], dtype="Int64"))
    assert caption(none).startswith(
        "There is too little data to compare corrections: no value was corrected"
    )


# -- charts and mistakes ----------------------------------------------------------------
def test_a_chart_has_its_caption():
    chart = charts.timeseries(make(series(np.ones(6))))
    assert caption(chart) == chart.usermeta["caption"] == charts.chart_caption(chart)


def test_what_caption_cannot_describe():
    with pytest.raises(TypeError, match="does not know how to describe a list") as e:
        caption([1, 2])
    assert "toolkit.indices.exceedances" in str(e.value)
    with pytest.raises(TypeError, match="does not know the keyword 'colour'"):
        caption(SensorData.empty(), colour="red")
    with pytest.raises(TypeError, match="caption"):
        caption(alt.Chart().mark_point())
    two = make(series([1.0]), series([2.0], variable="pm10"))
    with pytest.raises(TypeError, match="several variables") as e:
        caption(_data(averages([1.0]), averages([2.0], variable="pm10")))
    assert "variable='pm10'" in str(e.value) or "variable='pm25'" in str(e.value)
    assert caption(two).startswith("2 readings of 2 variables (pm10, pm25), at sensor s1")


def test_words():
    assert captions.variable_label("pm25") == "PM2.5"
    assert captions.measure_label("count_bike", "day") == "daily total bikes"
    assert captions.measure_label("wind_direction", "1h") == "hourly vector-mean wind direction"
    assert captions.period_words("week") == ("weekly", "week", "weeks")
    assert captions.format_number(1234.5) == "1,234"
    assert captions.format_number(0.0123) == "0.012"
