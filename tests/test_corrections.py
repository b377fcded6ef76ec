"""toolkit.corrections: equations checked by hand, inputs handled openly, raw values kept."""

from __future__ import annotations

import ast
import inspect
import math

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import corrections
from toolkit._errors import MissingColumnError
from toolkit.corrections import (
    NotApplicableError,
    UnknownCorrectionError,
    airgradient_humidity,
    airgradient_temperature,
    compare,
    correct,
    epa_2021,
    epa_cf1_2022,
    epa_extended,
)
from toolkit.sensordata import SensorData, normalise_readings

EPA_2021_NAME = "EPA US-wide 2021 (Barkjohn et al. 2021)"
T0 = pd.Timestamp("2024-03-01T00:00Z")


# -- helpers ----------------------------------------------------------------------------
def hourly(
    sensor,
    variable,
    values,
    *,
    channel=None,
    coverage=1.0,
    period="1h",
    unit=None,
    start=T0,
):
    """Hourly averages as toolkit.timeseries.average writes them (values NaN = not valid)."""
    n = len(values)
    step = pd.Timedelta("1h") if period == "1h" else pd.Timedelta("1D")
    times = pd.DatetimeIndex([start + i * step for i in range(n)])
    values = np.asarray(values, dtype=float)
    coverage = np.broadcast_to(np.asarray(coverage, dtype=float), (n,))
    frame = pd.DataFrame(
        {
            "sensor_id": sensor,
            "time": times,
            "variable": variable,
            "value": values,
            "unit": unit or ("%" if variable == "humidity" else "µg/m³"),
            "channel": channel,
            "period": period,
            "end": times + step,
            "n_readings": np.round(coverage * 30).astype(int),
            "n_expected": 30.0,
            "coverage": coverage,
            "valid": ~np.isnan(values),
        }
    )
    return frame


def data_of(*frames, sources=None, location_types=None):
    readings = normalise_readings(pd.concat(frames, ignore_index=True))
    ids = sorted({str(s) for s in readings["sensor_id"]})
    sources = sources or {}
    location_types = location_types or {}
    sensors = pd.DataFrame(
        {
            "sensor_id": ids,
            "source": [sources.get(s, "PurpleAir") for s in ids],
            "location_type": [location_types.get(s, "outdoor") for s in ids],
            "timezone": "UTC",
        }
    )
    return SensorData(readings, sensors)


def purpleair_hours():
    """Six hours of one PurpleAir sensor, each testing one rule (see the test below)."""
    a = [10.0, 10.0, 20.0, 2.0, 1.0, 50.0]
    b = [12.0, 30.0, 22.0, 2.4, 1.0, 60.0]
    coverage_a = [1.0, 1.0, 1.0, 0.85, 1.0, 1.0]
    rh = [50.0, 50.0, np.nan, 50.0, 90.0, 150.0]
    return data_of(
        hourly("pa:1", "pm25_cf1", a, channel="A", coverage=coverage_a),
        hourly("pa:1", "pm25_cf1", b, channel="B"),
        hourly("pa:1", "humidity", rh),
    )


def corrected_rows(data):
    r = data.readings
    return r[r["variable"] == "pm25_corrected"].reset_index(drop=True)


def snapshot(data):
    return data.readings.copy(deep=True), data.sensors.copy(deep=True), len(data.history)


def assert_unchanged(data, before):
    pd.testing.assert_frame_equal(data.readings, before[0])
    pd.testing.assert_frame_equal(data.sensors, before[1])
    assert len(data.history) == before[2]


# -- the equations ----------------------------------------------------------------------
def test_epa_2021_has_the_published_coefficients():
    # Barkjohn et al. 2021: 0.524 x - 0.0862 RH + 5.75. At x = 10, RH = 50:
    # 5.24 - 4.31 + 5.75 = 6.68 (the sensortoolkit digits would give 6.70).
    assert float(epa_2021(10.0, 50.0)) == pytest.approx(6.68, abs=1e-9)
    assert float(epa_2021(0.0, 0.0)) == pytest.approx(5.75, abs=1e-12)
    assert float(epa_2021(100.0, 0.0)) == pytest.approx(58.15, abs=1e-9)  # 52.4 + 5.75
    assert (
        corrections.EPA_2021_SLOPE,
        corrections.EPA_2021_RH,
        corrections.EPA_2021_INTERCEPT,
    ) == (0.524, -0.0862, 5.75)


