"""charts.index_bands: an index over time in official colours, always labelled in text."""

import re

import pandas as pd
import pytest

from toolkit import charts
from toolkit.sensordata import SensorData, normalise_readings

from .helpers import averages, dataset, encodings, views

EPA = "US EPA AQI (2024, EPA-454/B-24-002)"


def _data(*frames):
    readings = normalise_readings(pd.concat(frames, ignore_index=True))
    ids = sorted({str(s) for s in readings["sensor_id"].unique()})
    return SensorData(readings, pd.DataFrame({"sensor_id": ids, "timezone": "UTC"}))


def _view(spec, mark, field=None):
    for view in views(spec):
        kind = view.get("mark", {})
        kind = kind if isinstance(kind, str) else kind.get("type")
        if kind == mark and (
            field is None or view["encoding"].get("text", {}).get("field") == field
        ):
            return view
    raise AssertionError(mark)


def test_index_points_on_labelled_official_bands():
    # 2024 AQI of 24-hour PM2.5 (EPA-454/B-24-002, Table 6; truncated to 0.1 µg/m³):
    # 12.0 -> (100-51)/(35.4-9.1)·(12.0-9.1)+51 = 56.4 -> 56 (Moderate)
    # 35.45 -> 35.4 -> 100 (Moderate)
    # 60.0 -> (200-151)/(125.4-55.5)·(60.0-55.5)+151 = 154.2 -> 154 (Unhealthy)
    chart = charts.index_bands(_data(averages([12.0, 35.45, 60.0])))
    spec = chart.to_dict()
    points = _view(spec, "point")
    rows = dataset(spec, points)
    assert [r["value"] for r in rows] == [56.0, 100.0, 154.0]
    assert [r["band"] for r in rows] == [
        "Moderate (51-100)",
        "Moderate (51-100)",
        "Unhealthy (151-200)",
    ]
    # Every band shown is named in text on the chart ...
    labels = dataset(spec, _view(spec, "text", "band"))
    assert [r["band"] for r in labels] == [
        "Good (0-50)",
        "Moderate (51-100)",
        "Unhealthy for Sensitive Groups (101-150)",
        "Unhealthy (151-200)",
    ]
    # ... and in the legend, with EPA's colours (not colour-blind safe, hence the text).
    colour = points["encoding"]["color"]
    assert colour["scale"]["domain"] == [r["band"] for r in labels]
    assert colour["scale"]["range"] == ["#00E400", "#FFFF00", "#FF7E00", "#FF0000"]
    assert colour["legend"]["labelLimit"] >= 300  # long category names are not cut
    y = next(e for e in encodings(spec, "y") if e.get("title"))
    assert y["title"] == f"{EPA} (index, no unit)"
    assert "named on the left and in the legend" in spec["title"]["subtitle"][0]
    assert "toolkit.indices.aqi" in spec["description"]
    assert chart.usermeta["caption"] == (
        f"By the {EPA}, the daily index at sensor s1 was Moderate on 2 and Unhealthy on 1 of "
        "3 days with enough data (at least 75 % of the hours). The highest was 154 "
        "(Unhealthy) on 3 July 2024."
    )


def test_beyond_the_index_has_its_own_labelled_band():
    # 400 µg/m³ is above the top breakpoint (325.4): EPA's line is extended.
    spec = charts.index_bands(_data(averages([400.0]))).to_dict()
    labels = [r["band"] for r in dataset(spec, _view(spec, "text", "band"))]
    assert labels[-1] == "Beyond the AQI (above 500)"


def test_banded_index_labels_carry_the_level_numbers():
    spec = charts.index_bands(_data(averages([12.0, 30.0])), standard="uk_daqi_2013").to_dict()
    labels = [r["band"] for r in dataset(spec, _view(spec, "text", "band"))]
    assert labels[:3] == ["1 Low", "2 Low", "3 Low"]


def test_many_sensors_show_the_highest_index_and_the_range():
    frames = [averages([float(k), float(k)], sensor=f"s{k}") for k in range(1, 10)]
    chart = charts.index_bands(_data(*frames))
    spec = chart.to_dict()
    rows = dataset(spec, _view(spec, "point"))
    # 9.0 µg/m³ is the top of Good: AQI 50; 1.0 -> 50/9.0·1.0 = 5.6 -> 6.
    assert [(r["value"], r["low"], r["series"]) for r in rows] == [(50.0, 6.0, "s9")] * 2
    assert chart.usermeta["choices"]["pooled"] is True


def test_index_errors():
    with pytest.raises(charts.NothingToDrawError, match="nothing to draw for the index chart"):
        charts.index_bands(SensorData.empty())
    invalid = averages([12.0, 13.0], valid=[False, False]).assign(value=[12.0, 13.0])
    with pytest.raises(
        charts.NothingToDrawError, match=re.escape(f"no period had enough data for the {EPA}.")
    ):
        charts.index_bands(_data(invalid))
