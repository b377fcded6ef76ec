"""ExploreState: the explorer's logic, without widgets."""

import numpy as np
import pandas as pd
import pytest

from toolkit._errors import DataFormatError, MissingColumnError
from toolkit.sensordata import SensorData
from toolkit.standards import UnknownStandardError
from toolkit.timeseries import average
from toolkit.widgets import ExploreState, corrections_for, pollutant_of, standards_for

from .helpers import (
    assert_unchanged,
    hours_signal,
    make,
    purpleair,
    readings,
    snapshot,
    weekly,
)


def _values(choices):
    return [value for _, value in choices]


# --- what the controls offer -------------------------------------------------------------
def test_controls_offer_only_what_fits_the_data():
    state = ExploreState(purpleair())
    assert state.settings.variable == "pm25"  # a pollutant people know, first
    choices = state.choices()
    assert set(_values(choices.variables)) == {
        "pm25_cf1",
        "pm25_atm",
        "humidity",
        "pm25",
        "temperature",
    }
    assert _values(choices.sensors) == ["sc:1"]  # only sc:1 measures pm25
    standards = _values(choices.standards)
    assert standards[0] is None
    assert {"us_epa_2024", "eaqi_2024", "who_2021_pm25_24h", "eu_2024_pm25_24h"} <= set(standards)
    assert "who_2021_o3_peak_season" not in standards
    assert _values(choices.corrections) == [None]  # no correction for Sensor.Community pm25
    state.update(variable="temperature")
    assert _values(state.choices().standards) == [None]


def test_corrections_fit_their_input_maker_and_humidity():
    data = purpleair()
    assert [k for _, k in corrections_for(data, "pm25_cf1")] == [
        "epa_2021",
        "epa_cf1_2022",
        "epa_2020",
        "epa_fasm_2021",
    ]
    assert [k for _, k in corrections_for(data, "pm25_atm")] == ["epa_smoke"]
    assert corrections_for(data, "pm25") == []  # AirGradient's is for AirGradient sensors
    assert corrections_for(purpleair(humidity=False), "pm25_cf1") == []
    state = ExploreState(data, variable="pm25_cf1", period="day")
    assert _values(state.choices().corrections)[:2] == [None, "epa_2021"]
    state.update(period="week")
    assert _values(state.choices().corrections) == [None]


def test_standards_and_pollutants():
    assert pollutant_of("pm25_atm") == "pm25"
    assert pollutant_of("pm10_cf1") == "pm10"
    assert pollutant_of("laeq") is None
    names = _values(standards_for("pm25_corrected"))
    assert "who_2021_pm25_24h" in names
    assert "us_epa_2024" not in names  # an index of corrected values is a choice made in code
    assert _values(standards_for("no2"))[:2] == ["us_epa_2024", "us_epa_2018"]


# --- keeping choices consistent ----------------------------------------------------------
def test_a_standard_that_no_longer_fits_is_switched_off_with_a_message():
    state = ExploreState(purpleair(), standard="who_2021_pm25_24h", period="day")
    assert state.settings.standard == "who_2021_pm25_24h"
    assert state.messages == []
    state.update(variable="temperature")
    assert state.settings.standard is None
    assert state.messages == [
        "'who_2021_pm25_24h' does not judge temperature, so no standard is shown."
    ]


def test_a_guideline_for_another_period_or_variable_comes_with_a_note():
    state = ExploreState(purpleair(), standard="who_2021_pm25_24h")  # hourly chart
    assert state.messages == [
        (
            "The guideline is for 24h means and the chart shows hourly means: compare with care "
            "(choose 'day')."
        )
    ]
    state.update(variable="pm25_atm", period="day", standard="who_2021_pm25_24h")
    assert state.messages == [
        (
            "WHO global air quality guidelines (2021) AQG level: pm25 24h 15 µg/m³ is set for "
            "pm25; pm25_atm is compared with it as it is."
        )
    ]


def test_an_index_standard_says_that_period_and_chart_do_not_apply():
    state = ExploreState(purpleair(), standard="us_epa_2024")
    assert state.is_index
    assert state.messages == [
        (
            "US EPA AQI (2024, EPA-454/B-24-002) averages the readings as its standard says, so "
            "the period, data-capture and chart choices do not apply to it."
        )
    ]
    table = state.table()
    assert set(table["variable"]) == {"aqi"}
    assert set(table["standard"]) == {"US EPA AQI (2024, EPA-454/B-24-002)"}


def test_a_correction_for_other_periods_is_switched_off_with_a_message():
    state = ExploreState(purpleair(), variable="pm25_cf1", correction="epa_2021")
    assert state.settings.correction == "epa_2021"
    state.update(period="week")
    assert state.settings.correction is None
    assert state.messages == [
        (
            "Corrections were fitted on hourly or daily means, so none is applied to weekly "
            "means; choose the hour or the day to correct."
        )
    ]
    state.update(correction="epa_smoke")  # made for pm25_atm, not pm25_cf1
    assert state.settings.correction is None
    assert "The correction 'epa_smoke' does not apply to pm25_cf1" in state.messages[0]