def test_the_sensortoolkit_typo_coefficients_appear_nowhere_in_the_code():
    # USEPA/sensortoolkit hard-codes -0.0852 RH + 5.72: these numbers must not appear as
    # constants in the module (docstrings may describe the typo, but code may not use it).
    tree = ast.parse(inspect.getsource(corrections))
    numbers = {
        abs(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, float)
    }
    assert 0.0852 not in numbers
    assert 5.72 not in numbers
    assert 0.0862 in numbers
    assert 5.75 in numbers


@pytest.mark.parametrize(
    ("x", "rh", "expected"),
    [
        (20.0, 40.0, 12.782),  # 0.524*20 - 0.0862*40 + 5.75 = 10.48 - 3.448 + 5.75
        (40.0, 40.0, 28.502),  # w = 0.5: (0.393 + 0.262)*40 - 3.448 + 5.75
        (100.0, 40.0, 80.902),  # 78.6 - 3.448 + 5.75
        # w = 0.5: 0.738*235 - 0.0862*40*0.5 + 2.966*0.5 + 5.75*0.5 + 8.84e-4*235^2*0.5
        (235.0, 40.0, 200.47345),
        (300.0, 40.0, 289.526),  # 2.966 + 207 + 8.84e-4*90000 (no humidity term)
    ],
)
def test_epa_extended_by_hand(x, rh, expected):
    assert float(epa_extended(x, rh)) == pytest.approx(expected, abs=1e-9)


def test_epa_extended_needs_no_humidity_above_260_only():
    assert float(epa_extended(300.0, np.nan)) == pytest.approx(289.526, abs=1e-9)
    assert math.isnan(float(epa_extended(100.0, np.nan)))
    assert math.isnan(float(epa_extended(np.nan, 50.0)))


@pytest.mark.parametrize("breakpoint", [30.0, 50.0, 210.0, 260.0])
@pytest.mark.parametrize("rh", [0.0, 25.0, 50.0, 75.0, 100.0])
def test_epa_extended_is_continuous_at_every_breakpoint(breakpoint, rh):
    eps = 1e-7
    below = float(epa_extended(breakpoint - eps, rh))
    at = float(epa_extended(breakpoint, rh))
    above = float(epa_extended(breakpoint + eps, rh))
    assert below == pytest.approx(at, abs=1e-4)
    assert above == pytest.approx(at, abs=1e-4)


def test_epa_cf1_2022_by_hand_and_its_small_published_steps():
    # Below 570: the 2021 equation. 0.524*100 - 0.0862*50 + 5.75 = 53.84.
    assert float(epa_cf1_2022(100.0, 50.0)) == pytest.approx(53.84, abs=1e-9)
    # From 611: 0.46*700 + 3.93e-4*490000 + 2.97 = 322 + 192.57 + 2.97 = 517.54.
    assert float(epa_cf1_2022(700.0, np.nan)) == pytest.approx(517.54, abs=1e-9)
    # Between: weight 0.0244*590 - 13.9 = 0.496; eq3 = 271.4 + 136.8033 + 2.97 = 411.1733,
    # eq1 = 309.16 - 4.31 + 5.75 = 310.6; 0.496*411.1733 + 0.504*310.6 = 360.4844...
    assert float(epa_cf1_2022(590.0, 50.0)) == pytest.approx(
        0.496 * 411.1733 + 0.504 * 310.6, abs=1e-6
    )
    # As published (rounded weight coefficients) the steps at 570 and 611 stay below 1.
    for breakpoint in (570.0, 611.0):
        jump = float(epa_cf1_2022(breakpoint, 50.0)) - float(epa_cf1_2022(breakpoint - 1e-7, 50.0))
        assert 0 < abs(jump) < 1


