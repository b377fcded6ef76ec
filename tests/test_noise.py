"""toolkit.noise: Leq, Lden and its periods, percentile levels, WHO 2018, checked by hand.

Every expected value below is computed by hand from the published formulas:

* Leq of equal intervals: 10·lg(mean(10^(L/10))) (ISO 1996-1);
* Lden = 10·lg{(1/24)[12·10^(Lday/10) + 4·10^((Levening+5)/10) + 8·10^((Lnight+10)/10)]}
  (Directive 2002/49/EC, Annex I), periods 07-19, 19-23, 23-07 local time.
"""

import math

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import noise
from toolkit._errors import DataFormatError, TimestampError
from toolkit.sensordata import SensorData, normalise_readings
from toolkit.timeseries import profile

BERLIN = "Europe/Berlin"
# 60 and 70 dB(A) for equal times: 10·lg((10^6 + 10^7)/2) = 10·lg(5.5·10^6) = 67.40 dB(A).
L_60_70 = 10 * math.log10(5.5e6)


def _data(readings, zone=BERLIN):
    sensors = pd.DataFrame({"sensor_id": pd.unique(readings["sensor_id"]), "timezone": zone})
    return SensorData(normalise_readings(readings), sensors)


def _minutes(levels, *, start="2024-06-03T07:00", zone=BERLIN, sensor="s", per_hour=None):
    """Raw 1-minute LAeq readings: one level per local hour from ``start`` (or per minute)."""
    first = pd.Timestamp(start, tz=zone).tz_convert("UTC")
    values = np.repeat(np.asarray(levels, dtype=float), 60) if per_hour is None else per_hour
    times = first + pd.to_timedelta(np.arange(len(values)), unit="min")
    return pd.DataFrame(
        {"sensor_id": sensor, "time": times, "variable": "laeq", "value": values, "unit": "dB(A)"}
    )


def _hourly(times, values, *, sensor="s", valid=True):
    return pd.DataFrame(
        {
            "sensor_id": sensor,
            "time": pd.to_datetime(times, utc=True),
            "variable": "laeq",
            "value": np.asarray(values, dtype=float),
            "unit": "dB(A)",
            "period": "1h",
            "valid": valid,
        }
    )


def _levels(data, **kwargs):
    table = noise.lden(data, **kwargs).readings
    return {
        (str(d), str(v)): (val, ok)
        for d, v, val, ok in zip(
            table["date"], table["variable"], table["value"], table["valid"], strict=True
        )
    }


# The constant day of the brief: 60 dB(A) by day, 55 in the evening, 50 at night.
CONSTANT_DAY = [60.0] * 12 + [55.0] * 4 + [50.0] * 8


# --- Lden of hand-computed days ----------------------------------------------------------
def test_lden_of_a_constant_day_matches_the_hand_computation():
    # By hand: 10·lg((12·10^6.0 + 4·10^((55+5)/10) + 8·10^((50+10)/10))/24)
    #        = 10·lg((12 + 4 + 8)·10^6 / 24) = 10·lg(10^6) = 60.0 dB(A).
    data = _data(_minutes(CONSTANT_DAY))
    table = noise.lden(data).readings
    assert table["variable"].astype(str).tolist() == ["lday", "levening", "lnight", "lden"]
    assert table["value"].tolist() == pytest.approx([60.0, 55.0, 50.0, 60.0])
    assert table["valid"].tolist() == [True] * 4
    assert table["n_readings"].tolist() == [12, 4, 8, 24]  # valid hours
    assert table["n_expected"].tolist() == [12.0, 4.0, 8.0, 24.0]
    assert table["period"].astype(str).tolist() == [
        "day 07-19",
        "evening 19-23",
        "night 23-07",
        "24 h from 07",
    ]
    assert set(table["date"]) == {"2024-06-03"}
    assert table["unit"].astype(str).unique().tolist() == ["dB(A)"]
    # Berlin summer is UTC+2: the day starts 05:00 UTC, the evening 17:00, the night 21:00.
    assert table["time"].dt.strftime("%H:%M").tolist() == ["05:00", "17:00", "21:00", "05:00"]
    assert table["end"].dt.strftime("%d %H:%M").tolist() == [
        "03 17:00",
        "03 21:00",
        "04 05:00",
        "04 05:00",
    ]
    assert "Directive 2002/49/EC" in table["method"].iloc[0]
    assert "day 07-19, evening 19-23, night 23-07" in table["method"].iloc[0]


