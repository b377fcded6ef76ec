"""charts.distribution: a histogram and per-sensor percentiles."""

import numpy as np
import pytest

from toolkit import charts
from toolkit.charts import _distribution

from .helpers import axis_titles, dataset, encodings, make, series, views


def _view(spec, mark):
    return next(v for v in views(spec) if (v.get("mark") or {}).get("type") == mark)


def test_histogram_counts_kept_and_flagged_readings():
    # 0, 0.5, 1.5, ..., 39.5, 40: 40 bars of width 1 from 0 to 40; the edge values fall
    # in the first and the last bar.
    values = np.r_[0.0, np.arange(40) + 0.5, 40.0]
    frame = series(values)
    frame["flag_spikes"] = frame["value"] == 10.5
    chart = charts.distribution(make(frame))
    spec = chart.to_dict()
    bars = dataset(spec, _view(spec, "bar"))
    kept = {r["start"]: r["count"] for r in bars if r["reading"] == "kept"}
    flagged = {r["start"]: r["count"] for r in bars if r["reading"] != "kept"}
    assert kept[0.0] == 2
    assert kept[39.0] == 2
    assert kept[1.0] == 1
    assert 10.0 not in kept
    assert flagged == {10.0: 1}
    assert sum(r["count"] for r in bars) == 42
    colour = encodings(spec, "color")[0]
    assert colour["scale"]["range"] == [charts.OKABE_ITO[0], charts.OKABE_ITO[5]]
    titles = axis_titles(spec)
    assert titles["x"] == {"PM2.5 (µg/m³)"}
    assert titles["y"] == {"Readings (count)", "Sensor"}  # the second: one row per sensor
    # Percentiles of the 42 sorted values (type 7): the 25th at position 41·0.25 = 10.25,
    # between 9.5 and 10.5: 9.75 (shown as 9.8); the 75th at 30.75: 30.25 (shown as 30.2).
    assert chart.usermeta["caption"] == (
        "Half of the 42 readings of PM2.5 lay between 9.8 and 30.2 µg/m³ (median 20.0 "
        "µg/m³); the highest was 40.0 µg/m³. 1 of them was flagged by quality rules and is "
        "counted in its own colour."
    )


def test_each_sensor_gets_its_percentiles():
    data = make(series([1.0, 2, 3, 4, 5]), series([10.0, 20, 30, 40, 50], sensor="s2"))
    spec = charts.distribution(data).to_dict()
    rule = _view(spec, "rule")
    rows = {r["series"]: r for r in dataset(spec, rule)}
    # Linear interpolation (Hyndman & Fan type 7): p5 of 1..5 = 1 + 0.05·4 = 1.2.
    assert [rows["s1"][p] for p in ("p5", "p25", "p50", "p75", "p95")] == [1.2, 2, 3, 4, 4.8]
    assert [rows["s2"][p] for p in ("p5", "p25", "p50", "p75", "p95")] == [12, 20, 30, 40, 48]
    assert "box from the 25th to the 75th percentile" in " ".join(spec["title"]["subtitle"])


def test_a_few_extreme_values_do_not_squash_the_histogram():
    values = np.r_[np.linspace(0, 10, 2000), 500.0, 600.0]
    chart = charts.distribution(make(series(values)))
    subtitle = " ".join(chart.to_dict()["title"]["subtitle"])
    assert "values above" in subtitle
    assert "the highest is 600 µg/m³" in subtitle


def test_too_many_sensors_to_list(monkeypatch):
    monkeypatch.setattr(_distribution, "MAX_SENSOR_ROWS", 1)
    data = make(series([1.0, 2]), series([3.0, 4], sensor="s2"))
    spec = charts.distribution(data).to_dict()
    assert "2 sensors are too many to list" in " ".join(spec["title"]["subtitle"])


def test_distribution_errors():
    with pytest.raises(charts.NothingToDrawError, match="nothing to draw for the distribution"):
        charts.distribution(make(series([np.nan, np.nan])))