def test_sensors_without_the_variable_are_left_out_with_a_message():
    state = ExploreState(purpleair(), variable="pm25_cf1", sensors=["purpleair:1", "sc:1"])
    assert state.settings.sensors == ("purpleair:1",)
    assert state.messages == ["sc:1 has no pm25_cf1 readings and is left out."]
    assert set(state.table()["sensor_id"]) == {"purpleair:1"}
    state.update(sensors=None)
    assert set(state.table()["sensor_id"]) == {"purpleair:1", "purpleair:2"}


def test_sensors_without_a_time_zone_use_utc_and_say_so():
    times, base = hours_signal(6)
    state = ExploreState(make(readings("s1", times, base), timezone=None))
    assert state.settings.timezone == "UTC"
    assert state.messages == [
        (
            "Some sensors have no time zone, so days and hours are in UTC; say where they are "
            "with data = data.with_timezone('Europe/London') (your zone)."
        )
    ]
    state.update(timezone="local")
    assert state.settings.timezone == "UTC"


# --- results -------------------------------------------------------------------------------
def test_the_table_follows_the_period():
    state = ExploreState(weekly(20.0, 10.0, sensors=("s1",)))
    assert len(state.table()) == 14 * 24
    state.update(period="day")
    table = state.table()
    assert len(table) == 14
    assert table["value"].tolist() == [20.0] * 5 + [10.0] * 2 + [20.0] * 5 + [10.0] * 2


def test_the_data_capture_threshold_decides_which_hours_count():
    # Three readings in each hour, every 10 minutes: 50 % of the 6 expected.
    times = pd.date_range("2024-10-07", periods=12 * 6, freq="10min", tz="UTC")
    times = times[(times.minute < 30)]
    state = ExploreState(make(readings("s1", times, np.full(len(times), 8.0)), timezone="UTC"))
    table = state.table()
    assert table["coverage"].tolist() == pytest.approx([0.5] * 12)
    assert not table["valid"].any()
    state.update(min_coverage=0.5)
    assert state.table()["valid"].all()
    assert state.table()["value"].tolist() == [8.0] * 12


def test_a_correction_shows_its_output_beside_the_raw_values():
    _, base = hours_signal(48)
    state = ExploreState(purpleair(), variable="pm25_cf1", correction="epa_2021")
    assert state.shown_variable == "pm25_corrected"
    table = state.table()
    assert set(table["variable"]) == {"pm25_corrected"}
    # EPA 2021 (Barkjohn et al.): 0.524 x PA_cf1 - 0.0862 x RH + 5.75, RH = 50 %.
    hourly = base[::6]
    expected = 0.524 * hourly - 0.0862 * 50 + 5.75
    first = table[table["sensor_id"] == "purpleair:1"].sort_values("time")
    assert first["value"].to_numpy() == pytest.approx(expected)
    assert "correct" in [step.name for step in state.averaged().history]


def test_cycles_are_profiles_of_hourly_values():
    state = ExploreState(weekly(20.0, 10.0, sensors=("s1",)), view="weekly cycle")
    table = state.table()
    assert table["weekday_name"].astype(str).tolist()[:2] == ["Monday", "Tuesday"]
    assert table["mean"].tolist() == [20.0] * 5 + [10.0] * 2
    state.update(view="daily cycle")
    assert state.table()["hour"].tolist() == list(range(24))


def test_averages_are_made_once_per_period_and_threshold():
    state = ExploreState(purpleair(), variable="pm25_cf1")
    first = state.averaged()
    state.update(sensors=["purpleair:2"], standard="who_2021_pm25_24h")
    assert state.averaged() is first  # sensors and standards reuse the averages
    state.update(period="day")
    daily = state.averaged()
    assert daily is not first
    state.update(period="1h")
    assert state.averaged() is first
    state.update(min_coverage=0.5)
    assert state.averaged() is not first


def test_the_input_is_never_changed():
    data = purpleair()
    before = snapshot(data)
    state = ExploreState(data, variable="pm25_cf1", correction="epa_2021", period="day")
    state.table()
    state.update(view="weekly cycle", period="1h")
    state.table()
    assert_unchanged(data, before)


# --- friendly errors -------------------------------------------------------------------------
def test_the_explorer_refuses_what_it_cannot_show():
    with pytest.raises(DataFormatError, match="There are no readings to explore"):
        ExploreState(SensorData.empty())
    averaged = average(weekly(), "1h")
    with pytest.raises(DataFormatError, match="averages the readings itself") as err:
        ExploreState(averaged)
    assert "Pass the readings as loaded" in str(err.value)
    with pytest.raises(MissingColumnError, match="The variable 'no2' is not in this data") as err:
        ExploreState(weekly(), variable="no2")
    assert "explore(data, variable='pm25')" in str(err.value)


def test_unknown_settings_are_refused_with_the_known_ones():
    state = ExploreState(weekly())
    with pytest.raises(ValueError, match=r"Unknown setting\(s\) colour; the explorer's settings"):
        state.update(colour="red")
    with pytest.raises(ValueError, match="min_coverage must be a share from 0 to 1"):
        state.update(min_coverage=75)
    with pytest.raises(ValueError, match="view must be one of 'timeseries'"):
        state.update(view="pie")
    with pytest.raises(ValueError, match="is not an averaging period the toolkit knows"):
        state.update(period="fortnight")
    with pytest.raises(UnknownStandardError, match="'who_2021' is not a standard"):
        state.update(standard="who_2021")
