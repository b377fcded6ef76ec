"""nowcast(): EPA's worked example and hand-computed cases."""

import math

import numpy as np
import pandas as pd
import pytest

from toolkit._errors import DataFormatError, UnknownVariableError
from toolkit.sensordata import SensorData, normalise_readings
from toolkit.timeseries._nowcast import nowcast, nowcast_variables

START = pd.Timestamp("2024-06-01T00:00Z")
# EPA / AirNow training slides "Computing the NowCast": 12 hours, oldest first.
EPA_EXAMPLE = [50.0, 80, 75, 90, 82, 53, 64, 74, 21, 10, 16, 13]


def _hourly(values, *, variable="pm25", invalid=(), zone="UTC", channel=None):
    """Hourly averages from START, oldest first; None = no row, index in invalid = not valid."""
    rows = [(i, v) for i, v in enumerate(values) if v is not None]
    hours = np.array([i for i, _ in rows])
    valid = np.array([i not in invalid for i in hours])
    readings = pd.DataFrame(
        {
            "sensor_id": "s",
            "time": START + pd.to_timedelta(hours, unit="h"),
            "variable": variable,
            "value": np.where(valid, [v for _, v in rows], np.nan),
            "unit": "µg/m³",
            "period": "1h",
            "valid": valid,
        }
    )
    if channel is not None:
        readings["channel"] = channel
    return _data(readings, zone)


def _data(readings, zone="UTC"):
    sensors = pd.DataFrame({"sensor_id": readings["sensor_id"].unique(), "timezone": zone})
    return SensorData(normalise_readings(readings), sensors)


def _last(data, **options):
    return nowcast(data, **options).readings.iloc[-1]


# --- the acceptance test: EPA's own worked example -------------------------------------
def test_epa_worked_example():
    # Range 90 - 10 = 80; scaled rate of change 80/90; weight 1 - 80/90 = 0.11 < 0.5,
    # so w = 0.5; NowCast = 17.4 µg/m³ (AirNow, "Computing the NowCast").
    now = _last(_hourly(EPA_EXAMPLE))
    assert now["nowcast_weight"] == 0.5
    assert now["value"] == 17.4
    assert now["n_readings"] == 12
    assert now["valid"]
    assert now["time"] == START + pd.Timedelta(hours=11)  # start of the current hour c1
    assert now["end"] == START + pd.Timedelta(hours=12)
    assert now["period"] == "nowcast"


# --- hand-computed cases ---------------------------------------------------------------
def test_all_equal_values_give_weight_one_and_the_plain_mean():
    now = _last(_hourly([20.0] * 12))
    assert now["nowcast_weight"] == 1.0
    assert now["value"] == 20.0


def test_missing_current_hour_with_the_two_before_is_valid():
    # c1 missing, c2 = 10, c3 = 20, older hours absent: w* = 10/20 = 0.5;
    # NowCast = (10·0.5 + 20·0.25) / (0.5 + 0.25) = 10 / 0.75 = 13.33 -> 13.3.
    values = [None] * 9 + [20.0, 10.0, 99.0]
    now = _last(_hourly(values, invalid={11}))
    assert now["valid"]
    assert now["n_readings"] == 2
    assert now["nowcast_weight"] == 0.5
    assert now["value"] == 13.3


def test_two_most_recent_hours_missing_is_not_valid():
    values = [20.0] * 10 + [99.0, 99.0]
    now = _last(_hourly(values, invalid={10, 11}))
    assert not now["valid"]
    assert math.isnan(now["value"])
    assert math.isnan(now["nowcast_weight"])
    assert now["n_readings"] == 10


def test_missing_middle_hours_are_left_out_but_keep_their_place():
    # c1 = c2 = c3 = 20, c4..c11 missing, c12 = 10: w* = 10/20 = 0.5;
    # NowCast = (20·(1 + 0.5 + 0.25) + 10·0.5^11) / (1.75 + 0.5^11)
    #         = 35.0048828125 / 1.75048828125 = 19.9972... -> 19.9
    values = [10.0] + [None] * 8 + [20.0, 20.0, 20.0]
    now = _last(_hourly(values))
    assert now["n_readings"] == 4
    assert now["nowcast_weight"] == 0.5
    assert now["value"] == 19.9