def test_lden_of_a_varying_day_matches_the_hand_computation():
    # Day: 6 hours at 60 and 6 at 70 -> Lday = 10·lg((6·10^6 + 6·10^7)/12) = 10·lg(5.5e6).
    # Evening: 2 h at 50, 2 h at 60 -> 10·lg((2·10^5 + 2·10^6)/4) = 10·lg(5.5e5).
    # Night: 4 h at 40, 4 h at 50 -> 10·lg((4·10^4 + 4·10^5)/8) = 10·lg(5.5e4).
    levels = [60.0] * 6 + [70.0] * 6 + [50.0, 60.0] * 2 + [40.0, 50.0] * 4
    lday, levening, lnight = (10 * math.log10(x) for x in (5.5e6, 5.5e5, 5.5e4))
    assert (lday, levening, lnight) == pytest.approx((67.404, 57.404, 47.404), abs=1e-3)
    # Lden = 10·lg((12·5.5e6 + 4·5.5e5·10^0.5 + 8·5.5e4·10^1)/24)
    by_hand = 10 * math.log10((12 * 5.5e6 + 4 * 5.5e5 * 10**0.5 + 8 * 5.5e4 * 10) / 24)
    assert by_hand == pytest.approx(65.083, abs=1e-3)
    table = noise.lden(_data(_minutes(levels))).readings
    assert table["value"].tolist() == pytest.approx([lday, levening, lnight, by_hand])


def test_shorter_evening_changes_the_weights_with_the_hours():
    # A flat 60 dB(A) all day. Default periods, 12/4/8 hours:
    #   10·lg((12·10^6 + 4·10^6.5 + 8·10^7)/24) = 10·lg(4.35370e6) = 66.388
    # Evening 19-22 and night 22-07 (12/3/9 hours):
    #   10·lg((12·10^6 + 3·10^6.5 + 9·10^7)/24) = 10·lg(4.64528e6) = 66.670
    data = _data(_minutes([60.0] * 24))
    default = 10 * math.log10((12e6 + 4 * 10**6.5 + 8e7) / 24)
    shorter = 10 * math.log10((12e6 + 3 * 10**6.5 + 9e7) / 24)
    assert _levels(data)[("2024-06-03", "lden")][0] == pytest.approx(default)
    table = noise.lden(data, night_start=22).readings
    assert table["n_expected"].tolist() == [12.0, 3.0, 9.0, 24.0]
    assert table["period"].astype(str).tolist()[:3] == [
        "day 07-19",
        "evening 19-22",
        "night 22-07",
    ]
    assert table["value"].iloc[3] == pytest.approx(shorter)
    assert "weights 12/3/9 h" in table["method"].iloc[0]
    step = noise.lden(data, night_start=22).history[-1]
    assert step.parameters["weights_h"] == {"day": 12, "evening": 3, "night": 9}


def test_periods_that_do_not_fit_round_the_clock_are_refused():
    data = _data(_minutes(CONSTANT_DAY))
    with pytest.raises(ValueError, match="follow each other round the clock"):
        noise.lden(data, evening_start=23, night_start=23)
    with pytest.raises(ValueError, match="whole local hours from 0 to 23"):
        noise.lden(data, day_start=7.5)
    with pytest.raises(ValueError, match="per must be 'day'"):
        noise.lden(data, per="week")
    with pytest.raises(ValueError, match="min_coverage must be a share"):
        noise.lden(data, min_coverage=75)