def test_superseded_epa_versions_by_hand():
    # 2020: 0.52*10 - 0.085*50 + 5.71 = 5.2 - 4.25 + 5.71 = 6.66
    assert float(corrections.epa_2020(10.0, 50.0)) == pytest.approx(6.66, abs=1e-9)
    # interim 2021: 0.52*343 - 0.086*50 + 5.75 = 178.36 - 4.3 + 5.75 = 179.81 (x <= 343);
    # 0.46*400 + 3.93e-4*160000 + 2.97 = 184 + 62.88 + 2.97 = 249.85 above
    assert float(corrections.epa_fasm_2021(343.0, 50.0)) == pytest.approx(179.81, abs=1e-9)
    assert float(corrections.epa_fasm_2021(400.0, np.nan)) == pytest.approx(249.85, abs=1e-9)


def test_airgradient_temperature_and_humidity_by_hand():
    # 1.327*5 - 6.738 = -0.103; 1.181*20 - 5.112 = 18.508
    assert airgradient_temperature([5.0, 20.0]).tolist() == pytest.approx([-0.103, 18.508])
    # 1.259*50 + 7.34 = 70.29; 1.259*80 + 7.34 = 108.06, capped at 100
    assert airgradient_humidity([50.0, 80.0]).tolist() == pytest.approx([70.29, 100.0])


def test_every_correction_is_named_versioned_and_cited():
    table = corrections.table()
    assert table["key"].tolist() == list(corrections.CORRECTIONS)
    assert table["name"].is_unique
    assert table["name"].str.contains(r"20\d\d").all()  # each name carries its version
    assert (table["citation"].str.len() > 20).all()
    assert (table["verified"].str.len() > 10).all()
    assert "partly verified" in table.set_index("key").loc["epa_cf1_2022", "verified"]
    assert (
        table.set_index("key")
        .loc["epa_2021", "inputs"]
        .startswith("pm25_cf1 (mean of channels A and B) and humidity")
    )


def test_unknown_correction_lists_the_known_ones():
    with pytest.raises(UnknownCorrectionError, match="'epa2021' is not a correction") as err:
        corrections.get("epa2021")
    assert "epa_2021" in str(err.value)
    assert "toolkit.corrections.table()" in str(err.value)


# -- correct() on hourly averages -------------------------------------------------------
def test_epa_2021_on_hourly_values_applies_each_rule_and_counts_what_it_leaves_out():
    data = purpleair_hours()
    before = snapshot(data)
    out = correct(data, "epa_2021")
    assert_unchanged(data, before)  # the input is not changed

    rows = corrected_rows(out)
    assert len(rows) == 6  # one row per hour with an input, computed or not
    expected = [
        7.204,  # A/B mean 11: 5.764 - 4.31 + 5.75
        np.nan,  # |A-B| = 20 > 5 and 2*20/40 = 100 % > 70 %: channels disagree
        np.nan,  # no humidity in that hour
        np.nan,  # channel A has 85 % of its readings, below EPA's 90 %
        0.0,  # 0.524 - 7.758 + 5.75 = -1.484, set to 0
        np.nan,  # humidity 150 % is impossible
    ]
    np.testing.assert_allclose(rows["value"].to_numpy(), expected, atol=1e-9)
    assert rows["valid"].tolist() == [True, False, False, False, True, False]
    assert set(rows["method"]) == {EPA_2021_NAME}
    assert rows["unit"].astype(str).unique().tolist() == ["µg/m³"]

    step = out.history[-1]
    assert step.name == "correct"
    assert step.parameters["missing_by_reason"] == {
        "not_valid": 0,
        "ab_incomplete": 1,
        "ab_disagree": 1,
        "no_humidity": 1,
        "humidity_out_of_range": 1,
    }
    assert step.parameters["abs_threshold"] == 5.0
    assert step.parameters["rel_threshold"] == 0.70
    assert step.parameters["min_completeness"] == 0.90
    assert step.parameters["floor"] is True
    assert "Barkjohn" in step.citation
    assert step.touched == 6
    assert "1 (no humidity reading for the period)" in step.description
    assert "1 negative result(s) set to 0" in step.description


