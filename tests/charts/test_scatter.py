"""charts.scatter: a sensor against a reference, fit line and 1:1 line."""

import numpy as np
import pandas as pd
import pytest

from toolkit import charts
from toolkit.charts import _scatter

from .helpers import axis_titles, dataset, make, series, views

# A reference with one value an hour, 1 to 6 µg/m³, and a sensor reading 2·x + 1 six
# times an hour: hourly pairs (x, 2x + 1), a perfect line of slope 2 and intercept 1.
X = np.arange(1.0, 7.0)


def _reference():
    return make(series(X, sensor="r1", freq="1h"))


def _sensor(sensor="s1"):
    return make(series(np.repeat(2 * X + 1, 6), sensor=sensor))


def _view(spec, mark):
    return next(v for v in views(spec) if (v.get("mark") or {}).get("type") == mark)


def test_sensor_against_reference_with_fit_and_one_to_one_lines():
    chart = charts.scatter(_sensor(), _reference())
    spec = chart.to_dict()
    points = dataset(spec, _view(spec, "point"))
    assert [(r["x"], r["y"]) for r in points] == [(x, 2 * x + 1) for x in X]
    lines = pd.DataFrame(dataset(spec, _view(spec, "line")))
    one = lines[lines["line"].str.startswith("1:1")]
    fit = lines[lines["line"].str.startswith("least-squares")]
    assert one[["x", "y"]].values.tolist() == [[0.0, 0.0], [13.0, 13.0]]
    assert fit[["x", "y"]].values.tolist() == [[0.0, 1.0], [13.0, 27.0]]
    assert fit["line"].iloc[0] == "least-squares fit: y = 2.00 x + 1.00 µg/m³, R² = 1.00"
    assert axis_titles(spec) == {
        "x": {"Hourly mean PM2.5, r1 (µg/m³)"},
        "y": {"Hourly mean PM2.5, s1 (µg/m³)"},
    }
    line_view = _view(spec, "line")
    assert line_view["encoding"]["strokeDash"]["scale"]["range"] == [[6, 4], [1, 0]]
    assert "toolkit.evaluation.pair" in spec["description"]
    assert chart.usermeta["caption"] == (
        "Hourly PM2.5 at s1 against r1: slope 2.00, intercept 1.0 µg/m³ and R² 1.00 over 6 "
        "pairs (least squares, the sensor on the y axis). A perfect match would lie on the "
        "dashed 1:1 line."
    )


def test_two_channels_of_one_sensor():
    a = series(np.repeat(X, 6), channel="A")
    b = series(np.repeat(X + 1, 6), channel="B")
    chart = charts.scatter(make(a, b, source="PurpleAir"))
    spec = chart.to_dict()
    points = dataset(spec, _view(spec, "point"))
    assert (points[0]["x"], points[0]["y"], points[0]["series"]) == (2.0, 1.0, "s1 A")
    assert chart.usermeta["caption"].startswith("Hourly PM2.5 at s1 A against s1 B: slope 1.00")


def test_two_sensors_without_a_reference():
    data = make(series(np.repeat(X, 6), sensor="s1"), series(np.repeat(3 * X, 6), sensor="s2"))
    chart = charts.scatter(data)
    assert chart.usermeta["caption"].startswith(
        "Hourly PM2.5 at s1 against s2: slope 0.33, intercept 0.0 µg/m³"
    )


def test_many_pairs_become_a_heatmap_of_counts(monkeypatch):
    monkeypatch.setattr(_scatter, "MAX_ROWS", 3)
    chart = charts.scatter(_sensor(), _reference())
    spec = chart.to_dict()
    grid = dataset(spec, _view(spec, "rect"))
    assert sum(r["pairs"] for r in grid) == 6
    colour = _view(spec, "rect")["encoding"]["color"]
    assert colour["scale"]["scheme"] == "viridis"
    assert colour["title"] == "Pairs (count, log scale)"
    assert chart.usermeta["choices"]["binned"] is True


def test_too_few_pairs_for_a_line():
    reference = make(series(X[:2], sensor="r1", freq="1h"))
    chart = charts.scatter(_sensor(), reference)
    assert chart.usermeta["caption"] == (
        "There are too few hourly pairs (2) of s1 and r1 to fit a line; at least 3 with some "
        "spread are needed."
    )


def test_scatter_errors():
    three = make(*(series(np.ones(6), sensor=f"s{i}") for i in range(3)))
    with pytest.raises(charts.NothingToDrawError, match="needs exactly two series") as e:
        charts.scatter(three)
    assert "scatter(data, reference)" in str(e.value)
    later = make(series(X, sensor="r1", freq="1h", start="2025-01-01T00:00Z"))
    with pytest.raises(charts.NothingToDrawError, match="no hourly values of the two series"):
        charts.scatter(_sensor(), later)