# --- decibels are never averaged arithmetically ------------------------------------------
def test_60_and_70_give_67_4_not_65_everywhere():
    # 1-minute readings alternating 60 and 70 dB(A) for a whole day (07:00 to 07:00).
    minutes = _minutes([], per_hour=np.tile([60.0, 70.0], 24 * 30))
    data = _data(minutes)
    hourly = noise.leq(data).readings
    assert len(hourly) == 24
    assert hourly["value"].to_numpy() == pytest.approx(np.full(24, L_60_70))
    assert abs(L_60_70 - 67.40) < 0.005  # and not 65
    daily = noise.leq(data, "day").readings  # the local calendar days it touches
    assert daily["value"].dropna().to_numpy() == pytest.approx(L_60_70)
    levels = noise.lden(data).readings
    assert levels["value"].iloc[:3].to_numpy() == pytest.approx(np.full(3, L_60_70))
    # Long-term values of the record: still the energy mean.
    whole = noise.lden(data, per="all").readings
    assert whole["value"].iloc[:3].to_numpy() == pytest.approx(np.full(3, L_60_70))
    # A diurnal profile of the same data (toolkit.timeseries.profile) says the same.
    table = profile(data, by="hour", variables="laeq")
    assert table["mean"].to_numpy() == pytest.approx(np.full(24, L_60_70))
    # Percentile levels pick readings, they never mix decibels: L50 of (60, 70) is 60.
    levels_1h = noise.percentile_levels(data, per="1h")
    assert set(levels_1h["l50"]) == {60.0}
    assert set(levels_1h["l10"]) == {70.0}


def test_the_long_term_level_is_the_energy_mean_of_the_days():
    # Day 1 at 60/55/50, day 2 at 70/65/60 (each 24 hours, 07:00 to 07:00).
    # Long-term Lday = 10·lg((10^6 + 10^7)/2) = 67.40; Levening 62.40; Lnight 57.40;
    # Lden from those = 10·lg((12·5.5e6 + 4·5.5e6 + 8·5.5e6)/24) = 10·lg(5.5e6) = 67.40.
    levels = CONSTANT_DAY + [x + 10 for x in CONSTANT_DAY]
    table = noise.lden(_data(_minutes(levels)), per="all").readings
    assert table["variable"].astype(str).tolist() == ["lday", "levening", "lnight", "lden"]
    assert table["value"].tolist() == pytest.approx([L_60_70, L_60_70 - 5, L_60_70 - 10, L_60_70])
    assert table["n_readings"].tolist() == [2, 2, 2, 2]  # valid days
    assert table["n_expected"].tolist() == [2.0, 2.0, 2.0, 2.0]
    assert table["date"].iloc[0] == "2024-06-03..2024-06-04"
    assert table["period"].iloc[0] == "all day 07-19"
    # Per day, the two days as computed by hand.
    per_day = _levels(_data(_minutes(levels)))
    assert per_day[("2024-06-03", "lden")][0] == pytest.approx(60.0)
    assert per_day[("2024-06-04", "lden")][0] == pytest.approx(70.0)


# --- which day a night belongs to, coverage, DST -----------------------------------------
def test_the_night_belongs_to_the_day_on_which_it_begins():
    # Hourly values at 02:00 local on 4 June (00:00 UTC) are in the night of 3 June.
    times = ["2024-06-04T00:00Z"]
    table = noise.lden(_data(pd.concat([_hourly(times, [50.0])]))).readings
    assert set(table["date"]) == {"2024-06-03"}
    night = table[table["variable"] == "lnight"]
    assert night["n_readings"].tolist() == [1]
    assert night["time"].dt.strftime("%Y-%m-%d %H:%M").tolist() == ["2024-06-03 21:00"]


def test_a_day_missing_its_night_gets_no_lden():
    data = _data(_minutes(CONSTANT_DAY[:16]))  # 07:00-23:00 only
    levels = _levels(data)
    assert levels[("2024-06-03", "lday")] == (pytest.approx(60.0), True)
    assert levels[("2024-06-03", "levening")] == (pytest.approx(55.0), True)
    value, valid = levels[("2024-06-03", "lnight")]
    assert math.isnan(value)
    assert not valid
    value, valid = levels[("2024-06-03", "lden")]
    assert math.isnan(value)
    assert not valid


def test_a_period_needs_75_percent_of_its_hours():
    # Night 23:00-07:00 Berlin summer = 21:00-05:00 UTC; 6 of 8 hours valid, then 5.
    six = pd.date_range("2024-06-03T21:00Z", periods=6, freq="1h")
    levels = _levels(_data(_hourly(six, [50.0] * 6)))
    assert levels[("2024-06-03", "lnight")] == (pytest.approx(50.0), True)
    five = _hourly(six, [50.0] * 6, valid=[True] * 5 + [False])
    table = noise.lden(_data(five)).readings
    night = table[table["variable"] == "lnight"].iloc[0]
    assert night["n_readings"] == 5
    assert night["coverage"] == pytest.approx(5 / 8)
    assert not night["valid"]
    assert math.isnan(night["value"])