def test_raw_values_are_kept_and_only_rows_are_added():
    data = purpleair_hours()
    out = correct(data, "epa_2021")
    old = out.readings[out.readings["variable"] != "pm25_corrected"].reset_index(drop=True)
    assert len(old) == len(data.readings)
    for column in data.readings.columns:
        pd.testing.assert_series_equal(
            old[column].astype(object), data.readings[column].astype(object), check_names=False
        )
    assert old["method"].isna().all()  # raw values carry no method


def test_agreeing_channels_within_5_ug_are_kept_even_when_far_apart_in_percent():
    # A = 1, B = 5.5: 2*4.5/6.5 = 138 % > 70 %, but |A-B| = 4.5 <= 5: not both, so kept.
    data = data_of(
        hourly("pa:1", "pm25_cf1", [1.0], channel="A"),
        hourly("pa:1", "pm25_cf1", [5.5], channel="B"),
        hourly("pa:1", "humidity", [40.0]),
    )
    value = corrected_rows(correct(data, "epa_2021"))["value"].iloc[0]
    assert value == pytest.approx(0.524 * 3.25 - 0.0862 * 40 + 5.75)


def test_a_sensor_without_channels_is_corrected_without_the_ab_check_and_says_so():
    data = data_of(
        hourly("pa:2", "pm25_cf1", [20.0, np.nan]),  # PurpleAir's own A/B mean
        hourly("pa:2", "humidity", [30.0, 30.0]),
    )
    out = correct(data, "epa_2021")
    rows = corrected_rows(out)
    assert rows["value"].iloc[0] == pytest.approx(10.48 - 2.586 + 5.75)
    assert math.isnan(rows["value"].iloc[1])
    step = out.history[-1]
    assert step.parameters["missing_by_reason"]["not_valid"] == 1
    assert "without the A/B check" in step.description


def test_daily_values_are_corrected_without_the_hourly_completeness_rule():
    data = data_of(
        hourly("pa:1", "pm25_cf1", [10.0], channel="A", coverage=0.8, period="day"),
        hourly("pa:1", "pm25_cf1", [12.0], channel="B", period="day"),
        hourly("pa:1", "humidity", [50.0], period="day"),
    )
    out = correct(data, "epa_2021")
    assert corrected_rows(out)["value"].iloc[0] == pytest.approx(7.204)
    assert out.history[-1].parameters["period"] == "day"
    assert out.history[-1].parameters["min_completeness"] is None


def test_epa_smoke_uses_atm_values_and_needs_no_humidity_in_heavy_smoke():
    data = data_of(
        hourly("pa:1", "pm25_atm", [300.0, 100.0], channel="A"),
        hourly("pa:1", "pm25_atm", [300.0, 100.0], channel="B"),
        hourly("pa:1", "humidity", [np.nan, np.nan]),
    )
    out = correct(data, "epa_smoke")
    values = corrected_rows(out)["value"].tolist()
    assert values[0] == pytest.approx(289.526)  # x >= 260: humidity not used
    assert math.isnan(values[1])
    assert out.history[-1].parameters["missing_by_reason"]["no_humidity"] == 1


# -- correct() on readings --------------------------------------------------------------
def test_readings_are_averaged_first_with_epas_completeness_rule():
    # Two hours of 2-minute readings (30 expected an hour). In the second hour channel B
    # has 25 readings: 83 % is valid for average() (75 %) but below EPA's 90 %.
    times = pd.date_range(T0, periods=60, freq="2min")
    keep_b = np.r_[np.ones(30, bool), np.ones(25, bool), np.zeros(5, bool)]

    def series(variable, value, channel=None, mask=None):
        t = times if mask is None else times[mask]
        return pd.DataFrame(
            {
                "sensor_id": "pa:1",
                "time": t,
                "variable": variable,
                "value": value,
                "unit": "%" if variable == "humidity" else "µg/m³",
                "channel": channel,
            }
        )

    data = data_of(
        series("pm25_cf1", 10.0, "A"),
        series("pm25_cf1", 12.0, "B", keep_b),
        series("humidity", 50.0),
    )
    out = correct(data, "epa_2021", timezone="UTC")
    assert [s.name for s in out.history] == ["average", "correct"]
    rows = corrected_rows(out)
    assert rows["time"].tolist() == [T0, T0 + pd.Timedelta("1h")]
    assert rows["value"].iloc[0] == pytest.approx(7.204)
    assert math.isnan(rows["value"].iloc[1])
    assert out.history[-1].parameters["missing_by_reason"]["ab_incomplete"] == 1


