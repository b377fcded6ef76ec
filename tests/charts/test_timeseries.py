"""charts.timeseries: the toolkit's averages over time, raw readings, guideline lines."""

import numpy as np
import pandas as pd
import pytest

from toolkit import charts
from toolkit.charts import NothingToDrawError, _lines
from toolkit.sensordata import SensorData

from .helpers import averages, axis_titles, dataset, encodings, make, marks, pm_data, series, views


def ms(text):
    return pd.Timestamp(text).value // 1_000_000


def test_valid_spec_rendered_offline_with_title_description_and_units():
    chart = charts.timeseries(pm_data(2, 2))
    spec = chart.to_dict()  # altair validates against the Vega-Lite schema here
    assert spec["title"]["text"] == "Hourly mean PM2.5, 2 sensors"
    assert axis_titles(spec) == {"x": {"Time (UTC)"}, "y": {"Hourly mean PM2.5 (µg/m³)"}}
    description = spec["description"]
    assert "toolkit.timeseries.average" in description
    assert "at least 75 % data capture" in description
    assert "Directive 2008/50/EC Annex VII" in description
    svg = charts.to_svg(chart)
    assert svg.startswith("<svg")
    assert "Hourly mean PM2.5" in svg


def test_sensors_get_okabe_ito_colours_and_dashes():
    spec = charts.timeseries(pm_data(3, 1)).to_dict()
    colour = encodings(spec, "color")[0]
    dash = encodings(spec, "strokeDash")[0]
    assert colour["field"] == dash["field"] == "series"
    assert colour["scale"]["range"] == list(charts.OKABE_ITO[:3])
    assert colour["scale"]["domain"] == ["s1", "s2", "s3"]
    assert len({tuple(d) for d in dash["scale"]["range"]}) == 3  # a second cue


def test_draws_the_toolkits_hourly_means():
    # Six readings an hour: 0-5, 6-11, 12-17 -> means 2.5, 8.5, 14.5.
    data = make(series(np.arange(18.0)))
    rows = dataset(charts.timeseries(data).to_dict())
    assert [r["value"] for r in rows] == [2.5, 8.5, 14.5]
    assert [r["time"] for r in rows] == [
        ms("2024-03-04T00:00"),
        ms("2024-03-04T01:00"),
        ms("2024-03-04T02:00"),
    ]
    assert [r["coverage"] for r in rows] == [1.0, 1.0, 1.0]


def test_local_wall_clock_on_the_time_axis():
    data = make(series(np.arange(12.0), start="2024-07-01T00:00Z"), zone="Europe/London")
    spec = charts.timeseries(data).to_dict()
    assert axis_titles(spec)["x"] == {"Time (Europe/London)"}
    rows = dataset(spec)
    assert rows[0]["time"] == ms("2024-07-01T01:00")  # 00:00 UTC is 01:00 BST


def test_a_gap_breaks_the_line():
    first = series(np.ones(12))  # 00:00-02:00
    later = series(np.ones(6), start="2024-03-04T05:00Z")  # 05:00-06:00
    rows = dataset(charts.timeseries(make(pd.concat([first, later]))).to_dict())
    assert [(r["time"], r["value"]) for r in rows] == [
        (ms("2024-03-04T00:00"), 1.0),
        (ms("2024-03-04T01:00"), 1.0),
        (ms("2024-03-04T02:00"), None),  # the end of the last hour before the gap
        (ms("2024-03-04T05:00"), 1.0),
    ]


def test_guideline_by_name_is_a_labelled_dashed_line():
    chart = charts.timeseries(pm_data(1, 1), guideline="who_2021_pm25_24h")
    spec = chart.to_dict()
    assert "rule" in marks(spec)
    assert "text" in marks(spec)
    rule = next(v for v in views(spec) if v.get("mark", {}).get("type") == "rule")
    assert rule["mark"]["strokeDash"] == [6, 4]
    assert dataset(spec, rule) == [
        {
            "value": 15.0,
            "label": "WHO global air quality guidelines (2021) AQG level: 15 µg/m³ (24-hour mean)",
        }
    ]
    assert chart.usermeta["caption"].endswith(
        "The dashed line marks the WHO global air quality guidelines (2021) AQG level, "
        "15 µg/m³ for the 24-hour mean."
    )


def test_numeric_guideline_and_variable_taken_from_the_guideline():
    data = make(series(np.ones(12)), series(np.full(12, 2.0), variable="pm10"))
    spec = charts.timeseries(data, guideline="who_2021_pm10_24h").to_dict()
    assert axis_titles(spec)["y"] == {"Hourly mean PM10 (µg/m³)"}
    spec = charts.timeseries(data, variable="pm25", guideline=25).to_dict()
    labels = [r.get("label") for d in spec["datasets"].values() for r in d if "label" in r]
    assert labels == ["25 µg/m³"]