def test_nights_when_clocks_change_last_9_and_7_hours():
    # 27 October 2024, Berlin: 03:00 CEST becomes 02:00 CET. The night from 23:00 on
    # 26 October (21:00 UTC) to 07:00 on 27 October (06:00 UTC) lasts 9 hours.
    autumn = pd.date_range("2024-10-26T21:00Z", "2024-10-27T05:00Z", freq="1h")
    assert len(autumn) == 9
    night = noise.lden(_data(_hourly(autumn, [50.0] * 9))).readings.iloc[2]
    assert (night["variable"], night["n_expected"], night["n_readings"]) == ("lnight", 9.0, 9)
    assert night["value"] == pytest.approx(50.0)
    # 31 March 2024: 02:00 CET becomes 03:00 CEST. 23:00 CET (22:00 UTC) to 07:00 CEST
    # (05:00 UTC) lasts 7 hours.
    spring = pd.date_range("2024-03-30T22:00Z", "2024-03-31T04:00Z", freq="1h")
    night = noise.lden(_data(_hourly(spring, [50.0] * 7))).readings.iloc[2]
    assert (night["n_expected"], night["n_readings"], night["valid"]) == (7.0, 7, True)


def test_each_sensor_uses_its_own_local_time():
    # 12:00 UTC is 14:00 in Berlin (day) and 08:00 in New York (day), 21:30 in Tokyo
    # (evening); 22:00 UTC is 00:00 in Berlin (night) and 18:00 in New York (day).
    readings = pd.concat(
        [
            _hourly(["2024-06-03T12:00Z", "2024-06-03T22:00Z"], [60.0, 40.0], sensor="b"),
            _hourly(["2024-06-03T12:00Z", "2024-06-03T22:00Z"], [60.0, 40.0], sensor="n"),
        ]
    )
    sensors = pd.DataFrame({"sensor_id": ["b", "n"], "timezone": [BERLIN, "America/New_York"]})
    table = noise.lden(SensorData(normalise_readings(readings), sensors)).readings
    used = table[table["n_readings"] > 0]
    found = {
        (s, str(v)): n
        for s, v, n in zip(used["sensor_id"], used["variable"], used["n_readings"], strict=True)
        if v != "lden"
    }
    assert found == {("b", "lday"): 1, ("b", "lnight"): 1, ("n", "lday"): 2}


# --- Leq -------------------------------------------------------------------------------
def test_leq_is_the_energy_mean_and_says_so():
    data = _data(_minutes([60.0, 70.0], start="2024-06-03T08:00"))  # 60, then 70
    blocks = noise.leq(data, "8h")  # 8-hour blocks from local midnight: 08:00-16:00
    row = blocks.readings.iloc[0]
    # 2 of 8 hours valid: not enough for a valid 8-hour value (75 %).
    assert (row["n_readings"], row["valid"]) == (2, False)
    hourly = noise.leq(data)
    assert hourly.readings["value"].tolist() == pytest.approx([60.0, 70.0])
    assert set(hourly.readings["method"]) == {noise.LEQ_METHOD}
    step = hourly.history[-1]
    assert step.name == "leq"
    assert step.parameters == {
        "period": "1h",
        "timezone": "local",
        "min_coverage": 0.75,
        "variable": "laeq",
        "rule": "energy mean 10·lg(mean(10^(L/10)))",
    }
    assert [s.name for s in hourly.history] == ["average", "leq"]


def test_leq_keeps_only_the_noise_variable():
    readings = pd.concat(
        [
            _minutes([60.0]),
            _minutes([20.0]).assign(variable="temperature", unit="°C"),
        ]
    )
    hourly = noise.leq(_data(readings))
    assert hourly.variables == ["laeq"]
    assert [s.name for s in hourly.history] == ["select", "average", "leq"]


