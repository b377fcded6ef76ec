"""Guided questions on hand-made data whose answers are known by hand."""

import numpy as np
import pandas as pd
import pytest

from toolkit._errors import DataFormatError, MissingColumnError
from toolkit.widgets import (
    QUESTIONS,
    Answer,
    ask,
    disagreeing_sensors,
    unhealthy_days,
    weekday_vs_weekend,
)

from .helpers import (
    assert_unchanged,
    daily,
    hours_signal,
    make,
    neighbours,
    readings,
    snapshot,
    ten_minutes,
    weekly,
)


# --- Is the air worse on weekdays? -------------------------------------------------------
def test_weekday_mean_20_against_weekend_10_is_worse_on_weekdays():
    data = weekly(20.0, 10.0)
    before = snapshot(data)
    answer = weekday_vs_weekend(data)
    assert isinstance(answer, Answer)
    assert answer.verdict == "worse on weekdays"
    assert answer.details["means"] == {"weekdays": pytest.approx(20.0), "weekends": 10.0}
    # Two weeks from Monday 3 June: 10 weekdays, 4 weekend days (London wall clock).
    assert answer.details["days"] == {"weekdays": 10, "weekends": 4}
    assert answer.details["relative"] == pytest.approx(1.0)
    assert answer.caption.startswith(
        "Hourly PM2.5 at 2 sensors averaged 20.0 µg/m³ on weekdays (10 days) and "
        "10.0 µg/m³ at weekends (4 days): 100 % higher on weekdays, so it was worse on "
        "weekdays."
    )
    assert "at least 75 % data capture" in answer.caption
    assert_unchanged(data, before)


def test_the_table_is_the_hourly_profile_of_weekdays_and_weekends():
    table = weekday_vs_weekend(weekly(20.0, 10.0)).table
    assert len(table) == 48  # 24 local hours, twice
    weekdays = table[table["days"] == "weekdays"]
    assert weekdays["mean"].tolist() == pytest.approx([20.0] * 24)
    assert weekdays["n_hours"].tolist() == [20] * 24  # 10 days x 2 sensors
    assert table.loc[table["days"] == "weekends", "n_hours"].tolist() == [8] * 24


def test_weekdays_follow_the_local_wall_clock_not_utc():
    # In UTC, Friday 23:00-24:00 is Saturday in London (BST): its 10s join the weekdays.
    utc = weekday_vs_weekend(weekly(20.0, 10.0), timezone="UTC")
    assert utc.details["means"]["weekdays"] < 20.0
    assert utc.details["means"]["weekends"] > 10.0


def test_worse_at_weekends_and_the_share_is_of_the_lower_mean():
    answer = weekday_vs_weekend(weekly(10.0, 30.0))
    assert answer.verdict == "worse at weekends"
    assert "200 % higher at weekends" in answer.caption  # (30 - 10) / 10


def test_a_small_difference_is_about_the_same():
    answer = weekday_vs_weekend(weekly(10.5, 10.0))  # 0.5 <= 10 % of 10.5
    assert answer.verdict == "about the same"
    assert "about the same" in answer.caption
    strict = weekday_vs_weekend(weekly(10.5, 10.0), tolerance=0.01)
    assert strict.verdict == "worse on weekdays"


def test_decibels_compare_by_sound_energy():
    answer = weekday_vs_weekend(weekly(60.0, 50.0, variable="laeq"))
    assert answer.verdict == "worse on weekdays"
    assert answer.details["means"]["weekdays"] == pytest.approx(60.0)
    assert answer.details["difference"] == pytest.approx(10.0)
    assert "10.0 dB higher on weekdays" in answer.caption


def test_other_variables_are_higher_not_worse():
    answer = weekday_vs_weekend(weekly(20.0, 10.0, variable="temperature"))
    assert answer.verdict == "higher on weekdays"
    assert "10.0 °C higher on weekdays" in answer.caption  # not "100 %" of a temperature


def test_weekdays_without_a_weekend_is_too_little_data():
    times = ten_minutes("2024-06-03", 5)  # Monday to Friday
    answer = weekday_vs_weekend(make(readings("s1", times, np.full(len(times), 20.0))))
    assert answer.verdict == "too little data"
    assert answer.caption.startswith(
        "Too little data to say: PM2.5 at 1 sensor has valid hours on 5 weekday(s) and 0 "
        "weekend day(s); each needs at least 2."
    )


def test_weekday_question_refuses_what_it_cannot_compare():
    times = ten_minutes("2024-06-03", 2)
    data = make(readings("s1", times, np.full(len(times), 90.0), "wind_direction"))
    with pytest.raises(DataFormatError, match=r"cannot be asked of wind_direction \(it averages"):
        weekday_vs_weekend(data, variable="wind_direction")
    with pytest.raises(MissingColumnError, match="The variable 'pm25' is not in this data"):
        weekday_vs_weekend(data, variable="pm25")
    with pytest.raises(MissingColumnError, match="No variable in this data can answer"):
        weekday_vs_weekend(data)
    with pytest.raises(ValueError, match="tolerance must be a share"):
        weekday_vs_weekend(weekly(), tolerance=2)