def test_weight_above_one_half():
    # c1 = 40, c2..c12 = 30: w* = 30/40 = 0.75.
    # S = Σ_{k=0..11} 0.75^k = (1 - 0.75^12)/0.25 = 3.873294592;
    # NowCast = (40 + 30·(S - 1)) / S = 30 + 10/S = 32.5818 -> 32.5
    now = _last(_hourly([30.0] * 11 + [40.0]))
    assert now["nowcast_weight"] == 0.75
    assert now["value"] == 32.5


def test_truncation_not_rounding():
    assert _last(_hourly([12.39] * 12))["value"] == 12.3
    assert _last(_hourly([54.9] * 12, variable="pm10"))["value"] == 54.0
    assert _last(_hourly([54.9] * 12, variable="pm10_atm"))["value"] == 54.0
    assert _last(_hourly([7.99] * 12, variable="pm25_cf1"))["value"] == 7.9


def test_all_zero_hours_give_zero_with_weight_one():
    now = _last(_hourly([0.0] * 12))
    assert now["nowcast_weight"] == 1.0
    assert now["value"] == 0.0


def test_one_value_per_hour_of_the_series():
    table = nowcast(_hourly(EPA_EXAMPLE)).readings
    assert table["time"].tolist() == [START + pd.Timedelta(hours=h) for h in range(12)]
    assert table["n_readings"].tolist() == list(range(1, 13))
    assert table["n_expected"].eq(12.0).all()
    # The first hour alone: c2 and c3 are unknown, so not valid; from the second, valid.
    assert table["valid"].tolist() == [False] + [True] * 11
    # Second hour: c1 = 80, c2 = 50: w = 50/80 = 0.625; (80 + 50·0.625) / 1.625 = 68.46
    assert table["value"].iloc[1] == 68.4
    assert table["nowcast_weight"].iloc[1] == 0.625


def test_channels_stay_apart():
    a = _hourly([10.0] * 12, variable="pm25_atm", channel="A").readings
    b = _hourly([30.0] * 12, variable="pm25_atm", channel="B").readings
    last = nowcast(_data(pd.concat([a, b], ignore_index=True))).readings.groupby("channel")
    assert last["value"].last().to_dict() == {"A": 10.0, "B": 30.0}


# --- variables -------------------------------------------------------------------------
def test_only_pm_variables_are_allowed():
    allowed = nowcast_variables()
    assert {"pm25", "pm10", "pm25_cf1", "pm25_atm", "pm25_alt", "pm10_cf1", "pm10_atm"} <= set(
        allowed
    )
    assert "pm1" not in allowed
    assert "temperature" not in allowed
    temperature = _hourly([20.0] * 12, variable="temperature")
    with pytest.raises(
        DataFormatError, match=r"PM2\.5 and PM10, and this data has neither"
    ) as info:
        nowcast(temperature)
    assert "pm25_cf1" in str(info.value)
    with pytest.raises(DataFormatError, match=r"defined for PM2\.5 and PM10 only") as info:
        nowcast(temperature, variables="temperature")
    assert "'pm10_atm'" in str(info.value)
    with pytest.raises(UnknownVariableError, match="is not a canonical variable"):
        nowcast(temperature, variables="pm2_5")


def test_other_variables_are_left_aside_when_none_are_named():
    pm = _hourly(EPA_EXAMPLE).readings
    temperature = _hourly([20.0] * 12, variable="temperature").readings
    result = nowcast(_data(pd.concat([pm, temperature], ignore_index=True)))
    assert result.variables == ["pm25"]
    assert [s.name for s in result.history] == ["select", "nowcast"]


# --- raw readings, history, no mutation ------------------------------------------------
def _raw(zone="UTC", flags=None):
    # 12 hours of one reading a minute; hour h holds the EPA example's value h.
    times = pd.date_range(START, periods=12 * 60, freq="1min")
    readings = pd.DataFrame(
        {
            "sensor_id": "s",
            "time": times,
            "variable": "pm25",
            "value": np.repeat(EPA_EXAMPLE, 60),
            "unit": "µg/m³",
        }
    )
    if flags is not None:
        readings["flag_test"] = flags
    return _data(readings, zone)


def test_raw_readings_are_averaged_into_hours_first():
    result = nowcast(_raw())
    assert [s.name for s in result.history] == ["average", "nowcast"]
    assert result.readings["value"].iloc[-1] == 17.4