# --- percentile levels -----------------------------------------------------------------
def test_percentile_levels_by_hand():
    # 60 one-minute readings: 6 each of 40, 41, ..., 49 dB(A).
    # L10: exceeded by at most 10 % (6 readings): 48 (only the six 49s are above it).
    # L50: exceeded by at most 50 %: 44 (45-49: 30 readings). L90: 40 (54 readings above).
    values = np.tile(np.arange(40.0, 50.0), 6)
    data = _data(_minutes([], start="2024-06-03T09:00", per_hour=values))
    table = noise.percentile_levels(data, per="den", min_coverage=0.05)
    assert table[["period", "date", "l10", "l50", "l90"]].values.tolist() == [
        ["day 07-19", "2024-06-03", 48.0, 44.0, 40.0]
    ]
    # The day period has 12 hours, so 60 readings are 60/720 of those expected: with the
    # default 75 % the period has no valid levels.
    assert table["n_readings"].tolist() == [60]
    assert table["n_expected"].tolist() == [720.0]
    default = noise.percentile_levels(data, per="den")
    assert not default["valid"].iloc[0]
    assert math.isnan(default["l50"].iloc[0])
    hour = noise.percentile_levels(data, per="1h", percentiles=(5, 95))
    assert hour[["l5", "l95", "valid"]].values.tolist() == [[49.0, 40.0, True]]
    assert "not a sound level meter" in hour["method"].iloc[0]
    assert hour.attrs["history"][-1].name == "percentile_levels"
    day = noise.percentile_levels(data, per="day", min_coverage=0.01)
    assert day[["period", "date", "l50"]].values.tolist() == [["calendar day", "2024-06-03", 44.0]]


def test_percentile_levels_need_enough_readings_in_the_hour():
    values = np.tile([60.0, 70.0], 15)  # 30 of the 60 readings expected in the hour
    minutes = _minutes([], start="2024-06-03T09:00", per_hour=values)
    more = _minutes([], start="2024-06-03T10:00", per_hour=np.full(60, 50.0))
    table = noise.percentile_levels(_data(pd.concat([minutes, more])), per="1h")
    assert table["coverage"].tolist() == pytest.approx([0.5, 1.0])
    assert table["valid"].tolist() == [False, True]
    assert math.isnan(table["l50"].iloc[0])
    assert table["l50"].iloc[1] == 50.0


def test_flagged_readings_are_left_out_of_percentiles_but_never_removed():
    values = np.full(60, 50.0)
    values[0] = 110.0
    readings = _minutes([], start="2024-06-03T09:00", per_hour=values)
    readings["flag_spike"] = readings["value"] > 100
    data = _data(readings)
    before = data.readings.copy()
    table = noise.percentile_levels(data, per="1h", percentiles=(1,))
    # Without the flagged reading all 59 readings are 50; the hour stays valid (59/60).
    assert table["l1"].tolist() == [50.0]
    kept = noise.percentile_levels(data, per="1h", percentiles=(1,), exclude_flagged=False)
    assert kept["l1"].tolist() == [110.0]
    pd.testing.assert_frame_equal(data.readings, before)
    assert len(data.readings) == 60


def test_percentile_levels_refuse_averages_and_bad_percentiles():
    hourly = _data(_hourly(["2024-06-03T09:00Z"], [50.0]))
    with pytest.raises(DataFormatError, match="made from the readings as loaded"):
        noise.percentile_levels(hourly)
    data = _data(_minutes([50.0]))
    with pytest.raises(ValueError, match="percentiles must lie between 0 and 100"):
        noise.percentile_levels(data, percentiles=(0, 50))
    with pytest.raises(ValueError, match="per must be one of"):
        noise.percentile_levels(data, per="week")


# --- WHO 2018 --------------------------------------------------------------------------
def test_who_table_holds_the_2018_values_with_sources():
    table = noise.who_guidelines()
    values = {
        (s, i): v
        for s, i, v in zip(
            table["noise_source"], table["indicator"], table["value_db"], strict=True
        )
    }
    assert values[("road", "lden")] == 53
    assert values[("road", "lnight")] == 45
    assert values[("rail", "lden")] == 54
    assert values[("rail", "lnight")] == 44
    assert values[("aircraft", "lden")] == 45
    assert values[("aircraft", "lnight")] == 40
    assert values[("wind", "lden")] == 45
    assert math.isnan(values[("wind", "lnight")])
    assert table["source_checked"].str.len().min() > 20
    assert set(table["effective_date"]) == {"2018-10-10"}