# --- Which sensor disagrees with its neighbours? -----------------------------------------
def test_a_sensor_with_a_10_microgram_bias_is_ranked_first():
    data = neighbours(bias=10.0)
    before = snapshot(data)
    answer = disagreeing_sensors(data)
    table = answer.table
    assert answer.verdict == "s4"
    assert table["sensor_id"].tolist()[:2] == ["s4", "s2"]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    by_id = table.set_index("sensor_id")
    # By hand (helpers.neighbours): differences from the median of the others.
    assert by_id["bias"].to_dict() == pytest.approx({"s4": 10.0, "s2": -1.0, "s1": 0.5, "s3": -0.5})
    assert by_id["rmse"].to_dict() == pytest.approx({"s4": 10.0, "s2": 1.0, "s1": 0.5, "s3": 0.5})
    assert by_id.loc["s4", "hours"] == 72
    assert by_id.loc["s4", "slope"] == pytest.approx(1.0)
    assert by_id.loc["s4", "intercept"] == pytest.approx(10.0)
    assert by_id.loc["s4", "r2"] == pytest.approx(1.0)
    assert answer.caption.startswith(
        "Of 4 sensors with hourly PM2.5, s4 disagreed most with the median of the others: "
        "over 72 hours it read on average 10.0 µg/m³ higher (root-mean-square difference "
        "10.0 µg/m³). Next was s2 (1.0 µg/m³)."
    )
    pairs = answer.details["comparison"]
    assert (pairs["sensor"] - pairs["others"]).to_numpy() == pytest.approx(np.full(72, 10.0))
    assert_unchanged(data, before)


def test_channels_a_and_b_are_averaged_before_comparing():
    times, base = hours_signal(48)
    data = make(
        readings("s1", times, base + 0.5),
        readings("s2", times, base - 0.5),
        readings("s3", times, base),
        readings("pa", times, base + 9.0, channel="A"),
        readings("pa", times, base + 11.0, channel="B"),
        timezone="UTC",
    )
    table = disagreeing_sensors(data).table.set_index("sensor_id")
    assert table.loc["pa", "rank"] == 1
    assert table.loc["pa", "bias"] == pytest.approx(10.0)


def test_sensors_without_enough_hours_are_not_ranked():
    answer = disagreeing_sensors(neighbours(n_hours=20))
    assert answer.verdict == "too little data"
    assert answer.table["rank"].isna().all()
    assert set(answer.table["note"]) == {"too few hours to compare (20 of 24 needed)"}
    assert answer.caption.startswith("Too little data to say: no sensor of 4 has 24 hours")
    assert answer.chart is None
    ranked = disagreeing_sensors(neighbours(n_hours=20), min_hours=12)
    assert ranked.verdict == "s4"


def test_comparing_needs_three_sensors():
    data = neighbours().select(sensors=["s1", "s2"])
    with pytest.raises(DataFormatError, match="needs at least 3 sensors of pm25") as err:
        disagreeing_sensors(data)
    assert "Found: 2 sensor(s) with valid hourly values: s1, s2" in str(err.value)


# --- How many unhealthy days were there, by each standard? -------------------------------
STANDARDS = [
    "us_epa_2024",
    "us_epa_2018",
    "uk_daqi_2013",
    "eaqi_2024",
    "in_naqi_2014",
    "who_2021_pm25_24h",
    "eu_2024_pm25_24h",
]


def test_unhealthy_days_by_each_standard_side_by_side():
    # Daily PM2.5 of s1: 5, 20, 40, 60 µg/m³; s2: 5 every day. By the tables:
    # US AQI (2024 and 2018): 40 and 60 are "Unhealthy for Sensitive Groups" or worse (2);
    # UK DAQI: 40 is band 4 (Moderate, 36-41), 60 band 8 (2); European AQI 2024 (hourly):
    # 20 and 40 Moderate (15-50), 60 Poor (3); India NAQI: 60 is still Satisfactory
    # (31-60) (0); WHO 15 µg/m³: 20, 40, 60 (3); EU 2024 25 µg/m³: 40, 60 (2).
    data = daily({"s1": [5.0, 20.0, 40.0, 60.0], "s2": [5.0] * 4})
    before = snapshot(data)
    answer = unhealthy_days(data, standards=STANDARDS)
    by_sensor = answer.details["by_sensor"]
    s1 = by_sensor[by_sensor["sensor_id"] == "s1"].set_index("standard")
    assert s1["unhealthy_days"].to_dict() == {
        "us_epa_2024": 2,
        "us_epa_2018": 2,
        "uk_daqi_2013": 2,
        "eaqi_2024": 3,
        "in_naqi_2014": 0,
        "who_2021_pm25_24h": 3,
        "eu_2024_pm25_24h": 2,
    }
    assert set(s1["days_with_data"]) == {4}
    assert by_sensor.loc[by_sensor["sensor_id"] == "s2", "unhealthy_days"].eq(0).all()
    table = answer.table.set_index("standard")
    assert table["typical_days"].to_dict() == {  # the median of s1 and s2
        "us_epa_2024": 1.0,
        "us_epa_2018": 1.0,
        "uk_daqi_2013": 1.0,
        "eaqi_2024": 1.5,
        "in_naqi_2014": 0.0,
        "who_2021_pm25_24h": 1.5,
        "eu_2024_pm25_24h": 1.0,
    }
    assert table.loc["us_epa_2024", "most_days"] == 2
    assert table.loc["us_epa_2024", "sensor_most"] == "s1"
    assert table.loc["who_2021_pm25_24h", "rule"] == "daily mean above 15 µg/m³"
    assert table.loc["us_epa_2024", "rule"] == "Unhealthy for Sensitive Groups or worse"
    assert answer.verdict == "0 to 1.5 days"
    assert answer.caption.startswith(
        "How many days of PM2.5 were unhealthy depends on the standard. Of up to 4 local "
        "days with enough data (at least 75 % data capture), the typical sensor (median of "
        "2) had: US EPA AQI 2024: 1 day (Unhealthy for Sensitive Groups or worse);"
    )
    assert "WHO 2021 guideline: 1.5 days (daily mean above 15 µg/m³)" in answer.caption
    assert_unchanged(data, before)