def test_airgradient_temperature_applies_to_each_reading_of_outdoor_monitors_only():
    times = pd.date_range(T0, periods=3, freq="5min")
    frames = [
        pd.DataFrame(
            {
                "sensor_id": sensor,
                "time": times,
                "variable": "temperature",
                "value": [5.0, 20.0, np.nan],
                "unit": "°C",
            }
        )
        for sensor in ("ag:out", "ag:in")
    ]
    data = data_of(
        *frames,
        sources={"ag:out": "AirGradient", "ag:in": "AirGradient"},
        location_types={"ag:out": "outdoor", "ag:in": "indoor"},
    )
    out = correct(data, "airgradient_temperature")
    rows = out.readings[out.readings["variable"] == "temperature_corrected"]
    assert set(rows["sensor_id"].astype(str)) == {"ag:out"}
    np.testing.assert_allclose(rows["value"].to_numpy(), [-0.103, 18.508, np.nan])
    assert rows["time"].tolist() == list(times)
    assert [s.name for s in out.history] == ["correct"]  # no averaging for these
    assert "location type indoor" in out.history[-1].description


def test_quality_flags_stay_and_corrected_readings_inherit_them():
    times = pd.date_range(T0, periods=3, freq="5min")
    readings = pd.DataFrame(
        {
            "sensor_id": "ag:out",
            "time": times,
            "variable": "humidity",
            "value": [40.0, 99.0, 50.0],
            "unit": "%",
            "flag_spikes": [False, True, False],
        }
    )
    data = data_of(readings, sources={"ag:out": "AirGradient"})
    out = correct(data, "airgradient_humidity")
    r = out.readings
    raw = r[r["variable"] == "humidity"]
    fixed = r[r["variable"] == "humidity_corrected"]
    assert raw["flag_spikes"].tolist() == [False, True, False]  # nothing removed or changed
    assert fixed["flag_spikes"].tolist() == [False, True, False]  # a doubted value stays doubted
    assert fixed["value"].tolist() == pytest.approx([57.7, 100.0, 70.29])  # 1.259*40 + 7.34
    assert r["flag_spikes"].dtype == bool


def test_a_correction_for_another_maker_is_refused_unless_asked():
    data = data_of(
        hourly("sc:1", "pm25", [10.0]),
        hourly("sc:1", "humidity", [50.0]),
        sources={"sc:1": "Sensor.Community"},
    )
    with pytest.raises(
        NotApplicableError, match="No sensor in this data is one AirGradient"
    ) as err:
        correct(data, "airgradient_pm25")
    assert "source Sensor.Community, not AirGradient" in str(err.value)
    assert "check_source=False" in str(err.value)
    out = correct(data, "airgradient_pm25", check_source=False)
    assert corrected_rows(out)["value"].iloc[0] == pytest.approx(0.524 * 10 - 4.31 + 5.75)
    assert out.history[-1].parameters["check_source"] is False


# -- friendly errors --------------------------------------------------------------------
def test_missing_input_variable_suggests_a_correction_that_fits():
    data = data_of(hourly("pa:1", "pm25_atm", [10.0]), hourly("pa:1", "humidity", [50.0]))
    with pytest.raises(MissingColumnError, match="needs pm25_cf1 readings") as err:
        correct(data, "epa_2021")
    assert "epa_smoke" in str(err.value)


def test_missing_humidity_is_an_error_when_there_is_none_at_all():
    data = data_of(hourly("pa:1", "pm25_cf1", [10.0]))
    with pytest.raises(MissingColumnError, match="needs the sensor's relative humidity"):
        correct(data, "epa_2021")


