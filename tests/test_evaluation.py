"""toolkit.evaluation: pairing, OLS metrics, EPA's targets and local calibration."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from toolkit import evaluation
from toolkit._errors import MissingColumnError
from toolkit.evaluation import (
    EvaluationError,
    apply_calibration,
    evaluate,
    fit_calibration,
    pair,
)
from toolkit.sensordata import SensorData, normalise_readings

T0 = pd.Timestamp("2023-01-01T00:00Z")
STANDARD = "US EPA performance targets for PM2.5 sensors (2021, EPA/600/R-20/280)"


def averages(sensor, variable, values, *, period="day", valid=None, start=T0, channel=None):
    """Averages as toolkit.timeseries.average writes them."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    step = pd.Timedelta("1D") if period == "day" else pd.Timedelta("1h")
    times = start + step * np.arange(n)
    valid = np.ones(n, bool) if valid is None else np.asarray(valid, bool)
    return pd.DataFrame(
        {
            "sensor_id": sensor,
            "time": pd.DatetimeIndex(times),
            "variable": variable,
            "value": np.where(valid, values, np.nan),
            "unit": "µg/m³",
            "channel": channel,
            "period": period,
            "end": pd.DatetimeIndex(times) + step,
            "n_readings": np.where(valid, 24, 10),
            "n_expected": 24.0,
            "coverage": np.where(valid, 1.0, 10 / 24),
            "valid": valid,
        }
    )


def data_of(*frames):
    readings = normalise_readings(pd.concat(frames, ignore_index=True))
    ids = sorted({str(s) for s in readings["sensor_id"]})
    sensors = pd.DataFrame({"sensor_id": ids, "source": "test", "timezone": "UTC"})
    return SensorData(readings, sensors)


def co_location(n=2000, sigma=6.0, slope=1.6, intercept=3.0, period="day"):
    """Synthetic co-location: sensor = slope * reference + intercept + noise (seed 7)."""
    rng = np.random.default_rng(7)
    reference = np.linspace(5.0, 45.0, n)
    sensor = slope * reference + intercept + rng.normal(0.0, sigma, n)
    sensors = data_of(averages("pa", "pm25_corrected", sensor, period=period))
    refs = data_of(averages("fem", "pm25", reference, period=period))
    return sensors, refs, reference


# -- the acceptance test ----------------------------------------------------------------
def test_recovers_a_known_slope_intercept_and_r2_and_reports_the_targets():
    sensors, refs, _ = co_location()
    before = sensors.readings.copy(deep=True)
    result = evaluate(sensors, refs, variable="pm25_corrected")
    pd.testing.assert_frame_equal(sensors.readings, before)

    # Expected by hand. The reference is evenly spread over 5-45 µg/m³: its variance is
    # 40²/12 * (n+1)/(n-1) = 133.47. With sensor = 1.6 x + 3 + e, var(e) = 6² = 36:
    # R² = 1.6² * 133.47 / (1.6² * 133.47 + 36) = 341.68 / 377.68 = 0.9047.
    var_x = 40.0**2 / 12 * 2001 / 1999
    expected_r2 = 2.56 * var_x / (2.56 * var_x + 36.0)
    assert result.n == 2000
    # Tolerances of 3.5 standard errors: slope s.e. = 6 / sqrt(Sxx) = 6 / 516.7 = 0.0116;
    # intercept s.e. = 6 * sqrt(1/n + 25² / Sxx) = 0.32.
    assert result.slope == pytest.approx(1.6, abs=0.041)
    assert result.intercept == pytest.approx(3.0, abs=1.12)
    assert result.r2 == pytest.approx(expected_r2, abs=0.015)
    # sensor - reference = 0.6 x + 3 + e: mean 0.6 * 25 + 3 = 18;
    # RMSE = sqrt(18² + 0.36 * 133.47 + 36) = sqrt(408.05) = 20.2; NRMSE = 20.2 / 25.
    assert result.bias == pytest.approx(18.0, abs=0.5)
    assert result.rmse == pytest.approx(np.sqrt(324 + 0.36 * var_x + 36), abs=0.5)
    assert result.nrmse == pytest.approx(100 * np.sqrt(324 + 0.36 * var_x + 36) / 25, abs=2)
    assert result.mean_reference == pytest.approx(25.0)

    met = dict(zip(result.targets["metric"], result.targets["met"], strict=True))
    assert met == {"slope": False, "intercept": True, "r2": True, "rmse": False, "nrmse": False}
    assert result.targets.attrs["standard"] == STANDARD
    assert result.verdict.startswith(f"Meets 2 of 4 of the {STANDARD}")
    assert re.search(
        r"Misses slope 1\.6\d \(target 1\.0 ± 0\.35\): the sensor reads about 6\d % high",
        result.verdict,
    )
    assert "either would meet the target" in result.verdict

    row = result.to_frame()
    assert row["targets_met"].iloc[0] == "2 of 4"
    assert row["regression"].iloc[0] == "ordinary least squares, sensor (y) on reference (x)"
    assert row.attrs["standard"] == STANDARD
    assert "R² = 0.9" in str(result)


