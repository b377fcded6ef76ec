"""charts.profile: the typical day or week from toolkit.timeseries.profile."""

import numpy as np
import pytest

from toolkit import charts

from .helpers import axis_titles, dataset, encodings, make, marks, pm_data, series


def test_daily_profile_with_its_confidence_band():
    # Three days of hourly readings, each day 0, 1, ..., 23: every hour's mean is the
    # hour itself, with no spread (the 95 % band has zero width).
    data = make(series(np.tile(np.arange(24.0), 3), freq="1h"))
    chart = charts.profile(data)
    spec = chart.to_dict()
    rows = dataset(spec)
    assert [r["x"] for r in rows] == list(range(24))
    assert [r["value"] for r in rows] == [float(h) for h in range(24)]
    assert [(r["low"], r["high"]) for r in rows][:2] == [(0.0, 0.0), (1.0, 1.0)]
    assert [r["hours"] for r in rows] == [3] * 24
    assert set(marks(spec)) == {"area", "line"}
    assert axis_titles(spec) == {
        "x": {"Hour of the day (UTC; 0 = midnight to 1 am)"},
        "y": {"Mean of hourly PM2.5 (µg/m³)"},
    }
    assert "95 % confidence interval" in spec["description"]
    assert "toolkit.timeseries.profile" in spec["description"]
    assert chart.usermeta["caption"] == (
        "On average, on the UTC clock, PM2.5 was highest at 23:00 (23.0 µg/m³) and lowest "
        "at 00:00 (0.0 µg/m³). It rests on 72 valid hourly values from sensor s1 (at least "
        "75 % of the expected readings each)."
    )


def test_weekly_profile_orders_monday_to_sunday():
    data = make(series(np.ones(24 * 14), freq="1h"))  # from Monday 4 March 2024
    spec = charts.profile(data, by="weekday").to_dict()
    x = encodings(spec, "x")[0]
    assert x["sort"][0] == "Monday"
    assert x["sort"][-1] == "Sunday"
    assert axis_titles(spec)["x"] == {"Day of the week (UTC)"}
    assert {r["hours"] for r in dataset(spec)} == {48}  # two of each weekday, 24 hours


def test_sensors_are_told_apart_by_colour_and_dash():
    spec = charts.profile(pm_data(2, 2)).to_dict()
    line = next(e for e in encodings(spec, "strokeDash"))
    assert line["scale"]["domain"] == ["s1", "s2"]
    colour = encodings(spec, "color")[0]
    assert colour["scale"]["range"] == list(charts.OKABE_ITO[:2])


def test_many_sensors_are_pooled():
    chart = charts.profile(pm_data(9, 1))
    assert chart.usermeta["choices"] == {"by": "hour", "pooled": True}
    assert {r["series"] for r in dataset(chart.to_dict())} == {"all sensors"}


def test_profile_errors():
    with pytest.raises(ValueError, match="by must be 'hour' or 'weekday', not 'month'"):
        charts.profile(pm_data(1, 1), by="month")
    with pytest.raises(charts.NothingToDrawError, match="nothing to draw for the profile"):
        charts.profile(make(series([np.nan] * 5)))