def test_two_corrections_are_not_mixed_in_one_variable():
    once = correct(purpleair_hours(), "epa_2021")
    with pytest.raises(MissingColumnError, match="already has pm25_corrected values") as err:
        correct(once, "epa_cf1_2022")
    assert EPA_2021_NAME in str(err.value)
    assert "compare" in str(err.value)


def test_periods_other_than_an_hour_or_a_day_are_refused():
    data = purpleair_hours()
    with pytest.raises(ValueError, match="are 1h averages, not day averages"):
        correct(data, "epa_2021", period="day")
    eight = data_of(
        hourly("pa:1", "pm25_cf1", [1.0], period="8h"),
        hourly("pa:1", "humidity", [1.0], period="8h"),
    )
    with pytest.raises(ValueError, match="Period '8h' is not accepted here"):
        correct(eight, "epa_2021")


def test_averages_of_mixed_periods_are_refused():
    mixed = data_of(
        hourly("pa:1", "pm25_cf1", [1.0], period="1h"),
        hourly("pa:1", "humidity", [1.0], period="day"),
    )
    with pytest.raises(ValueError, match=r"These averages mix periods \(1h, day\)"):
        correct(mixed, "epa_2021")


# -- compare() --------------------------------------------------------------------------
def test_compare_puts_corrections_side_by_side():
    data = purpleair_hours()
    before = snapshot(data)
    table = compare(data, ["epa_2021", "epa_cf1_2022", "epa_smoke"])
    assert_unchanged(data, before)
    assert table["key"].tolist() == ["epa_2021", "epa_cf1_2022", "epa_smoke"]
    first = table.iloc[0]
    assert first["correction"] == EPA_2021_NAME
    assert (first["values"], first["corrected"], first["missing"]) == (6, 2, 4)
    assert first["share_corrected"] == pytest.approx(2 / 6)
    assert (first["ab_disagree"], first["no_humidity"], first["floored"]) == (1, 1, 1)
    assert first["raw_mean"] == pytest.approx((11 + 1) / 2)
    assert first["mean"] == pytest.approx(7.204 / 2)
    assert first["max"] == pytest.approx(7.204)
    assert first["mean_difference"] == pytest.approx(((7.204 - 11) + (0 - 1)) / 2)
    # Below 570 µg/m³ the 2022 cf_1 correction is the 2021 equation.
    assert table.iloc[1]["mean"] == pytest.approx(first["mean"])
    # The ATM correction does not apply: the data has no pm25_atm.
    assert "needs pm25_atm" in table.iloc[2]["note"]
    assert table.attrs["method"][0] == EPA_2021_NAME
    assert table.attrs["period"] == "1h"


def test_compare_by_default_takes_corrections_whose_inputs_are_there():
    table = compare(purpleair_hours())
    assert table["key"].tolist() == ["epa_2021", "epa_cf1_2022", "epa_2020", "epa_fasm_2021"]


# -- real data --------------------------------------------------------------------------
def test_epa_smoke_on_a_real_purpleair_file(real_samples):
    data = toolkit.load(real_samples / "purpleair" / "example_pat_data_derived.csv")
    out = correct(data, "epa_smoke", timezone="UTC")
    hours = out.readings
    rows = hours[hours["variable"] == "pm25_corrected"].set_index("time")
    assert len(rows) == 48  # two days of hours
    assert rows["value"].notna().all()
    # Below 30 µg/m³ the equation is 0.524 x - 0.0862 RH + 5.75 with x the A/B mean.
    atm = hours[(hours["variable"] == "pm25_atm") & hours["channel"].notna()]
    x = atm.groupby("time")["value"].mean()
    rh = hours[hours["variable"] == "humidity"].set_index("time")["value"]
    low = x < 30
    expected = (0.524 * x - 0.0862 * rh + 5.75).clip(lower=0)
    np.testing.assert_allclose(rows["value"][low[low].index], expected[low[low].index], atol=1e-9)