def test_default_standards_are_indices_who_and_eu_daily_limits():
    answer = unhealthy_days(daily({"s1": [5.0, 60.0]}))
    assert answer.table["standard"].tolist() == [
        "us_epa_2024",
        "us_epa_2018",
        "eaqi_2024",
        "eaqi_2017",
        "uk_daqi_2013",
        "in_naqi_2014",
        "who_2021_pm25_24h",
        "eu_2024_pm25_24h",
    ]
    assert "the sensor had:" in answer.caption


def test_days_with_too_few_hours_are_not_counted():
    # Day 1 complete at 60 µg/m³; day 2 only 12 of 24 hours (below 75 %).
    times = pd.date_range("2024-10-07", periods=36 * 6, freq="10min", tz="UTC")
    data = make(readings("s1", times, np.full(len(times), 60.0)), timezone="UTC")
    table = unhealthy_days(data, standards=["us_epa_2024", "eaqi_2024"]).table
    assert table["days_with_data"].tolist() == [1, 1]
    assert table["most_days"].tolist() == [1, 1]


def test_which_category_counts_can_be_chosen():
    data = daily({"s1": [5.0, 20.0, 40.0, 60.0]})
    answer = unhealthy_days(
        data, standards=["us_epa_2024"], unhealthy_from={"us_epa_2024": "Unhealthy"}
    )
    assert answer.table.loc[0, "most_days"] == 1
    with pytest.raises(DataFormatError, match=r"Which US EPA AQI .* category counts") as err:
        unhealthy_days(data, standards=["us_epa_2024"], unhealthy_from={"us_epa_2024": "Awful"})
    assert "Good, Moderate, Unhealthy for Sensitive Groups" in str(err.value)


def test_unhealthy_days_refuse_what_does_not_count_days():
    data = daily({"s1": [5.0, 60.0]})
    with pytest.raises(DataFormatError, match="is not set for daily values"):
        unhealthy_days(data, standards=["who_2021_pm25_year"])
    temperature = daily({"s1": [5.0, 6.0]}, variable="temperature")
    with pytest.raises(DataFormatError, match=r"cannot be asked of temperature \(no standard"):
        unhealthy_days(temperature, variable="temperature")


# --- choosing a question -----------------------------------------------------------------
def test_ask_by_key_or_text():
    data = weekly(20.0, 10.0)
    assert ask(data, "weekdays").verdict == "worse on weekdays"
    assert ask(data, "Is the air worse on weekdays?").verdict == "worse on weekdays"
    assert set(QUESTIONS) == {"weekdays", "neighbours", "unhealthy"}
    with pytest.raises(ValueError, match="Unknown question 'why'; ask one of 'weekdays'"):
        ask(data, "why")


def test_an_answer_can_be_asked_again_for_another_variable():
    times = ten_minutes("2024-06-03", 14)
    weekend = times.day_of_week >= 5
    data = make(
        readings("s1", times, np.where(weekend, 10.0, 20.0)),
        readings("s1", times, np.where(weekend, 30.0, 20.0), "temperature"),
    )
    first = weekday_vs_weekend(data)
    assert first.variable == "pm25"
    assert first.details["variables"] == ["pm25", "temperature"]
    again = first.redo(variable="temperature")
    assert again.variable == "temperature"
    assert again.verdict == "higher at weekends"


def test_hourly_averages_give_the_same_answer_as_readings():
    from toolkit.timeseries import average

    data = weekly(20.0, 10.0)
    answer = weekday_vs_weekend(average(data, "1h"))
    assert answer.details["means"] == {"weekdays": pytest.approx(20.0), "weekends": 10.0}
    with pytest.raises(ValueError, match="cannot be averaged again"):
        weekday_vs_weekend(average(data, "day"))
    assert str(answer).startswith("Is the air worse on weekdays?\nHourly PM2.5 at 2 sensors")