def test_the_ols_line_and_errors_by_hand():
    # reference x = 1, 2, 3, 4 (mean 2.5); sensor y = 3.5, 4.5, 6.5, 9.5 (mean 6)
    # dx = -1.5, -0.5, 0.5, 1.5; dy = -2.5, -1.5, 0.5, 3.5
    # Sxy = 3.75 + 0.75 + 0.25 + 5.25 = 10; Sxx = 5; Syy = 6.25 + 2.25 + 0.25 + 12.25 = 21
    # slope 10/5 = 2, intercept 6 - 2 * 2.5 = 1, R² = 10² / (5 * 21) = 100/105
    # y - x = 2.5, 2.5, 3.5, 5.5: bias 14/4 = 3.5, RMSE sqrt(55/4), NRMSE RMSE/2.5
    sensors = data_of(averages("s", "pm25", [3.5, 4.5, 6.5, 9.5]))
    refs = data_of(averages("r", "pm25", [1.0, 2.0, 3.0, 4.0]))
    result = evaluate(sensors, refs, variable="pm25")
    assert result.slope == pytest.approx(2.0)
    assert result.intercept == pytest.approx(1.0)
    assert result.r2 == pytest.approx(100 / 105)
    assert result.bias == pytest.approx(3.5)
    assert result.rmse == pytest.approx(np.sqrt(55 / 4))
    assert result.nrmse == pytest.approx(100 * np.sqrt(55 / 4) / 2.5)


def test_a_good_sensor_meets_every_target():
    sensors, refs, _ = co_location(sigma=1.0, slope=1.0, intercept=0.5)
    result = evaluate(sensors, refs, variable="pm25_corrected")
    assert result.targets["met"].all()
    assert result.verdict.startswith(f"Meets all 4 of the {STANDARD}")


def test_hourly_pairs_are_judged_but_marked_indicative():
    sensors, refs, _ = co_location(n=200, sigma=1.0, slope=1.0, intercept=0.0, period="1h")
    result = evaluate(sensors, refs, variable="pm25_corrected", period="1h")
    assert result.period == "1h"
    assert "defined for 24-hour averages" in result.verdict
    assert "indicative only" in result.verdict


def test_no_targets_for_other_variables():
    sensors = data_of(averages("s", "pm10", [1.0, 2.0, 4.0]))
    refs = data_of(averages("r", "pm10", [1.0, 2.0, 3.0]))
    result = evaluate(sensors, refs, variable="pm10", reference_variable="pm10")
    assert result.targets.empty
    assert result.verdict.startswith("No published performance targets")