def test_flagged_hours_count_as_missing_and_flags_remove_nothing():
    flags = np.zeros(12 * 60, dtype=bool)
    flags[-60:] = True  # the current hour (13) is doubted
    data = _raw(flags=flags)
    before = data.readings.copy()
    now = nowcast(data).readings.iloc[-1]
    # c1 missing; c2..c12 = 16 10 21 74 64 53 82 90 75 80 50: w* = 10/90 -> 0.5;
    # NowCast = Σ 0.5^(i-1) c_i / Σ 0.5^(i-1), i = 2..12,
    #         = 21.8193359375 / 0.99951171875 = 21.83... -> 21.8
    weights = 0.5 ** np.arange(1, 12)
    older = np.array(EPA_EXAMPLE[:-1])[::-1]
    assert now["value"] == math.trunc(10 * (weights * older).sum() / weights.sum()) / 10
    assert now["value"] == 21.8
    assert now["n_readings"] == 11
    pd.testing.assert_frame_equal(data.readings, before)


def test_input_is_not_mutated_and_the_step_is_recorded():
    data = _hourly(EPA_EXAMPLE)
    before = data.readings.copy()
    result = nowcast(data)
    pd.testing.assert_frame_equal(data.readings, before)
    assert len(data.history) == 0
    step = result.history[-1]
    assert step.name == "nowcast"
    assert step.parameters["hours"] == 12
    assert step.parameters["min_weight"] == 0.5
    assert step.parameters["truncation"] == {"PM2.5": "0.1 µg/m³", "PM10": "1 µg/m³"}
    assert "EPA" in step.citation
    assert "NowCast" in step.citation
    assert step.touched == 12


# --- friendly errors -------------------------------------------------------------------
def test_errors_are_friendly():
    with pytest.raises(DataFormatError, match="no readings to compute the NowCast"):
        nowcast(SensorData.empty())
    daily = _hourly([1.0]).readings.assign(period="day")
    with pytest.raises(DataFormatError, match="averages over other periods"):
        nowcast(_data(daily))
    # An unknown zone is no obstacle to hours (they start at the same instants in UTC
    # wherever a zone is a whole number of hours away); the history says it was UTC.
    unknown = nowcast(_raw(zone=None))
    assert unknown.readings["value"].iloc[-1] == 17.4
    averaged = next(step for step in unknown.history if step.name == "average")
    assert averaged.parameters["utc_for_unknown_zones"] == ["s"]
    assert "periods run in UTC" in averaged.description
    assert nowcast(_raw(zone=None), timezone="UTC").readings["value"].iloc[-1] == 17.4


# --- a real PurpleAir export -----------------------------------------------------------
@pytest.mark.real_samples
def test_real_purpleair_channels_follow_the_published_formula(real_samples):
    import toolkit
    from toolkit.timeseries import average

    data = toolkit.load(real_samples / "purpleair" / "example_pat_data_derived.csv")
    before = data.readings.copy()
    result = nowcast(data, timezone="UTC")
    pd.testing.assert_frame_equal(data.readings, before)
    assert result.variables == ["pm25_atm"]
    assert [s.name for s in result.history] == ["select", "average", "nowcast"]
    table = result.readings
    valid = table[table["valid"]]
    assert len(valid) > 0
    assert valid["nowcast_weight"].between(0.5, 1.0).all()
    tenths = valid["value"].to_numpy() * 10
    assert np.allclose(tenths, np.round(tenths))  # truncated to 0.1 µg/m³
    # The last hour of channel A, by the published formula written out in plain Python.
    hourly = average(data.select(variables="pm25_atm"), "1h", timezone="UTC").readings
    a = hourly[(hourly["channel"] == "A")].set_index("time")
    now = a.index.max()
    hours = [now - pd.Timedelta(hours=i) for i in range(12)]  # c1 ... c12
    c = [a["value"][t] if t in a.index and a["valid"][t] else math.nan for t in hours]
    known = [(i, x) for i, x in enumerate(c) if not math.isnan(x)]
    w = max(min(x for _, x in known) / max(x for _, x in known), 0.5)
    expected = sum(w**i * x for i, x in known) / sum(w**i for i, _ in known)
    got = table[(table["channel"] == "A") & (table["time"] == now)].iloc[0]
    assert got["nowcast_weight"] == pytest.approx(w)
    assert got["value"] == math.trunc(round(expected * 10, 6)) / 10