def test_many_sensors_become_a_median_and_a_band():
    frames = [series(np.full(6, float(v)), sensor=f"s{v}") for v in range(1, 10)]
    chart = charts.timeseries(make(*frames))
    spec = chart.to_dict()
    rows = dataset(spec)
    # Nine sensors at 1..9: median 5, 25th percentile 3, 75th 7 (linear interpolation).
    assert [(r["value"], r["p25"], r["p75"], r["sensors"]) for r in rows] == [(5.0, 3.0, 7.0, 9)]
    assert "area" in marks(spec)
    assert "line" in marks(spec)
    assert "median of 9 sensors" in " ".join(spec["title"]["subtitle"])
    assert chart.usermeta["choices"]["pooled"] is True


def test_too_many_points_step_up_to_a_longer_period(monkeypatch):
    monkeypatch.setattr(_lines, "MAX_ROWS", 50)
    chart = charts.timeseries(pm_data(2, 3))  # 2 x 72 hourly values > 50
    spec = chart.to_dict()
    assert chart.usermeta["choices"] == {"period": "day", "pooled": False, "period_asked": "1h"}
    assert spec["title"]["subtitle"][0] == (
        "Hourly values would be too many points to show: daily values are shown."
    )
    assert axis_titles(spec)["x"] == {"Date (UTC)"}
    assert len(dataset(spec)) == 6


def test_raw_readings_as_points_with_flagged_ones_marked():
    frame = series(np.arange(12.0))
    frame["flag_spikes"] = False
    frame.loc[3, "flag_spikes"] = True
    spec = charts.timeseries(make(frame), show_raw=True).to_dict()
    point_view = next(v for v in views(spec) if v.get("mark", {}).get("type") == "point")
    raw = dataset(spec, point_view)
    assert len(raw) == 12
    assert [r["reading"] for r in raw].count("flagged by a quality rule") == 1
    shape = point_view["encoding"]["shape"]["scale"]["range"]
    assert shape == ["circle", "cross"]  # flagged readings differ in shape as well as colour


def test_raw_readings_as_a_band_when_there_are_too_many(monkeypatch):
    monkeypatch.setattr(_lines, "MAX_ROWS", 10)
    spec = charts.timeseries(make(series(np.arange(18.0))), show_raw=True).to_dict()
    area = next(v for v in views(spec) if v.get("mark", {}).get("type") == "area")
    band = dataset(spec, area)
    # Hours hold readings 0-5, 6-11, 12-17: lowest and highest of each.
    assert [(r["min"], r["max"]) for r in band] == [(0.0, 5.0), (6.0, 11.0), (12.0, 17.0)]


def test_many_readings_never_raise_max_rows_error():
    frames = [
        series(np.random.default_rng(i).uniform(0, 30, 2880), sensor=f"s{i}", freq="1min")
        for i in range(4)
    ]  # 11,520 readings
    chart = charts.timeseries(make(*frames), show_raw=True)
    spec = chart.to_dict()
    assert sum(len(rows) for rows in spec["datasets"].values()) <= charts.MAX_ROWS


def test_averages_are_drawn_as_given():
    data = SensorData(
        averages([5.0, np.nan, 7.0]), pd.DataFrame({"sensor_id": ["s1"], "timezone": ["UTC"]})
    )
    rows = dataset(charts.timeseries(data).to_dict())
    assert [r["value"] for r in rows] == [5.0, None, 7.0]


def test_too_many_averages_given_as_they_are(monkeypatch):
    monkeypatch.setattr(_lines, "MAX_ROWS", 2)
    data = SensorData(
        averages([5.0, 6.0, 7.0]), pd.DataFrame({"sensor_id": ["s1"], "timezone": ["UTC"]})
    )
    with pytest.raises(charts.ChartSizeError, match="hold more points than a chart can show") as e:
        charts.timeseries(data)
    assert "toolkit.timeseries.average(data, 'day')" in str(e.value)


def test_nothing_to_draw_errors():
    with pytest.raises(
        NothingToDrawError, match="nothing to draw for the time series: the data has no readings"
    ) as e:
        charts.timeseries(SensorData.empty())
    assert "Found: 0 readings" in str(e.value)
    with pytest.raises(ValueError, match=r"every PM2\.5 value is missing") as e:
        charts.timeseries(make(series([np.nan, np.nan])))
    assert "Found: 2 values, all missing (NaN)" in str(e.value)
    two = make(series(np.ones(3)), series(np.ones(3), variable="pm10"))
    with pytest.raises(NothingToDrawError, match="Which variable should the time series show"):
        charts.timeseries(two)
    with pytest.raises(NothingToDrawError, match="has no humidity values") as e:
        charts.timeseries(two, variable="humidity")
    assert "variable='pm25'" in str(e.value)
    flagged = series(np.ones(12))
    flagged["flag_stuck"] = True
    with pytest.raises(NothingToDrawError, match="no hourly value had enough data") as e:
        charts.timeseries(make(flagged))
    assert "at least 75 % data capture" in str(e.value)


def test_input_is_not_changed():
    data = pm_data(2, 1)
    before = data.readings.copy(deep=True)
    history = len(data.history)
    charts.timeseries(data, show_raw=True, guideline=15)
    pd.testing.assert_frame_equal(data.readings, before)
    assert len(data.history) == history