def test_the_target_table_holds_epas_published_values():
    table = evaluation.targets("pm25_corrected").set_index("metric")
    # EPA/600/R-20/280, Table ES-2: slope 1.0 ± 0.35, intercept -5..5 µg/m³, R² >= 0.70,
    # RMSE <= 7 µg/m³ or NRMSE <= 30 %, for 24-hour averages.
    assert table.loc["slope", ["lower", "upper"]].tolist() == [0.65, 1.35]
    assert table.loc["intercept", ["lower", "upper"]].tolist() == [-5.0, 5.0]
    assert table.loc["r2", "lower"] == 0.70
    assert table.loc["rmse", "upper"] == 7.0
    assert table.loc["nrmse", "upper"] == 30.0
    assert table.loc["rmse", "group"] == table.loc["nrmse", "group"]
    assert set(table["averaging_period"]) == {"day"}
    assert table["source"].str.contains("EPA/600/R-20/280").all()
    assert evaluation.targets("no2").empty


# -- pairing ----------------------------------------------------------------------------
def test_pairs_need_both_values_valid_and_say_why_others_were_dropped():
    # Sensor: days 0-9, day 4 not valid. Reference: days 2-11, day 5 not valid.
    sensor = averages("s", "pm25", np.arange(10.0), valid=np.arange(10) != 4)
    reference = averages(
        "r", "pm25", np.arange(10.0), valid=np.arange(10) != 3, start=T0 + pd.Timedelta("2D")
    )
    pairs = pair(data_of(sensor), data_of(reference), variable="pm25")
    assert len(pairs) == 6  # days 2-9 in both (8), minus day 4 and day 5
    assert pairs.attrs["dropped"] == {
        "no reference value for the period": 2,
        "no sensor value for the period": 2,
        "sensor value not valid": 1,
        "reference value not valid": 1,
        "neither value valid": 0,
    }
    assert pairs["time"].tolist() == [T0 + pd.Timedelta(days=d) for d in (2, 3, 6, 7, 8, 9)]
    assert pairs["reference"].tolist() == [0.0, 1.0, 4.0, 5.0, 6.0, 7.0]


def test_readings_are_averaged_to_days_before_pairing():
    times = pd.date_range(T0, periods=3 * 24, freq="1h")
    readings = pd.DataFrame(
        {
            "sensor_id": np.repeat(["s", "r"], len(times)),
            "time": np.tile(times, 2),
            "variable": "pm25",
            "value": np.r_[np.repeat([10.0, 20.0, 30.0], 24), np.repeat([5.0, 10.0, 15.0], 24)],
            "unit": "µg/m³",
        }
    )
    data = SensorData(
        normalise_readings(readings), pd.DataFrame({"sensor_id": ["r", "s"], "timezone": "UTC"})
    )
    result = evaluate(data, data, variable="pm25", sensor="s", reference_sensor="r")
    assert result.n == 3
    assert result.slope == pytest.approx(2.0)
    assert result.intercept == pytest.approx(0.0, abs=1e-9)


def test_friendly_errors_when_pairing_is_ambiguous_or_impossible():
    two = data_of(averages("a", "pm25", [1, 2, 3]), averages("b", "pm25", [1, 2, 3]))
    refs = data_of(averages("r", "pm25", [1, 2, 3]))
    with pytest.raises(MissingColumnError, match="Several sensors have pm25 values") as err:
        pair(two, refs, variable="pm25")
    assert "sensor='a'" in str(err.value)
    with pytest.raises(MissingColumnError, match="No pm25_corrected values in the sensor data"):
        pair(refs, refs, variable="pm25_corrected")
    with pytest.raises(MissingColumnError, match="Sensor 'x' has no pm25 values"):
        pair(two, refs, variable="pm25", sensor="x")
    ab = data_of(
        averages("p", "pm25_cf1", [1, 2, 3], channel="A"),
        averages("p", "pm25_cf1", [1, 2, 3], channel="B"),
    )
    with pytest.raises(MissingColumnError, match="comes in channels") as err:
        pair(ab, refs, variable="pm25_cf1")
    assert "channel='A'" in str(err.value)
    assert len(pair(ab, refs, variable="pm25_cf1", channel="A")) == 3
    hourly = data_of(averages("r", "pm25", [1, 2, 3], period="1h"))
    with pytest.raises(ValueError, match="averages cannot be averaged again"):
        pair(hourly, hourly, variable="pm25", period="day")