def test_compare_who_road_and_wind():
    data = _data(_minutes(CONSTANT_DAY))  # Lden 60, Lnight 50 (by hand, above)
    road = noise.compare_who(data)
    assert road[["indicator", "level_db", "guideline_db"]].values.tolist() == [
        ["lden", pytest.approx(60.0), 53.0],
        ["lnight", pytest.approx(50.0), 45.0],
    ]
    assert road["above"].tolist() == [True, True]
    assert road["n_days"].tolist() == [1, 1]
    assert "WHO Environmental Noise Guidelines" in road.attrs["guideline"]
    assert "long-term" in road.attrs["note"]
    assert road.attrs["history"][-1].name == "compare_who"
    wind = noise.compare_who(data, source="wind")
    assert wind["guideline_db"].iloc[0] == 45.0
    assert math.isnan(wind["guideline_db"].iloc[1])
    assert wind["above"].iloc[1] is pd.NA
    quiet = _data(_minutes([40.0] * 24))  # Lnight 40 is not above 40 (aircraft)
    aircraft = noise.compare_who(quiet, source="aircraft")
    assert aircraft["above"].tolist() == [True, False]  # Lden 46.4 > 45; 40 > 40 is False
    with pytest.raises(ValueError, match="source must be one of"):
        noise.compare_who(data, source="trains")


# --- friendly errors, inputs unchanged, history ----------------------------------------
def test_no_noise_variable_is_a_friendly_error():
    readings = _minutes([20.0]).assign(variable="pm25", unit="µg/m³")
    with pytest.raises(DataFormatError, match="There is no noise variable 'laeq'") as err:
        noise.lden(_data(readings))
    assert "variables ['pm25']" in str(err.value)
    assert "What to do" in str(err.value)
    with pytest.raises(DataFormatError, match="needs equivalent continuous levels"):
        noise.leq(_data(_minutes([50.0])), variable="la_max")
    with pytest.raises(DataFormatError, match="no readings"):
        noise.lden(SensorData.empty())


def test_local_time_needs_a_zone():
    readings = _minutes(CONSTANT_DAY)
    sensors = pd.DataFrame({"sensor_id": ["s"], "timezone": [None]})
    data = SensorData(normalise_readings(readings), sensors)
    with pytest.raises(TimestampError, match="time zone of some sensors is unknown"):
        noise.lden(data)
    with pytest.raises(TimestampError, match="with_timezone"):
        noise.percentile_levels(data)
    # Saying the zone is the fix.
    assert noise.lden(data.with_timezone(BERLIN)).readings["valid"].all()


def test_inputs_are_never_changed_and_history_is_recorded():
    readings = _minutes(CONSTANT_DAY)
    readings["flag_range"] = False
    data = _data(readings)
    before = data.readings.copy()
    sensors = data.sensors.copy()
    result = noise.lden(data)
    noise.leq(data)
    noise.percentile_levels(data)
    noise.compare_who(data)
    pd.testing.assert_frame_equal(data.readings, before)
    pd.testing.assert_frame_equal(data.sensors, sensors)
    assert len(data.history) == 0
    step = result.history[-1]
    assert step.name == "lden"
    assert step.parameters["min_coverage"] == 0.75
    assert (step.parameters["day_start"], step.parameters["evening_start"]) == (7, 19)
    assert step.parameters["night_start"] == 23
    assert step.parameters["penalties_db"] == {"evening": 5.0, "night": 10.0}
    assert step.parameters["night_belongs_to"] == "the day on which it begins"
    assert "Directive 2002/49/EC" in step.citation
    assert step.touched == 24  # valid hourly values used


@pytest.mark.real_samples
def test_real_smart_citizen_noise(real_samples):
    data = toolkit.load(real_samples / "smart_citizen" / "example.csv")
    data = data.with_timezone("Europe/Madrid")  # the sample has no zone
    hourly = noise.leq(data).readings
    raw = data.readings[data.readings["variable"] == "laeq"]
    # The energy mean is never below the arithmetic mean of the same readings.
    hour = raw["time"].dt.floor("1h")
    arithmetic = raw.groupby(hour)["value"].mean()
    valid = hourly[hourly["valid"]].set_index("time")["value"]
    assert (valid >= arithmetic.reindex(valid.index) - 1e-9).all()
    # About 8.5 hours from 17:35 local: the evening is complete, no day gets an Lden.
    levels = _levels(data)
    assert levels[("2020-09-02", "levening")][1]
    assert not levels[("2020-09-02", "lden")][1]
    assert len(data.readings) == len(toolkit.load(real_samples / "smart_citizen" / "example.csv"))
