"""The explorer and the guided questions on the teaching city, checked against its truth."""

import pandas as pd
import pytest

pytest.importorskip("ipywidgets")

from toolkit import datasets
from toolkit.widgets import (
    disagreeing_sensors,
    explore,
    unhealthy_days,
    weekday_vs_weekend,
)


@pytest.fixture(scope="module")
def city():
    try:
        return datasets.load_city()
    except FileNotFoundError as err:  # SourceNotFoundError: installed without the data
        pytest.skip(f"teaching data not found: {err}")


def test_the_explorer_on_the_teaching_city(city):
    explorer = explore(city.data)
    assert explorer.state.settings.variable == "pm25"
    assert explorer.state.settings.timezone == "local"  # every sensor is in Europe/London
    assert explorer.chart is not None
    assert "at 17 sensors" in explorer.caption.value
    explorer.controls["period"].value = "day"
    explorer.controls["standard"].value = "who_2021_pm25_24h"
    assert explorer.caption.value.startswith("<p>Daily mean PM2.5 at 17 sensors")
    assert "15 µg/m³" in explorer.caption.value
    explorer.controls["variable"].value = "pm25_cf1"  # raw PurpleAir: kept, with a note
    assert explorer.controls["standard"].value == "who_2021_pm25_24h"
    assert "pm25_cf1 is compared with it as it is" in explorer.message.value
    assert "us_epa_2024" not in [v for _, v in explorer.controls["standard"].options]
    assert "epa_2021" in [v for _, v in explorer.controls["correction"].options]
    explorer.controls["correction"].value = "epa_2021"
    assert "corrected PM2.5 at 9 sensors" in explorer.caption.value  # the 9 PurpleAirs


def test_weekdays_against_the_ground_truth(city):
    # The city's true PM2.5 (instructors' ground truth) on London weekdays and weekends.
    truth = datasets.ground_truth("true_pm_sensors")
    weekend = truth["time"].dt.tz_convert(city.timezone).dt.day_of_week >= 5
    true_ratio = truth.loc[~weekend, "pm25"].mean() / truth.loc[weekend, "pm25"].mean()
    assert true_ratio > 1.1  # the truth: clearly worse on weekdays
    answer = weekday_vs_weekend(city.data, variable="pm25")
    assert answer.verdict == "worse on weekdays"
    # Four weeks from Monday 7 October, and the first hour of Monday 4 November (the
    # files end at 00:59 UTC, midnight in London): 21 weekdays, 8 weekend days.
    assert answer.details["days"] == {"weekdays": 21, "weekends": 8}
    assert answer.chart is not None


def test_the_planted_drift_disagrees_with_its_neighbours(city):
    # Ground truth: S05 drifts (readings end 75 % high); its location is ordinary. In the
    # last week, the sensors whose *true* PM2.5 strays most from the others' is the other
    # one expected near the top: a real difference of place, not a fault.
    problems = datasets.ground_truth("planted_problems")
    drifting = problems.loc[problems["problem"] == "drift", "sensor_id"].iloc[0]
    last_week = city.data.select(start="2024-10-28T00:00Z")
    sds011 = [s for s in city.data.sensor_ids if s.startswith("sensorcommunity:9001")]
    truth = datasets.ground_truth("true_pm_sensors")
    truth = truth[(truth["time"] >= pd.Timestamp("2024-10-28", tz="UTC"))]
    wide = truth[truth["sensor_id"].isin(sds011)].pivot_table(
        index="time", columns="sensor_id", values="pm25"
    )
    stray = {s: (wide[s] - wide.drop(columns=s).median(axis=1)).abs().mean() for s in wide}
    truly_different = max(stray, key=stray.get)
    assert stray[drifting] < 2.0  # µg/m³: the drifting sensor's place is ordinary
    answer = disagreeing_sensors(last_week, sensors=sds011)
    assert set(answer.table["sensor_id"].iloc[:2]) == {drifting, truly_different}
    assert answer.table.set_index("sensor_id").loc[drifting, "bias"] > 0  # it reads high


def test_unhealthy_days_on_the_teaching_city(city):
    answer = unhealthy_days(city.data)
    table = answer.table.set_index("standard")
    assert len(table) == 8
    assert (table["days_with_data"] <= 29).all()
    assert (table["sensors"] == 17).all()
    # Both US tables start "Unhealthy for Sensitive Groups" at 35.5 µg/m³ (breakpoints.csv).
    assert table.loc["us_epa_2024", "typical_days"] == table.loc["us_epa_2018", "typical_days"]
    # A lower threshold cannot count fewer days: WHO 15 against EU 2024 25 µg/m³.
    assert (
        table.loc["who_2021_pm25_24h", "typical_days"]
        >= (table.loc["eu_2024_pm25_24h", "typical_days"])
    )
    assert answer.chart is not None
    assert answer.caption.startswith("How many days of PM2.5 were unhealthy depends on")