def test_too_few_pairs_or_a_flat_reference_cannot_be_judged():
    with pytest.raises(EvaluationError, match="Too few pairs") as err:
        evaluate(
            data_of(averages("s", "pm25", [1, 2])),
            data_of(averages("r", "pm25", [1, 2])),
            variable="pm25",
        )
    assert "2 pair(s)" in str(err.value)
    with pytest.raises(EvaluationError, match="do not vary"):
        evaluate(
            data_of(averages("s", "pm25", [1, 2, 3])),
            data_of(averages("r", "pm25", [4, 4, 4])),
            variable="pm25",
        )


# -- local calibration ------------------------------------------------------------------
def test_fit_and_apply_a_local_calibration():
    # sensor = 1.6 reference + 3 exactly, so reference = 0.625 sensor - 1.875.
    reference = np.array([5.0, 10.0, 20.0, 40.0])
    sensors = data_of(averages("pa", "pm25_corrected", 1.6 * reference + 3))
    refs = data_of(averages("fem", "pm25", reference))
    calibration = fit_calibration(sensors, refs, variable="pm25_corrected")
    assert calibration.slope == pytest.approx(0.625)
    assert calibration.intercept == pytest.approx(-1.875)
    assert calibration.r2 == pytest.approx(1.0)
    assert calibration.n == 4
    assert calibration.output == "pm25_calibrated"
    assert (calibration.start, calibration.end) == (
        "2023-01-01T00:00:00+00:00",
        "2023-01-04T00:00:00+00:00",
    )

    other = data_of(averages("pa2", "pm25_corrected", [35.0, 19.0]))
    before = other.readings.copy(deep=True)
    out = apply_calibration(other, calibration)
    pd.testing.assert_frame_equal(other.readings, before)
    rows = out.readings[out.readings["variable"] == "pm25_calibrated"]
    assert rows["value"].tolist() == pytest.approx([20.0, 10.0])  # 0.625*35 - 1.875
    assert set(rows["method"]) == {calibration.method}
    assert "-1.875 + 0.6250 × sensor" in calibration.method
    assert "4 day pairs, 2023-01-01 to 2023-01-04" in calibration.method
    raw = out.readings[out.readings["variable"] == "pm25_corrected"]
    assert raw["value"].tolist() == [35.0, 19.0]  # raw values kept
    fit, applied = out.history[-2], out.history[-1]
    assert fit.name == "fit_calibration"
    assert fit.parameters["slope"] == pytest.approx(0.625)
    assert fit.parameters["sensor"] == "pa"
    assert fit.parameters["reference"] == "fem"
    assert applied.name == "apply_calibration"
    assert applied.touched == 2
    with pytest.raises(MissingColumnError, match="already has pm25_calibrated values"):
        apply_calibration(out, calibration)
    with pytest.raises(MissingColumnError, match="converts pm25_corrected values"):
        apply_calibration(refs, calibration)
    with pytest.raises(MissingColumnError, match="No pm25_corrected values for sensor"):
        apply_calibration(other, calibration, sensors="nope")


def test_calibrated_output_needs_a_name_for_other_variables():
    data = data_of(averages("s", "no2", [1, 2, 3]), averages("r", "no2", [1, 2, 4]))
    with pytest.raises(MissingColumnError, match="no default variable for calibrated no2"):
        fit_calibration(
            data, data, variable="no2", reference_variable="no2", sensor="s", reference_sensor="r"
        )
